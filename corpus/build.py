"""Render every corpus source (`corpus/src/*.json`) into the formats it names, with its gold.

    python corpus/build.py            # all formats; PDFs through LibreOffice when `soffice` is found
    python corpus/build.py --no-pdf   # keep the PDFs already in docs/ (scans are still made from them)

For each source and each format it writes `docs/<id>__<fmt>.<ext>` and the gold record
`docs/<id>__<fmt>.json` (the source's `gold` plus `source`, the rendered file's name). Files in
docs/ that no source produces any more are removed. The output is deterministic: a rerun gives
the same bytes, except the creation dates LibreOffice writes into PDFs. Scans ("scan") are made
from the source's own PDF, so a source with "scan" must also have "pdf".
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm

ROOT = Path(__file__).resolve().parent
SRC, DOCS = ROOT / "src", ROOT / "docs"
sys.path.insert(0, str(ROOT.parent))  # `pipeline` for the record shape and the TCVN3 encoder

from pipeline.docxwriter import Fonts, is_upper_line  # noqa: E402
from pipeline.docxwriter import Writer as BaseWriter  # noqa: E402
from pipeline.records import Record  # noqa: E402

EXTENSIONS = {
    "txt": "txt", "txt-flat": "txt", "txt-cp1258": "txt", "txt-utf16": "txt", "md": "md",
    "docx": "docx", "docx-tcvn3": "docx", "pdf": "pdf", "scan": "pdf",
    "pdf-esigned": "pdf", "pdf-pdfminer-breaking": "pdf", "scan-esigned": "pdf",
}
# PDFs printed by LibreOffice from the source's DOCX, then changed the way real files differ.
PRINTED = ("pdf", "pdf-esigned", "pdf-pdfminer-breaking")
GOLD_KEYS = [k for k in Record("").to_dict() if k not in ("source", "spans", "warnings", "review")]
SOURCE_KEYS = {
    "id", "formats", "parent_body", "issuer", "number_line", "place_date", "urgency",
    "doc_type_title", "subject_lines", "recipients", "body", "distribution", "signer",
    "raw_text", "gold", "layout", "esign",
}
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
FIXED_TIME = datetime(2024, 1, 1)
ZIP_TIME = (2024, 1, 1, 0, 0, 0)
VML, OFFICE = "urn:schemas-microsoft-com:vml", "urn:schemas-microsoft-com:office:office"


def out_name(src_id: str, fmt: str) -> str:
    return f"{src_id}__{fmt}.{EXTENSIONS[fmt]}"


def gold_name(src_id: str, fmt: str) -> str:
    return f"{src_id}__{fmt}.json"


def pick(src_id: str, salt: str, n: int) -> int:
    """A stable pseudo-random choice in range(n) for one document (Python's hash() is salted)."""
    return int(hashlib.sha1(f"{src_id}:{salt}".encode()).hexdigest(), 16) % n


# --------------------------------------------------------------------------- sources


def load_sources(src_dir: Path = SRC) -> list[dict]:
    sources, seen = [], set()
    for path in sorted(src_dir.glob("*.json")):
        src = json.loads(path.read_text(encoding="utf-8"))
        check_source(src, path)
        if src["id"] in seen:
            raise ValueError(f"{path.name}: duplicate id {src['id']!r}")
        seen.add(src["id"])
        sources.append(src)
    return sources


def check_source(src: dict, path: Path) -> None:
    unknown = set(src) - SOURCE_KEYS
    if unknown:
        raise ValueError(f"{path.name}: unknown keys {sorted(unknown)}")
    if src.get("id") != path.stem:
        raise ValueError(f"{path.name}: id {src.get('id')!r} differs from the file stem")
    bad = [f for f in src.get("formats", []) if f not in EXTENSIONS]
    if not src.get("formats") or bad:
        raise ValueError(f"{path.name}: formats must be a non-empty subset of {list(EXTENSIONS)}")
    if "scan" in src.get("formats", []) and "pdf" not in src["formats"]:
        raise ValueError(f"{path.name}: a scan is made from the PDF: add 'pdf' to formats")
    if "scan-esigned" in src.get("formats", []) and "pdf-esigned" not in src["formats"]:
        raise ValueError(f"{path.name}: a signed scan is made from the e-signed PDF: add 'pdf-esigned' to formats")
    if "pdf-esigned" in src.get("formats", []) and not src.get("esign"):
        raise ValueError(f"{path.name}: pdf-esigned needs 'esign' (signed_at, signer_cn, reason, location)")
    if sorted(src.get("gold", {})) != sorted(GOLD_KEYS):
        raise ValueError(f"{path.name}: gold keys must be exactly {GOLD_KEYS}")
    if src.get("raw_text") is None:
        for key in ("issuer", "number_line", "place_date", "body", "signer"):
            if not src.get(key):
                raise ValueError(f"{path.name}: a structured source needs {key!r}")
    for text in strings_in(src):
        if unicodedata.normalize("NFC", text) != text:
            raise ValueError(f"{path.name}: text is not NFC: {text[:60]!r}")


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v)


