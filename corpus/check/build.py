"""Fixtures for `congvan check`: DOCX files laid out the way offices lay them out, each with the
faults it holds on purpose listed in gold.json.

This builder is written apart from congvan's own writer (pipeline/docxwriter.py, pipeline/layout.py)
so that the checker is measured on layouts it did not produce: the header as a table or with
its Số, date and V/v lines below the table, the signature as a table or as paragraphs followed
by Nơi nhận and a contact line, urgency and secrecy marks before the type name, căn cứ and
Chương/Điều headings, lettered lists, landscape table sections, appendices, copies (sao y,
sao lục, trích sao), a Party document, a macro-enabled .docm, an XML entity. Every Appendix III
type is there. Some files are saved through LibreOffice (`soffice --convert-to docx`) as offices
do when they edit in LibreOffice Writer.

    python corpus/check/build.py          # writes corpus/check/docs/*.docx and corpus/check/gold.json

gold.json: {file: {"kind": document|appendix|copy|party, "type": "Kế hoạch", "faults": [rule, …]}}.
A fault is named by the rule of `congvan check --rules` that it breaks; each file's faults are
listed by hand with its spec below.
"""
from __future__ import annotations

import copy
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
OUT = HERE / "docs"
TNR = "Times New Roman"
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
ALIGN = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
         "right": WD_ALIGN_PARAGRAPH.RIGHT, "both": WD_ALIGN_PARAGRAPH.JUSTIFY}

# Appendix III named types: title, abbreviation
TYPES = [("Nghị quyết", "NQ"), ("Quyết định", "QĐ"), ("Chỉ thị", "CT"), ("Quy chế", "QC"), ("Quy định", "QyĐ"),
         ("Thông cáo", "TC"), ("Thông báo", "TB"), ("Hướng dẫn", "HD"), ("Chương trình", "CTr"),
         ("Kế hoạch", "KH"), ("Phương án", "PA"), ("Đề án", "ĐA"), ("Dự án", "DA"), ("Báo cáo", "BC"),
         ("Biên bản", "BB"), ("Tờ trình", "TTr"), ("Hợp đồng", "HĐ"), ("Công điện", "CĐ"),
         ("Bản ghi nhớ", "BGN"), ("Bản thỏa thuận", "BTT"), ("Giấy ủy quyền", "GUQ"), ("Giấy mời", "GM"),
         ("Giấy giới thiệu", "GGT"), ("Giấy nghỉ phép", "GNP"), ("Phiếu gửi", "PG"), ("Phiếu chuyển", "PC"),
         ("Phiếu báo", "PB")]
ABBR = dict(TYPES)

# How each component is printed (Decree 30, App. I): size, bold, italic, alignment.
LOOK = {
    "quoc-hieu": dict(size=12, bold=True, align="center"),
    "tieu-ngu": dict(size=13, bold=True, align="center"),
    "parent": dict(size=12, align="center"),
    "issuer": dict(size=12, bold=True, align="center"),
    "number": dict(size=13, align="center"),
    "date": dict(size=14, italic=True, align="center"),
    "vv": dict(size=12, align="center"),
    "mark": dict(size=13, bold=True, align="left"),
    "type-name": dict(size=14, bold=True, align="center"),
    "subject": dict(size=14, bold=True, align="center"),
    "kinh-gui": dict(size=14, align="center"),
    "can-cu": dict(size=14, italic=True, align="both", indent=True),
    "heading": dict(size=14, bold=True, align="center"),
    "body": dict(size=14, align="both", indent=True),
    "noi-nhan": dict(size=12, bold=True, italic=True, align="left"),
    "noi-nhan-list": dict(size=11, align="left"),
    "authority": dict(size=14, bold=True, align="center"),
    "signer": dict(size=14, bold=True, align="center"),
    "contact": dict(size=11, align="left"),
    "appendix": dict(size=14, bold=True, align="center"),
    "appendix-title": dict(size=14, bold=True, align="center"),
    "appendix-ref": dict(size=14, italic=True, align="center"),
    "copy-form": dict(size=14, bold=True, align="center"),
    "page": dict(size=13, align="center"),
}


