"""Whole pages through OCR: a scanned PDF's pages (spread over processes when asked) and an
image file's frames, as words in points that the readers arrange like a text layer's."""
from __future__ import annotations

import os
from dataclasses import dataclass

from .engine import drop_strokes_over_words, recognise
from .scan import PageImage, image_scale, open_for_rendering, prepare, render_pdf_page


@dataclass
class OcrPage:
    """The words OCR read on one page, with the page's size in points."""

    words: list[dict]
    width: float
    height: float


def ocr_page(page: PageImage) -> list[dict]:
    """The words of a whole page image."""
    return drop_strokes_over_words(recognise(prepare(page.image, page.scale), page.scale))


def ocr_pdf_page(path, index: int) -> OcrPage:
    """OCR one page of a PDF (a task for a worker process: arguments and result pickle)."""
    pdf = open_for_rendering(path, forms=False)
    try:
        page = render_pdf_page(pdf, index)
        return OcrPage(ocr_page(page), page.width, page.height)
    finally:
        pdf.close()


def ocr_pdf_pages(path, indexes: list[int], jobs: int = 1) -> dict[int, OcrPage]:
    """OCR the given pages; with jobs > 1, in that many processes, one page per task."""
    if jobs <= 1 or len(indexes) < 2:
        return {i: ocr_pdf_page(path, i) for i in indexes}
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(jobs, len(indexes)), initializer=single_thread) as pool:
        return dict(zip(indexes, pool.map(ocr_pdf_page, [path] * len(indexes), indexes)))


def single_thread() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


def ocr_image_file(path) -> list[tuple[int, OcrPage]]:
    """OCR every frame of an image file (a multi-page TIFF has several)."""
    from PIL import Image, ImageSequence

    pages = []
    with Image.open(path) as image:
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            frame = frame.copy()
            scale = image_scale(frame)
            page = PageImage(frame, scale, number)
            pages.append((number, OcrPage(ocr_page(page), page.width, page.height)))
    return pages


def line_tolerance(words: list[dict]) -> float:
    """How far apart two OCR'd lines' tops may be and still make one visual line: two fifths of
    the usual line height (columns' lines differ a little more than a text layer's)."""
    heights = sorted(w["bottom"] - w["top"] for w in words)
    return max(3.0, 0.4 * heights[len(heights) // 2]) if heights else 3.0
