"""Store stage: records in SQLite (one file, the default) or PostgreSQL, through SQLAlchemy Core
(a batch into SQLite writes through sqlite3 itself: see `Store`).

Every write is one transaction: a document with its directive items, references and full-text
row goes in whole or not at all, so an interrupted batch leaves the store consistent and a
rerun continues where it stopped. The schema is versioned: ``MIGRATIONS`` are applied in order
and never rewritten; a change to the schema is a new migration at the end of the list.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date, datetime, timezone
from functools import cached_property, lru_cache, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from .normalize import fold  # the store's diacritic-free search key (also imported from here)
from .records import Note, Record
from .stored import (CSV_COLUMNS, DATE_FIELDS, DOCUMENT_COLUMNS, EDITABLE, JSON_COLUMNS,  # noqa: F401
                     LIST_FIELDS, Correction, StoredCitation, StoredDocument, StoredItem)
from .store_queries import DIRECTIVE_COLUMNS, DIRECTIVE_TEXT, ListQueries, text, where_clause  # noqa: F401 (also imported from here)

if TYPE_CHECKING:  # SQLAlchemy is imported when a store first needs it (see Store.engine)
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.sql.elements import TextClause

# How a migration runs one statement (without parameters) in the migrating transaction.
Run = Callable[[str], object]

DEFAULT_DB = "congvan.db"


class DamagedText(str):
    """A stored text value whose bytes are not UTF-8 (a damaged page): shown with U+FFFD, never trusted."""


class NotFound(KeyError):
    """No stored `what` ("document", "task") with this id. A KeyError, so a caller catching that
    still works; catch NotFound to say which."""

    def __init__(self, what: str, id):
        super().__init__(id)
        self.what, self.id = what, id

    def __str__(self) -> str:
        return f"no {self.what} #{self.id}"


class BadRow(ValueError):
    """A stored row that cannot be rendered; ``reason`` says why, the caller reports and skips it."""

    def __init__(self, doc_id, reason: str):
        super().__init__(f"#{doc_id}: {reason}")
        self.doc_id, self.reason = doc_id, reason


def _sqlite_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return DamagedText(data.decode("utf-8", errors="replace"))


# What a database column cannot hold (NUL on PostgreSQL, lone surrogates from an undecodable file
# name anywhere) or an .xlsx cell refuses (other C0 controls).
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def clean_text(value):
    """A string any store and register can hold, of the same length (spans into it stay right):
    control characters become spaces and lone surrogates U+FFFD. Other values pass through."""
    if not isinstance(value, str) or not _UNSTORABLE.search(value):
        return value
    return _UNSTORABLE.sub(lambda m: "\ufffd" if m.group() >= "\ud800" else " ", value)


_PLAIN = frozenset({int, float, bool, type(None)})


def clean_value(value):
    """`clean_text` through a record: its strings, lists, dicts and nested dataclasses. What has
    nothing to clean (almost every record) comes back as it is, the same object, not a copy."""
    if type(value) in _PLAIN:  # most of a record's values (its spans are numbers): nothing to look into
        return value
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        cleaned = [clean_value(v) for v in value]
        return value if all(c is v for c, v in zip(cleaned, value)) else cleaned
    if isinstance(value, dict):
        cleaned = {k: clean_value(v) for k, v in value.items()}
        return value if all(cleaned[k] is v for k, v in value.items()) else cleaned
    if is_dataclass(value) and not isinstance(value, type):
        changed = {}
        for f in fields(value):
            if f.init:
                old = getattr(value, f.name)
                new = clean_value(old)
                if new is not old:
                    changed[f.name] = new
        return replace(value, **changed) if changed else value
    return value


def clean_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (a name from a Windows zip) shown as \\xNN."""
    if not _UNSTORABLE.search(name):
        return name
    try:
        name = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        name = name.encode("utf-8", "backslashreplace").decode("utf-8")
    return _UNSTORABLE.sub("?", name)


@lru_cache(maxsize=64)
def sql_text(statement: str) -> TextClause:
    """`text(statement)` built once per process: the statements written for every document are
    not parsed again for each one."""
    return text(statement)


def now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


_DECODER = json.JSONDecoder()


def load_json(value: str):
    """`json.loads` of a stored value, without its two whitespace scans (stored JSON has none
    around it: `stored_json`); ValueError as json.loads raises for what is not JSON."""
    try:
        found, end = _DECODER.raw_decode(value)
    except ValueError:  # (space before it, written by hand; or not JSON: json.loads says why)
        return json.loads(value)
    return found if end == len(value) else json.loads(value)


