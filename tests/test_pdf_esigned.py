"""E-signed PDFs and PDFs pdfminer cannot parse (issue 11, item 1).

The corpus files are made by corpus/build.py: ``pdf-esigned`` prints the letter with the number
and the day blank and stamps them in as signature widgets (appearance streams of nested form
XObjects), with a visible signature stamp and a signature dictionary whose DocMDP reference
loops back to the catalog; ``pdf-pdfminer-breaking`` draws a mark through 400 nested form
XObjects, deeper than pdfminer's recursion allows.
"""
import io
import json

import pytest

from conftest import CORPUS
from pipeline.process import process_file
from pipeline.read import read
from pipeline.records import HEADER, LEFT, RIGHT

ESIGNED = CORPUS / "c_01_snv_hatinh_esigned__pdf-esigned.pdf"
BREAKING = CORPUS / "c_02_ttkn_laichau_pdfminer__pdf-pdfminer-breaking.pdf"


def texts(source, column, block):
    return [line.text for line in source.lines if line.column == column and line.block == block]


def gold(path):
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def test_number_and_day_stamped_as_widgets_are_read_from_their_appearance_streams():
    source = read(ESIGNED, ocr="never")  # no OCR: the digits are text in the appearance streams
    assert "Số: 627 /SNV-CCVC" in texts(source, LEFT, HEADER)
    assert "Hà Tĩnh, ngày 14 tháng 3 năm 2024" in texts(source, RIGHT, HEADER)
    assert not any("Signature valid" in line.text for line in source.lines)  # the stamp is not text
    record = process_file(str(ESIGNED), ocr="never")
    assert (record.number, record.issued_on, record.place) == ("627/SNV-CCVC", "2024-03-14", "Hà Tĩnh")


def test_signature_dictionary_is_kept_as_evidence():
    source = read(ESIGNED, ocr="never")
    note = next(n for n in source.notes if n.startswith("digital signature"))
    assert "2024-03-14 16:32" in note and "SỞ NỘI VỤ TỈNH HÀ TĨNH" in note and "Ký phát hành văn bản" in note
    assert source.signatures[0].signed_on == "2024-03-14"
    assert source.signatures[0].subject == "SỞ NỘI VỤ TỈNH HÀ TĨNH"


