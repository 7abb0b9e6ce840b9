"""`ingest --dask local:2` against `--dask local:1` and against the plain `--jobs 2`, and the client's memory.

    python bench/dask_speed.py [--docs 1000] [-n 3] [--postgres postgresql://…] [--batches] [--who-stores]
    python bench/dask_speed.py --costs     # what one worker spends per page: text PDF, DOCX, OCR

Builds an inbox of N distinct corpus-derived files (text, DOCX, text PDFs; scans are left to
bench/ocr_speed.py), then times whole `congvan ingest` commands into a fresh store each run
(SQLite, or a fresh database on the given PostgreSQL server), in alternating pairs (bench/paired.py):
cluster start-up is included, as a user pays it. Then the peak memory of the client process
ingesting a quarter of the batch and all of it on `local:2` (flat: it does not hold the batch).
With --batches, also `local:2` as it is (several files a task) against one file a task, the
window it had before batching (the same script, in-process, no progress bar). With --who-stores
(PostgreSQL), also `local:2` with its workers storing (the default into PostgreSQL) against the
client storing every record itself, in input order (as into SQLite).
Prints `measure | congvan | floor | ratio` with the load average before and after each row; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from ingest_speed import make_inbox  # noqa: E402
from paired import CONGVAN, ENV, PYTHON, Row, paired, run_command, table  # noqa: E402


class FreshStore:
    """A store URL emptied before each run: a new SQLite file, or a new PostgreSQL database."""

    def __init__(self, folder: Path, postgres: str | None):
        self.folder, self.postgres, self.made = folder, postgres, []

    def new(self) -> str:
        if not self.postgres:
            path = self.folder / f"{uuid.uuid4().hex[:8]}.db"
            return str(path)
        from sqlalchemy import text

        name = f"congvan_bench_{uuid.uuid4().hex[:8]}"
        with self.admin().connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        self.made.append(name)
        return f"{self.postgres.rsplit('/', 1)[0]}/{name}"

    def admin(self):
        from sqlalchemy import create_engine

        return create_engine(self.postgres.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")

    def drop_all(self) -> None:
        if not self.made:
            return
        from sqlalchemy import text

        with self.admin().connect() as conn:
            for name in self.made:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def ingest_run(inbox: Path, stores: FreshStore, how: list[str]):
    def run() -> tuple[float, float]:
        return run_command([CONGVAN, "ingest", str(inbox), "--db", stores.new(), *how])
    return run


ONE_A_TASK = """
import sys
sys.path.insert(0, {root!r})
from pipeline.distributed import cluster_client, ingest_on_cluster, stream_paths
from pipeline.store import open_store
if __name__ == "__main__":
    with cluster_client("local:2") as client:
        ingest_on_cluster(stream_paths([{inbox!r}]), open_store(sys.argv[1]), client, batch_files={batch}, window={window},
                          workers_store={workers_store})
"""


def batch_run(inbox: Path, stores: FreshStore, batch: int, workers_store: bool | None = None):
    """`ingest --dask local:2` as a script, with `batch` files a task at most (1: as before batching);
    `workers_store`: who stores (None: the default for the store)."""
    script = inbox.parent / f"batch_{batch}_{workers_store}.py"
    script.write_text(ONE_A_TASK.format(root=str(HERE.parent), inbox=str(inbox), batch=batch,
                                        window=8 if batch > 1 else 16,  # 16: the window before batching
                                        workers_store=workers_store))

    def run() -> tuple[float, float]:
        return run_command([PYTHON, str(script), stores.new()])
    return run


CLIENT = """
import resource, sys
sys.path.insert(0, {root!r})
from pipeline.distributed import cluster_client, ingest_on_cluster
from pipeline.store import open_store
paths = sys.stdin.read().splitlines()
with cluster_client("local:2") as client:
    ingest_on_cluster(iter(paths), open_store({db!r}), client)
