"""How an outgoing document writes numbers, dates and names (Decree 30/2020/NĐ-CP, Appendices I–II).

Small pure functions shared by the generate stage and the templates (as Jinja2 filters).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

from .vocab import vocab

# Administrative levels: the words after one of them are a place name, each word capitalised.
LEVELS = ("thành phố", "thị xã", "thị trấn", "khu vực", "tỉnh", "huyện", "quận", "xã", "phường")
# Names written the same wherever they stand in an organisation's name (Appendix II).
PHRASES = {"việt nam": "Việt Nam", "trung ương": "Trung ương", "nhà nước": "Nhà nước", "chính phủ": "Chính phủ",
           "quốc hội": "Quốc hội"}
# Multi-word heads written with a capital only on their first word ("Ủy ban nhân dân").
LOWER_TAIL_HEADS = ("ủy ban nhân dân", "uỷ ban nhân dân", "hội đồng nhân dân", "bảo hiểm xã hội", "mặt trận tổ quốc")
ABBREVIATED_HEADS = {"ubnd": "Ủy ban nhân dân", "hđnd": "Hội đồng nhân dân", "bhxh": "Bảo hiểm xã hội"}


def day_month_year(d: date) -> str:
    """ "ngày 05 tháng 01 năm 2026": a leading zero for days below 10 and months 1 and 2 only."""
    day = f"{d.day:02d}"
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {day} tháng {month} năm {d.year}"


def place_and_date(place: str, d: date) -> str:
    return f"{place}, {day_month_year(d)}"


def short_date(d: date | str | None) -> str:
    """ "17/02/2021", the form used when citing a document."""
    if not d:
        return ""
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def serial_text(serial: int) -> str:
    """Numbers below 10 take a leading zero (Appendix I §II.3)."""
    return f"{serial:02d}"


def type_abbreviation(doc_type: str) -> str:
    """ "Giấy mời" → "GM"; "" for a công văn, which has none (Appendix III)."""
    for abbr, name in vocab()["doc_types"].items():
        if name.casefold() == doc_type.casefold() and doc_type.casefold() != "công văn":
            return abbr
    return ""


def number_and_symbol(serial: int, doc_type: str, org_symbol: str, unit: str) -> str:
    """ "05/SYT-VP" for a công văn (body-unit), "12/GM-SYT" for a named type (type-body)."""
    abbr = type_abbreviation(doc_type)
    symbol = f"{abbr}-{org_symbol}" if abbr else f"{org_symbol}-{unit}" if unit else org_symbol
    return f"{serial_text(serial)}/{symbol}"


def org_name_in_text(upper_name: str, document_text: str = "") -> str:
    """An issuing body's name as running text writes it ("Bảo hiểm xã hội Việt Nam").

    The document itself is the best authority: if it spells the name in mixed case somewhere,
    that spelling is used. Otherwise Appendix II's rule: capital on the kind of body and on the
    first word of its field ("Sở Giáo dục và Đào tạo"), each word of a place after its level
    ("tỉnh Quảng Ngãi").
    """
    name = " ".join(upper_name.split())
    if not name:
        return ""
    if not name.isupper():
        return name
    seen = _mixed_case_spelling(name, document_text)
    return seen or _appendix_ii_case(name)


def _mixed_case_spelling(name: str, text: str) -> str:
    if not text:
        return ""
    pattern = r"\s+".join(re.escape(w) for w in name.split())
    for match in re.finditer(pattern, text, re.IGNORECASE):
        found = " ".join(match.group(0).split())
        if not found.isupper() and found[0].isupper():
            return found
    return ""


def _appendix_ii_case(name: str) -> str:
    words = name.lower().split()
    if words[0] in ABBREVIATED_HEADS:
        words = ABBREVIATED_HEADS[words[0]].lower().split() + words[1:]
    head = _head_length(words)
    out = [_capitalise(words[0])] + words[1:head]
    i, capital_next, in_place = head, True, False
    while i < len(words):
        level, phrase = _level_at(words, i), _phrase_at(words, i)
        if level:  # "tỉnh", "thành phố": lower case, and what follows is a place
            out += level.split()
            i, in_place = i + len(level.split()), True
        elif phrase:
            out.append(_phrases()[phrase])
            i, capital_next = i + len(phrase.split()), False
        else:
            word = words[i]
            if word in ("và", "-"):
                capital_next = True  # "Giáo dục và Đào tạo": each field starts with a capital
                out.append(word)
            else:
                out.append(_capitalise(word) if in_place or capital_next else word)
                capital_next = False
            i += 1
    return " ".join(out)


def _head_length(words: list[str]) -> int:
    joined = " ".join(words)
    heads = LOWER_TAIL_HEADS + tuple(h.lower() for h in vocab()["org_heads"] if h[:1].isupper())
    for head in sorted(heads, key=len, reverse=True):
        if joined == head or joined.startswith(head + " "):
            return len(head.split())
    return 1


def _level_at(words: list[str], i: int) -> str:
    if words[i:i + 2] == ["xã", "hội"]:  # "Thương binh và Xã hội" is a field, not a commune
        return ""
    return next((lv for lv in LEVELS if words[i:i + len(lv.split())] == lv.split()), "")


def _phrase_at(words: list[str], i: int) -> str:
    """A fixed name starting at words[i] ("việt nam", a province), longest first."""
    return next((p for p in _phrases() if words[i:i + len(p.split())] == p.split()), "")


@lru_cache(maxsize=1)
def _phrases() -> dict[str, str]:
    names = dict(PHRASES)
    names.update({p.lower(): p for p in vocab()["provinces"]})
    return dict(sorted(names.items(), key=lambda kv: -len(kv[0])))


def _capitalise(word: str) -> str:
    word = unicodedata.normalize("NFC", word)
    return word[:1].upper() + word[1:]


def lower_first(text: str) -> str:
    """ "Tập trung triển khai…" → "tập trung triển khai…" (a subject continuing a sentence)."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


