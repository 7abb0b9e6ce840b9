"""`congvan check`: Decree 30/2020/NĐ-CP format rules on DOCX files.

Compliant documents come from the corpus. Each break starts from one of them, changes exactly
one thing with python-docx the way a clerk would in Word, saves it and checks the bytes: the
rule broken, and only that rule, must be reported.
"""
from __future__ import annotations

import copy
import io
import json
import sys
import zipfile
from functools import lru_cache

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from conftest import CORPUS, ROOT
from pipeline.check import RULES, CheckError, Violation, check_docx, format_violation

COMPLIANT = [
    "a_02_byt_khan_sxh__docx.docx",  # header in content controls, KHẨN stamp
    "a_07_bgddt_cv_tuyensinh__docx.docx",  # header in a text box, TL. signer
    "a_13_stc_danang_totrinh__docx.docx",  # TỜ TRÌNH (TTr), signer split over two rows
    "a_16_snv_dongnai_vanthu__docx.docx",  # several Kính gửi, a wrapped Nơi nhận entry
    "a_20_ttyt_nhatrang_cv__docx.docx",  # two-row header table, Q. signer
    "b_02_thongtu_phi_doluong__docx.docx",  # a Thông tư: number with a year segment
    "b_05_congdien_ttg_mualu__docx.docx",
    "b_06_thongbao_vpcp_caotoc__docx.docx",
    "b_07_kehoach_stnmt_hcm_chatthai__docx.docx",
    "b_08_quyetdinh_benhvien_bae__docx.docx",
    "b_15_khobac_cantho_khoaso__docx.docx",
]
# Corpus documents that break the decree on purpose (the team wrote them like real files).
NON_COMPLIANT = {
    "a_04_syt_quangtri_kh__docx.docx": {"date"},  # "ngày 8 tháng 4": day below 10 without 0
    "a_10_thpt_dalat_giaymoi__docx.docx": {"date"},  # "ngày 5 tháng 9"
    "a_17_bgddt_qd_totcongtac__docx-tcvn3.docx": {"font"},  # typed in the TCVN3 .VnTime fonts
    "b_12_bienban_stnmt_kiemtra__docx.docx": {"presence"},  # a biên bản without Nơi nhận
    "c_19_sxd_laichau_tb_noname__docx.docx": {"presence"},  # a signature block without the name
}
NOT_DOCUMENTS = ["a_n08_press_release_saomai__docx.docx", "a_n10_howto_trinh_bay_cv__docx.docx"]


def rules_of(violations: list[Violation]) -> set[str]:
    return {v.rule for v in violations}


def show(violations: list[Violation]) -> str:
    return "\n".join(format_violation(v) for v in violations)


# ------------------------------------------------------------------------------ the corpus


def test_every_corpus_docx_is_classified():
    assert {p.name for p in CORPUS.glob("*.docx")} == set(COMPLIANT) | set(NON_COMPLIANT) | set(NOT_DOCUMENTS)


@pytest.mark.parametrize("name", COMPLIANT)
def test_compliant_corpus_document_passes(name):
    violations = check_docx(CORPUS / name)
    assert violations == [], show(violations)


@pytest.mark.parametrize("name", sorted(NON_COMPLIANT))
def test_non_compliant_corpus_document_reports_its_fault(name):
    violations = check_docx(CORPUS / name)
    assert rules_of(violations) == NON_COMPLIANT[name], show(violations)


def test_date_fault_names_the_date_line():
    (v,) = check_docx(CORPUS / "a_04_syt_quangtri_kh__docx.docx")
    assert v.where == 'header table, row 2, right cell, paragraph 1 "Quảng Trị, ngày 8 tháng 4 năm 2024"'
    assert "leading zero (ngày 08)" in v.message


@pytest.mark.parametrize("name", NOT_DOCUMENTS)
def test_news_article_lacks_the_components(name):
    missing = " ".join(v.message for v in check_docx(CORPUS / name) if v.rule == "presence")
    for component in ("Quốc hiệu", "số, ký hiệu", "Nơi nhận"):
        assert f"no {component}" in missing


# ------------------------------------------------------------------------ editing helpers


