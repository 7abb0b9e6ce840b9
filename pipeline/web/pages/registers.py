"""Sổ văn bản: the incoming register (Decree 30, Appendix IV) with filters, and its .xlsx download."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...register import INCOMING_COLUMNS, incoming_rows, write_xlsx
from ...store import Store
from ..queries import doc_types, incoming_years
from ..render import page
from . import store_of

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEARCH_LIMIT = 1000


@dataclass
class Filters:
    year: int
    issuer: str = ""
    doc_type: str = ""
    q: str = ""

    def query_string(self) -> str:
        return urlencode({k: v for k, v in vars(self).items() if v})


def filters_of(store: Store, year: str, issuer: str, doc_type: str, q: str) -> Filters:
    """The form's filters; the year defaults to the latest one with incoming documents."""
    years = incoming_years(store)
    chosen = int(year) if year.isdigit() else (years[0] if years else date.today().year)
    return Filters(chosen, issuer.strip(), doc_type.strip(), q.strip())


def incoming_documents(store: Store, filters: Filters) -> list[dict]:
    docs = store.documents(year=filters.year, issuer=filters.issuer or None, doc_type=filters.doc_type or None)
    if filters.q:
        found = {d["id"] for d in store.search(filters.q, limit=SEARCH_LIMIT)}
        docs = [d for d in docs if d["id"] in found]
    return docs


@router.get("/registers")
def incoming_register(request: Request, year: str = "", issuer: str = "", doc_type: str = "", q: str = ""):
    store = store_of(request)
    filters = filters_of(store, year, issuer, doc_type, q)
    docs = incoming_documents(store, filters)
    ids = {d["incoming_no"]: d["id"] for d in docs if d.get("incoming_no")}
    return page(request, "registers.html", rows=incoming_rows(docs), ids=ids, columns=[c for c, _ in INCOMING_COLUMNS],
                filters=filters, years=incoming_years(store) or [filters.year], doc_types=doc_types(store))


@router.get("/registers/incoming.xlsx")
def incoming_register_xlsx(request: Request, year: str = "", issuer: str = "", doc_type: str = "", q: str = ""):
    store = store_of(request)
    filters = filters_of(store, year, issuer, doc_type, q)
    rows = incoming_rows(incoming_documents(store, filters))
    return xlsx_response(lambda path: write_xlsx(rows, path, filters.year), f"so-den-{filters.year}.xlsx")


def xlsx_response(write, file_name: str) -> Response:
    """Run a register writer (which takes a path) in a temporary folder and send the file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / file_name
        write(path)
        content = path.read_bytes()
    return Response(content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{file_name}"'})
