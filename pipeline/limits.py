"""Limits on what one file may cost: size, pixels, unpacked DOCX size, time.

A file past a limit is not read: it becomes a failed record whose reason (a coded note,
``Limits.over``) names the limit and where to change it, and the batch goes on. The defaults fit
any real administrative document with room to spare; an office can change them in the ``[limits]`` section of its
``congvan.toml`` (the file ``congvan init-org`` writes, found at ``$CONGVAN_ORG`` or in the
current folder)::

    [limits]
    file_mb = 200           # any file
    text_mb = 20            # .txt/.md/.html: a 20 MB text is already ~10,000 pages
    docx_mb = 200           # a DOCX's parts once unpacked (a zip bomb unpacks to gigabytes)
    image_mpx = 100         # pixels of a page image, in millions (A4 at 600 dpi is 35)
    seconds_per_file = 600  # reading and extracting one file
    ocr_pages = 300         # scanned pages OCR'd in one file (about 1.5 s a page a core)
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


@dataclass(frozen=True)
class Limits:
    file_mb: float = 200
    text_mb: float = 20
    docx_mb: float = 200
    image_mpx: float = 100
    seconds_per_file: float = 600
    ocr_pages: float = 300

    def over(self, value: str, name: str) -> dict:
        """The detail and field of a failure past limit `name` (a ReadError's or a record's note:
        data/notes.json says "<what> (<value>; limit <n> <unit>: [limits] <name> in congvan.toml)")."""
        limit = getattr(self, name)
        unit = {"file_mb": "MB", "text_mb": "MB", "docx_mb": "MB", "image_mpx": "Mpx", "seconds_per_file": "s",
                "ocr_pages": "pages"}[name]
        return {"detail": f"{value}; limit {limit:g} {unit}", "field": name}

    def reason(self, what: str, value: str, name: str) -> str:
        """The same in English words, for a caller not yet on the codes (its record has no code)."""
        return f"{what} ({self.over(value, name)['detail']}: [limits] {name} in congvan.toml)"


def limits() -> Limits:
    """The limits in force: the defaults, changed by the [limits] section of congvan.toml if any."""
    path = Path(os.environ.get("CONGVAN_ORG") or "congvan.toml")
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return Limits()
    return _load(str(path.resolve()), stamp)


@lru_cache(maxsize=8)
def _load(path: str, _stamp: int) -> Limits:
    try:
        with open(path, "rb") as fh:
            section = tomllib.load(fh).get("limits") or {}
    except (OSError, tomllib.TOMLDecodeError):
        return Limits()  # the organisation file's own errors are reported by the commands that need it
    known = {f.name for f in fields(Limits)}
    values = {k: float(v) for k, v in section.items()
              if k in known and isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0}
    return replace(Limits(), **values)


def megabytes(size: int) -> str:
    return f"{size / 1e6:,.0f} MB" if size >= 1e6 else f"{size / 1e3:,.0f} KB"
