"""The stored document: a record as the store keeps it, with its filing, and its fields declared once.

`FIELDS` says what each stored column of a document is to the people who read and correct it:
whether a person may correct it, whether it is a list or a date, a long text, a line of
`congvan show`, a column of the CSV export, the office's (filing) rather than the document's.
Every list of field names the store, the command line and the web page use is derived from it;
the Vietnamese label of each field is in web/vi.json ("fields"), checked by a test.

`StoredDocument` is what `Store.get`, `get_many` and `search` return: the record's values, its
filing (id, status, số đến, ngày đến, possible duplicate, assignee, note), its directive items
with their state, its citations and the corrections people made. Built from the row as it is
read, with no checking in Python (the store decodes the JSON columns before).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class Field:
    """One stored column of a document (the attribute of StoredDocument of the same name)."""

    name: str
    editable: bool = False  # a person may correct it (`congvan edit`, the review form)
    is_list: bool = False  # a list of strings, typed "a; b; c" or one a line
    is_date: bool = False  # an ISO date, typed 15/03/2024 or 2024-03-15
    long: bool = False  # a text area on the review form
    shown: bool = False  # a line of `congvan show`
    csv: bool = False  # a column of the CSV export
    filing: bool = False  # the office's (số đến, ngày đến, who handles it), not the document's
    json: bool = False  # kept as JSON text
    listed: bool = False  # read for the web page's lists (inbox, review), which need no full record
    registered: bool = False  # read for the sổ đến (its page and .xlsx)


_SEEN = dict(shown=True, csv=True)  # a value of the document a person reads: `show` and the CSV
_TYPED = dict(_SEEN, editable=True)  # … and may correct
_LISTS = dict(listed=True, registered=True)  # in the lists and in the sổ đến

# In the order the CSV export has them (filing first, then the document as its header reads,
# the parent body above the issuer); the columns only the program reads come last.
FIELDS = (
    Field("id", csv=True, filing=True, **_LISTS),
    Field("incoming_year", csv=True, filing=True, listed=True),
    Field("incoming_no", **_SEEN, filing=True, **_LISTS),
    Field("received_on", **_TYPED, is_date=True, filing=True, **_LISTS),
    Field("status", **_SEEN, filing=True, listed=True),
    Field("file_name", **_SEEN, filing=True, listed=True),
    Field("doc_type", **_TYPED, **_LISTS),
    Field("number", **_TYPED, **_LISTS),
    Field("issued_on", **_TYPED, is_date=True, **_LISTS),
    Field("place", **_TYPED),
    Field("parent_body", **_TYPED, registered=True),
    Field("issuer", **_TYPED, **_LISTS),
    Field("subject", **_TYPED, long=True, **_LISTS),
    Field("recipients", **_TYPED, is_list=True, long=True, json=True),
    Field("distribution", **_TYPED, is_list=True, long=True, json=True),
    Field("signer_authority", **_TYPED),
    Field("signer_title", **_TYPED),
    Field("signer_name", **_TYPED),
    Field("assignee", shown=True, editable=True, filing=True, registered=True),
    Field("note", shown=True, editable=True, long=True, filing=True, registered=True),
    Field("error", listed=True),  # the CSV's last column, after the items, citations and corrections
    Field("sha256", filing=True),
    Field("source_path", filing=True),
    Field("kind", listed=True),
    Field("spans", json=True),
    Field("warnings", json=True, listed=True),  # (a list shows a failed file's only)
    Field("review", json=True),
    Field("text"),
    Field("duplicate_of", filing=True, **_LISTS),
    Field("created_at", filing=True, listed=True),
    Field("updated_at", filing=True, listed=True),
)
BY_NAME = {f.name: f for f in FIELDS}


def names(**wanted) -> tuple[str, ...]:
    """The fields whose flags are as given, in declaration order: names(editable=True)."""
    return tuple(f.name for f in FIELDS if all(getattr(f, flag) == value for flag, value in wanted.items()))


# A person's corrections: the document's own fields in the order they are printed, then the office's.
EDITABLE = names(editable=True, filing=False) + names(editable=True, filing=True)
LIST_FIELDS = names(is_list=True)
DATE_FIELDS = names(is_date=True)
LONG_FIELDS = names(long=True)
JSON_COLUMNS = names(json=True)
DOCUMENT_COLUMNS = tuple(f.name for f in FIELDS if f.name != "id")  # what an import writes besides the id
# `congvan show`: what the record is and where it came from first, then the rest in order.
SHOWN = ("status", "file_name") + tuple(n for n in names(shown=True) if n not in ("status", "file_name"))
# The CSV export: its items, citations and corrected fields each in one cell, before the error.
CSV_COLUMNS = names(csv=True) + ("directives", "references", "corrected_fields", "error")


class ReadByKey:
    """Read access by name, as when the store gave dicts: ``doc["number"]``, ``doc.get("number")``.
    Kept while callers move to attributes (``doc.number``); new code reads attributes."""

    __slots__ = ()

    def __getitem__(self, name: str):
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None

    def get(self, name: str, default=None):
        return getattr(self, name, default)

    def __contains__(self, name: str) -> bool:
        return name in self.__dataclass_fields__

    def to_dict(self) -> dict:
        """As the store's export writes it (and `congvan import` reads it back)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(slots=True)
