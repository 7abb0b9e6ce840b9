"""Check a DOCX against the format rules of Decree 30/2020/NĐ-CP, Appendix I (``congvan check``).

The document is read in reading order (paragraphs, tables and the tables nested in them,
content controls, text boxes) into *lines*: a paragraph is cut at every manual line break and
every tab, so a header laid out with tabs reads as two columns. Each line keeps the effective
formatting of its runs (direct formatting, then the character style, the paragraph style
chain and the document defaults) and where it stands, for the report.

Components are recognised by their text and their place, not by our own layout: the national
motto, "Số:", "…, ngày … tháng … năm …", "V/v", "Kính gửi", "Nơi nhận"; the lines above "Số:"
in its column are the parent and issuing bodies; at the end, the last short non-upper line is
the signer's name and the upper-case lines above it the authority and title. Each rule then
looks at the components it is about and reports only what the decree requires.
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from lxml import etree

from .legacy import convert_legacy, legacy_font_encoding
from .vocab import vocab

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


P, R, T, TBL, TR, TC = _w("p"), _w("r"), _w("t"), _w("tbl"), _w("tr"), _w("tc")
PPR, RPR, SDT, SDT_CONTENT, CUSTOM_XML = _w("pPr"), _w("rPr"), _w("sdt"), _w("sdtContent"), _w("customXml")
BR, CR, TAB, PTAB, NO_BREAK_HYPHEN = _w("br"), _w("cr"), _w("tab"), _w("ptab"), _w("noBreakHyphen")
TXBX_CONTENT, SECT_PR, VAL = _w("txbxContent"), _w("sectPr"), _w("val")
ALTERNATE, CHOICE, FALLBACK = f"{{{MC_NS}}}AlternateContent", f"{{{MC_NS}}}Choice", f"{{{MC_NS}}}Fallback"
# Inline content that is not printed text: properties, deletions, field codes, bookmarks.
SKIPPED_INLINE = {PPR, RPR, _w("del"), _w("moveFrom"), _w("sdtPr"), _w("sdtEndPr"), _w("proofErr"),
                  _w("bookmarkStart"), _w("bookmarkEnd"), _w("commentRangeStart"), _w("commentRangeEnd")}
BLOCK_WRAPPERS = {SDT_CONTENT, CUSTOM_XML}
BREAK, TABSTOP = "\n", "\t"
TAB_AFTER_LABEL = re.compile(r"^(?:số|kính\s+gửi)\s*:?$", re.I)

FONT = "Times New Roman"
FONT_SLOTS = ("ascii", "hAnsi", "eastAsia", "cs")
THEME_ATTR = {"ascii": "asciiTheme", "hAnsi": "hAnsiTheme", "eastAsia": "eastAsiaTheme", "cs": "cstheme"}
TWIPS_PER_CM = 1440 / 2.54


# ------------------------------------------------------------------------------------- API


@dataclass
class Violation:
    rule: str  # a key of RULES
    where: str  # 'header table, left cell, paragraph 3 "Số: 5/SYT-VP"'
    message: str  # what is wrong and what the decree says


class CheckError(Exception):
    """A file that cannot be checked (missing, not a DOCX, corrupt), with a one-line reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_docx(path_or_bytes) -> list[Violation]:
    """Every Decree 30 violation in a DOCX: a path, its bytes, or an open python-docx Document
    (a document being generated can be checked before it is saved)."""
    document = path_or_bytes if hasattr(path_or_bytes, "part") else open_docx(path_or_bytes)
    return check_document(read_document(document))


def format_violation(v: Violation) -> str:
    return f"[{v.rule}] {v.where}: {v.message}"


@dataclass(frozen=True)
class Look:
    """How Appendix I prints one component: size range in points, bold, italic, upper case."""

    label: str
    sizes: tuple[float, float]
    bold: bool | None
    italic: bool | None
    upper: bool
    cite: str


LOOKS = {
    "quoc-hieu": Look("Quốc hiệu", (12, 13), True, False, True, "App. I §II.1"),
    "tieu-ngu": Look("Tiêu ngữ", (13, 14), True, False, False, "App. I §II.1"),
    "parent": Look("tên cơ quan chủ quản (parent body)", (12, 13), False, False, True, "App. I §II.2"),
    "issuer": Look("tên cơ quan ban hành (issuing body)", (12, 13), True, False, True, "App. I §II.2"),
    "urgency": Look("mức độ khẩn (urgency mark)", (13, 14), True, False, True, "App. I §III.2"),
    "number": Look('"Số:" line (số, ký hiệu)', (13, 13), False, False, False, "App. I §II.3"),
    "date": Look("địa danh và thời gian (place and date)", (13, 14), False, True, False, "App. I §II.4"),
    "vv": Look("trích yếu of a công văn (V/v …)", (12, 13), False, False, False, "App. I §II.5"),
    "type-name": Look("tên loại (type name)", (13, 14), True, False, True, "App. I §II.5"),
    "subject": Look("trích yếu under the type name", (13, 14), True, False, False, "App. I §II.5"),
    "kinh-gui": Look("Kính gửi", (13, 14), False, False, False, "App. I §II.9"),
    "body": Look("nội dung (body text)", (13, 14), None, None, False, "App. I §II.6"),
    "authority": Look("quyền hạn, chức vụ người ký (authority and title)", (13, 14), True, False, True,
                      "App. I §II.7"),
    "signer": Look("họ tên người ký (signer's name)", (13, 14), True, False, False, "App. I §II.7"),
    "noi-nhan": Look('"Nơi nhận:"', (12, 12), True, True, False, "App. I §II.9"),
    "noi-nhan-list": Look("Nơi nhận list", (11, 11), False, False, False, "App. I §II.9"),
}


def _look_rules() -> dict[str, str]:
    rules = {}
    for key, look in LOOKS.items():
        lo, hi = look.sizes
        rules[f"size.{key}"] = f"{look.label}: {_pt_range(lo, hi)} ({look.cite})"
        if look.bold is not None:
            rules[f"bold.{key}"] = f"{look.label}: {'bold' if look.bold else 'not bold'} ({look.cite})"
        if look.italic is not None:
            rules[f"italic.{key}"] = f"{look.label}: {'italic' if look.italic else 'upright'} ({look.cite})"
        if look.upper:
            rules[f"case.{key}"] = f"{look.label}: upper case, chữ in hoa ({look.cite})"
    return rules


def _pt_range(lo: float, hi: float) -> str:
    return f"{lo:g} pt" if lo == hi else f"{lo:g}–{hi:g} pt"