@dataclass
class Doc:
    """A structured source with its parts split into printed lines."""

    id: str
    parent_lines: list[str]
    issuer_lines: list[str]
    number_line: str
    place_date: str
    urgency: str
    title: str
    subject_lines: list[str]
    recipients: list[str]
    body: list[str]
    distribution: list[str]
    authority_lines: list[str]
    signer_title_lines: list[str]
    mark: str
    name: str
    layout: dict = field(default_factory=dict)

    @classmethod
    def from_source(cls, src: dict) -> "Doc":
        signer = src["signer"]
        split = lambda s: [part.strip() for part in (s or "").split("\n") if part.strip()]  # noqa: E731
        return cls(
            id=src["id"], parent_lines=split(src.get("parent_body")),
            issuer_lines=split(src["issuer"]), number_line=src["number_line"],
            place_date=src["place_date"], urgency=src.get("urgency", ""),
            title=src.get("doc_type_title", ""), subject_lines=list(src.get("subject_lines", [])),
            recipients=list(src.get("recipients", [])), body=list(src["body"]),
            distribution=list(src.get("distribution", [])),
            authority_lines=split(signer.get("authority")), signer_title_lines=split(signer.get("title")),
            mark=signer.get("mark", ""), name=signer.get("name", ""), layout=src.get("layout") or {},
        )

    @property
    def is_cong_van(self) -> bool:
        return not self.title

    @property
    def single_recipient(self) -> bool:
        return len(self.recipients) == 1 and not self.recipients[0].startswith("-")


# --------------------------------------------------------------------------- text formats


def render_text(src: dict) -> str:
    """The clean text of a document, one paragraph per line, as a tidy portal copy prints it."""
    if src.get("raw_text") is not None:
        return src["raw_text"].rstrip("\n") + "\n"
    d = Doc.from_source(src)
    lines = d.parent_lines + d.issuer_lines + [QUOC_HIEU, TIEU_NGU, d.number_line]
    if d.is_cong_van:
        lines += d.subject_lines
    lines.append(d.place_date)
    if d.urgency:
        lines.append(d.urgency)
    if not d.is_cong_van:
        lines += [d.title] + d.subject_lines
    lines += kinh_gui_lines(d)
    lines += d.body
    if d.distribution:
        lines += ["Nơi nhận:"] + d.distribution
    lines += d.authority_lines + d.signer_title_lines + ([d.mark] if d.mark else []) + [d.name]
    return "\n".join(lines) + "\n"


def kinh_gui_lines(d: Doc) -> list[str]:
    if not d.recipients:
        return []
    if d.single_recipient:
        return [f"Kính gửi: {d.recipients[0]}"]
    return ["Kính gửi:"] + d.recipients


LIST_START = re.compile(r"^(?:\d+(?:\.\d+)*[.)]|[a-zđ]\)|[-+•*]|Điều|[IVX]+\.)$")


def wrap(text: str, width: int, first_width: int | None = None) -> list[str]:
    """Greedy word wrap; no line after the first starts with a token that looks like a list label."""
    words = text.split()
    lines: list[list[str]] = [[]]
    limit = first_width or width
    for word in words:
        current = lines[-1]
        if current and len(" ".join(current + [word])) > limit:
            new = [word]
            if LIST_START.match(word) and len(current) > 1:  # "… mục" / "2. …" would read as an item
                new.insert(0, current.pop())
            lines.append(new)
            limit = width
        else:
            current.append(word)
    return [" ".join(line) for line in lines if line]


def cell_lines(text_lines: list[str], width: int) -> list[str]:
    """A header or signature cell as a portal flattens it: wrapped pieces indented by two spaces."""
    out = []
    for line in text_lines:
        pieces = wrap(line, width)
        out.append(pieces[0] if not out else "  " + pieces[0])
        out += ["  " + p for p in pieces[1:]]
    return out


JUNK = [
    ["Tải Văn bản tiếng Việt", "Tải Văn bản tiếng Việt", "Tải Văn bản gốc", "Tải Văn bản gốc"],
    ["Tải về", "Văn bản gốc (PDF)", "Lược đồ", "Văn bản liên quan", "Hiệu lực"],
    ["In văn bản", "Tải Văn bản tiếng Việt", "Chia sẻ:", "Facebook", "Zalo"],
]


