"""Run the stages over files: read → extract, one record per file, failures kept as records.

A batch never stops on a bad file: its record carries `error` with the reader's one-line
reason and every other file still goes through.
"""
from __future__ import annotations

import gc
import os
import signal
import threading
import time
from collections import deque
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Iterable, Iterator

from .read import SUPPORTED
from .records import Note, ReadError, Record, ScannedLine


def iter_paths(inputs: Iterable[str]) -> Iterator[str]:
    """Files named directly, and the supported files under named directories, sorted."""
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in SUPPORTED and not child.name.startswith((".", "~$")):
                    yield str(child)
        else:
            yield str(path)


class FileTimeLimit(BaseException):
    """Raised in the middle of a file past [limits] seconds_per_file (a BaseException, so that no
    reader's `except Exception` swallows it)."""


@contextmanager
def time_limit(seconds: float):
    """Interrupt the block after `seconds` (SIGALRM: the main thread of a Unix process, i.e. a
    worker, or the CLI with -j 1); elsewhere (a web request's thread) no limit is set."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return

    def expire(_signum, _frame):
        raise FileTimeLimit()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def process_file(path: str, ocr: str = "auto", jobs: int = 1) -> Record:
    """The record of one file; `ocr` as in ``read``; jobs > 1 OCRs its pages in parallel.

    Never raises for a bad file: a ReadError, a bug in a reader or in extraction, running out
    of memory or past [limits] seconds_per_file all become a record with `error` set.
    """
    from .limits import limits

    lim = limits()
    try:
        with time_limit(lim.seconds_per_file):
            record = _process(path, ocr, jobs)
            if str(path).lower().endswith(".pdf"):  # signatures.py (pyHanko) is loaded only for a PDF
                from .signatures import check_file_signatures

                check_file_signatures(record, path, lim.file_mb)
            return record
    except FileTimeLimit:
        return Record.failed(path, Note("time-limit", **lim.over("reading took too long", "seconds_per_file")))
    except MemoryError:
        return Record.failed(path, Note("out-of-memory"))


def _process(path: str, ocr: str, jobs: int) -> Record:
    from . import read as read_mod
    from .extract import extract

    try:
        source = read_mod.read(path, ocr=ocr, jobs=jobs)
    except ReadError as err:
        return Record.failed(path, err.note)
    except (FileTimeLimit, MemoryError):
        raise
    except Exception as err:  # a reader's bug must not sink the batch either
        return Record.failed(path, Note("read-failed", "", f"{type(err).__name__}: {str(err)[:120]}"))
    try:
        record = extract(source)
    except Exception as err:  # a bug in extraction must not sink the batch
        return Record.failed(path, Note("extraction-failed", "", f"{type(err).__name__}: {err}"))
    flag_low_confidence(record, source)
    if getattr(source, "edxml", None) is not None:  # an edXML package: its declared metadata outranks the text
        from .edxml import apply_package

        apply_package(record, source)
    if getattr(source, "signatures", None):  # only a signed PDF has them: a text file never loads the PDF reader
        from .read.pdf import date_from_signature

        date_from_signature(record, source)  # a signed PDF whose date the text leaves blank
    return record


def flag_low_confidence(record: Record, source) -> None:
    """Warn about key fields (number, date, issuer, signer) that OCR read with low confidence."""
    if any(isinstance(line, ScannedLine) for line in source.lines):
        from .confidence import field_confidences, flag_unsure_fields, warnings_for
        from .read.reread import reread_signer_name

        reread_signer_name(record, source)  # before the flags: a re-read name is flagged as such
        confidences = field_confidences(record, source.lines)
        record.confidence = {name: round(conf) for name, conf in confidences.items()}
        record.warnings += warnings_for(confidences)
        flag_unsure_fields(record, source.lines)  # every field OCR read unsurely goes to review


DIED = Note("worker-died")  # killed (out of memory) or a crash in a native library
WORKER_DIED = DIED.text  # its English, which callers not yet on the codes still write and compare


def process_many(paths: list[str], jobs: int = 1, ocr: str = "auto") -> Iterator[Record]:
    """Records in input order; with jobs > 1 the files are spread over worker processes.

    At most a few files per worker are in flight, so memory stays flat however long the batch.
    A single file gets the workers for its pages instead (a long scan is OCR'd page-parallel).
    A worker that dies (the OOM killer, a native crash) breaks the pool: the file at the head
    is then read again alone in a fresh worker — if that one dies too, the file's record says
    so — and the files that were in flight go to a fresh pool. Workers exit when this process
    goes.
    """
    with fewer_collections():
        yield from _records(paths, jobs, ocr)


# Python's cyclic garbage collector looks at its young objects every 700 allocations. Reading a
# PDF makes millions of short-lived objects (pdfminer's tokens and layout objects) that reference
# counting frees at once, so those collections find nothing: they were 8-15 % of a text PDF's
# reading time (pdfplumber's extract_words alone, 14 corpus PDFs: 1.06-1.24 s -> 0.97 s). A batch
# looks every YOUNG allocations instead; what is in cycles is still collected, a little later.
YOUNG = 50_000


@contextmanager
def fewer_collections():
    """The young generation collected every YOUNG allocations for the block, as before after it."""
    before = collect_young_less_often()
    try:
        yield
    finally:
        gc.set_threshold(*before)


def collect_young_less_often() -> tuple[int, int, int]:
    """The young generation collected every YOUNG allocations (at least); returns the thresholds before."""
    before = gc.get_threshold()
    gc.set_threshold(max(YOUNG, before[0]), *before[1:])
    return before


def _records(paths: list[str], jobs: int, ocr: str) -> Iterator[Record]:
    if jobs <= 1 or len(paths) < 2:
        for path in paths:
            yield process_file(path, ocr=ocr, jobs=jobs)
        return
    from concurrent.futures.process import BrokenProcessPool  # only a batch with workers pays for multiprocessing

    window = jobs * 8
    task = partial(process_file, ocr=ocr)
    waiting: deque = deque(paths)
    pending: deque = deque()  # (path, future)
    pool = _pool(jobs)
    try:
        while waiting or pending:
            while waiting and len(pending) < window:
                path = waiting.popleft()
                try:
                    future = pool.submit(task, path)
                except BrokenProcessPool:  # a worker died since the last hand-out: the head is checked below
                    waiting.appendleft(path)
                    break
                pending.append((path, future))
            if not pending:  # the pool broke before anything was in flight
                pool.shutdown(wait=False, cancel_futures=True)
                pool = _pool(jobs)
                continue
            path, future = pending.popleft()
            try:
                record = future.result()
            except BrokenProcessPool:
                pool.shutdown(wait=False, cancel_futures=True)
                waiting.extendleft(reversed([p for p, _ in pending]))
                pending.clear()
                record = _alone(task, path)
                pool = _pool(jobs)
            except Exception as err:  # e.g. a record that could not be sent back
                record = Record.failed(path, Note("worker-failed", "", f"{type(err).__name__}: {err}"))
            yield record
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _alone(task, path: str) -> Record:
    """Read one file in a worker of its own: its record, or a failed one when the worker dies."""
    from concurrent.futures.process import BrokenProcessPool

    pool = _pool(1)
    try:
        return pool.submit(task, path).result()
    except BrokenProcessPool:
        return Record.failed(path, DIED)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _pool(jobs: int):
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(os.getpid(),))


def _init_worker(parent: int) -> None:
    # Tesseract's OpenMP threads would compete with the other workers for the same cores.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    collect_young_less_often()  # for the worker's life (see YOUNG)
    _exit_with_parent(parent)


def _exit_with_parent(parent: int) -> None:
    """End this worker when the batch that started it is gone (killed with -9, the terminal closed)."""
    try:  # Linux: the kernel sends SIGKILL the moment the parent dies
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass

    def watch() -> None:  # everywhere else (and if the parent died before prctl): poll
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
