"""What pdfium (pypdfium2, which pdfplumber ships with) reads where pdfminer does not.

- **Annotation appearances.** E-office systems print a letter with the number and the day blank
  and stamp them in at signing as signature widgets; the digits are text in the widgets'
  appearance streams (form XObjects nested two or three deep), not in the page content that
  pdfminer reads. pdfium flattens a page's annotations into its content; the characters that
  appear inside an annotation's rectangle are that annotation's words, boxed in the same page
  coordinates (points from the top-left) as pdfplumber's words.
- **Pages pdfminer cannot parse** ("maximum recursion depth exceeded" on deeply nested forms):
  pdfium's text page gives every character with its box; the words built from them go through
  the same line and column logic.
- **Signature dictionaries**: signing time (/M), reason, and the signer certificate's subject
  (from the PKCS#7 in /Contents), kept as evidence and as the last fallback for the date.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

WORD_GAP = 3.0  # pt: characters further apart than this are two words (pdfplumber's x_tolerance)
ASCENT, DESCENT = 0.9, 0.22  # of the font size: a line's box above and below its baseline
LINE_SHIFT = 3.0  # pt: a character whose top moved this much starts a new line
# Annotations drawn with an appearance that may hold text (not links, popups or markup).
TEXT_ANNOTATIONS = {"WIDGET", "FREETEXT", "STAMP"}
CONTROL = {"\r", "\n", "\x00", "\ufeff"}
DASHES = {"\x02": "-", "\ufffe": "-"}  # pdfium's soft hyphens


@dataclass
class Overlay:
    """Text an annotation draws on a page: its rectangle (x0, top, x1, bottom) and its words."""

    box: tuple
    kind: str
    words: list[dict] = field(default_factory=list)


@dataclass
class Signature:
    """A signature dictionary: when, why, and whose certificate."""

    signed_at: str = ""  # "2024-03-14 16:32:10 +07:00", "" when absent
    reason: str = ""
    subject: str = ""  # the signer certificate's subject common name

    @property
    def signed_on(self) -> str:
        return self.signed_at[:10]

    def describe(self) -> str:
        parts = [f"signed {self.signed_at}" if self.signed_at else "signing time not given"]
        if self.subject:
            parts.append(f"by {self.subject}")
        if self.reason:
            parts.append(f"reason: {self.reason}")
        return "digital signature: " + ", ".join(parts)


def open_document(path, forms: bool = False):
    """A pypdfium2 document; raises pypdfium2's PdfiumError when pdfium cannot open it either."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    if forms:
        pdf.init_forms()
    return pdf


def is_password_error(exc: BaseException) -> bool:
    return "password" in str(exc).lower()


# ----------------------------------------------------------------------------- words


def page_origin(page) -> tuple[float, float]:
    """(left, top) of the media box: pdfplumber measures x from the left and y down from the top."""
    left, _, _, top = page.get_mediabox()
    return float(left), float(top)


def page_chars(page) -> list[tuple[str, float, float, float, float]]:
    """(char, x0, top, x1, bottom) of every character of a page, in pdfplumber's coordinates."""
    import pypdfium2.raw as pdfium_c

    import ctypes

    left, top = page_origin(page)
    origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
    textpage = page.get_textpage()
    try:
        chars = []
        for i in range(textpage.count_chars()):
            code = pdfium_c.FPDFText_GetUnicode(textpage, i)
            ch = DASHES.get(chr(code), chr(code)) if code else ""
            if not ch or ch in CONTROL:
                continue
            x0, _, x1, _ = textpage.get_charbox(i, loose=True)
            # The line's box from the baseline and the font size, as pdfminer makes it: the same
            # for every character of a line (glyph boxes rise with "Ồ" and drop with "g").
            pdfium_c.FPDFText_GetCharOrigin(textpage, i, origin_x, origin_y)
            size = pdfium_c.FPDFText_GetFontSize(textpage, i) or 10.0
            baseline = top - origin_y.value
            chars.append((ch, x0 - left, baseline - ASCENT * size, x1 - left, baseline + DESCENT * size))
        return chars
    finally:
        textpage.close()


