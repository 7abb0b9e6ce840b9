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
without a usable text layer are OCR'd (``ocr.py``) and their words, with boxes and confidences,
go through the same line and column logic; a page with a good text layer is never rendered.
"""
from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from pathlib import Path

from ..legacy import convert_legacy, detect_legacy, legacy_font_encoding
from ..records import FOOTER, FULL, HEADER, LEFT, RIGHT, Line, ReadError, SourceText
from ..segment import AUTHORITY, KINH_GUI, MOTTO, NOI_NHAN, SLOGAN
from ..vocab import type_title
from .docx import short_reason
from .ocr import LANG as LANG_NAME
from .ocr import STAMP_PAD, ScannedLine

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


def read_pdf(path: Path, ocr: str = "never", jobs: int = 1) -> SourceText:
    """Read a PDF into lines; ReadError for corrupt, encrypted or (without OCR) scanned files.

    ``ocr``: "never" reads the text layer only; "auto" also OCRs the pages without a usable
    text layer and the blank number/date of a signed PDF's header (stamped in by the signing
    software); "always" OCRs every page. ``jobs`` > 1 OCRs the pages in that many processes.
    """
    path = Path(path)
    pdf = _open(path)
    try:
        with pdf:
            pages = pdf.pages
            page_count = len(pages)
            words = [[] if ocr == "always" else page_words(page) for page in pages]
            notes: list[str] = []
            encoding = detect_legacy(" ".join(w["text"] for page in words for w in page)) or ""
            if encoding:  # second pass with font names: ".VnTimeH" runs must be upper-cased
                words = [page_words(page, encoding) for page in pages]
                notes.append(f"converted from {encoding.upper()}")
            scanned = pages_to_ocr(pages, words, ocr)
            stamped = stamped_bands(pages[0], words[0]) if ocr == "auto" and pages and 0 not in scanned else []
            sizes = [(float(page.width), float(page.height)) for page in pages]
    except ReadError:
        raise
    except Exception as exc:  # pdfminer fails lazily, page by page
        raise _error(path, exc) from None
    text_chars = sum(len(w["text"]) for page in words for w in page)
    if ocr == "never" or (text_chars >= MIN_CHARS_PER_PAGE * page_count and not scanned and not stamped):
        if text_chars < MIN_CHARS_PER_PAGE * max(1, page_count):
            raise ReadError(str(path), "no text layer: scanned PDF, OCR not available")
        lines = [line for i, page in enumerate(words) for line in group_lines(page, i + 1, sizes[i][1])]
    else:
        lines = ocr_lines(path, words, sizes, scanned, stamped, jobs, notes,
                          whole=text_chars < MIN_CHARS_PER_PAGE * max(1, page_count))
    cid = sum(len(CID.findall(line.text)) for line in lines)
    if cid:
        notes.append(f"{cid} characters without a Unicode mapping ((cid:N)) in the PDF fonts")
    return SourceText(str(path), "pdf", arrange(drop_page_numbers(lines)), pages=page_count,
                      encoding=encoding, notes=notes)


def pages_to_ocr(pages, words: list[list[dict]], ocr: str) -> list[int]:
    """Indexes of the pages to OCR: all with "always"; with "auto", those whose text layer is
    missing or unusable but that show an image (a blank page is not worth rendering)."""
    if ocr == "always":
        return list(range(len(pages)))
    if ocr != "auto":
        return []
    return [i for i, page in enumerate(pages) if not usable_text(words[i]) and page.images]


def usable_text(words: list[dict]) -> bool:
    """A text layer worth reading: some characters, most of them mapped to Unicode."""
    text = "".join(w["text"] for w in words)
    return len(text) >= MIN_CHARS_PER_PAGE and len("".join(CID.findall(text))) < len(text) / 2


def ocr_lines(path: Path, words: list[list[dict]], sizes: list[tuple[float, float]], scanned: list[int],
              stamped: list[tuple], jobs: int, notes: list[str], whole: bool) -> list[VisualLine]:
    """Visual lines of every page: text layer where usable, OCR words where not."""
    from . import ocr as ocr_mod

    try:
        ocr_mod.require_ocr(str(path), "no text layer: scanned PDF" if whole else "stamped header")
    except ReadError as err:
        if whole:
            raise
        notes.append(f"not OCR'd: {err.reason}")  # the text layer still gives a record
        scanned, stamped = [], []
    words = list(words)
    pages = ocr_mod.ocr_pdf_pages(path, scanned, jobs) if scanned else {}
    for index, page in pages.items():
        words[index] = page.words
        sizes[index] = (page.width, page.height)
    if stamped:
        words[0] = words[0] + ocr_mod.ocr_pdf_bands(path, 0, stamped, words[0])
    lines = []
    for i, page_words_ in enumerate(words):
        tolerance = ocr_mod.line_tolerance(page_words_) if i in pages else LINE_TOLERANCE
        lines += group_lines(page_words_, i + 1, sizes[i][1], tolerance)
    note_ocr(notes, lines, scanned, stamped, len(words))
    if not any(line.text.strip() for line in lines):
        raise ReadError(str(path), "no text layer: scanned PDF, and OCR found no text in it")
    return lines


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
        raise ReadError(str(path), "not found") from None
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
        return ReadError(str(path), "encrypted PDF: a password is needed")
    return ReadError(str(path), f"corrupt PDF: {short_reason(chain[-1])}")


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
        if word["x0"] - prev["x1"] >= GLUE_GAP:
            parts.append(" ")
        parts.append(word["text"])
    return unicodedata.normalize("NFC", "".join(parts))


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


def stamped_bands(page, words: list[dict]) -> list[tuple[tuple, tuple]]:
    """(line box, stamp box) pairs, each (x0, top, x1, bottom): page-1 header lines whose number
    or day is blank in the text layer, and the form field or image drawn over the blank (the
    signing software stamps the number and date in). A draft's blank number stays blank."""
    lines = [line for line in group_lines(words, 1, float(page.height)) if line.top < HEADER_ZONE * line.page_height]
    blank = [line for line in lines if BLANK_NUMBER.search(line.text) or BLANK_DAY.search(line.text)]
    if not blank:
        return []
    overlays = [a for a in page.annots if "Widget" in str(a.get("data", {}).get("Subtype", ""))] + page.images
    pairs = []
    for line in blank:
        top, bottom = line.top - STAMP_PAD, line.bottom + STAMP_PAD
        for o in overlays:
            if o["top"] < bottom and o["bottom"] > top and o["x1"] - o["x0"] < 0.6 * float(page.width):
                box = (max(0.0, float(o["x0"])), max(0.0, float(o["top"])),
                       min(float(page.width), float(o["x1"])), min(float(page.height), float(o["bottom"])))
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
    return ScannedLine(join_words(words), column, block, page, token_confidences(words))


def token_confidences(words: list[dict]) -> tuple:
    """One confidence per token of ``join_words(words)`` (text-layer words count as 100)."""
    confs: list[float] = []
    for k, word in enumerate(words):
        conf = word.get("conf", 100.0)
        count = max(1, len(word["text"].split()))
        if k and confs and word["x0"] - words[k - 1]["x1"] < GLUE_GAP:  # glued onto the previous token
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
        if k and word["x0"] - line.words[k - 1]["x1"] >= GLUE_GAP:
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
