"""Rules on the page and on every run: paper, margins, font, colour, page numbers."""
from __future__ import annotations

import re

from .document import Document, PageHeader
from .formatting import FONT_SLOTS
from .ooxml import P, TXBX_CONTENT, _w
from .rules import Violation, _and_more

FONT = "Times New Roman"


# -- page


def check_paper(doc: Document) -> list[Violation]:
    out = []
    for number, section in enumerate(doc.sections, 1):
        width, height = section.page_width, section.page_height
        if width is None or height is None:
            out.append(Violation("paper", f"section {number}", "no page size is set (Word then uses "
                                 "Letter); Decree 30 requires A4, 210 × 297 mm (App. I §I)"))
            continue
        w_mm, h_mm = width.mm, height.mm
        short, long_ = sorted((w_mm, h_mm))
        if abs(short - 210) > 1 or abs(long_ - 297) > 1:
            out.append(Violation("paper", f"section {number}", f"the page is {w_mm:.0f} × {h_mm:.0f} mm; "
                                 "Decree 30 requires A4 paper, 210 × 297 mm (App. I §I)"))
        elif w_mm > h_mm and not any(t.section == number for t in doc.tables):
            out.append(Violation("paper", f"section {number}", "the page is landscape with no table on it; "
                                 "A4 is used in portrait, landscape only for a wide table (App. I §I)"))
    return out


MARGIN_LIMITS = {"top": (20, 25), "bottom": (20, 25), "left": (30, 35), "right": (15, 20)}


def check_margins(doc: Document) -> list[Violation]:
    out = []
    for number, section in enumerate(doc.sections, 1):
        limits = MARGIN_LIMITS
        if section.page_width and section.page_height and section.page_width > section.page_height:
            limits = _landscape_limits(section)
        bad = []
        for side, (lo, hi) in limits.items():
            value = getattr(section, f"{side}_margin")
            mm = abs(value.mm) if value is not None else None
            if side == "left" and mm is not None and section.gutter:
                mm += section.gutter.mm  # the binding gutter is part of the left margin
            if mm is None or not lo - 0.05 <= round(mm, 1) <= hi + 0.05:
                shown = "not set" if mm is None else f"{mm:.1f} mm"
                bad.append(f"{side} {shown} (should be {lo}–{hi} mm)")
        if bad:
            out.append(Violation("margins", f"section {number}", "margins: " + "; ".join(bad) + " (App. I §I)"))
    return out


def _landscape_limits(section) -> dict:
    """A landscape page (a wide table) is the A4 sheet turned: the binding margin (30–35 mm) is
    then on the top or the bottom edge and the 15–20 mm one opposite, the 20–25 mm ones at the
    sides. Word keeps the portrait margins when it turns a page, so those pass as well."""
    def side(name):
        value = getattr(section, f"{name}_margin")
        return abs(value.mm) if value is not None else None

    turned = ({"top": (30, 35), "bottom": (15, 20), "left": (20, 25), "right": (20, 25)},
              {"top": (15, 20), "bottom": (30, 35), "left": (20, 25), "right": (20, 25)})
    for limits in turned + (MARGIN_LIMITS,):
        if all(side(n) is not None and lo - 0.05 <= round(side(n), 1) <= hi + 0.05 for n, (lo, hi) in limits.items()):
            return limits
    return turned[0]


# -- fonts and colour


def _all_pieces(doc: Document):
    """(paragraph, piece) for every piece of visible text, in the body and in page headers/footers."""
    paras = doc.paras + [p for h in doc.headers for p in h.paras]
    for para in paras:
        for line in para.lines:
            for piece in line.pieces:
                yield para, piece


def _aggregate(rule: str, hits: dict, describe) -> list[Violation]:
    """One violation per offending value: its first place and how many paragraphs have it."""
    out = []
    for value, paras in hits.items():
        first, count = paras[0], len(dict.fromkeys(id(p) for p in paras))
        out.append(Violation(rule, first.where() + _and_more(count), describe(value)))
    return out


