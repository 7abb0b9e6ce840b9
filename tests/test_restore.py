"""Restoring the lines of portal-flattened headers and footers (pipeline/restore.py)."""
from __future__ import annotations

import pytest

from pipeline.extract import extract, title_start
from pipeline.read.text import markdown_to_text
from pipeline.records import Line, SourceText
from pipeline.restore import place_start, restore_lines


def texts(*raw: str) -> list[str]:
    return [line.text for line in restore_lines([Line(r) for r in raw])]


def test_flattened_header_is_cut_at_decree_marks():
    got = texts("SỞ Y TẾ ------- CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc -------",
                "Số: 12/SYT-NV V/v tiêm chủng mở rộng Quảng Trị, ngày 05 tháng 3 năm 2024 Kính gửi: Bệnh viện tỉnh.")
    assert got == ["SỞ Y TẾ", "-------", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc", "-------",
                   "Số: 12/SYT-NV", "V/v tiêm chủng mở rộng", "Quảng Trị, ngày 05 tháng 3 năm 2024",
                   "Kính gửi: Bệnh viện tỉnh."]


def test_issuer_glued_to_the_portal_title_sentence():
    got = texts("Công văn 5/BYT-KCB năm 2014 do Bộ Y tế ban hành. BỘ Y TẾ -------")
    assert got == ["Công văn 5/BYT-KCB năm 2014 do Bộ Y tế ban hành.", "BỘ Y TẾ", "-------"]


def test_date_cited_in_running_text_is_not_cut():
    line = "Thực hiện Công văn số 12/UBND-VX, ngày 03 tháng 5 năm 2024 của Ủy ban nhân dân tỉnh, Sở đề nghị:"
    assert texts(line) == [line]


@pytest.mark.parametrize("before, place", [
    ("V/v hướng dẫn Điều 162 Luật DN 2014 Hà Nội", "Hà Nội"),
    ("V/v tổ chức hội nghị Thành phố Hồ Chí Minh", "Thành phố Hồ Chí Minh"),
    ("V/v triển khai công tác năm 2024 Ninh Kiều", "Ninh Kiều"),
    ("Đà Lạt", "Đà Lạt"),
])
def test_place_before_the_date(before, place):
    assert before[place_start(before):] == place


def test_run_on_kinh_gui_splits_entries_and_body():
    got = texts("Kính gửi: - Bộ Tài chính; - Bộ Kế hoạch và Đầu tư.")
    assert got == ["Kính gửi:", "- Bộ Tài chính;", "- Bộ Kế hoạch và Đầu tư."]
    got = texts("Kính gửi: Đ/c Chủ tịch Ủy ban nhân dân các tỉnh Trong thời gian qua, các địa phương đã …")
    assert got == ["Kính gửi: Đ/c Chủ tịch Ủy ban nhân dân các tỉnh", "Trong thời gian qua, các địa phương đã …"]


def test_flattened_footer_gives_entries_title_and_name():
    got = texts("Nơi nhận: - Như trên; - Lưu: VT, ĐMDN (2b). Trung Anh BỘ TRƯỞNG, CHỦ NHIỆM Mai Tiến Dũng")
    assert got == ["Nơi nhận:", "- Như trên;", "- Lưu: VT, ĐMDN (2b). Trung Anh", "BỘ TRƯỞNG, CHỦ NHIỆM",
                   "Mai Tiến Dũng"]
    assert texts("- Lưu: VT, QLKTTW.", "TL.", "BỘ TRƯỞNG CHÁNH VĂN PHÒNG Nguyễn Đức Tâm")[1:] == [
        "TL. BỘ TRƯỞNG CHÁNH VĂN PHÒNG", "Nguyễn Đức Tâm"]


def test_a_flattened_table_cell_keeps_its_column_and_block():
    got = restore_lines([Line("SỞ Y TẾ -------", column="left", block="header"),
                         Line("KT. BỘ TRƯỞNG THỨ TRƯỞNG Nguyễn Trần Nam", column="right", block="footer")])
    assert [(l.text, l.column, l.block) for l in got] == [
        ("SỞ Y TẾ", "left", "header"), ("-------", "left", "header"),
        ("KT. BỘ TRƯỞNG THỨ TRƯỞNG", "right", "footer"), ("Nguyễn Trần Nam", "right", "footer")]


