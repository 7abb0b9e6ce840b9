"""The rules: `Violation`, the RULES texts (`congvan check --rules`), the Look table of how
Appendix I prints each component, and the checks that components are there, in order and look right."""
from __future__ import annotations

from dataclasses import dataclass

from .components import Layout
from .recognise import _first, is_upper_line
from .walk import Line, Piece


@dataclass
class Violation:
    rule: str  # a key of RULES
    where: str  # 'header table, left cell, paragraph 3 "Số: 5/SYT-VP"'
    message: str  # what is wrong and what the decree says


def _and_more(count: int) -> str:
    """What follows the first place of a violation found in `count` paragraphs."""
    return f" (and {count - 1} more paragraph{'s' if count > 2 else ''})" if count > 1 else ""


@dataclass(frozen=True)
class Look:
    """How Appendix I prints one component: size range in points, bold, italic, upper case."""

    label: str
    sizes: tuple[float, float]
    bold: bool | None
    italic: bool | None
    upper: bool
    cite: str


LOOKS = {
    "quoc-hieu": Look("Quốc hiệu", (12, 13), True, False, True, "App. I §II.1"),
    "tieu-ngu": Look("Tiêu ngữ", (13, 14), True, False, False, "App. I §II.1"),
    "parent": Look("tên cơ quan chủ quản (parent body)", (12, 13), False, False, True, "App. I §II.2"),
    "issuer": Look("tên cơ quan ban hành (issuing body)", (12, 13), True, False, True, "App. I §II.2"),
    "urgency": Look("mức độ khẩn (urgency mark)", (13, 14), True, False, True, "App. I §III.2"),
    "number": Look('"Số:" line (số, ký hiệu)', (13, 13), False, False, False, "App. I §II.3"),
    "date": Look("địa danh và thời gian (place and date)", (13, 14), False, True, False, "App. I §II.4"),
    "vv": Look("trích yếu of a công văn (V/v …)", (12, 13), False, False, False, "App. I §II.5"),
    "type-name": Look("tên loại (type name)", (13, 14), True, False, True, "App. I §II.5"),
    "subject": Look("trích yếu under the type name", (13, 14), True, False, False, "App. I §II.5"),
    "kinh-gui": Look("Kính gửi", (13, 14), False, False, False, "App. I §II.9"),
    "body": Look("nội dung (body text)", (13, 14), None, None, False, "App. I §II.6"),
    "authority": Look("quyền hạn, chức vụ người ký (authority and title)", (13, 14), True, False, True,
                      "App. I §II.7"),
    "signer": Look("họ tên người ký (signer's name)", (13, 14), True, False, False, "App. I §II.7"),
    "noi-nhan": Look('"Nơi nhận:"', (12, 12), True, True, False, "App. I §II.9"),
    "noi-nhan-list": Look("Nơi nhận list", (11, 11), False, False, False, "App. I §II.9"),
    "secrecy": Look("độ mật (secrecy mark)", (13, 14), True, False, True, "App. I §III.1"),
    "circulation": Look("chỉ dẫn phạm vi lưu hành (circulation mark)", (13, 14), True, False, True,
                        "App. I §III.3"),
    "copy-form": Look("hình thức sao (SAO Y, SAO LỤC, TRÍCH SAO)", (13, 14), True, False, True, "App. I Part II"),
    "appendix": Look('"Phụ lục" label', (14, 14), True, False, False, "App. I §III.4"),
    "appendix-title": Look("tên phụ lục (appendix title)", (13, 14), True, False, True, "App. I §III.4"),
    "appendix-ref": Look('reference line of an appendix "(Kèm theo …)"', (13, 14), False, True, False,
                         "App. I §III.4"),
}
# Header items centred in their column, and headings centred (App. I §IV, §II.6).
CENTRED = {"quoc-hieu": "App. I §II.1", "tieu-ngu": "App. I §II.1", "parent": "App. I §II.2",
           "issuer": "App. I §II.2", "number": "App. I §II.3", "date": "App. I §II.4", "vv": "App. I §II.5",
           "type-name": "App. I §II.5", "subject": "App. I §II.5"}


