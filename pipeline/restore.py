"""Restore the lines of blocks a portal flattened: split where Decree 30's own marks begin.

Legal portals copy a dispatch's two-column header and footer as one line or a few run-on lines:
"VĂN PHÒNG CHÍNH PHỦ ------- CỘNG HÒA … Hạnh phúc", "Số: 2739/VPCP-ĐMDN V/v quy định …",
"Hà Nội, ngày 05 tháng 04 năm 2019 Kính gửi: Bộ Kế hoạch và Đầu tư.", "- Lưu: VT, ĐMDN (2b).
Trung Anh BỘ TRƯỞNG, CHỦ NHIỆM Mai Tiến Dũng". The structure is still there: rule lines, the
motto, "Số:", "V/v", the date line, "Kính gửi", bullets, authority prefixes, upper-case titles and
the name each begin a line of the original. We split there, and only in the zones where those
marks belong (the head of the document, its tail), so running text in the body is never cut.

PDF lines are not restored: their breaks come from the page's geometry, which is the truth.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from .decree30 import (AUTHORITY_MIDLINE, DATE_MIDLINE, KINH_GUI_MIDLINE, MOTTO_MIDLINE, NOI_NHAN_AFTER_SENTENCE,
                       NOI_NHAN_MIDLINE, NUMBER_MIDLINE, SUBJECT_MIDLINE)
from .decree30 import UPPER_LETTERS as _UP
from .records import Line
from .vocab import type_title, vocab

HEAD_LINES = 12  # a flattened header, however run-on, starts within the first lines
TAIL_LINES = 30  # the Nơi nhận and signature block sit in the last lines

RULE = re.compile(r"(?<!\S)[-_=–—]{3,}(?!\S)")
BULLET_RUN = re.compile(r"(?<=[;.:])\s+(?=[-+•]\s)")
UPPER_WORD = re.compile(rf"^[{_UP}][{_UP}]*[,.]?$")
NAME_WORD = re.compile(rf"^[{_UP}][a-zđà-ỹ]+$")
# Body openings a run-on "Kính gửi: …" line continues into.
BODY_START = re.compile(
    r"\s(?=(?:Căn\s+cứ|Thực\s+hiện|Theo|Để|Nhằm|Ngày\s+\d|Trên\s+cơ\s+sở|Xét|Nhận\s+được|Trả\s+lời|Phúc\s+đáp|"
    r"Sau\s+khi|Vừa\s+qua|Hiện\s+nay|Tiếp\s+theo|Trong\s+thời\s+gian|Năm\s+\d{4}|Kính\s+mời|Báo\s+\S+\s+ngày)\s)"
)


@lru_cache(maxsize=1)
def signer_title_words() -> re.Pattern:
    """Words only a signer's title has: they tell the signature from a "Lưu: VT, ĐMDN" entry."""
    words = vocab()["signer_title_words"]
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b")


def restore_lines(lines: list[Line]) -> list[Line]:
    """Lines split where a flattened block hid its line breaks; a piece keeps its line's column and
    block (a table cell of an HTML or DOCX header may hold a whole flattened column)."""
    head, tail_start = head_zone_end(lines), max(len(lines) - TAIL_LINES, 0)
    out: list[Line] = []
    for i, line in enumerate(lines):
        if head + 3 <= i < tail_start:  # the body between the zones: never split, only a blank line dropped
            if line.text.strip():
                out.append(line)
            continue
        pieces = [line.text]
        if i < head:
            pieces = split_head(pieces)
        if i < head + 3:
            pieces = split_recipients(pieces)
        if i >= tail_start:
            pieces = split_tail(pieces)
        if i < head + 3 or i >= tail_start:  # "- Sở Tài chính; - Sở Nội vụ": one entry a line
            pieces = [q for p in pieces for q in (split_at([p], BULLET_RUN) if p.startswith(("-", "+", "•")) else [p])]
        pieces = [p for p in pieces if p.strip()]
        if len(pieces) == 1 and pieces[0].strip() == line.text.strip():
            out.append(line)  # untouched: keep its indentation, a hint of a wrapped header cell
        else:  # the first piece keeps the line's indentation, which marks a wrapped cell
            indent = line.text[: len(line.text) - len(line.text.lstrip())]
            out.extend(replace(line, text=(indent if i == 0 else "") + p) for i, p in enumerate(pieces))
    return join_dangling(out)


