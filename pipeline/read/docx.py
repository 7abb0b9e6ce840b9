"""DOCX reader: the document body in reading order, with the two-column header and signature tables.

Decree 30 documents put the header (issuer and "Số" on the left, national motto and date on the
right) and the signature block ("Nơi nhận" on the left, signer on the right) in borderless
two-column tables. For such a table we emit every line of the left column, then every line of
the right one, so "issuer, Số, V/v" and "authority, title, name" each read continuously; lines
are tagged LEFT/RIGHT and HEADER/FOOTER. Everything else is body text in document order.

The body is walked with lxml over python-docx's element tree (python-docx's own paragraph
iterator skips content controls and text boxes): paragraphs, tables (nested too), block- and
run-level content controls, text boxes (once, when a drawing has both a modern and a VML
version). A manual line break splits a paragraph into two lines; empty paragraphs are skipped;
page headers/footers (running titles, page numbers) are not document text.

Runs in legacy fonts (".VnTime…" TCVN3, "VNI-…" VNI) are converted to Unicode by their font,
and runs in the all-caps ".…H" fonts upper-cased. ``arrange_table`` and ``TableState`` are
shared with the HTML reader, whose portal pages use the same two-cell tables.
"""
from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..legacy import convert_legacy, detect_legacy, legacy_font_encoding, repair_legacy
from ..records import FOOTER, HEADER, LEFT, RIGHT, Line, ReadError, SourceText
from ..decree30 import AUTHORITY, MOTTO, NOI_NHAN, NUMBER_LINE, SIGN_MARK, SLOGAN
from ..ooxml import (ALTERNATE, BR, CR, NO_BREAK_HYPHEN, PPR, PTAB, RPR, TAB, TBL, TC, TR, VAL, WRAPPERS, P, R, T, branch,
                     children, collect_text_boxes, w)

RFONTS, RSTYLE, PSTYLE = w("rFonts"), w("rStyle"), w("pStyle")
CAPS, VANISH = w("caps"), w("vanish")
ASCII, HANSI = w("ascii"), w("hAnsi")
# Inline elements whose text is not part of the printed text (deleted revisions, field codes, props).
SKIPPED_INLINE = {PPR, RPR, w("del"), w("moveFrom"), w("sdtPr"), w("sdtEndPr"), w("instrText"),
                  w("delText"), w("fldChar"), w("proofErr"), w("bookmarkStart"), w("bookmarkEnd")}
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
LINE_BREAK = "\n"
RULE_TEXT = "________"


def read_docx(path: Path) -> SourceText:
    """Read a .docx into NFC lines; raise ReadError("docx-corrupt", …) for what is not one."""
    path = Path(path)
    document = _open_document(path)
    try:
        reader = BodyReader(FontResolver(document.styles.element))
        lines = reader.read(document.element.body)
    except Exception as exc:  # a part python-docx accepted but we cannot walk
        raise ReadError(str(path), "docx-corrupt", short_reason(exc)) from None
    notes = [f"converted from {name.upper()}" for name in sorted(reader.converted)]
    lines, repaired = _repair_unmarked_legacy(lines)
    if repaired:
        notes.append(f"converted from {repaired.upper()} (text without a legacy font name)")
    encoding = "+".join(sorted(set(reader.converted) | ({repaired} if repaired else set())))
    return SourceText(str(path), "docx", lines, notes=notes, encoding=encoding)


def _open_document(path: Path):
    import docx  # python-docx; imported here so the module loads fast for the other readers

    try:
        if not zipfile.is_zipfile(path):
            with path.open("rb") as fh:
                old_office = fh.read(4) == OLE_MAGIC
            if old_office:
                raise ReadError(str(path), "docx-ole")
            raise ReadError(str(path), "docx-corrupt", "not a zip archive")
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            check_unpacked_size(path, archive.infolist())
        # Some producers name the main part word/document2.xml; [Content_Types].xml points to it.
        if not any(n.startswith("word/document") and n.endswith(".xml") for n in names):
            raise ReadError(str(path), "docx-corrupt", "no word/document.xml")
        return docx.Document(str(path))
    except ReadError:
        raise
    except FileNotFoundError:
        raise ReadError(str(path), "not-found") from None
    except Exception as exc:
        raise ReadError(str(path), "docx-corrupt", short_reason(exc)) from None


