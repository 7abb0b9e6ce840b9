"""`congvan fix`: rewrite what Decree 30/2020/NĐ-CP fixes in a draft, keep every character of
its text, and say in Vietnamese what was changed.

What is rewritten: paper (A4) and margins of every section; Times New Roman in every font slot
of every run with text (TCVN3/VNI text written out in Unicode, so the same letters print), black text; the size, bold and italic of each component Appendix I
prints a fixed way (header, type name and trích yếu, Kính gửi, căn cứ, headings, the signer,
Nơi nhận); centring and single spacing of the header items; body paragraphs justified, with a
1.27 cm first-line indent, 6 pt between paragraphs and line spacing from single to 1.5 lines;
the date's leading zeros (the only text change: a "0" put before a day below 10 or month 1–2);
page numbers centred in the top margin from page 2.

What is refused, with the reason: tracked changes (accepting or rejecting them is a person's
decision), protected documents, digitally signed documents (any change breaks the signature),
Party documents (not governed by Decree 30). What cannot be fixed without rewording (a missing
component, the text of "Số:", Kính gửi or Nơi nhận, upper case) is left for a person and
`congvan check` still reports it.
"""
from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass

from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm

from ..legacy import convert_legacy, legacy_font_encoding
from .body import _checked_body, _gap, _indent_problem, _is_heading, _line_spacing_problem
from .components import Layout, document_kind, find_layout
from .document import CheckError, open_docx, read_document
from .formatting import FONT_SLOTS
from .ooxml import PPR, R, RPR, T, _w
from .page import MARGIN_LIMITS, _landscape_limits, _page_field_paras
from .rules import CENTRED, LOOKS
from .texts import DATE_FORM

FONT = "Times New Roman"
NAMES = {  # what each component is called in the list of changes
    "quoc-hieu": "Quốc hiệu", "tieu-ngu": "Tiêu ngữ", "parent": "tên cơ quan chủ quản",
    "issuer": "tên cơ quan ban hành", "urgency": "mức độ khẩn", "secrecy": "độ mật",
    "circulation": "chỉ dẫn phạm vi lưu hành", "copy-form": "hình thức sao", "number": "số, ký hiệu",
    "date": "địa danh và thời gian", "vv": "trích yếu công văn (V/v)", "type-name": "tên loại",
    "subject": "trích yếu", "kinh-gui": "Kính gửi", "authority": "quyền hạn, chức vụ người ký",
    "signer": "họ tên người ký", "noi-nhan": "\"Nơi nhận:\"", "noi-nhan-list": "danh sách nơi nhận",
    "appendix": "nhãn \"Phụ lục\"", "appendix-title": "tên phụ lục", "appendix-ref": "dòng \"Kèm theo …\" của phụ lục",
    "can-cu": "căn cứ ban hành", "heading": "tiêu đề phần, chương, mục", "article": "nhãn \"Điều …\"",
}


class FixRefused(CheckError):
    """A document `fix` will not touch, with the reason."""


@dataclass
class FixResult:
    changes: list[str]  # in Vietnamese, one line per change
    data: bytes  # the fixed DOCX


def fix_docx(source) -> FixResult:
    """Fix a DOCX (path or bytes); refuse (FixRefused) what cannot be touched safely."""
    document = open_docx(source)
    _refuse_unsafe(document)
    doc = read_document(document)
    kind = document_kind(doc.lines)
    if kind == "party":
        raise FixRefused("văn bản của Đảng (ĐẢNG CỘNG SẢN VIỆT NAM) trình bày theo Hướng dẫn 36-HD/VPTW, không "
                         "theo Nghị định 30/2020/NĐ-CP: không sửa")
    before = [p.text for p in doc.paras]
    lay = find_layout(doc)
    fixer = _Fixer()
    fixer.page(document)
    fixer.fonts(document, doc)
    fixer.components(lay)
    if lay.copy is not None:
        fixer.components(lay.copy)
    fixer.body(lay, doc)
    fixer.date(lay)
    fixer.page_numbers(document, doc)
    fixer.macros(document)
    out = io.BytesIO()
    document.save(out)
    after = _texts(open_docx(out.getvalue()))
    _same_text(before, after, fixer.zeros)
    return FixResult(fixer.changes, out.getvalue())


