"""Rules on the text of each component: Tiêu ngữ, Số, the date, V/v, the signing authority,
Kính gửi, Nơi nhận."""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from ..vocab import vocab
from .components import Layout
from .recognise import DASHES, KINH_GUI_LABEL, NOI_NHAN_LABEL, TIEU_NGU, _after_label, _first
from .rules import Violation
from .walk import Line, _snippet


def check_tieu_ngu(lay: Layout) -> list[Violation]:
    if not lay.tieu_ngu:
        return []
    line = lay.tieu_ngu[0]
    # Word's AutoCorrect turns " - " into " – "; the en dash reads the same, so both pass.
    if re.fullmatch(r"Độc lập [-–] Tự do [-–] Hạnh phúc", line.text):
        return []
    return [Violation("tieu-ngu", line.where(), f'Tiêu ngữ reads "{line.text}"; it is "{TIEU_NGU}": each phrase '
                      "capitalised, a hyphen with a space each side (App. I §II.1)")]


def _abbreviations_for(title: str) -> set[str]:
    wanted = title.strip().lower()
    return {abbr for abbr, name in vocab()["doc_types"].items() if name.lower() == wanted}


# Legal-normative series (Decree 34/2016, not Appendix III) and the pseudo-abbreviation "CV"
# a công văn must not carry either.
NORMATIVE_ABBREVIATIONS = {"NĐ", "TT", "TTLT", "L", "PL", "QH", "UBTVQH"}


@lru_cache(maxsize=1)
def _type_abbreviations() -> frozenset[str]:
    return frozenset((set(vocab()["doc_types"]) - NORMATIVE_ABBREVIATIONS) | {"CV"})


def _initials(lines: list[Line]) -> str:
    return "".join(word[0] for ln in lines for word in ln.text.split() if word[0].isalpha()).upper()


def _upper_symbol_group(group: str, known: set[str]) -> bool:
    """Upper case as symbols are written: "SYT", "TTg", "GDTrH" pass (the decree's own
    abbreviations mix in a lower-case letter), "syt" and "Syt" do not."""
    letters = [c for c in group if c.isalpha()]
    if group in known or not letters:
        return True
    upper = sum(c.isupper() for c in letters)
    return letters[0].isupper() and upper > len(letters) - upper


def number_problems(text: str, lay: Layout, type_check: bool = True) -> list[str]:
    problems = []
    if not text.startswith("Số"):
        problems.append('"Số" is written with a capital S and the rest in lower case')
    rest = re.sub(r"^số", "", text, flags=re.I)
    if not rest.lstrip().startswith(":"):
        problems.append('a colon follows "Số" ("Số: 05/…")')
    rest = rest.lstrip().lstrip(":.").strip()
    if re.search(r"\d\s+/|/\s", rest):
        problems.append('"/" between the number and the symbol takes no spaces')
    form = re.fullmatch(r"(\d*)[.…_]*\s*/\s*(?:(\d{4})\s*/\s*)?(.+)", rest)
    if form is None:
        return problems + ['the form is "Số: 05/SYT-VP", a number, "/", the symbol']
    number, year, symbol = form.groups()  # a draft leaves the number blank until it is registered
    if number and int(number) < 10 and not number.startswith("0"):
        problems.append(f"numbers below 10 take a leading 0 ({int(number):02d}, not {number})")
    if re.search(r"\s", symbol):
        problems.append("the symbol has no spaces")
    groups = re.split(r"\s*-\s*", symbol.strip())
    known = set(vocab()["doc_types"])
    if any(not g for g in groups):
        problems.append('"-" joins the groups of the symbol, with no empty group')
    if not all(_upper_symbol_group(g, known) for g in groups if g):
        problems.append("the symbol is written in upper case")
    if type_check:
        problems += _type_abbreviation_problems(groups[0], year, lay)
    return problems


def _type_abbreviation_problems(first: str, year: str | None, lay: Layout) -> list[str]:
    if lay.type_name:
        title = lay.type_name[0].text
        expected = _abbreviations_for(title)
        if expected and first not in expected:
            shown = " or ".join(sorted(expected))
            return [f'a {title.capitalize()} starts its symbol with the type abbreviation {shown} '
                    f'(App. III), not "{first}"']
        return []
    problems = []
    issuer_initials = _initials(lay.parent + lay.issuer)
    if first in _type_abbreviations() and first.upper() not in issuer_initials:
        problems.append(f'a công văn has no type abbreviation, and "{first}" is one (App. III)')
    if year:
        problems.append("a công văn carries no year in its number (only legal-normative documents do)")
    return problems


def check_number(lay: Layout) -> list[Violation]:
    if not lay.number:
        return []
    line = lay.number[0]
    problems = number_problems(line.text, lay)
    if not problems:
        return []
    return [Violation("number", line.where(), f'"{line.text}": ' + "; ".join(problems) + " (App. I §II.3)")]


DATE_FORM = re.compile(r"^(?P<place>.*?)\s*(?P<comma>,?)\s*ngày[\s.…_]*(?P<d>\d*)[\s.…_]*tháng[\s.…_]*(?P<m>\d*)"
                       r"[\s.…_]*năm\s+(?P<y>\d+)$", re.I)


def date_problems(text: str) -> list[str]:
    form = DATE_FORM.match(text)
    if form is None:
        return ['the date is written in full, "Hà Nội, ngày 05 tháng 01 năm 2026"']
    place, comma, day, month, year = form.group("place", "comma", "d", "m", "y")
    problems = []
    if not place:
        problems.append("the place (địa danh) comes first")
    elif not comma:
        problems.append("a comma follows the place")
    if day and int(day) < 10 and len(day) < 2:
        problems.append(f"days below 10 take a leading zero (ngày 0{int(day)})")
    if month and int(month) in (1, 2) and len(month) < 2:
        problems.append(f"months 1 and 2 take a leading zero (tháng 0{int(month)})")
    try:
        if day and month:  # a draft's blank day and month are filled in when it is issued
            date(int(year), int(month), int(day))
    except ValueError:
        problems.append(f"{int(day)}/{int(month)}/{year} is not a calendar date")
    if len(year) != 4:
        problems.append("the year is written with four digits")
    return problems


