"""Legacy Vietnamese font encodings (TCVN3/ABC and VNI) to Unicode, and back for TCVN3.

Before Unicode, Vietnamese documents were typed with 8-bit fonts: the bytes are ordinary
Windows-1252 code points and only the font draws them as Vietnamese letters. Read without
the font, "Cộng hòa xã hội" shows as "Céng hoµ x· héi" (TCVN3, fonts ".VnTime", ".VnArial"…)
or "Coäng hoøa xaõ hoäi" (VNI, fonts "VNI-Times"…). Here text is a Python ``str`` whose code
points are those bytes.

* TCVN3 (TCVN 5712:1993, table VN3) gives every lower-case letter one byte, but of the capitals
  only Ă Â Ê Ô Ơ Ư Đ. Capitals with a tone are typed in lower case in an all-caps font whose
  name ends in "H" (".VnTimeH"): converting such a run means converting, then upper-casing.
* VNI writes a letter as its base letter followed by one mark byte (ô = "oâ", ố = "oá"), plus a
  few one-byte letters (ơ = "ô", ư = "ö", đ = "ñ", ĩ = "ó").

All output is NFC.
"""
from __future__ import annotations

import re
import unicodedata

# Tones in the order the code charts list them.
_TONES = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")  # huyền, hỏi, ngã, sắc, nặng

# ------------------------------------------------------------------------------------ TCVN3

