"""Rules on where things stand and how the document is built: header items centred and single
spaced, one type name, căn cứ in italics, Phần/Chương/Mục/Điều headings, appendices, copies."""
from __future__ import annotations

import re

from .components import Appendix, Layout
from .recognise import ARTICLE, COPY_ABBREVIATIONS, COPY_FORM
from .rules import CENTRED, LOOKS, Violation, _and_more, check_look
from .walk import Line

SINGLE_RATIO = 1.05  # a little slack over "single" (240 twips) for producers' rounding


def _centred(line: Line) -> bool:
    return line.para.props.get("align") == "center"


def check_align(lay: Layout) -> list[Violation]:
    """Header items centred. Lines set apart by tabs are placed by their tab stops and are not
    judged; Số, the date and V/v are judged in the header table, where a cell centres them."""
    out = []
    header = lay.quoc_hieu + lay.tieu_ngu + lay.parent + lay.issuer + lay.number + lay.date
    tab_laid = any("\t" in ln.para.text for ln in header if not ln.para.in_table)
    for key in CENTRED:
        lines = getattr(lay, key.replace("-", "_"))
        for line in lines:
            if "\t" in line.para.text or (key in ("number", "date", "vv") and not line.para.in_table):
                continue
            if tab_laid and not line.para.in_table and key not in ("type-name", "subject"):
                continue  # a header set out in two columns by tabs: the tab stops place its lines
            if not _centred(line):
                align = line.para.props.get("align") or "left"
                out.append(Violation(f"align.{key}", line.where(), f"{LOOKS[key].label} is aligned {align}; it is "
                                     f"centred in its column ({CENTRED[key]})"))
                break
    return out


def _line_spacing_above_single(line: Line) -> str:
    value = line.para.props.get("line")
    if not value:
        return ""
    twips, rule = value
    if rule == "auto":
        return f"{twips / 240:g} lines" if twips / 240 > SINGLE_RATIO else ""
    size = max((p.look.get("size") or 10.0 for p in line.pieces), default=13.0)
    return f"{rule} {twips / 20:g} pt" if twips / 20 > size * 1.2 + 1 else ""


def check_header_spacing(lay: Layout) -> list[Violation]:
    for lines in (lay.quoc_hieu + lay.tieu_ngu, lay.parent + lay.issuer):
        for line in lines:
            spacing = _line_spacing_above_single(line)
            if spacing:
                return [Violation("header.spacing", line.where(), f"line spacing {spacing} inside the header "
                                  "block; Quốc hiệu and Tiêu ngữ, and the parent and issuing bodies, are single "
                                  "spaced (App. I §II.1–2)")]
    return []


def check_type_names(lay: Layout) -> list[Violation]:
    if not (lay.type_name and lay.extra_titles):
        return []
    first, second = lay.type_name[0], lay.extra_titles[0]
    return [Violation("type-name", second.where(), f'two type names, "{first.text}" and "{second.text}"; a '
                      "document has one tên loại (App. I §II.5; App. III)")]


def check_can_cu(lay: Layout) -> list[Violation]:
    upright = [p for p in lay.can_cu if any(not piece.look.get("italic") for ln in p.lines for piece in ln.pieces)]
    if not upright:
        return []
    return [Violation("italic.can-cu", upright[0].where() + _and_more(len(upright)), "căn cứ ban hành is not in "
                      "italics; the grounds are printed in italics, chữ nghiêng (App. I §II.6)")]


def _label_pieces(line: Line) -> list:
    """The pieces that print the "Điều 1." label."""
    end = ARTICLE.match(line.text).end()
    out, seen = [], ""
    for piece in line.pieces:
        if len(" ".join(seen.split())) >= end:
            break
        out.append(piece)
        seen += piece.text
    return out