# -- refusing

def _refuse_unsafe(document) -> None:
    body = document.element.body
    tracked = [el for tag in ("ins", "del", "moveFrom", "moveTo") for el in body.iter(_w(tag))]
    tracked += list(body.iter(_w("rPrChange"))) + list(body.iter(_w("pPrChange")))
    if tracked:
        raise FixRefused(f"văn bản còn {len(tracked)} thay đổi được theo dõi (Track Changes) chưa chấp nhận hay từ "
                         "chối: hãy xử lý chúng trong Word (Review → Accept/Reject) rồi chạy lại")
    settings = document.settings.element
    for tag in ("documentProtection", "writeProtection"):
        el = settings.find(_w(tag))
        if el is not None and (tag == "writeProtection" or el.get(_w("enforcement")) in ("1", "true", "on")):
            raise FixRefused("văn bản đang được bảo vệ (Protect Document / Restrict Editing): hãy bỏ bảo vệ rồi "
                             "chạy lại")
    for part in document.part.package.iter_parts():
        name = str(part.partname)
        if name.startswith("/_xmlsignatures/") or "digital-signature" in part.content_type:
            raise FixRefused("văn bản đã được ký số: mọi thay đổi sẽ làm mất hiệu lực chữ ký; hãy sửa bản "
                             "chưa ký rồi ký lại")


# -- keeping the text

def _texts(document) -> list[str]:
    """The printed text of every paragraph of the body, in order (what `fix` promises to keep):
    legacy TCVN3/VNI bytes read through their font, as a reader sees them."""
    return [p.text for p in read_document(document).paras]


def _same_text(before: list[str], after: list[str], zeros: dict[str, str]) -> None:
    if len(before) != len(after):
        raise CheckError(f"internal error: the fix changed the number of paragraphs ({len(before)} → {len(after)}); "
                         "nothing was written")
    for old, new in zip(before, after):
        if old != new and zeros.get(old) != new:
            raise CheckError(f"internal error: the fix changed the text of \"{old[:60]}\"; nothing was written")


# -- the fixes

