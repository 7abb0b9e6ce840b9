"""The whole performance table of issue 16 in one run (under 10 minutes on 2 shared cores).

    python bench/run_all.py [-n 5] [--quick] [--full] [--skip extract,register,store,ingest]

Every line is congvan against its floor in alternating paired runs (bench/paired.py): the median
of the pairwise ratios with its spread (min–max), wall time, cpu ratio in brackets, and the goal
of the issue where it sets one. Parts:

- extract (bench/extract_speed.py): one text file whole command, text/Markdown, HTML, text PDF
  against read+decode+NFC, bs4+lxml get_text, pdfplumber extract_words;
- register (bench/register_speed.py): .xlsx at 5,000 and 50,000 rows against a plain openpyxl
  write, and the growth from 5,000 to 50,000 rows;
- store (bench/store_speed.py): search and get at 5,000 and 100,000 documents against plain
  sqlite3 (the stores are built once and kept in the temp dir);
- ingest: `congvan ingest` of N varied text documents into a fresh store against `congvan
  extract` of the same files, and the store's size against the source files.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import paired  # noqa: E402
from paired import CONGVAN, ROOT, Row, commands, table  # noqa: E402


def varied_text_batch(folder: Path, count: int) -> int:
    """`count` distinct text documents from the corpus's .txt files (a copy mark appended, the
    file's own encoding kept); returns their total size in bytes."""
    sources = sorted((ROOT / "corpus" / "docs").glob("*__txt*.txt"))
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(count):
        src = sources[i % len(sources)]
        data = src.read_bytes()
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            mark = f"\r\nBan sao {i}\r\n".encode("utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be")
        else:
            mark = f"\nBan sao {i}\n".encode("ascii")
        out = folder / f"{i:05d}_{src.name}"
        out.write_bytes(data + mark)
        total += len(data) + len(mark)
    return total


def ingest_rows(n: int, count: int, log) -> list:
    import sqlite3

    work = Path(tempfile.mkdtemp(prefix="congvan-ingest-"))
    try:
        inbox = work / "inbox"
        source_bytes = varied_text_batch(inbox, count)
        db = work / "i.db"
        ingest = f"rm -f {db} {db}-wal {db}-shm && {CONGVAN} ingest {inbox} --db {db}"
        pair = commands(ingest, f"{CONGVAN} extract --format jsonl {inbox}", n)
        log(f"  ingest {count}: {pair.ratio()[0]:.2f}×")
        con = sqlite3.connect(db)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = con.execute("PRAGMA page_count").fetchone()[0] * con.execute("PRAGMA page_size").fetchone()[0]
        con.close()
        ratio = size / source_bytes
        rows = [Row(f"`ingest` {count:,} text documents into a new SQLite store", pair, "`extract` of the same files",
                    (count, "docs"), goal=1.3),
                [f"store size, {count:,} text documents", f"{size / 1e6:.2f} MB ({size / count / 1e3:.1f} KB/doc)",
                 f"source files {source_bytes / 1e6:.2f} MB", f"**{ratio:.2f}×**" + (" ok" if ratio <= 2.5 else " > goal 2.5")]]
        return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=5, help="pairs per measure (fewer for the long ones)")
    parser.add_argument("--quick", action="store_true", help="smaller sets: about 3 minutes")
    parser.add_argument("--full", action="store_true", help="also the real text-PDF decrees (+6 minutes)")
    parser.add_argument("--skip", default="", help="comma-separated parts to leave out")
    parser.add_argument("--docs", type=int, default=500, help="documents for the ingest measure")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    start = time.perf_counter()

    def log(text: str) -> None:
        print(f"[{time.perf_counter() - start:5.0f} s] {text}", file=sys.stderr, flush=True)

    rows, notes = [], []
    if "extract" not in skip:
        import extract_speed

        log("extract")
        rows += extract_speed.measures(args.n, args.quick, log, full=args.full)
    if "register" not in skip:
        import register_speed

        log("register")
        sizes = [5000] if args.quick else [5000, 50000]
        reg_rows, medians = register_speed.measure(sizes, 3)
        rows += reg_rows
        notes += register_speed.growth(medians)
    if "store" not in skip:
        import store_speed

        log("store (builds the synthetic stores on first use)")
        folder = Path(tempfile.gettempdir()) / "congvan-bench-stores"
        folder.mkdir(parents=True, exist_ok=True)
        rows += store_speed.measure([5000] if args.quick else [5000, 100000], max(5, args.n), folder)
    if "ingest" not in skip:
        log("ingest")
        rows += ingest_rows(args.n, 200 if args.quick else args.docs, log)
    print(table(rows))
    for note in notes:
        print(f"- {note}")
    one = next((r for r in rows if isinstance(r, Row) and "one.txt" in r.measure), None)
    if one:
        print(f"- `congvan extract one.txt`: {one.pair.a.median:.3f} s wall median (goal ≤ 0.25 s)")
    print(f"\n({time.perf_counter() - start:.0f} s; python {sys.version.split()[0]}; bytecode cached in "
          f"{paired.ENV.get('PYTHONPYCACHEPREFIX')})")


if __name__ == "__main__":
    main()
