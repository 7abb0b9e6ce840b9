"""Recognising a line by its text: the national motto, "Số:", the date, "V/v", "Kính gửi",
"Nơi nhận", type names, names of people, decorations."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import decree30
from ..decree30 import QUOC_HIEU, TIEU_NGU  # noqa: F401 (the checker's modules take them from here)
from ..vocab import vocab
from .walk import Line

# The checker holds a draft to the decree's spelling: the exact forms (see decree30's docstring).
SLOGAN = decree30.SLOGAN_EXACT
NUMBER = decree30.NUMBER_EXACT
DATE_WORDS = decree30.DATE_WORDS_BLANKS_ALLOWED
VV = decree30.SUBJECT_EXACT
KINH_GUI = decree30.KINH_GUI_EXACT
NOI_NHAN = decree30.NOI_NHAN_EXACT
KINH_GUI_LABEL = decree30.KINH_GUI_LABEL_EXACT
NOI_NHAN_LABEL = decree30.NOI_NHAN_LABEL_EXACT
# The marks Appendix I prints near the number: mức độ khẩn (cell 10b), độ mật (cell 10a, a secrecy
# mark, not an urgency), and the circulation marks (cell 11).
URGENCY = re.compile(r"^(?:HỎA\s+TỐC|HOẢ\s+TỐC|THƯỢNG\s+KHẨN|KHẨN)(?:\s+HẸN\s+GIỜ)?$")
SECRECY = re.compile(r"^(?:MẬT|TỐI\s+MẬT|TUYỆT\s+MẬT)$")
CIRCULATION = re.compile(r"^(?:LƯU\s+HÀNH\s+NỘI\s+BỘ|XEM\s+XONG\s+TRẢ\s+LẠI|TÀI\s+LIỆU\s+HỘI\s+NGHỊ)$")
APPENDIX = re.compile(r"^phụ\s+lục(?:\s+(?:[IVXLC]+|\d+|số\s*\d+))?\s*[:.]?$", re.I)
APPENDIX_REF = re.compile(r"^\(?\s*(?:kèm\s+theo|ban\s+hành\s+kèm\s+theo)\b", re.I)
COPY_FORM = re.compile(r"^(SAO\s+Y|SAO\s+LỤC|TRÍCH\s+SAO)(?:\s+BẢN\s+CHÍNH)?$")
COPY_ABBREVIATIONS = {"SAO Y": "SY", "SAO LỤC": "SL", "TRÍCH SAO": "TrS"}
PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
CAN_CU = re.compile(r"^(?:căn\s+cứ|theo\s+đề\s+nghị|xét\s+đề\s+nghị)\b", re.I)
ENACTING = re.compile(r"^(?:QUYẾT\s+ĐỊNH|QUYẾT\s+NGHỊ|CHỈ\s+THỊ|BAN\s+HÀNH)\s*:$|^Điều\s+1\b")
ARTICLE = re.compile(r"^Điều\s+\d+[a-z]?\.")


def mark_kind(text: str) -> str:
    """ "urgency", "secrecy", "circulation" for a mark line, "" otherwise."""
    for kind, pattern in (("urgency", URGENCY), ("secrecy", SECRECY), ("circulation", CIRCULATION)):
        if pattern.match(text):
            return kind
    return ""
HEADING = re.compile(r"^(?:Phần|Chương|Mục|Tiểu\s+mục)\s+(?:[IVXLC]+|\d+)\b")
RULE_LINE = re.compile(r"^[-_–—=*.…·\s]{3,}$")
SIGN_MARK = re.compile(r"^[(\[]|^(?:đã\s+ký|chữ\s+ký|ký\s+bởi)\b", re.I)
DASHES = ("-", "–")
HEADER_SCAN_LIMIT = 40  # lines; a header longer than this is not a header
LONG_LINE = 150  # characters; longer lines are body text, never header components


def is_upper_line(text: str) -> bool:
    """All letters capitals: a draft is judged strictly (the reader forgives 15 %)."""
    return decree30.is_upper_line(text, share=1.0)


def _norm_upper(text: str) -> str:
    return " ".join(text.split()).upper().replace("HOÀ", "HÒA")


@lru_cache(maxsize=1)
def _type_titles() -> frozenset[str]:
    return frozenset(t.upper() for t in vocab()["type_titles"])


def is_type_title(text: str) -> bool:
    return " ".join(text.split()) in _type_titles()


PLACE_THEN_DATE = re.compile(r"^[^\d,;:/]{2,60},?\s*ngày\b", re.I)
PLACE_THEN_DIGITS = re.compile(r"^[^\d,;:/]{2,60},\s*\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}$")


def _date_line(zone: list) -> "Line | None":
    """The place-and-date line: "<place>, ngày …" first, then a bare "ngày … tháng … năm …",
    then "<place>, 05/01/2026"; never the Số or V/v lines (a wrapped V/v may cite a date)."""
    lines = [ln for ln in zone if len(ln.text) < 100 and not NUMBER.match(ln.text) and not VV.match(ln.text)]
    tests = (lambda t: PLACE_THEN_DATE.match(t) and DATE_WORDS.search(t),
             lambda t: DATE_WORDS.match(t),
             lambda t: PLACE_THEN_DIGITS.match(t))
    for test in tests:
        found = _first(lines, lambda ln: test(ln.text))
        if found is not None:
            return found
    return None


def _first(lines: list[Line], test) -> Line | None:
    return next((ln for ln in lines if test(ln)), None)


def is_name_like(text: str) -> bool:
    """A person's name: a few capitalised words, no digits, no closing punctuation, not upper case."""
    words = text.split()
    return (1 <= len(words) <= 7 and len(text) <= 60 and not is_upper_line(text) and text[0].isupper()
            and not any(c.isdigit() for c in text) and ":" not in text and not text.endswith((".", ";", ",")))


def _after_label(text: str, label: re.Pattern) -> str:
    return label.sub("", text, count=1)


def is_decoration(line: Line) -> bool:
    return bool(RULE_LINE.match(line.text))