def stored_json(value) -> str:
    """A list or mapping as stored: UTF-8 as it reads, no spaces after separators (a tenth of a row's
    JSON, most of it the field spans)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------- migrations


def _v1(run: Run, dialect: str) -> None:
    pk = "INTEGER PRIMARY KEY AUTOINCREMENT" if dialect == "sqlite" else "BIGSERIAL PRIMARY KEY"
    statements = [
        f"""CREATE TABLE documents (
            id {pk},
            sha256 TEXT NOT NULL UNIQUE,
            file_name TEXT NOT NULL, source_path TEXT NOT NULL,
            status TEXT NOT NULL,            -- ok, needs_review, other, failed
            kind TEXT NOT NULL, error TEXT,
            doc_type TEXT, number TEXT, issued_on TEXT, place TEXT, issuer TEXT, parent_body TEXT,
            subject TEXT, recipients TEXT, distribution TEXT,
            signer_authority TEXT, signer_title TEXT, signer_name TEXT,
            spans TEXT, warnings TEXT, text TEXT, folded TEXT,
            incoming_year INTEGER, incoming_no INTEGER, received_on TEXT,
            duplicate_of INTEGER REFERENCES documents(id),
            assignee TEXT, note TEXT,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
            UNIQUE (incoming_year, incoming_no))""",
        "CREATE INDEX documents_number ON documents (number)",
        "CREATE INDEX documents_issued_on ON documents (issued_on)",
        f"""CREATE TABLE directives (
            id {pk},
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            position INTEGER NOT NULL, label TEXT NOT NULL, text TEXT NOT NULL,
            deadline TEXT, lead TEXT, support TEXT,
            status TEXT NOT NULL DEFAULT 'open',   -- open, done
            reply_number TEXT, done_on TEXT)""",
        "CREATE INDEX directives_deadline ON directives (deadline)",
        f"""CREATE TABLE citations (
            id {pk},
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            position INTEGER NOT NULL, doc_type TEXT, number TEXT NOT NULL, issued_on TEXT, issuer TEXT,
            cited_id INTEGER REFERENCES documents(id))""",
        "CREATE INDEX citations_number ON citations (number)",
        f"""CREATE TABLE corrections (
            id {pk},
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            field TEXT NOT NULL, old_value TEXT, new_value TEXT,
            author TEXT NOT NULL, corrected_at TEXT NOT NULL)""",
    ]
    if dialect == "sqlite":
        statements.append("CREATE VIRTUAL TABLE documents_fts USING fts5("
                          "subject, body, folded, tokenize='unicode61 remove_diacritics 0')")
    for sql in statements:
        run(sql)


def _v2(run: Run, dialect: str) -> None:
    """Sổ đăng ký văn bản đi: numbers run from 01 each year, unique per organisation."""
    pk = "INTEGER PRIMARY KEY AUTOINCREMENT" if dialect == "sqlite" else "BIGSERIAL PRIMARY KEY"
    run(f"""CREATE TABLE outgoing (
        id {pk},
        org TEXT NOT NULL, year INTEGER NOT NULL, serial INTEGER NOT NULL,
        number TEXT NOT NULL, issued_on TEXT NOT NULL, doc_type TEXT NOT NULL, subject TEXT NOT NULL,
        signer TEXT, recipients TEXT, archive TEXT, copies INTEGER,
        reply_to INTEGER REFERENCES documents(id), template TEXT, file_name TEXT,
        sent_on TEXT, note TEXT, created_at TEXT NOT NULL,
        UNIQUE (org, year, serial))""")


def _v3(run: Run, dialect: str) -> None:
    """An index on every foreign key: a document's items, citations and corrections, what cites
    it, its possible duplicates and the replies to it are found without scanning the store."""
    for name, table, columns in (
        ("directives_document", "directives", "document_id, position"),
        ("citations_document", "citations", "document_id, position"),
        ("citations_cited", "citations", "cited_id"),
        ("corrections_document", "corrections", "document_id"),
        ("documents_duplicate_of", "documents", "duplicate_of"),
        ("outgoing_reply_to", "outgoing", "reply_to"),
    ):
        run(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


def _v4(run: Run, dialect: str) -> None:
    """SQLite: the full-text index reads its text from `documents` (FTS5 external content) instead
    of keeping its own copy of subject, text and folded text; triggers keep it in step with every
    insert, delete and change of those columns, in the same transaction."""
    if dialect != "sqlite":
        return
    for sql in (
        "DROP TABLE documents_fts",
        "CREATE VIRTUAL TABLE documents_fts USING fts5(subject, text, folded, content='documents', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
        "CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN "
        "INSERT INTO documents_fts (rowid, subject, text, folded) VALUES (new.id, new.subject, new.text, new.folded); END",
        "CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN "
        "INSERT INTO documents_fts (documents_fts, rowid, subject, text, folded) "
        "VALUES ('delete', old.id, old.subject, old.text, old.folded); END",
        "CREATE TRIGGER documents_fts_update AFTER UPDATE OF subject, text, folded ON documents BEGIN "
        "INSERT INTO documents_fts (documents_fts, rowid, subject, text, folded) "
        "VALUES ('delete', old.id, old.subject, old.text, old.folded); "
        "INSERT INTO documents_fts (rowid, subject, text, folded) VALUES (new.id, new.subject, new.text, new.folded); END",
        "INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')",
    ):
        run(sql)


def _v5(run: Run, dialect: str) -> None:
    """The fields extraction was unsure of, each with its reason ({"field", "reason"}), so the review
    page can say what to check and why."""
    run("ALTER TABLE documents ADD COLUMN review TEXT")


def _v6(run: Run, dialect: str) -> None:
    """The web page's lists, paged in the database, read down an index instead of sorting the store:
    documents by status (review), the sổ đến of a year by type, directive items by status and
    deadline (tasks), the sổ đi of a year."""
    for name, table, columns in (
        ("documents_status", "documents", "status, id"),
        ("documents_register_type", "documents", "incoming_year, doc_type, incoming_no"),
        ("directives_worklist", "directives", "status, deadline, document_id, position"),
        ("outgoing_year", "outgoing", "year, org, serial"),
    ):
        run(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


def _v7(run: Run, dialect: str) -> None:
    """The sổ đến filtered by issuer: the year's distinct issuers, and the documents of the ones that
    match, read from this index alone (never the rows)."""
    run("CREATE INDEX IF NOT EXISTS documents_register_issuer ON documents "
        "(incoming_year, issuer, parent_body, doc_type, incoming_no)")


def _v8(run: Run, dialect: str) -> None:
    """SQLite: the text is stored once. The diacritic-free search no longer keeps a second copy of
    subject and text with the marks dropped (`folded`): its own FTS5 index, `documents_fold`, reads
    them from the view `documents_folded` (đ written d; FTS5's `remove_diacritics 2` drops the tones
    and vowel marks as it indexes) and keeps no text of its own either. Triggers keep both indexes
    in step with every insert, delete and change in the same transaction, with SQLite's own
    functions only (any sqlite3 client can still edit a row). Same terms, hits and ranks as before."""
    if dialect != "sqlite":
        return
    folded = "replace(replace(coalesce({0}.subject, '') || char(10) || coalesce({0}.text, ''), 'đ', 'd'), 'Đ', 'D')"
    new, old = folded.format("new"), folded.format("old")
    add = ("INSERT INTO documents_fts (rowid, subject, text) VALUES (new.id, new.subject, new.text); "
           f"INSERT INTO documents_fold (rowid, folded) VALUES (new.id, {new}); ")
    remove = ("INSERT INTO documents_fts (documents_fts, rowid, subject, text) "
              "VALUES ('delete', old.id, old.subject, old.text); "
              f"INSERT INTO documents_fold (documents_fold, rowid, folded) VALUES ('delete', old.id, {old}); ")
    for sql in (
        "DROP TRIGGER documents_fts_insert",
        "DROP TRIGGER documents_fts_delete",
        "DROP TRIGGER documents_fts_update",
        "DROP TABLE documents_fts",
        "ALTER TABLE documents DROP COLUMN folded",
        f"CREATE VIEW documents_folded AS SELECT id, {folded.format('documents')} AS folded FROM documents",
        "CREATE VIRTUAL TABLE documents_fts USING fts5(subject, text, content='documents', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 0')",
        "CREATE VIRTUAL TABLE documents_fold USING fts5(folded, content='documents_folded', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN {add}END",
        f"CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN {remove}END",
        f"CREATE TRIGGER documents_fts_update AFTER UPDATE OF subject, text ON documents BEGIN {remove}{add}END",
        "INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')",
        "INSERT INTO documents_fold (documents_fold) VALUES ('rebuild')",
    ):
        run(sql)


def _v9(run: Run, dialect: str) -> None:
    """SQLite: a directive item's text is no longer a second copy of part of the document's text.
    Every item's text is a slice of the document's text with its line breaks read as spaces, so
    the item keeps that slice's place (`text_start`, `text_end`, characters) and an empty `text`;
    reading gives back the same text (`directive_text`, `DIRECTIVE_TEXT`). An item whose text is
    no such slice keeps it as before. A change of a document's text (only a sqlite3 client makes
    one) first writes its items' texts out in full. PostgreSQL gains the two columns, left empty."""
    run("ALTER TABLE directives ADD COLUMN text_start INTEGER")
    run("ALTER TABLE directives ADD COLUMN text_end INTEGER")
    if dialect != "sqlite":
        return
    for sql in (
        # (instr counts characters, from 1, as Python's str.find does from 0)
        "UPDATE directives SET text_start = instr(replace((SELECT d.text FROM documents d WHERE d.id = document_id), "
        "char(10), ' '), text) - 1 WHERE length(text) > 0",
        "UPDATE directives SET text_start = NULL WHERE text_start < 0",
        "UPDATE directives SET text_end = text_start + length(text), text = '' WHERE text_start IS NOT NULL",
        "CREATE TRIGGER directives_text_kept AFTER UPDATE OF text ON documents BEGIN "
        "UPDATE directives SET text = replace(substr(old.text, text_start + 1, text_end - text_start), char(10), ' '), "
        "text_start = NULL, text_end = NULL WHERE document_id = old.id AND text_start IS NOT NULL; END",
    ):
        run(sql)


def _v10(run: Run, dialect: str) -> None:
    """SQLite: the index of words as written (diacritics kept) records which documents hold a word,
    not where in them (FTS5 detail=none): it was as large as the text and now a fifth of that. Its
    one use is to keep a query with diacritics to the documents holding exactly those words; the
    diacritic-free index, which keeps the places, ranks them (the search never asked for phrases,
    nearness or a column). The same triggers keep it in step; it is rebuilt from the documents."""
    if dialect != "sqlite":
        return
    for sql in (
        "DROP TABLE documents_fts",
        "CREATE VIRTUAL TABLE documents_fts USING fts5(subject, text, content='documents', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 0', detail=none)",
        "INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')",
    ):
        run(sql)


MIGRATIONS = [(1, _v1), (2, _v2), (3, _v3), (4, _v4), (5, _v5), (6, _v6), (7, _v7), (8, _v8), (9, _v9), (10, _v10)]


LATEST = MIGRATIONS[-1][0]

# The documents cited by the numbers bound in its {} (its own `id` excepted), for `_insert_items`.
CITED = "SELECT number, MIN(id) FROM documents WHERE number IN ({}) AND id <> :id GROUP BY number"


def directive_place(document_text: str | None, item_text: str) -> tuple[int | None, int | None]:
    """Where an item's text lies in its document's text, line breaks read as spaces: (start, end)
    in characters, or (None, None) when it is not there (the item then keeps its own text)."""
    if not item_text or not document_text:
        return None, None
    start = _line_breaks_as_spaces(document_text).find(item_text)
    return (None, None) if start < 0 else (start, start + len(item_text))


@lru_cache(maxsize=1)
def _line_breaks_as_spaces(document_text: str) -> str:  # (once for all the items of a document)
    return document_text.replace("\n", " ")


