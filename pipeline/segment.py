"""Split a document's lines into the zones Decree 30 fixes: header, title, recipients, body, footer.

Works on column-tagged lines (DOCX/PDF/HTML readers know the two columns of the header and of
the signature block) and on flattened text (portal copies), where the zones are found by the
anchors every administrative document carries: the national motto, "Số:", the place-and-date
line, "Kính gửi", "Nơi nhận" and the signing authority.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from operator import itemgetter

from . import normalize
from .decree30 import (APPENDIX, AUTHORITY, BARE_DATE_LINE, DAMAGED_DATE_LINE, DATE_LINE, DIEN, ESIGN_FIELD, ESIGN_OPEN,
                       FORM_HEADING, KINH_GUI, LUU_ENTRY, NOI_NHAN, NUMBER_LINE, SUBJECT_START, URGENCY, is_motto,
                       is_upper_line)
from .normalize import fold_words
from .records import FOOTER, HEADER, LEFT, RIGHT, Line, SourceText
from .restore import restore_lines
from .vocab import type_title, vocab

BODY_STARTERS = re.compile(
    r"^\s*(?:Căn\s+cứ|Thực\s+hiện|Theo|Để|Nhằm|Ngày\s+\d|Trên\s+cơ\s+sở|Xét|Nhận\s+được|Trả\s+lời|Phúc\s+đáp|"
    r"Sau\s+khi|Thời\s+gian|Vừa\s+qua|Hiện\s+nay|Tiếp\s+theo|Qua|Trong|Năm\s+\d{4}|Kính\s+mời)\b"
)


@dataclass
class Piece:
    """A final line of the normalised text with its offset, column and zone."""

    text: str
    start: int
    column: str
    zone: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass
class Layout:
    text: str
    pieces: list[Piece]
    format: str = ""
    has_columns: bool = False
    zones: dict = field(default_factory=dict)

    def zone(self, name: str) -> list[Piece]:
        return [p for p in self.pieces if p.zone == name]


def segment(source: SourceText) -> Layout:
    lines = normalize.clean_lines(source.lines)
    if source.format in ("txt", "md", "html", "docx"):
        lines = restore_lines(lines)
    lines = normalize.join_header_wraps(lines)
    if source.format in ("txt", "md"):
        lines = normalize.join_indented_continuations(lines)
    lines = [l for l in lines if l.text.strip()]
    zoned = assign_zones(lines)
    return assemble(zoned, source.format)


def assign_zones(lines: list[Line]) -> list[tuple[str, Line]]:
    header_end = find_header_end(lines)
    title_end = find_title_end(lines, header_end)
    appendix = find_appendix_start(lines, title_end)
    footer_start = find_footer_start(lines[:appendix], title_end)
    recip_end = find_recipients_end(lines, title_end, footer_start)
    leading = find_leading_title(lines)
    stamps = stamp_lines(lines)
    zoned = []
    for i, line in enumerate(lines):
        if i in stamps:
            zone = "stamp"  # an e-signature's stamp: evidence of the signature, not the issuer or the text
        elif i in leading:
            zone = "title"  # "NGHỊ ĐỊNH / Quy định về …" printed above the header by a portal
        elif i >= appendix:
            zone = "appendix"  # forms printed after the signature: their Nơi nhận is not ours
        elif i < header_end:
            zone = "header"
        elif i < title_end:
            zone = "title"
        elif i < recip_end:
            zone = "recipients"
        elif i < footer_start:
            zone = "body"
        else:
            zone = "footer"
        if zone in ("header", "title") and URGENCY.match(line.text.strip()):
            zone = "urgency"  # "KHẨN", "HỎA TỐC" stamps: never part of the issuer or the subject
        zoned.append((zone, line))
    return zoned


def find_leading_title(lines: list[Line]) -> range:
    """A type name and its trích yếu that a portal printed before the header (motto, Số, date)."""
    for k, line in enumerate(lines[:3]):
        text = line.text.strip()
        if not (type_title(text) and is_upper_line(text)):
            continue
        if not any(is_motto(l.text) or NUMBER_LINE.search(l.text) for l in lines[k + 1:k + 9]):
            return range(0)
        end = k + 1
        while end < min(k + 5, len(lines)):
            nxt = lines[end].text.strip()
            if is_motto(nxt) or NUMBER_LINE.search(nxt) or DATE_LINE.search(nxt) or normalize.RULE_LINE.match(nxt) \
                    or (is_upper_line(nxt) and nxt.upper().startswith(_upper_org_heads())):
                break
            end += 1
        return range(k, end) if end > k + 1 else range(0)
    return range(0)


def find_header_end(lines: list[Line]) -> int:
    """Index after the last line of the header block (motto, issuer, Số, V/v, place and date)."""
    if any(l.block == HEADER for l in lines[:40]):
        last = max(i for i, l in enumerate(lines[:60]) if l.block == HEADER)
        return below_header_table(lines, last + 1)
    end = 0
    seen_anchor = False
    in_subject = False
    for i, line in enumerate(lines[:40]):
        text = line.text.strip()
        if KINH_GUI.match(text) or (seen_anchor and type_title(text)):
            return i
        anchor = (is_motto(text) or NUMBER_LINE.search(text) or DATE_LINE.search(text) or BARE_DATE_LINE.match(text)
                  or DAMAGED_DATE_LINE.search(text))
        if anchor:
            seen_anchor, in_subject, end = True, False, i + 1
            if SUBJECT_START.search(text):
                in_subject = True
            continue
        if SUBJECT_START.match(text) and seen_anchor:
            in_subject, end = True, i + 1
            continue
        if normalize.RULE_LINE.match(text) or (not seen_anchor and is_upper_line(text)):
            end = i + 1
            continue
        if in_subject and not BODY_STARTERS.match(text) and len(text) < 90 and not normalize.ends_sentence(text):
            end = i + 1
            continue
        if seen_anchor and is_upper_line(text) and len(text) < 80 and not type_title(text) \
                and anchor_follows(lines, i + 1):
            end = i + 1  # the right column printed first: "… ngày 25 tháng 6 năm 2026" / "CHÍNH PHỦ" / "Số: …"
            continue
        if seen_anchor:
            break
    return end


def anchor_follows(lines: list[Line], start: int, within: int = 3) -> bool:
    """Whether a "Số:" or date line comes within the next few lines."""
    return any(NUMBER_LINE.search(l.text) or DATE_LINE.search(l.text) for l in lines[start:start + within])


def below_header_table(lines: list[Line], end: int) -> int:
    """Số, the date line, the V/v (and its wrapped lines) or an urgency mark that a drafter typed
    under the header table instead of inside it still belong to the header."""
    in_subject = False
    i = end
    while i < min(end + 8, len(lines)):
        text = lines[i].text.strip()
        if NUMBER_LINE.search(text) or DATE_LINE.search(text) or DAMAGED_DATE_LINE.search(text) \
                or URGENCY.match(text) or normalize.RULE_LINE.match(text) or SUBJECT_START.match(text):
            in_subject = bool(SUBJECT_START.search(text))
            i += 1
        elif in_subject and not (BODY_STARTERS.match(text) or KINH_GUI.match(text)) and len(text) < 90 \
                and not normalize.ends_sentence(text):
            i += 1
        else:
            break
    return i


def find_title_end(lines: list[Line], start: int) -> int:
    """For named types, the type title ("QUYẾT ĐỊNH") and its trích yếu lines after the header."""
    i = start
    while i < len(lines) and (normalize.RULE_LINE.match(lines[i].text) or URGENCY.match(lines[i].text.strip())):
        i += 1
    if i >= len(lines) or not (type_title(lines[i].text) and is_upper_line(lines[i].text)):
        return start
    end = i + 1
    for j in range(i + 1, min(i + 5, len(lines))):
        text = lines[j].text.strip()
        if normalize.RULE_LINE.match(text):
            return j + 1
        if KINH_GUI.match(text) or BODY_STARTERS.match(text) or AUTHORITY.match(text) or NOI_NHAN.match(text):
            break
        if j > i + 1 and normalize.LIST_MARKER.match(text):
            break
        if j > i + 1 and is_upper_line(text) and not continues_upper_title(lines[j - 1].text, text):
            break
        if j > i + 1 and normalize.ends_sentence(lines[j - 1].text) and not lines[j - 1].text.rstrip().endswith(","):
            break
        if j > i + 1 and (len(text) > 120 or starts_with_date(text)):  # the body's first paragraph
            break
        if DIEN.search(text):
            break
        if j + 1 < len(lines) and DIEN.search(lines[j + 1].text) and is_upper_line(text):
            break  # "CHỦ TỊCH ỦY BAN NHÂN DÂN / TỈNH điện:" opens the Công điện's list
        end = j + 1
    return end


# Words a phrase cannot end on: a line ending with one is continued on the next.
CONNECTOR_END = re.compile(r"\b(?:CỦA|VÀ|VỀ|CHO|VỚI|TẠI|THUỘC|TRONG|ĐỐI|CÁC|TRÊN|ĐẾN|TỪ|NHỮNG|LÀ|ĐỂ|THEO)\s*$")


def continues_upper_title(previous: str, text: str) -> bool:
    """An upper-case trích yếu wrapped onto a second line ("… CHẾ ĐỘ" / "QUẢN LÝ NGÂN QUỸ …"), not
    the enacting body's line that follows it ("CHÍNH PHỦ", "BỘ TRƯỞNG BỘ NỘI VỤ")."""
    if not is_upper_line(previous) or normalize.ends_sentence(previous):
        return False
    if CONNECTOR_END.search(previous):
        return True  # "… PHẢN ÁNH CỦA" / "BỘ KHOA HỌC VÀ CÔNG NGHỆ": the phrase goes on
    upper = text.upper()
    return not any(upper == h or upper.startswith(h + " ") for h in _upper_org_heads())


