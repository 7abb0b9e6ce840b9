"""Directive items of a dispatch: the numbered tasks, with deadline, lead unit and supporting units.

The top level is chosen from what the body uses: "Điều 1." articles of a Quyết định; Roman
sections (I., II.) with their numbered items ("II.1"); otherwise the run of "1.", "2.", … items;
otherwise "a)", "b)", ….
"""
from __future__ import annotations

import re
from functools import lru_cache

from .dates import DATE, to_iso
from .records import Directive, Record
from .vocab import alternation, vocab
from .wording import short_date

# An article heading: "Điều 1. Phạm vi …", "Điều 2: …", "Điều 3 Hiệu lực" — not "Điều 69 của Luật …".
ARTICLE = re.compile(r"^Điều\s+(\d+)\s*(?:[.:]\s*|\s+(?=[A-ZĐÀ-Ỹ\d(“\"])|$)")
ROMAN = re.compile(r"^([IVX]{1,5})\s*[.)]\s+")
ARABIC = re.compile(r"^(\d{1,2})\s*[.)]\s+(?!\d)")
LETTER = re.compile(r"^([a-zđ])\s*\)\s+")
CLOSING = re.compile(
    r"^(?:Trên\s+đây|Trong\s+quá\s+trình|Nhận\s+được|Rất\s+mong|Trân\s+trọng|Kính\s+đề\s+nghị|Quyết\s+định\s+này\s+có)",
)
ROMAN_VALUES = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10,
                "XI": 11, "XII": 12}
LETTERS = "abcdđeghiklmnopqrstuvxy"


def find_directives(body, record: Record, layout=None) -> list[Directive]:
    paragraphs = [p.text for p in body]
    year = int(record.issued_on[:4]) if record.issued_on else None
    items = top_level_items(paragraphs)
    broken = broken_numbering(paragraphs, items)
    if broken:
        record.flag("directives", f"mục đánh số không liền nhau ({', '.join(broken)}): có thể mất số mục khi "
                                  "đọc, kiểm tra danh sách nhiệm vụ")
        items = items_with_lost_labels(paragraphs)
    if not items:
        for _, text, _ in unnumbered_tasks(paragraphs, year):
            deadline = short_date(find_deadline(text, year))
            record.flag("directives", f"câu giao việc có thời hạn {deadline} nhưng không đánh số: kiểm tra, thêm "
                                      f"nhiệm vụ nếu cần")
    directives = []
    for label, text, span_index in items:
        directive = Directive(label=label, text=text)
        directive.deadline = find_deadline(text, year)
        directive.lead, directive.support = find_lead_and_support(text)
        directives.append(directive)
        piece = body[span_index]
        record.spans.setdefault("directives", []).append([piece.start, piece.end])
    return directives


def broken_numbering(paragraphs: list[str], items: list) -> list[str]:
    """The labels "1.", "3.", "4." when a body numbers its paragraphs with a gap and no run of two
    was taken: a label OCR or a portal lost ("2." read as part of a line) leaves the items unread."""
    if len(items) >= 2:
        return []
    labels = [m.group(1) for m in map(ARABIC.match, paragraphs) if m]
    numbers = [int(n) for n in labels]
    if len(numbers) >= 2 and numbers[0] == 1 and numbers == sorted(set(numbers)) and numbers[-1] > len(numbers):
        return labels
    return []


def items_with_lost_labels(paragraphs: list[str]) -> list[tuple[str, str, int]]:
    """ "1.", one unlabelled paragraph, "3.", "4.": the paragraph stands where "2." was lost and is
    item 2. Only when every gap of the run is one number with one paragraph in it; otherwise none."""
    labelled = [(i, int(m.group(1)), m.end()) for i, m in enumerate(map(ARABIC.match, paragraphs)) if m]
    starts, expected = [], 1
    for k, (i, n, offset) in enumerate(labelled):
        if n == expected + 1:
            previous = labelled[k - 1][0] if k else -1
            if i - previous != 2:
                return []
            starts.append((previous + 1, str(expected), 0))
        elif n != expected:
            return []
        starts.append((i, str(n), offset))
        expected = n + 1
    return collect(paragraphs, starts, len(paragraphs)) if len(starts) >= 2 else []


ASSIGNS = re.compile(r"\b(?:giao|đề\s+nghị|yêu\s+cầu|phân\s+công|chỉ\s+đạo)\b(?!\s+thông)", re.I)


def unnumbered_tasks(paragraphs: list[str], year: int | None) -> list[tuple[str, str, int]]:
    """A letter whose task is an unnumbered paragraph: "… giao Sở Thông tin và Truyền thông chủ trì …
    báo cáo (trước ngày 10/02/2025)". Directives are the numbered items, so such a paragraph is not
    made one; the record names it for review so the deadline is not lost (at most three such)."""
    found = [("", p.strip(), i) for i, p in enumerate(paragraphs)
             if ASSIGNS.search(p) and find_deadline(p, year) and not is_closing(p)]
    return found if len(found) <= 3 else []


