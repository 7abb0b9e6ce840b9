"""The "Kiểm tra thể thức" page: an uploaded draft's report beside its text, the fixed DOCX to download."""
import io
import re

from docx import Document

from conftest import ROOT
from pipeline.check import check_docx
from test_web import make_client, token

DOCS = ROOT / "corpus" / "check" / "docs"


def post(client, name: str, data: bytes):
    return client.post("/check", data={"csrf_token": token(client)}, files=[("file", (name, data))])


def test_check_page_reports_beside_the_text_and_offers_the_fixed_docx(tmp_path):
    client = make_client(tmp_path)
    assert "Kiểm tra thể thức" in client.get("/check").text
    response = post(client, "du thao.docx", (DOCS / "f_header_sizes.docx").read_bytes())
    assert response.status_code == 200
    page = response.text
    assert "2 lỗi thể thức" in page and 'class="flagged"' in page
    assert "Cỡ chữ tên cơ quan ban hành: 14 → 13" in page
    link = re.search(r'href="(/check/[^"]+)" id="fixed-download"', page).group(1)
    fixed = client.get(link)
    assert fixed.status_code == 200 and fixed.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert check_docx(fixed.content) == []
    original = [p.text for p in Document(DOCS / "f_header_sizes.docx").paragraphs]
    assert [p.text for p in Document(io.BytesIO(fixed.content)).paragraphs] == original


def test_check_page_says_what_it_cannot_do(tmp_path):
    client = make_client(tmp_path)
    party = post(client, "dang.docx", (DOCS / "party_cv.docx").read_bytes()).text
    assert "Văn bản của Đảng" in party and "Không tạo bản sửa" in party
    bad = post(client, "hong.docx", b"not a zip")
    assert bad.status_code == 400 and "Không kiểm tra được tệp này" in bad.text
    other = client.post("/check", data={"csrf_token": token(client)}, files=[("file", ("a.pdf", b"%PDF"))])
    assert other.status_code == 400 and "chỉ kiểm tra được" in other.text
    no_csrf = client.post("/check", files=[("file", ("a.docx", b"x"))])
    assert no_csrf.status_code in (400, 403)


def test_fixed_copies_are_served_only_from_their_own_folder(tmp_path):
    client = make_client(tmp_path)
    for path in ("/check/2026-01-01/../../etc/passwd", "/check/2026-01-01/" + "0" * 32 + "/x.docx",
                 "/check/x/" + "0" * 32 + "/a-da-sua.docx"):
        assert client.get(path).status_code == 404
