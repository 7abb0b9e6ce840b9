"""Plain-text and Markdown files: decode whatever encoding an office machine wrote, drop portal junk.

Text pasted from legal portals and saved by Notepad arrives as UTF-8 (with or without BOM),
UTF-16 (Notepad's "Unicode"), Windows-1258 (Vietnamese ANSI, whose tones are *combining*
marks, so it must be NFC-normalised), or with the legacy TCVN3/VNI font bytes typed straight
into the file. Lines keep their leading spaces: two-space indentation is how a portal marks
the wrapped piece of a header cell, and segmentation uses it.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from ..records import Line, ReadError, SourceText
from ..vocab import vocab

# The same buttons glued to the end of a text line (the seed ends "…Tải Văn bản gốc" on one line).
TRAILING_JUNK = re.compile(r"\s*(?:Tải\s+Văn\s+bản\s+(?:tiếng\s+Việt|gốc)|In\s+văn\s+bản)\s*$")
FRONT_MATTER = re.compile(r"\A---\r?\n.*?\r?\n---\r?\n", re.DOTALL)
# A portal's Markdown export puts a metadata table first and the document under this heading.
MD_BODY_HEADING = re.compile(r"^#{1,4}\s*(?:VĂN BẢN|NỘI DUNG(?: VĂN BẢN)?|TOÀN VĂN)\s*$", re.MULTILINE)
MD_METADATA_HEADING = re.compile(r"^#{1,4}\s*(?:THÔNG TIN VĂN BẢN|Thông tin văn bản|THUỘC TÍNH(?: VĂN BẢN)?)\s*$",
                                 re.MULTILINE)
DOCUMENT_HEADER_MARK = re.compile(r"^\W*Số\s*:|CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM|Độc lập\s*-\s*Tự do", re.MULTILINE)
# cp1258 writes most tones as combining marks after the vowel byte: their presence after
# vowels is the fingerprint that tells it from cp1252/latin-1.
CP1258_TONES = re.compile(rb"[aeiouyAEIOUY\xe2\xea\xf4\xf5\xfd\xc2\xca\xd4\xd5\xdd\xe3\xc3][\xcc\xec\xd2\xde\xf2]")


def read_text(path: Path) -> SourceText:
    data = path.read_bytes()
    text, encoding = decode(data, str(path))
    text = text.replace("\x00", "")  # a half-written save: NULs cut numbers and no store can hold them
    notes = []
    from ..legacy import repair_legacy

    text, legacy = repair_legacy(text)
    if legacy:
        notes.append(f"converted from {legacy.upper()}")
        encoding = f"{encoding}+{legacy}"
    fmt = "md" if path.suffix.lower() in (".md", ".markdown") else "txt"
    if fmt == "md":
        text = markdown_to_text(text)
    lines = [Line(unicodedata.normalize("NFC", raw)) for raw in split_lines(text)]
    return SourceText(str(path), fmt, drop_junk(lines), encoding=encoding, notes=notes)


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Text and the encoding it was read with; BOMs first, then UTF-8, UTF-16, cp1258."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    if looks_like_utf16(data):
        sample = data[:4000]
        enc = "utf-16-le" if sample[1::2].count(0) >= sample[0::2].count(0) else "utf-16-be"
        return data.decode(enc, errors="replace"), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mostly = mostly_utf8(data)
    if mostly is not None:
        return mostly, "utf-8"
    legacy = legacy_bytes(data)
    if CP1258_TONES.search(data):
        cp1258 = data.decode("cp1258", errors="replace")
        if legacy is None or vietnamese_words(cp1258) >= vietnamese_words(legacy[0]):
            return cp1258, "cp1258"
    if legacy is not None:
        return legacy
    return decode_by_guess(data, name)


def mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few broken bytes (a bad sector, a cut copy): decoded, the broken bytes as
    U+FFFD, rather than the whole file read in a wrong code page. None when it is not that."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    letters = sum(1 for ch in text if ch >= "\x80") - broken
    return text if broken * 20 < letters else None


def legacy_bytes(data: bytes) -> tuple[str, str] | None:
    """(text, "latin-1") when the bytes are TCVN3/VNI typed with a legacy font and saved as 8-bit
    text: their code points are the font's bytes (``repair_legacy`` converts them), and TCVN3
    bytes would otherwise pass for cp1258, VNI bytes for a Baltic code page."""
    from ..legacy import detect_legacy

    text = data.decode("latin-1")
    return (text, "latin-1") if detect_legacy(text) else None


# Frequent Vietnamese words: which of two decodings reads as Vietnamese.
COMMON_WORDS = frozenset("""và của các có được cho với trong không này theo người năm ngày tháng số về việc
    công văn tỉnh thực hiện đơn vị quy định nhà nước các cơ quan đề nghị ban hành kế hoạch báo cáo
    thông tin chỉ đạo triển khai tổ chức hướng dẫn nội dung trên địa bàn""".split())


def vietnamese_words(text: str) -> int:
    from ..legacy import convert_legacy, detect_legacy

    legacy = detect_legacy(text)
    if legacy:
        text = convert_legacy(text, legacy)
    words = re.findall(r"\w+", unicodedata.normalize("NFC", text[:200_000]).lower())
    return sum(word in COMMON_WORDS for word in words)


# Characters no text document is made of: C0 controls but tab/newlines/form feed, U+FFFD (bytes no
# encoding accepted), unassigned and private-use code points, surrogates.
def looks_binary(data: bytes) -> bool:
    """True when bytes named as text are binary data (a program, an archive, random bytes):
    decoded as well as the reader can, more than 2 % of the characters are not text."""
    if not data:
        return False
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) and not looks_like_utf16(data):
        cut = data.rfind(b"\n", 0, len(data))
        data = data[: cut + 1] if cut > len(data) // 2 else data  # do not split a UTF-8 sequence
    try:
        text, _ = decode(data, "")
    except ReadError:
        return True
    bad = sum(text.count(ch) for ch in set(text) if (ch < " " and ch not in "\t\n\r\f") or ch == "\ufffd"
              or unicodedata.category(ch) in ("Cn", "Co", "Cs"))  # each distinct character tested once, counted if bad
    return bad > 0.02 * len(text)


def looks_like_utf16(data: bytes) -> bool:
    """UTF-16 without BOM: every other byte of ASCII-heavy text is NUL."""
    sample = data[:4000]
    return len(sample) >= 4 and sample.count(b"\x00") > len(sample) // 3


def decode_by_guess(data: bytes, name: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ReadError(name, "unknown-encoding")
    return str(best), best.encoding


MD_SIGNED = re.compile(r"^\W*Nơi\s+nhận\b")
MD_HEADING = re.compile(r"^#{1,6}\s+")
MD_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
MD_STAR_ITALIC = re.compile(r"(?<![\w*])\*(\S.*?\S|\S)\*(?![\w*])")
MD_UNDERSCORE_ITALIC = re.compile(r"(?<![\w_])_(\S.*?\S|\S)_(?![\w_])")
MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")
MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")


def markdown_to_text(text: str) -> str:
    """Drop front matter and metadata before the document, and the Markdown markup."""
    text = FRONT_MATTER.sub("", text, count=1)
    heading = MD_BODY_HEADING.search(text)
    if heading:
        text = without_portal_metadata(text, heading)
    out = []
    signed = False
    for line in text.splitlines():
        if signed and is_commentary_heading(line):
            break  # the portal's own notes after the document ("## Điểm mới chính", "## Bối cảnh")
        signed = signed or bool(MD_SIGNED.match(line))
        line = MD_HEADING.sub("", line)
        if "*" in line or "_" in line:  # (the markup patterns below need these characters)
            line = MD_BOLD.sub(lambda m: m.group(1) or m.group(2), line)
            line = MD_STAR_ITALIC.sub(r"\1", line)
            line = MD_UNDERSCORE_ITALIC.sub(r"\1", line)  # _italic_ (căn cứ, date line)
        if "\\" in line:
            line = MD_ESCAPE.sub(r"\1", line)
        if MD_TABLE_RULE.match(line):  # a table's separator row
            continue
        if line.strip().startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if is_layout_row(cells):  # the two columns of a header or footer: one line each
                out.extend(cell for cell in cells if cell)
                continue
            line = "  ".join(cells)
        out.append(line.rstrip())
    return "\n".join(out)


# What only the cells of a dispatch's header or footer table hold.
LAYOUT_CELL = re.compile(r"CỘNG\s+H[OÒ]A\s+XÃ\s+HỘI|^\s*Số\s*:|,\s*ngày\s+\d{1,2}\s+tháng|^\s*Kính\s+gửi|"
                         r"^\s*Nơi\s+nhận|^\s*(?:TM|KT|TL|TUQ)\.|^\s*(?:T/M|K/T|T/L)\s", re.I)


def is_layout_row(cells: list[str]) -> bool:
    """A table row of at most three cells, one of which holds a Decree 30 header/footer mark."""
    filled = [c for c in cells if c]
    return 1 <= len(filled) <= 3 and any(LAYOUT_CELL.search(c) for c in filled)


def is_commentary_heading(line: str) -> bool:
    """A Markdown heading in sentence case that is no appendix or form: a portal's commentary."""
    m = re.match(r"^#{1,6}\s+(.+)$", line.strip())
    if not m:
        return False
    title = m.group(1).strip("*_ ")
    letters = [c for c in title if c.isalpha()]
    upper = letters and sum(c.isupper() for c in letters) >= 0.85 * len(letters)
    return not upper and not re.match(r"(?:Phụ\s+lục|Mẫu|Biểu|Điều|Chương|Mục|Phần)\b", title, re.I)


