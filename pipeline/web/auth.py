"""Who may use the page: users with argon2-hashed passwords, signed session cookies, CSRF tokens.

The session cookie is signed by Starlette's SessionMiddleware (itsdangerous) with the data
directory's secret key; it holds the user's name and the CSRF token, nothing else. Every POST
carries that token (a hidden form field, or a header for the upload script), also on a
localhost server without login, so another web site open in the clerk's browser cannot post.
"""
from __future__ import annotations

import getpass
import hmac
import json
import os
import re
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request

from .errors import LoginRequired, PageError

HASHER = PasswordHasher()
USER_NAME = re.compile(r"[\w.@-]{1,64}")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MIN_PASSWORD = 8
# Checked when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = HASHER.hash(secrets.token_hex(8))


class Users:
    """The users file (name → argon2 hash) in the data directory, mode 600."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def load(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        return json.loads(self.path.read_text("utf-8"))

    def names(self) -> list[str]:
        return sorted(self.load())

    def add(self, name: str, password: str) -> None:
        """Create the user, or set a new password for an existing one."""
        if not USER_NAME.fullmatch(name):
            raise ValueError("user names are letters, digits and . _ - @ (at most 64)")
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
        users = self.load()
        users[name] = HASHER.hash(password)
        self._save(users)

    def remove(self, name: str) -> None:
        users = self.load()
        if name not in users:
            raise KeyError(name)
        del users[name]
        self._save(users)

    def verify(self, name: str, password: str) -> bool:
        stored = self.load().get(name)
        try:
            return HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def _save(self, users: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        draft = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(users, fh, ensure_ascii=False, indent=1)
        os.replace(draft, self.path)


# --------------------------------------------------------------------------- per request


def session_user(request: Request) -> str | None:
    return request.session.get("user")


def author_of(request: Request) -> str:
    """Who a correction is recorded for: the logged-in user, else the server's login name (as the CLI)."""
    return session_user(request) or getpass.getuser()


def sign_in(request: Request, name: str) -> None:
    # A fresh session and token on login, so a token seen before cannot be replayed after.
    request.session.clear()
    request.session["user"] = name
    request.session["csrf"] = secrets.token_urlsafe(32)


def sign_out(request: Request) -> None:
    request.session.clear()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def require_csrf(request: Request) -> None:
    """Dependency of every POST: the session's token must come back in the form or the header."""
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        sent = (await request.form()).get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise PageError(403, "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang rồi thử lại.")


def require_login(request: Request) -> None:
    """Dependency of every page: on a server reachable from other machines, a user must be signed in."""
    if request.app.state.settings.login_required and not session_user(request):
        raise LoginRequired(request.url.path)