class _Fixer:
    def __init__(self):
        self.changes: list[str] = []
        self.zeros: dict[str, str] = {}  # paragraph text before → after the date's leading zeros

    def note(self, text: str) -> None:
        if text not in self.changes:
            self.changes.append(text)

    def macros(self, document) -> None:
        """The fixed file is a .docx, which holds no macros: a .docm's macro project is left out."""
        for rid, rel in list(document.part.rels.items()):
            if rel.reltype.endswith("/vbaProject"):
                document.part.drop_rel(rid)
                self.note("Bỏ macro (VBA) của tệp .docm: tệp đã sửa là .docx, không chứa macro")

    # page

    def page(self, document) -> None:
        for number, section in enumerate(document.sections, 1):
            w, h = section.page_width, section.page_height
            landscape = bool(w and h and w > h)
            want = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
            if w is None or h is None or abs(w.mm - want[0].mm) > 1 or abs(h.mm - want[1].mm) > 1:
                shown = f"{w.mm:.0f} × {h.mm:.0f} mm" if w and h else "chưa đặt"
                section.page_width, section.page_height = want
                section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
                self.note(f"Khổ giấy (phần {number}): {shown} → A4 210 × 297 mm")
            limits = _landscape_limits(section) if landscape else MARGIN_LIMITS
            moved = []
            for side, (lo, hi) in limits.items():
                value = getattr(section, f"{side}_margin")
                mm = abs(value.mm) if value is not None else None
                if side == "left" and mm is not None and section.gutter:
                    mm += section.gutter.mm
                if mm is None or not lo - 0.05 <= round(mm, 1) <= hi + 0.05:
                    target = lo if mm is None or mm < lo else hi
                    if side == "left" and section.gutter:
                        section.gutter = Mm(0)
                    setattr(section, f"{side}_margin", Mm(target))
                    moved.append(f"{VI_SIDES[side]} {'chưa đặt' if mm is None else f'{mm:.0f}'} → {target} mm")
            if moved:
                self.note(f"Lề trang (phần {number}): " + "; ".join(moved))

    # fonts and colour

    def fonts(self, document, doc) -> None:
        """Times New Roman and black on every run with text whose font or colour is another, as
        set on the run or inherited from its style."""
        runs, legacy, coloured = set(), set(), set()
        paras = doc.paras + [p for h in doc.headers for p in h.paras]
        for para in paras:
            for line in para.lines:
                for piece in line.pieces:
                    r = piece.run
                    if r is None:
                        continue
                    names = {piece.look.get("font." + slot) for slot in FONT_SLOTS} - {None}
                    encoding = next((legacy_font_encoding(n) for n in names if legacy_font_encoding(n)), None)
                    if encoding and id(r) not in runs:
                        # TCVN3/VNI bytes shown by a .VnTime/VNI font: written out in Unicode, so the
                        # same letters print in Times New Roman
                        for t in r.iter(T):
                            if t.text and t.text.strip():
                                text = convert_legacy(t.text, encoding[0])
                                t.text = text.upper() if encoding[1] else text
                        legacy |= names
                        _set_fonts(_child(_rpr(r), "rFonts", RPR_ORDER))
                        runs.add(id(r))
                        continue
                    if any(n.strip().lower() != FONT.lower() for n in names) and id(r) not in runs:
                        _set_fonts(_child(_rpr(r), "rFonts", RPR_ORDER))
                        runs.add(id(r))
                    color = piece.look.get("color")
                    if color and not _black_value(color) and id(r) not in coloured:
                        el = _child(_rpr(r), "color", RPR_ORDER)
                        for attr in list(el.attrib):
                            del el.attrib[attr]
                        el.set(_w("val"), "000000")
                        coloured.add(id(r))
        if runs:
            self.note(f"Phông chữ: {len(runs)} đoạn chữ chuyển sang Times New Roman")
        if coloured:
            self.note(f"Màu chữ: {len(coloured)} đoạn chữ chuyển sang màu đen")
        if legacy:
            self.note(f"Chuyển mã chữ gõ bằng phông {', '.join(sorted(legacy))} (TCVN3/VNI) sang Unicode, phông "
                      "Times New Roman: chữ in ra giữ nguyên")

    # components

    def components(self, lay: Layout) -> None:
        for key, lines in lay.styled_components():
            self.look(key, lines)
        for key in CENTRED:
            for line in getattr(lay, key.replace("-", "_")):
                if "\t" in line.para.text or (key in ("number", "date", "vv") and not line.para.in_table):
                    continue
                if line.para.props.get("align") != "center":
                    _set_align(line.para.element, "center")
                    self.note(f"Căn giữa {NAMES[key]}")
        for line in lay.quoc_hieu + lay.tieu_ngu + lay.parent + lay.issuer:
            value = line.para.props.get("line")
            if value and (value[1] == "auto" and value[0] > 252 or value[1] != "auto" and value[0] / 20 > 18):
                _set_line(line.para.element, 240, "auto")
                self.note(f"Giãn dòng đơn trong khối {NAMES['quoc-hieu'] if line in lay.quoc_hieu + lay.tieu_ngu else NAMES['issuer']}")
        for para in lay.can_cu:
            if _force(para.lines, "italic", True):
                self.note("In nghiêng căn cứ ban hành")
        if _force(lay.headings, "bold", True):
            self.note("In đậm tiêu đề phần, chương, mục")
        for line in lay.headings:
            if line.para.props.get("align") != "center":
                _set_align(line.para.element, "center")
                self.note("Căn giữa tiêu đề phần, chương, mục")
        for line in lay.articles:
            if _bold_label(line):
                self.note("In đậm nhãn \"Điều …\"")
        for appendix in lay.appendices:
            self.look("appendix", [appendix.label])
            self.look("appendix-title", appendix.title)
            if appendix.reference is not None:
                self.look("appendix-ref", [appendix.reference])

    def look(self, key: str, lines) -> None:
        look = LOOKS[key]
        lo, hi = look.sizes
        for line in lines:
            for piece in line.pieces:
                size = piece.look.get("size") or 10.0
                if not lo <= size <= hi and piece.run is not None:
                    target = lo if size < lo else hi
                    _set_size(piece.run, target)
                    self.note(f"Cỡ chữ {NAMES[key]}: {size:g} → {target:g}")
        for attr, word in (("bold", ("in đậm", "bỏ in đậm")), ("italic", ("in nghiêng", "bỏ in nghiêng"))):
            wanted = getattr(look, attr)
            if wanted is not None and _force(lines, attr, wanted):
                self.note(f"{(word[0] if wanted else word[1]).capitalize()} {NAMES[key]}")

    # body

    def body(self, lay: Layout, doc) -> None:
        paras = _checked_body(lay)
        counts = {"size": 0, "align": 0, "indent": 0, "line": 0, "gap": 0}
        for para in paras:
            sizes = sorted({p.look.get("size") or 10.0 for ln in para.lines for p in ln.pieces})
            for line in para.lines:
                for piece in line.pieces:
                    size = piece.look.get("size") or 10.0
                    if not 13 <= size <= 14 and piece.run is not None:
                        _set_size(piece.run, 13 if size < 13 else 14)
                        counts["size"] += 1
            size = max(sizes) if sizes else 14
            if _line_spacing_problem(para, size):
                _set_line(para.element, 240, "auto")
                counts["line"] += 1
            if _is_heading(para):
                continue
            if (para.props.get("align") or "left") not in ("both", "distribute") and len(para.text.strip()) >= 50:
                _set_align(para.element, "both")
                counts["align"] += 1
            if _indent_problem(para, doc.default_tab, size) and not para.text.startswith("\t"):
                _set_first_line(para.element, 720)
                counts["indent"] += 1
        for before, after in zip(paras, paras[1:]):
            if after.index == before.index + 1 and _gap(before, after) < 6:
                _set_after(before.element, 120)
                counts["gap"] += 1
        words = {"size": "cỡ chữ nội dung 13–14", "align": "căn đều hai lề", "indent": "thụt đầu dòng 1,27 cm",
                 "line": "giãn dòng đơn", "gap": "cách đoạn 6 pt"}
        for key, count in counts.items():
            if count:
                self.note(f"Nội dung: {words[key]} ({count} đoạn)")

    # the date

    def date(self, lay: Layout) -> None:
        for line in lay.date + (lay.copy.date if lay.copy is not None else []):
            form = DATE_FORM.match(line.text.rstrip("."))
            if form is None:
                continue
            day, month = form.group("d"), form.group("m")
            need_day = bool(day) and len(day) == 1 and day != "0"
            need_month = bool(month) and len(month) == 1 and month in ("1", "2")
            if not (need_day or need_month):
                continue
            pattern = re.compile(r"(ngày[\s.…_]*)(\d{1,2})([\s.…_]*tháng[\s.…_]*)(\d{1,2})", re.I)
            if _pad_date(line.para.element, pattern, need_day, need_month):
                self.zeros[line.para.text] = pattern.sub(
                    lambda m: m.group(1) + (m.group(2).zfill(2) if need_day else m.group(2)) + m.group(3)
                    + (m.group(4).zfill(2) if need_month else m.group(4)), line.para.text, count=1)
                shown = f"ngày {int(day):02d} tháng {int(month):02d}" if need_month else f"ngày {int(day):02d}"
                self.note(f"Ngày tháng: thêm số 0 ở đầu ({shown}) — \"{line.text}\"")

    # page numbers

    def page_numbers(self, document, doc) -> None:
        from .document import PageHeader

        for header in doc.headers:
            if header.kind == "footer" and _page_field_paras(header):
                for p, _ in _page_field_paras(header):
                    _remove_page_field(p)
                self.note("Số trang: bỏ khỏi chân trang (số trang đặt ở giữa lề trên)")
        for header in doc.headers:
            if header.kind != "header":
                continue
            for p, _ in _page_field_paras(header):
                para = next((x for x in header.paras if x.element is p), None)
                if _align_of(p) != "center" and (para is None or para.props.get("align") != "center"):
                    _set_align(p, "center")
                    self.note("Số trang: căn giữa")
                pieces = [piece for line in (para.lines if para else []) for piece in line.pieces]
                for piece in pieces:
                    size = piece.look.get("size")
                    if size and not 13 <= size <= 14 and piece.run is not None:
                        _set_size(piece.run, 13)
                        self.note(f"Số trang: cỡ chữ {size:g} → 13")
                if _force([_PieceLine(pieces)], "italic", False):
                    self.note("Số trang: chữ đứng, không nghiêng")
        for number, section in enumerate(document.sections, 1):
            if number == 1 and not section.different_first_page_header_footer:
                section.different_first_page_header_footer = True
                self.note("Số trang: không hiện ở trang 1")
            if number > 1 and section.header.is_linked_to_previous:
                continue
            header = section.header
            if not _page_field_paras(PageHeader(number, "header", "default", [], header._element)):
                first = header.paragraphs[0] if header.paragraphs else None
                p = first if first is not None and not first.text.strip() else header.add_paragraph()
                _add_page_field(p._p)
                self.note(f"Số trang: thêm số trang ở giữa lề trên, cỡ 13, từ trang 2 (phần {number})")


