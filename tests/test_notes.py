"""Coded notes (records.Note, data/notes.json): every code the pipeline writes has its words and its
kind, a record's notes survive to_dict/from_dict, and records stored before the codes still load."""
import ast
from pathlib import Path

import pytest

from pipeline import notes
from pipeline.records import Note, ReadError, Record
from pipeline.store import status_of

PIPELINE = Path(__file__).parents[1] / "pipeline"


def codes_in_source() -> dict[str, str]:
    """code → where: every Note("code", …) and ReadError(path, "code", …) call in pipeline/ (records.py
    builds a ReadError's note from its code: the one call whose code is not a literal)."""
    found = {}
    for path in PIPELINE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            name = getattr(node.func, "id", "") if isinstance(node, ast.Call) else ""
            code = node.args[0] if name == "Note" and node.args else node.args[1] if name == "ReadError" else None
            if code is None or path.name == "records.py" and isinstance(code, ast.Name):
                continue
            assert isinstance(code, ast.Constant), f"{path}:{node.lineno}: a {name}'s code is a literal"
            found.setdefault(code.value, f"{path.name}:{node.lineno}")
    return found


# Codes a record may get only from its English words: stored before the codes (notes.legacy_error), or
# written so still by ingest.py and distributed.py (UNSETTLED) until it moves.
LEGACY_ONLY = {notes.OTHER, "unreadable", "unsettled"}


def test_every_code_the_pipeline_writes_has_its_words_and_kind():
    used = codes_in_source()
    assert len(used) >= 75
    assert {code: where for code, where in used.items() if code not in notes.codes()} == {}
    for code, entry in notes.codes().items():
        assert entry["kind"] in (notes.DOUBT, notes.FORMAT, notes.ERROR), code
        assert entry["vi"] and entry["en"], code
        Note(code, "number", "5").vi  # the templates take {detail} and {field} only
    assert set(notes.codes()) - set(used) - LEGACY_ONLY == set()  # no code the pipeline no longer writes


def test_every_read_error_the_pipeline_raises_has_a_code_of_kind_error():
    raised = {}
    for path in PIPELINE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ReadError":
                code = node.args[1]
                assert isinstance(code, ast.Constant), f"{path}:{node.lineno}: a ReadError's code is a literal"
                raised[code.value] = f"{path.name}:{node.lineno}"
    assert len(raised) >= 45
    assert {code: where for code, where in raised.items()
            if notes.codes().get(code, {}).get("kind") != notes.ERROR} == {}


def test_a_code_not_in_the_table_is_refused_but_a_stored_one_loads():
    with pytest.raises(ValueError):
        Note("no-such-code")
    assert Note.load({"code": "no-such-code", "field": "number", "detail": "5"}) == Note("other", "number", "no-such-code: 5")


def test_the_reason_a_file_failed_is_a_coded_note_and_english_for_the_command_line(tmp_path):
    from pipeline.process import process_file
    from pipeline.read import read

    with pytest.raises(ReadError) as caught:
        read(tmp_path / "gone.pdf")
    assert caught.value.note == Note("not-found") and caught.value.reason == "not found"
    (tmp_path / "a.xyz").write_bytes(b"\x00\x01")
    record = process_file(str(tmp_path / "a.xyz"))
    assert record.kind == "error" and record.error == "unsupported file type .xyz"
    assert record.failure == Note("unsupported-type", "", ".xyz") and record.warnings == [record.failure]
    assert record.failure.vi == "Loại tệp .xyz không được hỗ trợ" and not record.failure.is_doubt
    assert Record.from_dict(record.to_dict()).failure == record.failure  # export → import


