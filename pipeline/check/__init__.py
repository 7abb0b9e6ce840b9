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

from dataclasses import dataclass, field

from .body import check_body
from .components import document_kind, find_layout
from .document import CheckError, Document, open_docx, read_document
from .page import check_colour, check_fonts, check_margins, check_page_numbers, check_paper
from .rules import RULES, Violation, check_look, check_order, check_presence
from .structure import (check_align, check_appendices, check_can_cu, check_copy, check_header_spacing,
                        check_headings, check_type_names, doc_type_of)
from .texts import check_authority, check_date, check_kinh_gui, check_noi_nhan, check_number, check_tieu_ngu, check_vv

__all__ = ["RULES", "CheckError", "Report", "Violation", "check_docx", "check_report", "format_violation"]


@dataclass
class Report:
    """What `check` found: the kind of document (document, appendix, copy, party), its type
    (Công văn, Kế hoạch …; "" when none is recognised), the violations, and notes for the reader."""

    kind: str
    doc_type: str
    violations: list[Violation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_docx(path_or_bytes) -> list[Violation]:
    """Every Decree 30 violation in a DOCX: a path, its bytes, or an open python-docx Document
    (a document being generated can be checked before it is saved)."""
    return check_report(path_or_bytes).violations


def check_report(path_or_bytes) -> Report:
    """The kind and type of a DOCX and its Decree 30 violations (see `Report`)."""
    document = path_or_bytes if hasattr(path_or_bytes, "part") else open_docx(path_or_bytes)
    doc = read_document(document)
    kind = document_kind(doc.lines)
    lay = find_layout(doc)
    if kind == "party":
        return Report("party", doc_type_of(lay, []), [], [PARTY_NOTE])
    doc_type = doc_type_of(lay, lay.appendices)
    if kind == "appendix":
        violations = _page_checks(doc) + check_appendices(lay.appendices)
        return Report(kind, doc_type, violations, ["an appendix on its own: checked as Appendix I §III.4 prints "
                                                   "an appendix (label, title, reference line) and for the page"])
    notes = []
    violations = check_document(doc, lay, presence=not _is_extract(lay))
    if lay.copy is not None:
        form = lay.copy.copy_form[0].text if lay.copy.copy_form else "copy"
        notes.append(f"a copy ({form}): the copied document and the copy's own block are checked")
        violations += check_copy(lay.copy)
    return Report(kind, doc_type, violations, notes)


PARTY_NOTE = ("a Party document (ĐẢNG CỘNG SẢN VIỆT NAM): its format follows the Party's own guidance "
              "(Hướng dẫn 36-HD/VPTW), not Decree 30/2020/NĐ-CP; it is not checked against Decree 30")


def _is_extract(lay) -> bool:
    """A trích sao copies only part of a document: its missing parts are not faults."""
    return bool(lay.copy and lay.copy.copy_form and lay.copy.copy_form[0].text.startswith("TRÍCH"))


def format_violation(v: Violation) -> str:
    return f"[{v.rule}] {v.where}: {v.message}"


def _page_checks(doc: Document) -> list[Violation]:
    checks = (check_paper, check_margins, check_fonts, check_colour, check_page_numbers)
    return [v for check in checks for v in check(doc)]


def check_document(doc: Document, lay=None, presence: bool = True) -> list[Violation]:
    lay = lay or find_layout(doc)
    found = _page_checks(doc)
    found += (check_presence(lay) if presence else []) + check_order(lay)
    for key, lines in lay.styled_components():
        found += check_look(key, lines)
    found += check_body(lay, doc)
    found += check_tieu_ngu(lay) + check_number(lay) + check_date(lay) + check_vv(lay)
    found += check_authority(lay) + check_kinh_gui(lay) + check_noi_nhan(lay)
    found += check_align(lay) + check_header_spacing(lay) + check_type_names(lay) + check_can_cu(lay)
    found += check_headings(lay) + check_appendices(lay.appendices)
    return found
