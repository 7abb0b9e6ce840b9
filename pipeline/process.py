"""Run the stages over files: read → extract, one record per file, failures kept as records.

A batch never stops on a bad file: its record carries `error` with the reader's one-line
reason and every other file still goes through.
"""
from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Iterable, Iterator

from .read import SUPPORTED
from .records import ReadError, Record


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


def process_file(path: str, ocr: str = "auto", jobs: int = 1) -> Record:
    """The record of one file; `ocr` as in ``read``; jobs > 1 OCRs its pages in parallel."""
    from .extract import extract
    from .read import read

    try:
        source = read(path, ocr=ocr, jobs=jobs)
    except ReadError as err:
        return Record(source=path, kind="error", error=err.reason)
    try:
        record = extract(source)
    except Exception as err:  # a bug in extraction must not sink the batch
        return Record(source=path, kind="error", error=f"extraction failed: {type(err).__name__}: {err}")
    flag_low_confidence(record, source)
    from .read.pdf import date_from_signature

    date_from_signature(record, source)  # a signed PDF whose date the text leaves blank
    return record


def flag_low_confidence(record: Record, source) -> None:
    """Warn about key fields (number, date, issuer, signer) that OCR read with low confidence."""
    from .read.ocr import ScannedLine, field_confidences, warnings_for

    if any(isinstance(line, ScannedLine) for line in source.lines):
        confidences = field_confidences(record, source.lines)
        record.confidence = {name: round(conf) for name, conf in confidences.items()}
        record.warnings += warnings_for(confidences)


def process_many(paths: list[str], jobs: int = 1, ocr: str = "auto") -> Iterator[Record]:
    """Records in input order; with jobs > 1 the files are spread over worker processes.

    At most a few files per worker are in flight, so memory stays flat however long the batch.
    A single file gets the workers for its pages instead (a long scan is OCR'd page-parallel).
    """
    if jobs <= 1 or len(paths) < 2:
        for path in paths:
            yield process_file(path, ocr=ocr, jobs=jobs)
        return
    window = jobs * 8
    task = partial(process_file, ocr=ocr)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_quiet_worker) as pool:
        pending: deque = deque()
        for path in paths:
            pending.append(pool.submit(task, path))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _quiet_worker() -> None:
    # Tesseract's OpenMP threads would compete with the other workers for the same cores.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
