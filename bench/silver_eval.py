"""Field agreement with the silver labels of the real documents in ../shared/real.

    python bench/silver_eval.py [SHARED_REAL_DIR] [--show-misses]

Silver labels are imperfect (OCR-derived or portal metadata), so these are agreement rates, not
accuracy. Sources of labels:
- annotations/diepxuan_frontmatter_silver.json: number, type, date, issuer, signer of diep_*.md;
- annotations/ocr_local_vbhc__*.json: fields of qngai_* PDFs (matched through provenance.tsv);
- annotations/ocr_local_vbhc__fieldtext/<doc>/page_1_*.txt: number, date, issuer and type of the
  qngai_pageimg_<doc>_page1.png page images (field crops OCR'd by the source project);
- vbpl_* file names carry the document's number ("06-2026-TT-BXD" → 06/2026/TT-BXD);
- the other scanned qngai_*.pdf and das_*.pdf names carry the number's digits and the type
  ("qngai_51-QD-UB-signed.pdf" → 51, Quyết định; "das_kh-753-…" → 753, Kế hoạch): "number#"
  compares only the number's leading digits.

The qngai_* PDFs, page images and das_* are scans: they are read with OCR (--ocr auto).
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

from pipeline.process import process_many  # noqa: E402


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


def page_image_labels(real: Path) -> dict:
    """Fields of the page images from the field-crop texts (file names carry the crop's field)."""
    fields = {"So_Ki_Hieu": "number", "Ngay_BH": "issued_on", "CQBH": "issuer", "Loai_VB": "doc_type"}
    labels = {}
    for folder in sorted((real / "annotations" / "ocr_local_vbhc__fieldtext").glob("doc_*")):
        image = real / f"qngai_pageimg_{folder.name}_page1.png"
        if not image.exists():
            continue
        entry = {}
        for crop in folder.glob("page_1_*.txt"):
            key = next((f for f in fields if crop.name.startswith(f"page_1_{f}_")), None)
            text = crop.read_text("utf-8").strip()
            if key == "So_Ki_Hieu":
                entry["number"] = re.sub(r"^\s*Số\s*:?", "", text)
            elif key == "Ngay_BH":
                entry["issued_on"] = iso(text)
            elif key:
                entry[fields[key]] = text
        labels[image.name] = {k: v for k, v in entry.items() if v}
    return labels


TYPE_CODES = {"QD": "Quyết định", "CT": "Chỉ thị", "TB": "Thông báo", "TTR": "Tờ trình", "BC": "Báo cáo",
              "KH": "Kế hoạch"}


def name_labels(real: Path, skip: set) -> dict:
    """Number digits and type from the names of the scanned PDFs that have no other label."""
    labels = {}
    for path in sorted(list(real.glob("qngai_*.pdf")) + list(real.glob("das_*.pdf"))):
        m = re.match(r"(?:qngai_(\d+)-?([A-Za-z]+)|das_([a-z]+)-(\d+))", path.name)
        if path.name in skip or not m or re.match(r"qngai_\d+-\d", path.name):
            continue
        digits, code = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        entry = {"number#": str(int(digits))}
        if code.upper() in TYPE_CODES:
            entry["doc_type"] = TYPE_CODES[code.upper()]
        labels[path.name] = entry
    return labels


def value(record: dict, field: str):
    if field == "signer.name":
        return record.get("signer", {}).get("name")
    if field == "number#":
        m = re.match(r"\d+", record.get("number") or "")
        return str(int(m.group())) if m else None
    return record.get(field)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("real", nargs="?", default=str(ROOT.parent / "shared" / "real"))
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--jobs", "-j", type=int, default=2, help="worker processes (OCR is slow)")
    args = parser.parse_args()
    real = Path(args.real)
    if not real.is_dir():
        sys.exit(f"{real} not found: the shared real documents are not available here")
    qngai = qngai_labels(real)
    groups = {"diep (md)": diep_labels(real), "qngai (pdf)": qngai, "qngai (png)": page_image_labels(real),
              "scans (names)": name_labels(real, set(qngai)), "vbpl (html)": vbpl_labels(real)}
    print(f"{'set':<14}{'field':<13}{'agree':>7}{'of':>5}   errors (unreadable files)")
    for group, labels in groups.items():
        hits, totals, errors, misses = defaultdict(int), defaultdict(int), 0, []
        records = process_many([str(real / name) for name in labels], jobs=args.jobs)
        for (name, fields), record in zip(labels.items(), records):
            record = record.to_dict()
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
            print(f"{group:<14}{field:<13}{hits[field] / totals[field]:>7.0%}{totals[field]:>5}   {errors}")
        if args.show_misses:
            for miss in misses:
                print("   miss:", *miss)


if __name__ == "__main__":
    main()