def render_flat(src: dict) -> str:
    """The text as a legal portal's 'copy text' gives it: columns flattened and hard-wrapped."""
    sid = src["id"]
    first_width = (24, 28, 32)[pick(sid, "first", 3)]
    if src.get("raw_text") is not None:
        out = []
        for para in src["raw_text"].split("\n"):
            out += wrap(para, 80, first_width) if para.strip() else [""]
        return "\n".join(out).rstrip("\n") + "\n" + "\n".join(JUNK[pick(sid, "junk", 3)]) + "\n"
    d = Doc.from_source(src)
    rules = d.layout.get("flat_rules", pick(sid, "rules", 2) == 0)
    lines = []
    for group in (d.parent_lines, d.issuer_lines):
        if group:
            lines += cell_lines(group, 24)
    if rules:
        lines.append("-------")
    lines += ["CỘNG HÒA XÃ HỘI", "  CHỦ NGHĨA VIỆT NAM", TIEU_NGU]
    if rules:
        lines.append("---------------")
    lines.append(d.number_line)
    if d.is_cong_van:
        lines += cell_lines([" ".join(d.subject_lines)], 44)
    lines += cell_lines([d.place_date], (16, 24, 60)[pick(sid, "date", 3)])
    if d.urgency:
        lines.append(d.urgency)
    if not d.is_cong_van:
        lines += [d.title] + d.subject_lines
    for line in kinh_gui_lines(d):
        lines += cell_lines([line], 80)
    for para in d.body:
        lines += wrap(para, 80, first_width)
    if d.distribution:
        lines.append("Nơi nhận:")
        for entry in d.distribution:
            lines += ["  " + p for p in wrap(entry, 80)] if not entry.startswith("-") else wrap(entry, 80)
    auth_width = (14, 16, 40)[pick(sid, "auth", 3)]
    lines += cell_lines([" ".join(d.authority_lines)], auth_width) if d.authority_lines else []
    lines += cell_lines([" ".join(d.signer_title_lines)], 30) if d.signer_title_lines else []
    lines += ([d.mark] if d.mark else []) + [d.name]
    lines += JUNK[pick(sid, "junk", 3)]
    return "\n".join(lines) + "\n"


# cp1258 has precomposed letters for the vowel shapes (â, ê, ô, ơ, ư, ă, đ) but only combining
# marks for most tones, so a toned vowel is written as its base letter plus a combining tone.
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def encode_cp1258(text: str) -> bytes:
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
        tones = "".join(c for c in decomposed if c in TONE_MARKS)
        out += (base + tones).encode("cp1258")  # raises for a character cp1258 cannot spell
    data = bytes(out)
    if unicodedata.normalize("NFC", data.decode("cp1258")) != text:
        raise AssertionError("cp1258 encoding does not round-trip")
    return data


def to_crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def text_bytes(src: dict, fmt: str) -> bytes:
    if fmt == "md":  # a portal's Markdown export: written by hand as the source's raw_text
        return render_text(src).encode("utf-8")
    if fmt == "txt":
        return render_text(src).encode("utf-8")
    if fmt == "txt-flat":
        return render_flat(src).encode("utf-8")
    if fmt == "txt-cp1258":
        return encode_cp1258(to_crlf(render_text(src)))
    if fmt == "txt-utf16":
        return b"\xff\xfe" + to_crlf(render_text(src)).encode("utf-16-le")
    raise ValueError(fmt)


# --------------------------------------------------------------------------- DOCX


class Writer(BaseWriter):
    """The shared Decree 30 writer, dated and zipped repeatably, plus the odd containers real
    files use (content controls, text boxes) so the readers are tested on them."""

    def __init__(self, fonts: Fonts):
        super().__init__(fonts, author="congvan corpus", when=FIXED_TIME, language=None)
        self._ids = 0

    def wrap_in_content_control(self, cell, tag: str) -> None:
        """Move a cell's paragraphs into a block-level content control (w:sdt)."""
        self._ids += 1
        sdt = parse_xml(
            f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val="{tag}"/><w:tag w:val="{tag}"/>'
            f'<w:id w:val="{7301 + self._ids}"/></w:sdtPr><w:sdtContent/></w:sdt>'
        )
        content = sdt.find(qn("w:sdtContent"))
        paragraphs = cell._tc.findall(qn("w:p"))
        paragraphs[0].addprevious(sdt)
        for p in paragraphs:
            content.append(p)
        self.para(cell, "", size=2)  # a cell must end with a paragraph

    def wrap_in_text_box(self, cell, width_mm: float, height_mm: float) -> None:
        """Move a cell's paragraphs into an inline VML text box (w:txbxContent) in the cell."""
        paragraphs = cell._tc.findall(qn("w:p"))
        holder = cell.add_paragraph()
        holder.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._ids += 1
        pict = parse_xml(
            f'<w:pict {nsdecls("w")} xmlns:v="{VML}" xmlns:o="{OFFICE}"><v:rect id="TextBox{self._ids}" o:spid="_x0000_s{1025 + self._ids}" '
            f'style="width:{width_mm * 72 / 25.4:.1f}pt;height:{height_mm * 72 / 25.4:.1f}pt" '
            f'stroked="f" filled="f"><v:textbox inset="0,0,0,0"><w:txbxContent/></v:textbox></v:rect></w:pict>'
        )
        box = pict.find(".//" + qn("w:txbxContent"))
        for p in paragraphs:
            box.append(p)
        holder.add_run()._r.append(pict)

    def save(self) -> bytes:
        return super().save(zip_time=ZIP_TIME)


ROMAN = re.compile(r"^[IVX]+\.\s")
DIEU = re.compile(r"^(Điều\s+\d+\.)(\s.*)?$")
LEFT_W, RIGHT_W = 72.0, 93.0  # header columns, mm (text width is 165 mm)
FOOT_LEFT_W, FOOT_RIGHT_W = 80.0, 85.0


