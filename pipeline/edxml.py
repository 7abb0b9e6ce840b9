"""edXML packages (QCVN 102:2016/BTTTT): the envelope agencies exchange documents in.

A package is one XML file in the namespace ``http://www.mic.gov.vn/TBT/QCVN_102_2016``::

    edXML
      edXML:edXMLEnvelope
        edXML:edXMLHeader
          edXML:MessageHeader      From, To, Code, PromulgationInfo, DocumentType, Subject, Content,
                                   SignerInfo, DueDate, ToPlaces, OtherInfo, ResponseFor,
                                   SteeringType, DocumentId
          edXML:TraceHeaderList    TraceHeader (OrganId, Timestamp)
          ds:Signature             an XML signature (XMLDSig), wherever the sender put it: verified
        edXML:edXMLBody
          edXML:edXMLManifest      Reference (AttachmentName, ContentType, ContentId)
      AttachmentEncoded
        Attachment                 ContentType, ContentId, Description, ContentTransferEncoded
                                   (base64), AttachmentName

The regulation's XSD is not available here: the structure above is the one the regulation's
published examples and the exchange SDKs use, and the parser is lenient where they differ
(attachments also accepted inline in ``edXMLBody``, with ``FileName``/``Content``; elements with or
without the namespace).

``MAPPING`` is the one table between header elements and record fields. ``read_package`` turns a
package into the ``SourceText`` of its main attachment (read by the normal readers) carrying the
package; ``apply_package`` then lets the declared metadata fill the record, and flags each field
where the attached document says otherwise. ``write_package`` writes one.

An XML signature in the package is verified with signxml (``check_xml_signature``) against the
certificate it carries: intact and valid is a note naming the signer; a digest or signature that
does not verify (the package changed after signing) sends the record to review with the reason.
Whether the signer's certificate chains to a trusted CA is not checked for packages (the [trust]
anchors are applied to signed PDFs only), and the note says so.

Safety: the bytes are refused before parsing when larger than ``[limits] file_mb`` (times
``PACKAGE_OVERHEAD``, for base64), and so is
any DOCTYPE (edXML needs none; it is how external entities and entity bombs come in); lxml parses
with entity resolution, DTD loading and network access off. Each attachment, decoded, must fit
``[limits] file_mb`` too, and so must all of them together.
"""
from __future__ import annotations

import base64
import binascii
import re
import tempfile
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from .limits import limits, megabytes
from .records import Note, ReadError, Record, SourceText

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
# A package carries its files in base64 (4/3 of their size) inside XML: it may be this much larger than
# [limits] file_mb, which bounds each file once decoded, and all of them together.
PACKAGE_OVERHEAD = 1.5
SUFFIXES = {".edxml"}  # and a .xml whose root is an edXML envelope (``is_package``)

# edXML element (under MessageHeader) ↔ record field. The README's table is this one.
MAPPING = (
    ("Code/CodeNumber + Code/CodeNotation", "number"),  # "381" + "BHXH-VP" ↔ "381/BHXH-VP"
    ("PromulgationInfo/PromulgationDate", "issued_on"),  # YYYY/MM/DD ↔ ISO date
    ("PromulgationInfo/Place", "place"),
    ("From/OrganName", "issuer"),
    ("From/OrganizationInCharge", "parent_body"),
    ("DocumentType/TypeName", "doc_type"),
    ("Subject", "subject"),
    ("ToPlaces/Place", "recipients"),  # one Place per recipient
    ("SignerInfo/Competence", "signer.authority"),  # "KT. GIÁM ĐỐC"
    ("SignerInfo/Position", "signer.title"),
    ("SignerInfo/FullName", "signer.name"),
)
# Checked against the attached document: a disagreement is noted and sent to review.
COMPARED = {"number": "số, ký hiệu", "issued_on": "ngày ban hành", "issuer": "cơ quan ban hành",
            "subject": "trích yếu", "doc_type": "loại văn bản", "signer.name": "người ký"}
