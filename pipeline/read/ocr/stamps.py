"""What an e-office system stamps over a signed PDF that has a text layer: the number and the
day, drawn as a picture into the header's blanks. Only those bands are OCR'd, rendered larger
than a page, with the text layer's own words whitened out, and read as digits."""
from __future__ import annotations

import os

from .engine import recognise
from .scan import drop_red_ink, open_for_rendering

STAMP_DPI = 400  # stamped digits are small: render them larger than a page
DIGIT_LOOKALIKES = str.maketrans({"I": "1", "l": "1", "|": "1", "O": "0", "o": "0"})
STAMP_PAD = 4.0  # pt above and below a header line searched for a stamped number or date


def read_digits(path, index: int, box: tuple) -> list[tuple[str, float]]:
    """Digits Tesseract reads in a small box (x0, top, x1, bottom) of a PDF page rendered large
    without form fields, one reading per segmentation mode (a line, a word, raw)."""
    import pytesseract

    x0, top, x1, bottom = box
    pdf = open_for_rendering(path, forms=False)
    try:
        page = pdf[index]
        width, height = page.get_size()
        image = page.render(scale=STAMP_DPI / 72, crop=(x0, height - bottom, width - x1, top)).to_pil()
    finally:
        pdf.close()
    gray = drop_red_ink(image)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    found = []
    for psm in (7, 8, 13):
        data = pytesseract.image_to_data(gray, lang="eng", output_type=pytesseract.Output.DICT,
                                         config=f"--psm {psm} -c tessedit_char_whitelist=0123456789")
        tokens = [(t.strip(), float(c)) for t, c in zip(data["text"], data["conf"]) if t.strip()]
        if len(tokens) == 1:
            found.append(tokens[0])
    return found


def ocr_pdf_bands(path, index: int, stamps: list[tuple], text_words: list[dict]) -> list[dict]:
    """Words stamped over header lines of a page that has a text layer. Each (line box, stamp
    box) pair is rendered with its form fields, the text layer's own words are whitened out,
    and what Tesseract reads in the rest is placed on the line it was stamped on."""
    pdf = open_for_rendering(path)
    try:
        page = pdf[index]
        width, height = page.get_size()
        scale = STAMP_DPI / 72
        found = []
        for (_, top, _, bottom), (x0, upper, x1, lower) in stamps:
            upper, lower = min(upper, top - STAMP_PAD), max(lower, bottom + STAMP_PAD)
            image = page.render(scale=scale, crop=(x0, height - lower, width - x1, upper)).to_pil()
            image = whiten_words(drop_red_ink(image), text_words, (x0, upper), scale)
            for word in recognise(image, scale, origin=(x0, upper), psm=7):
                if not covers_text(word, text_words, top, bottom):
                    found.append(dict(word, text=as_digits(word["text"]), top=top, bottom=bottom))
        return found
    finally:
        pdf.close()


def whiten_words(gray, words: list[dict], origin: tuple[float, float], scale: float):
    """The crop with the text layer's words painted white: only the stamp's ink is left."""
    from PIL import ImageDraw

    draw = ImageDraw.Draw(gray)
    left, top = origin
    for w in words:
        draw.rectangle([(w["x0"] - left) * scale - 1, (w["top"] - top) * scale - 1,
                        (w["x1"] - left) * scale + 1, (w["bottom"] - top) * scale + 1], fill=255)
    return gray


def as_digits(text: str) -> str:
    """A stamped number or day read with letter look-alikes ("II" → "11", "O8" → "08")."""
    text = text.strip("_")  # the blank's underline, read with the stamp: "627_"
    core = text.rstrip(".,")
    if core and all(ch.isdigit() or ch in DIGIT_LOOKALIKES for ch in core) and any(ch.isdigit() or ch in "Il|" for ch in core):
        return core.translate(DIGIT_LOOKALIKES) + text[len(core):]
    return text


def covers_text(word: dict, text_words: list[dict], top: float, bottom: float) -> bool:
    """Whether an OCR word lies over a text-layer word of the same line (read already)."""
    for other in text_words:
        if other["bottom"] <= top or other["top"] >= bottom:
            continue
        overlap = min(word["x1"], other["x1"]) - max(word["x0"], other["x0"])
        if overlap > 0.3 * min(word["x1"] - word["x0"], other["x1"] - other["x0"]):
            return True
    return False
