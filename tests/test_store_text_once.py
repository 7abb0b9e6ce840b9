"""The store keeps a document's text once (migration 8): no folded copy, two FTS5 indexes that
hold no text, kept in step by triggers any sqlite3 client can fire; older stores migrate."""
import sqlite3

from sqlalchemy import create_engine, text

from pipeline.store import MIGRATIONS, fold, now, open_store

ONE_COPY = 8


def older_store(path):
    """A store as it was before migration 8, with one document written the way Store.add wrote it."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)"))
        for version, apply in MIGRATIONS:
            if version < ONE_COPY:
                apply(conn, "sqlite")
                conn.execute(text("INSERT INTO schema_version VALUES (:v, :t)"), {"v": version, "t": now()})
        subject, body = "Về việc đăng ký kinh doanh", "Đề nghị các đơn vị thực hiện đăng ký trước ngày 15."
        conn.execute(text(
            "INSERT INTO documents (sha256, file_name, source_path, status, kind, subject, text, folded, created_at, "
            "updated_at) VALUES ('a', 'a.txt', 'a.txt', 'ok', 'dispatch', :s, :b, :f, 't', 't')"),
            {"s": subject, "b": body, "f": fold(f"{subject}\n{body}")})
    engine.dispose()


def test_an_older_store_migrates_and_finds_the_same_documents(tmp_path):
    db = tmp_path / "old.db"
    older_store(db)
    store = open_store(str(db))
    with sqlite3.connect(db) as conn:
        assert "folded" not in [r[1] for r in conn.execute("PRAGMA table_info(documents)")]
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] >= ONE_COPY
    assert store.search_ids("dang ky") == [1] and store.search_ids("DANG KY") == [1]
    assert store.search_ids("đăng ký") == [1] and store.search_ids("đẳng ký") == []
    assert store.search_ids("kinh doanh truoc") == [1]


def test_both_indexes_follow_every_change_even_from_a_plain_sqlite3_client(tmp_path):
    db = tmp_path / "c.db"
    store = open_store(str(db))
    older = tmp_path / "seed.db"
    older_store(older)
    store.import_lines(open_store(str(older)).export_lines())
    store.edit(1, {"subject": "tăng cường phòng cháy"}, author="văn thư")
    assert store.search_ids("phong chay") == [1] and store.search_ids("tăng cường") == [1]
    assert store.search_ids("kinh doanh") == []  # the old subject left both indexes
    assert store.search_ids("dang ky") == [1]  # still in the text
    with sqlite3.connect(db) as conn:  # no function of congvan's is needed to change a row
        conn.execute("UPDATE documents SET text = 'Báo cáo tình hình' WHERE id = 1")
        conn.commit()
        assert store.search_ids("bao cao") == [1] and store.search_ids("dang ky") == []
        conn.execute("DELETE FROM documents WHERE id = 1")
        conn.commit()
        for table in ("documents_fts", "documents_fold"):
            conn.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
    assert store.search_ids("bao cao") == [] and store.search_ids("báo cáo") == []


def test_the_exact_index_keeps_no_positions_and_finds_the_same(tmp_path):
    """Migration 10: the index of words as written (diacritics kept) stores which documents hold a
    word, not where (FTS5 detail=none, a fifth of its size); a query with diacritics still finds
    exactly the documents that hold its words, ranked by the diacritic-free index."""
    from pipeline.records import Record

    store = open_store(str(tmp_path / "s.db"))
    texts = {"a": "Về việc bán đất. Bán đất công theo đấu giá, bán đất ở.",
             "b": "Về việc ban hành quy chế. Ban hành kèm theo quy chế.",
             "c": "Về việc bán đất. Đất bán theo giá."}
    ids = {}
    for key, body in texts.items():
        ids[key] = store.add(Record(source=f"{key}.txt", kind="dispatch", subject=body.split(".")[0], text=body), key * 64, f"{key}.txt").id
    assert set(store.search_ids("bán đất")) == {ids["a"], ids["c"]}
    assert store.search_ids("bán đất")[0] == ids["a"]  # it says "bán" three times
    assert set(store.search_ids("ban")) == {ids["a"], ids["b"], ids["c"]}
    assert store.search_ids("bán hành") == []
    where, params = store.search_condition("bán đất")
    with store.engine.connect() as conn:
        found = {r[0] for r in conn.execute(text(f"SELECT id FROM documents WHERE {where}"), params)}
        sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'documents_fts'")).scalar()
    assert found == {ids["a"], ids["c"]} and "detail=none" in sql.replace(" ", "").replace("'", "")