def check_unpacked_size(path: Path, members: list[zipfile.ZipInfo]) -> None:
    """Refuse, before python-docx inflates a part, a DOCX whose parts unpack past [limits] docx_mb.

    python-docx loads every part into memory and lxml builds the whole tree: a 4 MB zip bomb
    whose document.xml unpacks to 1 GB took more than 6 GB. The sizes a zip declares are the
    sizes zipfile will produce (it stops and fails the CRC beyond them), so they can be trusted.
    """
    from ..limits import limits, megabytes

    lim = limits()
    total = sum(member.file_size for member in members)
    if total > lim.docx_mb * 1e6:
        raise ReadError(str(path), "docx-too-large", **lim.over(
            f"{megabytes(total)}, {megabytes(path.stat().st_size)} packed — a zip bomb?", "docx_mb"))


def short_reason(exc: BaseException) -> str:
    """The first line of an exception's message, short enough for a clerk's error column."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 100 else text[:97] + "..."


def _repair_unmarked_legacy(lines: list[Line]) -> tuple[list[Line], str | None]:
    """Legacy bytes shown in a Unicode font (the font was changed later): convert them too."""
    text = "\n".join(line.text for line in lines)
    if detect_legacy(text) is None:
        return lines, None
    repaired, encoding = repair_legacy(text)
    return [replace(line, text=new) for line, new in zip(lines, repaired.split("\n"))], encoding


# ----------------------------------------------------------------------------------- fonts


class FontResolver:
    """The font a run is drawn in: its own rFonts, else its character style, paragraph style, doc default."""

    def __init__(self, styles_element):
        self._styles: dict[str, tuple[str | None, str | None]] = {}
        self._default_paragraph_style = None
        self._default_font = None
        self._cache: dict[tuple, tuple[str, bool] | None] = {}
        if styles_element is None:
            return
        defaults = styles_element.find(f"{w('docDefaults')}/{w('rPrDefault')}/{RPR}")
        self._default_font = _font_of(defaults)
        for style in styles_element.iter(w("style")):
            style_id = style.get(w("styleId"))
            based = style.find(w("basedOn"))
            self._styles[style_id] = (_font_of(style.find(RPR)), based.get(VAL) if based is not None else None)
            if style.get(w("type")) == "paragraph" and style.get(w("default")) in ("1", "true", "on"):
                self._default_paragraph_style = style_id

    def legacy_encoding(self, run, paragraph_style: str | None) -> tuple[str, bool] | None:
        """("tcvn3" | "vni", all_caps) when the run is in a legacy font, else None."""
        rpr = run.find(RPR)
        direct = _font_of(rpr)
        run_style = _val(rpr, RSTYLE) if rpr is not None else None
        key = (direct, run_style, paragraph_style)
        if key not in self._cache:
            font = direct or self._style_font(run_style) or \
                self._style_font(paragraph_style or self._default_paragraph_style) or self._default_font
            self._cache[key] = legacy_font_encoding(font)
        return self._cache[key]

    def _style_font(self, style_id: str | None) -> str | None:
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            font, style_id_next = self._styles.get(style_id, (None, None))
            if font:
                return font
            style_id = style_id_next
        return None


def _font_of(rpr) -> str | None:
    if rpr is None:
        return None
    fonts = rpr.find(RFONTS)
    if fonts is None:
        return None
    # Legacy bytes are above 0x7F, which Word draws with the hAnsi font.
    return fonts.get(HANSI) or fonts.get(ASCII)


def _val(parent, tag: str) -> str | None:
    el = parent.find(tag)
    return el.get(VAL) if el is not None else None


# ------------------------------------------------------------------------------ body walk


class BodyReader:
    """Walks w:body into Lines; counts the runs converted from legacy fonts."""

    def __init__(self, fonts: FontResolver):
        self.fonts = fonts
        self.converted: dict[str, int] = {}
        self.state = TableState()
        self.lines: list[Line] = []

    def read(self, body) -> list[Line]:
        self._blocks(body, self.lines)
        return self.lines

    def _blocks(self, container, out: list[Line]) -> None:
        for child in container:
            tag = child.tag
            if tag == P:
                self._paragraph(child, out)
            elif tag == TBL:
                out.extend(self._table(child))
            elif tag in WRAPPERS:
                self._blocks(child, out)
            elif tag == ALTERNATE:
                chosen = branch(child)
                if chosen is not None:
                    self._blocks(chosen, out)

    def _paragraph(self, p, out: list[Line]) -> None:
        pieces: list[str] = []
        boxes: list = []
        ppr = p.find(PPR)
        style = _val(ppr, PSTYLE) if ppr is not None else None
        self._inline(p, style, pieces, boxes)
        if not "".join(pieces).strip() and out is self.lines and _has_rule_border(ppr):
            # An empty body paragraph drawn as a rule (the line under a named type's trích yếu)
            # separates blocks just as "____" does in a text file.
            out.append(Line(RULE_TEXT))
        for text in "".join(pieces).split(LINE_BREAK):
            text = unicodedata.normalize("NFC", text).strip()
            if text:
                out.append(Line(text))
        for box in boxes:  # a text box's paragraphs follow the paragraph it is anchored in
            self._blocks(box, out)

    def _inline(self, el, style, pieces: list[str], boxes: list) -> None:
        for child in el:
            tag = child.tag
            if tag == R:
                self._run(child, style, pieces, boxes)
            elif tag in SKIPPED_INLINE or not isinstance(tag, str):  # comments/PIs have callable tags
                continue
            elif tag == ALTERNATE:
                chosen = branch(child)
                if chosen is not None:
                    self._inline(chosen, style, pieces, boxes)
            else:  # hyperlink, ins, smartTag, fldSimple, run-level sdt, customXml…
                self._inline(child, style, pieces, boxes)

    def _run(self, run, style, pieces: list[str], boxes: list) -> None:
        rpr = run.find(RPR)
        if rpr is not None and _is_on(rpr.find(VANISH)):  # hidden text is not printed
            return
        parts = []
        for child in run:
            tag = child.tag
            if tag == T:
                parts.append(child.text or "")
            elif tag in (BR, CR):
                parts.append(LINE_BREAK)
            elif tag in (TAB, PTAB):
                parts.append("\t")
            elif tag == NO_BREAK_HYPHEN:
                parts.append("-")
            elif tag != RPR and isinstance(tag, str):
                collect_text_boxes(child, boxes)  # w:drawing, w:pict, mc:AlternateContent
        text = "".join(parts)
        if text.strip():
            text = self._decode(run, style, text)
        pieces.append(text)

    def _decode(self, run, style, text: str) -> str:
        legacy = self.fonts.legacy_encoding(run, style)
        if legacy:
            encoding, all_caps = legacy
            text = convert_legacy(text, encoding)
            if all_caps:
                text = text.upper()
            self.converted[encoding] = self.converted.get(encoding, 0) + 1
        rpr = run.find(RPR)
        if rpr is not None and _is_on(rpr.find(CAPS)):  # "All caps" formatting prints capitals
            text = text.upper()
        return text

    def _table(self, tbl) -> list[Line]:
        rows = []
        for tr in children(tbl, TR):
            grid_before = tr.find(f"{w('trPr')}/{w('gridBefore')}")
            col = _int(grid_before.get(VAL), 0) if grid_before is not None else 0
            row = []
            for tc in children(tr, TC):
                span_el = tc.find(f"{w('tcPr')}/{w('gridSpan')}")
                lines: list[Line] = []
                self._blocks(tc, lines)
                row.append(Cell(col, lines))
                col += max(1, _int(span_el.get(VAL), 1)) if span_el is not None else 1
            rows.append(row)
        return arrange_table(rows, self.state, before=self.lines)


def _has_rule_border(ppr) -> bool:
    if ppr is None:
        return False
    border = ppr.find(f"{w('pBdr')}/{w('bottom')}")
    if border is None:
        border = ppr.find(f"{w('pBdr')}/{w('top')}")
    return border is not None and border.get(VAL) not in (None, "nil", "none")


def _is_on(el) -> bool:
    return el is not None and el.get(VAL, "true").lower() not in ("0", "false", "off")


def _int(value, default: int) -> int:
    """A non-negative integer attribute, or `default` when it is missing or malformed."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number >= 0 else default