@dataclass
class Spec:
    name: str
    doc_type: str = "Công văn"  # or an Appendix III title
    kind: str = "document"  # document, appendix (a file that is an appendix only), copy, party
    faults: list = field(default_factory=list)  # gold: the rules broken
    parent: str = "UBND TỈNH QUẢNG NGÃI"
    issuer: str = "SỞ Y TẾ"
    symbol: str = "SYT"
    unit: str = "VP"
    number: str = "07"
    place_date: str = "Quảng Ngãi, ngày 05 tháng 3 năm 2026"
    subject: str = "tăng cường phòng, chống dịch sốt xuất huyết"
    recipients: list = field(default_factory=lambda: ["Ủy ban nhân dân các huyện, thị xã, thành phố"])
    header: str = "table"  # table, below (Số/date/V/v under the table, set apart by tabs), below-stack
    signature: str = "table"  # table, paras (signer block then Nơi nhận paragraphs), table-contact
    marks: list = field(default_factory=list)  # KHẨN, MẬT … printed before the type name
    can_cu: bool = False
    chapters: bool = False
    lettered: bool = False  # a numbering definition with "a)" labels
    appendix: bool = False  # a Phụ lục after the document
    copy_form: str = ""  # SAO Y, SAO LỤC, TRÍCH SAO after the document
    landscape: bool = False  # the appendix (or a table section) on a landscape page
    pages: int = 1  # body repeated to reach more than one page
    lo: bool = False  # saved through LibreOffice
    ext: str = "docx"
    entity: bool = False
    authority: list = field(default_factory=lambda: ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"])
    signer_name: str = "Nguyễn Văn Bình"
    distribution: list = field(default_factory=lambda: ["- Như trên;", "- Giám đốc Sở (để b/c);",
                                                        "- Lưu: VT, NVY."])
    style: dict = field(default_factory=dict)  # component -> look overrides (the faults)
    text: dict = field(default_factory=dict)  # component -> text overrides (the faults)
    page: dict = field(default_factory=dict)  # margins (mm), paper, page numbers
    drop: set = field(default_factory=set)  # components left out
    second_title: str = ""  # a second, competing type name
    extra: str = ""  # a special fault: font, colour, body-align, body-indent, body-spacing, line-spacing, order

    @property
    def is_cv(self) -> bool:
        return self.doc_type == "Công văn"

    @property
    def number_text(self) -> str:
        if self.kind == "party":
            return f"Số {int(self.number)}-CV/TU"
        if self.is_cv:
            return f"Số: {self.number}/{self.symbol}-{self.unit}"
        return f"Số: {self.number}/{ABBR[self.doc_type]}-{self.symbol}"


BODY = [
    "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về công tác phòng, chống dịch bệnh năm 2026, để chủ động "
    "kiểm soát tình hình, không để dịch bùng phát trên diện rộng, Sở Y tế đề nghị các đơn vị triển khai "
    "thực hiện tốt các nội dung sau đây.",
    "1. Tổ chức rà soát, cập nhật kế hoạch phòng, chống dịch của địa phương, đơn vị; bố trí đủ nhân lực, "
    "kinh phí, vật tư, hóa chất để chủ động xử lý ổ dịch ngay khi phát hiện ca bệnh đầu tiên.",
    "2. Đẩy mạnh công tác truyền thông, hướng dẫn người dân thực hiện các biện pháp diệt lăng quăng, "
    "bọ gậy; phối hợp với các cơ quan liên quan kiểm tra, giám sát việc thực hiện tại cơ sở.",
    "3. Báo cáo kết quả thực hiện về Sở Y tế (qua Phòng Nghiệp vụ Y) trước ngày 30 tháng 4 năm 2026 để "
    "tổng hợp, báo cáo Ủy ban nhân dân tỉnh theo quy định.",
]
CLOSING = "Đề nghị các đơn vị quan tâm, phối hợp thực hiện./."
LETTERED = ["Nội dung kiểm tra gồm các việc sau:",
            "Kiểm tra hồ sơ, sổ sách theo dõi công tác phòng, chống dịch tại đơn vị;",
            "Kiểm tra việc bố trí nhân lực và kinh phí cho các đội phản ứng nhanh;",
            "Kiểm tra công tác truyền thông và phối hợp liên ngành tại địa phương."]


class Builder:
    def __init__(self, spec: Spec):
        self.s = spec
        self.doc = Document()
        self._defaults()
        self._page(self.doc.sections[0])

    # -- low level

    def _defaults(self):
        style = self.doc.styles["Normal"]
        style.font.name, style.font.size = TNR, Pt(14)
        rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            rfonts.set(qn(slot), TNR)
        pf = style.paragraph_format
        pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(0), 1.0

    def _page(self, section, landscape=False):
        p = self.s.page
        paper = p.get("paper", (210, 297))
        w, h = (paper[1], paper[0]) if landscape else paper
        section.page_width, section.page_height = Mm(w), Mm(h)
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        margins = p.get("landscape_margins" if landscape else "margins", {})
        base = {"top": 20, "bottom": 20, "left": 30, "right": 15}
        if landscape:  # the sheet turned: the binding edge (30 mm) is now on top
            base = {"top": 30, "bottom": 15, "left": 20, "right": 20}
        for side, mm in {**base, **margins}.items():
            setattr(section, f"{side}_margin", Mm(mm))
        section.header_distance = section.footer_distance = Mm(10)

    def look(self, comp: str) -> dict:
        return {**LOOK.get(comp, LOOK["body"]), **self.s.style.get(comp, {})}

    def text(self, comp: str, default: str) -> str:
        return self.s.text.get(comp, default)

    def para(self, container, text: str, comp: str, **extra):
        look = {**self.look(comp), **extra}
        p = container.add_paragraph()
        pf = p.paragraph_format
        pf.alignment = ALIGN[look.get("align", "left")]
        if look.get("indent"):
            pf.first_line_indent = Cm(1.27)
        if comp in ("body", "can-cu", "heading", "kinh-gui") or look.get("after"):
            pf.space_after = Pt(look.get("after", 6))
        if look.get("line"):
            pf.line_spacing = look["line"]
        if look.get("left_indent"):
            pf.left_indent = Mm(look["left_indent"])
        if text:
            self.run(p, text, look)
        return p

    def run(self, p, text, look):
        # "Điều 1. Text": the label bold, the rest as the paragraph
        parts = [(text, look)]
        label = re.match(r"^(Điều \d+\.)\s", text)
        if label and look.get("label_bold"):
            parts = [(label.group(1), {**look, "bold": True}), (text[label.end() - 1:], look)]
        for chunk, lk in parts:
            for i, line in enumerate(chunk.split("\n")):
                r = p.add_run(line)
                if i:
                    r._element.addprevious(_br())
                f = r.font
                f.size = Pt(lk["size"])
                f.bold = lk.get("bold") or None
                f.italic = lk.get("italic") or None
                if lk.get("font"):
                    f.name = lk["font"]
                    rf = r._element.get_or_add_rPr().get_or_add_rFonts()
                    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                        rf.set(qn(slot), lk["font"])
                if lk.get("color"):
                    f.color.rgb = RGBColor.from_string(lk["color"])
        return p

    def table(self, container, widths):
        t = container.add_table(rows=1, cols=len(widths))
        borders = OxmlElement("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            el = OxmlElement(f"w:{edge}")
            el.set(qn("w:val"), "nil")
            borders.append(el)
        t._tbl.tblPr.append(borders)
        t.autofit = False
        for i, mm in enumerate(widths):
            t.columns[i].width = Mm(mm)
            t.cell(0, i).width = Mm(mm)
        cells = t.rows[0].cells
        for cell in cells:  # python-docx puts one empty paragraph in each cell
            cell._tc.remove(cell.paragraphs[0]._p)
        return cells

    def rule_line(self, container, chars=12):
        p = container.add_paragraph()
        p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = p.add_run("_" * chars)
        r.font.size = Pt(8)
        return p

    # -- the document

    def build(self) -> Document:
        s = self.s
        if s.kind == "appendix":
            self.appendix(standalone=True)
        else:
            self.header()
            self.title()
            self.kinh_gui()
            self.body()
            self.footer()
            if s.appendix:
                self.appendix()
            if s.copy_form:
                self.copy_block()
        self.page_numbers()
        return self.doc

    def header(self):
        s, d = self.s, self.doc
        left, right = self.table(d, (70, 95))
        party = s.kind == "party"
        if "parent" not in s.drop and s.parent:
            self.para(left, self.text("parent", s.parent), "parent")
        if "issuer" not in s.drop:
            self.para(left, self.text("issuer", s.issuer), "issuer")
        if party:
            self.para(left, "*", "parent")
        else:
            self.rule_line(left, 10)
        below = s.header.startswith("below")
        number = self.text("number", s.number_text)
        vv = self.text("vv", f"V/v {s.subject}") if s.is_cv and "vv" not in s.drop else ""
        date = self.text("date", s.place_date) if "date" not in s.drop else ""
        if not below:
            if "number" not in s.drop:
                self.para(left, number, "number")
            if vv:
                self.para(left, vv, "vv", after=6)
        if party:
            self.para(right, "ĐẢNG CỘNG SẢN VIỆT NAM", "quoc-hieu", size=15)
            self.rule_line(right, 30)
        else:
            if "quoc-hieu" not in s.drop:
                self.para(right, self.text("quoc-hieu", QUOC_HIEU), "quoc-hieu")
            if "tieu-ngu" not in s.drop:
                self.para(right, self.text("tieu-ngu", TIEU_NGU), "tieu-ngu")
            self.rule_line(right, 24)
        if not below and date:
            if s.extra == "order":  # the date written above the motto
                p = self.para(right, date, "date")
                right._tc.remove(p._p)
                right.paragraphs[0]._p.addprevious(p._p)
            else:
                self.para(right, date, "date")
        if not below:
            return
        if s.header == "below":
            p = d.add_paragraph()
            p.paragraph_format.tab_stops.add_tab_stop(Mm(35), alignment=1)  # centre of the left column
            p.paragraph_format.tab_stops.add_tab_stop(Mm(117), alignment=1)  # centre of the right column
            if "number" not in s.drop:
                p.add_run("\t")
                self.run(p, number, self.look("number"))
            p.add_run("\t")
            if date:
                self.run(p, date, self.look("date"))
            if vv:
                self.para(d, vv, "vv", align="left", after=6)
        else:  # below-stack: each on its own paragraph, centred under its column by indents
            if "number" not in s.drop:
                p = self.para(d, number, "number")
                p.paragraph_format.right_indent = Mm(95)
            if vv:
                p = self.para(d, vv, "vv", after=6)
                p.paragraph_format.right_indent = Mm(95)
            if date:
                p = self.para(d, date, "date")
                p.paragraph_format.left_indent = Mm(70)

    def title(self):
        s, d = self.s, self.doc
        for mark in s.marks:
            self.para(d, mark, "mark")
        if s.is_cv:
            return
        if "type-name" not in s.drop:
            self.para(d, self.text("type-name", s.doc_type.upper()), "type-name", before=12)
        if s.second_title:
            self.para(d, s.second_title, "type-name")
        if "subject" not in s.drop:
            self.para(d, self.text("subject", s.subject[0].upper() + s.subject[1:]), "subject")
        self.rule_line(d, 16)

    def kinh_gui(self):
        s, d = self.s, self.doc
        if not (s.is_cv or s.doc_type in ("Tờ trình", "Báo cáo")) or not s.recipients:
            return
        if "kinh-gui" in s.text:
            for line in s.text["kinh-gui"].split("\n"):
                self.para(d, line, "kinh-gui", align="left", left_indent=20)
            return
        if len(s.recipients) == 1:
            self.para(d, f"Kính gửi: {s.recipients[0]}.", "kinh-gui")
        else:
            self.para(d, "Kính gửi:", "kinh-gui", align="left", left_indent=20)
            for i, r in enumerate(s.recipients):
                end = "." if i == len(s.recipients) - 1 else ";"
                self.para(d, f"- {r}{end}", "kinh-gui", align="left", left_indent=40)

    def body(self):
        s, d = self.s, self.doc
        extra = {"body-align": {"align": "left"}, "body-indent": {"indent": False},
                 "body-spacing": {"after": 0.01}, "line-spacing": {"line": 2.0},
                 "font": {}, "colour": {}}.get(s.extra, {})
        if s.can_cu:
            lines = ["Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
                     "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác "
                     "văn thư;",
                     "Theo đề nghị của Chánh Văn phòng Sở."]
            for line in lines:
                self.para(d, line, "can-cu")
            if s.doc_type == "Quyết định":
                self.para(d, "QUYẾT ĐỊNH:", "heading")
        if s.chapters:
            for n, (head, title) in enumerate((("Chương I", "QUY ĐỊNH CHUNG"),
                                               ("Chương II", "TỔ CHỨC THỰC HIỆN")), 1):
                self.para(d, head, "heading")
                self.para(d, title, "heading")
                self.para(d, f"Điều {n}. Phạm vi điều chỉnh và đối tượng áp dụng của văn bản này được quy "
                          "định cụ thể như sau đây.", "body", label_bold=not s.style.get("dieu"),
                          **s.style.get("dieu-line", {}))
                self.para(d, BODY[n], "body", **extra)
        elif s.doc_type == "Quyết định":
            for n in (1, 2, 3):
                self.para(d, f"Điều {n}. {BODY[n][3:]}", "body", label_bold=True, **extra)
        paras = BODY if not s.chapters else BODY[3:]
        for _ in range(s.pages):
            for i, text in enumerate(paras):
                look = dict(extra)
                if s.extra == "font" and i == 1:
                    look["font"] = "Arial"
                if s.extra == "colour" and i == 2:
                    look["color"] = "C00000"
                self.para(d, text, "body", **look)
        if s.lettered:
            self.para(d, LETTERED[0], "body")
            num_id = self._lettered_numbering()
            for text in LETTERED[1:]:
                p = self.para(d, text, "body")
                ppr = p._p.get_or_add_pPr()
                ppr.insert(0, parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/>'
                                        '</w:numPr>'))
        if s.landscape and not s.appendix:
            self._landscape_table()
        self.para(d, CLOSING, "body", **extra)

    def _lettered_numbering(self) -> int:
        numbering = self.doc.part.numbering_part.element
        abstract = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:multiLevelType w:val="singleLevel"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%1)"/>'
            '<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="0" w:firstLine="720"/></w:pPr></w:lvl>'
            '</w:abstractNum>')
        first_num = numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.append(abstract)
        numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
        return 90

    def _landscape_table(self):
        """A wide table on its own landscape page (the decree allows it), then portrait again."""
        d = self.doc
        self.para(d, "Kết quả rà soát tại các địa phương như bảng sau:", "body")
        d.add_section()
        self._page(d.sections[-1], landscape=True)
        self._data_table(d)
        d.add_section()
        self._page(d.sections[-1])

    def _data_table(self, container):
        cols = ["STT", "Đơn vị", "Số ổ dịch", "Số ca mắc", "Số đội phản ứng nhanh", "Kinh phí (triệu đồng)",
                "Ghi chú"]
        t = container.add_table(rows=3, cols=len(cols))
        t.style = container.part.document.styles["Table Grid"] if hasattr(container, "part") else None
        for r, row in enumerate([cols, ["1", "Huyện Bình Sơn", "2", "15", "3", "120", ""],
                                 ["2", "Huyện Sơn Tịnh", "1", "8", "2", "95", ""]]):
            for c, value in enumerate(row):
                cell = t.cell(r, c)
                p = cell.paragraphs[0]
                p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
                if value:
                    self.run(p, value, {"size": 13, "bold": r == 0})

    def footer(self):
        s, d = self.s, self.doc
        names = list(s.authority) if "authority" not in s.drop else []
        name = s.signer_name if "signer" not in s.drop else ""
        dist = [] if "noi-nhan" in s.drop else self.text("noi-nhan-list", None) or s.distribution
        if s.kind == "party":
            names = ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ THƯỜNG TRỰC"]
        if s.signature.startswith("table"):
            left, right = self.table(d, (80, 85))
            if dist:
                self.para(left, self.text("noi-nhan", "Nơi nhận:"), "noi-nhan")
                for line in dist:
                    self.para(left, line, "noi-nhan-list")
            for line in names:
                self.para(right, line, "authority")
            self.para(right, "(Đã ký)", "body", indent=False, align="center", after=0)
            self.para(right, "", "body", indent=False)
            if name:
                self.para(right, name, "signer")
            if s.signature == "table-contact":
                self.para(d, "", "contact")
                self.para(d, "Địa chỉ: 99 Lê Hữu Trác, thành phố Quảng Ngãi; ĐT: 0255.3822.000; "
                          "Email: vanphong.syt@quangngai.gov.vn", "contact")
            return
        # paragraphs: the signer block first, then Nơi nhận below it, then the drafter's mark
        for line in names:
            self.para(d, line, "authority", left_indent=80)
        self.para(d, "", "body", indent=False)
        self.para(d, "", "body", indent=False)
        if name:
            self.para(d, name, "signer", left_indent=80)
        if dist:
            self.para(d, self.text("noi-nhan", "Nơi nhận:"), "noi-nhan")
            for line in dist:
                self.para(d, line, "noi-nhan-list")
        self.para(d, "NVY.05b", "contact")

    def appendix(self, standalone=False):
        s, d = self.s, self.doc
        if not standalone:
            if s.landscape:
                d.add_section()
                self._page(d.sections[-1], landscape=True)
            else:
                d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        if "appendix" not in s.drop:
            self.para(d, self.text("appendix", "Phụ lục I"), "appendix")
        self.para(d, "TỔNG HỢP KẾT QUẢ RÀ SOÁT CÔNG TÁC PHÒNG, CHỐNG DỊCH", "appendix-title")
        if "appendix-ref" not in s.drop:
            ref = (f"(Kèm theo {s.doc_type} số {s.number}/{ABBR.get(s.doc_type, s.symbol)}-{s.symbol} "
                   "ngày 05 tháng 3 năm 2026 của Sở Y tế)")
            self.para(d, ref, "appendix-ref")
        self.rule_line(d, 12)
        self._data_table(d)

    def copy_block(self):
        s, d = self.s, self.doc
        p = d.add_paragraph()
        ppr = p._p.get_or_add_pPr()
        ppr.append(parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="8" w:space="1" '
                             'w:color="000000"/></w:pBdr>'))
        left, right = self.table(d, (70, 95))
        abbr = {"SAO Y": "SY", "SAO LỤC": "SL", "TRÍCH SAO": "TrS"}[s.copy_form]
        self.para(left, "UBND TỈNH QUẢNG NGÃI", "parent")
        self.para(left, "VĂN PHÒNG", "issuer")
        self.rule_line(left, 8)
        self.para(left, self.text("copy-number", f"Số: 03/{abbr}-VP"), "number")
        self.para(right, self.text("copy-form", s.copy_form), "copy-form")
        self.para(right, "Quảng Ngãi, ngày 10 tháng 3 năm 2026", "date")
        left, right = self.table(d, (80, 85))
        self.para(left, "Nơi nhận:", "noi-nhan")
        for line in ("- Các phòng chuyên môn;", "- Lưu: VT."):
            self.para(left, line, "noi-nhan-list")
        for line in ("TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG"):
            self.para(right, line, "authority", **s.style.get("copy-authority", {}))
        self.para(right, "", "body", indent=False)
        self.para(right, "Trần Thị Mai", "signer")

    def page_numbers(self):
        s = self.s
        where = s.page.get("numbers", "header")
        if where == "none":
            return
        for section in self.doc.sections:
            section.different_first_page_header_footer = where != "first"
            part = section.footer if where == "footer" else section.header
            p = part.paragraphs[0]
            p.paragraph_format.alignment = ALIGN[s.page.get("number_align", "center")]
            r = p.add_run()
            r.font.size = Pt(s.page.get("number_size", 13))
            for xml in ('<w:fldChar %s w:fldCharType="begin"/>',
                        '<w:instrText %s xml:space="preserve"> PAGE </w:instrText>',
                        '<w:fldChar %s w:fldCharType="end"/>'):
                r._element.append(parse_xml(xml % nsdecls("w")))