def _look_rules() -> dict[str, str]:
    rules = {}
    for key, look in LOOKS.items():
        lo, hi = look.sizes
        rules[f"size.{key}"] = f"{look.label}: {_pt_range(lo, hi)} ({look.cite})"
        if look.bold is not None:
            rules[f"bold.{key}"] = f"{look.label}: {'bold' if look.bold else 'not bold'} ({look.cite})"
        if look.italic is not None:
            rules[f"italic.{key}"] = f"{look.label}: {'italic' if look.italic else 'upright'} ({look.cite})"
        if look.upper:
            rules[f"case.{key}"] = f"{look.label}: upper case, chữ in hoa ({look.cite})"
    for key, cite in CENTRED.items():
        rules[f"align.{key}"] = f"{LOOKS[key].label}: centred in its column, canh giữa ({cite})"
    return rules


def _pt_range(lo: float, hi: float) -> str:
    return f"{lo:g} pt" if lo == hi else f"{lo:g}–{hi:g} pt"


RULES: dict[str, str] = {
    "paper": "A4 paper (210 × 297 mm), portrait; a landscape page only for a wide table (App. I §I)",
    "margins": "Margins: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm (App. I §I)",
    "font": "Times New Roman in every run with text, in every font slot set (ascii, hAnsi, eastAsia, cs); "
            "a theme font does not count (App. I §I)",
    "color": "Text is black (automatic or 000000) (App. I §I)",
    "page-numbers": "Page numbers: a PAGE field centred in the page header, Arabic numerals, 13–14 pt upright, "
                    "not shown on page 1 (App. I §I)",
    "presence": "The main components are there: Quốc hiệu, Tiêu ngữ, tên cơ quan ban hành, số và ký hiệu, "
                "địa danh và thời gian, tên loại or trích yếu (V/v), nội dung, quyền hạn and chức vụ, "
                "họ tên người ký, Nơi nhận (Art. 8.2)",
    "order": "Components in the decree's order: parent body, issuing body, Số, V/v down one column; Quốc hiệu, "
             "Tiêu ngữ, place and date down the other; then tên loại, trích yếu, Kính gửi, body (App. I §IV)",
    "tieu-ngu": 'Tiêu ngữ reads "Độc lập - Tự do - Hạnh phúc": each phrase capitalised, a hyphen with a space '
                "each side (App. I §II.1)",
    "number": 'Số, ký hiệu: "Số: 05/SYT-VP": "Số" then a colon, numbers below 10 with a leading 0, "/" with no '
              'spaces, the symbol in upper case with groups joined by "-"; a named type starts the symbol with '
              "its Appendix III abbreviation (GIẤY MỜI → GM), a công văn has none (App. I §II.3)",
    "date": 'Place and date: "Hà Nội, ngày 05 tháng 01 năm 2026": a comma after the place, the date in full, '
            "days below 10 and months 1–2 with a leading 0, a real calendar date (App. I §II.4)",
    "vv": 'The trích yếu of a công văn starts with "V/v" (App. I §II.5)',
    "kinh-gui": 'Kính gửi: "Kính gửi:" with one recipient on the same line; with several, each on its own line '
                'starting "-" and ending ";", the last ending "." (App. I §II.9)',
    "noi-nhan": '"Nơi nhận:" then one line per recipient starting "-" and ending ";", "- Như trên;" first when '
                'there is a Kính gửi, the last line "- Lưu: VT, …." (App. I §II.9)',
    "authority": 'Signing authority: "TM.", "Q.", "KT.", "TL.", "TUQ." exactly (upper case, with the dot); a '
                 'deputy (PHÓ …) signing for the head writes "KT." above the title (Art. 13; App. I §II.7)',
    "body.align": "Body paragraphs are justified, canh đều hai lề (App. I §II.6)",
    "body.indent": "Body paragraphs start with a first-line indent of 1 cm or 1.27 cm (App. I §II.6)",
    "body.spacing": "At least 6 pt between body paragraphs, before or after (App. I §II.6)",
    "body.line-spacing": "Line spacing in the body from single to 1.5 lines (App. I §II.6)",
    "header.spacing": "Single line spacing inside the header blocks: Quốc hiệu with Tiêu ngữ, the parent with "
                      "the issuing body (App. I §II.1–2)",
    "type-name": "One type name per document (App. I §II.5; App. III)",
    "italic.can-cu": "Căn cứ ban hành (the grounds before \"QUYẾT ĐỊNH:\" or Điều 1) in italics (App. I §II.6)",
    "bold.heading": 'Phần, Chương, Mục headings and their titles in bold, and the "Điều 1." label in bold '
                    "(App. I §II.6)",
    "align.heading": "Phần, Chương, Mục headings and their titles centred (App. I §II.6)",
    "appendix": 'An appendix: "Phụ lục" (with a Roman numeral when there are several), its title, and the '
                'reference line "(Kèm theo <type> số … ngày … của …)" under it (App. I §III.4)',
    **_look_rules(),
}


