"""PDF reader (pdfplumber): visual lines, with the header and signature columns taken apart.

A Decree 30 page puts two columns side by side twice: the header (issuer, "Số", "V/v" on the
left; motto, slogan, place and date on the right) and the signature block ("Nơi nhận" on the
left; authority, title, name on the right). pdfplumber's ``extract_text`` interleaves them line
by line ("BỘ TÀI CHÍNH CỘNG HÒA XÃ HỘI…"). We extract each page's words once, group them into
visual lines by their ``top``, and inside those two regions cut each line at the wide gap that
straddles the column boundary (the x where the motto starts; where the signer's lines start).
A region's left lines come first (LEFT), then its right lines (RIGHT), tagged HEADER/FOOTER;
body lines between are FULL. Running page numbers are dropped.

The cost is one ``extract_words`` per page, about what ``extract_text`` costs; everything else
is arithmetic on word boxes. PDFs typeset in legacy TCVN3/VNI fonts are converted. Pages
without a usable text layer are OCR'd (``ocr/``) and their words, with boxes and confidences,
go through the same line and column logic; a page with a good text layer is never rendered.
"""
from __future__ import annotations

import datetime as dt
import re
import statistics
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from pathlib import Path

from ..legacy import convert_legacy, detect_legacy, legacy_font_encoding
from ..limits import limits
from ..records import FOOTER, FULL, HEADER, LEFT, RIGHT, Line, Note, ReadError, ScannedLine, SourceText
from ..decree30 import AUTHORITY, KINH_GUI, MOTTO, NOI_NHAN, SLOGAN
from ..vocab import type_title
from .docx import short_reason
from .ocr import LANG as LANG_NAME
from .ocr import STAMP_PAD, covers_text

LINE_TOLERANCE = 3.0  # pt: words whose tops differ less are on one visual line
GLUE_GAP = 0.5  # pt: words this close were split by a stray zero-width space ("CỘ NG")
MIN_COLUMN_GAP = 10.0  # pt: the least gap that can separate two columns
GAP_FACTOR = 3.0  # … or this many median word gaps, whichever is larger
RIGHT_SLACK = 40.0  # pt: a right-column line may start this far left of the boundary (a long date)
CENTRED_TOLERANCE = 12.0  # pt: a line this close to the text-area centre is a full-width title
HEADER_ZONE = 0.45  # the motto must be in this top fraction of page 1
FOOTER_SEARCH = 80  # lines from the end searched for "Nơi nhận" / the signing authority
AUTHORITY_ABOVE = 12  # a signer block may stand this many lines above "Nơi nhận"
SIGNER_ABOVE = 6  # … and this many right-column lines without an authority prefix
MARGIN_BAND = 0.12  # top/bottom fraction of a page where running page numbers sit
MIN_CHARS_PER_PAGE = 10  # fewer text characters than this per page: a scan
# A header line the signing software leaves blank and stamps over: "Số:      /TB-UBND",
# "Quảng Ngãi, ngày      tháng 01 năm 2025".
BLANK_NUMBER = re.compile(r"^Số\s*[:.]?\s*[.…_]*\s*/")
BLANK_DAY = re.compile(r"ngày\s*[.…_]*\s*tháng", re.I)
PAGE_NUMBER = re.compile(r"^\s*(?:[-–—]\s*)?(?:Trang\s+)?\d{1,4}(?:\s*/\s*\d{1,4})?(?:\s*[-–—])?\s*$", re.I)
CID = re.compile(r"\(cid:\d+\)")


@dataclass
class VisualLine:
    """Words at one height on one page, in x order."""

    words: list[dict]
    page: int
    page_height: float

    @property
    def x0(self) -> float:
        return self.words[0]["x0"]

    @property
    def x1(self) -> float:
        return max(w["x1"] for w in self.words)

    @property
    def top(self) -> float:
        return min(w["top"] for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w["bottom"] for w in self.words)

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2

    @cached_property
    def text(self) -> str:
        return join_words(self.words)


@dataclass
class PdfSource(SourceText):
    """A PDF's text, with the signature dictionaries found in it (evidence; the last fallback
    for a date the text leaves blank)."""

    signatures: list = field(default_factory=list)


@dataclass
class Pages:
    """What a PDF parser gave: each page's words and size, and the boxes of its images."""

    words: list[list[dict]]
    sizes: list[tuple[float, float]]
    images: list[list[dict]]
    encoding: str = ""
    annotated: list[int] | None = None  # the pages with annotations (None: not known, every page)
    form: bool = True  # has an interactive form, where signatures live (True when not known)