def _br():
    return OxmlElement("w:br")


# ---------------------------------------------------------------------------- the fixture set

def specs() -> list[Spec]:
    out = []
    # Every Appendix III type, compliant; a third of them saved through LibreOffice.
    for i, (title, abbr) in enumerate(TYPES):
        subj = {"Giấy mời": "họp triển khai công tác phòng, chống dịch năm 2026",
                "Giấy giới thiệu": "", "Giấy nghỉ phép": "", "Phiếu gửi": "", "Phiếu chuyển": "",
                "Phiếu báo": ""}.get(title, "về tăng cường công tác phòng, chống dịch sốt xuất huyết năm 2026")
        spec = Spec(f"type_{i + 1:02d}_{abbr}", doc_type=title, subject=subj or "x", lo=i % 3 == 2,
                    recipients=["Ủy ban nhân dân tỉnh Quảng Ngãi"])
        if not subj:
            spec.drop.add("subject")
        if title == "Quyết định":
            spec.can_cu = True
            spec.authority = ["GIÁM ĐỐC"]
        if title in ("Quy chế", "Quy định"):
            spec.chapters = True
        if title == "Kế hoạch":
            spec.lettered = True
        out.append(spec)
    out += [
        Spec("cv_plain"),
        Spec("cv_lo", lo=True, recipients=["Ủy ban nhân dân các huyện", "Trung tâm Kiểm soát bệnh tật tỉnh"]),
        Spec("cv_header_below", header="below"),
        Spec("cv_header_below_lo", header="below", lo=True),
        Spec("cv_header_below_stack", header="below-stack"),
        Spec("kh_header_below", doc_type="Kế hoạch", header="below-stack", subject="kiểm tra công tác y tế"),
        Spec("cv_sign_paras", signature="paras"),
        Spec("cv_sign_paras_lo", signature="paras", lo=True),
        Spec("cv_contact_line", signature="table-contact"),
        Spec("tb_khan", doc_type="Thông báo", marks=["KHẨN"], subject="lịch trực phòng, chống dịch"),
        Spec("kh_mat", doc_type="Kế hoạch", marks=["MẬT"], subject="bảo vệ bí mật nhà nước năm 2026"),
        Spec("hd_noibo", doc_type="Hướng dẫn", marks=["HỎA TỐC", "LƯU HÀNH NỘI BỘ"], lo=True,
             subject="quy trình xử lý ổ dịch"),
        Spec("bc_toi_mat", doc_type="Báo cáo", marks=["TỐI MẬT"], subject="kết quả công tác quý I năm 2026"),
        Spec("tb_uncentred_subject", doc_type="Thông báo", style={"subject": {"align": "left"}},
             faults=["align.subject"], subject="kết luận của Giám đốc Sở tại cuộc họp giao ban"),
        Spec("qd_vedviec", doc_type="Quyết định", can_cu=True, authority=["GIÁM ĐỐC"],
             subject="Về việc ban hành Quy chế làm việc của Sở Y tế"),
        Spec("kh_appendix", doc_type="Kế hoạch", appendix=True, subject="kiểm tra công tác phòng, chống dịch"),
        Spec("kh_appendix_landscape", doc_type="Kế hoạch", appendix=True, landscape=True, lo=True,
             subject="tổng hợp số liệu dịch bệnh năm 2026"),
        Spec("appendix_only", doc_type="Kế hoạch", kind="appendix", subject="x"),
        Spec("appendix_only_noref", doc_type="Kế hoạch", kind="appendix", subject="x", drop={"appendix-ref"},
             faults=["appendix"]),
        Spec("copy_sao_y", doc_type="Quyết định", kind="copy", copy_form="SAO Y", can_cu=True,
             authority=["GIÁM ĐỐC"], subject="ban hành Quy chế làm việc"),
        Spec("copy_sao_luc", kind="copy", copy_form="SAO LỤC", lo=True),
        Spec("copy_trich_sao", doc_type="Thông báo", kind="copy", copy_form="TRÍCH SAO",
             subject="kết luận giao ban tháng 3", style={"copy-authority": {"bold": False}},
             faults=["bold.authority"]),
        Spec("party_cv", kind="party", parent="ĐẢNG BỘ TỈNH QUẢNG NGÃI", issuer="TỈNH ỦY", symbol="TU",
             subject="lãnh đạo công tác phòng, chống dịch", number="125",
             place_date="Quảng Ngãi, ngày 5 tháng 3 năm 2026"),
        Spec("party_cv_lo", kind="party", parent="ĐẢNG BỘ TỈNH QUẢNG NGÃI", issuer="TỈNH ỦY", symbol="TU",
             subject="tổng kết công tác năm", number="126", lo=True, signature="paras"),
        Spec("cv_landscape_table", landscape=True),
        Spec("cv_landscape_bad_margins", landscape=True, page={"landscape_margins": {"left": 10, "right": 10}},
             faults=["margins"]),
        Spec("cv_lettered", lettered=True),
        Spec("cv_docm", ext="docm"),
        Spec("cv_entity", entity=True),
        Spec("cv_long", pages=4, lo=True),
        # faults in the header
        Spec("f_header_sizes", style={"parent": {"size": 14}, "issuer": {"size": 14}},
             faults=["size.parent", "size.issuer"]),
        Spec("f_issuer_plain", style={"issuer": {"bold": False}, "parent": {"bold": True}},
             faults=["bold.issuer", "bold.parent"], lo=True),
        Spec("f_header_uncentred", style={"issuer": {"align": "left"}, "quoc-hieu": {"align": "left"},
                                          "date": {"align": "right"}},
             faults=["align.issuer", "align.quoc-hieu", "align.date"]),
        Spec("f_header_spacing", style={"quoc-hieu": {"line": 1.5}, "tieu-ngu": {"line": 1.5}},
             faults=["header.spacing"]),
        Spec("f_number_date", number="7", place_date="Quảng Ngãi ngày 5 tháng 3 năm 2026",
             faults=["number", "date"]),
        Spec("f_below_number_date", header="below", number="7", place_date="Quảng Ngãi, ngày 5 tháng 1 năm 2026",
             faults=["number", "date"]),
        Spec("f_tieu_ngu_motto", text={"tieu-ngu": "Độc lập-Tự do-Hạnh phúc"}, style={"quoc-hieu": {"size": 14}},
             faults=["tieu-ngu", "size.quoc-hieu"]),
        Spec("f_vv_missing", drop={"vv"}, faults=["presence"]),
        Spec("f_vv_form", text={"vv": "Về tăng cường phòng, chống dịch"}, style={"vv": {"size": 14}},
             faults=["vv", "size.vv"]),
        Spec("f_order", extra="order", faults=["order"]),
        Spec("f_date_plain", style={"date": {"italic": False}}, faults=["italic.date"], lo=True),
        # the title
        Spec("f_subject_plain", doc_type="Kế hoạch", subject="kiểm tra công tác văn thư",
             style={"subject": {"bold": False}, "type-name": {"size": 16}},
             faults=["bold.subject", "size.type-name"]),
        Spec("f_two_titles", doc_type="Thông báo", second_title="KẾ HOẠCH", subject="lịch làm việc",
             faults=["type-name"]),
        Spec("f_abbr", doc_type="Kế hoạch", subject="tập huấn", text={"number": "Số: 12/TB-SYT"},
             faults=["number"]),
        # the body
        Spec("f_can_cu", doc_type="Quyết định", can_cu=True, authority=["GIÁM ĐỐC"], subject="ban hành quy chế",
             style={"can-cu": {"italic": False}}, faults=["italic.can-cu"]),
        Spec("f_headings", doc_type="Quy chế", chapters=True, subject="làm việc của Sở Y tế",
             style={"heading": {"bold": False}}, faults=["bold.heading"]),
        Spec("f_dieu", doc_type="Quy định", chapters=True, subject="quản lý văn bản", style={"dieu": True},
             faults=["bold.heading"]),
        Spec("f_body_align", extra="body-align", faults=["body.align"]),
        Spec("f_body_indent_lo", extra="body-indent", faults=["body.indent"], lo=True),
        Spec("f_body_spacing", extra="body-spacing", faults=["body.spacing"]),
        Spec("f_line_spacing", extra="line-spacing", faults=["body.line-spacing"]),
        Spec("f_font_colour", extra="font", faults=["font"]),
        Spec("f_colour", extra="colour", faults=["color"]),
        Spec("f_kinh_gui", recipients=["Sở Tài chính", "Sở Nội vụ"],
             text={"kinh-gui": "Kính gửi:\n- Sở Tài chính\n- Sở Nội vụ"}, faults=["kinh-gui"]),
        # the footer
        Spec("f_authority_plain", style={"authority": {"bold": False}, "signer": {"bold": False}},
             faults=["bold.authority", "bold.signer"]),
        Spec("f_authority_prefix", authority=["KT GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"], faults=["authority"]),
        Spec("f_deputy", authority=["PHÓ GIÁM ĐỐC"], signature="paras", faults=["authority"]),
        Spec("f_noi_nhan", distribution=["- Như trên;", "- Giám đốc Sở"], style={"noi-nhan": {"italic": False}},
             faults=["noi-nhan", "italic.noi-nhan"]),
        Spec("f_noi_nhan_sizes_lo", style={"noi-nhan-list": {"size": 13}, "signer": {"size": 12}},
             faults=["size.noi-nhan-list", "size.signer"], lo=True),
        Spec("f_no_signer", drop={"signer"}, faults=["presence"]),
        Spec("f_sign_paras_noi_nhan", signature="paras", distribution=["- Như trên;", "- Lưu VT"],
             faults=["noi-nhan"]),
        # the page
        Spec("f_margins_paper", page={"margins": {"left": 25, "top": 15}, "paper": (216, 279)},
             faults=["margins", "paper"]),
        Spec("f_page_numbers_footer", pages=4, page={"numbers": "footer"}, faults=["page-numbers"]),
        Spec("f_page_number_first", pages=4, page={"numbers": "first"}, faults=["page-numbers"], lo=True),
        Spec("f_margins_lo", page={"margins": {"right": 25}}, faults=["margins"], lo=True),
        # marks, appendices, copies, case
        Spec("f_secrecy_plain", doc_type="Kế hoạch", marks=["MẬT"], subject="bảo vệ bí mật nhà nước",
             style={"mark": {"bold": False}}, faults=["bold.secrecy"]),
        Spec("f_urgency_size_lo", doc_type="Thông báo", marks=["HỎA TỐC"], subject="lịch trực", lo=True,
             style={"mark": {"size": 11}}, faults=["size.urgency"]),
        Spec("f_appendix_label", doc_type="Kế hoạch", appendix=True, subject="kiểm tra công tác y tế",
             style={"appendix": {"bold": False}, "appendix-ref": {"italic": False}},
             faults=["bold.appendix", "italic.appendix-ref"]),
        Spec("f_copy_abbreviation", kind="copy", copy_form="SAO LỤC", text={"copy-number": "Số: 03/SY-VP"},
             faults=["number"]),
        Spec("f_copy_form_lo", doc_type="Quyết định", kind="copy", copy_form="SAO Y", can_cu=True, lo=True,
             authority=["GIÁM ĐỐC"], subject="ban hành quy chế", style={"copy-form": {"bold": False, "size": 12}},
             faults=["bold.copy-form", "size.copy-form"]),
        Spec("f_issuer_case", text={"issuer": "Sở Y tế"}, faults=["case.issuer"]),
    ]
    return out