def without_day_widget(tmp_path):
    """The e-signed corpus file with the day's widget removed: the day is blank everywhere."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(ESIGNED))
    annots = writer.pages[0]["/Annots"]
    del annots[1]  # Signature1 the number, Signature2 the day, Signature3 the stamp
    out = tmp_path / "no-day.pdf"
    buffer = io.BytesIO()
    writer.write(buffer)
    out.write_bytes(buffer.getvalue())
    return out


def test_signing_date_is_the_last_fallback_for_a_blank_day(tmp_path):
    record = process_file(str(without_day_widget(tmp_path)), ocr="never")
    assert record.number == "627/SNV-CCVC" and record.place == "Hà Tĩnh"
    assert record.issued_on == "2024-03-14"
    assert "date-from-signature" in [w.code for w in record.warnings]
    review = getattr(record, "review", None)
    if review is not None:  # once records carry review flags, the date is one of them
        assert any(r["field"] == "issued_on" for r in review)


def test_pdf_pdfminer_cannot_parse_is_read_with_pdfium():
    record = process_file(str(BREAKING), ocr="never")
    assert record.kind == "dispatch", record.error
    expected = gold(BREAKING)
    for name in ("number", "issued_on", "place", "issuer", "parent_body", "subject", "doc_type", "distribution"):
        assert getattr(record, name) == expected[name], name
    assert record.signer.name == expected["signer"]["name"]
    source = read(BREAKING, ocr="never")
    assert any("pdfium" in n for n in source.notes)
    assert texts(source, LEFT, HEADER)[:3] == ["SỞ NÔNG NGHIỆP VÀ PTNT", "TỈNH LAI CHÂU", "TRUNG TÂM KHUYẾN NÔNG"]


SIGNED_SCAN = CORPUS / "c_01_snv_hatinh_esigned__scan-esigned.pdf"


def test_a_hand_written_day_that_does_not_fit_the_signing_is_not_taken():
    """The e-signed letter printed with blanks, number and day written by hand (the day's pen
    running into "ngày"), scanned and signed: OCR reads the day "14" as "4", ten days before the
    signing, so the day is left blank and the signing date, flagged, stands in."""
    from pipeline.read.ocr import tesseract_problem

    if tesseract_problem():
        pytest.skip(f"scans need OCR: {tesseract_problem()}")
    source = read(SIGNED_SCAN)
    assert "Hà Tĩnh, ngày tháng 3 năm 2024" in texts(source, RIGHT, HEADER)
    assert "hand-written date not readable: day left blank" in source.notes
    record = process_file(str(SIGNED_SCAN))
    assert (record.number, record.place, record.issued_on) == ("627/SNV-CCVC", "Hà Tĩnh", "2024-03-14")
    assert any(r["field"] == "issued_on" and "chữ ký số" in r["reason"] for r in record.review)


def corpus_build():
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "corpus"))
    import build

    return build


def test_a_scan_pdfminer_cannot_parse_is_ocrd_from_pdfium(tmp_path):
    from pipeline.read.ocr import tesseract_problem

    if tesseract_problem():
        pytest.skip(f"scans need OCR: {tesseract_problem()}")
    path = tmp_path / "nested-scan.pdf"
    path.write_bytes(corpus_build().nest_forms(CORPUS / "a_19_binhdinh_cv_ntm__scan.pdf"))
    source = read(path)
    assert any(n.startswith("read with pdfium") for n in source.notes)
    assert any(n.startswith("OCR (Tesseract vie) on 1 of 1 page(s)") for n in source.notes)
    assert process_file(str(path)).number == "2041/UBND-TH"


def with_number_as_picture(tmp_path):
    """The e-signed corpus file with the number's widget drawing "627" as an image, not text
    (some signing systems stamp a picture of the number)."""
    from PIL import Image, ImageDraw, ImageFont
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    writer = PdfWriter(clone_from=PdfReader(ESIGNED))
    widget = writer.pages[0]["/Annots"][0].get_object()
    frm = widget["/AP"]["/N"].get_object()["/Resources"]["/XObject"]["/FRM"].get_object()
    n2 = frm["/Resources"]["/XObject"]["/n2"].get_object()
    x0, y0, x1, y1 = (float(v) for v in n2["/BBox"])
    scale = 6  # 432 dpi
    picture = Image.new("L", (int((x1 - x0) * scale), int((y1 - y0) * scale)), 255)
    font = ImageFont.truetype("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf", 13 * scale)
    ImageDraw.Draw(picture).text((2 * scale, 0), "627", font=font, fill=0)
    image = DecodedStreamObject()
    image.set_data(picture.tobytes())
    image.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                  NameObject("/Width"): NumberObject(picture.width), NameObject("/Height"): NumberObject(picture.height),
                  NameObject("/ColorSpace"): NameObject("/DeviceGray"), NameObject("/BitsPerComponent"): NumberObject(8)})
    n2.set_data(f"q {x1 - x0:.2f} 0 0 {y1 - y0:.2f} 0 0 cm /Im0 Do Q".encode())
    n2[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject(
        {NameObject("/Im0"): writer._add_object(image)})})
    out = tmp_path / "number-as-picture.pdf"
    buffer = io.BytesIO()
    writer.write(buffer)
    out.write_bytes(buffer.getvalue())
    return out


def test_a_number_stamped_as_a_picture_is_ocrd_in_its_header_band(tmp_path):
    from pipeline.read.ocr import tesseract_problem

    path = with_number_as_picture(tmp_path)
    assert "Số: /SNV-CCVC" in texts(read(path, ocr="never"), LEFT, HEADER)  # no text to read in the widget
    if tesseract_problem():
        pytest.skip(f"OCR unavailable: {tesseract_problem()}")
    source = read(path)
    assert "Số: 627 /SNV-CCVC" in texts(source, LEFT, HEADER)
    assert any("of the stamped number/date on page 1" in n for n in source.notes)
    assert process_file(str(path)).number == "627/SNV-CCVC"


@pytest.mark.parametrize("name", ["a_20_ttyt_nhatrang_cv__pdf.pdf", "b_07_kehoach_stnmt_hcm_chatthai__pdf.pdf"])
def test_pdfium_words_give_the_same_lines_as_pdfminer(monkeypatch, name):
    """The fallback's words (pdfium's character boxes) go through the same line and column code
    and give the same lines as pdfplumber's words."""
    from pipeline.read import pdf as pdf_reader
    from pipeline.records import ReadError

    path = CORPUS / name
    expected = [(line.text, line.column, line.block) for line in read(path, ocr="never").lines]

    def broken(path, ocr):
        raise ReadError(str(path), "pdf-corrupt", "maximum recursion depth exceeded")

    monkeypatch.setattr(pdf_reader, "pdfminer_pages", broken)
    got = [(line.text, line.column, line.block) for line in read(path, ocr="never").lines]
    assert got == expected