@lru_cache(maxsize=1)
def _upper_org_heads() -> tuple[str, ...]:
    return tuple(h.upper() for h in vocab()["org_heads"] if h[:1].isupper())


def starts_with_date(text: str) -> bool:
    return re.match(r"^(?:Ngày|Vào ngày|Hôm nay,? ngày)\s+\d", text) is not None


def find_footer_start(lines: list[Line], start: int) -> int:
    """First line of the Nơi nhận / signature block."""
    if any(l.block == FOOTER for l in lines):
        return min(i for i, l in enumerate(lines) if l.block == FOOTER and i >= start)
    candidates = [i for i in range(start, len(lines)) if NOI_NHAN.match(lines[i].text)]
    signature = find_signature_start(lines, start)
    if candidates and signature is not None:
        return min(candidates[-1], signature)
    if candidates:
        return candidates[-1]
    return signature if signature is not None else len(lines)


def find_appendix_start(lines: list[Line], start: int) -> int:
    """The "PHỤ LỤC" heading (or a form's "Mẫu số …") that follows the Nơi nhận/signature block,
    or the end. The block is known by its "Nơi nhận:", its authority line, or its last entry
    "- Lưu: VT" (OCR may have garbled the first two)."""
    signed = False
    for i in range(start, len(lines)):
        text = lines[i].text.strip()
        if _SIGNED_MARK.match(text):  # NOI_NHAN, AUTHORITY or LUU_ENTRY, in one match
            signed = True
        elif signed and (APPENDIX.match(text) or FORM_HEADING.match(text)):
            return i
    return len(lines)


