"""Readers keep the layout extraction relies on: header/signature columns, blocks, reading order.

DOCX fixtures are built here with python-docx the way Decree 30 documents are made (borderless
two-column header and signature tables), the PDF fixture is that DOCX printed by LibreOffice,
and the HTML fixture follows the structure of pages saved from vbpl.vn.
"""
from __future__ import annotations

import shutil
import subprocess
import unicodedata
import uuid
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

from pipeline.legacy import unicode_to_tcvn3, unicode_to_vni
from pipeline.read.docx import read_docx
from pipeline.read.html import read_html
from pipeline.read.pdf import read_pdf
from pipeline.records import FOOTER, FULL, HEADER, LEFT, RIGHT, ReadError

ISSUER = ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI"]
NUMBER = "Số: 123/UBND-KT"
SUBJECT = ["V/v triển khai kế hoạch", "chuyển đổi số năm 2024"]
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
SLOGAN = "Độc lập - Tự do - Hạnh phúc"
DATE = "Quảng Ngãi, ngày 05 tháng 01 năm 2024"
RECIPIENT = "Kính gửi: Sở Thông tin và Truyền thông"
BODY = [
    "Thực hiện Kế hoạch số 45/KH-UBND ngày 20/12/2023 của Ủy ban nhân dân tỉnh về chuyển đổi số, "
    "Ủy ban nhân dân tỉnh đề nghị các sở, ban, ngành triển khai các nội dung sau đây.",
    "Sở Thông tin và Truyền thông chủ trì, phối hợp với các đơn vị liên quan xây dựng kế hoạch chi tiết, "
    "báo cáo Ủy ban nhân dân tỉnh trước ngày 31/01/2024.",
]
RECEIVERS = ["Nơi nhận:", "- Như trên;", "- Lưu: VT, KT."]
SIGNER = ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "(Đã ký)", "Nguyễn Văn An"]


# --------------------------------------------------------------------------- DOCX fixtures


def borderless_table(doc, rows: int, widths_mm: list[float]):
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    borders = parse_xml(f'<w:tblBorders {nsdecls("w")}>' + "".join(
        f'<w:{edge} w:val="nil"/>' for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
    ) + "</w:tblBorders>")
    table._tbl.tblPr.append(borders)
    table.autofit = False
    for i, width in enumerate(widths_mm):
        table.columns[i].width = Mm(width)
        for row in table.rows:
            row.cells[i].width = Mm(width)
    return table


def fill(cell, lines: list[str], size: float = 12) -> None:
    """Write lines into a cell, one paragraph each (a "\\n" inside a line is a manual break)."""
    first = cell.paragraphs[0]
    for i, text in enumerate(lines):
        para = first if i == 0 else cell.add_paragraph()
        add_text(para, text, size=size)


def add_text(para, text: str, font: str | None = None, size: float | None = None):
    for i, piece in enumerate(text.split("\n")):
        run = para.add_run(piece)
        if i:
            run._r.addprevious(parse_xml(f'<w:r {nsdecls("w")}><w:br/></w:r>'))
        if font:
            run.font.name = font
        if size:
            run.font.size = Pt(size)
    return para


def page_number_header(doc) -> None:
    """A running "Trang N" page header from page 2 on (Decree 30): not document text."""
    doc.sections[0].different_first_page_header_footer = True
    para = doc.sections[0].header.paragraphs[0]
    para.add_run("Trang ")
    for xml in ('<w:fldChar %s w:fldCharType="begin"/>', '<w:instrText %s xml:space="preserve"> PAGE </w:instrText>',
                '<w:fldChar %s w:fldCharType="separate"/>', "<w:t %s>2</w:t>", '<w:fldChar %s w:fldCharType="end"/>'):
        para.add_run()._r.append(parse_xml(xml % nsdecls("w")))