@pytest.mark.parametrize("reason, note", [
    ("corrupt PDF: No /Root object! - Is this really a PDF?", Note("pdf-corrupt", "", "No /Root object! - Is this really a PDF?")),
    ("file too large for a text document (2 MB; limit 1 MB: [limits] text_mb in congvan.toml)",
     Note("text-too-large", "text_mb", "2 MB; limit 1 MB")),
    ("unsupported file type .xyz", Note("unsupported-type", "", ".xyz")),
    ("the worker process reading this file died (killed, e.g. out of memory, or a crash in a native library); "
     "the rest of the batch went on", Note("worker-died")),
    ("something new: /srv/secret/path", Note("unreadable", "", "something new: /srv/secret/path")),
])
def test_a_failure_stored_as_its_english_reason_loads_with_its_code(reason, note):
    record = Record.from_dict({"source": "a", "kind": "error", "error": reason})
    assert record.failure == note and record.failure.text == reason


def test_a_failures_vietnamese_never_shows_a_detail_that_may_hold_a_path():
    """Only the details congvan writes itself (a suffix, an attachment's number) are said; the limits
    by their name in congvan.toml."""
    shown = {code for code, entry in notes.codes().items() if entry["kind"] == notes.ERROR and "{detail}" in entry["vi"]}
    assert shown == {"unsupported-type", "edxml-attachment-empty", "edxml-attachment-base64"}
    said = Note("image-corrupt", "", "cannot identify image file '/work/data/uploads/x.jpg'").vi
    assert said == "Tệp ảnh bị hỏng hoặc không phải ảnh"
    assert Note("text-too-large", "text_mb", "2 MB; limit 1 MB").vi == \
        "Tệp văn bản quá lớn (vượt giới hạn [limits] text_mb trong congvan.toml)"


def test_format_notes_are_the_senders_formatting():
    assert {c for c, e in notes.codes().items() if e["kind"] == notes.FORMAT} == {
        "date-rule-day", "date-rule-month", "number-rule", "distribution-no-luu"}


@pytest.mark.parametrize("sentence, note", [
    ("date rule: month 2 should be written 02", Note("date-rule-month", "issued_on", "2")),
    ("number rule: 5 should be written with a leading 0", Note("number-rule", "number", "5")),
    ("Nơi nhận has no 'Lưu: VT, …' line", Note("distribution-no-luu", "distribution")),
    ("no 'Số:' line found in the header", Note("number-missing", "number")),
    ("low OCR confidence on signer (60%)", Note("low-ocr-confidence", "signer.name", "60")),
    ("impossible date: ngày 31 tháng 02 năm 2024", Note("date-impossible", "issued_on", "ngày 31 tháng 02 năm 2024")),
    ("date not in the text: taken from the digital signature (signed 2024-03-14T09:00:00 by Nguyễn Văn A); check it",
     Note("date-from-signature", "issued_on", "2024-03-14T09:00:00 — Nguyễn Văn A")),
    ("digital signature Signature1: modified, trust not checked, signed 2024-03-01 by A, B",
     Note("signature-failed", "signatures", "Signature1 (A, B)")),
    ("digital signature: no signer certificate names the issuing body SỞ Y TẾ (A, B)",
     Note("signature-not-issuer", "signatures", "SỞ Y TẾ (A, B)")),
    ("gói edXML khai báo số, ký hiệu '1/X', văn bản đính kèm ghi '2/X'",
     Note("other", "", "gói edXML khai báo số, ký hiệu '1/X', văn bản đính kèm ghi '2/X'")),
    ("something nobody wrote", Note("other", "", "something nobody wrote")),
])
def test_a_note_stored_as_a_sentence_loads_with_its_code(sentence, note):
    assert Note.load(sentence) == note


def test_a_record_exported_before_the_codes_loads_and_keeps_its_status():
    old = {"source": "a.txt", "kind": "dispatch", "number": "5/UBND-VP", "issued_on": "2024-03-05", "issuer": "UBND",
           "subject": "s", "warnings": ["date rule: day 5 should be written 05"]}
    record = Record.from_dict(old)
    assert record.warnings == [Note("date-rule-day", "issued_on", "5")]
    assert status_of(record, None) == "ok"  # a format note only
    record = Record.from_dict(dict(old, warnings=old["warnings"] + ["no Kính gửi found"]))
    assert status_of(record, None) == "needs_review"


