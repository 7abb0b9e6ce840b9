"""The codes of the notes a record carries, and their words: one table, data/notes.json.

A note (``records.Note``) is a code, the field it is about and a detail (a value from the document:
a number, a date, a name). The table gives each code its kind — "doubt" (a value the rules are
unsure of: the record goes to review) or "format" (how the sender formatted the document, shown
only) or "error" (why a file could not be read: ``records.ReadError``, a failed record's note) —
and its text in English and Vietnamese, with ``{detail}`` and ``{field}`` filled in. Nothing reads
the text back: the store asks the kind, the pages print the Vietnamese. An error's Vietnamese never
shows a detail that may hold a library's words or a server path (an exception's text, a file name).

Records stored or exported before the codes hold English sentences; ``legacy()`` maps such a
sentence to its code once, when it is loaded (LEGACY below, the only place the old texts live);
a record that failed before the codes has only its English reason: ``legacy_error()`` (ERROR_LEGACY).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

DOUBT, FORMAT, ERROR = "doubt", "format", "error"
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


# The read-failure reasons written before the codes (Record.error of a failed record stored or
# exported before them): (pattern matched at the start, code). Named groups: d the detail, f the
# field (a [limits] name). Longer prefixes first where one starts another.
_LIMIT = r" \((?P<d>.*): \[limits\] (?P<f>\w+) in congvan\.toml\)"
ERROR_LEGACY = [
    (r"not found$", "not-found"),
    (r"cannot open: (?P<d>.*)", "cannot-open"),
    (r"is a directory", "is-directory"),
    (r"not a regular file", "not-regular-file"),
    (r"empty file", "empty-file"),
    (r"no text in the document", "no-text"),
    (r"not a text file: unknown encoding", "unknown-encoding"),
    (r"not a text file", "binary-file"),
    (r"file too large for a text document" + _LIMIT, "text-too-large"),
    (r"file too large for a document" + _LIMIT, "file-too-large"),
    (r"file too large", "file-too-large"),
    (r"old Word format", "old-word"),
    (r"old Office format", "old-office"),
    (r"spreadsheet", "spreadsheet"),
    (r"unsupported file type \(no extension\)", "no-extension"),
    (r"unsupported file type (?P<d>\.\w{1,10})$", "unsupported-type"),
    (r"(?P<d>unsupported.*)", "unreadable"),
    (r"XML file that is not an edXML package", "xml-not-edxml"),
    (r"no text layer: scanned PDF, and OCR found no text", "pdf-scanned-no-text"),
    (r"no text layer: scanned PDF, and (?P<d>.*)", "pdf-scanned-no-ocr"),
    (r"no text layer", "pdf-scanned"),
    (r"too many scanned pages to OCR" + _LIMIT, "pdf-too-many-pages"),
    (r"encrypted PDF", "pdf-encrypted"),
    (r"corrupt PDF: (?P<d>.*)", "pdf-corrupt"),
    (r"corrupt PDF", "pdf-corrupt"),
    (r"corrupt DOCX: an OLE file", "docx-ole"),
    (r"corrupt DOCX: (?P<d>.*)", "docx-corrupt"),
    (r"DOCX too large when unpacked" + _LIMIT, "docx-too-large"),
    (r"DOCX too large when unpacked", "docx-too-large"),
    (r"unreadable HTML: (?P<d>.*)", "html-unreadable"),
    (r"image: no text layer to read, and OCR is turned off", "image-ocr-off"),
    (r"image: OCR found no text", "image-no-text"),
    (r"image: text can only be read by OCR, and (?P<d>.*)", "image-no-ocr"),
    (r"image too large for this computer's memory", "image-memory"),
    (r"image too large" + _LIMIT, "image-too-large"),
    (r"image too large", "image-too-large"),
    (r"corrupt image: (?P<d>.*)", "image-corrupt"),
    (r"image", "image-no-ocr"),
    (r"edXML attachments too large together" + _LIMIT, "edxml-attachments-too-large"),
    (r"edXML attachment (?P<d>\d+) has no content", "edxml-attachment-empty"),
    (r"edXML attachment (?P<d>\d+) is not valid base64", "edxml-attachment-base64"),
    (r"edXML attachment", "edxml-attachment-too-large"),
    (r"edXML package too large" + _LIMIT, "edxml-too-large"),
    (r"edXML package refused", "edxml-doctype"),
    (r"edXML package is not well-formed XML: (?P<d>.*)", "edxml-not-xml"),
    (r"edXML package cannot be parsed: (?P<d>.*)", "edxml-unparsable"),
    (r"edXML package without edXMLHeader", "edxml-no-header"),
    (r"edXML package without From", "edxml-no-sender"),
    (r"edXML package without a readable attachment", "edxml-empty"),
    (r"edXML package: (?P<d>.*) is not a date", "edxml-bad-date"),
    (r"edXML package", "edxml-unparsable"),
    (r"not an edXML package: no edXMLEnvelope \(root element <(?P<d>[^>]*)>\)", "not-edxml"),
    (r"not an edXML package", "not-edxml"),
    (r"stopped at the time limit" + _LIMIT, "time-limit"),
    (r"stopped at the time limit", "time-limit"),
    (r"not enough memory", "out-of-memory"),
    (r"read failed: (?P<d>.*)", "read-failed"),
    (r"extraction failed: (?P<d>.*)", "extraction-failed"),
    (r"worker failed: (?P<d>.*)", "worker-failed"),
    (r"the worker process reading this file died", "worker-died"),
    (r"stopped by the server shutting down", "server-stopped"),
    (r"could not be stored: (?P<d>.*)", "not-stored"),
    (r"still being written", "unsettled"),
]
_ERROR_LEGACY = [(re.compile(rx, re.S), code) for rx, code in ERROR_LEGACY]


def legacy_error(reason: str) -> tuple[str, str, str]:
    """(code, field, detail) of a read failure stored as its English reason; ("unreadable", "", reason)
    if unknown (said in Vietnamese as "Không đọc được tệp", never as the English)."""
    for pattern, code in _ERROR_LEGACY:
        found = pattern.match(reason)
        if found:
            groups = found.groupdict()
            return code, groups.get("f") or "", groups.get("d") or ""
    return "unreadable", "", reason