@dataclass
class _PieceLine:
    pieces: list


VI_SIDES = {"top": "trên", "bottom": "dưới", "left": "trái", "right": "phải"}


# -- XML helpers

def _rpr(r):
    rpr = r.find(RPR)
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        r.insert(0, rpr)
    return rpr


def _ppr(p):
    ppr = p.find(PPR)
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        p.insert(0, ppr)
    return ppr


# Schema order of w:rPr and w:pPr children (ECMA-376 §17.3.2.28, §17.3.1.26), for inserting.
RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
             "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w",
             "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign",
             "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"]
PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
             "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
             "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
             "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
             "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"]


def _child(parent, tag: str, order: list[str]):
    el = parent.find(_w(tag))
    if el is not None:
        return el
    el = OxmlElement(f"w:{tag}")
    rank = order.index(tag)
    for i, child in enumerate(parent):
        name = child.tag.split("}")[-1]
        if name in order and order.index(name) > rank:
            child.addprevious(el)
            return el
    parent.append(el)
    return el


def _set_fonts(fonts) -> bool:
    changed = False
    for slot, theme in (("ascii", "asciiTheme"), ("hAnsi", "hAnsiTheme"), ("eastAsia", "eastAsiaTheme"),
                        ("cs", "cstheme")):
        if fonts.get(_w(theme)) is not None:
            del fonts.attrib[_w(theme)]
            changed = True
        if fonts.get(_w(slot)) != FONT:
            fonts.set(_w(slot), FONT)
            changed = True
    return changed


