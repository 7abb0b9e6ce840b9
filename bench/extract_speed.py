"""Extraction speed against the parse floor of each format: prints figures, asserts nothing.

    python bench/extract_speed.py [-n 5] [--quick] [--memory]

Whole commands (one process per run, start-up included), alternating paired runs against the
floor — the least work any reader of the same files must do with the library congvan itself
calls (bench/floors/):

- text and Markdown: read + decode + NFC (`floors/floor_text.py`); the real Markdown also against
  that plus a markdown-it-py parse with tables (`floors/floor_markdown.py`), the parse congvan's
  reader does too (read+decode+NFC alone is a few milliseconds: no extraction can be within 3× of it);
- HTML: BeautifulSoup with lxml, `get_text()`, NFC (`floors/floor_html.py`);
- text PDF: pdfplumber `extract_words()` on every page (`floors/floor_pdf.py`) — the call congvan's
  PDF reader makes, not `extract_text()`;
- one text file: the whole `congvan extract one.txt` against the floor on that file.

The sets are the corpus's own files and, when ../shared/real is there, the real Markdown
(diep_*.md), HTML (vbpl_*.html) and, with --full, the real text-PDF decrees (diep_pdf_49/50:
about six minutes, most of it verifying the six digital signatures of diep_pdf_50). Ratio = the median of the pairwise ratios
congvan/floor with its spread; goals from issue 16 are marked. `--memory` adds the peak memory
of a 200-document batch (flat in the batch size).
"""
from __future__ import annotations

import argparse
import glob
import resource
import shlex
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paired import CONGVAN, FLOORS, PYTHON, ROOT, Row, commands, table  # noqa: E402

CORPUS = ROOT / "corpus" / "docs"
REAL = ROOT.parent / "shared" / "real"


def files(pattern: str, base: Path = CORPUS) -> list[str]:
    return sorted(glob.glob(str(base / pattern)))


def extract_cmd(paths: list[str], *options: str) -> str:
    return " ".join([shlex.quote(CONGVAN), "extract", "--format", "jsonl", *options, *map(shlex.quote, paths)])


def floor_cmd(name: str, paths: list[str]) -> str:
    return " ".join([shlex.quote(PYTHON), shlex.quote(str(FLOORS / f"floor_{name}.py")), *map(shlex.quote, paths)])


def pdf_pages(paths: list[str]) -> int:
    import pdfplumber

    total = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            total += len(pdf.pages)
    return total


def sets(quick: bool, full: bool = False) -> list[tuple]:
    """(measure, paths, floor name, unit, goal, extra extract options)."""
    out = []
    one = files("a_01_*__txt.txt")[:1]
    if one:
        out.append(("`congvan extract one.txt`", one, "text", None, None, ()))
    txt = files("*__txt*.txt") + files("*__md.md")
    out.append((f"text/Markdown, corpus ({len(txt)} files)", txt, "text", (len(txt), "docs"), None, ()))
    md = files("diep_*.md", REAL)
    if md:
        out.append((f"Markdown, real diep ({len(md)} files)", md, "text", (len(md), "docs"), 3.0, ()))
        # The same files against a Markdown parse (congvan's reader parses the markup and its tables too).
        out.append((f"Markdown, real diep ({len(md)} files), parse floor", md, "markdown", (len(md), "docs"), 3.0, ()))
    html = files("vbpl_*.html", REAL)
    if html:
        html = html[:40] if quick else html
        out.append((f"HTML, real vbpl ({len(html)} files)", html, "html", (len(html), "docs"), 1.5, ()))
    pdf = files("*__pdf.pdf")
    if pdf:
        out.append((f"text PDF, corpus ({len(pdf)} files)", pdf, "pdf", (pdf_pages(pdf), "pages"), 1.15, ()))
    real_pdf = files("diep_pdf_4*.pdf", REAL) + files("diep_pdf_5*.pdf", REAL)
    if real_pdf and full:  # ~6 minutes here: six digital signatures verified on one of them
        out.append((f"text PDF, real decrees ({len(real_pdf)} files)", real_pdf, "pdf", (pdf_pages(real_pdf), "pages"),
                    1.15, ()))
    return out


def measures(n: int = 5, quick: bool = False, log=print, full: bool = False) -> list[Row]:
    rows = []
    for measure, paths, floor, unit, goal, options in sets(quick, full):
        runs = n if len(paths) < 40 else max(3, n // 2)
        pair = commands(extract_cmd(paths, *options), floor_cmd(floor, paths), runs)
        floor_name = {"text": "read+decode+NFC", "markdown": "read+decode+NFC, markdown-it-py parse (tables)",
                      "html": "bs4+lxml get_text", "pdf": "pdfplumber extract_words"}[floor]
        if measure.startswith("`congvan extract one"):
            goal_row = Row(measure, pair, floor_name, unit)
            rows.append(goal_row)
            log(f"  {measure}: congvan {pair.a.median:.3f} s (goal ≤ 0.25 s)")
            continue
        rows.append(Row(measure, pair, floor_name, unit, goal))
        log(f"  {measure}: {pair.ratio()[0]:.2f}×")
    return rows


def peak_memory_mb(paths: list[str], jobs: int) -> float:
    """Peak RSS (MB) of a fresh process extracting `paths`, workers included."""
    code = (
        "import sys, resource; sys.path.insert(0, %r)\n"
        "from pipeline.process import process_many\n"
        "paths = sys.stdin.read().splitlines()\n"
        "for _ in process_many(paths, jobs=%d): pass\n"
        "own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(max(own, kids) / 1024)\n" % (str(ROOT), jobs)
    )
    out = subprocess.run([PYTHON, "-c", code], input="\n".join(paths), capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=5, help="pairs per measure (halved for sets of 40+ files)")
    parser.add_argument("--quick", action="store_true", help="40 HTML pages")
    parser.add_argument("--full", action="store_true", help="also the real text-PDF decrees (slow: signatures)")
    parser.add_argument("--memory", action="store_true", help="also the peak memory of a 200-document batch")
    args = parser.parse_args()
    rows = measures(args.n, args.quick, full=args.full)
    print(table(rows))
    one = rows[0].pair.a.median if rows and "one.txt" in rows[0].measure else None
    if one is not None:
        print(f"\n`congvan extract one.txt`: {one:.3f} s (goal ≤ 0.25 s)")
    if args.memory:
        paths = [p for p in files("*") if p.endswith((".txt", ".md", ".docx", ".pdf")) and "__scan" not in p]
        batch = (paths * (200 // len(paths) + 1))[:200]
        for jobs in (1, 2):
            print(f"peak memory, {len(batch)}-document batch, --jobs {jobs}: {peak_memory_mb(batch, jobs):.0f} MB")
        print(f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