def read_pdf(path: Path, ocr: str = "never", jobs: int = 1) -> SourceText:
    """Read a PDF into lines; ReadError for corrupt, encrypted or (without OCR) scanned files.

    ``ocr``: "never" reads the text layer only; "auto" also OCRs the pages without a usable
    text layer and the blank number/date of a signed PDF's header (stamped in by the signing
    software) when the stamp is not text; "always" OCRs every page. ``jobs`` > 1 OCRs the pages
    in that many processes. The text the signing software draws in annotations (the stamped
    number and day) is read from their appearance streams; a PDF pdfminer cannot parse is read
    with pdfium.
    """
    path = Path(path)
    notes: list[str] = []
    try:
        pages = pdfminer_pages(path, ocr)
    except ReadError as err:
        if not err.reason.startswith("corrupt PDF"):
            raise
        pages = pdfium_pages(path, ocr, err)
        notes.append(f"read with pdfium: pdfminer could not parse it ({err.reason.removeprefix('corrupt PDF: ')})")
    if pages.encoding:
        notes.append(f"converted from {pages.encoding.upper()}")
    words, sizes = pages.words, pages.sizes
    page_count = len(words)
    scanned = pages_to_ocr(pages, ocr)
    drawn = annotation_text(path, notes, pages.annotated)
    stamps = []
    for index, items in drawn.items():
        if index not in scanned:
            words[index], found = merge_overlays(words[index], items, sizes[index][1])
            stamps += found
    note_stamps(notes, stamps)
    stamped = (stamped_bands(words[0], sizes[0], drawn.get(0, []), pages.images[0])
               if ocr == "auto" and page_count and 0 not in scanned else [])
    text_chars = sum(len(w["text"]) for page in words for w in page)
    signatures = signature_evidence(path, notes) if pages.form else []
    if ocr == "never" or (text_chars >= MIN_CHARS_PER_PAGE * page_count and not scanned and not stamped):
        if text_chars < MIN_CHARS_PER_PAGE * max(1, page_count):
            raise ReadError(str(path), "pdf-scanned")
        lines = [line for i, page in enumerate(words) for line in group_lines(page, i + 1, sizes[i][1])]
    else:
        lines = ocr_lines(path, words, sizes, scanned, stamped, jobs, notes, drawn, signatures,
                          whole=text_chars < MIN_CHARS_PER_PAGE * max(1, page_count))
    cid = sum(len(CID.findall(line.text)) for line in lines)
    if cid:
        notes.append(f"{cid} characters without a Unicode mapping ((cid:N)) in the PDF fonts")
    return PdfSource(str(path), "pdf", arrange(drop_page_numbers(lines)), pages=page_count,
                     encoding=pages.encoding, notes=notes, signatures=signatures)


def pdfminer_pages(path: Path, ocr: str) -> Pages:
    """Words, sizes and image boxes of every page from pdfplumber (pdfminer)."""
    pdf = _open(path)
    try:
        with pdf:
            pages = pdf.pages
            words = [[] if ocr == "always" else page_words(page) for page in pages]
            encoding = detect_legacy(" ".join(w["text"] for page in words for w in page)) or ""
            if encoding:  # second pass with font names: ".VnTimeH" runs must be upper-cased
                words = [page_words(page, encoding) for page in pages]
            sizes = [(float(page.width), float(page.height)) for page in pages]
            images = [list(page.images) for page in pages]
            annotated = [i for i, page in enumerate(pages) if page.page_obj.annots]
            form = "AcroForm" in pdf.doc.catalog
    except ReadError:
        raise
    except Exception as exc:  # pdfminer fails lazily, page by page
        raise _error(path, exc) from None
    return Pages(words, sizes, images, encoding, annotated, form)


def pdfium_pages(path: Path, ocr: str, err: ReadError) -> Pages:
    """The same from pdfium's text pages, for a PDF pdfminer cannot parse; `err` (pdfminer's
    reason) when pdfium cannot open it either."""
    from . import pdfium

    try:
        read = pdfium.read_pages(path)
    except Exception as exc:
        if pdfium.is_password_error(exc):
            raise ReadError(str(path), "pdf-encrypted") from None
        raise err from None
    words = [[] if ocr == "always" else page for page, _, _, _ in read]
    encoding = detect_legacy(" ".join(w["text"] for page in words for w in page)) or ""
    if encoding:  # no font names here: every word converted with the document's encoding
        words = [[dict(w, text=convert_legacy(w["text"], encoding)) for w in page] for page in words]
    return Pages(words, [(width, height) for _, width, height, _ in read], [images for _, _, _, images in read], encoding)


def annotation_text(path: Path, notes: list[str], pages: list[int] | None = None) -> dict:
    """The words each annotation draws, by page index ({} when pdfium cannot read them), on the
    given pages (None: all). A PDF without annotations, most of them, is not opened again."""
    if pages == []:
        return {}
    from . import pdfium

    try:
        return pdfium.overlays(path, pages)
    except Exception as exc:  # evidence only: a page without it is still read
        notes.append(f"annotations not read: {short_reason(exc)}")
        return {}