def cong_van_docx(path: Path, body_repeats: int = 1, header_rows: int = 1) -> Path:
    """A one-table-header, one-table-footer công văn; `body_repeats` > 1 spills onto page 2."""
    doc = Document()
    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(13)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin = section.bottom_margin = Mm(20)
    page_number_header(doc)
    header = borderless_table(doc, header_rows, [70, 95])
    if header_rows == 1:
        fill(header.cell(0, 0), ISSUER + [NUMBER, "\n".join(SUBJECT)])
        fill(header.cell(0, 1), [MOTTO, SLOGAN, DATE])
    else:  # the number/date row apart from the names row
        fill(header.cell(0, 0), ISSUER)
        fill(header.cell(0, 1), [MOTTO, SLOGAN])
        fill(header.cell(1, 0), [NUMBER, "\n".join(SUBJECT)])
        fill(header.cell(1, 1), [DATE])
    doc.add_paragraph()
    add_text(doc.add_paragraph(), RECIPIENT)
    for _ in range(body_repeats):
        for text in BODY:
            add_text(doc.add_paragraph(), text)
    add_text(doc.add_paragraph(), "Đề nghị các đơn vị thực hiện nghiêm túc./.")
    footer = borderless_table(doc, 1, [80, 85])
    fill(footer.cell(0, 0), RECEIVERS)
    fill(footer.cell(0, 1), SIGNER)
    doc.save(path)
    return path


def texts(lines, column=None, block=None):
    return [l.text for l in lines if (column is None or l.column == column) and (block is None or l.block == block)]


# --------------------------------------------------------------------------- DOCX tests


def test_docx_header_and_footer_tables_read_as_columns(tmp_path):
    source = read_docx(cong_van_docx(tmp_path / "cv.docx"))
    assert source.format == "docx"
    assert texts(source.lines, LEFT, HEADER) == ISSUER + [NUMBER] + SUBJECT
    assert texts(source.lines, RIGHT, HEADER) == [MOTTO, SLOGAN, DATE]
    assert texts(source.lines, LEFT, FOOTER) == RECEIVERS
    assert texts(source.lines, RIGHT, FOOTER) == SIGNER
    body = [l for l in source.lines if l.block not in (HEADER, FOOTER)]
    assert [l.text for l in body] == [RECIPIENT] + BODY + ["Đề nghị các đơn vị thực hiện nghiêm túc./."]
    assert all(l.column == FULL and l.block == "" for l in body)
    # reading order: the whole header, then the body, then the signature block
    blocks = [l.block for l in source.lines]
    assert blocks == sorted(blocks, key=[HEADER, "", FOOTER].index)
    assert "Trang" not in source.text  # the page header part is not document text


def test_docx_two_row_header_reads_left_column_first(tmp_path):
    source = read_docx(cong_van_docx(tmp_path / "cv2.docx", header_rows=2))
    header = [l for l in source.lines if l.block == HEADER]
    assert [l.text for l in header] == ISSUER + [NUMBER] + SUBJECT + [MOTTO, SLOGAN, DATE]
    assert [l.column for l in header] == [LEFT] * 5 + [RIGHT] * 3


