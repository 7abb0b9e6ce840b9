"""The clerk's batch: hash, extract and store every file of an inbox, and count what happened.

Files already in the store (same SHA-256) are skipped before any parsing, so a rerun after an
interruption only does the work that is left. Extraction runs in worker processes; writes
happen here, in input order, a few documents per transaction (`BATCH`, at most `BATCH_WAIT`
seconds of reading): each document is whole or absent whatever stops the run.
"""
from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .process import process_many
from .records import Note, Record
from .store import Store, Stored


@dataclass
class Summary:
    stored: int = 0
    duplicates: int = 0  # the same file (SHA-256) again
    possible_duplicates: list[tuple[str, int]] = field(default_factory=list)  # (file, id of the earlier record)
    needs_review: int = 0
    others: list[str] = field(default_factory=list)  # not administrative documents
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    incoming: list[tuple[str, int]] = field(default_factory=list)  # (file, số đến)

    @property
    def total(self) -> int:
        return self.stored + self.duplicates + len(self.failed)


def sha256_of(path: str) -> str:
    """The file's SHA-256; OSError for what is not a regular file (a FIFO would block, a device never end)."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(errno.EINVAL, "not a regular file (a pipe, device or socket)")
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# A file still being copied into the inbox (D20) is left for the next run rather than stored
# truncated under a số đến of its own: one that changes while it is read always, and with `settle`
# (`congvan ingest --settle 5`, for a scheduled run over a shared folder) one written too recently.
UNSETTLED = "still being written (changed in the last seconds or while it was read): left for the next run"

# Records read are written together, in one transaction, up to BATCH of them or once the first
# has waited BATCH_WAIT seconds for the others (checked as each one arrives): one commit and one
# full-text segment per batch instead of per document. A record that took BATCH_WAIT or more to
# read (a scan being OCR'd) is written at once, without waiting for the next. A crash loses at
# most the batch not yet written, which the next run reads again.
BATCH, BATCH_WAIT = 32, 1.0


def file_state(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_size, info.st_mtime_ns


def ingest(paths: Iterable[str], store: Store, jobs: int = 1, received_on: date | None = None,
           progress: Callable[[str, Stored | None], None] | None = None, ocr: str = "auto",
           reader: Callable[[list[str]], Iterable[Record]] | None = None, settle: float = 0.0) -> Summary:
    """Store every file; `progress(path, outcome)` is called once per file (outcome None: skipped).

    `ocr` ("auto", "always", "never") decides when scans are OCR'd, as in ``read``.
    The store's writer lock is taken by each write only, never while a file is read or OCR'd;
    `reader` replaces how files become records (the web page's worker reads each in a child
    process it can stop). A file changed less than `settle` seconds
    ago, or while it was read, is not stored: it is reported and read again on the next run.
    """
    summary = Summary()
    known = store.known_hashes()
    todo: list[tuple[str, str]] = []
    seen: set[str] = set()
    states: dict[str, tuple[int, int]] = {}
    for path in paths:
        try:
            states[path] = file_state(path)
            if settle and time.time() - states[path][1] / 1e9 < settle:
                summary.failed.append((path, UNSETTLED))
                _call(progress, path, None)
                continue
            sha = sha256_of(path)
        except OSError as err:
            summary.failed.append((path, f"cannot open: {err.strerror or err}"))
            _call(progress, path, None)
            continue
        if sha in seen or (sha in known and known[sha][1] != "failed"):
            summary.duplicates += 1
            _call(progress, path, None)
            continue
        seen.add(sha)
        todo.append((path, sha))
    paths_todo = [p for p, _ in todo]
    records = reader(paths_todo) if reader else process_many(paths_todo, jobs=jobs, ocr=ocr)
    pending: list[tuple[str, str, Record | None]] = []  # (path, sha, record; None: changed while read)
    since = last = time.monotonic()
    for (path, sha), record in zip(todo, records):
        arrived = time.monotonic()
        if not pending:
            since = arrived
        # (a file that grew or changed while it was hashed and read is not stored)
        pending.append((path, sha, record if same_state(path, states[path]) else None))
        slow, last = arrived - last >= BATCH_WAIT, arrived
        if slow or len(pending) >= BATCH or arrived - since >= BATCH_WAIT:
            _store_batch(pending, store, received_on, summary, progress)
            pending = []
    _store_batch(pending, store, received_on, summary, progress)
    return summary


def _store_batch(pending: list[tuple[str, str, Record | None]], store: Store, received_on: date | None,
                 summary: Summary, progress) -> None:
    for path, _sha, record, outcome in store_each(pending, store, received_on):
        if record is None:
            summary.failed.append((path, UNSETTLED))
            _call(progress, path, None)
            continue
        count(summary, path, record.error, outcome)
        _call(progress, path, outcome)


def store_each(pending: list[tuple[str, str, Record | None]], store: Store, received_on: date | None
               ) -> Iterator[tuple[str, str, Record | None, Stored | None]]:
    """Write the records read, in one transaction when they go in together; when that fails, each
    is written on its own (`store_one`), as if there were no batch: a record the store refuses
    fails alone, and a fault of the store (a full disk) stops the run after the last one that fit.
    Yields (path, sha, record, outcome) in order; a file changed while read (record None) is not
    written. The one-machine ingest and the cluster's workers both store through here."""
    batch = [(record, sha, Path(path).name, received_on) for path, sha, record in pending if record is not None]
    outcomes = None
    if len(batch) > 1:
        try:
            outcomes = iter(store.add_many(batch))
        except Exception:  # nothing of the batch is stored: one by one, each says what stopped it
            pass
    for path, sha, record in pending:
        if record is None:
            yield path, sha, None, None
        elif outcomes is not None:
            yield path, sha, record, next(outcomes)
        else:
            yield (path, sha, *store_one(record, sha, path, store, received_on))


