"""The `congvan` command line: a thin layer over the pipeline functions.

Heavy libraries (pdfplumber, python-docx, underthesea, spaCy) are imported inside the commands
that need them, so `congvan --help` answers at once.
"""
from __future__ import annotations

import json
import sys

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="congvan")
def main():
    """congvan: read Vietnamese official dispatches (công văn) into structured records.

    \b
    Example:
        congvan extract inbox/ --format table
    """


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "table"]), default="json", show_default=True,
              help="json: one pretty record per document; jsonl: one JSON object a line; table: a summary line each.")
@click.option("--jobs", "-j", type=int, default=1, show_default=True, help="Worker processes.")
@click.option("--with-text", is_flag=True, help="Include the normalised text the spans point into.")
def extract(inputs, fmt, jobs, with_text):
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
    for record in with_progress(process_many(paths, jobs=jobs), len(paths)):
        readable += not record.error
        emit(record, fmt, with_text)
    failed = len(paths) - readable
    if failed:
        click.echo(f"{failed} of {len(paths)} file(s) could not be read", err=True)
    if readable == 0:
        sys.exit(1)


def with_progress(records, total: int):
    if total <= 3:
        yield from records
        return
    from tqdm import tqdm

    with tqdm(total=total, unit="doc", file=sys.stderr, leave=False, dynamic_ncols=True) as bar:
        for record in records:
            bar.update(1)
            yield record


def emit(record, fmt: str, with_text: bool) -> None:
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


if __name__ == "__main__":
    main()
