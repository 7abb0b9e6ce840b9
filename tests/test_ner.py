"""congvan as a spaCy pipeline (issue 17): doc._.record is extract's record, doc.ents and the
field spans stand on the record's values, and extraction itself never loads spaCy."""
import json
import subprocess
import sys

import pytest

from conftest import CORPUS, ROOT
from pipeline.extract import extract
from pipeline.read import read

spacy = pytest.importorskip("spacy")

import pipeline  # noqa: E402

DOCS = ["a_01_bhxh_qngai_thuno__txt.txt", "a_12_qngai_congdien_atnd__txt-flat.txt", "c_13_ctbia_cv_citations__txt.txt"]


def gold_of(name):
    return json.loads((CORPUS / name).with_suffix(".json").read_text("utf-8"))


@pytest.fixture(scope="module")
def nlp():
    return pipeline.spacy_pipeline()


@pytest.mark.parametrize("name", DOCS)
def test_the_doc_keeps_the_text_and_its_offsets(nlp, name):
    text = (CORPUS / name).read_text("utf-8")
    doc = nlp.make_doc(text)
    assert doc.text == text
    assert "".join(t.text_with_ws for t in doc) == text
    assert all(text[t.idx:t.idx + len(t)] == t.text for t in doc)
    assert not any(" " in t.text.strip() for t in doc)  # syllables, never two words


@pytest.mark.parametrize("name", DOCS)
def test_record_is_the_record_extract_gives(nlp, name):
    path = CORPUS / name
    doc = nlp(path.read_text("utf-8"))
    expected = extract(read(path)).to_dict()
    expected.pop("source"), doc._.record.pop("source")
    assert doc._.record == expected
    gold = gold_of(name)
    for field in ("number", "issuer", "issued_on", "recipients", "signer"):
        assert doc._.record[field] == gold[field], field


@pytest.mark.parametrize("name", DOCS)
def test_entities_are_the_records_values(nlp, name):
    gold = gold_of(name)
    ents = {(e.label_, " ".join(e.text.split()) if e.label_ != "DOCREF" else "".join(e.text.split()))
            for e in nlp((CORPUS / name).read_text("utf-8")).ents}  # a number as printed: "1500/QĐ- TCHQ"
    assert ("DOCREF", gold["number"]) in ents
    assert ("PER", gold["signer"]["name"]) in ents
    assert ("LOC", gold["place"]) in ents
    assert ("ORG", " ".join(gold["issuer"].split())) in ents
    assert any(label == "DATE" for label, _ in ents)
    for ref in gold["references"]:
        assert ("DOCREF", ref["number"]) in ents
    for unit in (u for item in gold["directives"] for u in [item["lead"], *item["support"]] if u):
        assert ("ORG", unit) in ents


def test_flattened_text_still_places_the_fields(nlp):
    """A portal's run-on header is re-cut by the rules; the spans are found in the text as given."""
    name = "a_12_qngai_congdien_atnd__txt-flat.txt"
    text = (CORPUS / name).read_text("utf-8")
    doc = nlp(text)
    fields = {s.label_: s.text for s in doc.spans["fields"]}
    assert fields["number"] == gold_of(name)["number"]
    assert " ".join(fields["signer.name"].split()) == gold_of(name)["signer"]["name"]


def test_displacy_draws_the_fields(nlp):
    from spacy import displacy

    name = DOCS[0]
    doc = nlp((CORPUS / name).read_text("utf-8"))
    html = displacy.render(doc, style="span", options={"spans_key": "fields"})
    assert "signer.name" in html and gold_of(name)["signer"]["name"].split()[-1] in html
    assert "DOCREF" in displacy.render(doc, style="ent")


def test_extraction_never_imports_spacy():
    probe = ("import sys; sys.path.insert(0, '.'); from pipeline.process import process_file; "
             f"r = process_file({str(CORPUS / DOCS[0])!r}); assert r.kind == 'dispatch'; "
             "print('spacy' in sys.modules, 'thinc' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["False", "False"], done.stderr
