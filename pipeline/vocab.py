"""Vocabulary of Vietnamese administrative documents, loaded once from data/vocab.json."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from .normalize import fold_words


@lru_cache(maxsize=1)
def vocab() -> dict:
    return json.loads(resources.files("pipeline").joinpath("data/vocab.json").read_text("utf-8"))


def alternation(words, flags: str = "") -> str:
    """A regex alternation of `words`, longest first so "Thông tư liên tịch" beats "Thông tư"."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def type_for_abbreviation(abbr: str) -> str:
    return vocab()["doc_types"].get(abbr, "")


def type_title(text: str) -> str:
    """ "QUYẾT ĐỊNH" → "Quyết định" when the text is exactly a document type's name; OCR's
    tone slips ("QUYÉT ĐỊNH") are matched without diacritics, where no two names collide."""
    return _type_title(text.strip().rstrip(":").strip().lower())


@lru_cache(maxsize=8192)  # the same few header lines are asked about by the restorer, the segmenter and the extractor
def _type_title(wanted: str) -> str:
    title = _titles_by_lower().get(wanted)
    return title if title is not None else _titles_without_marks().get(fold_words(wanted), "")


@lru_cache(maxsize=1)
def _titles_by_lower() -> dict[str, str]:
    """Each type title by its lower case; the first listed wins, as the scan of the list did."""
    titles: dict[str, str] = {}
    for title in vocab()["type_titles"]:
        titles.setdefault(title.lower(), title)
    return titles


@lru_cache(maxsize=1)
def _titles_without_marks() -> dict[str, str]:
    titles: dict[str, list[str]] = {}
    for title in vocab()["type_titles"]:
        titles.setdefault(fold_words(title), []).append(title)
    return {bare: found[0] for bare, found in titles.items() if len(set(t.lower() for t in found)) == 1}



def signer_title_form(text: str) -> str:
    """A signer's own title as the document should read: "THỨ TRƯỞNG" and "Phó Thủ tướng" (portals print
    it in sentence case) as printed; "PHÓ cụ c TRƯỞNG" (an OCR'd line whose spaces slipped) as the
    known title "PHÓ CỤC TRƯỞNG"; "" when the text is no known title."""
    upper = " ".join(text.split()).upper()
    titles = vocab()["signer_titles"]
    if upper in titles or (upper.startswith("PHÓ ") and upper[4:] in titles):
        return " ".join(text.split())
    squeezed = upper.replace(" ", "")
    for title in titles:
        for form in (title, "PHÓ " + title):
            if squeezed == form.replace(" ", ""):
                return form
    return ""


def is_signer_title(text: str) -> bool:
    return bool(signer_title_form(text))
