"""Image reader (.png, .jpg, .tif): a photographed or scanned page, read by OCR.

Each frame (a multi-page TIFF has several) is OCR'd and its words go through the PDF reader's
word geometry, so the header and signature columns come out as from a text layer.
"""
from __future__ import annotations

import warnings
from pathlib import Path

from ..limits import limits
from ..records import ReadError, SourceText
from . import ocr as ocr_mod
from .pdf import arrange, drop_page_numbers, group_lines


def read_image(path: Path, ocr: str = "auto") -> SourceText:
    """OCR an image file into lines; ReadError when OCR is off, missing or finds nothing."""
    path = Path(path)
    check_pixels(path)
    if ocr == "never":
        raise ReadError(str(path), "image-ocr-off")
    problem = ocr_mod.tesseract_problem()
    if problem:
        raise ReadError(str(path), "image-no-ocr", problem)
    try:
        pages = ocr_mod.ocr_image_file(path)
    except MemoryError:
        raise ReadError(str(path), "image-memory") from None
    except Exception as err:  # Pillow, numpy and Tesseract errors for broken files
        raise ReadError(str(path), "image-corrupt", (str(err).strip().splitlines()[0] if str(err).strip()
                                                     else type(err).__name__)[:145]) from None
    lines = [line for number, page in pages
             for line in group_lines(page.words, number, page.height, ocr_mod.line_tolerance(page.words))]
    if not any(line.text.strip() for line in lines):
        raise ReadError(str(path), "image-no-text")
    confs = [w["conf"] for line in lines for w in line.words]
    note = (f"OCR (Tesseract {ocr_mod.LANG}) on {len(pages)} of {len(pages)} page(s), "
            f"mean word confidence {sum(confs) / len(confs):.0f}%")
    return SourceText(str(path), "image", arrange(drop_page_numbers(lines)), pages=len(pages), notes=[note])


def check_pixels(path: Path) -> None:
    """Refuse, before decoding a pixel, an image larger than [limits] image_mpx (a decompression bomb
    declares 20000×20000 px in a few hundred bytes); the header alone gives the size."""
    from PIL import Image

    lim = limits()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
            try:
                with Image.open(path) as image:
                    width, height = image.size
            finally:
                Image.MAX_IMAGE_PIXELS = saved
    except Exception as err:  # not an image Pillow can open: the OCR step reports it
        if isinstance(err, (OSError, SyntaxError, ValueError)):
            raise ReadError(str(path), "image-corrupt", str(err)[:145]) from None
        raise ReadError(str(path), "image-corrupt", type(err).__name__) from None
    if width * height > lim.image_mpx * 1e6:
        raise ReadError(str(path), "image-too-large",
                        **lim.over(f"{width * height / 1e6:.0f} Mpx, {width}×{height}", "image_mpx"))