def _style_rpr(document):
    """The w:rPr of the document defaults and of every style."""
    styles = document.styles.element
    defaults = styles.find(f"{_w('docDefaults')}/{_w('rPrDefault')}")
    if defaults is not None:
        rpr = defaults.find(RPR)
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            defaults.append(rpr)
        yield rpr
    for style in styles.findall(_w("style")):
        rpr = style.find(RPR)
        if rpr is not None and rpr.find(_w("rFonts")) is not None:
            yield rpr


def _black_value(color) -> bool:
    value, theme = color
    if theme:
        return theme in ("text1", "dark1")
    return (value or "auto").lower() in ("auto", "000000")


def _set_size(r, points: float) -> None:
    rpr = _rpr(r)
    for tag in ("sz", "szCs"):
        _child(rpr, tag, RPR_ORDER).set(_w("val"), str(int(round(points * 2))))


def _set_toggle(r, attr: str, on: bool) -> None:
    rpr = _rpr(r)
    for tag in ("b", "bCs") if attr == "bold" else ("i", "iCs"):
        el = _child(rpr, tag, RPR_ORDER)
        if on:
            el.attrib.pop(_w("val"), None)
        else:
            el.set(_w("val"), "0")


def _force(lines, attr: str, wanted: bool) -> bool:
    changed = False
    for line in lines:
        for piece in line.pieces:
            if bool(piece.look.get(attr)) != wanted and piece.run is not None:
                _set_toggle(piece.run, attr, wanted)
                piece.look[attr] = wanted
                changed = True
    return changed


