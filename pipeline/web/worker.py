"""The inbox's background worker: uploaded files are read and filed here, not in the request.

An upload is saved, then recorded as waiting by a small job file in `<data dir>/queue/`; the
request answers at once. One worker thread takes the jobs oldest first and runs the same code
as `congvan ingest` on each file: the file is read and extracted in a child process (so the
[limits] time budget applies and a stop signal can end it), and the store's writer lock is held
only while the record is written. A server that stops (one signal) ends the child;
the job file stays, and the next start takes it again, so no file is left without a record.
"""
from __future__ import annotations

import json
import os
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import date
from functools import partial
from pathlib import Path

from ..ingest import ingest, sha256_of
from ..records import Note, Record
from .uploads import discard

KEEP_DONE = 500  # finished jobs remembered for the inbox's progress list
STOPPED = Note("server-stopped")


@dataclass
class Job:
    """One uploaded file on its way into the store, as the inbox shows it."""

    id: str
    name: str
    path: str
    received_on: str | None = None  # ISO
    queued_at: float = 0.0
    status: str = "waiting"  # waiting, reading, ok, needs_review, other, failed, duplicate
    started_at: float | None = None
    doc_id: int | None = None
    incoming_no: int | None = None
    duplicate_of: int | None = None
    reason: Note | None = None  # why a failed file failed (kept in memory only: a finished job has no file)

    @property
    def finished(self) -> bool:
        return self.status not in ("waiting", "reading")

    @property
    def seconds(self) -> int:
        return int(time.time() - self.started_at) if self.started_at else 0


