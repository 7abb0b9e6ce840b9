"""The `congvan` command line: a thin layer over the pipeline functions.

Heavy libraries (pdfplumber, python-docx, pyHanko, SQLAlchemy) are imported inside the commands
that need them, so `congvan --help` answers at once.
"""
from __future__ import annotations

import json
import sys

import click


class Commands(click.Group):
    """The command group: a fault of the store (disk full, read-only, damaged, busy) is one line, not a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, KeyboardInterrupt):
            raise
        except Exception as err:
            from .store import describe_store_error

            message = describe_store_error(err)
            if message is None:
                raise
            raise click.ClickException(message) from None


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="congvan")
def main():
    """congvan: read Vietnamese official dispatches (công văn) into structured records,
    keep the registers and write Decree 30 replies.

    \b
    Examples:
        congvan extract inbox/ --format table      # read a folder
        congvan ingest inbox/ && congvan list      # file it: số đến, review, tasks
        congvan init-org && congvan reply 12       # a numbered phúc đáp as DOCX
        congvan serve                              # the same in the browser
    """


ocr_option = click.option(
    "--ocr", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
    help="Tesseract (vie) OCR: auto = scans, images and stamped numbers/dates; always = every PDF page; never = text only.")


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "table"]), default="json", show_default=True,
              help="json: one pretty record per document; jsonl: one JSON object a line; table: a summary line each.")
@click.option("--jobs", "-j", type=int, default=1, show_default=True, help="Worker processes.")
@click.option("--with-text", is_flag=True, help="Include the normalised text the spans point into.")
@ocr_option
def extract(inputs, fmt, jobs, with_text, ocr):
    """Extract the record of each FILE (or every document under each DIR).

    \b
    Examples:
        congvan extract corpus/docs/a_001_cv_bhxh__txt.txt
        congvan extract inbox/ --format jsonl --jobs 2 > records.jsonl
    """
    from .process import iter_paths, process_many

    paths = list(iter_paths(inputs))
    if not paths:
        raise click.ClickException("no documents found in " + ", ".join(inputs))
    readable = 0
    for record in with_progress(process_many(paths, jobs=jobs, ocr=ocr), len(paths)):
        readable += not record.error
        emit(record, fmt, with_text)
    failed = len(paths) - readable
    if failed:
        click.echo(f"{failed} of {len(paths)} file(s) could not be read", err=True)
    if readable == 0:
        sys.exit(1)


def with_progress(records, total: int):
    with progress_bar(total, leave=False) as bar:
        for record in records:
            bar.update(1)
            yield record


class NoBar:
    """What a handful of files, or a run whose stderr is not a terminal, gets instead of a bar
    (tqdm, 20-30 ms to import, is not loaded for them)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar(total: int, **options):
    """A tqdm bar on stderr (count, rate, ETA), silent for a handful of files and when stderr is
    not a terminal: in a log (a scheduled run's, or the web's) each redraw would be a line of noise."""
    if total <= 3 or not sys.stderr.isatty():
        return NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True, disable=total <= 3, **options)


