"""Field-level rules, each on a small piece of realistic text."""
import pytest

from pipeline.dates import to_iso
from pipeline.directives import find_deadline, find_lead_and_support, split_units, top_level_items
from pipeline.extract import NUMBER, normalize_authority
from pipeline.normalize import clean_text, glue, join_indented_continuations
from pipeline.records import Line, Note, Record


def extract_lines(tmp_path, lines):
    """The record of a small text document made of `lines`."""
    from pipeline.extract import extract
    from pipeline.read import read

    path = tmp_path / "doc.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return extract(read(path))


@pytest.mark.parametrize("line, number", [
    ("Số: 381/BHXH-VP", "381/BHXH-VP"),
    ("Số:  125 /UBND-KT", "125/UBND-KT"),
    ("Số: 93. /KH-UBND", "93/KH-UBND"),
    ("Số: 06/2026/TT-BXD", "06/2026/TT-BXD"),
    ("Số: 1581 /CT-TTHT Nghệ An, ngày 23 tháng 9 năm 2014", "1581/CT-TTHT"),
    ("Số: 46/CĐ-TTg", "46/CĐ-TTg"),
    ("Số: 12/TTr-SNV", "12/TTr-SNV"),
    ("Số: 05/SGDĐT-GDTrH", "05/SGDĐT-GDTrH"),
])
def test_number_forms(line, number):
    m = NUMBER.search(line)
    assert m
    got = (m.group("n").replace(" ", "").rstrip(".") + "/" + "".join(m.group("sym").split())).rstrip(".-")
    assert got == number


def test_nfc_and_odd_spaces():
    decomposed = "Ho\u0300a Bi\u0300nh\u00a0ngày"  # NFD grave accents and a no-break space
    assert clean_text(decomposed) == "Hòa Bình ngày"


def test_indented_continuation_is_joined():
    lines = [Line("BẢO HIỂM XÃ HỘI"), Line("  VIỆT NAM"), Line("-------"), Line("  ignored rule continuation")]
    assert [l.text for l in join_indented_continuations(lines)][:2] == ["BẢO HIỂM XÃ HỘI VIỆT NAM", "-------"]


def test_glue_keeps_hyphenated_symbols_whole():
    assert glue("triển khai Nghị quyết số 68/NQ-", "CP") == "triển khai Nghị quyết số 68/NQ-CP"
    assert glue("công", "tác") == "công tác"


@pytest.mark.parametrize("raw, expected", [
    ("KT.CỤC TRƯỞNG", "KT.CỤC TRƯỞNG"),
    ("TM.  ỦY BAN NHÂN DÂN", "TM. ỦY BAN NHÂN DÂN"),
    ("T/M BAN THƯỜNG VỤ", "T/M BAN THƯỜNG VỤ"),
])
def test_authority_spacing(raw, expected):
    assert normalize_authority(raw) == expected


@pytest.mark.parametrize("text, year, expected", [
    ("Báo cáo kết quả về Sở trước ngày 15/4/2024.", 2024, "2024-04-15"),
    ("hoàn thành chậm nhất ngày 30 tháng 6", 2024, "2024-06-30"),
    ("gửi trước 17 giờ 00 ngày 20/3/2024", 2024, "2024-03-20"),
    ("hoàn thành trong tháng 5/2024", 2024, None),
    ("theo Công văn số 12/UBND-KT ngày 03/01/2024, báo cáo trước ngày 31/12", 2024, "2024-12-31"),
    ("thực hiện theo Kế hoạch ngày 05/3/2024", 2024, None),
])
def test_deadline(text, year, expected):
    assert find_deadline(text, year) == expected


def test_lead_and_support_keep_compound_names_whole():
    text = ("Giao Sở Tài chính chủ trì, phối hợp với Sở Kế hoạch và Đầu tư, Kho bạc Nhà nước tỉnh và các đơn vị "
            "liên quan tham mưu UBND tỉnh bố trí kinh phí.")
    lead, support = find_lead_and_support(text)
    assert lead == "Sở Tài chính"
    assert support == ["Sở Kế hoạch và Đầu tư", "Kho bạc Nhà nước tỉnh", "các đơn vị liên quan"]


def test_support_without_lead():
    lead, support = find_lead_and_support("Các huyện phối hợp với Công an tỉnh kiểm tra địa bàn.")
    assert (lead, support) == ("", ["Công an tỉnh"])


def test_units_split_only_where_a_new_unit_begins():
    assert split_units("Sở Văn hóa, Thể thao và Du lịch, Ủy ban nhân dân các huyện, thị xã") == [
        "Sở Văn hóa, Thể thao và Du lịch", "Ủy ban nhân dân các huyện, thị xã"]


def test_roman_sections_with_numbered_items():
    paragraphs = ["I. MỤC ĐÍCH, YÊU CẦU", "Bảo đảm đúng tiến độ.", "II. NỘI DUNG", "1. Rà soát hồ sơ.",
                  "2. Tổng hợp báo cáo.", "Trên đây là Kế hoạch của Ủy ban nhân dân huyện./."]
    items = top_level_items(paragraphs)
    assert [(label, text) for label, text, _ in items] == [
        ("I", "MỤC ĐÍCH, YÊU CẦU Bảo đảm đúng tiến độ."),
        ("II.1", "Rà soát hồ sơ."),
        ("II.2", "Tổng hợp báo cáo."),
    ]