def store_one(record: Record, sha: str, path: str, store: Store, received_on: date | None) -> tuple[Record, Stored]:
    """A value the database refuses makes the file a failed record; a fault of the store itself
    (disk full, damaged, unreachable) is raised: stop, nothing is half-written."""
    try:
        return record, store.add(record, sha, Path(path).name, received_on)
    except Exception as err:
        if not record_problem(err):
            raise
        record = Record.failed(record.source, Note("not-stored", "", short(err)))
        return record, store.add(record, sha, Path(path).name, received_on)


def same_state(path: str, before: tuple[int, int]) -> bool:
    try:
        return file_state(path) == before
    except OSError:
        return False


def record_problem(err: Exception) -> bool:
    """True when storing failed because of this record's values (the database refused one of
    them, or a value could not be bound), not because of the store: the file is then recorded
    as failed and the batch goes on. Faults of the store itself (disk full, damaged, locked,
    unreachable) are not: they stop the batch with one line."""
    from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

    if isinstance(err, (DataError, IntegrityError)):
        return True
    return not isinstance(err, DBAPIError)


def short(err: Exception) -> str:
    text = str(getattr(err, "orig", None) or err).strip()
    return (text.splitlines()[0] if text else type(err).__name__)[:160]


def count(summary: Summary, path: str, error: str, outcome: Stored) -> None:
    if not outcome.new:  # another process (a second ingest, the web page) stored the same file first
        summary.duplicates += 1
        return
    if outcome.status == "failed":
        summary.failed.append((path, error))
        return
    summary.stored += 1
    if outcome.status == "other":
        summary.others.append(path)
    if outcome.status == "needs_review":
        summary.needs_review += 1
    if outcome.duplicate_of:
        summary.possible_duplicates.append((path, outcome.duplicate_of))
    if outcome.incoming_no:
        summary.incoming.append((path, outcome.incoming_no))


def _call(progress, path, outcome) -> None:
    if progress:
        progress(path, outcome)
