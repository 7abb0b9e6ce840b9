"""Trả lời: from a stored document choose a template, adjust its values, preview, then number and download.

The page is a form over `pipeline.generate` as `congvan reply` uses it: `render_draft` for the
preview (no number taken), `issue` to take the next outgoing number and register it (sổ đi),
`to_pdf` for the PDF. Issued files are kept under `<data dir>/outgoing/<symbol>/<year>/`.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from ...check import CheckError, check_docx
from ...edxml import write_reply_package
from ...dates import parse_user_date
from ...generate import (MISSING, NO_SUBJECT, NOTHING_TO_REPLY, OVERRIDES, UNKNOWN_UNIT, ConversionError, Draft,
                         TemplateError, TemplateInfo, issue, list_templates, plain_text, render_draft,
                         review_warnings, to_pdf)
from ...org import Org, OrgError, OrgFileMissing, UnknownSigner, load_org
from ...wording import place_and_date
from ...read import read
from ...records import ReadError
from ...stored import StoredDocument
from ..auth import require_csrf
from ..errors import PageError
from ..render import VI, page
from . import store_of
from .review import load

router = APIRouter()
DEFAULT_TEMPLATE = "phuc-dap"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class FormProblem(Exception):
    """A value typed in the form that cannot be used; the message is for the page as it is."""


@dataclass
class ReplyForm:
    """What the secretary chose and typed; empty values leave the template's own wording."""

    template: str
    signer: str = ""
    unit: str = ""
    issued: str = ""
    trich_yeu: str = ""
    kinh_gui: str = ""
    values: dict[str, str] = field(default_factory=dict)
    mark_done: bool = False
    typed_overrides: bool = False  # False on the first visit: the overrides are filled from the draft

    @classmethod
    def read(cls, data, info: TemplateInfo) -> "ReplyForm":
        def text(name: str) -> str:
            return str(data.get(name) or "").replace("\r\n", "\n").strip()

        return cls(template=info.name, signer=text("signer"), unit=text("unit"), issued=text("issued"),
                   trich_yeu=text("trich_yeu"), kinh_gui=text("kinh_gui"),
                   values={name: text(name) for name in value_names(info)},
                   mark_done=bool(data.get("mark_done")), typed_overrides="trich_yeu" in data)

    def issue_date(self) -> date:
        if not self.issued:
            return date.today()
        parsed = parse_user_date(self.issued)
        if parsed is None:
            raise FormProblem(f"Ngày ban hành «{self.issued}» không đúng dạng (ví dụ 05/12/2026).")
        return parsed

    def given_values(self) -> dict[str, str]:
        given = {name: value for name, value in self.values.items() if value}
        given.update({name: getattr(self, name) for name in OVERRIDES if getattr(self, name)})
        return given


def value_names(info: TemplateInfo) -> list[str]:
    """The template's own blanks; the two overrides have their fields on every form."""
    return [name for name in info.needs if name not in OVERRIDES]


def chosen_template(name: str | None) -> tuple[TemplateInfo, list[TemplateInfo]]:
    templates = list_templates()
    if not templates:
        raise PageError(500, "Không tìm thấy mẫu văn bản nào (thư mục templates).")
    by_name = {t.name: t for t in templates}
    return by_name.get(name or DEFAULT_TEMPLATE) or by_name.get(DEFAULT_TEMPLATE) or templates[0], templates


def problem_in_vietnamese(err: Exception) -> str:
    """The generate stage's errors (their messages are for the command line) as the page says them,
    from the errors' fields."""
    reason = err.reason if isinstance(err, TemplateError) else ""
    if reason == MISSING:
        return f"Mẫu này cần điền «{'», «'.join(VI['template_values'].get(n, n) for n in err.missing)}»."
    if reason == NO_SUBJECT:
        return "Văn bản trả lời chưa có trích yếu: hãy ghi «Trích yếu» trong ô tương ứng rồi xem trước lại."
    if reason == UNKNOWN_UNIT:
        return (f"Không có đơn vị soạn thảo «{err.given}» trong tệp thông tin cơ quan; chọn một trong: "
                f"{', '.join(err.choices)}.")
    if isinstance(err, UnknownSigner):
        return f"Không có người ký «{err.given}» trong tệp thông tin cơ quan; chọn một trong: {', '.join(err.choices)}."
    if isinstance(err, ConversionError):
        return "Chưa tạo được bản PDF (cần LibreOffice trên máy chủ); bản DOCX vẫn tải về được."
    if reason == NOTHING_TO_REPLY:
        return "Văn bản này không đọc được hoặc không phải văn bản hành chính, nên không có gì để trả lời."
    if isinstance(err, OrgFileMissing):
        return ("Chưa có tệp thông tin cơ quan gửi (congvan.toml). Người quản trị chạy «congvan init-org», "
                "sửa tên cơ quan, ký hiệu, người ký trong tệp đó rồi mở lại trang này.")
    if isinstance(err, OrgError):
        return "Tệp thông tin cơ quan gửi (congvan.toml) chưa đúng; người quản trị cần sửa lại tệp này."
    if isinstance(err, FormProblem):
        return str(err)
    return "Không soạn được văn bản từ mẫu này; hãy kiểm tra các ô đã điền hoặc chọn mẫu khác."