def directive_text(document_text: str, start: int, end: int) -> str:
    """The text of an item stored by its place: the inverse of `directive_place`."""
    return document_text[start:end].replace("\n", " ")
# Key of the PostgreSQL advisory locks that serialise migrations and the số đến of a year.
LOCK_MIGRATE, LOCK_INCOMING, LOCK_OUTGOING = 0x636F6E67, 0x636F6E68, 0x636F6E69


def migrate(engine: Engine) -> int:
    """Bring a PostgreSQL schema to the newest version; return it (`migrate_sqlite` for a file).

    Every pending migration runs in one transaction under the store's write lock (an advisory
    lock here, BEGIN IMMEDIATE on SQLite, whose DDL is transactional too), and the version is
    read again under that lock: a crash, Ctrl-C or full disk half-way leaves the store as it was,
    and two processes opening a new store at once do the work once.
    """
    with engine.connect() as conn:
        if engine.dialect.has_table(conn, "schema_version") and \
                (conn.execute(text("SELECT MAX(version) FROM schema_version")).scalar() or 0) >= LATEST:
            return LATEST
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_MIGRATE})
        return _apply_migrations(lambda sql, params=None: conn.execute(text(sql), params), engine.dialect.name)


def migrate_sqlite(path: str) -> int:
    """`migrate` for a SQLite file, on sqlite3's own connection (no SQLAlchemy needed to open a store)."""
    with as_sqlalchemy_error("(migrations)", None):
        conn = connect_sqlite(path, timeout=60)
        try:
            if _sqlite_schema_version(conn) >= LATEST:
                return LATEST
            with immediate(conn):
                return _apply_migrations(conn.execute, "sqlite")
        finally:
            conn.close()


