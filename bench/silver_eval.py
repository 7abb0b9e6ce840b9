"""Field agreement with the silver labels of the real documents in ../shared/real.

    python bench/silver_eval.py [SHARED_REAL_DIR] [--show-misses]

Silver labels are imperfect (OCR-derived or portal metadata), so these are agreement rates, not
accuracy. Sources of labels:
- annotations/diepxuan_frontmatter_silver.json: number, type, date, issuer, signer of diep_*.md;
- annotations/ocr_local_vbhc__*.json: fields of qngai_* PDFs (matched through provenance.tsv);
- vbpl_* file names carry the document's number ("06-2026-TT-BXD" → 06/2026/TT-BXD).
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.process import process_file  # noqa: E402


def fold(text) -> str:
    """Casefold, drop diacritics and every non-alphanumeric: silver labels vary in all of these."""
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def iso(date_text: str) -> str | None:
    m = re.search(r"(\d{1,2})\s*(?:/|tháng)\s*(\d{1,2})\s*(?:/|năm)\s*(\d{4})", date_text or "")
    return f"{int(m.group(3)):04d}-{int(m.group(2)):02d}-{int(m.group(1)):02d}" if m else None


def diep_labels(real: Path) -> dict:
    data = json.loads((real / "annotations/diepxuan_frontmatter_silver.json").read_text("utf-8"))
    labels = {}
    for name, v in data.items():
        entry = {"number": v.get("so_hieu"),  # not docid: a portal id, not a số/ký hiệu
                  "doc_type": v.get("loai_van_ban"),
                 "issued_on": iso(v.get("ngay_ban_hanh", "")), "issuer": v.get("noi_ban_hanh"),
                 "signer.name": v.get("nguoi_ky")}
        labels[name] = {k: val for k, val in entry.items() if val}
    return labels


def qngai_labels(real: Path) -> dict:
    by_repo_name = {}
    with open(real / "provenance.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            stem = re.sub(r"_\d{8}_\d{6}\.pdf$", ".pdf", Path(row["path_in_repository"]).name)
            by_repo_name[fold(stem)] = row["local_filename"]
    labels = {}
    for path in sorted((real / "annotations").glob("ocr_local_vbhc__*.json")):
        for item in json.loads(path.read_text("utf-8")):
            name = item.get("Tên File") or item.get("file_name")
            local = by_repo_name.get(fold(name))
            if not local:
                continue
            number = item.get("Số Ký Hiệu") or item.get("so_ki_hieu") or ""
            entry = {"number": re.sub(r"^\s*Số\s*:?", "", number), "issued_on": iso(item.get("Ngày Ban Hành") or item.get("ngay_bh")),
                     "signer.name": item.get("Chữ Ký") or item.get("chu_ky")}
            labels[local] = {k: v for k, v in entry.items() if v}
    return labels


def vbpl_labels(real: Path) -> dict:
    labels = {}
    for path in sorted(real.glob("vbpl_*.html")):
        m = re.match(r"vbpl_\d+_(\d+)-(\d{4})-(.+)\.html$", path.name)
        if m:
            labels[path.name] = {"number": f"{m.group(1)}/{m.group(2)}/{m.group(3)}"}
    return labels


def value(record: dict, field: str):
    if field == "signer.name":
        return record.get("signer", {}).get("name")
    return record.get(field)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("real", nargs="?", default=str(ROOT.parent / "shared" / "real"))
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    real = Path(args.real)
    if not real.is_dir():
        sys.exit(f"{real} not found: the shared real documents are not available here")
    groups = {"diep (md)": diep_labels(real), "qngai (pdf)": qngai_labels(real), "vbpl (html)": vbpl_labels(real)}
    print(f"{'set':<13}{'field':<13}{'agree':>7}{'of':>5}   errors (unreadable files)")
    for group, labels in groups.items():
        hits, totals, errors, misses = defaultdict(int), defaultdict(int), 0, []
        for name, fields in labels.items():
            record = process_file(str(real / name)).to_dict()
            if record.get("error"):
                errors += 1
            for field, expected in fields.items():
                totals[field] += 1
                got = value(record, field)
                ok = fold(got) == fold(expected)
                if field == "signer.name" and got and len(got.split()) >= 2:
                    ok = ok or fold(got) in fold(expected)  # silver names often carry the title too
                hits[field] += ok
                if not ok:
                    misses.append((name, field, expected, got or record.get("error")))
        for field in totals:
            print(f"{group:<13}{field:<13}{hits[field] / totals[field]:>7.0%}{totals[field]:>5}   {errors}")
        if args.show_misses:
            for miss in misses:
                print("   miss:", *miss)


if __name__ == "__main__":
    main()