# The three marks of a signature block in one pattern, each with its own case flag.
_SIGNED_MARK = re.compile("|".join(f"(?{'i' if p.flags & re.I else ''}:{p.pattern})" for p in (NOI_NHAN, AUTHORITY, LUU_ENTRY)))


def stamp_lines(lines: list[Line]) -> set[int]:
    """The lines of e-signature stamps printed into the text: "Người ký: …" with the fields under it
    (Email, Cơ quan, Thời gian ký), and the signer's name printed above it when it repeats the
    "Người ký" value (OCR may slip a mark: "CỔNG" / "CÔNG")."""
    found = set()
    for i, line in enumerate(lines):
        opened = ESIGN_OPEN.match(line.text)
        if not opened:
            continue
        found.add(i)
        j = i + 1
        while j < len(lines) and ESIGN_FIELD.match(lines[j].text):
            found.add(j)
            j += 1
        if i > 0 and fold_words(lines[i - 1].text) == fold_words(opened.group("signer")):
            found.add(i - 1)
    return found


def find_signature_start(lines: list[Line], start: int) -> int | None:
    """The authority/title line of the signature, searched from the end (≤ 12 lines back)."""
    for i in range(len(lines) - 1, max(start, len(lines) - 14) - 1, -1):
        text = lines[i].text.strip()
        if AUTHORITY.match(text):
            while i - 1 > start and AUTHORITY.match(lines[i - 1].text.strip()):
                i -= 1  # "TM. CHÍNH PHỦ" over "KT. THỦ TƯỚNG": the block starts at the first
            return i
    for i in range(len(lines) - 1, max(start, len(lines) - 8) - 1, -1):
        text = lines[i].text.strip()
        if is_upper_line(text) and len(text) < 60 and not normalize.LIST_MARKER.match(text):
            j = i
            while j - 1 > start and is_upper_line(lines[j - 1].text) and len(lines[j - 1].text) < 60:
                j -= 1
            return j
    return None


