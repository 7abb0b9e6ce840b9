"""Documents cited in a dispatch's body: "Công văn số 287/BHXH-VP ngày 01/02/2021 của …"."""
from __future__ import annotations

import re
from functools import lru_cache

from .dates import DATE, to_iso
from .records import Record, Reference
from .vocab import alternation, type_for_abbreviation, vocab

# "287/BHXH-VP", "06/2026/TT-BXD", "35A/THB-TV" (a letter after the number), "1500/QĐ- TCHQ" (a portal's
# space after the hyphen), and the older "169-CP", "111-HĐBT", "368-QĐ/TW" with no slash before the symbol.
SYMBOL = (r"(?:\d[\d.]*[A-Z]?(?:\s*/\s*\d{4})?\s*/\s*[A-ZĐ][\wĐđ&.]*(?:-\s?[A-ZĐa-zđ0-9][\wĐđ&.]*)*"
          r"|\d+-[A-ZĐ][A-ZĐa-z]*(?:/[A-ZĐ]+)?(?![\w-]))")
STOP_AFTER_ISSUER = (
    r"\s+(?:về|quy\s+định|hướng\s+dẫn|ban\s+hành|sửa\s+đổi|bổ\s+sung|phê\s+duyệt|thì|đã|tại|trong|để|theo|với|"
    r"công\s+bố|thực\s+hiện|triển\s+khai|giao|gửi|kèm|cho|nay|được|v/v|V/v|là|này|có|do|đề\s+nghị|thẩm\s+tra|"
    r"yêu\s+cầu|báo\s+cáo|trình|chỉ\s+đạo|xin|nêu|về\s+việc)\b"
    r"|\s+và(?!\s+[A-ZĐÀ-Ỹ])\b"  # "Bộ Giáo dục và Đào tạo" is one name; "… và đề nghị" ends it
    r"|\s+và\s+(?=(?:Quyết|Công|Nghị|Thông|Chỉ|Kế|Báo|Tờ|Luật|Văn|Hướng)\s)"  # "… và Quyết định số …": the next citation
    r"|[,;.:()“”\"]|$"
)


# "số", also as OCR reads it without its acute ("Quyết định sô 3914/QĐ-UBND"): before a number symbol
# "sô" is no other word.
SO = "s[ốô]"

# The cited document's date right after its number: "ngày 01/02/2021", ", ban hành ngày …", "đề ngày …".
DATE_AFTER = (r"(?P<date>\s*,?\s*(?:ban\s+hành\s+|đề\s+)?ngày\s+\d{1,2}\s*(?:tháng|/|-)\s*\d{1,2}\s*(?:năm|/|-)\s*"
              r"\d{4})?")


@lru_cache(maxsize=1)
def citation_pattern() -> re.Pattern:
    types = alternation(vocab()["citable_types"])
    return re.compile(
        # "Luật Quản lý thuế số 38/2019/QH14", "Báo cáo thẩm định số 41/BC-STP": a name between type and "số"
        rf"(?P<type>{types})\s*:?(?:(?:\s+[^\s;.:()]+){{0,6}}?\s+{SO}\s*:?\s*|\s+)(?P<num>{SYMBOL})"
        rf"{DATE_AFTER}(?P<of>\s*,?\s*của\s+)?",
        re.I,
    )


def citations_in(text: str):
    """Citation matches; a name between type and "số" only after a capitalised type word,
    so "theo quy định tại Thông tư số …" cites a Thông tư, not a "Quy định"."""
    if not has_symbol(text):  # every citation holds a number: most lines can be passed at C speed
        return
    yield from _citations(text)


def _citations(text: str):
    """`citations_in` for a text already known to hold a symbol."""
    pos = 0
    while True:
        m = citation_pattern().search(text, pos)
        if not m:
            return
        named = text[m.end("type"):m.start("num")].strip().lower() not in ("", "số", "số:", "sô", "sô:")
        if named and not m.group("type")[:1].isupper():
            pos = m.start("type") + 1
            continue
        yield m
        pos = m.end()


# Whether a text holds a symbol at all (as the symbol inside citation_pattern, compiled with re.I): both
# of SYMBOL's forms open with a digit, written here before the alternation so that the search skips to
# the digits at C speed instead of trying the alternation at every character (the same texts match).
_HAS_SYMBOL = re.compile(r"\d(?:[\d.]*[A-Z]?(?:\s*/\s*\d{4})?\s*/\s*[A-ZĐ][\wĐđ&.]*(?:-\s?[A-ZĐa-zđ0-9][\wĐđ&.]*)*"
                         r"|\d*-[A-ZĐ][A-ZĐa-z]*(?:/[A-ZĐ]+)?(?![\w-]))", re.I)  # SYMBOL's two forms after their \d


