"""Generate stage: a stored record + a template + the organisation → an outgoing ``Draft``.

A template (``templates/*.j2``) holds only the wording, as plain text a secretary can copy and
edit; everything about layout (fonts, sizes, header and footer tables, punctuation of the
Kính gửi and Nơi nhận lists, "./." at the end) is applied in code by ``pipeline.layout``.
A template renders to::

    Loại văn bản: Công văn            head: "Key: value" lines
    Trích yếu: phúc đáp …
    [Kính gửi]                        one recipient a line
    [Nội dung]                        paragraphs separated by a blank line; **bold** allowed
    [Nơi nhận]                        other recipients, one a line ("Như trên" and
                                      "Lưu: VT, <unit>" are added by congvan)

Jinja2 runs with StrictUndefined: a value the template needs and nobody gave is an error that
names it (``--set name=value``), never a blank in a signed letter.
"""
from __future__ import annotations

import contextvars
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import jinja2
from jinja2 import meta

from . import notes, wording
from .normalize import fold_words
from .org import Org, SignerInfo
from .records import Draft, Note, Paragraph  # noqa: F401 (hand-off types: generate makes them, layout writes them)
from .stored import StoredDocument

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SUFFIX = ".j2"
SECTIONS = {"kinh gui": "recipients", "noi dung": "body", "noi nhan": "distribution"}
HEAD_KEYS = {"loai van ban": "doc_type", "trich yeu": "subject", "ten mau": "title",
             "hoan thanh nhiem vu": "answered"}
SECTION_LINE = re.compile(r"^\[(?P<name>[^\]]+)\]\s*$")
HEAD_LINE = re.compile(r"^(?P<key>[^:\n]{2,30}):\s*(?P<value>.*)$")


class TemplateError(Exception):
    """A template that cannot be found or filled. The message says what to give or fix (the command
    line prints it); the fields say it to a page: `reason` (NOTHING_TO_REPLY, UNKNOWN_UNIT, MISSING,
    NO_SUBJECT, "" for the rest), `missing` (the --set names nobody gave), `given` and `choices`."""

    def __init__(self, message: str, reason: str = "", missing=(), given: str = "", choices=()):
        super().__init__(message)
        self.reason, self.missing, self.given, self.choices = reason, list(missing), given, list(choices)


NOTHING_TO_REPLY, UNKNOWN_UNIT, MISSING, NO_SUBJECT = "nothing-to-reply", "unknown-unit", "missing", "no-subject"


# What a template printed without a value during one render: the names of --set values nobody
# gave, and the messages of incoming values the store does not have. Every one is reported at
# once, and the letter is not written: never a blank in a letter.
_MISSING: contextvars.ContextVar[list | None] = contextvars.ContextVar("congvan_missing", default=None)


def _record(item: tuple[str, str]) -> None:
    found = _MISSING.get()
    if found is not None and item not in found:
        found.append(item)


class Missing:
    """An incoming value the store does not have (no number, no date …): printing it records
    `message` (what to fill in, and how) and prints nothing; `render_draft` then refuses."""

    def __init__(self, message: str):
        self.message = message

    def __str__(self) -> str:
        _record(("value", self.message))
        return ""

    def __bool__(self) -> bool:
        return False

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0


class _Collecting(jinja2.Undefined):
    """A name the template uses that nobody gave: recorded, to be asked for with --set."""

    __slots__ = ()

    def __str__(self) -> str:
        _record(("set", self._undefined_name or "?"))
        return ""

    def __iter__(self):
        _record(("set", self._undefined_name or "?"))
        return iter(())


def _passing_missing(func):
    """A filter that hands a missing value on unchanged (so it is still reported when printed)."""
    def wrapper(value, *args, **kwargs):
        if isinstance(value, (Missing, jinja2.Undefined)):
            return value
        return func(value, *args, **kwargs)
    return wrapper


@dataclass
class TemplateInfo:
    name: str
    title: str
    doc_type: str
    path: str
    needs: list[str] = field(default_factory=list)  # the --set values it reads (some have defaults)


# --------------------------------------------------------------------------- finding templates


def template_dirs() -> list[Path]:
    """Where templates are looked up: $CONGVAN_TEMPLATES, ./templates, then congvan's own."""
    dirs = [Path(p) for p in os.environ.get("CONGVAN_TEMPLATES", "").split(os.pathsep) if p]
    dirs += [Path("templates"), PACKAGE_TEMPLATES]
    unique: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def find_template(name: str) -> Path:
    path = Path(name)
    if path.suffix == SUFFIX and path.is_file():
        return path
    for folder in template_dirs():
        candidate = folder / f"{name}{SUFFIX}"
        if candidate.is_file():
            return candidate
    known = ", ".join(t.name for t in list_templates()) or "none"
    raise TemplateError(f"no template {name!r}; templates: {known}")


