"""Text files as offices save them: every encoding yields the same NFC Vietnamese."""
import unicodedata

import pytest

from pipeline.read import read
from pipeline.records import ReadError

SAMPLE = "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 125/UBND-KT\nQuảng Ngãi, ngày 05 tháng 3 năm 2024\nKính gửi: Sở Tài chính"


def lines_of(path):
    return [line.text for line in read(path).lines]


@pytest.mark.parametrize("encoding,prefix", [
    ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
    ("utf-16-be", b"\xfe\xff"), ("utf-16-le", b""),
])
def test_unicode_encodings_give_the_same_lines(tmp_path, encoding, prefix):
    path = tmp_path / "doc.txt"
    path.write_bytes(prefix + SAMPLE.replace("\n", "\r\n").encode(encoding))
    assert lines_of(path) == SAMPLE.split("\n")


def test_windows_1258_combining_tones_become_precomposed(tmp_path):
    # cp1258 spells "Hà Nội" as H a <combining grave> … N ô <combining dot below> i
    path = tmp_path / "ansi.txt"
    path.write_bytes(b"Ha\xcc N\xf4\xf2i, ng\xe0y 17 th\xe1ng 02 n\xe3m 2021\r\nKi\xecnh g\xfd\xd2i")
    source = read(path)
    assert source.encoding == "cp1258"
    assert [l.text for l in source.lines] == ["Hà Nội, ngày 17 tháng 02 năm 2021", "Kính gửi"]
    assert unicodedata.is_normalized("NFC", source.text)


def test_decomposed_utf8_is_normalised_to_nfc(tmp_path):
    path = tmp_path / "nfd.txt"
    path.write_text(unicodedata.normalize("NFD", SAMPLE), encoding="utf-8")
    assert lines_of(path) == SAMPLE.split("\n")


def test_portal_buttons_are_dropped_but_text_kept(tmp_path):
    path = tmp_path / "portal.txt"
    path.write_text("Số: 381/BHXH-VP\nNguyễn Văn An\nTải Văn bản tiếng Việt\nIn văn bản\nLê Thị Bình Tải Văn bản gốc",
                    encoding="utf-8")
    assert lines_of(path) == ["Số: 381/BHXH-VP", "Nguyễn Văn An", "Lê Thị Bình"]


def test_indentation_is_kept_for_segmentation(tmp_path):
    path = tmp_path / "flat.txt"
    path.write_text("BẢO HIỂM XÃ HỘI\n  VIỆT NAM\n", encoding="utf-8")
    assert lines_of(path) == ["BẢO HIỂM XÃ HỘI", "  VIỆT NAM", ""]


def test_markdown_front_matter_metadata_and_markup_are_dropped(tmp_path):
    path = tmp_path / "doc.md"
    path.write_text("---\ntitle: \"x\"\nso-hieu: 1/QĐ-TTg\n---\n\n# Tiêu đề\n\n| Trường | Giá trị |\n|---|---|\n"
                    "| Số hiệu | 1/QĐ-TTg |\n\n## VĂN BẢN\n\n**Số: 12/QĐ-TTg**  \nHà Nội, ngày 08 tháng 7 năm 2026\n",
                    encoding="utf-8")
    source = read(path)
    assert source.format == "md"
    assert [l for l in lines_of(path) if l.strip()] == ["Số: 12/QĐ-TTg", "Hà Nội, ngày 08 tháng 7 năm 2026"]


def test_seed_dispatch_reads_with_every_diacritic(shared):
    path = next((shared / "seeds").glob("001_*.txt"))
    text = read(path).text
    assert text.startswith("BẢO HIỂM XÃ HỘI\n  VIỆT NAM\n")
    assert "Tải Văn bản" not in text
    assert text.rstrip().endswith("Chu Mạnh Sinh")
    assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize("name,data,reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \r\n\r\n ", "empty file"),
    ("bom-only.txt", b"\xef\xbb\xbf", "empty file"),
    ("photo.xyz", b"\x00\x01\x02", "unsupported file type .xyz"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old Word format (.doc): save it as .docx"),
])
def test_unreadable_files_get_a_one_line_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ReadError) as err:
        read(path)
    assert err.value.reason == reason
    assert str(err.value) == f"{path}: {reason}"


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ReadError) as err:
        read(tmp_path / "gone.pdf")
    assert err.value.reason == "not found"


def test_a_pdf_named_txt_is_read_as_pdf(tmp_path):
    path = tmp_path / "misnamed.txt"
    path.write_bytes(b"%PDF-1.7\nnot really")
    with pytest.raises(ReadError) as err:
        read(path)
    assert err.value.reason.startswith("corrupt PDF")


def test_markdown_keeps_a_header_printed_before_the_portal_metadata(tmp_path):
    """Some exports print the document's header, then "## THÔNG TIN VĂN BẢN", then "## VĂN BẢN"."""
    from pipeline.read.text import read_text

    md = tmp_path / "tt.md"
    md.write_text("\n".join([
        "---", "so_hieu: 14/2026/TT-BNV", "---", "# Thông tư 14/2026/TT-BNV", "", "**BỘ NỘI VỤ**", "",
        "**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**", "", "Số: 14/2026/TT-BNV", "",
        "## THÔNG TIN VĂN BẢN", "| Số hiệu | 14/2026/TT-BNV |", "| Người ký | Nguyễn Mạnh Khương |", "",
        "## VĂN BẢN", "", "### Điều 1. Phạm vi điều chỉnh",
    ]), encoding="utf-8")
    texts = [line.text for line in read_text(md).lines if line.text.strip()]
    assert "Số: 14/2026/TT-BNV" in texts and "BỘ NỘI VỤ" in texts
    assert not any("Người ký" in t for t in texts)  # the metadata table is gone
    assert texts[-1] == "Điều 1. Phạm vi điều chỉnh"


def test_a_batch_collects_young_garbage_less_often_and_restores_the_setting():
    """issue 16: reading makes millions of short-lived objects; the collector's default of every
    700 allocations cost 8-15 % of a text PDF's time. Raised for the batch, as before after it."""
    import gc

    from conftest import CORPUS
    from pipeline.process import YOUNG, process_many

    before = gc.get_threshold()
    seen = []
    for _ in process_many([str(p) for p in sorted(CORPUS.glob("*__txt.txt"))[:2]]):
        seen.append(gc.get_threshold()[0])
    assert seen == [YOUNG, YOUNG] and gc.get_threshold() == before
