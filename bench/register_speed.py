"""Register (.xlsx) speed against a plain openpyxl write of the same rows, and its growth in the rows.

    python bench/register_speed.py [--rows 5000,50000] [-n 3]

In-process, alternating paired runs: `register.write_xlsx` (title, header, the Appendix IV styles)
against a plain openpyxl Workbook that appends the same rows and saves, no styles. Goals (issue 16):
≤ 1.5× the plain write, and 10× the rows in ≤ 11× the time.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from paired import Row, calls, table  # noqa: E402

from pipeline.register import incoming_rows, write_xlsx  # noqa: E402

ISSUERS = ["BẢO HIỂM XÃ HỘI VIỆT NAM", "UBND TỈNH SƠN LA", "SỞ TÀI CHÍNH", "BỘ Y TẾ", "CỤC THUẾ TỈNH QUẢNG NGÃI"]
SUBJECTS = ["tập trung triển khai các nhiệm vụ công tác sau Tết Nguyên đán", "tăng cường công tác phòng cháy chữa cháy",
            "hướng dẫn thực hiện chính sách bảo hiểm y tế", "báo cáo tình hình thu, nộp ngân sách quý"]


def documents(n: int, seed: int = 16) -> list[dict]:
    rnd = random.Random(seed)
    return [{"id": i, "incoming_no": i, "received_on": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
             "issuer": rnd.choice(ISSUERS), "number": f"{i}/{rnd.choice(['BHXH-VP', 'UBND-KT', 'STC-NS'])}",
             "issued_on": f"2026-{1 + i % 12:02d}-{1 + (i * 7) % 28:02d}", "doc_type": "Công văn",
             "subject": rnd.choice(SUBJECTS) + f" ({i})", "assignee": "", "note": "" if i % 9 else "khẩn",
             "duplicate_of": None if i % 50 else i - 1} for i in range(1, n + 1)]


def plain_xlsx(rows: list[list], path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)


def measure(sizes: list[int], n: int) -> tuple[list[Row], dict]:
    out = Path(tempfile.mkdtemp(prefix="congvan-register-"))
    rows_out, medians = [], {}
    for size in sizes:
        rows = incoming_rows(documents(size))
        pair = calls(lambda: write_xlsx(rows, out / "a.xlsx", 2026), lambda: plain_xlsx(rows, out / "b.xlsx"), n)
        medians[size] = (statistics.median(pair.a.cpu), statistics.median(pair.b.cpu))
        rows_out.append(Row(f"register .xlsx, {size:,} rows (in-process)", pair, "plain openpyxl write", goal=1.5))
    return rows_out, medians


def growth(medians: dict) -> list[str]:
    sizes = sorted(medians)
    lines = []
    for small, big in zip(sizes, sizes[1:]):
        ours, floor = (medians[big][i] / medians[small][i] for i in (0, 1))
        lines.append(f"{big // small}× the rows ({small:,} → {big:,}): {ours:.1f}× the cpu "
                     f"(goal ≤ {1.1 * big / small:.0f}×; plain openpyxl in the same runs {floor:.1f}×)")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="5000,50000")
    parser.add_argument("-n", type=int, default=3, help="pairs per measure")
    args = parser.parse_args()
    rows, medians = measure([int(s) for s in args.rows.split(",")], args.n)
    print(table(rows))
    print("\n".join(growth(medians)))


if __name__ == "__main__":
    main()