def template_name(path: Path) -> str:
    return path.name[: -len(SUFFIX)]


def list_templates() -> list[TemplateInfo]:
    seen: dict[str, TemplateInfo] = {}
    for folder in template_dirs():
        for path in sorted(folder.glob(f"*{SUFFIX}")):
            if template_name(path) not in seen:
                seen[template_name(path)] = describe(path)
    return list(seen.values())


def describe(path: Path) -> TemplateInfo:
    """Name, title, type and the values a template needs, read from its text without rendering."""
    source = path.read_text(encoding="utf-8")
    head, _ = split_sections(source)
    declared = _environment().parse(source)
    needs = sorted(meta.find_undeclared_variables(declared) - set(CONTEXT_NAMES))
    # values read by name through values.get("ket_qua_" ~ n): ket_qua_1, ket_qua_2 …
    for stem in sorted(set(re.findall(r"values\.get\(\s*[\"'](\w+?_)[\"']\s*~", source))):
        needs = [n for n in needs if n != stem.rstrip("_")] + [f"{stem}1, {stem}2 …"]
    return TemplateInfo(name=template_name(path), title=head.get("title", path.stem),
                        doc_type=head.get("doc_type", ""), path=str(path), needs=needs)


# --------------------------------------------------------------------------- rendering


CONTEXT_NAMES = ("incoming", "org", "signer", "today", "overdue", "overdue_units", "values", "error", "in_days")


def _environment(undefined=jinja2.StrictUndefined) -> jinja2.Environment:
    env = jinja2.Environment(undefined=undefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, autoescape=False)
    env.filters.update({name: _passing_missing(func) for name, func in (
        ("ngay", wording.short_date), ("ngay_day_du", wording.day_month_year),
        ("ten_co_quan", wording.org_name_in_text), ("chu_thuong_dau", wording.lower_first))})
    return env


def render_draft(template: str, doc: StoredDocument | None, org: Org, values: dict[str, str] | None = None,
                 today: date | None = None, signer: str | None = None, unit: str | None = None) -> Draft:
    """Fill a template for a stored document (as ``Store.get`` gives it), or None for a fresh letter.

    `today` is the date the letter bears; `values` are the --set values (``OVERRIDES`` among
    them change the subject or recipients the template would give).
    """
    values = dict(values or {})
    today = today or date.today()
    if doc is not None and doc.kind != "dispatch":
        what = "could not be read" if doc.kind == "error" else "is not an administrative document"
        raise TemplateError(f"document {doc.id} ({doc.file_name}) {what}: nothing to reply to",
                            NOTHING_TO_REPLY)
    path = find_template(template)
    name = template_name(path)
    unit = unit or org.unit
    if unit not in org.units and unit != org.unit:
        raise TemplateError(f"no drafting unit {unit!r} in {org.path or 'the organisation file'}; "
                            f"units: {', '.join(org.units) or org.unit}", UNKNOWN_UNIT,
                            given=unit, choices=list(org.units) or [org.unit])
    context = template_context(doc, org, values, today, org.signer(signer))
    token = _MISSING.set([])
    try:
        text = _environment(_Collecting).from_string(path.read_text(encoding="utf-8")).render(context)
        missing = _MISSING.get()
    except jinja2.UndefinedError as err:
        found = re.search(r"'([^']+)' is undefined", str(err))
        missing = [("set", found.group(1))] if found else [("value", str(err))]
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"{path}:{err.lineno}: {err.message}") from None
    finally:
        _MISSING.reset(token)
    if missing:
        raise _missing_error(name, missing)
    return draft_from_text(text, doc, org, context["signer"], today, unit,
                           template=name, overrides=values)


def _missing_error(template: str, missing: list[tuple[str, str]]) -> TemplateError:
    """Everything the letter lacks, in one message: what to fill in and how."""
    names = [value for kind, value in missing if kind == "set"]
    values = [value for kind, value in missing if kind == "value"]
    parts = values[:]
    if names:
        parts.append(f"template {template} needs a value for {', '.join(names)}: give "
                     + " ".join(f"--set {n}=…" for n in names))
    return TemplateError("; ".join(parts), MISSING if names else "", missing=names)


