"""Effective formatting: what a run or paragraph looks like once direct formatting, the character
style, the paragraph style chain, numbering and the document defaults are merged."""
from __future__ import annotations

import re

from ..legacy import convert_legacy, legacy_font_encoding
from .ooxml import PPR, RPR, VAL, _int, _is_on, _w

FONT_SLOTS = ("ascii", "hAnsi", "eastAsia", "cs")
THEME_ATTR = {"ascii": "asciiTheme", "hAnsi": "hAnsiTheme", "eastAsia": "eastAsiaTheme", "cs": "cstheme"}


def run_props(rpr) -> dict:
    """What a w:rPr sets itself: font slots ("font.ascii" …), size, bold, italic, colour, caps, hidden."""
    props: dict = {}
    if rpr is None:
        return props
    fonts = rpr.find(_w("rFonts"))
    if fonts is not None:
        for slot in FONT_SLOTS:
            theme, name = fonts.get(_w(THEME_ATTR[slot])), fonts.get(_w(slot))
            if theme:  # a theme attribute wins over the plain one in the same element
                props["font." + slot] = f"theme font {theme}"
            elif name:
                props["font." + slot] = name
    size = rpr.find(_w("sz"))
    if size is not None and _int(size.get(VAL)) is not None:
        props["size"] = _int(size.get(VAL)) / 2
    for key, tag in (("bold", "b"), ("italic", "i"), ("caps", "caps"), ("hidden", "vanish")):
        el = rpr.find(_w(tag))
        if el is not None:
            props[key] = _is_on(el)
    color = rpr.find(_w("color"))
    if color is not None:
        props["color"] = (color.get(VAL), color.get(_w("themeColor")))
    return props


def para_props(ppr) -> dict:
    """What a w:pPr sets itself: alignment, first-line indent (twips, negative when hanging), spacing."""
    props: dict = {}
    if ppr is None:
        return props
    jc = ppr.find(_w("jc"))
    if jc is not None:
        props["align"] = jc.get(VAL)
    ind = ppr.find(_w("ind"))
    if ind is not None:
        first = _first_line_indent(ind)
        if first is not None:
            props["first_line"] = first
    spacing = ppr.find(_w("spacing"))
    if spacing is not None:
        for side in ("before", "after"):
            if spacing.get(_w(side + "Autospacing")) in ("1", "true", "on"):
                props[side] = 14.0  # HTML-style automatic spacing is 14 pt in Word
            elif _int(spacing.get(_w(side))) is not None:
                props[side] = _int(spacing.get(_w(side))) / 20
        if _int(spacing.get(_w("line"))) is not None:
            props["line"] = (_int(spacing.get(_w("line"))), spacing.get(_w("lineRule"), "auto"))
    contextual = ppr.find(_w("contextualSpacing"))
    if contextual is not None:
        props["contextual"] = _is_on(contextual)
    num = ppr.find(_w("numPr"))
    if num is not None:
        num_id, level = num.find(_w("numId")), num.find(_w("ilvl"))
        if num_id is not None:
            props["num"] = (num_id.get(VAL), _int(level.get(VAL), 0) if level is not None else 0)
    return props


def _first_line_indent(ind) -> int | tuple | None:
    """Twips; a hanging indent is negative; character units are kept as ("chars", hundredths)."""
    for attr, sign in (("firstLineChars", 1), ("hangingChars", -1)):
        if _int(ind.get(_w(attr))):
            return ("chars", sign * _int(ind.get(_w(attr))))
    for attr, sign in (("firstLine", 1), ("hanging", -1)):
        if _int(ind.get(_w(attr))) is not None:
            return sign * _int(ind.get(_w(attr)))
    return None


class Numbering:
    """List labels ("-", "1.", "•") of numbered paragraphs, and the indent their level sets."""

    def __init__(self, element):
        self.levels: dict[tuple[str, int], object] = {}
        self.counters: dict[tuple[str, int], int] = {}  # the last number given per list level, in reading order
        if element is None:
            return
        abstract = {}
        for node in element.findall(_w("abstractNum")):
            abstract[node.get(_w("abstractNumId"))] = {
                _int(lvl.get(_w("ilvl")), 0): lvl for lvl in node.findall(_w("lvl"))}
        for num in element.findall(_w("num")):
            ref = num.find(_w("abstractNumId"))
            levels = dict(abstract.get(ref.get(VAL), {})) if ref is not None else {}
            for override in num.findall(_w("lvlOverride")):
                lvl = override.find(_w("lvl"))
                if lvl is not None:
                    levels[_int(override.get(_w("ilvl")), 0)] = lvl
            for ilvl, lvl in levels.items():
                self.levels[(num.get(_w("numId")), ilvl)] = lvl

    def label(self, num) -> str:
        lvl = self.levels.get(tuple(num)) if num else None
        if lvl is None:
            return ""
        fmt, text = lvl.find(_w("numFmt")), lvl.find(_w("lvlText"))
        text = text.get(VAL, "") if text is not None else ""
        kind = fmt.get(VAL) if fmt is not None else "decimal"
        if kind == "bullet":
            return "-" if text.strip() in ("-", "–", "−", "‐") else "•"
        num_id, ilvl = num[0], num[1]
        self.counters[(num_id, ilvl)] = self.counters.get((num_id, ilvl), 0) + 1
        for deeper in [k for k in self.counters if k[0] == num_id and k[1] > ilvl]:
            del self.counters[deeper]  # a higher level restarts the levels below it

        def value(match) -> str:
            level = int(match.group(1)) - 1
            lvl_el = self.levels.get((num_id, level))
            start = lvl_el.find(_w("start")) if lvl_el is not None else None
            first = _int(start.get(VAL), 1) if start is not None else 1
            count = self.counters.get((num_id, level), 1) + first - 1
            level_fmt = lvl_el.find(_w("numFmt")) if lvl_el is not None else None
            return format_number(count, level_fmt.get(VAL) if level_fmt is not None else "decimal")
        return re.sub(r"%(\d)", value, text)

    def level_props(self, num) -> dict:
        lvl = self.levels.get(tuple(num)) if num else None
        return para_props(lvl.find(PPR)) if lvl is not None else {}


