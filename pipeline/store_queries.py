"""The store's list queries: a few columns of many rows, for the web page's tables and filter menus.

`ListQueries` is part of `Store` (a base class, so the SQL stays in the store and the pages call
methods): whole records (text, items, corrections) still come from `Store.get`. Each long list is
paged in the database through `pager_of(total)`, which the caller gives and which returns an
object with the page's `offset` and `size` (the web page's Pager).
"""
from __future__ import annotations

import json
import re
from typing import Callable

from .normalize import fold
from .stored import names


def text(statement: str):
    """SQLAlchemy's `text`, imported on first use: a batch into a SQLite store never loads
    SQLAlchemy (a quarter of a second), since its writes go to sqlite3 directly (`Store`)."""
    from sqlalchemy import text as sqlalchemy_text

    return sqlalchemy_text(statement)

# A directive item's text as stored (migration 9): its own, or its slice of the document's text
# with line breaks read as spaces. `t` is the item's row, `d` its document's.
DIRECTIVE_TEXT = ("CASE WHEN t.text_start IS NULL THEN t.text ELSE replace(substr(d.text, t.text_start + 1, "
                  "t.text_end - t.text_start), '\n', ' ') END")
# An item's columns as `get` and `tasks` give them, in the table's order (without its place).
DIRECTIVE_COLUMNS = ("t.id, t.document_id, t.position, t.label, " + DIRECTIVE_TEXT + " AS text, t.deadline, t.lead, "
                     "t.support, t.status, t.reply_number, t.done_on")

# The columns the lists read (stored.FIELDS: listed). A failed document's warnings hold the code of
# its failure, which the lists say (failure_vi); the others' are not read.
LIST_COLUMNS = ", ".join("CASE WHEN status = 'failed' THEN warnings END AS warnings" if name == "warnings" else name
                         for name in names(listed=True))
REVIEW_ORDER = ("needs_review", "ok", "other", "failed")
TASK_URGENCY = ("CASE WHEN t.status = 'done' THEN 3 WHEN t.deadline IS NULL THEN 2 "
                "WHEN t.deadline < :today THEN 0 ELSE 1 END")
TASK_SELECT = (f"SELECT {DIRECTIVE_COLUMNS}, {TASK_URGENCY} AS urgency, d.number AS doc_number, d.issuer AS doc_issuer, "
               "d.subject AS doc_subject, d.incoming_no AS doc_incoming_no "
               "FROM directives t JOIN documents d ON d.id = t.document_id")
REGISTER_COLUMNS = ", ".join(names(registered=True))  # (stored.FIELDS: registered)
OUTGOING_ORDER = "org, serial"  # as Store.outgoing within a year

PagerOf = Callable[[int], "object"]  # total → a page with `offset` and `size`


def where_clause(conditions: dict[str, object]) -> tuple[str, dict]:
    """SQL conditions whose value is given, ANDed; each names its one parameter (":df")."""
    given = {sql: value for sql, value in conditions.items() if value}
    params = {re.search(r":(\w+)", sql).group(1): value for sql, value in given.items()}
    return " AND ".join(given) or "1 = 1", params


def with_recipients(entry) -> dict:
    """A sổ đi row with its recipients decoded from the stored JSON list."""
    return dict(entry, recipients=json.loads(entry["recipients"] or "[]"))