def check_headings(lay: Layout) -> list[Violation]:
    out = []
    not_bold = [ln for ln in lay.headings if any(not p.look.get("bold") for p in ln.pieces)]
    not_bold += [ln for ln in lay.articles if any(not p.look.get("bold") for p in _label_pieces(ln))]
    if not_bold:
        out.append(Violation("bold.heading", not_bold[0].where() + _and_more(len(not_bold)),
                             "the heading is not bold; Phần, Chương, Mục headings and titles and the "
                             '"Điều …" label are bold (App. I §II.6)'))
    uncentred = [ln for ln in lay.headings if not _centred(ln)]
    if uncentred:
        out.append(Violation("align.heading", uncentred[0].where() + _and_more(len(uncentred)),
                             "the heading is not centred; Phần, Chương, Mục headings and titles are centred "
                             "(App. I §II.6)"))
    return out


def check_appendices(appendices: list[Appendix]) -> list[Violation]:
    out = []
    for appendix in appendices:
        out += check_look("appendix", [appendix.label])
        if appendix.title:
            out += check_look("appendix-title", appendix.title)
        if appendix.reference is None:
            out.append(Violation("appendix", appendix.label.where(), f'"{appendix.label.text}" has no reference '
                                 'line "(Kèm theo <type> số … ngày … của …)" under its title (App. I §III.4)'))
        else:
            out += check_look("appendix-ref", [appendix.reference])
    if len(appendices) > 1:
        arabic = [a.label for a in appendices if re.search(r"\d", a.label.text)]
        if arabic:
            out.append(Violation("appendix", arabic[0].where(), "several appendices are numbered with Roman "
                                 "numerals, Phụ lục I, II … (App. I §III.4)"))
    return _one_per_rule(out)


def _one_per_rule(violations: list[Violation]) -> list[Violation]:
    seen, out = set(), []
    for v in violations:
        if v.rule not in seen:
            seen.add(v.rule)
            out.append(v)
    return out


COPY_REQUIRED = (("copy_form", 'the form of the copy ("SAO Y", "SAO LỤC" or "TRÍCH SAO")'),
                 ("number", 'the copy\'s own number ("Số: 05/SY-…")'),
                 ("date", "the place and date of the copy"),
                 ("authority", "the authority and title of who signs the copy"),
                 ("signer", "the name of who signs the copy"),
                 ("noi_nhan", "Nơi nhận of the copy"))


def check_copy(copy: Layout) -> list[Violation]:
    """A copy's block (App. I Part II): its components, their look, its number with SY/SL/TrS."""
    from .texts import check_authority, check_date, check_noi_nhan, number_problems

    out = [Violation("presence", "copy block", f"no {label} found (App. I Part II)")
           for attr, label in COPY_REQUIRED if not getattr(copy, attr)]
    for key, lines in copy.styled_components():
        out += check_look(key, lines)
    if copy.number and copy.copy_form:
        form = " ".join(COPY_FORM.match(copy.copy_form[0].text).group(1).split())
        abbreviation = COPY_ABBREVIATIONS[form]
        line = copy.number[0]
        problems = number_problems(line.text, copy, type_check=False)
        symbol = line.text.split("/", 1)[1] if "/" in line.text else ""
        if symbol and symbol.split("-")[0].strip() != abbreviation:
            problems.append(f'a copy made as "{form}" starts its symbol with {abbreviation} (App. III)')
        if problems:
            out.append(Violation("number", line.where(), f'"{line.text}": ' + "; ".join(problems) + " (App. I §II.3)"))
    out += check_date(copy) + check_authority(copy) + check_noi_nhan(copy)
    return out


def doc_type_of(lay: Layout, appendices: list[Appendix]) -> str:
    if lay.type_name:
        return " ".join(lay.type_name[0].text.split()).capitalize()
    if lay.vv or lay.kinh_gui:
        return "Công văn"
    for appendix in appendices:
        ref = appendix.reference.text if appendix.reference else ""
        found = re.search(r"kèm\s+theo\s+(.+?)\s+số\b", ref, re.I)
        if found:
            return found.group(1).strip().capitalize()
    return ""

