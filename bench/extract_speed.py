"""Extraction speed and memory on the corpus: prints figures, asserts nothing.

    python bench/extract_speed.py [DIR] [--repeat N]

- documents/s per format (txt, docx, pdf), one process, and the whole batch with --jobs 2;
- PDF pages/s, and our PDF time against the parse floor: bare pdfplumber `extract_text()` of
  the same files;
- peak resident memory of a batch of ≥ 200 documents, measured in a fresh process.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.process import iter_paths, process_file, process_many  # noqa: E402

FORMATS = {"txt": (".txt", ".md"), "docx": (".docx",), "pdf": (".pdf",), "html": (".html", ".htm")}


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def run_all(paths):
    return [process_file(p) for p in paths]


def pdfplumber_floor(paths):
    import pdfplumber

    pages = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                pages += 1
    return pages


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
    out = subprocess.run([sys.executable, "-c", code], input="\n".join(paths), capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", nargs="?", default=str(ROOT / "corpus" / "docs"))
    parser.add_argument("--repeat", type=int, default=3, help="passes over the files per measurement (best is kept)")
    args = parser.parse_args()
    # Scanned versions are OCR's business (bench/ocr_speed.py): this measures text formats.
    paths = [p for p in iter_paths([args.dir]) if "__scan." not in p]
    process_file(paths[0])  # warm imports once, as a long batch would

    print(f"corpus: {len(paths)} files in {args.dir}\n")
    print(f"{'format':<7}{'files':>6}{'docs/s':>10}{'ms/doc':>9}")
    for name, suffixes in FORMATS.items():
        group = [p for p in paths if p.lower().endswith(suffixes)]
        if not group:
            continue
        best = min(timed(run_all, group)[0] for _ in range(args.repeat))
        print(f"{name:<7}{len(group):>6}{len(group) / best:>10.1f}{1000 * best / len(group):>9.1f}")

    pdfs = [p for p in paths if p.lower().endswith(".pdf")]
    if pdfs:
        ours = min(timed(run_all, pdfs)[0] for _ in range(args.repeat))
        floor, pages = min((timed(pdfplumber_floor, pdfs) for _ in range(args.repeat)), key=lambda t: t[0])
        print(f"\nPDF: {pages} pages; congvan {pages / ours:.1f} pages/s, bare pdfplumber extract_text "
              f"{pages / floor:.1f} pages/s; ratio {ours / floor:.2f}× the parse floor")

    for jobs in (1, 2):
        elapsed, _ = timed(lambda: list(process_many(paths, jobs=jobs)))
        print(f"\nwhole batch, --jobs {jobs}: {len(paths) / elapsed:.1f} docs/s ({elapsed:.2f} s)", end="")
    print()

    batch = (paths * (200 // len(paths) + 1))[:max(200, len(paths))]
    for jobs in (1, 2):
        print(f"peak memory, {len(batch)}-document batch, --jobs {jobs}: {peak_memory_mb(batch, jobs):.0f} MB")
    print(f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
