"""The web page through FastAPI's TestClient: uploads, corrections, registers, tasks, replies, safety."""
import asyncio
import dataclasses
import getpass
import signal
import socket
import subprocess
import sys
import threading
import time
import html
import io
import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from docx import Document
import httpx
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from conftest import CORPUS
from test_edxml import signing_key  # noqa: F401 (a fixture: a throwaway signing key and certificate)
from pipeline.cli import main
from pipeline.ingest import ingest, sha256_of
from pipeline.org import EXAMPLE
from pipeline.store import fold, open_store
from pipeline.web import Settings, create_app
from pipeline.web.highlight import highlighted
from pipeline.web.pages import review as review_page
from pipeline.web.uploads import safe_file_name, save_upload

QNGAI = CORPUS / "a_01_bhxh_qngai_thuno__txt.txt"  # 412/BHXH-QLT, items due 15/03/2024 and 05/04/2024
DALAT = CORPUS / "a_05_dalat_cv_trattu__txt.txt"  # 1873/UBND-QLĐT
NEWS = CORPUS / "a_n11_recipe_canh_chua__txt.txt"  # not an administrative document
CORRUPT_PDF = b"%PDF-1.4\nthis is not really a pdf"


def make_client(tmp_path, **settings) -> TestClient:
    org = tmp_path / "congvan.toml"
    org.write_text(EXAMPLE, encoding="utf-8")
    options = dict(db=str(tmp_path / "c.db"), data_dir=tmp_path / "data", org_file=str(org))
    options.update(settings)
    return TestClient(create_app(Settings(**options)), base_url="http://127.0.0.1")


@pytest.fixture
def client(tmp_path):
    return make_client(tmp_path)


def store_of(client):
    return client.app.state.store


def token(client) -> str:
    page = client.get("/inbox")
    return re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)


def upload(client, *files, csrf=True, wait=True, **form):
    """POST files (name, bytes) to the inbox as the page's form does; with `wait`, once the
    background worker has read them, the answer is their rows as the page's polling gets them."""
    data = dict(form, csrf_token=token(client)) if csrf else dict(form)
    response = client.post("/inbox/upload", data=data, files=[("files", (name, content)) for name, content in files],
                           follow_redirects=False)
    if not wait or response.status_code != 200:
        return response
    assert client.app.state.worker.wait_idle(120)
    ids = re.findall(r'data-job="(\w+)"', response.text)
    rejected = "".join(re.findall(r'<tr class="result" data-status="rejected">.*?</tr>', response.text, re.S))
    done = client.get("/inbox/jobs", params=[("id", i) for i in ids])
    return SimpleNamespace(status_code=done.status_code, headers=done.headers, text=rejected + done.text)


def result_rows(html: str) -> dict[str, str]:
    """File name → the text of its result row."""
    rows = re.findall(r'<tr class="result" data-status="(\w+)"[^>]*>\s*<td class="file">([^<]*)</td>(.*?)</tr>', html, re.S)
    return {name: (status, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rest)).strip()) for status, name, rest in rows}


def uploaded_files(tmp_path) -> list[Path]:
    return sorted(p for p in (tmp_path / "data" / "uploads").rglob("*") if p.is_file())


# --------------------------------------------------------------------------- inbox


def test_upload_stores_each_file_exactly_as_congvan_ingest(tmp_path, client):
    response = upload(client, (QNGAI.name, QNGAI.read_bytes()), ("hong.pdf", CORRUPT_PDF), ("trong.txt", b""),
                      (NEWS.name, NEWS.read_bytes()), received_on="01/03/2024")
    assert response.status_code == 200
    rows = result_rows(response.text)
    assert rows[QNGAI.name][0] in ("ok", "needs_review") and "số đến 1" in rows[QNGAI.name][1]
    assert rows["hong.pdf"][0] == "failed" and "Tệp PDF bị hỏng" in rows["hong.pdf"][1]
    assert "corrupt" not in rows["hong.pdf"][1]  # the English detail stays out of the page
    assert rows["trong.txt"][0] == "failed" and "Tệp rỗng" in rows["trong.txt"][1]
    assert rows[NEWS.name][0] == "other"

    cli_store = open_store(str(tmp_path / "cli.db"))
    ingest([str(QNGAI), str(NEWS)], cli_store, received_on=date(2024, 3, 1))
    fields = ("status", "kind", "doc_type", "number", "issued_on", "issuer", "subject", "recipients", "spans",
              "text", "incoming_year", "incoming_no", "received_on", "file_name")
    web_docs = {d["file_name"]: d for d in store_of(client).documents()}
    for cli_doc in cli_store.documents():
        assert {f: web_docs[cli_doc["file_name"]][f] for f in fields} == {f: cli_doc[f] for f in fields}
    assert web_docs["hong.pdf"]["status"] == "failed" and web_docs["hong.pdf"]["error"].startswith("corrupt PDF")


def test_an_upload_waits_for_the_worker_and_the_writer_lock_is_free_while_it_is_read(client, monkeypatch):
    worker = client.app.state.worker
    release, reading = threading.Event(), threading.Event()
    real_read = worker._read

    def slow_read(path):
        reading.set()
        release.wait(30)
        return real_read(path)

    monkeypatch.setattr(worker, "_read", slow_read)
    started = time.monotonic()
    response = upload(client, (DALAT.name, DALAT.read_bytes()), wait=False)
    assert response.status_code == 200 and time.monotonic() - started < 5  # answered before the file is read
    assert reading.wait(10)
    lock = store_of(client).write_lock
    assert lock.acquire(timeout=1)  # another clerk's correction is not held up by the reading
    lock.release()
    inbox = client.get("/inbox").text
    assert "Đang chờ xử lý" in inbox and "Đang đọc" in inbox and 'data-pending="1"' in inbox
    release.set()
    assert worker.wait_idle(60)
    assert [d["status"] for d in store_of(client).documents()] in (["ok"], ["needs_review"])
    assert "Đang chờ xử lý" not in client.get("/inbox").text


def test_a_restart_reads_the_files_still_waiting(tmp_path):
    first = make_client(tmp_path)
    first.app.state.worker.stop()  # the server stops before reading the upload
    assert upload(first, (DALAT.name, DALAT.read_bytes()), wait=False).status_code == 200
    assert store_of(first).documents() == [] and len(list((tmp_path / "data" / "queue").glob("*.json"))) == 1
    second = make_client(tmp_path)
    assert second.app.state.worker.wait_idle(60)
    assert [d["file_name"] for d in store_of(second).documents()] == [DALAT.name]
    assert list((tmp_path / "data" / "queue").glob("*.json")) == []


def test_an_upload_cut_off_leaves_no_file(tmp_path):
    client = make_client(tmp_path)

    class Broken:
        filename = "dut.txt"

        def __init__(self):
            self.calls = 0

        async def read(self, size):
            self.calls += 1
            if self.calls > 1:
                raise ConnectionResetError("client gone")
            return b"x" * 100

    with pytest.raises(ConnectionResetError):
        asyncio.run(save_upload(Broken(), tmp_path / "data" / "uploads", 10_000))
    assert [p for p in (tmp_path / "data" / "uploads").glob("*/*")] == []  # neither the file nor its folder
    # what a killed server left half-written is swept when the next one starts
    left = tmp_path / "data" / "uploads" / "2026-01-01" / "abc"
    left.mkdir(parents=True)
    (left / ".x.txt.part").write_bytes(b"half")
    make_client(tmp_path)
    assert not left.exists()


