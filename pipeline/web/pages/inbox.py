"""Hộp thư đến: upload files and ingest each exactly as `congvan ingest` does, with the outcome per file."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ...dates import parse_user_date
from ...ingest import ingest, sha256_of
from ...read import SUPPORTED
from ..auth import require_csrf
from ..errors import PageError
from ..queries import recent_documents
from ..render import page
from ..uploads import discard, is_supported, safe_file_name, save_upload
from . import store_of, writing

router = APIRouter()
RECENT = 15


@dataclass
class FileResult:
    """What became of one uploaded file, as the inbox lists it."""

    name: str
    status: str  # ok, needs_review, other, failed (as stored), duplicate, rejected (never stored)
    path: Path | None = None
    doc_id: int | None = None
    incoming_no: int | None = None
    duplicate_of: int | None = None
    reason: str = ""


@router.get("/inbox")
def inbox_page(request: Request):
    return page(request, "inbox.html", **inbox_context(request, results=None))


@router.post("/inbox/upload", dependencies=[Depends(require_csrf)])
async def upload(request: Request):
    form = await request.form()
    uploads = [v for v in form.getlist("files") if isinstance(v, UploadFile) and v.filename]
    if not uploads:
        raise PageError(400, "Chưa chọn tệp nào để tải lên.")
    received = received_date(form.get("received_on"))
    results = [await accept(request, upload) for upload in uploads]
    await run_in_threadpool(ingest_accepted, request, [r for r in results if r.path], received)
    if request.headers.get("x-fragment"):  # the upload script asks for the result rows only
        return page(request, "_results.html", results=results)
    return page(request, "inbox.html", **inbox_context(request, results=results))


def inbox_context(request: Request, results: list[FileResult] | None) -> dict:
    settings = request.app.state.settings
    recent = recent_documents(store_of(request), RECENT)
    return {"results": results, "recent": recent, "suffixes": sorted(SUPPORTED),
            "max_mb": settings.max_upload_bytes // (1024 * 1024), "today": date.today().isoformat()}


def received_date(raw) -> date | None:
    """Ngày đến from the form (default today, as `congvan ingest`)."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    parsed = parse_user_date(raw)
    if parsed is None:
        raise PageError(400, f"Ngày đến «{raw}» không đúng định dạng (ví dụ 15/03/2024).")
    return parsed


async def accept(request: Request, upload: UploadFile) -> FileResult:
    """Save a supported file into the data directory; refuse the others without writing them."""
    name = safe_file_name(upload.filename)
    if not is_supported(name):
        kinds = ", ".join(sorted(SUPPORTED))
        return FileResult(name, "rejected", reason=f"Loại tệp không được hỗ trợ (chỉ nhận {kinds}).")
    settings = request.app.state.settings
    path = await save_upload(upload, settings.uploads_dir, settings.max_upload_bytes)
    return FileResult(name, "pending", path=path)


def ingest_accepted(request: Request, results: list[FileResult], received: date | None) -> None:
    """Run the clerk's batch on the saved files and copy each file's outcome onto its result."""
    if not results:
        return
    outcomes = {}
    with writing(request) as store:
        summary = ingest([str(r.path) for r in results], store, received_on=received,
                         progress=lambda path, outcome: outcomes.__setitem__(path, outcome))
    failed = dict(summary.failed)
    for result in results:
        key = str(result.path)
        outcome = outcomes.get(key)
        if key in failed:
            result.status, result.reason = "failed", failed[key]
            result.doc_id = outcome.id if outcome else None
        elif outcome is None:  # the same file (SHA-256) is in the store already: keep the first copy only
            result.status, result.doc_id = "duplicate", store.find_sha(sha256_of(key))
            discard(result.path)
        else:
            result.status, result.doc_id = outcome.status, outcome.id
            result.incoming_no, result.duplicate_of = outcome.incoming_no, outcome.duplicate_of
