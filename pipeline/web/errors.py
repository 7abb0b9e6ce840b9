"""Every failure as a Vietnamese page with its status code; a stack trace goes to the log only."""
from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..store import BadRow
from .exceptions import LoginRequired, PageError, UploadTooLarge  # noqa: F401 (the pages import them from here)
from .render import page

log = logging.getLogger("congvan.web")

# What the framework's own errors mean for a clerk.
STATUS_MESSAGES = {
    400: "Yêu cầu không hợp lệ: dữ liệu gửi lên bị lỗi hoặc thiếu.",
    403: "Bạn không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy trang hoặc văn bản này.",
    405: "Thao tác này không được hỗ trợ ở địa chỉ này.",
    413: "Tệp tải lên quá lớn.",
    500: "Đã xảy ra lỗi trong máy chủ. Thao tác chưa được thực hiện; hãy thử lại hoặc báo cho người quản trị.",
}


def error_page(request: Request, status: int, message: str):
    title = f"Lỗi {status}" if status >= 500 else "Không thực hiện được"
    return page(request, "error.html", status_code=status, title=title, message=message, status=status)


async def on_page_error(request: Request, exc: PageError):
    return error_page(request, exc.status, exc.message)


async def on_http_error(request: Request, exc: StarletteHTTPException):
    message = STATUS_MESSAGES.get(exc.status_code, HTTPStatus(exc.status_code).phrase)
    return error_page(request, exc.status_code, message)


async def on_validation_error(request: Request, exc: RequestValidationError):
    return error_page(request, 400, STATUS_MESSAGES[400])


async def on_login_required(request: Request, exc: LoginRequired):
    return RedirectResponse(f"/login?next={quote(exc.path)}", status_code=303)


async def on_bad_row(request: Request, exc):
    """A stored row that cannot be read (a damaged store page): said so, the rest of the page works."""
    return error_page(request, 500, f"Văn bản #{exc.doc_id} trong kho bị hỏng, không đọc được ({exc.reason}). "
                                    "Các văn bản khác không bị ảnh hưởng; hãy báo cho người quản trị.")


async def on_server_error(request: Request, exc: Exception):
    log.exception("error while serving %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500, STATUS_MESSAGES[500])


HANDLERS = {
    BadRow: on_bad_row,
    PageError: on_page_error,
    StarletteHTTPException: on_http_error,
    RequestValidationError: on_validation_error,
    LoginRequired: on_login_required,
    Exception: on_server_error,
}
