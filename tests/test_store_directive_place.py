"""A directive item's text is kept as its place in the document's text (migration 9), not as a
second copy: `get`, `tasks`, the task page and exports give the same text as before; older stores
migrate; an item whose text is not in the document keeps its own; a change of the document's text
by a plain sqlite3 client first writes its items out in full."""
import json
import sqlite3

from sqlalchemy import create_engine, text

from pipeline.records import Directive, Record, Signer
from pipeline.store import MIGRATIONS, directive_place, directive_text, now, open_store

PLACED = 9
BODY = ("Đề nghị các đơn vị:\n1. Sở Tài chính chủ trì rà soát\nkinh phí năm 2026.\n"
        "2. Sở Y tế báo cáo trước ngày 15/3/2026.\n")
ITEMS = [("1", "Sở Tài chính chủ trì rà soát kinh phí năm 2026."),  # its line break read as a space
         ("2", "Sở Y tế báo cáo trước ngày 15/3/2026."),
         ("3", "Một việc không có trong văn bản.")]  # (not in the text: kept as it is)


def older_store(path):
    """A store as it was before migration 9, with one document and its items written the way Store.add wrote them."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)"))
        for version, apply in MIGRATIONS:
            if version < PLACED:
                apply(lambda sql: conn.execute(text(sql)), "sqlite")
                conn.execute(text("INSERT INTO schema_version VALUES (:v, :t)"), {"v": version, "t": now()})
        conn.execute(text(
            "INSERT INTO documents (sha256, file_name, source_path, status, kind, subject, text, created_at, "
            "updated_at) VALUES ('a', 'a.txt', 'a.txt', 'ok', 'dispatch', 'Về việc rà soát', :b, 't', 't')"), {"b": BODY})
        for position, (label, item) in enumerate(ITEMS, start=1):
            conn.execute(text("INSERT INTO directives (document_id, position, label, text, deadline, lead, support, status) "
                              "VALUES (1, :p, :l, :t, '2026-03-15', '', '[]', 'open')"), {"p": position, "l": label, "t": item})
    engine.dispose()


def stored_items(db):
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT text, text_start, text_end FROM directives ORDER BY position").fetchall()


def test_place_and_text_are_inverse():
    assert directive_place(BODY, ITEMS[0][1]) == (BODY.index("Sở Tài"), BODY.index("Sở Tài") + len(ITEMS[0][1]))
    start, end = directive_place(BODY, ITEMS[1][1])
    assert directive_text(BODY, start, end) == ITEMS[1][1]
    assert directive_place(BODY, ITEMS[2][1]) == (None, None)
    assert directive_place(BODY, "") == (None, None) and directive_place(None, "x") == (None, None)


def test_an_older_store_migrates_and_reads_the_same_items(tmp_path):
    db = tmp_path / "old.db"
    older_store(db)
    store = open_store(str(db))
    assert [item["text"] for item in store.get(1)["directives"]] == [t for _, t in ITEMS]
    assert [task["text"] for task in store.tasks()] == [t for _, t in ITEMS]
    assert "text_start" not in store.get(1)["directives"][0] and "text_start" not in store.tasks()[0]
    stored = stored_items(db)
    assert [t for t, _, _ in stored] == ["", "", ITEMS[2][1]]  # two placed, the third kept
    assert stored[2][1:] == (None, None)


def test_new_items_are_placed_and_exports_round_trip(tmp_path):
    store = open_store(str(tmp_path / "new.db"))
    record = Record(source="a.txt", kind="dispatch", number="12/UBND-VP", issued_on="2026-03-01", issuer="UBND",
                    subject="Về việc rà soát", text=BODY, signer=Signer(),
                    directives=[Directive(label, item, deadline="2026-03-15") for label, item in ITEMS])
    store.add(record, sha256="a", file_name="a.txt")
    assert [t for t, _, _ in stored_items(tmp_path / "new.db")] == ["", "", ITEMS[2][1]]
    exported = list(store.export_lines())
    assert [item["text"] for item in exported[0]["directives"]] == [t for _, t in ITEMS]
    again = open_store(str(tmp_path / "again.db"))
    again.import_lines(json.loads(json.dumps(exported)))
    assert list(again.export_lines()) == exported
    assert [t for t, _, _ in stored_items(tmp_path / "again.db")] == ["", "", ITEMS[2][1]]


def test_a_text_changed_by_a_plain_sqlite3_client_keeps_its_items(tmp_path):
    db = tmp_path / "c.db"
    older_store(db)
    store = open_store(str(db))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE documents SET text = 'Báo cáo tình hình' WHERE id = 1")
        conn.commit()
    assert [item["text"] for item in store.get(1)["directives"]] == [t for _, t in ITEMS]
    assert [t for t, _, _ in stored_items(db)] == [t for _, t in ITEMS]
