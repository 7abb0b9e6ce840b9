"""HTML reader: documents saved from legal portals (vbpl.vn and the like).

A portal page holds the document's HTML body: the header and the signature block as two-cell
tables, paragraphs in <p>/<div>, lines broken by <br>. Each block element and each <br> ends
a line; whitespace inside a line is collapsed. Tables go through the same layout rules as DOCX
tables (``arrange_table``): the header and signature tables give LEFT/RIGHT lines tagged
HEADER/FOOTER, other tables read cell by cell. Scripts, styles, navigation and hidden elements
are dropped; when the page marks its document root (vbpl's ``data-vbpl-content-root``) only
that is read.

The bytes are decoded by BOM, then the declared meta charset, then UTF-8, then Windows-1258.
Old pages typed in legacy fonts (``<font face=".VnTime">``, ``font-family: VNI-Times``) are
converted to Unicode element by element, like DOCX runs.

The page is parsed by lxml's HTML parser (libxml2, recovering: the parser BeautifulSoup's "lxml"
builder drives) and its element tree walked directly: the tree bs4 would build from the same
parse, read the same way (text inside <rt>/<rp> is not the page's, what follows a closed </html>
is a second html element), at a fifth of the cost of building bs4's objects for every element
and string.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from ..legacy import convert_legacy, detect_legacy, legacy_font_encoding, repair_legacy
from ..records import FOOTER, RIGHT, Line, ReadError, SourceText
from ..decree30 import AUTHORITY
from .docx import APPENDIX, Cell, TableState, arrange_table

JUNK_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg",
             "button", "select", "template", "head", "title", "meta", "link", "input", "textarea", "object",
             "embed", "canvas"]
BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4",
    "h5", "h6", "blockquote", "pre", "tr", "td", "th", "tbody", "thead", "tfoot", "caption", "center", "hr",
    "address", "figure", "figcaption", "body", "html",
}
CONTENT_ROOT = "data-vbpl-content-root"
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
FONT_FAMILY = re.compile(r"font-family\s*:\s*([^;]+)", re.I)
TEXT_ALIGN = re.compile(r"text-align\s*:\s*(\w+)", re.I)
HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def read_html(path: Path) -> SourceText:
    """Read a saved portal page into NFC lines, with header/footer table columns."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReadError(str(path), "not-found") from None
    except OSError as exc:
        raise ReadError(str(path), "cannot-open", exc.strerror or str(exc)) from None
    text, encoding = decode_html(data)
    try:
        walker = HtmlWalker()
        lines = walker.read(text)
    except Exception as exc:  # lxml on a pathological page
        raise ReadError(str(path), "html-unreadable",
                        str(exc).splitlines()[0][:100] if str(exc) else type(exc).__name__) from None
    notes = [f"converted from {name.upper()}" for name in sorted(walker.converted)]
    legacy = sorted(walker.converted)
    full = "\n".join(line.text for line in lines)
    if detect_legacy(full):  # legacy bytes with no legacy font named on the page
        repaired, found = repair_legacy(full)
        lines = [Line(new, line.column, line.block, line.page) for line, new in zip(lines, repaired.split("\n"))]
        notes.append(f"converted from {found.upper()} (text without a legacy font name)")
        legacy.append(found)
    if legacy:
        encoding = "+".join([encoding] + sorted(set(legacy)))
    return SourceText(str(path), "html", lines, encoding=encoding, notes=notes)


def decode_html(data: bytes) -> tuple[str, str]:
    """(text, encoding): BOM, else the meta charset, else UTF-8, else Windows-1258."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    declared = META_CHARSET.search(data[:4096])
    candidates = [declared.group(1).decode("ascii").lower()] if declared else []
    for name in candidates + ["utf-8"]:
        try:
            return data.decode(_codec_name(name)), _codec_name(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1258", errors="replace"), "cp1258"


def _codec_name(name: str) -> str:
    """Python's canonical codec name ("windows-1258" → "cp1258"); unknown names raise LookupError."""
    return codecs.lookup(name).name


etree = None  # lxml.etree, imported on the first page read (start-up stays short)


def _load_lxml() -> None:
    global etree
    if etree is None:
        from lxml import etree


JUNK = frozenset(JUNK_TAGS)
# Text inside these is not the page's text (bs4 keeps it apart as ruby/script/style strings).
RUBY = frozenset(("rt", "rp"))


