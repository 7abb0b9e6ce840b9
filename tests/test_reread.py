"""The signer's name read again on its own line: only the marks of a word may change, by the
readings' total confidence, and a changed name goes to review."""
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.read import ocr
from pipeline.read.ocr import drop_strokes_over_words
from pipeline.read.reread import reread_signer_name, vote
from pipeline.records import FOOTER, RIGHT, Record, ScannedLine, SourceText

needs_tesseract = pytest.mark.skipif(ocr.tesseract_problem() is not None,
                                     reason=f"OCR unavailable here: {ocr.tesseract_problem()}")
FONT = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf")
needs_font = pytest.mark.skipif(not FONT.exists(), reason=f"font for the test page missing: {FONT} (apt-get install fonts-liberation2)")


def test_a_later_reading_changes_marks_not_letters():
    readings = [[("*-£gĂn", 0.0), ("Phước", 96.0), ("Hiền", 95.0)],
                [("Trần", 93.0), ("Phước", 96.0), ("Hiển", 80.0)],
                [("Trần", 93.0), ("Phước", 96.0), ("Hiền", 93.0)]]
    assert vote(["Trần", "Phước", "Hiên"], [78.0, 96.0, 76.0], readings) == "Trần Phước Hiền"
    # A first reading that is sure and agreed with stands against one unsure other spelling.
    assert vote(["Nguyễn", "Văn", "An"], [96.0, 96.0, 96.0], [[("Nguyên", 61.0), ("Văn", 96.0), ("Ân", 62.0)],
                                                             [("Nguyễn", 90.0), ("Văn", 96.0), ("An", 90.0)]]) == "Nguyễn Văn An"
    # Other letters, or a reading under the confidence floor, change nothing.
    assert vote(["Lê", "Hùng"], [50.0, 50.0], [[("Lý", 96.0), ("Hàng", 96.0)], [("Lễ", 40.0), ("Hừng", 30.0)]]) == "Lê Hùng"


def test_a_pen_stroke_over_a_word_is_not_a_letter():
    words = [{"text": "À", "x0": 366.2, "x1": 370.3, "top": 534.5, "bottom": 540.0, "conf": 80.0},
             {"text": "Trần", "x0": 349.9, "x1": 378.7, "top": 537.6, "bottom": 547.7, "conf": 91.0},
             {"text": "Hoàng", "x0": 382.0, "x1": 420.0, "top": 537.6, "bottom": 547.7, "conf": 96.0},
             {"text": "A", "x0": 500.0, "x1": 505.0, "top": 537.6, "bottom": 547.7, "conf": 96.0}]
    assert [w["text"] for w in drop_strokes_over_words(words)] == ["Trần", "Hoàng", "A"]


def reread_printed_name(tmp_path, printed: str, first_reading: str, confidences: tuple) -> Record:
    """The record after the re-read, for a page image with `printed` on it in plain type at 200 dpi
    and a first OCR reading `first_reading` of that line."""
    image = Image.new("L", (1400, 300), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 38)
    draw.text((700, 120), printed, font=font, fill=0)
    right = 700 + draw.textlength(printed, font=font) + 10
    path = tmp_path / "page.png"
    image.save(path, dpi=(200, 200))
    scale = 200 / 72
    line = ScannedLine(first_reading, RIGHT, FOOTER, 1, confidences, (700 / scale, 120 / scale, right / scale, 170 / scale))
    record = Record(source=str(path), kind="dispatch")
    record.signer.name = first_reading
    reread_signer_name(record, SourceText(str(path), "image", [line]))
    return record


@needs_tesseract
@needs_font
def test_a_name_read_with_a_wrong_tone_is_respelled_from_its_line_and_flagged(tmp_path):
    record = reread_printed_name(tmp_path, "Trần Phước Hiền", "Trần Phước Hiên", (90.0, 95.0, 70.0))
    assert record.signer.name == "Trần Phước Hiền"
    assert any(r["field"] == "signer.name" and "khác dấu" in r["reason"] for r in record.review)


@needs_tesseract
@needs_font
def test_a_name_read_right_is_left_alone(tmp_path):
    record = reread_printed_name(tmp_path, "Nguyễn Quốc Việt", "Nguyễn Quốc Việt", (96.0, 96.0, 96.0))
    assert record.signer.name == "Nguyễn Quốc Việt" and not record.review
