"""The clerk's batch on a Dask cluster: `congvan ingest INBOX --dask tcp://SCHEDULER:8786` (or `local:N`).

The workers read and extract (and OCR); this process hashes, skips what is stored, and writes
every record through the same `Store.add` as the one-machine ingest, one transaction a
document, in input order. So:

- exactly once: a file whose SHA-256 is stored is never scheduled, and a task retried after its
  worker died still hands back one result, stored once (the store refuses a second row of a hash);
- số đến are gap-free and follow the input order (PostgreSQL takes them under a per-year lock);
- at most `window` tasks are in flight and paths are read as a stream, so this process's memory
  does not grow with the batch;
- a file that kills its worker twice, or runs past [limits] seconds_per_file, is a failed record.

A task reads several small files (about half a second of expected work, `BATCH_SECONDS`): a Dask task
costs the scheduler and the client a few milliseconds, as much as reading a short text document.
A batch that fails (its worker died twice, or its records could not come back) is read again one
file per task, so the poisoned file alone becomes the failed record.

Dask is an optional extra (`pip install 'congvan[dask]'`), imported only here.
"""
from __future__ import annotations

import ctypes
import os
import threading
from collections import deque
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .ingest import UNSETTLED, Summary, count, file_state, record_problem, same_state, sha256_of, short
from .process import DIED, FileTimeLimit, process_file
from .read import SUPPORTED
from .records import Note, Record
from .store import Store, Stored

MISSING = ("--dask cần gói dask: pip install 'congvan[dask]' "
           "(--dask needs the optional dask extra: pip install 'congvan[dask]')")


class DaskMissing(RuntimeError):
    pass


class ClusterError(RuntimeError):
    pass


# --------------------------------------------------------------------------- inputs, streamed


def stream_paths(inputs: Iterable[str], list_file: str | None = None) -> Iterator[str]:
    """The named files and folders, then those a list file names (one path a line), lazily.

    A folder is walked one directory at a time, in the same order as `process.iter_paths`
    (the sorted full paths), so a million files are never one listing in memory.
    """
    for name in inputs:
        yield from expand(name)
    if list_file:
        for name in listed(list_file):
            yield from expand(name)


def listed(list_file: str) -> Iterator[str]:
    """Non-empty lines of a list file ("-": standard input); a name that is not UTF-8 kept as os.fsdecode keeps it."""
    import sys

    fh = sys.stdin if list_file == "-" else open(list_file, encoding="utf-8", errors="surrogateescape")
    with fh if list_file != "-" else nullcontext(fh):
        for line in fh:
            name = line.rstrip("\r\n")
            if name.strip():
                yield name


def expand(name: str) -> Iterator[str]:
    if os.path.isdir(name):
        yield from walk_sorted(name)
    else:
        yield name


def walk_sorted(folder: str) -> Iterator[str]:
    """Supported files under `folder`, depth first, each directory's names sorted: the order of
    sorting every Path (component by component), which is what `iter_paths` does."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    entries.sort(key=lambda entry: entry.name)
    for entry in entries:
        if entry.is_dir():
            yield from walk_sorted(entry.path)
        elif entry.is_file() and Path(entry.name).suffix.lower() in SUPPORTED and not entry.name.startswith((".", "~$")):
            yield entry.path


def count_paths(inputs: Iterable[str], list_file: str | None = None) -> int:
    """How many paths `stream_paths` will give, for the progress bar: one more streaming pass;
    a list file's lines count one each (a stat a line would cost minutes on a network share)."""
    return sum(1 for _ in stream_paths(inputs)) + (sum(1 for _ in listed(list_file)) if list_file else 0)


# --------------------------------------------------------------------------- the cluster