def build_draft(doc: StoredDocument, org: Org, form: ReplyForm) -> Draft:
    return render_draft(form.template, doc, org, form.given_values(), today=form.issue_date(),
                        signer=form.signer or None, unit=form.unit or None)


def org_of(request: Request) -> Org:
    return load_org(request.app.state.settings.org_file)


# --------------------------------------------------------------------------- the form and its preview


@router.get("/reply/{doc_id}")
def reply_page(request: Request, doc_id: int, template: str = ""):
    doc = load(request, doc_id)
    info, templates = chosen_template(template)
    form = ReplyForm.read(request.query_params, info)
    return render_form(request, doc, info, templates, form)


@router.post("/reply/{doc_id}", dependencies=[Depends(require_csrf)])
async def reply_preview(request: Request, doc_id: int):
    """The same form again with the typed values and their preview (posted: the values can be long)."""
    data = await request.form()
    doc = load(request, doc_id)
    info, templates = chosen_template(data.get("template"))
    return render_form(request, doc, info, templates, ReplyForm.read(data, info))


def render_form(request: Request, doc: StoredDocument, info: TemplateInfo, templates: list[TemplateInfo], form: ReplyForm,
                problem: str = "", status_code: int = 200):
    org, draft, preview = None, None, ""
    try:
        org = org_of(request)
        draft = build_draft(doc, org, form)
        preview = plain_text(draft)
    except (OrgError, TemplateError, FormProblem) as err:
        problem = problem or problem_in_vietnamese(err)
    if draft and not form.typed_overrides:
        form.trich_yeu, form.kinh_gui = draft.subject, "\n".join(draft.recipients)
    open_items = [item for item in doc.directives if item.status == "open"]
    return page(request, "reply.html", status_code=status_code if not problem else max(status_code, 400),
                doc=doc, info=info, templates=templates, form=form, org=org, draft=draft, preview=preview,
                problem=problem, open_items=open_items, labels=VI["template_values"],
                review=review_warnings(doc, "vi"),
                date_line=place_and_date(draft.place, draft.issued_on) if draft else "",
                issued_value=form.issued or date.today().isoformat())


# --------------------------------------------------------------------------- issuing


@router.post("/reply/{doc_id}/issue", dependencies=[Depends(require_csrf)])
async def issue_reply(request: Request, doc_id: int):
    data = await request.form()
    doc = load(request, doc_id)
    info, templates = chosen_template(data.get("template"))
    form = ReplyForm.read(data, info)
    try:
        entry_id = await run_in_threadpool(issue_and_register, request, doc, form)
    except (OrgError, TemplateError, FormProblem) as err:
        return render_form(request, doc, info, templates, form, problem=problem_in_vietnamese(err), status_code=400)
    return RedirectResponse(f"/outgoing/{entry_id}", status_code=303)


def issue_and_register(request: Request, doc: StoredDocument, form: ReplyForm) -> int:
    """Take the number and write the DOCX (as `congvan reply`), then mark items done if asked."""
    org = org_of(request)
    draft = build_draft(doc, org, form)
    folder = request.app.state.settings.outgoing_dir / org.symbol / str(draft.issued_on.year)
    folder.mkdir(parents=True, exist_ok=True)
    store = store_of(request)
    issued = issue(store, draft, org, folder=folder)
    if form.mark_done:  # only the items the letter reports done (bao-cao-ket-qua: those given a result)
        store.close_items(doc.id, draft.number, draft.issued_on.isoformat(), draft.answered)
    write_package_beside(issued, org, doc)
    return issued.outgoing_id