def test_one_stop_signal_ends_the_server_while_a_file_is_read(tmp_path):
    org = tmp_path / "congvan.toml"
    org.write_text(EXAMPLE, encoding="utf-8")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", "--db", str(tmp_path / "c.db"),
                               "--data-dir", str(tmp_path / "data"), "--port", str(port), "--org", str(org)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                page = httpx.get(base + "/inbox", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
        slow = ("SỞ TÀI CHÍNH\nSố: 1/STC\n" + "nội dung tiếp theo\n" * 40_000).encode()  # minutes to read
        sent = httpx.post(base + "/inbox/upload", data={"csrf_token": csrf}, cookies=page.cookies,
                          files=[("files", ("dai.txt", slow))], timeout=30)
        assert sent.status_code == 200 and "Đang" in sent.text
        time.sleep(1.5)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=15) is not None
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    # the file was not finished: it waits for the next start, nothing is lost or half-stored
    assert len(list((tmp_path / "data" / "queue").glob("*.json"))) == 1
    assert open_store(str(tmp_path / "c.db")).documents() == []


def test_unsupported_type_is_refused_and_never_written(tmp_path, client):
    rows = result_rows(upload(client, ("virus.exe", b"MZ\x90\x00"), ("bang.xlsx", b"PK\x03\x04")).text)
    assert rows["virus.exe"][0] == rows["bang.xlsx"][0] == "rejected"
    assert "Loại tệp không được hỗ trợ" in rows["virus.exe"][1]
    assert uploaded_files(tmp_path) == [] and store_of(client).documents() == []


def test_the_same_file_twice_is_stored_once_and_its_copy_removed(tmp_path, client):
    upload(client, (QNGAI.name, QNGAI.read_bytes()))
    rows = result_rows(upload(client, ("ban-sao.txt", QNGAI.read_bytes())).text)
    assert rows["ban-sao.txt"][0] == "duplicate" and "Xem #1" in rows["ban-sao.txt"][1]
    assert [p.name for p in uploaded_files(tmp_path)] == [QNGAI.name]
    assert len(store_of(client).documents()) == 1


def test_upload_script_gets_only_the_result_rows(client):
    response = client.post("/inbox/upload", files=[("files", (DALAT.name, DALAT.read_bytes()))],
                           headers={"X-CSRF-Token": token(client), "X-Fragment": "1"})
    assert response.status_code == 200
    assert response.text.strip().startswith("<tr") and "<html" not in response.text
    assert result_rows(response.text)[DALAT.name][0] in ("waiting", "reading")  # read in the background
    assert client.app.state.worker.wait_idle(60)
    job = re.search(r'data-job="(\w+)"', response.text).group(1)
    assert result_rows(client.get(f"/inbox/jobs?id={job}").text)[DALAT.name][0] in ("ok", "needs_review")


def test_client_file_names_cannot_leave_the_upload_folder(tmp_path, client):
    names = ["../../../../tmp/evil.txt", "..\\..\\windows\\evil2.txt", "/etc/cron.d/evil3.txt", "....txt"]
    # Each file different (an extra line), so each is stored and none is dropped as a duplicate.
    upload(client, *[(name, DALAT.read_bytes() + f"\n{i}".encode()) for i, name in enumerate(names)])
    root = (tmp_path / "data" / "uploads").resolve()
    stored = store_of(client).documents()
    assert len(stored) == len(names)
    assert all(Path(d["source_path"]).resolve().is_relative_to(root) for d in stored)
    assert sorted(d["file_name"] for d in stored) == ["evil.txt", "evil2.txt", "evil3.txt", "van-ban.txt"]
    assert sorted(p.name for p in uploaded_files(tmp_path)) == ["evil.txt", "evil2.txt", "evil3.txt", "van-ban.txt"]


@pytest.mark.parametrize("client_name, saved", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\lan\\Công văn 381.docx", "Công văn 381.docx"),
    ("a<b>|c?.pdf", "a_b__c_.pdf"),
    ("..", "van-ban"),
    ("....txt", "van-ban.txt"),
    (".bashrc.txt", "bashrc.txt"),
    ("Co\u0300ng va\u0306n.txt", "Còng văn.txt"),  # NFD from a Mac becomes NFC
])
def test_safe_file_name(client_name, saved):
    assert safe_file_name(client_name) == saved


def test_oversize_upload_is_refused_before_anything_is_stored(tmp_path):
    client = make_client(tmp_path, max_upload_bytes=1024)
    response = upload(client, ("lon.txt", "Công văn ".encode() * 20_000))
    assert response.status_code == 413
    assert "Tệp tải lên quá lớn: tối đa" in response.text and "Traceback" not in response.text
    assert uploaded_files(tmp_path) == [] and store_of(client).documents() == []


def test_oversize_body_without_a_length_is_cut_while_reading(tmp_path):
    client = make_client(tmp_path, max_upload_bytes=1024)
    boundary = "cvboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token(client)}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"lon.txt\"\r\n\r\n").encode()

    def chunks():  # no Content-Length: the limit must hold on the bytes actually received
        yield head
        for _ in range(200):
            yield b"x" * 1024

    response = client.post("/inbox/upload", content=chunks(),
                           headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 413
    assert uploaded_files(tmp_path) == []


def test_malformed_upload_gives_a_vietnamese_error_page(client):
    response = client.post("/inbox/upload", content=b"--x\r\ngarbage without headers",
                           headers={"Content-Type": "multipart/form-data; boundary=x", "X-CSRF-Token": token(client)})
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.text or "Chưa chọn tệp" in response.text
    empty = client.post("/inbox/upload", data={"csrf_token": token(client)})
    assert empty.status_code == 400 and "Chưa chọn tệp nào" in empty.text


# --------------------------------------------------------------------------- CSRF, login, errors


def test_posts_without_the_csrf_token_are_refused(client):
    refused = upload(client, (DALAT.name, DALAT.read_bytes()), csrf=False)
    assert refused.status_code == 403 and "Phiên làm việc đã hết hạn" in refused.text
    assert store_of(client).documents() == []
    upload(client, (DALAT.name, DALAT.read_bytes()))
    forged = client.post("/review/1", data={"subject": "giả mạo", "csrf_token": "not-the-token"})
    assert forged.status_code == 403
    assert store_of(client).get(1)["corrections"] == []
    other_browser = TestClient(client.app, base_url="http://127.0.0.1")  # its own session, the first one's token
    stolen = other_browser.post("/review/1", data={"subject": "giả mạo", "csrf_token": token(client)})
    assert stolen.status_code == 403


def test_login_is_required_when_the_page_is_open_to_other_machines(tmp_path):
    client = make_client(tmp_path, host="0.0.0.0")
    first = client.get("/registers", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/login?next=/registers"
    assert client.get("/tasks", follow_redirects=False).status_code == 303
    added = CliRunner().invoke(main, ["user", "add", "lan", "--data-dir", str(tmp_path / "data")],
                               input="mat-khau-dai\nmat-khau-dai\n")
    assert added.exit_code == 0, added.output
    assert "mat-khau-dai" not in (tmp_path / "data" / "users.json").read_text()

    login_page = client.get("/login?next=/registers").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
    wrong = client.post("/login", data={"name": "lan", "password": "sai-mat-khau", "next": "/registers",
                                        "csrf_token": csrf})
    assert wrong.status_code == 401 and "không đúng" in wrong.text
    good = client.post("/login", data={"name": "lan", "password": "mat-khau-dai", "next": "/registers",
                                       "csrf_token": csrf}, follow_redirects=False)
    assert good.status_code == 303 and good.headers["location"] == "/registers"
    assert client.get("/registers").status_code == 200

    upload(client, (DALAT.name, DALAT.read_bytes()))
    edit = client.post("/review/1", data={"subject": "sửa khi đăng nhập", "csrf_token": token(client)})
    assert edit.status_code == 200
    assert store_of(client).get(1)["corrections"][-1]["author"] == "lan"

    tampered = client.cookies.get("congvan_session")[:-4] + "AAAA"
    client.cookies.clear()
    client.cookies.set("congvan_session", tampered)
    assert client.get("/registers", follow_redirects=False).status_code == 303


def test_login_redirect_stays_on_this_server(tmp_path):
    client = make_client(tmp_path, host="192.0.2.10")
    CliRunner().invoke(main, ["user", "add", "lan", "--data-dir", str(tmp_path / "data")],
                       input="mat-khau-dai\nmat-khau-dai\n")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    response = client.post("/login", data={"name": "lan", "password": "mat-khau-dai", "next": "//evil.example/",
                                           "csrf_token": csrf}, follow_redirects=False)
    assert response.headers["location"] == "/inbox"


def test_serve_refuses_to_open_the_page_without_any_user(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path / "data"),
                                       "--db", str(tmp_path / "c.db")])
    assert result.exit_code != 0 and "congvan user add" in result.output