def top_level_items(paragraphs: list[str]) -> list[tuple[str, str, int]]:
    # Articles run Điều 1, 2, 3 …; a line a portal wrapped before "Điều 69 của Luật …" is no article.
    articles = consecutive(paragraphs, ARTICLE, int)
    if articles:
        # No closing formula follows articles: the last one runs to the end of the body, "./." included.
        return collect(paragraphs, [(i, "Điều " + n, offset) for i, n, offset in articles], len(paragraphs),
                       closing=lambda paragraph: False)
    sections = consecutive(paragraphs, ROMAN, lambda s: ROMAN_VALUES.get(s, 0))
    if len(sections) >= 2:
        return roman_items(paragraphs, sections)
    numbered = consecutive(paragraphs, ARABIC, int)
    if len(numbered) >= 2:  # a lone "1." is a quotation or a heading, not a task list
        return collect(paragraphs, numbered, len(paragraphs))
    lettered = consecutive(paragraphs, LETTER, lambda s: LETTERS.index(s) + 1 if s in LETTERS else 0)
    return collect(paragraphs, lettered, len(paragraphs)) if len(lettered) >= 2 else []


def consecutive(paragraphs, pattern, value, lo: int = 0, hi: int | None = None):
    """The first run 1, 2, 3, … of paragraphs starting with `pattern` in [lo, hi)."""
    hi = len(paragraphs) if hi is None else hi
    run: list[tuple[int, str, int]] = []
    for i in range(lo, hi):
        m = pattern.match(paragraphs[i])
        if not m:
            continue
        n = value(m.group(1))
        if n == len(run) + 1:
            run.append((i, m.group(1), m.end()))
    return run


def collect(paragraphs, starts, stop, prefix: str = "", closing=None) -> list[tuple[str, str, int]]:
    """Each item's text: its own paragraph and what follows, up to the next item (or the closing)."""
    closing = closing or is_closing
    items = []
    for k, (i, label, offset) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else stop
        last = k + 1 == len(starts)
        parts = [paragraphs[i][offset:]]
        if last and ends_a_list(items, parts[0]):
            end = i + 1
        for j in range(i + 1, end):
            if last and closing(paragraphs[j]):
                break
            parts.append(paragraphs[j])
        items.append((prefix + label, " ".join(" ".join(parts).split()), i))  # runs of whitespace made one space
    return items


def ends_a_list(items: list[tuple[str, str, int]], paragraph: str) -> bool:
    """Items ending in ";" and this one-paragraph item in ".": the list's last entry, as Vietnamese
    lists are punctuated; the paragraph after it is the letter's again ("Căn cứ …", "Nay …")."""
    return len(items) >= 1 and all(text.endswith(";") for _, text, _ in items) \
        and paragraph.rstrip().endswith(".") and not paragraph.rstrip().endswith("/.")


def is_closing(paragraph: str) -> bool:
    text = paragraph.strip()
    if ARABIC.match(text) or LETTER.match(text) or text.startswith(("-", "+")):
        return False
    return text.endswith(("./.", "/.", "./")) or bool(CLOSING.match(text))


def roman_items(paragraphs, sections) -> list[tuple[str, str, int]]:
    items = []
    for k, (i, numeral, offset) in enumerate(sections):
        end = sections[k + 1][0] if k + 1 < len(sections) else len(paragraphs)
        numbered = consecutive(paragraphs, ARABIC, int, i + 1, end)
        if numbered:
            stop = end if k + 1 < len(sections) else len(paragraphs)
            items += collect(paragraphs, numbered, stop, prefix=f"{numeral}.")
        else:
            items += collect(paragraphs, [(i, numeral, offset)], end)
    return items


# ---- deadline ------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def deadline_cue() -> re.Pattern:
    return re.compile(rf"(?:{alternation(vocab()['deadline_cues'])})", re.I)


CITATION_BEFORE = re.compile(r"(?:số\s+\S+|/[A-ZĐ][\wĐđ&.\-]*)\s*,?\s*(?:ban\s+hành\s+)?ngày\s*$", re.I)


# Dates that carry a cue word but set no task's deadline: how long a card or licence is valid
# ("thẻ … hết thời hạn sử dụng vào ngày 31/12/2020") and the end of a period something applies in
# ("từ ngày 15 tháng 12 năm 2020 đến hết ngày 31 tháng 12 năm 2020").
NOT_A_DEADLINE = re.compile(
    r"(?:hạn\s+sử\s+dụng|giá\s+trị\s+sử\s+dụng)\D{0,20}$"
    r"|\btừ\s+ngày\s+\d{1,2}(?:[/.]\d{1,2}(?:[/.]\d{4})?|\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?)\s+đến\s+hết\s+ngày\s*$",
    re.I)


def find_deadline(text: str, year: int | None) -> str | None:
    for m in DATE.finditer(text):
        before = text[max(0, m.start() - 45): m.start()]
        if CITATION_BEFORE.search(before):
            continue
        if m.group("y") is None and not (re.search(r"ngày\s*$", before) or "tháng" in m.group(0)):
            continue
        if "." in m.group(0) and not m.group("y"):
            continue
        if not deadline_cue().search(before) or NOT_A_DEADLINE.search(text[max(0, m.start() - 80): m.start()]):
            continue
        iso = to_iso(m.group("d"), m.group("m"), m.group("y"), year)
        if iso:
            return iso
    return None