def _sqlite_schema_version(conn: sqlite3.Connection) -> int:
    """The store's schema version (0 for a new store), read without taking any lock."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone():
        return 0
    return conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0


def _apply_migrations(run: Callable, dialect: str) -> int:
    """The migrations not yet applied, in order, each with its row in schema_version; `run(sql,
    params)` runs a statement inside the caller's transaction, which holds the write lock."""
    run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)")
    current = run("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0
    for version, apply in MIGRATIONS:
        if version > current:
            apply(run, dialect)
            run("INSERT INTO schema_version VALUES (:v, :t)", {"v": version, "t": now()})
            current = version
    return current


# --------------------------------------------------------------------------- opening


def database_url(db: str | None = None) -> str:
    """--db, else $CONGVAN_DB, else ./congvan.db; a plain path means SQLite."""
    db = db or os.environ.get("CONGVAN_DB") or DEFAULT_DB
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def open_store(db: str | None = None) -> "Store":
    """The store at `db` (see `database_url`), its schema brought up to date."""
    url = database_url(db)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    store = Store(url)
    if store.fts:
        migrate_sqlite(store.path)
    else:
        migrate(store.engine)
    return store


def sqlite_path(url: str) -> str:
    """The file of a SQLite URL. A store in memory is refused: each connection would see its own,
    empty database, and everything would be lost at exit."""
    path = url.split(":///", 1)[1].split("?", 1)[0] if ":///" in url else ""
    if not path or path == ":memory:":
        raise ValueError(f"{url}: a SQLite store is a file; give its path")
    return path


def make_engine(url: str) -> Engine:
    from sqlalchemy import create_engine, event

    engine = create_engine(url, future=True, **({"connect_args": {"timeout": 30}} if url.startswith("sqlite") else {}))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def connect_sqlite(path: str, timeout: float = 30) -> sqlite3.Connection:
    """A sqlite3 connection set up as every connection of the store is (`_sqlite_pragmas`), in
    autocommit mode: a write transaction is opened explicitly (BEGIN IMMEDIATE). Usable from the
    thread that closes the store, not only the one that opened it."""
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    try:
        _sqlite_pragmas(conn, None)
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def immediate(conn: sqlite3.Connection):
    """A write transaction on a sqlite3 connection in autocommit mode: BEGIN IMMEDIATE (the file's
    write lock taken before the first read, so what is read is still true when written), COMMIT
    when the block ends, rolled back when it raises. sqlite3's errors raised as SQLAlchemy's."""
    with as_sqlalchemy_error("BEGIN IMMEDIATE", None):
        conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        with as_sqlalchemy_error("COMMIT", None):
            conn.execute("COMMIT")
    except BaseException:
        _roll_back(conn)
        raise


def _roll_back(conn: sqlite3.Connection) -> None:
    """Undo an open transaction after a failure; SQLite may have undone it already (a full disk), and a
    rollback that fails leaves it to SQLite's journal, which undoes it on the next open."""
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL: readers (the web page) never block the ingest; foreign keys are off by default in SQLite.
    dbapi_conn.text_factory = _sqlite_text  # one damaged value must not make the whole store unreadable
    cur = dbapi_conn.cursor()
    # 1 KB pages (a new file only; an existing one keeps its size): a document's row of 2-4 KB then
    # fills whole overflow pages instead of leaving a 4 KB page a quarter empty (store 2.8x -> 2.4x
    # the source text, bench/run_all.py). Set before WAL, which fixes the size of a new file.
    cur.execute("PRAGMA page_size=1024")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


# --------------------------------------------------------------------------- faults, in one line


@contextmanager
def as_sqlalchemy_error(sql: str, params):
    """A sqlite3 error of a statement run on the driver's connection, raised as SQLAlchemy raises it
    (OperationalError, IntegrityError, …): a fault of the store and a value it refuses are told
    apart by those classes (`ingest.record_problem`, `store_fault`)."""
    try:
        yield
    except sqlite3.Error as err:
        from sqlalchemy.exc import DBAPIError

        raise DBAPIError.instance(sql, params, err, sqlite3.Error) from err


def refused_as_taken(err: BaseException) -> bool:
    """A UNIQUE constraint refused the write: another writer took the same số đến, sổ đi number or
    file first, and the write runs again. (SQLAlchemy is loaded by then, or an error needs it.)"""
    from sqlalchemy.exc import IntegrityError

    return isinstance(err, IntegrityError)


class StoreDamaged(Exception):
    """The store file fails SQLite's own check: nothing should be written into it."""


def describe_store_error(err: BaseException) -> str | None:
    """One line saying what happened to the store and what to do, or None when `err` is not a store fault.

    Each document (and each sổ đi number) is one transaction, so whatever stopped it, nothing
    is half-written: the line says so instead of printing the SQL and the document's text.
    """
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    if isinstance(err, StoreDamaged):
        return str(err)
    if isinstance(err, DBAPIError):
        detail = str(err.orig).strip().splitlines()[0] if str(err.orig).strip() else type(err.orig).__name__
    elif isinstance(err, sqlite3.DatabaseError):
        detail = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    else:
        return None
    low = detail.lower()
    unchanged = "nothing was half-written"
    if "disk is full" in low or "no space left" in low or "diskfull" in type(getattr(err, "orig", err)).__name__.lower():
        return (f"store: disk full ({detail}); {unchanged} — free some space and run the same command "
                "again: what is stored stays, the rest is done then")
    if "readonly" in low or "read-only" in low:
        return (f"store: the store file or its folder is read-only ({detail}); {unchanged} — give this user "
                "write permission, or use another --db")
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return (f"store damaged ({detail}): nothing was written — restore the last backup with `congvan import`, "
                "or save what is readable with `sqlite3 FILE .recover`")
    if "locked" in low or "busy" in low:
        return (f"store busy: another process has held its write lock too long ({detail}); {unchanged} — "
                "run the same command again when it has finished")
    if "unable to open" in low:
        return f"cannot open the store ({detail}): check that its folder exists and is writable"
    return f"store error ({detail}); {unchanged}"


# --------------------------------------------------------------------------- the store


@dataclass
class Stored:
    """What happened to one file: its row id, status and, for incoming documents, số đến."""

    id: int | None
    status: str
    incoming_no: int | None = None
    duplicate_of: int | None = None
    new: bool = True


@lru_cache(maxsize=None)
def writer_lock(url: str) -> threading.RLock:
    """The one lock of a database in this process, shared by every `Store` opened on it."""
    return threading.RLock()


def one_writer(method):
    """A `Store` method that writes: it runs while no other thread of this process writes to the
    same database. SQLite takes one writer at a time, and the số đến and sổ đi numbers are MAX + 1
    inside the transaction; without the lock a second thread would wait on SQLite's busy timeout
    or retry on the UNIQUE constraint instead of simply queueing. Reentrant: a write may call another."""
    @wraps(method)
    def locked(self, *args, **kwargs):
        with self.write_lock:
            return method(self, *args, **kwargs)
    return locked


class Store(ListQueries):
    """The documents, their items and the registers, in SQLite (a file) or PostgreSQL.

    On SQLite the writes of a batch (`add`, `add_many`), the reads around them and `get` go to
    sqlite3's own connection, one per thread; the other methods go through SQLAlchemy, whose engine
    is made (and SQLAlchemy imported, a quarter of a second) the first time one of them needs it.
    """

    def __init__(self, url: str):
        self.url = url
        self.fts = url.startswith("sqlite")
        self.postgres = url.startswith("postgresql")
        self.path = sqlite_path(url) if self.fts else None
        self.write_lock = writer_lock(url)
        self._own = threading.local()  # each thread's own sqlite3 connection
        self._opened: list[sqlite3.Connection] = []

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.url)

    def close(self) -> None:
        """Close every connection the store opened (the file can then be moved or copied whole)."""
        for conn in self._opened:
            conn.close()
        self._opened.clear()
        self._own = threading.local()
        if "engine" in self.__dict__:
            self.engine.dispose()

    def _connection(self) -> sqlite3.Connection:
        """This thread's own sqlite3 connection to the store file, kept open: taking one from a pool and
        giving it back was a tenth of a `get`. Outside a transaction a read sees every commit."""
        own = getattr(self._own, "connection", None)
        if own is None:
            with as_sqlalchemy_error("(opening the store)", None):
                own = self._own.connection = connect_sqlite(self.path)
            self._opened.append(own)
        return own

    @contextmanager
    def _transaction(self):
        """One write transaction: on SQLite this thread's sqlite3 connection (`immediate`), else
        SQLAlchemy's. Committed when the block ends, rolled back when it raises."""
        if not self.fts:
            with self.engine.begin() as conn:
                yield conn
            return
        with immediate(self._connection()) as conn:
            yield conn

    def _fetch(self, sql: str, params: dict | None = None) -> list:
        """Every row of one read, outside any transaction."""
        if self.fts:
            return self._all(self._connection(), sql, params or {})
        with self.engine.connect() as conn:
            return self._all(conn, sql, params or {})

    @contextmanager
    def writing(self):
        """Hold the store's writer lock over several writes that belong together."""
        with self.write_lock:
            yield self

    def check(self) -> None:
        """Refuse to write into a damaged SQLite file (PRAGMA quick_check): StoreDamaged naming the fault."""
        if not self.fts:
            return
        problems = [r[0] for r in self._fetch("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            raise StoreDamaged(f"store damaged ({problems[0]}): nothing was written — restore the last backup with "
                               "`congvan import`, or save what is readable with `sqlite3 FILE .recover`")

    # -- writing

    def find_sha(self, sha256: str) -> int | None:
        rows = self._fetch("SELECT id FROM documents WHERE sha256 = :s", {"s": sha256})
        return rows[0][0] if rows else None

    def holds(self, sha256: str) -> bool:
        """Is a file with this SHA-256 stored and read (a failed one is read again)?"""
        rows = self._fetch("SELECT status FROM documents WHERE sha256 = :s", {"s": sha256})
        return bool(rows) and rows[0][0] != "failed"

    def known_hashes(self) -> dict[str, tuple[int, str]]:
        return {sha: (id_, status) for sha, id_, status in self._fetch("SELECT sha256, id, status FROM documents")}

    @one_writer
    def add(self, record: Record, sha256: str, file_name: str, received_on: date | None = None,
            attempts: int = 10) -> Stored:
        """Store one extracted record with its items, in one transaction (a failed read too).

        Two writers at once (a CLI ingest while the web page uploads) may both compute the same
        số đến, or store the same file: the second is refused by a UNIQUE constraint and simply
        runs again, then sees the other's row.
        """
        record = clean_value(record)  # every value below (also in lookups) is one the store can hold
        for attempt in range(attempts):
            try:
                return self._add_once(record, sha256, file_name, received_on)
            except Exception as err:
                if not refused_as_taken(err) or attempt == attempts - 1:
                    raise

    @one_writer
    def add_many(self, batch: list[tuple[Record, str, str, date | None]]) -> list[Stored]:
        """Store several records, each as `add` stores it (`batch`: its arguments), all in one
        transaction: one commit, and one new full-text segment, instead of one per document. All or
        nothing: when one of them fails, none is stored and its error is raised; the caller then
        stores them one by one with `add`, which says which one and why."""
        batch = [(clean_value(record), sha256, file_name, received_on)
                 for record, sha256, file_name, received_on in batch]
        with self._transaction() as conn:
            return [self._add_in(conn, *args) for args in batch]

    def _add_once(self, record: Record, sha256: str, file_name: str, received_on: date | None) -> Stored:
        with self._transaction() as conn:
            return self._add_in(conn, record, sha256, file_name, received_on)

    def _add_in(self, conn: Connection, record: Record, sha256: str, file_name: str, received_on: date | None) -> Stored:
        received = (received_on or date.today()).isoformat()
        existing = self._one(conn, "SELECT id, status, incoming_no, duplicate_of FROM documents WHERE sha256 = :s",
                             {"s": sha256})
        if existing and existing[1] != "failed":  # stored first by another process, or an attempt that died
            return Stored(*existing, new=False)
        if existing:  # a file that failed before is read again (e.g. after OCR was installed)
            self._many(conn, "DELETE FROM documents WHERE id = :id", [{"id": existing[0]}])
            self._delete_fts(conn, existing[0])
        row = self._document_row(record, sha256, file_name)
        duplicate_of = self._possible_duplicate(conn, record) if record.kind == "dispatch" else None
        row["duplicate_of"] = duplicate_of
        row["status"] = status_of(record, duplicate_of)
        if record.kind == "dispatch":
            row["received_on"] = received
            row["incoming_year"] = int(received[:4])
        doc_id, row["incoming_no"] = self._insert_document(conn, row)
        self._insert_items(conn, doc_id, record)
        self._index(conn, doc_id, record.subject, record.text)
        self._link_citations(conn, doc_id, record.number)
        return Stored(doc_id, row["status"], row.get("incoming_no"), duplicate_of)

    def _document_row(self, record: Record, sha256: str, file_name: str) -> dict:
        stamp = now()
        return {
            "sha256": sha256, "file_name": clean_name(file_name), "source_path": clean_name(record.source),
            "kind": record.kind,
            "error": record.error or None, "doc_type": record.doc_type, "number": record.number,
            "issued_on": record.issued_on, "place": record.place, "issuer": record.issuer,
            "parent_body": record.parent_body, "subject": record.subject,
            "recipients": stored_json(record.recipients), "distribution": stored_json(record.distribution),
            "signer_authority": record.signer.authority, "signer_title": record.signer.title,
            "signer_name": record.signer.name, "spans": stored_json(record.spans),
            "warnings": stored_json([Note.load(w).to_dict() for w in record.warnings]),
            "review": stored_json(record.review), "text": record.text,
            "incoming_year": None, "incoming_no": None,
            "received_on": None, "assignee": "", "note": "", "created_at": stamp, "updated_at": stamp,
            **({} if self.fts else {"folded": fold(f"{record.subject}\n{record.text}")}),
        }

    def _insert(self, table: str, row: dict, conn: Connection) -> int:
        row = {k: clean_text(v) for k, v in row.items()}
        names = ", ".join(row)
        values = ", ".join(f":{k}" for k in row)
        sql = f"INSERT INTO {table} ({names}) VALUES ({values}) RETURNING id"
        return conn.execute(text(sql), row).scalar_one()

    def _insert_items(self, conn: Connection, doc_id: int, record: Record) -> None:
        items = [self._placed({k: clean_text(v) for k, v in {
            "document_id": doc_id, "position": i, "label": item.label, "text": item.text,
            "deadline": item.deadline, "lead": item.lead,
            "support": stored_json(item.support), "status": "open",
        }.items()}, record.text) for i, item in enumerate(record.directives, start=1)]
        if items:  # one statement for all of them (executemany), in order
            self._many(conn, "INSERT INTO directives (document_id, position, label, text, deadline, lead, support, "
                             "status, text_start, text_end) VALUES (:document_id, :position, :label, :text, :deadline, "
                             ":lead, :support, :status, :text_start, :text_end)", items)
        if not record.references:
            return
        numbers = list(dict.fromkeys(ref.number for ref in record.references))
        cited = dict(self._all(conn, CITED.format(", ".join(f":n{i}" for i in range(len(numbers)))),
                               {"id": doc_id, **{f"n{i}": n for i, n in enumerate(numbers)}}))  # in one query
        self._many(conn, "INSERT INTO citations (document_id, position, doc_type, number, issued_on, issuer, cited_id) "
                         "VALUES (:document_id, :position, :doc_type, :number, :issued_on, :issuer, :cited_id)",
                     [{k: clean_text(v) for k, v in {
                         "document_id": doc_id, "position": i, "doc_type": ref.doc_type, "number": ref.number,
                         "issued_on": ref.issued_on, "issuer": ref.issuer, "cited_id": cited.get(ref.number),
                     }.items()} for i, ref in enumerate(record.references, start=1)])  # in order (executemany)

    def _placed(self, item: dict, document_text: str | None) -> dict:
        """A directive item's row with its text kept as its place in the document's text when it is
        one (SQLite, migration 9), else as it is."""
        start, end = directive_place(document_text, item["text"]) if self.fts else (None, None)
        return dict(item, text="" if start is not None else item["text"], text_start=start, text_end=end)

    def _link_citations(self, conn: Connection, doc_id: int, number: str) -> None:
        """Earlier documents that cited this one by number now point at it."""
        if number:
            self._many(conn, "UPDATE citations SET cited_id = :id WHERE number = :n AND cited_id IS NULL "
                             "AND document_id <> :id", [{"id": doc_id, "n": number}])

    def _possible_duplicate(self, conn: Connection, record: Record) -> int | None:
        """Decree 30 asks to warn on the same (số, ký hiệu, issuing body) from another file."""
        if not record.number[:1].isdigit():
            return None  # "/CT-UBND": the number itself was not read, so the symbol alone proves nothing (D17)
        return self._one(conn, "SELECT MIN(id) FROM documents WHERE number = :n AND issuer = :i AND kind = 'dispatch'",
                         {"n": record.number, "i": record.issuer})[0]

    def _insert_document(self, conn: Connection, row: dict) -> tuple[int, int | None]:
        """Insert a document; its số đến (MAX + 1 of its year) is computed by the INSERT itself,
        so on SQLite no other writer can take the same number between reading and writing. (Its
        values are clean already: `add` cleans the record, `_document_row` the file's name.)"""
        row = {k: v for k, v in row.items() if k != "incoming_no"}
        names = ", ".join(row) + ", incoming_no"
        values = ", ".join(f":{k}" for k in row)
        number = ("(SELECT COALESCE(MAX(incoming_no), 0) + 1 FROM documents WHERE incoming_year = :incoming_year)"
                  if row.get("incoming_year") else "NULL")
        if row.get("incoming_year") and self.postgres:
            # PostgreSQL (READ COMMITTED) would let two writers compute the same MAX + 1: the year's
            # number is serialised by a lock held to the end of this transaction, so it is gap-free
            # and never collides, however many writers there are.
            conn.execute(text("SELECT pg_advisory_xact_lock(:k, :y)"), {"k": LOCK_INCOMING, "y": row["incoming_year"]})
        insert = f"INSERT INTO documents ({names}) VALUES ({values}, {number}) RETURNING id, incoming_no"
        return self._one(conn, insert, row)

    # The statements `add` runs for every document. On SQLite they go straight to sqlite3 (`conn` is
    # its connection): SQLAlchemy's own work per statement (about 0.1 ms) was most of what storing a
    # document cost. SQL with ":name" parameters, which both accept.

    def _one(self, conn, sql: str, params: dict) -> tuple | None:
        """The first row, or None (every row is read, so the statement is finished)."""
        rows = self._all(conn, sql, params)
        return tuple(rows[0]) if rows else None

    def _all(self, conn, sql: str, params: dict) -> list:
        if not self.fts:
            return conn.execute(sql_text(sql), params).all()
        with as_sqlalchemy_error(sql, params):
            return conn.execute(sql, params).fetchall()

    def _many(self, conn, sql: str, rows: list[dict]) -> None:
        if not self.fts:
            conn.execute(sql_text(sql), rows)
            return
        with as_sqlalchemy_error(sql, rows):
            conn.executemany(sql, rows)

    def _index(self, conn: Connection, doc_id: int, subject: str, body: str) -> None:
        """Nothing to do: SQLite's full-text index follows `documents` by its triggers (migration 4)."""

    def _delete_fts(self, conn: Connection, doc_id: int) -> None:
        """Nothing to do: deleting the document's row takes it out of the full-text index."""

    # -- corrections

    @one_writer
    def edit(self, doc_id: int, changes: dict[str, str], author: str) -> StoredDocument:
        """Apply a person's corrections; each is kept with who and when, and wins over extraction."""
        unknown = [name for name in changes if name not in EDITABLE]
        if unknown:
            raise ValueError(f"cannot edit {', '.join(unknown)}; editable fields: {', '.join(EDITABLE)}")
        values = {name: typed_value(name, raw) for name, raw in changes.items()}
        with self.engine.begin() as conn:
            row = conn.execute(text("SELECT * FROM documents WHERE id = :id"), {"id": doc_id}).mappings().first()
            if row is None:
                raise NotFound("document", doc_id)
            received = values.get("received_on")
            if "received_on" in values and row["incoming_year"] and (received or "")[:4] != str(row["incoming_year"]):
                raise ValueError(f"received_on={changes['received_on'].strip()!r}: số đến {row['incoming_no']} "
                                 f"belongs to the register of {row['incoming_year']}; the date must stay in that year")
            stamp = now()
            for name, stored in values.items():
                conn.execute(text(f"UPDATE documents SET {name} = :v, updated_at = :t WHERE id = :id"),
                             {"v": stored, "t": stamp, "id": doc_id})
                conn.execute(text("INSERT INTO corrections (document_id, field, old_value, new_value, author, corrected_at) "
                                  "VALUES (:d, :f, :o, :n, :a, :t)"),
                             {"d": doc_id, "f": name, "o": row[name], "n": stored, "a": author, "t": stamp})
            if "subject" in changes and not self.fts:  # (SQLite's index follows by its triggers)
                subject, body = changes["subject"].strip(), row["text"] or ""
                conn.execute(text("UPDATE documents SET folded = :f WHERE id = :id"),
                             {"f": fold(f"{subject}\n{body}"), "id": doc_id})
                self._delete_fts(conn, doc_id)
                self._index(conn, doc_id, subject, body)
            if row["status"] == "needs_review" and nothing_left_to_check(conn, row, values):
                conn.execute(text("UPDATE documents SET status = 'ok' WHERE id = :id"), {"id": doc_id})
        return self.get(doc_id)

    @one_writer
    def mark_checked(self, doc_id: int, author: str) -> StoredDocument:
        """A person compared the record with the original and found it right: "needs review" (or a
        stored dispatch) becomes ok, kept as a correction of `status` with who and when."""
        with self.engine.begin() as conn:
            row = conn.execute(text("SELECT id, status FROM documents WHERE id = :id"), {"id": doc_id}).first()
            if row is None:
                raise NotFound("document", doc_id)
            if row.status == "failed":
                raise ValueError("a record that could not be read is entered by hand (register_by_hand)")
            self._set_status(conn, doc_id, row.status, "ok", author)
        return self.get(doc_id)

    @one_writer
    def register_by_hand(self, doc_id: int, author: str) -> StoredDocument:
        """A record the reader failed on, whose fields a person typed in, enters the sổ đến: it
        becomes a dispatch with the next số đến of its ngày đến's year (today when none)."""
        for attempt in range(10):
            try:
                with self.engine.begin() as conn:
                    row = conn.execute(text("SELECT * FROM documents WHERE id = :id"), {"id": doc_id}).mappings().first()
                    if row is None:
                        raise NotFound("document", doc_id)
                    if row["status"] != "failed" or row["incoming_no"]:
                        raise ValueError(f"#{doc_id} is not a failed record waiting for a số đến")
                    missing = [name for name in ("number", "issuer", "subject") if not (row[name] or "").strip()]
                    if missing:
                        raise ValueError(f"type in {', '.join(missing)} first")
                    received = row["received_on"] or date.today().isoformat()
                    year = int(received[:4])
                    if self.postgres:
                        conn.execute(text("SELECT pg_advisory_xact_lock(:k, :y)"), {"k": LOCK_INCOMING, "y": year})
                    conn.execute(text(
                        "UPDATE documents SET kind = 'dispatch', received_on = :r, incoming_year = :y, incoming_no = "
                        "(SELECT COALESCE(MAX(incoming_no), 0) + 1 FROM documents WHERE incoming_year = :y) "
                        "WHERE id = :id"), {"r": received, "y": year, "id": doc_id})
                    self._set_status(conn, doc_id, "failed", "ok", author)
                return self.get(doc_id)
            except Exception as err:  # another writer took the same số đến first: take the next one
                if not refused_as_taken(err) or attempt == 9:
                    raise

    def _set_status(self, conn: Connection, doc_id: int, old: str, new: str, author: str) -> None:
        stamp = now()
        conn.execute(text("UPDATE documents SET status = :s, updated_at = :t WHERE id = :id"),
                     {"s": new, "t": stamp, "id": doc_id})
        conn.execute(text("INSERT INTO corrections (document_id, field, old_value, new_value, author, corrected_at) "
                          "VALUES (:d, 'status', :o, :n, :a, :t)"),
                     {"d": doc_id, "o": old, "n": new, "a": author, "t": stamp})

    # -- reading

    def get(self, doc_id: int) -> StoredDocument:
        """One document with its items, citations and corrections; NotFound, or BadRow when damaged."""
        return self.get_many([doc_id])[0]

    def get_many(self, doc_ids: list[int]) -> list[StoredDocument]:
        """Documents as `get` gives them, in the order of `doc_ids` (an id named twice gives the same
        document twice), in four queries however many there are; NotFound for the first id not stored,
        BadRow for the first damaged one."""
        if not doc_ids:
            return []
        wanted = list(dict.fromkeys(doc_ids))
        if self.fts:
            rows, children, clean = self._read_sqlite(wanted)
        else:
            with self.engine.connect() as conn:
                rows, children = self._read_rows(self._read(conn, wanted))
            clean = True  # (no text factory: PostgreSQL decodes every value itself)
        docs = {}
        for doc_id in wanted:
            row = rows.get(doc_id)
            if row is None:
                raise NotFound("document", doc_id)
            docs[doc_id] = stored_document(row, {name: by_doc.get(doc_id, ()) for name, by_doc in children.items()},
                                           clean)
        return [docs[i] for i in doc_ids]

    @staticmethod
    def _read_rows(read) -> tuple[dict, dict]:
        """The documents' rows (dicts) by id, and their items, citations and corrections (tuples, in
        the order of CHILDREN's columns) by name and document id."""
        names, found = read("SELECT * FROM documents WHERE id IN ({ids})")
        rows = {row[0]: dict(zip(names, row)) for row in found}  # (id is the table's first column)
        children = {}
        for name, (columns, sql) in CHILDREN.items():
            children[name] = by_document = {}
            for row in read(sql)[1]:
                by_document.setdefault(row[1], []).append(row)  # (document_id: the second column)
        return rows, children

    @staticmethod
    def _read(conn: Connection, ids: list[int]):
        """`read(sql)`: the column names and rows (tuples) of a SELECT whose `{ids}` stands for `ids`."""
        from sqlalchemy import bindparam

        expanding = bindparam("ids", expanding=True)

        def read(sql: str) -> tuple[list[str], list[tuple]]:
            result = conn.execute(text(sql.format(ids=":ids")).bindparams(expanding), {"ids": ids})
            return list(result.keys()), [tuple(row) for row in result]
        return read

    def _read_sqlite(self, ids: list[int]) -> tuple[dict, dict, bool]:
        """`_read_rows` on a plain sqlite3 connection, without SQLAlchemy's cost per statement (most of
        a `get`): the text decoded by sqlite3 itself, and only when a value is not UTF-8 read again
        through the store's text factory, which marks it damaged. The third value: True when every
        value was UTF-8 (nothing damaged to look for)."""
        driver = self._connection()
        cursor = driver.cursor()
        marks = ", ".join("?" * len(ids))

        def read(sql: str) -> tuple[list[str], list[tuple]]:
            cursor.execute(sql.format(ids=marks), ids)
            return [column[0] for column in cursor.description], cursor.fetchall()

        driver.text_factory = str
        try:
            return (*self._read_rows(read), True)
        except sqlite3.OperationalError as err:
            if "decode" not in str(err):
                raise
        finally:
            driver.text_factory = _sqlite_text
        return (*self._read_rows(read), False)

    def documents(self, date_from: str | None = None, date_to: str | None = None, issuer: str | None = None,
                  doc_type: str | None = None, status: str | None = None, year: int | None = None,
                  skipped: list | None = None) -> list[dict]:
        """Documents filtered by issue date, issuer (any part, without diacritics), type, status.

        A row that cannot be decoded is left out and, when `skipped` is given, listed there as
        (id, reason) for the caller to report.
        """
        where, params = where_clause({"issued_on >= :df": date_from, "issued_on <= :dt": date_to,
                                      "doc_type = :ty": doc_type, "status = :st": status, "incoming_year = :y": year})
        sql = f"SELECT * FROM documents WHERE {where} ORDER BY id"
        with self.engine.connect() as conn:
            rows = decode_rows(conn.execute(text(sql), params).mappings(), skipped)
        if issuer:
            rows = [r for r in rows if fold(issuer) in fold(f"{r['parent_body']} {r['issuer']}")]
        return rows

    def search(self, query: str, limit: int = 50) -> list[StoredDocument]:
        """Full-text search over subject and text; a query without diacritics matches either way."""
        return self.get_many(self.search_ids(query, limit))

    def search_ids(self, query: str, limit: int = 50) -> list[int]:
        """The ids `search` finds, best first, without reading the documents."""
        match = self._search_match(query)
        if match is None:
            return []
        sql, params = match
        with self.engine.connect() as conn:
            if self.fts:
                sql = f"SELECT rowid FROM documents_fold WHERE {sql} ORDER BY rank LIMIT :n"
            else:
                sql = f"SELECT id FROM documents WHERE {sql} LIMIT :n"
            return [r[0] for r in conn.execute(text(sql), dict(params, n=limit))]

    def search_condition(self, query: str) -> tuple[str, dict]:
        """What `search` finds as a condition on `documents` (every match, unranked), for a list that
        filters and pages in the database: (SQL, its parameters)."""
        match = self._search_match(query)
        if match is None:
            return "1 = 0", {}
        sql, params = match
        return (f"id IN (SELECT rowid FROM documents_fold WHERE {sql})" if self.fts else f"({sql})"), params

    def _search_match(self, query: str) -> tuple[str, dict] | None:
        """The search's condition. SQLite: an FTS5 MATCH on `documents_fold`, the diacritic-free index
        that ranks; a query with diacritics also keeps to the documents `documents_fts` (words as
        written) finds. Elsewhere LIKE on `documents` (the folded text or the text). A query without
        diacritics matches either way."""
        words = re.findall(r"\w+", query)
        if not words:
            return None
        plain = fold(query) == query.casefold()
        if self.fts:
            folded = " AND ".join(f'"{fold(w)}"' for w in words)
            condition, params = "documents_fold MATCH :search_f", {"search_f": f"({folded})"}
            if not plain:
                exact = " AND ".join(f'"{w.casefold()}"' for w in words)
                # `+rowid`: a bare `rowid IN` is handed to FTS5 as one rowid lookup per document
                condition += " AND +rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH :search_q)"
                params["search_q"] = f"({exact})"
            return condition, params
        column = "folded" if plain else "LOWER(subject || ' ' || text)"
        clauses = " AND ".join(f"{column} LIKE :search_w{i}" for i in range(len(words)))
        return clauses, {f"search_w{i}": f"%{fold(w) if plain else w.lower()}%" for i, w in enumerate(words)}

    def tasks(self, due_before: str | None = None, overdue_on: str | None = None, status: str | None = None) -> list[dict]:
        """Directive items with their document; `overdue_on` keeps open items past deadline."""
        where, params = where_clause({"t.deadline IS NOT NULL AND t.deadline < :db": due_before,
                                      "t.status = 'open' AND t.deadline IS NOT NULL AND t.deadline < :od": overdue_on,
                                      "t.status = :st": status})
        sql = (f"SELECT {DIRECTIVE_COLUMNS}, d.number AS doc_number, d.issuer AS doc_issuer, d.subject AS doc_subject, "
               "d.incoming_no AS doc_incoming_no FROM directives t JOIN documents d ON d.id = t.document_id "
               f"WHERE {where} "
               "ORDER BY CASE WHEN t.deadline IS NULL THEN 1 ELSE 0 END, t.deadline, t.document_id, t.position")
        with self.engine.connect() as conn:
            return [dict(r, support=json.loads(r["support"] or "[]")) for r in conn.execute(text(sql), params).mappings()]

    @one_writer
    def mark_done(self, task_id: int, reply_number: str, done_on: str | None = None) -> None:
        with self.engine.begin() as conn:
            updated = conn.execute(text("UPDATE directives SET status = 'done', reply_number = :r, done_on = :d WHERE id = :id"),
                                   {"r": reply_number, "d": done_on or date.today().isoformat(), "id": task_id}).rowcount
        if not updated:
            raise NotFound("task", task_id)

    @one_writer
    def close_items(self, doc_id: int, reply_number: str, on: str, positions: Iterable[int]) -> list[tuple[int, str]]:
        """A reply answers the document's directive items at `positions` (from 1): those still open
        are marked done by `reply_number` on `on` (ISO), in one transaction. Returns the items closed
        as (position, label), in the order of `positions`; a position past the last item is ignored."""
        from sqlalchemy import bindparam

        wanted = list(dict.fromkeys(positions))
        if not wanted:
            return []
        close = text("UPDATE directives SET status = 'done', reply_number = :r, done_on = :d WHERE document_id = :id "
                     "AND status = 'open' AND position IN :ps RETURNING position, label").bindparams(
            bindparam("ps", expanding=True))
        with self.engine.begin() as conn:
            closed = dict(conn.execute(close, {"r": reply_number, "d": on, "id": doc_id, "ps": wanted}).all())
        return [(position, closed[position]) for position in wanted if position in closed]

    # -- outgoing documents (sổ văn bản đi)

    @one_writer
    def add_outgoing(self, org: str, year: int, build, attempts: int = 5) -> int:
        """Register an outgoing document under the next number of `org`'s `year`.

        The number is taken by the transaction's first statement (an INSERT computing MAX + 1),
        so on SQLite the write lock is held from that moment and a second secretary waits; on
        PostgreSQL a racing writer hits the UNIQUE constraint and tries the next number.
        `build(serial)` then returns the register row (it may also write the file) inside the
        same transaction: if it fails, the number is given back.
        """
        for attempt in range(attempts):
            try:
                with self.engine.begin() as conn:
                    if self.postgres:  # PostgreSQL: one writer per year's series at a time (see _insert_document)
                        conn.execute(text("SELECT pg_advisory_xact_lock(:k, :y)"), {"k": LOCK_OUTGOING, "y": year})
                    taken = conn.execute(text(
                        "INSERT INTO outgoing (org, year, serial, number, issued_on, doc_type, subject, created_at) "
                        "SELECT :o, :y, COALESCE(MAX(serial), 0) + 1, '', '', '', '', :t FROM outgoing "
                        "WHERE org = :o AND year = :y RETURNING id, serial"), {"o": org, "y": year, "t": now()}).one()
                    row = dict(build(taken.serial))
                    row["recipients"] = stored_json(row.get("recipients") or [])
                    assignments = ", ".join(f"{k} = :{k}" for k in row)
                    conn.execute(text(f"UPDATE outgoing SET {assignments} WHERE id = :id"), dict(row, id=taken.id))
                    return taken.id
            except Exception as err:
                if not refused_as_taken(err) or attempt == attempts - 1:
                    raise

    def outgoing(self, year: int | None = None, org: str | None = None) -> list[dict]:
        where, params = where_clause({"year = :y": year, "org = :o": org})
        with self.engine.connect() as conn:
            rows = conn.execute(text(f"SELECT * FROM outgoing WHERE {where} ORDER BY year, org, serial"), params)
            return [dict(r, recipients=json.loads(r["recipients"] or "[]")) for r in rows.mappings()]

    # -- export and import

    def export_documents(self, skipped: list | None = None) -> Iterator[StoredDocument]:
        """Every document with its items, citations and corrections, in id order.

        A row that cannot be read is left out and listed in `skipped` as (id, reason): the
        readable rest of a damaged store can still be saved.
        """
        with self.engine.connect() as conn:
            ids = [r[0] for r in conn.execute(text("SELECT id FROM documents ORDER BY id"))]
        for doc_id in ids:
            try:
                yield self.get(doc_id)
            except BadRow as bad:
                if skipped is not None:
                    skipped.append((bad.doc_id, bad.reason))
            except NotFound:  # removed while exporting (a failed file read again)
                continue

    def export_lines(self, skipped: list | None = None) -> Iterator[dict]:
        """The whole store as JSON Lines objects: documents, then the sổ văn bản đi ({"outgoing": row})."""
        yield from (doc.to_dict() for doc in self.export_documents(skipped))
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(text("SELECT * FROM outgoing ORDER BY id")).mappings()]
        for row in rows:
            damaged = [k for k, v in row.items() if isinstance(v, DamagedText)]
            if damaged:
                if skipped is not None:
                    skipped.append((f"outgoing {row['id']}", f"{damaged[0]}: not valid UTF-8"))
                continue
            yield {"outgoing": row}

    def export_csv(self, out, skipped: list | None = None) -> None:
        """Every document as a row of CSV (`write_records_csv`), for a spreadsheet; not a backup."""
        write_records_csv(self.export_documents(skipped), out)

    @one_writer
    def import_lines(self, lines: Iterable[dict]) -> int:
        """Load an export into an empty store: ids, số đến, corrections and the sổ đi kept as they were.

        Links between documents (a citation of a later document, a possible duplicate) are set
        once every document is in, so the order of the export does not matter; all of it is one
        transaction. Returns the number of documents.
        """
        with self.engine.connect() as conn:
            if conn.execute(text("SELECT COUNT(*) FROM documents")).scalar() or \
                    conn.execute(text("SELECT COUNT(*) FROM outgoing")).scalar():
                raise ValueError("import needs an empty store")
        count = 0
        links: list[tuple[str, str, int, int]] = []  # (table, column, row id, target id)
        outgoing: list[dict] = []
        with self.engine.begin() as conn:
            for line in lines:
                if set(line) == {"outgoing"}:
                    outgoing.append(line["outgoing"])
                    continue
                if not isinstance(line, dict) or "id" not in line or "sha256" not in line:
                    raise ValueError("not a congvan export (a line is neither a document nor a sổ đi entry): "
                                     "nothing imported")
                doc = line
                row = {k: doc.get(k) for k in DOCUMENT_COLUMNS}
                if not self.fts:  # PostgreSQL: the LIKE search's key (an export from SQLite has none)
                    row["folded"] = fold(f"{doc.get('subject') or ''}\n{doc.get('text') or ''}")
                for k in JSON_COLUMNS:
                    row[k] = stored_json(doc.get(k) or ([] if k != "spans" else {}))
                row["id"] = doc["id"]
                if row["duplicate_of"] is not None:
                    links.append(("documents", "duplicate_of", doc["id"], row["duplicate_of"]))
                    row["duplicate_of"] = None
                self._insert("documents", row, conn)
                for item in doc.get("directives", []):
                    item = self._placed(dict(item, support=stored_json(item["support"])), doc.get("text"))
                    self._insert("directives", item, conn)
                for ref in doc.get("references", []):
                    if ref.get("cited_id") is not None:
                        links.append(("citations", "cited_id", ref["id"], ref["cited_id"]))
                    self._insert("citations", dict(ref, cited_id=None), conn)
                for corr in doc.get("corrections", []):
                    self._insert("corrections", corr, conn)
                self._index(conn, doc["id"], doc.get("subject") or "", doc.get("text") or "")
                count += 1
            for table, column, row_id, target in links:
                conn.execute(text(f"UPDATE {table} SET {column} = :t WHERE id = :id"), {"t": target, "id": row_id})
            for row in outgoing:
                self._insert("outgoing", row, conn)
            if self.engine.dialect.name == "postgresql":
                for table in ("documents", "directives", "citations", "corrections", "outgoing"):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                      f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"))
        return count

    import_documents = import_lines