def test_a_localhost_server_refuses_other_host_names(client):
    refused = client.get("/inbox", headers={"Host": "attacker.example"})
    assert refused.status_code == 400 and "Địa chỉ trang không hợp lệ" in refused.text  # in Vietnamese
    assert client.get("/inbox", headers={"Host": "localhost:8000"}).status_code == 200


def test_errors_are_vietnamese_pages_without_a_stack_trace(tmp_path, monkeypatch):
    client = TestClient(make_client(tmp_path).app, base_url="http://127.0.0.1", raise_server_exceptions=False)
    missing = client.get("/review/999")
    assert missing.status_code == 404 and "Không có văn bản #999" in missing.text
    assert client.get("/khong-co").status_code == 404
    assert client.get("/review/abc").status_code == 400

    def broken(doc_id):
        raise RuntimeError("chi tiết nội bộ của máy chủ")

    monkeypatch.setattr(client.app.state.store, "get", broken)
    crashed = client.get("/review/1")
    assert crashed.status_code == 500 and "Đã xảy ra lỗi trong máy chủ" in crashed.text
    assert "Traceback" not in crashed.text and "chi tiết nội bộ" not in crashed.text


def test_pages_load_nothing_from_other_sites(client):
    response = client.get("/inbox")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert not re.search(r'(src|href)="(https?:)?//', response.text)
    assert client.get("/static/app.js").status_code == 200


# --------------------------------------------------------------------------- review and corrections


def test_review_marks_each_value_where_it_came_from(client):
    upload(client, (QNGAI.name, QNGAI.read_bytes()))
    doc = store_of(client).get(1)
    html = client.get("/review/1").text
    start, end = doc["spans"]["number"]
    assert f'<mark class="hl f-number" data-fields="number">{doc["text"][start:end]}</mark>' in html
    assert doc["text"][start:end] == "412/BHXH-QLT"
    assert 'data-fields="signer_name"' in html and 'class="swatch f-signer_name"' in html


ENGLISH = re.compile(r"\b(the|not|found|check|rule|should|corrupt|image|file|failed|confidence|readable|"
                     r"signature|written|line|text|number|date)\b|/tmp/|/home/|/work/", re.I)


def pipeline_messages(pattern: str) -> list[str]:
    """The literal start of every message of this kind the pipeline writes (an f-string up to its first {)."""
    found = set()
    for source in (Path(__file__).parents[1] / "pipeline").rglob("*.py"):
        if "web" in source.parts:
            continue
        for literal in re.findall(pattern, source.read_text(encoding="utf-8")):
            start = literal.split("{")[0].strip()
            if len(start) >= 4 and start.isascii():
                found.add(start)
    return sorted(found)


def test_every_note_and_read_failure_the_pipeline_writes_is_shown_in_vietnamese():
    """Every code of data/notes.json (the notes, and the reasons a file could not be read: test_notes.py
    checks every ReadError and failed record has one) says itself in Vietnamese."""
    from pipeline import notes
    from pipeline.records import Note
    from pipeline.web.render import failure_vi, warning_vi

    assert len(notes.codes()) >= 75
    said = [warning_vi(Note(code, field, "12")) for code in notes.codes() if code not in ("other", "unreadable")
            for field in ("number", "issued_on", "issuer", "signer.name", "file_mb")]
    said += [failure_vi(Note(code, "file_mb", "12" if "{detail}" in entry["vi"] else "/srv/x"))  # (test_notes.py:
             for code, entry in notes.codes().items() if entry["kind"] == notes.ERROR]  # which say their detail)
    assert [w for w in said if ENGLISH.search(w) or "/srv/" in w] == []


@pytest.mark.parametrize("stored, vietnamese", [
    ("date rule: day 6 should be written 06", "Cách ghi ngày chưa đúng Nghị định 30: ngày 6 phải viết 06"),
    ("number read from look-alike letters (II → 11): check it", "Số được đọc từ chữ giống số (II → 11): hãy so với bản gốc"),
    ("low OCR confidence on date (70%)", "Nhận dạng chữ (OCR) chưa chắc ở ngày ban hành (70%)"),
    ("day of the date not readable (tháng 01 năm 2025)", "Không đọc được ngày trong dòng ngày tháng (tháng 01 năm 2025)"),
    ("no trích yếu (V/v …) found", "Không thấy trích yếu (V/v …)"),
    ("date line 2024-03-01 is 9 days before the digital signing time (2024-03-10)",
     "Ngày ghi trên văn bản lệch ngày ký số (ngày ghi → ngày ký): 01/03/2024 → 10/03/2024"),
    ({"code": "number-rule", "field": "number", "detail": "5"},
     "Cách ghi số chưa đúng Nghị định 30: số 5 phải viết thêm số 0 ở đầu"),
    ({"code": "low-ocr-confidence", "field": "signer.name", "detail": "60"},
     "Nhận dạng chữ (OCR) chưa chắc ở tên người ký (60%)"),
])
def test_notes_read_in_vietnamese_with_their_details(stored, vietnamese):
    """A note as stored now (its code) or before the codes (an English sentence) says the same."""
    from pipeline.web.render import warning_vi

    assert warning_vi(stored) == vietnamese