class Worker:
    def __init__(self, store, queue_dir: Path, ocr: str = "auto"):
        self.store = store
        self.queue_dir = queue_dir
        self.ocr = ocr
        self.jobs: dict[str, Job] = {}
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.pool = None
        self.failures: dict[str, Note] = {}  # path → why it failed, for the job being read
        queue_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for file in sorted(queue_dir.glob("*.json"), key=lambda p: p.stat().st_mtime):
            try:
                job = Job(**json.loads(file.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError):
                file.unlink(missing_ok=True)
                continue
            job.status, job.started_at = "waiting", None
            self.jobs[job.id] = job

    # ---------------------------------------------------------------- the request side

    def submit(self, path: Path, name: str, received_on: date | None) -> Job:
        """Record a saved upload as waiting (on disk first, so a restart finds it)."""
        job = Job(id=path.parent.name or uuid.uuid4().hex, name=name, path=str(path),
                  received_on=received_on.isoformat() if received_on else None, queued_at=time.time())
        draft = self.queue_dir / f".{job.id}.tmp"
        draft.write_text(json.dumps(asdict(job), ensure_ascii=False), encoding="utf-8")
        os.replace(draft, self.queue_dir / f"{job.id}.json")
        with self.changed:
            self.jobs[job.id] = job
            self.changed.notify_all()
        return job

    def get(self, ids) -> list[Job]:
        with self.changed:
            return [self.jobs[i] for i in ids if i in self.jobs]

    def waiting(self) -> list[Job]:
        with self.changed:
            return [j for j in self.jobs.values() if not j.finished]

    def position(self, job: Job) -> int:
        """1 for the next file to be read."""
        with self.changed:
            queue = [j for j in self.jobs.values() if j.status == "waiting"]
        return queue.index(job) + 1 if job in queue else 0

    def wait_idle(self, timeout: float = 120) -> bool:
        """Until nothing is waiting or being read (tests, and a clean stop)."""
        end = time.monotonic() + timeout
        with self.changed:
            while any(not j.finished for j in self.jobs.values()):
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(min(left, 0.2))
        return True

    # ---------------------------------------------------------------- the worker side

    def start(self) -> None:
        if self.thread is None or not self.thread.is_alive():
            self.stopping.clear()
            self.thread = threading.Thread(target=self.run, name="congvan-inbox-worker", daemon=True)
            self.thread.start()

    def stop(self, timeout: float = 10) -> None:
        """End the file being read (its job stays waiting for the next start) and the thread."""
        self.stopping.set()
        with self.changed:
            self.changed.notify_all()
        self._kill_child()
        if self.thread is not None:
            self.thread.join(timeout)

    def next_job(self) -> Job | None:
        with self.changed:
            while not self.stopping.is_set():
                for job in self.jobs.values():
                    if job.status == "waiting":
                        job.status, job.started_at = "reading", time.time()
                        self.changed.notify_all()
                        return job
                self.changed.wait(1.0)
        return None

    def run(self) -> None:
        while (job := self.next_job()) is not None:
            try:
                self.process(job)
                if not any(j.status == "waiting" for j in self.get(list(self.jobs))):
                    self._close_child()  # nothing left: no idle child process stays around
            except Exception as err:  # the store itself failed (disk full, damaged): keep the job for later
                with self.changed:
                    job.status, job.started_at = "waiting", None
                    self.changed.notify_all()
                if self.stopping.wait(5):
                    return
                del err

    def process(self, job: Job) -> None:
        path = job.path
        if not Path(path).is_file():  # removed behind the server's back
            self._finish(job, status="failed", reason=Note("cannot-open", "", "the uploaded file is gone"))
            return
        outcomes, self.failures = {}, {}
        received = date.fromisoformat(job.received_on) if job.received_on else None
        summary = ingest([path], self.store, received_on=received,
                         progress=lambda p, outcome: outcomes.__setitem__(p, outcome), reader=self._read_all)
        if self.stopping.is_set() and not outcomes.get(path):
            return  # interrupted: the job file stays, the next start reads the file again
        failed = dict(summary.failed)
        outcome = outcomes.get(path)
        if path in failed:
            reason = self.failures.get(path) or Note.failure(failed[path])  # (not stored, unsettled: ingest's words)
            self._finish(job, status="failed", reason=reason, doc_id=outcome.id if outcome else None)
        elif outcome is None:  # the same file (SHA-256) is in the store already: keep the first copy only
            self._finish(job, status="duplicate", doc_id=self.store.find_sha(sha256_of(path)))
            discard(Path(path))
        else:
            self._finish(job, status=outcome.status, doc_id=outcome.id, incoming_no=outcome.incoming_no,
                         duplicate_of=outcome.duplicate_of)

    def _read_all(self, paths: list[str]):
        for path in paths:
            record = self._read(path)
            if record.failure:
                self.failures[path] = record.failure
            if self.stopping.is_set():
                return  # nothing is stored for a file cut off by the stop
            yield record

    def _read(self, path: str) -> Record:
        """One file's record, read in a child process (the time limit works there; stop ends it)."""
        from concurrent.futures import TimeoutError as FutureTimeout
        from concurrent.futures.process import BrokenProcessPool

        from ..process import DIED, _pool, process_file

        if self.pool is None:
            self.pool = _pool(1)
        future = self.pool.submit(partial(process_file, ocr=self.ocr), path)
        while True:
            try:
                return future.result(timeout=0.5)
            except FutureTimeout:
                if self.stopping.is_set():
                    self._kill_child()
                    return Record.failed(path, STOPPED)
            except BrokenProcessPool:
                self.pool = None
                return Record.failed(path, DIED)
            except Exception as err:  # a record that could not be sent back
                self._kill_child()
                return Record.failed(path, Note("worker-failed", "", type(err).__name__))

    def _close_child(self) -> None:
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def _kill_child(self) -> None:
        pool, self.pool = self.pool, None
        if pool is None:
            return
        for proc in list(getattr(pool, "_processes", {}).values()):
            try:
                proc.kill()
            except (OSError, AttributeError):
                pass
        pool.shutdown(wait=False, cancel_futures=True)

    def _finish(self, job: Job, **values) -> None:
        with self.changed:
            for key, value in values.items():
                setattr(job, key, value)
            (self.queue_dir / f"{job.id}.json").unlink(missing_ok=True)
            done = [j for j in self.jobs.values() if j.finished]
            for old in done[:-KEEP_DONE]:
                del self.jobs[old.id]
            self.changed.notify_all()
