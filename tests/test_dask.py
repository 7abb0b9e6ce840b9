"""Ingest on a Dask cluster (issue 18): the same store, exactly once, gap-free số đến, a worker killed midway."""
from __future__ import annotations

import os
import re
import signal
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest

from pipeline.distributed import Job, Task, Work, interrupt_after, results_of, stream_paths
from pipeline.ingest import ingest
from pipeline.process import WORKER_DIED, FileTimeLimit, iter_paths
from pipeline.store import open_store

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "docs"
POSTGRES_URL = os.environ.get("CONGVAN_TEST_POSTGRES")
RECEIVED = date(2026, 3, 2)


def derived_inbox(folder: Path, n: int) -> list[str]:
    """`n` distinct UTF-8 text documents made from the corpus's: each with its own number (so its own hash)."""
    originals = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))
                 if "utf16" not in p.name and "cp1258" not in p.name]
    folder.mkdir()
    for i in range(n):
        text = originals[i % len(originals)]
        varied, found = re.subn(r"(Số[:\s]*)(\d+)", lambda m: f"{m.group(1)}{1000 + i}", text, count=1)
        (folder / f"doc_{i:04d}.txt").write_text(varied if found else f"{text}\n({i})\n", encoding="utf-8")
    return [str(p) for p in sorted(folder.iterdir())]


# --------------------------------------------------------------------------- without a cluster