def test_the_last_article_keeps_its_paragraph_ending_the_document():
    """ "Điều 4. Hiệu lực thi hành" / "Nghị định này có hiệu lực … thi hành Nghị định này./.": the
    paragraph that ends the document is the last article's text, not a letter's closing formula."""
    paragraphs = ["Điều 1. Phạm vi điều chỉnh", "Nghị định này quy định về phí.", "Điều 2. Hiệu lực thi hành",
                  "Nghị định này có hiệu lực từ ngày 01 tháng 7 năm 2026./."]
    items = top_level_items(paragraphs)
    assert items[-1][:2] == ("Điều 2", "Hiệu lực thi hành Nghị định này có hiệu lực từ ngày 01 tháng 7 năm 2026./.")


def test_iso_dates():
    assert to_iso("29", "2", "2024") == "2024-02-29"
    assert to_iso("30", "2", "2024") is None


@pytest.mark.parametrize("number_line, expected, code", [
    ("Số: II /TB-UBND", "11/TB-UBND", "number-lookalike"),  # OCR of "11"
    ("Số: I59/QĐ-NĐ-UB", "159/QĐ-NĐ-UB", "number-lookalike"),
    ("Số: 3đ /QĐ-UBND", "/QĐ-UBND", "number-unreadable"),  # a hand-written number OCR garbled
    ("Ô /CT-UBND", "/CT-UBND", "number-unreadable"),
])
def test_scanned_first_page_with_a_damaged_number(tmp_path, number_line, expected, code):
    """A scanned page 1 (no Nơi nhận yet) whose number OCR misread is still a dispatch, flagged."""
    record = extract_lines(tmp_path, [
        "ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI", number_line, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc", "Quảng Ngãi, ngày #tháng 6 năm 2022", "", "CHỈ THỊ",
        "Về việc chủ động ứng phó các tình huống thiên tai", "",
        "Trong năm 2021, trên địa bàn tỉnh đã chịu ảnh hưởng trực tiếp của 04 cơn bão.",
    ])
    assert record.kind == "dispatch"
    assert record.number == expected
    assert record.issuer == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"
    assert code in [w.code for w in record.warnings]
    assert record.place == "Quảng Ngãi" and record.issued_on is None  # the day was written by hand
    assert Note("date-day-unreadable", "issued_on", "tháng 6 năm 2022") in record.warnings


def test_look_alike_cyrillic_letters_in_a_symbol_become_latin():
    """vbpl prints "06/2026/TT-BTС" with a Cyrillic С; a Russian word stays as it is."""
    assert clean_text("Số: 06/2026/TT-BTС") == "Số: 06/2026/TT-BTC"
    assert clean_text("ΒHXH-VP") == "BHXH-VP"  # a Greek capital beta in a Latin word
    assert clean_text("Москва") == "Москва"


def test_an_appendix_after_the_signature_is_not_part_of_the_title(tmp_path):
    signer = extract_lines(tmp_path, [
        "BỘ CÔNG THƯƠNG", "Số: 11/2026/TT-BCT", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Hà Nội, ngày 27 tháng 02 năm 2026", "", "THÔNG TƯ", "Quy định về truy xuất nguồn gốc thực phẩm", "",
        "Điều 1. Phạm vi điều chỉnh", "Thông tư này quy định về truy xuất nguồn gốc thực phẩm.", "",
        "Nơi nhận:", "- Văn phòng Chính phủ;", "- Lưu: VT, PC.", "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "",
        "Trương Thanh Hoài", "", "PHỤ LỤC 1", "MẪU BÁO CÁO KẾT QUẢ THỰC HIỆN", "TÊN TỔ CHỨC, CÁ NHÂN",
    ]).signer
    assert (signer.authority, signer.title, signer.name) == ("KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Trương Thanh Hoài")


def test_a_form_in_an_appendix_does_not_replace_the_document_own_noi_nhan(tmp_path):
    """Circulars print sample forms after the signature; a form's own "Nơi nhận:" is not ours."""
    record = extract_lines(tmp_path, [
        "BỘ Y TẾ", "Số: 18/2026/TT-BYT", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Hà Nội, ngày 01 tháng 6 năm 2026", "", "THÔNG TƯ", "Quy định về thuốc phải kiểm soát đặc biệt", "",
        "Điều 1. Phạm vi điều chỉnh", "Thông tư này quy định về thuốc phải kiểm soát đặc biệt.", "",
        "Nơi nhận:", "- Văn phòng Chính phủ;", "- Lưu: VT, PC.", "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "",
        "Nguyễn Tri Thức", "", "Phụ lục XII", "MẪU PHIẾU LĨNH THUỐC", "Nơi nhận: Đại diện đơn vị",
        "- Như trên; (Ký, ghi rõ họ tên)", "- Lưu tại cơ sở.", "TRƯỞNG BỘ PHẬN",
    ])
    assert record.distribution == ["Văn phòng Chính phủ", "Lưu: VT, PC"]
    assert (record.signer.title, record.signer.name) == ("THỨ TRƯỞNG", "Nguyễn Tri Thức")


