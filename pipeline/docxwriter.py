"""The low-level DOCX writer behind every document congvan lays out (replies, the corpus).

Decree 30/2020/NĐ-CP fixes the page: A4 portrait, margins 20–25 / 20–25 / 30–35 / 15–20 mm,
Times New Roman (all four font slots, so Word never substitutes a font for Vietnamese or
complex-script text), page numbers centred in the top margin from page 2, borderless tables
for the two-column header and footer. ``Writer`` gives those, and paragraphs and runs with
explicit sizes; what goes where is decided by the caller (``pipeline.layout`` for replies).
"""
from __future__ import annotations

import io
import zipfile
from datetime import datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

FONT = "Times New Roman"
# Page geometry used for everything congvan writes (inside the Decree 30 ranges).
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]  # 165


def is_upper_line(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


class Fonts:
    """How run text is written: Unicode in Times New Roman, or (for test documents that imitate
    old files) TCVN3 bytes in the .VnTime fonts."""

    def __init__(self, tcvn3: bool = False):
        self.tcvn3 = tcvn3
        if tcvn3:
            from .legacy import unicode_to_tcvn3

            self._encode = unicode_to_tcvn3

    def convert(self, text: str) -> tuple[str, str]:
        if not self.tcvn3:
            return text, FONT
        if is_upper_line(text):
            # TCVN3 has no code for most toned capitals: an upper-case line is typed in lower
            # case and shown in capitals by the .VnTimeH font.
            return self._encode(text.lower()), ".VnTimeH"
        return self._encode(text), ".VnTime"


class PropsHolder:
    """Gives a bare w:rPr (a paragraph mark's) the get_or_add_rPr() of a run."""

    def __init__(self, rpr):
        self.rpr = rpr

    def get_or_add_rPr(self):
        return self.rpr


def set_fonts(rpr_owner, name: str, size: float | None = None) -> None:
    """Set all four rFonts slots (ascii, hAnsi, eastAsia, cs) and w:sz + w:szCs."""
    rpr = rpr_owner.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)
    if size is not None:
        half_points = str(int(round(size * 2)))
        for tag in ("w:sz", "w:szCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                rpr.append(el)
            el.set(qn("w:val"), half_points)
        reorder_rpr(rpr)


RPR_ORDER = ["w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:strike",
             "w:color", "w:spacing", "w:sz", "w:szCs", "w:u", "w:lang"]


def reorder_rpr(rpr) -> None:
    rank = {qn(t): i for i, t in enumerate(RPR_ORDER)}
    children = sorted(rpr, key=lambda el: rank.get(el.tag, len(RPR_ORDER)))
    for el in children:
        rpr.remove(el)
        rpr.append(el)


class Writer:
    """Builds one DOCX with python-docx, following the Decree 30 layout."""

    def __init__(self, fonts: Fonts | None = None, author: str = "congvan",
                 when: datetime | None = None, language: str | None = "vi-VN"):
        self.fonts = fonts or Fonts()
        self.doc = Document()
        sec = self.doc.sections[0]
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = Mm(210), Mm(297)
        sec.top_margin, sec.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        sec.left_margin, sec.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        sec.header_distance, sec.footer_distance = Mm(10), Mm(10)
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(14)
        set_fonts(normal.element, self.fonts.convert("a")[1], 14)
        pf = normal.paragraph_format
        pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(0), 1.0
        if language:  # Word's spelling and hyphenation follow the text's language, not en-US
            self._set_language(language)
        props = self.doc.core_properties
        when = when or datetime.now().replace(microsecond=0)
        props.author = props.last_modified_by = author
        props.created = props.modified = props.last_printed = when
        props.revision = 1
        props.title = props.subject = props.keywords = props.comments = props.category = ""
        self._page_numbers(sec)

    def _set_language(self, language: str) -> None:
        rpr = self.doc.styles.element.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is None:
            rpr = self.doc.styles["Normal"].element.get_or_add_rPr()
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), language)
        lang.set(qn("w:eastAsia"), language)
        reorder_rpr(rpr)

    def _page_numbers(self, sec) -> None:
        """Page numbers centred in the top margin, not on page 1 (Decree 30, Appendix I)."""
        sec.different_first_page_header_footer = True
        sec.first_page_header.is_linked_to_previous = False  # an empty header on page 1
        para = sec.header.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        parts = [("w:fldChar", "begin"), ("w:instrText", " PAGE "), ("w:fldChar", "separate"),
                 ("w:t", "2"), ("w:fldChar", "end")]
        for tag, value in parts:
            run = para.add_run()
            set_fonts(run._r, FONT, 14)
            el = OxmlElement(tag)
            if tag == "w:fldChar":
                el.set(qn("w:fldCharType"), value)
            else:
                el.set(qn("xml:space"), "preserve")
                el.text = value
            run._r.append(el)

    # -- paragraphs

    def para(self, container, text: str = "", size: float = 14, bold=False, italic=False,
             align=WD_ALIGN_PARAGRAPH.CENTER, before=0, after=0, first_indent=None, left_indent=None,
             keep_first=False):
        """Add a paragraph; `text` may hold "\\n" for a manual line break inside one paragraph."""
        if keep_first and len(container.paragraphs) == 1 and not container.paragraphs[0].text \
                and not container.paragraphs[0]._p.xpath("./w:r"):
            p = container.paragraphs[0]
        else:
            p = container.add_paragraph()
        pf = p.paragraph_format
        p.alignment = align
        pf.space_before, pf.space_after = Pt(before), Pt(after)
        pf.line_spacing = 1.0
        if first_indent is not None:
            pf.first_line_indent = first_indent
        if left_indent is not None:
            pf.left_indent = left_indent
        for i, piece in enumerate(text.split("\n")):
            if i:
                self.run(p, "", size, bold, italic).add_break()
            if piece:
                self.run(p, piece, size, bold, italic)
        if not text:  # the paragraph mark's size sets an empty line's height
            ppr = p._p.get_or_add_pPr()
            mark = ppr.find(qn("w:rPr"))
            if mark is None:
                mark = OxmlElement("w:rPr")
                ppr.append(mark)
            set_fonts(PropsHolder(mark), self.fonts.convert("a")[1], size)
        return p

    def run(self, p, text: str, size: float, bold=False, italic=False):
        converted, font = self.fonts.convert(text) if text else ("", self.fonts.convert("a")[1])
        r = p.add_run(converted)
        r.bold, r.italic = bold or None, italic or None
        set_fonts(r._r, font, size)
        return r

    def rule(self, container, width_mm: float, cell_mm: float, before: float = 0):
        """A short solid line under a heading: an empty paragraph with a bottom border."""
        p = self.para(container, "", size=3, before=before)
        side = Mm(max(0.0, (cell_mm - width_mm) / 2))
        p.paragraph_format.left_indent = p.paragraph_format.right_indent = side
        ppr = p._p.get_or_add_pPr()
        bdr = parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>')
        # pBdr sits before spacing/ind/jc in the schema order
        anchor = ppr.find(qn("w:spacing"))
        if anchor is None:
            anchor = ppr.find(qn("w:ind"))
        if anchor is None:
            ppr.append(bdr)
        else:
            anchor.addprevious(bdr)
        return p

    # -- tables

    def table(self, rows: int, widths_mm: list[float]):
        t = self.doc.add_table(rows=rows, cols=len(widths_mm))
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False  # w:tblLayout fixed
        borders = parse_xml(f'<w:tblBorders {nsdecls("w")}>' + "".join(
            f'<w:{edge} w:val="nil"/>' for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
        ) + "</w:tblBorders>")
        t._tbl.tblPr.find(qn("w:tblLayout")).addprevious(borders)  # schema order: tblBorders < tblLayout
        for i, w in enumerate(widths_mm):
            t.columns[i].width = Mm(w)
            for row in t.rows:
                row.cells[i].width = Mm(w)
        return t

    def save(self, zip_time: tuple | None = None) -> bytes:
        """The DOCX bytes; with `zip_time`, every zip entry gets that time (repeatable output)."""
        buf = io.BytesIO()
        self.doc.save(buf)
        return stable_zip(buf.getvalue(), zip_time) if zip_time else buf.getvalue()


def stable_zip(data: bytes, zip_time: tuple) -> bytes:
    """Rewrite a zip with fixed timestamps so that a rebuild gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=zip_time)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            zout.writestr(fixed, zin.read(info.filename))
    return out.getvalue()