def render_docx(src: dict, tcvn3: bool = False) -> bytes:
    w = Writer(Fonts(tcvn3))
    if src.get("raw_text") is not None:
        render_raw_docx(w, src["raw_text"])
        return w.save()
    d = Doc.from_source(src)
    header_kind = d.layout.get("header", "table")
    footer_kind = d.layout.get("footer", "row")
    write_header(w, d, header_kind)
    if not d.is_cong_van:
        w.para(w.doc, d.title, size=14, bold=True, before=12)
        w.para(w.doc, "\n".join(d.subject_lines), size=14, bold=True)
        w.rule(w.doc, 40, 165)
    write_recipients(w, d)
    write_body(w, d)
    write_footer(w, d, footer_kind)
    return w.save()


def write_header(w: Writer, d: Doc, kind: str) -> None:
    two_rows = kind == "table2"
    t = w.table(2 if two_rows else 1, [LEFT_W, RIGHT_W])
    left, right = t.cell(0, 0), t.cell(0, 1)
    if d.parent_lines:
        w.para(left, "\n".join(d.parent_lines), size=13, keep_first=True)
    w.para(left, "\n".join(d.issuer_lines), size=13, bold=True, keep_first=True)
    w.rule(left, 25, LEFT_W)
    w.para(right, QUOC_HIEU, size=12, bold=True, keep_first=True)
    w.para(right, TIEU_NGU, size=13, bold=True)
    w.rule(right, 60, RIGHT_W)
    lower_left, lower_right = (t.cell(1, 0), t.cell(1, 1)) if two_rows else (left, right)
    w.para(lower_left, d.number_line, size=13, before=0 if two_rows else 4, keep_first=True)
    if d.is_cong_van:
        w.para(lower_left, "\n".join(d.subject_lines), size=12, before=6)
    if d.urgency:
        p = w.para(lower_left, d.urgency, size=13, bold=True, before=6)
        bdr = parse_xml(
            f'<w:pBdr {nsdecls("w")}>' + "".join(
                f'<w:{e} w:val="single" w:sz="6" w:space="1" w:color="000000"/>'
                for e in ("top", "left", "bottom", "right")) + "</w:pBdr>")
        p.paragraph_format.left_indent = p.paragraph_format.right_indent = Mm(22)
        p._p.get_or_add_pPr().find(qn("w:spacing")).addprevious(bdr)
    w.para(lower_right, d.place_date, size=13, italic=True, before=0 if two_rows else 4, keep_first=True)
    if kind == "sdt":
        w.wrap_in_content_control(left, "CoQuanBanHanh")
        w.wrap_in_content_control(right, "QuocHieu")
    elif kind == "textbox":
        n = len(d.parent_lines) + len(d.issuer_lines) + 2 + len(d.subject_lines) + (2 if d.urgency else 0)
        w.wrap_in_text_box(left, LEFT_W - 4, 7.0 * n + 6)
    elif kind not in ("table", "table2"):
        raise ValueError(f"{d.id}: unknown header layout {kind!r}")


def write_recipients(w: Writer, d: Doc) -> None:
    if not d.recipients:
        return
    if d.single_recipient:
        w.para(w.doc, f"Kính gửi: {d.recipients[0]}", size=14, before=12, after=6)
        return
    w.para(w.doc, "Kính gửi:", size=14, align=WD_ALIGN_PARAGRAPH.LEFT, before=12, left_indent=Cm(2.5))
    for i, entry in enumerate(d.recipients):
        w.para(w.doc, entry, size=14, align=WD_ALIGN_PARAGRAPH.LEFT, left_indent=Cm(4.0),
               after=6 if i == len(d.recipients) - 1 else 0)


def write_body(w: Writer, d: Doc) -> None:
    first = True
    for text in d.body:
        common = dict(size=14, before=12 if first and not d.recipients else 0, after=6)
        first = False
        justify = dict(align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_indent=Cm(1.27))
        if ROMAN.match(text):
            w.para(w.doc, text, bold=True, **common, **justify)
        elif is_upper_line(text):  # "QUYẾT ĐỊNH:", "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …"
            w.para(w.doc, text, bold=True, **common)
        elif text.startswith(("Căn cứ", "Theo đề nghị", "Xét đề nghị")):
            w.para(w.doc, text, italic=True, **common, **justify)
        elif DIEU.match(text):
            label, rest = DIEU.match(text).groups()
            p = w.para(w.doc, "", **common, **justify)
            w.run(p, label, 14, bold=True)
            if rest:
                w.run(p, rest, 14)
        else:
            w.para(w.doc, text, **common, **justify)


