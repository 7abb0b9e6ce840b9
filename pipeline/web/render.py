"""Templates and the Vietnamese words the pages use (field names, statuses; a record's notes and
the reason a file could not be read say themselves from their code, records.Note.vi)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

from ..records import Note
from ..stored import StoredDocument
from ..register import vn_date

HERE = Path(__file__).resolve().parent
VI = json.loads((HERE / "vi.json").read_text("utf-8"))
TEMPLATES = Jinja2Templates(directory=HERE / "templates")

NAV = [("/inbox", "Hộp thư đến"), ("/review", "Xem lại"), ("/registers", "Sổ văn bản"), ("/tasks", "Việc cần làm"),
       ("/check", "Kiểm tra thể thức")]


def failure_vi(failed) -> str:
    """Why a file could not be read, as the page says it: from a stored document (its `error` and
    the note of kind "error" in its `warnings`; one failed before the codes by its English reason,
    notes.ERROR_LEGACY), a Note, or an English reason alone. Never a server path: an error's
    Vietnamese leaves out details that may hold one."""
    if isinstance(failed, Note):
        note = failed
    elif isinstance(failed, StoredDocument):
        note = Note.failure(failed.error, failed.warnings)
    elif isinstance(failed, dict):  # a row of a list query
        warnings = failed.get("warnings") or []
        if isinstance(warnings, str):  # a list query's raw column
            warnings = json.loads(warnings)
        note = Note.failure(failed.get("error"), warnings)
    else:
        note = Note.failure(failed)
    return note.vi if note else ""


def warning_vi(note) -> str:
    """A record's note (a Note, its stored dict, or a sentence stored before the codes) as the page says it."""
    return Note.load(note).vi if note else ""


def status_vi(status: str) -> str:
    return VI["statuses"].get(status, status)


def field_label(name: str) -> str:
    return VI["fields"].get(name, name)


def plain_value(value: str | None) -> str:
    """A stored value as a person reads it: a JSON list (Kính gửi, Nơi nhận) as "a; b"."""
    if value and value.startswith("["):
        try:
            return "; ".join(json.loads(value))
        except (ValueError, TypeError):
            pass
    return value or ""


def signatures_of(path) -> list:
    """A stored PDF's digital signatures, verified from the file as it is now (SignatureInfo list),
    or an edXML package's XML signature (PackageSignature); [] when neither, unsigned or gone.
    Cached per file version: a page view costs nothing twice."""
    if not path or not str(path).lower().endswith((".pdf", ".edxml", ".xml")):
        return []
    try:
        stat = Path(path).stat()
    except (OSError, ValueError):
        return []
    return _signatures(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _signatures(path: str, _mtime: int, _size: int) -> list:
    if not path.lower().endswith(".pdf"):
        return package_signatures(path)
    from ..signatures import has_signature_fields, verify_pdf

    return verify_pdf(path, thorough=False) if has_signature_fields(path) else []


@dataclass
class PackageSignature:
    """An edXML package's XML signature as the signature list of a page shows it (the attributes of a
    PDF's SignatureInfo that `_signatures.html` reads)."""

    state: str  # valid, broken, not checked (edxml.XmlSignature)
    signer_cn: str = ""
    organisation: str = ""
    detail: str = ""
    field: str = "Gói edXML (chữ ký XML)"
    when: str = ""
    trust_vi: str = "chưa đối chiếu với tổ chức chứng thực tin cậy"
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.state == "valid"

    @property
    def state_vi(self) -> str:
        return {"valid": "hợp lệ, nội dung nguyên vẹn", "broken": "KHÔNG HỢP LỆ"}.get(self.state, "chưa kiểm tra được")

    @property
    def problems(self) -> list[str]:
        return [self.detail] if self.detail else []


def package_signatures(path: str) -> list:
    """The XML signature of the edXML package at `path` ([] when it is none or carries none)."""
    from ..edxml import is_package, parse_package
    from ..records import ReadError

    try:
        data = Path(path).read_bytes()
        found = parse_package(data, path).signature if is_package(data[:4096]) else None
    except (OSError, ReadError):
        return []
    if found is None:
        return []
    return [PackageSignature(found.state, found.signer_cn, found.signer_o, found.detail)]


def thousands(n) -> str:
    return f"{int(n or 0):,}".replace(",", ".")


TEMPLATES.env.filters.update(thousands=thousands, plain_value=plain_value, vn_date=vn_date, failure_vi=failure_vi, warning_vi=warning_vi,
                             status_vi=status_vi, field_label=field_label, signatures_of=signatures_of)


def page(request: Request, template: str, status_code: int = 200, **context):
    """Render a page with what every page needs: the user, the CSRF token, the navigation."""
    from .auth import csrf_token, session_user

    has_session = "session" in request.scope
    settings = request.app.state.settings
    context.update(
        user=session_user(request) if has_session else None,
        csrf=csrf_token(request) if has_session else "",
        login_required=settings.login_required,
        nav=NAV,
        path=request.url.path,
    )
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)
