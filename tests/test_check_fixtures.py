"""`congvan check` on the fixture set of corpus/check (built by corpus/check/build.py, faults
listed in gold.json): the level it reaches, and the classes of false reports and misses it
was fixed for, one test each."""
from __future__ import annotations

import io
import json
import sys
import zipfile

import pytest

from conftest import ROOT
from pipeline.check import CheckError, check_docx, check_report
from pipeline.check.document import open_docx, read_document

FIXTURES = ROOT / "corpus" / "check"
DOCS = FIXTURES / "docs"
GOLD = json.loads((FIXTURES / "gold.json").read_text(encoding="utf-8"))


def _evaluate():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import check_eval
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return check_eval.evaluate(FIXTURES)


def test_fixture_set_is_what_the_issue_asks_for():
    assert len(GOLD) >= 40
    producers = {g["producer"] for g in GOLD.values()}
    assert producers == {"python-docx", "libreoffice"}
    kinds = {g["kind"] for g in GOLD.values()}
    assert kinds == {"document", "appendix", "copy", "party"}
    types = {g["type"] for g in GOLD.values()}
    appendix_iii = {"Nghị quyết", "Quyết định", "Chỉ thị", "Quy chế", "Quy định", "Thông cáo", "Thông báo",
                    "Hướng dẫn", "Chương trình", "Kế hoạch", "Phương án", "Đề án", "Dự án", "Báo cáo", "Biên bản",
                    "Tờ trình", "Hợp đồng", "Công điện", "Bản ghi nhớ", "Bản thỏa thuận", "Giấy ủy quyền",
                    "Giấy mời", "Giấy giới thiệu", "Giấy nghỉ phép", "Phiếu gửi", "Phiếu chuyển", "Phiếu báo",
                    "Công văn"}
    assert appendix_iii <= types
    assert sum(bool(g["faults"]) for g in GOLD.values()) >= 25
    assert all((DOCS / name).exists() for name in GOLD)


def test_precision_and_recall_reach_the_issue_level():
    score = _evaluate()
    failures = "\n".join(f"{what} {name}: {detail}" for name, what, detail in score.failures)
    assert score.precision >= 0.97, failures
    assert score.recall >= 0.95, failures
    assert score.type_right / score.files >= 0.95, failures


def test_party_document_is_recognised_and_not_judged_by_decree_30():
    report = check_report(DOCS / "party_cv.docx")
    assert report.kind == "party" and report.violations == []
    assert any("Party" in note and "Decree 30" in note for note in report.notes)


@pytest.mark.parametrize("name,kind", [("appendix_only.docx", "appendix"), ("copy_sao_y.docx", "copy"),
                                       ("copy_trich_sao.docx", "copy"), ("kh_appendix.docx", "document")])
def test_appendix_and_copy_forms_are_recognised(name, kind):
    assert check_report(DOCS / name).kind == kind


def test_appendix_without_its_reference_line_is_reported():
    rules = {v.rule for v in check_docx(DOCS / "appendix_only_noref.docx")}
    assert rules == {"appendix"}


@pytest.mark.parametrize("name", ["cv_header_below.docx", "cv_header_below_stack.docx", "cv_sign_paras.docx",
                                  "cv_contact_line.docx", "hd_noibo.docx", "kh_mat.docx", "bc_toi_mat.docx",
                                  "cv_landscape_table.docx", "qd_vedviec.docx"])
def test_layouts_that_were_false_alarms_pass(name):
    violations = check_docx(DOCS / name)
    assert violations == [], [f"{v.rule} {v.where}" for v in violations]


def test_secrecy_mark_is_not_an_urgency():
    from pipeline.check.components import find_layout

    lay = find_layout(read_document(open_docx(DOCS / "kh_mat.docx")))
    assert [ln.text for ln in lay.secrecy] == ["MẬT"] and lay.urgency == []
    assert lay.type_name[0].text == "KẾ HOẠCH"


def test_lettered_list_items_read_as_printed():
    doc = read_document(open_docx(DOCS / "cv_lettered.docx"))
    labels = [p.text[:2] for p in doc.paras if p.text[:2] in ("a)", "b)", "c)", "1)")]
    assert labels == ["a)", "b)", "c)"]


def test_paragraph_with_a_declared_entity_is_read():
    doc = read_document(open_docx(DOCS / "cv_entity.docx"))
    assert any(p.text.startswith("Sở Y tế tỉnh Quảng Ngãi thực hiện chỉ đạo") for p in doc.paras)


def test_docm_is_checked_not_called_corrupt():
    assert check_docx(DOCS / "cv_docm.docm") == []


def test_external_entity_is_never_fetched(tmp_path):
    data = (DOCS / "cv_plain.docx").read_bytes()
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "word/document.xml":
                content = content.replace(b"?>", b'?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1)
                content = content.replace(b">Th\xe1\xbb\xb1c hi\xe1\xbb\x87n", b">&x;Th\xe1\xbb\xb1c hi\xe1\xbb\x87n", 1)
            dst.writestr(info, content)
    try:
        doc = read_document(open_docx(out.getvalue()))
    except CheckError:
        return
    assert not any("root:" in p.text for p in doc.paras)


def test_faults_are_found_in_layouts_they_were_not_written_in():
    """The fault fixtures rebuilt with the header below its table and the signer block as paragraphs."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import check_eval
    finally:
        sys.path.remove(str(ROOT / "bench"))
    score = check_eval.evaluate(layouts=True)
    failures = "\n".join(f"{what} {name}: {detail}" for name, what, detail in score.failures)
    assert score.files >= 150
    assert score.precision >= 0.97 and score.recall >= 0.95, failures