def merge_overlays(words: list[dict], items: list, page_height: float) -> tuple[list[dict], list]:
    """The page's words with the text annotations stamp into its lines (a number or a day
    filling a blank: one line of words standing in a gap of a line of the page), and the other
    annotations that draw text (signature stamps: "Ký bởi: …", the time; evidence, not content)."""
    lines = group_lines(words, 1, page_height)
    merged = list(words)
    stamps = []
    for item in items:
        if not item.words:
            continue
        own = group_lines(item.words, 1, page_height)
        target = None
        if len(own) == 1:
            middle = (own[0].top + own[0].bottom) / 2
            target = next((line for line in lines if line.top - 2 <= middle <= line.bottom + 2), None)
        if target is not None and any(covers_text(w, target.words, target.top, target.bottom) for w in item.words):
            target = None  # drawn over the line's own words (a comment, a seal's text): not a filled blank
        if target is None:
            stamps.append(item)
        else:
            merged += [dict(w, top=target.top, bottom=target.bottom) for w in item.words]
    return merged, stamps


def note_stamps(notes: list[str], stamps: list) -> None:
    for item in stamps:
        text = join_words(sorted(item.words, key=itemgetter("top", "x0")))
        notes.append(f"signature stamp: {text[:160]}")


def signature_evidence(path: Path, notes: list[str]) -> list:
    """The signature dictionaries (earliest first), each also described in the notes. (They are
    fields of the PDF's form: a PDF without one, most of them, is not opened again to look.)"""
    from . import pdfium

    try:
        found = pdfium.signatures(path)
    except Exception:  # evidence only
        return []
    notes += [signature.describe() for signature in found]
    return found


SIGNED_WITHIN = 7  # days: an OCR'd date further before the signing than this is doubted


def date_from_signature(record, source) -> None:
    """Check a signed PDF's date against its digital signatures (earliest first).

    A date the text leaves blank (a day stamped as an image, or written by hand and unread)
    takes the signing date as the last fallback, with a warning saying so. A letter is signed
    the day it is dated or a little later, so a date after the signing, or an OCR'd date long
    before it, is sent to review; the signing date itself always needs a person's check."""
    name_from_certificate(record, source)
    signatures = [s for s in getattr(source, "signatures", []) if s.signed_at]
    if record.kind != "dispatch" or not signatures:
        return
    first = signatures[0]
    by = f" by {first.subject}" if first.subject else ""
    flag = getattr(record, "flag", lambda name, reason: None)
    if not record.issued_on:
        record.issued_on = first.signed_on
        signed = first.signed_at + (f" — {first.subject}" if first.subject else "")
        record.warnings.append(Note("date-from-signature", "issued_on", signed))
        flag("issued_on", f"ngày lấy từ chữ ký số (ký lúc {first.signed_at}{by.replace(' by ', ', ')}), cần kiểm tra")
        return
    try:
        gap = (dt.date.fromisoformat(first.signed_on) - dt.date.fromisoformat(record.issued_on)).days
    except ValueError:
        return
    scanned = any(isinstance(line, ScannedLine) for line in source.lines)
    if any(note.startswith(HANDWRITTEN_NOTE) for note in getattr(source, "notes", [])):
        flag("issued_on", "ngày viết tay, đọc bằng OCR (đã đối chiếu ngày ký số), cần kiểm tra")
    if gap < 0:
        flag("issued_on", f"ngày văn bản sau ngày ký số ({first.signed_on})")
    elif scanned and gap > SIGNED_WITHIN:
        flag("issued_on", f"ngày đọc bằng OCR sớm hơn ngày ký số ({first.signed_on}) {gap} ngày")


def name_from_certificate(record, source) -> None:
    """An OCR'd signer's name spelled as a signer certificate spells it, when the two are the
    same name but for the diacritics ("Trần Phước Hiên" read, "Trần Phước Hiền" certified): the
    certificate is typed, the scan's tones are guessed. A text layer's name is left as printed."""
    from ..normalize import fold

    name = record.signer.name
    if not name or not any(isinstance(line, ScannedLine) for line in source.lines):
        return
    for signature in getattr(source, "signatures", []):
        subject = signature.subject
        if subject != name and fold(subject) == fold(name) and 2 <= len(subject.split()) <= 5:
            record.signer.name = subject
            record.warnings.append(Note("signer-name-from-certificate", "signer.name", subject))
            return


def pages_to_ocr(pages: Pages, ocr: str) -> list[int]:
    """Indexes of the pages to OCR: all with "always"; with "auto", those whose text layer is
    missing or unusable but that show an image (a blank page is not worth rendering)."""
    if ocr == "always":
        return list(range(len(pages.words)))
    if ocr != "auto":
        return []
    return [i for i, words in enumerate(pages.words) if not usable_text(words) and pages.images[i]]


def usable_text(words: list[dict]) -> bool:
    """A text layer worth reading: some characters, most of them mapped to Unicode."""
    text = "".join(w["text"] for w in words)
    return len(text) >= MIN_CHARS_PER_PAGE and len("".join(CID.findall(text))) < len(text) / 2


