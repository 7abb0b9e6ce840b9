"""The stored document's one field declaration, what is derived from it, and StoredDocument."""
import json
import sqlite3
from dataclasses import replace
from datetime import date

from pipeline.records import Directive, Record, Reference, Signer
from pipeline.store import open_store
from pipeline.stored import (COLUMNS, CSV_COLUMNS, DATE_FIELDS, EDITABLE, FIELDS, LIST_FIELDS, LONG_FIELDS, SHOWN,
                             StoredDocument)
from pipeline.web.render import VI


def stored_one(tmp_path):
    store = open_store(str(tmp_path / "s.db"))
    record = Record(source="inbox/a.txt", kind="dispatch", doc_type="Công văn", number="12/UBND-VP",
                    issued_on="2026-03-01", issuer="UBND TỈNH SƠN LA", subject="thử", recipients=["Sở Y tế"],
                    directives=[Directive("1", "Báo cáo kết quả", "2026-04-01", "Sở Y tế", ["Sở Tài chính"])],
                    references=[Reference("Công văn", "3/UBND-VP", "2026-01-02", "UBND TỈNH SƠN LA")],
                    signer=Signer("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn A"), text="Báo cáo kết quả")
    doc_id = store.add(record, "a" * 64, "a.txt", date(2026, 3, 2)).id
    store.edit(doc_id, {"note": "gấp"}, "thư ký")
    return store, doc_id


def test_every_field_a_person_corrects_has_a_vietnamese_label():
    labels = VI["fields"]
    assert [name for name in EDITABLE if not labels.get(name)] == []


def test_the_declaration_names_every_column_of_the_table_once(tmp_path):
    names = [f.name for f in FIELDS]
    assert len(names) == len(set(names))
    assert set(COLUMNS) - {"folded"} == set(names)  # (folded: PostgreSQL's search key, no field of a person)
    open_store(str(tmp_path / "t.db"))
    with sqlite3.connect(tmp_path / "t.db") as con:
        table = [row[1] for row in con.execute("PRAGMA table_info(documents)")]
    assert table == [c for c in COLUMNS if c != "folded"]  # StoredDocument's order is the table's


def test_lists_derived_from_the_declaration_keep_their_published_order():
    assert CSV_COLUMNS == ("id", "incoming_year", "incoming_no", "received_on", "status", "file_name", "doc_type",
                           "number", "issued_on", "place", "parent_body", "issuer", "subject", "recipients",
                           "distribution", "signer_authority", "signer_title", "signer_name", "directives",
                           "references", "corrected_fields", "error")
    assert SHOWN == ("status", "file_name", "incoming_no", "received_on", "doc_type", "number", "issued_on", "place",
                     "parent_body", "issuer", "subject", "recipients", "distribution", "signer_authority",
                     "signer_title", "signer_name", "assignee", "note")
    assert set(EDITABLE) == {"doc_type", "number", "issued_on", "place", "issuer", "parent_body", "subject",
                             "recipients", "distribution", "signer_authority", "signer_title", "signer_name",
                             "assignee", "note", "received_on"}
    assert set(LIST_FIELDS) == {"recipients", "distribution"} and set(DATE_FIELDS) == {"issued_on", "received_on"}
    assert set(LONG_FIELDS) == {"subject", "recipients", "distribution", "note"}


def test_a_stored_document_is_read_by_attribute_and_exported_as_before(tmp_path):
    store, doc_id = stored_one(tmp_path)
    doc = store.get(doc_id)
    assert isinstance(doc, StoredDocument) and doc.number == "12/UBND-VP" and doc.recipients == ["Sở Y tế"]
    item, = doc.directives
    assert (item.label, item.deadline, item.support, item.status, item.reply_number) == (
        "1", "2026-04-01", ["Sở Tài chính"], "open", None)
    assert doc.references[0].number == "3/UBND-VP" and doc.corrected == {"note"} and doc.note == "gấp"
    # read by key while callers move (deprecated)
    assert doc["number"] == doc.get("number") == doc.number and doc.get("nothing") is None
    assert item["text"] == item.text == "Báo cáo kết quả"
    line = doc.to_dict()
    assert list(line)[:3] == ["id", "sha256", "file_name"] and list(line)[-4:] == [
        "review", "directives", "references", "corrections"] and "folded" not in line
    assert json.loads(json.dumps(line, ensure_ascii=False)) == line  # plain JSON values only
    assert next(store.export_lines()) == line
    assert replace(doc, number="13/UBND-VP").number == "13/UBND-VP"  # a copy with a value changed


def test_the_csv_export_has_one_row_a_document_in_the_declared_columns(tmp_path):
    import csv
    import io

    store, doc_id = stored_one(tmp_path)
    out = io.StringIO()
    store.export_csv(out)
    header, row = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(header) == CSV_COLUMNS
    values = dict(zip(header, row))
    assert values["directives"] == "1. Báo cáo kết quả" and values["references"] == "3/UBND-VP"
    assert values["corrected_fields"] == "note" and values["error"] == "" and values["incoming_no"] == "1"


def test_the_lists_read_the_declared_columns_only():
    from pipeline.store_queries import LIST_COLUMNS, REGISTER_COLUMNS

    listed = {c.strip() for c in LIST_COLUMNS.split(",")}
    assert listed == {"id", "file_name", "status", "kind", "error", "doc_type", "number", "issued_on", "issuer",
                      "subject", "incoming_year", "incoming_no", "received_on", "duplicate_of", "created_at",
                      "updated_at", "CASE WHEN status = 'failed' THEN warnings END AS warnings"}
    assert {c.strip() for c in REGISTER_COLUMNS.split(",")} == {
        "id", "received_on", "incoming_no", "issuer", "parent_body", "number", "issued_on", "doc_type", "subject",
        "assignee", "note", "duplicate_of"}
