"""The secretary's reply: organisation file, templates, numbering, Decree 30 DOCX, round trip."""
import os
import shutil
import threading
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from conftest import CORPUS
from pipeline.cli import main
from pipeline.extract import extract
from pipeline.generate import (ConversionError, TemplateError, body_paragraphs, distribution_entries, issue,
                               list_entries, list_templates, render_draft, to_pdf)
from pipeline.ingest import ingest
from pipeline.org import EXAMPLE, OrgError, load_org, org_from_dict
from pipeline.read import read
from pipeline.register import OUTGOING_COLUMNS, outgoing_rows, write_xlsx
from pipeline.store import open_store
from pipeline.stored import Correction
from pipeline.wording import number_and_symbol, org_name_in_text, place_and_date

PHUC_DAP_SOURCE = CORPUS / "a_20_ttyt_nhatrang_cv__docx.docx"  # a công văn
PLAN_SOURCE = CORPUS / "b_07_kehoach_stnmt_hcm_chatthai__docx.docx"  # a kế hoạch with deadlines and leads
GIAY_MOI = {"thoi_gian": "08 giờ 00, ngày 10/12/2026", "dia_diem": "Phòng họp số 1, Sở Y tế",
            "thanh_phan": "Lãnh đạo các phòng chuyên môn; Giám đốc Trung tâm Y tế các huyện"}
TEMPLATE_VALUES = {
    "phuc-dap": {}, "bao-cao-ket-qua": {}, "giay-moi": GIAY_MOI,
    "cong-van": {"noi_dung": "đề nghị các đơn vị rà soát và báo cáo số liệu trước ngày 15/12/2026."},
}


@pytest.fixture
def org(tmp_path):
    path = tmp_path / "congvan.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    return load_org(str(path))


@pytest.fixture
def store(tmp_path):
    store = open_store(str(tmp_path / "c.db"))
    ingest([str(PHUC_DAP_SOURCE), str(PLAN_SOURCE)], store, received_on=date(2024, 10, 1))
    return store


def doc_id(store, source: Path) -> int:
    return next(d["id"] for d in store.documents() if d["file_name"] == source.name)


# --------------------------------------------------------------------------- wording and org


@pytest.mark.parametrize("day, expected", [
    (date(2026, 1, 5), "Sơn La, ngày 05 tháng 01 năm 2026"),
    (date(2026, 2, 28), "Sơn La, ngày 28 tháng 02 năm 2026"),
    (date(2019, 6, 29), "Sơn La, ngày 29 tháng 6 năm 2019"),  # the decree's own example: no zero for 6
    (date(2026, 12, 9), "Sơn La, ngày 09 tháng 12 năm 2026"),
])
def test_date_line_follows_the_leading_zero_rule(day, expected):
    assert place_and_date("Sơn La", day) == expected


@pytest.mark.parametrize("serial, doc_type, expected", [
    (5, "Công văn", "05/SYT-VP"), (12, "Giấy mời", "12/GM-SYT"), (103, "Báo cáo", "103/BC-SYT"),
    (7, "Tờ trình", "07/TTr-SYT"),
])
def test_number_and_symbol(serial, doc_type, expected):
    assert number_and_symbol(serial, doc_type, "SYT", "VP") == expected