def has_symbol(text: str) -> bool:
    """Whether SYMBOL matches somewhere in the text. Its first form holds a "/", its second a "-": a text
    with neither (most paragraphs) is passed by two character searches before the pattern's."""
    return ("/" in text or "-" in text) and _HAS_SYMBOL.search(text) is not None


# "số 287/BHXH-VP" without a type; not a form's code ("mẫu số 03/KBS/GSQL", "Biểu số 2/BC").
BARE = re.compile(rf"(?<![\w/])(?<!mẫu\s)(?<!Mẫu\s)(?<!biểu\s)(?<!Biểu\s){SO}\s+(?P<num>{SYMBOL})(?![\w/]){DATE_AFTER}", re.I)


def clean_number(raw: str) -> str:
    return re.sub(r"\s+", "", raw).rstrip(".-")


def issuer_after(text: str, start: int) -> str:
    rest = text[start:start + 160]
    m = re.search(STOP_AFTER_ISSUER, rest)
    issuer = rest[: m.start()] if m else rest
    return issuer.strip()


def find_references(layout, record: Record) -> list[Reference]:
    refs: dict[str, Reference] = {}
    for piece in layout.pieces:
        if piece.zone not in ("body", "title", "recipients", "appendix", "footer"):
            continue
        text = piece.text
        if not has_symbol(text):  # no number, nothing cited (typed or bare)
            continue
        covered = []
        for m in _citations(text):  # (the text holds a symbol: checked above)
            number = clean_number(m.group("num"))
            covered.append((m.start("num"), m.end("num")))
            if is_own_number(number, record):
                continue
            issued_on = date_of(m) or date_opening_the_sentence(text, m.start("type"))
            if piece.zone == "appendix" and not issued_on and number not in refs:
                continue  # after the appendix heading only a dated citation: portals append OCR'd copies there
            issuer = issuer_after(text, m.end()) if m.group("of") else ""
            doc_type = canonical_type(m.group("type"))
            if number in refs:  # a later mention may complete a first one cut by a line break
                known = refs[number]
                known.issued_on = known.issued_on or issued_on
                known.issuer = known.issuer or issuer
                continue
            refs[number] = Reference(doc_type=doc_type, number=number, issued_on=issued_on, issuer=issuer)
            record.spans.setdefault("references", []).append([piece.start + m.start(), piece.start + m.end()])
        for m in BARE.finditer(text):
            number = clean_number(m.group("num"))
            if any(s <= m.start("num") < e for s, e in covered) or is_own_number(number, record) or number in refs:
                continue
            if piece.zone == "appendix" and not date_of(m):
                continue
            symbol = number.split("/")[-1]
            refs[number] = Reference(doc_type=type_for_abbreviation(symbol.split("-")[0]), number=number,
                                     issued_on=date_of(m))
            record.spans.setdefault("references", []).append([piece.start + m.start(), piece.start + m.end()])
    return list(refs.values())


# "Ngày 24 tháng 6 năm 1977 Hội đồng Chính phủ đã ra Quyết định số 169-CP …": a sentence that opens
# with a date (capital "Ngày": mid-sentence it is written "ngày") and says who issued the cited
# document on it (ra, ban hành, ký).
OPENING_DATE = re.compile(r"(?<!\w)Ngày\s+(?P<d>\d{1,2})\s*(?:tháng|/)\s*(?P<m>\d{1,2})\s*(?:năm|/)\s*(?P<y>\d{4})"
                          r"\s*,?\s+[^.;:]{0,80}?\b(?:đã\s+)?(?:ra|ban\s+hành|ký(?:\s+ban\s+hành)?)\s+$")


def date_opening_the_sentence(text: str, start: int) -> str | None:
    """The date a sentence opens with, when the sentence goes on to say the cited document was
    issued on it; None otherwise (a date elsewhere in the sentence may be anything)."""
    m = OPENING_DATE.search(text[max(0, start - 140):start])
    return to_iso(m.group("d"), m.group("m"), m.group("y")) if m else None


def is_own_number(number: str, record: Record) -> bool:
    """The document's own number, also cut short by a line or a portal ("200/2026/NĐ" of
    "200/2026/NĐ-CP"): a document does not cite itself."""
    return bool(record.number) and (number == record.number or (record.number.startswith(number) and "/" in number))


def date_of(match: re.Match) -> str | None:
    if not match.group("date"):
        return None
    d = DATE.search(match.group("date"))
    return to_iso(d.group("d"), d.group("m"), d.group("y")) if d else None


def canonical_type(raw: str) -> str:
    for name in vocab()["citable_types"]:
        if name.lower() == raw.lower():
            return name
    return raw