class ListQueries:
    """The read-only queries of `Store` that feed lists; needs `engine` and `search_condition`."""

    def rows(self, sql: str, **params) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(text(sql), params).mappings()]

    # -- small lists and menus

    def recent_documents(self, limit: int) -> list[dict]:
        return self.rows(f"SELECT {LIST_COLUMNS} FROM documents ORDER BY id DESC LIMIT :n", n=limit)

    def status_counts(self) -> dict[str, int]:
        return {r["status"]: r["n"] for r in self.rows("SELECT status, COUNT(*) AS n FROM documents GROUP BY status")}

    def incoming_years(self) -> list[int]:
        found = self.rows("SELECT DISTINCT incoming_year AS y FROM documents WHERE incoming_year IS NOT NULL "
                          "ORDER BY 1 DESC")
        return [r["y"] for r in found]

    def doc_types(self, year: int) -> list[str]:
        """The types in the year's sổ đến (the register_type index answers it)."""
        found = self.rows("SELECT DISTINCT doc_type AS t FROM documents WHERE incoming_year = :y AND doc_type <> '' "
                          "ORDER BY 1", y=year)
        return [r["t"] for r in found]

    def outgoing_entry(self, entry_id: int) -> dict | None:
        found = self.rows("SELECT * FROM outgoing WHERE id = :id", id=entry_id)
        return with_recipients(found[0]) if found else None

    def outgoing_years(self) -> list[int]:
        return [r["y"] for r in self.rows("SELECT DISTINCT year AS y FROM outgoing ORDER BY 1 DESC")]

    def outgoing_doc_types(self, year: int) -> list[str]:
        return [r["t"] for r in self.rows("SELECT DISTINCT doc_type AS t FROM outgoing WHERE year = :y ORDER BY 1",
                                          y=year)]

    # -- paged lists

    def segmented_page(self, select: str, key: str, source: str, segments: list[tuple[str, str, int]],
                       params: dict, pager_of: PagerOf) -> tuple[list[dict], object]:
        """One page of a list made of segments shown one after another, each `(where, order by, count)`.

        Each segment is read with its own condition and order, which an index serves, instead of one
        ORDER BY over a computed key that makes the database sort every row for every page; and the
        page's keys are found first (`SELECT key FROM source … LIMIT … OFFSET …`, inside the index),
        so the rows skipped to reach a deep page are never joined or read. The page costs about the
        same at 100,000 documents as at 5,000 (apart from the counts, which the indexes answer).
        """
        pager = pager_of(sum(count for _, _, count in segments))
        found, skip, wanted = [], pager.offset, pager.size
        for where, order, count in segments:
            if wanted <= 0:
                break
            if skip >= count:
                skip -= count
                continue
            found += self.rows(f"{select} WHERE {key} IN (SELECT {key} FROM {source} WHERE {where} ORDER BY {order} "
                               f"LIMIT :n OFFSET :o) ORDER BY {order}", **dict(params, n=wanted, o=skip))
            wanted, skip = pager.size - len(found), 0
        return found, pager

    def review_page(self, status: str | None, pager_of: PagerOf, counts: dict[str, int] | None = None
                    ) -> tuple[list[dict], object]:
        """A page of the review list ("needs review" first, newest first in each status), read status by
        status down the (status, id) index."""
        counts = self.status_counts() if counts is None else counts
        segments = [(f"status = '{st}'", "id DESC", counts.get(st, 0)) for st in REVIEW_ORDER if st == (status or st)]
        if not status:
            others = sum(n for st, n in counts.items() if st not in REVIEW_ORDER)
            known = ", ".join(f"'{st}'" for st in REVIEW_ORDER)
            segments.append((f"status NOT IN ({known})", "id DESC", others))
        return self.segmented_page(f"SELECT {LIST_COLUMNS} FROM documents", "id", "documents", segments, {}, pager_of)

    def task_page(self, today: str, open_only: bool, pager_of: PagerOf) -> tuple[list[dict], object, int]:
        """Directive items in the order a clerk works (overdue, due, undated, done), one page of them,
        and how many are overdue in all.

        Overdue and due items are both open items by deadline, so the order is four runs of the
        (status, deadline, document_id, position) index: open with a deadline, open without, then
        (when all are shown) done with a deadline and done without (an item is open or done)."""
        def count(where: str) -> int:  # a range of the worklist index, counted inside it
            return self.rows(f"SELECT COUNT(*) AS n FROM directives t WHERE {where}", today=today)[0]["n"]

        runs = ["open"] + ([] if open_only else ["done"])
        segments = []
        for status in runs:
            segments.append((f"t.status = '{status}' AND t.deadline IS NOT NULL",
                             "t.deadline, t.document_id, t.position",
                             count(f"t.status = '{status}' AND t.deadline IS NOT NULL")))
            segments.append((f"t.status = '{status}' AND t.deadline IS NULL", "t.document_id, t.position",
                             count(f"t.status = '{status}' AND t.deadline IS NULL")))
        late = count("t.status = 'open' AND t.deadline < :today")
        found, pager = self.segmented_page(TASK_SELECT, "t.id", "directives t", segments, {"today": today}, pager_of)
        items = [dict(r, support=json.loads(r["support"] or "[]")) for r in found]
        return items, pager, int(late)

    # -- the sổ đến

    def register_condition(self, year: int, doc_type: str = "", issuer: str = "", q: str = "") -> tuple[str, dict]:
        """The sổ đến's filters as one SQL condition on `documents`: the year's numbered documents, of a
        type, whose issuer or parent body contains `issuer` (without diacritics, as `Store.documents`),
        matching the full-text search `q`."""
        where = ["incoming_year = :y", "incoming_no IS NOT NULL"]
        params: dict = {"y": year}
        if doc_type:
            where.append("doc_type = :t")
            params["t"] = doc_type
        if issuer:  # the year's few distinct issuers are folded here, the rows matched by the ones that fit
            wanted = fold(issuer)
            pairs = [(r["issuer"], r["parent_body"]) for r in self.rows(
                "SELECT DISTINCT issuer, parent_body FROM documents WHERE incoming_year = :y", y=year)
                if wanted in fold(f"{r['parent_body'] or ''} {r['issuer'] or ''}")]
            where.append("(" + " OR ".join(f"(issuer = :i{n} AND COALESCE(parent_body, '') = :p{n})"
                                           for n in range(len(pairs))) + ")" if pairs else "1 = 0")
            for n, (name, parent) in enumerate(pairs):
                params.update({f"i{n}": name, f"p{n}": parent or ""})
        if q:
            matching_q, extra = self.search_condition(q)
            where.append(matching_q)
            params.update(extra)
        return " AND ".join(where), params

    def register_page(self, year: int, pager_of: PagerOf, doc_type: str = "", issuer: str = "", q: str = ""
                      ) -> tuple[list[dict], object]:
        """One page of the sổ đến in số đến order. The whole year (or a type of it) is read down the
        (incoming_year, incoming_no) index; with an issuer or a search, the matching (số đến, id) pairs
        come from the issuer index or the full-text index alone, and only the page's rows are read."""
        where, params = self.register_condition(year, doc_type, issuer, q)
        select = f"SELECT {REGISTER_COLUMNS} FROM documents"
        if not (issuer or q):
            total = self.rows(f"SELECT COUNT(*) AS n FROM documents WHERE {where}", **params)[0]["n"]
            return self.segmented_page(select, "id", "documents", [(where, "incoming_no", total)], params, pager_of)
        with self.engine.connect() as conn:
            keys = sorted(map(tuple, conn.execute(text(f"SELECT incoming_no, id FROM documents WHERE {where}"), params)))
        pager = pager_of(len(keys))
        wanted = [doc_id for _, doc_id in keys[pager.offset:pager.offset + pager.size]]
        marks = ", ".join(f":d{n}" for n in range(len(wanted)))
        found = self.rows(f"{select} WHERE id IN ({marks}) ORDER BY incoming_no",
                          **{f"d{n}": doc_id for n, doc_id in enumerate(wanted)}) if wanted else []
        return found, pager

    def register_documents(self, year: int, doc_type: str = "", issuer: str = "", q: str = "") -> list[dict]:
        """Every document of the filtered sổ đến (for the .xlsx: never cut short), with only the columns
        the register shows, in số đến order (the full text and JSON columns are not read)."""
        where, params = self.register_condition(year, doc_type, issuer, q)
        return self.rows(f"SELECT {REGISTER_COLUMNS} FROM documents WHERE {where} ORDER BY incoming_no", **params)

    # -- the sổ đi

    def outgoing_condition(self, year: int, org: str = "", doc_type: str = "") -> tuple[str, dict]:
        """The sổ đi's filters but the search as one SQL condition: the year, an organisation whose
        symbol contains `org` (without diacritics), a type."""
        where, params = ["year = :y"], {"y": year}
        if org:
            wanted = fold(org)
            orgs = [r["o"] for r in self.rows("SELECT DISTINCT org AS o FROM outgoing WHERE year = :y", y=year)
                    if wanted in fold(r["o"])]
            where.append(f"org IN ({', '.join(f':o{i}' for i in range(len(orgs)))})" if orgs else "1 = 0")
            params.update({f"o{i}": name for i, name in enumerate(orgs)})
        if doc_type:
            where.append("doc_type = :t")
            params["t"] = doc_type
        return " AND ".join(where), params

    def outgoing_matches(self, where: str, params: dict, q: str) -> list[int]:
        """The ids, in register order, of the entries matching `q` (the sổ đi has no full-text index:
        only these short columns are read, as plain rows)."""
        found = self.rows(f"SELECT id, number, subject, signer, recipients FROM outgoing WHERE {where} "
                          f"ORDER BY {OUTGOING_ORDER}", **params)
        return [r["id"] for r in matching(found, q)]

    def outgoing_page(self, year: int, pager_of: PagerOf, org: str = "", doc_type: str = "", q: str = ""
                      ) -> tuple[list[dict], object]:
        """One page of the sổ đi of `year`, in register order, read from the (year, org, serial) index."""
        where, params = self.outgoing_condition(year, org, doc_type)
        if q:
            ids = self.outgoing_matches(where, params, q)
            pager = pager_of(len(ids))
            wanted = ids[pager.offset:pager.offset + pager.size]
            marks = ", ".join(f":i{n}" for n in range(len(wanted)))
            found = self.rows(f"SELECT * FROM outgoing WHERE id IN ({marks}) ORDER BY {OUTGOING_ORDER}",
                              **{f"i{n}": i for n, i in enumerate(wanted)}) if wanted else []
        else:
            total = self.rows(f"SELECT COUNT(*) AS n FROM outgoing WHERE {where}", **params)[0]["n"]
            found, pager = self.segmented_page("SELECT * FROM outgoing", "id", "outgoing",
                                               [(where, OUTGOING_ORDER, total)], params, pager_of)
        return [with_recipients(r) for r in found], pager

    def outgoing_all(self, year: int, org: str = "", doc_type: str = "", q: str = "") -> list[dict]:
        """Every entry of the filtered sổ đi (for the .xlsx: never cut short), in register order."""
        where, params = self.outgoing_condition(year, org, doc_type)
        found = [with_recipients(r)
                 for r in self.rows(f"SELECT * FROM outgoing WHERE {where} ORDER BY {OUTGOING_ORDER}", **params)]
        return matching(found, q) if q else found


def searchable(entry) -> str:
    """An outgoing entry's number, subject, signer and recipients (their stored JSON list as it is:
    its quotes and commas only separate the names), as the sổ đi's search reads them, not folded."""
    recipients = entry["recipients"]
    if not isinstance(recipients, str):
        recipients = json.dumps(recipients, ensure_ascii=False)
    return " ".join((entry["number"] or "", entry["subject"] or "", entry["signer"] or "", recipients or ""))


def matching(entries: list, q: str) -> list:
    """The entries whose number, subject, signer or recipients hold every word of `q`, without
    diacritics (as `Store.search` folds); all of them folded in one call, not one call each."""
    words = fold(q).split()
    folded = fold_all("\x1f".join(searchable(e) for e in entries)).split("\x1f") if entries else []
    return [e for e, text_ in zip(entries, folded) if all(w in text_ for w in words)]


def fold_all(value: str) -> str:
    """`fold` of a long text in one pass: each distinct character is folded once and the text
    translated. The same result, since `fold` works character by character (marks dropped, đ as d,
    case folded), in a fraction of the time on a year's sổ đi."""
    return value.translate({ord(c): fold(c) for c in set(value)})