def test_dates_are_typed_as_dd_mm_yyyy_whatever_the_browser(client):
    upload(client, (QNGAI.name, QNGAI.read_bytes()))
    doc_id = store_of(client).documents()[0]["id"]
    today = date.today().strftime("%d/%m/%Y")
    for url in ("/inbox", f"/reply/{doc_id}"):
        html = client.get(url).text
        assert 'type="date"' not in html and f'value="{today}"' in html and 'placeholder="dd/mm/yyyy"' in html
    rows = result_rows(upload(client, (DALAT.name, DALAT.read_bytes()), received_on="02/12/2025").text)
    assert rows[DALAT.name][0] in ("ok", "needs_review")
    assert store_of(client).get(store_of(client).find_sha(sha256_of(str(DALAT))))["received_on"] == "2025-12-02"


def test_failure_reasons_show_no_english_and_no_server_path():
    """From the code; a reason stored in English before the codes by its code (notes.ERROR_LEGACY)."""
    from pipeline.records import Note
    from pipeline.web.render import failure_vi

    assert failure_vi(Note("image-corrupt", "", "cannot identify image file '/work/data/uploads/x.jpg'")) == \
        "Tệp ảnh bị hỏng hoặc không phải ảnh"
    assert failure_vi("corrupt image: cannot identify image file '/work/data/uploads/2026-12-02/ab/x.jpg'") == \
        "Tệp ảnh bị hỏng hoặc không phải ảnh"
    assert failure_vi("image: OCR found no text in it") != failure_vi("image: text can only be read by OCR, and x")
    assert failure_vi("corrupt PDF: No /Root object! - Is this really a PDF?") == "Tệp PDF bị hỏng"
    assert failure_vi("something new: /srv/secret/path") == "Không đọc được tệp"
    assert failure_vi({"error": "corrupt PDF: x", "warnings": '[{"code": "pdf-encrypted"}]'}) == "PDF có mật khẩu"
    assert failure_vi({"error": None, "warnings": None}) == ""


def test_failed_files_are_said_in_vietnamese_from_their_code_on_every_page(client):
    """The upload result, the inbox, the review list and the document's page; one stored before the
    codes (its English reason only) too."""
    from sqlalchemy import text

    rows = result_rows(upload(client, ("hong.pdf", CORRUPT_PDF), ("hong.docx", b"not a zip"),
                              ("trong.txt", b"   ")).text)
    assert {name: row[0] for name, row in rows.items()} == {"hong.pdf": "failed", "hong.docx": "failed",
                                                             "trong.txt": "failed"}
    assert [row[1].rsplit(" Xem #")[0] for row in rows.values()] == [
        "Không đọc được Tệp PDF bị hỏng", "Không đọc được Tệp DOCX bị hỏng", "Không đọc được Tệp rỗng"]
    store = store_of(client)
    docs = {d["file_name"]: d for d in store.documents()}
    assert store.get(docs["hong.pdf"]["id"])["warnings"][0]["code"] == "pdf-corrupt"
    said = {"Tệp PDF bị hỏng", "Tệp rỗng", "Tệp DOCX bị hỏng"}
    for url in ("/inbox", "/review?status=failed"):
        page = html.unescape(client.get(url).text)
        assert all(words in page for words in said), url
        assert not re.search(r"corrupt|empty file|not a zip|/tmp/", page), url
    with store.engine.begin() as conn:  # a failure stored before the codes: its English reason only
        conn.execute(text("UPDATE documents SET warnings = '[]', error = :e WHERE id = :id"),
                     {"e": "encrypted PDF: a password is needed", "id": docs["hong.pdf"]["id"]})
    page = html.unescape(client.get(f"/review/{docs['hong.pdf']['id']}").text)
    assert "Không đọc được tệp này: PDF có mật khẩu" in page and "encrypted" not in page
    for url in ("/inbox", "/review?status=failed"):
        assert "PDF có mật khẩu" in html.unescape(client.get(url).text), url


def test_highlight_nests_spans_and_escapes_the_text():
    text = "Số: 12/UBND <script>x</script> theo 5/CV ngày 1/1"
    ref = text.index("5/CV")
    spans = {"number": [4, 11], "directives": [[12, len(text)]], "references": [[ref, ref + 4]]}
    html = str(highlighted(text, spans))
    assert '<mark class="hl f-number" data-fields="number">12/UBND</mark>' in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert '<mark class="hl f-references" data-fields="references directives">5/CV</mark>' in html
    assert re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">") == text


def test_review_list_puts_needs_review_first(client):
    upload(client, (DALAT.name, DALAT.read_bytes()), (QNGAI.name, QNGAI.read_bytes()), ("hong.pdf", CORRUPT_PDF))
    store = store_of(client)
    statuses = {d["id"]: d["status"] for d in store.documents()}
    listed = [int(i) for i in re.findall(r'<td><a href="/review/(\d+)">#', client.get("/review").text)]
    assert sorted(listed) == sorted(statuses)
    order = [statuses[i] for i in listed]
    assert len(set(order)) >= 2 and order == sorted(order, key=["needs_review", "ok", "other", "failed"].index)


def fill(store, count: int, received_on=date(2024, 3, 1)) -> None:
    """`count` documents like 412/BHXH-QLT (with its directive items), each its own file."""
    from pipeline.process import process_file

    record = process_file(str(QNGAI))
    for i in range(count):
        store.add(dataclasses.replace(record, subject=f"{record.subject} lần {i}"), f"{i:064x}", f"f{i}.txt",
                  received_on)


def test_long_lists_are_paged_with_their_counts(client):
    fill(store_of(client), 120)
    first = client.get("/review").text
    listed = re.findall(r'<td><a href="/review/(\d+)">#', first)
    assert len(listed) == 50 and "1–50 trong 120 văn bản" in first and "Trang 1/3" in first
    last = client.get("/review?page=3").text
    assert len(re.findall(r'<td><a href="/review/(\d+)">#', last)) == 20 and "101–120 trong 120" in last
    assert client.get("/review?page=99999999999999999999").status_code == 200  # past the end: the last page

    tasks = client.get("/tasks?show=all").text
    total = len(store_of(client).tasks())
    assert total > 100 and len(re.findall(r'<tr class="task', tasks)) == 50 and f"trong {total} việc" in tasks
    second = client.get("/tasks?show=all&page=2").text
    assert set(re.findall(r'id="task-(\d+)"', tasks)).isdisjoint(re.findall(r'id="task-(\d+)"', second))
    assert 'href="/tasks?show=all&amp;page=3"' in second
    task_id = re.findall(r'id="task-(\d+)"', second)[0]
    done = client.post(f"/tasks/{task_id}/done", data={"reply_number": "45/SYT-VP", "show": "all", "page": "2",
                                                        "csrf_token": token(client)}, follow_redirects=False)
    assert done.headers["location"] == "/tasks?show=all&page=2"  # the clerk stays on the page she was on


def test_register_search_and_its_xlsx_are_never_cut_short(client):
    fill(store_of(client), 1_050)
    searched = client.get("/registers?year=2024&q=thu no").text
    assert "1.050 văn bản đến năm 2024 khớp bộ lọc" in searched and "1–100 trong 1.050" in searched
    sheet = load_workbook(io.BytesIO(client.get("/registers/incoming.xlsx?year=2024&q=thu no").content)).active
    assert sheet.max_row - 3 == 1_050  # title and two heading rows, then every matching document


