"""Field accuracy on the hand-checked gold of real documents (../shared/real/gold), scored by the
judges' scorer (../shared/tools/score.py), held at the level reached. Skips without ../shared.

The floors are the measured level minus a small margin for OCR's run-to-run noise on scans; the
"wrong and not flagged" share is the figure a clerk lives with: a wrong value that the record
does not send to review.
"""
from __future__ import annotations

import importlib.util
import json
from collections import defaultdict

import pytest

from conftest import SHARED
from pipeline.process import process_many

# source prefix -> lowest accepted field accuracy
FLOORS = {"vbpl": 0.99, "diep": 0.98, "tax": 0.95, "tvpl": 0.97, "qngai": 0.88}
OVERALL_FLOOR = 0.96
WRONG_UNFLAGGED_CEILING = 0.01


@pytest.fixture(scope="module")
def scored():
    gold_dir = SHARED / "real" / "gold"
    if not gold_dir.is_dir():
        pytest.skip(f"no real gold at {gold_dir}: ../shared is not beside the checkout")
    spec = importlib.util.spec_from_file_location("gold_score", SHARED / "tools" / "score.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    golds = [json.loads(p.read_text("utf-8")) for p in sorted(gold_dir.glob("*.json"))]
    from pipeline.read.ocr import tesseract_problem

    if tesseract_problem():  # scans cannot be read here: score the text documents only
        golds = [g for g in golds if not g["file"].startswith("qngai")]
    records = {}
    for record in process_many([str(SHARED / "real" / g["file"]) for g in golds], jobs=2):
        records[record.source.rsplit("/", 1)[-1]] = record.to_dict()
    table = defaultdict(lambda: [0.0, 0.0, 0])  # source -> [right, wrong and not flagged, fields]
    for gold in golds:
        out = records.get(gold["file"])
        flagged = {r["field"] for r in (out or {}).get("review", [])}
        for field, value in scorer.score_doc(gold, out).items():
            unflagged = value < 1 and field not in flagged and field.split(".")[0] not in flagged
            for key in (gold["file"].split("_", 1)[0], "ALL"):
                table[key][0] += value
                table[key][1] += (1 - value) if unflagged else 0
                table[key][2] += 1
    return table


@pytest.mark.parametrize("source", sorted(FLOORS))
def test_each_source_stays_at_its_level(scored, source):
    if source not in scored:
        pytest.skip(f"no {source} documents scored here (scans need Tesseract)")
    right, _, n = scored[source]
    assert right / n >= FLOORS[source], f"{source}: {right / n:.3f} < {FLOORS[source]}"


def test_overall_accuracy_and_unflagged_errors(scored):
    right, unflagged, n = scored["ALL"]
    assert right / n >= OVERALL_FLOOR, f"overall {right / n:.3f}"
    assert unflagged / n <= WRONG_UNFLAGGED_CEILING, f"wrong and not flagged {unflagged / n:.3%}"
