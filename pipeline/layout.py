"""Lay an outgoing ``Draft`` out as a DOCX, the way Decree 30/2020/NĐ-CP Appendix I prescribes.

Every rule about where and how a component is printed lives here, not in the templates:

    header (2×2 borderless table)      parent body 13, issuing body 13 bold, short rule │
                                       Quốc hiệu 12 bold, Tiêu ngữ 13 bold, full rule
                                       "Số: 05/SYT-VP" 13, "V/v …" 12                  │
                                       "Sơn La, ngày 05 tháng 01 năm 2026" 13 italic
    named types                        TYPE 14 bold, trích yếu 14 bold, short rule
    Kính gửi                           one recipient on the line; several as "- …;" / "- …."
    body                               14, justified, first line 1.27 cm, 6 pt after
    footer (1×2 borderless table)      "Nơi nhận:" 12 bold italic, entries 11 "- …;",
                                       last "- Lưu: VT, …." │ AUTHORITY / TITLE 13 bold,
                                       room for the signature, name 14 bold
    pages                              A4, 20/20/30/15 mm, numbers top centre from page 2
"""
from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

from .decree30 import QUOC_HIEU, TIEU_NGU
from .docxwriter import TEXT_WIDTH_MM, Writer
from .records import Draft
from .wording import place_and_date

HEADER_MM = (72.0, 93.0)  # left (bodies, number) and right (motto, date) columns
FOOTER_MM = (80.0, 85.0)  # Nơi nhận and signer
BODY_PT, HEADER_PT, VV_PT = 14, 13, 12
SIGNATURE_LINES = 4  # empty lines left for the hand signature and seal


def write_docx(draft: Draft) -> bytes:
    w = Writer(author="congvan")
    props = w.doc.core_properties
    props.title = f"{draft.doc_type} số {draft.number}".strip()
    props.subject = draft.subject
    write_header(w, draft)
    if not draft.is_cong_van:
        write_type_and_subject(w, draft)
    write_recipients(w, draft)
    write_body(w, draft)
    write_footer(w, draft)
    return w.save()


def text_width_mm(text: str, size_pt: float) -> float:
    """Rough printed width of a line of Times New Roman (capitals are wider)."""
    em = 0.68 if text.isupper() else 0.48
    return len(text) * size_pt * em * 25.4 / 72


def rule_under(text: str, size_pt: float, cell_mm: float, share: float) -> float:
    """A rule `share` of the text's width (Decree 30: 1/3–1/2 under names, full under the motto)."""
    longest = max(text.split("\n"), key=len)
    return max(8.0, min(cell_mm - 4, text_width_mm(longest, size_pt)) * share)


def write_header(w: Writer, d: Draft) -> None:
    # Two rows, so "Số:" and the date stand on one line whatever the height of the names above.
    table = w.table(2, list(HEADER_MM))
    names, motto = table.cell(0, 0), table.cell(0, 1)
    number, dated = table.cell(1, 0), table.cell(1, 1)
    if d.parent:
        w.para(names, d.parent, size=HEADER_PT, keep_first=True)
    w.para(names, d.issuer, size=HEADER_PT, bold=True, keep_first=True)
    w.rule(names, rule_under(d.issuer, HEADER_PT, HEADER_MM[0], 0.45), HEADER_MM[0])
    w.para(motto, QUOC_HIEU, size=12, bold=True, keep_first=True)
    w.para(motto, TIEU_NGU, size=HEADER_PT, bold=True)
    w.rule(motto, rule_under(TIEU_NGU, HEADER_PT, HEADER_MM[1], 1.0), HEADER_MM[1])
    w.para(number, f"Số: {d.number}", size=HEADER_PT, before=4, keep_first=True)
    if d.is_cong_van:
        w.para(number, f"V/v {d.subject}", size=VV_PT, before=6)
    w.para(dated, place_and_date(d.place, d.issued_on), size=HEADER_PT, italic=True, before=4, keep_first=True)


def write_type_and_subject(w: Writer, d: Draft) -> None:
    w.para(w.doc, d.doc_type.upper(), size=BODY_PT, bold=True, before=18)
    w.para(w.doc, d.subject[:1].upper() + d.subject[1:], size=BODY_PT, bold=True)
    w.rule(w.doc, rule_under(d.subject, BODY_PT, TEXT_WIDTH_MM, 0.35), TEXT_WIDTH_MM)


def write_recipients(w: Writer, d: Draft) -> None:
    if not d.recipients:
        return
    if len(d.recipients) == 1:
        w.para(w.doc, f"Kính gửi: {d.recipients[0]}", size=BODY_PT, before=12, after=6)
        return
    w.para(w.doc, "Kính gửi:", size=BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT, before=12, left_indent=Cm(2.5))
    last = len(d.recipients) - 1
    for i, entry in enumerate(d.recipients):
        w.para(w.doc, f"- {entry}{'.' if i == last else ';'}", size=BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT,
               left_indent=Cm(4.0), after=6 if i == last else 0)


def write_body(w: Writer, d: Draft) -> None:
    for i, paragraph in enumerate(d.body):
        p = w.para(w.doc, "", size=BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_indent=Cm(1.27),
                   before=12 if i == 0 and not d.recipients else 0, after=6)
        p.paragraph_format.line_spacing = 1.15
        for text, bold in paragraph.runs:
            w.run(p, text, BODY_PT, bold=bold)


def write_footer(w: Writer, d: Draft) -> None:
    w.para(w.doc, "", size=6)
    table = w.table(1, list(FOOTER_MM))
    receivers, signer = table.cell(0, 0), table.cell(0, 1)
    w.para(receivers, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, keep_first=True)
    last = len(d.distribution) - 1
    for i, entry in enumerate(d.distribution):
        w.para(receivers, f"- {entry}{'.' if i == last else ';'}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    if d.signer.authority:
        w.para(signer, d.signer.authority, size=HEADER_PT, bold=True, keep_first=True)
    w.para(signer, d.signer.title, size=HEADER_PT, bold=True, keep_first=True)
    for _ in range(SIGNATURE_LINES):
        w.para(signer, "", size=BODY_PT)
    w.para(signer, d.signer.name, size=BODY_PT, bold=True)
    _keep_together(table)


def _keep_together(table) -> None:
    """The signature block is one row that never splits across a page break."""
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    if tr_pr.find(qn("w:cantSplit")) is None:
        tr_pr.append(OxmlElement("w:cantSplit"))
