"""Lookups that must not grow with the store: `search` and `get` against plain sqlite3, at 5,000
and 100,000 documents.

    python bench/store_speed.py [--docs 5000,100000] [-n 7] [--keep DIR]

Each store is built synthetically and fast: the schema from `open_store` (all migrations), then
documents with three directive items and two citations each, written in bulk with sqlite3 and
indexed for full text the way `Store.add` indexes them. Stores are kept under --keep (default: a
folder in the temp dir) for the next run, named by the schema version.

In-process, alternating paired runs (the store open once, as the web page has it):
- `Store.search("dang ky")` and `Store.search("đăng ký")` (50 hits, each a full record: items, citations, corrections) against
  the floor: the same FTS5 query in plain sqlite3, then the 50 rows in one SELECT;
- `Store.get(id)` of 50 documents spread over the store against plain sqlite3 reading each one's
  row, items, citations and corrections (four SELECTs).
Goal (issue 16): ≤ 2× the floor, and the same at 100,000 documents as at 5,000.
"""
from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from paired import Row, built_once, calls, table  # noqa: E402

from pipeline.normalize import fold  # noqa: E402
from pipeline.store import LATEST, open_store  # noqa: E402

WORDS = ("triển khai thực hiện nhiệm vụ kế hoạch báo cáo tình hình công tác phòng cháy chữa cháy bảo hiểm "
         "xã hội y tế đăng ký kinh doanh thuế thu nộp ngân sách quý năm các đơn vị trực thuộc tỉnh thành phố "
         "hướng dẫn quy định chính sách tăng cường kiểm tra giám sát đất đai môi trường giáo dục đào tạo").split()
COLUMNS = ("id", "sha256", "file_name", "source_path", "status", "kind", "error", "doc_type", "number", "issued_on",
           "place", "issuer", "parent_body", "subject", "recipients", "distribution", "signer_authority",
           "signer_title", "signer_name", "spans", "warnings", "text", "folded", "incoming_year", "incoming_no",
           "received_on", "duplicate_of", "assignee", "note", "created_at", "updated_at")
ISSUERS = ["BẢO HIỂM XÃ HỘI VIỆT NAM", "UBND TỈNH SƠN LA", "SỞ TÀI CHÍNH", "BỘ Y TẾ", "CỤC THUẾ TỈNH QUẢNG NGÃI"]


def sentence(rnd: random.Random, n: int) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(n))


