"""The corpus itself and the extraction scores on it: they may only go up.

FLOORS are the measured strict scores at the time of writing (the issue's targets are lower:
98% for scalar fields, 95% for lists, 90% for directives). A change that lowers a field's score fails here with the table.
SCAN_FLOORS hold the OCR'd scans ("__scan.pdf", made from the corpus PDFs) to their own measured
scores; they skip when Tesseract or its Vietnamese data is missing.
"""
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT
from pipeline.evaluate import evaluate, format_family, load_gold
from pipeline.read.ocr import tesseract_problem

# field → the strict score the corpus must keep (fraction of documents, F1 for list fields)
FLOORS = dict.fromkeys((
    "kind", "number", "issued_on", "issuer", "doc_type", "signer", "place", "parent_body",
    "subject", "recipients", "distribution", "references", "directives",
), 1.0)  # measured 2026-11-23: every field 100% strict on 63 documents
WHOLE_RECORD_FLOOR = 0.98
# measured 2026-11-23 on 8 scans (7 dispatches): errors are tone marks the fast "vie" model misreads
# ("để" → "đế", "sởi" → "sới", "Đinh" → "Đỉnh"), so list fields and subjects lose most
SCAN_FLOORS = {
    "kind": 1.0, "doc_type": 1.0, "number": 1.0, "issued_on": 1.0, "place": 1.0, "issuer": 1.0,
    "parent_body": 1.0, "subject": 0.571, "recipients": 0.928, "directives": 0.5, "references": 0.857,
    "distribution": 0.785, "signer": 0.857,
}
TEXT_FORMATS = {"txt", "md", "docx", "pdf"}


@pytest.fixture(scope="module")
def report():
    return evaluate(str(CORPUS), jobs=2, formats=TEXT_FORMATS)


@pytest.fixture(scope="module")
def scan_report():
    if tesseract_problem():
        pytest.skip(f"scans need OCR: {tesseract_problem()}")
    return evaluate(str(CORPUS), jobs=2, formats={"scan"})


def test_corpus_has_what_the_issue_asks_for():
    golds = [gold for _, gold in load_gold(str(CORPUS))]
    kinds = Counter(g["kind"] for g in golds)
    assert len(golds) >= 60
    assert kinds["dispatch"] >= 35 and kinds["other"] >= 10
    formats = Counter(name.split("__")[-1].rsplit(".", 1)[0] for name in (g["source"] for g in golds))
    for fmt in ("txt", "txt-flat", "txt-cp1258", "txt-utf16", "md", "docx", "docx-tcvn3", "pdf"):
        assert formats[fmt] >= 1, fmt
    assert formats["scan"] >= 8
    assert {format_family(doc) for doc, _ in load_gold(str(CORPUS))} == TEXT_FORMATS | {"scan"}
    issuers = {g["issuer"] for g in golds if g["kind"] == "dispatch"}
    types = {g["doc_type"] for g in golds if g["kind"] == "dispatch"}
    assert len(issuers) >= 25 and len(types) >= 10


def test_rendered_files_match_their_sources(tmp_path):
    """docs/ is what build.py makes from src/ (PDFs aside, which need LibreOffice)."""
    sys.path.insert(0, str(ROOT / "corpus"))
    import build

    build.build(make_pdf=False, docs_dir=tmp_path)
    for made in tmp_path.iterdir():
        if made.suffix != ".pdf":
            assert made.read_bytes() == (CORPUS / made.name).read_bytes(), f"{made.name}: run python corpus/build.py"
    pdf_golds = {p.name for p in CORPUS.glob("*__pdf.json")} | {p.name for p in CORPUS.glob("*__scan.json")}
    assert all((CORPUS / Path(n).with_suffix(".pdf").name).exists() for n in pdf_golds)


def test_scans_are_image_only_and_made_repeatably():
    """A scan has no text layer, and rendering it again from its PDF gives the same bytes."""
    import pypdfium2 as pdfium

    sys.path.insert(0, str(ROOT / "corpus"))
    import build

    for scan in sorted(CORPUS.glob("*__scan.pdf")):
        pdf = pdfium.PdfDocument(str(scan))
        assert all(page.get_textpage().count_chars() == 0 for page in pdf), scan.name
        pdf.close()
    src_id = "a_19_binhdinh_cv_ntm"
    made = build.render_scan(CORPUS / f"{src_id}__pdf.pdf", src_id)
    assert made == build.render_scan(CORPUS / f"{src_id}__pdf.pdf", src_id)
    assert len(made) > 10_000


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_field_score_stays_at_its_floor(report, name):
    score = report.mean(report.strict, name)
    assert score >= FLOORS[name], f"{name}: {score:.1%} < {FLOORS[name]:.0%}\n{report.as_table()}\n" + "\n".join(
        f"{src}: {fld} gold={json.dumps(g, ensure_ascii=False)} got={json.dumps(p, ensure_ascii=False)}"
        for src, fld, g, p in report.failures if fld == name)


def test_whole_record_exact_rate(report):
    assert report.exact_rate() >= WHOLE_RECORD_FLOOR, report.as_table()


@pytest.mark.parametrize("name", sorted(SCAN_FLOORS))
def test_scan_field_score_stays_at_its_floor(scan_report, name):
    score = scan_report.mean(scan_report.strict, name)
    assert score >= SCAN_FLOORS[name], f"{name}: {score:.1%} < {SCAN_FLOORS[name]:.1%}\n{scan_report.as_table()}\n" + "\n".join(
        f"{src}: {fld} gold={json.dumps(g, ensure_ascii=False)} got={json.dumps(p, ensure_ascii=False)}"
        for src, fld, g, p in scan_report.failures if fld == name)