def test_the_noi_nhan_list_ends_at_the_archive_line(tmp_path):
    """A regulation attached after the signature ("QUY CHẾ … (Kèm theo …)") adds no recipients."""
    record = extract_lines(tmp_path, [
        "THỦ TƯỚNG CHÍNH PHỦ", "Số: 23/2025/QĐ-TTg", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc", "Hà Nội, ngày 14 tháng 7 năm 2025", "", "QUYẾT ĐỊNH",
        "Ban hành Quy chế hoạt động của Hội đồng thẩm định độc lập", "", "Điều 1. Ban hành kèm theo Quyết định này Quy chế.",
        "", "Nơi nhận:", "- Ban Bí thư Trung ương Đảng;", "- Lưu: VT, PL (2).", "KT. THỦ TƯỚNG", "PHÓ THỦ TƯỚNG",
        "", "Lê Thành Long", "", "QUY CHẾ", "(Kèm theo Quyết định số 23/2025/QĐ-TTg)",
        "- Điều 1. Phạm vi điều chỉnh của Quy chế;",
    ])
    assert record.distribution == ["Ban Bí thư Trung ương Đảng", "Lưu: VT, PL (2)"]
    assert record.signer.name == "Lê Thành Long"


def test_ocr_slips_in_a_type_name_and_an_eth_for_dj():
    from pipeline.vocab import type_title

    assert type_title("QUYÉT ĐỊNH") == "Quyết định"  # É for Ế
    assert type_title("QUY ĐỊNH") == "Quy định"  # a different type, not confused with Quyết định
    assert type_title("Quảng Ngãi") == ""
    assert clean_text("Số: 87/QĐÐ-UBND") == "Số: 87/QĐ-UBND"  # Icelandic Ð (U+00D0) doubled by OCR


def test_a_military_rank_before_the_signer_name_is_not_part_of_it():
    from pipeline.extract import HONORIFIC, looks_like_name

    assert looks_like_name("Thượng tướng Lê Quốc Hùng")
    assert HONORIFIC.sub("", "Thượng tướng Lê Quốc Hùng") == "Lê Quốc Hùng"
    assert HONORIFIC.sub("", "Đại tá Nguyễn Văn An") == "Nguyễn Văn An"
    assert HONORIFIC.sub("", "Trung Nguyễn") == "Trung Nguyễn"  # a given name, not a rank


@pytest.mark.parametrize("text, number, issued_on", [
    ("Trả lời Công văn số 35A/BPL-TC đề ngày 01/4/2021 của Công ty", "35A/BPL-TC", "2021-04-01"),
    ("theo Quyết định số 169-CP ngày 24 tháng 6 năm 1977 của Hội đồng Chính phủ", "169-CP", "1977-06-24"),
    ("tại Quyết định 1500/QĐ- TCHQ ngày 24/5/2016 của Tổng cục Hải quan", "1500/QĐ-TCHQ", "2016-05-24"),
    ("tại các Công văn: số 87/HĐND-KTNS ngày 15/5/2020 về việc", "87/HĐND-KTNS", "2020-05-15"),
    ("theo Quy định số 368-QĐ/TW ngày 08/9/2025 của Bộ Chính trị", "368-QĐ/TW", "2025-09-08"),
    ("bà Huỳnh Thị Gái; Quyết định sô 3914/QĐ-UBND ngày 12/7/2024 của Chủ tịch", "3914/QĐ-UBND", "2024-07-12"),  # OCR's "sô"
    ("CHỈ THỊ Ngày 24 tháng 6 năm 1977 Hội đồng Chính phủ đã ra Quyết định số 169-CP về công tác điều tra",
     "169-CP", "1977-06-24"),
    ("Ngày 05/3/2024, Bộ Y tế ban hành Thông tư số 06/2024/TT-BYT quy định", "06/2024/TT-BYT", "2024-03-05"),
    ("Ngày 05/3/2024 đơn vị đã nhận được văn bản; theo Quyết định số 12/QĐ-UBND về việc", "12/QĐ-UBND", None),
])
def test_reference_number_forms(text, number, issued_on):
    from pipeline.references import find_references
    from pipeline.segment import Layout, Piece

    layout = Layout(text=text, pieces=[Piece(text, 0, "", "body")])
    refs = find_references(layout, Record(source="x"))
    assert [(r.number, r.issued_on) for r in refs] == [(number, issued_on)]


def test_form_codes_are_not_references():
    from pipeline.references import find_references
    from pipeline.segment import Layout, Piece

    text = "khai theo mẫu số 03/KBS/GSQL Phụ lục V và Biểu số 2/BC-TK"
    assert find_references(Layout(text=text, pieces=[Piece(text, 0, "", "body")]), Record(source="x")) == []


def test_a_wrapped_line_starting_with_dieu_is_no_article():
    paragraphs = ["1. Thời hạn nộp tờ khai thực hiện theo quy định tại", "Điều 69 của Luật Hải quan năm 2014.",
                  "2. Thời hạn kiểm tra hồ sơ: không quá 02 giờ.", "Điều 22 Luật BHYT: a) người tham gia BHYT"]
    assert [label for label, _, _ in top_level_items(paragraphs)] == ["1", "2"]
    articles = ["Điều 1. Phạm vi điều chỉnh", "Nội dung", "Điều 2: Hiệu lực", "Điều 3 Trách nhiệm thi hành"]
    assert [label for label, _, _ in top_level_items(articles)] == ["Điều 1", "Điều 2", "Điều 3"]