def find_recipients_end(lines: list[Line], start: int, stop: int) -> int:
    """Kính gửi and its entries (or the "… điện:" list of a Công điện), right after the title."""
    i = start
    while i < stop and normalize.RULE_LINE.match(lines[i].text):
        i += 1
    if i >= stop:
        return start
    text = lines[i].text.strip()
    if i + 1 < stop and is_upper_line(text) and DIEN.search(lines[i + 1].text):
        i += 1  # the addresser's line wrapped before "điện:"
    elif not (KINH_GUI.match(text) or DIEN.search(text)):
        return start
    j = i + 1
    while j < stop:
        entry = lines[j].text.strip()
        previous = lines[j - 1].text.rstrip()
        if entry.startswith(("-", "+", "•")):
            j += 1
        elif previous.lstrip().startswith(("-", "+", "•")) and (entry[:1].islower() or not previous.endswith((";", ".", ","))) \
                and len(entry) < 80 and not BODY_STARTERS.match(entry) and lines[j].column == lines[j - 1].column:
            j += 1  # a long entry wrapped onto the next line
        else:
            break
    return j


def assemble(zoned: list[tuple[str, Line]], fmt: str) -> Layout:
    """Build the final text: body lines rejoined into paragraphs, every piece with its offset."""
    pieces: list[Piece] = []
    offset = 0
    # runs of lines of one zone (groupby: at C speed)
    groups = [(zone, [line for _, line in run]) for zone, run in groupby(zoned, key=itemgetter(0))]
    has_columns = any(line.column in (LEFT, RIGHT) for _, line in zoned)
    for zone, group in groups:
        if zone == "body":
            group = normalize.join_wrapped_paragraphs(group)
        for line in group:
            text = line.text.strip()
            pieces.append(Piece(text, offset, line.column, zone))
            offset += len(text) + 1
    text = "\n".join(p.text for p in pieces)
    return Layout(text=text, pieces=pieces, format=fmt, has_columns=has_columns)