# ----------------------------------------------------- two-column tables (shared with HTML)


@dataclass
class Cell:
    """A table cell: the grid column it starts in and the lines read from it."""

    col: int
    lines: list[Line] = field(default_factory=list)


@dataclass
class TableState:
    """What the walk has met so far, to tell the header table from the signature table."""

    header_end: int | None = None  # output line count right after the header table(s)
    footer_seen: bool = False
    appendix_seen: bool = False  # forms in appendices carry their own "Nơi nhận"/signer tables
    scanned: int = 0  # output lines already checked for an appendix heading

    def update(self, before: list[Line]) -> None:
        if not self.appendix_seen:
            self.appendix_seen = any(APPENDIX.match(line.text) for line in before[self.scanned:])
        self.scanned = len(before)


# Header and signature tables are short; a longer table is a body grid (a schedule, a list of
# units) and reads row by row, as does a two-column table without anchors unless very short.
MAX_LAYOUT_ROWS = 6
MAX_PLAIN_LAYOUT_ROWS = 4
MAX_LINES_BEFORE_HEADER = 3  # "HỎA TỐC", a form number… may stand above the header table
APPENDIX = re.compile(r"^\s*(?:PHỤ\s+LỤC|Phụ\s+lục)(?:\s+(?:[IVXLC]+|\d+|số\s*\d+))?\s*[:.]?\s*$")


