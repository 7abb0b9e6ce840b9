"""Plain records passed between the pipeline stages.

Every stage is a function over these dataclasses: a reader returns a ``SourceText``,
extraction returns a ``Record``. ``Record.to_dict()`` is the JSON shape used by the CLI,
the gold files in ``corpus/`` and the evaluation.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Optional

from . import notes

if TYPE_CHECKING:  # only for the annotations: records stays the bottom of the import graph
    from .org import SignerInfo

# Where a line sits on the page, when the reader can tell from geometry or table cells.
LEFT, RIGHT, FULL = "left", "right", ""
# Which block a line belongs to, when the reader can tell (a DOCX table, a PDF zone).
HEADER, BODY, FOOTER = "header", "body", "footer"


@dataclass
class Line:
    """One line of text as the reader saw it (NFC, leading spaces kept for continuation hints)."""

    text: str
    column: str = FULL  # LEFT / RIGHT for the two columns of a header or signature block
    block: str = ""  # HEADER / BODY / FOOTER when known from layout, else ""
    page: int = 1


@dataclass
class ScannedLine(Line):
    """A line read (partly) by OCR: each whitespace-separated token's confidence, 0–100.

    Tokens from a text layer in the same line count as 100.
    """

    confidences: tuple = field(default_factory=tuple)
    box: tuple = ()  # (x0, top, x1, bottom) in points on its page, for a second, closer reading

    @property
    def confidence(self) -> float:
        return sum(self.confidences) / len(self.confidences) if self.confidences else 100.0


@dataclass
class SourceText:
    """What a reader returns: the document's lines in reading order, plus provenance."""

    path: str
    format: str  # "txt", "md", "html", "docx", "pdf"
    lines: list[Line]
    pages: int = 1
    encoding: str = ""  # how the bytes were decoded (txt), or the legacy font converted
    notes: list[str] = field(default_factory=list)  # e.g. "converted from TCVN3"

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


class ReadError(Exception):
    """A file that cannot be read: a code of kind "error" in data/notes.json, with the detail (and
    the field: a [limits] name) its words take. ``note`` is what a failed record keeps and a page
    says in Vietnamese; ``reason`` the one-line English for the command line and logs."""

    def __init__(self, path: str, code: str, detail: str = "", field: str = ""):
        self.path = path
        self.note = Note(code, field, detail)
        super().__init__(f"{path}: {self.reason}")

    @property
    def reason(self) -> str:
        return self.note.text


@dataclass
class Directive:
    label: str  # "1", "a", "II", "Điều 1"
    text: str
    deadline: Optional[str] = None  # ISO date
    lead: str = ""  # the unit that "chủ trì"
    support: list[str] = field(default_factory=list)  # the units that "phối hợp"


@dataclass
class Reference:
    doc_type: str
    number: str
    issued_on: Optional[str] = None
    issuer: str = ""


@dataclass
class Signer:
    authority: str = ""  # "TL. TỔNG GIÁM ĐỐC", "" when signing in one's own title
    title: str = ""  # "CHÁNH VĂN PHÒNG"
    name: str = ""  # "Chu Mạnh Sinh"


@dataclass(frozen=True)
class Note:
    """What a record says about itself beyond its values (``Record.warnings``): a code from the
    table in data/notes.json, the field it is about and a detail from the document. Its kind says
    whether it doubts a value ("doubt": the record goes to review) or only notes how the sender
    formatted the document ("format"); its words come from the table, in Vietnamese or English."""

    code: str
    field: str = ""
    detail: str = ""

    def __post_init__(self):
        if self.code not in notes.codes():
            raise ValueError(f"no note code {self.code!r} in data/notes.json")

    @property
    def kind(self) -> str:
        return notes.kind(self.code)

    @property
    def is_doubt(self) -> bool:
        return self.kind == notes.DOUBT

    @property
    def is_error(self) -> bool:
        """Why a file could not be read (a failed record's note), not a remark on a value."""
        return self.kind == notes.ERROR

    @property
    def vi(self) -> str:
        return notes.text(self.code, self.field, self.detail, "vi")

    @property
    def text(self) -> str:
        """In English, for logs and the command line's messages."""
        return notes.text(self.code, self.field, self.detail, "en")

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict:
        return {"code": self.code, "field": self.field, "detail": self.detail}

    @classmethod
    def load(cls, value: "Note | dict | str") -> "Note":
        """A note as stored or exported: a dict, or an English sentence from before the codes."""
        if isinstance(value, Note):
            return value
        if isinstance(value, dict):
            code, field_, detail = value.get("code") or notes.OTHER, value.get("field") or "", value.get("detail") or ""
            if code not in notes.codes():  # from a newer congvan: kept, said as its code and detail
                return cls(notes.OTHER, field_, f"{code}: {detail}" if detail else code)
            return cls(code, field_, detail)
        return cls(*notes.legacy(str(value)))

    @classmethod
    def failure(cls, error: str | None, warnings=()) -> "Note | None":
        """Why a record (or a stored document: its `error` and `warnings`) failed: its note of kind
        "error", or for one failed before the codes, the code of its English reason; None if it did not."""
        for value in warnings or ():
            note = cls.load(value)
            if note.is_error:
                return note
        return cls(*notes.legacy_error(error)) if error else None


