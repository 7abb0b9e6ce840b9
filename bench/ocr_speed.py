"""OCR speed on the corpus scans: prints figures, asserts nothing.

    python bench/ocr_speed.py [DIR]

Pages per second of the whole pipeline (render, deskew, Tesseract vie, extraction) over the
`*__scan.pdf` files, with --jobs 1 and --jobs 2 (documents spread over worker processes, each
Tesseract single-threaded), and the same for one document's pages spread over 2 processes.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.process import process_file, process_many  # noqa: E402
from pipeline.read.ocr import tesseract_problem  # noqa: E402


def page_count(path: str) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", nargs="?", default=str(ROOT / "corpus" / "docs"))
    args = parser.parse_args()
    if tesseract_problem():
        sys.exit(tesseract_problem())
    scans = sorted(str(p) for p in Path(args.dir).glob("*__scan.pdf"))
    if not scans:
        sys.exit(f"no *__scan.pdf in {args.dir}")
    pages = sum(page_count(p) for p in scans)
    print(f"{len(scans)} scans, {pages} pages in {args.dir}")
    for jobs in (1, 2):
        start = time.perf_counter()
        records = list(process_many(scans, jobs=jobs))
        elapsed = time.perf_counter() - start
        failed = sum(bool(r.error) for r in records)
        print(f"--jobs {jobs}: {pages / elapsed:.2f} pages/s ({elapsed:.1f} s, {elapsed / pages:.2f} s/page, {failed} failed)")
    longest = max(scans, key=page_count)
    for jobs in (1, 2):
        start = time.perf_counter()
        process_file(longest, jobs=jobs)
        elapsed = time.perf_counter() - start
        print(f"one {page_count(longest)}-page scan, its pages over {jobs} process(es): "
              f"{page_count(longest) / elapsed:.2f} pages/s ({elapsed:.1f} s)")


if __name__ == "__main__":
    main()
