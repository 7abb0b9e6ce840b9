"""How sure OCR was of each field, worked out after extraction from the words' confidences.

Tesseract gives every word a confidence (0–100); a field is as sure as its weakest word. The key
fields' confidences go into the record, and every field holding a word read unsurely is named in
``review``: the value is kept for the clerk to correct, never passed on as certain. A person's
name and a list need a surer reading than the rest (one wrong tone changes a name, loses an
entry). Only a record read (partly) by OCR has confidences: its lines are ``ScannedLine``s.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .read.ocr.engine import LOW_CONFIDENCE
from .records import Line, Note, ScannedLine

NAME_CONFIDENCE = 94.0  # % a person's name must reach: below it, a tone is often wrong ("Hiên" for "Hiền")
LIST_CONFIDENCE = 85.0  # … and a list (Kính gửi, Nơi nhận): many words, one wrong tone loses an entry
FIELD_CONFIDENCE = {"signer.name": NAME_CONFIDENCE, "recipients": LIST_CONFIDENCE, "distribution": LIST_CONFIDENCE,
                    "directives": LIST_CONFIDENCE}  # a task's text: one wrong tone misquotes it
KEY_FIELDS = {"number": "number", "issued_on": "date", "issuer": "issuer", "signer.name": "signer"}
TOKEN = re.compile(r"\S+")
# Every field a record gives from an OCR'd text, for the review flags (the key fields' confidences
# are also reported in the record).
REVIEW_FIELDS = ("number", "issued_on", "place", "issuer", "parent_body", "doc_type", "subject", "recipients",
                 "distribution", "references", "directives", "signer.authority", "signer.title", "signer.name")


def text_confidences(record_text: str, lines: list[Line]) -> list[tuple[int, int, float]]:
    """(start, end, confidence) of each OCR'd token of the record text.

    The record's text is the reader's lines after normalisation: the same tokens in the same
    order, a few glued ("68/NQ-" + "CP"). Tokens are matched in order, looking a little ahead.
    """
    source: list[tuple[str, float]] = []
    for line in lines:
        confs = line.confidences if isinstance(line, ScannedLine) else ()
        for k, token in enumerate(line.text.split()):
            source.append((unicodedata.normalize("NFC", token), confs[k] if k < len(confs) else 100.0))
    spans, position = [], 0
    for match in TOKEN.finditer(record_text):
        for ahead in range(position, min(position + 40, len(source))):
            if source[ahead][0] == match.group():
                if source[ahead][1] < 100.0:
                    spans.append((match.start(), match.end(), source[ahead][1]))
                position = ahead + 1
                break
    return spans


def field_confidences(record, lines: list[Line], names=KEY_FIELDS, tokens=None) -> dict[str, float]:
    """The lowest OCR word confidence inside each named field's span (fields not OCR'd are left
    out); a list field (recipients, distribution, references) by its weakest entry."""
    tokens = text_confidences(record.text, lines) if tokens is None else tokens
    out = {}
    for name in names:
        span = record.spans.get(name)
        if not span:
            continue
        spans = span if isinstance(span[0], list) else [span]
        inside = [conf for start, end, conf in tokens for a, b in spans if start < b and end > a]
        if inside:
            out[name] = min(inside)
    return out


def flag_unsure_fields(record, lines: list[Line]) -> None:
    """Send to review each field of an OCR'd record that holds a word Tesseract read with low
    confidence: the value is kept for the clerk to correct, never passed on as certain. A
    person's name has no vocabulary to check its tones against, so it must be read surely."""
    if not hasattr(record, "flag"):
        return
    for name, conf in field_confidences(record, lines, REVIEW_FIELDS).items():
        if conf < FIELD_CONFIDENCE.get(name, LOW_CONFIDENCE):
            record.flag(name, f"OCR không chắc chắn ({conf:.0f}%)")
    title = " ".join(record.signer.title.split())
    if title and not is_known_title(title):  # the authority line above it is then in doubt too
        for name in ("signer.title", "signer.authority"):
            record.flag(name, f"chức danh đọc bằng OCR không có trong danh mục: {title}")


def is_known_title(title: str) -> bool:
    """A signer's title from the vocabulary, with "PHÓ" before it or its body's name after it
    in capitals ("PHÓ CHỦ TỊCH", "GIÁM ĐỐC SỞ Y TẾ"), nothing else ("BAN NHAN DAN CHỦ TỊCH")."""
    text = title.upper().removeprefix("PHÓ ").strip()
    for known in known_titles():
        if text == known or text.startswith(known + " "):
            rest = text[len(known):].split()
            if all(t.isalpha() and t.isupper() for t in rest):
                return True
    return False


@lru_cache(maxsize=1)
def known_titles() -> set:
    from .vocab import vocab

    return {" ".join(t.upper().split()) for t in vocab()["signer_titles"]}


def warnings_for(confidences: dict[str, float]) -> list[Note]:
    return [Note("low-ocr-confidence", name, f"{conf:.0f}")
            for name, conf in confidences.items() if conf < LOW_CONFIDENCE]