def test_docx_content_controls_and_text_boxes_are_read_once(tmp_path):
    doc = Document()
    header = borderless_table(doc, 1, [70, 95])
    fill(header.cell(0, 0), ISSUER + [NUMBER])
    fill(header.cell(0, 1), [MOTTO, SLOGAN, DATE])
    # block-level content control around the right cell's paragraphs
    cell = header.cell(0, 1)._tc
    sdt = parse_xml(f'<w:sdt {nsdecls("w")}><w:sdtPr><w:tag w:val="QuocHieu"/></w:sdtPr><w:sdtContent/></w:sdt>')
    paragraphs = cell.findall(qn("w:p"))
    paragraphs[0].addprevious(sdt)
    for p in paragraphs:
        sdt.find(qn("w:sdtContent")).append(p)
    cell.append(parse_xml(f'<w:p {nsdecls("w")}/>'))
    para = add_text(doc.add_paragraph(), "Kính gửi: ")
    para._p.append(parse_xml(  # run-level content control
        f'<w:sdt {nsdecls("w")}><w:sdtPr><w:tag w:val="NoiNhan"/></w:sdtPr>'
        f'<w:sdtContent><w:r><w:t>Sở Tài chính</w:t></w:r></w:sdtContent></w:sdt>'))
    box = ('<w:txbxContent><w:p><w:r><w:t>Nội dung trong hộp văn bản</w:t></w:r></w:p></w:txbxContent>')
    anchor = doc.add_paragraph("Trước hộp: ")
    anchor._p.append(parse_xml(
        f'<w:r {nsdecls("w")} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent>'
        f'<mc:Choice Requires="wps"><w:drawing><wps:txbx>{box}</wps:txbx></w:drawing></mc:Choice>'
        f'<mc:Fallback><w:pict><v:rect><v:textbox>{box}</v:textbox></v:rect></w:pict></mc:Fallback>'
        "</mc:AlternateContent></w:r>"))
    doc.add_paragraph("")  # empty paragraphs are skipped
    doc.add_paragraph("Sau hộp.")
    path = tmp_path / "controls.docx"
    doc.save(path)
    source = read_docx(path)
    assert texts(source.lines, RIGHT, HEADER) == [MOTTO, SLOGAN, DATE]
    assert texts(source.lines, block="") == ["Kính gửi: Sở Tài chính", "Trước hộp:", "Nội dung trong hộp văn bản",
                                             "Sau hộp."]


def test_docx_tcvn3_runs_are_converted_by_font(tmp_path):
    doc = Document()
    doc.styles["Normal"].font.name = ".VnTime"  # runs without their own font inherit TCVN3

    def legacy(container, text):
        if text.isupper():  # typed in lower case, shown in capitals by the ".VnTimeH" font
            return add_text(container, unicode_to_tcvn3(text.lower()), ".VnTimeH")
        return add_text(container, unicode_to_tcvn3(text))

    header = borderless_table(doc, 1, [70, 95])
    legacy(header.cell(0, 0).paragraphs[0], "ỦY BAN NHÂN DÂN")
    legacy(header.cell(0, 0).add_paragraph(), "Số: 123/UBND-KT")
    legacy(header.cell(0, 1).paragraphs[0], MOTTO)
    legacy(header.cell(0, 1).add_paragraph(), SLOGAN)
    legacy(doc.add_paragraph(), "Kính gửi: Ủy ban nhân dân các huyện")
    legacy(doc.add_paragraph(), "Đề nghị các đơn vị khẩn trương thực hiện và báo cáo kết quả./.")
    mixed = doc.add_paragraph()
    add_text(mixed, "Unicode giữ nguyên: ", "Times New Roman")
    add_text(mixed, unicode_to_tcvn3("đã chuyển"), ".VnTime")
    add_text(mixed, unicode_to_vni(" và được gửi"), "VNI-Times")
    path = tmp_path / "tcvn3.docx"
    doc.save(path)
    source = read_docx(path)
    assert texts(source.lines, LEFT, HEADER) == ["ỦY BAN NHÂN DÂN", "Số: 123/UBND-KT"]
    assert texts(source.lines, RIGHT, HEADER) == [MOTTO, SLOGAN]
    assert texts(source.lines, block="") == ["Kính gửi: Ủy ban nhân dân các huyện",
                                             "Đề nghị các đơn vị khẩn trương thực hiện và báo cáo kết quả./.",
                                             "Unicode giữ nguyên: đã chuyển và được gửi"]
    assert source.encoding == "tcvn3+vni" and "converted from TCVN3" in source.notes


def test_docx_grid_table_is_body_text(tmp_path):
    doc = Document()
    doc.add_paragraph("Danh sách đơn vị:")
    grid = doc.add_table(rows=3, cols=3)
    for r, row in enumerate([["STT", "Đơn vị", "Thời hạn"], ["1", "Sở Tài chính", "31/01"], ["2", "Sở Nội vụ", "15/02"]]):
        for c, text in enumerate(row):
            grid.cell(r, c).text = text
    path = tmp_path / "grid.docx"
    doc.save(path)
    source = read_docx(path)
    assert texts(source.lines)[:4] == ["Danh sách đơn vị:", "STT", "Đơn vị", "Thời hạn"]
    assert all(l.column == FULL and l.block == "" for l in source.lines)