def test_only_annotation_text_filling_a_blank_joins_the_line():
    from pipeline.read.pdf import merge_overlays
    from pipeline.read.pdfium import Overlay

    line = [{"text": "Số:", "x0": 100.0, "x1": 118.0, "top": 100.0, "bottom": 113.0},
            {"text": "/SNV-CCVC", "x0": 160.0, "x1": 220.0, "top": 100.0, "bottom": 113.0}]
    number = Overlay((120.0, 98.0, 158.0, 114.0), "WIDGET", [{"text": "627", "x0": 125.0, "x1": 145.0, "top": 99.0, "bottom": 112.0}])
    comment = Overlay((150.0, 98.0, 230.0, 114.0), "FREETEXT", [{"text": "xem", "x0": 170.0, "x1": 190.0, "top": 99.0, "bottom": 112.0}])
    stamp = Overlay((300.0, 10.0, 500.0, 60.0), "WIDGET", [{"text": "Ký", "x0": 300.0, "x1": 310.0, "top": 10.0, "bottom": 18.0},
                                                           {"text": "bởi", "x0": 300.0, "x1": 315.0, "top": 22.0, "bottom": 30.0}])
    merged, stamps = merge_overlays(line, [number, comment, stamp], 842.0)
    assert [w["text"] for w in sorted(merged, key=lambda w: w["x0"])] == ["Số:", "627", "/SNV-CCVC"]
    assert stamps == [comment, stamp]


def test_an_ocr_signer_name_takes_the_certificate_spelling():
    from pipeline.read.pdf import PdfSource, name_from_certificate
    from pipeline.read.pdfium import Signature
    from pipeline.records import Line, Record, ScannedLine, Signer

    signatures = [Signature("2025-01-07 10:00:00 +07:00", "", "Ủy ban nhân dân tỉnh Quảng Ngãi"),
                  Signature("2025-01-07 10:05:00 +07:00", "", "Trần Phước Hiền")]
    scanned = PdfSource("x.pdf", "pdf", [ScannedLine("Trần Phước Hiên", "right", "footer", 1, (96.0, 95.0, 90.0))],
                        signatures=signatures)
    record = Record("x.pdf", kind="dispatch", signer=Signer("", "PHÓ CHỦ TỊCH", "Trần Phước Hiên"))
    name_from_certificate(record, scanned)
    assert record.signer.name == "Trần Phước Hiền"
    printed = PdfSource("x.pdf", "pdf", [Line("Trần Phước Hiên", "right", "footer", 1)], signatures=signatures)
    record = Record("x.pdf", kind="dispatch", signer=Signer("", "PHÓ CHỦ TỊCH", "Trần Phước Hiên"))
    name_from_certificate(record, printed)
    assert record.signer.name == "Trần Phước Hiên"  # a text layer's name is as printed


def test_a_pdf_without_annotations_or_form_is_not_opened_again_by_pdfium():
    """issue 16: signatures and annotation stamps live in the PDF's form and its pages' /Annots;
    a PDF with neither (most) is read by pdfminer alone, and pdfium (12 ms to load, a second
    parse) is not used. The e-signed one still gets both."""
    import subprocess
    import sys

    plain = CORPUS / "a_01_bhxh_qngai_thuno__pdf.pdf"
    code = ("import sys; from pipeline.process import process_file\n"
            f"record = process_file({str(plain)!r}, ocr='never')\n"
            "print(record.number, 'pypdfium2' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["412/BHXH-QLT", "False"], out
    source = read(ESIGNED, ocr="never")
    assert source.signatures and any(note.startswith("signature stamp") for note in source.notes)
