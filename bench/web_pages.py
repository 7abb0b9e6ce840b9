"""The web page's lists at 5,000 and 100,000 documents: each page must answer in p95 ≤ 300 ms, and
not more slowly in the bigger store (issue 19).

    python bench/web_pages.py [--docs 5000,100000] [-n 40] [--keep DIR]

Each store is built synthetically and fast: the schema from `open_store` (every migration), then,
written in bulk with sqlite3 (the full-text index filled by the store's own triggers), their text drawn from the
words of the corpus's letters: documents over two years of số đến (half in each), 70 % ok, 20 % needs review, 5 % failed, 5 %
other; three directive items each (deadlines past, future or none; a fifth done); two citations
each; a correction on every twentieth; one outgoing letter for every ten documents. Stores are
kept under --keep (default: a folder in the temp dir) for the next run, named by size (a store
of an older schema is migrated when opened, as any store is).

Each page is asked for through FastAPI's TestClient (the whole application: routing, the
queries, the template), in-process, the store open once as `congvan serve` has it. Each request
picks another page of the list at random (first, middle and last pages alike), so deep pages
are timed as well as the first. Printed: p50 and p95 per page at each size (wall clock), and the
p95 of the CPU time the request took in this process (on a shared machine the wall clock also
counts the time other processes held the cores).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from paired import built_once  # noqa: E402
from pipeline.normalize import fold  # noqa: E402
from pipeline.store import open_store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def corpus_words() -> list[str]:
    """Every word of the corpus's text documents, as often as it occurs there: text drawn from it
    has the vocabulary and word frequencies of real letters, so a search matches as many documents
    as it would in an office's store (a tiny vocabulary would make every query match nearly all)."""
    words = []
    for path in sorted((ROOT / "corpus" / "docs").glob("*.txt")):
        text = path.read_bytes().decode("utf-8", errors="ignore")
        words += [w for w in re.findall(r"\w+", unicodedata.normalize("NFC", text)) if not w.isdigit()]
    return words


WORDS = corpus_words()
ISSUERS = [("BẢO HIỂM XÃ HỘI VIỆT NAM", ""), ("ỦY BAN NHÂN DÂN", "TỈNH SƠN LA"), ("SỞ TÀI CHÍNH", "UBND TỈNH SƠN LA"),
           ("BỘ Y TẾ", ""), ("CỤC THUẾ TỈNH QUẢNG NGÃI", "TỔNG CỤC THUẾ"), ("SỞ Y TẾ", "UBND TỈNH QUẢNG NGÃI")]
TYPES = ["Công văn", "Công văn", "Công văn", "Quyết định", "Kế hoạch", "Thông báo", "Báo cáo"]
STATUSES = ["ok"] * 14 + ["needs_review"] * 4 + ["failed", "other"]
YEARS = (2025, 2026)
DOC_COLUMNS = ("id", "sha256", "file_name", "source_path", "status", "kind", "error", "doc_type", "number",
               "issued_on", "place", "issuer", "parent_body", "subject", "recipients", "distribution",
               "signer_authority", "signer_title", "signer_name", "spans", "warnings", "review", "text", "folded",
               "incoming_year", "incoming_no", "received_on", "duplicate_of", "assignee", "note", "created_at",
               "updated_at")
STAMP = "2026-01-01T00:00:00+07:00"
BUILD = 2  # the synthetic content's version: a change here builds the stores again


def sentence(rnd: random.Random, n: int) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(n))