def words_from_chars(chars) -> list[dict]:
    """Words as pdfplumber's extract_words gives them: split at spaces, wide gaps and line breaks."""
    words: list[dict] = []
    current: list = []

    def close():
        if current:
            text = unicodedata.normalize("NFC", "".join(c[0] for c in current))
            words.append({"text": text, "x0": min(c[1] for c in current), "top": min(c[2] for c in current),
                          "x1": max(c[3] for c in current), "bottom": max(c[4] for c in current)})
            current.clear()

    for char in chars:
        ch, x0, top, x1, bottom = char
        if ch.isspace():
            close()
            continue
        if current:
            last = current[-1]
            combining = unicodedata.combining(ch) > 0
            if not combining and (x0 - last[3] > WORD_GAP or x0 < last[1] - WORD_GAP or abs(top - last[2]) > LINE_SHIFT):
                close()
        current.append(char)
    close()
    return words


def read_pages(path) -> list[tuple[list[dict], float, float, list[dict]]]:
    """(words, width, height, image boxes) of every page, from pdfium's text pages."""
    pdf = open_document(path)
    try:
        pages = []
        for page in pdf:
            width, height = page.get_size()
            pages.append((words_from_chars(page_chars(page)), float(width), float(height), image_boxes(page)))
            page.close()
        return pages
    finally:
        pdf.close()


def image_boxes(page) -> list[dict]:
    """Boxes of the images drawn on a page (x0, top, x1, bottom), as pdfplumber's page.images."""
    import pypdfium2.raw as pdfium_c

    left, top = page_origin(page)
    boxes = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        x0, y0, x1, y1 = obj.get_bounds()
        boxes.append({"x0": x0 - left, "top": top - y1, "x1": x1 - left, "bottom": top - y0})
    return boxes


# -------------------------------------------------------------------------- annotations


def annotation_boxes(page) -> list[tuple[tuple, str]]:
    """((x0, top, x1, bottom), kind) of the annotations of a page that may draw text."""
    import pypdfium2.raw as pdfium_c

    names = {getattr(pdfium_c, f"FPDF_ANNOT_{kind}"): kind for kind in TEXT_ANNOTATIONS}
    left, top = page_origin(page)
    boxes = []
    for i in range(pdfium_c.FPDFPage_GetAnnotCount(page)):
        annot = pdfium_c.FPDFPage_GetAnnot(page, i)
        try:
            kind = names.get(pdfium_c.FPDFAnnot_GetSubtype(annot))
            rect = pdfium_c.FS_RECTF()
            if kind and pdfium_c.FPDFAnnot_GetRect(annot, rect):
                x0, x1 = sorted((rect.left, rect.right))
                y0, y1 = sorted((rect.bottom, rect.top))
                boxes.append(((x0 - left, top - y1, x1 - left, top - y0), kind))
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
    return boxes


def overlays(path, indexes=None) -> dict[int, list[Overlay]]:
    """The text each annotation draws, by page index (pages without such annotations left out).

    The page is flattened (pdfium draws every visible annotation's appearance into the content)
    and the characters that were not in the content before and lie inside an annotation's box
    become that annotation's words.
    """
    pdf = open_document(path, forms=True)
    found: dict[int, list[Overlay]] = {}
    try:
        for index in range(len(pdf)) if indexes is None else indexes:
            page = pdf[index]
            boxes = annotation_boxes(page)
            if not boxes:
                page.close()
                continue
            before = {key(c) for c in page_chars(page)}
            page.flatten()
            page.close()
            page = pdf[index]  # a flattened page shows its new content only once loaded again
            added = [c for c in page_chars(page) if key(c) not in before]
            page.close()
            items = [Overlay(box, kind) for box, kind in boxes]
            for item in items:
                x0, top, x1, bottom = item.box
                inside = [c for c in added if x0 - 1 <= (c[1] + c[3]) / 2 <= x1 + 1 and top - 1 <= (c[2] + c[4]) / 2 <= bottom + 1]
                item.words = words_from_chars(inside)
                added = [c for c in added if c not in inside]
            found[index] = items
    finally:
        pdf.close()
    return found