def head_zone_end(lines: list[Line]) -> int:
    """The header ends by the first "Kính gửi" or the first plain paragraph after the date."""
    for i, line in enumerate(lines[:HEAD_LINES]):
        if KINH_GUI_MIDLINE.match(line.text.strip()):
            return i + 1
    return min(HEAD_LINES, len(lines))


def split_at(pieces: list[str], pattern: re.Pattern, keep_match_alone: bool = False) -> list[str]:
    """Split each piece before every match of `pattern` (not at its very start)."""
    out = []
    for piece in pieces:
        start = 0
        for m in pattern.finditer(piece):
            if m.start() <= start or not piece[start:m.start()].strip():
                if keep_match_alone and m.start() == start and m.end() < len(piece):
                    out.append(piece[start:m.end()].strip())
                    start = m.end()
                continue
            out.append(piece[start:m.start()].strip())
            if keep_match_alone:
                out.append(piece[m.start():m.end()].strip())
                start = m.end()
            else:
                start = m.start()
        out.append(piece[start:].strip())
    return [p for p in out if p]


def split_head(pieces: list[str]) -> list[str]:
    pieces = split_at(pieces, RULE, keep_match_alone=True)
    pieces = split_at(pieces, MOTTO_MIDLINE)
    pieces = [q for i, p in enumerate(pieces) for q in (split_upper_tail(p) if followed_by_rule(pieces, i) else [p])]
    pieces = split_at(pieces, NUMBER_MIDLINE)
    pieces = [q for p in pieces for q in (split_at([p], SUBJECT_MIDLINE) if NUMBER_MIDLINE.match(p) else [p])]
    pieces = [q for p in pieces for q in split_date_line(p)]
    # "V/v … Kính gửi: …": only a number or V/v line runs on into the Kính gửi ("6. Kính gửi và Nơi
    # nhận: …" in a how-to is running text)
    pieces = [q for p in pieces for q in (split_at([p], KINH_GUI_MIDLINE) if NUMBER_MIDLINE.match(p) or SUBJECT_MIDLINE.match(p) else [p])]
    return [q for p in pieces for q in split_type_title(p)]


def followed_by_rule(pieces: list[str], i: int) -> bool:
    return i + 1 < len(pieces) and RULE.fullmatch(pieces[i + 1]) is not None


def split_upper_tail(piece: str) -> list[str]:
    """ "… do Bộ Y tế ban hành. BỘ Y TẾ": the issuer glued after the portal's title sentence."""
    m = re.search(rf"[.;:]\s+((?:[{_UP}]+\s+)*[{_UP}]+)\s*$", piece)
    if m and len(m.group(1).split()) >= 2 and not MOTTO_MIDLINE.search(m.group(1)):
        return [piece[: m.start(1)].strip(), m.group(1)]
    return [piece]


def split_date_line(piece: str) -> list[str]:
    """Cut "<subject> Hà Nội, ngày 23 tháng 5 năm 2019 <more>" into subject, date line, rest."""
    m = DATE_MIDLINE.search(piece)
    if not m:
        return [piece]
    before, after = piece[: m.start()], piece[m.end():].strip()
    # A date cited in running text ("Công văn số 12/UBND, ngày 3 tháng 5 năm 2020 của …") is not
    # the header's date line: that one is followed by nothing, "Kính gửi" or an upper-case title.
    if after and not (KINH_GUI_MIDLINE.match(after) or is_upper_token(after.split()[0])):
        return [piece]
    if not re.search(r"[" + _UP + r"]\w*\s*$", before):
        return [piece]
    start = place_start(before)
    parts = [before[:start].strip(), piece[start: m.end()].strip(), after]
    return [p for p in parts if p]


