"""The web layer's own exceptions: what a page raises for the person in front of it. Apart from
the handlers (errors.py), so the session code can raise them without importing the page renderer."""
from __future__ import annotations


class PageError(Exception):
    """An error whose message (Vietnamese) is meant for the person at the page."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class LoginRequired(Exception):
    def __init__(self, path: str):
        super().__init__(path)
        self.path = path


class UploadTooLarge(PageError):
    def __init__(self, limit_bytes: int):
        super().__init__(413, f"Tệp tải lên quá lớn: tối đa {limit_bytes // (1024 * 1024)} MB mỗi lần gửi.")
