"""Normalise a reader's lines: Unicode NFC, clean whitespace, rejoin what hard wrapping split.

Readers keep every line as they found it. Here we make the text uniform before segmentation:
NFC everywhere (decomposed diacritics from Windows-1258 or NFD sources become precomposed),
odd spaces become plain spaces, and lines a portal or a PDF wrapped are joined back, so a
field never depends on where a line happened to break.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from itertools import filterfalse

from .records import Line
from .syllables import GLYPH_PIECE, join_glyph_spaced

# Characters that look like spaces or hyphens but would break our patterns.
_SPACE_LIKE = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u3000\t"), " ")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u00ad\ufffe\x02"), None)
_DASH_LIKE = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2212"), "-")
_ODD_CHARACTERS = {**_SPACE_LIKE, **_INVISIBLE, **_DASH_LIKE}  # one pass over each line
_ODD_CHARACTER = re.compile("[" + re.escape("".join(map(chr, _ODD_CHARACTERS))) + "]")  # is there one at all?

RULE_LINE = re.compile(r"^\s*[-_=–—.*·]{3,}\s*$")
LIST_MARKER = re.compile(
    r"^\s*(?:[-+•*–]\s|\d{1,2}(?:\.\d{1,2})*[.)]\s|[a-zđ][)]\s|[IVXLC]{1,5}[.)]\s|Điều\s+\d+|Chương\s+[IVXLC\d]+|Mục\s+\d+)"
)
_TERMINAL = ".:;!?"


def fold(value: str) -> str:
    """Lower case without diacritics, so "dang ky" finds "Đăng ký" and "QUYÉT" meets "QUYẾT"."""
    decomposed = unicodedata.normalize("NFD", value or "")
    bare = "".join(filterfalse(unicodedata.combining, decomposed))  # the marks dropped, at C speed
    return bare.replace("đ", "d").replace("Đ", "D").casefold()


def fold_words(value: str) -> str:
    """``fold`` with runs of whitespace made one space: a key for comparing short phrases."""
    return " ".join(fold(value).split())


def clean_text(text: str) -> str:
    """NFC, with space-like and invisible characters made plain. Leading spaces are kept."""
    text = unicodedata.normalize("NFC", text)
    if _ODD_OR_FOREIGN.search(text):  # (one search for both: most lines have neither)
        if _ODD_CHARACTER.search(text):  # (a search is much cheaper than translate on most lines, which have none)
            text = text.translate(_ODD_CHARACTERS)
        if _FOREIGN_LETTER.search(text):
            text = _MIXED_WORD.sub(_latinise, text)
    if "Ð" in text:  # Icelandic eth, which OCR and old fonts give for "Đ"; Vietnamese has no eth
        text = text.replace("Ð", "Đ").replace("ĐĐ", "Đ")
    text = text.rstrip()
    # join_glyph_spaced returns a line without a GLYPH_PIECE as it is: most lines are passed by a cheaper search
    return join_glyph_spaced(text) if _GLYPH_CANDIDATE is None or _GLYPH_CANDIDATE.search(text) else text


# Every line GLYPH_PIECE finds a piece in, and a few more: GLYPH_PIECE tries its look-behind and its
# alternation at every character; this one jumps to the spaces at C speed and looks behind from there
# (the piece's last two letters, or one letter alone; at most three letters since the last whitespace).
_GLYPH_SEEN = r"(?<!\S)(?:[bcdđfghjklmnpqrstvwxz]{1,3}|qu|gi) [^\W\d_]{1,3}(?:[\s,.;:]|$)"
_GLYPH_CANDIDATE = re.compile(
    r" (?:(?<=[bcdđfghjklmnpqrstvwxz][bcdđfghjklmnpqrstvwxzui] )|(?<=(?<!\S)[bcdđfghjklmnpqrstvwxz] ))(?<!\S\S\S\S )"
    r"[^\W\d_]{1,3}(?:[\s,.;:]|$)", re.I,
) if (GLYPH_PIECE.pattern, GLYPH_PIECE.flags) == (_GLYPH_SEEN, re.compile(_GLYPH_SEEN, re.I).flags) else None  # else: not used


# Cyrillic and Greek capitals that look like Latin ones. Portals paste them into symbols
# ("TT-BTС" with a Cyrillic С); inside a word that also has Latin letters or digits they are
# read as the Latin letter. A word wholly in Cyrillic or Greek is left alone. One character
# for one, so spans keep their offsets.
_HOMOGLYPHS = str.maketrans("АВЕКМНОРСТХУаеорсхуΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEKMHOPCTXYaeopcxyABEZHIKMNOPTYX")
_FOREIGN_LETTER = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")
_MIXED_WORD = re.compile(r"\w*[\u0370-\u03ff\u0400-\u04ff]\w*")
# An odd character or a Greek or Cyrillic letter (translating the odd ones makes no letter and removes none).
_ODD_OR_FOREIGN = re.compile(_ODD_CHARACTER.pattern[:-1] + "\u0370-\u03ff\u0400-\u04ff]")


def _latinise(match: re.Match) -> str:
    word = match.group(0)
    return word.translate(_HOMOGLYPHS) if re.search(r"[A-Za-zĐđ0-9]", word) else word


def clean_lines(lines: list[Line]) -> list[Line]:
    out = []
    for line in lines:
        text = clean_text(line.text)
        out.append(line if text == line.text else _with_text(line, text))  # unchanged: kept, not copied (lines are never changed in place)
    return out


def _with_text(line: Line, text: str) -> Line:
    """`replace(line, text=text)`, without dataclasses.replace's cost for a plain Line."""
    return Line(text, line.column, line.block, line.page) if type(line) is Line else replace(line, text=text)