def check_date(lay: Layout) -> list[Violation]:
    if not lay.date:
        return []
    line = lay.date[0]
    text = line.text.rstrip(".")
    problems = date_problems(text)
    if not problems:
        return []
    return [Violation("date", line.where(), f'"{line.text}": ' + "; ".join(problems) + " (App. I §II.4)")]


def check_vv(lay: Layout) -> list[Violation]:
    if not lay.vv or lay.vv[0].text.startswith("V/v "):
        return []
    line = lay.vv[0]
    return [Violation("vv", line.where(), f'the trích yếu begins "{line.text.split()[0]}"; a công văn\'s trích '
                      'yếu begins "V/v" (App. I §II.5)')]


AUTHORITY_PREFIXES = ("TM.", "Q.", "KT.", "TL.", "TUQ.")
PREFIX_LIKE = re.compile(r"^(TUQ|TM|KT|TL|Q|T/M|K/T|T/L|T\.M|K\.T|T\.L)(?=[\s.:,]|$)[.:,]?", re.I)


def check_authority(lay: Layout) -> list[Violation]:
    out, prefixes = [], []
    for line in lay.authority:
        found = PREFIX_LIKE.match(line.text)
        if found is None:
            continue
        prefixes.append(found.group(1).upper().replace("/", "").replace(".", ""))
        written = found.group(0)
        proper = next((p for p in AUTHORITY_PREFIXES if p.rstrip(".") == prefixes[-1]), None)
        if written != proper:
            out.append(Violation("authority", line.where(), f'"{written}" is written "{proper}" (upper case, '
                                 "with the dot) (Art. 13; App. I §II.7)"))
    deputy = _first(lay.authority, lambda ln: re.sub(PREFIX_LIKE, "", ln.text).strip().startswith("PHÓ "))
    if deputy is not None and not {"KT", "Q", "TUQ"} & set(prefixes):
        out.append(Violation("authority", deputy.where(), f'a deputy ("{deputy.text}") signing for the head '
                             'writes "KT." and the head\'s title above, e.g. "KT. GIÁM ĐỐC" (Art. 13; App. I §II.7)'))
    return out


def check_kinh_gui(lay: Layout) -> list[Violation]:
    if not lay.kinh_gui:
        return []
    head, entries = lay.kinh_gui[0], lay.kinh_gui[1:]
    out = []
    if not head.text.startswith("Kính gửi:"):
        out.append(Violation("kinh-gui", head.where(), f'"{_snippet(head.text, 30)}" is written "Kính gửi:" '
                             "(lower case, a colon) (App. I §II.9)"))
    if _after_label(head.text, KINH_GUI_LABEL).startswith(DASHES):
        entries = [head] + entries  # "Kính gửi: - Sở A;" then "- Sở B."
    if not entries:  # one recipient on the line itself
        return out
    if len(entries) == 1:
        return out + [Violation("kinh-gui", entries[0].where(), 'one recipient goes on the same line as "Kính '
                                'gửi:" (App. I §II.9)')]
    for i, line in enumerate(entries):
        text = _after_label(line.text, KINH_GUI_LABEL) if line is head else line.text
        end = "." if i == len(entries) - 1 else ";"
        if not text.startswith(DASHES) or not text.endswith(end):
            out.append(Violation("kinh-gui", line.where(), f'each recipient starts "-" and ends "{end}" '
                                 f'({"the last" if end == "." else "all but the last"}) (App. I §II.9)'))
    return out


def check_noi_nhan(lay: Layout) -> list[Violation]:
    if not lay.noi_nhan:
        return []
    head, entries = lay.noi_nhan[0], lay.noi_nhan_entries
    out = []
    if not re.match(r"^Nơi nhận:", head.text):
        out.append(Violation("noi-nhan", head.where(), f'"{_snippet(head.text, 30)}" is written "Nơi nhận:" '
                             "(lower case, a colon) (App. I §II.9)"))
    if not entries:
        return out + [Violation("noi-nhan", head.where(), "the Nơi nhận list is empty; it ends with "
                                '"- Lưu: VT, …." (App. I §II.9)')]
    texts = [" ".join(ln.text for ln in entry) for entry in entries]
    if entries[0][0] is head:
        texts[0] = _after_label(texts[0], NOI_NHAN_LABEL)
    if lay.kinh_gui and not texts[0].startswith("- Như trên"):
        out.append(Violation("noi-nhan", entries[0][0].where(), 'with a Kính gửi, the list starts "- Như trên;" '
                             "(App. I §II.9)"))
    for entry, text in zip(entries[:-1], texts[:-1]):
        if not text.startswith(DASHES) or not text.endswith(";"):
            out.append(Violation("noi-nhan", entry[0].where(), 'each entry starts "-" and ends ";" '
                                 "(App. I §II.9)"))
    last = texts[-1]
    if not re.match(r"^[-–]\s*Lưu\s*:\s*VT\b", last):
        out.append(Violation("noi-nhan", entries[-1][0].where(), f'the last entry is "{_snippet(last, 30)}"; '
                             'it is "- Lưu: VT, <drafting unit>." (App. I §II.9)'))
    elif not last.endswith("."):
        out.append(Violation("noi-nhan", entries[-1][0].where(), 'the last entry "- Lưu: VT, …" ends with "." '
                             "(App. I §II.9)"))
    return out