def test_date_line_with_a_missing_space_and_title_before_header():
    from pipeline.extract import extract
    from pipeline.records import SourceText

    raw = ["NGHỊ ĐỊNH", "Quy định về giảng viên đồng cơ hữu", "CHÍNH PHỦ", "Số: 15/2025/NĐ-CP",
           "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Hà Nội, ngày 31 tháng12 năm 2025",
           "Căn cứ Luật Tổ chức Chính phủ;", "Điều 1. Phạm vi", "Nơi nhận:", "- Lưu: VT, KGVX.",
           "KT. THỦ TƯỚNG", "Phó Thủ tướng", "Trần Hồng Hà"]
    record = extract(SourceText("x.md", "md", [Line(t) for t in raw]))
    assert (record.doc_type, record.issuer, record.issued_on) == ("Nghị định", "CHÍNH PHỦ", "2025-12-31")
    assert record.subject == "Quy định về giảng viên đồng cơ hữu"
    assert (record.signer.authority, record.signer.title, record.signer.name) == ("KT. THỦ TƯỚNG", "Phó Thủ tướng", "Trần Hồng Hà")
    assert record.review == []


@pytest.mark.parametrize("text, form", [
    ("THỨ TRƯỞNG", "THỨ TRƯỞNG"), ("Phó Thủ tướng", "Phó Thủ tướng"), ("PHÓ cụ c TRƯỞNG", "PHÓ CỤC TRƯỞNG"),
    ("kÀTHANH H -----", ""), ("TRƯỞNG PHÒNG KẾ HOẠCH", ""),
])
def test_signer_title_forms(text, form):
    from pipeline.vocab import signer_title_form

    assert signer_title_form(text) == form


def test_a_garbled_dispatch_is_kept_and_every_field_flagged():
    from pipeline.extract import extract
    from pipeline.records import SourceText

    raw = ["BO NOI VU CQNG HOA XA HQI CHU NGHia VrET NAM", "CUC VAN THU DQc l$p - Tg do - H4nh phric",
           "so: L& ZO /CVT- NV HdNOi,ngdy 23 thdng € ndm2016", "V/v huong d6n luu tru",
           "Kinh gti: C6ng ty TNHH An Phu", "Cuc Van thu c6 y ki6n nhu sau: ...", "Noi nhfin: KT. CUC TRIICING",
           "- Nhu tr6n;", "- Luu: VT, NV (3b)."]
    record = extract(SourceText("x.txt", "txt", [Line(t) for t in raw]))
    assert record.kind == "dispatch"
    assert {"kind", "number", "issued_on", "issuer", "subject", "signer"} <= {r["field"] for r in record.review}


def test_a_news_article_citing_documents_stays_other():
    from pipeline.extract import extract
    from pipeline.read import read

    import pathlib
    news = pathlib.Path(__file__).parent.parent / "corpus" / "docs" / "a_n05_news_vanban_giamao__txt.txt"
    assert extract(read(str(news))).kind == "other"


@pytest.mark.parametrize("name", ["cv_header_below", "cv_header_below_lo", "cv_header_below_stack"])
def test_header_lines_typed_below_the_header_table(name):
    """Số, date, V/v and Kính gửi under the header table, not in it (a LibreOffice-saved copy too)."""
    import pathlib

    from pipeline.extract import extract
    from pipeline.read import read

    path = pathlib.Path(__file__).parent.parent / "corpus" / "check" / "docs" / f"{name}.docx"
    record = extract(read(str(path)))
    assert (record.number, record.issued_on, record.place, record.issuer) == ("07/SYT-VP", "2026-03-05", "Quảng Ngãi", "SỞ Y TẾ")
    assert record.subject.startswith("tăng cường phòng, chống dịch sốt xuất huyết")
    assert record.recipients == ["Ủy ban nhân dân các huyện, thị xã, thành phố"]
    assert [d.label for d in record.directives] == ["1", "2", "3"]
    assert record.review == []


