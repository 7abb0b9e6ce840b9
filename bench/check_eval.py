"""`congvan check` against the fixture set in corpus/check (see corpus/check/build.py): per-rule
precision and recall of the violations reported, and how often the document's kind and type
(Công văn, Kế hoạch …, an appendix, a copy, a Party document) are recognised.

    python bench/check_eval.py                # the table
    python bench/check_eval.py --failures     # and every false report and miss, with its file
    python bench/check_eval.py --layouts      # the fault fixtures rebuilt in the other header/signer layouts

A report counts once per file and rule: right when the gold lists that rule for the file, false
otherwise; a gold rule nobody reported is a miss.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.check import check_report  # noqa: E402

FIXTURES = ROOT / "corpus" / "check"


@dataclass
class Score:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    files: int = 0
    type_right: int = 0
    failures: list = field(default_factory=list)  # (file, "false"/"miss"/"type", detail)

    def totals(self) -> tuple[int, int, int]:
        return sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())

    @property
    def precision(self) -> float:
        tp, fp, _ = self.totals()
        return tp / (tp + fp) if tp + fp else 1.0

    @property
    def recall(self) -> float:
        tp, _, fn = self.totals()
        return tp / (tp + fn) if tp + fn else 1.0


def layout_cases():
    """(name, DOCX bytes, gold) for corpus/check/build.py's layout variants, built in memory."""
    import importlib.util
    import io

    # under its own name: corpus/build.py is imported as "build" by other code
    spec_ = importlib.util.spec_from_file_location("congvan_check_fixtures", FIXTURES / "build.py")
    build = importlib.util.module_from_spec(spec_)
    sys.modules[spec_.name] = build  # dataclasses look their module up while the class is made
    spec_.loader.exec_module(build)
    for spec in build.layout_variants():
        out = io.BytesIO()
        build.Builder(spec).build().save(out)
        kind, doc_type = build.kind_and_type(spec)
        yield spec.name, out.getvalue(), {"kind": kind, "type": doc_type, "faults": sorted(spec.faults)}


def evaluate(folder: Path = FIXTURES, layouts: bool = False) -> Score:
    if layouts:
        cases = list(layout_cases())
    else:
        gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
        cases = [(name, folder / "docs" / name, want) for name, want in sorted(gold.items())]
    score = Score()
    for name, source, want in cases:
        report = check_report(source)
        score.files += 1
        found = {v.rule: v for v in report.violations}
        expected = set(want["faults"])
        for rule, v in found.items():
            if rule in expected:
                score.tp[rule] += 1
            else:
                score.fp[rule] += 1
                score.failures.append((name, "false", f"[{rule}] {v.where}: {v.message}"))
        for rule in expected - set(found):
            score.fn[rule] += 1
            score.failures.append((name, "miss", rule))
        if (report.kind, report.doc_type) == (want["kind"], want["type"]):
            score.type_right += 1
        else:
            score.failures.append((name, "type", f"recognised {report.kind}/{report.doc_type or '?'}, "
                                   f"gold {want['kind']}/{want['type']}"))
    return score


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true", help="list every false report, miss and wrong type")
    parser.add_argument("--folder", type=Path, default=FIXTURES)
    parser.add_argument("--layouts", action="store_true",
                        help="the fault fixtures rebuilt in the other header and signer layouts (in memory)")
    args = parser.parse_args(argv)
    score = evaluate(args.folder, layouts=args.layouts)
    rules = sorted(set(score.tp) | set(score.fp) | set(score.fn))
    print(f"{'rule':<22} {'right':>5} {'false':>5} {'miss':>5} {'precision':>9} {'recall':>7}")
    for rule in rules:
        tp, fp, fn = score.tp[rule], score.fp[rule], score.fn[rule]
        p = f"{tp / (tp + fp):.0%}" if tp + fp else "-"
        r = f"{tp / (tp + fn):.0%}" if tp + fn else "-"
        print(f"{rule:<22} {tp:>5} {fp:>5} {fn:>5} {p:>9} {r:>7}")
    tp, fp, fn = score.totals()
    print(f"{'all rules':<22} {tp:>5} {fp:>5} {fn:>5} {score.precision:>9.1%} {score.recall:>7.1%}")
    print(f"files: {score.files}; kind and type recognised: {score.type_right}/{score.files}")
    if args.failures:
        for name, what, detail in score.failures:
            print(f"{what:<5} {name}: {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