def join_indented_continuations(lines: list[Line]) -> list[Line]:
    """Join a line indented by two or more spaces onto the line above it.

    Portals that flatten the two-column header wrap long cells as "BẢO HIỂM XÃ HỘI\\n  VIỆT NAM";
    the indentation is the only trace that the two pieces were one line.
    """
    out: list[Line] = []
    for line in lines:
        indented = line.text.startswith("  ") and line.text.strip()
        if indented and out and out[-1].text.strip() and not RULE_LINE.match(out[-1].text) \
                and not LIST_MARKER.match(line.text) and out[-1].column == line.column:
            out[-1] = _with_text(out[-1], glue(out[-1].text, line.text.strip()))
        else:
            out.append(line)
    return out


def glue(left: str, right: str) -> str:
    """Join two pieces of one wrapped line: "68/NQ-" + "CP" → "68/NQ-CP", else one space."""
    left = left.rstrip()
    # Only the last two characters matter: a search over the whole of `left` made joining a long
    # paragraph line by line quadratic (a 460 KB text took a minute).
    if re.search(r"\w-$", left[-2:]) and right[:1].isupper() and not right.startswith("- "):
        return left + right
    return f"{left} {right}"


def ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(_TERMINAL_ENDS)


_TERMINAL_ENDS = tuple(_TERMINAL)


def continues_paragraph(prev: str, line: str, wrap_width: int) -> bool:
    """Whether `line` continues the paragraph `prev` rather than starting a new one.

    A hard-wrapped paragraph continues when the next piece starts in lower case (or with a
    digit that is not a list marker), or when the previous piece filled the line and did not
    end a sentence. List items, headings and "Kính gửi"-style labels always start anew.
    """
    stripped = line.strip()
    prev_end = prev.rstrip()  # (once: prev is the paragraph so far, which grows line by line)
    if not stripped or not prev_end or LIST_MARKER.match(line) or RULE_LINE.match(line):
        return False
    if prev_end.endswith("./.") or prev_end.endswith("/."):
        return False
    first = stripped[0]
    if first.islower() or (first.isdigit() and not LIST_MARKER.match(stripped)) or first in "(\"“":
        return not prev_end.endswith(":") or first.islower()
    if prev_end.endswith(_TERMINAL_ENDS) or prev.isupper():  # (spaces have no case: as prev.strip().isupper())
        return False
    if len(prev_end) >= 0.8 * wrap_width:
        return True
    # A portal cuts a paragraph's first line short ("Ủy ban nhân dân quận" / "Ninh Kiều kính trình …"):
    # a short opening fragment of several words with no punctuation continues on the next line.
    return (wrap_width >= 60 and len(prev.split()) >= 3 and not LIST_MARKER.match(prev)
            and not prev_end.endswith((",", "-")))


def typical_width(lines: list[Line]) -> int:
    """The width a hard-wrapped text was wrapped at (a high percentile of line lengths)."""
    lengths = sorted(len(l.text.rstrip()) for l in lines if l.text.strip())
    if not lengths:
        return 0
    return lengths[int(len(lengths) * 0.9) - (1 if len(lengths) > 1 else 0)]


def join_wrapped_paragraphs(lines: list[Line]) -> list[Line]:
    """Rejoin hard-wrapped body lines into paragraphs (one Line per paragraph)."""
    width = typical_width(lines)
    out: list[Line] = []
    for line in lines:
        if out and out[-1].column == line.column and continues_paragraph(out[-1].text, line.text, width):
            out[-1] = _with_text(out[-1], glue(out[-1].text, line.text.strip()))
        else:
            text = line.text.strip()
            if text:
                out.append(_with_text(line, text))
    return out


_DATE_BROKEN = re.compile(r"(?:ngày|tháng|năm)\s*$", re.I)
_CONNECTOR_END = re.compile(r"(?:\bVÀ|\bCỦA|-)\s*$")


def join_header_wraps(lines: list[Line]) -> list[Line]:
    """Rejoin a header cell's line that a narrow PDF column wrapped.

    "…, ngày 20 tháng 5 năm" / "2024" and "SỞ TÀI NGUYÊN VÀ MÔI" / "TRƯỜNG": a cell's text keeps
    its column, so a piece that cannot stand alone is glued to the line above in that column.
    """
    out: list[Line] = []
    last_in_column: dict[str, int] = {}
    for line in lines:
        if line.block == "header" and line.column:  # (only a header cell's line is looked at further)
            i = last_in_column.get(line.column)
            text = line.text.strip()
            if i is not None and text and _continues_cell(out[i].text, text):
                out[i] = _with_text(out[i], glue(out[i].text, text))
                continue
        last_in_column[line.column] = len(out)
        out.append(line)
    return out


def _continues_cell(prev: str, text: str) -> bool:
    if _DATE_BROKEN.search(prev) and text[:1].isdigit():
        return True
    if prev.isupper() and text.isupper():
        return len(text.split()) == 1 or bool(_CONNECTOR_END.search(prev))
    return False