def write_footer(w: Writer, d: Doc, kind: str) -> None:
    def receivers(cell):
        if not d.distribution:
            return
        w.para(cell, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT,
               keep_first=True)
        for entry in d.distribution:
            w.para(cell, entry, size=11, align=WD_ALIGN_PARAGRAPH.LEFT,
                   left_indent=None if entry.startswith("-") else Mm(2))

    def signer_top(cell):
        if d.authority_lines:
            w.para(cell, "\n".join(d.authority_lines), size=13, bold=True, keep_first=True)
        if d.signer_title_lines:
            w.para(cell, "\n".join(d.signer_title_lines), size=13, bold=True, keep_first=True)

    def signer_bottom(cell):
        if d.mark:
            w.para(cell, "", size=14, keep_first=True)
            w.para(cell, d.mark, size=14, italic=True, keep_first=True)
            blanks = 2
        else:
            blanks = 4
        for _ in range(blanks):
            w.para(cell, "", size=14, keep_first=True)
        w.para(cell, d.name, size=14, bold=True, keep_first=True)

    w.para(w.doc, "", size=6)
    if kind == "row":  # Nơi nhận and the signer side by side in one row
        t = w.table(1, [FOOT_LEFT_W, FOOT_RIGHT_W])
        receivers(t.cell(0, 0))
        signer_top(t.cell(0, 1))
        signer_bottom(t.cell(0, 1))
    elif kind == "rows":  # title level with "Nơi nhận:", the name a row lower
        t = w.table(2, [FOOT_LEFT_W, FOOT_RIGHT_W])
        signer_top(t.cell(0, 1))
        receivers(t.cell(1, 0))
        signer_bottom(t.cell(1, 1))
    elif kind == "paras":  # no table: signer block indented to the right, Nơi nhận below
        box = SimpleContainer(w.doc, left_indent=Mm(FOOT_LEFT_W))
        signer_top(box)
        signer_bottom(box)
        receivers(w.doc)
    else:
        raise ValueError(f"{d.id}: unknown footer layout {kind!r}")


class SimpleContainer:
    """Adds paragraphs to the document body with a fixed left indent (a signer block without a table)."""

    def __init__(self, doc, left_indent):
        self.doc, self.left_indent, self.paragraphs = doc, left_indent, [None, None]

    def add_paragraph(self):
        p = self.doc.add_paragraph()
        p.paragraph_format.left_indent = self.left_indent
        return p


def render_raw_docx(w: Writer, raw: str) -> None:
    first = True
    for line in raw.split("\n"):
        if not line.strip():
            continue
        if first:
            w.para(w.doc, line, size=16, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, after=12)
            first = False
        else:
            w.para(w.doc, line, size=13, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6)


# --------------------------------------------------------------------------- PDF


def convert_to_pdf(docx_files: list[Path], outdir: Path) -> None:
    """Convert every DOCX in one LibreOffice call with a private profile."""
    profile = Path(f"/tmp/lo_build_{os.getpid()}")
    cmd = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
           "--convert-to", "pdf", "--outdir", str(outdir)] + [str(p) for p in docx_files]
    try:
        subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=900)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


# --------------------------------------------------------------------------- scans


SCAN_DPI = 200
SCAN_TIME = FIXED_TIME.timetuple()


def scan_settings(src_id: str) -> dict:
    """How one document was "scanned": tilt ±0.5–1.5°, grayscale JPEG or black-and-white."""
    tilt = 0.5 + pick(src_id, "tilt", 101) / 100  # 0.50 … 1.50
    sign = 1 if pick(src_id, "tilt-sign", 2) else -1
    return {"angle": round(sign * tilt, 2), "gray": pick(src_id, "scan-mode", 3) == 0,
            "seed": int(hashlib.sha1(f"{src_id}:scan".encode()).hexdigest()[:16], 16)}


def render_scan(pdf_path: Path, src_id: str, pen: list | None = None) -> bytes:
    """An image-only PDF of `pdf_path` as a cheap office scanner makes it: 200 dpi, tilted,
    slightly blurred, with noise and specks; grayscale JPEG or black-and-white (CCITT G4).
    `pen`: (text, x, baseline) in points, written on page 1 by hand before it was scanned."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    settings = scan_settings(src_id)
    rng = np.random.default_rng(settings["seed"])
    pdf = pdfium.PdfDocument(str(pdf_path))  # no init_forms: signature widgets are not drawn
    pages = []
    try:
        for index, page in enumerate(pdf):
            image = page.render(scale=SCAN_DPI / 72, grayscale=True).to_pil().convert("L")
            if pen and index == 0:
                write_by_hand(image, pen, SCAN_DPI / 72)
            image = image.rotate(settings["angle"], resample=Image.BICUBIC, fillcolor=255)
            pixels = np.asarray(image.filter(ImageFilter.GaussianBlur(0.6)), dtype=np.float32)
            pixels += rng.normal(0.0, 8.0 if settings["gray"] else 25.0, pixels.shape)
            specks = rng.random(pixels.shape)
            pixels[specks < 0.0008] = 0.0
            noisy = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
            pages.append(noisy if settings["gray"] else noisy.point(lambda v: 255 if v > 165 else 0).convert("1"))
    finally:
        pdf.close()
    out = io.BytesIO()
    jpeg = {"quality": 50} if settings["gray"] else {}
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=SCAN_DPI,
                  title=src_id, creationDate=SCAN_TIME, modDate=SCAN_TIME, **jpeg)
    return out.getvalue()


PEN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-BoldItalic.ttf"  # fonts-dejavu-core


def write_by_hand(image, pen: list, scale: float) -> None:
    """Digits written with a pen: large, slanted a little more, baselines wandering, the first
    stroke running into the word before (as clerks write the number and day on a signed letter)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(PEN_FONT, int(15 * scale))
    for k, (text, x, baseline) in enumerate(pen):
        box = font.getbbox(text)
        stroke = Image.new("L", (box[2] + 8, box[3] + 8), 0)
        ImageDraw.Draw(stroke).text((4, 4), text, font=font, fill=255)
        stroke = stroke.rotate(6 - 4 * k, resample=Image.BICUBIC, expand=True)
        ink = Image.new("L", stroke.size, 40)
        image.paste(ink, (int(x * scale), int(baseline * scale) - stroke.size[1] + int(3 * scale)), stroke)


