"""Extract a dispatch's record from its segmented layout: one small function per field.

Every function reads the zones that Decree 30 puts the field in and returns the value with the
span it came from, so a person can check it against the text.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from . import directives as directives_mod
from . import references as references_mod
from .records import LEFT, RIGHT, Note, Record, Signer, SourceText
from .decree30 import (AUTHORITY, AUTHORITY_INSIDE, DAMAGED_DATE_LINE, DATE_LINE, DIEN, KINH_GUI, NOI_NHAN, NUMBER_LINE,
                       SIGN_MARK, SUBJECT_START, is_motto, is_upper_line, strip_motto)
from .segment import CONNECTOR_END, Layout, Piece, segment
from .normalize import RULE_LINE, fold, fold_words
from .review import SURNAMES, garbled_words, review_record
from .vocab import is_signer_title, signer_title_form, type_for_abbreviation, type_title, vocab

# "Số: 381/BHXH-VP", "Số:  125 /UBND-KT", "Số: 93. /KH-UBND", "Số: 06/2026/TT-BXD", "Số: 1.234/SGDĐT-GDTrH"
NUMBER = re.compile(
    r"Số\s*[:.]?\s*(?P<n>\d[\d.]*?)\s*\.?\s*/\s*(?P<sym>(?:\d{4}\s*/\s*)?[A-ZĐ][\wĐđ&.]*(?:\s*-\s*[A-ZĐ][\wĐđ&.]*)*)",
)
# OCR reads "11" as "II" or "ll" and "10" as "1O"; such a number is taken, with a warning.
NUMBER_LOOKALIKE = re.compile(r"Số\s*[:.]?\s*(?P<n>[\dIlO|]{1,5})\s*/\s*(?P<sym>[A-ZĐ][\wĐđ&.]*(?:\s*-\s*[A-ZĐ][\wĐđ&.]*)*)")
DIGIT_LOOKALIKES = str.maketrans({"I": "1", "l": "1", "|": "1", "O": "0"})
# A header line that is only a symbol after "/": the "Số:" and the number were written by hand.
SYMBOL_ONLY = re.compile(r"^\W{0,3}\w{0,3}\W{0,3}\s*/\s*(?P<sym>[A-ZĐ][A-ZĐa-z]{0,5}(?:\s*-\s*[A-ZĐ][\wĐđ]*)+)\s*$")
# "Số: 3đ /QĐ-UBND", "Số:z//'KH-VP": OCR of a hand-written number; the symbol is still good.
NUMBER_DAMAGED = re.compile(r"Số\s*[:.]?\s*[^/\s]{0,4}\s*/+\W{0,2}(?P<sym>[A-ZĐ][A-ZĐa-z]{0,5}(?:\s*-\s*[A-ZĐ][\wĐđ]*)+)")
NUMBER_BLANK = re.compile(r"Số\s*[:.]?\s*[.…_ ]*\s*/\s*(?P<sym>[A-ZĐ][\wĐđ&.\-]*)")


NUMBER_FORMS = (NUMBER, NUMBER_LOOKALIKE, NUMBER_DAMAGED)
PLACE_UNREAD_DAY = re.compile(r"(?P<place>[^\d,;:\n][^,;:\n]{1,60}?)\s*,\s*ngày\b.{0,6}?tháng\s*(?P<m>\d{1,2})\s*năm\s*:?\s*(?P<y>\d{4})")


def extract(source: SourceText) -> Record:
    layout = segment(source)
    record = Record(source=source.path, text=layout.text)
    garbled = False
    if not looks_like_dispatch(layout):
        garbled = looks_like_a_garbled_dispatch(layout)
        if not garbled:
            record.kind = "other"
            return record
    record.kind = "dispatch"
    fill_header(record, layout)
    fill_title(record, layout)
    fill_recipients(record, layout)
    fill_footer(record, layout)
    body = layout.zone("body")
    record.directives = directives_mod.find_directives(body, record, layout)
    record.references = references_mod.find_references(layout, record)
    record.doc_type = decide_doc_type(record, layout)
    respell_type_in_symbol(record)
    check_record(record, layout)
    review_record(record)
    if garbled:
        reason = "văn bản hành chính nhưng chữ bị lỗi phông hoặc OCR kém: mọi trường phải kiểm tra"
        for name in ("kind", "doc_type", "number", "issued_on", "place", "issuer", "subject", "recipients",
                     "distribution", "signer", "directives", "references"):
            record.flag(name, reason)
    return record


def looks_like_dispatch(layout: Layout) -> bool:
    """Score the structural marks of an administrative document; news articles lack most."""
    top = layout.pieces[:40]
    score = 0
    score += 2 * any(is_motto(p.text) for p in top)
    if any(NUMBER_LINE.search(p.text) and any(rx.search(p.text) for rx in NUMBER_FORMS) for p in top):
        score += 2
    elif any(SYMBOL_ONLY.search(p.text) for p in top if p.zone == "header"):
        score += 1  # a scan whose hand-written number OCR could not read: "Ô /CT-UBND"
    if any(DATE_LINE.search(p.text) for p in top):
        score += 2
    elif any(DAMAGED_DATE_LINE.search(p.text) for p in top if p.zone == "header"):
        score += 1  # "ngày #tháng 6 năm 2022": the hand-written day unread
    texts = [p.text for p in layout.pieces]  # (the patterns mapped over the texts at C speed)
    score += any(map(KINH_GUI.match, texts))
    score += 2 * any(map(NOI_NHAN.match, texts))
    score += any(map(AUTHORITY.match, texts[-20:]))
    score += any(p.zone == "header" for p in layout.pieces)
    # A type name under the header ("THÔNG BÁO", "QUYẾT ĐỊNH"): a first page alone (a scanned
    # page image) has no Nơi nhận or signer yet, but is plainly an administrative document.
    score += 2 * any(p.zone == "title" for p in layout.pieces)
    return score >= 6


# Decree 30 marks read without diacritics and with OCR's letter slips: "Kinh gti", "Noi nhfin", "so: …/TCT- CS".
GARBLED_MARKS = [re.compile(p) for p in (
    r"\bv/v\b", r"\bkinh\s*g\S{0,3}\s*:", r"\bn[o0]i\s*nh\S{0,3}\s*:", r"\bl[uư]u\s*:\s*vt\b",
    r"(?m)^\W*(?:kt|tl|tm|tuq)\s*\.\s*\S", r"\bd\S{0,2}c\s*l\S{0,3}p\s*-\s*t\S{0,2}\s*do\b",
    r"(?m)^\W*s[o0]\s*:", r"/\s*[a-z]{2,6}\s*-\s*[a-z]{2,6}\b", r"\bng\S{1,3}y\s*\S{1,3}\s*th\S{1,3}ng\b",
)]


def looks_like_a_garbled_dispatch(layout: Layout) -> bool:
    """An administrative document whose text a legacy font or a poor OCR garbled: the Decree 30
    marks still show once diacritics are dropped. It is kept as a dispatch, every field flagged."""
    sample = layout.text[:6000]
    if not is_garbled(sample):
        return False  # well-spelt text that lacks the marks is an article about documents, not one
    folded = fold(sample)
    return sum(bool(p.search(folded)) for p in GARBLED_MARKS) >= 5


def is_garbled(text: str) -> bool:
    """Vietnamese text whose diacritics were lost or mangled: few words carry a diacritic, or many
    are no Vietnamese syllable ("thu6", "nhfin", "Ugr")."""
    words = re.findall(r"[^\W_]+", text)
    words = [w for w in words if any(c.isalpha() for c in w)]
    if len(words) < 30:
        return False
    marked = sum(not w.isascii() for w in words) / len(words)
    broken = sum(any(c.isdigit() for c in w) or bool(garbled_words(w)) for w in words) / len(words)
    return marked < 0.25 or broken > 0.15


def set_span(record: Record, name: str, piece: Piece, start: int = 0, end: int | None = None):
    end = len(piece.text) if end is None else end
    record.spans[name] = [piece.start + start, piece.start + end]


def add_span(record: Record, name: str, piece: Piece, start: int = 0, end: int | None = None):
    end = len(piece.text) if end is None else end
    record.spans.setdefault(name, []).append([piece.start + start, piece.start + end])


# ---- header -------------------------------------------------------------------------------

def fill_header(record: Record, layout: Layout) -> None:
    header = layout.zone("header") or layout.pieces[:12]
    fill_number(record, header)
    if record.number.startswith("/"):
        number_from_file_name(record)
    fill_place_date(record, header)
    fill_issuer(record, header, layout.has_columns)
    fill_cong_van_subject(record, header, layout.has_columns)


def fill_number(record: Record, header: list[Piece]) -> None:
    for piece in header:
        m = NUMBER.search(piece.text)
        if m and NUMBER_LINE.search(piece.text[: m.start() + 4] if m.start() else piece.text):
            number = re.sub(r"\s+", "", m.group("n")).rstrip(".")
            symbol = re.sub(r"\s+", "", m.group("sym")).rstrip(".-")
            record.number = f"{number}/{symbol}"
            set_span(record, "number", piece, m.start("n"), m.end("sym"))
            return
        m = NUMBER_LOOKALIKE.search(piece.text)
        if m and NUMBER_LINE.search(piece.text):
            number = m.group("n").translate(DIGIT_LOOKALIKES)
            record.number = f"{number}/{re.sub(r'[ ]+', '', m.group('sym')).rstrip('.-')}"
            set_span(record, "number", piece, m.start("n"), m.end("sym"))
            record.warnings.append(Note("number-lookalike", "number", f"{m.group('n')} → {number}"))
            record.flag("number", f"số đọc từ chữ giống chữ số ({m.group('n')} → {number})")
            return
        m = NUMBER_BLANK.search(piece.text)
        if m:
            record.number = "/" + m.group("sym").rstrip(".-")
            set_span(record, "number", piece, m.start("sym"), m.end("sym"))
            record.warnings.append(Note("number-blank", "number"))
            record.flag("number", "số để trống trước ký hiệu")
            return
    for piece in header:
        m = NUMBER_DAMAGED.search(piece.text) or SYMBOL_ONLY.search(piece.text)
        if m:
            record.number = "/" + re.sub(r"\s+", "", m.group("sym"))
            set_span(record, "number", piece, m.start("sym"), m.end("sym"))
            record.warnings.append(Note("number-unreadable", "number"))
            record.flag("number", "không đọc được số, chỉ đọc được ký hiệu")
            return
    record.warnings.append(Note("number-missing", "number"))
    record.flag("number", "không tìm thấy dòng «Số:» ở phần đầu")


def number_from_file_name(record: Record) -> None:
    """E-office systems and clerks name a file by its number ("46-TB-signed.pdf", "574-UB.pdf",
    "660TBUB.pdf"). When the number was written by hand and could not be read but the symbol was,
    the digits standing before the symbol's first part in the file name are taken, and flagged."""
    symbol = record.number[1:]
    head = fold(symbol.split("-")[0])
    stem = fold(re.split(r"[\\/]", record.source)[-1])
    for m in re.finditer(r"(?<!\d)(\d{1,5})[-_ .]*([a-z]{2,5})", stem):
        if head.startswith(m.group(2)) or m.group(2).startswith(head):
            record.number = f"{m.group(1)}/{symbol}"
            record.flag("number", f"số {m.group(1)} lấy từ tên tệp, không đọc được trên văn bản: đối chiếu bản gốc")
            return


