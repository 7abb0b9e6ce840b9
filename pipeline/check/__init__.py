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
from .components import find_layout
from .document import CheckError, Document, open_docx, read_document
from .page import check_colour, check_fonts, check_margins, check_page_numbers, check_paper
from .rules import RULES, Violation, check_look, check_order, check_presence
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
    lay = find_layout(doc)
    return Report("document", _doc_type(lay), check_document(doc, lay))


def _doc_type(lay) -> str:
    if lay.type_name:
        return lay.type_name[0].text.capitalize()
    return "Công văn" if lay.vv or lay.kinh_gui else ""


def format_violation(v: Violation) -> str:
    return f"[{v.rule}] {v.where}: {v.message}"


def check_document(doc: Document, lay=None) -> list[Violation]:
    lay = lay or find_layout(doc)
    checks = (check_paper, check_margins, check_fonts, check_colour, check_page_numbers)
    found = [v for check in checks for v in check(doc)]
    found += check_presence(lay) + check_order(lay)
    for key, lines in lay.styled_components():
        found += check_look(key, lines)
    found += check_body(lay, doc)
    found += check_tieu_ngu(lay) + check_number(lay) + check_date(lay) + check_vv(lay)
    found += check_authority(lay) + check_kinh_gui(lay) + check_noi_nhan(lay)
    return found