def document(rnd: random.Random, i: int, docs: int, serials: dict) -> tuple:
    status = rnd.choice(STATUSES)
    subject = sentence(rnd, 10)
    body = "\n".join(sentence(rnd, 25) for _ in range(8))
    issuer, parent = rnd.choice(ISSUERS)
    doc_type = rnd.choice(TYPES)
    year = YEARS[0] if i <= docs // 2 else YEARS[1]
    numbered = status in ("ok", "needs_review")
    incoming_no = None
    if numbered:
        serials[year] = incoming_no = serials.get(year, 0) + 1
    day = f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}"
    review = json.dumps([{"field": "subject", "reason": "trích yếu có thể chưa đủ"}] if status == "needs_review"
                        else [], ensure_ascii=False)
    return (i, f"{i:064x}", f"d{i}.txt", f"inbox/d{i}.txt", status, "dispatch" if numbered else
            ("error" if status == "failed" else "other"), "empty file" if status == "failed" else None,
            doc_type, f"{i}/UBND-VP", day, "Sơn La", issuer, parent, subject,
            json.dumps(["Các sở, ban, ngành"], ensure_ascii=False), json.dumps(["Như trên", "Lưu: VT"]),
            "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn A", json.dumps({"number": [10, 20]}), "[]", review, body,
            fold(f"{subject}\n{body}"), year if numbered else None, incoming_no, day if numbered else None, None, "",
            "", STAMP, STAMP)


def build(path: Path, docs: int, seed: int = 19) -> None:
    """A store of `docs` documents, written in bulk (see the module's description)."""
    open_store(str(path)).close()  # the schema, every migration applied
    rnd = random.Random(seed)
    con = sqlite3.connect(path)
    present = {r[1] for r in con.execute("PRAGMA table_info(documents)")}
    kept = [i for i, name in enumerate(DOC_COLUMNS) if name in present]  # (a newer schema may drop `folded`)
    serials: dict[int, int] = {}
    outgoing_serials: dict[int, int] = {}
    batch = 5000
    for start in range(1, docs + 1, batch):
        documents, directives, citations, corrections, outgoing = [], [], [], [], []
        for i in range(start, min(docs, start + batch - 1) + 1):
            row = document(rnd, i, docs, serials)
            documents.append(row)
            if row[4] in ("ok", "needs_review"):
                for k in range(1, 4):
                    deadline = rnd.choice([None, f"{row[24]}-{rnd.randint(1, 12):02d}-15"])
                    done = rnd.random() < 0.2
                    directives.append((i, k, str(k), sentence(rnd, 15), deadline, "Sở Tài chính",
                                       json.dumps(["Sở Y tế"], ensure_ascii=False), "done" if done else "open",
                                       f"{k}/SYT-VP" if done else None, f"{row[24]}-12-01" if done else None))
                for k in range(1, 3):
                    citations.append((i, k, "Công văn", f"{rnd.randint(1, docs)}/UBND-VP", "2025-12-01", row[11], None))
            if i % 20 == 0:
                corrections.append((i, "subject", "cũ", row[13], "lan", STAMP))
            if i % 10 == 0:
                year = row[24] or YEARS[1]
                outgoing_serials[year] = serial = outgoing_serials.get(year, 0) + 1
                outgoing.append(("SYT-VP", year, serial, f"{serial:02d}/SYT-VP", f"{year}-{1 + i % 12:02d}-10",
                                 rnd.choice(TYPES), sentence(rnd, 10), "Nguyễn Văn B",
                                 json.dumps([row[11], "Lưu: VT, VP"], ensure_ascii=False), "VT, VP", 2,
                                 i, "phuc-dap", f"{serial:02d}-SYT-VP.docx", STAMP))
        with con:
            con.executemany(f"INSERT INTO documents ({', '.join(DOC_COLUMNS[i] for i in kept)}) "
                            f"VALUES ({', '.join('?' * len(kept))})", [[row[i] for i in kept] for row in documents])
            con.executemany("INSERT INTO directives (document_id, position, label, text, deadline, lead, support, "
                            "status, reply_number, done_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", directives)
            con.executemany("INSERT INTO citations (document_id, position, doc_type, number, issued_on, issuer, "
                            "cited_id) VALUES (?, ?, ?, ?, ?, ?, ?)", citations)
            con.executemany("INSERT INTO corrections (document_id, field, old_value, new_value, author, corrected_at) "
                            "VALUES (?, ?, ?, ?, ?, ?)", corrections)
            con.executemany("INSERT INTO outgoing (org, year, serial, number, issued_on, doc_type, subject, signer, "
                            "recipients, archive, copies, reply_to, template, file_name, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", outgoing)
    con.close()