class StoredItem(ReadByKey):
    """A directive item of a stored document, with its state: open, or done by a reply."""

    id: int
    document_id: int
    position: int
    label: str
    text: str
    deadline: Optional[str]
    lead: Optional[str]
    support: list
    status: str
    reply_number: Optional[str]
    done_on: Optional[str]


@dataclass(slots=True)
class StoredCitation(ReadByKey):
    """A document the stored one cites; `cited_id` the stored document it names, when there is one."""

    id: int
    document_id: int
    position: int
    doc_type: Optional[str]
    number: str
    issued_on: Optional[str]
    issuer: Optional[str]
    cited_id: Optional[int]


@dataclass(slots=True)
class Correction(ReadByKey):
    """A person's correction of one field (or of the status: "checked"), kept with who and when."""

    id: int
    document_id: int
    field: str
    old_value: Optional[str]
    new_value: Optional[str]
    author: str
    corrected_at: str


@dataclass(slots=True, kw_only=True)
class StoredDocument(ReadByKey):
    """A stored document. Its attributes are the columns of `documents` in the table's order (the
    order of the export's keys), then its items, citations and corrections."""

    id: int
    sha256: str
    file_name: str
    source_path: str
    status: str
    kind: str
    error: Optional[str]
    doc_type: Optional[str]
    number: Optional[str]
    issued_on: Optional[str]
    place: Optional[str]
    issuer: Optional[str]
    parent_body: Optional[str]
    subject: Optional[str]
    recipients: list
    distribution: list
    signer_authority: Optional[str]
    signer_title: Optional[str]
    signer_name: Optional[str]
    spans: dict
    warnings: list
    text: Optional[str]
    folded: Optional[str] = None  # PostgreSQL only: the diacritic-free search key
    incoming_year: Optional[int]
    incoming_no: Optional[int]
    received_on: Optional[str]
    duplicate_of: Optional[int]
    assignee: Optional[str]
    note: Optional[str]
    created_at: str
    updated_at: str
    review: list
    directives: list = field(default_factory=list)  # StoredItem
    references: list = field(default_factory=list)  # StoredCitation
    corrections: list = field(default_factory=list)  # Correction

    def to_dict(self) -> dict:
        """As the export writes it: the columns in the table's order, then the items, citations and
        corrections (PostgreSQL's search key where the table has it)."""
        out = {name: getattr(self, name) for name in COLUMNS}
        if self.folded is None:
            del out["folded"]
        out["directives"] = [item.to_dict() for item in self.directives]
        out["references"] = [ref.to_dict() for ref in self.references]
        out["corrections"] = [corr.to_dict() for corr in self.corrections]
        return out

    @property
    def corrected(self) -> set[str]:
        """The fields a person has corrected (or "status": marked checked)."""
        return {c.field for c in self.corrections}


# The columns of `documents`, in the table's order.
COLUMNS = tuple(name for name in StoredDocument.__dataclass_fields__
                if name not in ("directives", "references", "corrections"))