def write_records_csv(docs: Iterable[StoredDocument], out) -> None:
    """Documents as CSV (`CSV_COLUMNS`): lists joined by "; ", the items as "label. text" joined by
    " | ", the numbers cited, the fields people corrected."""
    import csv

    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for doc in docs:
        writer.writerow(csv_row(doc))


def csv_row(doc: StoredDocument) -> list:
    joined = {name: "; ".join(getattr(doc, name)) for name in LIST_FIELDS}
    joined.update(directives=" | ".join(f"{item.label}. {item.text}" for item in doc.directives),
                  references="; ".join(ref.number for ref in doc.references),
                  corrected_fields=", ".join(sorted(doc.corrected)))
    values = (joined[name] if name in joined else getattr(doc, name) for name in CSV_COLUMNS)
    return ["" if value is None else value for value in values]


def review_field(name: str) -> str:
    """The stored column a review entry names: "signer.name" → signer_name, "recipients[2]" → recipients."""
    return re.sub(r"\[.*?\]", "", name).split("[")[0].replace(".", "_")


def nothing_left_to_check(conn: Connection, row, values: dict) -> bool:
    """After a correction: is every doubt about the record settled? Each field named for review
    has been corrected (now or before), the key fields are filled, no warning doubts a value and
    it is not a possible duplicate. Otherwise the record stays "needs review" until a person
    marks it checked."""
    corrected = {r[0] for r in conn.execute(text("SELECT field FROM corrections WHERE document_id = :id"),
                                            {"id": row["id"]})} | set(values)
    review = json.loads(row["review"] or "[]")
    if any(review_field(entry.get("field", "")) not in corrected for entry in review):
        return False
    value = {name: values.get(name, row[name]) for name in ("number", "issued_on", "issuer", "subject", "doc_type")}
    if not (value["number"] and value["issued_on"] and value["issuer"] and (value["subject"] or value["doc_type"])):
        return False
    doubts = [w for w in json.loads(row["warnings"] or "[]") if Note.load(w).is_doubt]
    return not doubts and not row["duplicate_of"]