def store_for(folder: Path, docs: int) -> Path:
    path = folder / f"web-{docs}-b{BUILD}.db"  # opening it migrates it to the newest schema
    return built_once(path, path.with_name(path.stem + ".part.db"), build, docs)


def pages(docs: int) -> dict[str, object]:
    """Each timed page: a name and a function of a random generator giving the URL to ask for."""
    year = YEARS[1]
    last = {"review": docs // 50 + 1, "register": docs // 200 + 1, "tasks": docs * 2 // 50 + 1,
            "outgoing": docs // 20 // 100 + 1}
    return {
        "review (all)": lambda r: f"/review?page={r.randint(1, last['review'])}",
        "review (needs review)": lambda r: f"/review?status=needs_review&page={r.randint(1, last['review'] // 5 + 1)}",
        "show one (/review/ID)": lambda r: f"/review/{r.randint(1, docs)}",
        "register, whole year": lambda r: f"/registers?year={year}&page={r.randint(1, last['register'])}",
        "register, issuer + type": lambda r: f"/registers?year={year}&issuer=quang+ngai&doc_type=C%C3%B4ng+v%C4%83n"
                                             f"&page={r.randint(1, last['register'] // 10 + 1)}",
        "search (register ?q=)": lambda r: f"/registers?year={year}&q={r.choice(['dang ky', 'bảo hiểm', 'dat dai'])}"
                                           f"&page={r.randint(1, last['register'] // 4 + 1)}",
        "tasks (open)": lambda r: f"/tasks?page={r.randint(1, last['tasks'])}",
        "tasks (all)": lambda r: f"/tasks?show=all&page={r.randint(1, last['tasks'])}",
        "outgoing register": lambda r: f"/registers/outgoing?year={year}&page={r.randint(1, last['outgoing'])}",
        "outgoing, search": lambda r: f"/registers/outgoing?year={year}&q=bao+cao&page={r.randint(1, 3)}",
        "inbox": lambda r: "/inbox",
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(path: Path, docs: int, n: int) -> dict[str, tuple[float, float]]:
    from fastapi.testclient import TestClient

    from pipeline.web import Settings, create_app

    with tempfile.TemporaryDirectory() as data:
        app = create_app(Settings(db=str(path), data_dir=Path(data)))
        client = TestClient(app, base_url="http://127.0.0.1")
        rnd = random.Random(docs)
        found = {}
        for name, url_of in pages(docs).items():
            client.get(url_of(rnd))  # warm: templates compiled, the page cache holds the indexes
            times, cpu = [], []
            for _ in range(n):
                url = url_of(rnd)
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{url}: HTTP {response.status_code}")
            found[name] = (statistics.median(times), percentile(times, 0.95), percentile(cpu, 0.95))
        app.state.worker.stop()
        app.state.store.close()
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", default="5000,100000")
    parser.add_argument("-n", type=int, default=40, help="requests per page and size")
    parser.add_argument("--keep", default=str(Path(tempfile.gettempdir()) / "congvan-bench-stores"))
    args = parser.parse_args()
    folder = Path(args.keep)
    folder.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.docs.split(",")]
    load = os.getloadavg()
    results = {size: measure(store_for(folder, size), size, args.n) for size in sizes}
    print(f"load average before / after: {load[0]:.1f} / {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(CPU: this process's CPU time per request, which other processes' load does not inflate)")
    head = "| page | " + " | ".join(f"{s:,}: p50 / p95 ms (CPU p95)" for s in sizes) + " | p95 ≤ 300 ms |"
    print(head)
    print("|---" * (len(sizes) + 2) + "|")
    for name in pages(sizes[0]):
        cells = [f"{results[s][name][0]:.0f} / {results[s][name][1]:.0f} ({results[s][name][2]:.0f})" for s in sizes]
        worst = max(results[s][name][1] for s in sizes)
        print(f"| {name} | " + " | ".join(cells) + f" | {'yes' if worst <= 300 else 'NO'} |")


if __name__ == "__main__":
    main()