# -- presence and order

REQUIRED = (("quoc_hieu", "Quốc hiệu (CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM)"),
            ("tieu_ngu", "Tiêu ngữ (Độc lập - Tự do - Hạnh phúc)"),
            ("issuer", "tên cơ quan ban hành (the issuing body, above \"Số:\")"),
            ("number", "số, ký hiệu (\"Số: …/…\")"),
            ("date", "địa danh và thời gian (\"…, ngày … tháng … năm …\")"),
            ("title", "tên loại or trích yếu (a type name such as KẾ HOẠCH, or \"V/v …\" for a công văn)"),
            ("body", "nội dung (the body)"),
            ("authority", "quyền hạn, chức vụ người ký (the signer's title)"),
            ("signer", "họ tên người ký (the signer's name)"),
            ("noi_nhan", "Nơi nhận"))


def check_presence(lay: Layout) -> list[Violation]:
    def found(attr: str) -> bool:
        return bool(lay.type_name or lay.vv) if attr == "title" else bool(getattr(lay, attr))

    missing = [label for attr, label in REQUIRED if not found(attr)]
    return [Violation("presence", "document", f"no {label} found; it is a main component of every "
                      "administrative document (Art. 8.2)") for label in missing]


def check_order(lay: Layout) -> list[Violation]:
    out = []
    columns = ((("parent", lay.parent), ("issuer", lay.issuer), ("Số", lay.number), ("V/v", lay.vv)),
               (("Quốc hiệu", lay.quoc_hieu), ("Tiêu ngữ", lay.tieu_ngu), ("place and date", lay.date)))
    for column in columns:
        present = [(name, lines[0]) for name, lines in column if lines]
        for (above, a), (below, b) in zip(present, present[1:]):
            if b.index < a.index:
                out.append(Violation("order", b.where(), f"{below} comes before {above}; it goes below it "
                                     "(App. I §IV)"))
    if lay.kinh_gui and lay.body:
        first_body = lay.body[0].lines[0]
        if lay.kinh_gui[0].index > first_body.index:
            out.append(Violation("order", lay.kinh_gui[0].where(), "Kính gửi comes after the body has begun; "
                                 "it goes between the trích yếu and the body (App. I §II.9, Mẫu 1.5)"))
    return out


# -- how each component looks


def check_look(key: str, lines: list[Line]) -> list[Violation]:
    look = LOOKS[key]
    out = []
    size_line = _first(lines, lambda ln: any(not look.sizes[0] <= _size(p) <= look.sizes[1] for p in ln.pieces))
    if size_line is not None:
        sizes = ", ".join(f"{s:g}" for s in sorted({_size(p) for p in size_line.pieces}))
        out.append(Violation(f"size.{key}", size_line.where(), f"{look.label} is {sizes} pt; it is "
                             f"{_pt_range(*look.sizes)} ({look.cite})"))
    for attr, word in (("bold", "bold"), ("italic", "italic")):
        wanted = getattr(look, attr)
        if wanted is None:
            continue
        line = _first(lines, lambda ln: any(bool(p.look.get(attr)) != wanted for p in ln.pieces))
        if line is not None:
            is_now = "is not" if wanted else "is"
            should = word if wanted else ("upright, not italic" if attr == "italic" else "not bold")
            out.append(Violation(f"{attr}.{key}", line.where(), f"{look.label} {is_now} {word}; it is {should} "
                                 f"({look.cite})"))
    if look.upper:
        line = _first(lines, lambda ln: not is_upper_line(ln.text) and any(c.isalpha() for c in ln.text))
        if line is not None:
            out.append(Violation(f"case.{key}", line.where(), f"{look.label} is not in upper case; it is written "
                                 f"in capitals, chữ in hoa ({look.cite})"))
    return out


def _size(piece: Piece) -> float:
    return piece.look.get("size") or 10.0  # Word's size when nothing sets one
