"""Vietnamese syllables: what a word of Vietnamese can be spelt as, to tell text from garble.

A syllable is an onset, a vowel nucleus and a coda; tone marks sit on the nucleus. Garbled legacy
fonts and OCR slips make words no syllable spells ("THUÉ", "nhfin"); glyph-spaced PDFs and portal
copies split one syllable into pieces ("B Ộ", "Qu ả ng") that only join into one.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Tone marks (grave, acute, hook, tilde, dot below); the vowel marks (breve, circumflex, horn) stay.
_TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
_NUCLEI = (
    "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ uy "
    "ưa ưi ưu ươ yê oai oay oeo uây uôi uya uyê uyu ươi ươu iêu yêu"
).split()
_SYLLABLE = re.compile(rf"^{_ONSET}(?:{'|'.join(sorted(_NUCLEI, key=len, reverse=True))})(?:ch|nh|ng|[cmnptk])?$")  # k: Đắk Lắk


@lru_cache(maxsize=1 << 16)  # the same few thousand words over and over
def bare_syllable(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))


def is_vietnamese_syllable(word: str) -> bool:
    return _SYLLABLE.match(bare_syllable(word)) is not None


def garbled_words(text: str) -> list[str]:
    """Words with Vietnamese letters that no Vietnamese syllable spells ("THUÉ", "Ngăy");
    plain ASCII words (abbreviations, foreign names) are not judged."""
    words = re.findall(r"[^\W\d_]+", text)
    return [w for w in words if not w.isascii() and has_vowel(w) and not is_vietnamese_syllable(w)]


def has_vowel(word: str) -> bool:
    """Abbreviations ("HĐND", "TTĐT") have none and are not syllables to judge."""
    return re.search("[aăâeêioôơuưy]", bare_syllable(word)) is not None


# A run can only open with an onset alone ("B", "Ngh", "đ") or "Qu"/"Gi", followed by a short piece:
# a line without one is returned as it is, which is almost every line.
GLYPH_PIECE = re.compile(r"(?<!\S)(?:[bcdđfghjklmnpqrstvwxz]{1,3}|qu|gi) [^\W\d_]{1,3}(?:[\s,.;:]|$)", re.I)


def join_glyph_spaced(text: str) -> str:
    """ "B Ộ LAO ĐỘNG" → "BỘ LAO ĐỘNG", "Qu ả ng Ngãi" → "Quảng Ngãi": short pieces of which one is no
    syllable alone are joined when together they spell one. Whole words are never touched."""
    if not GLYPH_PIECE.search(text):
        return text
    words = text.split(" ")
    out: list[str] = []
    i = 0
    while i < len(words):
        first = words[i]
        if not (1 <= len(first) <= 3 and first.isalpha() and is_fragment(first)):  # no run can start here
            out.append(first)
            i += 1
            continue
        for n in (3, 2):
            run = words[i:i + n]
            tail = run[-1][len(run[-1].rstrip(",.;:")):] if run else ""  # "đ ế n," keeps its comma; "a)" is a label
            run = run[:-1] + [run[-1][: len(run[-1]) - len(tail)]] if run else run
            if len(run) == n and all(1 <= len(w) <= 3 and w.isalpha() for w in run) and is_fragment(run[0]) \
                    and is_vietnamese_syllable("".join(run)) and same_case("".join(run)):
                out.append("".join(run) + tail)
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


@lru_cache(maxsize=4096)
def is_fragment(word: str) -> bool:
    """The opening piece of a split syllable: an onset alone ("B", "Ngh", "đ") or "Qu"/"Gi", which
    no word is on its own. A whole syllable ("Số" in "Số c ontainer") never opens a join."""
    return not has_vowel(word) or word.lower() in ("qu", "gi")


def same_case(word: str) -> bool:
    """ "BỘ", "Quảng", "đến": one word's casing, not "BC" glued from two abbreviations' letters."""
    return word.isupper() or word.islower() or (word[:1].isupper() and word[1:].islower())
