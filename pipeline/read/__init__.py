"""Read stage: any file a clerk's inbox holds → ``SourceText`` (NFC lines with their layout).

``read(path)`` picks the reader by the file's first bytes (a PDF or a DOCX renamed to .txt is
still read as what it is) and falls back to the suffix. Every failure is a ``ReadError`` with a
one-line reason a clerk can act on; no library exception leaves this stage.

``ocr`` decides when Tesseract reads pages: "auto" (scanned pages, images, the stamped number
and date of signed PDFs), "always" (every PDF page too) or "never" (text layers only).
"""
from __future__ import annotations

import stat
from pathlib import Path

from ..limits import limits, megabytes
from ..records import ReadError, SourceText

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
EDXML_SUFFIXES = {".edxml", ".xml"}  # edXML packages (QCVN 102:2016); a .xml only when it is one
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | IMAGE_SUFFIXES | EDXML_SUFFIXES | {".docx", ".pdf"}
OCR_MODES = ("auto", "always", "never")
# Formats we recognise but cannot read yet: the code of the reason (data/notes.json), which says
# what the clerk can do about it.
KNOWN_UNREADABLE = {".doc": "old-word", ".xls": "spreadsheet", ".xlsx": "spreadsheet"}
# First bytes of the image formats we OCR.
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


def read(path: str | Path, ocr: str = "auto", jobs: int = 1) -> SourceText:
    """Read one file into lines; raise ReadError naming the reason when it cannot be read.

    ``jobs`` > 1 OCRs a scanned document's pages in that many processes.
    """
    if ocr not in OCR_MODES:
        raise ValueError(f"ocr must be one of {OCR_MODES}, not {ocr!r}")
    path = Path(path)
    size = _regular_size(path)
    head = _head(path)
    kind = sniff(head, path.suffix.lower())
    _check_size(path, size, kind)
    if kind in ("text", "html"):
        from .text import looks_binary

        if looks_binary(_sample(path)):
            raise ReadError(str(path), "binary-file")
    if kind == "pdf":
        from .pdf import read_pdf

        source = read_pdf(path, ocr=ocr, jobs=jobs)
    elif kind == "image":
        from .image import read_image

        source = read_image(path, ocr=ocr)
    elif kind == "docx":
        from .docx import read_docx

        source = read_docx(path)
    elif kind == "html":
        from .html import read_html

        source = read_html(path)
    elif kind == "edxml":
        from ..edxml import read_package

        source = read_package(path, read, ocr=ocr, jobs=jobs)
    elif kind == "text":
        from .text import read_text

        source = read_text(path)
    else:
        raise _unreadable(path, kind)
    if not source.text.strip():
        if source.format in ("txt", "md"):
            raise ReadError(str(path), "empty-file")
        raise ReadError(str(path), "no-text")
    return source


def _regular_size(path: Path) -> int:
    """The size of a regular file; ReadError for what is not one (a FIFO blocks, /dev/zero never ends)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ReadError(str(path), "not-found") from None
    except OSError as err:
        raise ReadError(str(path), "cannot-open", err.strerror or str(err)) from None
    if stat.S_ISDIR(info.st_mode):
        raise ReadError(str(path), "is-directory")
    if not stat.S_ISREG(info.st_mode):
        raise ReadError(str(path), "not-regular-file")
    return info.st_size


def _check_size(path: Path, size: int, kind: str) -> None:
    """Refuse, with the limit's name, a file too large to be one document (before reading it)."""
    lim = limits()
    if size > lim.file_mb * 1e6 * (1.5 if kind == "edxml" else 1):  # edXML: base64 files (edxml.PACKAGE_OVERHEAD)
        raise ReadError(str(path), "file-too-large", **lim.over(megabytes(size), "file_mb"))
    if kind in ("text", "html") and size > lim.text_mb * 1e6:
        raise ReadError(str(path), "text-too-large", **lim.over(megabytes(size), "text_mb"))


def _sample(path: Path, size: int = 1 << 16) -> bytes:
    with path.open("rb") as fh:
        return fh.read(size)


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            head = fh.read(2048)
    except FileNotFoundError:
        raise ReadError(str(path), "not-found") from None
    except IsADirectoryError:
        raise ReadError(str(path), "is-directory") from None
    except OSError as err:
        raise ReadError(str(path), "cannot-open", err.strerror or str(err)) from None
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ReadError(str(path), "empty-file")
    return head


def sniff(head: bytes, suffix: str) -> str:
    """"pdf", "docx", "html", "image", "edxml" or "text" by content first, else why not: the code of
    a reason, with ":<suffix>" for "unsupported-type"."""
    if head.lstrip(b"\x00\t\r\n ").startswith(b"%PDF") or suffix == ".pdf":
        return "pdf"
    if head.startswith(IMAGE_MAGIC) or suffix in IMAGE_SUFFIXES:
        return "image"
    if head.startswith(b"PK") or suffix == ".docx":
        return "docx" if suffix in (".docx", "") or head.startswith(b"PK\x03\x04") else f"unsupported-type:{suffix}"
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: legacy Word/Excel
        return KNOWN_UNREADABLE.get(suffix, "old-office")
    if suffix in EDXML_SUFFIXES or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml"):
        from ..edxml import is_package

        if is_package(head):
            return "edxml"
        if suffix in EDXML_SUFFIXES:
            return "xml-not-edxml"
    if suffix in HTML_SUFFIXES or _looks_like_html(head):
        return "html"
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in KNOWN_UNREADABLE:
        return KNOWN_UNREADABLE[suffix]
    return f"unsupported-type:{suffix}" if suffix else "no-extension"


def _unreadable(path: Path, kind: str) -> ReadError:
    """The ReadError of what `sniff` could not name a reader for."""
    if kind.startswith("unsupported-type:"):
        return ReadError(str(path), "unsupported-type", kind.partition(":")[2])
    if kind == "old-word":
        return ReadError(str(path), "old-word")
    if kind == "spreadsheet":
        return ReadError(str(path), "spreadsheet")
    if kind == "old-office":
        return ReadError(str(path), "old-office")
    if kind == "xml-not-edxml":
        return ReadError(str(path), "xml-not-edxml")
    return ReadError(str(path), "no-extension")


def _looks_like_html(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html"))