# Attachments read as the document, best first (an unknown type is tried last).
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".txt", ".html", ".htm", ".md", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
CONTENT_TYPES = {".pdf": "application/pdf", ".docx": "application/vnd.openxmlformats-officedocument."
                 "wordprocessingml.document", ".txt": "text/plain", ".html": "text/html", ".png": "image/png",
                 ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".tif": "image/tiff", ".tiff": "image/tiff",
                 ".xml": "application/xml"}


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes
    description: str = ""


@dataclass
class Party:
    organ_id: str = ""
    name: str = ""
    in_charge: str = ""  # OrganizationInCharge: the parent body


@dataclass
class Package:
    sender: Party = field(default_factory=Party)
    receivers: list[Party] = field(default_factory=list)
    fields: dict = field(default_factory=dict)  # record field ("signer.name", …) -> declared value
    document_id: str = ""
    due_date: str | None = None  # ISO
    content: str = ""
    steering_type: str = ""
    priority: str = ""
    response_for: dict = field(default_factory=dict)  # OrganId, Code, PromulgationDate, DocumentId
    trace: list[dict] = field(default_factory=list)  # TraceHeader: OrganId, Timestamp
    attachments: list[Attachment] = field(default_factory=list)
    signature: "XmlSignature | None" = None  # the package's XML signature, verified; None: unsigned

    def notes(self) -> list[str]:
        """What the package declares beyond the record's fields, one line each (Vietnamese)."""
        out = []
        if self.sender.organ_id:
            out.append(f"edXML: mã định danh nơi gửi {self.sender.organ_id}")
        if self.document_id:
            out.append(f"edXML: DocumentId {self.document_id}")
        if self.due_date:
            out.append(f"edXML: hạn xử lý {self.due_date}")
        if self.response_for.get("Code"):
            out.append(f"edXML: trả lời văn bản {self.response_for['Code']}")
        if self.signature is not None:
            out.append(self.signature.note())
        return out


# --------------------------------------------------------------------------- reading


def is_package(head: bytes) -> bool:
    """Whether the first bytes of an XML file are an edXML package."""
    start = head[:4096].lower()
    return b"edxmlenvelope" in start or (b"<edxml" in start and b"qcvn_102" in start)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(node, name: str):
    if node is None:
        return None
    for child in node:
        if _local(child.tag) == name:
            return child
    return None


def _children(node, name: str) -> list:
    return [] if node is None else [c for c in node if _local(c.tag) == name]


def _text(node, path: str = "") -> str:
    for name in filter(None, path.split("/")):
        node = _child(node, name)
    if node is None:
        return ""
    return unicodedata.normalize("NFC", " ".join("".join(node.itertext()).split()))


