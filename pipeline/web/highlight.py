"""A record's text as HTML with each extracted value marked where it came from (its spans).

Spans may nest (a reference inside a directive item) or touch, so the text is cut at every
span boundary and each piece is marked with all the fields that cover it; its colour is the
innermost field's, the one a reader is looking for.
"""
from __future__ import annotations

from markupsafe import Markup, escape


def span_pairs(value) -> list[tuple[int, int]]:
    """A span value is [start, end] or a list of them."""
    if not value:
        return []
    if isinstance(value[0], int):
        return [(value[0], value[1])]
    return [(start, end) for start, end in value]


def field_key(span_name: str) -> str:
    """"signer.name" (a record span) → "signer_name" (the store's column and the form's field)."""
    return span_name.replace(".", "_")


def intervals(spans: dict, length: int) -> list[tuple[int, int, str]]:
    found = []
    for name, value in spans.items():
        for start, end in span_pairs(value):
            start, end = max(0, start), min(length, end)
            if start < end:
                found.append((start, end, field_key(name)))
    return found


def highlighted(text: str, spans: dict) -> Markup:
    """The text, HTML-escaped, with <mark class="hl f-FIELD" data-fields="…"> around each marked piece."""
    marks = intervals(spans, len(text))
    cuts = sorted({0, len(text)} | {s for s, _, _ in marks} | {e for _, e, _ in marks})
    out = []
    for start, end in zip(cuts, cuts[1:]):
        piece = escape(text[start:end])
        covering = sorted((e - s, key) for s, e, key in marks if s <= start and end <= e)
        if not covering:
            out.append(piece)
            continue
        names = " ".join(dict.fromkeys(key for _, key in covering))
        out.append(Markup('<mark class="hl f-{}" data-fields="{}">{}</mark>').format(covering[0][1], names, piece))
    return Markup("").join(out)