def format_number(n: int, kind: str) -> str:
    """A list number as Word prints it in this numFmt: 3 → "c", "iii", "III", "C", "3"."""
    if kind in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if kind == "upperLetter" else letter
    if kind in ("lowerRoman", "upperRoman"):
        out, rest = "", n
        for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                               (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
            while rest >= value:
                out, rest = out + numeral, rest - value
        return out.lower() if kind == "lowerRoman" else out
    if kind == "decimalZero":
        return f"{n:02d}"
    return str(n)


class Styles:
    """Effective run and paragraph formatting: direct, then style chains, then document defaults."""

    def __init__(self, styles_element, numbering: Numbering):
        self.numbering = numbering
        self._styles: dict[str, object] = {}
        self._chains: dict[tuple[str, str | None], dict] = {}
        self.default_paragraph_style = None
        self.run_defaults: dict = {}
        self.para_defaults: dict = {}
        if styles_element is None:
            return
        for style in styles_element.findall(_w("style")):
            self._styles[style.get(_w("styleId"))] = style
            if style.get(_w("type")) == "paragraph" and style.get(_w("default")) in ("1", "true", "on"):
                self.default_paragraph_style = style.get(_w("styleId"))
        defaults = styles_element.find(_w("docDefaults"))
        if defaults is not None:
            self.run_defaults = run_props(defaults.find(f"{_w('rPrDefault')}/{RPR}"))
            self.para_defaults = para_props(defaults.find(f"{_w('pPrDefault')}/{PPR}"))
        for slot in ("eastAsia", "cs"):
            # Vietnamese text is drawn in the ascii/hAnsi fonts; the theme East Asian and
            # complex-script defaults every Word template carries never show, so they are not
            # "set" for this check (a named font there, or any font set further down, is).
            if str(self.run_defaults.get("font." + slot, "")).startswith("theme font"):
                del self.run_defaults["font." + slot]

    def _chain(self, style_id: str | None, kind: str) -> dict:
        """Merged props of a style and its basedOn ancestors (the ancestors first)."""
        key = (kind, style_id)
        if key not in self._chains:
            merged: dict = {}
            seen = set()
            chain = []
            while style_id and style_id in self._styles and style_id not in seen:
                seen.add(style_id)
                chain.append(self._styles[style_id])
                based = chain[-1].find(_w("basedOn"))
                style_id = based.get(VAL) if based is not None else None
            for style in reversed(chain):
                merged.update(run_props(style.find(RPR)) if kind == "run" else para_props(style.find(PPR)))
            self._chains[key] = merged
        return self._chains[key]

    def paragraph_style(self, p) -> str | None:
        ppr = p.find(PPR)
        style = ppr.find(_w("pStyle")) if ppr is not None else None
        style_id = style.get(VAL) if style is not None else None
        return style_id if style_id in self._styles else self.default_paragraph_style

    def paragraph(self, p, style_id: str | None) -> dict:
        ppr = p.find(PPR)
        direct = para_props(ppr)
        props = {**self.para_defaults, **self._chain(style_id, "para")}
        num = direct.get("num") or props.get("num")
        if num and num[0] != "0":
            props.update(self.numbering.level_props(num))
        props.update(direct)
        return props

    def run(self, r, style_id: str | None) -> dict:
        rpr = r.find(RPR)
        run_style = rpr.find(_w("rStyle")) if rpr is not None else None
        props = {**self.run_defaults, **self._chain(style_id, "run")}
        if run_style is not None:
            props.update(self._chain(run_style.get(VAL), "run"))
        props.update(run_props(rpr))
        return props


def displayed_text(text: str, look: dict) -> str:
    """The text as printed: legacy TCVN3/VNI bytes converted by their font, "All caps" applied."""
    legacy = legacy_font_encoding(look.get("font.hAnsi") or look.get("font.ascii"))
    if legacy and text.strip():
        text = convert_legacy(text, legacy[0])
        if legacy[1]:
            text = text.upper()
    if look.get("caps"):
        text = text.upper()
    return text