def every_page(fetch, size: int = 50) -> list:
    """The rows of every page of a list, first to last (`fetch(pager_of)` gives one page)."""
    from pipeline.web.queries import Pager

    found, number = [], 1
    while True:
        rows, pager = fetch(lambda total: Pager(str(number), total, size, "/list"))[:2]
        found += rows
        if pager.page >= pager.pages:
            return found
        number += 1


def test_lists_paged_in_the_database_keep_the_order_of_one_sort_over_everything(tmp_path):
    """Review, tasks, the sổ đến and the sổ đi are read a page at a time down their indexes; put
    end to end, the pages are exactly the whole list sorted and filtered as the clerk expects."""
    from pipeline.store_queries import searchable
    from pipeline.web.queries import Pager

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from web_pages import build

    build(tmp_path / "w.db", 700)
    store = open_store(str(tmp_path / "w.db"))
    everything = store.documents()
    order = {"needs_review": 0, "ok": 1, "other": 2, "failed": 3}
    expected = sorted(everything, key=lambda d: (order[d["status"]], -d["id"]))
    assert [d["id"] for d in every_page(lambda p: store.review_page(None, p))] == [d["id"] for d in expected]
    waiting = [d["id"] for d in every_page(lambda p: store.review_page("needs_review", p))]
    assert waiting == [d["id"] for d in expected if d["status"] == "needs_review"] and waiting

    today = "2026-06-01"
    tasks = store.tasks()
    urgency = lambda t: 3 if t["status"] == "done" else 2 if not t["deadline"] else 0 if t["deadline"] < today else 1
    expected = sorted(tasks, key=lambda t: (urgency(t), t["deadline"] is None, t["deadline"] or "", t["document_id"],
                                            t["position"]))
    shown = every_page(lambda p: store.task_page(today, False, p))
    assert [t["id"] for t in shown] == [t["id"] for t in expected]
    assert [t["urgency"] for t in shown] == [urgency(t) for t in expected]
    open_items = every_page(lambda p: store.task_page(today, True, p))
    assert [t["id"] for t in open_items] == [t["id"] for t in expected if t["status"] == "open"]
    assert store.task_page(today, True, lambda total: Pager("1", total, 50, "/"))[2] == \
        sum(1 for t in tasks if urgency(t) == 0)

    # (a two-word query a few dozen of the 700 documents hold, whatever words the corpus lends them)
    found = set(store.search_ids("bao cao", limit=10**9))
    expected = sorted((d for d in everything if d["incoming_year"] == 2026 and d["doc_type"] == "Công văn"
                       and "quang ngai" in fold(f"{d['parent_body']} {d['issuer']}") and d["id"] in found),
                      key=lambda d: d["incoming_no"])
    paged = every_page(lambda p: store.register_page(2026, p, "Công văn", "Quảng Ngãi", "bao cao"), 2)
    assert [d["id"] for d in paged] == [d["id"] for d in expected] and len(expected) > 2
    assert [d["id"] for d in store.register_documents(2026, "Công văn", "Quảng Ngãi", "bao cao")] == \
        [d["id"] for d in expected]
    whole_year = every_page(lambda p: store.register_page(2026, p), 100)
    assert [d["incoming_no"] for d in whole_year] == list(range(1, len(whole_year) + 1))

    entries = [e for e in store.outgoing(year=2026) if "tinh" in fold(searchable(e))]  # number, subject, signer, recipients
    paged = every_page(lambda p: store.outgoing_page(2026, p, "syt", "", "Tỉnh"), 3)
    assert [e["id"] for e in paged] == [e["id"] for e in entries] and len(entries) > 3
    assert [e["id"] for e in every_page(lambda p: store.outgoing_page(2026, p), 7)] == \
        [e["id"] for e in store.outgoing(year=2026)]
    assert [e["id"] for e in store.outgoing_all(2026, "SYT", "", "tinh")] == [e["id"] for e in entries]


def doubtful(client, review) -> int:
    """A stored 412/BHXH-QLT whose extraction named these fields for review."""
    from pipeline.process import process_file

    record = dataclasses.replace(process_file(str(QNGAI)), warnings=[], review=review)
    return store_of(client).add(record, "f" * 64, QNGAI.name, date(2024, 3, 1)).id


def post_form(client, url, doc_id, **changes):
    fields = {f["name"]: f["value"] for f in review_page.form_fields(store_of(client).get(doc_id))}
    return client.post(url, data=dict(fields, csrf_token=token(client), **changes), follow_redirects=True)


def test_a_right_record_is_marked_checked_and_an_edit_leaves_open_doubts_open(client):
    doc_id = doubtful(client, [{"field": "issuer", "reason": "tên cơ quan có chữ lạ"},
                               {"field": "signer.name", "reason": "tên người ký đọc chưa chắc"}])
    assert store_of(client).get(doc_id)["status"] == "needs_review"
    unchanged = post_form(client, f"/review/{doc_id}", doc_id)
    assert "Không có thay đổi nào" in unchanged.text and "Đã kiểm tra, đúng" in unchanged.text

    edited = post_form(client, f"/review/{doc_id}", doc_id, issuer="BẢO HIỂM XÃ HỘI TỈNH QUẢNG NGÃI (đã sửa)")
    assert store_of(client).get(doc_id)["status"] == "needs_review"  # the signer's name is still in doubt
    assert "Đã lưu 1 thay đổi" in edited.text and '<li class="resolved"' in edited.text

    checked = post_form(client, f"/review/{doc_id}/checked", doc_id)
    assert checked.status_code == 200 and "đã được kiểm tra và đúng" in checked.text
    doc = store_of(client).get(doc_id)
    assert doc["status"] == "ok" and doc["issuer"] == "BẢO HIỂM XÃ HỘI TỈNH QUẢNG NGÃI (đã sửa)"
    assert [(c["field"], c["old_value"], c["new_value"]) for c in doc["corrections"]][-1] == ("status", "needs_review", "ok")


def test_correcting_every_field_in_doubt_makes_the_record_ok(client):
    doc_id = doubtful(client, [{"field": "signer.name", "reason": "tên người ký đọc chưa chắc"}])
    post_form(client, f"/review/{doc_id}", doc_id, signer_name="Nguyễn Văn A")
    assert store_of(client).get(doc_id)["status"] == "ok"