def ocr_lines(path: Path, words: list[list[dict]], sizes: list[tuple[float, float]], scanned: list[int],
              stamped: list[tuple], jobs: int, notes: list[str], drawn: dict, signatures: list,
              whole: bool) -> list[VisualLine]:
    """Visual lines of every page: text layer where usable, OCR words where not."""
    from . import ocr as ocr_mod

    problem = ocr_mod.tesseract_problem()
    if problem and whole:
        raise ReadError(str(path), "pdf-scanned-no-ocr", problem)
    if problem:
        notes.append(f"not OCR'd: stamped header, and {problem}")  # the text layer still gives a record
        scanned, stamped = [], []
    words = list(words)
    too_many = len(scanned) - limits().ocr_pages
    if too_many > 0:  # a whole archive box scanned into one file: refused before hours of OCR
        raise ReadError(str(path), "pdf-too-many-pages", **limits().over(f"{len(scanned)} pages", "ocr_pages"))
    pages = ocr_mod.ocr_pdf_pages(path, scanned, jobs) if scanned else {}
    stamps = []
    for index, page in pages.items():
        words[index], found = merge_overlays(page.words, drawn.get(index, []), page.height)
        sizes[index] = (page.width, page.height)
        stamps += found
    note_stamps(notes, stamps)
    if 0 in pages:
        words[0] = handwritten_day(path, words[0], sizes[0], signatures, notes)
    if stamped:
        words[0] = words[0] + ocr_mod.ocr_pdf_bands(path, 0, stamped, words[0])
    lines = []
    for i, page_words_ in enumerate(words):
        tolerance = ocr_mod.line_tolerance(page_words_) if i in pages else LINE_TOLERANCE
        lines += group_lines(page_words_, i + 1, sizes[i][1], tolerance)
    note_ocr(notes, lines, scanned, stamped, len(words))
    if not any(line.text.strip() for line in lines):
        raise ReadError(str(path), "pdf-scanned-no-text")
    return lines


YEAR_TAIL = re.compile(r"^n[aă]m\s*(?P<y>\d{4})", re.I)
DAY = re.compile(r"^\d{1,2}$")
HANDWRITTEN_NOTE = "hand-written date read by OCR"


def split_glued(words: list[dict]) -> list[dict]:
    """A date line's words with "ngày" and "tháng" cut off what the pen glued to them
    ("ngàytháng", "04tháng", "ngày3"): copies, boxes shared out by characters."""
    from ..normalize import fold

    out = []
    for word in words:
        text, key = word["text"], fold(word["text"])
        cuts = sorted({i for i in (key.find("thang", 1), 4 if key.startswith("ngay") and len(key) > 4 else -1,
                                   5 if key.startswith("thang") and len(key) > 5 else -1) if i > 0})
        if not cuts or len(key) != len(text):
            out.append(word)
            continue
        width = (word["x1"] - word["x0"]) / len(text)
        for a, b in zip([0] + cuts, cuts + [len(text)]):
            out.append(dict(word, text=text[a:b], x0=word["x0"] + a * width, x1=word["x0"] + b * width - GLUE_GAP,
                            glued=(word["x0"], word["x1"])))
    return out