def check_fonts(doc: Document) -> list[Violation]:
    hits: dict = {}
    for para, piece in _all_pieces(doc):
        slots_by_font: dict[str, list[str]] = {}
        for slot in FONT_SLOTS:
            font = piece.look.get("font." + slot)
            if font and font.strip().lower() != FONT.lower():
                slots_by_font.setdefault(font, []).append(slot)
        for font, slots in slots_by_font.items():
            hits.setdefault((font, ", ".join(slots)), []).append(para)

    def describe(value):
        font, slots = value
        return (f"text in {font} (font slot {slots}); Decree 30 requires Times New Roman, phông chữ Times New "
                f"Roman (App. I §I)")
    return _aggregate("font", hits, describe)


def _is_black(color) -> bool:
    value, theme = color or (None, None)
    if theme:  # a theme colour wins over the value; text1/dark1 is the theme's black
        return theme in ("text1", "dark1")
    return (value or "auto").lower() in ("auto", "000000")


def check_colour(doc: Document) -> list[Violation]:
    hits: dict = {}
    for para, piece in _all_pieces(doc):
        color = piece.look.get("color")
        if not _is_black(color):
            hits.setdefault(color[1] or color[0], []).append(para)
    return _aggregate("color", hits, lambda c: f"text coloured {c}; Decree 30 requires black text, màu đen "
                                               "(App. I §I)")


# -- page numbers

PAGE_FIELD = re.compile(r"\bPAGE\b")
ROMAN_FORMAT = re.compile(r"\\\*\s*roman", re.I)


def _page_field_paras(header: PageHeader) -> list[tuple[object, str]]:
    """(w:p, field code) for each paragraph of a header/footer part that holds a PAGE field."""
    out = []
    for p in header.element.iter(P):
        codes = "".join(t.text or "" for t in p.iter(_w("instrText")))
        codes += " ".join(f.get(_w("instr"), "") for f in p.iter(_w("fldSimple")))
        if PAGE_FIELD.search(codes):
            out.append((p, codes))
    return out


def check_page_numbers(doc: Document) -> list[Violation]:
    out, numbered = [], []
    for header in doc.headers:
        for p, code in _page_field_paras(header):
            numbered.append(header)
            out += _page_number_problems(header, p, code)
    if numbered:
        return out + _page_one_problems(doc, numbered)
    if (doc.page_count or 0) > 1:  # only a producer's page count tells a one-page letter apart
        out.append(Violation("page-numbers", "section 1", f"{doc.page_count} pages and no page numbers; pages "
                             "from 2 are numbered in the header, centred (App. I §I)"))
    return out


def _page_one_problems(doc: Document, numbered: list[PageHeader]) -> list[Violation]:
    """Page 1 shows the first-page header/footer when w:titlePg is on, else the default ones."""
    shown = "first" if doc.title_page[0] else "default"
    if not any(h.section == 1 and h.type == shown for h in numbered):
        return []
    if shown == "default":
        why = "section 1 has no different first-page header (w:titlePg)"
    else:
        why = "the first-page header or footer holds a PAGE field"
    return [Violation("page-numbers", "section 1", f"the page number shows on page 1: {why}; page 1 carries "
                      "no number (App. I §I)")]


def _page_number_problems(header: PageHeader, p, code: str) -> list[Violation]:
    para = next((x for x in header.paras if x.element is p), None)
    where = para.where() if para is not None and para.number else f"page {header.kind} of section {header.section}"
    problems = []
    if header.kind == "footer":
        problems.append("the page number is in the footer; it goes in the top margin (page header)")
    align = para.props.get("align") if para is not None else None
    in_box = p.getparent() is not None and p.getparent().tag == TXBX_CONTENT
    if header.kind == "header" and align != "center" and not in_box:
        problems.append(f"the page number is aligned {align or 'left'}; it is centred")
    if ROMAN_FORMAT.search(code):
        problems.append("the page number is in Roman numerals; it is in Arabic numerals")
    looks = [piece.look for line in (para.lines if para else []) for piece in line.pieces]
    sizes = sorted({lk.get("size") for lk in looks if lk.get("size")})
    if any(not 13 <= s <= 14 for s in sizes):
        problems.append(f"the page number is {', '.join(f'{s:g}' for s in sizes)} pt; it is 13–14 pt")
    if any(lk.get("italic") for lk in looks):
        problems.append("the page number is italic; it is upright")
    return [Violation("page-numbers", where, m + " (App. I §I)") for m in problems]
