"""The registers Decree 30/2020/NĐ-CP Appendix IV prescribes, as .xlsx or CSV.

Sổ đăng ký văn bản đến: one row per incoming document of the year, in số đến order, with the
ten columns of the form; sổ đăng ký văn bản đi likewise for the documents congvan issued.
Dates are printed dd/mm/yyyy as a văn thư writes them.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
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
    """"2024-03-05" → "05/03/2024"; a value that is not an ISO date is shown as it is (never an error)."""
    try:
        return register_date(iso)
    except ValueError:
        return str(iso)


def register_date(iso: str | None) -> str:
    """"2024-03-05" → "05/03/2024", "" for none; ValueError for anything that is not a real date."""
    if not iso:
        return ""
    day = date.fromisoformat(str(iso)[:10])
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def incoming_rows(documents: list[dict], skipped: list | None = None) -> list[list]:
    """The register's rows from stored documents (those with a số đến), in số đến order.

    A document whose values cannot be written in the register (a date that is not one) is left
    out and listed in `skipped` as (id, reason): one bad row never stops the year's register.
    """
    rows = []
    for doc in sorted((d for d in documents if d.get("incoming_no")), key=lambda d: d["incoming_no"]):
        try:
            rows.append(incoming_row(doc))
        except (ValueError, TypeError, KeyError) as err:
            if skipped is not None:
                skipped.append((doc.get("id"), f"số đến {doc.get('incoming_no')}: {err}"))
    return rows


def incoming_row(doc: dict) -> list:
    title = " ".join(part for part in (doc.get("doc_type"), doc.get("subject")) if part)
    notes = [doc.get("note") or ""]
    if doc.get("duplicate_of"):
        notes.append(f"có thể trùng văn bản đến #{doc['duplicate_of']}")
    return [
        checked(register_date, doc, "received_on"), doc["incoming_no"], doc.get("issuer") or "",
        doc.get("number") or "", checked(register_date, doc, "issued_on"), title, doc.get("assignee") or "", "", "",
        "; ".join(n for n in notes if n),
    ]


def checked(convert, row: dict, name: str):
    try:
        return convert(row.get(name))
    except ValueError:
        raise ValueError(f"{name} {row.get(name)!r} is not a date (correct it with `congvan edit`)") from None


def outgoing_rows(entries: list[dict], skipped: list | None = None) -> list[list]:
    """Sổ đăng ký văn bản đi rows, in number order; "reply to" notes name the incoming document."""
    rows = []
    for entry in entries:
        try:
            rows.append(outgoing_row(entry))
        except (ValueError, TypeError, KeyError) as err:
            if skipped is not None:
                skipped.append((f"outgoing {entry.get('number') or entry.get('id')}", str(err)))
    return rows


def outgoing_row(entry: dict) -> list:
    note = entry.get("note") or ""
    if entry.get("reply_to"):
        note = "; ".join(n for n in (note, f"trả lời văn bản đến #{entry['reply_to']}") if n)
    return [
        entry["number"], checked(register_date, entry, "issued_on"), f"{entry['doc_type']} {entry['subject']}",
        entry.get("signer") or "", "; ".join(entry.get("recipients") or []), entry.get("archive") or "",
        entry.get("copies") or "", checked(register_date, entry, "sent_on"), "", note,
    ]


# A cell a spreadsheet would run as a formula: "=HYPERLINK(…)", "+1", "@SUM", "-2+3", a leading tab.
FORMULA_START = ("=", "+", "@", "-", "\t", "\r")


def as_csv_text(value):
    """A CSV cell that Excel shows as text, never evaluates (a leading apostrophe, as Excel itself writes)."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and value != "-":
        return "'" + value
    return value


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
        writer.writerows([as_csv_text(cell) for cell in row] for row in rows)


def write_xlsx(rows: list[list], path: Path, year: int, columns=INCOMING_COLUMNS, title=INCOMING_TITLE,
               sheet: str = "Văn bản đến") -> None:
    """The register as .xlsx. Each style is made once and its record given to the cells of the
    row just appended (never a scan of the sheet for its last row), so the time is linear in the
    rows and close to a plain openpyxl write of the same rows. A year's register is hundreds of
    thousands of cells held until saved: the garbage collector looks at young objects less often
    meanwhile (`fewer_collections`), as a batch does."""
    from .process import fewer_collections

    with fewer_collections():
        _write_sheet(rows, path, year, columns, title, sheet)


def _write_sheet(rows: list[list], path: Path, year: int, columns, title: str, sheet: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = f"{sheet} {year}"[:31]
    width = len(columns)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append([f"{title} NĂM {year}"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(name="Times New Roman", size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([name for name, _ in columns])
    ws.append([f"({i})" for i in range(1, width + 1)])
    for cell in list(ws[2]) + list(ws[3]):
        cell.font = Font(name="Times New Roman", size=12, bold=cell.row == 2, italic=cell.row == 3)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = box
    body = None  # the data cells' style record, made on the first one
    for row in rows:
        ws.append(row)
        number = ws._current_row
        width = max(width, len(row))  # every column of the table is boxed, filled or not
        for column in range(1, width + 1):
            cell = ws.cell(row=number, column=column)
            if cell.data_type == "f":  # openpyxl stores any "=…" string as a formula: keep it text
                cell.data_type = "s"
            if body is None:
                cell.font = Font(name="Times New Roman", size=12)
                cell.alignment = Alignment(vertical="top", wrap_text=True)
                cell.border = box
                body = cell._style
            else:  # one record shared: nothing restyles a cell of this sheet before it is saved
                cell._style = body
    for i, (_, column_width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column_width
    ws.freeze_panes = "A4"
    ws.print_title_rows = "2:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    wb.save(path)


INCOMING = Form(INCOMING_COLUMNS, INCOMING_TITLE, "Văn bản đến", "đến", "den")
OUTGOING = Form(OUTGOING_COLUMNS, OUTGOING_TITLE, "Văn bản đi", "đi", "di")