def handwritten_scan(pdf_path: Path, src: dict) -> bytes:
    """The e-signed letter as it reaches a province's archive: printed with the blanks, the number
    and day written by hand, scanned, and signed again (the signature dictionary and a stamp)."""
    number = NUMBER_DIGITS.match(src["number_line"]).group(2)
    day = DAY_DIGITS.search(src["place_date"]).group(2)
    (nx0, _, nbottom), (dx0, _, dbottom), _ = blank_gaps(pdf_path)
    pen = [(number, nx0 + 1, nbottom - 1), (day, dx0 - 3, dbottom - 2)]  # the day's pen runs into "ngày"
    scan = io.BytesIO(render_scan(pdf_path, src["id"], pen))
    return sign_pdf(scan, src, digits=False)


# --------------------------------------------------------------------------- e-signed PDFs
#
# An e-office system prints the letter with the number and the day left blank ("Số:      /SNV-VP",
# "ngày      tháng 3"); at signing it stamps them in as signature widgets whose appearance streams
# (nested form XObjects, as the systems write them) carry the digits, adds a visible signature
# stamp, and stores the signature dictionary (/M, /Reason, /Location, /Name, the PKCS#7 with the
# signer's certificate) whose DocMDP reference points back at the catalog.

NUMBER_DIGITS = re.compile(r"^(Số\s*:?\s*)(\d+)(?=\s*/)")
DAY_DIGITS = re.compile(r"(ngày\s+)(\d{1,2})(?=\s+tháng)")
BLANK = "\u00a0" * 10  # a no-break run: LibreOffice keeps it as one wide blank


def blank_for_signing(src: dict) -> dict:
    """The source as the e-office system prints it before signing: number and day blank."""
    blanked = dict(src)
    blanked["number_line"] = NUMBER_DIGITS.sub(lambda m: m.group(1) + BLANK, src["number_line"])
    blanked["place_date"] = DAY_DIGITS.sub(lambda m: m.group(1) + BLANK, src["place_date"])
    return blanked


def blank_gaps(pdf_path: Path) -> tuple[tuple, tuple, float]:
    """(x0, x1, bottom) of the number's and the day's blanks on page 1, and the page height."""
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:  # the page's own text: the widgets are not read
        page = pdf.pages[0]
        words = page.extract_words()
        height = float(page.height)

    def gap(before, after) -> tuple:
        for a, b in zip(words, words[1:]):
            if before(a["text"]) and after(b["text"]) and abs(a["bottom"] - b["bottom"]) < 2:
                return a["x1"], b["x0"], a["bottom"]
        raise RuntimeError(f"{pdf_path.name}: no blank found to stamp")

    number = gap(lambda t: t.startswith("Số"), lambda t: t.startswith("/"))
    day = gap(lambda t: t == "ngày", lambda t: t == "tháng")
    return number, day, height