def test_the_review_page_says_each_note_in_vietnamese_from_its_code(client):
    """Notes reach the clerk in Vietnamese, a note stored as an English sentence before the codes too."""
    from sqlalchemy import text

    from pipeline.process import process_file
    from pipeline.records import Note

    notes = [Note("number-rule", "number", "5"), Note("low-ocr-confidence", "issued_on", "70"),
             Note("date-vs-signing", "issued_on", "2024-03-01 → 2024-03-10")]
    record = dataclasses.replace(process_file(str(QNGAI)), warnings=notes, review=[])
    store = store_of(client)
    doc_id = store.add(record, "e" * 64, QNGAI.name, date(2024, 3, 1)).id
    page = html.unescape(client.get(f"/review/{doc_id}").text)
    assert "Cách ghi số chưa đúng Nghị định 30: số 5 phải viết thêm số 0 ở đầu" in page
    assert "Nhận dạng chữ (OCR) chưa chắc ở ngày ban hành (70%)" in page
    assert "Ngày ghi trên văn bản lệch ngày ký số (ngày ghi → ngày ký): 01/03/2024 → 10/03/2024" in page
    with store.engine.begin() as conn:  # a row written before the codes
        conn.execute(text("UPDATE documents SET warnings = :w WHERE id = :id"),
                     {"w": '["no Kính gửi found", "date rule: day 5 should be written 05"]', "id": doc_id})
    assert store.get(doc_id)["warnings"][0] == {"code": "recipients-missing", "field": "recipients", "detail": ""}
    page = html.unescape(client.get(f"/review/{doc_id}").text)
    assert "Không thấy «Kính gửi»" in page and "ngày 5 phải viết 05" in page
    assert not re.search(r"number rule|low OCR|date rule|Kính gửi found", page)


def test_a_failed_document_typed_in_by_hand_gets_its_incoming_number(client):
    upload(client, ("hong.pdf", CORRUPT_PDF), received_on="05/03/2024")
    doc_id = store_of(client).documents()[0]["id"]
    page = client.get(f"/review/{doc_id}").text
    assert "Vào sổ thủ công" in page and "Đã kiểm tra, đúng" not in page
    refused = post_form(client, f"/review/{doc_id}/register", doc_id, number="15/UBND-VP")
    assert refused.status_code == 400 and "Cơ quan ban hành" in refused.text
    done = post_form(client, f"/review/{doc_id}/register", doc_id, issuer="ỦY BAN NHÂN DÂN XÃ AN PHÚ",
                     subject="về việc họp giao ban", issued_on="01/03/2024", received_on="05/03/2024")
    assert done.status_code == 200 and "Đã vào sổ văn bản đến: số đến 1/2024" in done.text
    doc = store_of(client).get(doc_id)
    assert (doc["status"], doc["kind"], doc["incoming_no"], doc["number"]) == ("ok", "dispatch", 1, "15/UBND-VP")
    assert "15/UBND-VP" in client.get("/registers?year=2024").text
    again = post_form(client, f"/review/{doc_id}/register", doc_id)
    assert again.status_code == 400 and store_of(client).get(doc_id)["incoming_no"] == 1