def handwritten_day(path: Path, words: list[dict], size: tuple[float, float], signatures: list,
                    notes: list[str]) -> list[dict]:
    """The day and month of an OCR'd first page's date line when they were written by hand
    ("ngày AT tháng 01 năm 2025", "ngày3", "ngày 0†", "ngày tháng năm 2024"): Tesseract's own
    reading, else what it reads in digits alone in the blank, is kept when the date can be the
    letter's: on or up to SIGNED_WITHIN days before the earliest digital signature (unsigned:
    when every reading agrees with high confidence). The digits then carry a low confidence, so
    the date goes to review, and a note says so. A signed letter's date that fits no reading is
    left blank (the signing date is the fallback, flagged); an unsigned one's is left as read."""
    from . import ocr as ocr_mod
    from ..normalize import fold

    for line in group_lines(words, 1, size[1], ocr_mod.line_tolerance(words)):
        if line.top > HEADER_ZONE * size[1]:
            break
        parts = split_glued(line.words)
        keys = [fold(w["text"]) for w in parts]
        start = next((k for k, t in enumerate(keys) if t == "ngay"), None)
        mid = next((k for k, t in enumerate(keys) if start is not None and k > start and t == "thang"), None)
        last = next((k for k, t in enumerate(keys) if mid is not None and k > mid and t == "nam"), None)
        if last is None:
            continue
        year = YEAR_TAIL.match(join_words(parts[last:]))
        if not year:
            return words
        day_part, month_part = parts[start + 1:mid], parts[mid + 1:last]
        if parts[start].get("conf", 100.0) < ocr_mod.LOW_CONFIDENCE:
            day_part = [dict(w, conf=min(w.get("conf", 100.0), parts[start]["conf"])) for w in day_part]  # the pen ran into "ngày"
        if surely_read(day_part) and surely_read(month_part):  # printed, or read surely
            return words if len(parts) == len(line.words) else [w for w in words if not any(w is v for v in line.words)] + parts
        days = own_reading(day_part) + ([] if surely_read(day_part) else crop_readings(path, parts[start], parts[mid]))
        months = own_reading(month_part) + ([] if surely_read(month_part) else
                                            crop_readings(path, parts[mid], parts[last], 0.0))
        found = plausible_date(days, months, int(year.group("y")), signatures)
        if found is None and not signatures:
            return words
        keep = [w for w in words if not any(w is v for v in line.words)]
        keep += [w for k, w in enumerate(parts) if not (start < k <= mid or mid < k < last)]
        # "ngày" and "tháng" apart, though a pen's stroke widened the box of one over the other
        keep.append(dict(parts[mid], x0=max(parts[mid]["x0"], parts[start]["x1"] + 2 * GLUE_GAP)))
        if found is None:
            keep += month_part  # the month stays as read
            notes.append("hand-written date not readable: day left blank")
            return keep
        (day, day_conf), (month, month_conf) = found
        for text, conf, before, after in ((day, day_conf, parts[start], parts[mid]),
                                          (month, month_conf, parts[mid], parts[last])):
            x0 = before["x1"] + GLUE_GAP  # in the gap: the digits must not glue onto the words
            sure = conf >= 100.0
            keep.append({"text": text if sure else text.zfill(2), "x0": x0,
                         "x1": max(x0 + 0.01, after["x0"] - GLUE_GAP), "top": before["top"], "bottom": before["bottom"],
                         "conf": conf if sure else min(conf, ocr_mod.HANDWRITTEN_CONFIDENCE)})
        checked = f", within {SIGNED_WITHIN} days before the signing ({signatures[0].signed_on})" if signatures else ""
        notes.append(f"{HANDWRITTEN_NOTE}: day {day}, month {month}{checked}")
        return keep
    return words


def surely_read(part: list[dict]) -> bool:
    from .ocr import LOW_CONFIDENCE

    return len(part) == 1 and bool(DAY.match(part[0]["text"])) and part[0].get("conf", 100.0) >= LOW_CONFIDENCE


def own_reading(part: list[dict]) -> list[tuple[str, float]]:
    """Tesseract's page reading of a day or month (look-alike letters as digits) three times, as
    one source of readings; 100 % for a sure or printed one."""
    from .ocr import DIGIT_LOOKALIKES

    text = "".join(w["text"] for w in part).translate(DIGIT_LOOKALIKES)
    if not DAY.match(text):
        return []
    conf = 100.0 if surely_read(part) else min(w.get("conf", 100.0) for w in part)
    return [(text, conf)] * 3


def crop_readings(path: Path, before: dict, after: dict, overrun: float = 0.75) -> list[tuple[str, float]]:
    """Tesseract's digit readings in the blank between two words of the date line (a pen
    overruns "ngày": the box starts inside it)."""
    from . import ocr as ocr_mod

    left, right = before.get("glued", (before["x0"], before["x1"]))  # "ngày⁄†§" as Tesseract boxed it
    x0 = left + overrun * (right - left) if overrun else right
    height = before["bottom"] - before["top"]
    if after["x0"] - x0 < 4:
        return []
    box = (x0, before["top"] - 0.4 * height, after["x0"], before["bottom"] + 0.3 * height)
    try:
        return ocr_mod.read_digits(path, 0, box)
    except Exception:  # a rendering or Tesseract failure leaves the blank unread
        return []


def plausible_date(days: list[tuple[str, float]], months: list[tuple[str, float]], year: int,
                   signatures: list) -> tuple | None:
    """((day, conf), (month, conf)): the first readings, best source first (three readings a
    source), that make a date the letter can bear (see plausible_day); unsigned, the month too
    must be read surely or by every mode with high confidence."""
    for m in range(0, len(months), 3):
        month = agreed(months[m:m + 3])
        if not month or (not signatures and months[m:m + 3].count(months[m]) < 3) or month[1] < 80 and not signatures:
            continue
        for d in range(0, len(days), 3):
            day = plausible_day(days[d:d + 3], int(month[0]), year, signatures)
            if day:
                return day, month
    return None


def agreed(readings: list[tuple[str, float]]) -> tuple[str, float] | None:
    """The reading most segmentation modes agree on, with its best confidence."""
    if not readings:
        return None
    texts = [t for t, _ in readings]
    text = max(set(texts), key=texts.count)
    return text, max(c for t, c in readings if t == text)