@lru_cache(maxsize=None)
def corpus_bytes(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def paragraphs(doc) -> list[Paragraph]:
    """Every paragraph in the body: tables, content controls and text boxes included."""
    return [Paragraph(p, doc._body) for p in doc.element.body.iter(qn("w:p"))]


def find(doc, start: str) -> Paragraph:
    found = [p for p in paragraphs(doc) if p.text.startswith(start)]
    assert found, f"no paragraph starts {start!r}"
    return found[0]


def set_text(para: Paragraph, text: str) -> None:
    """Replace the text, keeping the first run's formatting; "\\n" is a manual line break, "\\t" a tab."""
    rpr = next(r._r.rPr for r in para.runs if r.text)
    for run in para.runs:
        run._r.getparent().remove(run._r)
    for i, line in enumerate(text.split("\n")):
        if i:
            para.add_run().add_break()
        for j, piece in enumerate(line.split("\t")):
            if j:
                para.add_run().add_tab()
            run = para.add_run(piece)
            run._r.insert(0, copy.deepcopy(rpr))


def retext(start: str, text: str):
    return lambda doc: set_text(find(doc, start), text)


def restyle(start: str, **font):
    def edit(doc):
        for run in find(doc, start).runs:
            for attr, value in font.items():
                setattr(run.font, attr, value)
    return edit


def reformat(start: str, **paragraph_format):
    def edit(doc):
        for attr, value in paragraph_format.items():
            setattr(find(doc, start).paragraph_format, attr, value)
    return edit


def remove(start: str):
    def edit(doc):
        p = find(doc, start)._p
        p.getparent().remove(p)
    return edit


def both(*edits):
    def edit(doc):
        for e in edits:
            e(doc)
    return edit


def set_section(**attrs):
    def edit(doc):
        for attr, value in attrs.items():
            setattr(doc.sections[0], attr, value)
    return edit


def first_run(start: str, change):
    return lambda doc: change(find(doc, start).runs[0])


def set_font_slot(attr: str, value: str):
    return lambda run: run._r.get_or_add_rPr().get_or_add_rFonts().set(qn(attr), value)


def noi_nhan_entries_at(size: float):
    def edit(doc):
        cell = doc.tables[-1].cell(0, 0)
        for p in cell.paragraphs[1:]:
            for run in p.runs:
                run.font.size = Pt(size)
    return edit


def move_kinh_gui_after_body(doc):
    kinh_gui = find(doc, "Kính gửi")._p
    spacer = doc.tables[-1]._tbl.getprevious()  # the empty line before the signature table
    spacer.addprevious(kinh_gui)


def page_number_to_footer(doc):
    section = doc.sections[0]
    field = section.header.paragraphs[0]._p
    section.footer.paragraphs[0]._p.addnext(copy.deepcopy(field))
    for run in field.findall(qn("w:r")):
        field.remove(run)


def strip_run_fonts(doc) -> None:
    """Leave fonts to the styles, as most Word documents do."""
    for rfonts in doc.element.body.iter(qn("w:rFonts")):
        if rfonts.getparent().getparent().tag == qn("w:r"):
            rfonts.getparent().remove(rfonts)


def style_body_paragraph(doc, font: str) -> None:
    """A paragraph style based on Normal, in `font`, on the first body paragraph (run fonts removed)."""
    style = doc.styles.add_style("Body Text Custom", 1)  # WD_STYLE_TYPE.PARAGRAPH
    style.base_style = doc.styles["Normal"]
    style.font.name = font
    para = find(doc, BODY)
    para.style = style
    for run in para.runs:
        rfonts = run._r.rPr.find(qn("w:rFonts"))
        run._r.rPr.remove(rfonts)


def word_style_fonts(doc) -> None:
    """Times New Roman only in the ascii and hAnsi slots of Normal, as Word's font box writes it;
    eastAsia and cs then fall back to the theme fonts of the document defaults."""
    strip_run_fonts(doc)
    rfonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    for slot in ("w:eastAsia", "w:cs"):
        del rfonts.attrib[qn(slot)]


def edited(name: str, edit):
    """The corpus document, opened and edited in memory (checked as is: saving changes nothing)."""
    doc = Document(io.BytesIO(corpus_bytes(name)))
    edit(doc)
    return doc


def saved(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


CV = "a_20_ttyt_nhatrang_cv__docx.docx"  # công văn: "Số: 876/TTYT-KHNV", one Kính gửi, Q. GIÁM ĐỐC
CV2 = "a_02_byt_khan_sxh__docx.docx"  # công văn with "- Như trên;" and KT. signer
MANY = "b_15_khobac_cantho_khoaso__docx.docx"  # several Kính gửi, KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC
KH = "b_07_kehoach_stnmt_hcm_chatthai__docx.docx"  # KẾ HOẠCH "Số: 4127/KH-STNMT-CTR"
BODY = "Thực hiện Kế hoạch số 4410"  # a_20's first body paragraph (long)
VV = "V/v phối hợp"
DATE = "Nha Trang, ngày"

BREAKS = [
    # page
    ("A5 paper", CV, "paper", set_section(page_width=Mm(148), page_height=Mm(210))),
    ("left margin 25 mm", CV, "margins", set_section(left_margin=Mm(25))),
    ("top margin 30 mm", CV, "margins", set_section(top_margin=Mm(30))),
    # fonts and colour
    ("Arial on one run", CV, "font", first_run(BODY, lambda r: setattr(r.font, "name", "Arial"))),
    ("eastAsia slot only set to Arial", CV, "font", first_run(BODY, set_font_slot("w:eastAsia", "Arial"))),
    ("a theme font on one run", CV, "font", first_run(BODY, set_font_slot("w:asciiTheme", "minorHAnsi"))),
    ("red text", CV, "color", first_run(BODY, lambda r: setattr(r.font.color, "rgb", RGBColor(0xC0, 0, 0)))),
    # sizes, bold, italic, case of the components
    ("Quốc hiệu not bold", CV, "bold.quoc-hieu", restyle("CỘNG HÒA", bold=False)),
    ("paragraph style in Arial", CV, "font", lambda doc: style_body_paragraph(doc, "Arial")),
    ("parent body bold", CV, "bold.parent", restyle("SỞ Y TẾ TỈNH", bold=True)),
    ("issuing body not bold", CV, "bold.issuer", restyle("TRUNG TÂM Y TẾ", bold=False)),
    ("issuing body in lower case", CV, "case.issuer", retext("TRUNG TÂM Y TẾ", "Trung tâm Y tế\nThành phố Nha Trang")),
    ("Số line at 14 pt", CV, "size.number", restyle("Số:", size=Pt(14))),
    ("V/v at 14 pt", CV, "size.vv", restyle(VV, size=Pt(14))),
    ("date not italic", CV, "italic.date", restyle(DATE, italic=False)),
    ("type name at 12 pt", KH, "size.type-name", restyle("KẾ HOẠCH", size=Pt(12))),
    ("trích yếu not bold", KH, "bold.subject", restyle("Triển khai phân loại", bold=False)),
    ("Kính gửi bold", CV, "bold.kinh-gui", restyle("Kính gửi", bold=True)),
    ("body at 12 pt", CV, "size.body", restyle(BODY, size=Pt(12))),
    ("authority at 12 pt", CV, "size.authority", restyle("Q. GIÁM ĐỐC", size=Pt(12))),
    ("signer's name not bold", CV, "bold.signer", restyle("Bùi Thanh Tùng", bold=False)),
    ("Nơi nhận not bold", CV, "bold.noi-nhan", restyle("Nơi nhận", bold=False)),
    ("Nơi nhận not italic", CV, "italic.noi-nhan", restyle("Nơi nhận", italic=False)),
    ("Nơi nhận entries at 13 pt", CV, "size.noi-nhan-list", noi_nhan_entries_at(13)),
    # body layout
    ("body not justified", CV, "body.align", reformat(BODY, alignment=WD_ALIGN_PARAGRAPH.LEFT)),
    ("no first-line indent", CV, "body.indent", reformat(BODY, first_line_indent=None)),
    ("first-line indent 2 cm", CV, "body.indent", reformat(BODY, first_line_indent=Mm(20))),
    ("no space between paragraphs", CV, "body.spacing", reformat(BODY, space_after=Pt(0))),
    ("double line spacing", CV, "body.line-spacing", reformat(BODY, line_spacing=2.0)),
    # the text of the components
    ("Tiêu ngữ without spaces", CV, "tieu-ngu", retext("Độc lập", "Độc lập-Tự do-Hạnh phúc")),
    ("Số: 5/SYT-VP", CV, "number", retext("Số:", "Số: 5/SYT-VP")),
    ("Số: 05/syt-vp", CV, "number", retext("Số:", "Số: 05/syt-vp")),
    ("Số: 05 / SYT-VP", CV, "number", retext("Số:", "Số: 05 / SYT-VP")),
    ("Số without colon", CV, "number", retext("Số:", "Số 876/TTYT-KHNV")),
    ("công văn with CV", CV, "number", retext("Số:", "Số: 876/CV-TTYT")),
    ("công văn with a year", CV, "number", retext("Số:", "Số: 876/2023/TTYT-KHNV")),
    ("GM on a BÁO CÁO", KH, "number", both(retext("KẾ HOẠCH", "BÁO CÁO"), retext("Số:", "Số: 4127/GM-STNMT-CTR"))),
    ("ngày 5 tháng 1", CV, "date", retext(DATE, "Nha Trang, ngày 5 tháng 1 năm 2023")),
    ("ngày 30 tháng 02", CV, "date", retext(DATE, "Nha Trang, ngày 30 tháng 02 năm 2023")),
    ("no comma after the place", CV, "date", retext(DATE, "Nha Trang ngày 19 tháng 6 năm 2023")),
    ("V/V", CV, "vv", retext(VV, "V/V phối hợp tổ chức khám\nsức khỏe định kỳ cho người\ncao tuổi năm 2023")),
    ("KT without dot", MANY, "authority", retext("KT. GIÁM ĐỐC", "KT GIÁM ĐỐC")),
    ("PHÓ GIÁM ĐỐC with no KT.", MANY, "authority", remove("KT. GIÁM ĐỐC")),
    ("Kính gửi list ends with ;", MANY, "kinh-gui",
     retext("- Kho bạc Nhà nước các quận", "- Kho bạc Nhà nước các quận, huyện trực thuộc;")),
    ("one recipient on the next line", CV, "kinh-gui",
     retext("Kính gửi", "Kính gửi:\nỦy ban nhân dân các phường, xã thuộc thành phố Nha Trang")),
    ("Nơi nhận entry without ;", CV2, "noi-nhan", retext("- Bộ trưởng", "- Bộ trưởng (để b/c)")),
    ("no - Lưu: VT", CV2, "noi-nhan", remove("- Lưu:")),
    ("no - Như trên; with a Kính gửi", CV2, "noi-nhan", remove("- Như trên")),
    ("Nơi nhận without colon", CV2, "noi-nhan", retext("Nơi nhận", "Nơi nhận")),
    # page numbers
    ("page number on page 1", CV, "page-numbers", set_section(different_first_page_header_footer=False)),
    ("page number not centred", CV, "page-numbers",
     lambda doc: setattr(doc.sections[0].header.paragraphs[0], "alignment", WD_ALIGN_PARAGRAPH.LEFT)),
    ("page number in the footer", CV, "page-numbers", page_number_to_footer),
    # presence and order
    ("no Quốc hiệu", CV, "presence", remove("CỘNG HÒA")),
    ("Kính gửi after the body", CV, "order", move_kinh_gui_after_body),
]


@pytest.mark.parametrize("label,base,rule,edit", BREAKS, ids=[b[0] for b in BREAKS])
def test_one_broken_rule_is_reported_alone(label, base, rule, edit):
    violations = check_docx(edited(base, edit))
    assert rules_of(violations) == {rule}, show(violations)
    assert rule in RULES
    assert all(v.where and v.message for v in violations)


def test_violation_names_the_paragraph_and_the_rule():
    (v,) = check_docx(saved(edited(CV, retext("Số:", "Số: 5/SYT-VP"))))
    assert v.where == 'header table, row 2, left cell, paragraph 1 "Số: 5/SYT-VP"'
    assert "leading 0 (05, not 5)" in v.message and "App. I §II.3" in v.message
    assert format_violation(v) == f"[number] {v.where}: {v.message}"


def test_wrong_type_abbreviation_names_the_right_one():
    (v,) = check_docx(edited(KH, both(retext("KẾ HOẠCH", "BÁO CÁO"), retext("Số:", "Số: 4127/GM-STNMT-CTR"))))
    assert "type abbreviation BC" in v.message and '"GM"' in v.message


DRAFTS = [
    ("blank number and date", both(retext("Số:", "Số:        /TTYT-KHNV"),
                                   retext(DATE, "Nha Trang, ngày      tháng      năm 2023"))),
    ("a tab after Số:", retext("Số:", "Số:\t876/TTYT-KHNV")),
    ("a tab after Kính gửi:", retext("Kính gửi", "Kính gửi:\tỦy ban nhân dân các phường, xã thuộc thành phố Nha Trang")),
    ("a V/v that cites a date", retext(VV, "V/v thực hiện Kế hoạch số 4410/KH-UBND\nngày 02 tháng 6 năm 2023 của UBND thành phố")),
    ("fonts set by the styles", strip_run_fonts),
    ("fonts as Word's font box sets them", word_style_fonts),
]


@pytest.mark.parametrize("label,edit", DRAFTS, ids=[d[0] for d in DRAFTS])
def test_compliant_variations_pass(label, edit):
    violations = check_docx(edited(CV, edit))
    assert violations == [], show(violations)


def test_a_font_on_many_paragraphs_is_one_violation():
    def all_arial(doc):
        for p in paragraphs(doc):
            for run in p.runs:
                run.font.name = "Arial"
    violations = check_docx(edited(CV, all_arial))
    assert [v.rule for v in violations] == ["font"]
    assert "more paragraphs" in violations[0].where and "Arial" in violations[0].message


def test_header_nested_in_an_outer_table_is_found():
    def nest(doc):
        header = doc.tables[0]._tbl
        outer = doc.add_table(rows=1, cols=1)._tbl
        header.addprevious(outer)
        outer.find(qn("w:tr")).find(qn("w:tc")).find(qn("w:p")).addprevious(header)
    violations = check_docx(edited(CV, nest))
    assert violations == [], show(violations)


def test_every_rule_has_a_statement():
    assert all(isinstance(text, str) and "(" in text for text in RULES.values())
    assert {"paper", "margins", "font", "size.vv", "bold.issuer", "order", "number", "date", "authority",
            "noi-nhan", "kinh-gui", "page-numbers", "body.indent"} <= set(RULES)


# ------------------------------------------------------------------- header as paragraphs


def _corpus_build():
    if str(ROOT / "corpus") not in sys.path:
        sys.path.insert(0, str(ROOT / "corpus"))
    import build

    return build


def paragraph_header_docx(tabs: bool, issuer_bold: bool = True) -> bytes:
    """a_20 with its header as plain paragraphs: stacked, or two columns set apart by tabs."""
    build = _corpus_build()
    src = json.loads((ROOT / "corpus" / "src" / "a_20_ttyt_nhatrang_cv.json").read_text(encoding="utf-8"))
    d = build.Doc.from_source(src)
    w = build.Writer(build.Fonts())
    left = WD_ALIGN_PARAGRAPH.LEFT

    def line(*parts, align=WD_ALIGN_PARAGRAPH.CENTER):
        """parts: (text, size, bold, italic); a tab goes between parts."""
        p = w.para(w.doc, "", align=align)
        for i, (text, size, bold, italic) in enumerate(parts):
            if i:
                p.add_run().add_tab()
            w.run(p, text, size, bold, italic)

    parent, issuer = ("SỞ Y TẾ TỈNH KHÁNH HÒA", 13, False, False), ("TRUNG TÂM Y TẾ", 13, issuer_bold, False)
    motto, slogan = (build.QUOC_HIEU, 12, True, False), (build.TIEU_NGU, 13, True, False)
    number, place_date = (d.number_line, 13, False, False), (d.place_date, 13, False, True)
    if tabs:
        line(parent, motto, align=left)
        line(issuer, slogan, align=left)
        line(("THÀNH PHỐ NHA TRANG", 13, issuer_bold, False), align=left)
        line(number, place_date, align=left)
    else:
        line(parent)
        line(issuer)
        line(("THÀNH PHỐ NHA TRANG", 13, issuer_bold, False))
        line(motto)
        line(slogan)
        line(number)
    w.para(w.doc, "\n".join(d.subject_lines), size=12, before=6)
    if not tabs:
        line(place_date)
    build.write_recipients(w, d)
    build.write_body(w, d)
    build.write_footer(w, d, "row")
    return w.save()


@pytest.mark.parametrize("tabs", [False, True], ids=["stacked", "tab columns"])
def test_header_as_paragraphs_passes(tabs):
    violations = check_docx(paragraph_header_docx(tabs))
    assert violations == [], show(violations)


@pytest.mark.parametrize("tabs", [False, True], ids=["stacked", "tab columns"])
def test_header_as_paragraphs_is_checked(tabs):
    violations = check_docx(paragraph_header_docx(tabs, issuer_bold=False))
    assert rules_of(violations) == {"bold.issuer"}, show(violations)
    assert violations[0].where.startswith("body paragraph ")  # no table: paragraphs count from the top


# --------------------------------------------------------------------------- bad files


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("data,reason", [
    (b"", "not a zip archive"),
    (b"Kinh gui: So Y te\n", "not a zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old .doc"),
    (_zip({"hello.txt": b"hi"}), "no word/document.xml"),
    (_zip({"word/document.xml": b"<not xml"}), "corrupt DOCX"),
], ids=["empty", "text", "ole", "zip without document", "broken package"])
def test_bad_file_raises_a_one_line_reason(tmp_path, data, reason):
    path = tmp_path / "letter.docx"
    path.write_bytes(data)
    with pytest.raises(CheckError) as caught:
        check_docx(path)
    assert reason in caught.value.reason and "\n" not in str(caught.value)


def test_truncated_docx_bytes_raise():
    with pytest.raises(CheckError, match="not a zip archive"):
        check_docx(corpus_bytes(CV)[:4000])


def test_missing_file_raises(tmp_path):
    with pytest.raises(CheckError, match="file not found"):
        check_docx(tmp_path / "missing.docx")
