"""The codes of the notes a record carries, and their words: one table, data/notes.json.

A note (``records.Note``) is a code, the field it is about and a detail (a value from the document:
a number, a date, a name). The table gives each code its kind — "doubt" (a value the rules are
unsure of: the record goes to review) or "format" (how the sender formatted the document, shown
only) — and its text in English and Vietnamese, with ``{detail}`` and ``{field}`` filled in.
Nothing reads the text back: the store asks the kind, the pages print the Vietnamese.

Records stored or exported before the codes hold English sentences; ``legacy()`` maps such a
sentence to its code once, when it is loaded (LEGACY below, the only place the old texts live).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

DOUBT, FORMAT = "doubt", "format"
OTHER = "other"  # a stored sentence no code matches: kept as its own detail, a doubt as before
ISO_DATE = re.compile(r"\b(\d{4})-(\d\d)-(\d\d)\b")


@lru_cache(maxsize=1)
def _table() -> dict:
    return json.loads(resources.files("pipeline").joinpath("data/notes.json").read_text("utf-8"))


def codes() -> dict[str, dict]:
    """code → {"kind", "en", "vi"}."""
    return _table()["codes"]


def kind(code: str) -> str:
    return codes()[code]["kind"]


def field_name(field: str, lang: str) -> str:
    """A field as a sentence names it ("ngày ban hành", "date"); the field itself when not listed."""
    return _table()["fields"].get(field, {}).get(lang, field)


def text(code: str, field: str, detail: str, lang: str = "vi") -> str:
    """The note in words: `lang` "vi" for the clerk (ISO dates as dd/mm/yyyy), "en" for logs."""
    words = codes()[code][lang].format(detail=detail, field=field_name(field, lang))
    return ISO_DATE.sub(r"\3/\2/\1", words) if lang == "vi" else words


def _arrow(found: re.Match) -> str:
    return " → ".join(found.groups())


def _signed(found: re.Match) -> str:
    return found["at"] + (f" — {found['by']}" if found["by"] else "")


# The English sentences written before the codes: (pattern matched at the start, code, field,
# detail). The detail is a group name, a function of the match, or "" (the sentence had none).
# (The edXML notes were written in Vietnamese: as "other" they are shown as they were.)
LEGACY = [
    (r"number read from look-alike letters \((?P<d>.*)\): check it", "number-lookalike", "number", "d"),
    (r"number not filled in", "number-blank", "number", ""),
    (r"number not readable", "number-unreadable", "number", ""),
    (r"no 'Số:' line found", "number-missing", "number", ""),
    (r"number rule: (?P<d>.+?) should be written with a leading 0", "number-rule", "number", "d"),
    (r"impossible date: (?P<d>.*)", "date-impossible", "issued_on", "d"),
    (r"day of the date not readable \((?P<d>.*)\)", "date-day-unreadable", "issued_on", "d"),
    (r"no place and date line found", "date-missing", "issued_on", ""),
    (r"date rule: day (?P<d>\d+)", "date-rule-day", "issued_on", "d"),
    (r"date rule: month (?P<d>\d+)", "date-rule-month", "issued_on", "d"),
    (r"date not in the text: taken from the digital signature \(signed (?P<at>.*?)(?: by (?P<by>.*))?\); check it",
     "date-from-signature", "issued_on", _signed),
    (r"date line (?P<a>\d{4}-\d\d-\d\d) is .*\((?P<b>[^()]*)\)$", "date-vs-signing", "issued_on", _arrow),
    (r"date line (?P<d>\d{4}-\d\d-\d\d)", "date-vs-signing", "issued_on", "d"),
    (r"issuing body not found", "issuer-missing", "issuer", ""),
    (r"no trích yếu", "subject-missing", "subject", ""),
    (r"no Kính gửi found", "recipients-missing", "recipients", ""),
    (r"no Nơi nhận or signature block found", "signature-block-missing", "distribution", ""),
    (r"Nơi nhận missing", "distribution-missing", "distribution", ""),
    (r"Nơi nhận has no 'Lưu", "distribution-no-luu", "distribution", ""),
    (r"signer's name not found", "signer-name-missing", "signer.name", ""),
    (r"signer's name spelled as in the digital signature certificate \((?P<d>.*)\)",
     "signer-name-from-certificate", "signer.name", "d"),
    (r"signer's name re-read on its own line: (?P<d>.*)", "signer-name-reread", "signer.name", "d"),
    (r"low OCR confidence on number \((?P<d>\d+)%\)", "low-ocr-confidence", "number", "d"),
    (r"low OCR confidence on date \((?P<d>\d+)%\)", "low-ocr-confidence", "issued_on", "d"),
    (r"low OCR confidence on issuer \((?P<d>\d+)%\)", "low-ocr-confidence", "issuer", "d"),
    (r"low OCR confidence on signer \((?P<d>\d+)%\)", "low-ocr-confidence", "signer.name", "d"),
    (r"digital signature: no signer certificate names the issuing body (?P<d>.*)",
     "signature-not-issuer", "signatures", "d"),
    (r"digital signature (?P<f>.*?): .*? by (?P<who>.*)", "signature-failed", "signatures",
     lambda m: f"{m['f']} ({m['who']})"),
]
_LEGACY = [(re.compile(rx, re.S), code, field, detail) for rx, code, field, detail in LEGACY]


def legacy(sentence: str) -> tuple[str, str, str]:
    """(code, field, detail) of a note stored as a sentence; ("other", "", sentence) if unknown."""
    for pattern, code, field, detail in _LEGACY:
        found = pattern.match(sentence)
        if found:
            return code, field, detail(found) if callable(detail) else (found[detail] if detail else "")
    return OTHER, "", sentence