def without_portal_metadata(text: str, body_heading: re.Match) -> str:
    """The document without the portal's metadata section that precedes its "VĂN BẢN" heading.

    Most exports put the metadata first, so everything before the heading goes; some print the
    document's own header (Số, the motto) first and the metadata after it: that header stays.
    """
    before = text[: body_heading.start()]
    metas = list(MD_METADATA_HEADING.finditer(before))
    cut = metas[-1].start() if metas else len(before)
    if DOCUMENT_HEADER_MARK.search(before[:cut]):  # the header came first: it stays
        return before[:cut] + text[body_heading.end():]
    return text[body_heading.end():]


def split_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


@lru_cache(maxsize=1)
def portal_junk() -> re.Pattern:
    """Whole lines that legal portals append or interleave ("download", "print", "share" buttons)."""
    phrases = sorted(vocab()["portal_junk"], key=len, reverse=True)
    spaced = "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)
    return re.compile(rf"^\s*(?:{spaced}|Page\s*\d+\s*of\s*\d+|Trang\s+\d+\s*/\s*\d+)\s*:?\s*$", re.I)


# A portal's editorial note inside the text: "[Nội dung này được đính chính bởi Công văn 666/BYT-BH …]".
EDITORIAL_NOTE = re.compile(r"\s*\[(?:Nội\s+dung|Khoản|Điều|Điểm|Cụm\s+từ|Mục|Chương)\s+(?:này|[^\]]{0,40}?)\s*"
                            r"(?:được|bị|đã\s+được)\s+[^\]]{0,300}\]")


def drop_junk(lines: list[Line]) -> list[Line]:
    kept = []
    for line in lines:
        if portal_junk().match(line.text):
            continue
        stripped = line.text
        if "[" in stripped:  # (each pattern needs its first word or bracket: most lines are passed at once)
            stripped = EDITORIAL_NOTE.sub("", stripped)
        if "Tải" in stripped or "In" in stripped:
            stripped = TRAILING_JUNK.sub("", stripped)
        if stripped != line.text and not stripped.strip():
            continue
        kept.append(Line(stripped) if stripped != line.text else line)
    return kept
