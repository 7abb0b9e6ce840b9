"""Field accuracy and "wrong and not flagged" on the hand-checked gold of real documents.

    python bench/real_gold.py [--real ../shared/real] [--jobs 2] [--out records.jsonl] [--misses]

Extracts every file that has a gold record in ``REAL/gold`` and scores it with the judges'
scorer (``../shared/tools/score.py``, imported, so the figures agree with it), then prints per
source prefix (vbpl, diep, tax, qngai, tvpl) and per field: accuracy and the share of fields
that are wrong while the record does not flag them for review. ``--out`` keeps the JSONL so
``python ../shared/tools/score.py REAL/gold OUT`` can be run on the same records.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.process import process_many  # noqa: E402


def load_scorer(real: Path):
    path = real.parent / "tools" / "score.py"
    spec = importlib.util.spec_from_file_location("gold_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gold_records(real: Path) -> list[dict]:
    return [json.loads(p.read_text("utf-8")) for p in sorted((real / "gold").glob("*.json"))]


def flagged_fields(record: dict) -> set[str]:
    return {str(r.get("field", "")) for r in record.get("review") or [] if isinstance(r, dict)}


def score(golds: list[dict], records: dict, scorer, show_misses: bool = False):
    """{source: {field: [right, wrong_unflagged, n]}} with "ALL" rows."""
    table: dict = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0, 0]))
    for gold in golds:
        out = records.get(gold["file"])
        source = gold["file"].split("_", 1)[0]
        flagged = flagged_fields(out or {})
        for field, value in scorer.score_doc(gold, out).items():
            unflagged = value < 1 and field not in flagged and field.split(".")[0] not in flagged
            for key in (source, "ALL"):
                cell = table[key][field]
                cell[0] += value
                cell[1] += (1 - value) if unflagged else 0
                cell[2] += 1
            if show_misses and value < 1:
                top = field.split(".")[0]
                mark = "UNFLAGGED" if unflagged else "flagged"
                print(f"  {mark:9s} {gold['file']} {field}: gold={gold.get(top)!r:.150} "
                      f"got={(out or {}).get(top)!r:.150}")
    return table


def print_table(table) -> None:
    fields = sorted({f for rows in table.values() for f in rows})
    sources = sorted(k for k in table if k != "ALL") + ["ALL"]
    print(f"{'field':18s}" + "".join(f"{s:>14s}" for s in sources))
    for field in fields + ["overall"]:
        row = f"{field:18s}"
        for source in sources:
            cells = table[source].values() if field == "overall" else [table[source].get(field)]
            cells = [c for c in cells if c]
            n = sum(c[2] for c in cells)
            if not n:
                row += f"{'-':>14s}"
                continue
            acc = sum(c[0] for c in cells) / n
            bad = sum(c[1] for c in cells) / n
            row += f"{acc * 100:7.1f}%/{bad * 100:4.1f}%"
        print(row)
    print("cells: accuracy / wrong and not flagged, per scored field")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", default=str(ROOT.parent / "shared" / "real"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", help="keep the extracted records as JSONL here")
    parser.add_argument("--only", help="file-name prefix, e.g. tvpl")
    parser.add_argument("--misses", action="store_true", help="print every field that is not right")
    args = parser.parse_args(argv)
    real = Path(args.real)
    if not (real / "gold").is_dir():
        print(f"no gold folder at {real / 'gold'}", file=sys.stderr)
        return 2
    scorer = load_scorer(real)
    golds = [g for g in gold_records(real) if not args.only or g["file"].startswith(args.only)]
    paths = [str(real / g["file"]) for g in golds]
    records = {}
    for record in process_many(paths, jobs=args.jobs):
        data = record.to_dict()
        records[Path(record.source).name] = data
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            for data in records.values():
                fh.write(json.dumps(data, ensure_ascii=False) + "\n")
    print_table(score(golds, records, scorer, args.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