def printable(path: str) -> str:
    """A file name as text even when its bytes are not UTF-8 (shown as \\xNN, as the store keeps it)."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        try:
            return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:
            return path.encode("utf-8", "backslashreplace").decode("utf-8")


def emit(record, fmt: str, with_text: bool) -> None:
    record.source = printable(record.source)
    data = record.to_dict(with_text=with_text)
    if fmt == "jsonl":
        click.echo(json.dumps(data, ensure_ascii=False))
    elif fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        if record.error:
            click.echo(f"{record.source}\tERROR\t{record.error}")
            return
        cells = [record.source, record.kind, record.doc_type, record.number, record.issued_on or "",
                 record.issuer, shorten(record.subject, 60)]
        click.echo("\t".join(cells))


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@main.command(name="eval")
@click.argument("gold_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--jobs", "-j", type=int, default=1, show_default=True)
@click.option("--failures", is_flag=True, help="List every field that does not match strictly.")
def eval_command(gold_dir, jobs, failures):
    """Score extraction against the gold JSON files in GOLD_DIR.

    Each gold file names its document in `source` (relative to the gold file).

    \b
    Example:
        congvan eval corpus/docs
    """
    from .evaluate import evaluate

    report = evaluate(gold_dir, jobs=jobs)
    if not report.documents:
        raise click.ClickException(f"no gold records with documents found in {gold_dir}")
    click.echo(report.as_table())
    if failures:
        for source, name, gold, predicted in report.failures:
            click.echo(f"\n{source} · {name}\n  gold: {json.dumps(gold, ensure_ascii=False)}\n  got:  {json.dumps(predicted, ensure_ascii=False)}")



# --------------------------------------------------------------------------- the store

db_option = click.option("--db", envvar="CONGVAN_DB", default=None, metavar="PATH_OR_URL",
                         help="SQLite file or postgresql:// URL [env CONGVAN_DB; default ./congvan.db]")


def parse_date(value: str | None):
    from .dates import parse_user_date

    if value is None:
        return None
    parsed = parse_user_date(value)
    if parsed is None:
        raise click.BadParameter(f"{value!r} is not a date (use 2024-03-15 or 15/03/2024)")
    return parsed


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path())
@db_option
@click.option("--jobs", "-j", type=int, default=1, show_default=True, help="Worker processes for extraction.")
@click.option("--received", metavar="DATE", help="Ngày đến to record (default: today).")
@click.option("--settle", type=float, default=0.0, metavar="SECONDS",
              help="Leave files written in the last SECONDS for the next run (a folder still being filled).")
@click.option("--from-list", "list_file", metavar="FILE", type=click.Path(allow_dash=True),
              help="Also every path in FILE, one a line (- for standard input).")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Read on a Dask cluster: tcp://SCHEDULER:8786, or local:N worker processes (pip install 'congvan[dask]').")
@ocr_option
def ingest(inputs, db, jobs, received, settle, list_file, dask_address, ocr):
    """Extract and store every document under INBOX (files or folders).

    The same file twice is stored once; a failed file is recorded with its reason and the batch
    goes on. Each incoming document gets its số đến (restarting at 1 each year).

    \b
    Example:
        congvan ingest ~/inbox --jobs 2
        congvan ingest --from-list files.txt --db postgresql://… --dask tcp://10.0.0.5:8786
    """
    from .ingest import ingest as run_ingest
    from .process import iter_paths
    from .store import open_store

    if not inputs and not list_file:
        raise click.UsageError("name an INBOX folder or file, or --from-list FILE")
    if dask_address:
        ingest_on_dask(inputs, list_file, db, dask_address, parse_date(received), settle, ocr)
        return
    from .distributed import listed

    paths = list(iter_paths(list(inputs) + (list(listed(list_file)) if list_file else [])))
    if not paths:
        raise click.ClickException("no documents found in " + ", ".join(inputs))
    store = open_store(db)
    store.check()
    with progress_bar(len(paths), desc="ingest") as bar:
        try:
            summary = run_ingest(paths, store, jobs=jobs, received_on=parse_date(received), ocr=ocr, settle=settle,
                                 progress=lambda path, outcome: bar.update(1))
        except KeyboardInterrupt:
            bar.close()
            click.echo("interrupted: every document stored so far is complete; run the same command to continue",
                       err=True)
            sys.exit(130)
    print_summary(summary)
    if summary.total and len(summary.failed) == summary.total:
        sys.exit(1)


def ingest_on_dask(inputs, list_file, db, address, received_on, settle, ocr) -> None:
    """`ingest --dask`: the same batch with reading on a Dask cluster's workers (pipeline/distributed.py)."""
    from .distributed import ClusterError, DaskMissing, cluster_client, count_paths, ingest_on_cluster, stream_paths
    from .store import open_store

    total = 0 if list_file == "-" else count_paths(inputs, list_file)  # standard input can be read only once
    store = open_store(db)
    store.check()
    try:
        with cluster_client(address) as client, open_bar(total, desc="ingest") as bar:
            try:
                summary = ingest_on_cluster(stream_paths(inputs, list_file), store, client, received_on=received_on,
                                            ocr=ocr, settle=settle, progress=lambda path, outcome: bar.update(1))
            except KeyboardInterrupt:
                bar.close()
                click.echo("interrupted: the work in flight was cancelled; every document stored so far is "
                           "complete; run the same command to continue", err=True)
                sys.exit(130)
    except (DaskMissing, ClusterError, ValueError) as err:
        raise click.ClickException(str(err)) from None
    if not summary.total:
        raise click.ClickException("no documents found in " + ", ".join(list(inputs) + [list_file or ""]).strip(", "))
    print_summary(summary)
    if summary.total and len(summary.failed) == summary.total:
        sys.exit(1)


