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
from ..queries import Pager
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


@router.get("/registers")
def incoming_register(request: Request, year: str = "", issuer: str = "", doc_type: str = "", q: str = "",
                      page_no: str = Query("1", alias="page")):
    """The sổ đến of a year, one page read from the database (filters and paging in SQL)."""
    store = store_of(request)
    years = store.incoming_years()
    filters = filters_of(years, year, issuer, doc_type, q)
    docs, pager = store.register_page(filters.year,
                                      lambda total: Pager(page_no, total, PAGE_SIZE, "/registers", vars(filters)),
                                      filters.doc_type, filters.issuer, filters.q)
    rows, links, skipped = table(docs, reg.incoming_row, lambda d: f"/review/{d['id']}")
    return page(request, "registers.html", kind="incoming", rows=rows, links=links, link_column=1,  # (2) số đến
                pager=pager, columns=[c for c, _ in reg.INCOMING_COLUMNS], filters=filters, skipped=skipped,
                years=years or [filters.year], doc_types=store.doc_types(filters.year))


def table(entries: list[dict], row_of, link_of) -> tuple[list[list], list[str], list[str]]:
    """The register rows of one page, the link of each, and the entries that cannot be shown
    (a damaged value), named for the page to say so."""
    rows, links, skipped = [], [], []
    for entry in entries:
        try:
            rows.append(row_of(entry))
        except (ValueError, TypeError, KeyError):
            skipped.append(f"#{entry['id']}")
            continue
        links.append(link_of(entry))
    return rows, links, skipped


@router.get("/registers/incoming.xlsx")
def incoming_register_xlsx(request: Request, year: str = "", issuer: str = "", doc_type: str = "", q: str = ""):
    store = store_of(request)
    filters = filters_of(store.incoming_years(), year, issuer, doc_type, q)
    skipped: list = []
    rows = reg.incoming_rows(store.register_documents(filters.year, filters.doc_type, filters.issuer, filters.q),
                             skipped)
    rows += left_out(skipped)
    return xlsx_response(lambda path: reg.INCOMING.write(rows, path, filters.year),
                         reg.INCOMING.file_name(filters.year, "xlsx"))


def left_out(skipped: list) -> list[list]:
    """A closing row naming what could not be written (a damaged record): never a silent gap."""
    if not skipped:
        return []
    named = ", ".join(f"#{name}" for name, _ in skipped[:50]) + (" …" if len(skipped) > 50 else "")
    return [[f"Còn {len(skipped)} văn bản không ghi được vào sổ vì dữ liệu bị hỏng ({named}); "
             "xem và sửa từng văn bản trên trang."]]


# --------------------------------------------------------------------------- sổ đi


@router.get("/registers/outgoing")
def outgoing_register(request: Request, year: str = "", issuer: str = "", doc_type: str = "", q: str = "",
                      page_no: str = Query("1", alias="page")):
    """The sổ đi of a year, one page read from the database; "issuer" matches the organisation's symbol."""
    store = store_of(request)
    years = store.outgoing_years()
    filters = filters_of(years, year, issuer, doc_type, q)
    entries, pager = store.outgoing_page(filters.year,
                                         lambda total: Pager(page_no, total, PAGE_SIZE, "/registers/outgoing",
                                                             vars(filters)),
                                         filters.issuer, filters.doc_type, filters.q)
    rows, links, skipped = table(entries, reg.outgoing_row, lambda e: f"/outgoing/{e['id']}")
    return page(request, "registers.html", kind="outgoing", rows=rows, links=links, link_column=0, pager=pager,
                columns=[c for c, _ in reg.OUTGOING_COLUMNS], filters=filters, skipped=skipped,
                years=years or [filters.year], doc_types=store.outgoing_doc_types(filters.year))


@router.get("/registers/outgoing.xlsx")
def outgoing_register_xlsx(request: Request, year: str = "", issuer: str = "", doc_type: str = "", q: str = ""):
    store = store_of(request)
    filters = filters_of(store.outgoing_years(), year, issuer, doc_type, q)
    skipped: list = []
    rows = reg.outgoing_rows(store.outgoing_all(filters.year, filters.issuer, filters.doc_type, filters.q), skipped)
    rows += left_out([(name.removeprefix("outgoing "), reason) for name, reason in skipped])  # "#05/SYT-VP"
    return xlsx_response(lambda path: reg.OUTGOING.write(rows, path, filters.year),
                         reg.OUTGOING.file_name(filters.year, "xlsx"))


def xlsx_response(write, file_name: str) -> Response:
    """Run a register writer (which takes a path) in a temporary folder and send the file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / file_name
        write(path)
        content = path.read_bytes()
    return Response(content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{file_name}"'})