def place_start(before: str) -> int:
    """Where the place name begins in the text before ", ngày …": a known province or city,
    else the run of capitalised words at its end (at most four)."""
    for place in sorted(known_places(), key=len, reverse=True):
        if before.endswith(place):
            start = len(before) - len(place)
            prefix = re.search(r"(?:(?:Thành\s+phố|TP\.?|Tỉnh|tỉnh)\s+)$", before[:start])
            return prefix.start() if prefix else start
    words = list(re.finditer(r"\S+", before))
    if len(words) <= 4 and not NUMBER_MIDLINE.search(before):
        return 0
    start = len(before)
    for word in reversed(words[-4:]):
        if not word.group()[0].isupper() or word.group()[0].isdigit():
            break
        start = word.start()
    return start


@lru_cache(maxsize=1)
def known_places() -> tuple[str, ...]:
    return tuple(vocab()["provinces"])


def split_type_title(piece: str) -> list[str]:
    """ "CHỈ THỊ VỀ CÔNG TÁC … CẢ NƯỚC Ngày 24 tháng 6 …": type name, trích yếu, body."""
    words = piece.split()
    upper = 0  # how many of the first four words are upper-case words: a longer prefix cannot be the name
    while upper < 4 and upper < len(words) and UPPER_WORD.match(words[upper]):
        upper += 1
    for k in range(1, upper + 1):
        if len(words) > k and type_title(" ".join(words[:k])):
            upper_end = k
            while upper_end < len(words) and is_upper_token(words[upper_end]):
                upper_end += 1
            if upper_end == len(words):
                return [piece]  # "QUY ĐỊNH VỀ QUẢN LÝ PHÂN BÓN" alone is a trích yếu, not a flattened title
            parts = [" ".join(words[:k]), " ".join(words[k:upper_end]), " ".join(words[upper_end:])]
            return [p for p in parts if p]
    return [piece]


