"""Image reader (.png, .jpg, .tif): a photographed or scanned page, read by OCR.

Each frame (a multi-page TIFF has several) is OCR'd and its words go through the PDF reader's
word geometry, so the header and signature columns come out as from a text layer.
"""
from __future__ import annotations

from pathlib import Path

from ..records import ReadError, SourceText
from . import ocr as ocr_mod
from .pdf import arrange, drop_page_numbers, group_lines


def read_image(path: Path, ocr: str = "auto") -> SourceText:
    """OCR an image file into lines; ReadError when OCR is off, missing or finds nothing."""
    path = Path(path)
    if ocr == "never":
        raise ReadError(str(path), "image: no text layer to read, and OCR is turned off (--ocr never)")
    ocr_mod.require_ocr(str(path), "image: text can only be read by OCR")
    try:
        pages = ocr_mod.ocr_image_file(path)
    except (OSError, ValueError, SyntaxError) as err:  # what Pillow raises for broken files
        raise ReadError(str(path), f"corrupt image: {err}") from None
    lines = [line for number, page in pages
             for line in group_lines(page.words, number, page.height, ocr_mod.line_tolerance(page.words))]
    if not any(line.text.strip() for line in lines):
        raise ReadError(str(path), "image: OCR found no text in it")
    confs = [w["conf"] for line in lines for w in line.words]
    note = (f"OCR (Tesseract {ocr_mod.LANG}) on {len(pages)} of {len(pages)} page(s), "
            f"mean word confidence {sum(confs) / len(confs):.0f}%")
    return SourceText(str(path), "image", arrange(drop_page_numbers(lines)), pages=len(pages), notes=[note])