RULES: dict[str, str] = {
    "paper": "A4 paper (210 × 297 mm), portrait; a landscape page only for a wide table (App. I §I)",
    "margins": "Margins: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm (App. I §I)",
    "font": "Times New Roman in every run with text, in every font slot set (ascii, hAnsi, eastAsia, cs); "
            "a theme font does not count (App. I §I)",
    "color": "Text is black (automatic or 000000) (App. I §I)",
    "page-numbers": "Page numbers: a PAGE field centred in the page header, Arabic numerals, 13–14 pt upright, "
                    "not shown on page 1 (App. I §I)",
    "presence": "The main components are there: Quốc hiệu, Tiêu ngữ, tên cơ quan ban hành, số và ký hiệu, "
                "địa danh và thời gian, tên loại or trích yếu (V/v), nội dung, quyền hạn and chức vụ, "
                "họ tên người ký, Nơi nhận (Art. 8.2)",
    "order": "Components in the decree's order: parent body, issuing body, Số, V/v down one column; Quốc hiệu, "
             "Tiêu ngữ, place and date down the other; then tên loại, trích yếu, Kính gửi, body (App. I §IV)",
    "tieu-ngu": 'Tiêu ngữ reads "Độc lập - Tự do - Hạnh phúc": each phrase capitalised, a hyphen with a space '
                "each side (App. I §II.1)",
    "number": 'Số, ký hiệu: "Số: 05/SYT-VP": "Số" then a colon, numbers below 10 with a leading 0, "/" with no '
              'spaces, the symbol in upper case with groups joined by "-"; a named type starts the symbol with '
              "its Appendix III abbreviation (GIẤY MỜI → GM), a công văn has none (App. I §II.3)",
    "date": 'Place and date: "Hà Nội, ngày 05 tháng 01 năm 2026": a comma after the place, the date in full, '
            "days below 10 and months 1–2 with a leading 0, a real calendar date (App. I §II.4)",
    "vv": 'The trích yếu of a công văn starts with "V/v" (App. I §II.5)',
    "kinh-gui": 'Kính gửi: "Kính gửi:" with one recipient on the same line; with several, each on its own line '
                'starting "-" and ending ";", the last ending "." (App. I §II.9)',
    "noi-nhan": '"Nơi nhận:" then one line per recipient starting "-" and ending ";", "- Như trên;" first when '
                'there is a Kính gửi, the last line "- Lưu: VT, …." (App. I §II.9)',
    "authority": 'Signing authority: "TM.", "Q.", "KT.", "TL.", "TUQ." exactly (upper case, with the dot); a '
                 'deputy (PHÓ …) signing for the head writes "KT." above the title (Art. 13; App. I §II.7)',
    "body.align": "Body paragraphs are justified, canh đều hai lề (App. I §II.6)",
    "body.indent": "Body paragraphs start with a first-line indent of 1 cm or 1.27 cm (App. I §II.6)",
    "body.spacing": "At least 6 pt between body paragraphs, before or after (App. I §II.6)",
    "body.line-spacing": "Line spacing in the body from single to 1.5 lines (App. I §II.6)",
    **_look_rules(),
}


# ------------------------------------------------------------------------------ opening


def open_docx(source):
    """A python-docx Document, or CheckError with a one-line reason."""
    import docx

    if isinstance(source, (bytes, bytearray)):
        data, name = bytes(source), "DOCX data"
    else:
        path = Path(source)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CheckError(f"{path}: file not found") from None
        except IsADirectoryError:
            raise CheckError(f"{path}: a directory, not a DOCX file") from None
        except OSError as exc:
            raise CheckError(f"{path}: cannot be read ({exc.strerror})") from None
        name = str(path)
    if data[:4] == OLE_MAGIC:
        raise CheckError(f"{name}: an old .doc or a password-protected file, not a DOCX")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        raise CheckError(f"{name}: not a DOCX file (not a zip archive)") from None
    if not any(n.startswith("word/document") and n.endswith(".xml") for n in names):
        raise CheckError(f"{name}: not a DOCX file (no word/document.xml)")
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for a broken package
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:100]
        raise CheckError(f"{name}: corrupt DOCX ({reason})") from None


# --------------------------------------------------------------------- effective formatting


def _is_on(el) -> bool:
    return el is not None and el.get(VAL, "true").lower() not in ("0", "false", "off", "none")


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


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
        if fmt is not None and fmt.get(VAL) == "bullet":
            return "-" if text.strip() in ("-", "–", "−", "‐") else "•"
        return re.sub(r"%\d", "1", text)

    def level_props(self, num) -> dict:
        lvl = self.levels.get(tuple(num)) if num else None
        return para_props(lvl.find(PPR)) if lvl is not None else {}


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


# ------------------------------------------------------------------------------ the walk


@dataclass
class TableInfo:
    number: int  # 1-based among the body's top-level tables; 0 for a nested table
    rows: int
    cols: int
    section: int
    role: str = ""  # "header table" / "signature table" once the components are known
    first_line: int = -1
    last_line: int = -1

    @property
    def name(self) -> str:
        return self.role or (f"table {self.number}" if self.number else "nested table")


@dataclass
class Scope:
    """The container a paragraph sits in, for grouping columns and for the report's `where`."""

    key: tuple
    kind: str  # "body", "cell", "text box", "page header"
    parent: "Scope | None" = None
    table: TableInfo | None = None
    row: int = 0
    col: int = 0
    label: str = ""  # a content control's name, a page header's section
    count: list = field(default_factory=lambda: [0])  # text paragraphs so far, shared with sdt scopes

    def inside_control(self, name: str) -> "Scope":
        return Scope(self.key, self.kind, self.parent, self.table, self.row, self.col, name, self.count)

    def root_table(self) -> TableInfo | None:
        scope, table = self, None
        while scope is not None:
            table = scope.table or table
            scope = scope.parent
        return table

    def describe(self) -> str:
        bits = [self.parent.describe()] if self.parent is not None else []
        if self.kind == "cell":
            bits.append(self.table.name)
            if self.table.rows > 1:
                bits.append(f"row {self.row + 1}")
            if self.table.cols == 2:
                bits.append("left cell" if self.col == 0 else "right cell")
            elif self.table.cols > 2:
                bits.append(f"column {self.col + 1}")
        elif self.kind == "text box":
            bits.append("text box")
        elif self.kind == "page header":
            bits.append(self.label)
        return ", ".join(b for b in bits if b)


@dataclass
class Piece:
    text: str
    look: dict


@dataclass
class Para:
    element: object
    props: dict
    style: str | None
    scope: Scope
    section: int
    index: int  # position among all paragraphs walked
    number: int = 0  # 1-based among the text paragraphs of its scope
    text: str = ""  # printed text, "\n" for line breaks, "\t" for tabs
    lines: list = field(default_factory=list)
    control: str = ""  # the content control it sits in

    @property
    def in_table(self) -> bool:
        return self.scope.root_table() is not None

    def where(self, line: "Line | None" = None) -> str:
        prefix = self.scope.describe()
        name = f"paragraph {self.number}" if prefix else f"body paragraph {self.number}"
        bits = [prefix, name] if prefix else [name]
        if self.control:
            bits.append(f'content control "{self.control}"')
        rows = {ln.row for ln in self.lines}
        if line is not None and len(rows) > 1:
            bits.append(f"line {line.row}")
        text = line.text if line is not None else " ".join(self.text.split())
        return ", ".join(bits) + f' "{_snippet(text)}"'


