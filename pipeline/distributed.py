"""The clerk's batch on a Dask cluster: `congvan ingest INBOX --dask tcp://SCHEDULER:8786` (or `local:N`).

The workers read and extract (and OCR). This process hashes each file and schedules only what
the store does not hold. Who stores depends on the store:

- a server (PostgreSQL): each worker stores its own files, through the same `Store.add_many` /
  `Store.add` as the one-machine ingest, on a store it opens once per process from the URL this
  process hands it, and sends back a few numbers a file (`Outcome`). Storing then scales with the
  workers instead of queueing in one client; số đến follow the order in which files are stored;
- a file (SQLite, one writer): the workers send the records back and this process stores them,
  one transaction a document, in input order, so số đến follow the input list.

Either way:

- exactly once: a file whose SHA-256 is stored is never scheduled; a task run again after its
  worker died finds what its first attempt committed and stores nothing twice (the store's UNIQUE
  hash and its "already stored: return the row" path), and a transaction the dead worker left
  open is rolled back by the server;
- số đến are gap-free per year (PostgreSQL takes them under a per-year lock);
- at most `window` tasks are in flight and paths are read as a stream, so this process's memory
  does not grow with the batch;
- a file that kills its worker twice, or runs past [limits] seconds_per_file, is a failed record
  (stored by this process when its worker could not).

A task reads several small files (about half a second of expected work, `BATCH_SECONDS`): a Dask task
costs the scheduler and the client a few milliseconds, as much as reading a short text document.
A batch that fails (its worker died twice, or its results could not come back) is sent again one
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

from .ingest import UNSETTLED, Summary, count, file_state, same_state, sha256_of, short, store_each, store_one
from .process import DIED, FileTimeLimit, process_file
from .read import SUPPORTED
from .records import Note, Record
from .store import Store, Stored, open_store

MISSING = ("--dask cần gói dask: pip install 'congvan[dask]' "
           "(--dask needs the optional dask extra: pip install 'congvan[dask]')")


class DaskMissing(RuntimeError):
    pass


class ClusterError(RuntimeError):
    pass


class WorkerStoreFault(ClusterError):
    """A worker could not open or write the store (unreachable, login refused, disk full): the
    batch stops, as a fault of the store stops it on one machine."""


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


# --------------------------------------------------------------------------- storing on a worker


@dataclass(frozen=True)
class Outcome:
    """What a worker that stored a file sends back: a few numbers, not the record."""
    sha: str
    error: str = ""  # why the file could not be read ('' when it was)
    id: int | None = None
    status: str = ""
    incoming_no: int | None = None
    duplicate_of: int | None = None
    settled: bool = True  # False: the file changed between hashing and reading; not stored

    def stored(self) -> Stored:
        # Always "new": every file was checked unstored before it was scheduled, so a row found
        # there is this run's (a first attempt whose worker died after committing).
        return Stored(self.id, self.status, self.incoming_no, self.duplicate_of)


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def worker_store(url: str) -> Store:
    """The store at `url`, opened once per worker process: later tasks reuse its connection pool."""
    with _stores_lock:
        if url not in _stores:
            _stores[url] = open_store(url)
        return _stores[url]


def store_batch_on_worker(files: list[tuple[str, str, tuple[int, int]]], url: str, received_on: date,
                          ocr: str = "auto") -> list[Outcome]:
    """A task: read a few files (path, sha, size and mtime when hashed) and store them from here."""
    try:
        store = worker_store(url)  # before reading: a store out of reach stops the batch at once
    except Exception as err:
        raise WorkerStoreFault(f"worker cannot open the store: {type(err).__name__}: {short(err)}") from None
    read = []
    for path, sha, state in files:
        record = read_on_worker(path, ocr)
        read.append((path, sha, record if same_state(path, state) else None))  # changed while read: next run
    try:
        return store_read(store, read, received_on)
    except Exception as err:  # only faults of the store get here (store_one keeps the record's own)
        raise WorkerStoreFault(f"worker cannot write the store: {type(err).__name__}: {short(err)}") from None


def store_read(store: Store, read: list[tuple[str, str, Record | None]], received_on: date) -> list[Outcome]:
    """Store the records of a task in one transaction; when that fails, each on its own, so a
    record the store refuses fails alone (as `ingest` does on one machine)."""
    outcomes = []
    for _path, sha, record, stored in store_each(read, store, received_on):
        if record is None:
            outcomes.append(Outcome(sha, settled=False))
        else:
            outcomes.append(Outcome(sha, record.error, stored.id, stored.status, stored.incoming_no, stored.duplicate_of))
    return outcomes


# --------------------------------------------------------------------------- the client's loop


@dataclass
class Job:
    """One file handed to the cluster, and what the client knew of it before."""
    path: str
    sha: str
    state: tuple[int, int]


@dataclass(eq=False)
class Task:
    """One Dask task: the files it reads, in input order."""
    jobs: list[Job]
    future: object


@dataclass(frozen=True)
class Work:
    """What a task does with its files: read them for this process to store, or (`url` set) store
    them on its worker too, into the store at `url` with `received_on` as ngày đến."""
    ocr: str = "auto"
    url: str | None = None
    received_on: date | None = None


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
                      batch_files: int = BATCH_FILES, workers_store: bool | None = None) -> Summary:
    """Store every file, read on the cluster's workers; `progress(path, outcome)` once per file.

    Files go to the workers in tasks of a few (`batch_seconds` of expected work, at most
    `batch_files`; `batch_files=1`: one file a task), at most `window` tasks in flight.
    `workers_store` (default: when the store is PostgreSQL) has each worker store its own files,
    taken as they finish; otherwise this process stores them in input order.
    On KeyboardInterrupt the futures in flight are cancelled and the interrupt goes on up:
    every document stored so far is complete, and the same command finishes the rest.
    """
    from time import time

    summary = Summary(incoming=Tally(), others=Tally())
    window = window or 4 * worker_threads(client)
    in_order = not (store.postgres if workers_store is None else workers_store)
    work = Work(ocr) if in_order else Work(ocr, store_url(store), received_on)
    in_flight: deque[Task] = deque()
    flying: set[str] = set()  # the hashes in flight or in the batch being filled
    batch: list[Job] = []
    cost = 0.0

    def send() -> None:
        nonlocal batch, cost
        in_flight.append(submit(client, batch, work))
        batch, cost = [], 0.0
        while len(in_flight) >= window:
            settle_task(finished(in_flight, in_order), client, store, summary, received_on, progress, work, flying)

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
            settle_task(finished(in_flight, in_order), client, store, summary, received_on, progress, work, flying)
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
    if sha in flying or store.holds(sha):
        summary.duplicates += 1
        return None
    return Job(path, sha, state)


def store_url(store: Store) -> str:
    """The URL a worker opens the store with (its password included: the workers log in too)."""
    return store.url


def submit(client, jobs: list[Job], work: Work) -> Task:
    if work.url:  # ngày đến is the client's today, whatever the workers' clocks say
        files = [(job.path, job.sha, job.state) for job in jobs]
        return Task(jobs, client.submit(store_batch_on_worker, files, work.url, work.received_on or date.today(),
                                        work.ocr, pure=False))
    if len(jobs) == 1:
        return Task(jobs, client.submit(read_on_worker, jobs[0].path, work.ocr, pure=False))
    return Task(jobs, client.submit(read_batch_on_worker, [job.path for job in jobs], work.ocr, pure=False))


def finished(in_flight: deque[Task], in_order: bool) -> Task:
    """The next task to settle: the oldest when results are stored in input order, else any that
    is done (a slow scan then holds up nothing)."""
    if in_order:
        return in_flight.popleft()
    done = next((task for task in in_flight if task.future.done()), None)
    if done is None:
        from distributed import wait

        wait([task.future for task in in_flight], return_when="FIRST_COMPLETED")
        done = next(task for task in in_flight if task.future.done())
    in_flight.remove(done)
    return done


def settle_task(task: Task, client, store: Store, summary: Summary, received_on: date | None, progress, work: Work,
                flying: set[str]) -> None:
    """Count a finished task's files; store here those a worker did not (all of them when the
    client stores, else the failed ones)."""
    results = results_of(task, client, work)
    task.future = None  # the results can go as soon as they are stored
    for job, result in zip(task.jobs, results):
        flying.discard(job.sha)
        if isinstance(result, Outcome):
            settle_outcome(job, result, summary, progress)
            continue
        record = result
        if not same_state(job.path, job.state):  # changed while it was hashed and read: next run
            summary.failed.append((job.path, UNSETTLED))
            _call(progress, job.path, None)
            continue
        record, outcome = store_one(record, job.sha, job.path, store, received_on)
        count(summary, job.path, record.error, outcome)
        _call(progress, job.path, outcome)


def settle_outcome(job: Job, outcome: Outcome, summary: Summary, progress) -> None:
    if not outcome.settled:
        summary.failed.append((job.path, UNSETTLED))
        _call(progress, job.path, None)
        return
    stored = outcome.stored()
    count(summary, job.path, outcome.error, stored)
    _call(progress, job.path, stored)


def results_of(task: Task, client, work: Work) -> list[Record | Outcome]:
    """The task's results, one a file: records, or the outcomes of the files its worker stored.
    A batch that failed is sent again one file a task (its files in parallel), so only the file
    that kills its worker twice becomes a failed record (for this process to store)."""
    from distributed import KilledWorker

    try:
        results = task.future.result()
        return results if work.url or len(task.jobs) > 1 else [results]
    except (KeyboardInterrupt, OSError, WorkerStoreFault):  # OSError: the scheduler is gone; the rest is for the rerun
        raise
    except Exception as err:
        if len(task.jobs) == 1:
            return [failed_record(task.jobs[0].path, err, KilledWorker)]
    singles = [submit(client, [job], work) for job in task.jobs]
    try:
        return [results_of(single, client, work)[0] for single in singles]
    except BaseException:
        client.cancel([single.future for single in singles])
        raise


def failed_record(path: str, err: Exception, killed: type) -> Record:
    """A worker that died with the file twice, or a task that failed (e.g. a record that could not be sent back)."""
    if isinstance(err, killed):
        return Record.failed(path, DIED)
    return Record.failed(path, Note("worker-failed", "", f"{type(err).__name__}: {short(err)}"))


def _call(progress, path, outcome) -> None:
    if progress:
        progress(path, outcome)