def open_bar(total: int, **options):
    """A progress bar; without a total (a list on standard input) it counts and shows the rate."""
    if total:
        return progress_bar(total, **options)
    if not sys.stderr.isatty():
        return NoBar()
    from tqdm import tqdm

    return tqdm(total=None, unit="doc", file=sys.stderr, dynamic_ncols=True, **options)


def print_summary(summary) -> None:
    rows = [("stored", summary.stored), ("  needs review", summary.needs_review),
            ("  possible duplicates", len(summary.possible_duplicates)), ("  not dispatches", len(summary.others)),
            ("already in store", summary.duplicates), ("failed", len(summary.failed))]
    for label, n in rows:
        click.echo(f"{label:<24}{n:>6}")
    for path, earlier in summary.possible_duplicates:
        click.echo(f"possible duplicate: {printable(path)} (same number and issuer as #{earlier})")
    for path, reason in summary.failed:
        click.echo(f"failed: {printable(path)}: {reason}")


@main.command()
@click.argument("doc_id", type=int)
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def show(doc_id, db, fmt):
    """Show one stored document with its items, references and corrections."""
    from .records import Note
    from .store import BadRow, NotFound, open_store
    from .stored import SHOWN

    try:
        doc = open_store(db).get(doc_id)
    except NotFound:
        raise click.ClickException(f"no document #{doc_id}") from None
    except BadRow as bad:
        raise click.ClickException(f"document #{doc_id} cannot be read: {bad.reason}") from None
    from .signatures import stored_signatures

    signatures = stored_signatures(doc.source_path)  # verified from the stored file, as it is now
    if fmt == "json":
        shown = doc.to_dict()
        if signatures:
            shown["signatures"] = [s.to_dict() for s in signatures]
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    click.echo(f"#{doc.id}")
    for name in SHOWN:
        value = getattr(doc, name)
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            value = "; ".join(value)
        mark = "  (corrected)" if name in doc.corrected else ""
        click.echo(f"  {name:<17}{value}{mark}")
    failure = Note.failure(doc.error, doc.warnings)  # said from its code, as the notes are
    if failure:
        click.echo(f"  {'error':<17}{failure.vi}")
    for note in map(Note.load, doc.warnings):
        if not note.is_error:
            click.echo(f"  {'warning':<17}{note.vi}")
    for entry in doc.review:
        click.echo(f"  check {entry['field']:<11}{entry['reason']}")
    for item in doc.directives:
        deadline = f" [hạn {item.deadline}]" if item.deadline else ""
        click.echo(f"  task {item.id}: {item.label}.{deadline} {shorten(item.text, 90)} ({item.status})")
    for ref in doc.references:
        linked = f" → #{ref.cited_id}" if ref.cited_id else ""
        click.echo(f"  cites {ref.doc_type} {ref.number} {ref.issued_on or ''}{linked}")
    for corr in doc.corrections:
        click.echo(f"  corrected {corr.field} by {corr.author} at {corr.corrected_at}")
    for sig in signatures:
        click.echo(f"  chữ ký số {sig.field}: {sig.state_vi}; {sig.signer_cn} ({sig.organisation}), "
                   f"ký lúc {sig.when or '?'}; tin cậy: {sig.trust}")


