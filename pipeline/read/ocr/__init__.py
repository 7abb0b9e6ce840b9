"""OCR with Tesseract's Vietnamese model: a page image → words with boxes and confidences.

The words go through the PDF reader's own word geometry (visual lines, header and signature
columns), so a scan is arranged exactly like a text layer. One module per job, in the order a
page goes through them:

- ``scan``: render the page at the scan's resolution and clean it (seal ink, tilt, speckle, rules);
- ``engine``: whether Tesseract can run, and its words without the noise;
- ``spelling``: the fast model's usual slips, respelled where the vocabulary leaves one spelling;
- ``pages``: whole pages of a scanned PDF or an image file;
- ``stamps``: the number and day an e-office system stamps over a signed PDF's text layer.

The names the readers and the tests use are here; how sure each field is comes after
extraction, in ``pipeline/confidence.py``.
"""
from __future__ import annotations

from .engine import (HANDWRITTEN_CONFIDENCE, LANG, LOW_CONFIDENCE, clean_word, drop_stray_capitals,
                     drop_strokes_over_words, is_scribble, tesseract_problem)
from .pages import line_tolerance, ocr_image_file, ocr_pdf_pages
from .scan import drop_red_ink, image_scale, open_for_rendering, render_pdf_page, skew_angle
from .spelling import repair_line
from .stamps import DIGIT_LOOKALIKES, STAMP_PAD, covers_text, ocr_pdf_bands, read_digits

__all__ = ["DIGIT_LOOKALIKES", "HANDWRITTEN_CONFIDENCE", "LANG", "LOW_CONFIDENCE", "STAMP_PAD",
           "clean_word", "covers_text", "drop_red_ink", "drop_stray_capitals", "drop_strokes_over_words",
           "image_scale", "is_scribble", "line_tolerance", "ocr_image_file", "ocr_pdf_bands", "ocr_pdf_pages",
           "open_for_rendering", "read_digits", "render_pdf_page", "repair_line", "skew_angle",
           "tesseract_problem"]
