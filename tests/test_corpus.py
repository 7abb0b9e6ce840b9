"""The corpus itself and the extraction scores on it: they may only go up.

FLOORS are the measured strict scores at the time of writing (the issue's targets are lower:
98% for scalar fields, 95% for lists, 90% for directives). A change that lowers a field's score fails here with the table.
"""
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT
from pipeline.evaluate import evaluate, load_gold

# field → the strict score the corpus must keep (fraction of documents, F1 for list fields)
FLOORS = dict.fromkeys((
    "kind", "number", "issued_on", "issuer", "doc_type", "signer", "place", "parent_body",
    "subject", "recipients", "distribution", "references", "directives",
), 1.0)  # measured 2026-11-23: every field 100% strict on 63 documents
WHOLE_RECORD_FLOOR = 0.98


@pytest.fixture(scope="module")
def report():
    return evaluate(str(CORPUS), jobs=2)


def test_corpus_has_what_the_issue_asks_for():
    golds = [gold for _, gold in load_gold(str(CORPUS))]
    kinds = Counter(g["kind"] for g in golds)
    assert len(golds) >= 60
    assert kinds["dispatch"] >= 35 and kinds["other"] >= 10
    formats = Counter(name.split("__")[-1].rsplit(".", 1)[0] for name in (g["source"] for g in golds))
    for fmt in ("txt", "txt-flat", "txt-cp1258", "txt-utf16", "docx", "docx-tcvn3", "pdf"):
        assert formats[fmt] >= 1, fmt
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
    pdf_golds = {p.name for p in CORPUS.glob("*__pdf.json")}
    assert all((CORPUS / Path(n).with_suffix(".pdf").name).exists() for n in pdf_golds)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_field_score_stays_at_its_floor(report, name):
    score = report.mean(report.strict, name)
    assert score >= FLOORS[name], f"{name}: {score:.1%} < {FLOORS[name]:.0%}\n{report.as_table()}\n" + "\n".join(
        f"{src}: {fld} gold={json.dumps(g, ensure_ascii=False)} got={json.dumps(p, ensure_ascii=False)}"
        for src, fld, g, p in report.failures if fld == name)


def test_whole_record_exact_rate(report):
    assert report.exact_rate() >= WHOLE_RECORD_FLOOR, report.as_table()