def layout_variants() -> list[Spec]:
    """Every fault fixture again with the header below its table (tab-set or stacked) and the signer
    block as paragraphs before Nơi nhận: the same faults in layouts they were not written in.
    Built in memory (python-docx only) by `bench/check_eval.py --layouts`. A fault that only the
    header table shows (the date aligned in its cell, the date above the motto) is not in the others."""
    out = []
    for base in specs():
        if not base.faults or base.header != "table" or base.kind != "document":
            continue
        for header in ("table", "below", "below-stack"):
            for signature in ("table", "paras"):
                if (header, signature) == ("table", base.signature):
                    continue
                spec = copy.deepcopy(base)
                spec.name = f"{base.name}+{header}+{signature}"
                spec.header, spec.signature, spec.lo = header, signature, False
                if header != "table":
                    spec.faults = [f for f in spec.faults if f not in ("align.date", "order")]
                out.append(spec)
    return out


def kind_and_type(spec: Spec) -> tuple[str, str]:
    if spec.kind == "appendix" and "appendix-ref" in spec.drop:
        return spec.kind, ""  # only the reference line names the document an appendix belongs to
    return spec.kind, spec.doc_type


# ---------------------------------------------------------------------------- writing

def _with_entity(data: bytes) -> bytes:
    """document.xml declares an internal entity and uses it in a paragraph (some generators do)."""
    return _rewrite(data, "word/document.xml", lambda xml: _add_entity(xml))


