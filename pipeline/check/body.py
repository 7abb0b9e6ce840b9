"""Rules on body paragraphs: size, alignment, first-line indent, spacing, line spacing."""
from __future__ import annotations

from .components import Layout
from .document import Document
from .recognise import HEADING, is_upper_line
from .rules import Violation, _and_more, _size
from .walk import Para

TWIPS_PER_CM = 1440 / 2.54
MIN_GAP_PT = 6
INDENT_TWIPS = (540, 780)  # 1 cm is 567 twips, 1.27 cm is 720; a little slack for rounding
SHORT_PARAGRAPH = 50  # characters; alignment does not show on a line this short


def _checked_body(lay: Layout) -> list[Para]:
    """Body paragraphs the layout rules apply to: not in a table, not a heading."""
    return [p for p in lay.body if not p.in_table and p.text.strip()]


def _is_heading(para: Para) -> bool:
    text = " ".join(para.text.split())
    return is_upper_line(text) or bool(HEADING.match(text) and len(text) < 120)


def check_body(lay: Layout, doc: Document) -> list[Violation]:
    paras = _checked_body(lay)
    hits: dict[str, list[tuple[Para, str]]] = {}
    for para in paras:
        sizes = sorted({_size(p) for line in para.lines for p in line.pieces})
        if any(not 13 <= s <= 14 for s in sizes):
            hits.setdefault("size.body", []).append((para, f"{', '.join(f'{s:g}' for s in sizes)} pt"))
        spacing = _line_spacing_problem(para, max(sizes) if sizes else 14)
        if spacing:
            hits.setdefault("body.line-spacing", []).append((para, spacing))
        if _is_heading(para):
            continue
        align = para.props.get("align") or "left"
        if align not in ("both", "distribute") and len(para.text.strip()) >= SHORT_PARAGRAPH:
            hits.setdefault("body.align", []).append((para, f"aligned {align}"))
        indent = _indent_problem(para, doc.default_tab, max(sizes) if sizes else 14)
        if indent:
            hits.setdefault("body.indent", []).append((para, indent))
    for before, after in zip(paras, paras[1:]):
        if after.index == before.index + 1:  # anything between (an empty line, a table) spaces them
            gap = _gap(before, after)
            if gap < MIN_GAP_PT:
                hits.setdefault("body.spacing", []).append((before, f"{gap:g} pt to the next paragraph"))
    return [_body_violation(rule, found) for rule, found in hits.items()]


BODY_MESSAGES = {
    "size.body": "body text is {}; it is 13–14 pt (App. I §II.6)",
    "body.align": "the paragraph is {}; body text is justified, canh đều hai lề (App. I §II.6)",
    "body.indent": "{}; the first line is indented 1 cm or 1.27 cm (App. I §II.6)",
    "body.spacing": "{}; paragraphs are at least 6 pt apart (App. I §II.6)",
    "body.line-spacing": "line spacing {}; it is from single to 1.5 lines (App. I §II.6)",
}


def _body_violation(rule: str, found: list[tuple[Para, str]]) -> Violation:
    para, detail = found[0]
    return Violation(rule, para.where() + _and_more(len(found)), BODY_MESSAGES[rule].format(detail))


def _indent_problem(para: Para, default_tab: int, size: float) -> str:
    first = para.props.get("first_line", 0)
    if isinstance(first, tuple):  # character units: hundredths of a character of the body size
        first = first[1] / 100 * size * 20
    if not first and para.text.startswith("\t"):
        first = default_tab  # a leading tab indents to the first default tab stop (the decree's "1 tab")
    if INDENT_TWIPS[0] <= first <= INDENT_TWIPS[1]:
        return ""
    if first <= 0:
        return "the first line is not indented" if first == 0 else "the paragraph has a hanging indent"
    return f"the first line is indented {first / TWIPS_PER_CM:.2f} cm"


def _line_spacing_problem(para: Para, size: float) -> str:
    value = para.props.get("line")
    if not value:
        return ""
    line, rule = value
    if rule == "auto":
        ratio = line / 240
        return "" if 0.99 <= ratio <= 1.51 else f"is {ratio:g} lines"
    points = line / 20
    most = size * 1.15 * 1.5 + 0.5  # Times New Roman's single line is about 1.15 times its size
    if rule == "exact" and points < size:
        return f"is exactly {points:g} pt, below single for {size:g} pt text"
    return "" if points <= most else f"is {rule} {points:g} pt, above 1.5 lines for {size:g} pt text"


def _gap(before: Para, after: Para) -> float:
    """Points between two paragraphs: one's space after plus the next one's space before, each
    dropped when its paragraph says "don't add space between paragraphs of the same style"."""
    same_style = before.style == after.style
    space_after = 0 if same_style and before.props.get("contextual") else before.props.get("after", 0)
    space_before = 0 if same_style and after.props.get("contextual") else after.props.get("before", 0)
    return float(space_after or 0) + float(space_before or 0)
