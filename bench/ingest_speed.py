"""Ingest throughput into SQLite against bare extraction, and its memory as the batch grows.

    python bench/ingest_speed.py [--docs 1000] [--corpus corpus/docs]

Builds an inbox of N distinct files from the corpus (each copy varied so its SHA-256 differs:
a line appended to text, a zip comment on DOCX, a PDF comment after %%EOF), then for --jobs 1
and 2 prints documents/s of bare extraction and of `ingest` into a fresh SQLite store, the
overhead of storing, and the peak memory of ingesting a quarter and all of the batch (flat
memory means the store does not hold the batch). Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.process import iter_paths  # noqa: E402

SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html")


def varied_copy(path: Path, n: int) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".docx":
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                zout.writestr(info, zin.read(info.filename))
            zout.comment = f"copy {n}".encode()
        return out.getvalue()
    if path.suffix == ".pdf":
        return data + f"\n% copy {n}\n".encode()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data + f"\r\n{n}\r\n".encode("utf-16-le" if data[:2] == b"\xff\xfe" else "utf-16-be")
    return data + f"\n{n}\n".encode()


def make_inbox(corpus: Path, target: Path, count: int) -> list[str]:
    # Scanned versions ("__scan.", "__scan-esigned.") are left to bench/ocr_speed.py: OCR would swamp
    # what this measures.
    sources = [p for p in sorted(corpus.iterdir()) if p.suffix in SUFFIXES and "__scan" not in p.name]
    for i in range(count):
        src = sources[i % len(sources)]
        (target / f"{i:05d}_{src.name}").write_bytes(varied_copy(src, i))
    return list(iter_paths([str(target)]))


RUN = """
import sys, time, resource
sys.path.insert(0, {root!r})
from pipeline.process import process_many
from pipeline.ingest import ingest
from pipeline.store import open_store
paths = sys.stdin.read().splitlines()
start = time.perf_counter()
if {store!r}:
    ingest(paths, open_store({db!r}), jobs={jobs})
else:
    for _ in process_many(paths, jobs={jobs}):
        pass
elapsed = time.perf_counter() - start
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(elapsed, peak / 1024)
"""


def run(paths: list[str], jobs: int, db: str | None) -> tuple[float, float]:
    """(seconds, peak MB) of one fresh process extracting, or ingesting into `db`."""
    code = RUN.format(root=str(ROOT), store=bool(db), db=db, jobs=jobs)
    out = subprocess.run([sys.executable, "-c", code], input="\n".join(paths), capture_output=True, text=True, check=True)
    seconds, peak = out.stdout.split()
    return float(seconds), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus" / "docs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="congvan_bench_") as tmp:
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        paths = make_inbox(args.corpus, inbox, args.docs)
        print(f"{len(paths)} documents from {args.corpus}")
        for jobs in (1, 2):
            bare, _ = run(paths, jobs, None)
            stored, peak = run(paths, jobs, str(Path(tmp) / f"bench{jobs}.db"))
            print(f"--jobs {jobs}: extract {len(paths) / bare:7.1f} docs/s   ingest {len(paths) / stored:7.1f} docs/s"
                  f"   storing adds {stored / bare - 1:+.0%}   peak {peak:.0f} MB")
        quarter = paths[: len(paths) // 4]
        _, small = run(quarter, 1, str(Path(tmp) / "quarter.db"))
        _, large = run(paths, 1, str(Path(tmp) / "all.db"))
        print(f"peak memory, --jobs 1: {len(quarter)} docs {small:.0f} MB, {len(paths)} docs {large:.0f} MB")


if __name__ == "__main__":
    main()
