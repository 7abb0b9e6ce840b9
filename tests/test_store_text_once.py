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
                apply(lambda sql: conn.execute(text(sql)), "sqlite")
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


def copies_of_the_corpus_texts(folder, start, count):
    """`count` distinct text files: the corpus's .txt documents, each with a copy mark appended in its
    own encoding (the way bench/run_all.py builds its batch); returns their paths and total bytes."""
    from pathlib import Path

    sources = sorted((Path(__file__).parent.parent / "corpus" / "docs").glob("*__txt*.txt"))
    paths, total = [], 0
    for i in range(start, start + count):
        data = sources[i % len(sources)].read_bytes()
        utf16 = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be" if data.startswith(b"\xfe\xff") else None
        mark = f"\r\nBản sao {i}\r\n".encode(utf16) if utf16 else f"\nBan sao {i}\n".encode("ascii")
        path = folder / f"{i:05d}_{sources[i % len(sources)].name}"
        path.write_bytes(data + mark)
        paths.append(str(path))
        total += len(data) + len(mark)
    return paths, total


def store_bytes(db):
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return conn.execute("PRAGMA page_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]


def test_each_document_adds_at_most_two_and_a_half_times_its_source_text(tmp_path):
    """Issue 16: the store (row, items, both indexes) grows by ≤ 2.5× the text it is given. Measured
    past a first batch so that the schema's fixed pages do not count. 4 KB pages left a 3 KB row's
    page a quarter empty (2.8×); 1 KB pages fill overflow pages whole."""
    from pipeline.ingest import ingest

    db = tmp_path / "size.db"
    store = open_store(str(db))
    first, _ = copies_of_the_corpus_texts(tmp_path, 0, 42)
    ingest(first, store)
    before = store_bytes(db)
    more, source = copies_of_the_corpus_texts(tmp_path, 42, 168)
    summary = ingest(more, store)
    assert summary.failed == [] and summary.stored == 168
    assert (store_bytes(db) - before) / source <= 2.5


def test_a_query_with_diacritics_costs_about_what_one_without_does(tmp_path):
    """Keeping to the exact index's documents must not turn into one full-text query per document:
    `rowid IN (…)` on the ranking index was handed to FTS5 as a rowid lookup for each of them (2.5 s
    at 5,000 documents, a plain query 6 ms). Counted in SQLite virtual-machine steps, not timed."""
    from sqlalchemy import event

    from pipeline.ingest import ingest

    store = open_store(str(tmp_path / "q.db"))
    ingest(copies_of_the_corpus_texts(tmp_path, 0, 120)[0], store)
    store.close()
    steps = [0]

    def count_steps(dbapi_conn, _record):
        dbapi_conn.set_progress_handler(lambda: steps.__setitem__(0, steps[0] + 1), 100)

    event.listen(store.engine, "connect", count_steps)

    def cost(query):
        steps[0] = 0
        hits = store.search_ids(query, limit=50)
        return steps[0], hits

    plain, plain_hits = cost("thuc hien")
    exact, exact_hits = cost("thực hiện")
    assert exact_hits and set(exact_hits) <= set(plain_hits) | set(store.search_ids("thuc hien", limit=500))
    assert exact <= 4 * plain + 50, (exact, plain)