@main.command()
@click.argument("doc_id", type=int)
@click.argument("changes", nargs=-1, required=True)
@db_option
@click.option("--by", "author", envvar="CONGVAN_USER", default=None, help="Who corrects [env CONGVAN_USER; default: login name].")
def edit(doc_id, changes, db, author):
    """Correct fields of a stored document: FIELD=VALUE ... (lists: "a; b; c").

    \b
    Example:
        congvan edit 12 number=381/BHXH-VP "subject=tập trung triển khai ..."
    """
    import getpass

    from .store import NotFound, open_store

    pairs = {}
    for change in changes:
        if "=" not in change:
            raise click.BadParameter(f"{change!r}: write FIELD=VALUE")
        name, value = change.split("=", 1)
        pairs[name.strip()] = value
    try:
        open_store(db).edit(doc_id, pairs, author or getpass.getuser())
    except NotFound:
        raise click.ClickException(f"no document #{doc_id}") from None
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"#{doc_id}: corrected {', '.join(pairs)}")


@main.command(name="list")
@db_option
@click.option("--from", "date_from", metavar="DATE", help="Issued on or after.")
@click.option("--to", "date_to", metavar="DATE", help="Issued on or before.")
@click.option("--issuer", help="Part of the issuing body's name (diacritics optional).")
@click.option("--type", "doc_type", help='Document type, e.g. "Công văn".')
@click.option("--status", type=click.Choice(["ok", "needs_review", "other", "failed"]))
def list_command(db, date_from, date_to, issuer, doc_type, status):
    """List stored documents, one line each."""
    from .store import open_store

    skipped = []
    docs = open_store(db).documents(date_from=iso(date_from), date_to=iso(date_to), issuer=issuer,
                                    doc_type=doc_type, status=status, skipped=skipped)
    for doc in docs:
        print_line(doc)
    report_skipped(skipped)


def report_skipped(skipped) -> None:
    """Rows of the store that could not be read: one line each on stderr, the rest went on."""
    for doc_id, reason in skipped:
        click.echo(f"skipped #{doc_id}: {reason}" if str(doc_id).isdigit() else f"skipped {doc_id}: {reason}", err=True)


def iso(value):
    parsed = parse_date(value)
    return parsed.isoformat() if parsed else None


def print_line(doc: dict) -> None:
    no = f"{doc['incoming_year']}/{doc['incoming_no']}" if doc.get("incoming_no") else "-"
    what = doc.get("error") or shorten(" ".join(p for p in (doc.get("doc_type"), doc.get("subject")) if p), 60)
    cells = [f"#{doc['id']}", no, doc["status"], doc.get("number") or "", doc.get("issued_on") or "",
             shorten(doc.get("issuer") or doc["file_name"], 30), what]
    click.echo("\t".join(str(c) for c in cells))


@main.command()
@click.argument("query")
@db_option
def search(query, db):
    """Full-text search of subjects and texts ("dang ky" also finds "đăng ký")."""
    from .store import open_store

    for doc in open_store(db).search(query):
        print_line(doc)


@main.group(invoke_without_command=True)
@db_option
@click.option("--due-before", metavar="DATE", help="Items whose deadline is before DATE.")
@click.option("--overdue", is_flag=True, help="Open items past their deadline today.")
@click.option("--open", "only_open", is_flag=True, help="Only items not yet done.")
@click.pass_context
def tasks(ctx, db, due_before, overdue, only_open):
    """The directive items of stored documents: deadline, lead unit, status, reply.

    \b
    Examples:
        congvan tasks --overdue
        congvan tasks done 17 --reply 45/SYT-VP
    """
    if ctx.invoked_subcommand:
        return
    from datetime import date

    from .store import open_store

    items = open_store(db).tasks(due_before=iso(due_before), overdue_on=date.today().isoformat() if overdue else None,
                                 status="open" if only_open else None)
    for item in items:
        reply = f" → {item['reply_number']}" if item["reply_number"] else ""
        cells = [f"task {item['id']}", item["deadline"] or "-", item["status"] + reply,
                 f"{item['doc_number']} #{item['document_id']}", item["label"], shorten(item["lead"] or "", 30),
                 shorten(item["text"], 70)]
        click.echo("\t".join(cells))