def status_of(record: Record, duplicate_of: int | None) -> str:
    if record.kind == "error":
        return "failed"
    if record.kind != "dispatch":
        return "other"
    missing = not (record.number and record.issued_on and record.issuer and (record.subject or record.doc_type))
    doubts = [w for w in record.warnings if Note.load(w).is_doubt]
    return "needs_review" if (missing or doubts or record.review or duplicate_of) else "ok"


def _children() -> dict[str, tuple[tuple[str, ...], str]]:
    """A stored document's items, citations and corrections as `get_many` reads them: their columns
    (the dataclass's attributes, in order: each row becomes one without naming its values; an
    item's place in the text last) and the SELECT (`{ids}`: the documents' ids)."""
    def select(table: str, columns: tuple[str, ...], order: str) -> str:
        return f"SELECT {', '.join(columns)} FROM {table} WHERE document_id IN ({{ids}}) ORDER BY document_id, {order}"

    item = tuple(StoredItem.__dataclass_fields__) + ("text_start", "text_end")
    citation, correction = tuple(StoredCitation.__dataclass_fields__), tuple(Correction.__dataclass_fields__)
    return {"directives": (item, select("directives", item, "position")),
            "references": (citation, select("citations", citation, "position")),
            "corrections": (correction, select("corrections", correction, "id"))}