def test_streamed_paths_come_in_the_order_of_iter_paths(tmp_path):
    for name in ("a/x.txt", "a-b.txt", "a/b/y.docx", "a.txt", "c/.hidden.txt", "c/z.pdf", "c/skip.exe", "ab/q.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    listing = tmp_path / "list.txt"
    listing.write_text(f"{tmp_path / 'c'}\n\n{tmp_path / 'a.txt'}\n")
    assert list(stream_paths([str(tmp_path), str(CORPUS)])) == list(iter_paths([str(tmp_path), str(CORPUS)]))
    assert list(stream_paths([], str(listing))) == [str(tmp_path / "c" / "z.pdf"), str(tmp_path / "a.txt")]


def test_a_file_past_the_time_limit_is_interrupted_in_a_worker_thread():
    start = time.monotonic()
    with pytest.raises(FileTimeLimit):
        with interrupt_after(0.2):
            while True:
                pass
    assert time.monotonic() - start < 5
    with interrupt_after(0.2):  # a block that ends in time is not interrupted later
        pass
    time.sleep(0.4)


class Settled:
    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value

    def done(self):
        return True


class Died:
    def done(self):
        return True

    def result(self):
        import distributed

        raise distributed.KilledWorker("read_batch_on_worker-1", "tcp://127.0.0.1:1", 1)


def test_a_file_whose_worker_died_twice_is_a_failed_record():
    pytest.importorskip("distributed", reason="the dask extra is not installed (pip install 'congvan[dask]')")
    record, = results_of(Task([Job("inbox/a.pdf", "0" * 64, (1, 1))], Died()), client=None, work=Work())
    assert record.kind == "error" and record.error == WORKER_DIED


def test_a_batch_whose_worker_died_is_read_again_one_file_a_task():
    pytest.importorskip("distributed", reason="the dask extra is not installed (pip install 'congvan[dask]')")
    from pipeline.records import Record

    class OneFileATask:
        def __init__(self):
            self.sent = []

        def submit(self, fn, path, ocr, pure):
            self.sent.append(path)
            return Died() if path == "b.pdf" else Settled(Record(source=path, kind="dispatch"))

    client = OneFileATask()
    jobs = [Job(name, str(i) * 64, (1, 1)) for i, name in enumerate(["a.txt", "b.pdf", "c.docx"])]
    records = results_of(Task(jobs, Died()), client, Work())
    assert client.sent == ["a.txt", "b.pdf", "c.docx"]  # each file alone, in order
    assert [r.source for r in records] == ["a.txt", "b.pdf", "c.docx"]
    assert [r.error for r in records] == ["", WORKER_DIED, ""]  # only the poisoned file fails


class RetriedAfterCommitting:
    """A stand-in cluster that runs each task here, at once. The first task of several files runs
    twice, as Dask runs it again when its worker dies: the first attempt commits its files and
    its answer is lost (the worker died just after), the second attempt's answer comes back."""

    def __init__(self):
        self.attempts = []

    def submit(self, fn, files, *args, pure):
        if len(files) > 1 and not self.attempts:
            fn(files, *args)  # committed, then the worker died
        self.attempts.append(len(files))
        return Settled(fn(files, *args))

    def cancel(self, futures):
        pass


def test_a_task_run_again_after_its_worker_died_stores_nothing_twice(tmp_path):
    from sqlalchemy import text

    from pipeline.distributed import ingest_on_cluster

    paths = derived_inbox(tmp_path / "inbox", 40)
    store = open_store(str(tmp_path / "store.db"))
    cluster = RetriedAfterCommitting()
    summary = ingest_on_cluster(iter(paths), store, cluster, received_on=RECEIVED, window=2, batch_files=8,
                                workers_store=True)
    assert cluster.attempts[0] == 8  # the first batch's second attempt found its 8 files stored
    assert summary.stored == len(paths) and not summary.failed and summary.duplicates == 0
    with store.engine.connect() as conn:
        total = conn.execute(text("SELECT COUNT(*), COUNT(DISTINCT sha256) FROM documents")).one()
        numbers = conn.execute(text("SELECT incoming_no FROM documents WHERE incoming_no IS NOT NULL "
                                    "ORDER BY incoming_no")).scalars().all()
    assert tuple(total) == (len(paths), len(paths))  # every document, once
    assert numbers == list(range(1, len(numbers) + 1))  # gap-free
    assert sorted(no for _, no in summary.incoming) == numbers  # the retried files report their số đến too


def test_a_store_the_workers_cannot_open_stops_the_batch(tmp_path):
    """Not a failed record a file: every file would fail the same way."""
    pytest.importorskip("distributed", reason="the dask extra is not installed (pip install 'congvan[dask]')")
    from pipeline.distributed import WorkerStoreFault, store_batch_on_worker

    (tmp_path / "a.txt").write_text("x")
    nowhere = f"sqlite:///{tmp_path}/no/such/folder/store.db"
    with pytest.raises(WorkerStoreFault, match="cannot open the store"):
        store_batch_on_worker([(str(tmp_path / "a.txt"), "0" * 64, (1, 1))], nowhere, RECEIVED)

    class Refused:
        def result(self):
            raise WorkerStoreFault("worker cannot write the store: OperationalError: disk full")

    with pytest.raises(WorkerStoreFault):
        results_of(Task([Job("a.txt", "0" * 64, (1, 1))], Refused()), client=None, work=Work(url=nowhere))


def test_dask_without_the_extra_says_how_to_install_it(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from pipeline.cli import main

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed → ImportError
    (tmp_path / "a.txt").write_text("x")
    result = CliRunner().invoke(main, ["ingest", str(tmp_path), "--db", str(tmp_path / "s.db"), "--dask", "local:1"])
    assert result.exit_code == 1 and "pip install 'congvan[dask]'" in result.output


# --------------------------------------------------------------------------- a local cluster into PostgreSQL


@pytest.fixture
def databases():
    """Two fresh PostgreSQL databases on the test server, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("set CONGVAN_TEST_POSTGRES=postgresql://… (bash .ci/postgres.sh prints one) to run against PostgreSQL")
    pytest.importorskip("distributed", reason="the dask extra is not installed (pip install 'congvan[dask]')")
    from sqlalchemy import create_engine, text

    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    names = [f"congvan_dask_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f"CREATE DATABASE {name}"))
    base = POSTGRES_URL.rsplit("/", 1)[0]
    stores = [open_store(f"{base}/{name}") for name in names]
    yield stores
    for store in stores:
        store.close()
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def comparable(store) -> list[dict]:
    """The export without the moments rows were written."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("created_at", "updated_at")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return [strip(line) for line in store.export_lines()]


def by_hash(store) -> dict[str, dict]:
    """The export keyed by each document's hash, without its row ids and số đến, and a document
    it points at (duplicate_of, a citation's cited_id) named by hash: what must not depend on the
    order in which the documents were stored."""
    docs = comparable(store)
    hash_of = {doc["id"]: doc["sha256"] for doc in docs}

    def named(value):
        if isinstance(value, dict):
            return {k: hash_of.get(v) if k in ("duplicate_of", "cited_id") else named(v)
                    for k, v in value.items() if k not in ("id", "document_id", "incoming_no")}
        if isinstance(value, list):
            return [named(v) for v in value]
        return value

    return {doc["sha256"]: named(doc) for doc in docs}


@pytest.mark.parametrize("who_stores", ["client", "workers"])
def test_a_local_cluster_with_a_worker_killed_midway_stores_every_document_once(tmp_path, databases, who_stores):
    """Stored by the client, the records are those of a one-process ingest, ids and số đến
    included. Stored by the workers (as into PostgreSQL by default), số đến follow the order the
    batches finish in: the same records by hash, and the số đến one gap-free run."""
    from sqlalchemy import text

    from pipeline.distributed import cluster_client, ingest_on_cluster

    single, clustered = databases
    paths = derived_inbox(tmp_path / "inbox", 500)
    ingest(paths, single, received_on=RECEIVED)

    killed = []
    with cluster_client("local:2") as client:
        pids = client.run(os.getpid)

        def kill_one_worker_midway(path, outcome):
            if not killed and len(progress_calls) == 150:
                victim = sorted(pids.values())[0]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
            progress_calls.append(path)

        progress_calls: list[str] = []
        summary = ingest_on_cluster(iter(paths), clustered, client, received_on=RECEIVED,
                                    progress=kill_one_worker_midway, workers_store=who_stores == "workers")
    assert killed and len(progress_calls) == len(paths)
    assert summary.stored == len(paths) and not summary.failed and summary.duplicates == 0

    with clustered.engine.connect() as conn:
        rows = conn.execute(text("SELECT sha256, incoming_no FROM documents WHERE incoming_no IS NOT NULL "
                                 "ORDER BY incoming_no")).all()
        total = conn.execute(text("SELECT COUNT(*), COUNT(DISTINCT sha256) FROM documents")).one()
    assert tuple(total) == (len(paths), len(paths))  # every document, once
    assert [r.incoming_no for r in rows] == list(range(1, len(rows) + 1))  # gap-free
    if who_stores == "client":
        assert comparable(clustered) == comparable(single)  # the same records, ids and số đến as one process
    else:
        assert by_hash(clustered) == by_hash(single)  # the same records, whatever order they went in

    again = ingest_on_cluster(iter(paths), clustered, client=None, received_on=RECEIVED, window=8)  # nothing to schedule
    assert again.duplicates == len(paths) and again.stored == 0


def test_the_command_reads_a_list_file_on_a_local_cluster_and_skips_what_is_stored(tmp_path):
    pytest.importorskip("distributed", reason="the dask extra is not installed (pip install 'congvan[dask]')")
    from click.testing import CliRunner

    from pipeline.cli import main

    paths = derived_inbox(tmp_path / "inbox", 6)
    listing = tmp_path / "files.txt"
    listing.write_text("\n".join(paths[:4]) + "\n")
    db = str(tmp_path / "store.db")
    first = CliRunner().invoke(main, ["ingest", "--from-list", str(listing), "--db", db, "--dask", "local:1"])
    assert first.exit_code == 0, first.output
    assert re.search(r"stored\s+4\b", first.output)
    again = CliRunner().invoke(main, ["ingest", str(tmp_path / "inbox"), "--db", db, "--dask", "local:1"])
    assert re.search(r"stored\s+2\b", again.output) and re.search(r"already in store\s+4\b", again.output)
    assert open_store(db).documents()[-1]["incoming_no"] == 6