def template_context(doc: StoredDocument | None, org: Org, values: dict, today: date, signer: SignerInfo) -> dict:
    incoming = incoming_context(doc, today) if doc else None
    if incoming is not None:
        incoming["superior"] = wording.is_superior(doc.issuer or "", org.name, org.parent)
    if incoming is not None and isinstance(incoming["subject"], Missing) and values.get("trich_yeu"):
        incoming["subject"] = wording.subject_text(values["trich_yeu"])
    overdue = [item for item in (incoming or {}).get("directives", []) if item["overdue"]]
    units = []
    for item in overdue:
        if item["lead"] and item["lead"] not in units:
            units.append(item["lead"])

    def error(message: str):
        missing = _MISSING.get()
        if missing:  # the message itself would print a blank: say what to fill in instead
            raise _missing_error("the template", missing)
        raise TemplateError(message)

    def in_days(n: int) -> str:
        return wording.short_date(today + timedelta(days=n))

    context = dict(values)  # --set values are plain names in the template ({{ thoi_gian }})
    context.update(incoming=incoming, org=org, signer=signer, today=today, overdue=overdue,
                   overdue_units=units, values=values, error=error, in_days=in_days)
    return context


def incoming_context(doc: StoredDocument, today: date) -> dict:
    """A stored document as templates see it: cited forms ready to print."""
    issuer = doc.issuer or ""
    items = []
    for item in doc.directives:
        deadline = item.deadline
        items.append({
            "label": item.label, "text": item.text.rstrip(" .;:"), "deadline": wording.short_date(deadline),
            "lead": item.lead or "", "support": item.support or [],
            "done": item.status == "done", "reply_number": item.reply_number or "",
            "overdue": bool(deadline and item.status != "done" and deadline < today.isoformat()),
        })
    doc_id = doc.id

    def missing(what: str, field: str, example: str) -> Missing:
        return Missing(f"document #{doc_id} has no {what}: fill it in with `congvan edit {doc_id} {field}={example}`")

    subject = wording.subject_text(doc.subject or "")
    return {
        "id": doc_id, "doc_type": doc.doc_type or "Văn bản",
        "number": doc.number or missing("số và ký hiệu (number)", "number", "…/…"),
        "issued_on": wording.short_date(doc.issued_on) or missing("date (ngày ban hành)", "issued_on",
                                                                         "dd/mm/yyyy"),
        "issuer": issuer or missing("issuing body (cơ quan ban hành)", "issuer", "…"),
        "issuer_name": wording.org_name_in_text(issuer, doc.text or "") or missing(
            "issuing body (cơ quan ban hành)", "issuer", "…"),
        "subject": subject or Missing(f"document #{doc_id} has no trích yếu: give --set trich_yeu=… or fill it in "
                                      f"with `congvan edit {doc_id} subject=…`"),
        "recipients": doc.recipients or [],
        "directives": items, "incoming_no": doc.incoming_no,
        "received_on": wording.short_date(doc.received_on),
    }


# --set names that change the letter itself rather than fill a blank in the template.
OVERRIDES = {"trich_yeu": "subject (trích yếu)", "kinh_gui": "recipients, separated by \";\""}


def draft_from_text(text: str, doc: StoredDocument | None, org: Org, signer: SignerInfo, issued_on: date, unit: str,
                    template: str = "", overrides: dict | None = None) -> Draft:
    head, sections = split_sections(text)
    overrides = overrides or {}
    subject = wording.subject_text(overrides.get("trich_yeu") or head.get("subject", ""), lower=False)
    if not subject:
        raise TemplateError(f"template {template} gives no trích yếu: add a line \"Trích yếu: …\" "
                            "or give --set trich_yeu=…", NO_SUBJECT)
    recipients = list_entries(overrides.get("kinh_gui") or sections.get("recipients", ""))
    return Draft(
        doc_type=head.get("doc_type") or "Công văn", issuer=org.header, parent=org.parent, place=org.place,
        issued_on=issued_on, subject=" ".join(subject.split()), recipients=recipients,
        body=body_paragraphs(sections.get("body", "")),
        distribution=distribution_entries(list_entries(sections.get("distribution", "")), bool(recipients), unit),
        signer=signer, unit=unit, template=template, reply_to=doc.id if doc else None,
        answered=answered_items(head.get("answered", ""), doc),
    )


def answered_items(declared: str, doc: StoredDocument | None) -> list[int]:
    """The items (1-based) a template's "Hoàn thành nhiệm vụ:" line says the letter reports done:
    numbers, or "tất cả" for every item of the document; none when the line is absent."""
    count = len(doc.directives) if doc else 0
    if fold_words(declared).strip() in ("tat ca", "all"):
        return list(range(1, count + 1))
    return sorted({int(n) for n in re.findall(r"\d+", declared) if 1 <= int(n) <= count})


