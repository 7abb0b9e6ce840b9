"""Hộp thư đến: upload files and ingest each exactly as `congvan ingest` does, with the outcome per file."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from starlette.datastructures import UploadFile

from ...dates import parse_user_date
from ...read import SUPPORTED
from ..auth import require_csrf
from ..errors import PageError
from ..render import page
from ..uploads import is_supported, safe_file_name, save_upload
from ..worker import Worker
from . import store_of

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
    id: str = ""
    finished: bool = True


@router.get("/inbox")
def inbox_page(request: Request):
    return page(request, "inbox.html", **inbox_context(request, results=None))


@router.post("/inbox/upload", dependencies=[Depends(require_csrf)])
async def upload(request: Request):
    """Save each file and record it as waiting; the background worker reads and files it."""
    form = await request.form()
    uploads = [v for v in form.getlist("files") if isinstance(v, UploadFile) and v.filename]
    if not uploads:
        raise PageError(400, "Chưa chọn tệp nào để tải lên.")
    received = received_date(form.get("received_on"))
    results = [await accept(request, upload, received) for upload in uploads]
    if request.headers.get("x-fragment"):  # the upload script asks for the result rows only
        return page(request, "_results.html", results=results, worker=worker_of(request))
    return page(request, "inbox.html", **inbox_context(request, results=results))


@router.get("/inbox/jobs")
def jobs(request: Request, id: list[str] = Query(default=[])):
    """The current state of these uploads (the page asks every second until each is done)."""
    worker = worker_of(request)
    return page(request, "_results.html", results=worker.get(id[:200]), worker=worker)


def worker_of(request: Request) -> Worker:
    return request.app.state.worker


def inbox_context(request: Request, results: list[FileResult] | None) -> dict:
    settings = request.app.state.settings
    recent = store_of(request).recent_documents(RECENT)
    worker = worker_of(request)
    shown = {r.id for r in results or [] if hasattr(r, "id")}
    queue = [j for j in worker.waiting() if j.id not in shown]
    return {"results": results, "recent": recent, "queue": queue, "worker": worker, "suffixes": sorted(SUPPORTED),
            "max_mb": settings.max_upload_bytes // (1024 * 1024), "today": date.today().isoformat()}


def received_date(raw) -> date | None:
    """Ngày đến from the form (default today, as `congvan ingest`)."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    parsed = parse_user_date(raw)
    if parsed is None:
        raise PageError(400, f"Ngày đến «{raw}» không đúng định dạng (ví dụ 15/03/2024).")
    return parsed


async def accept(request: Request, upload: UploadFile, received: date | None):
    """Save a supported file and queue it; refuse the others without writing them."""
    name = safe_file_name(upload.filename)
    if not is_supported(name):
        kinds = ", ".join(sorted(SUPPORTED))
        return FileResult(name, "rejected", reason=f"Loại tệp không được hỗ trợ (chỉ nhận {kinds}).")
    settings = request.app.state.settings
    path = await save_upload(upload, settings.uploads_dir, settings.max_upload_bytes)
    return worker_of(request).submit(path, name, received)
