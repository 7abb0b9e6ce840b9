"""Vietnamese NLP helpers, loaded lazily: underthesea is imported only when a rule needs it.

Rules find almost every field; the statistical tagger is the fallback for the one place where
shape alone is not enough: a signer's name on a noisy line ("(Đã ký) Trần Thị Thu Hà",
OCR debris around the name). underthesea's POS tagger marks Vietnamese person names as Np;
its NER is not used (it tags dispatch numbers and dates as locations).
"""
from __future__ import annotations

import re
from functools import lru_cache

NAME_SHAPE = re.compile(r"^(?:[A-ZÀ-ỸĐ][a-zà-ỹđ]+\s+){1,4}[A-ZÀ-ỸĐ][a-zà-ỹđ]+$")


@lru_cache(maxsize=1)
def _pos_tag():
    from underthesea import pos_tag  # ~0.8 s to import and load the CRF model, once per process

    return pos_tag


def person_names(text: str) -> list[str]:
    """Proper-noun runs shaped like a Vietnamese full name (2–5 capitalised syllables)."""
    tagged = _pos_tag()(text)
    return [word for word, tag in tagged if tag == "Np" and NAME_SHAPE.match(word)]
