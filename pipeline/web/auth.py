"""Who may use the page: users with argon2-hashed passwords, signed session cookies, CSRF tokens.

The session cookie is signed by Starlette's SessionMiddleware (itsdangerous) with the data
directory's secret key, but not encrypted: anything on this host that sees the cookie (another
web server on another port) can read it. So it holds only a random session id, the user's name
and a fingerprint of their password hash — no secret. The CSRF token is an HMAC of the session
id under the server's key, computed on each request and never stored. Every POST carries it (a
hidden form field, or a header for the upload script), also on a localhost server without login,
and must come from this page itself (Sec-Fetch-Site / Origin), so another web site or port open
in the clerk's browser cannot post.

A signed-in session is valid while its id is in the server's session list (logout removes it)
and the user's password hash is the one it was opened with (a new password or removing the
user ends every session of that user, also from the `congvan user` command). Failed logins are
limited per user name and per address.
"""
from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from pathlib import Path
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request

from .exceptions import LoginRequired, PageError

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

    def fingerprint(self, name: str) -> str | None:
        """A short digest of the user's password hash (None: no such user): a session records it,
        so a new password or the user's removal ends the sessions opened before."""
        stored = self.load().get(name)
        return hashlib.sha256(stored.encode()).hexdigest()[:16] if stored else None

    def _save(self, users: dict[str, str]) -> None:
        write_private_json(self.path, users)


def private_dir(path: Path) -> Path:
    """Create (or tighten) a folder only its owner may enter: uploads, users and keys live there."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def write_private_json(path: Path, data) -> None:
    """Write JSON atomically (aside, then renamed into place), mode 600, in a private folder."""
    private_dir(path.parent)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
    os.replace(draft, path)


class Sessions:
    """The server's list of open sessions (id → user, expiry), in the data folder, mode 600."""

    LOCK = threading.Lock()

    def __init__(self, path: Path, hours: float = 12):
        self.path, self.seconds = Path(path), hours * 3600

    def load(self) -> dict[str, dict]:
        try:
            return json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}

    def open(self, sid: str, user: str) -> None:
        with self.LOCK:
            now = time.time()
            sessions = {k: v for k, v in self.load().items() if v.get("until", 0) > now}
            sessions[sid] = {"user": user, "until": now + self.seconds}
            write_private_json(self.path, sessions)

    def close(self, sid: str | None) -> None:
        with self.LOCK:
            sessions = self.load()
            if sid in sessions:
                del sessions[sid]
                write_private_json(self.path, sessions)

    def valid(self, sid: str | None, user: str) -> bool:
        entry = self.load().get(sid or "")
        return bool(entry) and entry.get("user") == user and entry.get("until", 0) > time.time()


class LoginThrottle:
    """At most `attempts` failed logins per user name and per address in `minutes`; then a pause."""

    def __init__(self, attempts: int = 5, minutes: float = 15):
        self.attempts, self.window = attempts, minutes * 60
        self.failures: dict[str, deque] = defaultdict(deque)
        self.lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque:
        times = self.failures[key]
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def wait_seconds(self, name: str, address: str) -> float:
        """0 when a login may be tried now, else how long until it may."""
        now = time.time()
        with self.lock:
            waits = [self._recent(key, now)[0] + self.window - now
                     for key in (f"user:{name.casefold()}", f"addr:{address}")
                     if len(self._recent(key, now)) >= self.attempts]
        return max(waits, default=0)

    def failed(self, name: str, address: str) -> None:
        now = time.time()
        with self.lock:
            for key in (f"user:{name.casefold()}", f"addr:{address}"):
                self._recent(key, now).append(now)

    def succeeded(self, name: str) -> None:
        with self.lock:
            self.failures.pop(f"user:{name.casefold()}", None)


# --------------------------------------------------------------------------- per request


def sessions_of(request: Request) -> Sessions:
    return Sessions(request.app.state.settings.data_dir / "sessions.json")


def session_user(request: Request) -> str | None:
    """The signed-in user, if the session is still open on the server and their password unchanged."""
    name = request.session.get("user")
    if not name:
        return None
    users = Users(request.app.state.settings.users_file)
    if request.session.get("fp") != users.fingerprint(name) or not sessions_of(request).valid(request.session.get("sid"), name):
        request.session.pop("user", None)
        request.session.pop("fp", None)
        return None
    return name


def author_of(request: Request) -> str:
    """Who a correction is recorded for: the logged-in user, else the server's login name (as the CLI)."""
    return session_user(request) or getpass.getuser()


def sign_in(request: Request, name: str) -> None:
    # A fresh session id (so a fresh CSRF token) on login: a token seen before cannot be replayed after.
    sessions_of(request).close(request.session.get("sid"))
    request.session.clear()
    sid = request.session["sid"] = secrets.token_urlsafe(24)
    request.session["user"] = name
    request.session["fp"] = Users(request.app.state.settings.users_file).fingerprint(name)
    sessions_of(request).open(sid, name)


def sign_out(request: Request) -> None:
    sessions_of(request).close(request.session.get("sid"))
    request.session.clear()


def csrf_token(request: Request) -> str:
    """HMAC of the session id under the server's key: derived on the server, never in the cookie."""
    sid = request.session.get("sid")
    if not sid:
        sid = request.session["sid"] = secrets.token_urlsafe(24)
    key = request.app.state.secret.encode()
    return hmac.new(key, f"csrf:{sid}".encode(), hashlib.sha256).hexdigest()


FORGED = "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang rồi thử lại."


def check_origin(request: Request) -> None:
    """A POST must come from this page: not another site, not another port of this host.

    Browsers say where a request comes from in Sec-Fetch-Site ("same-site" covers another port
    of the same host) and Origin; a request without either (a script, curl) still needs the token.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise PageError(403, FORGED)
    origin = request.headers.get("origin")
    if origin is None:
        return
    hosts = {request.headers.get("host"), request.headers.get("x-forwarded-host")} - {None}
    if origin == "null" or urlsplit(origin).netloc not in hosts:
        raise PageError(403, FORGED)


async def require_csrf(request: Request) -> None:
    """Dependency of every POST: from this page, and the session's token back in the form or the header."""
    check_origin(request)
    expected = csrf_token(request) if request.session.get("sid") else None
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        sent = (await request.form()).get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise PageError(403, FORGED)


def require_login(request: Request) -> None:
    """Dependency of every page: on a server reachable from other machines, a user must be signed in."""
    if request.app.state.settings.login_required and not session_user(request):
        raise LoginRequired(request.url.path)
