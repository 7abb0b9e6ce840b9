"""The registers Decree 30/2020/NĐ-CP Appendix IV prescribes, as .xlsx or CSV.

Sổ đăng ký văn bản đến: one row per incoming document of the year, in số đến order, with the
ten columns of the form; sổ đăng ký văn bản đi likewise for the documents congvan issued.
Dates are printed dd/mm/yyyy as a văn thư writes them.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

INCOMING_COLUMNS = [
    ("Ngày đến", 12), ("Số đến", 8), ("Tác giả", 30), ("Số, ký hiệu", 18), ("Ngày tháng văn bản", 13),
    ("Tên loại và trích yếu nội dung", 55), ("Đơn vị hoặc người nhận", 20), ("Ngày chuyển", 12),
    ("Ký nhận", 12), ("Ghi chú", 25),
]
INCOMING_TITLE = "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"
OUTGOING_COLUMNS = [
    ("Số, ký hiệu văn bản", 16), ("Ngày tháng văn bản", 13), ("Tên loại và trích yếu nội dung", 55),
    ("Người ký", 22), ("Nơi nhận văn bản", 35), ("Đơn vị, người nhận bản lưu", 16), ("Số lượng bản", 9),
    ("Ngày chuyển", 12), ("Ký nhận", 12), ("Ghi chú", 20),
]
OUTGOING_TITLE = "SỔ ĐĂNG KÝ VĂN BẢN ĐI"


def vn_date(iso: str | None) -> str:
    if not iso:
        return ""
    year, month, day = iso[:10].split("-")
    return f"{day}/{month}/{year}"


def incoming_rows(documents: list[dict]) -> list[list]:
    """The register's rows from stored documents (those with a số đến), in số đến order."""
    rows = []
    for doc in sorted((d for d in documents if d.get("incoming_no")), key=lambda d: d["incoming_no"]):
        title = " ".join(part for part in (doc.get("doc_type"), doc.get("subject")) if part)
        notes = [doc.get("note") or ""]
        if doc.get("duplicate_of"):
            notes.append(f"có thể trùng văn bản đến #{doc['duplicate_of']}")
        rows.append([
            vn_date(doc.get("received_on")), doc["incoming_no"], doc.get("issuer") or "", doc.get("number") or "",
            vn_date(doc.get("issued_on")), title, doc.get("assignee") or "", "", "", "; ".join(n for n in notes if n),
        ])
    return rows


def outgoing_rows(entries: list[dict]) -> list[list]:
    """Sổ đăng ký văn bản đi rows, in number order; "reply to" notes name the incoming document."""
    rows = []
    for entry in entries:
        note = entry.get("note") or ""
        if entry.get("reply_to"):
            note = "; ".join(n for n in (note, f"trả lời văn bản đến #{entry['reply_to']}") if n)
        rows.append([
            entry["number"], vn_date(entry["issued_on"]), f"{entry['doc_type']} {entry['subject']}",
            entry.get("signer") or "", "; ".join(entry.get("recipients") or []), entry.get("archive") or "",
            entry.get("copies") or "", vn_date(entry.get("sent_on")), "", note,
        ])
    return rows


@dataclass(frozen=True)
class Form:
    """One Appendix IV register: its columns, title, sheet name and file name."""

    columns: list
    title: str
    sheet: str
    word: str  # "đến" / "đi", as in "12 văn bản đến"
    slug: str  # "den" / "di", as in so-den-2026.xlsx

    def file_name(self, year: int, fmt: str) -> str:
        return f"so-{self.slug}-{year}.{fmt}"

    def write(self, rows: list[list], path: Path, year: int, fmt: str = "xlsx") -> None:
        if fmt == "csv":
            write_csv(rows, path, self.columns)
        else:
            write_xlsx(rows, path, year, self.columns, self.title, self.sheet)


def write_csv(rows: list[list], path: Path, columns=INCOMING_COLUMNS) -> None:
    # UTF-8 with BOM: Excel opens it with the Vietnamese intact instead of guessing a code page.
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([name for name, _ in columns])
        writer.writerows(rows)


def write_xlsx(rows: list[list], path: Path, year: int, columns=INCOMING_COLUMNS, title=INCOMING_TITLE,
               sheet: str = "Văn bản đến") -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = f"{sheet} {year}"[:31]
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append([f"{title} NĂM {year}"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    ws["A1"].font = Font(name="Times New Roman", size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([name for name, _ in columns])
    ws.append([f"({i})" for i in range(1, len(columns) + 1)])
    for cell in list(ws[2]) + list(ws[3]):
        cell.font = Font(name="Times New Roman", size=12, bold=cell.row == 2, italic=cell.row == 3)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = box
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            cell.font = Font(name="Times New Roman", size=12)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = box
    for i, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A4"
    ws.print_title_rows = "2:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    wb.save(path)


INCOMING = Form(INCOMING_COLUMNS, INCOMING_TITLE, "Văn bản đến", "đến", "den")
OUTGOING = Form(OUTGOING_COLUMNS, OUTGOING_TITLE, "Văn bản đi", "đi", "di")
