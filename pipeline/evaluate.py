"""Score extraction against gold records, per field, strict and normalised.

Scalar fields score 1/0 per document; list fields (recipients, distribution, references,
directives) score F1 per document; the table shows the mean over the documents that have the
field in gold (dispatches for every field but `kind`, which counts every document). The report
also breaks the strict scores down by file format (txt, docx, pdf, scan …), so OCR'd scans are
seen beside the text-layer documents they were made from.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from .records import FIELDS

FORMAT_ORDER = ["txt", "md", "html", "docx", "pdf", "scan", "image"]
SCALARS = ("kind", "doc_type", "number", "issued_on", "place", "issuer", "parent_body", "subject")
LISTS = ("recipients", "distribution")


def norm(value) -> str:
    text = unicodedata.normalize("NFC", str(value or "")).casefold()
    text = text.replace("uỷ", "ủy").replace("oà", "òa").replace("oá", "óa").replace("hoà", "hòa")
    text = re.sub(r"[\s]+", " ", text)
    return text.strip(" .;,:-")


def f1(gold: list, predicted: list, same) -> float:
    if not gold and not predicted:
        return 1.0
    unmatched = list(predicted)
    hits = 0
    for g in gold:
        for p in unmatched:
            if same(g, p):
                unmatched.remove(p)
                hits += 1
                break
    if not hits:
        return 0.0
    precision, recall = hits / len(predicted), hits / len(gold)
    return 2 * precision * recall / (precision + recall)


def same_directive(strict: bool):
    def same(g: dict, p: dict) -> bool:
        if strict:
            return g == p
        return (norm(g["label"]) == norm(p["label"]) and g.get("deadline") == p.get("deadline")
                and norm(g.get("lead")) == norm(p.get("lead"))
                and sorted(map(norm, g.get("support", []))) == sorted(map(norm, p.get("support", [])))
                and fuzz.ratio(norm(g["text"]), norm(p["text"])) >= 90)
    return same


def same_reference(strict: bool):
    def same(g: dict, p: dict) -> bool:
        if strict:
            return g == p
        return norm(g["number"]).replace(" ", "") == norm(p["number"]).replace(" ", "") and g.get("issued_on") == p.get("issued_on")
    return same


def score_field(name: str, gold: dict, predicted: dict, strict: bool) -> float:
    g, p = gold.get(name), predicted.get(name)
    if name in SCALARS:
        return float(g == p) if strict else float(norm(g) == norm(p))
    if name in LISTS:
        return f1(g or [], p or [], (lambda a, b: a == b) if strict else (lambda a, b: norm(a) == norm(b)))
    if name == "directives":
        return f1(g or [], p or [], same_directive(strict))
    if name == "references":
        return f1(g or [], p or [], same_reference(strict))
    if name == "signer":
        g, p = g or {}, p or {}
        keys = ("authority", "title", "name")
        return float(all((g.get(k, "") == p.get(k, "")) if strict else (norm(g.get(k)) == norm(p.get(k))) for k in keys))
    raise KeyError(name)


def format_family(document: Path) -> str:
    """The format a corpus file was rendered in, by family: "a_01__txt-flat.txt" → "txt",
    "a_01__scan.pdf" → "scan"; any other file by its suffix ("x.md" → "md")."""
    stem = document.stem
    if "__" in stem:
        return stem.rsplit("__", 1)[1].split("-")[0]
    return document.suffix.lstrip(".").lower() or "?"


@dataclass
class Report:
    strict: dict = field(default_factory=dict)
    normalised: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    documents: int = 0
    exact_records: int = 0
    failures: list = field(default_factory=list)  # (source, field, gold, predicted)
    by_format: dict = field(default_factory=dict)  # format family → Report of its documents

    def mean(self, table: dict, name: str) -> float:
        values = table.get(name, [])
        return sum(values) / len(values) if values else float("nan")

    def rows(self):
        for name in FIELDS:
            yield name, self.mean(self.strict, name), self.mean(self.normalised, name), len(self.strict.get(name, []))

    def exact_rate(self) -> float:
        return self.exact_records / self.documents if self.documents else float("nan")

    def as_table(self) -> str:
        lines = [f"{'field':<14}{'strict':>9}{'normalised':>12}{'docs':>6}"]
        for name, s, n, count in self.rows():
            lines.append(f"{name:<14}{s:>9.1%}{n:>12.1%}{count:>6}")
        lines.append(f"{'whole record':<14}{self.exact_rate():>9.1%}{'':>12}{self.documents:>6}")
        if len(self.by_format) > 1:
            lines += ["", self.format_table()]
        return "\n".join(lines)

    def format_table(self) -> str:
        """Strict scores per field (rows) and format family (columns), with document counts."""
        families = sorted(self.by_format, key=lambda f: (FORMAT_ORDER.index(f) if f in FORMAT_ORDER else 99, f))
        lines = [f"{'strict by format':<17}" + "".join(f"{f:>8}" for f in families)]
        for name in FIELDS:
            cells = [self.by_format[f].mean(self.by_format[f].strict, name) for f in families]
            lines.append(f"{name:<17}" + "".join("       -" if c != c else f"{c:>8.1%}" for c in cells))
        lines.append(f"{'whole record':<17}" + "".join(f"{self.by_format[f].exact_rate():>8.1%}" for f in families))
        lines.append(f"{'documents':<17}" + "".join(f"{self.by_format[f].documents:>8}" for f in families))
        return "\n".join(lines)


def load_gold(gold_dir: str) -> list[tuple[Path, dict]]:
    """Gold JSON files whose `source` names a document beside them."""
    pairs = []
    for path in sorted(Path(gold_dir).rglob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        if isinstance(data, dict) and "source" in data and "kind" in data:
            document = path.parent / data["source"]
            if document.exists():
                pairs.append((document, data))
    return pairs


def evaluate(gold_dir: str, jobs: int = 1, formats: set[str] | None = None, ocr: str = "auto") -> Report:
    """Score every gold record in `gold_dir` (only those of the format families in `formats`)."""
    from .process import process_many

    pairs = [(doc, gold) for doc, gold in load_gold(gold_dir) if formats is None or format_family(doc) in formats]
    records = process_many([str(doc) for doc, _ in pairs], jobs=jobs, ocr=ocr)
    report = Report()
    for (document, gold), record in zip(pairs, records):
        predicted = record.to_dict()
        add_document(report, document, gold, predicted)
        add_document(report.by_format.setdefault(format_family(document), Report()), document, gold, predicted)
    return report


def add_document(report: Report, document: Path, gold: dict, predicted: dict) -> None:
    report.documents += 1
    names = FIELDS if gold.get("kind") == "dispatch" else ("kind",)
    exact = True
    for name in names:
        s = score_field(name, gold, predicted, strict=True)
        n = score_field(name, gold, predicted, strict=False)
        report.strict.setdefault(name, []).append(s)
        report.normalised.setdefault(name, []).append(n)
        if s < 1:
            exact = False
            report.failures.append((document.name, name, gold.get(name), predicted.get(name)))
    report.exact_records += exact