def parse(text: str):
    """The page's root element, parsed as BeautifulSoup's "lxml" builder parses it (libxml2's HTML
    parser, recovering, fed the whole text at once), or None for a page with no element."""
    _load_lxml()
    if text[:1] == "\ufeff":
        text = text[1:]
    parser = etree.HTMLParser(recover=True, huge_tree=True)
    parser.feed(text)
    return parser.close()


def dropped(node) -> bool:
    """A script, style, navigation… element (JUNK_TAGS) or a hidden one (a display:none or
    visibility:hidden style, a `hidden` attribute): left out with everything inside it (not the
    text after it)."""
    if node.tag in JUNK or node.get("hidden") is not None:
        return True
    style = node.get("style")
    return style_info(style)[0] if style else False


NO_STYLE = (False, None, None)
_STYLES: dict[str, tuple[bool, str | None, str | None]] = {}
_FAMILIES: dict[str, tuple[str, bool] | None] = {}


def style_info(style: str) -> tuple[bool, str | None, str | None]:
    """(hidden, font-family, text-align) of a style attribute, each as written; worked out once per
    distinct style (a portal page repeats a few hundred styles over thousands of elements)."""
    info = _STYLES.get(style)
    if info is None:
        if len(_STYLES) > 20_000:
            _STYLES.clear()
        family, align = FONT_FAMILY.search(style), TEXT_ALIGN.search(style)
        info = _STYLES[style] = (HIDDEN.search(style) is not None, family.group(1) if family else None,
                                 align.group(1) if align else None)
    return info


def family_font(family: str) -> tuple[str, bool] | None:
    """The legacy font (encoding, all_caps) a face= or font-family names (its first font), or None."""
    try:
        return _FAMILIES[family]
    except KeyError:
        if len(_FAMILIES) > 20_000:
            _FAMILIES.clear()
        first = family.split(",")[0].strip().strip("'\"")
        font = _FAMILIES[family] = legacy_font_encoding(first)
        return font


def start_node(tops: list):
    """Where reading starts: the first element left (not dropped nor inside a dropped one) that
    marks the document root (CONTENT_ROOT), else the first `body` left, else None (the whole page)."""
    body = None
    stack = tops[::-1]
    while stack:
        node = stack.pop()
        if type(node.tag) is not str or dropped(node):
            continue
        if CONTENT_ROOT in node.attrib:
            return node
        if body is None and node.tag == "body":
            body = node
        stack.extend(reversed(node))
    return body


class HtmlWalker:
    """Turns a parsed page into Lines; counts elements converted from legacy fonts."""

    def __init__(self):
        self.converted: set[str] = set()
        self.state = TableState()
        self.top: LineBuffer | None = None

    def read(self, text: str) -> list[Line]:
        top = parse(text)
        self.top = LineBuffer()
        if top is not None:
            # What follows a closed </html> is a second html element beside the first (as bs4 has it).
            tops = [*reversed(list(top.itersiblings(preceding=True))), top, *top.itersiblings()]
            root = start_node(tops)
            if root is None:  # no body: the whole page
                for node in tops:
                    self._node(node, self.top, None, True)
            else:  # (a root inside ruby annotation holds none of the page's text)
                keep = root.tag not in RUBY and not any(up.tag in RUBY for up in root.iterancestors())
                self._walk(root, self.top, None, keep)
        self.top.end_line()
        if not self.state.footer_seen:
            mark_right_aligned_signature(self.top)
        return self.top.lines

    def _walk(self, node, out: "LineBuffer", font, keep: bool) -> None:
        """The element's content: its text, then each child and the text after it."""
        text = node.text
        if text is not None and keep:
            out.add(self._decode(text, font))
        for child in node:
            self._node(child, out, font, keep)
            tail = child.tail
            if tail is not None and keep:
                out.add(self._decode(tail, font))

    def _node(self, child, out: "LineBuffer", font, keep: bool) -> None:
        """One element (its text after it is the caller's); comments and the like hold no text."""
        name = child.tag
        if type(name) is not str or name in JUNK:
            return
        get = child.get
        style = get("style")  # hidden?, its font and alignment: one look at the style
        hidden, style_family, style_align = style_info(style) if style else NO_STYLE
        if hidden or get("hidden") is not None:
            return
        family = get("face") or style_family
        child_font = family_font(family) if family else font
        if name == "br":
            out.end_line()
        elif name == "table":
            out.extend(self._table(child, child_font, keep))
        elif name in BLOCK_TAGS:
            out.end_line()
            outer_align = out.align
            value = style_align or get("align")
            out.align = (value.strip().lower() if value else None) or outer_align
            self._walk(child, out, child_font, keep)
            out.end_line()
            out.align = outer_align
        else:
            self._walk(child, out, child_font, keep and name not in RUBY)

    def _decode(self, text: str, font) -> str:
        if font is None or not text.strip():
            return text
        encoding, all_caps = font
        self.converted.add(encoding)
        text = convert_legacy(text, encoding)
        return text.upper() if all_caps else text

    def _table(self, table, font, keep: bool) -> list[Line]:
        rows: list[list[Cell]] = []
        occupied: set[tuple[int, int]] = set()  # grid slots taken by rowspans from above
        for r, tr in enumerate(table_rows(table)):
            col, row = 0, []
            for td in child_tags(tr, ("td", "th")):
                while (r, col) in occupied:
                    col += 1
                span, down = _span(td.get("colspan")), _span(td.get("rowspan"))
                occupied.update((r + dr, col + dc) for dr in range(1, down) for dc in range(span))
                cell = LineBuffer()
                self._walk(td, cell, element_font(td, font), keep)
                cell.end_line()
                row.append(Cell(col, cell.lines))
                col += span
            rows.append(row)
        return arrange_table(rows, self.state, before=self.top.lines) + self._strays(table, font, keep)

    def _strays(self, table, font, keep: bool) -> list[Line]:
        """What a broken page put inside a table but outside its cells (a missing "</table>" swallows
        the rest of the document; a "<div>" or "<p>" straight in a table): read as ordinary lines."""
        out = LineBuffer()
        self._walk_strays(table, out, font, keep)
        out.end_line()
        return out.lines

    def _walk_strays(self, node, out: "LineBuffer", font, keep: bool) -> None:
        text = node.text
        if text is not None and keep:
            out.add(self._decode(text, font))
        for child in node:
            name = child.tag
            if name in ("td", "th") and not dropped(child):
                pass  # read as cells
            elif name in ("tr", "thead", "tbody", "tfoot") and not dropped(child):
                self._walk_strays(child, out, font, keep)
            else:
                self._node(child, out, font, keep)
            tail = child.tail
            if tail is not None and keep:
                out.add(self._decode(tail, font))