def signer_certificate(common_name: str) -> bytes:
    """A degenerate PKCS#7 (certificates only) holding a self-issued certificate for the signer,
    made from a fixed key so a rebuild gives the same bytes."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7
    from cryptography.x509.oid import NameOID

    key = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(common_name.encode()).digest())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "congvan corpus test CA")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer).public_key(key.public_key())
            .serial_number(int(hashlib.sha1(common_name.encode()).hexdigest()[:15], 16))
            .not_valid_before(datetime(2023, 1, 1)).not_valid_after(datetime(2028, 1, 1))
            .sign(key, None))
    return pkcs7.serialize_certificates([cert], Encoding.DER)


def pdf_objects():
    from pypdf import generic

    return generic


def _form(writer, data: bytes, bbox: tuple, resources: dict | None = None):
    g = pdf_objects()
    stream = g.DecodedStreamObject()
    stream.set_data(data)
    stream.update({g.NameObject("/Type"): g.NameObject("/XObject"), g.NameObject("/Subtype"): g.NameObject("/Form"),
                   g.NameObject("/BBox"): g.ArrayObject([g.FloatObject(v) for v in bbox])})
    if resources is not None:
        stream[g.NameObject("/Resources")] = g.DictionaryObject(resources)
    return writer._add_object(stream)


def _appearance(writer, lines: list[str], width: float, height: float, base: str, size: float):
    """AP /N → /FRM → /n2 (the text), nested as the signing systems write it."""
    g = pdf_objects()
    n = g.NameObject
    font = g.DictionaryObject({n("/Type"): n("/Font"), n("/Subtype"): n("/Type1"), n("/BaseFont"): n(base),
                               n("/Encoding"): n("/WinAnsiEncoding")})
    ops = [f"BT /F1 {size} Tf 0 0 0 rg"]
    for k, text in enumerate(lines):
        ops.append(f"1 0 0 1 2 {height - (k + 1) * (size + 1.5) + 1.5:.2f} Tm ({text}) Tj")
    ops.append("ET")
    box = (0, 0, round(width, 2), round(height, 2))
    n2 = _form(writer, "\n".join(ops).encode("latin-1"), box, {n("/Font"): g.DictionaryObject({n("/F1"): font})})
    frm = _form(writer, b"q 1 0 0 1 0 0 cm /n2 Do Q\n", box, {n("/XObject"): g.DictionaryObject({n("/n2"): n2})})
    return _form(writer, b"q 1 0 0 1 0 0 cm /FRM Do Q\n", box, {n("/XObject"): g.DictionaryObject({n("/FRM"): frm})})


def _write(writer) -> bytes:
    writer.add_metadata({"/CreationDate": "D:20240101000000Z", "/ModDate": "D:20240101000000Z"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_pdf(pdf_path, src: dict, digits: bool = True) -> bytes:
    """The printed PDF with the number and day stamped in as signature widgets (unless not
    `digits`), a visible signature stamp, and the signature dictionary."""
    from pypdf import PdfReader, PdfWriter

    g = pdf_objects()
    n = g.NameObject
    esign = src["esign"]
    writer = PdfWriter(clone_from=PdfReader(pdf_path))
    height = float(writer.pages[0].mediabox.height)
    page = writer.pages[0]
    signature = writer._add_object(g.DictionaryObject({
        n("/Type"): n("/Sig"), n("/Filter"): n("/Adobe.PPKLite"), n("/SubFilter"): n("/adbe.pkcs7.detached"),
        n("/M"): g.TextStringObject(esign["signed_at"]), n("/Reason"): g.TextStringObject(esign["reason"]),
        n("/Location"): g.TextStringObject(esign["location"]), n("/Name"): g.TextStringObject(esign["signer_cn"]),
        n("/Contents"): g.ByteStringObject(signer_certificate(esign["signer_cn"])),
        n("/ByteRange"): g.ArrayObject([g.NumberObject(0)] * 4),
        n("/Reference"): g.ArrayObject([g.DictionaryObject({
            n("/Type"): n("/SigRef"), n("/TransformMethod"): n("/DocMDP"),
            n("/Data"): writer._root_object.indirect_reference})]),
    }))
    when = re.sub(r"^D:(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d).*$", r"\3/\2/\1 \4:\5:\6", esign["signed_at"])
    widgets = [  # (rect in PDF space, appearance lines, font, size)
        ((40.0, height - 42.0, 230.0, height - 10.0),
         ["Signature valid", "Digitally signed: e-office", f"Time: {when} +07:00"], "/Helvetica", 7.0),
    ]
    if digits:
        number = NUMBER_DIGITS.match(src["number_line"]).group(2)
        day = DAY_DIGITS.search(src["place_date"]).group(2)
        (nx0, nx1, nbottom), (dx0, dx1, dbottom), _ = blank_gaps(pdf_path)
        widgets[:0] = [
            ((nx0 + 1, height - nbottom - 3, nx1 - 1, height - nbottom + 12), [number], "/Times-Roman", 13.0),
            ((dx0 + 1, height - dbottom - 3, dx1 - 1, height - dbottom + 12), [day], "/Times-Italic", 13.0),
        ]
    annots = page.get("/Annots")
    annots = annots.get_object() if annots is not None else g.ArrayObject()
    fields = g.ArrayObject()
    for k, ((x0, y0, x1, y1), lines, base, size) in enumerate(widgets):
        widget = writer._add_object(g.DictionaryObject({
            n("/Type"): n("/Annot"), n("/Subtype"): n("/Widget"), n("/FT"): n("/Sig"),
            n("/T"): g.TextStringObject(f"Signature{k + 1}"), n("/F"): g.NumberObject(132),
            n("/Rect"): g.ArrayObject([g.FloatObject(round(v, 2)) for v in (x0, y0, x1, y1)]),
            n("/AP"): g.DictionaryObject({n("/N"): _appearance(writer, lines, x1 - x0, y1 - y0, base, size)}),
            n("/P"): page.indirect_reference, n("/V"): signature,
        }))
        annots.append(widget)
        fields.append(widget)
    page[n("/Annots")] = annots
    writer._root_object[n("/AcroForm")] = g.DictionaryObject({n("/Fields"): fields, n("/SigFlags"): g.NumberObject(3)})
    return _write(writer)


# --------------------------------------------------------------------------- PDFs pdfminer cannot parse
#
# Some stamping tools wrap what they add in a form XObject each time they touch a file; after
# enough passes the nesting is deeper than pdfminer's recursion allows ("maximum recursion depth
# exceeded"), while pdfium, poppler and the viewers stop at their nesting limit and show the page.

NESTING = 400


def nest_forms(pdf_path: Path) -> bytes:
    """The printed PDF with a small grey mark drawn through NESTING nested form XObjects."""
    from pypdf import PdfReader, PdfWriter

    g = pdf_objects()
    n = g.NameObject
    writer = PdfWriter(clone_from=PdfReader(pdf_path))
    page = writer.pages[0]
    box = (0, 0, 8, 8)
    mark = _form(writer, b"0.85 g 0 0 4 4 re f\n", box)
    for _ in range(NESTING):
        mark = _form(writer, b"q /X Do Q\n", box, {n("/XObject"): g.DictionaryObject({n("/X"): mark})})
    resources = page["/Resources"].get_object()
    if "/XObject" not in resources:
        resources[n("/XObject")] = g.DictionaryObject()
    resources["/XObject"].get_object()[n("/Mark")] = mark
    extra = g.DecodedStreamObject()
    extra.set_data(b"q 1 0 0 1 20 20 cm /Mark Do Q\n")
    contents = page.raw_get("/Contents")
    parts = list(contents.get_object()) if isinstance(contents.get_object(), g.ArrayObject) else [contents]
    page[n("/Contents")] = g.ArrayObject(parts + [writer._add_object(extra)])
    return _write(writer)


# --------------------------------------------------------------------------- build


def gold_record(src: dict, fmt: str) -> dict:
    record = {"source": out_name(src["id"], fmt)}
    record.update({k: src["gold"][k] for k in GOLD_KEYS})
    return record


def write_if_changed(path: Path, data: bytes) -> None:
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)


def build(make_pdf: bool = True, src_dir: Path = SRC, docs_dir: Path = DOCS) -> dict:
    sources = load_sources(src_dir)
    docs_dir.mkdir(parents=True, exist_ok=True)
    expected: set[str] = set()
    pdf_jobs: list[tuple[dict, str]] = []
    scan_jobs: list[tuple[dict, str]] = []
    signed_scan_jobs: list[tuple[dict, str]] = []
    counts: dict[str, int] = {}
    for src in sources:
        for fmt in src["formats"]:
            name = out_name(src["id"], fmt)
            expected |= {name, gold_name(src["id"], fmt)}
            counts[fmt] = counts.get(fmt, 0) + 1
            gold = json.dumps(gold_record(src, fmt), ensure_ascii=False, indent=2) + "\n"
            write_if_changed(docs_dir / gold_name(src["id"], fmt), gold.encode("utf-8"))
            if fmt.startswith("txt") or fmt == "md":
                write_if_changed(docs_dir / name, text_bytes(src, fmt))
            elif fmt == "docx":
                write_if_changed(docs_dir / name, render_docx(src))
            elif fmt == "docx-tcvn3":
                write_if_changed(docs_dir / name, render_docx(src, tcvn3=True))
            elif fmt in PRINTED:
                pdf_jobs.append((src, name))
            elif fmt == "scan-esigned":
                signed_scan_jobs.append((src, name))
            else:
                scan_jobs.append((src, name))
    for path in docs_dir.iterdir():
        if path.name not in expected:
            path.unlink()
    if pdf_jobs and make_pdf and shutil.which("soffice"):
        with tempfile.TemporaryDirectory(prefix="corpus_pdf_") as tmp:
            tmpdir = Path(tmp)
            inputs = []
            for src, name in pdf_jobs:
                path = tmpdir / (Path(name).stem + ".docx")
                path.write_bytes(render_docx(blank_for_signing(src) if name.endswith("__pdf-esigned.pdf") else src))
                inputs.append(path)
            convert_to_pdf(inputs, tmpdir / "out")
            for src, name in pdf_jobs:
                made = tmpdir / "out" / name
                if not made.exists():
                    raise RuntimeError(f"LibreOffice did not produce {name}")
                if name.endswith("__pdf-esigned.pdf"):
                    made.write_bytes(sign_pdf(made, src))
                elif name.endswith("__pdf-pdfminer-breaking.pdf"):
                    made.write_bytes(nest_forms(made))
                shutil.copyfile(made, docs_dir / name)
    for src, name in scan_jobs:  # after the PDFs: a scan is made from its source's PDF
        pdf_path = docs_dir / out_name(src["id"], "pdf")
        if pdf_path.exists():
            write_if_changed(docs_dir / name, render_scan(pdf_path, src["id"]))
    for src, name in signed_scan_jobs:  # from the e-signed PDF (its blanks: the widgets are not drawn)
        pdf_path = docs_dir / out_name(src["id"], "pdf-esigned")
        if pdf_path.exists() and (make_pdf or not (docs_dir / name).exists()):
            write_if_changed(docs_dir / name, handwritten_scan(pdf_path, src))
    missing = [name for _, name in pdf_jobs + scan_jobs + signed_scan_jobs if not (docs_dir / name).exists()]
    for name in missing:
        print(f"warning: {name} missing (no soffice or --no-pdf)", file=sys.stderr)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-pdf", action="store_true", help="do not run LibreOffice; keep existing PDFs")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    counts = build(make_pdf=not args.no_pdf)
    total = sum(counts.values())
    summary = ", ".join(f"{fmt} {n}" for fmt, n in sorted(counts.items()))
    print(f"built {total} files ({summary}) into {DOCS} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
