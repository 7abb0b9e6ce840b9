"""Việc cần làm: the directive items of stored documents, overdue first, marked done with their reply."""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse

from ...store import NotFound
from ..auth import require_csrf
from ..errors import PageError
from ..queries import Pager
from ..render import page
from . import store_of

router = APIRouter()
PAGE_SIZE = 50


def urgency(item: dict, today: str) -> int:
    """0 overdue, 1 open with a deadline, 2 open without one, 3 done: the order a clerk works in."""
    if item["status"] == "done":
        return 3
    if not item["deadline"]:
        return 2
    return 0 if item["deadline"] < today else 1


def days_late(item: dict, today: date) -> int:
    return (today - date.fromisoformat(item["deadline"])).days


@router.get("/tasks")
def tasks_page(request: Request, show: str = "open", page_no: str = Query("1", alias="page")):
    today = date.today()
    show = "all" if show == "all" else "open"
    items, pager, overdue = store_of(request).task_page(today.isoformat(), show != "all",
                                                        lambda total: Pager(page_no, total, PAGE_SIZE, "/tasks",
                                                                            {"show": "all" if show == "all" else ""}))
    for item in items:
        item["late"] = days_late(item, today) if item["urgency"] == 0 else 0
    return page(request, "tasks.html", items=items, show=show, overdue=overdue, pager=pager)


@router.post("/tasks/{task_id}/done", dependencies=[Depends(require_csrf)])
def mark_task_done(request: Request, task_id: int, reply_number: str = Form(""), show: str = Form("open"),
                   page_no: str = Form("1", alias="page")):
    reply_number = reply_number.strip()
    if not reply_number:
        raise PageError(400, "Hãy ghi số, ký hiệu của văn bản trả lời trước khi đánh dấu xong.")
    try:
        store_of(request).mark_done(task_id, reply_number)
    except NotFound:
        raise PageError(404, f"Không có việc số {task_id}.") from None
    page_part = f"&page={page_no}" if page_no.isdigit() and page_no != "1" else ""  # back to the same page
    return RedirectResponse(f"/tasks?show={'all' if show == 'all' else 'open'}{page_part}", status_code=303)
