"""Kiểm tra thể thức: an uploaded draft checked against Decree 30 (as `congvan check`), the report
beside the document's text, and the draft rewritten by `congvan fix` to download.

The upload is kept under the data directory like the inbox's (its own random folder); the fixed
copy is written beside it and served only from there, by the folder's name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ...check import CheckError, check_report
from ...check.components import find_layout
from ...check.document import open_docx, read_document
from ...check.fix import fix_docx
from ..auth import require_csrf
from ..errors import PageError
from ..render import page
from ..uploads import safe_file_name, save_upload
from .reply import DOCX, rule_name

router = APIRouter()
CHECKABLE = (".docx", ".docm")
FIXED_SUFFIX = "-da-sua.docx"
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FOLDER = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class Finding:
    rule: str
    where: str
    message: str
    anchor: int | None  # the line of the document it points at


@dataclass
class CheckResult:
    name: str
    kind: str = ""
    doc_type: str = ""
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)  # the document as read: text, place, flagged
    problem: str = ""  # why it could not be checked
    changes: list[str] = field(default_factory=list)  # what fix changed
    refused: str = ""  # why fix would not touch it
    fixed_url: str = ""
    remaining: int = 0  # violations the fixed copy still has (they need rewording)


@router.get("/check")
def check_page(request: Request):
    return page(request, "check.html", result=None, **limits(request))


@router.post("/check", dependencies=[Depends(require_csrf)])
async def check_upload(request: Request):
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise PageError(400, "Chưa chọn tệp dự thảo nào để kiểm tra.")
    name = safe_file_name(upload.filename)
    if Path(name).suffix.lower() not in CHECKABLE:
        raise PageError(400, f"«{name}» không phải tệp Word .docx: chỉ kiểm tra được thể thức của tệp .docx "
                             "(tệp .doc cũ hãy mở bằng Word rồi lưu lại dưới dạng .docx).")
    settings = request.app.state.settings
    path = await save_upload(upload, settings.uploads_dir, settings.max_upload_bytes)
    result = await run_in_threadpool(check_and_fix, path, settings.uploads_dir)
    status = 400 if result.problem else 200
    return page(request, "check.html", status_code=status, result=result, **limits(request))


def limits(request: Request) -> dict:
    return {"max_mb": request.app.state.settings.max_upload_bytes // (1024 * 1024)}


def check_and_fix(path: Path, uploads_dir: Path) -> CheckResult:
    result = CheckResult(path.name)
    try:
        report = check_report(path)
        doc = read_document(open_docx(path))
        find_layout(doc)  # names the header and signature tables, as the report's places do
    except CheckError as err:
        result.problem = f"Không kiểm tra được tệp này: {err.reason}"
        return result
    result.kind, result.doc_type, result.notes = report.kind, report.doc_type, report.notes
    places = []
    for line in doc.lines:
        places.append((line.where(), line.para.where()))
        result.lines.append({"text": line.text, "flag": False, "table": line.para.in_table})
    for v in report.violations:
        anchor = next((i for i, (line_at, para_at) in enumerate(places)
                       if v.where.startswith(line_at) or v.where.startswith(para_at)), None)
        if anchor is not None:
            result.lines[anchor]["flag"] = True
        result.findings.append(Finding(rule_name(v.rule), v.where, v.message, anchor))
    try:
        fixed = fix_docx(path)
    except CheckError as err:
        result.refused = err.reason
        return result
    target = path.with_name(path.stem + FIXED_SUFFIX)
    target.write_bytes(fixed.data)
    result.changes = fixed.changes
    relative = target.resolve().relative_to(uploads_dir.resolve())
    result.fixed_url = "/check/" + "/".join(relative.parts)
    result.remaining = len(check_report(fixed.data).violations)
    return result


@router.get("/check/{day}/{folder}/{name}")
def fixed_docx(request: Request, day: str, folder: str, name: str):
    """A fixed copy written by this page: only `<uploads>/<day>/<random folder>/<name>-da-sua.docx`."""
    root = request.app.state.settings.uploads_dir.resolve()
    if not (DAY.match(day) and FOLDER.match(folder) and name.endswith(FIXED_SUFFIX) and name == safe_file_name(name)):
        raise PageError(404, "Không có bản đã sửa này.")
    path = (root / day / folder / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise PageError(404, "Không có bản đã sửa này (có thể đã bị xóa).")
    return FileResponse(path, media_type=DOCX, filename=name)