def plausible_day(readings: list[tuple[str, float]], month: int, year: int, signatures: list) -> tuple[str, float] | None:
    """The agreed reading, when it makes a date the letter can bear: on or up to SIGNED_WITHIN
    days before the earliest signature; unsigned, when all three readings agree with high
    confidence."""
    found = agreed(readings)
    if found is None:
        return None
    text, conf = found
    try:
        date = dt.date(year, month, int(text))
    except ValueError:
        return None
    signed = [s for s in signatures if s.signed_at]
    if signed:
        gap = (dt.date.fromisoformat(signed[0].signed_on) - date).days
        return (text, conf) if 0 <= gap <= SIGNED_WITHIN else None
    texts = [t for t, _ in readings]
    return (text, conf) if texts.count(text) == len(texts) == 3 and conf >= 80 else None


def note_ocr(notes: list[str], lines: list[VisualLine], scanned: list[int], stamped: list, page_count: int) -> None:
    confs = [w["conf"] for line in lines for w in line.words if "conf" in w]
    if not confs:
        return
    mean = sum(confs) / len(confs)
    if scanned:
        notes.append(f"OCR (Tesseract {LANG_NAME}) on {len(scanned)} of {page_count} page(s), "
                     f"mean word confidence {mean:.0f}%")
    elif stamped:
        notes.append(f"OCR (Tesseract {LANG_NAME}) of the stamped number/date on page 1, "
                     f"mean word confidence {mean:.0f}%")


def _open(path: Path):
    import pdfplumber  # imported here: loading pdfminer costs time the other readers need not pay

    try:
        return pdfplumber.open(path)
    except FileNotFoundError:
        raise ReadError(str(path), "not-found") from None
    except Exception as exc:
        raise _error(path, exc) from None


def _error(path: Path, exc: BaseException) -> ReadError:
    """Encrypted or corrupt, from an exception pdfminer/pdfplumber raised (possibly wrapped)."""
    chain, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__ or next((a for a in getattr(exc, "args", ()) if isinstance(a, BaseException)), None)
    if any("Password" in type(e).__name__ or "Encrypt" in type(e).__name__ for e in chain):
        return ReadError(str(path), "pdf-encrypted")
    return ReadError(str(path), "pdf-corrupt", short_reason(chain[-1]))


# ------------------------------------------------------------------------------ lines


def page_words(page, legacy: str | None = None) -> list[dict]:
    """The page's words from its text layer (one extract_words call), converted from a legacy font."""
    if legacy:
        words = page.extract_words(keep_blank_chars=False, use_text_flow=False, extra_attrs=["fontname"])
        for word in words:
            word["text"] = _convert_word(word, legacy)
        return words
    return page.extract_words(keep_blank_chars=False, use_text_flow=False)


def group_lines(words: list[dict], number: int, page_height: float,
                tolerance: float = LINE_TOLERANCE) -> list[VisualLine]:
    """Words (from a text layer or OCR) grouped into visual lines by their top, each in x order."""
    words = sorted(words, key=itemgetter("top"))
    lines: list[VisualLine] = []
    current: list[dict] = []
    line_top = 0.0
    for word in words:
        if current and word["top"] - line_top > tolerance:
            lines.append(VisualLine(sorted(current, key=itemgetter("x0")), number, page_height))
            current = []
        if not current:
            line_top = word["top"]
        current.append(word)
    if current:
        lines.append(VisualLine(sorted(current, key=itemgetter("x0")), number, page_height))
    return lines


def _convert_word(word: dict, legacy: str) -> str:
    font = legacy_font_encoding(word.get("fontname"))
    encoding, all_caps = font if font else (legacy, False)
    text = convert_legacy(word["text"], encoding)
    return text.upper() if all_caps else text


def join_words(words: list[dict]) -> str:
    parts = [words[0]["text"]]
    for prev, word in zip(words, words[1:]):
        if spaced(prev, word):
            parts.append(" ")
        parts.append(word["text"])
    return unicodedata.normalize("NFC", "".join(parts))


def spaced(prev: dict, word: dict) -> bool:
    """Whether a space stands between two words of a line: a gap of GLUE_GAP; or, for two words
    Tesseract read apart, any gap (a pixel of a 200 dpi scan is a third of a point: "tỉnhQuảng"
    is Tesseract's "tỉnh" and "Quảng")."""
    gap = word["x0"] - prev["x1"]
    return gap >= GLUE_GAP or ("conf" in prev and "conf" in word and gap > 0)


def drop_page_numbers(lines: list[VisualLine]) -> list[VisualLine]:
    """Remove a lone number at the top or bottom margin of a page (running page numbers)."""
    drop = set()
    for i, line in enumerate(lines):
        first_on_page = i == 0 or lines[i - 1].page != line.page
        last_on_page = i == len(lines) - 1 or lines[i + 1].page != line.page
        in_top = line.bottom < MARGIN_BAND * line.page_height
        in_bottom = line.top > (1 - MARGIN_BAND) * line.page_height
        if PAGE_NUMBER.match(line.text) and ((first_on_page and in_top and line.page > 1) or (last_on_page and in_bottom)):
            drop.add(i)
    return [line for i, line in enumerate(lines) if i not in drop]