def build(path: Path, docs: int, seed: int = 16) -> None:
    """A store of `docs` documents (~1.2 KB of text each), built in bulk."""
    open_store(str(path)).close()  # the schema, every migration applied
    rnd = random.Random(seed)
    con = sqlite3.connect(path)
    fts_columns = [r[1] for r in con.execute("PRAGMA table_info(documents_fts)")]
    # (from migration 8 `folded` is no column: the diacritic-free index reads a view of subject and text)
    columns = [c for c in COLUMNS if c in {r[1] for r in con.execute("PRAGMA table_info(documents)")}]
    keep = [COLUMNS.index(c) for c in columns]
    stamp = "2026-01-01T00:00:00+07:00"
    batch = 5000
    for start in range(1, docs + 1, batch):
        documents, directives, citations, fts = [], [], [], []
        for i in range(start, min(docs, start + batch - 1) + 1):
            subject = sentence(rnd, 10)
            body = "\n".join(sentence(rnd, 25) for _ in range(8))
            issuer = rnd.choice(ISSUERS)
            folded = fold(f"{subject}\n{body}")
            documents.append(tuple((i, f"{i:064x}", f"d{i}.txt", f"inbox/d{i}.txt", "ok", "dispatch", None, "Công văn",
                              f"{i}/UBND-VP", f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}", "Sơn La", issuer, "", subject,
                              json.dumps(["Các sở, ban, ngành"], ensure_ascii=False), json.dumps(["Như trên", "Lưu: VT"]),
                              "", "GIÁM ĐỐC", "Nguyễn Văn A", json.dumps({"number": [10, 20]}), "[]", body, folded,
                              2026, i, "2026-01-02", None, "", "", stamp, stamp)[k] for k in keep))
            for k in range(1, 4):
                directives.append((i, k, str(k), sentence(rnd, 15), f"2026-{1 + k:02d}-15" if k == 2 else None,
                                   "Sở Tài chính", json.dumps(["Sở Y tế"], ensure_ascii=False), "open"))
            for k in range(1, 3):
                citations.append((i, k, "Công văn", f"{rnd.randint(1, docs)}/UBND-VP", "2025-12-01", issuer, None))
            row = {"subject": subject, "body": body, "text": body, "folded": folded}
            fts.append((i, *(row[c] for c in fts_columns)))
        with con:
            con.executemany(f"INSERT INTO documents ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                            documents)
            con.executemany("INSERT INTO directives (document_id, position, label, text, deadline, lead, support, status) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", directives)
            con.executemany("INSERT INTO citations (document_id, position, doc_type, number, issued_on, issuer, cited_id) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)", citations)
            if not external_content(con):  # an external-content index is filled by the documents' trigger
                con.executemany(f"INSERT INTO documents_fts (rowid, {', '.join(fts_columns)}) "
                                f"VALUES (?{', ?' * len(fts_columns)})", fts)
    con.execute("ANALYZE")
    con.close()


def external_content(con: sqlite3.Connection) -> bool:
    sql = con.execute("SELECT sql FROM sqlite_master WHERE name = 'documents_fts'").fetchone()[0]
    return "content=" in sql.replace(" ", "")


def store_for(folder: Path, docs: int) -> Path:
    path = folder / f"store-{docs}-v{LATEST}.db"
    return built_once(path, path.with_suffix(".part"), build, docs)


def floor_search(con: sqlite3.Connection, query: str, body: str = "body", limit: int = 50) -> list:
    """The least any search must do: the FTS5 query congvan builds, then the hits' rows in one SELECT."""
    words = query.split()
    plain = fold(query) == query.casefold()
    terms = " AND ".join(f'"{fold(w) if plain else w.casefold()}"' for w in words)
    if has_table(con, "documents_fold"):  # migration 8: the diacritic-free index ranks every query
        folded = " AND ".join(f'"{fold(w)}"' for w in words)
        exact = "" if plain else " AND +rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)"
        ids = [r[0] for r in con.execute(f"SELECT rowid FROM documents_fold WHERE documents_fold MATCH ?{exact} "
                                         "ORDER BY rank LIMIT ?", (f"({folded})",) + (() if plain else (f"({terms})",))
                                         + (limit,))]
    else:
        match = ("{folded}" if plain else "{subject %s}" % body) + f" : ({terms})"
        ids = [r[0] for r in con.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rank "
                                         "LIMIT ?", (match, limit))]
    marks = ", ".join("?" * len(ids))
    return con.execute(f"SELECT * FROM documents WHERE id IN ({marks})", ids).fetchall()


def has_table(con: sqlite3.Connection, name: str) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None


def floor_get(con: sqlite3.Connection, doc_id: int) -> tuple:
    """One document the least way: its row, then its items, citations and corrections by document id."""
    return (con.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone(),
            con.execute("SELECT * FROM directives WHERE document_id = ? ORDER BY position", (doc_id,)).fetchall(),
            con.execute("SELECT * FROM citations WHERE document_id = ? ORDER BY position", (doc_id,)).fetchall(),
            con.execute("SELECT * FROM corrections WHERE document_id = ? ORDER BY id", (doc_id,)).fetchall())


def measure(sizes: list[int], n: int, folder: Path, queries: tuple[str, ...] = ("dang ky", "đăng ký")) -> list[Row]:
    rows = []
    for size in sizes:
        path = store_for(folder, size)
        store = open_store(str(path))
        con = sqlite3.connect(path)
        fts_columns = [r[1] for r in con.execute("PRAGMA table_info(documents_fts)")]
        body = "body" if "body" in fts_columns else "text"
        for query in queries:  # without diacritics (one index) and with them (both indexes)
            hits = len(store.search(query))
            pair = calls(lambda: store.search(query), lambda: floor_search(con, query, body), n)
            rows.append(Row(f"`search \"{query}\"` ({hits} hits), {size:,} documents (in-process)", pair,
                            "sqlite3 FTS5 + 1 SELECT", goal=2.0))
        ids = random.Random(size).sample(range(1, size + 1), 50)
        pair = calls(lambda: [store.get(i) for i in ids], lambda: [floor_get(con, i) for i in ids], n)
        rows.append(Row(f"`Store.get` × 50, {size:,} documents (in-process)", pair, "sqlite3, 4 SELECTs × 50", goal=2.0))
        store.close()
        con.close()
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", default="5000,100000")
    parser.add_argument("-n", type=int, default=7)
    parser.add_argument("--keep", default=str(Path(tempfile.gettempdir()) / "congvan-bench-stores"))
    args = parser.parse_args()
    folder = Path(args.keep)
    folder.mkdir(parents=True, exist_ok=True)
    print(table(measure([int(s) for s in args.docs.split(",")], args.n, folder)))


if __name__ == "__main__":
    main()
