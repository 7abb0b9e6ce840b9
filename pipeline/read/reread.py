"""A second, closer OCR reading of the signer's name line.

Tesseract reads a whole page at the scan's resolution, where a bold name line under a seal is
a few pixels of tone marks: "Hiền" comes out "Hiên", "Tuấn" "Tuần". The name has no vocabulary
to check its tones against, so the line is read again on its own (one text line, red seal ink
dropped) at three sizes, and each word is spelled as the readings agreeing on it are surest in
total. A later reading may only change a word's marks, never its letters: a word it spells with
other letters (the seal's edge read as "*-£gĂn") is ignored. A name whose readings disagree is
still sent to review — the clerk sees the scan.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..normalize import fold
from ..records import Note, ScannedLine

REREAD_DPIS = (300, 400, 500)  # three renderings vote: one size alone slips a tone now and then
PAD = (10.0, 8.0)  # points around the line's box: the marks above capitals reach past it
MIN_CONFIDENCE = 60.0  # a second reading less sure than this changes nothing


def reread_signer_name(record, source) -> None:
    """Correct the diacritics of an OCR'd signer name from closer readings of its line."""
    name = record.signer.name
    found = name_line(name, [l for l in source.lines if isinstance(l, ScannedLine) and l.box])
    if found is None:
        return
    line, first = found
    try:
        readings = [read_line(image) for image in line_images(Path(source.path), source.format, line.page,
                                                              padded(line.box), REREAD_DPIS)]
    except Exception:  # a second look is a bonus: the first reading stands
        return
    better = vote(name.split(), first, readings)
    if better != name:
        record.signer.name = better
        record.warnings.append(Note("signer-name-reread", "signer.name", f"{name} → {better}"))
        record.flag("signer.name", f"các lần đọc OCR khác dấu ({name} / {better}): đã lấy cách đọc "
                                   "được nhiều lần đọc chắc nhất, cần kiểm tra")


def name_line(name: str, lines: list):
    """The last OCR'd line that holds the name's words in order, with those words' confidences."""
    words = name.split()
    if not words:
        return None
    for line in reversed(lines):
        tokens = line.text.split()
        for k in range(len(tokens) - len(words) + 1):
            if [t.strip(".,;:") for t in tokens[k:k + len(words)]] == words:
                confs = list(line.confidences[k:k + len(words)])
                return line, confs + [100.0] * (len(words) - len(confs))
    return None


def vote(words: list[str], confidences: list[float], readings: list[list[tuple[str, float]]]) -> str:
    """Each word spelled as the readings that agree on it are surest in total: the first
    reading counts with its own confidence, a later one only where it has the same letters
    (other marks at most) and at least MIN_CONFIDENCE."""
    out = []
    for k, word in enumerate(words):
        totals = {word: confidences[k]}
        for tokens in readings:
            spelling = matching(word, tokens)
            if spelling:
                totals[spelling[0]] = totals.get(spelling[0], 0.0) + spelling[1]
        out.append(max(totals, key=totals.get))
    return " ".join(out)


def matching(word: str, tokens: list[tuple[str, float]]) -> tuple[str, float] | None:
    """The token of a reading that spells `word`'s letters (same case of the first letter)."""
    for text, conf in tokens:
        text = text.strip(".,;:")
        if conf >= MIN_CONFIDENCE and fold(text) == fold(word) and text[:1].isupper() == word[:1].isupper():
            return text, conf
    return None


def read_line(image) -> list[tuple[str, float]]:
    """(word, confidence) Tesseract reads in an image of one line, as a single text line."""
    import pytesseract

    from .ocr import LANG, drop_red_ink

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    data = pytesseract.image_to_data(drop_red_ink(image), lang=LANG, config="--psm 7",
                                     output_type=pytesseract.Output.DICT)
    return [(t.strip(), float(c)) for t, c in zip(data["text"], data["conf"]) if t.strip()]


def padded(box: tuple) -> tuple:
    x0, top, x1, bottom = box
    return max(0.0, x0 - PAD[0]), max(0.0, top - PAD[1]), x1 + PAD[0], bottom + PAD[1]


def line_images(path: Path, format: str, page: int, box: tuple, dpis: tuple) -> list:
    """The box of a page (1-based) as an image at each of `dpis`, the file opened once: rendered
    from a PDF without its form fields, or cut from an image file's frame and enlarged."""
    from .ocr import image_scale, open_for_rendering

    x0, top, x1, bottom = box
    if format == "pdf":
        pdf = open_for_rendering(path, forms=False)
        try:
            pdf_page = pdf[page - 1]
            width, height = pdf_page.get_size()
            crop = (x0, height - min(bottom, height), max(0.0, width - x1), top)
            return [pdf_page.render(scale=dpi / 72, crop=crop).to_pil() for dpi in dpis]
        finally:
            pdf.close()
    from PIL import Image, ImageSequence

    with Image.open(path) as image:
        frame = next(f for k, f in enumerate(ImageSequence.Iterator(image), start=1) if k == page).copy()
    scale = image_scale(frame)
    cut = frame.crop((int(x0 * scale), int(top * scale), int(x1 * scale) + 1, int(bottom * scale) + 1))
    return [enlarged(cut, dpi / 72 / scale) for dpi in dpis]


def enlarged(cut, factor: float):
    from PIL import Image

    if factor > 1.2:
        return cut.resize((round(cut.width * factor), round(cut.height * factor)), Image.LANCZOS)
    return cut
