"""Sign in and out (only asked for when the server is reachable from other machines)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from ..auth import Users, require_csrf, sign_in, sign_out
from ..errors import PageError
from ..render import page

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only a path on this server: a login link must not send the clerk to another site."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/inbox"


@router.get("/login")
def login_form(request: Request, next: str = "/inbox"):
    return page(request, "login.html", next=safe_next(next), failed=False)


@router.post("/login", dependencies=[Depends(require_csrf)])
def login(request: Request, name: str = Form(""), password: str = Form(""), next: str = Form("/inbox")):
    users = Users(request.app.state.settings.users_file)
    throttle, address = request.app.state.login_throttle, request.client.host if request.client else "?"
    wait = throttle.wait_seconds(name.strip(), address)
    if wait:
        raise PageError(429, f"Đăng nhập sai quá nhiều lần. Hãy thử lại sau {int(wait // 60) + 1} phút.")
    if not users.verify(name.strip(), password):
        throttle.failed(name.strip(), address)
        return page(request, "login.html", status_code=401, next=safe_next(next), failed=True, name=name)
    throttle.succeeded(name.strip())
    sign_in(request, name.strip())
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(require_csrf)])
def logout(request: Request):
    sign_out(request)
    return RedirectResponse("/login", status_code=303)