def test_docx_errors(tmp_path):
    not_zip = tmp_path / "fake.docx"
    not_zip.write_bytes(b"this is plain text, not a Word file")
    with pytest.raises(ReadError, match="corrupt DOCX: not a zip archive"):
        read_docx(not_zip)
    empty_zip = tmp_path / "empty.docx"
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("hello.txt", "x")
    with pytest.raises(ReadError, match="corrupt DOCX: no word/document.xml"):
        read_docx(empty_zip)


# ---------------------------------------------------------------------------- PDF tests


def minimal_pdf(page_content: bytes = b"") -> bytes:
    """A valid one-page PDF, written by hand: an empty content stream is a page with no text."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length %d >>\nstream\n" % len(page_content) + page_content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_without_text_layer_is_reported(tmp_path):
    blank = tmp_path / "scan.pdf"
    blank.write_bytes(minimal_pdf())
    with pytest.raises(ReadError) as err:
        read_pdf(blank)
    assert err.value.reason == "no text layer: scanned PDF, OCR not available"


def test_corrupt_pdf_is_reported(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage" + bytes(range(256)))
    with pytest.raises(ReadError, match=r"^.*: corrupt PDF: \S"):
        read_pdf(broken)


def print_to_pdf(docx_path: Path, export_filter: str = "pdf") -> Path:
    """Print a DOCX to PDF with LibreOffice, in a private profile (parallel runs must not share one)."""
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed: cannot print the DOCX fixture to PDF")
    profile = Path(f"/tmp/lo_{uuid.uuid4().hex}")
    try:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                        export_filter, "--outdir", str(docx_path.parent), str(docx_path)],
                       check=True, capture_output=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return docx_path.with_suffix(".pdf")


@pytest.fixture(scope="module")
def printed_pdf(tmp_path_factory):
    """The two-page công văn printed to PDF by LibreOffice (skipped without `soffice`)."""
    return print_to_pdf(cong_van_docx(tmp_path_factory.mktemp("pdf") / "cv.docx", body_repeats=9))


def test_encrypted_pdf_is_reported(tmp_path):
    doc = Document()
    doc.add_paragraph("Tài liệu có mật khẩu")
    doc.save(tmp_path / "secret.docx")
    options = ('{"EncryptFile":{"type":"boolean","value":"true"},'
               '"DocumentOpenPassword":{"type":"string","value":"matkhau"}}')
    encrypted = print_to_pdf(tmp_path / "secret.docx", f"pdf:writer_pdf_Export:{options}")
    with pytest.raises(ReadError) as err:
        read_pdf(encrypted)
    assert err.value.reason == "encrypted PDF: a password is needed"


def test_pdf_header_and_signature_columns(printed_pdf):
    source = read_pdf(printed_pdf)
    assert source.format == "pdf" and source.pages == 2
    assert texts(source.lines, LEFT, HEADER) == ISSUER + [NUMBER] + SUBJECT
    assert texts(source.lines, RIGHT, HEADER) == [MOTTO, SLOGAN, DATE]
    assert texts(source.lines, LEFT, FOOTER) == RECEIVERS
    assert texts(source.lines, RIGHT, FOOTER) == SIGNER
    body = [l for l in source.lines if l.block not in (HEADER, FOOTER)]
    assert body[0].text == RECIPIENT and all(l.column == FULL for l in body)
    assert "Trang" not in source.text  # the running page header of page 2 is dropped
    assert {l.page for l in source.lines} == {1, 2}


# --------------------------------------------------------------------------- HTML tests

VBPL_LIKE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="{charset}"><title>Cổng thông tin</title>
<style>p {{ margin: 0 }}</style><script>var tracking = "Nơi nhận: hidden";</script></head>
<body><nav><a href="/">Trang chủ</a> | <a href="/vb">Văn bản</a></nav>
<div class="preview-content" data-vbpl-content-root="true">
<table border="0" style="width:100%"><tbody>
<tr><td><p><strong>ỦY BAN NHÂN DÂN<br/>  TỈNH QUẢNG NGÃI<br/>   _______</strong></p></td>
<td><p><strong>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br/>Độc lập - Tự do - Hạnh phúc<br/>_______________</strong></p></td></tr>
<tr><td><p>Số:&nbsp;123/UBND-KT<br/>V/v triển khai kế hoạch</p></td>
<td><p><em>Quảng Ngãi, ngày 05 tháng 01 năm 2024</em></p></td></tr>
</tbody></table>
<p align="center"><strong>Kính gửi:</strong> Sở Thông tin và
   Truyền thông</p>
<p><em>   </em>1. Triển khai <span>kế hoạch</span> chuyển đổi số.</p>
<div>2. Báo cáo <b>trước ngày</b> 31/01/2024./.</div>
<table border="0"><tbody><tr>
<td><p><strong><em>Nơi nhận:<br/></em></strong>- Như trên;<br/>        - Lưu: VT, KT.</p></td>
<td><p><strong>KT. CHỦ TỊCH<br/>PHÓ CHỦ TỊCH</strong><br/><br/>(Đã ký)<br/><br/><strong>Nguyễn Văn An</strong></p></td>
</tr></tbody></table>
<p align="center"><strong>PHỤ LỤC</strong></p>
<table border="1"><tr><th>STT</th><th>Đơn vị</th><th>Thời hạn</th></tr>
<tr><td>1</td><td>Sở Tài chính</td><td>31/01</td></tr></table>
</div></body></html>
"""