def key(char) -> tuple:
    return (char[0], round(char[1]), round(char[2]))


# --------------------------------------------------------------------------- signatures


PDF_DATE = re.compile(r"D:(\d{4})(\d\d)(\d\d)(\d\d)?(\d\d)?(\d\d)?\s*(?:([+-])(\d\d)'?(\d\d)?'?|Z)?")


def pdf_date(text: str) -> str:
    """"D:20240314163210+07'00'" → "2024-03-14 16:32:10 +07:00" ("" when not a PDF date)."""
    m = PDF_DATE.search(text or "")
    if not m:
        return ""
    year, month, day, hour, minute, second, sign, tz_h, tz_m = m.groups()
    out = f"{year}-{month}-{day}"
    if hour:
        out += f" {hour}:{minute or '00'}:{second or '00'}"
        if sign:
            out += f" {sign}{tz_h}:{tz_m or '00'}"
    return out


def signatures(path) -> list[Signature]:
    """The document's signature dictionaries, in signing order (earliest first)."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    pdf = open_document(path)
    found = []
    try:
        for i in range(pdfium_c.FPDF_GetSignatureCount(pdf)):
            sig = pdfium_c.FPDF_GetSignatureObject(pdf, i)
            size = pdfium_c.FPDFSignatureObj_GetTime(sig, None, 0)
            buffer = ctypes.create_string_buffer(size)
            pdfium_c.FPDFSignatureObj_GetTime(sig, buffer, size)
            when = pdf_date(buffer.value.decode("latin-1", "replace"))
            size = pdfium_c.FPDFSignatureObj_GetReason(sig, None, 0)
            buffer = ctypes.create_string_buffer(size)
            pdfium_c.FPDFSignatureObj_GetReason(sig, buffer, size)
            reason = buffer.raw[:max(0, size - 2)].decode("utf-16-le", "replace")
            size = pdfium_c.FPDFSignatureObj_GetContents(sig, None, 0)
            buffer = ctypes.create_string_buffer(size)
            pdfium_c.FPDFSignatureObj_GetContents(sig, buffer, size)
            signature = Signature(when, clean(reason), certificate_subject(buffer.raw))
            if signature not in found:  # one signature shown by several widgets is listed once each
                found.append(signature)
    finally:
        pdf.close()
    return sorted(found, key=lambda s: s.signed_at or "9999")


def clean(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.replace("\x00", " ").split()))


def der_prefix(data: bytes) -> bytes:
    """The DER value at the start of `data` (a signature's /Contents is zero-padded to a fixed size)."""
    if len(data) < 2 or data[0] != 0x30:
        return data
    size = data[1]
    if size < 0x80:
        return data[:2 + size]
    count = size & 0x7F
    return data[:2 + count + int.from_bytes(data[2:2 + count], "big")]


def certificate_subject(der: bytes) -> str:
    """The common name of the signer's certificate in a PKCS#7 signature ("" when unreadable):
    the certificate no other one in the bundle was issued by (the leaf, not its CAs)."""
    if not der:
        return ""
    try:
        from cryptography.hazmat.primitives.serialization import pkcs7
        from cryptography.x509.oid import NameOID

        certs = pkcs7.load_der_pkcs7_certificates(der_prefix(der))
    except Exception:  # no cryptography, or a signature it cannot parse: evidence only
        return ""
    issuers = {c.issuer for c in certs}
    leaves = [c for c in certs if c.subject not in issuers or c.subject == c.issuer] or certs
    for cert in leaves:
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        if names:
            return clean(str(names[0].value))
    return ""