def stamped_bands(words: list[dict], size: tuple[float, float], items: list, images: list[dict]) -> list[tuple[tuple, tuple]]:
    """(line box, stamp box) pairs, each (x0, top, x1, bottom): page-1 header lines whose number
    or day is still blank (no text drawn over it), and the annotation or image drawn over the
    blank (the signing software stamps the number and date in as a picture). A draft's blank
    number stays blank."""
    width, height = size
    lines = [line for line in group_lines(words, 1, height) if line.top < HEADER_ZONE * line.page_height]
    blank = [line for line in lines if BLANK_NUMBER.search(line.text) or BLANK_DAY.search(line.text)]
    if not blank:
        return []
    overlays = [item.box for item in items] + [(o["x0"], o["top"], o["x1"], o["bottom"]) for o in images]
    pairs = []
    for line in blank:
        top, bottom = line.top - STAMP_PAD, line.bottom + STAMP_PAD
        for x0, o_top, x1, o_bottom in overlays:
            if o_top < bottom and o_bottom > top and x1 - x0 < 0.6 * width:
                box = (max(0.0, float(x0)), max(0.0, float(o_top)), min(width, float(x1)), min(height, float(o_bottom)))
                pairs.append(((line.x0, line.top, line.x1, line.bottom), box))
    return pairs


# ---------------------------------------------------------------------------- regions


def arrange(lines: list[VisualLine]) -> list[Line]:
    """Lines in reading order: header columns, body, signature columns, whatever follows."""
    if not lines:
        return []
    gap = column_gap(lines)
    centre = text_centre(lines)
    header = header_region(lines, centre, gap)
    start = header[0] if header else 0
    footer = footer_region(lines, start, centre, gap)
    out: list[Line] = []
    if header:
        end, boundary = header
        out += split_columns(lines[:end], boundary, gap, HEADER)
    body_end = footer[0] if footer else len(lines)
    out += [make_line(line.words, FULL, "", line.page) for line in lines[start:body_end]]
    if footer:
        begin, end, boundary = footer
        out += split_columns(lines[begin:end], boundary, gap, FOOTER)
        out += [make_line(line.words, FULL, "", line.page) for line in lines[end:]]
    return out


def make_line(words: list[dict], column: str, block: str, page: int) -> Line:
    """A reader line from words; a ScannedLine with token confidences when OCR gave any word."""
    if not any("conf" in w for w in words):
        return Line(join_words(words), column, block, page)
    box = (min(w["x0"] for w in words), min(w["top"] for w in words),
           max(w["x1"] for w in words), max(w["bottom"] for w in words))
    return ScannedLine(join_words(words), column, block, page, token_confidences(words), box)


def token_confidences(words: list[dict]) -> tuple:
    """One confidence per token of ``join_words(words)`` (text-layer words count as 100)."""
    confs: list[float] = []
    for k, word in enumerate(words):
        conf = word.get("conf", 100.0)
        count = max(1, len(word["text"].split()))
        if k and confs and not spaced(words[k - 1], word):  # glued onto the previous token
            confs[-1] = min(confs[-1], conf)
            count -= 1
        confs += [conf] * count
    return tuple(confs)


def column_gap(lines: list[VisualLine]) -> float:
    """The least gap between two words that may separate columns: a few word spaces."""
    gaps = [b["x0"] - a["x1"] for line in lines[:400] for a, b in zip(line.words, line.words[1:])
            if b["x0"] - a["x1"] >= GLUE_GAP]
    typical = statistics.median(gaps) if gaps else 0.0
    return max(MIN_COLUMN_GAP, GAP_FACTOR * typical)


