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
    except Exception as exc:  # lxml/bs4 on a pathological page
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


Tag = NavigableString = None  # bs4's classes, imported on the first page read (start-up stays short)


def _load_bs4() -> None:
    global Tag, NavigableString
    if Tag is None:
        from bs4 import NavigableString, Tag


JUNK = frozenset(JUNK_TAGS)


def prune(soup):
    """Drop every script, style, navigation… element (JUNK_TAGS) and every hidden one (a
    display:none or visibility:hidden style, a `hidden` attribute), in one walk in document order;
    return the first element left that marks the document root (CONTENT_ROOT), or None."""
    root, dropped, stack = None, [], list(reversed(soup.contents))
    while stack:
        node = stack.pop()
        if not isinstance(node, Tag):
            continue
        attrs = node.attrs
        style = attrs.get("style")
        if node.name in JUNK or (isinstance(style, str) and HIDDEN.search(style)) or "hidden" in attrs:
            dropped.append(node)
            continue
        if root is None and CONTENT_ROOT in attrs:
            root = node
        stack.extend(reversed(node.contents))
    for tag in dropped:
        tag.decompose()
    return root


class HtmlWalker:
    """Turns a parsed page into Lines; counts elements converted from legacy fonts."""

    def __init__(self):
        self.converted: set[str] = set()
        self.state = TableState()
        self.top: LineBuffer | None = None

    def read(self, text: str) -> list[Line]:
        from bs4 import BeautifulSoup  # imported here: bs4 is only needed for HTML

        _load_bs4()
        soup = BeautifulSoup(text, "lxml")
        root = prune(soup) or soup.body or soup
        self.top = LineBuffer()
        self._walk(root, self.top, None)
        self.top.end_line()
        if not self.state.footer_seen:
            mark_right_aligned_signature(self.top)
        return self.top.lines

    def _walk(self, node, out: "LineBuffer", font) -> None:
        for child in node.contents:
            self._node(child, out, font)

    def _node(self, child, out: "LineBuffer", font) -> None:
        if isinstance(child, Tag):
            name = child.name
            child_font = element_font(child, font)
            if name == "br":
                out.end_line()
            elif name == "table":
                out.extend(self._table(child, child_font))
            elif name in BLOCK_TAGS:
                out.end_line()
                outer_align = out.align
                out.align = element_align(child) or outer_align
                self._walk(child, out, child_font)
                out.end_line()
                out.align = outer_align
            else:
                self._walk(child, out, child_font)
        elif type(child) is NavigableString:  # not comments, CDATA, doctypes
            out.add(self._decode(str(child), font))

    def _decode(self, text: str, font) -> str:
        if font is None or not text.strip():
            return text
        encoding, all_caps = font
        self.converted.add(encoding)
        text = convert_legacy(text, encoding)
        return text.upper() if all_caps else text

    def _table(self, table, font) -> list[Line]:
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
                self._walk(td, cell, element_font(td, font))
                cell.end_line()
                row.append(Cell(col, cell.lines))
                col += span
            rows.append(row)
        return arrange_table(rows, self.state, before=self.top.lines) + self._strays(table, font)

    def _strays(self, table, font) -> list[Line]:
        """What a broken page put inside a table but outside its cells (a missing "</table>" swallows
        the rest of the document; a "<div>" or "<p>" straight in a table): read as ordinary lines."""
        out = LineBuffer()
        self._walk_strays(table, out, font)
        out.end_line()
        return out.lines

    def _walk_strays(self, node, out: "LineBuffer", font) -> None:
        for child in node.contents:
            if isinstance(child, Tag) and child.name in ("td", "th"):
                continue  # read as cells
            if isinstance(child, Tag) and child.name in ("tr", "thead", "tbody", "tfoot"):
                self._walk_strays(child, out, font)
            else:
                self._node(child, out, font)


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


def element_align(tag) -> str | None:
    """ "left"/"right"/"center"/"justify" from the element's style or align attribute."""
    style = tag.get("style")
    match = TEXT_ALIGN.search(style) if style else None
    value = match.group(1) if match else tag.get("align")
    return value.strip().lower() if value else None


def table_rows(table):
    """The table's own rows (not those of tables nested in its cells)."""
    for child in child_tags(table, ("tr", "thead", "tbody", "tfoot")):
        if child.name == "tr":
            yield child
        else:
            yield from child_tags(child, ("tr",))


def child_tags(tag, names: tuple[str, ...]) -> list:
    """`tag.find_all(names, recursive=False)` without bs4's generic matching."""
    return [child for child in tag.contents if isinstance(child, Tag) and child.name in names]


def element_font(tag, inherited):
    """The legacy font an element's text is in: (encoding, all_caps), or None for a Unicode font.

    An element that names no font (face= or font-family) keeps the one it inherited.
    """
    family = tag.get("face")
    if not family:
        style = tag.get("style")
        match = FONT_FAMILY.search(style) if style else None
        family = match.group(1) if match else None
    if not family:
        return inherited
    first = family.split(",")[0].strip().strip("'\"")
    return legacy_font_encoding(first)


def _span(value) -> int:
    try:
        return min(max(1, int(str(value).strip())), 100)
    except (TypeError, ValueError):
        return 1