@dataclass
class Record:
    source: str
    kind: str = "other"  # "dispatch" or "other"
    doc_type: str = ""
    number: str = ""
    issued_on: Optional[str] = None
    place: str = ""
    issuer: str = ""
    parent_body: str = ""
    subject: str = ""
    recipients: list[str] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    distribution: list[str] = field(default_factory=list)
    signer: Signer = field(default_factory=Signer)
    spans: dict = field(default_factory=dict)  # field -> [start, end] or list of them, in `text`
    warnings: list[Note] = field(default_factory=list)  # see Note; to_dict writes {code, field, detail}
    text: str = ""  # the normalised text the spans point into
    error: str = ""  # set when the file could not be read: the English reason; its note is in warnings
    confidence: dict = field(default_factory=dict)  # OCR'd key field -> lowest word confidence, 0–100
    # What a person must check before trusting the record: {"field": "number", "reason": "…"}.
    # A value the rules were unsure of is left empty or kept, but always named here.
    review: list[dict] = field(default_factory=list)
    # A PDF's digital signatures as pipeline.signatures verified them (SignatureInfo.to_dict()).
    signatures: list[dict] = field(default_factory=list)

    @classmethod
    def failed(cls, source: str, note: Note) -> "Record":
        """The record of a file that could not be read: `error` the English reason (the command line,
        exports), `note` (kind "error") its one warning, which the pages say in Vietnamese."""
        return cls(source=source, kind="error", error=note.text, warnings=[note])

    @property
    def failure(self) -> Note | None:
        return Note.failure(self.error, self.warnings)

    def flag(self, name: str, reason: str) -> None:
        """Send `name` ("number", "signer.name", …) to review with a reason in Vietnamese."""
        entry = {"field": name, "reason": reason}
        if entry not in self.review:
            self.review.append(entry)

    def to_dict(self, with_text: bool = False) -> dict:
        data = asdict(self)
        if not with_text:
            data.pop("text")
        if not self.error:
            data.pop("error")
        if not self.confidence:  # only documents read with OCR have one
            data.pop("confidence")
        if not self.signatures:  # only signed PDFs have them
            data.pop("signatures")
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Record":
        data = dict(data)
        data["directives"] = [Directive(**d) for d in data.get("directives", [])]
        data["references"] = [Reference(**r) for r in data.get("references", [])]
        data["signer"] = Signer(**data.get("signer", {}))
        data["warnings"] = [Note.load(w) for w in data.get("warnings", [])]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


# Fields compared by the evaluation, in report order.
FIELDS = (
    "kind", "doc_type", "number", "issued_on", "place", "issuer", "parent_body", "subject",
    "recipients", "directives", "references", "distribution", "signer",
)


# ---- outgoing documents: what generate makes and layout writes


@dataclass
class Paragraph:
    """One body paragraph: runs of (text, bold)."""

    runs: list[tuple[str, bool]]

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.runs)


@dataclass
class Draft:
    """An outgoing document, ready to lay out: every value as it will be printed."""

    doc_type: str
    issuer: str  # header lines, upper case, "\n" between lines
    parent: str
    place: str
    issued_on: date
    subject: str
    recipients: list[str]
    body: list[Paragraph]
    distribution: list[str]  # entries without "-" and ";", "Lưu: VT, VP" last
    signer: SignerInfo
    number: str = ""  # "05/SYT-VP"; "" in a preview, before a number is taken
    unit: str = ""
    template: str = ""
    reply_to: int | None = None
    answered: list[int] = field(default_factory=list)  # 1-based items of reply_to this letter reports done

    @property
    def is_cong_van(self) -> bool:
        return self.doc_type.casefold() == "công văn"
