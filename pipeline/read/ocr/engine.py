"""Tesseract itself: whether it can run here, and its words on a prepared page.

The words leave here with their boxes in points and a confidence (0–100), and without what is
certainly not text: specks and seal edges read as marks, pieces of rule lines, a signature read
as a line of letters, a pen stroke lying over a name. The fast model's usual slips are respelled
on the way out (``spelling.py``), so every caller gets the same words.

Tesseract runs single-threaded (OMP_THREAD_LIMIT=1): on a few cores its threads cost more than
they save; batches parallelise across documents and pages instead.
"""
from __future__ import annotations

import os
import re
import subprocess
import unicodedata
from functools import lru_cache

from .spelling import repair_line

LANG = "vie"
INSTALL = "apt-get install tesseract-ocr tesseract-ocr-vie"
LOW_CONFIDENCE = 75.0  # % word confidence under which a key field needs review
HANDWRITTEN_CONFIDENCE = 50.0  # % given to digits read as hand-written: always reviewed
NOISE_MARKS = dict.fromkeys(map(ord, "~^`|¢©®¬´¨ˆ˜•·¦"), None)
LIST_DASH = re.compile(r"^['‘’`.,]?[-~–—_]['‘’`]?$")
NOISE_CONFIDENCE = 60.0  # % under which a letterless token is noise (half of it: a 1–2 letter token)
RULE_TOKEN = re.compile(r"^_+$")
SCRIBBLE_CONFIDENCE = 30.0  # % under which every word of a line: a signature or seal read as letters
DOUBLED_D = re.compile("[ĐÐ]{2}")  # "QĐÐ": the crossed D read twice
PEN_SEVEN = re.compile(r"^\d*†[\d†]*$")


@lru_cache(maxsize=1)
def tesseract_problem() -> str | None:
    """Why OCR cannot run here (a one-line reason with the install command), or None."""
    try:
        import pytesseract
    except ImportError:
        return "OCR needs the pytesseract package: pip install pytesseract"
    try:
        result = subprocess.run([pytesseract.pytesseract.tesseract_cmd, "--list-langs"],
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return f"OCR needs Tesseract, which is not installed: {INSTALL}"
    if LANG not in result.stdout.split():
        return f"OCR needs Tesseract's Vietnamese data ({LANG}), which is not installed: {INSTALL}"
    return None


def recognise(gray, scale: float, origin: tuple[float, float] = (0.0, 0.0), psm: int = 3) -> list[dict]:
    """Tesseract's words on a prepared page, as boxes in points with a confidence (0–100).

    A word's top and bottom are those of its Tesseract line: diacritics stacked over capitals
    ("Ủ", "Ộ") raise a word's own top by a third of the font size, enough to split a line.
    """
    import pytesseract

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # inherited by the tesseract process
    data = pytesseract.image_to_data(gray, lang=LANG, config=f"--psm {psm}", output_type=pytesseract.Output.DICT)
    left, top = origin
    lines: dict[tuple, list[int]] = {}
    for i, text in enumerate(data["text"]):
        if text.strip() and float(data["conf"][i]) >= 0:
            lines.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]), []).append(i)
    words = []
    for members in lines.values():
        members = sorted(members, key=lambda i: data["left"][i])
        if LIST_DASH.match(data["text"][members[0]]):
            data["text"][members[0]] = "-"  # a list dash blurred into "'-" or "~" by the noise
        members = [i for k, i in enumerate(members) if (k == 0 and data["text"][i] == "-")
                   or not (is_noise(data["text"][i], float(data["conf"][i])) or is_rule(data["text"][i]))]
        if not members or is_scribble([data["text"][i] for i in members], [float(data["conf"][i]) for i in members]):
            continue
        # The line's median box, not its extremes: one blob merged with the line above
        # (Tesseract's own line finder errs) must not drag every word of the line up.
        line_top = median(data["top"][i] for i in members)
        line_bottom = median(data["top"][i] + data["height"][i] for i in members)
        line = []
        for i in members:
            text = clean_word(data["text"][i])
            conf = float(data["conf"][i])
            if PEN_SEVEN.match(text):  # "0†", "4†": a hand-written 7 with its crossbar
                text, conf = text.replace("†", "7"), min(conf, HANDWRITTEN_CONFIDENCE)
            if text:
                line.append({
                    "text": text,
                    "x0": left + data["left"][i] / scale,
                    "x1": left + (data["left"][i] + data["width"][i]) / scale,
                    "top": top + line_top / scale,
                    "bottom": top + line_bottom / scale,
                    "conf": conf,
                })
        words += repair_line(drop_stray_capitals(line))
    return words


def median(values) -> float:
    ordered = sorted(values)
    return float(ordered[len(ordered) // 2])


def clean_word(text: str) -> str:
    """NFC, without the marks that specks turn into and no Vietnamese text uses ("Quốc~"), and
    without a toned capital stuck to the end of a lower-case word ("TuầnẤ": a pen stroke of the
    signature beside the name; no Vietnamese word has a capital after its small letters)."""
    text = unicodedata.normalize("NFC", text.strip()).translate(NOISE_MARKS)
    text = DOUBLED_D.sub("Đ", text)
    if len(text) > 2 and text[-1].isupper() and not text[-1].isascii() and text[-2].islower():
        text = text[:-1]
    return text


def is_rule(text: str) -> bool:
    """A run of underscores: a piece of a rule line (under the issuer or the motto), not text."""
    return bool(RULE_TOKEN.match(text))


def is_scribble(texts: list[str], confs: list[float]) -> bool:
    """A Tesseract line all of whose words it doubts deeply ("R.EH8" under a signer's title): a
    signature or seal, not text. Digits are kept: a hand-written number reads with no confidence."""
    return all(c < SCRIBBLE_CONFIDENCE for c in confs) and not any(t.strip(".,:;/").isdigit() for t in texts)


def is_noise(text: str, conf: float) -> bool:
    """Specks, rules and seal edges read as letters: a short or letterless token Tesseract
    itself doubts ("ˆ", ":", "# Ẳ"). Real short words ("Số", "1.") come with high confidence."""
    letters = sum(ch.isalnum() for ch in text)
    return (letters == 0 and conf < NOISE_CONFIDENCE) or (letters <= 2 and conf < NOISE_CONFIDENCE / 2)


def drop_stray_capitals(words: list[dict]) -> list[dict]:
    """Without a lone toned capital glued to the end of a lower-case word ("Tuần" + "Ấ"): a pen
    stroke of the signature beside the name; no Vietnamese word has a capital after small letters."""
    out: list[dict] = []
    for word in words:
        text = word["text"]
        if (out and len(text) == 1 and text.isupper() and not text.isascii() and out[-1]["text"][-1:].islower()
                and word["x0"] - out[-1]["x1"] < 2.0):
            continue
        out.append(word)
    return out


def drop_strokes_over_words(words: list[dict]) -> list[dict]:
    """Without a lone letter Tesseract read on a line of its own over another word: a pen stroke
    of the signature across the name ("À" over "Trần"), which would be glued to it as "TrầnÀ".
    Printed text never overlaps: a word lying mostly inside another's box is not text."""
    longer = [w for w in words if len(w["text"]) > 1]

    def over_a_word(mark: dict) -> bool:
        width = mark["x1"] - mark["x0"]
        return any(min(mark["x1"], w["x1"]) - max(mark["x0"], w["x0"]) > width / 2
                   and mark["top"] < w["bottom"] and w["top"] < mark["bottom"] and mark["top"] != w["top"]
                   for w in longer)

    return [w for w in words if not (len(w["text"]) == 1 and w["text"].isalpha() and over_a_word(w))]
