"""Xem lại: a record beside its text, each value marked where it came from, corrected in place."""
from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from ...dates import parse_user_date
from ...register import vn_date
from ...store import NotFound, review_field
from ...stored import DATE_FIELDS, EDITABLE, LIST_FIELDS, LONG_FIELDS, StoredDocument
from ..auth import author_of, require_csrf
from ..errors import PageError
from ..highlight import field_key, highlighted
from ..queries import Pager
from ..render import VI, page
from . import store_of

router = APIRouter()
STATUSES = ("needs_review", "ok", "other", "failed")
PAGE_SIZE = 50


@router.get("/review")
def review_index(request: Request, status: str = "", page_no: str = Query("1", alias="page")):
    status = status if status in STATUSES else ""
    store = store_of(request)
    counts = store.status_counts()
    documents, pager = store.review_page(status or None,
                                         lambda total: Pager(page_no, total, PAGE_SIZE, "/review", {"status": status}),
                                         counts)
    return page(request, "review_list.html", documents=documents, pager=pager,
                counts=counts, statuses=STATUSES, current=status)


@router.get("/review/{doc_id}")
def review_document(request: Request, doc_id: int, saved: int = -1, checked: int = 0, registered: int = 0):
    doc = load(request, doc_id)
    return page(request, "review.html", doc=doc, fields=form_fields(doc), saved=saved, errors={},
                checked=checked, registered=registered, corrected=corrected_fields(doc),
                text_html=highlighted(doc.text or "", doc.spans))


@router.post("/review/{doc_id}/checked", dependencies=[Depends(require_csrf)])
async def mark_checked(request: Request, doc_id: int):
    """«Đã kiểm tra, đúng»: what was typed is saved first, then the record is marked checked."""
    doc = load(request, doc_id)
    if doc.status == "failed":
        raise PageError(400, "Văn bản này chưa đọc được: hãy gõ các thông tin rồi bấm «Vào sổ thủ công».")
    refused = await save_typed(request, doc)
    if refused:
        return refused
    await run_in_threadpool(store_of(request).mark_checked, doc_id, author_of(request))
    return RedirectResponse(f"/review/{doc_id}?checked=1", status_code=303)


@router.post("/review/{doc_id}/register", dependencies=[Depends(require_csrf)])
async def register_by_hand(request: Request, doc_id: int):
    """«Vào sổ thủ công»: a document the reader failed on, typed in by the clerk, gets its số đến."""
    doc = load(request, doc_id)
    if doc.status != "failed" or doc.incoming_no:
        raise PageError(400, "Văn bản này đã ở trong sổ hoặc không cần vào sổ thủ công.")
    refused = await save_typed(request, doc)
    if refused:
        return refused
    doc = load(request, doc_id)
    missing = [VI["fields"].get(name, name) for name in ("number", "issuer", "subject") if not getattr(doc, name)]
    if missing:
        raise PageError(400, "Hãy gõ " + ", ".join(missing) + " trước khi vào sổ (những gì đã gõ đã được lưu).")
    await run_in_threadpool(store_of(request).register_by_hand, doc_id, author_of(request))
    return RedirectResponse(f"/review/{doc_id}?registered=1", status_code=303)


async def save_typed(request: Request, doc: StoredDocument):
    """Save the form's changed fields; the page again with the messages when one is invalid."""
    form = await request.form()
    changes, errors = changed_fields(doc, {name: form.get(name) for name in EDITABLE})
    if errors:
        return page(request, "review.html", status_code=400, doc=doc, fields=form_fields(doc, submitted=form),
                    saved=-1, errors=errors, checked=0, registered=0, corrected=corrected_fields(doc),
                    text_html=highlighted(doc.text or "", doc.spans))
    if changes:
        await run_in_threadpool(save, request, doc.id, changes)
    return None


def corrected_fields(doc: StoredDocument) -> set[str]:
    """The review entries (their field as named: "signer.name") a person has since corrected."""
    corrected = doc.corrected
    return {entry.get("field", "") for entry in doc.review if review_field(entry.get("field", "")) in corrected}


@router.post("/review/{doc_id}", dependencies=[Depends(require_csrf)])
async def save_corrections(request: Request, doc_id: int):
    doc = load(request, doc_id)
    before = len(doc.corrections)
    refused = await save_typed(request, doc)  # in a worker thread: another write may hold the store's lock
    if refused:
        return refused
    saved = len(load(request, doc_id).corrections) - before
    return RedirectResponse(f"/review/{doc_id}?saved={saved}", status_code=303)


def save(request: Request, doc_id: int, changes: dict[str, str]) -> None:
    store_of(request).edit(doc_id, changes, author_of(request))


def load(request: Request, doc_id: int) -> StoredDocument:
    try:
        return store_of(request).get(doc_id)
    except NotFound:
        raise PageError(404, f"Không có văn bản #{doc_id} trong kho.") from None


def shown(doc: StoredDocument, name: str) -> str:
    """A stored value as the form shows it: lists one entry a line, dates as a văn thư writes them."""
    value = getattr(doc, name)
    if name in LIST_FIELDS:
        return "\n".join(value or [])
    if name in DATE_FIELDS:
        return vn_date(value)
    return "" if value is None else str(value)


def form_fields(doc: StoredDocument, submitted=None) -> list[dict]:
    """The editable fields with label, value, whether a span marks them, and their last correction."""
    last_correction = {c.field: c for c in doc.corrections}
    marked = {field_key(name) for name in doc.spans}
    fields = []
    for name in EDITABLE:
        typed = submitted.get(name) if submitted is not None else None
        value = typed if isinstance(typed, str) else shown(doc, name)
        fields.append({"name": name, "label": VI["fields"].get(name, name), "value": value,
                       "long": name in LONG_FIELDS, "list": name in LIST_FIELDS, "marked": name in marked,
                       "corrected": last_correction.get(name)})
    return fields


def changed_fields(doc: StoredDocument, submitted: dict) -> tuple[dict[str, str], dict[str, str]]:
    """The fields whose submitted value differs from the stored one, and messages for invalid ones."""
    changes, errors = {}, {}
    for name, raw in submitted.items():
        if not isinstance(raw, str):  # a field the form did not send stays as it is
            continue
        value = raw.replace("\r\n", "\n").strip()
        if name in DATE_FIELDS:
            parsed = parse_user_date(value) if value else None
            if value and parsed is None:
                errors[name] = "Ngày không hợp lệ; ghi dạng 17/02/2021 hoặc 2021-02-17."
            elif (parsed.isoformat() if parsed else "") != (getattr(doc, name) or ""):
                changes[name] = parsed.isoformat() if parsed else ""
            continue
        if name in LIST_FIELDS:
            # One entry a line, passed on as JSON so an entry may itself hold a ";".
            entries = [line.strip() for line in value.split("\n") if line.strip()]
            if entries != (getattr(doc, name) or []):
                changes[name] = json.dumps(entries, ensure_ascii=False)
        elif value != shown(doc, name):
            changes[name] = value
    return changes, errors