LEADING_ABOUT = re.compile(r"^\s*(?:v/v|về\s+việc|về)\s*[:.]?\s+", re.I)
# Abbreviations that stay in capitals when a trích yếu printed in capitals is brought to
# sentence case; tokens with digits or "/" (numbers, symbols) stay as they are too.
KEPT_UPPER = {"UBND", "HĐND", "BHXH", "BHYT", "BHTN", "THPT", "THCS", "CNTT", "KT-XH", "COVID", "ATTP", "GDĐT",
              "MTTQ", "TNHH", "CP", "ODA", "PCCC", "TTHC", "HTX", "NSNN", "XDCB", "ĐTXD", "VP", "HĐQT"}


def subject_text(text: str, lower: bool = True) -> str:
    """A trích yếu as a reply prints it after "V/v" or "về việc": without its own leading
    "V/v", "Về việc" or "Về" (no "về việc về …"), in sentence case when it was printed in
    capitals, starting in lower case."""
    text = " ".join(text.split())
    while LEADING_ABOUT.match(text):
        text = LEADING_ABOUT.sub("", text, count=1)
    if _mostly_upper(text):
        text = sentence_case(text)
        return text if lower else text[:1].upper() + text[1:]
    return lower_first(text) if lower else text


def _mostly_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def sentence_case(text: str) -> str:
    """ "QUY ĐỊNH VỀ QUẢN LÝ TẠI TỈNH QUẢNG NGÃI" → "quy định về quản lý tại tỉnh Quảng Ngãi":
    lower case, with the names Appendix II capitalises (places after their level, Việt Nam,
    Chính phủ …) and abbreviations, numbers and symbols kept."""
    out = []
    for token in text.split(" "):
        bare = token.strip(",.;:()\"'")
        if bare in KEPT_UPPER or any(c.isdigit() for c in token) or "/" in token:
            out.append(token)
        else:
            out.append(token.lower())
    words = " ".join(out).split(" ")
    i, result, in_place = 0, [], False
    while i < len(words):
        low = [w.lower().strip(",.;:()") for w in words]
        level, phrase = _level_at(low, i), _phrase_at(low, i)
        if phrase:
            n = len(phrase.split())
            name = _phrases()[phrase].split()
            result += [name[k] + words[i + k][len(low[i + k]):] if words[i + k].lower().startswith(low[i + k])
                       else words[i + k] for k in range(n)]
            i, in_place = i + n, False
        elif level:
            n = len(level.split())
            result += words[i:i + n]
            i, in_place = i + n, True
        else:
            result.append(_capitalise(words[i]) if in_place and low[i] else words[i])
            in_place = False if words[i].endswith((",", ";", ".")) or not in_place else in_place
            i += 1
            if in_place and i < len(words) and low[i] in ("và", "về", "của", "tại", "trên", "năm"):
                in_place = False
    return " ".join(result)


# Bodies above any provincial department or district body: a reply to them reports ("báo cáo").
SUPERIOR_HEADS = ("chinh phu", "thu tuong", "quoc hoi", "van phong chinh phu", "bo ", "uy ban nhan dan tinh",
                  "ubnd tinh", "hoi dong nhan dan tinh", "hdnd tinh", "tinh uy", "uy ban nhan dan thanh pho truc",
                  "thanh uy")


def is_superior(issuer: str, org_name: str, org_parent: str = "") -> bool:
    """Whether a reply to `issuer` goes up (to the sending body's parent, a ministry, the Government,
    the province) and so "báo cáo … xem xét", rather than across to a peer or down."""
    from .normalize import fold_words

    def norm(text: str) -> str:
        text = fold_words(text or "")
        return re.sub(r"^ubnd\b", "uy ban nhan dan", text)

    who, own, parent = norm(issuer), norm(org_name), norm(org_parent)
    if not who or who == own:
        return False
    if parent and (who == parent or who.startswith(parent) or parent.startswith(who)):
        return True
    if own.startswith(("uy ban nhan dan tinh", "bo ", "chinh phu")) and who.startswith(("uy ban nhan dan tinh", "bo ")):
        return False  # a province or ministry writing to another: peers
    return (who + " ").startswith(SUPERIOR_HEADS) or who.startswith(SUPERIOR_HEADS)
