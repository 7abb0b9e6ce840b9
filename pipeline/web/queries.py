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