@pytest.mark.parametrize("upper, expected", [
    ("BẢO HIỂM XÃ HỘI VIỆT NAM", "Bảo hiểm xã hội Việt Nam"),
    ("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "Ủy ban nhân dân tỉnh Quảng Ngãi"),
    ("SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Sở Giáo dục và Đào tạo"),
    ("BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "Bộ Lao động - Thương binh và Xã hội"),
    ("UBND HUYỆN SƠN TỊNH", "Ủy ban nhân dân huyện Sơn Tịnh"),
    ("KHO BẠC NHÀ NƯỚC", "Kho bạc Nhà nước"),
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH", "Ủy ban nhân dân thành phố Hồ Chí Minh"),
    ("CỤC THUẾ TỈNH BÌNH DƯƠNG", "Cục Thuế tỉnh Bình Dương"),
])
def test_issuer_names_are_written_as_running_text_writes_them(upper, expected):
    assert org_name_in_text(upper) == expected


def test_the_document_own_spelling_of_a_name_wins():
    text = "… theo chỉ đạo của Trung tâm Y tế thành phố Nha Trang tại …"
    assert org_name_in_text("TRUNG TÂM Y TẾ THÀNH PHỐ NHA TRANG", text) == "Trung tâm Y tế thành phố Nha Trang"


def test_init_org_writes_an_example_that_loads(tmp_path):
    path = tmp_path / "org.toml"
    result = CliRunner().invoke(main, ["init-org", str(path)])
    assert result.exit_code == 0, result.output
    org = load_org(str(path))
    assert (org.symbol, org.place, org.signer().title) == ("SYT", "Sơn La", "GIÁM ĐỐC")
    assert org.signer("pho-giam-doc").authority == "KT. GIÁM ĐỐC"
    again = CliRunner().invoke(main, ["init-org", str(path)])
    assert again.exit_code != 0 and "--force" in again.output


@pytest.mark.parametrize("change, message", [
    (lambda d: d["org"].pop("symbol"), "needs symbol"),
    (lambda d: d["org"].update(symbol="syt"), "upper-case"),
    (lambda d: d["signers"][1].update(authority="K.T GIÁM ĐỐC"), "KT."),
    (lambda d: d.pop("signers"), "[[signers]]"),
])
def test_a_wrong_organisation_file_says_what_is_wrong(change, message):
    import tomllib

    data = tomllib.loads(EXAMPLE)
    change(data)
    with pytest.raises(OrgError, match=message.replace(".", r"\.").replace("[", r"\[")):
        org_from_dict(data, "org.toml")


def test_missing_organisation_file_tells_how_to_make_one(tmp_path):
    with pytest.raises(OrgError, match="congvan init-org"):
        load_org(str(tmp_path / "none.toml"))


# --------------------------------------------------------------------------- templates


def test_template_lines_become_punctuated_lists_and_paragraphs():
    assert list_entries("- Sở Tài chính;\n- Sở Nội vụ.\n\n") == ["Sở Tài chính", "Sở Nội vụ"]
    assert list_entries("Lãnh đạo các phòng; Các trung tâm") == ["Lãnh đạo các phòng", "Các trung tâm"]
    assert distribution_entries(["Giám đốc Sở (để b/c)"], True, "KHTC") == \
        ["Như trên", "Giám đốc Sở (để b/c)", "Lưu: VT, KHTC"]
    assert distribution_entries([], False, "VP") == ["Lưu: VT, VP"]
    paragraphs = body_paragraphs("**1. Nhiệm vụ:** rà soát\nsố liệu.\n\nTrân trọng.")
    assert [p.runs for p in paragraphs] == [[("1. Nhiệm vụ:", True), (" rà soát số liệu.", False)],
                                            [("Trân trọng./.", False)]]


def test_every_bundled_template_is_listed_with_what_it_reads():
    names = {t.name: t for t in list_templates()}
    assert {"phuc-dap", "bao-cao-ket-qua", "don-doc", "giay-moi", "cong-van"} <= set(names)
    assert {"thoi_gian", "dia_diem", "thanh_phan"} <= set(names["giay-moi"].needs)
    assert names["giay-moi"].doc_type == "Giấy mời"


def test_phuc_dap_cites_the_incoming_document_the_standard_way(store, org):
    draft = render_draft("phuc-dap", store.get(doc_id(store, PHUC_DAP_SOURCE)), org, today=date(2024, 10, 2))
    first = draft.body[0].text
    assert first.startswith("Phúc đáp Công văn số 876/TTYT-KHNV ngày ")
    assert " của Trung tâm Y tế " in first and " về việc " in first
    assert draft.recipients and draft.recipients[0].startswith("Trung tâm Y tế")
    assert draft.distribution[0] == "Như trên" and draft.distribution[-1] == "Lưu: VT, VP"
    assert draft.body[-1].text.endswith("./.")


def test_a_missing_value_is_named_not_left_blank(store, org):
    with pytest.raises(TemplateError, match="--set thoi_gian="):
        render_draft("giay-moi", store.get(doc_id(store, PHUC_DAP_SOURCE)), org,
                     {k: v for k, v in GIAY_MOI.items() if k != "thoi_gian"})


def test_unknown_template_section_and_non_dispatch_are_refused(store, org, tmp_path):
    with pytest.raises(TemplateError, match="no template 'khong-co'"):
        render_draft("khong-co", None, org)
    bad = tmp_path / "sai.j2"
    bad.write_text("Trích yếu: thử\n[Phụ lục]\nx\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"unknown section \[Phụ lục\]"):
        render_draft(str(bad), None, org)
    with pytest.raises(TemplateError, match="not an administrative document"):
        render_draft("phuc-dap", replace(store.get(doc_id(store, PHUC_DAP_SOURCE)), id=9, kind="other",
                                         file_name="news.txt"), org)


def test_don_doc_goes_to_the_lead_units_of_overdue_items_only(store, org):
    plan = store.get(doc_id(store, PLAN_SOURCE))
    draft = render_draft("don-doc", plan, org, today=date(2024, 10, 15))
    overdue = [d for d in plan["directives"] if d["deadline"] and d["deadline"] < "2024-10-15"]
    assert len(overdue) == 3
    assert draft.recipients == ["Sở Tài nguyên và Môi trường"]
    listed = [p.text for p in draft.body if p.text.startswith("- ")]
    assert len(listed) == 3 and all("thời hạn: " in p for p in listed)
    with pytest.raises(TemplateError, match="không có nhiệm vụ nào quá hạn"):
        render_draft("don-doc", plan, org, today=date(2024, 6, 1))


def test_a_user_copy_of_a_template_is_found_first(store, org, tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    original = (Path(__file__).parent.parent / "templates" / "phuc-dap.j2").read_text("utf-8")
    (folder / "phuc-dap.j2").write_text(original.replace("có ý kiến như sau", "xin trả lời như sau"), "utf-8")
    monkeypatch.setenv("CONGVAN_TEMPLATES", str(folder))
    draft = render_draft("phuc-dap", store.get(doc_id(store, PHUC_DAP_SOURCE)), org)
    assert "xin trả lời như sau" in draft.body[0].text


# --------------------------------------------------------------------------- numbering and register


def test_outgoing_numbers_run_per_year_and_restart_on_1_january(store, org, tmp_path):
    doc = store.get(doc_id(store, PHUC_DAP_SOURCE))
    numbers = []
    for day, template in [(date(2025, 12, 30), "phuc-dap"), (date(2025, 12, 31), "bao-cao-ket-qua"),
                          (date(2026, 1, 2), "phuc-dap"), (date(2026, 1, 2), "giay-moi")]:
        draft = render_draft(template, doc, org, TEMPLATE_VALUES[template], today=day)
        numbers.append(issue(store, draft, org, folder=tmp_path).draft.number)
    assert numbers == ["01/SYT-VP", "02/BC-SYT", "01/SYT-VP", "02/GM-SYT"]
    assert (tmp_path / "02-GM-SYT.docx").exists()
    assert [e["serial"] for e in store.outgoing(year=2026)] == [1, 2]


def test_two_secretaries_at_once_never_get_the_same_number(tmp_path, org):
    db = str(tmp_path / "race.db")
    open_store(db)
    taken, errors = [], []

    def take():
        try:
            own = open_store(db)  # each its own connection pool, as two processes would have
            for _ in range(5):
                draft = render_draft("cong-van", None, org, {"trich_yeu": "thử", "kinh_gui": "Sở Nội vụ",
                                                             "noi_dung": "thử."}, today=date(2026, 3, 2))
                taken.append(issue(own, draft, org).draft.number)
        except Exception as err:  # pragma: no cover - shown by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=take) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(taken) == [f"{i:02d}/SYT-VP" for i in range(1, 16)]


def test_a_failed_layout_uses_no_number_and_leaves_no_file(store, org, tmp_path, monkeypatch):
    import pipeline.layout

    draft = render_draft("phuc-dap", store.get(doc_id(store, PHUC_DAP_SOURCE)), org, today=date(2026, 3, 2))

    def broken(_draft):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline.layout, "write_docx", broken)
    with pytest.raises(RuntimeError):
        issue(store, draft, org, folder=tmp_path)
    assert store.outgoing() == [] and not list(tmp_path.glob("*.docx*"))
    monkeypatch.undo()
    assert issue(store, draft, org, folder=tmp_path).draft.number == "01/SYT-VP"


def test_outgoing_register_has_the_ten_columns(store, org, tmp_path):
    from openpyxl import load_workbook

    draft = render_draft("giay-moi", store.get(doc_id(store, PHUC_DAP_SOURCE)), org, GIAY_MOI,
                         today=date(2026, 3, 2))
    issue(store, draft, org, folder=tmp_path)
    path = tmp_path / "so-di.xlsx"
    write_xlsx(outgoing_rows(store.outgoing(year=2026)), path, 2026, OUTGOING_COLUMNS, "SỔ ĐĂNG KÝ VĂN BẢN ĐI", "Văn bản đi")
    sheet = load_workbook(path).active
    assert sheet["A1"].value == "SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM 2026"
    assert [c.value for c in sheet[2]][:3] == ["Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung"]
    row = [c.value for c in sheet[4]]
    assert row[0] == "01/GM-SYT" and row[1] == "02/03/2026" and row[2].startswith("Giấy mời Họp triển khai")
    assert row[4] == "Lãnh đạo các phòng chuyên môn; Giám đốc Trung tâm Y tế các huyện"
    assert row[5] == "VT, VP" and row[6] == 4  # two invited + two archive copies


# --------------------------------------------------------------------------- the DOCX


def generated(store, org, tmp_path, template, day=date(2026, 3, 2)):
    source = PLAN_SOURCE if template == "don-doc" else PHUC_DAP_SOURCE
    day = date(2024, 10, 15) if template == "don-doc" else day
    draft = render_draft(template, store.get(doc_id(store, source)), org, TEMPLATE_VALUES.get(template, {}),
                         today=day)
    return issue(store, draft, org, folder=tmp_path)


@pytest.mark.parametrize("template", ["phuc-dap", "bao-cao-ket-qua", "don-doc", "giay-moi", "cong-van"])
def test_reply_reads_back_with_its_own_fields(store, org, tmp_path, template):
    """Round trip: congvan's extraction of a generated reply gives exactly what was written."""
    issued = generated(store, org, tmp_path, template)
    draft = issued.draft
    record = extract(read(issued.path))
    assert record.kind == "dispatch"
    assert record.number == draft.number
    assert record.issued_on == draft.issued_on.isoformat()
    assert (record.issuer, record.parent_body, record.place) == (draft.issuer, draft.parent, draft.place)
    assert record.doc_type == draft.doc_type
    expected_subject = draft.subject if draft.is_cong_van else draft.subject[:1].upper() + draft.subject[1:]
    assert record.subject == expected_subject
    assert record.recipients == draft.recipients
    assert record.distribution == draft.distribution
    assert (record.signer.authority, record.signer.title, record.signer.name) == \
        (draft.signer.authority, draft.signer.title, draft.signer.name)


def test_reply_docx_page_fonts_and_sizes(store, org, tmp_path):
    issued = generated(store, org, tmp_path, "phuc-dap")
    doc = Document(issued.path)
    section = doc.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (210, 297)
    margins = [round(getattr(section, f"{side}_margin") / Mm(1)) for side in ("top", "bottom", "left", "right")]
    assert 20 <= margins[0] <= 25 and 20 <= margins[1] <= 25 and 30 <= margins[2] <= 35 and 15 <= margins[3] <= 20
    runs = list(doc.element.body.iter(qn("w:r")))
    assert runs
    for run in runs:
        if run.find(qn("w:t")) is None:
            continue
        fonts = run.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert {fonts.get(qn(f"w:{slot}")) for slot in ("ascii", "hAnsi", "eastAsia", "cs")} == {"Times New Roman"}
    sizes = {p.text: {r.font.size.pt for r in p.runs if r.text} for p in doc.tables[0].cell(1, 0).paragraphs}
    assert sizes[f"Số: {issued.draft.number}"] == {13.0}
    assert sizes[f"V/v {issued.draft.subject}"] == {12.0}
    body = [p for p in doc.paragraphs if p.text.startswith("Phúc đáp")][0]
    assert body.alignment == 3 and body.paragraph_format.first_line_indent and body.paragraph_format.space_after.pt >= 6
    assert doc.core_properties.title == f"Công văn số {issued.draft.number}"
    assert 'w:lang w:val="vi-VN"' in zipfile.ZipFile(issued.path).read("word/styles.xml").decode()  # not en-US
    with zipfile.ZipFile(issued.path) as z:  # page numbers: in the header, not on page 1
        settings = z.read("word/document.xml").decode()
        assert "<w:titlePg/>" in settings
        assert any("PAGE" in z.read(n).decode() for n in z.namelist() if n.startswith("word/header"))


def test_cli_reply_writes_the_numbered_docx_and_says_where(store, org, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "c.db")
    result = CliRunner().invoke(main, ["reply", str(doc_id(store, PHUC_DAP_SOURCE)), "--db", db, "--org", org.path,
                                       "--date", "05/01/2026", "--signer", "pho-giam-doc"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("01-SYT-VP.docx: Công văn số 01/SYT-VP")
    record = extract(read(tmp_path / "01-SYT-VP.docx"))
    assert record.signer.authority == "KT. GIÁM ĐỐC" and record.issued_on == "2026-01-05"
    preview = CliRunner().invoke(main, ["reply", "1", "--db", db, "--org", org.path, "--preview"])
    assert "Phúc đáp Công văn số 876/TTYT-KHNV" in preview.output
    assert len(store.outgoing()) == 1  # a preview takes no number
    plan = str(doc_id(store, PLAN_SOURCE))
    done = CliRunner().invoke(main, ["reply", plan, "-t", "bao-cao-ket-qua", "--db", db, "--org", org.path,
                                     "--date", "2026-01-06", "--mark-done", "--set", "ket_qua_1=Đã hoàn thành."])
    assert done.exit_code == 0, done.output
    items = sorted((t["position"], t["status"], t["reply_number"]) for t in store.tasks()
                   if t["document_id"] == int(plan))
    # only the item the report gives a result for is marked done; the others stay open (D27)
    assert items[0][1:] == ("done", "02/BC-SYT") and all(i[1:] == ("open", None) for i in items[1:])
    assert "marked done: item " in done.output
    registered = CliRunner().invoke(main, ["register", "--outgoing", "--year", "2026", "--db", db])
    assert registered.exit_code == 0 and "2 văn bản đi" in registered.output
    missing = CliRunner().invoke(main, ["reply", "99", "--db", db, "--org", org.path])
    assert missing.exit_code != 0 and "no document 99" in missing.output


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_pdf_of_a_reply_keeps_its_text(store, org, tmp_path):
    import pdfplumber

    issued = generated(store, org, tmp_path, "phuc-dap")
    pdf = to_pdf(issued.path)
    with pdfplumber.open(pdf) as doc:
        text = doc.pages[0].extract_text()
    assert f"Số: {issued.draft.number}" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert extract(read(pdf)).number == issued.draft.number


def test_pdf_without_libreoffice_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConversionError, match="apt-get install libreoffice-writer-nogui"):
        to_pdf(tmp_path / "x.docx")


def test_generated_docx_opens_as_a_zip_with_nfc_text(store, org, tmp_path):
    import unicodedata

    issued = generated(store, org, tmp_path, "bao-cao-ket-qua")
    xml = zipfile.ZipFile(issued.path).read("word/document.xml").decode("utf-8")
    assert unicodedata.is_normalized("NFC", xml)
    assert os.path.getsize(issued.path) > 5000


@pytest.mark.parametrize("template", ["phuc-dap", "bao-cao-ket-qua", "don-doc", "giay-moi", "cong-van"])
def test_every_reply_passes_the_format_check(store, org, tmp_path, template):
    from pipeline.check import check_docx

    issued = generated(store, org, tmp_path, template)
    assert check_docx(issued.path) == []
    deputy = render_draft(template if template != "don-doc" else "phuc-dap",
                          store.get(doc_id(store, PHUC_DAP_SOURCE)), org, TEMPLATE_VALUES.get(template, {}),
                          today=date(2026, 3, 5), signer="pho-giam-doc", unit="KHTC")
    assert check_docx(issue(store, deputy, org, folder=tmp_path).path) == []


def test_cli_check_exit_codes(store, org, tmp_path):
    issued = generated(store, org, tmp_path, "phuc-dap")
    ok = CliRunner().invoke(main, ["check", str(issued.path)])
    assert ok.exit_code == 0 and "meets the Decree 30 format rules" in ok.output
    doc = Document(issued.path)
    doc.sections[0].left_margin = Mm(20)
    broken_path = tmp_path / "broken.docx"
    doc.save(broken_path)
    broken = CliRunner().invoke(main, ["check", str(broken_path)])
    assert broken.exit_code == 1 and "[margins]" in broken.output
    assert CliRunner().invoke(main, ["check", "--rules"]).output.startswith("paper")


# --------------------------------------------------------------------------- no blank, honest numbers (D23–D28, D33, D35)


def test_unknown_incoming_number_and_date_are_errors_naming_what_to_fill_in(store, org):
    doc = replace(store.get(doc_id(store, PHUC_DAP_SOURCE)), number=None, issued_on=None)
    for template in ("phuc-dap", "bao-cao-ket-qua", "cong-van"):
        with pytest.raises(TemplateError) as caught:
            render_draft(template, doc, org, TEMPLATE_VALUES[template], today=date(2026, 3, 2))
        message = str(caught.value)
        assert f"document #{doc['id']} has no số và ký hiệu" in message
        assert f"congvan edit {doc['id']} issued_on=" in message


def test_every_missing_value_is_named_in_one_message(store, org):
    with pytest.raises(TemplateError) as caught:
        render_draft("giay-moi", store.get(doc_id(store, PHUC_DAP_SOURCE)), org, {})
    assert all(f"--set {name}=" in str(caught.value) for name in ("thanh_phan", "thoi_gian", "dia_diem"))


def test_missing_subject_says_how_to_give_it(store, org):
    doc = replace(store.get(doc_id(store, PHUC_DAP_SOURCE)), subject="")
    with pytest.raises(TemplateError, match=r"has no trích yếu: give --set trich_yeu=… or"):
        render_draft("phuc-dap", doc, org)
    draft = render_draft("phuc-dap", doc, org, {"trich_yeu": "góp ý dự thảo kế hoạch"})
    assert draft.subject == "góp ý dự thảo kế hoạch" and "về việc góp ý dự thảo kế hoạch" in draft.body[0].text


def test_no_ve_viec_ve_and_capitals_brought_to_sentence_case(store, org):
    doc = replace(store.get(doc_id(store, PHUC_DAP_SOURCE)), subject="Về tiếp tục tăng cường công tác phòng, chống đuối nước")
    draft = render_draft("phuc-dap", doc, org)
    assert "về việc tiếp tục tăng cường" in draft.body[0].text and "về việc về" not in draft.body[0].text.lower()
    assert draft.subject == "tiếp tục tăng cường công tác phòng, chống đuối nước"
    doc.subject = "QUY ĐỊNH VỀ QUẢN LÝ, THANH TOÁN, QUYẾT TOÁN TẠI TỈNH QUẢNG NGÃI"
    draft = render_draft("phuc-dap", doc, org)
    assert draft.subject == "quy định về quản lý, thanh toán, quyết toán tại tỉnh Quảng Ngãi"
    giay_moi = render_draft("giay-moi", doc, org, GIAY_MOI)
    assert "về việc quy định về quản lý" in " ".join(p.text for p in giay_moi.body)


def test_reply_to_a_record_under_review_names_the_unverified_values(store, org):
    from pipeline.generate import review_warnings

    doc = replace(store.get(doc_id(store, PHUC_DAP_SOURCE)), status="needs_review",
               warnings=["low OCR confidence on date (70%)"])
    warnings = review_warnings(doc)
    assert len(warnings) == 1
    assert "date '19/06/2023' (low OCR confidence on date (70%))" in warnings[0]
    assert "number '876/TTYT-KHNV'" in warnings[0] and f"congvan edit {doc['id']}" in warnings[0]
    [vietnamese] = review_warnings(doc, "vi")  # the reply page
    assert "ngày ban hành «19/06/2023» (Nhận dạng chữ (OCR) chưa chắc ở ngày ban hành (70%))" in vietnamese
    assert "số, ký hiệu «876/TTYT-KHNV»" in vietnamese and "OCR confidence" not in vietnamese
    assert review_warnings(replace(doc, status="ok")) == []
    corrected = replace(doc, corrections=[Correction(0, doc.id, f, None, None, "thư ký", "2026-03-02")
                                         for f in ("number", "issued_on", "issuer", "subject")])
    assert review_warnings(corrected) == []


def test_cli_reply_warns_when_the_record_is_under_review(store, org, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    doc = doc_id(store, PHUC_DAP_SOURCE)
    with store.engine.begin() as conn:
        from sqlalchemy import text
        conn.execute(text("UPDATE documents SET status = 'needs_review' WHERE id = :id"), {"id": doc})
    result = CliRunner().invoke(main, ["reply", str(doc), "--db", str(tmp_path / "c.db"), "--org", org.path,
                                       "--preview"])
    assert result.exit_code == 0
    assert "Warning: document #" in result.output and "still under review" in result.output


def test_back_dated_reply_is_refused_and_takes_no_number(store, org, tmp_path):
    doc = store.get(doc_id(store, PHUC_DAP_SOURCE))
    issue(store, render_draft("phuc-dap", doc, org, today=date(2026, 12, 3)), org, folder=tmp_path)
    with pytest.raises(TemplateError, match=r"01/SYT-VP was issued on 03/12/2026; a letter dated 15/01/2026"):
        issue(store, render_draft("phuc-dap", doc, org, today=date(2026, 1, 15)), org, folder=tmp_path)
    assert [r["number"] for r in store.outgoing(year=2026)] == ["01/SYT-VP"]
    same_day = issue(store, render_draft("phuc-dap", doc, org, today=date(2026, 12, 3)), org, folder=tmp_path)
    assert same_day.draft.number == "02/SYT-VP"
    earlier_year = issue(store, render_draft("phuc-dap", doc, org, today=date(2025, 6, 1)), org, folder=tmp_path)
    assert earlier_year.draft.number == "01/SYT-VP"  # another year's series


def test_cli_reply_into_a_missing_folder_says_so(store, org, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["reply", str(doc_id(store, PHUC_DAP_SOURCE)), "--db", str(tmp_path / "c.db"),
                                       "--org", org.path, "-o", "nodir/x.docx"])
    assert result.exit_code == 1
    assert "Error: folder nodir does not exist" in result.output and "Traceback" not in result.output
    assert store.outgoing() == []


def test_mark_done_marks_nothing_when_the_reply_reports_no_item_done(store, org, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = doc_id(store, PLAN_SOURCE)
    result = CliRunner().invoke(main, ["reply", str(plan), "--db", str(tmp_path / "c.db"), "--org", org.path,
                                       "--mark-done"])
    assert result.exit_code == 0, result.output
    assert "marked nothing done" in result.output
    assert all(t["status"] == "open" for t in store.tasks() if t["document_id"] == plan)


def test_phuc_dap_wording_follows_the_relation_to_the_issuer(store, org):
    doc = store.get(doc_id(store, PHUC_DAP_SOURCE))  # Trung tâm Y tế thành phố Nha Trang: not above a Sở
    across = " ".join(p.text for p in render_draft("phuc-dap", doc, org).body)
    assert "báo cáo" not in across and "phối hợp" in across and across.endswith("Trân trọng./.")
    up = replace(doc, issuer="UBND TỈNH SƠN LA")  # the Sở's parent body
    upward = " ".join(p.text for p in render_draft("phuc-dap", up, org).body)
    assert "tiếp thu và sẽ tổ chức triển khai thực hiện" in upward
    assert upward.endswith("trân trọng báo cáo Ủy ban nhân dân tỉnh Sơn La xem xét./.")


def test_a_template_error_never_prints_a_blank_either(store, org):
    plan = replace(store.get(doc_id(store, PLAN_SOURCE)), number=None)
    with pytest.raises(TemplateError, match=r"has no số và ký hiệu"):
        render_draft("don-doc", plan, org, today=date(2024, 6, 1))  # nothing overdue, and no number to name
