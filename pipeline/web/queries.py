"""Small read-only queries for lists, which need a few columns of many rows, not each full text.

Whole records (text, items, corrections) still come from `Store.get`; these only feed tables
and filter menus.
"""
from __future__ import annotations

import json

from sqlalchemy import text

from ..store import Store

LIST_COLUMNS = ("id, file_name, status, kind, error, doc_type, number, issued_on, issuer, subject, "
                "incoming_year, incoming_no, received_on, duplicate_of, created_at, updated_at")
# "Needs review" first, then what is fine, then the rest; newest first within each.
STATUS_ORDER = "CASE status WHEN 'needs_review' THEN 0 WHEN 'ok' THEN 1 WHEN 'other' THEN 2 ELSE 3 END"


def rows(store: Store, sql: str, **params) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(sql), params).mappings()]


def recent_documents(store: Store, limit: int) -> list[dict]:
    return rows(store, f"SELECT {LIST_COLUMNS} FROM documents ORDER BY id DESC LIMIT :n", n=limit)


def review_list(store: Store, status: str | None = None) -> list[dict]:
    where = "WHERE status = :st" if status else ""
    return rows(store, f"SELECT {LIST_COLUMNS} FROM documents {where} ORDER BY {STATUS_ORDER}, id DESC", st=status)


def status_counts(store: Store) -> dict[str, int]:
    return {r["status"]: r["n"] for r in rows(store, "SELECT status, COUNT(*) AS n FROM documents GROUP BY status")}


def incoming_years(store: Store) -> list[int]:
    found = rows(store, "SELECT DISTINCT incoming_year AS y FROM documents WHERE incoming_year IS NOT NULL "
                        "ORDER BY 1 DESC")
    return [r["y"] for r in found]


def doc_types(store: Store) -> list[str]:
    found = rows(store, "SELECT DISTINCT doc_type AS t FROM documents WHERE doc_type <> '' AND kind = 'dispatch' "
                        "ORDER BY 1")
    return [r["t"] for r in found]


def outgoing_entry(store: Store, entry_id: int) -> dict | None:
    found = rows(store, "SELECT * FROM outgoing WHERE id = :id", id=entry_id)
    if not found:
        return None
    return dict(found[0], recipients=json.loads(found[0]["recipients"] or "[]"))


def outgoing_years(store: Store) -> list[int]:
    return [r["y"] for r in rows(store, "SELECT DISTINCT year AS y FROM outgoing ORDER BY 1 DESC")]


class Pager:
    """One page of a long list: which rows, how many in all, and the links to the others."""

    def __init__(self, raw_page, total: int, size: int, url: str, params: dict | None = None):
        self.size, self.total = size, total
        self.pages = max(1, -(-total // size))
        number = int(raw_page) if isinstance(raw_page, str) and raw_page.isdigit() and len(raw_page) < 9 else 1
        self.page = min(max(number, 1), self.pages)
        self.url, self.params = url, {k: v for k, v in (params or {}).items() if v}

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def first(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.offset + self.size, self.total)

    def link(self, number: int) -> str:
        from urllib.parse import urlencode

        params = dict(self.params, page=number) if number > 1 else self.params
        return f"{self.url}?{urlencode(params)}" if params else self.url

    def slice(self, items: list) -> list:
        return items[self.offset:self.offset + self.size]


def review_page(store: Store, status: str | None, pager_of) -> tuple[list[dict], "Pager"]:
    where = "WHERE status = :st" if status else ""
    total = rows(store, f"SELECT COUNT(*) AS n FROM documents {where}", st=status)[0]["n"]
    pager = pager_of(total)
    found = rows(store, f"SELECT {LIST_COLUMNS} FROM documents {where} ORDER BY {STATUS_ORDER}, id DESC "
                        "LIMIT :n OFFSET :o", st=status, n=pager.size, o=pager.offset)
    return found, pager


TASK_URGENCY = ("CASE WHEN t.status = 'done' THEN 3 WHEN t.deadline IS NULL THEN 2 "
                "WHEN t.deadline < :today THEN 0 ELSE 1 END")


def task_page(store: Store, today: str, open_only: bool, pager_of) -> tuple[list[dict], "Pager", int]:
    """Directive items in the order a clerk works (overdue, due, undated, done), one page of them,
    and how many are overdue in all."""
    where = "t.status = 'open'" if open_only else "1 = 1"
    counted = rows(store, "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN t.status = 'open' AND t.deadline IS NOT NULL "
                          f"AND t.deadline < :today THEN 1 ELSE 0 END), 0) AS late FROM directives t WHERE {where}",
                   today=today)[0]
    pager = pager_of(counted["n"])
    sql = (f"SELECT t.*, {TASK_URGENCY} AS urgency, d.number AS doc_number, d.issuer AS doc_issuer, "
           "d.subject AS doc_subject, d.incoming_no AS doc_incoming_no "
           f"FROM directives t JOIN documents d ON d.id = t.document_id WHERE {where} "
           f"ORDER BY {TASK_URGENCY}, CASE WHEN t.deadline IS NULL THEN 1 ELSE 0 END, t.deadline, t.document_id, "
           "t.position LIMIT :n OFFSET :o")
    items = [dict(r, support=json.loads(r["support"] or "[]"))
             for r in rows(store, sql, today=today, n=pager.size, o=pager.offset)]
    return items, pager, int(counted["late"])


REGISTER_COLUMNS = ("id, received_on, incoming_no, issuer, parent_body, number, issued_on, doc_type, subject, "
                    "assignee, note, duplicate_of")


def register_documents(store: Store, year: int, doc_type: str = "") -> list[dict]:
    """The year's numbered documents with only the columns the sổ đến shows, in số đến order (the
    full text and JSON columns are not read: the register of a big year stays quick)."""
    where = "incoming_year = :y AND incoming_no IS NOT NULL" + (" AND doc_type = :t" if doc_type else "")
    return rows(store, f"SELECT {REGISTER_COLUMNS} FROM documents WHERE {where} ORDER BY incoming_no",
                y=year, t=doc_type)