CHILDREN = _children()
ITEM_POSITION, ITEM_TEXT, ITEM_SUPPORT = (CHILDREN["directives"][0].index(name) for name in ("position", "text", "support"))


def stored_document(row: dict, children: dict[str, list[tuple]], clean: bool = False) -> StoredDocument:
    """A document's row and its children's rows (tuples in CHILDREN's columns) as a StoredDocument;
    BadRow when a value is damaged (looked for unless `clean`: every value was read as UTF-8)."""
    doc = decode_row(row, clean)
    doc_id = doc["id"]
    if not clean:
        for name, rows in children.items():
            damaged = [column for r in rows for column, v in zip(CHILDREN[name][0], r) if isinstance(v, DamagedText)]
            if damaged:
                raise BadRow(doc_id, f"{name}.{damaged[0]}: not valid UTF-8 (damaged store page?)")
    text_ = doc["text"]
    return StoredDocument(**doc, directives=[stored_item(r, text_, doc_id) for r in children["directives"]],
                          references=[StoredCitation(*r) for r in children["references"]],
                          corrections=[Correction(*r) for r in children["corrections"]])


def stored_item(row: tuple, document_text: str | None, doc_id: int) -> StoredItem:
    """A directive item's row as read (its place in the text last, migration 9) as a StoredItem."""
    *values, start, end = row
    if start is not None:
        values[ITEM_TEXT] = directive_text(document_text or "", start, end)
    support = values[ITEM_SUPPORT]
    try:
        values[ITEM_SUPPORT] = [] if not support or support == "[]" else load_json(support)
    except ValueError:
        raise BadRow(doc_id, f"directive {values[ITEM_POSITION]}: support is not a valid list") from None
    return StoredItem(*values)