def is_upper_token(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return not letters or all(c.isupper() for c in letters)


def split_recipients(pieces: list[str]) -> list[str]:
    """ "Kính gửi: - Bộ Tài chính; - Bộ Kế hoạch và Đầu tư" and "Kính gửi: X Trong thời gian qua, …"."""
    out = []
    for piece in pieces:
        if not KINH_GUI_MIDLINE.match(piece):
            out.append(piece)
            continue
        label = KINH_GUI_MIDLINE.match(piece)
        rest = piece[label.end():].strip()
        body = BODY_START.search(rest) or sentence_after(rest)
        tail = ""
        if body and len(rest[: body.start()].split()) >= 2 and not rest[: body.start()].rstrip().endswith(","):
            rest, tail = rest[: body.start()].strip(), rest[body.start():].strip()
        if rest.startswith(("-", "+", "•")):
            out.append(piece[: label.end()].strip())
            out.extend(split_at([rest], BULLET_RUN))
        else:
            out.append(f"{piece[: label.end()].strip()} {rest}".strip())
        if tail:
            out.append(tail)
    return out


SENTENCE_END = re.compile(rf"(?<=[a-zà-ỹđ]{{2}}\.)\s+(?=[{_UP}])")


def sentence_after(text: str) -> re.Match | None:
    """ "Sở Xây dựng các tỉnh. Bộ Xây dựng đề nghị …": a sentence of six words or more after the
    recipient's full stop is the body ("TP. Hồ Chí Minh" is an abbreviation, not a full stop)."""
    for m in SENTENCE_END.finditer(text):
        if len(text[m.end():].split()) >= 6:
            return m
    return None


def split_tail(pieces: list[str]) -> list[str]:
    pieces = split_at(pieces, NOI_NHAN_AFTER_SENTENCE)
    pieces = [q for p in pieces for q in (split_distribution(p) if NOI_NHAN_MIDLINE.match(p) else [p])]
    pieces = split_at(pieces, AUTHORITY_MIDLINE)
    pieces = [q for p in pieces for q in split_signer_title(p)]
    return [q for p in pieces for q in split_trailing_name(p)]


def split_distribution(piece: str) -> list[str]:
    """ "Nơi nhận: - Như trên; - Sở Tài chính; - Lưu: VT, QLN." → the label and one entry a line."""
    label = NOI_NHAN_MIDLINE.match(piece)
    rest = piece[label.end():].strip()
    if not rest.startswith(("-", "+", "•")):
        return [piece]
    return [piece[: label.end()].strip()] + split_at([rest], BULLET_RUN)


def split_signer_title(piece: str) -> list[str]:
    """ "- Lưu: VT, ĐMDN (2b). Trung Anh BỘ TRƯỞNG, CHỦ NHIỆM …": the title starts a new line."""
    if not signer_title_words().search(" ".join(piece.split())):
        return [piece]  # every run looked at below is a part of this text: without a title word none holds one
    words = list(re.finditer(r"\S+", piece))
    title_like = [bool(UPPER_WORD.match(w.group())) and len(w.group().strip(",.")) >= 2 for w in words]  # once each
    for i in range(1, len(words)):
        end = i
        while end < len(words) and title_like[end]:
            end += 1
        run = [w.group() for w in words[i:end]]
        if len(run) >= 2 and not is_upper_token(words[i - 1].group()) and signer_title_words().search(" ".join(run)):
            return [piece[: words[i].start()].strip(), piece[words[i].start():].strip()]
    return [piece]


def split_trailing_name(piece: str) -> list[str]:
    """ "KT. BỘ TRƯỞNG THỨ TRƯỞNG Đỗ Hoàng Anh Tuấn": the name under the title is its own line, and so
    is an appendix heading a portal glued after it ("… Vũ Ngọc Anh TÊN ĐƠN VỊ CUNG CẤP: …")."""
    words = piece.split()
    if piece.startswith(("-", "+", "•")):  # a Nơi nhận entry ("- UBND Quảng Ngãi") has no signer
        return [piece]
    for i in range(first_titled_prefix(words), len(words)):
        before = words[i - 1]
        # "Y Ngọc Hà", "A Lềnh": a one-letter word opens some minority names; a title word is longer.
        if not (is_upper_token(before) and sum(c.isalpha() for c in before) >= 2):
            continue
        n = 0
        while i + n < len(words) and n < 5 and NAME_WORD.match(words[i + n]):
            n += 1
        rest = words[i + n:]
        if n >= 2 and (not rest or (is_upper_token(rest[0]) and sum(c.isalpha() for c in rest[0]) >= 2)):
            parts = [" ".join(words[:i]), " ".join(words[i:i + n]), " ".join(rest)]
            return [p for p in parts if p]
    return [piece]


def first_titled_prefix(words: list[str]) -> int:
    """The least i ≥ 1 whose first i words hold a signer's title word (len(words) when none does).
    A longer prefix holds every title word a shorter one does, so it is found by halving, not by
    joining and searching every prefix (quadratic on a long flattened tail line)."""
    low, high = 1, len(words)
    while low < high:
        mid = (low + high) // 2
        if signer_title_words().search(" ".join(words[:mid])):
            high = mid
        else:
            low = mid + 1
    return low


DANGLING_LABEL = re.compile(r"Số\s*:|(?:TM|KT|TL|TUQ)\.|T/M|K/T|T/L")


def join_dangling(lines: list[Line]) -> list[Line]:
    """ "Số:" or "TL." alone on a line belongs to the line after it."""
    out: list[Line] = []
    carry: Line | None = None
    for line in lines:
        text = line.text.strip()
        if carry is not None and carry.column != line.column:
            out.append(carry)  # a label alone at the end of its column stays as it was
            carry = None
        if text[:1] in "STK" and DANGLING_LABEL.fullmatch(text):
            carry = replace(line, text=f"{carry.text} {text}" if carry else text)
            continue
        out.append(replace(line, text=f"{carry.text} {text}") if carry else line)
        carry = None
    if carry is not None:
        out.append(carry)
    return out