@tasks.command(name="done")
@click.argument("task_id", type=int)
@click.option("--reply", "reply_number", required=True, help="Number of the reply that answered the item.")
@db_option
def task_done(task_id, reply_number, db):
    """Mark a directive item done, answered by the reply REPLY."""
    from .store import NotFound, open_store

    try:
        open_store(db).mark_done(task_id, reply_number)
    except NotFound:
        raise click.ClickException(f"no task {task_id}") from None
    click.echo(f"task {task_id}: done ({reply_number})")


@main.command()
@db_option
@click.option("--year", type=int, default=None, help="Calendar year of ngày đến [default: this year].")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="File to write [default: so-den-YEAR.FORMAT, or so-di-YEAR.FORMAT with --outgoing].")
@click.option("--outgoing", is_flag=True, help="The sổ đăng ký văn bản đi (documents issued with `congvan reply`).")
def register(db, year, fmt, output, outgoing):
    """Write the sổ đăng ký văn bản đến (or đi) of Decree 30, Appendix IV, for a year."""
    from datetime import date
    from pathlib import Path

    from . import register as reg
    from .store import open_store

    year = year or date.today().year
    store = open_store(db)
    skipped = []
    if outgoing:
        form, rows = reg.OUTGOING, reg.outgoing_rows(store.outgoing(year=year), skipped)
    else:
        form, rows = reg.INCOMING, reg.incoming_rows(store.documents(year=year, skipped=skipped), skipped)
    path = Path(output or form.file_name(year, fmt))
    form.write(rows, path, year, fmt)
    report_skipped(skipped)
    click.echo(f"{path}: {len(rows)} văn bản {form.word} in {year}" + (f", {len(skipped)} skipped" if skipped else ""))


@main.command(name="export")
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write [default: standard output].")
def export_command(db, fmt, output):
    """Export every stored record (with items, references, corrections) as JSON Lines or CSV.

    JSON Lines is the backup `congvan import` restores: every document, then the sổ văn bản đi.
    A row that cannot be read is reported and left out, and the exit code is then 1.
    """
    from .store import open_store

    store = open_store(db)
    skipped = []
    out = open(output, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "jsonl":
            for line in store.export_lines(skipped):
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        else:
            store.export_csv(out, skipped)
    finally:
        if output:
            out.close()
    report_skipped(skipped)
    if skipped:
        click.echo(f"export incomplete: {len(skipped)} unreadable row(s) left out (listed above)", err=True)
        sys.exit(1)


@main.command(name="import")
@click.argument("jsonl", type=click.File("r", encoding="utf-8"))
@db_option
def import_command(jsonl, db):
    """Load a JSON Lines export (documents and the sổ văn bản đi) into an empty store, all or nothing."""
    from .store import open_store

    def lines():
        for number, line in enumerate(jsonl, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError:
                    raise click.ClickException(f"line {number} of {jsonl.name} is not JSON: nothing imported") from None

    store = open_store(db)
    try:
        n = store.import_lines(lines())
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"imported {n} documents, {len(store.outgoing())} sổ đi entries")


# --------------------------------------------------------------------------- the secretary's side

org_option = click.option("--org", "org_file", envvar="CONGVAN_ORG", default=None, metavar="TOML",
                          help="The sending organisation [env CONGVAN_ORG; default ./congvan.toml].")


@main.command(name="init-org")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init_org(path, force):
    """Write a commented example of the organisation file (default ./congvan.toml) to edit."""
    from .org import OrgError, write_example

    try:
        written = write_example(path, force)
    except OrgError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{written}: edit the name, symbol, place, units and signers, then run `congvan reply`")


@main.command()
@click.argument("doc_id", type=int, required=False)
@click.option("--template", "-t", default="phuc-dap", show_default=True,
              help="Template name (see `congvan templates`) or a path to a .j2 file.")
@org_option
@db_option
@click.option("--set", "pairs", multiple=True, metavar="NAME=VALUE",
              help="A value the template asks for; trich_yeu= and kinh_gui= replace the subject or recipients.")
@click.option("--signer", metavar="KEY", help="Who signs (a key under [[signers]]) [default: the first].")
@click.option("--unit", metavar="ABBR", help="Drafting unit, e.g. KHTC [default: [org] unit].")
@click.option("--date", "issued", metavar="DATE", help="Date the letter bears [default: today].")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="DOCX to write [default: NUMBER-SYMBOL.docx].")
@click.option("--pdf", is_flag=True, help="Also write a PDF beside it (needs LibreOffice).")
@click.option("--preview", is_flag=True, help="Print the letter's text; take no number, write nothing.")
@click.option("--mark-done", is_flag=True, help="Mark the document's open directive items answered by this reply.")
@click.option("--edxml", "as_edxml", is_flag=True,
              help="Also write an edXML package (QCVN 102:2016) to the sender, the DOCX/PDF attached.")