def _bold_label(line) -> bool:
    """Bold the "Điều 1." label; a run holding the label and more text is split in two."""
    from .recognise import ARTICLE

    end = ARTICLE.match(line.text).end()
    done, changed = 0, False
    for piece in line.pieces:
        if done >= end or piece.run is None:
            break
        text = piece.text
        take = len(text) if done + len(text.lstrip() if not done else text) <= end else end - done
        if not piece.look.get("bold"):
            run = piece.run
            if take < len(text) and len(run.findall(T)) == 1:
                tail = copy.deepcopy(run)
                run.find(T).text, tail.find(T).text = text[:take], text[take:]
                for t in (run.find(T), tail.find(T)):
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                run.addnext(tail)
            _set_toggle(run, "bold", True)
            piece.look["bold"] = True
            changed = True
        done += take
    return changed


def _align_of(p) -> str | None:
    ppr = p.find(PPR)
    jc = ppr.find(_w("jc")) if ppr is not None else None
    return jc.get(_w("val")) if jc is not None else None


def _set_align(p, value: str) -> None:
    _child(_ppr(p), "jc", PPR_ORDER).set(_w("val"), value)


def _set_line(p, twips: int, rule: str) -> None:
    spacing = _child(_ppr(p), "spacing", PPR_ORDER)
    spacing.set(_w("line"), str(twips))
    spacing.set(_w("lineRule"), rule)


def _set_after(p, twips: int) -> None:
    spacing = _child(_ppr(p), "spacing", PPR_ORDER)
    spacing.set(_w("after"), str(twips))
    spacing.attrib.pop(_w("afterAutospacing"), None)
    ppr = p.find(PPR)
    contextual = ppr.find(_w("contextualSpacing"))
    if contextual is not None:
        ppr.remove(contextual)


def _set_first_line(p, twips: int) -> None:
    ind = _child(_ppr(p), "ind", PPR_ORDER)
    for attr in ("hanging", "hangingChars", "firstLineChars"):
        ind.attrib.pop(_w(attr), None)
    ind.set(_w("firstLine"), str(twips))


def _pad_date(p, pattern, day: bool, month: bool) -> bool:
    """Insert "0" before the day and/or month digits, in the w:t that holds each digit."""
    ts = [t for t in p.iter(T)]
    text = "".join(t.text or "" for t in ts)
    found = pattern.search(text)
    if found is None:
        return False
    inserts = []
    if day and len(found.group(2)) == 1:
        inserts.append(found.start(2))
    if month and len(found.group(4)) == 1:
        inserts.append(found.start(4))
    for position in sorted(inserts, reverse=True):
        offset = 0
        for t in ts:
            length = len(t.text or "")
            if offset <= position < offset + length:
                i = position - offset
                t.text = t.text[:i] + "0" + t.text[i:]
                break
            offset += length
    return bool(inserts)


def _remove_page_field(p) -> None:
    """Take the PAGE field (its runs from begin to end, or a fldSimple) out of a paragraph."""
    for simple in list(p.iter(_w("fldSimple"))):
        if "PAGE" in (simple.get(_w("instr")) or ""):
            simple.getparent().remove(simple)
    runs = list(p.iter(R))
    inside, doomed = False, []
    for r in runs:
        char = r.find(_w("fldChar"))
        kind = char.get(_w("fldCharType")) if char is not None else None
        if kind == "begin":
            inside = True
        if inside:
            doomed.append(r)
        if kind == "end":
            inside = False
    for r in doomed:
        r.getparent().remove(r)


def _add_page_field(p) -> None:
    _set_align(p, "center")
    for xml in ('<w:r %s><w:fldChar w:fldCharType="begin"/></w:r>',
                '<w:r %s><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
                '<w:r %s><w:fldChar w:fldCharType="separate"/></w:r>',
                '<w:r %s><w:t>2</w:t></w:r>',
                '<w:r %s><w:fldChar w:fldCharType="end"/></w:r>'):
        r = parse_xml(xml % nsdecls("w"))
        rpr = OxmlElement("w:rPr")
        r.insert(0, rpr)
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
        _set_fonts(fonts)
        _set_size(r, 13)
        p.append(r)