@dataclass
class Line:
    """A stretch of a paragraph between manual line breaks and tabs."""

    text: str
    pieces: list[Piece]  # the pieces with visible text
    para: Para
    row: int  # 1-based line of the paragraph (manual breaks)
    tab: int  # 0 before the first tab, 1 after
    index: int = 0  # position in reading order

    @property
    def key(self) -> tuple:
        """Lines with the same key read down one column."""
        return self.para.scope.key + (min(self.tab, 1),)

    def where(self) -> str:
        return self.para.where(self)


def _snippet(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class Walker:
    """Walks the body (or a page header) into paragraphs and lines, in reading order."""

    def __init__(self, styles: Styles, numbering: Numbering):
        self.styles, self.numbering = styles, numbering
        self.paras: list[Para] = []
        self.lines: list[Line] = []
        self.tables: list[TableInfo] = []
        self.section = 1

    def blocks(self, container, scope: Scope) -> None:
        for child in container:
            tag = child.tag
            if tag == P:
                self.paragraph(child, scope)
            elif tag == TBL:
                self.table(child, scope)
            elif tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    self.blocks(content, scope.inside_control(_control_name(child)))
            elif tag in BLOCK_WRAPPERS:
                self.blocks(child, scope)
            elif tag == ALTERNATE:
                branch = _branch(child)
                if branch is not None:
                    self.blocks(branch, scope)

    def table(self, tbl, scope: Scope) -> None:
        rows = list(_children(tbl, TR))
        grid = tbl.find(_w("tblGrid"))
        cols = len(grid.findall(_w("gridCol"))) if grid is not None else 0
        nested = scope.kind == "cell" or scope.parent is not None
        info = TableInfo(0 if nested else len([t for t in self.tables if t.number]) + 1,
                         len(rows), max(cols, 1), self.section)
        self.tables.append(info)
        info.first_line = len(self.lines)
        for r, tr in enumerate(rows):
            before = tr.find(f"{_w('trPr')}/{_w('gridBefore')}")
            col = _int(before.get(VAL), 0) if before is not None else 0
            for tc in _children(tr, TC):
                cell = Scope((id(tbl), col), "cell", scope if scope.kind != "body" else None, info, r, col)
                self.blocks(tc, cell)
                span = tc.find(f"{_w('tcPr')}/{_w('gridSpan')}")
                col += max(1, _int(span.get(VAL), 1)) if span is not None else 1
        info.last_line = len(self.lines) - 1

    def paragraph(self, p, scope: Scope) -> None:
        style = self.styles.paragraph_style(p)
        props = self.styles.paragraph(p, style)
        control = scope.label if scope.kind in ("body", "cell") else ""
        para = Para(p, props, style, scope, self.section, len(self.paras), control=control)
        self.paras.append(para)
        pieces: list = []
        boxes: list = []
        self.inline(p, style, pieces, boxes)
        label = self.numbering.label(props.get("num")) if props.get("num") else ""
        if label and any(isinstance(x, Piece) and x.text.strip() for x in pieces):
            pieces.insert(0, Piece(label + " ", {}))
        para.text = "".join(x.text if isinstance(x, Piece) else x for x in pieces)
        if para.text.strip():
            scope.count[0] += 1
            para.number = scope.count[0]
        self.split_lines(para, pieces)
        ppr = p.find(PPR)
        if ppr is not None and ppr.find(SECT_PR) is not None:
            self.section += 1
        for box in boxes:  # a text box reads after the paragraph it is anchored in
            self.blocks(box, Scope((id(box),), "text box", None if scope.kind == "body" else scope))

    def inline(self, el, style, out: list, boxes: list) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in SKIPPED_INLINE:
                continue
            if tag == R:
                self.run(child, style, out, boxes)
            elif tag == ALTERNATE:
                branch = _branch(child)
                if branch is not None:
                    self.inline(branch, style, out, boxes)
            else:  # hyperlink, ins, smartTag, fldSimple, run-level sdt, customXml…
                self.inline(child, style, out, boxes)

    def run(self, r, style, out: list, boxes: list) -> None:
        look = self.styles.run(r, style)
        if look.get("hidden"):
            return
        for child in r:
            tag = child.tag
            if tag == T:
                out.append(Piece(displayed_text(child.text or "", look), look))
            elif tag in (BR, CR):
                out.append(BREAK)
            elif tag in (TAB, PTAB):
                out.append(TABSTOP)
            elif tag == NO_BREAK_HYPHEN:
                out.append(Piece("-", look))
            elif isinstance(tag, str) and tag != RPR:
                _collect_text_boxes(child, boxes)  # w:drawing, w:pict, mc:AlternateContent

    def split_lines(self, para: Para, pieces: list) -> None:
        """Cut the paragraph into lines at manual breaks and, after some text, at tabs."""
        row, tab, current, row_has_text = 1, 0, [], False
        for item in pieces + [BREAK]:
            if isinstance(item, Piece):
                current.append(item)
                row_has_text = row_has_text or bool(item.text.strip())
                continue
            if item == TABSTOP and TAB_AFTER_LABEL.match("".join(p.text for p in current).strip()):
                current.append(Piece(" ", {}))  # "Số:<tab>05/…" and "Kính gửi:<tab>…" are one line
                continue
            self.add_line(para, current, row, tab)
            current = []
            if item == BREAK:
                row, tab, row_has_text = row + 1, 0, False
            elif row_has_text:
                tab += 1  # a tab after text starts the next column; leading tabs only indent

    def add_line(self, para: Para, pieces: list[Piece], row: int, tab: int) -> None:
        text = " ".join(unicodedata.normalize("NFC", "".join(p.text for p in pieces)).split())
        if text:
            line = Line(text, [p for p in pieces if p.text.strip() and p.look], para, row, tab, len(self.lines))
            para.lines.append(line)
            self.lines.append(line)


def _control_name(sdt) -> str:
    pr = sdt.find(_w("sdtPr"))
    for tag in ("alias", "tag"):
        el = pr.find(_w(tag)) if pr is not None else None
        if el is not None and el.get(VAL):
            return el.get(VAL)
    return "unnamed"


def _children(el, tag: str):
    """Direct children named `tag`, looking through content-control and customXml wrappers."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in (SDT, SDT_CONTENT, CUSTOM_XML):
            yield from _children(child, tag)


def _branch(alternate):
    """The one branch of mc:AlternateContent to read: a Choice with text, else the Fallback."""
    choices = alternate.findall(CHOICE)
    for choice in choices:
        if next(choice.iter(T), None) is not None:
            return choice
    fallback = alternate.find(FALLBACK)
    return fallback if fallback is not None else (choices[0] if choices else None)


def _collect_text_boxes(el, boxes: list) -> None:
    if el.tag == TXBX_CONTENT:
        boxes.append(el)
        return
    if el.tag == ALTERNATE:
        branch = _branch(el)
        if branch is not None:
            _collect_text_boxes(branch, boxes)
        return
    for child in el:
        if isinstance(child.tag, str):
            _collect_text_boxes(child, boxes)


# --------------------------------------------------------------------------- the document


@dataclass
class PageHeader:
    section: int
    kind: str  # "header" / "footer"
    type: str  # "default" / "first" / "even"
    paras: list[Para]
    element: object


@dataclass
class Document:
    """What the checks look at: lines and paragraphs in order, sections, page headers, tables."""

    lines: list[Line]
    paras: list[Para]
    tables: list[TableInfo]
    sections: list  # python-docx Section objects
    title_page: list[bool]  # per section: a different first-page header (w:titlePg)
    headers: list[PageHeader]
    default_tab: int  # twips
    page_count: int | None  # as the producer wrote it in docProps/app.xml


def read_document(document) -> Document:
    part = document.part
    numbering = Numbering(_related_element(part, "numbering"))
    styles = Styles(_related_element(part, "styles"), numbering)
    walker = Walker(styles, numbering)
    walker.blocks(document.element.body, Scope(("body",), "body"))
    sect_prs = [s._sectPr for s in document.sections]
    headers = []
    for number, sect_pr in enumerate(sect_prs, 1):
        for kind in ("header", "footer"):
            for ref in sect_pr.findall(_w(f"{kind}Reference")):
                rid, ref_type = ref.get(f"{{{R_NS}}}id"), ref.get(_w("type"), "default")
                target = part.related_parts.get(rid) if rid else None
                if target is None:
                    continue
                label = f"page {kind} of section {number}" + ("" if ref_type == "default" else f" ({ref_type} page)")
                part_walker = Walker(styles, numbering)
                part_walker.blocks(target.element, Scope(("part", rid), "page header", label=label))
                headers.append(PageHeader(number, kind, ref_type, part_walker.paras, target.element))
    return Document(
        walker.lines, walker.paras, walker.tables, list(document.sections),
        [_is_on(s.find(_w("titlePg"))) for s in sect_prs], headers,
        _default_tab(part), _page_count(part),
    )


def _related_element(part, kind: str):
    """The root element of the part related to the document by a relationship of this kind
    (read without python-docx's accessors, which add a default part when one is missing)."""
    for rel in part.rels.values():
        if not rel.is_external and rel.reltype.endswith("/" + kind):
            target = rel.target_part
            return target.element if hasattr(target, "element") else etree.fromstring(target.blob)
    return None


def _default_tab(part) -> int:
    settings = _related_element(part, "settings")
    el = settings.find(_w("defaultTabStop")) if settings is not None else None
    return _int(el.get(VAL), 720) if el is not None else 720


def _page_count(part) -> int | None:
    for candidate in part.package.iter_parts():
        if str(candidate.partname) == "/docProps/app.xml":
            try:
                pages = etree.fromstring(candidate.blob).find(
                    "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}Pages")
            except etree.XMLSyntaxError:
                return None
            return _int(pages.text) if pages is not None else None
    return None


# ------------------------------------------------------------------------ recognising text

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
SLOGAN = re.compile(r"^độc\s+lập\s*[-–—]\s*tự\s+do\s*[-–—]\s*hạnh\s+phúc$", re.I)
NUMBER = re.compile(r"^số\s*[:.]?\s*\d|^số\s*:", re.I)
# A draft leaves day and month blank ("ngày    tháng    năm 2026") for the văn thư to fill in.
DATE_WORDS = re.compile(r"ngày[\s.…_]*(?:\d{1,2})?[\s.…_]*tháng[\s.…_]*(?:\d{1,2})?[\s.…_]*năm\s*\d{4}", re.I)
VV = re.compile(r"^(?:v/v|về\s+việc)\b", re.I)
KINH_GUI = re.compile(r"^kính\s+gửi\b", re.I)
NOI_NHAN = re.compile(r"^n[ơo]i\s+nh[ậa]n\b", re.I)
KINH_GUI_LABEL = re.compile(r"^kính\s+gửi\s*:?\s*", re.I)
NOI_NHAN_LABEL = re.compile(r"^n[ơo]i\s+nh[ậa]n\s*:?\s*", re.I)
URGENCY = re.compile(r"^(?:HỎA\s+TỐC|HOẢ\s+TỐC|THƯỢNG\s+KHẨN|KHẨN|MẬT|TỐI\s+MẬT|TUYỆT\s+MẬT)(?:\s+HẸN\s+GIỜ)?$")
APPENDIX = re.compile(r"^phụ\s+lục(?:\s+(?:[IVXLC]+|\d+|số\s*\d+))?\s*[:.]?$", re.I)
HEADING = re.compile(r"^(?:Phần|Chương|Mục|Tiểu\s+mục)\s+(?:[IVXLC]+|\d+)\b")
RULE_LINE = re.compile(r"^[-_–—=*.…·\s]{3,}$")
SIGN_MARK = re.compile(r"^[(\[]|^(?:đã\s+ký|chữ\s+ký|ký\s+bởi)\b", re.I)
DASHES = ("-", "–")
HEADER_SCAN_LIMIT = 40  # lines; a header longer than this is not a header
LONG_LINE = 150  # characters; longer lines are body text, never header components


def is_upper_line(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _norm_upper(text: str) -> str:
    return " ".join(text.split()).upper().replace("HOÀ", "HÒA")


@lru_cache(maxsize=1)
def _type_titles() -> frozenset[str]:
    return frozenset(t.upper() for t in vocab()["type_titles"])


def is_type_title(text: str) -> bool:
    return " ".join(text.split()) in _type_titles()


PLACE_THEN_DATE = re.compile(r"^[^\d,;:/]{2,60},?\s*ngày\b", re.I)
PLACE_THEN_DIGITS = re.compile(r"^[^\d,;:/]{2,60},\s*\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}$")


def _date_line(zone: list) -> "Line | None":
    """The place-and-date line: "<place>, ngày …" first, then a bare "ngày … tháng … năm …",
    then "<place>, 05/01/2026"; never the Số or V/v lines (a wrapped V/v may cite a date)."""
    lines = [ln for ln in zone if len(ln.text) < 100 and not NUMBER.match(ln.text) and not VV.match(ln.text)]
    tests = (lambda t: PLACE_THEN_DATE.match(t) and DATE_WORDS.search(t),
             lambda t: DATE_WORDS.match(t),
             lambda t: PLACE_THEN_DIGITS.match(t))
    for test in tests:
        found = _first(lines, lambda ln: test(ln.text))
        if found is not None:
            return found
    return None


def is_name_like(text: str) -> bool:
    """A person's name: a few capitalised words, no digits, no closing punctuation, not upper case."""
    words = text.split()
    return (1 <= len(words) <= 7 and len(text) <= 60 and not is_upper_line(text) and text[0].isupper()
            and not any(c.isdigit() for c in text) and ":" not in text and not text.endswith((".", ";", ",")))


def _after_label(text: str, label: re.Pattern) -> str:
    return label.sub("", text, count=1)


def is_decoration(line: Line) -> bool:
    return bool(RULE_LINE.match(line.text))


# ------------------------------------------------------------------------ finding components


@dataclass
class Layout:
    """The components found, each as the lines it occupies (empty when missing)."""

    quoc_hieu: list[Line] = field(default_factory=list)
    tieu_ngu: list[Line] = field(default_factory=list)
    parent: list[Line] = field(default_factory=list)
    issuer: list[Line] = field(default_factory=list)
    urgency: list[Line] = field(default_factory=list)
    number: list[Line] = field(default_factory=list)
    vv: list[Line] = field(default_factory=list)
    date: list[Line] = field(default_factory=list)
    type_name: list[Line] = field(default_factory=list)
    subject: list[Line] = field(default_factory=list)
    kinh_gui: list[Line] = field(default_factory=list)  # the "Kính gửi" line, then the entries
    body: list[Para] = field(default_factory=list)
    authority: list[Line] = field(default_factory=list)
    signer: list[Line] = field(default_factory=list)
    noi_nhan: list[Line] = field(default_factory=list)
    noi_nhan_entries: list[list[Line]] = field(default_factory=list)

    def styled_components(self):
        """(LOOKS key, lines) for every component whose look Appendix I fixes."""
        yield from (("quoc-hieu", self.quoc_hieu), ("tieu-ngu", self.tieu_ngu), ("parent", self.parent),
                    ("issuer", self.issuer), ("urgency", self.urgency), ("number", self.number),
                    ("date", self.date), ("vv", self.vv), ("type-name", self.type_name),
                    ("subject", self.subject), ("kinh-gui", self.kinh_gui), ("authority", self.authority),
                    ("signer", self.signer), ("noi-nhan", self.noi_nhan),
                    ("noi-nhan-list", [ln for entry in self.noi_nhan_entries for ln in entry]))


def find_layout(doc: Document) -> Layout:
    lay = Layout()
    lines = doc.lines
    header_end = find_header(lay, lines)
    start = find_title(lay, lines, header_end + 1)
    stop = _appendix_start(lines, start)
    find_noi_nhan(lay, lines, start, stop)
    excluded = {id(ln) for ln in lay.noi_nhan} | {id(ln) for e in lay.noi_nhan_entries for ln in e}
    find_signer(lay, [ln for ln in lines[start:stop] if id(ln) not in excluded])
    body_end = _footer_start(lay, lines, stop)
    find_kinh_gui(lay, lines[start:body_end])
    taken = {id(ln) for ln in lay.kinh_gui + lay.urgency}
    seen = set()
    for line in lines[start:body_end]:
        if id(line) in taken or is_decoration(line) or id(line.para) in seen:
            continue
        seen.add(id(line.para))
        lay.body.append(line.para)
    _name_tables(lay)
    return lay


def _first(lines: list[Line], test) -> Line | None:
    return next((ln for ln in lines if test(ln)), None)


def find_header(lay: Layout, lines: list[Line]) -> int:
    """Fill the header components; the index of the header's last line (-1 when there is none)."""
    zone = []
    for line in lines[:HEADER_SCAN_LIMIT]:
        text = line.text
        title_outside = is_type_title(text) and not line.para.in_table
        if KINH_GUI.match(text) or NOI_NHAN.match(text) or title_outside or len(text) > LONG_LINE:
            break
        zone.append(line)
    lay.quoc_hieu = _quoc_hieu_lines(zone)
    lay.tieu_ngu = [ln for ln in [_first(zone, lambda ln: SLOGAN.match(ln.text))] if ln]
    number = _first(zone, lambda ln: NUMBER.match(ln.text))
    lay.number = [number] if number else []
    found_date = _date_line(zone)
    lay.date = [found_date] if found_date else []
    lay.urgency = [ln for ln in zone if URGENCY.match(ln.text)]
    vv = _first(zone, lambda ln: VV.match(ln.text))
    title = _first(zone, lambda ln: is_type_title(ln.text))  # some put GIẤY MỜI in the header cell
    taken = {id(ln) for ln in lay.quoc_hieu + lay.tieu_ngu + lay.number + lay.date + lay.urgency}
    if title is not None:
        lay.type_name = [title]
        block = _subject_block(title, zone, taken | {id(vv)})
        lay.subject = block[1:]
        taken |= {id(ln) for ln in block}
    lay.vv = _subject_block(vv, zone, taken) if vv and not lay.type_name else []
    taken |= {id(ln) for ln in lay.vv}
    _parent_and_issuer(lay, zone, taken)
    found = (lay.quoc_hieu + lay.tieu_ngu + lay.number + lay.date + lay.urgency + lay.vv + lay.parent + lay.issuer
             + lay.type_name + lay.subject)
    if not found:
        return -1
    end = max(ln.index for ln in found)
    for line in found:  # a header table is the header to its last line
        table = line.para.scope.root_table()
        if table is not None:
            end = max(end, table.last_line)
    return end


def _quoc_hieu_lines(zone: list[Line]) -> list[Line]:
    for i, line in enumerate(zone):
        text = _norm_upper(line.text)
        if text == QUOC_HIEU:
            return [line]
        following = [ln for ln in zone[i + 1:] if ln.key == line.key][:1]
        if text == "CỘNG HÒA XÃ HỘI" and following and _norm_upper(following[0].text) == "CHỦ NGHĨA VIỆT NAM":
            return [line, following[0]]  # a narrow cell wraps the motto onto two lines
    return []


def _subject_block(first: Line, zone: list[Line], taken: set) -> list[Line]:
    """The V/v line and its continuation: the rest of its paragraph, then (in a table cell or a
    centred paragraph run) the following lines of its column until another component."""
    block = [first]
    for line in zone[zone.index(first) + 1:]:
        if id(line) in taken or line.key != first.key or is_decoration(line):
            break
        same_para = line.para is first.para
        centred_run = line.para.props.get("align") == "center" and len(line.text) < 80
        if same_para or first.para.in_table or centred_run:
            block.append(line)
        else:
            break
    return block


def _parent_and_issuer(lay: Layout, zone: list[Line], taken: set) -> None:
    """The lines above "Số:" in its column: the issuing body, and above it the parent body.

    Where bold sets them apart (parent plain, issuer bold) that is the split; otherwise the
    last paragraph is the issuer. A lone paragraph is the issuer."""
    number = lay.number[0] if lay.number else None
    motto_keys = {ln.key for ln in lay.quoc_hieu + lay.tieu_ngu + lay.date}
    if number is not None:
        column = [ln for ln in zone if ln.index < number.index and ln.key == number.key]
    elif motto_keys:  # without "Số:", only a motto says this is a header at all
        column = [ln for ln in zone if ln.key not in motto_keys or len(motto_keys) == 1]
    else:
        return
    names = [ln for ln in column if id(ln) not in taken and not is_decoration(ln)
             and (number is not None or is_upper_line(ln.text))]
    if not names:
        return
    bold = [all(p.look.get("bold") for p in ln.pieces) for ln in names]
    if any(bold) and not all(bold):
        split = max(i for i, b in enumerate(bold) if not b) + 1
        if split == len(names):  # the bold lines come first: no clean split, use paragraphs
            split = _last_paragraph_start(names)
    else:
        split = _last_paragraph_start(names)
    lay.parent, lay.issuer = names[:split], names[split:]


def _last_paragraph_start(lines: list[Line]) -> int:
    last = lines[-1].para
    return next(i for i, ln in enumerate(lines) if ln.para is last)


def find_title(lay: Layout, lines: list[Line], start: int) -> int:
    """Type name (KẾ HOẠCH, GIẤY MỜI …) and its trích yếu right after the header; the next index."""
    i = start
    if lay.type_name:
        return i
    while i < len(lines) and (is_decoration(lines[i]) or URGENCY.match(lines[i].text)):
        if URGENCY.match(lines[i].text):
            lay.urgency.append(lines[i])
        i += 1
    if i >= len(lines):
        return i
    line = lines[i]
    centred = line.para.props.get("align") == "center"
    named = is_type_title(line.text) or (centred and is_upper_line(line.text) and len(line.text.split()) <= 6
                                         and not line.text.endswith(":") and not any(c.isdigit() for c in line.text))
    if not named or KINH_GUI.match(line.text):
        return i
    lay.type_name = [line]
    i += 1
    paras_taken = 0
    while i < len(lines) and paras_taken <= 3:
        nxt = lines[i]
        if nxt.para is line.para:
            lay.subject.append(nxt)
        elif is_decoration(nxt):
            pass
        elif (nxt.para.props.get("align") == "center" and not is_upper_line(nxt.text)
              and not KINH_GUI.match(nxt.text) and not NOI_NHAN.match(nxt.text) and len(nxt.para.text) < 300):
            if not lay.subject or nxt.para is not lay.subject[-1].para:
                paras_taken += 1
            lay.subject.append(nxt)
        else:
            break
        i += 1
    return i


def _appendix_start(lines: list[Line], start: int) -> int:
    return next((ln.index for ln in lines[start:] if APPENDIX.match(ln.text)), len(lines))


def find_noi_nhan(lay: Layout, lines: list[Line], start: int, stop: int) -> None:
    head = _first(lines[start:stop], lambda ln: NOI_NHAN.match(ln.text))
    if head is None:
        return
    lay.noi_nhan = [head]
    entries: list[list[Line]] = []
    in_cell = head.para.in_table
    if _after_label(head.text, NOI_NHAN_LABEL):
        entries.append([head])  # "Nơi nhận: - Như trên;" on one line
    for line in lines[head.index + 1:stop]:
        if line.key != head.key or is_decoration(line):
            continue
        if line.text.startswith(DASHES):
            entries.append([line])
        elif entries and not entries[-1][-1].text.endswith((";", ".")):
            entries[-1].append(line)  # an entry wrapped onto the next line
        elif in_cell or not entries:
            entries.append([line])
        else:
            break
    lay.noi_nhan_entries = entries


def find_signer(lay: Layout, candidates: list[Line]) -> None:
    """Name: the last short non-upper line (marks like "(Đã ký)" skipped); above it, authority
    and title: its cell's other lines, or in plain paragraphs the upper-case lines."""
    i = len(candidates) - 1
    while i >= 0 and (SIGN_MARK.match(candidates[i].text) or is_decoration(candidates[i])):
        i -= 1
    if i < 0 or not is_name_like(candidates[i].text):
        return
    name = candidates[i]
    table = name.para.scope.root_table()
    titles = []
    for line in reversed(candidates[:i]):
        if table is not None:
            if line.para.scope.root_table() is not table:
                break
            if line.key == name.key and not SIGN_MARK.match(line.text) and not is_decoration(line):
                titles.append(line)
        elif SIGN_MARK.match(line.text) or is_decoration(line):
            continue
        elif is_upper_line(line.text) and len(line.text) <= 80:  # any column: tabs may set the title apart
            titles.append(line)
        else:
            break
    lay.signer = [name]
    lay.authority = list(reversed(titles))


def _footer_start(lay: Layout, lines: list[Line], stop: int) -> int:
    """Where the body ends: the first of "Nơi nhận", the signer block, the table holding either."""
    starts = [stop]
    for line in lay.noi_nhan + lay.authority[:1] + lay.signer:
        starts.append(line.index)
        table = line.para.scope.root_table()
        if table is not None:
            starts.append(table.first_line)
    return min(starts)


def find_kinh_gui(lay: Layout, zone: list[Line]) -> None:
    """The "Kính gửi" line, then its recipients: lines starting "-" (or, right after a bare
    "Kính gửi:", one line without a dash), up to the one ending "."."""
    head = _first(zone, lambda ln: KINH_GUI.match(ln.text))
    if head is None:
        return
    lay.kinh_gui = [head]
    same_line = _after_label(head.text, KINH_GUI_LABEL)
    if same_line and not same_line.startswith(DASHES):
        return  # one recipient on the line itself
    previous = head
    for line in zone[zone.index(head) + 1:]:
        if not line.text.startswith(DASHES) and not (previous is head and len(line.text) < 200):
            break
        lay.kinh_gui.append(line)
        previous = line
        if line.text.endswith("."):
            break


def _name_tables(lay: Layout) -> None:
    for lines, role in ((lay.quoc_hieu + lay.number + lay.date, "header table"),
                        (lay.noi_nhan + lay.signer, "signature table")):
        for line in lines:
            table = line.para.scope.root_table()
            if table is not None and not table.role:
                table.role = role


# ------------------------------------------------------------------------------- checking


def check_document(doc: Document) -> list[Violation]:
    lay = find_layout(doc)
    checks = (check_paper, check_margins, check_fonts, check_colour, check_page_numbers)
    found = [v for check in checks for v in check(doc)]
    found += check_presence(lay) + check_order(lay)
    for key, lines in lay.styled_components():
        found += check_look(key, lines)
    found += check_body(lay, doc)
    found += check_tieu_ngu(lay) + check_number(lay) + check_date(lay) + check_vv(lay)
    found += check_authority(lay) + check_kinh_gui(lay) + check_noi_nhan(lay)
    return found


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
        if section.page_width and section.page_height and section.page_width > section.page_height:
            continue  # a landscape table page turns the margins; the decree fixes them for portrait
        bad = []
        for side, (lo, hi) in MARGIN_LIMITS.items():
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
        more = f" (and {count - 1} more paragraph{'s' if count > 2 else ''})" if count > 1 else ""
        out.append(Violation(rule, first.where() + more, describe(value)))
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


# -- presence and order

REQUIRED = (("quoc_hieu", "Quốc hiệu (CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM)"),
            ("tieu_ngu", "Tiêu ngữ (Độc lập - Tự do - Hạnh phúc)"),
            ("issuer", "tên cơ quan ban hành (the issuing body, above \"Số:\")"),
            ("number", "số, ký hiệu (\"Số: …/…\")"),
            ("date", "địa danh và thời gian (\"…, ngày … tháng … năm …\")"),
            ("title", "tên loại or trích yếu (a type name such as KẾ HOẠCH, or \"V/v …\" for a công văn)"),
            ("body", "nội dung (the body)"),
            ("authority", "quyền hạn, chức vụ người ký (the signer's title)"),
            ("signer", "họ tên người ký (the signer's name)"),
            ("noi_nhan", "Nơi nhận"))


def check_presence(lay: Layout) -> list[Violation]:
    def found(attr: str) -> bool:
        return bool(lay.type_name or lay.vv) if attr == "title" else bool(getattr(lay, attr))

    missing = [label for attr, label in REQUIRED if not found(attr)]
    return [Violation("presence", "document", f"no {label} found; it is a main component of every "
                      "administrative document (Art. 8.2)") for label in missing]


def check_order(lay: Layout) -> list[Violation]:
    out = []
    columns = ((("parent", lay.parent), ("issuer", lay.issuer), ("Số", lay.number), ("V/v", lay.vv)),
               (("Quốc hiệu", lay.quoc_hieu), ("Tiêu ngữ", lay.tieu_ngu), ("place and date", lay.date)))
    for column in columns:
        present = [(name, lines[0]) for name, lines in column if lines]
        for (above, a), (below, b) in zip(present, present[1:]):
            if b.index < a.index:
                out.append(Violation("order", b.where(), f"{below} comes before {above}; it goes below it "
                                     "(App. I §IV)"))
    if lay.kinh_gui and lay.body:
        first_body = lay.body[0].lines[0]
        if lay.kinh_gui[0].index > first_body.index:
            out.append(Violation("order", lay.kinh_gui[0].where(), "Kính gửi comes after the body has begun; "
                                 "it goes between the trích yếu and the body (App. I §II.9, Mẫu 1.5)"))
    return out


# -- how each component looks


def check_look(key: str, lines: list[Line]) -> list[Violation]:
    look = LOOKS[key]
    out = []
    size_line = _first(lines, lambda ln: any(not look.sizes[0] <= _size(p) <= look.sizes[1] for p in ln.pieces))
    if size_line is not None:
        sizes = ", ".join(f"{s:g}" for s in sorted({_size(p) for p in size_line.pieces}))
        out.append(Violation(f"size.{key}", size_line.where(), f"{look.label} is {sizes} pt; it is "
                             f"{_pt_range(*look.sizes)} ({look.cite})"))
    for attr, word in (("bold", "bold"), ("italic", "italic")):
        wanted = getattr(look, attr)
        if wanted is None:
            continue
        line = _first(lines, lambda ln: any(bool(p.look.get(attr)) != wanted for p in ln.pieces))
        if line is not None:
            is_now = "is not" if wanted else "is"
            should = word if wanted else ("upright, not italic" if attr == "italic" else "not bold")
            out.append(Violation(f"{attr}.{key}", line.where(), f"{look.label} {is_now} {word}; it is {should} "
                                 f"({look.cite})"))
    if look.upper:
        line = _first(lines, lambda ln: not is_upper_line(ln.text) and any(c.isalpha() for c in ln.text))
        if line is not None:
            out.append(Violation(f"case.{key}", line.where(), f"{look.label} is not in upper case; it is written "
                                 f"in capitals, chữ in hoa ({look.cite})"))
    return out


def _size(piece: Piece) -> float:
    return piece.look.get("size") or 10.0  # Word's size when nothing sets one


# -- body paragraphs

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
    more = f" (and {len(found) - 1} more paragraph{'s' if len(found) > 2 else ''})" if len(found) > 1 else ""
    return Violation(rule, para.where() + more, BODY_MESSAGES[rule].format(detail))


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


# -- the text of each component


def check_tieu_ngu(lay: Layout) -> list[Violation]:
    if not lay.tieu_ngu:
        return []
    line = lay.tieu_ngu[0]
    # Word's AutoCorrect turns " - " into " – "; the en dash reads the same, so both pass.
    if re.fullmatch(r"Độc lập [-–] Tự do [-–] Hạnh phúc", line.text):
        return []
    return [Violation("tieu-ngu", line.where(), f'Tiêu ngữ reads "{line.text}"; it is "{TIEU_NGU}": each phrase '
                      "capitalised, a hyphen with a space each side (App. I §II.1)")]


def _abbreviations_for(title: str) -> set[str]:
    wanted = title.strip().lower()
    return {abbr for abbr, name in vocab()["doc_types"].items() if name.lower() == wanted}


# Legal-normative series (Decree 34/2016, not Appendix III) and the pseudo-abbreviation "CV"
# a công văn must not carry either.
NORMATIVE_ABBREVIATIONS = {"NĐ", "TT", "TTLT", "L", "PL", "QH", "UBTVQH"}


@lru_cache(maxsize=1)
def _type_abbreviations() -> frozenset[str]:
    return frozenset((set(vocab()["doc_types"]) - NORMATIVE_ABBREVIATIONS) | {"CV"})


def _initials(lines: list[Line]) -> str:
    return "".join(word[0] for ln in lines for word in ln.text.split() if word[0].isalpha()).upper()


def _upper_symbol_group(group: str, known: set[str]) -> bool:
    """Upper case as symbols are written: "SYT", "TTg", "GDTrH" pass (the decree's own
    abbreviations mix in a lower-case letter), "syt" and "Syt" do not."""
    letters = [c for c in group if c.isalpha()]
    if group in known or not letters:
        return True
    upper = sum(c.isupper() for c in letters)
    return letters[0].isupper() and upper > len(letters) - upper


def number_problems(text: str, lay: Layout) -> list[str]:
    problems = []
    if not text.startswith("Số"):
        problems.append('"Số" is written with a capital S and the rest in lower case')
    rest = re.sub(r"^số", "", text, flags=re.I)
    if not rest.lstrip().startswith(":"):
        problems.append('a colon follows "Số" ("Số: 05/…")')
    rest = rest.lstrip().lstrip(":.").strip()
    if re.search(r"\d\s+/|/\s", rest):
        problems.append('"/" between the number and the symbol takes no spaces')
    form = re.fullmatch(r"(\d*)[.…_]*\s*/\s*(?:(\d{4})\s*/\s*)?(.+)", rest)
    if form is None:
        return problems + ['the form is "Số: 05/SYT-VP", a number, "/", the symbol']
    number, year, symbol = form.groups()  # a draft leaves the number blank until it is registered
    if number and int(number) < 10 and not number.startswith("0"):
        problems.append(f"numbers below 10 take a leading 0 ({int(number):02d}, not {number})")
    if re.search(r"\s", symbol):
        problems.append("the symbol has no spaces")
    groups = re.split(r"\s*-\s*", symbol.strip())
    known = set(vocab()["doc_types"])
    if any(not g for g in groups):
        problems.append('"-" joins the groups of the symbol, with no empty group')
    if not all(_upper_symbol_group(g, known) for g in groups if g):
        problems.append("the symbol is written in upper case")
    problems += _type_abbreviation_problems(groups[0], year, lay)
    return problems


def _type_abbreviation_problems(first: str, year: str | None, lay: Layout) -> list[str]:
    if lay.type_name:
        title = lay.type_name[0].text
        expected = _abbreviations_for(title)
        if expected and first not in expected:
            shown = " or ".join(sorted(expected))
            return [f'a {title.capitalize()} starts its symbol with the type abbreviation {shown} '
                    f'(App. III), not "{first}"']
        return []
    problems = []
    issuer_initials = _initials(lay.parent + lay.issuer)
    if first in _type_abbreviations() and first.upper() not in issuer_initials:
        problems.append(f'a công văn has no type abbreviation, and "{first}" is one (App. III)')
    if year:
        problems.append("a công văn carries no year in its number (only legal-normative documents do)")
    return problems


def check_number(lay: Layout) -> list[Violation]:
    if not lay.number:
        return []
    line = lay.number[0]
    problems = number_problems(line.text, lay)
    if not problems:
        return []
    return [Violation("number", line.where(), f'"{line.text}": ' + "; ".join(problems) + " (App. I §II.3)")]


DATE_FORM = re.compile(r"^(?P<place>.*?)\s*(?P<comma>,?)\s*ngày[\s.…_]*(?P<d>\d*)[\s.…_]*tháng[\s.…_]*(?P<m>\d*)"
                       r"[\s.…_]*năm\s+(?P<y>\d+)$", re.I)


def date_problems(text: str) -> list[str]:
    form = DATE_FORM.match(text)
    if form is None:
        return ['the date is written in full, "Hà Nội, ngày 05 tháng 01 năm 2026"']
    place, comma, day, month, year = form.group("place", "comma", "d", "m", "y")
    problems = []
    if not place:
        problems.append("the place (địa danh) comes first")
    elif not comma:
        problems.append("a comma follows the place")
    if day and int(day) < 10 and len(day) < 2:
        problems.append(f"days below 10 take a leading zero (ngày 0{int(day)})")
    if month and int(month) in (1, 2) and len(month) < 2:
        problems.append(f"months 1 and 2 take a leading zero (tháng 0{int(month)})")
    try:
        if day and month:  # a draft's blank day and month are filled in when it is issued
            date(int(year), int(month), int(day))
    except ValueError:
        problems.append(f"{int(day)}/{int(month)}/{year} is not a calendar date")
    if len(year) != 4:
        problems.append("the year is written with four digits")
    return problems


def check_date(lay: Layout) -> list[Violation]:
    if not lay.date:
        return []
    line = lay.date[0]
    text = line.text.rstrip(".")
    problems = date_problems(text)
    if not problems:
        return []
    return [Violation("date", line.where(), f'"{line.text}": ' + "; ".join(problems) + " (App. I §II.4)")]


def check_vv(lay: Layout) -> list[Violation]:
    if not lay.vv or lay.vv[0].text.startswith("V/v "):
        return []
    line = lay.vv[0]
    return [Violation("vv", line.where(), f'the trích yếu begins "{line.text.split()[0]}"; a công văn\'s trích '
                      'yếu begins "V/v" (App. I §II.5)')]


AUTHORITY_PREFIXES = ("TM.", "Q.", "KT.", "TL.", "TUQ.")
PREFIX_LIKE = re.compile(r"^(TUQ|TM|KT|TL|Q|T/M|K/T|T/L|T\.M|K\.T|T\.L)(?=[\s.:,]|$)[.:,]?", re.I)


def check_authority(lay: Layout) -> list[Violation]:
    out, prefixes = [], []
    for line in lay.authority:
        found = PREFIX_LIKE.match(line.text)
        if found is None:
            continue
        prefixes.append(found.group(1).upper().replace("/", "").replace(".", ""))
        written = found.group(0)
        proper = next((p for p in AUTHORITY_PREFIXES if p.rstrip(".") == prefixes[-1]), None)
        if written != proper:
            out.append(Violation("authority", line.where(), f'"{written}" is written "{proper}" (upper case, '
                                 "with the dot) (Art. 13; App. I §II.7)"))
    deputy = _first(lay.authority, lambda ln: re.sub(PREFIX_LIKE, "", ln.text).strip().startswith("PHÓ "))
    if deputy is not None and not {"KT", "Q", "TUQ"} & set(prefixes):
        out.append(Violation("authority", deputy.where(), f'a deputy ("{deputy.text}") signing for the head '
                             'writes "KT." and the head\'s title above, e.g. "KT. GIÁM ĐỐC" (Art. 13; App. I §II.7)'))
    return out


def check_kinh_gui(lay: Layout) -> list[Violation]:
    if not lay.kinh_gui:
        return []
    head, entries = lay.kinh_gui[0], lay.kinh_gui[1:]
    out = []
    if not head.text.startswith("Kính gửi:"):
        out.append(Violation("kinh-gui", head.where(), f'"{_snippet(head.text, 30)}" is written "Kính gửi:" '
                             "(lower case, a colon) (App. I §II.9)"))
    if _after_label(head.text, KINH_GUI_LABEL).startswith(DASHES):
        entries = [head] + entries  # "Kính gửi: - Sở A;" then "- Sở B."
    if not entries:  # one recipient on the line itself
        return out
    if len(entries) == 1:
        return out + [Violation("kinh-gui", entries[0].where(), 'one recipient goes on the same line as "Kính '
                                'gửi:" (App. I §II.9)')]
    for i, line in enumerate(entries):
        text = _after_label(line.text, KINH_GUI_LABEL) if line is head else line.text
        end = "." if i == len(entries) - 1 else ";"
        if not text.startswith(DASHES) or not text.endswith(end):
            out.append(Violation("kinh-gui", line.where(), f'each recipient starts "-" and ends "{end}" '
                                 f'({"the last" if end == "." else "all but the last"}) (App. I §II.9)'))
    return out


def check_noi_nhan(lay: Layout) -> list[Violation]:
    if not lay.noi_nhan:
        return []
    head, entries = lay.noi_nhan[0], lay.noi_nhan_entries
    out = []
    if not re.match(r"^Nơi nhận:", head.text):
        out.append(Violation("noi-nhan", head.where(), f'"{_snippet(head.text, 30)}" is written "Nơi nhận:" '
                             "(lower case, a colon) (App. I §II.9)"))
    if not entries:
        return out + [Violation("noi-nhan", head.where(), "the Nơi nhận list is empty; it ends with "
                                '"- Lưu: VT, …." (App. I §II.9)')]
    texts = [" ".join(ln.text for ln in entry) for entry in entries]
    if entries[0][0] is head:
        texts[0] = _after_label(texts[0], NOI_NHAN_LABEL)
    if lay.kinh_gui and not texts[0].startswith("- Như trên"):
        out.append(Violation("noi-nhan", entries[0][0].where(), 'with a Kính gửi, the list starts "- Như trên;" '
                             "(App. I §II.9)"))
    for entry, text in zip(entries[:-1], texts[:-1]):
        if not text.startswith(DASHES) or not text.endswith(";"):
            out.append(Violation("noi-nhan", entry[0].where(), 'each entry starts "-" and ends ";" '
                                 "(App. I §II.9)"))
    last = texts[-1]
    if not re.match(r"^[-–]\s*Lưu\s*:\s*VT\b", last):
        out.append(Violation("noi-nhan", entries[-1][0].where(), f'the last entry is "{_snippet(last, 30)}"; '
                             'it is "- Lưu: VT, <drafting unit>." (App. I §II.9)'))
    elif not last.endswith("."):
        out.append(Violation("noi-nhan", entries[-1][0].where(), 'the last entry "- Lưu: VT, …" ends with "." '
                             "(App. I §II.9)"))
    return out
