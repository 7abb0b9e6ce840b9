"""TCVN3 and VNI legacy-font text: conversion tables, detection and repair."""
from __future__ import annotations

import unicodedata

import pytest

from pipeline.legacy import (
    detect_legacy,
    legacy_font_encoding,
    repair_legacy,
    tcvn3_to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
    vni_to_unicode,
)

TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
VOWELS = "aăâeêioôơuưy"
ALL_LOWER = [unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES] + ["đ"]
ALL_UPPER = [ch.upper() for ch in ALL_LOWER]
SENTENCE = "Cộng hòa xã hội chủ nghĩa Việt Nam - Độc lập - Tự do - Hạnh phúc. Kính gửi: Ủy ban nhân dân tỉnh"


def test_every_toned_lower_case_letter_round_trips_through_tcvn3():
    assert len(ALL_LOWER) == 73
    for letter in ALL_LOWER:
        encoded = unicode_to_tcvn3(letter)
        assert len(encoded) == 1 and (encoded.isascii() or 0xA1 <= ord(encoded) <= 0xFE), letter
        assert tcvn3_to_unicode(encoded) == letter
    assert len({unicode_to_tcvn3(letter) for letter in ALL_LOWER}) == len(ALL_LOWER)  # no two share a code


def test_tcvn3_code_chart_samples():
    # as these strings look when a .VnTime document is opened without the font
    assert tcvn3_to_unicode("Céng hoµ x· héi chñ nghÜa ViÖt Nam") == "Cộng hoà xã hội chủ nghĩa Việt Nam"
    assert tcvn3_to_unicode("§éc lËp - Tù do - H¹nh phóc") == "Độc lập - Tự do - Hạnh phúc"
    assert tcvn3_to_unicode("K\xddnh g\xf6i") == "Kính gửi"  # Ý is í, ö is ử
    assert unicode_to_tcvn3("Hà Nội, ngày 05 tháng 01") == "Hµ Néi, ngµy 05 th¸ng 01"


def test_toned_capitals_survive_tcvn3_with_combining_marks():
    # TCVN3 has no code for "Ủ": it is written U + combining hook and composed back
    assert unicode_to_tcvn3("Ủy") == "U\u0309y"
    assert tcvn3_to_unicode(unicode_to_tcvn3(SENTENCE)) == SENTENCE
    for letter in ALL_UPPER:
        assert tcvn3_to_unicode(unicode_to_tcvn3(letter)) == letter


def test_vntimeh_text_is_typed_as_lower_case_codes():
    typed = unicode_to_tcvn3("ủy ban nhân dân tỉnh quảng ngãi")
    assert tcvn3_to_unicode(typed).upper() == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"


def test_every_letter_round_trips_through_vni():
    for letter in ALL_LOWER + ALL_UPPER:
        assert vni_to_unicode(unicode_to_vni(letter)) == letter, letter
    assert vni_to_unicode(unicode_to_vni(SENTENCE)) == SENTENCE
    assert vni_to_unicode("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam") == "Cộng hòa xã hội chủ nghĩa Việt Nam"
    assert vni_to_unicode("Ñoäc laäp - Töï do - Haïnh phuùc") == "Độc lập - Tự do - Hạnh phúc"
    assert vni_to_unicode("ñöôïc") == "được"  # ô alone is ơ, ö is ư, ñ is đ


def test_output_is_nfc():
    assert unicodedata.is_normalized("NFC", tcvn3_to_unicode(unicode_to_tcvn3(SENTENCE)))
    decomposed = unicodedata.normalize("NFD", SENTENCE)
    assert tcvn3_to_unicode(unicode_to_tcvn3(decomposed)) == SENTENCE


@pytest.mark.parametrize("text, expected", [
    (unicode_to_tcvn3(SENTENCE), "tcvn3"),
    (unicode_to_tcvn3(SENTENCE.lower()), "tcvn3"),
    (unicode_to_vni(SENTENCE), "vni"),
    (SENTENCE, None),
    ("Plain ASCII text, nothing Vietnamese: 123/UBND-KT", None),
    ("Café résumé naïve", None),
])
def test_detect_legacy(text, expected):
    assert detect_legacy(text) == expected


def test_repair_legacy_converts_legacy_lines_and_keeps_unicode_ones():
    mixed = "\n".join([unicode_to_tcvn3("Ủy ban nhân dân tỉnh Quảng Ngãi"), "Dòng đã là Unicode: Hà Nội",
                       unicode_to_tcvn3("đề nghị các sở, ban, ngành thực hiện")])
    repaired, encoding = repair_legacy(mixed)
    assert encoding == "tcvn3"
    assert repaired.split("\n") == ["Ủy ban nhân dân tỉnh Quảng Ngãi", "Dòng đã là Unicode: Hà Nội",
                                    "đề nghị các sở, ban, ngành thực hiện"]
    assert repair_legacy(SENTENCE) == (SENTENCE, None)


@pytest.mark.parametrize("font, expected", [
    (".VnTime", ("tcvn3", False)),
    (".VnTimeH", ("tcvn3", True)),
    (".VnArial NarrowH", ("tcvn3", True)),
    ("ABCDEF+VnTimeH,Bold", ("tcvn3", True)),
    ("VNI-Times", ("vni", False)),
    ("Times New Roman", None),
    (None, None),
])
def test_legacy_font_names(font, expected):
    assert legacy_font_encoding(font) == expected


def test_garbled_tax_letter_is_not_a_legacy_encoding(shared):
    """The "garbled legacy-font" sample is OCR text with lost diacritics, not TCVN3/VNI bytes."""
    path = shared / "real" / "tax_tct_garbled-font_2016-TCT-CS.md"
    if not path.exists():
        pytest.skip(f"{path.name} not in ../shared/real")
    text = path.read_text(encoding="utf-8")
    assert "CQNG HOA XA" in text and "s6ch thu6" in text  # "CỘNG HÒA XÃ", "sách thuế" read by OCR
    assert detect_legacy(text) is None
    assert repair_legacy(text) == (text, None)
