"""Vietnamese NLP helpers, loaded lazily: underthesea is imported only when a rule needs it.

Rules find almost every field; the statistical tagger is the fallback for the one place where
shape alone is not enough: a signer's name on a noisy line ("(Đã ký) Trần Thị Thu Hà",
OCR debris around the name). underthesea's POS tagger marks Vietnamese person names as Np;
its NER is not used (it tags dispatch numbers and dates as locations).

The tagger costs about a second to import and load, then ~2 ms a line; a line without two
capitalised syllables in a row cannot hold a name of NAME_SHAPE, so it is answered by that
rule alone and never loads the tagger.
"""
from __future__ import annotations

import re
from functools import lru_cache

NAME_SHAPE = re.compile(r"^(?:[A-ZÀ-ỸĐ][a-zà-ỹđ]+\s+){1,4}[A-ZÀ-ỸĐ][a-zà-ỹđ]+$")
# Two syllables of NAME_SHAPE (same letter classes) in a row: every name the tagger can return
# contains such a pair, so a line without one has no name to find.
NAME_PAIR = re.compile(r"[A-ZÀ-ỸĐ][a-zà-ỹđ]+\s+[A-ZÀ-ỸĐ][a-zà-ỹđ]+")


@lru_cache(maxsize=1)
def _pos_tag():
    from underthesea import pos_tag  # ~0.8 s to import and load the CRF model, once per process

    return pos_tag


def person_names(text: str) -> list[str]:
    """Proper-noun runs shaped like a Vietnamese full name (2–5 capitalised syllables)."""
    if not NAME_PAIR.search(text):
        return []
    return list(_tagged_names(text))


@lru_cache(maxsize=512)
def _tagged_names(text: str) -> tuple[str, ...]:
    tagged = _pos_tag()(text)
    return tuple(word for word, tag in tagged if tag == "Np" and NAME_SHAPE.match(word))