def arrange_table(rows: list[list[Cell]], state: TableState, before: list[Line]) -> list[Line]:
    """A table's lines in reading order, with columns and blocks when it is a layout table.

    A layout table has two or more grid columns and few rows, and either the header or
    signature anchors (motto, "Số", "Nơi nhận", "KT. …", "(Đã ký)") in at most three
    text-holding columns, or exactly two short text columns. Its lines are every line of the
    left column (LEFT), then every other line (RIGHT), row by row: "issuer, Số, V/v" and
    "authority, title, name" each read continuously. It is HEADER when it has header anchors
    and opens the document (a second table right after the first continues the header), FOOTER
    for the first table with signature anchors after that (and before any "PHỤ LỤC"). Other
    tables read cell by cell, keeping the columns their own nested tables gave. `before` is
    the document's output so far.
    """
    grid_cols = {cell.col for row in rows for cell in row}
    text_cols = sorted({cell.col for row in rows for cell in row if cell.lines})
    in_order = [line for row in rows for cell in row for line in cell.lines]
    if not text_cols or len(grid_cols) < 2 or len(rows) > MAX_LAYOUT_ROWS:
        return in_order
    texts = [line.text for line in in_order]
    header, footer = _has_header_anchor(texts), _has_footer_anchor(texts)
    plain_two_columns = len(text_cols) == 2 and len(rows) <= MAX_PLAIN_LAYOUT_ROWS
    if not (((header or footer) and len(text_cols) <= 3) or plain_two_columns):
        return in_order
    state.update(before)
    lines_before = len(before)
    block = _table_block(header, footer, state, lines_before)
    if len(text_cols) >= 2:
        left_col = text_cols[0]
    else:  # one filled side (a signer with an empty "Nơi nhận" cell): which half is it in?
        left_col = text_cols[0] if 2 * text_cols[0] < max(grid_cols) + 1 else -1
    left = [replace(line, column=LEFT, block=block)
            for row in rows for cell in row if cell.col == left_col for line in cell.lines]
    right = [replace(line, column=RIGHT, block=block)
             for row in rows for cell in row if cell.col != left_col for line in cell.lines]
    if block == HEADER:
        state.header_end = lines_before + len(left) + len(right)
    return left + right


def _table_block(header: bool, footer: bool, state: TableState, lines_before: int) -> str:
    if header and (state.header_end is None and lines_before <= MAX_LINES_BEFORE_HEADER
                   or state.header_end == lines_before):
        return HEADER
    if footer and not state.footer_seen and not state.appendix_seen and lines_before > 0:
        state.footer_seen = True
        return FOOTER
    return ""


def _has_header_anchor(texts: list[str]) -> bool:
    return any(MOTTO.search(t) or SLOGAN.search(t) or NUMBER_LINE.search(t) for t in texts)


def _has_footer_anchor(texts: list[str]) -> bool:
    """ "Nơi nhận", a "KT. …" authority line, or a bracketed signature mark "(Đã ký)"."""
    return any(NOI_NHAN.match(t) or AUTHORITY.match(t) or (t.startswith(("(", "[")) and SIGN_MARK.search(t))
               for t in texts)

