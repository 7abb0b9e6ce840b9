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

from .records import Line

# Characters that look like spaces or hyphens but would break our patterns.
_SPACE_LIKE = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u3000\t"), " ")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u00ad\ufffe\x02"), None)
_DASH_LIKE = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2212"), "-")

RULE_LINE = re.compile(r"^\s*[-_=–—.*·]{3,}\s*$")
LIST_MARKER = re.compile(
    r"^\s*(?:[-+•*–]\s|\d{1,2}(?:\.\d{1,2})*[.)]\s|[a-zđ][)]\s|[IVXLC]{1,5}[.)]\s|Điều\s+\d+|Chương\s+[IVXLC\d]+|Mục\s+\d+)"
)
_TERMINAL = ".:;!?"


def clean_text(text: str) -> str:
    """NFC, with space-like and invisible characters made plain. Leading spaces are kept."""
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_SPACE_LIKE).translate(_INVISIBLE).translate(_DASH_LIKE)
    return text.rstrip()


def clean_lines(lines: list[Line]) -> list[Line]:
    return [replace(line, text=clean_text(line.text)) for line in lines]


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
            out[-1] = replace(out[-1], text=glue(out[-1].text, line.text.strip()))
        else:
            out.append(line)
    return out


def glue(left: str, right: str) -> str:
    """Join two pieces of one wrapped line: "68/NQ-" + "CP" → "68/NQ-CP", else one space."""
    left = left.rstrip()
    if re.search(r"\w-$", left) and right[:1].isupper() and not right.startswith("- "):
        return left + right
    return f"{left} {right}"


def ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(tuple(_TERMINAL))


def continues_paragraph(prev: str, line: str, wrap_width: int) -> bool:
    """Whether `line` continues the paragraph `prev` rather than starting a new one.

    A hard-wrapped paragraph continues when the next piece starts in lower case (or with a
    digit that is not a list marker), or when the previous piece filled the line and did not
    end a sentence. List items, headings and "Kính gửi"-style labels always start anew.
    """
    stripped = line.strip()
    if not stripped or not prev.strip() or LIST_MARKER.match(line) or RULE_LINE.match(line):
        return False
    if prev.rstrip().endswith("./.") or prev.rstrip().endswith("/."):
        return False
    first = stripped[0]
    if first.islower() or (first.isdigit() and not LIST_MARKER.match(stripped)) or first in "(\"“":
        return not prev.rstrip().endswith(":") or first.islower()
    full = len(prev.rstrip()) >= 0.8 * wrap_width
    return full and not ends_sentence(prev) and not prev.strip().isupper()


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
            out[-1] = replace(out[-1], text=glue(out[-1].text, line.text.strip()))
        elif line.text.strip():
            out.append(replace(line, text=line.text.strip()))
    return out
