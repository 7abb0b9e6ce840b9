"""Uploaded files: a size limit on the request body, a safe place and name for each file.

A file is written only under `<data dir>/uploads/<date>/<random folder>/`, with a name cleaned
of every path element and odd character the browser sent, so neither "../../etc/passwd" nor
"C:\\evil.txt" can leave that folder and two uploads never overwrite each other. The cleaned
original name is kept because it is what the clerk sees in the store and the registers.
"""
from __future__ import annotations

import os
import re
import shutil
import unicodedata
import uuid
from datetime import date
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.types import ASGIApp, Receive, Scope, Send

from ..read import SUPPORTED
from .errors import PageError, UploadTooLarge

CHUNK = 1 << 20
# Room for the multipart headers and the small form fields around the file itself.
FORM_OVERHEAD = 64 * 1024
MAX_NAME = 120
PARTIAL = ".part"


def safe_file_name(client_name: str | None) -> str:
    """The last path element of the browser's name, NFC, letters/digits and ` ._-()` only, no leading dot."""
    name = unicodedata.normalize("NFC", client_name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c if c.isalnum() or c in " ._-()" else "_" for c in name)
    stem, dot, suffix = name.rpartition(".")
    if not dot or not suffix or len(suffix) > 10 or " " in suffix:  # no real suffix
        stem, suffix = name, ""
    stem = stem.strip(" .")[: MAX_NAME - len(suffix) - 1].rstrip(" .") or "van-ban"
    return f"{stem}.{suffix}" if suffix else stem


def is_supported(file_name: str) -> bool:
    return Path(file_name).suffix.lower() in SUPPORTED


async def save_upload(upload: UploadFile, uploads_dir: Path, limit_bytes: int) -> Path:
    """Copy one uploaded file into a new folder of its own; raise UploadTooLarge past the limit."""
    root = uploads_dir.resolve()
    folder = root / date.today().isoformat() / uuid.uuid4().hex
    target = (folder / safe_file_name(upload.filename)).resolve()
    if not target.is_relative_to(root):  # cannot happen after cleaning; kept as the last guard
        raise PageError(400, "Tên tệp không hợp lệ.")
    folder.mkdir(parents=True)
    # Written as a hidden ".part" and renamed when complete: an upload cut off (the client gone,
    # the server stopped) leaves nothing, and whatever a killed server left is swept at start.
    partial = folder / f".{target.name}{PARTIAL}"
    size = 0
    try:
        with open(partial, "xb") as out:
            while block := await upload.read(CHUNK):
                size += len(block)
                if size > limit_bytes:
                    raise UploadTooLarge(limit_bytes)
                out.write(block)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return target


def sweep_partial(uploads_dir: Path) -> int:
    """Remove uploads a stopped server left half-written (and their empty folders); how many."""
    count = 0
    for part in uploads_dir.glob(f"*/*/.*{PARTIAL}"):
        part.unlink(missing_ok=True)
        count += 1
        try:
            part.parent.rmdir()
        except OSError:
            pass
    return count


def discard(path: Path) -> None:
    """Remove an uploaded copy the store does not need (the same file was stored before)."""
    path.unlink(missing_ok=True)
    try:
        path.parent.rmdir()
    except OSError:
        pass


class BodySizeLimit:
    """ASGI middleware: a POST body longer than the limit is refused while it is being read.

    The error is raised from `receive`, that is inside the endpoint reading the form, so the
    app's error handler turns it into the Vietnamese 413 page; nothing past the limit is spooled.
    """

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes + FORM_OVERHEAD
        declared = dict(scope["headers"]).get(b"content-length")
        received = 0

        async def limited_receive():
            nonlocal received
            if declared and declared.isdigit() and int(declared) > limit:
                raise UploadTooLarge(self.max_bytes)
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise UploadTooLarge(self.max_bytes)
            return message

        await self.app(scope, limited_receive, send)
