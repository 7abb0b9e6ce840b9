"""Opening a DOCX (or saying in one line why it cannot be checked) and reading it into the
`Document` the checks look at: the walked body, sections, page headers and footers."""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .formatting import Numbering, Styles
from .ooxml import R_NS, VAL, _int, _is_on, _w
from .walk import Line, Para, Scope, TableInfo, Walker

OLE_MAGIC = b"\xd0\xcf\x11\xe0"


class CheckError(Exception):
    """A file that cannot be checked (missing, not a DOCX, corrupt), with a one-line reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def open_docx(source):
    """A python-docx Document, or CheckError with a one-line reason."""
    import docx

    if isinstance(source, (bytes, bytearray)):
        data, name = bytes(source), "DOCX data"
    else:
        path = Path(source)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CheckError(f"{path}: file not found") from None
        except IsADirectoryError:
            raise CheckError(f"{path}: a directory, not a DOCX file") from None
        except OSError as exc:
            raise CheckError(f"{path}: cannot be read ({exc.strerror})") from None
        name = str(path)
    if data[:4] == OLE_MAGIC:
        raise CheckError(f"{name}: an old .doc or a password-protected file, not a DOCX")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        raise CheckError(f"{name}: not a DOCX file (not a zip archive)") from None
    if not any(n.startswith("word/document") and n.endswith(".xml") for n in names):
        raise CheckError(f"{name}: not a DOCX file (no word/document.xml)")
    data = normalise_package(data)
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for a broken package
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:100]
        raise CheckError(f"{name}: corrupt DOCX ({reason})") from None


# Word packages python-docx refuses only for their content type: macro-enabled documents and
# templates hold the same WordprocessingML as a .docx.
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
OTHER_MAINS = ("application/vnd.ms-word.document.macroEnabled.main+xml",
               "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml")
DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(?:\[(?P<subset>.*?)\])?\s*>", re.S)
ENTITY = re.compile(rb"<!ENTITY\s+(?P<name>[\w.-]+)\s+(?P<q>[\"'])(?P<value>.*?)(?P=q)\s*>", re.S)


def normalise_package(data: bytes) -> bytes:
    """The package as python-docx reads it: a .docm/.dotm/.dotx main part typed as a .docx one,
    and internal entities declared in an XML part's DOCTYPE written out (python-docx does not
    expand them, so their text would be lost); external entities are dropped, never fetched."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    changed = False
    types = members.get("[Content_Types].xml", b"")
    for other in OTHER_MAINS:
        if other.encode() in types:
            types = types.replace(other.encode(), DOCX_MAIN.encode())
            changed = True
    members["[Content_Types].xml"] = types
    for member, content in members.items():
        if member.endswith(".xml") and b"<!DOCTYPE" in content[:4096]:
            members[member] = _expand_entities(content)
            changed = True
    if not changed:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return out.getvalue()


def _expand_entities(xml: bytes) -> bytes:
    found = DOCTYPE.search(xml)
    if found is None:
        return xml
    entities = {m.group("name"): m.group("value") for m in ENTITY.finditer(found.group("subset") or b"")}
    xml = xml[:found.start()] + xml[found.end():]
    for _ in range(3):  # an entity's value may use another; three levels, never an expansion bomb
        before = xml
        for name, value in entities.items():
            xml = xml.replace(b"&" + name + b";", _escape_text(value))
        if xml == before:
            break
    return re.sub(rb"&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)[\w.-]+;", b"", xml)


def _escape_text(value: bytes) -> bytes:
    return re.sub(rb"&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)", b"&amp;", value).replace(b"<", b"&lt;")


@dataclass
class PageHeader:
    section: int
    kind: str  # "header" / "footer"
    type: str  # "default" / "first" / "even"
    paras: list[Para]
    element: object


@dataclass
class Document:
    """What the checks look at: lines and paragraphs in order, sections, page headers, tables."""

    lines: list[Line]
    paras: list[Para]
    tables: list[TableInfo]
    sections: list  # python-docx Section objects
    title_page: list[bool]  # per section: a different first-page header (w:titlePg)
    headers: list[PageHeader]
    default_tab: int  # twips
    page_count: int | None  # as the producer wrote it in docProps/app.xml


def read_document(document) -> Document:
    part = document.part
    numbering = Numbering(_related_element(part, "numbering"))
    styles = Styles(_related_element(part, "styles"), numbering)
    walker = Walker(styles, numbering)
    walker.blocks(document.element.body, Scope(("body",), "body"))
    sect_prs = [s._sectPr for s in document.sections]
    headers = []
    for number, sect_pr in enumerate(sect_prs, 1):
        for kind in ("header", "footer"):
            for ref in sect_pr.findall(_w(f"{kind}Reference")):
                rid, ref_type = ref.get(f"{{{R_NS}}}id"), ref.get(_w("type"), "default")
                target = part.related_parts.get(rid) if rid else None
                if target is None:
                    continue
                label = f"page {kind} of section {number}" + ("" if ref_type == "default" else f" ({ref_type} page)")
                part_walker = Walker(styles, numbering)
                part_walker.blocks(target.element, Scope(("part", rid), "page header", label=label))
                headers.append(PageHeader(number, kind, ref_type, part_walker.paras, target.element))
    return Document(
        walker.lines, walker.paras, walker.tables, list(document.sections),
        [_is_on(s.find(_w("titlePg"))) for s in sect_prs], headers,
        _default_tab(part), _page_count(part),
    )


def _related_element(part, kind: str):
    """The root element of the part related to the document by a relationship of this kind
    (read without python-docx's accessors, which add a default part when one is missing)."""
    for rel in part.rels.values():
        if not rel.is_external and rel.reltype.endswith("/" + kind):
            target = rel.target_part
            return target.element if hasattr(target, "element") else etree.fromstring(target.blob)
    return None


def _default_tab(part) -> int:
    settings = _related_element(part, "settings")
    el = settings.find(_w("defaultTabStop")) if settings is not None else None
    return _int(el.get(VAL), 720) if el is not None else 720


def _page_count(part) -> int | None:
    for candidate in part.package.iter_parts():
        if str(candidate.partname) == "/docProps/app.xml":
            try:
                pages = etree.fromstring(candidate.blob).find(
                    "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}Pages")
            except etree.XMLSyntaxError:
                return None
            return _int(pages.text) if pages is not None else None
    return None