def test_a_correction_is_saved_as_a_persons_with_time(client):
    upload(client, (QNGAI.name, QNGAI.read_bytes()))
    before = store_of(client).get(1)
    form = {name: html.unescape(value) for name, value in re.findall(r'<input id="f-\w+" name="(\w+)" value="([^"]*)"',
                                                       client.get("/review/1").text)}
    form.update(subject="đôn đốc thu nợ quý I/2024", issued_on="06/03/2024",
                recipients="Bảo hiểm xã hội các huyện; thị xã\nCác phòng nghiệp vụ", csrf_token=token(client))
    saved = client.post("/review/1", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/review/1?saved=3"
    doc = store_of(client).get(1)
    assert doc["subject"] == "đôn đốc thu nợ quý I/2024" and doc["issued_on"] == "2024-03-06"
    assert doc["recipients"] == ["Bảo hiểm xã hội các huyện; thị xã", "Các phòng nghiệp vụ"]
    assert doc["number"] == before["number"]
    corrections = {c["field"]: c for c in doc["corrections"]}
    assert set(corrections) == {"subject", "issued_on", "recipients"}
    assert corrections["subject"]["old_value"] == before["subject"]
    assert corrections["subject"]["author"] == getpass.getuser()
    assert corrections["subject"]["corrected_at"][:10] == date.today().isoformat()
    page = client.get("/review/1?saved=3").text
    assert "Đã lưu 3 thay đổi" in page and "Đã sửa bởi" in page and 'value="06/03/2024"' in page


def test_an_impossible_date_is_not_saved(client):
    upload(client, (QNGAI.name, QNGAI.read_bytes()))
    response = client.post("/review/1", data={"issued_on": "31/02/2024", "csrf_token": token(client)})
    assert response.status_code == 400 and "Ngày không hợp lệ" in response.text
    assert store_of(client).get(1)["corrections"] == []


# --------------------------------------------------------------------------- registers and tasks


def test_register_download_is_a_real_xlsx_of_the_filtered_rows(client):
    upload(client, (QNGAI.name, QNGAI.read_bytes()), (DALAT.name, DALAT.read_bytes()), received_on="2024-03-01")
    page = client.get("/registers?year=2024")
    assert "412/BHXH-QLT" in page.text and "1873/UBND-QLĐT" in page.text
    response = client.get("/registers/incoming.xlsx?year=2024")
    assert response.headers["content-disposition"] == 'attachment; filename="so-den-2024.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM 2024"
    assert rows[1][:4] == ["Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu"]
    assert [(r[0], r[1], r[3]) for r in rows[3:]] == [("01/03/2024", 1, "412/BHXH-QLT"),
                                                      ("01/03/2024", 2, "1873/UBND-QLĐT")]

    narrowed = load_workbook(io.BytesIO(client.get("/registers/incoming.xlsx?year=2024&issuer=da lat").content)).active
    assert [r[3].value for r in list(narrowed.iter_rows())[3:]] == ["1873/UBND-QLĐT"]
    searched = client.get("/registers?year=2024&q=thu no").text  # no diacritics finds "thu nợ"
    assert "412/BHXH-QLT" in searched and "1873/UBND-QLĐT" not in searched


def test_tasks_overdue_first_and_marked_done_with_the_reply(client, monkeypatch):
    import pipeline.web.pages.tasks as tasks_page

    class OnApril1(date):
        @classmethod
        def today(cls):
            return date(2024, 4, 1)

    monkeypatch.setattr(tasks_page, "date", OnApril1)
    upload(client, (QNGAI.name, QNGAI.read_bytes()))
    html = client.get("/tasks").text
    deadlines = re.findall(r'<tr class="task u(\d)" id="task-(\d+)">\s*<td class="nowrap">([^<\n]*)', html)
    assert [(u, d.strip()) for u, _, d in deadlines][:2] == [("0", "15/03/2024"), ("1", "05/04/2024")]
    assert "quá hạn 17 ngày" in html

    overdue_id = int(deadlines[0][1])
    refused = client.post(f"/tasks/{overdue_id}/done", data={"reply_number": " ", "csrf_token": token(client)})
    assert refused.status_code == 400
    done = client.post(f"/tasks/{overdue_id}/done", data={"reply_number": "45/SYT-VP", "csrf_token": token(client)},
                       follow_redirects=False)
    assert done.status_code == 303
    item = next(t for t in store_of(client).tasks() if t["id"] == overdue_id)
    assert (item["status"], item["reply_number"]) == ("done", "45/SYT-VP")
    assert f'id="task-{overdue_id}"' not in client.get("/tasks").text
    assert "45/SYT-VP" in client.get("/tasks?show=all").text


# --------------------------------------------------------------------------- replies


def test_reply_preview_then_issue_a_numbered_docx(client):
    upload(client, (QNGAI.name, QNGAI.read_bytes()))
    form_page = client.get("/reply/1").text
    assert "Phúc đáp Công văn số 412/BHXH-QLT" in form_page and "Số: …" in form_page
    answer = "Sở Y tế đã rà soát danh sách đơn vị nợ và sẽ báo cáo trước ngày 15/4/2024."
    data = {"template": "phuc-dap", "signer": "pho-giam-doc", "unit": "VP", "issued": "2024-03-20",
            "trich_yeu": "", "kinh_gui": "", "noi_dung": answer, "mark_done": "1", "csrf_token": token(client)}
    preview = client.post("/reply/1", data=data).text
    assert answer in preview and "Sơn La, ngày 20 tháng 3 năm 2024" in preview
    assert store_of(client).outgoing() == []  # a preview takes no number

    issued = client.post("/reply/1/issue", data=data, follow_redirects=False)
    assert issued.status_code == 303
    entry = store_of(client).outgoing()[0]
    assert issued.headers["location"] == f"/outgoing/{entry['id']}"
    assert (entry["number"], entry["reply_to"]) == ("01/SYT-VP", 1)
    outgoing_page = client.get(issued.headers["location"]).text
    assert "01/SYT-VP" in outgoing_page and "Đạt: không thấy lỗi thể thức nào." in outgoing_page
    assert "Phúc đáp văn bản đến" in outgoing_page and "phuc-dap" not in outgoing_page  # the template's title
    docx = client.get(f"/outgoing/{entry['id']}/docx")
    assert docx.headers["content-type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert answer in text and "PHÓ GIÁM ĐỐC" in "\n".join(c.text for t in Document(io.BytesIO(docx.content)).tables
                                                         for r in t.rows for c in r.cells)
    items = store_of(client).get(1)["directives"]
    assert all(t["status"] == "done" and t["reply_number"] == "01/SYT-VP" for t in items)

    register = load_workbook(io.BytesIO(client.get("/registers/outgoing.xlsx?year=2024").content)).active
    assert [r[0].value for r in list(register.iter_rows())[3:]] == ["01/SYT-VP"]


def test_an_issued_reply_downloads_as_an_edxml_package_to_the_sender(tmp_path):
    """Beside the DOCX, «Tải gói edXML»: the same letter as a QCVN 102:2016 package from the
    organisation (its mã định danh from congvan.toml) to the incoming document's issuer,
    ResponseFor its number, the DOCX attached; a package that was never made is said so."""
    from pipeline.edxml import parse_package

    client = make_client(tmp_path)
    org_file = tmp_path / "congvan.toml"
    org_file.write_text(EXAMPLE.replace('# organ_id = "000.00.12.H41"', 'organ_id = "000.00.12.H41"'), encoding="utf-8")
    upload(client, (QNGAI.name, QNGAI.read_bytes()))
    data = {"template": "phuc-dap", "issued": "2024-03-20", "noi_dung": "Sở Y tế đã rà soát danh sách.",
            "csrf_token": token(client)}
    location = client.post("/reply/1/issue", data=data, follow_redirects=False).headers["location"]
    outgoing_page = client.get(location).text
    assert 'id="download-edxml"' in outgoing_page and "Tải gói edXML" in outgoing_page
    assert "edxml-no-organ-id" not in outgoing_page
    entry = store_of(client).outgoing()[0]
    response = client.get(f"/outgoing/{entry['id']}/edxml")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/xml")
    assert 'filename="01-SYT-VP.edxml"' in response.headers["content-disposition"]
    package = parse_package(response.content)
    incoming = store_of(client).get(1)
    assert (package.sender.organ_id, package.fields["number"], package.fields["issued_on"]) == \
        ("000.00.12.H41", "01/SYT-VP", "2024-03-20")
    assert [r.name for r in package.receivers] == [incoming["issuer"]]
    assert package.response_for["Code"] == "412/BHXH-QLT"
    assert [a.data for a in package.attachments] == [client.get(f"/outgoing/{entry['id']}/docx").content]

    [written] = (tmp_path / "data" / "outgoing").rglob("*.edxml")  # beside the DOCX
    assert written.with_suffix(".docx").is_file()
    written.unlink()
    missing = client.get(f"/outgoing/{entry['id']}/edxml")
    assert missing.status_code == 404 and "chưa có gói edXML" in missing.text and str(tmp_path) not in missing.text
    assert 'id="download-edxml"' not in client.get(location).text


def test_an_organisation_without_its_identifier_is_told_the_package_lacks_it(client):
    upload(client, (QNGAI.name, QNGAI.read_bytes()))
    data = {"template": "phuc-dap", "issued": "2024-03-20", "noi_dung": "Đã rà soát.", "csrf_token": token(client)}
    location = client.post("/reply/1/issue", data=data, follow_redirects=False).headers["location"]
    page = client.get(location).text
    assert 'id="download-edxml"' in page and "chưa ghi mã định danh cơ quan" in page


def test_a_signed_edxml_package_shows_its_signature_and_a_broken_one_goes_to_review(client, signing_key):
    pytest.importorskip("signxml")
    from test_edxml import DOCX, attachment, b64, package, signed

    good = signed(package(None, attachment("876.docx", "", b64(DOCX), "d")), signing_key)
    changed = good.replace("khám sức khỏe định kỳ".encode(), "khám sức khỏe đột xuất".encode())
    rows = upload(client, ("goi-dung.edxml", good), ("goi-sua.edxml", changed)).text
    assert rows.count("Chữ ký số hợp lệ (1)") == 1 and rows.count("Chữ ký số KHÔNG ĐẠT") == 1  # the inbox rows
    ids = {d["file_name"]: d["id"] for d in store_of(client).documents()}
    page = client.get(f"/review/{ids['goi-dung.edxml']}").text
    assert "Chữ ký số hợp lệ (1)" in page and "Gói edXML (chữ ký XML)" in page
    assert "Trung tâm Y tế thành phố Nha Trang" in page and "chưa đối chiếu" in page
    broken = client.get(f"/review/{ids['goi-sua.edxml']}").text
    assert "Chữ ký số KHÔNG ĐẠT" in broken and "thay đổi sau khi ký" in broken
    assert store_of(client).get(ids["goi-sua.edxml"])["status"] == "needs_review"


def test_reply_without_the_organisation_file_says_what_to_do(tmp_path):
    client = make_client(tmp_path, org_file=str(tmp_path / "missing.toml"))
    upload(client, (QNGAI.name, QNGAI.read_bytes()))
    page = client.get("/reply/1")
    assert page.status_code == 400 and "Chưa có tệp thông tin cơ quan gửi" in page.text
    assert str(tmp_path) not in page.text  # no server path
    issued = client.post("/reply/1/issue", data={"template": "phuc-dap", "csrf_token": token(client)})
    assert issued.status_code == 400 and store_of(client).outgoing() == []


def test_reply_problems_are_said_in_vietnamese_without_paths():
    from pipeline.generate import MISSING, NO_SUBJECT, UNKNOWN_UNIT, TemplateError
    from pipeline.org import OrgFileMissing, UnknownSigner
    from pipeline.web.pages.reply import problem_in_vietnamese

    said = [problem_in_vietnamese(err) for err in (
        TemplateError("template phuc-dap gives no trích yếu: add a line to /srv/templates/phuc-dap.txt", NO_SUBJECT),
        TemplateError("no drafting unit 'XX' in /srv/congvan.toml", UNKNOWN_UNIT, given="XX", choices=["VP", "KHTC", "NVY"]),
        TemplateError("template giay-moi needs a value for thanh_phan, chu_tri", MISSING, missing=["thanh_phan", "chu_tri"]),
        UnknownSigner("no signer 'gd' in /srv/congvan.toml", "gd", ["giam-doc", "pho-giam-doc"]),
        OrgFileMissing("no organisation file at /srv/congvan.toml"),
        TemplateError("something unexpected in /srv/x"))]
    assert "chưa có trích yếu" in said[0] and "«XX»" in said[1] and "VP, KHTC, NVY" in said[1]
    assert said[2] == "Mẫu này cần điền «Thành phần mời», «Chủ trì»."
    assert "«gd»" in said[3] and "giam-doc, pho-giam-doc" in said[3] and "congvan init-org" in said[4]
    assert not any("/srv" in s or "template " in s for s in said)


def test_a_template_value_left_empty_is_named_in_vietnamese(client):
    upload(client, (QNGAI.name, QNGAI.read_bytes()))
    page = client.get("/reply/1?template=giay-moi")
    assert page.status_code == 400
    assert re.search(r"Mẫu này cần điền «Thành phần mời»(, «[^»]+»)*\.", html.unescape(page.text)), page.text[-800:]
    assert 'id="issue-button"' in page.text and "disabled>" in page.text


def test_the_compliance_check_names_each_rule_in_vietnamese():
    from pipeline.web.pages.reply import compliance

    violations, problem = compliance(CORPUS / "a_04_syt_quangtri_kh__docx.docx")  # "ngày 8": no leading zero
    assert problem == "" and [v["rule"] for v in violations] == ["Địa danh và thời gian"]
    assert "ngày 08" in violations[0]["message"]
    assert compliance(QNGAI)[1]  # not a DOCX: the reason, not an exception


# --------------------------------------------------------------------------- issue 12: the page's edges


def session_of(client) -> dict:
    """What anyone who can read the cookie (another server on this host) sees in it."""
    import base64
    import json as json_mod

    payload = client.cookies.get("congvan_session").split(".")[0]
    return json_mod.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))


