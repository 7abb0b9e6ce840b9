"""OCR with Tesseract (vie): images, scanned PDFs, tilted scans, stamped signed PDFs, and the
clear errors when OCR is off or Tesseract is missing. The OCR'd inputs are small crops or
one-page scans, so the module stays within a few seconds."""
import subprocess

import pytest
from PIL import Image

from conftest import CORPUS
from pipeline import confidence
from pipeline.process import process_file
from pipeline.read import read
from pipeline.read import ocr
from pipeline.records import FOOTER, FULL, HEADER, LEFT, RIGHT, Line, Note, ReadError, Record, ScannedLine

needs_tesseract = pytest.mark.skipif(ocr.tesseract_problem() is not None,
                                     reason=f"OCR unavailable here: {ocr.tesseract_problem()}")
SCAN = CORPUS / "a_19_binhdinh_cv_ntm__scan.pdf"  # one page, black and white, tilted -1.21°


def header_crop(angle: float = 0.0) -> Image.Image:
    """The top third of the corpus scan's page at its own 200 dpi, optionally tilted further."""
    pdf = ocr.open_for_rendering(SCAN)
    try:
        page = ocr.render_pdf_page(pdf, 0).image.convert("L")
    finally:
        pdf.close()
    crop = page.crop((0, 0, page.width, page.height // 3))
    return crop.rotate(angle, resample=Image.BICUBIC, fillcolor=255) if angle else crop


def texts(source, column, block):
    return [line.text for line in source.lines if line.column == column and line.block == block]


@pytest.fixture(autouse=True)
def fresh_tesseract_check():
    ocr.tesseract_problem.cache_clear()
    yield
    ocr.tesseract_problem.cache_clear()


@needs_tesseract
def test_image_input_is_read_with_its_header_columns(tmp_path):
    path = tmp_path / "cong-van.png"
    header_crop().save(path)
    source = read(path)
    assert source.format == "image" and source.notes[0].startswith("OCR (Tesseract vie) on 1 of 1 page(s)")
    assert "Số: 2041/UBND-TH" in texts(source, LEFT, HEADER)
    assert "Bình Định, ngày 11 tháng 4 năm 2024" in texts(source, RIGHT, HEADER)
    assert texts(source, LEFT, HEADER)[0] == "ỦY BAN NHÂN DÂN"  # tone repaired, NFC


@needs_tesseract
def test_tilted_scan_is_deskewed_before_the_columns_are_cut(tmp_path):
    path = tmp_path / "tilted.jpg"
    header_crop(angle=2.5).save(path, quality=80)  # 2.5° on top of the scan's own −1.21°
    source = read(path)
    assert "Số: 2041/UBND-TH" in texts(source, LEFT, HEADER)
    assert any(t.startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA") for t in texts(source, RIGHT, HEADER))


def test_skew_is_measured_from_the_text_lines():
    page = Image.new("L", (800, 600), 255)
    from PIL import ImageDraw

    draw = ImageDraw.Draw(page)
    for y in range(60, 560, 40):
        for x in range(60, 740, 24):
            draw.rectangle((x, y, x + 16, y + 12), fill=0)  # a page of "words"
    tilted = page.rotate(-1.8, resample=Image.BICUBIC, fillcolor=255)
    assert ocr.skew_angle(tilted) == pytest.approx(1.8, abs=0.15)


@needs_tesseract
def test_scanned_pdf_gives_the_record_with_ocr_notes():
    record = process_file(str(SCAN))
    assert (record.number, record.issued_on, record.issuer) == ("2041/UBND-TH", "2024-04-11", "ỦY BAN NHÂN DÂN TỈNH BÌNH ĐỊNH")
    assert record.signer.name == "Nguyễn Văn Hưng"
    # each OCR'd key field carries its lowest word confidence; text documents carry none
    assert set(record.confidence) >= {"number", "issued_on", "issuer"}
    assert all(0 < c <= 100 for c in record.confidence.values()) and "confidence" in record.to_dict()
    assert "confidence" not in process_file(str(SCAN).replace("__scan.pdf", "__pdf.pdf")).to_dict()
    source = read(SCAN)
    assert source.notes and "OCR (Tesseract vie) on 1 of 1 page(s), mean word confidence" in source.notes[0]
    assert texts(source, LEFT, FOOTER)[0] == "Nơi nhận:"


def test_stamped_number_and_date_of_a_signed_pdf_are_read_from_the_widgets(shared):
    path = shared / "real" / "qngai_vht507-signed.pdf"  # text layer, number and day stamped in
    if not path.exists():
        pytest.skip(f"{path.name} not in ../shared/real")
    source = read(path, ocr="never")  # the stamp's digits are text in its appearance stream: no OCR
    assert "Số:542/TB-UBND" in [t.replace(" ", "") for t in texts(source, LEFT, HEADER)]
    assert not any("OCR" in note for note in read(path).notes)
    assert process_file(str(path)).number == "542/TB-UBND"


def test_ocr_never_on_a_scan_is_the_no_text_layer_error():
    with pytest.raises(ReadError) as err:
        read(SCAN, ocr="never")
    assert err.value.reason.startswith("no text layer: scanned PDF")


def test_ocr_never_on_an_image_says_ocr_is_off(tmp_path):
    path = tmp_path / "page.png"
    Image.new("L", (100, 100), 255).save(path)
    with pytest.raises(ReadError, match=r"OCR is turned off \(--ocr never\)"):
        read(path, ocr="never")


def test_missing_tesseract_is_a_clear_read_error(tmp_path, monkeypatch):
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "no-tesseract"))
    with pytest.raises(ReadError) as err:
        read(SCAN)
    assert err.value.reason == ("no text layer: scanned PDF, and OCR needs Tesseract, which is not installed: "
                                "apt-get install tesseract-ocr tesseract-ocr-vie")
    record = process_file(str(SCAN))
    assert record.kind == "error" and "apt-get install tesseract-ocr" in record.error


def test_missing_vietnamese_data_is_a_clear_read_error(tmp_path, monkeypatch):
    def without_vie(args, **kwargs):
        return subprocess.CompletedProcess(args, 0, stdout="List of available languages (2):\neng\nosd\n", stderr="")

    monkeypatch.setattr(subprocess, "run", without_vie)
    path = tmp_path / "page.png"
    Image.new("L", (100, 100), 255).save(path)
    with pytest.raises(ReadError, match=r"Vietnamese data \(vie\), which is not installed: apt-get install"):
        read(path)


def test_low_confidence_key_fields_get_a_warning():
    lines = [ScannedLine("Số: 58/KH-SYT", LEFT, HEADER, 1, (93.0, 61.0)),
             Line("SỞ Y TẾ", LEFT, HEADER, 1),
             ScannedLine("Quảng Trị, ngày 08 tháng 4 năm 2024", RIGHT, HEADER, 1, (96.0,) * 8)]
    text = "Số: 58/KH-SYT\nSỞ Y TẾ\nQuảng Trị, ngày 08 tháng 4 năm 2024"
    record = Record("x", text=text, spans={"number": [4, 13], "issuer": [14, 21], "issued_on": [26, 50]})
    assert confidence.warnings_for(confidence.field_confidences(record, lines)) == [Note("low-ocr-confidence", "number", "61")]


def test_repairs_only_what_the_vocabulary_makes_certain():
    def repaired(line):
        return " ".join(w["text"] for w in ocr.repair_line([{"text": t} for t in line.split()]))

    assert repaired("ỦY BAN NHÂN DÂN TÍNH BÌNH ĐỊNH") == "ỦY BAN NHÂN DÂN TỈNH BÌNH ĐỊNH"
    assert repaired("SỞ TẢI NGUYÊN VÀ MỖI TRƯỜNG") == "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG"
    assert repaired("BẢO HIỂM XÃ HỘI VIỆT NAM.") == "BẢO HIỂM XÃ HỘI VIỆT NAM"
    assert repaired("Hải Dương, ngày 11 thắng 11 năm 2024") == "Hải Dương, ngày 11 tháng 11 năm 2024"
    assert repaired("I. MỤC ĐÍCH, YÊU CẦU") == "I. MỤC ĐÍCH, YÊU CẦU"  # not a header line
    assert repaired("TRUNG TÂM Y TẾ THÀNH PHỐ NHA TRANG") == "TRUNG TÂM Y TẾ THÀNH PHỐ NHA TRANG"
    assert repaired("Chiến thắng 11 trận") == "Chiến thắng 11 trận"  # not a date


def test_a_known_agency_phrase_is_respelled_even_without_its_vowel_shapes():
    """Tesseract's fast model sometimes drops every diacritic of a header line: "UY BAN NHAN DÀN"."""
    words = [{"text": t, "conf": 80.0} for t in "UY BAN NHAN DÀN".split()]
    assert [w["text"] for w in ocr.repair_line(words)] == ["ỦY", "BAN", "NHÂN", "DÂN"]
    place = [{"text": t, "conf": 80.0} for t in "NHA TRANG".split()]  # two words: not certain, left alone
    assert [w["text"] for w in ocr.repair_line(place)] == ["NHA", "TRANG"]


def test_the_motto_is_found_through_ocr_slips():
    from pipeline.decree30 import MOTTO, SLOGAN

    assert MOTTO.search("UY BAN NHAN DÀN CỘNG HÒA XÃ HỌI CHỦ NGHĨA VIỆT NAM")
    assert SLOGAN.search("Độclập - Tựdo- Hạnh phúc")
    assert not MOTTO.search("Cộng đồng xã hội")


def test_signer_title_and_family_name_slips_are_repaired():
    def repaired(line):
        return " ".join(w["text"] for w in ocr.repair_line([{"text": t} for t in line.split()]))

    assert repaired("PHÓ CHỦ TIC") == "PHÓ CHỦ TỊCH"  # the seal's ink ate a letter: one known word fits
    assert repaired("PHÓ CHỦ TỊC") == "PHÓ CHỦ TỊCH"
    assert repaired("Trân Phước Hiền") == "Trần Phước Hiền"  # a family name differs only by its tone
    assert repaired("Nguyên Hoàng Giang") == "Nguyễn Hoàng Giang"
    assert repaired("Quảng Ngãi") == "Quảng Ngãi" and repaired("Lê Văn Hùng") == "Lê Văn Hùng"
    assert repaired("Căn cứ Luật Tổ chức") == "Căn cứ Luật Tổ chức"  # not a name line


def test_pen_strokes_beside_a_name_are_not_letters():
    words = [{"text": "Trần", "x0": 10.0, "x1": 30.0}, {"text": "À", "x0": 30.5, "x1": 35.0},
             {"text": "Hoàng", "x0": 40.0, "x1": 70.0}]
    assert [w["text"] for w in ocr.drop_stray_capitals(words)] == ["Trần", "Hoàng"]
    assert ocr.clean_word("QĐÐ-UBND") == "QĐ-UBND"
    assert ocr.is_scribble(["R.EH8"], [0.0]) and not ocr.is_scribble(["280"], [0.0])  # digits: a hand-written number


def test_a_hand_written_day_must_fit_the_signing_date():
    from pipeline.read.pdf import plausible_day
    from pipeline.read.pdfium import Signature

    signed = [Signature("2025-01-07 10:09:57 +07:00")]
    assert plausible_day([("6", 79.0), ("6", 82.0), ("6", 82.0)], 1, 2025, signed) == ("6", 82.0)
    assert plausible_day([("10", 0.0)], 1, 2025, signed) is None  # after the signing
    assert plausible_day([("2", 58.0)], 1, 2025, [Signature("2025-01-26 11:12:09 +07:00")]) is None  # weeks before
    assert plausible_day([("16", 95.0), ("16", 87.0), ("16", 87.0)], 1, 2025, []) == ("16", 95.0)  # unsigned: all agree
    assert plausible_day([("16", 95.0), ("18", 87.0)], 1, 2025, []) is None


def test_fields_read_unsurely_go_to_review():
    lines = [ScannedLine("Số: 58/KH-SYT", LEFT, HEADER, 1, (93.0, 61.0)),
             ScannedLine("Trần Phước Hiên", RIGHT, FOOTER, 1, (96.0, 95.0, 90.0))]
    text = "Số: 58/KH-SYT\nTrần Phước Hiên"
    record = Record("x", text=text, spans={"number": [4, 13], "signer.name": [14, 29]})
    confidence.flag_unsure_fields(record, lines)
    assert [r["field"] for r in record.review] == ["number", "signer.name"]  # a name's tones must be sure


def test_a_date_line_is_cut_where_the_pen_glued_onto_its_words():
    from pipeline.read.pdf import split_glued

    words = [{"text": "ngàytháng", "x0": 0.0, "x1": 90.0, "top": 0.0, "bottom": 10.0},
             {"text": "04tháng", "x0": 100.0, "x1": 170.0, "top": 0.0, "bottom": 10.0}]
    parts = split_glued(words)
    assert [w["text"] for w in parts] == ["ngày", "tháng", "04", "tháng"]
    assert parts[0]["x1"] < parts[1]["x0"] and parts[2]["x1"] < parts[3]["x0"]


def test_running_text_pairs_with_one_spelling_are_respelled():
    def repaired(line):
        return " ".join(w["text"] for w in ocr.repair_line([{"text": t} for t in line.split()]))

    assert repaired("- Công TTĐT tỉnh;") == "- Cổng TTĐT tỉnh;"
    assert repaired("Thành phô Hồ Chí Minh, ngày") == "Thành phố Hồ Chí Minh, ngày"
    assert repaired("THÀNH PHÓ HỒ CHÍ MINH") == "THÀNH PHỐ HỒ CHÍ MINH"
    assert repaired("Uy ban nhân dân tỉnh") == "Ủy ban nhân dân tỉnh"
    assert repaired("Uỷ ban nhân dân tỉnh") == "Uỷ ban nhân dân tỉnh"  # the old tone placement is the writer's
    assert repaired("UỶ BAN NHÂN DÂN TỈNH") == "UỶ BAN NHÂN DÂN TỈNH"
    assert repaired("Trung tâm Công nghệ") == "Trung tâm Công nghệ"
    assert repaired("Sở Nông nghiệp và Phát triên nông thôn;") == "Sở Nông nghiệp và Phát triển nông thôn;"
    assert repaired("PHÁT TRIÊN") == "PHÁT TRIỂN"


def test_the_head_of_a_trich_yeu_is_not_a_list_item():
    def repaired(line):
        return " ".join(w["text"] for w in ocr.repair_line([{"text": t} for t in line.split()]))

    assert repaired("- Về việc miễn nhiệm chức danh") == "Về việc miễn nhiệm chức danh"
    assert repaired("\\ việc thụ lý giải quyết") == "Về việc thụ lý giải quyết"
    assert repaired("- Như trên;") == "- Như trên;" and repaired("- việc làm thêm giờ") == "- việc làm thêm giờ"


def test_an_ocr_title_outside_the_vocabulary_goes_to_review():
    assert confidence.is_known_title("PHÓ CHỦ TỊCH") and confidence.is_known_title("GIÁM ĐỐC SỞ Y TẾ")
    assert not confidence.is_known_title("BAN NHAN DAN CHỦ TỊCH") and not confidence.is_known_title("PHÓ CHỦ TỊCH R.EH8")
    record = Record("x", text="BAN NHAN DAN CHỦ TỊCH")
    record.signer.title = "BAN NHAN DAN CHỦ TỊCH"
    confidence.flag_unsure_fields(record, [])
    assert {r["field"] for r in record.review} == {"signer.title", "signer.authority"}


def test_a_task_read_unsurely_goes_to_review():
    lines = [ScannedLine("1. Điều chỉnh, bố sung dự toán chi", FULL, "", 1, (96.0, 97.0, 95.0, 80.0, 96.0, 96.0, 95.0))]
    text = "1. Điều chỉnh, bố sung dự toán chi"
    record = Record("x", text=text, spans={"directives": [[0, len(text)]]})
    confidence.flag_unsure_fields(record, lines)
    assert [r["field"] for r in record.review] == ["directives"]