def split_sections(text: str) -> tuple[dict, dict]:
    """The head's "Key: value" lines and each [Section]'s raw text."""
    head: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        match = SECTION_LINE.match(line.strip())
        if match:
            name = fold_words(match.group("name"))
            if name not in SECTIONS:
                raise TemplateError(f"unknown section [{match.group('name')}]; sections: "
                                    "[Kính gửi], [Nội dung], [Nơi nhận]")
            current = SECTIONS[name]
            sections[current] = []
        elif current:
            sections[current].append(line)
        elif HEAD_LINE.match(line.strip()):
            key, value = HEAD_LINE.match(line.strip()).group("key", "value")
            head[HEAD_KEYS.get(fold_words(key), fold_words(key))] = value.strip()
    return head, {k: "\n".join(v) for k, v in sections.items()}


def list_entries(raw: str) -> list[str]:
    """Lines (or ";"-separated values) with the list punctuation stripped: layout adds it back."""
    parts = re.split(r"\n|;(?=\s)|;$", raw)
    entries = []
    for part in parts:
        entry = part.strip().lstrip("-–•").strip().rstrip(";.,").strip()
        if entry and entry != "/":
            entries.append(entry)
    return entries


def distribution_entries(others: list[str], has_recipients: bool, unit: str) -> list[str]:
    """Nơi nhận: "Như trên" first when there is a Kính gửi, the archive line last (App. I §II.9)."""
    archive = next((e for e in others if e.startswith("Lưu")), f"Lưu: VT, {unit}" if unit else "Lưu: VT")
    rest = [e for e in others if not e.startswith("Lưu") and e.casefold() != "như trên"]
    return (["Như trên"] if has_recipients else []) + rest + [archive]


def body_paragraphs(raw: str) -> list[Paragraph]:
    """Blank-line separated paragraphs; lines inside one are joined; **…** marks bold text."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", raw.strip()):
        text = " ".join(block.split())
        if not text:
            continue
        pieces = text.split("**")
        runs = [(piece, i % 2 == 1) for i, piece in enumerate(pieces) if piece]
        paragraphs.append(Paragraph(runs))
    if paragraphs and not paragraphs[-1].text.endswith("./."):
        last = paragraphs[-1].runs
        tail_text, tail_bold = last[-1]
        last[-1] = (tail_text.rstrip(".") + "./.", tail_bold)  # the content ends with "./." (Mẫu 1.5)
    return paragraphs


def plain_text(draft: Draft) -> str:
    """A reading preview of the draft (what the DOCX says, without its layout)."""
    lines = [draft.parent, draft.issuer, f"Số: {draft.number or '…'}",
             wording.place_and_date(draft.place, draft.issued_on), ""]
    if draft.is_cong_van:
        lines.append(f"V/v {draft.subject}")
    else:
        lines += [draft.doc_type.upper(), draft.subject]
    if draft.recipients:
        lines += ["", "Kính gửi: " + "; ".join(draft.recipients)]
    lines += [""] + [p.text for p in draft.body] + [""]
    lines += [draft.signer.authority, draft.signer.title, "", draft.signer.name, "", "Nơi nhận:"]
    lines += [f"- {entry}" for entry in draft.distribution]
    return "\n".join(line for line in lines if line is not None).strip() + "\n"


# --------------------------------------------------------------------------- issuing


@dataclass
class Issued:
    draft: Draft
    outgoing_id: int
    docx: bytes
    path: Path | None = None


def issue(store, draft: Draft, org: Org, output: Path | None = None, folder: Path | None = None) -> Issued:
    """Take the next outgoing number of the year, lay the letter out and register it.

    The DOCX goes to `output`, or to `folder` named after its number ("05-SYT-VP.docx"); with
    neither, nothing is written (the bytes are returned). Number, register row and file are one
    unit: the file is written beside its target inside the store's transaction and moved into
    place only once the row is committed, so a failure leaves neither a used number without a
    file nor a file without a number.
    """
    from .layout import write_docx

    if output is not None and not Path(output).parent.is_dir():
        raise TemplateError(f"folder {Path(output).parent} does not exist: create it or give another -o")
    _refuse_back_dating(store, draft, org)
    built: dict = {}

    def build(serial: int) -> dict:
        draft.number = wording.number_and_symbol(serial, draft.doc_type, org.symbol, draft.unit)
        built["docx"] = write_docx(draft)
        target = output or (folder / (draft.number.replace("/", "-") + ".docx") if folder else None)
        if target:
            built["target"], built["partial"] = target, target.with_name(f".{target.name}.part")
            built["partial"].write_bytes(built["docx"])
        return outgoing_row(draft, org, target)

    try:
        outgoing_id = store.add_outgoing(org.symbol, draft.issued_on.year, build)
    except BaseException:
        if built.get("partial"):
            built["partial"].unlink(missing_ok=True)
        raise
    if built.get("partial"):
        os.replace(built["partial"], built["target"])
    return Issued(draft, outgoing_id, built["docx"], built.get("target"))


def _refuse_back_dating(store, draft: Draft, org: Org) -> None:
    """Numbers follow the order of signing within the year (Art. 15): a letter dated before the
    last one numbered cannot take the next number."""
    issued = [row for row in store.outgoing(year=draft.issued_on.year, org=org.symbol) if row.get("issued_on")]
    if not issued:
        return
    last = max(issued, key=lambda row: (row["issued_on"], row["serial"]))
    if draft.issued_on.isoformat() < last["issued_on"]:
        raise TemplateError(
            f"{last['number']} was issued on {wording.short_date(last['issued_on'])}; a letter dated "
            f"{wording.short_date(draft.issued_on)} cannot take a later number (numbers follow the order of "
            f"issue, Decree 30 Art. 15): date it {wording.short_date(last['issued_on'])} or later with --date")


def review_warnings(doc: StoredDocument | None, lang: str = "en") -> list[str]:
    """For a reply to a record still under review: the values it uses that no person has checked,
    those a note doubts first, with the notes' words; in English for the command line, or "vi"."""
    if not doc or doc.status != "needs_review":
        return []
    corrected = doc.corrected
    used = (("number", "number"), ("issued_on", "date"), ("issuer", "issuer"), ("subject", "trích yếu"))
    found = [Note.load(w) for w in doc.warnings]
    doubtful, unchecked = [], []
    for field_name, label in used:
        value = getattr(doc, field_name)
        if field_name in corrected or not value:
            continue
        shown = wording.short_date(value) if field_name == "issued_on" else value
        reasons = [note.vi if lang == "vi" else note.text for note in found if note.field == field_name]
        item = f"{notes.field_name(field_name, 'vi')} «{shown}»" if lang == "vi" else f"{label} {shown!r}"
        item += f" ({'; '.join(reasons)})" if reasons else ""
        (doubtful if reasons else unchecked).append(item)
    values = doubtful + unchecked
    if not values:
        return []
    if lang == "vi":
        return ["bản trả lời dùng những giá trị chưa ai kiểm tra: " + "; ".join(values)
                + ". Hãy kiểm tra và sửa các giá trị này ở trang Xem lại trước khi trình ký."]
    return [f"document #{doc.id} is still under review: the reply uses values no person has checked: "
            + "; ".join(values) + f". Check them (`congvan show {doc.id}`) and correct them with "
            f"`congvan edit {doc.id} FIELD=VALUE` before the letter is signed"]


