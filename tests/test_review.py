"""Plausibility checks that send doubtful fields to review (pipeline/review.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from pipeline.records import Record, Signer
from pipeline.review import review_record
from pipeline.syllables import garbled_words, is_vietnamese_syllable, join_glyph_spaced

TODAY = dt.date(2026, 12, 7)


def dispatch(**fields) -> Record:
    base = dict(source="x", kind="dispatch", doc_type="Công văn", number="12/UBND-VX", issued_on="2024-03-05",
                place="Quảng Ngãi", issuer="ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", subject="triển khai công tác",
                signer=Signer("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trần Phước Hiền"))
    base.update(fields)
    return Record(**base)


def flagged(record: Record) -> set[str]:
    review_record(record, today=TODAY)
    return {entry["field"] for entry in record.review}


def test_a_plain_good_record_is_not_flagged():
    assert flagged(dispatch()) == set()


@pytest.mark.parametrize("word, ok", [
    ("THUẾ", True), ("Nghiêng", True), ("khuyến", True), ("Đắk", True), ("QUYẾT", True), ("gì", True),
    ("THUÉ", False), ("Ngăy", False), ("ĐỊNHH", False), ("kÀTHANH", False),
])
def test_vietnamese_syllables(word, ok):
    assert is_vietnamese_syllable(word) is ok


def test_abbreviations_and_ascii_words_are_not_judged():
    assert garbled_words("HĐND TTĐT UBND PV GAS CTCP") == []


@pytest.mark.parametrize("fields, field", [
    ({"issuer": "CỤC THUÉ TỈNH THANH HÓA"}, "issuer"),
    ({"number": "05/2025/NĐ-CP", "doc_type": "Nghị định", "issued_on": "2024-12-30"}, "number"),
    ({"number": "05/QĐ-UBND", "doc_type": "Kế hoạch"}, "doc_type"),
    ({"issued_on": "2029-01-01"}, "issued_on"),
    ({"place": "hướng dẫn thực hiện Luật Doanh nghiệp 2014 Hà Nội"}, "place"),
    ({"signer": Signer("KT. CỤC TRƯỞNG", "kÀTHANH H -----", "")}, "signer.title"),
    ({"signer": Signer("", "CHỦ TỊCH", "Việt")}, "signer.name"),
    ({"signer": Signer("", "THỐNG ĐỐC PHÓ THỐNG ĐỐC", "Đoàn Thái Sơn")}, "signer.title"),
    ({"doc_type": "Quyết định", "number": "5/QĐ-UBND", "subject": ""}, "subject"),
    ({"subject": "quy định về phân bón Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015"}, "subject"),
    ({"recipients": ["Sở Tài chính; - Sở Nội vụ; " * 10]}, "recipients"),
])
def test_implausible_values_are_flagged(fields, field):
    assert field in flagged(dispatch(**fields))


def test_a_cong_van_symbol_may_look_like_a_type():
    assert flagged(dispatch(number="1581/CT-TTHT", issuer="CỤC THUẾ TỈNH NGHỆ AN")) == set()


@pytest.mark.parametrize("name, emptied", [
    ("Việt Nam", True), ("Sơn La", True), ("Công Thương", True), ("Thành Đoàn", True),
    ("Đoàn Hồng Phong", False), ("Hà Văn Tâm", False), ("Trịnh Thị Thanh Hà", False),
])
def test_a_place_or_body_taken_for_a_name_is_emptied_and_flagged(name, emptied):
    record = dispatch(signer=Signer("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", name))
    fields = flagged(record)
    assert (record.signer.name == "") is emptied
    assert ("signer.name" in fields) is emptied


def test_appendix_headings_taken_for_a_title_are_emptied():
    record = dispatch(signer=Signer("TM. CHÍNH PHỦ", "TÊN CÔNG TY CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM GIẤY ĐĂNG KÝ CHÀO BÁN "
                                    "TRÁI PHIẾU CHUYỂN ĐỔI RIÊNG LẺ TẠI THỊ TRƯỜNG TRONG NƯỚC", ""))
    assert "signer.title" in flagged(record) and record.signer.title == ""


@pytest.mark.parametrize("title", ["QUYẾT ĐỊNH:", "QUYÉT ĐỊNH:", "THÔNG BÁO"])
def test_a_type_heading_taken_for_a_title_is_emptied(title):
    """A page image without the signature: "QUYẾT ĐỊNH:" before the articles is the last capitals."""
    record = dispatch(signer=Signer("", title, ""))
    assert "signer.title" in flagged(record) and record.signer.title == ""


@pytest.mark.parametrize("text, joined", [
    ("B Ộ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"),
    ("Qu ả ng Ngãi, ngày 05", "Quảng Ngãi, ngày 05"),
    ("Ngày tàu đ ế n, N hậ p khẩu", "Ngày tàu đến, Nhập khẩu"),
    ("Số c ontainer", "Số c ontainer"),  # a whole word never opens a join
    ("TP HCM, PV GAS; Lưu: VT, QLN", "TP HCM, PV GAS; Lưu: VT, QLN"),
    ("theo điểm đ khoản 2 và điểm a", "theo điểm đ khoản 2 và điểm a"),
    ("hoạt động bao gồm: N a) Quy định của pháp luật", "hoạt động bao gồm: N a) Quy định của pháp luật"),
])
def test_glyph_spaced_syllables_are_joined(text, joined):
    assert join_glyph_spaced(text) == joined
