"""Train the NER model that bench/ner_eval.py measures against the rules (issue 17).

    python bench/train_ner.py [--real ../shared/real] [--epochs 10] [--out /tmp/congvan-ner/model]

Training data is made from gold records, never copied: each document is read with congvan's
own readers, and the values its gold names (issuer and parent body, recipients, signer name,
place, the dates, the cited numbers and their issuers, the directives' lead and supporting
units) are found in the text by string matching; every occurrence becomes an entity span
(ORG, PER, LOC, DATE, DOCREF). Sources: the corpus (corpus/docs, gold beside each file) and
the real documents with hand-checked gold in ../shared/real/gold, except a fixed third of them
(by the SHA-256 of the file, see `held_apart`) kept apart for bench/ner_eval.py. Noise is
added by augmentation: lines flattened into one, OCR-like character slips, diacritics removed.

Everything is seeded: the same inputs give the same weights. Readings (OCR of scans is the slow
part) are cached in $CONGVAN_NER_CACHE (default /tmp/congvan-ner), outside the project.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import random
import re
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LABELS = ("ORG", "PER", "LOC", "DATE", "DOCREF")
SEED = 17
CACHE = Path(os.environ.get("CONGVAN_NER_CACHE", "/tmp/congvan-ner"))
REAL = ROOT.parent / "shared" / "real"


# ---- documents ------------------------------------------------------------------------------

def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def held_apart(path: Path) -> bool:
    """The fixed evaluation split of the real documents: a file whose SHA-256 starts with 0–4
    (about a third), whatever else changes in the gold folder."""
    return file_hash(path)[0] in "01234"


def read_cached(path: Path):
    """The SourceText of a file, read once (OCR included) and kept in CACHE."""
    from pipeline.read import read

    key = CACHE / f"{file_hash(path)}.pkl"
    if key.exists():
        try:
            return pickle.loads(key.read_bytes())
        except Exception:  # noqa: BLE001 - kept by an older congvan (a class moved): read again
            pass
    source = read(str(path))
    CACHE.mkdir(parents=True, exist_ok=True)
    key.write_bytes(pickle.dumps(source))
    return source


def corpus_documents() -> list[tuple[Path, dict]]:
    from pipeline.evaluate import load_gold

    return load_gold(str(ROOT / "corpus" / "docs"))


def real_documents(real: Path = REAL) -> list[tuple[Path, dict]]:
    pairs = []
    for gold_path in sorted((real / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text("utf-8"))
        document = real / gold["file"]
        if document.exists():
            pairs.append((document, gold))
    return pairs


if __name__ == "__main__" and sys.argv[1:2] == ["--warm"]:
    from pipeline.read.ocr import tesseract_problem  # noqa: F401
    for doc, _ in real_documents() + corpus_documents():
        t = time.time()
        try:
            read_cached(doc)
        except Exception as err:  # noqa: BLE001
            print("fail", doc.name, err)
        print(f"{time.time() - t:6.1f}s {doc.name}", flush=True)
    sys.exit(0)


# ---- entity spans from gold values --------------------------------------------------------------

DATE_RX = re.compile(r"\bngày\s+\d{1,2}\s*(?:tháng\s*\d{1,2}\s*năm\s*\d{4}|[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4})"
                     r"|\b\d{1,2}/\d{1,2}/\d{4}\b")
NUMBER_RX = re.compile(r"(?<![\w/])\d[\d.]*/(?:\d{4}/)?[A-ZĐ][\wĐđ&]*(?:-[A-ZĐ][\wĐđ&]*)*")
# values too generic to mark wherever they occur
GENERIC = {"như trên", "lưu", "chính phủ", "quốc hội"}


def gold_values(gold: dict) -> dict[str, set[str]]:
    """Label → the values the gold names (single-spaced)."""
    def one(value) -> str:
        return re.sub(r"\s+", " ", str(value or "")).strip(" ;,.:")

    values: dict[str, set[str]] = {label: set() for label in LABELS}
    for key in ("issuer", "parent_body"):
        values["ORG"].add(one(gold.get(key)))
    for entry in gold.get("recipients") or []:
        values["ORG"].add(one(entry))
    for item in gold.get("directives") or []:
        values["ORG"].add(one(item.get("lead")))
        values["ORG"].update(one(u) for u in item.get("support") or [])
    for ref in gold.get("references") or []:
        values["ORG"].add(one(ref.get("issuer")))
        values["DOCREF"].add(one(ref.get("number")))
    values["DOCREF"].add(one(gold.get("number")))
    values["PER"].add(one((gold.get("signer") or {}).get("name")))
    values["LOC"].add(one(gold.get("place")))
    return {label: {v for v in vs if len(v) >= 3 and v.casefold() not in GENERIC} for label, vs in values.items()}


def value_pattern(value: str) -> re.Pattern:
    words = [re.escape(w) for w in value.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


def find_spans(text: str, values: dict[str, set[str]]) -> list[tuple[int, int, str]]:
    """Every occurrence of a value, longest first, no overlaps; dates by their written forms."""
    found = [(m.start(), m.end(), "DATE") for m in DATE_RX.finditer(text)]
    for label, vs in values.items():
        for value in vs:
            found += [(m.start(), m.end(), label) for m in value_pattern(value).finditer(text)]
    kept: list[tuple[int, int, str]] = []
    for start, end, label in sorted(found, key=lambda s: (-(s[1] - s[0]), s[0])):
        if all(end <= a or start >= b for a, b, _ in kept):
            kept.append((start, end, label))
    return sorted(kept)


def document_text(path: Path) -> str:
    """The text extraction works on (segmented, flattened headers cut back into lines)."""
    from pipeline.segment import segment

    return segment(read_cached(path)).text


# ---- chunks and noise ---------------------------------------------------------------------------

def chunks(text: str, spans, max_chars: int = 500):
    """Runs of whole lines up to max_chars, with the spans inside them (offsets made local)."""
    lines = [m for m in re.finditer(r"[^\n]*\n?", text) if m.group()]
    start = 0
    while start < len(lines):
        end = start
        while end + 1 < len(lines) and lines[end + 1].end() - lines[start].start() <= max_chars:
            end += 1
        a, b = lines[start].start(), lines[end].end()
        inside = [(s - a, e - a, label) for s, e, label in spans if a <= s and e <= b]
        cut = any(s < b < e or s < a < e for s, e, _ in spans)
        if not cut:
            yield text[a:b], inside
        start = end + 1


SLIPS = dict(zip("ếềểễệốồổỗộứừửữựấầẩẫậíìỉĩịlI0Oáàảãạ", "éèẻẽẹóòỏõọúùủũụáàảãạiiilI1l0oaaaaa"))


def plain(c: str) -> str:
    if c in "đĐ":
        return "d" if c == "đ" else "D"
    return unicodedata.normalize("NFD", c)[0]


def noisy(text: str, rng: random.Random) -> str:
    """The same text as a portal, a bad OCR or a keyboard without diacritics gives it; lengths are
    kept character for character, so the spans still hold."""
    kind = rng.choice(("flat", "slips", "plain", "flat+slips"))
    if "flat" in kind:
        text = text.replace("\n", " ")
    if "slips" in kind:
        text = "".join(SLIPS[c] if c in SLIPS and rng.random() < 0.08 else c for c in text)
    if kind == "plain":
        text = "".join(plain(c) for c in text)
    return text


def examples_of(pairs, gazetteer, rng, nlp, augment: bool = True, empty_share: float = 0.2):
    from spacy.training import Example

    out = []
    for path, gold in pairs:
        if gold.get("kind") != "dispatch":
            continue
        try:
            text = document_text(path)
        except Exception as err:  # noqa: BLE001 - an unreadable file is left out, said
            print(f"  skipped {path.name}: {err}", file=sys.stderr)
            continue
        values = gold_values(gold)
        for label, vs in gazetteer.items():
            values[label] = values[label] | vs
        for chunk, spans in chunks(text, find_spans(text, values)):
            if not chunk.strip() or (not spans and rng.random() > empty_share):
                continue
            variants = [chunk] + ([noisy(chunk, rng)] if augment else [])
            for variant in variants:
                doc = nlp.make_doc(variant)
                ents = [doc.char_span(s, e, label=label, alignment_mode="contract") for s, e, label in spans]
                ents = [span for span in ents if span is not None and len(span)]
                out.append(Example.from_dict(doc, {"entities": [(s.start_char, s.end_char, s.label_) for s in ents]}))
    return out


def gazetteer_of(pairs) -> dict[str, set[str]]:
    """Names worth marking in every training document: signers, places and bodies other gold names."""
    found: dict[str, set[str]] = {label: set() for label in LABELS}
    for _, gold in pairs:
        if gold.get("kind") != "dispatch":
            continue
        values = gold_values(gold)
        for label in ("ORG", "PER", "LOC"):
            found[label] |= {v for v in values[label] if len(v.split()) >= 2}
    return found


def split_sets(real: Path = REAL):
    corpus = [(p, g) for p, g in corpus_documents() if "__scan" not in p.name]
    reals = real_documents(real)
    train_real = [(p, g) for p, g in reals if not held_apart(p)]
    test_real = [(p, g) for p, g in reals if held_apart(p)]
    return corpus, train_real, test_real


# ---- training -----------------------------------------------------------------------------------

MODEL_CONFIG = {
    "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner", "extra_state_tokens": False,
    "hidden_width": 64, "maxout_pieces": 2, "use_upper": True, "nO": None,
    "tok2vec": {"@architectures": "spacy.HashEmbedCNN.v2", "pretrained_vectors": None, "width": 64,
                "depth": 4, "embed_size": 2000, "window_size": 1, "maxout_pieces": 3, "subword_features": True},
}


def train(epochs: int, out: Path, real: Path = REAL) -> None:
    import spacy
    from spacy.util import compounding, fix_random_seed, minibatch

    from pipeline.ner import blank

    fix_random_seed(SEED)
    rng = random.Random(SEED)
    corpus, train_real, test_real = split_sets(real)
    gazetteer = gazetteer_of(corpus + train_real)  # never the held-apart documents' names
    nlp = blank()
    t = time.time()
    train_set = examples_of(corpus + train_real, gazetteer, rng, nlp)
    test_set = examples_of(test_real, {label: set() for label in LABELS}, rng, nlp, augment=False, empty_share=1.0)
    print(f"{len(train_set)} training chunks from {len(corpus)} corpus + {len(train_real)} real documents, "
          f"{len(test_set)} held-apart chunks from {len(test_real)} real documents ({time.time() - t:.0f} s)")
    ner = nlp.add_pipe("ner", config={"model": MODEL_CONFIG})
    for label in LABELS:
        ner.add_label(label)
    optimizer = nlp.initialize(lambda: train_set)
    for epoch in range(epochs):
        t = time.time()
        rng.shuffle(train_set)
        losses: dict = {}
        for batch in minibatch(train_set, size=compounding(4.0, 32.0, 1.001)):
            nlp.update(batch, drop=0.2, sgd=optimizer, losses=losses)
        scores = nlp.evaluate(test_set)
        print(f"epoch {epoch + 1:2d}  loss {losses['ner']:8.1f}  held-apart P {scores['ents_p']:.3f} "
              f"R {scores['ents_r']:.3f} F {scores['ents_f']:.3f}  ({time.time() - t:.0f} s)", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    nlp.meta.update({"name": "congvan_ner", "version": "1.0.0", "description":
                     "congvan NER for Vietnamese administrative text (bench/train_ner.py)"})
    nlp.to_disk(out)
    # The string store would list every token of the training text (real documents included):
    # the hashed features need none of it, the labels are all it keeps.
    (out / "vocab" / "strings.json").write_text(json.dumps(sorted(LABELS)), "utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", default=str(REAL))
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--out", default=str(CACHE / "model"))
    args = parser.parse_args(argv)
    train(args.epochs, Path(args.out), Path(args.real))
    return 0


if __name__ == "__main__":
    sys.exit(main())