def _date(value: str, what: str, where: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    for pattern in ("%Y/%m/%d", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(value[:19], pattern).date().isoformat()
        except ValueError:
            continue
    raise ReadError(where, "edxml-bad-date", f"{what} {value[:40]!r}")


def parse_package(data: bytes, where: str = "package") -> Package:
    """A package from its bytes; ReadError with the reason when it is not a sound edXML package."""
    from lxml import etree

    lim = limits()
    if len(data) > lim.file_mb * 1e6 * PACKAGE_OVERHEAD:
        raise ReadError(where, "edxml-too-large", **lim.over(megabytes(len(data)), "file_mb"))
    if re.search(rb"<!\s*(DOCTYPE|ENTITY)", data, re.IGNORECASE):
        raise ReadError(where, "edxml-doctype")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=True, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise ReadError(where, "edxml-not-xml", str(err)[:120]) from None
    except ValueError as err:  # e.g. an encoding declaration lxml refuses
        raise ReadError(where, "edxml-unparsable", str(err)[:120]) from None
    envelope = root if _local(root.tag) == "edXMLEnvelope" else _child(root, "edXMLEnvelope")
    if envelope is None:
        raise ReadError(where, "not-edxml", _local(root.tag))
    header = _child(envelope, "edXMLHeader")
    message = _child(header, "MessageHeader") if header is not None else _child(envelope, "MessageHeader")
    if message is None:
        raise ReadError(where, "edxml-no-header")
    package = Package()
    sender = _child(message, "From")
    if sender is None:
        raise ReadError(where, "edxml-no-sender")
    package.sender = _party(sender)
    package.receivers = [_party(n) for n in _children(message, "To")]
    number, notation = _text(message, "Code/CodeNumber"), _text(message, "Code/CodeNotation")
    declared = {
        "number": "/".join(p.strip(" /") for p in (number, notation) if p.strip(" /")),
        "issued_on": _date(_text(message, "PromulgationInfo/PromulgationDate"), "PromulgationDate", where),
        "place": _text(message, "PromulgationInfo/Place"),
        "issuer": package.sender.name, "parent_body": package.sender.in_charge,
        "doc_type": _text(message, "DocumentType/TypeName"), "subject": _text(message, "Subject"),
        "recipients": [_text(p) for p in _children(_child(message, "ToPlaces"), "Place") if _text(p)],
        "signer.authority": _text(message, "SignerInfo/Competence"),
        "signer.title": _text(message, "SignerInfo/Position"), "signer.name": _text(message, "SignerInfo/FullName"),
    }
    package.fields = {k: v for k, v in declared.items() if v}
    package.content = _text(message, "Content")
    package.document_id = _text(message, "DocumentId")
    package.due_date = _date(_text(message, "DueDate"), "DueDate", where)
    package.steering_type = _text(message, "SteeringType")
    package.priority = _text(message, "OtherInfo/Priority")
    response = _child(message, "ResponseFor")
    if response is not None:
        package.response_for = {_local(c.tag): _text(c) for c in response if _text(c)}
    trace_list = _child(header, "TraceHeaderList") if header is not None else None
    package.trace = [{_local(c.tag): _text(c) for c in t} for t in _children(trace_list, "TraceHeader")]
    package.attachments = _attachments(root, envelope, where, lim)
    package.signature = check_xml_signature(data, root)
    return package


DSIG = "http://www.w3.org/2000/09/xmldsig#"


@dataclass
class XmlSignature:
    """What the check of a package's XML signature found: `state` is "valid", "broken" (a digest or
    the signature does not verify: the package changed after signing, or the signature is forged)
    or "not checked" (no certificate in it, signxml missing, an algorithm it does not know)."""

    state: str
    signer_cn: str = ""
    signer_o: str = ""
    detail: str = ""
    count: int = 1  # signatures in the package (the first is verified)

    def note(self) -> str:
        """One line in Vietnamese for a clerk."""
        who = ", ".join(filter(None, (self.signer_cn, self.signer_o))) or "không rõ"
        more = f" (gói có {self.count} chữ ký, đã kiểm tra chữ ký đầu)" if self.count > 1 else ""
        if self.state == "valid":
            return (f"edXML: chữ ký số XML của gói hợp lệ, nội dung nguyên vẹn từ khi ký; người ký {who}; "
                    f"chưa đối chiếu chứng thư với danh sách tổ chức chứng thực tin cậy{more}")
        if self.state == "broken":
            return f"edXML: chữ ký số XML của gói không hợp lệ: {self.detail}; người ký ghi trong chữ ký: {who}{more}"
        return f"edXML: chưa kiểm tra được chữ ký số XML của gói: {self.detail}{more}"

    def to_dict(self) -> dict:
        """As the record keeps a signature (beside a signed PDF's, `Record.signatures`)."""
        found = {"field": "edXML", "kind": "xmldsig", "state": self.state, "signer_cn": self.signer_cn,
                 "signer_o": self.signer_o, "trust": "not checked (edXML package)", "note": self.note()}
        return {k: v for k, v in found.items() if v}


def check_xml_signature(data: bytes, root) -> XmlSignature | None:
    """Verify the package's XML signature (XMLDSig) with signxml, against the certificate it
    carries; None when the package carries none. Never raises: what cannot be checked says why."""
    signatures = list(root.iter(f"{{{DSIG}}}Signature"))
    if not signatures:
        return None
    count = len(signatures)
    certificates = [c for c in signatures[0].iter(f"{{{DSIG}}}X509Certificate") if (c.text or "").strip()]
    if not certificates:
        return XmlSignature("not checked", detail="chữ ký không kèm chứng thư số (X509Certificate)", count=count)
    try:
        from cryptography import x509

        der = base64.b64decode("".join(certificates[0].text.split()), validate=True)
        certificate = x509.load_der_x509_certificate(der)
    except (ValueError, binascii.Error):
        return XmlSignature("broken", detail="chứng thư số trong chữ ký bị hỏng, không đọc được", count=count)
    signer = _subject(certificate)  # (CN, O)
    try:
        from lxml import etree
        from signxml import SignatureMethod, XMLVerifier
        from signxml.algorithms import DigestAlgorithm
        from signxml.exceptions import InvalidDigest, InvalidInput, InvalidSignature
        from signxml.verifier import SignatureConfiguration
    except ImportError:
        return XmlSignature("not checked", *signer, "thiếu thư viện signxml (pip install signxml)", count)
    config = SignatureConfiguration(expect_references=True, location=".//",
                                    signature_methods=frozenset(SignatureMethod),
                                    digest_algorithms=frozenset(DigestAlgorithm))
    try:
        XMLVerifier().verify(data, x509_cert=certificate, expect_config=config)
    except InvalidDigest:
        return XmlSignature("broken", *signer, "mã băm không khớp: nội dung gói đã bị thay đổi sau khi ký", count)
    except InvalidSignature as err:
        if "algorithm" in str(err).lower() and "not" in str(err).lower():
            return XmlSignature("not checked", *signer, "thuật toán ký chưa hỗ trợ", count)
        return XmlSignature("broken", *signer, "giá trị chữ ký không khớp với chứng thư của người ký", count)
    except (InvalidInput, etree.DocumentInvalid):  # (signxml checks the signature against the XMLDSig schema)
        return XmlSignature("broken", *signer, "cấu trúc chữ ký XML không đúng", count)
    except Exception as err:  # a malformed signature element must never stop the package
        return XmlSignature("not checked", *signer, f"lỗi khi kiểm tra ({type(err).__name__})", count)
    return XmlSignature("valid", *signer, count=count)


def _subject(certificate) -> tuple[str, str]:
    """The CN and O of a certificate's subject."""
    from cryptography.x509.oid import NameOID

    def first(oid) -> str:
        found = certificate.subject.get_attributes_for_oid(oid)
        return str(found[0].value) if found else ""

    return first(NameOID.COMMON_NAME), first(NameOID.ORGANIZATION_NAME)


def _party(node) -> Party:
    return Party(organ_id=_text(node, "OrganId"), name=_text(node, "OrganName"),
                 in_charge=_text(node, "OrganizationInCharge"))


def _attachments(root, envelope, where: str, lim) -> list[Attachment]:
    """Attachments from AttachmentEncoded (beside the envelope) or inline in edXMLBody."""
    nodes = []
    for holder in (_child(root, "AttachmentEncoded"), _child(envelope, "AttachmentEncoded"),
                   _child(envelope, "edXMLBody")):
        nodes += _children(holder, "Attachment")
    manifest = {}  # ContentId -> AttachmentName from edXMLBody/edXMLManifest/Reference
    for ref in _children(_child(_child(envelope, "edXMLBody"), "edXMLManifest"), "Reference"):
        manifest[_text(ref, "ContentId").removeprefix("cid:")] = _text(ref, "AttachmentName")
    out, total = [], 0
    for position, node in enumerate(nodes, 1):
        encoded = node.find(".//{*}ContentTransferEncoded")
        if encoded is None:
            encoded = _child(node, "Content")
        if encoded is None:
            raise ReadError(where, "edxml-attachment-empty", str(position))
        raw = re.sub(rb"\s+", b"", "".join(encoded.itertext()).encode("ascii", "replace"))
        if len(raw) * 3 // 4 > lim.file_mb * 1e6:
            raise ReadError(where, "edxml-attachment-too-large",
                            **lim.over(f"no. {position}, {megabytes(len(raw) * 3 // 4)}", "file_mb"))
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise ReadError(where, "edxml-attachment-base64", str(position)) from None
        total += len(data)
        if total > lim.file_mb * 1e6:
            raise ReadError(where, "edxml-attachments-too-large", **lim.over(megabytes(total), "file_mb"))
        name = _text(node, "AttachmentName") or _text(node, "FileName") or \
            manifest.get(_text(node, "ContentId").removeprefix("cid:"), "") or f"attachment-{position}"
        out.append(Attachment(name=name, content_type=_text(node, "ContentType") or _text(node, "FileType"),
                              data=data, description=_text(node, "Description")))
    return out


def _safe_name(name: str, position: int, content_type: str) -> str:
    """A file name for an attachment inside a temporary folder: no path, no odd characters."""
    base = re.split(r"[\\/]", name)[-1]
    stem, dot, suffix = base.rpartition(".")
    suffix = suffix.lower() if dot and re.fullmatch(r"[A-Za-z0-9]{1,5}", suffix) else ""
    if not suffix:
        suffix = next((s[1:] for s, t in CONTENT_TYPES.items() if t == content_type.lower()), "bin")
    return f"{position:02d}.{suffix}"


def read_package(path: str | Path, read_file, ocr: str = "auto", jobs: int = 1) -> SourceText:
    """The main attachment's text, carrying the package as ``.edxml``.

    ``read_file`` is the readers' dispatcher (``pipeline.read.read``), handed in by it: a package
    holds files of every kind, and passing the dispatcher keeps the readers and this module from
    importing each other. The main attachment is the first one of the best type that can be read;
    the others are named in the notes. A package without a readable attachment gives the text it
    declares (Subject, Content).
    """
    where = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise ReadError(where, "cannot-open", err.strerror or str(err)) from None
    package = parse_package(data, where)
    order = sorted(range(len(package.attachments)), key=lambda i: _rank(package.attachments[i]))
    source, main_name, notes = None, "", []
    with tempfile.TemporaryDirectory(prefix="congvan-edxml-") as folder:
        for index in order:
            attachment = package.attachments[index]
            target = Path(folder) / _safe_name(attachment.name, index + 1, attachment.content_type)
            target.write_bytes(attachment.data)
            if source is not None:
                notes.append(f"edXML: tệp đính kèm {attachment.name}")
                continue
            if is_package(attachment.data[:4096]):
                notes.append(f"edXML: tệp đính kèm {attachment.name} là một gói edXML lồng nhau, không đọc")
                continue
            try:
                source = read_file(target, ocr=ocr, jobs=jobs)
                main_name = attachment.name
                if target.suffix == ".pdf":
                    source.edxml_pdf = attachment.data  # its signatures are checked in apply_package
            except ReadError as err:
                notes.append(f"edXML: không đọc được tệp đính kèm {attachment.name}: {err.reason}")
            except Exception as err:  # a reader's bug on one file must not lose the package
                notes.append(f"edXML: không đọc được tệp đính kèm {attachment.name}: {type(err).__name__}")
    if source is None:
        text = "\n".join(filter(None, [package.fields.get("subject", ""), package.content]))
        if not text.strip():
            raise ReadError(where, "edxml-empty")
        source = SourceText(path=where, format="edxml", lines=[])
        from .records import Line

        source.lines = [Line(t) for t in text.splitlines()]
        notes.append("edXML: gói không có tệp văn bản đọc được; bản ghi lấy từ siêu dữ liệu khai báo")
    else:
        notes.insert(0, f"edXML: văn bản đọc từ tệp đính kèm {main_name}")
    source.path = where
    source.notes = list(source.notes) + notes + package.notes()  # the reader's notes: not doubts
    source.edxml = package
    source.edxml_attachment = main_name
    return source


def _rank(attachment: Attachment) -> tuple:
    suffix = Path(attachment.name).suffix.lower()
    return (DOCUMENT_SUFFIXES.index(suffix) if suffix in DOCUMENT_SUFFIXES else len(DOCUMENT_SUFFIXES),)


# --------------------------------------------------------------------------- the record


def _fold(value: str) -> str:
    from .normalize import fold

    return " ".join(fold(value or "").casefold().replace("đ", "d").split())


def agrees(name: str, declared, read) -> bool:
    """Whether the attached document says the same as the package (in substance: case, spacing and
    a short vs full name of the same body do not matter)."""
    if name == "number":
        return re.sub(r"\s+", "", declared).casefold() == re.sub(r"\s+", "", read).casefold()
    if name == "issued_on":
        return declared == read
    if isinstance(declared, list) or isinstance(read, list):
        return sorted(map(_fold, declared or [])) == sorted(map(_fold, read or []))
    a, b = _fold(declared), _fold(read)
    if a == b:
        return True
    if name in ("issuer", "doc_type") and a and b and (a in b or b in a):
        return True
    if name == "subject":
        from rapidfuzz import fuzz

        return fuzz.ratio(a, b) >= 90 or (len(b) > 20 and (a.startswith(b) or b.startswith(a)))
    return False


def _get(record: Record, name: str):
    if name.startswith("signer."):
        return getattr(record.signer, name.split(".", 1)[1])
    return getattr(record, name)


def _set(record: Record, name: str, value) -> None:
    if name.startswith("signer."):
        setattr(record.signer, name.split(".", 1)[1], value)
    else:
        setattr(record, name, value)


def _shown(name: str, value) -> str:
    if name == "issued_on" and value:
        return "/".join(reversed(value.split("-")))
    return ", ".join(value) if isinstance(value, list) else str(value)


def apply_package(record: Record, source: SourceText) -> None:
    """The declared metadata fills the record and outranks the attached text where they disagree;
    each disagreement on a compared field is a warning and a review flag with the reason."""
    package: Package | None = getattr(source, "edxml", None)
    if package is None or record.error:
        return
    try:
        _apply(record, package, source)
    except Exception as err:  # never lose the record over the package's metadata
        record.flag("edxml", f"không áp dụng được siêu dữ liệu gói edXML ({type(err).__name__})")


def _apply(record: Record, package: Package, source: SourceText) -> None:
    for _element, name in MAPPING:
        declared = package.fields.get(name)
        if not declared:
            continue
        read = _get(record, name)
        if not read or agrees(name, declared, read):
            # what the sender's system declared settles a doubt the text left: the value is sure
            record.review = [entry for entry in record.review if entry.get("field") != name]
            if not read:
                _set(record, name, declared)
            continue  # else the document's own printing of the same value is kept, with its span
        _set(record, name, declared)
        record.spans.pop(name, None)
        if name in COMPARED:
            reason = (f"gói edXML khai báo {COMPARED[name]} {_shown(name, declared)!r}, văn bản đính kèm ghi "
                      f"{_shown(name, read)!r}")
            record.warnings.append(Note("edxml-mismatch", name, f"{_shown(name, declared)!r} ≠ {_shown(name, read)!r}"))
            record.flag(name, reason)
    if package.fields.get("number") or package.fields.get("subject"):
        record.kind = "dispatch"
    pdf = getattr(source, "edxml_pdf", None)
    if pdf:
        _check_attached_signatures(record, pdf)
    signature = package.signature
    if signature is not None:  # beside the attached PDF's: the package's own
        record.signatures = list(record.signatures) + [signature.to_dict()]
        if signature.state == "broken":
            reason = signature.note().removeprefix("edXML: ")
            record.warnings.append(Note("edxml-signature-broken", "edxml", signature.detail))
            record.flag("edxml", reason)


def _check_attached_signatures(record: Record, pdf: bytes) -> None:
    """The attached PDF's digital signatures, as for a PDF received on its own."""
    if b"/ByteRange" not in pdf:
        return
    from .signatures import check_file_signatures

    with tempfile.TemporaryDirectory(prefix="congvan-edxml-") as folder:
        target = Path(folder) / "attachment.pdf"
        target.write_bytes(pdf)
        check_file_signatures(record, str(target), limits().file_mb)


# --------------------------------------------------------------------------- writing


def _e(value) -> str:
    return escape(str(value or ""))


def _date_out(value) -> str:
    if isinstance(value, (date, datetime)):
        value = value.isoformat()
    return (value or "")[:10].replace("-", "/")


def _el(name: str, value) -> str:
    return f"<edXML:{name}>{_e(value)}</edXML:{name}>"


def _party_xml(tag: str, party: Party) -> str:
    return (f"<edXML:{tag}>{_el('OrganId', party.organ_id)}{_el('OrganizationInCharge', party.in_charge)}"
            f"{_el('OrganName', party.name)}</edXML:{tag}>")


def write_package(fields: dict, sender: Party, receivers: list[Party], attachments: list[Attachment], *,
                  document_id: str = "", response_for: dict | None = None, due_date=None, content: str = "",
                  steering_type: str = "0", priority: str = "0") -> bytes:
    """The bytes of a package declaring `fields` (record field names, as in MAPPING) with its files."""
    number, _, notation = (fields.get("number") or "").partition("/")
    issued = _date_out(fields.get("issued_on"))
    document_id = document_id or f"{sender.organ_id},{issued},{fields.get('number', '')}"
    parts = ["<edXML:MessageHeader>", _party_xml("From", sender)]
    parts += [_party_xml("To", r) for r in receivers]
    parts += [f"<edXML:Code>{_el('CodeNumber', number)}{_el('CodeNotation', notation)}</edXML:Code>",
              f"<edXML:PromulgationInfo>{_el('Place', fields.get('place'))}{_el('PromulgationDate', issued)}"
              "</edXML:PromulgationInfo>",
              f"<edXML:DocumentType>{_el('TypeName', fields.get('doc_type'))}</edXML:DocumentType>",
              _el("Subject", fields.get("subject")), _el("Content", content or fields.get("subject")),
              f"<edXML:SignerInfo>{_el('Competence', fields.get('signer.authority'))}"
              f"{_el('Position', fields.get('signer.title'))}{_el('FullName', fields.get('signer.name'))}"
              "</edXML:SignerInfo>"]
    if due_date:
        parts.append(_el("DueDate", _date_out(due_date)))
    parts.append("<edXML:ToPlaces>" + "".join(_el("Place", p) for p in fields.get("recipients") or [])
                 + "</edXML:ToPlaces>")
    parts.append(f"<edXML:OtherInfo>{_el('Priority', priority)}</edXML:OtherInfo>")
    if response_for:
        parts.append("<edXML:ResponseFor>" + "".join(_el(k, v) for k, v in response_for.items() if v)
                     + "</edXML:ResponseFor>")
    parts += [_el("SteeringType", steering_type), _el("DocumentId", document_id), "</edXML:MessageHeader>"]
    stamp = datetime.now().strftime("%Y/%m/%d %H:%M:%S")
    trace = (f'<edXML:TraceHeaderList><edXML:TraceHeader>{_el("OrganId", sender.organ_id)}'
             f'{_el("Timestamp", stamp)}</edXML:TraceHeader></edXML:TraceHeaderList>')
    ids = [str(uuid.uuid4()) for _ in attachments]
    manifest = "".join(
        f'<edXML:Reference xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="cid:{cid}" xlink:type="simple">'
        f'{_el("Description", a.description)}{_el("AttachmentName", a.name)}{_el("ContentType", a.content_type)}'
        f'{_el("ContentId", "cid:" + cid)}</edXML:Reference>' for cid, a in zip(ids, attachments))
    encoded = "".join(
        f"<Attachment><ContentType>{_e(a.content_type)}</ContentType><ContentId>{cid}</ContentId>"
        f"<Description>{_e(a.description)}</Description><ContentTransferEncoded>"
        f"{base64.b64encode(a.data).decode('ascii')}</ContentTransferEncoded>"
        f"<AttachmentName>{_e(a.name)}</AttachmentName></Attachment>" for cid, a in zip(ids, attachments))
    xml = (f'<?xml version="1.0" encoding="utf-8"?>\n<edXML xmlns="{NS}">'
           f'<edXML:edXMLEnvelope xmlns:edXML="{NS}"><edXML:edXMLHeader>{"".join(parts)}{trace}'
           f'</edXML:edXMLHeader><edXML:edXMLBody><edXML:edXMLManifest version="1.0">{manifest}'
           f'</edXML:edXMLManifest></edXML:edXMLBody></edXML:edXMLEnvelope>'
           f'<AttachmentEncoded>{encoded}</AttachmentEncoded></edXML>\n')
    return unicodedata.normalize("NFC", xml).encode("utf-8")


def incoming_package(doc) -> Package | None:
    """The package a stored document (a StoredDocument) came in, when its file is an edXML package
    still on disk."""
    path = Path((doc.source_path if doc else "") or "")
    try:
        if not path.is_file() or not (path.suffix.lower() in SUFFIXES or is_package(path.read_bytes()[:4096])):
            return None
        return parse_package(path.read_bytes(), str(path))
    except (OSError, ReadError):
        return None


def write_reply_package(draft, org, docx_path: Path, doc=None, pdf_path: Path | None = None,
                        output: Path | None = None) -> Path:
    """The outgoing letter as an edXML package beside its DOCX (``05-SYT-VP.edxml``): from the
    organisation (its mã định danh as OrganId), to the incoming document's sender, ResponseFor
    the incoming number, the DOCX (and the PDF) attached."""
    incoming = incoming_package(doc)
    sender = Party(organ_id=getattr(org, "organ_id", ""), name=org.name, in_charge=org.parent)
    receivers = []
    if doc:
        receivers.append(Party(organ_id=incoming.sender.organ_id if incoming else "",
                               name=(incoming.sender.name if incoming else "") or doc.issuer or "",
                               in_charge=(incoming.sender.in_charge if incoming else "") or doc.parent_body or ""))
    signer = draft.signer
    fields = {"number": draft.number, "issued_on": draft.issued_on.isoformat(), "place": draft.place,
              "issuer": draft.issuer.replace("\n", " "), "parent_body": draft.parent, "doc_type": draft.doc_type,
              "subject": draft.subject, "recipients": list(draft.recipients),
              "signer.authority": signer.authority, "signer.title": signer.title, "signer.name": signer.name}
    files = [Attachment(Path(docx_path).name, CONTENT_TYPES[".docx"], Path(docx_path).read_bytes(), "Văn bản")]
    if pdf_path:
        files.insert(0, Attachment(Path(pdf_path).name, CONTENT_TYPES[".pdf"], Path(pdf_path).read_bytes(),
                                   "Văn bản (PDF)"))
    response = None
    if doc and (doc.number or incoming):
        response = {"OrganId": receivers[0].organ_id, "Code": doc.number or "",
                    "PromulgationDate": _date_out(doc.issued_on),
                    "DocumentId": incoming.document_id if incoming else ""}
    data = write_package(fields, sender, receivers, files, response_for=response)
    target = output or Path(docx_path).with_suffix(".edxml")
    target.write_bytes(data)
    return target