class LineBuffer:
    """Collects inline text into lines: whitespace collapsed, NFC, empty lines dropped."""

    def __init__(self):
        self.lines: list[Line] = []
        self.aligns: list[str | None] = []  # the text-align of each line's block
        self.align: str | None = None
        self._pieces: list[str] = []

    def add(self, text: str) -> None:
        self._pieces.append(text)

    def end_line(self) -> None:
        if not self._pieces:
            return
        text = " ".join("".join(self._pieces).split())
        self._pieces = []
        if text:
            self.lines.append(Line(unicodedata.normalize("NFC", text)))
            self.aligns.append(self.align)

    def extend(self, lines: list[Line]) -> None:
        self.end_line()
        self.lines.extend(lines)
        self.aligns.extend([None] * len(lines))


def mark_right_aligned_signature(buffer: LineBuffer) -> None:
    """A signer block set as right-aligned paragraphs ("TM. CHÍNH PHỦ" …) instead of a table.

    The first run of right-aligned lines that opens with a signing authority, before any
    appendix, becomes the signature block's right column.
    """
    lines = buffer.lines
    for i, line in enumerate(lines):
        if APPENDIX.match(line.text):
            return
        if buffer.aligns[i] == "right" and line.block == "" and AUTHORITY.match(line.text):
            j = i
            while j < len(lines) and buffer.aligns[j] == "right" and lines[j].block == "":
                lines[j] = Line(lines[j].text, RIGHT, FOOTER, lines[j].page)
                j += 1
            return


def table_rows(table):
    """The table's own rows (not those of tables nested in its cells)."""
    for child in child_tags(table, ("tr", "thead", "tbody", "tfoot")):
        if child.tag == "tr":
            yield child
        else:
            yield from child_tags(child, ("tr",))


def child_tags(tag, names: tuple[str, ...]) -> list:
    """The element's children named `names` (not dropped ones)."""
    return [child for child in tag if child.tag in names and not dropped(child)]


def element_font(tag, inherited):
    """The legacy font an element's text is in: (encoding, all_caps), or None for a Unicode font.

    An element that names no font (face= or font-family) keeps the one it inherited.
    """
    family = tag.get("face")
    if not family:
        style = tag.get("style")
        family = style_info(style)[1] if style else None
    return family_font(family) if family else inherited


def _span(value) -> int:
    if value is None:
        return 1
    try:
        return min(max(1, int(str(value).strip())), 100)
    except (TypeError, ValueError):
        return 1
