"""Vocabulary of Vietnamese administrative documents, loaded once from data/vocab.json."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def vocab() -> dict:
    return json.loads(resources.files("pipeline").joinpath("data/vocab.json").read_text("utf-8"))


def alternation(words, flags: str = "") -> str:
    """A regex alternation of `words`, longest first so "Thông tư liên tịch" beats "Thông tư"."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def type_for_abbreviation(abbr: str) -> str:
    return vocab()["doc_types"].get(abbr, "")


def type_title(text: str) -> str:
    """ "QUYẾT ĐỊNH" → "Quyết định" when the text is exactly a document type's name."""
    wanted = text.strip().rstrip(":").strip().lower()
    for title in vocab()["type_titles"]:
        if title.lower() == wanted:
            return title
    return ""