def test_running_text_that_names_the_marks_is_not_cut():
    line = "6. Kính gửi và Nơi nhận: nếu gửi một nơi thì ghi cùng dòng với “Kính gửi:”."
    assert texts(line) == [line]


def test_html_table_cells_holding_flattened_blocks(tmp_path):
    from pipeline.read import read

    page = tmp_path / "cv.html"
    page.write_text(
        "<html><body><table><tr><td><p>BỘ XÂY DỰNG -------</p></td><td><p>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM "
        "Độc lập - Tự do - Hạnh phúc ---------------</p></td></tr><tr><td><p>Số: 2214/BXD-QLN V/v: Hỗ trợ nhà ở"
        "</p></td><td><p>Hà Nội, ngày 23 tháng 10 năm 2013</p></td></tr></table><table><tr><td><p>Kính gửi:</p>"
        "</td><td><p>- Bộ Tài chính; - Bộ Kế hoạch và Đầu tư</p></td></tr></table><p>Bộ Xây dựng đề nghị các Bộ "
        "phối hợp./.</p><table><tr><td><p>Nơi nhận: - Như trên; - Lưu: VT, QLN (2b)</p></td><td><p>KT. BỘ "
        "TRƯỞNG THỨ TRƯỞNG Nguyễn Trần Nam</p></td></tr></table></body></html>", "utf-8")
    record = extract(read(str(page)))
    assert (record.number, record.subject, record.issuer) == ("2214/BXD-QLN", "Hỗ trợ nhà ở", "BỘ XÂY DỰNG")
    assert record.recipients == ["Bộ Tài chính", "Bộ Kế hoạch và Đầu tư"]
    assert record.distribution == ["Như trên", "Lưu: VT, QLN (2b)"]
    assert (record.signer.authority, record.signer.title, record.signer.name) == ("KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Nguyễn Trần Nam")


@pytest.mark.parametrize("line, title", [
    ("KT. BỘ TRƯỞNG THỨ TRƯỞNG", "THỨ TRƯỞNG"),
    ("KT. TỔNG CỤC TRƯỞNG PHÓ TỔNG CỤC TRƯỞNG", "PHÓ TỔNG CỤC TRƯỞNG"),
    ("TL. BỘ TRƯỞNG CHÁNH VĂN PHÒNG", "CHÁNH VĂN PHÒNG"),
    ("K/T THỦ TƯỚNG CHÍNH PHỦ PHÓ THỦ TƯỚNG", "PHÓ THỦ TƯỚNG"),
    ("TM. ỦY BAN NHÂN DÂN CHỦ TỊCH", "CHỦ TỊCH"),
    ("KT. CHỦ TỊCH", ""),
])
def test_title_after_the_authority_on_one_line(line, title):
    cut = title_start(line)
    assert (line[cut:] if cut else "") == title


def test_markdown_header_table_cells_become_lines():
    md = ("| SỞ CÔNG THƯƠNG ------- | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc |\n"
          "| --- | --- |\n| Số: 5/SCT-QLTM V/v: kiểm tra | Sơn La, ngày 22 tháng 01 năm 2024 |\n"
          "| Mã cảng | Tên cảng | Số container |")
    assert markdown_to_text(md).splitlines() == [
        "SỞ CÔNG THƯƠNG -------", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc",
        "Số: 5/SCT-QLTM V/v: kiểm tra", "Sơn La, ngày 22 tháng 01 năm 2024", "Mã cảng  Tên cảng  Số container"]


