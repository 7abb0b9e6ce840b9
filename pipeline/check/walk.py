"""Walking the body (or a page header) in reading order into located paragraphs and their lines:
tables and nested tables, content controls, text boxes, cut at manual line breaks and tabs."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .formatting import Numbering, Styles, displayed_text
# The reader walks content controls, mc:AlternateContent and text boxes the same way.
from ..ooxml import branch, children, collect_text_boxes
from .ooxml import (ALTERNATE, BR, CR, CUSTOM_XML, NO_BREAK_HYPHEN, P, PPR, PTAB, R, RPR, SDT, SDT_CONTENT, SECT_PR, T,
                    TAB, TBL, TC, TR, VAL, _int, _w)

# Inline content that is not printed text: properties, deletions, field codes, bookmarks.
SKIPPED_INLINE = {PPR, RPR, _w("del"), _w("moveFrom"), _w("sdtPr"), _w("sdtEndPr"), _w("proofErr"),
                  _w("bookmarkStart"), _w("bookmarkEnd"), _w("commentRangeStart"), _w("commentRangeEnd")}
BLOCK_WRAPPERS = {SDT_CONTENT, CUSTOM_XML}
BREAK, TABSTOP = "\n", "\t"
TAB_AFTER_LABEL = re.compile(r"^(?:số|kính\s+gửi)\s*:?$", re.I)


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
    run: object = None  # the w:r it comes from (`congvan fix` formats it)


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
                chosen = branch(child)
                if chosen is not None:
                    self.blocks(chosen, scope)

    def table(self, tbl, scope: Scope) -> None:
        rows = list(children(tbl, TR))
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
            for tc in children(tr, TC):
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
                chosen = branch(child)
                if chosen is not None:
                    self.inline(chosen, style, out, boxes)
            else:  # hyperlink, ins, smartTag, fldSimple, run-level sdt, customXml…
                self.inline(child, style, out, boxes)

    def run(self, r, style, out: list, boxes: list) -> None:
        look = self.styles.run(r, style)
        if look.get("hidden"):
            return
        for child in r:
            tag = child.tag
            if tag == T:
                out.append(Piece(displayed_text(child.text or "", look), look, r))
            elif tag in (BR, CR):
                out.append(BREAK)
            elif tag in (TAB, PTAB):
                out.append(TABSTOP)
            elif tag == NO_BREAK_HYPHEN:
                out.append(Piece("-", look, r))
            elif isinstance(tag, str) and tag != RPR:
                collect_text_boxes(child, boxes)  # w:drawing, w:pict, mc:AlternateContent

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