# ---- lead and support ---------------------------------------------------------------------

# "\b(?:chủ\s+trì|làm\s+đầu\s+mối)\b" and "\bphối\s+hợp(?:\s+chặt\s+chẽ)?(?:\s+với)?\s+", any case: written to open
# with the first letter's two cases (the "\b" looked for behind it, the rest case-blind) so that a search
# over a long article skips to those letters at C speed instead of trying "\b" at every character.
LEAD = re.compile(r"[cClL](?<!\w.)(?i:(?<=[cC])hủ\s+trì|(?<=[lL])àm\s+đầu\s+mối)\b")
ASSIGN = r"(?:(?:Giao|giao)(?!\s+thông)|Đề\s+nghị|đề\s+nghị|Yêu\s+cầu|yêu\s+cầu|Phân\s+công|phân\s+công|chỉ\s+đạo)"
CLAUSE_START = re.compile(rf"(?:^|[.;:(]\s*|\b[a-zđ]\)\s+|\b{ASSIGN}\s+)")
SUPPORT = re.compile(r"[pP](?<!\w.)(?i:hối\s+hợp(?:\s+chặt\s+chẽ)?(?:\s+với)?\s+)")


def find_lead_and_support(text: str) -> tuple[str, list[str]]:
    lead = ""
    m = LEAD.search(text)
    search_from = 0
    if m:
        lead = unit_before(text, m.start())
        search_from = m.end()
    support = []
    for s in SUPPORT.finditer(text, search_from):
        units = [u for u in split_units(units_after(text, s.end())) if names_a_unit(u)]
        if units:  # "Quy chế phối hợp quản lý …" names no unit: look further
            support = units
            break
    return lead, support


def names_a_unit(text: str) -> bool:
    return text[:1].isupper() or bool(org_head_start().match(text))


def unit_before(text: str, end: int) -> str:
    """The unit named just before "chủ trì": from the clause start, or the assigning verb."""
    head = text[:end].rstrip(" ,")
    starts = list(CLAUSE_START.finditer(head))
    start = starts[-1].end() if starts else 0
    assigned = bool(starts) and re.search(ASSIGN + r"\s+$", starts[-1].group(0)) is not None
    unit = head[start:].strip(" ,:")
    if not unit and head.endswith(":"):
        unit = head[:-1].strip()
    if not unit and ":" in head:
        unit = head[: head.rfind(":")]
        unit = unit[max(unit.rfind(". "), unit.rfind("; ")) + 1:].strip(" ,:")
    unit = re.sub(r"\s+(?:là\s+cơ\s+quan|làm|là)$", "", unit).strip()
    if unit and not org_head_start().match(unit) and not assigned:
        # "Đối với các trường hợp chây ỳ, Ủy ban nhân dân xã chủ trì": the unit starts at its head word
        first = re.search(rf"(?:^|\s)((?:{alternation(capitalised_heads())})\b)", unit)
        unit = unit[first.start(1):] if first else unit
    if len(unit) > 90 or not (unit[:1].isupper() or assigned):
        return ""
    return unit


@lru_cache(maxsize=1)
def capitalised_heads() -> list[str]:
    return [h for h in vocab()["org_heads"] if h[:1].isupper()]


@lru_cache(maxsize=1)
def support_stop() -> re.Pattern:
    words = alternation(vocab()["support_stop_words"])
    return re.compile(rf"[.;:()]|\s+(?:{words})\b")


def units_after(text: str, start: int) -> str:
    """The unit names after "phối hợp với", up to the verb or clause that follows them."""
    rest = text[start:start + 300]
    inside_names = [(m.start(), m.end()) for m in unit_compounds().finditer(rest)]
    for m in support_stop().finditer(rest):
        if not any(a <= m.start() + 1 < b for a, b in inside_names):  # "Ban … đầu tư xây dựng" is a name
            return rest[: m.start()]
    return rest


@lru_cache(maxsize=1)
def unit_compounds() -> re.Pattern:
    return re.compile(rf"\b(?:{alternation(vocab()['unit_compounds'])})\b")


@lru_cache(maxsize=1)
def org_head_start() -> re.Pattern:
    return re.compile(rf"^(?:{alternation(vocab()['org_heads'])})\b")


def split_units(span: str) -> list[str]:
    """Split "Sở A, Sở Kế hoạch và Đầu tư và các đơn vị liên quan" where a new unit begins."""
    pieces = re.split(r"(,\s+|\s+và\s+)", span.strip(" ,"))
    units = [pieces[0]]
    for sep, piece in zip(pieces[1::2], pieces[2::2]):
        if org_head_start().match(piece):
            units.append(piece)
        else:
            units[-1] += sep + piece
    return [u.strip(" ,") for u in units if u.strip(" ,")]