def respell_type_in_symbol(record: Record) -> None:
    """ "/TIr-UBND" under the title "TỜ TRÌNH": a symbol's type part that is no type's abbreviation
    but one letter away from the abbreviation of the type the title names is that abbreviation,
    read with a slip (OCR takes "T" for "I", "Đ" for "D"). Flagged; a number still missing is then
    looked for in the file name."""
    number, _, symbol = record.number.rpartition("/")
    head, dash, tail = symbol.partition("-")
    wanted = [abbr for abbr, name in vocab()["doc_types"].items() if name == record.doc_type]
    if not head or type_for_abbreviation(head) or len(wanted) != 1 or not one_substitution(head, wanted[0]):
        return
    record.number = f"{number}/{wanted[0]}{dash}{tail}"
    record.flag("number", f"ký hiệu loại văn bản đọc được «{head}», sửa thành «{wanted[0]}» theo tên loại "
                          f"«{record.doc_type}»: đối chiếu bản gốc")
    if not number:
        number_from_file_name(record)


def one_substitution(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1


def fill_place_date(record: Record, header: list[Piece]) -> None:
    for piece in header:
        m = DATE_LINE.search(piece.text)
        if not m:
            continue
        place = m.group("place")
        num = NUMBER.search(piece.text)  # "Số: 1581 /CT-TTHT Nghệ An, ngày …" on one line
        if num and num.end() > m.start("place"):
            place = piece.text[num.end():m.end("place")]
        place = strip_motto(place).strip(" .-")
        day, month, year = int(m.group("d")), int(m.group("m")), int(m.group("y"))
        try:
            record.issued_on = dt.date(year, month, day).isoformat()
        except ValueError:
            record.warnings.append(Note("date-impossible", "issued_on", m.group(0).strip()))
            record.flag("issued_on", f"ngày không có thật: {m.group(0).strip()}")
            continue
        record.place = place
        set_span(record, "place", piece, m.end("place") - len(place) if place else m.start(), m.end("place"))
        set_span(record, "issued_on", piece, m.start("d") - len("ngày "), m.end("y"))
        warn_leading_zero(record, m.group("d"), m.group("m"))
        return
    for piece in header:  # "Quảng Ngãi, ngày 2% tháng 01 năm 2025": a day written by hand
        m = PLACE_UNREAD_DAY.search(piece.text)
        if m:
            record.place = strip_motto(m.group("place")).strip(" .-")
            set_span(record, "place", piece, m.end("place") - len(record.place), m.end("place"))
            record.warnings.append(Note("date-day-unreadable", "issued_on", f"tháng {m.group('m')} năm {m.group('y')}"))
            record.flag("issued_on", f"không đọc được ngày (tháng {m.group('m')} năm {m.group('y')})")
            return
    record.warnings.append(Note("date-missing", "issued_on"))
    record.flag("issued_on", "không tìm thấy dòng địa danh, ngày tháng")
    record.flag("place", "không tìm thấy dòng địa danh, ngày tháng")


def warn_leading_zero(record: Record, day: str, month: str) -> None:
    """Decree 30, App. I §II.4: days below 10 and months 1 and 2 are written with a leading 0."""
    if int(day) < 10 and not day.startswith("0"):
        record.warnings.append(Note("date-rule-day", "issued_on", str(day)))
    if int(month) in (1, 2) and not month.startswith("0"):
        record.warnings.append(Note("date-rule-month", "issued_on", str(month)))


def issuer_lines(header: list[Piece], has_columns: bool) -> list[Piece]:
    """Upper-case left-column lines above the number: parent body and issuing body."""
    found = []
    for piece in header:
        if NUMBER_LINE.search(piece.text) or DATE_LINE.search(piece.text) or SUBJECT_START.match(piece.text) \
                or SYMBOL_ONLY.search(piece.text):
            if has_columns or (not found and DATE_LINE.search(piece.text)):
                continue  # columns, or the right column printed before the left one (date, then issuer)
            break
        if has_columns and piece.column == RIGHT:
            continue
        if RULE_LINE.match(piece.text):
            if found and not has_columns:
                # a rule under the issuer closes the left column in flattened text
                found.append(None)
            continue
        text = strip_motto(piece.text) if is_motto(piece.text) else piece.text
        if text and is_upper_line(text) and not type_title(text):
            found.append(piece if text == piece.text else Piece(text, piece.start + piece.text.find(text), piece.column, piece.zone))
    lines = []
    for piece in found:
        if piece is None:
            break
        lines.append(piece)
    return lines


def starts_with_org_head(text: str) -> bool:
    heads = [h.upper() for h in vocab()["org_heads"] if h[:1].isupper() and h not in ("Các",)]
    upper = text.upper()
    return any(upper == h or upper.startswith(h + " ") for h in heads)


def fill_issuer(record: Record, header: list[Piece], has_columns: bool) -> None:
    lines = issuer_lines(header, has_columns)
    if not lines:
        record.warnings.append(Note("issuer-missing", "issuer"))
        record.flag("issuer", "không tìm thấy tên cơ quan ban hành ở phần đầu")
        return
    if len(lines) == 1:
        lines = split_two_levels(lines[0])
    groups: list[list[Piece]] = [[lines[0]]]
    for piece in lines[1:]:
        if starts_with_org_head(piece.text) and not starts_with_locality(piece.text):
            groups.append([piece])
        else:
            groups[-1].append(piece)
    issuer = groups[-1]
    # "CHÍNH PHỦ   _   ________", "CHÍNH PHỦ .": a rule or a stray mark after the name is no part of it
    record.issuer = re.sub(r"[\s_.\-–—*~]+$", "", " ".join(p.text.strip() for p in issuer))
    record.spans["issuer"] = [issuer[0].start, issuer[-1].end]
    if len(groups) > 1:
        parent = [p for g in groups[:-1] for p in g]
        record.parent_body = " ".join(p.text.strip() for p in parent)
        record.spans["parent_body"] = [parent[0].start, parent[-1].end]
    record.issuer = respell_garbled(record.issuer, record, "issuer")
    record.parent_body = respell_garbled(record.parent_body, record, "parent_body")


def respell_garbled(value: str, record: Record, field: str) -> str:
    """ "CỤC THUÉ TỈNH THANH HÓA": a word of an agency's name that is no Vietnamese syllable (a slip
    of OCR or of an old font in the sender's copy) and has exactly one spelling among the words of
    agency names once its marks are dropped is that word. Flagged: the clerk sees what was printed."""
    for word in garbled_words(value):
        core = word.strip(".,;:()")
        spellings = agency_words_by_fold().get(fold(core), ())
        if len(spellings) == 1:
            value = re.sub(rf"(?<!\w){re.escape(core)}(?!\w)", spellings[0], value)
            record.flag(field, f"chữ «{core}» không phải tiếng Việt, đã sửa thành «{spellings[0]}» theo tên cơ quan "
                               "trong danh mục: đối chiếu bản gốc")
    return value


@lru_cache(maxsize=1)
def agency_words_by_fold() -> dict[str, tuple[str, ...]]:
    from .read.ocr.spelling import header_vocabulary  # the words of agency names, provinces, type titles

    spellings: dict[str, set[str]] = {}
    for word in header_vocabulary()[0]:
        spellings.setdefault(fold(word), set()).add(word)
    return {key: tuple(sorted(found)) for key, found in spellings.items()}


# A portal that flattened a two-level header ("BỘ TÀI CHÍNH TỔNG CỤC HẢI QUAN") leaves one line:
# the agency under a ministry or a province starts at one of these heads.
TWO_LEVELS = re.compile(r"^(?P<parent>(?:BỘ|ỦY BAN NHÂN DÂN|UBND|TỔNG CỤC)\s.+?)\s+"
                        r"(?P<agency>(?:TỔNG CỤC|CHI CỤC|(?<!TỔNG )(?<!CHI )CỤC|SỞ)\s.+)$")


def split_two_levels(piece: Piece) -> list[Piece]:
    m = TWO_LEVELS.match(piece.text)
    if not m or len(m.group("parent").split()) < 2:
        return [piece]
    cut = m.start("agency")
    return [Piece(m.group("parent"), piece.start, piece.column, piece.zone),
            Piece(piece.text[cut:], piece.start + cut, piece.column, piece.zone)]


def starts_with_locality(text: str) -> bool:
    upper = text.upper()
    return any(upper == w or upper.startswith(w + " ") for w in vocab()["locality_words"])


def fill_cong_van_subject(record: Record, header: list[Piece], has_columns: bool) -> None:
    """The "V/v …" trích yếu of a công văn sits under the number, possibly wrapped."""
    for i, piece in enumerate(header):
        m = SUBJECT_START.search(piece.text)
        if not m:
            continue
        parts = [piece.text[m.end():].strip(" :")]
        last = piece
        for nxt in header[i + 1:]:
            if has_columns and nxt.column != piece.column:
                continue
            if DATE_LINE.search(nxt.text) or is_motto(nxt.text) or RULE_LINE.match(nxt.text) or NUMBER_LINE.search(nxt.text):
                if has_columns:
                    continue
                break
            parts.append(nxt.text.strip())
            last = nxt
        subject = join_wrapped(parts).rstrip(".").strip()
        record.subject = subject
        record.spans["subject"] = [piece.start + m.end(), last.end]
        return


def join_wrapped(parts: list[str]) -> str:
    from .normalize import glue

    text = ""
    for part in parts:
        if not part:
            continue
        text = glue(text, part) if text else part
    return re.sub(r"\s+", " ", text)


# ---- title (named types) --------------------------------------------------------------------

def fill_title(record: Record, layout: Layout) -> None:
    title = layout.zone("title")
    if not title:
        return
    starts = [i for i, p in enumerate(title) if type_title(p.text)]
    if len(starts) > 1:  # a portal's heading above the header and the document's own title under it
        title = title[starts[-1]:]
    record.doc_type = type_title(title[0].text)
    set_span(record, "doc_type", title[0])
    lines = [p for p in title[1:] if not RULE_LINE.match(p.text)]
    if not lines or record.subject:
        return
    parts = [p.text for p in lines]
    parts[0] = re.sub(r"^\s*(?:V/v|Về\s+việc)\s*:?\s*", "", parts[0], flags=re.I)
    record.subject = without_enacting_body(join_wrapped(parts).rstrip(".").strip(), record.issuer)
    record.spans["subject"] = [lines[0].start, lines[0].start + len(record.subject)] if len(lines) == 1 \
        else [lines[0].start, lines[-1].end]


def without_enacting_body(subject: str, issuer: str) -> str:
    """ "… TIẾP TỤC CÓ HIỆU LỰC CHÍNH PHỦ": the enacting body's line ("CHÍNH PHỦ", "BỘ TRƯỞNG BỘ NỘI VỤ")
    that opens the căn cứ, glued by a portal to the trích yếu's last line."""
    if not issuer or not subject.endswith(" " + issuer):
        return subject
    head = subject[: -len(issuer)].rstrip()
    if CONNECTOR_END.search(head):
        return subject  # "BÃI BỎ MỘT SỐ NGHỊ ĐỊNH CỦA CHÍNH PHỦ": the body is the phrase's own end
    for title in sorted(vocab()["signer_titles"], key=len, reverse=True):
        if head.endswith(" " + title):
            head = head[: -len(title)].rstrip()
            break
    return head


def decide_doc_type(record: Record, layout: Layout) -> str:
    if record.doc_type:
        return record.doc_type
    if "subject" in record.spans:  # a "V/v …" under the number: only a công văn has one
        return "Công văn"
    symbol = record.number.split("/")[-1] if record.number else ""
    abbreviation = symbol.split("-")[0] if symbol else ""
    named = type_for_abbreviation(abbreviation)
    if named:
        return named
    if not record.number:  # no title, no V/v, no symbol: nothing says what the document is
        record.flag("doc_type", "không có tên loại, trích yếu V/v hay ký hiệu: coi là Công văn, cần kiểm tra")
    return "Công văn"


# ---- recipients -------------------------------------------------------------------------------

def clean_entry(text: str) -> str:
    text = re.sub(r"^\s*[-+•*–]\s*", "", text).strip()
    return text.rstrip(";,.").strip()


def fill_recipients(record: Record, layout: Layout) -> None:
    zone = layout.zone("recipients")
    if not zone:
        return
    dien = next((i for i, p in enumerate(zone[:2]) if DIEN.search(p.text)), None)
    if dien:  # "CHỦ TỊCH ỦY BAN NHÂN DÂN / TỈNH điện:" wrapped over two lines
        zone = zone[dien:]
    first = zone[0]
    inline = KINH_GUI.sub("", first.text, count=1)
    if inline == first.text:  # Công điện: "THỦ TƯỚNG CHÍNH PHỦ điện:"
        inline = ""
    entries: list[tuple[str, int, int]] = []
    if inline.strip():
        offset = first.start + first.text.find(inline.strip()) if inline.strip() else first.start
        entries.append((inline.strip(), offset, first.end))
    for piece in zone[1:]:
        if piece.text.lstrip().startswith(("-", "+", "•")) or not entries:
            entries.append((piece.text, piece.start, piece.end))
        else:
            text, start, _ = entries[-1]
            entries[-1] = (join_wrapped([text, piece.text]), start, piece.end)
    for text, start, end in entries:
        value = clean_entry(text)
        if value:
            record.recipients.append(value)
            record.spans.setdefault("recipients", []).append([start, end])


# ---- footer: Nơi nhận and the signer ----------------------------------------------------------

NAME = re.compile(r"^(?:[A-ZÀ-ỸĐ][a-zà-ỹđ]*\.?\s+){1,5}[A-ZÀ-ỸĐ][a-zà-ỹđ]+$")
# Academic titles, and the rank the armed forces print before a signer's name
# ("Thượng tướng Lê Quốc Hùng"): neither is part of the name.
HONORIFIC = re.compile(r"^(?:(?:GS|PGS|TS|ThS|BS|CKII|CKI|KS|Ths|Ts|Gs|Pgs|TTƯT|NGƯT|NGND)\.?\s*"
                       r"|(?:Đại|Thượng|Trung|Thiếu)\s+(?:tướng|tá|úy|uý)\s+)+[,.]?\s*", re.I)


def fill_footer(record: Record, layout: Layout) -> None:
    footer = layout.zone("footer")
    if not footer:
        record.warnings.append(Note("signature-block-missing", "distribution"))
        record.flag("signer", "không tìm thấy khối Nơi nhận và chữ ký")
        record.flag("distribution", "không tìm thấy khối Nơi nhận và chữ ký")
        return
    distribution, signer_lines = split_footer(footer, layout.has_columns)
    for text, start, end in distribution:
        value = clean_entry(text)
        if value:
            record.distribution.append(value)
            record.spans.setdefault("distribution", []).append([start, end])
    if not record.distribution:
        record.warnings.append(Note("distribution-missing", "distribution"))
        record.flag("distribution", "không tìm thấy Nơi nhận")
    record.signer = parse_signer(signer_lines, record)


def is_archive_entry(text: str) -> bool:
    return re.match(r"^[-+•]?\s*Lưu\b", text) is not None


def closed(distribution: list) -> bool:
    return bool(distribution) and is_archive_entry(distribution[-1][0])


def split_footer(footer: list[Piece], has_columns: bool):
    """Separate the Nơi nhận entries from the signature lines, flattened or in columns."""
    distribution: list[tuple[str, int, int]] = []
    signer: list[Piece] = []
    in_list = False
    for piece in footer:
        text = SIGN_MARK.sub("", piece.text).strip()
        if not text:
            continue
        if NOI_NHAN.match(text):
            in_list = True
            rest = NOI_NHAN.sub("", text, count=1).strip()
            if rest:  # "Nơi nhận: KT.CỤC TRƯỞNG" — the signer column glued to the label
                start = piece.start + piece.text.find(rest)
                if rest.startswith(("-", "+", "•")):
                    distribution.append((rest, start, piece.end))
                else:
                    signer.append(Piece(rest, start, RIGHT, "footer"))
            continue
        if has_columns and piece.column == RIGHT:
            signer.append(Piece(text, piece.start + max(piece.text.find(text), 0), piece.column, piece.zone))
            continue
        if distribution and is_archive_entry(distribution[-1][0]) and not continues_entry(distribution[-1][0], text):
            in_list = False  # "- Lưu: VT, …" ends the list (App. I §II.9): what follows is not a recipient
            if text.startswith(("-", "+", "•")):
                continue
        if text.startswith(("-", "+", "•")) and (in_list or (has_columns and not closed(distribution))):
            distribution.append((text, piece.start, piece.end))
        elif in_list and distribution and (continues_entry(distribution[-1][0], text) or wraps_in_left_column(
                distribution[-1][0], piece, has_columns)):
            prev, start, _ = distribution[-1]
            distribution[-1] = (join_wrapped([prev, text]), start, piece.end)
        else:
            signer.append(Piece(text, piece.start + max(piece.text.find(text), 0), piece.column, piece.zone))
    return distribution, signer


def wraps_in_left_column(previous: str, piece: Piece, has_columns: bool) -> bool:
    """ "- VPCP: BTCN, …, TGĐ Cổng" / "TTĐT,": in a two-column footer the signer stands on the right, so
    a left-column line under an unfinished entry is that entry's wrapped end, capitals or not."""
    return has_columns and piece.column == LEFT and not previous.rstrip().endswith((";", "."))


def continues_entry(previous: str, text: str) -> bool:
    """A Nơi nhận entry wrapped onto a second line: the entry had not ended and this is not a name."""
    if previous.rstrip().endswith((";", ".")) or AUTHORITY.match(text) or is_upper_line(text):
        return False
    return text[:1].islower() or not NAME.match(text)


def parse_signer(lines: list[Piece], record: Record) -> Signer:
    signer = Signer()
    lines = up_to_the_name(lines)
    upper = [from_the_authority(p) for p in lines if is_upper_line(p.text) and not NAME.match(p.text)]
    names = [p for p in lines if p not in upper and looks_like_name(p.text)]
    # "Phó Thủ tướng" in sentence case, "PHÓ cụ c TRƯỞNG" from OCR: known titles in any case or spacing.
    forms = [(p, signer_title_form(p.text)) for p in lines if p not in upper]
    upper += [Piece(form, p.start, p.column, p.zone) for p, form in forms if form]
    upper.sort(key=lambda p: p.start)
    if upper:
        upper = collective_line_restored(upper, record)
        authority, title = split_authority_lines(upper)
        if authority:
            signer.authority = normalize_authority(" ".join(p.text for p in authority))
            record.spans["signer.authority"] = [authority[0].start, authority[-1].end]
        title = up_to_a_known_title(title)
        signer.title = " ".join(p.text.strip() for p in title)
        if signer.title:
            record.spans["signer.title"] = [title[0].start, title[-1].end]
        elif authority and not re.match(r"\s*Q\s*\.", authority[0].text):  # "Q. GIÁM ĐỐC" signs in no other title
            record.flag("signer.title", "không tách được chức vụ khỏi dòng thẩm quyền ký")
    if names:
        piece = names[-1]
        signer.name = HONORIFIC.sub("", piece.text).strip()
        record.spans["signer.name"] = [piece.end - len(signer.name), piece.end]
    else:
        name_from_noisy_line(signer, name_candidates(lines, upper), record)
    return signer


def name_candidates(lines: list[Piece], upper: list[Piece]) -> list[Piece]:
    """Where a name the rules missed can stand: the few lines under the title (the signature, a mark,
    the name), not the whole zone a portal may have filled with notes."""
    after = [p for p in lines if not upper or p.start > upper[-1].start]
    return after[:NAME_LINES_AFTER_TITLE] if upper else lines[-NAME_LINES_AFTER_TITLE:]



def from_the_authority(piece: Piece) -> Piece:
    """ "TTĐT, TM. CHÍNH PHỦ KT. THỦ TƯỚNG": the end of a Nơi nhận entry that a PDF line joined to the
    authority line; the signature starts at the prefix."""
    m = AUTHORITY_INSIDE.search(piece.text)
    if not m or AUTHORITY.match(piece.text) or not re.search(r"[,;]\s*$", piece.text[: m.start()]):
        return piece
    return Piece(piece.text[m.start():], piece.start + m.start(), piece.column, piece.zone)


def up_to_a_known_title(title: list[Piece]) -> list[Piece]:
    """The title lines up to the first run that spells a known title: OCR debris printed under it
    ("kÀTHANH H -----", a seal's letters) is not part of it."""
    for end in range(1, len(title)):
        if all(signer_title_form(p.text) for p in title[end:]):
            continue  # "THỐNG ĐỐC" / "Phó Thống Đốc": a second title, in sentence case, is no debris
        rest = " ".join(p.text for p in title[end:])
        debris = garbled_words(rest) or any(c.islower() for c in rest) or re.search(r"-{3,}|[^\w\s,.()\-/&]", rest)
        if debris and is_signer_title(" ".join(p.text for p in title[:end])):
            return title[:end]
    return title


# Collective bodies that sign "TM." (on behalf of) through their head (Decree 30, Art. 13 cl. 1).
COLLECTIVE_BODIES = ("ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "THƯỜNG TRỰC HỘI ĐỒNG NHÂN DÂN",
                     "BAN THƯỜNG VỤ", "BAN CHẤP HÀNH", "CHÍNH PHỦ", "HỘI ĐỒNG QUẢN TRỊ")


def collective_line_restored(upper: list[Piece], record: Record) -> list[Piece]:
    """ "BAN NHAN DAN" over "CHỦ TỊCH": a collective body's line whose "TM." (and first word) the
    seal covered, so OCR read only the rest. A line that is a collective body's name, or its last
    three or more words, above a title is that body's "TM." line; flagged, the seal hides it."""
    if len(upper) < 2 or AUTHORITY.match(upper[0].text):
        return upper
    words = fold_words(upper[0].text).split()
    for body in COLLECTIVE_BODIES:
        full = fold_words(body).split()
        if len(words) >= min(3, len(full)) and full[-len(words):] == words:
            record.flag("signer.authority", f"dòng «{upper[0].text.strip()}» trên chức vụ đọc thiếu chữ thẩm "
                                            f"quyền (dấu che): coi là «TM. {body}», đối chiếu bản gốc")
            return [Piece(f"TM. {body}", upper[0].start, upper[0].column, upper[0].zone)] + upper[1:]
    return upper


def split_authority_lines(upper: list[Piece]) -> tuple[list[Piece], list[Piece]]:
    """The TM./KT./TL. lines and the title lines under them. "TM. ỦY BAN NHÂN DÂN" may be
    followed by a second prefix line ("KT. CHỦ TỊCH"); a portal that flattened the block puts
    the title on the prefix line ("KT. BỘ TRƯỞNG THỨ TRƯỞNG"), where the known titles split it."""
    n = 0
    while n < len(upper) and AUTHORITY.match(upper[n].text):
        n += 1
    if n == 0:
        return [], upper
    if n < len(upper):
        return upper[:n], upper[n:]
    last = upper[n - 1]
    cut = title_start(last.text)
    if cut:
        head = Piece(last.text[:cut].rstrip(), last.start, last.column, last.zone)
        tail = Piece(last.text[cut:], last.start + cut, last.column, last.zone)
        return upper[: n - 1] + [head], [tail]
    if n > 1:  # the older layout: the last prefix line is the title ("KT. CHỦ TỊCH" under "TM. …")
        return upper[: n - 1], upper[n - 1:]
    return upper, []


def title_start(text: str) -> int:
    """Where the signer's own title starts on a line that begins with an authority prefix:
    "KT. BỘ TRƯỞNG THỨ TRƯỞNG" → at "THỨ", "TL. BỘ TRƯỞNG CHÁNH VĂN PHÒNG" → at "CHÁNH"."""
    prefix = AUTHORITY.match(text)
    words = list(re.finditer(r"\S+", text[prefix.end():]))
    titles = set(vocab()["signer_titles"])
    found = []  # (word index, whether the title is a deputy's)
    for k in range(1, len(words)):
        rest = [w.group().strip(",") for w in words[k:]]
        if " ".join(rest) in titles or (rest[0] == "PHÓ" and " ".join(rest[1:]) in titles):
            found.append((k, rest[0] in ("PHÓ", "THỨ")))
    if not found:
        return 0
    kind = (prefix.group(1) or prefix.group(2) or "").upper().replace("/", "")
    deputies = [k for k, deputy in found if deputy]
    # KT. signs for the head of the body: the title that follows is a deputy's ("PHÓ …", "THỨ TRƯỞNG").
    k = deputies[0] if kind == "KT" and deputies else found[0][0]
    return prefix.end() + words[k].start()


def up_to_the_name(lines: list[Piece]) -> list[Piece]:
    """The signature block ends with the signer's name: what follows it (an appendix's
    "PHỤ LỤC" and its forms, printed after the signature) is not part of the title."""
    first_upper = next((i for i, p in enumerate(lines) if is_upper_line(p.text) and not NAME.match(p.text)), None)
    if first_upper is None:
        return lines
    for i in range(first_upper + 1, len(lines)):
        if not is_upper_line(lines[i].text) and looks_like_name(lines[i].text):
            return lines[: i + 1]
    return lines


# A line that holds a signer's name with what OCR or a mark left around it ("~ Trần Thị Thu Hà |").
NAME_LINE_MAX = 80
NAME_LINES_AFTER_TITLE = 4  # "(Đã ký)", a seal's text, the name: the name is among the first lines under the title


# A run of 2–5 capitalised syllables: a Vietnamese full name's shape inside a noisy line.
NAME_RUN = re.compile(r"(?<![\w])(?:[A-ZÀ-ỸĐ][a-zà-ỹđ]+\s+){1,4}[A-ZÀ-ỸĐ][a-zà-ỹđ]+(?![\w])")


def name_from_noisy_line(signer: Signer, lines: list[Piece], record: Record) -> None:
    """Fallback: a name standing among OCR debris or marks on a line under the title ("~ Trần Hoàng
    Tuấn |"): the last run of capitalised syllables that opens with a Vietnamese family name. Flagged:
    the rule found it by shape, not by the layout."""
    for piece in reversed(lines):
        if len(piece.text) > NAME_LINE_MAX:
            continue  # a flattened paragraph or appendix, not a name line
        runs = [m for m in NAME_RUN.finditer(piece.text) if m.group().split()[0] in SURNAMES]
        if runs:
            m = runs[-1]
            signer.name = m.group()
            record.flag("signer.name", "họ tên người ký tách từ một dòng lẫn ký tự khác: kiểm tra lại")
            record.spans["signer.name"] = [piece.start + m.start(), piece.start + m.end()]
            return
    record.warnings.append(Note("signer-name-missing", "signer.name"))
    record.flag("signer.name", "không tìm thấy họ tên người ký")
    # Without the name that closes it, the block was not read as a block: its title may be a form's.
    for name, value in (("signer.title", signer.title), ("signer.authority", signer.authority)):
        if value:
            record.flag(name, "không thấy họ tên người ký dưới dòng này: kiểm tra đây có đúng là khối chữ ký")


def looks_like_name(text: str) -> bool:
    """A name's shape, and no title: "Phó Thống Đốc" in sentence case is capitalised words too."""
    return bool(NAME.match(HONORIFIC.sub("", text).strip())) and not signer_title_form(text)


def normalize_authority(text: str) -> str:
    """The authority line as printed, its spaces made single: "KT.CỤC TRƯỞNG" and "K/T THỦ TƯỚNG"
    stay as the document wrote them (the register records what was signed, not a respelling)."""
    return re.sub(r"\s+", " ", text.strip())


# ---- checks ---------------------------------------------------------------------------------

def check_record(record: Record, layout: Layout) -> None:
    if record.doc_type == "Công văn" and not record.subject:
        record.warnings.append(Note("subject-missing", "subject"))
        record.flag("subject", "không tìm thấy trích yếu (V/v …)")
    if record.doc_type == "Công văn" and not record.recipients:
        record.warnings.append(Note("recipients-missing", "recipients"))
        record.flag("recipients", "không tìm thấy Kính gửi")
    if record.number and re.match(r"^[1-9]/", record.number):
        record.warnings.append(Note("number-rule", "number", record.number.split('/')[0]))
    if record.distribution and not any(d.lower().startswith("lưu") for d in record.distribution):
        record.warnings.append(Note("distribution-no-luu", "distribution"))
    check_symbol_names_issuer(record)


def check_symbol_names_issuer(record: Record) -> None:
    """The symbol's organ code abbreviates the issuing body ("TT-BCA": Bộ Công an; App. I §II.3).
    When no code of the symbol abbreviates the issuer or its parent body, one of the two is wrong
    (a portal's header of another body, a misread line): both go to review, neither is changed."""
    codes = organ_codes(record.number)
    bodies = [b for b in (record.issuer, record.parent_body) if b]
    if all(type_for_abbreviation(code) for code in codes):
        return  # "12/QĐ": no code but the type's, nothing to compare
    if not bodies or any(abbreviates(code, body) for code in codes for body in bodies):
        return
    reason = f"ký hiệu «{record.number}» không viết tắt tên cơ quan «{record.issuer or record.parent_body}»"
    record.flag("issuer", reason)
    record.flag("number", reason)


def organ_codes(number: str) -> list[str]:
    """The lettered parts of a symbol: "131/2025/TT-BCA" → ["TT", "BCA"]. The type's code stays in:
    "CT" is a Chỉ thị's and also the Cục Thuế's ("1581/CT-TTHT")."""
    if "/" not in number:
        return []
    parts = [re.sub(r"\d+$", "", p) for p in re.split(r"[/\-]", number.split("/", 1)[1])]  # "BCĐ138", "QH15"
    return [p for p in parts if re.fullmatch(r"[^\W\d_]{2,}", p) and p.upper() not in CASE_CODES]


# Symbol codes that name a kind of case, not a body: "15/QĐ-XPHC" (xử phạt vi phạm hành chính).
CASE_CODES = {"XPHC", "XPVPHC"}


def abbreviates(code: str, body: str) -> bool:
    """ "BCA" for "BỘ CÔNG AN", "BHXH" for "BẢO HIỂM XÃ HỘI VIỆT NAM", "SGDĐT" for "SỞ GIÁO DỤC VÀ ĐÀO
    TẠO" (the joining "VÀ" left out), "TTg" for "PHỦ THỦ TƯỚNG" (from any word), "UBND" for "UBND
    TỈNH …", "ABC" for "CÔNG TY CỔ PHẦN ABC". Lenient: only a body no code comes near is doubted."""
    code = fold(code)
    words = fold_words(body).split()
    if code in words or (len(code) >= 3 and code in "".join(words)):
        return True
    need = min(2, len(code))
    # A word with no vowel is an abbreviation already ("THPT", "GD&ĐT"): all its letters count.
    heads = [re.sub(r"\W", "", w) if not re.search(r"[aeiouy]", w) else w[0] for w in words]
    for letters in ("".join(heads), "".join(h for h, w in zip(heads, words) if w != "va")):
        if any(len(common_prefix(code, letters[k:])) >= need for k in range(len(letters))):
            return True
    return False


def common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]