def test_a_capitalised_wrap_of_a_distribution_entry_stays_in_the_list():
    from pipeline.extract import parse_signer, split_footer
    from pipeline.segment import Piece

    pieces, offset = [], 0
    for text, column in [("Nơi nhận:", "left"), ("- VPCP: BTCN, TGĐ Cổng", "left"), ("TTĐT,", "left"),
                         ("các Vụ, Cục, Công báo;", "left"), ("- Lưu: VT, NN (2b).", "left"),
                         ("TM. CHÍNH PHỦ", "right"), ("KT. THỦ TƯỚNG", "right"), ("PHÓ THỦ TƯỚNG", "right"),
                         ("Trần Hồng Hà", "right")]:
        pieces.append(Piece(text, offset, column, "footer"))
        offset += len(text) + 1
    distribution, signer_lines = split_footer(pieces, has_columns=True)
    assert [d[0] for d in distribution] == ["- VPCP: BTCN, TGĐ Cổng TTĐT, các Vụ, Cục, Công báo;", "- Lưu: VT, NN (2b)."]
    signer = parse_signer(signer_lines, Record(source="x"))
    assert (signer.authority, signer.title, signer.name) == ("TM. CHÍNH PHỦ KT. THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "Trần Hồng Hà")


def test_the_signature_starts_at_the_authority_prefix_of_a_joined_line():
    from pipeline.extract import parse_signer
    from pipeline.segment import Piece

    lines = [Piece("TTĐT, TM. CHÍNH PHỦ KT. THỦ TƯỚNG PHÓ THỦ TƯỚNG", 0, "", "footer"), Piece("Trần Hồng Hà", 50, "", "footer")]
    signer = parse_signer(lines, Record(source="x"))
    assert (signer.authority, signer.title, signer.name) == ("TM. CHÍNH PHỦ KT. THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "Trần Hồng Hà")


def test_an_unnumbered_task_with_a_deadline_is_named_for_review():
    from pipeline.directives import find_directives
    from pipeline.segment import Piece

    text = ("Chủ tịch UBND tỉnh giao Sở Thông tin và Truyền thông chủ trì, phối hợp với các cơ quan liên quan "
            "nghiên cứu, tổng hợp, báo cáo Chủ tịch UBND tỉnh (trước ngày 10/02/2025).")
    record = Record(source="x", issued_on="2025-01-20")
    assert find_directives([Piece(text, 0, "", "body")], record) == []  # directives are the numbered items
    assert [r["field"] for r in record.review] == ["directives"] and "10/02/2025" in record.review[0]["reason"]
    no_deadline = Record(source="x", issued_on="2019-04-05")
    text = "Thủ tướng Chính phủ giao Bộ Kế hoạch và Đầu tư nghiên cứu, có giải pháp phù hợp."
    assert find_directives([Piece(text, 0, "", "body")], no_deadline) == [] and no_deadline.review == []


@pytest.mark.parametrize("name, number", [
    ("46-TB-signed.pdf", "46/TB-UBND"), ("2352-07-TB-UBND-signed.pdf", "07/TB-UBND"), ("660TBUB-signed.pdf", "660/TB-UBND"),
    ("doc_20250517_073706_page1.png", "/TB-UBND"), ("scan 2024.pdf", "/TB-UBND"),
])
def test_an_unread_hand_written_number_is_taken_from_the_file_name_and_flagged(name, number):
    from pipeline.extract import number_from_file_name

    record = Record(source=f"/inbox/{name}", number="/TB-UBND")
    number_from_file_name(record)
    assert record.number == number
    assert [r["field"] for r in record.review] == (["number"] if number[0].isdigit() else [])


def test_a_name_among_noise_under_the_title_is_read_and_flagged():
    """robustness D6 / issue 11: no statistical tagger (a second to load, quadratic on long lines,
    places taken for names); a run of capitalised syllables opening with a family name instead."""
    from pipeline.extract import parse_signer
    from pipeline.segment import Piece

    record = Record(source="x")
    signer = parse_signer([Piece("CHỦ TỊCH", 0, "", "footer"), Piece("~ Trần Hoàng Tuấn |", 9, "", "footer")], record)
    assert signer.name == "Trần Hoàng Tuấn" and any(r["field"] == "signer.name" for r in record.review)
    long_line = "Phụ lục kèm theo gồm các biểu mẫu của Việt Nam " * 400
    record = Record(source="x")
    signer = parse_signer([Piece("GIÁM ĐỐC", 0, "", "footer"), Piece(long_line, 9, "", "footer"),
                           Piece("Cổng Thông tin Điện tử Chính phủ", 20000, "", "footer")], record)
    assert signer.name == "" and any(r["field"] == "signer.name" for r in record.review)




def test_a_slipped_type_letter_in_the_symbol_is_respelled_from_the_title(tmp_path):
    """ "/TIr-UBND" under "TỜ TRÌNH", the number written by hand and unread: the symbol's type part
    is respelled as the title's abbreviation, the number taken from the file name, both flagged."""
    lines = ["ỦY BAN NHÂN DÂN TỈNH AN PHÚ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
             "Số:     /TIr-UBND", "An Phú, ngày 7 tháng 2 năm 2025", "TỜ TRÌNH",
             "Về việc miễn nhiệm thành viên Ủy ban nhân dân tỉnh", "Kính gửi: Hội đồng nhân dân tỉnh",
             "Ủy ban nhân dân tỉnh kính trình Hội đồng nhân dân tỉnh xem xét, quyết định./.",
             "Nơi nhận:", "- Như trên;", "- Lưu: VT.", "CHỦ TỊCH", "Lê Văn An"]
    path = tmp_path / "24-TTR-signed.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    from pipeline.extract import extract
    from pipeline.read import read

    record = extract(read(path))
    assert record.doc_type == "Tờ trình" and record.number == "24/TTr-UBND"
    reasons = [r["reason"] for r in record.review if r["field"] == "number"]
    assert any("«TIr», sửa thành «TTr»" in r for r in reasons) and any("tên tệp" in r for r in reasons)
    # A known type's abbreviation, or a công văn's issuer part, is never respelled.
    lines[3], lines[5] = "Số: 24/TB-UBND", "THÔNG BÁO"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert extract(read(path)).number == "24/TB-UBND"


def test_a_collective_line_the_seal_cut_is_read_as_its_tm_line(tmp_path):
    """ "BAN NHAN DAN" over "CHỦ TỊCH": OCR read only the tail of "TM. ỦY BAN NHÂN DÂN"."""
    head = ["ỦY BAN NHÂN DÂN TỈNH AN PHÚ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
            "Số: 47/QĐ-UBND", "An Phú, ngày 17 tháng 1 năm 2025", "QUYẾT ĐỊNH",
            "Về việc phê duyệt kế hoạch", "Điều 1. Phê duyệt kế hoạch.", "Điều 2. Quyết định này có hiệu lực từ ngày ký./.",
            "Nơi nhận:", "- Như Điều 2;", "- Lưu: VT."]
    record = extract_lines(tmp_path, head + ["BAN NHAN DAN", "CHỦ TỊCH", "Nguyễn Hoàng An"])
    assert (record.signer.authority, record.signer.title) == ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    assert any(r["field"] == "signer.authority" and "dấu che" in r["reason"] for r in record.review)
    # Two words are not enough to know the body; a printed "TM." line is left as it is.
    record = extract_lines(tmp_path, head + ["NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Hoàng An"])
    assert record.signer.authority == ""
    record = extract_lines(tmp_path, head + ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Hoàng An"])
    assert record.signer.authority == "TM. ỦY BAN NHÂN DÂN" and not any(r["field"] == "signer.authority" for r in record.review)


def test_numbered_items_with_a_lost_label_go_to_review(tmp_path):
    """1., 3., 4. (OCR lost "2."): no run of two items is taken, so the list is flagged, not
    passed on empty as if the letter had no tasks; 1., 2., 3. is not flagged."""
    head = ["SỞ Y TẾ TỈNH AN PHÚ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
            "Số: 46/SYT-NV", "An Phú, ngày 24 tháng 1 năm 2025", "V/v triển khai nhiệm vụ", "Kính gửi: Các bệnh viện",
            "Sở Y tế đề nghị các đơn vị:"]
    tail = ["Nơi nhận:", "- Như trên;", "- Lưu: VT.", "GIÁM ĐỐC", "Lê Văn An"]
    items = ["1. Rà soát danh sách cán bộ;", "Báo cáo kết quả về Sở;", "3. Tổ chức tập huấn;", "4. Kiểm tra việc thực hiện."]
    record = extract_lines(tmp_path, head + items + tail)
    assert any(r["field"] == "directives" and "(1, 3, 4)" in r["reason"] for r in record.review)
    # the one paragraph where "2." belongs is item 2, its label inferred (flagged above)
    assert [(d.label, d.text) for d in record.directives] == [
        ("1", "Rà soát danh sách cán bộ;"), ("2", "Báo cáo kết quả về Sở;"), ("3", "Tổ chức tập huấn;"),
        ("4", "Kiểm tra việc thực hiện.")]
    items.insert(2, "Tổng hợp số liệu;")  # two paragraphs where one label is missing: nothing inferred
    record = extract_lines(tmp_path, head + items + tail)
    assert record.directives == [] and any(r["field"] == "directives" for r in record.review)
    del items[2]
    items[1] = "2. Báo cáo kết quả về Sở;"
    record = extract_lines(tmp_path, head + items + tail)
    assert len(record.directives) == 4 and not any(r["field"] == "directives" for r in record.review)


def test_a_document_type_nothing_names_is_flagged(tmp_path):
    """No type title, no "V/v", no number: "Công văn" is a guess and goes to review."""
    record = extract_lines(tmp_path, ["BỘ Y TẾ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                                      "Hà Nội, ngày 5 tháng 3 năm 2026", "Điều 1. Sửa đổi biểu mẫu.",
                                      "Điều 2. Hiệu lực thi hành.", "Nơi nhận:", "- Các đơn vị thuộc Bộ;", "- Lưu: VT.",
                                      "BỘ TRƯỞNG", "Lê Văn An"])
    assert record.kind == "dispatch" and record.doc_type == "Công văn" and any(r["field"] == "doc_type" for r in record.review)
    record = extract_lines(tmp_path, ["BỘ Y TẾ", "Số: 12/BYT-KH", "Hà Nội, ngày 5 tháng 3 năm 2026",
                                      "V/v triển khai kế hoạch", "Kính gửi: Sở Y tế các tỉnh", "Đề nghị triển khai.",
                                      "Nơi nhận:", "- Như trên;", "BỘ TRƯỞNG", "Lê Văn An"])
    assert record.doc_type == "Công văn" and not any(r["field"] == "doc_type" for r in record.review)


@pytest.mark.parametrize("text, deadline", [
    ("Thẻ BHYT mã CN3 hết thời hạn sử dụng vào ngày 31 tháng 12 năm 2020: được thanh toán 95%.", None),
    ("Chi phí phát sinh từ ngày 15 tháng 12 năm 2020 đến hết ngày 31 tháng 12 năm 2020: được thanh toán.", None),
    ("Các đơn vị hoàn thành rà soát đến hết ngày 31/12/2025.", "2025-12-31"),
    ("Báo cáo kết quả về Sở trước ngày 15 tháng 3 năm 2025.", "2025-03-15"),
])
def test_a_validity_or_a_period_end_is_no_deadline(text, deadline):
    assert find_deadline(text, 2025) == deadline


def test_documents_cited_after_the_signature_are_references_too(tmp_path):
    """A Quy chế issued with the decision, or the portal's footnotes, follow the signature: what
    they cite is cited by the document (the real gold lists them)."""
    record = extract_lines(tmp_path, [
        "THỦ TƯỚNG CHÍNH PHỦ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Số: 23/2025/QĐ-TTg", "Hà Nội, ngày 10 tháng 8 năm 2025", "QUYẾT ĐỊNH", "Ban hành Quy chế hoạt động của Hội đồng",
        "Căn cứ Luật Tổ chức Chính phủ số 63/2025/QH15;", "Điều 1. Ban hành kèm theo Quyết định này Quy chế hoạt động.",
        "Điều 2. Quyết định này có hiệu lực từ ngày ký./.", "Nơi nhận:", "- Như Điều 2;", "- Lưu: VT, KGVX (2b).",
        "THỦ TƯỚNG", "Phạm Minh Chính", "QUY CHẾ", "Hoạt động của Hội đồng",
        "Điều 7. Kinh phí hoạt động", "Kinh phí do cơ quan Thường trực bố trí theo Nghị quyết số 197/2025/QH15 về cơ chế đặc biệt."])
    assert [r.number for r in record.references] == ["63/2025/QH15", "197/2025/QH15"]


def test_a_garbled_word_of_an_agency_name_is_respelled_and_flagged(tmp_path):
    """ "CỤC THUÉ" (no Vietnamese syllable) has one spelling among agency-name words: "THUẾ"."""
    record = extract_lines(tmp_path, ["TỔNG CỤC THUẾ", "CỤC THUÉ TỈNH THANH HÓA", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                      "Độc lập - Tự do - Hạnh phúc", "Số: 1864/CT-TTHT", "Thanh Hóa, ngày 05 tháng 5 năm 2021",
                                      "V/v chính sách thuế", "Kính gửi: Công ty TNHH An Phú", "Cục Thuế trả lời như sau.",
                                      "Nơi nhận:", "- Như trên;", "- Lưu: VT.", "CỤC TRƯỞNG", "Lê Văn An"])
    assert record.issuer == "CỤC THUẾ TỈNH THANH HÓA"
    assert any(r["field"] == "issuer" and "«THUÉ»" in r["reason"] for r in record.review)


def test_after_an_appendix_heading_only_dated_citations_count(tmp_path):
    """Portals append an OCR'd copy of the letter under a heading ("Luật số 139/2025/QHI15"):
    there only a citation with its date is taken; the document's own number, even cut short, never."""
    record = extract_lines(tmp_path, [
        "BỘ TÀI CHÍNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 91/2026/TT-BTC",
        "Hà Nội, ngày 10 tháng 8 năm 2026", "THÔNG TƯ", "Hướng dẫn quản lý phí",
        "Căn cứ Luật Phí và lệ phí số 97/2015/QH13;", "Điều 1. Phạm vi điều chỉnh.", "Điều 2. Hiệu lực thi hành./.",
        "Nơi nhận:", "- Như Điều 2;", "- Lưu: VT.", "BỘ TRƯỞNG", "Nguyễn Văn Thắng",
        "PHỤ LỤC", "Căn cứ Luật số 139/2025/QHI15;", "theo Thông tư số 91/2026/TT được ban hành",
        "theo Quyết định số 991/QĐ-TTg ngày 16/9/2024 của Thủ tướng Chính phủ"])
    assert [r.number for r in record.references] == ["97/2015/QH13", "991/QĐ-TTg"]


HEAD_NHNN = ["NGÂN HÀNG NHÀ NƯỚC", "VIỆT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
             "Số: 76/2025/TT-NHNN", "Hà Nội, ngày 31 tháng 12 năm 2025", "THÔNG TƯ", "Sửa đổi Thông tư về tái cấp vốn",
             "Điều 1. Thông tư này có hiệu lực từ ngày ký./.", "Nơi nhận:", "- Như Điều 1;", "- Lưu: VT, PC."]


def test_a_title_in_sentence_case_under_the_title_line_is_no_name(tmp_path):
    """A portal that dropped "KT." prints "THỐNG ĐỐC" / "Phó Thống Đốc" / "(đã ký)" / the name: the
    capitalised title has a name's shape, but the name is the line that is no title."""
    record = extract_lines(tmp_path, HEAD_NHNN + ["THỐNG ĐỐC", "Phó Thống Đốc", "(đã ký)", "Phạm Thanh Hà"])
    assert record.signer.name == "Phạm Thanh Hà"
    # both titles kept as printed, flagged as when both are in capitals: the "KT." line was lost
    assert record.signer.title == "THỐNG ĐỐC Phó Thống Đốc"
    assert any(r["field"] == "signer.title" for r in record.review)


@pytest.mark.parametrize("issuer, number, flagged", [
    ("CHÍNH PHỦ", "131/2025/TT-BCA", True),   # a portal's header of another body
    ("BỘ TÀI CHÍNH", "97/2025/QĐ-UBND", True),
    ("BỘ CÔNG AN", "131/2025/TT-BCA", False),
    ("BẢO HIỂM XÃ HỘI VIỆT NAM", "381/BHXH-VP", False),  # the symbol abbreviates the first words
    ("THỦ TƯỚNG CHÍNH PHỦ", "299/TTg-KTTH", False),
    ("VĂN PHÒNG CHÍNH PHỦ", "2739/VPCP-ĐMDN", False),
    ("CỤC THUẾ TỈNH NGHỆ AN", "1581/CT-TTHT", False),  # "CT" is also a Chỉ thị's code
    ("TRƯỜNG THPT NGUYỄN DU", "18/GM-THPTND", False),  # an abbreviation inside the name
    ("BAN CHỈ ĐẠO 138", "04/QĐ-BCĐ138", False),  # the body's number after its code
    ("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "15/QĐ-XPHC", False),  # a kind of case, not a body
])
def test_an_issuer_the_symbol_does_not_abbreviate_is_flagged(tmp_path, issuer, number, flagged):
    """The organ code of the symbol names the issuing body (Decree 30, App. I §II.3): a header of
    another body means one of the two is wrong, so both go to review."""
    record = extract_lines(tmp_path, [issuer, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                                      f"Số: {number}", "Hà Nội, ngày 25 tháng 12 năm 2025", "V/v báo cáo tình hình",
                                      "Kính gửi: Các đơn vị", "Đề nghị các đơn vị báo cáo./.", "Nơi nhận:",
                                      "- Như trên;", "- Lưu: VT.", "BỘ TRƯỞNG", "Lương Tam Quang"])
    assert record.issuer == issuer and record.number == number  # read as printed, never changed
    fields = {r["field"] for r in record.review}
    assert ({"issuer", "number"} <= fields) is flagged


def test_a_form_after_the_signature_is_an_appendix_even_without_its_heading(tmp_path):
    """OCR lost the "Nơi nhận:" and the "PHỤ LỤC" heading; the "Lưu: VT" entry still closes the
    document's list, and a form ("Mẫu số 01") after it is an appendix: its placeholder signature
    ("QUYỀN HẠN, CHỨC VỤ NGƯỜI KÝ") is not the signer."""
    record = extract_lines(tmp_path, [
        "CHÍNH PHỦ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 241/2026/NĐ-CP",
        "Hà Nội, ngày 26 tháng 6 năm 2026", "NGHỊ ĐỊNH", "Sửa đổi Nghị định về quản lý đường bộ",
        "Điều 1. Nghị định này có hiệu lực từ ngày ký./.", "Mới nhận: l", "- Các bộ, cơ quan ngang bộ;",
        "- Lưu: VT, CN (2).", "Mẫu số 01", "TỜ TRÌNH", "Về việc đề nghị giao quản lý tuyến đường",
        "Nơi nhận: QUYỀN HẠN, CHỨC VỤ NGƯỜI KÝ", "- Như trên; (Chữ ký, dấu)", "- Lưu: VT.", "Họ và tên"])
    assert record.signer.title == ""
    assert record.distribution == ["Các bộ, cơ quan ngang bộ", "Lưu: VT, CN (2)"]  # "Mới nhận:" is the label


def test_a_two_line_authority_is_whole_when_the_noi_nhan_label_is_lost(tmp_path):
    """Without a readable "Nơi nhận", the block is found from its authority lines: all of them."""
    record = extract_lines(tmp_path, [
        "CHÍNH PHỦ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 241/2026/NĐ-CP",
        "Hà Nội, ngày 26 tháng 6 năm 2026", "NGHỊ ĐỊNH", "Sửa đổi Nghị định về quản lý đường bộ",
        "Điều 1. Nghị định này có hiệu lực từ ngày ký./.", "Mđi nhận", "- Các bộ;", "- Lưu: VT, CN (2).",
        "TM. CHÍNH PHỦ", "KT. THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "Trần Văn Hùng"])
    assert (record.signer.authority, record.signer.title) == ("TM. CHÍNH PHỦ KT. THỦ TƯỚNG", "PHÓ THỦ TƯỚNG")


@pytest.mark.parametrize("line, label", [("Mới nhận:", True), ("Nơi nhân:", True), ("Nơi nhận", True),
                                         ("Mới nhận được công văn số 12/UBND", False)])
def test_ocr_slips_of_the_noi_nhan_label(line, label):
    from pipeline.decree30 import NOI_NHAN
    assert bool(NOI_NHAN.match(line)) is label


def test_without_the_name_the_title_read_is_flagged_too(tmp_path):
    """No name under the title: the block was not read as a block, so what was read of it is unsure."""
    record = extract_lines(tmp_path, HEAD_NHNN + ["KT. THỐNG ĐỐC", "PHÓ THỐNG ĐỐC"])
    assert record.signer.title == "PHÓ THỐNG ĐỐC" and record.signer.name == ""
    assert {"signer.name", "signer.title", "signer.authority"} <= {r["field"] for r in record.review}


def test_an_e_signature_stamp_above_the_header_is_not_the_issuer(tmp_path):
    """An e-signed PDF's stamp ("Người ký: …", "Email:", "Cơ quan:", "Thời gian ký:") and the
    signer's name printed above it are evidence of the signature, not the issuing body."""
    record = extract_lines(tmp_path, [
        "CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ", "Người ký: CÔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ",
        "Email: thongtinchinhphu@chinhphu.vn", "Cơ quan: VĂN PHÒNG CHÍNH PHỦ", "Thời gian ký: 05.06.2026 16:57:30 +07:00",
        "CHÍNH PHỦ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 193/2026/NĐ-CP",
        "Hà Nội, ngày 01 tháng 6 năm 2026", "NGHỊ ĐỊNH", "Quy định về quyết toán dự án",
        "Điều 1. Nghị định này có hiệu lực từ ngày ký./.", "Nơi nhận:", "- Các bộ;", "- Lưu: VT.",
        "TM. CHÍNH PHỦ", "THỦ TƯỚNG", "Phạm Minh Chính"])
    assert (record.parent_body, record.issuer) == ("", "CHÍNH PHỦ")
    assert "thongtinchinhphu" not in " ".join(record.recipients + [record.subject])