def reply(doc_id, template, org_file, db, pairs, signer, unit, issued, output, pdf, preview, mark_done, as_edxml):
    """Write a reply or follow-up to stored document DOC_ID as a Decree 30 DOCX.

    Takes the next outgoing number of the year (sổ văn bản đi) and records it.

    \b
    Examples:
        congvan reply 12                                   # phúc đáp, numbered, 05-SYT-VP.docx
        congvan reply 12 -t bao-cao-ket-qua --signer pho-giam-doc -o bao-cao.docx --pdf
        congvan reply 12 -t giay-moi --set thoi_gian="08 giờ 00, ngày 10/12/2026" \\
            --set dia_diem="Phòng họp số 1" --set thanh_phan="Lãnh đạo các phòng; …"
        congvan reply -t cong-van --set trich_yeu="…" --set kinh_gui="…" --set noi_dung="…"
    """
    from pathlib import Path

    from .generate import ConversionError, TemplateError, issue, plain_text, render_draft, review_warnings, to_pdf
    from .org import OrgError, load_org
    from .store import NotFound, open_store

    values = parse_pairs(pairs)
    try:
        org = load_org(org_file)
        store = open_store(db)
        doc = store.get(doc_id) if doc_id is not None else None
        draft = render_draft(template, doc, org, values, today=parse_date(issued), signer=signer, unit=unit)
        for warning in review_warnings(doc):
            click.echo(f"Warning: {warning}", err=True)
        if preview:
            click.echo(plain_text(draft), nl=False)
            return
        target = issue(store, draft, org, Path(output) if output else None, folder=Path(".")).path
        marked = []
        if mark_done and doc:  # only the items this letter reports done
            closed = store.close_items(doc_id, draft.number, draft.issued_on.isoformat(), draft.answered)
            marked = [label or str(position) for position, label in closed]
    except NotFound as err:
        raise click.ClickException(f"no document {doc_id} in the store" if err.what == "document" else str(err)) from None
    except (OrgError, TemplateError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{target}: {draft.doc_type} số {draft.number}, {draft.subject}")
    if mark_done and doc:
        click.echo(f"marked done: item{'s' if len(marked) > 1 else ''} {', '.join(marked)}" if marked else
                   "marked nothing done: this letter reports no item of the document as done "
                   "(bao-cao-ket-qua reports the items given a --set ket_qua_N=…)")
    made_pdf = None
    if pdf:
        try:
            made_pdf = to_pdf(target)
            click.echo(f"{made_pdf}")
        except ConversionError as err:
            raise click.ClickException(str(err)) from None
    if as_edxml:
        from .edxml import write_reply_package

        click.echo(f"{write_reply_package(draft, org, target, doc, made_pdf)}")


def parse_pairs(pairs) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r}: use NAME=VALUE", param_hint="--set")
        values[name.strip()] = value.strip()
    return values