def test_one_line_portal_dispatch_end_to_end():
    raw = ("BỘ XÂY DỰNG ------- CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc ------- "
           "Số: 7/BXD-QLN V/v hỗ trợ nhà ở Hà Nội, ngày 08 tháng 5 năm 2024 Kính gửi: Sở Xây dựng các tỉnh. "
           "Bộ Xây dựng đề nghị các Sở thực hiện./.\nNơi nhận: - Như trên; - Lưu: VT, QLN. "
           "KT. BỘ TRƯỞNG THỨ TRƯỞNG Trần Minh Đức")
    record = extract(SourceText("x.txt", "txt", [Line(t) for t in raw.splitlines()]))
    assert (record.number, record.issued_on, record.place, record.issuer) == ("7/BXD-QLN", "2024-05-08", "Hà Nội", "BỘ XÂY DỰNG")
    assert record.subject == "hỗ trợ nhà ở"
    assert record.recipients == ["Sở Xây dựng các tỉnh"]
    assert record.distribution == ["Như trên", "Lưu: VT, QLN"]
    assert (record.signer.authority, record.signer.title, record.signer.name) == ("KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Trần Minh Đức")


def test_markdown_italics_and_portal_commentary_are_dropped():
    md = ("_Hà Nội, ngày 04 tháng 3 năm 2024_\n_Căn cứ Luật Tổ chức Chính phủ;_\n**Nơi nhận:**\n- Lưu: VT.\n"
          "_Nguyễn Văn An_\n## Điểm mới chính\n- một bài bình luận\n")
    assert markdown_to_text(md).splitlines() == [
        "Hà Nội, ngày 04 tháng 3 năm 2024", "Căn cứ Luật Tổ chức Chính phủ;", "Nơi nhận:", "- Lưu: VT.", "Nguyễn Văn An"]


def test_one_letter_name_word_stays_with_the_name():
    assert texts("GIÁM ĐỐC Y Ngọc Hà") == ["GIÁM ĐỐC Y Ngọc Hà"]
    assert texts("GIÁM ĐỐC Lò Văn Thắng") == ["GIÁM ĐỐC", "Lò Văn Thắng"]


def test_name_between_title_and_a_glued_appendix_heading():
    assert texts("KT. TỔNG CỤC TRƯỞNG PHÓ TỔNG CỤC TRƯỞNG Vũ Ngọc Anh TÊN ĐƠN VỊ CUNG CẤP: …") == [
        "KT. TỔNG CỤC TRƯỞNG PHÓ TỔNG CỤC TRƯỞNG", "Vũ Ngọc Anh", "TÊN ĐƠN VỊ CUNG CẤP: …"]
    assert texts("- UBND Quảng Ngãi;") == ["- UBND Quảng Ngãi;"]


def test_two_level_header_on_one_line():
    from pipeline.extract import split_two_levels
    from pipeline.segment import Piece

    def cut(text):
        return [p.text for p in split_two_levels(Piece(text, 0, "", "header"))]

    assert cut("BỘ TÀI CHÍNH TỔNG CỤC HẢI QUAN") == ["BỘ TÀI CHÍNH", "TỔNG CỤC HẢI QUAN"]
    assert cut("UBND TỈNH QUẢNG TRỊ SỞ Y TẾ") == ["UBND TỈNH QUẢNG TRỊ", "SỞ Y TẾ"]
    assert cut("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI") == ["ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"]
    assert cut("BỘ QUỐC PHÒNG") == ["BỘ QUỐC PHÒNG"]


def test_upper_title_continues_after_a_connector_and_keeps_its_own_ending():
    from pipeline.extract import without_enacting_body
    from pipeline.segment import continues_upper_title

    assert continues_upper_title("QUY ĐỊNH VỀ TIẾP CÔNG DÂN CỦA", "BỘ KHOA HỌC VÀ CÔNG NGHỆ")
    assert not continues_upper_title("QUY ĐỊNH VỀ TIẾP CÔNG DÂN", "BỘ TRƯỞNG BỘ KHOA HỌC VÀ CÔNG NGHỆ")
    assert without_enacting_body("BÃI BỎ MỘT SỐ NGHỊ ĐỊNH CỦA CHÍNH PHỦ", "CHÍNH PHỦ") == "BÃI BỎ MỘT SỐ NGHỊ ĐỊNH CỦA CHÍNH PHỦ"
    assert without_enacting_body("QUY ĐỊNH VỀ X BỘ TRƯỞNG BỘ Y TẾ", "BỘ Y TẾ") == "QUY ĐỊNH VỀ X"
