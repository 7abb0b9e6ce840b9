"""The command line as a clerk uses it: batches with bad files, output formats, exit codes."""
import json
import subprocess
import sys

from click.testing import CliRunner

from pipeline.cli import main
from conftest import CORPUS


def write_batch(tmp_path):
    good = sorted(CORPUS.glob("*.txt"))[:2] + sorted(CORPUS.glob("*.docx"))[:1] + sorted(CORPUS.glob("*.pdf"))[:1]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in good:
        (inbox / path.name).write_bytes(path.read_bytes())
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.7\n this is not really a pdf")
    (inbox / "broken.docx").write_bytes(b"PK\x03\x04 not a zip at all")
    return inbox, good


def test_batch_with_bad_files_extracts_the_good_ones(tmp_path):
    inbox, good = write_batch(tmp_path)
    result = CliRunner().invoke(main, ["extract", str(inbox), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == len(good) + 3
    errors = {r["source"].rsplit("/", 1)[-1]: r["error"] for r in records if r.get("error")}
    assert set(errors) == {"empty.txt", "broken.pdf", "broken.docx"}
    assert errors["empty.txt"] == "empty file"
    assert errors["broken.pdf"].startswith("corrupt PDF")
    assert errors["broken.docx"].startswith("corrupt DOCX")
    assert all(r["kind"] in ("dispatch", "other") for r in records if not r.get("error"))


def test_jobs_two_gives_the_same_records_in_order(tmp_path):
    inbox, _ = write_batch(tmp_path)
    one = CliRunner().invoke(main, ["extract", str(inbox), "--format", "jsonl"]).stdout
    two = CliRunner().invoke(main, ["extract", str(inbox), "--format", "jsonl", "--jobs", "2"]).stdout
    assert one == two


def test_exit_code_is_nonzero_only_when_nothing_could_be_read(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "empty.txt")])
    assert result.exit_code == 1
    assert "empty file" in result.stdout


def test_unsupported_and_missing_files_are_named(tmp_path):
    (tmp_path / "photo.xyz").write_bytes(b"\x00\x01")
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "photo.xyz"), str(tmp_path / "missing.pdf"), "--format", "jsonl"])
    errors = [json.loads(line)["error"] for line in result.stdout.splitlines()]
    assert errors[0] == "unsupported file type .xyz"
    assert "not found" in errors[1] or "no such file" in errors[1].lower()


def test_jsonl_keeps_vietnamese_unescaped():
    doc = sorted(CORPUS.glob("*.txt"))[0]
    result = CliRunner().invoke(main, ["extract", str(doc), "--format", "jsonl"])
    assert "\\u" not in result.stdout and result.stdout.count("\n") == 1


def test_table_format_has_one_line_per_document(tmp_path):
    inbox, good = write_batch(tmp_path)
    result = CliRunner().invoke(main, ["extract", str(inbox), "--format", "table"])
    assert len(result.stdout.splitlines()) == len(good) + 3


def test_help_is_fast_because_heavy_imports_are_lazy():
    code = "import sys, pipeline.cli; heavy = {'pdfplumber', 'docx', 'underthesea', 'spacy'} & set(sys.modules); print(sorted(heavy))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "extract" in result.stdout


def test_ingest_into_a_sqlite_store_does_not_load_sqlalchemy(tmp_path):
    """issue 16: loading SQLAlchemy was a quarter of a second of every `ingest` (its engine serves
    PostgreSQL and the store's other queries); a batch into a SQLite file writes through sqlite3,
    failed files included, and what it stored reads back through SQLAlchemy afterwards."""
    inbox, good = write_batch(tmp_path)
    db = tmp_path / "c.db"
    code = ("import sys; from pipeline.cli import main\n"
            f"try: main(['ingest', {str(inbox)!r}, '--db', {str(db)!r}])\n"
            "except SystemExit: pass\n"
            "print('sqlalchemy loaded:', 'sqlalchemy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "sqlalchemy loaded: False", out
    listed = CliRunner().invoke(main, ["list", "--db", str(db)])
    assert listed.exit_code == 0 and len(listed.output.strip().splitlines()) == len(good) + 3, listed.output


def test_the_progress_bar_is_drawn_on_a_terminal_only(monkeypatch):
    """A scheduled run's log (stderr to a file) would get a line of bar for each redraw."""
    import io

    from pipeline.cli import NoBar, progress_bar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert isinstance(progress_bar(100), NoBar)
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert isinstance(progress_bar(3), NoBar)  # a handful of files: no bar either
    with progress_bar(100) as bar:
        bar.update(50)
    assert "50/100" in sys.stderr.getvalue()