# Each vowel: its untoned code (None = plain ASCII) and the codes of its five toned forms.
_TCVN3_VOWELS = {
    "a": (None, (0xB5, 0xB6, 0xB7, 0xB8, 0xB9)),
    "ă": (0xA8, (0xBB, 0xBC, 0xBD, 0xBE, 0xC6)),
    "â": (0xA9, (0xC7, 0xC8, 0xC9, 0xCA, 0xCB)),
    "e": (None, (0xCC, 0xCE, 0xCF, 0xD0, 0xD1)),
    "ê": (0xAA, (0xD2, 0xD3, 0xD4, 0xD5, 0xD6)),
    "i": (None, (0xD7, 0xD8, 0xDC, 0xDD, 0xDE)),
    "o": (None, (0xDF, 0xE1, 0xE2, 0xE3, 0xE4)),
    "ô": (0xAB, (0xE5, 0xE6, 0xE7, 0xE8, 0xE9)),
    "ơ": (0xAC, (0xEA, 0xEB, 0xEC, 0xED, 0xEE)),
    "u": (None, (0xEF, 0xF1, 0xF2, 0xF3, 0xF4)),
    "ư": (0xAD, (0xF5, 0xF6, 0xF7, 0xF8, 0xF9)),
    "y": (None, (0xFA, 0xFB, 0xFC, 0xFD, 0xFE)),
}
_TCVN3_OTHERS = {"đ": 0xAE, "Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7}


def _with_tone(base: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + tone)


def _tcvn3_encoding() -> dict[str, str]:
    table = {letter: chr(code) for letter, code in _TCVN3_OTHERS.items()}
    for base, (plain, toned) in _TCVN3_VOWELS.items():
        if plain is not None:
            table[base] = chr(plain)
        for tone, code in zip(_TONES, toned):
            table[_with_tone(base, tone)] = chr(code)
    return table


_TO_TCVN3 = _tcvn3_encoding()
_FROM_TCVN3 = str.maketrans({code: letter for letter, code in _TO_TCVN3.items()})


def tcvn3_to_unicode(text: str) -> str:
    """TCVN3 text (code points = the font's bytes) → Unicode NFC. Other characters pass through."""
    return unicodedata.normalize("NFC", text.translate(_FROM_TCVN3))


def unicode_to_tcvn3(text: str) -> str:
    """Unicode Vietnamese → TCVN3 as typed in ".VnTime" (the inverse of ``tcvn3_to_unicode``).

    A capital with a tone has no TCVN3 code: it is written as its capital base (with the
    Â/Ê/Ô/Ơ/Ư/Ă code when there is one) plus the Unicode combining tone mark, which
    ``tcvn3_to_unicode`` composes back. Text for an all-caps ".VnTimeH" run should be
    lower-cased first, as a typist would have done.
    """
    out = []
    for ch in unicodedata.normalize("NFC", text):
        code = _TO_TCVN3.get(ch)
        if code is not None:
            out.append(code)
        elif ch.isupper() and ch.lower() in _TO_TCVN3:
            out.append(_split_toned_capital(ch))
        else:
            out.append(ch)
    return "".join(out)


def _split_toned_capital(ch: str) -> str:
    marks = unicodedata.normalize("NFD", ch)
    tones = "".join(m for m in marks if m in _TONES)
    base = unicodedata.normalize("NFC", "".join(m for m in marks if m not in _TONES))
    return _TO_TCVN3.get(base, base) + tones


# -------------------------------------------------------------------------------------- VNI

# Mark bytes after a base letter, lower case then upper case, in the order of _TONES.
_VNI_PLAIN_TONES = ("øûõùï", "ØÛÕÙÏ")  # after a e o u y ơ ư
_VNI_CIRCUMFLEX = ("â", "àåãáä", "Â", "ÀÅÃÁÄ")  # â ê ô: the mark carries both hat and tone
_VNI_BREVE = ("ê", "èúüéë", "Ê", "ÈÚÜÉË")  # ă
# i, ỵ and the hooked letters are single bytes of their own.
_VNI_SINGLE = {
    "ì": "ì", "ỉ": "æ", "ĩ": "ó", "í": "í", "ị": "ò", "ỵ": "î", "ơ": "ô", "ư": "ö", "đ": "ñ",
    "Ì": "Ì", "Ỉ": "Æ", "Ĩ": "Ó", "Í": "Í", "Ị": "Ò", "Ỵ": "Î", "Ơ": "Ô", "Ư": "Ö", "Đ": "Ñ",
}


def _vni_encoding() -> dict[str, str]:
    table = dict(_VNI_SINGLE)
    for upper in (False, True):
        case = str.upper if upper else str.lower
        plain_marks = _VNI_PLAIN_TONES[upper]
        for base in "aeouy":
            for tone, mark in zip(_TONES, plain_marks):
                letter = case(_with_tone(base, tone))
                table.setdefault(letter, case(base) + mark)
        for hooked in ("ơ", "ư"):
            for tone, mark in zip(_TONES, plain_marks):
                table[case(_with_tone(hooked, tone))] = table[case(hooked)] + mark
        for hat, vowels, marks in ((_VNI_CIRCUMFLEX, "aeo", "\u0302"), (_VNI_BREVE, "a", "\u0306")):
            plain, toned = hat[2 * upper], hat[2 * upper + 1]
            for base in vowels:
                modified = case(_with_tone(base, marks))
                table[modified] = case(base) + plain
                for tone, mark in zip(_TONES, toned):
                    table[case(_with_tone(modified, tone))] = case(base) + mark
    return table


_TO_VNI = _vni_encoding()
# Lenient: a capital base with a lower-case mark byte ("Aù") still means the capital letter.
_FROM_VNI = {seq: letter for letter, seq in _TO_VNI.items()}
for _seq, _letter in list(_FROM_VNI.items()):
    if len(_seq) == 2 and _seq[0].isupper() and _seq[1].isupper():
        _FROM_VNI.setdefault(_seq[0] + _seq[1].lower(), _letter)
_VNI_PATTERN = re.compile("|".join(re.escape(s) for s in sorted(_FROM_VNI, key=len, reverse=True)))


def vni_to_unicode(text: str) -> str:
    """VNI text (code points = the font's bytes) → Unicode NFC, longest byte sequence first."""
    return unicodedata.normalize("NFC", _VNI_PATTERN.sub(lambda m: _FROM_VNI[m.group()], text))


def unicode_to_vni(text: str) -> str:
    """Unicode Vietnamese → VNI as typed in "VNI-Times" (used to build test fixtures)."""
    return "".join(_TO_VNI.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


# -------------------------------------------------------------------------------- detection

# Letters only Vietnamese Unicode text has (ă đ ĩ ũ ơ ư and the Latin Extended Additional block).
_UNICODE_VIETNAMESE = re.compile("[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]")
_LATIN1_VIETNAMESE = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
_VNI_BYTES = set("".join(_TO_VNI.values())) - set("aeiouyAEIOUY")
# TCVN3 bytes that are neither Vietnamese letters in their own right nor VNI bytes: "µ", "¸", "©"…
_TCVN3_MARKERS = frozenset(_TO_TCVN3.values()) - _LATIN1_VIETNAMESE - _VNI_BYTES
_TCVN3_MARKER = re.compile("[" + re.escape("".join(sorted(_TCVN3_MARKERS))) + "]")
# A vowel followed by a VNI mark byte, in pairs no Unicode Vietnamese word has ("oä", "aø", "eâ").
# After i/u/y only tone bytes of the same case count: TCVN3 "tiÕp" (tiếp) must not look like VNI.
# (The lookahead first names every vowel a marker can open with: other positions fail at once, 3× faster.)
_VNI_MARKER = re.compile(
    "(?=[aeoAEOiuyIUYôöÔÖ])(?:"
    "(?!o[àáãèé]|O[ÀÁÃÈÉ])[aeoAEO][øûõùïàåãáäèúüéëâêØÛÕÙÏÀÅÃÁÄÈÚÜÉËÂÊ]"
    "|[iuy][øûõùïåäüë]|[IUY][ØÛÕÙÏÅÄÜË]|[ôö][øûõùï]|[ÔÖ][ØÛÕÙÏ])"
)
_MIN_EVIDENCE = 2


def detect_legacy(text: str) -> str | None:
    """"tcvn3" or "vni" when `text` reads as legacy-font bytes, None when it is ordinary text.

    Legacy text is full of bytes that no Vietnamese word uses ("µ", "¸", "oä") and has none of
    the letters only Unicode has (ộ, ư, đ…); the side with more evidence wins.
    """
    tcvn3, vni = len(_TCVN3_MARKER.findall(text)), len(_VNI_MARKER.findall(text))
    best = max(tcvn3, vni)
    if best < _MIN_EVIDENCE:  # (ordinary text: the Unicode letters need not be counted)
        return None
    if best <= len(text) - len(_UNICODE_VIETNAMESE.sub("", text)):
        return None
    return "tcvn3" if tcvn3 >= vni else "vni"


def convert_legacy(text: str, encoding: str) -> str:
    """Convert `text` from "tcvn3" or "vni" to Unicode NFC."""
    return tcvn3_to_unicode(text) if encoding == "tcvn3" else vni_to_unicode(text)


def repair_legacy(text: str) -> tuple[str, str | None]:
    """(text converted to Unicode, "tcvn3"/"vni") when legacy bytes are detected, else (text, None).

    Conversion goes line by line and leaves alone lines that already hold Unicode-only
    Vietnamese letters, so a half-converted file is not garbled a second time.
    """
    encoding = detect_legacy(text)
    if encoding is None:
        return text, None
    lines = text.split("\n")
    repaired = [line if _UNICODE_VIETNAMESE.search(line) else convert_legacy(line, encoding) for line in lines]
    return "\n".join(repaired), encoding


_FONT_STYLE_SUFFIX = re.compile(r"(?:[-,](?:Bold|Italic|BoldItalic|Regular|Oblique))+$", re.I)


def legacy_font_encoding(font: str | None) -> tuple[str, bool] | None:
    """("tcvn3" | "vni", all_caps) for a legacy Vietnamese font name, else None.

    TCVN3 fonts are named ".Vn…" (".VnTime", ".VnArial Narrow"; PDFs may drop the dot and add
    a subset prefix: "ABCDEF+VnTime,Bold"); the all-caps ones end in "H" (".VnTimeH").
    VNI fonts are named "VNI-…" ("VNI-Times", "VNI-Helve").
    """
    if not font:
        return None
    name = _FONT_STYLE_SUFFIX.sub("", font.strip().split("+", 1)[-1])
    if name.lower().startswith(".vn") or re.match(r"Vn[A-Z]", name):
        return "tcvn3", name.endswith("H")
    if re.match(r"vni[-_ ]", name, re.I):
        return "vni", False
    return None