def write_package_beside(issued, org: Org, doc: StoredDocument) -> None:
    """The letter as an edXML package beside its DOCX (``05-SYT-VP.edxml``), as `congvan reply
    --edxml` writes it: to the incoming document's sender, ResponseFor its number. The number is
    taken already: a failure here costs only the package, which the page then says is missing."""
    try:
        write_reply_package(issued.draft, org, issued.path, doc)
    except Exception:  # noqa: BLE001 (the issued letter and its number stand)
        issued.path.with_suffix(".edxml").unlink(missing_ok=True)


# --------------------------------------------------------------------------- an issued document


def load_entry(request: Request, entry_id: int) -> dict:
    entry = store_of(request).outgoing_entry(entry_id)
    if entry is None:
        raise PageError(404, f"Không có văn bản đi #{entry_id} trong sổ.")
    return entry


def issued_file(request: Request, entry: dict) -> Path | None:
    """The DOCX the page issued, inside the data directory; None for one written elsewhere (CLI)."""
    root = request.app.state.settings.outgoing_dir.resolve()
    if not entry.get("file_name"):
        return None
    path = (root / entry["org"] / str(entry["year"]) / entry["file_name"]).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def pdf_available() -> bool:
    return bool(shutil.which("soffice") or shutil.which("libreoffice"))


@router.get("/outgoing/{entry_id}")
def outgoing_page(request: Request, entry_id: int):
    entry = load_entry(request, entry_id)
    path = issued_file(request, entry)
    try:
        text = read(path).text if path else ""
    except ReadError as err:
        text = f"(không đọc lại được tệp: {err.note.vi})"
    violations, check_problem = compliance(path) if path else ([], "")
    titles = {t.name: t.title for t in list_templates()}
    return page(request, "outgoing.html", entry=entry, has_file=path is not None, text=text,
                template_title=titles.get(entry.get("template"), entry.get("template")),
                pdf_available=pdf_available(), violations=violations, check_problem=check_problem,
                has_package=bool(path and path.with_suffix(".edxml").is_file()), organ_id=organ_id(request))


def organ_id(request: Request) -> str | None:
    """The organisation's mã định danh (edXML OrganId) from congvan.toml; None when the file cannot be read."""
    try:
        return org_of(request).organ_id
    except OrgError:
        return None


def compliance(path: Path) -> tuple[list[dict], str]:
    """The Decree 30 check of the issued file, each rule named in Vietnamese (its detail as the checker says)."""
    try:
        found = check_docx(path)
    except CheckError as err:
        return [], err.reason
    return [{"rule": rule_name(v.rule), "where": v.where, "message": v.message} for v in found], ""


def rule_name(rule: str) -> str:
    """"size.quoc-hieu" → "Cỡ chữ": the longest key of vi.json's check_rules the rule starts with."""
    rules = VI["check_rules"]
    return next((rules[key] for key in sorted(rules, key=len, reverse=True) if rule.startswith(key)), rule)


@router.get("/outgoing/{entry_id}/docx")
def outgoing_docx(request: Request, entry_id: int):
    path = existing_file(request, entry_id)
    return FileResponse(path, media_type=DOCX, filename=path.name)


@router.get("/outgoing/{entry_id}/pdf")
async def outgoing_pdf(request: Request, entry_id: int):
    docx = existing_file(request, entry_id)
    pdf = docx.with_suffix(".pdf")
    if not pdf.exists():
        try:
            pdf = await run_in_threadpool(to_pdf, docx, docx.parent)
        except ConversionError as err:
            raise PageError(503, "Chưa tạo được bản PDF (cần LibreOffice trên máy chủ); bản DOCX vẫn tải về "
                                 "được.") from None
    return FileResponse(pdf, media_type="application/pdf", filename=pdf.name)


@router.get("/outgoing/{entry_id}/edxml")
def outgoing_edxml(request: Request, entry_id: int):
    """The letter as an edXML package (QCVN 102:2016/BTTTT) for the national interconnection system."""
    package = existing_file(request, entry_id).with_suffix(".edxml")
    if not package.is_file():
        raise PageError(404, "Văn bản đi này chưa có gói edXML (được cấp số trước khi trang tạo gói, hoặc tạo gói "
                             "không thành công); tệp DOCX vẫn tải về được.")
    return FileResponse(package, media_type="application/xml", filename=package.name)


def existing_file(request: Request, entry_id: int) -> Path:
    path = issued_file(request, load_entry(request, entry_id))
    if path is None:
        raise PageError(404, "Tệp của văn bản đi này không nằm trong thư mục dữ liệu của trang "
                             "(có thể đã được tạo bằng dòng lệnh).")
    return path