def _add_entity(xml: str) -> str:
    xml = xml.replace("?>", '?>\n<!DOCTYPE w:document [<!ENTITY soyte "Sở Y tế tỉnh Quảng Ngãi">]>', 1)
    return xml.replace(">Thực hiện chỉ đạo", ">&soyte; thực hiện chỉ đạo", 1)


def _as_docm(data: bytes) -> bytes:
    return _rewrite(data, "[Content_Types].xml", lambda xml: xml.replace(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml"))


def _rewrite(data: bytes, member: str, change) -> bytes:
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == member:
                content = change(content.decode("utf-8")).encode("utf-8")
            dst.writestr(info, content)
    return out.getvalue()


def through_libreoffice(paths: list[Path]) -> None:
    """Open and save each file in LibreOffice Writer (as a DOCX), in place."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        sys.exit("soffice is not installed: apt-get install libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        outdir = Path(tmp) / "out"
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
               "docx:MS Word 2007 XML", "--outdir", str(outdir)] + [str(p) for p in paths]
        subprocess.run(cmd, check=True, capture_output=True, timeout=600)
        for p in paths:
            converted = outdir / p.name
            if not converted.exists():
                sys.exit(f"LibreOffice did not convert {p.name}")
            shutil.copyfile(converted, p)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.doc[xm]"):
        old.unlink()
    gold, via_lo = {}, []
    for spec in specs():
        buf = io.BytesIO()
        Builder(spec).build().save(buf)
        data = buf.getvalue()
        if spec.entity:
            data = _with_entity(data)
        if spec.ext == "docm":
            data = _as_docm(data)
        path = OUT / f"{spec.name}.{spec.ext}"
        path.write_bytes(data)
        if spec.lo:
            via_lo.append(path)
        kind, doc_type = kind_and_type(spec)
        gold[path.name] = {"kind": kind, "type": doc_type, "producer": "libreoffice" if spec.lo else "python-docx",
                           "faults": sorted(spec.faults)}
    if via_lo:
        through_libreoffice(via_lo)
    (HERE / "gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                    encoding="utf-8")
    print(f"{len(gold)} files ({len(via_lo)} through LibreOffice) in {OUT}")


if __name__ == "__main__":
    main()