@main.command()
@click.argument("files", nargs=-1, type=click.Path())
@click.option("--rules", "show_rules", is_flag=True, help="List the rules checked, and stop.")
def check(files, show_rules):
    """Check DOCX FILES against the Decree 30/2020/NĐ-CP format rules (Appendix I).

    Prints each violation with where it is and what the rule says; exit code 1 when any rule
    is broken (or a file cannot be checked), 0 when every file passes.
    """
    from .check import RULES, CheckError, check_report, format_violation

    if show_rules:
        for rule, statement in RULES.items():
            click.echo(f"{rule:<18} {statement}")
        return
    if not files:
        raise click.UsageError("name at least one DOCX file (or --rules)")
    broken = False
    for name in files:
        try:
            report = check_report(name)
        except CheckError as err:
            click.echo(f"{name}: cannot check: {err.reason}")
            broken = True
            continue
        violations = report.violations
        for note in report.notes:
            click.echo(f"{name}: note: {note}")
        if not violations:
            click.echo(f"{name}: meets the Decree 30 format rules")
        for v in violations:
            click.echo(f"{name}: {format_violation(v)}")
        broken = broken or bool(violations)
    sys.exit(1 if broken else 0)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--trust", "trust_paths", multiple=True, type=click.Path(exists=True),
              help="Trusted certificate file or folder (repeatable) [default: [trust] in congvan.toml].")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify(files, trust_paths, fmt):
    """Verify the digital signatures of PDF FILES offline (Decree 30, Art. 21 cl. 2).

    For each signature: signer, issuing CA, signing time, whether the signed bytes cover the
    file and what later updates changed, digest, cryptographic validity, chain and trust.
    Exit code 1 when any signature is broken, the document was changed after signing, the
    certificate was not valid at the signing time, or a file cannot be read; 0 otherwise
    (an unsigned PDF included). Never goes on the network: revocation is not checked.
    """
    from .signatures import FAILED_STATES, STATE_VI, as_trust_store, verify_pdf

    store = as_trust_store(list(trust_paths) if trust_paths else None)
    for problem in store.problems:
        click.echo(f"trust: {problem}", err=True)
    failed, results = False, {}
    for name in files:
        infos = verify_pdf(name, trust=store)
        failed = failed or any(info.state in FAILED_STATES for info in infos)
        if fmt == "json":
            results[name] = [info.to_dict() for info in infos]
            continue
        if not infos:
            click.echo(f"{name}: {STATE_VI['unsigned']} (unsigned)")
            continue
        if len(infos) == 1 and infos[0].state == "error" and not infos[0].field:
            click.echo(f"{name}: {infos[0].error}")
            continue
        bad = sum(info.state in FAILED_STATES for info in infos)
        click.echo(f"{name}: {len(infos)} chữ ký số" + (f", {bad} KHÔNG ĐẠT" if bad else ", tất cả hợp lệ"))
        for info in infos:
            for line in info.describe():
                click.echo(f"  {line}")
    if fmt == "json":
        click.echo(json.dumps(results, ensure_ascii=False, indent=2))
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("draft", type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Fixed DOCX to write [default: DRAFT-fixed.docx beside the draft].")
def fix(draft, output):
    """Rewrite what Decree 30 fixes in DRAFT (paper, margins, fonts, sizes, bold/italic per
    component, the date's leading zeros, Nơi nhận, page numbers) and list every change.

    Every character of the text is kept (the date only gains its leading zeros). Drafts with
    tracked changes, protected or digitally signed ones are refused with the reason. What needs
    rewording is left for a person and listed as `congvan check` reports it.
    """
    from pathlib import Path

    from .check import CheckError, check_report, format_violation
    from .check.fix import fix_docx

    source = Path(draft)
    target = Path(output) if output else source.with_name(source.stem + "-fixed.docx")
    if not target.parent.is_dir():
        raise click.ClickException(f"folder {target.parent} does not exist")
    try:
        result = fix_docx(source)
    except CheckError as err:
        raise click.ClickException(f"{draft}: không sửa được: {err.reason}") from None
    target.write_bytes(result.data)
    for change in result.changes:
        click.echo(f"- {change}")
    if not result.changes:
        click.echo("- không có gì phải sửa")
    click.echo(f"{target}: đã ghi ({len(result.changes)} thay đổi)")
    remaining = check_report(result.data).violations
    if remaining:
        click.echo("Còn phải sửa tay (congvan check):")
        for v in remaining:
            click.echo(f"  {format_violation(v)}")


@main.command()
def templates():
    """List the reply templates and the --set values each reads."""
    from .generate import list_templates

    for info in list_templates():
        needs = ", ".join(info.needs) or "-"
        click.echo(f"{info.name:<18} {info.doc_type:<10} {info.title}  [--set: {needs}]  {info.path}")


# --------------------------------------------------------------------------- the web page

data_dir_option = click.option("--data-dir", envvar="CONGVAN_DATA", default="congvan-data", show_default=True,
                               type=click.Path(file_okay=False),
                               help="Folder for uploads, web users and the session key [env CONGVAN_DATA].")


@main.command()
@db_option
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any other than this machine's own requires a login.")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--max-upload-mb", type=click.IntRange(1, 2048), default=50, show_default=True,
              help="Largest file accepted by an upload.")
