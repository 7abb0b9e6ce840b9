"""The web application: pages over the same store and functions the `congvan` commands use."""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.responses import PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from ..store import Store, open_store
from .auth import LoginThrottle, private_dir, require_login
from .errors import HANDLERS
from .render import HERE
from .settings import Settings
from .uploads import BodySizeLimit, sweep_partial
from .worker import Worker

SESSION_HOURS = 12
# Every script, style and image comes from this server; pages cannot be framed by another site.
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; object-src 'none'; "
                                 b"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class HostCheck:
    """A request naming another host (DNS rebinding) is refused, in Vietnamese; Starlette's
    TrustedHostMiddleware decides, its English answer is not sent."""

    MESSAGE = "Địa chỉ trang không hợp lệ: hãy mở trang bằng http://127.0.0.1 hoặc http://localhost."

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]):
        self.app = app

        async def allowed(scope, receive, send):
            scope["congvan.host_ok"] = True

        self.check = TrustedHostMiddleware(allowed, allowed_hosts=allowed_hosts, www_redirect=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return

        async def discard(message):
            pass

        await self.check(scope, receive, discard)
        if scope.pop("congvan.host_ok", False):
            await self.app(scope, receive, send)
        else:
            await PlainTextResponse(self.MESSAGE, status_code=400)(scope, receive, send)


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = dict(message, headers=list(message.get("headers", [])) + SECURITY_HEADERS)
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    from .pages import check, inbox, login, registers, reply, review, tasks

    settings = settings or Settings()
    private_dir(settings.data_dir)  # uploads, users, sessions and the key: this user only (0700)
    private_dir(settings.uploads_dir)
    sweep_partial(settings.uploads_dir)  # what a stopped server left half-uploaded

    @asynccontextmanager
    async def lifespan(app):
        app.state.worker.start()
        yield
        app.state.worker.stop()  # one stop signal: the file being read is ended, its job kept

    app = FastAPI(title="congvan", docs_url=None, redoc_url=None, openapi_url=None,
                  exception_handlers=HANDLERS, lifespan=lifespan)
    app.state.settings = settings
    app.state.secret = settings.secret_key()
    app.state.login_throttle = LoginThrottle()
    app.state.store = store or open_store(settings.db)
    # Uploads are read and filed by a background worker; a restart takes up what was waiting.
    # (One writer at a time is the store's own rule: its writes take its writer lock.)
    app.state.worker = Worker(app.state.store, settings.data_dir / "queue")
    app.state.worker.start()  # also without a lifespan (a test client not used as a context)

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes)
    app.add_middleware(SessionMiddleware, secret_key=app.state.secret, session_cookie="congvan_session",
                       max_age=SESSION_HOURS * 3600, same_site="lax", https_only=settings.https)
    if settings.allowed_hosts:
        app.add_middleware(HostCheck, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(SecurityHeaders)

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(login.router)
    for module in (inbox, review, registers, tasks, reply, check):
        app.include_router(module.router, dependencies=[Depends(require_login)])

    @app.get("/", include_in_schema=False)
    def home():
        return RedirectResponse("/inbox", status_code=303)

    return app
