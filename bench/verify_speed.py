"""Signature verification time per document against the bare parse of the same PDF.

    python bench/verify_speed.py [PDF …] [--repeat N]

Default documents: the real signed letters ../shared/real/qngai_*-signed*.pdf (mostly scans: the
text layer is small, so the bare parse is quick); with --corpus, or when that folder is absent,
the corpus's text PDFs signed here with a throw-away test PKI (tests/test_signatures.py).

For each document, `verify_pdf` (pyHanko: every signature, digest, CMS signature, difference
analysis of later updates, chain building against no anchors; offline) and the bare parse
(pdfplumber: open and `extract_text()` of every page — the floor of reading the text that
congvan does anyway) are timed in alternating pairs (which one runs first swaps every round,
so cache and frequency effects fall on both sides). Printed: per document the median ratio
verify / parse, then over all documents the median ratio with its spread (min, quartiles, max)
and the median added cost of reading + verifying against reading alone. Target: ≤ 1.2×.
Prints figures, asserts nothing.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.signatures import TrustStore, verify_pdf  # noqa: E402

REAL = ROOT.parent / "shared" / "real"
TARGET = 1.2


def bare_parse(path: Path) -> int:
    import pdfplumber

    chars = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            chars += len(page.extract_text() or "")
    return chars


def verify(path: Path) -> int:
    return len(verify_pdf(path, trust=TrustStore()))


def timed(fn, path) -> float:
    start = time.perf_counter()
    fn(path)
    return time.perf_counter() - start


def signed_corpus(folder: Path) -> list[Path]:
    """Corpus PDFs signed with a test PKI (only when the real signed letters are absent)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_signatures import Pki, sign  # noqa: E402

    pki = Pki(folder / "pki")
    signer = pki.signer()
    out = []
    for source in sorted((ROOT / "corpus" / "docs").glob("*__pdf.pdf"))[:12]:
        try:
            out.append(sign(source, folder / source.name, signer))
        except Exception as err:  # a corpus PDF pyHanko cannot append to
            print(f"skipped {source.name}: {type(err).__name__}")
    return out


def quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return values[0], values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[1], q[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=7, help="paired rounds per document (default 7)")
    parser.add_argument("--corpus", action="store_true",
                        help="the corpus's text PDFs signed with a test PKI, even when the real letters are there")
    parser.add_argument("--read", action="store_true",
                        help="also time congvan's own reading of each document once (OCR of scans included) "
                             "and give verify as a share of it")
    args = parser.parse_args()

    tmp = None
    paths = list(args.pdfs)
    if not paths:
        paths = sorted(REAL.glob("qngai_*-signed*.pdf")) if REAL.is_dir() and not args.corpus else []
        if paths:
            print(f"documents: {len(paths)} real signed letters in {REAL}")
        else:
            tmp = tempfile.TemporaryDirectory()
            paths = signed_corpus(Path(tmp.name))
            why = "--corpus" if args.corpus else f"{REAL} absent"
            print(f"documents: {len(paths)} corpus PDFs signed with a test PKI ({why})")

    # Warm up both paths once (imports, pdfminer/pyHanko module caches), outside the timing.
    bare_parse(paths[0])
    verify(paths[0])

    ratios, added, rows = [], [], []
    for path in paths:
        verify_times, parse_times, pair_ratios = [], [], []
        for round_ in range(args.repeat):
            if round_ % 2 == 0:
                v, p = timed(verify, path), timed(bare_parse, path)
            else:
                p, v = timed(bare_parse, path), timed(verify, path)
            verify_times.append(v)
            parse_times.append(p)
            pair_ratios.append(v / p)
        ratio = statistics.median(pair_ratios)
        ratios.append(ratio)
        added.append((statistics.median(parse_times) + statistics.median(verify_times)) / statistics.median(parse_times))
        rows.append((path.name, verify(path), statistics.median(verify_times), statistics.median(parse_times), ratio,
                     min(pair_ratios), max(pair_ratios)))

    print(f"{'document':<38} {'sigs':>4} {'verify ms':>10} {'parse ms':>9} {'ratio':>6}  (pair min–max)")
    for name, sigs, v, p, ratio, lo, hi in rows:
        print(f"{name[:38]:<38} {sigs:>4} {v * 1000:>10.1f} {p * 1000:>9.1f} {ratio:>6.2f}  ({lo:.2f}–{hi:.2f})")
    q1, med, q3 = quartiles(ratios)
    print()
    print(f"verify / bare parse, median over {len(ratios)} documents ({args.repeat} alternating pairs each): "
          f"{med:.2f}× (min {min(ratios):.2f}, quartiles {q1:.2f}–{q3:.2f}, max {max(ratios):.2f}); "
          f"target ≤ {TARGET}× → {'met' if med <= TARGET else 'NOT met'}")
    a1, amed, a3 = quartiles(added)
    print(f"(parse + verify) / parse, median: {amed:.2f}× (quartiles {a1:.2f}–{a3:.2f})")
    if args.read:
        from pipeline import read as read_mod
        from pipeline.extract import extract

        shares = []
        for path, row in zip(paths, rows):
            start = time.perf_counter()
            extract(read_mod.read(str(path), ocr="auto"))
            shares.append(row[2] / (time.perf_counter() - start))
        s1, smed, s3 = quartiles(shares)
        print(f"verify / congvan's own read + extract (OCR where needed, 1 run each), median: {smed:.3f}× "
              f"(quartiles {s1:.3f}–{s3:.3f}, max {max(shares):.3f})")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