@click.option("--login", "force_login", is_flag=True, help="Require a login on this machine too (a shared computer).")
@click.option("--https", "behind_https", is_flag=True,
              help="Browsers reach the page over HTTPS through a proxy (see README): the session cookie is HTTPS-only.")
@org_option
def serve(db, data_dir, host, port, max_upload_mb, force_login, behind_https, org_file):
    """Start the office's web page: inbox, review, registers, tasks and replies.

    \b
    Examples:
        congvan serve                                    # http://127.0.0.1:8000, this machine only
        congvan user add lan && congvan serve --host 0.0.0.0   # the office network, with login
    """
    import uvicorn

    from .web import Settings, create_app
    from .web.auth import Users

    settings = Settings(db=db, data_dir=data_dir, host=host, max_upload_bytes=max_upload_mb * 1024 * 1024,
                        org_file=org_file, login=True if force_login else None, https=behind_https)
    if settings.login_required and not Users(settings.users_file).names():
        raise click.ClickException(f"a login is required (--login, or --host {host} opens the page to other "
                                   f"machines) and {settings.users_file} has no user: add one with "
                                   "`congvan user add NAME`")
    click.echo(f"congvan: http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    uvicorn.run(create_app(settings), host=host, port=port, server_header=False)


@main.group()
def user():
    """Users of the web page (asked for when `congvan serve --host` opens it to other machines)."""


@user.command(name="add")
@click.argument("name")
@data_dir_option
@click.password_option(help="Asked for (twice, hidden) when not given.")
def user_add(name, data_dir, password):
    """Add user NAME, or set a new password for NAME.

    \b
    Example:
        congvan user add lan
    """
    from pathlib import Path

    from .web.auth import Users

    try:
        Users(Path(data_dir) / "users.json").add(name, password)
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"user {name} saved in {Path(data_dir) / 'users.json'}")


@user.command(name="remove")
@click.argument("name")
@data_dir_option
def user_remove(name, data_dir):
    """Remove user NAME."""
    from pathlib import Path

    from .web.auth import Users

    try:
        Users(Path(data_dir) / "users.json").remove(name)
    except KeyError:
        raise click.ClickException(f"no user {name}") from None
    click.echo(f"user {name} removed")


@user.command(name="list")
@data_dir_option
def user_list(data_dir):
    """List the users of the web page."""
    from pathlib import Path

    from .web.auth import Users

    for name in Users(Path(data_dir) / "users.json").names():
        click.echo(name)

if __name__ == "__main__":
    main()
