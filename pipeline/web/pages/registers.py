"""Sổ văn bản: the incoming and outgoing registers (Decree 30, Appendix IV) with filters, and as .xlsx."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ... import register as reg
from ...store import Store, fold
from ..queries import Pager, doc_types, incoming_years, outgoing_years, register_documents
from ..render import page
from . import store_of

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 100


@dataclass
class Filters:
    year: int
    issuer: str = ""
    doc_type: str = ""
    q: str = ""

    def query_string(self) -> str:
        return urlencode({k: v for k, v in vars(self).items() if v})

    @property
    def narrowed(self) -> bool:
        return bool(self.issuer or self.doc_type or self.q)


def filters_of(years: list[int], year: str, issuer: str, doc_type: str, q: str) -> Filters:
    """The form's filters; the year defaults to the latest one in the register."""
    chosen = int(year) if year.isdigit() else (years[0] if years else date.today().year)
    return Filters(chosen, issuer.strip(), doc_type.strip(), q.strip())


# --------------------------------------------------------------------------- sổ đến


def incoming_documents(store: Store, filters: Filters) -> list[dict]:
    docs = register_documents(store, filters.year, filters.doc_type)
    if filters.issuer:  # any part of the issuer or its parent body, without diacritics (as Store.documents)
        wanted = fold(filters.issuer)
        docs = [d for d in docs if wanted in fold(f"{d['parent_body'] or ''} {d['issuer'] or ''}")]
    if filters.q and docs:
        # every match, however many: the register and its .xlsx are never cut short
        found = set(store.search_ids(filters.q, limit=1 << 62))
        docs = [d for d in docs if d["id"] in found]
    elif filters.q:
        docs = []
    return docs


@router.get("/registers")
def incoming_register(request: Request, year: str = "", issuer: str = "", doc_type: str = "", q: str = "",
                      page_no: str = Query("1", alias="page")):
    store = store_of(request)
    years = incoming_years(store)
    filters = filters_of(years, year, issuer, doc_type, q)
    docs = incoming_documents(store, filters)
    rows = reg.incoming_rows(docs)
    pager = Pager(page_no, len(rows), PAGE_SIZE, "/registers", vars(filters))
    rows = pager.slice(rows)
    by_number = {d["incoming_no"]: d["id"] for d in docs if d.get("incoming_no")}
    links = [f"/review/{by_number[row[1]]}" for row in rows]  # column (2), số đến, opens the document
    return page(request, "registers.html", kind="incoming", rows=rows, links=links, link_column=1, pager=pager,
                columns=[c for c, _ in reg.INCOMING_COLUMNS], filters=filters, years=years or [filters.year],
                doc_types=doc_types(store))


@router.get("/registers/incoming.xlsx")
def incoming_register_xlsx(request: Request, year: str = "", issuer: str = "", doc_type: str = "", q: str = ""):
    store = store_of(request)
    filters = filters_of(incoming_years(store), year, issuer, doc_type, q)
    rows = reg.incoming_rows(incoming_documents(store, filters))
    return xlsx_response(lambda path: reg.INCOMING.write(rows, path, filters.year),
                         reg.INCOMING.file_name(filters.year, "xlsx"))


# --------------------------------------------------------------------------- sổ đi


def outgoing_entries(store: Store, filters: Filters) -> list[dict]:
    """Issued documents of the year; "issuer" matches the issuing organisation's symbol."""
    entries = store.outgoing(year=filters.year)
    if filters.issuer:
        entries = [e for e in entries if fold(filters.issuer) in fold(e["org"])]
    if filters.doc_type:
        entries = [e for e in entries if e["doc_type"] == filters.doc_type]
    if filters.q:
        words = fold(filters.q).split()
        entries = [e for e in entries if all(w in searchable(e) for w in words)]
    return entries


def searchable(entry: dict) -> str:
    """An outgoing entry's number, subject, signer and recipients, folded as `Store.search` folds."""
    return fold(" ".join([entry["number"], entry["subject"], entry.get("signer") or ""] + entry["recipients"]))


@router.get("/registers/outgoing")
def outgoing_register(request: Request, year: str = "", issuer: str = "", doc_type: str = "", q: str = "",
                      page_no: str = Query("1", alias="page")):
    store = store_of(request)
    years = outgoing_years(store)
    filters = filters_of(years, year, issuer, doc_type, q)
    entries = outgoing_entries(store, filters)
    types = sorted({e["doc_type"] for e in store.outgoing(year=filters.year)})
    pager = Pager(page_no, len(entries), PAGE_SIZE, "/registers/outgoing", vars(filters))
    entries = pager.slice(entries)
    return page(request, "registers.html", kind="outgoing", rows=reg.outgoing_rows(entries), pager=pager,
                links=[f"/outgoing/{e['id']}" for e in entries], link_column=0,
                columns=[c for c, _ in reg.OUTGOING_COLUMNS], filters=filters, years=years or [filters.year],
                doc_types=types)


@router.get("/registers/outgoing.xlsx")
def outgoing_register_xlsx(request: Request, year: str = "", issuer: str = "", doc_type: str = "", q: str = ""):
    store = store_of(request)
    filters = filters_of(outgoing_years(store), year, issuer, doc_type, q)
    rows = reg.outgoing_rows(outgoing_entries(store, filters))
    return xlsx_response(lambda path: reg.OUTGOING.write(rows, path, filters.year),
                         reg.OUTGOING.file_name(filters.year, "xlsx"))


def xlsx_response(write, file_name: str) -> Response:
    """Run a register writer (which takes a path) in a temporary folder and send the file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / file_name
        write(path)
        content = path.read_bytes()
    return Response(content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{file_name}"'})