def decode_row(row, clean: bool = False) -> dict:
    """A stored document as a dict with its JSON columns decoded; BadRow when a value is damaged
    (looked for unless `clean`: every value was read as UTF-8)."""
    doc = dict(row)
    if not clean:
        damaged = [k for k, v in doc.items() if isinstance(v, DamagedText)]
        if damaged:
            raise BadRow(doc.get("id"), f"{', '.join(damaged)}: not valid UTF-8 (damaged store page?)")
    for k in JSON_COLUMNS:
        value = doc.get(k)
        if not value or value == "[]":  # (most lists are empty: not parsed)
            doc[k] = {} if k == "spans" and not value else []
            continue
        try:
            doc[k] = load_json(value)
        except ValueError:
            raise BadRow(doc.get("id"), f"{k}: not a valid list ({shorten(doc[k])})") from None
    if doc.get("warnings"):  # notes stored as sentences before the codes get theirs here, once
        doc["warnings"] = [Note.load(w).to_dict() for w in doc["warnings"]]
    return doc


def decode_rows(rows, skipped: list | None) -> list[dict]:
    """Rows that decode; the others go to `skipped` as (id, reason) (one bad row never hides the rest)."""
    out = []
    for row in rows:
        try:
            out.append(decode_row(row))
        except BadRow as bad:
            if skipped is not None:
                skipped.append((bad.doc_id, bad.reason))
    return out


def shorten(value, width: int = 40) -> str:
    value = str(value)
    return value if len(value) <= width else value[: width - 1] + "…"


def checked_date(name: str, raw: str) -> str | None:
    """An edited date as ISO (typed 2024-03-15 or 15/03/2024), None when emptied; ValueError otherwise."""
    from .dates import parse_user_date

    if not raw.strip():
        return None
    parsed = parse_user_date(raw)
    if parsed is None:
        raise ValueError(f"{name}={raw.strip()!r} is not a date: write 15/03/2024 or 2024-03-15")
    return parsed.isoformat()



def typed_value(name: str, raw: str):
    """The stored form of a corrected value: dates ISO, lists JSON, text stripped; ValueError when invalid."""
    if name in DATE_FIELDS:
        return checked_date(name, raw)
    if name in LIST_FIELDS:
        try:
            return stored_json(parse_list(raw))
        except ValueError:
            raise ValueError(f"{name}: not a list: write a; b; c or a JSON list") from None
    return clean_text(raw.strip())


def parse_list(raw: str) -> list[str]:
    """A corrected list: JSON ('["a", "b"]') or entries separated by ";" or new lines."""
    raw = raw.strip()
    if raw.startswith("["):
        return [str(v).strip() for v in json.loads(raw)]
    return [part.strip() for part in re.split(r"[;\n]", raw) if part.strip()]
