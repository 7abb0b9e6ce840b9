"""Doubts about an extracted record: plausibility checks that send a field to review.

A clerk trusts what is not flagged, so a value that looks wrong is named here with the reason,
in Vietnamese. The checks are cross-field and shape rules that a correct value always passes:
the year in the number agrees with the date, the symbol's type abbreviation with the type name,
a title is upper-case words, a name is two to six capitalised words, and every word of an
upper-case header or title is a Vietnamese syllable (garbled legacy fonts and OCR slips are not).
"""
from __future__ import annotations

import datetime as dt
import re

from .records import Record
from .syllables import garbled_words
from .vocab import is_signer_title, type_for_abbreviation, type_title, vocab

def review_record(record: Record, today: dt.date | None = None) -> None:
    """Flag the fields of a dispatch record that fail a plausibility rule."""
    if record.kind != "dispatch":
        return
    check_number_and_date(record, today or dt.date.today())
    check_type(record)
    check_header_words(record)
    check_subject(record)
    check_lists(record)
    check_signer(record)


def check_number_and_date(record: Record, today: dt.date) -> None:
    m = re.search(r"/(\d{4})/", record.number)
    if m and record.issued_on and m.group(1) != record.issued_on[:4]:
        reason = f"năm trong số ký hiệu ({m.group(1)}) khác năm ban hành ({record.issued_on[:4]})"
        record.flag("number", reason)
        record.flag("issued_on", reason)
    if record.issued_on:
        issued = dt.date.fromisoformat(record.issued_on)
        if issued > today + dt.timedelta(days=31) or issued.year < 1945:
            record.flag("issued_on", f"ngày ban hành khó tin: {issued:%d/%m/%Y}")
    if record.number and not re.match(r"^\d", record.number):
        record.flag("number", "số ký hiệu không bắt đầu bằng chữ số")


def check_type(record: Record) -> None:
    """The symbol's first part names the type ("12/QĐ-UBND" is a Quyết định); a công văn has none."""
    symbol = record.number.split("/")[-1] if "/" in record.number else ""
    named = type_for_abbreviation(symbol.split("-")[0]) if "-" in symbol else ""
    # A công văn's symbol starts with the issuer's own abbreviation, which may look like a type's
    # ("1581/CT-TTHT" from Cục Thuế): only a named type's symbol is held to its type.
    if named and record.doc_type not in ("", "Công văn") and named != record.doc_type:
        reason = f"ký hiệu «{symbol}» là của {named}, nhưng tên loại đọc được là {record.doc_type}"
        record.flag("doc_type", reason)


def check_header_words(record: Record) -> None:
    for name, value in (("issuer", record.issuer), ("signer.title", record.signer.title),
                        ("signer.authority", record.signer.authority)):
        bad = garbled_words(value)
        if bad:
            record.flag(name, f"chữ không phải tiếng Việt (lỗi phông hoặc OCR): {', '.join(bad[:3])}")
    if len(record.issuer) > 120:
        record.flag("issuer", "tên cơ quan ban hành quá dài: có thể lẫn dòng khác")
    if record.place and (len(record.place) > 40 or not record.place[:1].isupper() or re.search(r"\d", record.place)):
        record.flag("place", f"địa danh khó tin: «{record.place[:40]}»")


def check_subject(record: Record) -> None:
    subject = record.subject
    if not subject:
        if record.doc_type != "Công văn":  # a công văn without V/v is already flagged by extraction
            record.flag("subject", "không tìm thấy trích yếu")
        return
    if len(subject) > 400 or re.search(r"\bCăn\s+cứ\b", subject):
        record.flag("subject", "trích yếu quá dài hoặc lẫn phần căn cứ")


def check_lists(record: Record) -> None:
    for name, entries in (("recipients", record.recipients), ("distribution", record.distribution)):
        if any(len(e) > 200 for e in entries):
            record.flag(name, "một mục quá dài: có thể nhiều mục bị dính vào nhau")


SURNAMES = set("""Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đoàn Đinh Lương Trương
Mai Đào Cao Lâm Hà Tô Tạ Trịnh Chu Lưu Kiều Thái Tăng Quách Văn Vương La Giang Mạc Phùng Lò Triệu Thân Khúc Lại Nông
Hứa Âu Diệp Đàm Đồng Lục Mạch Mẫn Ninh Quan Tống Từ Vi Y H' Ksor Rơ Nay""".split())


def looks_like_a_place_or_body(name: str) -> bool:
    """ "Việt Nam", "Sơn La", "Công Thương", "Thành Đoàn": what a name tagger takes for a person.
    A name that starts with a Vietnamese surname is a person's, whatever follows."""
    first = name.split()[0]
    if first in SURNAMES:
        return False
    if name in vocab()["provinces"] or name in ("Việt Nam", "Trung ương", "Chính phủ", "Nhà nước"):
        return True
    heads = [h for h in vocab()["org_heads"] if h[:1].isupper()]
    return any(name == h or name.startswith(h + " ") for h in heads) or first in ("Công", "Tỉnh", "Huyện", "Quận")


SIGNER_TITLE_CHARS = re.compile(r"^[A-ZĐÀ-Ỹ\s,.()\-/&]+$")


def check_signer(record: Record) -> None:
    signer = record.signer
    mixed_case = any(c.islower() for c in signer.title if c.isalpha()) and not is_signer_title(signer.title)
    if signer.title and (len(signer.title) > 80 or not SIGNER_TITLE_CHARS.match(signer.title.upper()) or mixed_case):
        record.flag("signer.title", f"chức vụ người ký khó tin: «{signer.title[:50]}»")
        if len(signer.title) > 80:  # headings of appendix forms, not a title: better empty than wrong
            signer.title = ""
            record.spans.pop("signer.title", None)
    if signer.title and type_title(signer.title):  # "QUYẾT ĐỊNH:" before the articles, on a page without the signature
        record.flag("signer.title", f"«{signer.title}» là tên loại văn bản, không phải chức vụ người ký")
        signer.title = ""
        record.spans.pop("signer.title", None)
    if re.search(r"\s(?:PHÓ\s|THỨ\s+TRƯỞNG\b)", signer.title):
        # "THỐNG ĐỐC PHÓ THỐNG ĐỐC": a deputy's title after another one; the "KT." line lost
        record.flag("signer.title", f"chức vụ «{signer.title}» ghép hai chức danh: có thể thiếu dòng KT./TL.")
    if re.search(r"(?<!\S)(?:TM|KT|TL|TUQ)\.|(?<!\S)(?:T/M|K/T|T/L)\s", signer.title):
        record.flag("signer.title", "chức vụ lẫn dòng thẩm quyền ký (TM./KT./TL.)")
    if signer.authority and len(signer.authority) > 80:
        record.flag("signer.authority", "dòng thẩm quyền ký quá dài: có thể lẫn dòng khác")
        signer.authority = ""
        record.spans.pop("signer.authority", None)
    words = signer.name.split()
    if signer.name and not (2 <= len(words) <= 6 and all(w[:1].isupper() for w in words)):
        record.flag("signer.name", f"họ tên người ký khó tin: «{signer.name[:40]}»")
    if signer.name and looks_like_a_place_or_body(signer.name):
        record.flag("signer.name", f"«{signer.name}» là địa danh hoặc tên cơ quan, không phải họ tên")
        signer.name = ""
        record.spans.pop("signer.name", None)
    if not signer.title and not signer.authority and record.doc_type not in ("Công điện",):
        record.flag("signer", "không tìm thấy chức vụ người ký")