def signed_in(tmp_path, name="lan", password="mat-khau-dai"):
    client = make_client(tmp_path, host="0.0.0.0")
    CliRunner().invoke(main, ["user", "add", name, "--data-dir", str(tmp_path / "data")],
                       input=f"{password}\n{password}\n")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    response = client.post("/login", data={"name": name, "password": password, "csrf_token": csrf},
                           follow_redirects=False)
    assert response.status_code == 303
    return client


def test_the_csrf_token_cannot_be_read_from_the_cookie(client):
    sent = token(client)
    assert sent not in str(session_of(client))
    assert upload(client, (DALAT.name, DALAT.read_bytes())).status_code == 200
    assert len(store_of(client).documents()) == 1


@pytest.mark.parametrize("headers", [{"sec-fetch-site": "cross-site"}, {"sec-fetch-site": "same-site"},
                                     {"origin": "http://127.0.0.1:9999"}, {"origin": "http://evil.example"}])
def test_a_post_from_another_site_or_port_is_refused_even_with_the_token(client, headers):
    response = client.post("/review/1", data={"subject": "giả mạo", "csrf_token": token(client)}, headers=headers)
    assert response.status_code == 403


def test_a_post_from_the_page_itself_passes_the_origin_check(client):
    upload(client, (DALAT.name, DALAT.read_bytes()))
    response = client.post("/review/1", data={"subject": "sửa", "csrf_token": token(client)},
                           headers={"origin": "http://127.0.0.1", "sec-fetch-site": "same-origin"})
    assert response.status_code == 200


def test_login_attempts_are_limited_per_user_and_address(tmp_path):
    client = make_client(tmp_path, host="0.0.0.0")
    CliRunner().invoke(main, ["user", "add", "lan", "--data-dir", str(tmp_path / "data")],
                       input="mat-khau-dai\nmat-khau-dai\n")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    codes = [client.post("/login", data={"name": "lan", "password": f"sai-{i}", "csrf_token": csrf}).status_code
             for i in range(12)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    right = client.post("/login", data={"name": "lan", "password": "mat-khau-dai", "csrf_token": csrf},
                        follow_redirects=False)
    assert right.status_code == 429  # even the right password waits until the pause is over


def test_logout_ends_the_session_on_the_server(tmp_path):
    client = signed_in(tmp_path)
    stolen = client.cookies.get("congvan_session")
    client.post("/logout", data={"csrf_token": token(client)})
    thief = make_client(tmp_path, host="0.0.0.0")
    thief.app = client.app
    thief.cookies.set("congvan_session", stolen)
    assert thief.get("/registers", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("command", [["user", "remove", "lan"], ["user", "add", "lan"]])
def test_removing_a_user_or_changing_the_password_ends_their_sessions(tmp_path, command):
    client = signed_in(tmp_path)
    assert client.get("/registers", follow_redirects=False).status_code == 200
    CliRunner().invoke(main, command + ["--data-dir", str(tmp_path / "data")], input="mat-khau-moi\nmat-khau-moi\n")
    assert client.get("/registers", follow_redirects=False).status_code == 303


def test_the_data_folder_is_private(tmp_path):
    import stat as stat_mod

    make_client(tmp_path)
    for folder in (tmp_path / "data", tmp_path / "data" / "uploads"):
        assert stat_mod.S_IMODE(folder.stat().st_mode) == 0o700


def test_behind_https_the_session_cookie_is_https_only(tmp_path):
    client = make_client(tmp_path, https=True)
    response = client.get("/login")
    assert "secure" in response.headers.get("set-cookie", "").lower()


def test_a_post_through_the_https_proxy_passes_the_origin_check(client):
    upload(client, (DALAT.name, DALAT.read_bytes()))
    response = client.post("/review/1", data={"subject": "sửa", "csrf_token": token(client)},
                           headers={"origin": "https://congvan.example.gov.vn", "sec-fetch-site": "same-origin",
                                    "x-forwarded-host": "congvan.example.gov.vn"})
    assert response.status_code == 200


def test_a_damaged_row_is_said_so_and_the_other_pages_still_work(client):
    import sqlite3

    upload(client, (DALAT.name, DALAT.read_bytes()), (QNGAI.name, QNGAI.read_bytes()))
    store = store_of(client)
    with sqlite3.connect(store.engine.url.database) as conn:
        conn.execute("UPDATE documents SET recipients = '[\"hỏng' WHERE id = 1")
    page = client.get("/review/1")
    assert page.status_code == 500 and "#1" in page.text and "bị hỏng" in page.text
    assert client.get("/review/2").status_code == 200
    assert client.get("/registers").status_code == 200


def test_folding_a_year_of_the_outgoing_register_at_once_folds_as_fold_does():
    from pipeline.store_queries import fold_all

    text = "\x1f".join(path.read_bytes().decode("utf-8", "ignore") for path in sorted(CORPUS.glob("*.txt")))
    text += "\x1fĐà Lạt İß ΣΑΣ ǅ ﬁ Ð e\u0301 \u0300x ỦY BAN NHÂN DÂN"
    assert fold_all(text) == fold(text)