@contextmanager
def cluster_client(address: str):
    """A dask.distributed Client: `local:N` starts N single-threaded worker processes here,
    anything else is a scheduler's address (tcp://host:8786)."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise DaskMissing(MISSING) from None
    # A task whose worker dies is tried once more elsewhere; dying twice makes it a failed record
    # instead of killing worker after worker (on a remote cluster set it on the scheduler too).
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        if address.startswith("local:"):
            workers = local_workers(address)
            import logging

            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                              silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
                yield client
        else:
            try:
                client = Client(address, timeout="30s")
            except (OSError, TimeoutError) as err:
                raise ClusterError(f"không kết nối được Dask scheduler {address} "
                                   f"(cannot reach the Dask scheduler at {address}: {err})") from None
            with client:
                yield client


def local_workers(address: str) -> int:
    try:
        workers = int(address.split(":", 1)[1])
    except ValueError:
        workers = 0
    if workers < 1:
        raise ValueError(f"--dask {address!r}: use local:N with N ≥ 1, or tcp://HOST:8786")
    return workers


def worker_threads(client) -> int:
    return sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()) or 1


# --------------------------------------------------------------------------- on a worker


def read_batch_on_worker(paths: list[str], ocr: str = "auto") -> list[Record]:
    """A task: the records of a few files, one after another, each within its own time limit."""
    return [read_on_worker(path, ocr) for path in paths]


def read_on_worker(path: str, ocr: str = "auto") -> Record:
    """A task: the record of one file, as `process_file` makes it, within [limits] seconds_per_file.

    A task runs in a worker's thread, where SIGALRM cannot reach it: the time limit is raised in
    the thread instead (between two Python steps; a hung native call is for the nanny's limits).
    """
    from .limits import limits

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # Tesseract's threads would fight the other workers
    lim = limits()
    try:
        with interrupt_after(lim.seconds_per_file):
            return process_file(path, ocr=ocr)
    except FileTimeLimit:  # fired just as process_file returned
        return Record.failed(path, Note("time-limit", **lim.over("reading took too long", "seconds_per_file")))


@contextmanager
def interrupt_after(seconds: float):
    """Raise FileTimeLimit in this thread after `seconds`, unless the block has ended."""
    if seconds <= 0:
        yield
        return
    target = threading.get_ident()
    done = threading.Event()

    def expire() -> None:
        if not done.wait(seconds):
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(FileTimeLimit))

    timer = threading.Thread(target=expire, name="congvan-time-limit", daemon=True)
    timer.start()
    try:
        yield
    finally:
        done.set()
        timer.join()  # after this no late exception can land outside the caller's handler


# --------------------------------------------------------------------------- the client's loop


@dataclass
class Job:
    """One file handed to the cluster, and what the client knew of it before."""
    path: str
    sha: str
    state: tuple[int, int]


@dataclass
class Task:
    """One Dask task: the files it reads, in input order."""
    jobs: list[Job]
    future: object


class Tally:
    """A list that only counts (and keeps the last few): the summary of a million files stays small."""

    def __init__(self, keep: int = 100):
        self.n = 0
        self.last: deque = deque(maxlen=keep)

    def append(self, item) -> None:
        self.n += 1
        self.last.append(item)

    def __len__(self) -> int:
        return self.n

    def __iter__(self):
        return iter(self.last)


# Expected seconds of work a file, by kind (bench/dask_speed.py --costs: a text file a few ms, a DOCX
# ~30 ms, a text PDF ~120 ms; a scan is a PDF too and costs seconds a page, which only makes its
# batch longer). A task takes files until about half a second of work, or BATCH_FILES files.
COST = {".pdf": 0.12, ".docx": 0.03, ".doc": 0.03, ".png": 2.0, ".jpg": 2.0, ".jpeg": 2.0, ".tif": 2.0,
        ".tiff": 2.0}
TEXT_COST = 0.01
BATCH_SECONDS = 0.5
BATCH_FILES = 32


def expected_seconds(path: str) -> float:
    return COST.get(Path(path).suffix.lower(), TEXT_COST)


def ingest_on_cluster(paths: Iterable[str], store: Store, client, received_on: date | None = None,
                      progress: Callable[[str, Stored | None], None] | None = None, ocr: str = "auto",
                      settle: float = 0.0, window: int | None = None, batch_seconds: float = BATCH_SECONDS,
                      batch_files: int = BATCH_FILES) -> Summary:
    """Store every file, read on the cluster's workers; `progress(path, outcome)` once per file.

    Files go to the workers in tasks of a few (`batch_seconds` of expected work, at most
    `batch_files`; `batch_files=1`: one file a task), at most `window` tasks in flight.
    On KeyboardInterrupt the futures in flight are cancelled and the interrupt goes on up:
    every document stored so far is complete, and the same command finishes the rest.
    """
    from time import time

    summary = Summary(incoming=Tally(), others=Tally())
    window = window or 4 * worker_threads(client)
    in_flight: deque[Task] = deque()
    flying: set[str] = set()  # the hashes in flight or in the batch being filled
    batch: list[Job] = []
    cost = 0.0

    def send() -> None:
        nonlocal batch, cost
        in_flight.append(submit(client, batch, ocr))
        batch, cost = [], 0.0
        while len(in_flight) >= window:
            store_task(in_flight.popleft(), client, store, summary, received_on, progress, ocr, flying)

    try:
        for path in paths:
            job = prepare(path, store, summary, flying, settle, time())
            if job is None:
                _call(progress, path, None)
                continue
            flying.add(job.sha)
            batch.append(job)
            cost += expected_seconds(path)
            if cost >= batch_seconds or len(batch) >= batch_files:
                send()
        if batch:
            send()
        while in_flight:
            store_task(in_flight.popleft(), client, store, summary, received_on, progress, ocr, flying)
    except BaseException:
        if client is not None:
            client.cancel([task.future for task in in_flight if task.future is not None])
        raise
    return summary


def prepare(path: str, store: Store, summary: Summary, flying: set[str], settle: float, now: float) -> Job | None:
    """Hash `path`; None (counted in `summary`) when it is not to be read."""
    try:
        state = file_state(path)
        if settle and now - state[1] / 1e9 < settle:
            summary.failed.append((path, UNSETTLED))
            return None
        sha = sha256_of(path)
    except OSError as err:
        summary.failed.append((path, f"cannot open: {err.strerror or err}"))
        return None
    if sha in flying or already_stored(store, sha):
        summary.duplicates += 1
        return None
    return Job(path, sha, state)


def submit(client, jobs: list[Job], ocr: str) -> Task:
    if len(jobs) == 1:
        return Task(jobs, client.submit(read_on_worker, jobs[0].path, ocr, pure=False))
    return Task(jobs, client.submit(read_batch_on_worker, [job.path for job in jobs], ocr, pure=False))


def already_stored(store: Store, sha: str) -> bool:
    """Stored and not failed (a failed file is read again, as in the one-machine ingest)."""
    from sqlalchemy import text

    with store.engine.connect() as conn:
        status = conn.execute(text("SELECT status FROM documents WHERE sha256 = :s"), {"s": sha}).scalar()
    return status is not None and status != "failed"


def store_task(task: Task, client, store: Store, summary: Summary, received_on: date | None, progress, ocr: str,
               flying: set[str]) -> None:
    records = records_of(task, client, ocr)
    task.future = None  # the results can go as soon as they are stored
    for job, record in zip(task.jobs, records):
        flying.discard(job.sha)
        if not same_state(job.path, job.state):  # changed while it was hashed and read: next run
            summary.failed.append((job.path, UNSETTLED))
            _call(progress, job.path, None)
            continue
        record, outcome = store_record(store, record, job.sha, job.path, received_on)
        count(summary, job.path, record.error, outcome)
        _call(progress, job.path, outcome)


def records_of(task: Task, client, ocr: str) -> list[Record]:
    """The task's records, one a file. A batch that failed is read again one file a task (its
    files in parallel), so only the file that kills its worker twice becomes a failed record."""
    from distributed import KilledWorker

    try:
        records = task.future.result()
        return records if len(task.jobs) > 1 else [records]
    except (KeyboardInterrupt, OSError):  # OSError: the scheduler is gone; stop, the rest is for the rerun
        raise
    except Exception as err:
        if len(task.jobs) == 1:
            return [failed_record(task.jobs[0].path, err, KilledWorker)]
    singles = [submit(client, [job], ocr) for job in task.jobs]
    try:
        return [records_of(single, client, ocr)[0] for single in singles]
    except BaseException:
        client.cancel([single.future for single in singles])
        raise


def failed_record(path: str, err: Exception, killed: type) -> Record:
    """A worker that died with the file twice, or a task that failed (e.g. a record that could not be sent back)."""
    if isinstance(err, killed):
        return Record.failed(path, DIED)
    return Record.failed(path, Note("worker-failed", "", f"{type(err).__name__}: {short(err)}"))


def store_record(store: Store, record: Record, sha: str, path: str, received_on: date | None) -> tuple[Record, Stored]:
    """As the one-machine ingest: a value the database refuses makes the file a failed record;
    a fault of the store itself stops the batch."""
    try:
        return record, store.add(record, sha, Path(path).name, received_on)
    except Exception as err:
        if not record_problem(err):
            raise
        record = Record.failed(record.source, Note("not-stored", "", short(err)))
        return record, store.add(record, sha, Path(path).name, received_on)


def _call(progress, path, outcome) -> None:
    if progress:
        progress(path, outcome)