def test_to_dict_writes_code_field_detail_and_reads_back():
    record = Record("a.txt", warnings=[Note("number-rule", "number", "5"), Note("issuer-missing", "issuer")])
    data = record.to_dict()
    assert data["warnings"] == [{"code": "number-rule", "field": "number", "detail": "5"},
                                {"code": "issuer-missing", "field": "issuer", "detail": ""}]
    assert Record.from_dict(data).warnings == record.warnings


def test_status_asks_the_kind_not_the_words():
    record = Record("x", kind="dispatch", number="5/UBND-VP", issued_on="2024-03-05", issuer="UBND", subject="s")
    for code, entry in notes.codes().items():
        if entry["kind"] == notes.ERROR:  # (only a failed record has one: its status is "failed")
            continue
        record.warnings = [Note(code, "number", "5")]
        assert status_of(record, None) == ("ok" if entry["kind"] == notes.FORMAT else "needs_review"), code


def test_english_text_stays_for_logs_and_the_command_line():
    assert str(Note("date-rule-day", "issued_on", "5")) == "date rule: day 5 should be written 05"
    assert Note("low-ocr-confidence", "issued_on", "70").text == "low OCR confidence on date (70%)"
    assert Note("date-vs-signing", "issued_on", "2024-03-01 → 2024-03-10").vi.endswith("01/03/2024 → 10/03/2024")


def test_show_prints_each_note_in_vietnamese(tmp_path):
    from datetime import date

    from click.testing import CliRunner

    from pipeline.cli import main
    from pipeline.store import open_store

    record = Record("a.txt", kind="dispatch", number="5/UBND-VP", issued_on="2024-03-05", issuer="UBND", subject="s",
                    warnings=[Note("number-rule", "number", "5"), Note("recipients-missing", "recipients")])
    doc_id = open_store(str(tmp_path / "c.db")).add(record, "a" * 64, "a.txt", date(2024, 3, 6)).id
    shown = CliRunner().invoke(main, ["show", str(doc_id), "--db", str(tmp_path / "c.db")]).output
    assert "Cách ghi số chưa đúng Nghị định 30: số 5 phải viết thêm số 0 ở đầu" in shown
    assert "Không thấy «Kính gửi»" in shown and "number rule" not in shown


def test_show_says_why_a_file_failed_in_vietnamese_from_its_code_and_before_the_codes(tmp_path):
    from datetime import date

    from click.testing import CliRunner
    from sqlalchemy import text

    from pipeline.cli import main
    from pipeline.store import open_store

    store = open_store(str(tmp_path / "c.db"))
    ids = [store.add(Record.failed(name, note), sha * 64, name, date(2024, 3, 6)).id for name, note, sha in (
        ("a.pdf", Note("pdf-encrypted"), "a"), ("b.docx", Note("docx-too-large", "docx_mb", "3 MB; limit 1 MB"), "b"),
        ("c.pdf", Note("read-failed", "", "KeyError: '/srv/x'"), "c"))]
    with store.engine.begin() as conn:  # stored before the codes: its English reason only
        conn.execute(text("UPDATE documents SET warnings = '[]', error = 'empty file' WHERE id = :id"), {"id": ids[2]})
    shown = [CliRunner().invoke(main, ["show", str(doc_id), "--db", str(tmp_path / "c.db")]).output for doc_id in ids]
    assert "error            PDF có mật khẩu" in shown[0] and "encrypted" not in shown[0]
    assert "Tệp DOCX quá lớn khi giải nén (vượt giới hạn [limits] docx_mb trong congvan.toml)" in shown[1]
    assert "error            Tệp rỗng" in shown[2] and "warning" not in "".join(shown)