own = resource.getrusage(resource.RUSAGE_SELF)
print((own.ru_utime + own.ru_stime) / len(paths), own.ru_maxrss / 1024)
"""


def client_cost(paths: list[str], db: str) -> tuple[float, float]:
    """(cpu seconds per document, peak MB) of the client process: hashing, scheduling, storing."""
    code = CLIENT.format(root=str(HERE.parent), db=db)
    out = subprocess.run([PYTHON, "-c", code], input="\n".join(paths), capture_output=True, text=True, check=True,
                         env=ENV)
    cpu, peak = out.stdout.split()[-2:]
    return float(cpu), float(peak)


def loaded(measure: str, run_a, run_b, n: int, **row) -> Row:
    """A paired row whose measure names the load average (1 min) before and after its runs."""
    before = os.getloadavg()[0]
    pair = paired(run_a, run_b, n, warm=0)
    return Row(f"{measure} (load {before:.1f}→{os.getloadavg()[0]:.1f})", pair, **row)


COSTS = [("text PDF", "*__pdf.pdf"), ("DOCX", "*.docx"), ("scan, OCR", "*__scan.pdf")]


def pages_of(path: Path, corpus: Path) -> int:
    """A PDF's pages; a DOCX counts the pages of its PDF twin in the corpus (1 when it has none)."""
    import pypdfium2

    if path.suffix != ".pdf":
        twins = sorted(corpus.glob(path.name.split("__")[0] + "__pdf*.pdf"))
        return pages_of(twins[0], corpus) if twins else 1
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def page_costs(corpus: Path) -> None:
    """CPU seconds per page of one worker (this process and its Tesseract children), warm: the
    first file of each kind is read once unmeasured (imports, models)."""
    import resource

    from pipeline.process import process_file

    def cpu() -> float:
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    print("| kind | files | pages | cpu s / page | pages / core-hour |\n|---|---|---|---|---|")
    for kind, pattern in COSTS:
        files = sorted(corpus.glob(pattern))
        process_file(str(files[0]))
        pages = sum(pages_of(f, corpus) for f in files)
        start = cpu()
        for f in files:
            process_file(str(f))
        per_page = (cpu() - start) / pages
        print(f"| {kind} | {len(files)} | {pages} | {per_page:.3f} | {3600 / per_page:,.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("-n", type=int, default=3, help="pairs per row")
    parser.add_argument("--postgres", help="a PostgreSQL server URL (a fresh database per run); default SQLite")
    parser.add_argument("--corpus", type=Path, default=HERE.parent / "corpus" / "docs")
    parser.add_argument("--batches", action="store_true",
                        help="also local:2 with files batched against one file a task (in-process, no progress bar)")
    parser.add_argument("--who-stores", action="store_true",
                        help="also local:2 with its workers storing against the client storing (PostgreSQL)")
    parser.add_argument("--costs", action="store_true", help="only the CPU per page of text PDF, DOCX and OCR")
    args = parser.parse_args()
    if args.costs:
        page_costs(args.corpus)
        return
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="congvan_dask_bench_") as tmp:
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        paths = make_inbox(args.corpus, inbox, args.docs)
        stores = FreshStore(Path(tmp), args.postgres)
        try:
            local2 = ingest_run(inbox, stores, ["--dask", "local:2"])
            docs = (len(paths), "docs")
            rows = [
                loaded("ingest --dask local:2 vs local:1", local2, ingest_run(inbox, stores, ["--dask", "local:1"]),
                       args.n, floor="local:1", unit=docs),
                loaded("ingest --dask local:2 vs --jobs 2", local2, ingest_run(inbox, stores, ["--jobs", "2"]),
                       args.n, floor="--jobs 2", unit=docs),
            ]
            if args.batches:
                rows.append(loaded("local:2, files batched vs one file a task", batch_run(inbox, stores, 32),
                                   batch_run(inbox, stores, 1), args.n, floor="one a task", unit=docs))
            if args.who_stores and args.postgres:
                rows.append(loaded("local:2, workers store vs the client stores", batch_run(inbox, stores, 32, True),
                                   batch_run(inbox, stores, 32, False), args.n, floor="client stores", unit=docs))
            memory_load = os.getloadavg()[0]
            per_doc_quarter, quarter = client_cost(paths[: len(paths) // 4], stores.new())
            per_doc, whole = client_cost(paths, stores.new())
        finally:
            stores.drop_all()
    print(f"{len(paths)} documents from {args.corpus} into {'PostgreSQL' if args.postgres else 'SQLite'}; "
          "ratio = time of local:2 / time of the floor (below 1: local:2 is faster)")
    print(table(rows))
    print("load average (1, 5, 15 min) before: {:.1f} {:.1f} {:.1f}; after: {:.1f} {:.1f} {:.1f}".format(
        *load_before, *os.getloadavg()))
    n, q = len(paths), len(paths) // 4
    marginal = (per_doc * n - per_doc_quarter * q) / (n - q)  # the start-up cancels out
    print(f"client peak memory on local:2: {q} docs {quarter:.0f} MB, {n} docs {whole:.0f} MB; "
          f"client cpu {per_doc * 1000:.1f} ms a document (hash, schedule, store when it stores; "
          f"cluster start-up included), {marginal * 1000:.1f} ms each document past the first {q}; "
          f"load {memory_load:.1f}")


if __name__ == "__main__":
    main()
