"""The web page in a real headless Chromium (Debian's, driven by Playwright) against `congvan serve`.

A clerk's round: upload the seed dispatch and a corrupt file, drop a file on the page, correct a
field, download the register, mark an item done, write a reply and download its DOCX and PDF.
Each page is also saved as a screenshot in $CONGVAN_SHOTS (default /tmp/congvan_shots).
"""
import base64
import io
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from conftest import CORPUS, ROOT
from pipeline.org import EXAMPLE
from pipeline.store import open_store

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="the playwright package is not installed (pip install -e '.[dev]')")

# Chromium as the CI machine allows it: no sandbox (root), nothing fetched from the network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("CONGVAN_SHOTS", "/tmp/congvan_shots"))
SEED = "001_bdd34a8df0a2e9cd.txt"  # 381/BHXH-VP
QNGAI = CORPUS / "a_01_bhxh_qngai_thuno__txt.txt"  # 412/BHXH-QLT, three directive items
THIS_YEAR = date.today().year


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(root: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    """`congvan serve` on a free localhost port; returns once it answers."""
    port = free_port()
    log = open(root / f"server-{port}.log", "w")
    command = [sys.executable, "-m", "pipeline.cli", "serve", "--port", str(port), "--db", str(root / "c.db"),
               "--data-dir", str(root / "data"), "--org", str(root / "congvan.toml"), *extra]
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"congvan serve stopped: {(root / f'server-{port}.log').read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("congvan serve did not start within 30 s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("web")
    (root / "congvan.toml").write_text(EXAMPLE, encoding="utf-8")
    process, url = start_server(root)
    yield {"url": url, "root": root}
    stop(process)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def shot(page, name: str, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def store(site):
    return open_store(str(site["root"] / "c.db"))


def wait_for_uploads(page, count: int) -> None:
    page.wait_for_selector(f"#progress-count:has-text('xong {count}/{count}')")
    # the files are read in the background: the rows follow it live until each is finished
    page.wait_for_selector("tr.result[data-pending]", state="detached", timeout=60_000)


def drop_file(page, path: Path) -> None:
    """Drag a file from the desktop onto the drop zone (a drop event carrying the file)."""
    page.evaluate("""([name, b64]) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name, { type: "text/plain" }));
        const zone = document.getElementById("dropzone");
        for (const type of ["dragenter", "dragover", "drop"]) {
            zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }
    }""", [path.name, base64.b64encode(path.read_bytes()).decode()])


@pytest.fixture(scope="module")
def qngai_id(site, browser):
    """412/BHXH-QLT, dropped on the inbox page; the other tests work on it."""
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto(site["url"] + "/inbox")
    drop_file(page, QNGAI)
    wait_for_uploads(page, 1)
    row = page.locator(f"tr.result:has-text('{QNGAI.name}')")
    assert "Vào sổ đến" in row.inner_text()
    doc_id = int(row.locator("a").get_attribute("href").rsplit("/", 1)[1])
    context.close()
    return doc_id


# --------------------------------------------------------------------------- the clerk's round


def test_upload_the_seed_dispatch_and_a_corrupt_file(site, page, shared, tmp_path):
    corrupt = tmp_path / "cong-van-hong.pdf"
    corrupt.write_bytes(b"%PDF-1.4\nthis file was cut off in the e-mail")
    page.goto(site["url"] + "/inbox")
    page.set_input_files("#files", [str(shared / "seeds" / SEED), str(corrupt)])
    wait_for_uploads(page, 2)
    seed_row = page.locator(f"tr.result:has-text('{SEED}')").inner_text()
    failed_row = page.locator("tr.result:has-text('cong-van-hong.pdf')").inner_text()
    assert "Vào sổ đến, số đến" in seed_row
    assert "Không đọc được" in failed_row and "Tệp PDF bị hỏng" in failed_row
    page.wait_for_selector("#recent:has-text('381/BHXH-VP')")  # the list below is refreshed
    shot(page, "01-inbox")
    stored = {d["file_name"]: d for d in store(site).documents()}
    assert stored[SEED]["number"] == "381/BHXH-VP" and stored["cong-van-hong.pdf"]["status"] == "failed"


def test_correct_a_field_and_see_it_saved(site, page, qngai_id):
    page.goto(site["url"] + "/review")
    shot(page, "02-review-list")
    page.click(f"a[href='/review/{qngai_id}'] >> nth=0")
    number_mark = page.locator("#source-text mark.f-number").first
    assert number_mark.inner_text() == "412/BHXH-QLT"
    number_mark.click()  # the highlighted text leads to its field
    assert page.evaluate("document.activeElement.name") == "number"
    page.focus("#f-issuer")
    assert page.locator("#source-text mark.f-issuer.active").count() >= 1  # and the field to its text
    shot(page, "03-review")
    corrected = "đôn đốc thu nợ BHXH, BHYT, BHTN quý I/2024 (đã sửa)"
    page.fill("#f-subject", corrected)
    with page.expect_navigation():
        page.click("text=Lưu sửa đổi")
    page.wait_for_selector("text=Đã lưu 1 thay đổi")
    assert page.input_value("#f-subject") == corrected
    assert page.locator("[data-field=subject] .corrected").inner_text().startswith("Đã sửa bởi")
    correction = store(site).get(qngai_id)["corrections"][-1]
    assert (correction["field"], correction["new_value"]) == ("subject", corrected)


def test_the_review_flow_at_1366_by_768(site, browser, qngai_id):
    """The review list fits, a field jumped to is not under the save bar, and what was typed
    survives an expired session."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(site["url"] + "/review")
        card = page.locator("section.card.flush").first.bounding_box()
        table = page.locator("table.review-list").bounding_box()
        assert table["x"] + table["width"] <= card["x"] + card["width"] + 1  # nothing cut off at the right
        shot(page, "11-review-list-1366")

        page.goto(site["url"] + f"/review/{qngai_id}")
        page.locator("#source-text mark.f-subject").first.click()  # jump from the text to the field
        field = page.locator("#f-subject").bounding_box()
        bar = page.locator(".record .form-actions").bounding_box()
        assert page.evaluate("document.activeElement.name") == "subject"
        assert field["y"] + field["height"] <= bar["y"] + 1 and field["y"] >= 0  # fully above the save bar
        shot(page, "12-review-focus-1366")

        typed = "nội dung gõ trước khi phiên hết hạn"
        page.fill("#f-note", typed)
        context.clear_cookies()  # the session expired meanwhile
        page.click("text=Lưu sửa đổi")
        page.wait_for_selector("text=Phiên làm việc")
        page.goto(site["url"] + f"/review/{qngai_id}")  # back to the page (logged in again)
        assert page.input_value("#f-note") == typed and page.locator("#draft-note").is_visible()
        shot(page, "13-review-draft-kept")
        with page.expect_navigation():
            page.click("text=Lưu sửa đổi")
        assert store(site).get(qngai_id)["note"] == typed
        page.goto(site["url"] + f"/review/{qngai_id}")
        assert page.locator("#draft-note").is_hidden()  # saved: nothing is put back any more
    finally:
        context.close()


def test_download_the_incoming_register(site, page, qngai_id):
    page.goto(site["url"] + f"/registers?year={THIS_YEAR}&issuer=quang ngai")
    assert "412/BHXH-QLT" in page.inner_text("table.register")
    shot(page, "04-register-incoming")
    with page.expect_download() as download:
        page.click("#download-xlsx")
    assert download.value.suggested_filename == f"so-den-{THIS_YEAR}.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == f"SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM {THIS_YEAR}"
    assert len(rows) == 4  # title, column names, column numbers and the one row the filter shows
    doc = store(site).get(qngai_id)
    assert rows[3][1:6] == [doc["incoming_no"], doc["issuer"], "412/BHXH-QLT", "05/03/2024",
                            f"{doc['doc_type']} {doc['subject']}"]


def test_mark_a_task_done(site, page, qngai_id):
    page.goto(site["url"] + "/tasks")
    first = page.locator("tr.task").first
    assert "quá hạn" in first.inner_text()  # the 2024 deadlines are past: overdue comes first
    shot(page, "06-tasks")
    task_id = first.get_attribute("id")
    first.locator("input[name=reply_number]").fill("45/SYT-VP")
    with page.expect_navigation():
        first.locator("text=Đã xong").click()
    assert page.locator(f"#{task_id}").count() == 0
    page.goto(site["url"] + "/tasks?show=all")
    assert "45/SYT-VP" in page.inner_text(f"#{task_id}")


def test_write_a_reply_and_download_it(site, page, qngai_id, tmp_path):
    page.goto(site["url"] + f"/review/{qngai_id}")
    page.click("#reply-link")
    answer = "Sở Y tế đã rà soát danh sách đơn vị nợ đóng và gửi kết quả kèm theo công văn này."
    page.fill("textarea[name=noi_dung]", answer)
    page.click("text=Xem trước")
    assert answer in page.inner_text("#preview")
    shot(page, "07-reply", full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())  # "Cấp số …?": a number cannot be given back
    page.click("#issue-button")
    page.wait_for_url("**/outgoing/*")
    number = store(site).outgoing()[-1]["number"]
    assert number.endswith("/SYT-VP") and number in page.inner_text("h1")
    assert "Đạt: không thấy lỗi thể thức nào" in page.inner_text("#compliance")
    shot(page, "08-outgoing", full_page=True)

    with page.expect_download() as download:
        page.click("#download-docx")
    document = Document(download.value.path())
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert answer in "\n".join(p.text for p in document.paragraphs) and f"Số: {number}" in cells

    if shutil.which("soffice") or shutil.which("libreoffice"):
        with page.expect_download(timeout=90_000) as download:
            page.click("#download-pdf")
        pdf = Path(download.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF")
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True).stdout.decode()
            assert number in text and "Sở Y tế" in text
    page.goto(site["url"] + f"/registers/outgoing?year={THIS_YEAR}")
    assert number in page.inner_text("table.register")
    shot(page, "05-register-outgoing")


@pytest.fixture
def page_1366(browser):
    """A laptop's screen: the size the screenshots of the newer points are taken at."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def test_download_the_reply_as_an_edxml_package(site, page_1366, qngai_id):
    """Next to the DOCX, the issued reply as an edXML package to the sender of 412/BHXH-QLT."""
    from pipeline.edxml import parse_package

    entry = store(site).outgoing()[-1]  # the reply issued above
    page_1366.goto(site["url"] + f"/outgoing/{entry['id']}")
    button = page_1366.locator("#download-edxml")
    assert button.inner_text() == "Tải gói edXML (liên thông)" and button.is_visible()
    assert page_1366.locator("#download-docx").bounding_box()["y"] == button.bounding_box()["y"]  # side by side
    shot(page_1366, "14-outgoing-edxml-1366")
    with page_1366.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == entry["number"].replace("/", "-") + ".edxml"
    package = parse_package(Path(download.value.path()).read_bytes())
    incoming = store(site).get(qngai_id)
    assert package.fields["number"] == entry["number"] and package.response_for["Code"] == "412/BHXH-QLT"
    assert [r.name for r in package.receivers] == [incoming["issuer"]]
    assert [a.name for a in package.attachments] == [entry["file_name"]]


def test_check_a_record_and_register_a_failed_one_by_hand(site, page_1366, tmp_path):
    """«Đã kiểm tra, đúng» marks a record right without an edit; a file the reader failed on,
    typed in from the paper copy, gets its số đến with «Vào sổ thủ công»."""
    import dataclasses

    from pipeline.process import process_file

    record = dataclasses.replace(process_file(str(QNGAI)), review=[{"field": "subject", "reason": "trích yếu dài"}],
                                 subject="đôn đốc thu nợ (bản cần kiểm tra)")
    doubtful = store(site).add(record, "e" * 64, "can-kiem-tra.txt").id
    page = page_1366
    page.goto(site["url"] + f"/review/{doubtful}")
    with page.expect_navigation():
        page.click("#checked-button")
    page.wait_for_selector("text=Đã ghi nhận: văn bản đã được kiểm tra và đúng")
    shot(page, "15-review-checked-1366")
    assert store(site).get(doubtful)["status"] == "ok" and store(site).get(doubtful)["corrections"][-1]["field"] == "status"

    failed = process_file(str(tmp_path / "missing.pdf"))  # a file the reader could not open
    failed_id = store(site).add(failed, "d" * 64, "ban-scan-hong.pdf").id
    page.goto(site["url"] + f"/review/{failed_id}")
    page.fill("#f-number", "15/UBND-VP")
    page.fill("#f-issuer", "ỦY BAN NHÂN DÂN HUYỆN MƯỜNG LA")
    page.fill("#f-subject", "báo cáo tình hình thu nợ bảo hiểm xã hội")
    page.once("dialog", lambda dialog: dialog.accept())  # a số đến cannot be given back
    with page.expect_navigation():
        page.click("#register-button")
    page.wait_for_selector("text=Đã vào sổ văn bản đến")
    shot(page, "16-review-registered-by-hand-1366")
    stored = store(site).get(failed_id)
    assert stored["incoming_no"] and stored["number"] == "15/UBND-VP" and stored["status"] == "ok"
    page.goto(site["url"] + f"/registers?year={stored['incoming_year']}&q=thu no")
    assert "15/UBND-VP" in page.inner_text("table.register")


def test_long_lists_are_paged(site, page_1366):
    """The review list, one page at a time: the pager's count and its next page."""
    import dataclasses

    from pipeline.process import process_file

    record = process_file(str(QNGAI))
    target = store(site)
    for i in range(60):
        target.add(dataclasses.replace(record, subject=f"{record.subject} (bản {i})"), f"{i:060x}page", f"p{i}.txt")
    page = page_1366
    page.goto(site["url"] + "/review")
    total = store(site).documents()
    assert f"1–50 trong {len(total)}" in page.inner_text(".pager-count >> nth=0")
    first = page.locator("table.review-list tbody tr").count()
    shot(page, "17-review-paged-1366")
    with page.expect_navigation():
        page.click("a[rel=next] >> nth=0")
    assert "page=2" in page.url and first == 50
    assert f"51–{len(total)} trong {len(total)}" in page.inner_text(".pager-count >> nth=0")


def test_a_missing_document_shows_a_vietnamese_error_page(site, page):
    response = page.goto(site["url"] + "/review/98765")
    assert response.status == 404
    assert "Không có văn bản #98765 trong kho" in page.inner_text("main")
    shot(page, "10-error")


def test_login_when_the_server_asks_for_one(site, page, tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import main

    root = tmp_path
    (root / "congvan.toml").write_text(EXAMPLE, encoding="utf-8")
    added = CliRunner().invoke(main, ["user", "add", "lan", "--data-dir", str(root / "data")],
                               input="mat-khau-van-thu\nmat-khau-van-thu\n")
    assert added.exit_code == 0, added.output
    process, url = start_server(root, "--login")
    try:
        page.goto(url + "/tasks")
        assert page.url.endswith("/login?next=/tasks")
        shot(page, "09-login")
        page.fill("input[name=name]", "lan")
        page.fill("input[name=password]", "mat-khau-van-thu")
        page.click("button:has-text('Đăng nhập')")
        page.wait_for_url("**/tasks")
        assert page.inner_text(".who") == "lan"
    finally:
        stop(process)