def text_centre(lines: list[VisualLine]) -> float:
    """The horizontal centre of the text area (between the usual left and right text edges)."""
    lefts = sorted(line.x0 for line in lines)
    rights = sorted(line.x1 for line in lines)
    return (lefts[len(lefts) // 20] + rights[-1 - len(rights) // 20]) / 2


def split_at_boundary(line: VisualLine, boundary: float, gap: float) -> int | None:
    """Index of the first right-column word when a wide gap in `line` straddles `boundary`."""
    best, best_gap = None, 0.0
    for k in range(1, len(line.words)):
        left, right = line.words[k - 1], line.words[k]
        width = right["x0"] - left["x1"]
        if width >= gap and width > best_gap and right["x0"] >= boundary - RIGHT_SLACK and left["x1"] <= boundary + 5:
            best, best_gap = k, width
    return best


def is_two_column_line(line: VisualLine, boundary: float, centre: float, gap: float) -> bool:
    """False for a line that crosses the boundary unbroken or is centred on the page (a body line)."""
    if split_at_boundary(line, boundary, gap) is not None:
        return True
    crossing = line.x0 < boundary - RIGHT_SLACK and line.x1 > boundary + 5
    centred = abs(line.centre - centre) < CENTRED_TOLERANCE and line.x0 < boundary
    return not (crossing or centred)


def header_region(lines: list[VisualLine], centre: float, gap: float) -> tuple[int, float] | None:
    """(end index, column boundary) of the page-1 header, found from the motto line."""
    page1 = [i for i, line in enumerate(lines) if line.page == lines[0].page]
    anchor = None
    for i in page1:
        line = lines[i]
        if line.top > HEADER_ZONE * line.page_height:
            break
        match = MOTTO.search(line.text) or SLOGAN.search(line.text)
        if match and starts_column(line, match.start(), gap):
            anchor = (i, word_at(line, match.start())["x0"])
            if MOTTO.search(line.text):
                break
    if anchor is None:
        return None
    index, boundary = anchor
    end = index + 1
    for i in page1[index + 1:]:
        line = lines[i]
        text = line.text
        if KINH_GUI.match(text) or type_title(text) or not is_two_column_line(line, boundary, centre, gap):
            break
        end = i + 1
    return end, boundary


def word_at(line: VisualLine, offset: int) -> dict:
    """The word of `line` that holds character `offset` of ``line.text``."""
    return line.words[_word_index(line, offset)[0]]


def _word_index(line: VisualLine, offset: int) -> tuple[int, int]:
    """(index of the word holding character `offset` of ``line.text``, that word's start offset)."""
    position = 0
    for k, word in enumerate(line.words):
        if k and spaced(line.words[k - 1], word):
            position += 1
        end = position + len(unicodedata.normalize("NFC", word["text"]))
        if offset < end:
            return k, position
        position = end
    return len(line.words) - 1, position


def starts_column(line: VisualLine, offset: int, gap: float) -> bool:
    """Whether the text at `offset` opens a column: it starts a word that starts the line or
    follows a wide gap (the motto quoted inside a sentence does not)."""
    k, start = _word_index(line, offset)
    return start == offset and (k == 0 or line.words[k]["x0"] - line.words[k - 1]["x1"] >= gap)


def footer_region(lines: list[VisualLine], first: int, centre: float, gap: float) -> tuple[int, int, float] | None:
    """(start, end, column boundary) of the signature block: from "Nơi nhận"/the authority line."""
    tail = range(max(first, len(lines) - FOOTER_SEARCH), len(lines))
    receivers = [i for i in tail if NOI_NHAN.match(lines[i].text)]
    authority = [i for i in tail if right_part_authority(lines[i], centre, gap) is not None]
    if receivers:
        start = receivers[-1]
        above = [i for i in authority if start - AUTHORITY_ABOVE <= i <= start]
        start = min(above + [start])
    elif authority:
        start = authority[-1]
        while start - 1 in authority:
            start -= 1
    else:
        return None
    boundary = right_part_x0(lines[start], centre, gap)
    if boundary is None:
        found = [right_part_authority(lines[i], centre, gap) for i in authority if i >= start]
        boundary = found[0] if found else centre
    # A signer's title without "KT./TM." ("GIÁM ĐỐC") may stand a row above "Nơi nhận".
    lowest = max(first + 1, start - SIGNER_ABOVE)
    while start > lowest and lines[start - 1].x0 >= boundary - RIGHT_SLACK:
        start -= 1
    end = start + 1
    while end < len(lines) and is_two_column_line(lines[end], boundary, centre, gap):
        end += 1
    return start, end, boundary


def right_part_x0(line: VisualLine, centre: float, gap: float) -> float | None:
    """x0 of the part after the widest gap of a line, when that part lies right of the centre."""
    widths = [(line.words[k]["x0"] - line.words[k - 1]["x1"], k) for k in range(1, len(line.words))]
    if not widths:
        return line.x0 if line.x0 > centre else None
    width, k = max(widths)
    if width >= gap and line.words[k]["x0"] > centre - RIGHT_SLACK:
        return line.words[k]["x0"]
    return line.x0 if line.x0 > centre else None


def right_part_authority(line: VisualLine, centre: float, gap: float) -> float | None:
    """x0 of a "TM./KT./TL. …" authority that stands in the right column of `line`."""
    x0 = right_part_x0(line, centre, gap)
    if x0 is None:
        return None
    text = join_words([w for w in line.words if w["x0"] >= x0])
    return x0 if AUTHORITY.match(text) else None


def split_columns(lines: list[VisualLine], boundary: float, gap: float, block: str) -> list[Line]:
    """A two-column region's left lines, then its right lines."""
    left: list[Line] = []
    right: list[Line] = []
    for line in lines:
        k = split_at_boundary(line, boundary, gap)
        if k is not None:
            left.append(make_line(line.words[:k], LEFT, block, line.page))
            right.append(make_line(line.words[k:], RIGHT, block, line.page))
        elif line.x1 <= boundary + 5:
            left.append(make_line(line.words, LEFT, block, line.page))
        else:
            right.append(make_line(line.words, RIGHT, block, line.page))
    return left + right