def outgoing_row(draft: Draft, org: Org, output: Path | None = None) -> dict:
    sent = len(draft.recipients) + len([e for e in draft.distribution if e != "Như trên" and not e.startswith("Lưu")])
    archive = draft.distribution[-1].split(":", 1)[-1]
    return {
        "number": draft.number, "issued_on": draft.issued_on.isoformat(), "doc_type": draft.doc_type,
        "subject": draft.subject, "signer": f"{draft.signer.title.capitalize()} {draft.signer.name}".strip(),
        "recipients": draft.recipients or [e for e in draft.distribution if not e.startswith("Lưu")],
        "archive": archive.strip(), "copies": sent + len([u for u in archive.split(",") if u.strip()]),
        "reply_to": draft.reply_to, "template": draft.template, "org": org.symbol,
        "file_name": output.name if output else "",
    }


class ConversionError(Exception):
    """DOCX → PDF could not be done; the message says why (e.g. LibreOffice not installed)."""


def to_pdf(docx_path: Path, outdir: Path | None = None, timeout: int = 120) -> Path:
    """Convert with LibreOffice headless; each call gets its own profile so two can run at once."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise ConversionError("LibreOffice is not installed, so no PDF: "
                              "apt-get install libreoffice-writer-nogui fonts-liberation2")
    outdir = Path(outdir or docx_path.parent)
    with tempfile.TemporaryDirectory(prefix="congvan_lo_") as profile:
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(outdir), str(docx_path)]
        try:
            done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ConversionError(f"LibreOffice took more than {timeout} s on {docx_path.name}") from None
    pdf = outdir / (docx_path.stem + ".pdf")
    if not pdf.exists():
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise ConversionError(f"LibreOffice made no PDF from {docx_path.name}: {reason[0]}")
    return pdf