def test_html_portal_page_layout(tmp_path):
    path = tmp_path / "vbpl.html"
    path.write_text(VBPL_LIKE.format(charset="utf-8"), encoding="utf-8")
    source = read_html(path)
    assert source.format == "html"
    assert texts(source.lines, LEFT, HEADER) == ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI", "_______",
                                                 "Số: 123/UBND-KT", "V/v triển khai kế hoạch"]
    assert texts(source.lines, RIGHT, HEADER) == [MOTTO, SLOGAN, "_______________", DATE]
    assert texts(source.lines, LEFT, FOOTER) == RECEIVERS
    assert texts(source.lines, RIGHT, FOOTER) == SIGNER
    assert texts(source.lines, FULL, "") == [
        "Kính gửi: Sở Thông tin và Truyền thông", "1. Triển khai kế hoạch chuyển đổi số.",
        "2. Báo cáo trước ngày 31/01/2024./.", "PHỤ LỤC", "STT", "Đơn vị", "Thời hạn", "1", "Sở Tài chính", "31/01"]
    assert "Trang chủ" not in source.text and "tracking" not in source.text


def cp1258_bytes(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: precomposed â/ơ/ư…, tones as combining marks."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = bytearray()
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        out += (base + "".join(c for c in decomposed if c in tones)).encode("cp1258")
    return bytes(out)


def test_html_declared_windows_1258_is_decoded(tmp_path):
    path = tmp_path / "cp1258.html"
    path.write_bytes(cp1258_bytes(VBPL_LIKE.format(charset="windows-1258")))
    source = read_html(path)
    assert texts(source.lines, RIGHT, HEADER)[:2] == [MOTTO, SLOGAN]
    assert source.encoding == "cp1258"


def test_html_signer_in_right_aligned_paragraphs_and_appendix_forms(tmp_path):
    path = tmp_path / "nd.html"
    path.write_text(
        "<html><body><table><tr><td>CHÍNH PHỦ<br>Số: 242/2025/NĐ-CP</td><td>" + MOTTO + "<br>" + SLOGAN
        + "</td></tr></table><p>Điều 99. Nghị định này có hiệu lực từ ngày ký./.</p>"
        '<p style="text-align: right;"><b>TM. CHÍNH PHỦ</b></p><p style="text-align:right">KT. THỦ TƯỚNG</p>'
        '<p align="right">Bùi Thanh Sơn</p><p style="text-align: center;"><b>PHỤ LỤC I</b></p>'
        "<p>Mẫu số 01</p><table><tr><td>Nơi nhận:<br>- Như trên;</td><td>ĐẠI DIỆN CƠ QUAN<br>(Ký, ghi rõ họ tên)"
        "</td></tr></table></body></html>", encoding="utf-8")
    source = read_html(path)
    assert texts(source.lines, RIGHT, FOOTER) == ["TM. CHÍNH PHỦ", "KT. THỦ TƯỚNG", "Bùi Thanh Sơn"]
    assert texts(source.lines, LEFT, FOOTER) == []  # the appendix form's table is not the signature
    assert texts(source.lines, LEFT, "")[-2:] == ["Nơi nhận:", "- Như trên;"]


def test_html_legacy_font_face_is_converted(tmp_path):
    path = tmp_path / "vntime.html"
    body = unicode_to_tcvn3("Kính gửi: Sở Tài chính tỉnh Quảng Ngãi")
    path.write_text(f'<html><body><p><font face=".VnTime">{body}</font></p>'
                    f'<p style="font-family: .VnTimeH">{unicode_to_tcvn3("quyết định")}</p></body></html>',
                    encoding="utf-8")
    source = read_html(path)
    assert texts(source.lines) == ["Kính gửi: Sở Tài chính tỉnh Quảng Ngãi", "QUYẾT ĐỊNH"]
    assert "converted from TCVN3" in source.notes


# ------------------------------------------------------------------- real shared documents


def test_real_portal_pages_and_pdfs_keep_header_columns(shared):
    real = shared / "real"
    pages = sorted(real.glob("vbpl_*.html"))[:4]
    # two-page text PDFs; the diep_pdf_* decrees (29-30 pages, 4-7 s each) are too slow for this file
    pdfs = [p for p in (real / "qngai_05-signed.pdf", real / "qngai_vht507-signed.pdf") if p.exists()]
    if not pages and not pdfs:
        pytest.skip("no vbpl_*.html or text PDFs in ../shared/real")
    for path in pages + pdfs:
        source = read_html(path) if path.suffix == ".html" else read_pdf(path)
        left = texts(source.lines, LEFT, HEADER)
        right = texts(source.lines, RIGHT, HEADER)
        assert any(t.startswith("Số") for t in left), (path.name, left)
        assert any("CỘNG HÒA" in t.upper().replace("HOÀ", "HÒA") for t in right), (path.name, right)
        assert any("Nơi nhận" in t for t in texts(source.lines, LEFT, FOOTER)), path.name
        assert texts(source.lines, RIGHT, FOOTER), path.name
    scanned = real / "qngai_01-TTr-signed.pdf"
    if scanned.exists():
        with pytest.raises(ReadError, match="no text layer"):
            read_pdf(scanned)


@pytest.mark.parametrize("html", [
    "<html><body><table><div><p>Số: 12/UBND-VP</p><p>Hà Nội, ngày 05 tháng 3 năm 2024</p></div></table></body></html>",
    "<html><body><table><tr><td>UBND</td></tr><p>Số: 12/UBND-VP</p><p>Hà Nội, ngày 05 tháng 3 năm 2024</p></table>"
    "</body></html>",
    "<html><body><table><tr><td>UBND</td></tr><p>Số: 12/UBND-VP</p><p>Hà Nội, ngày 05 tháng 3 năm 2024</p></body></html>",
])
def test_html_text_inside_a_table_but_outside_its_cells_is_kept(tmp_path, html):
    """robustness D21: a missing </table> or a block straight in a table lost the rest of the page."""
    from pipeline.read import read

    page = tmp_path / "page.html"
    page.write_text(html, "utf-8")
    text = read(str(page)).text
    assert "Số: 12/UBND-VP" in text and "Hà Nội, ngày 05 tháng 3 năm 2024" in text
