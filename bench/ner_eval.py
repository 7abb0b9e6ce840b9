"""Measure the NER model bench/train_ner.py trains against the rules it could replace (issue 17).

    python bench/train_ner.py && python bench/ner_eval.py [--model DIR] [--real ../shared/real] [--skip-scans]

Prints:
1. entity precision / recall / F1 per label on the held-apart real documents (the fixed split of
   bench/train_ner.py; reference spans string-matched from their gold, so a right entity the gold
   does not name counts against precision);
2. per field, accuracy and "wrong and not flagged" with the rules alone and with each use of the
   model (signer-name fallback, directive lead/support, reference issuers, run-on recipients),
   each either alone or only where its rule finds nothing, and how many records it changed,
   on the real gold (all of it, and the held-apart third alone: the rest was trained on) and on
   the corpus (text formats and scans, all trained on), scored as bench/real_gold.py and
   pipeline/evaluate.py score them;
3. the cost: model load, and extraction docs/s with and without it.

Each file is read once (cached as bench/train_ner.py caches it); only extraction is repeated.
"""
from __future__ import annotations

import argparse
import importlib.util
import random
import re
import subprocess
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import train_ner  # noqa: E402
from pipeline import directives as directives_mod  # noqa: E402
from pipeline import extract as extract_mod  # noqa: E402
from pipeline import ner  # noqa: E402
from pipeline import references as references_mod  # noqa: E402
from pipeline.evaluate import Report, add_document, format_family  # noqa: E402
from pipeline.records import Note  # noqa: E402

REAL_FIELDS = ("signer.name", "recipients", "directives", "references", "issuer")
CORPUS_FIELDS = ("signer", "recipients", "directives", "references")


# ---- the trained model (bench/train_ner.py) ----------------------------------------------------

MODEL = Path("/tmp/congvan-ner/model")


@lru_cache(maxsize=1)
def load_model():
    import spacy

    ner._register()
    return spacy.load(MODEL)


def entities(text: str) -> list[tuple[str, int, int]]:
    """(label, start, end) of every entity the model finds in `text`."""
    return [(e.label_, e.start_char, e.end_char) for e in load_model()(text).ents]


# ---- what the model reads: the fields it may decide ---------------------------------------------

def signer_name_in(lines) -> tuple[str, int, int] | None:
    """The signer's name among the lines under the title (pieces with .text and .start): the last
    PER the model finds there, with its span in the document."""
    text = "\n".join(p.text for p in lines)
    found = [(s, e) for label, s, e in entities(text) if label == "PER"]
    if not found:
        return None
    s, e = found[-1]
    offset = 0
    for piece in lines:  # back to document offsets: the piece the name stands in
        if offset <= s < offset + len(piece.text) + 1:
            return text[s:e], piece.start + s - offset, piece.start + e - offset
        offset += len(piece.text) + 1
    return None


LEAD = re.compile(r"\b(?:chủ\s+trì|làm\s+đầu\s+mối)\b", re.I)
SUPPORT = re.compile(r"\bphối\s+hợp(?:\s+chặt\s+chẽ)?(?:\s+với)?\s+", re.I)
BETWEEN_UNITS = re.compile(r"^\s*(?:,|;|và|,\s*và|cùng)?\s*$")


def lead_and_support(text: str) -> tuple[str, list[str]]:
    """The unit that "chủ trì" (the ORG right before it) and those it "phối hợp với" (the ORGs
    right after, one after another), as the model reads the directive."""
    orgs = [(s, e) for label, s, e in entities(text) if label == "ORG"]
    lead, search_from = "", 0
    m = LEAD.search(text)
    if m:
        before = [(s, e) for s, e in orgs if e <= m.start() and re.fullmatch(r"[\s,]*(?:là\s+cơ\s+quan|làm|là)?\s*",
                                                                                  text[e:m.start()])]
        if before:
            lead = text[before[-1][0]:before[-1][1]]
        search_from = m.end()
    support: list[str] = []
    for s in SUPPORT.finditer(text, search_from):
        at = s.end()
        for a, b in orgs:
            if a < at:
                continue
            if not BETWEEN_UNITS.match(text[at:a]) and not (at == s.end() and not text[at:a].strip()):
                break
            support.append(text[a:b])
            at = b
        if support:
            break
    return lead, support


def issuer_at(text: str, start: int) -> str:
    """The body a citation names right after "của" (at `start`): an ORG the model finds there."""
    for label, s, e in entities(text):
        if label == "ORG" and s >= start and not text[start:s].strip():
            return text[s:e]
    return ""


# ---- the model's uses, switched on one at a time ------------------------------------------------

def model_signer_name(alone: bool):
    """The name among the lines under the title when the layout has no name line: the model's last
    PER there, alone or only where the surname rule (NAME_RUN) finds none."""
    rule = extract_mod.name_from_noisy_line
    not_found = "không tìm thấy họ tên người ký"

    def fallback(signer, lines, record):
        if not alone:
            rule(signer, lines, record)
            if signer.name:
                return
            record.warnings.remove(Note("signer-name-missing", "signer.name"))
            record.review = [r for r in record.review if r.get("reason") != not_found]
        found = signer_name_in(lines)
        if found:
            signer.name = found[0]
            record.flag("signer.name", "họ tên người ký tách từ một dòng lẫn ký tự khác: kiểm tra lại")
            record.spans["signer.name"] = [found[1], found[2]]
        else:
            record.warnings.append(Note("signer-name-missing", "signer.name"))
            record.flag("signer.name", not_found)
    return {(extract_mod, "name_from_noisy_line"): fallback}


def model_lead_support(alone: bool):
    rule = directives_mod.find_lead_and_support

    def find(text):
        if alone:
            return lead_and_support(text)
        lead, support = rule(text)
        if lead and support or not LEAD.search(text) and not SUPPORT.search(text):
            return lead, support
        m_lead, m_support = lead_and_support(text)
        return lead or m_lead, support or m_support
    return {(directives_mod, "find_lead_and_support"): find}


def model_issuer(alone: bool):
    rule = references_mod.issuer_after

    def issuer(text, start):
        found = "" if alone else rule(text, start)
        return found or issuer_at(text, start)
    return {(references_mod, "issuer_after"): issuer}


def model_recipients(alone: bool):
    """A single Kính gửi entry (run-on text) holding several ORGs is split into them: any single
    entry (alone), or only one with a comma or semicolon in it."""
    rule = extract_mod.fill_recipients

    def fill(record, layout):
        rule(record, layout)
        if len(record.recipients) != 1 or (not alone and ";" not in record.recipients[0]
                                           and "," not in record.recipients[0]):
            return
        entry = record.recipients[0]
        orgs = [entry[s:e] for label, s, e in entities(entry) if label == "ORG"]
        if len(orgs) > 1:
            record.recipients = orgs
    return {(extract_mod, "fill_recipients"): fill}


USES = {
    "signer name": model_signer_name,
    "lead/support": model_lead_support,
    "reference issuers": model_issuer,
    "run-on recipients": model_recipients,
}


@contextmanager
def patched(replacements: dict):
    old = {key: getattr(*key) for key in replacements}
    for (module, name), value in replacements.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for (module, name), value in old.items():
            setattr(module, name, value)


# ---- extraction from cached readings ------------------------------------------------------------

def extract_cached(path: Path) -> dict:
    """What pipeline.process gives for the file, without verifying its signatures (not scored)."""
    from pipeline.process import flag_low_confidence

    source = train_ner.read_cached(path)
    record = extract_mod.extract(source)
    flag_low_confidence(record, source)
    if getattr(source, "edxml", None) is not None:
        from pipeline.edxml import apply_package

        apply_package(record, source)
    if getattr(source, "signatures", None):
        from pipeline.read.pdf import date_from_signature

        date_from_signature(record, source)
    data = record.to_dict()
    data["source"] = path.name
    return data


def load_scorer(real: Path):
    spec = importlib.util.spec_from_file_location("gold_score", real.parent / "tools" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def real_table(pairs, outputs, scorer) -> dict:
    """field → [right, wrong and not flagged, n] over the real gold."""
    table = defaultdict(lambda: [0.0, 0.0, 0])
    for path, gold in pairs:
        out = outputs[path.name]
        flagged = {str(r.get("field", "")) for r in out.get("review") or []}
        for field, value in scorer.score_doc(gold, out).items():
            unflagged = value < 1 and field not in flagged and field.split(".")[0] not in flagged
            for key in (field, "overall"):
                table[key][0] += value
                table[key][1] += (1 - value) if unflagged else 0
                table[key][2] += 1
    return table


def corpus_table(pairs, outputs) -> dict:
    report = Report()
    for path, gold in pairs:
        add_document(report, path, gold, outputs[path.name])
    table = {}
    for name, strict, _, n in report.rows():
        table[name] = [strict * n, 0.0, n]
    flagged_wrong = defaultdict(float)
    for path, gold in pairs:  # wrong and not flagged, as on the real gold
        out = outputs[path.name]
        flagged = {str(r.get("field", "")).split(".")[0] for r in out.get("review") or []}
        single = Report()
        add_document(single, path, gold, out)
        for name, strict, _, n in single.rows():
            if n and strict < 1 and name not in flagged:
                flagged_wrong[name] += 1 - strict
    for name in table:
        table[name][1] = flagged_wrong[name]
    table["overall"] = [sum(c[0] for c in table.values()), sum(c[1] for c in table.values()),
                        sum(c[2] for c in table.values())]
    return table


def cell(table, field) -> str:
    right, bad, n = table.get(field, (0, 0, 0))
    return f"{right / n * 100:6.1f}%/{bad / n * 100:4.1f}%" if n else f"{'-':>12s}"


# ---- the three measurements ---------------------------------------------------------------------

def entity_scores(test_real) -> None:
    nlp = load_model()
    rng = random.Random(train_ner.SEED)
    empty = {label: set() for label in train_ner.LABELS}
    clean = train_ner.examples_of(test_real, empty, rng, nlp, augment=False, empty_share=1.0)
    noisy = [e for e in train_ner.examples_of(test_real, empty, rng, nlp, augment=True, empty_share=1.0)
             if e.reference.text not in {c.reference.text for c in clean}]
    print(f"1. entities on the held-apart real documents ({len(test_real)} documents, "
          f"{len(clean)} chunks; noisy = the same chunks flattened / OCR slips / no diacritics)")
    print(f"{'label':8s}{'P':>7s}{'R':>7s}{'F1':>7s}{'n':>6s}   noisy: {'P':>6s}{'R':>7s}{'F1':>7s}")
    s_clean, s_noisy = nlp.evaluate(clean), nlp.evaluate(noisy)
    counts = defaultdict(int)
    for example in clean:
        for ent in example.reference.ents:
            counts[ent.label_] += 1
    for label in train_ner.LABELS + ("ALL",):
        a = s_clean["ents_per_type"].get(label, {}) if label != "ALL" else \
            {"p": s_clean["ents_p"], "r": s_clean["ents_r"], "f": s_clean["ents_f"]}
        b = s_noisy["ents_per_type"].get(label, {}) if label != "ALL" else \
            {"p": s_noisy["ents_p"], "r": s_noisy["ents_r"], "f": s_noisy["ents_f"]}
        n = sum(counts.values()) if label == "ALL" else counts[label]
        print(f"{label:8s}{a.get('p', 0):7.3f}{a.get('r', 0):7.3f}{a.get('f', 0):7.3f}{n:6d}   "
              f"{b.get('p', 0):13.3f}{b.get('r', 0):7.3f}{b.get('f', 0):7.3f}")


def field_scores(sets: dict, scorer) -> None:
    configs = [("rules", {})]
    for use, make in USES.items():
        configs.append((f"{use}: model where rule finds none", make(False)))
        configs.append((f"{use}: model alone", make(True)))
    outputs = {}
    for name, replacements in configs:
        with patched(replacements):
            outputs[name] = {p.name: extract_cached(p) for pairs in sets.values() for p, _ in pairs}
    print("\n2. fields: accuracy / wrong and not flagged (real: judges' scorer; corpus: strict, as tests/test_corpus.py)")
    for set_name, pairs in sets.items():
        real = not set_name.startswith("corpus")
        fields = REAL_FIELDS if real else CORPUS_FIELDS
        print(f"\n{set_name} ({len(pairs)} documents)")
        print(f"{'':46s}" + "".join(f"{f:>14s}" for f in fields + ("overall",)) + "  changed")
        for name, _ in configs:
            table = real_table(pairs, outputs[name], scorer) if real else corpus_table(pairs, outputs[name])
            changed = sum(outputs[name][p.name] != outputs["rules"][p.name] for p, _ in pairs)
            print(f"{name:46s}" + "".join(f"{cell(table, f):>14s}" for f in fields + ("overall",))
                  + f"  {changed:>7d}")
    print("changed: documents whose record differs from the rules' record")


def speed(pairs) -> None:
    print("\n3. cost")
    probe = ("import sys, time; t = time.perf_counter(); sys.path.insert(0, %r); import spacy; "
             "from pipeline import ner; ner._register(); spacy.load(%r); print(time.perf_counter() - t)")
    done = subprocess.run([sys.executable, "-c", probe % (str(ROOT), str(MODEL))], capture_output=True, text=True)
    size = sum(f.stat().st_size for f in MODEL.rglob("*") if f.is_file()) / 1e6
    print(f"model: {size:.1f} MB; import spacy + load in a fresh process: {float(done.stdout or 'nan'):.2f} s")
    for name, replacements in [("rules", {})] + [(f"{u}: model alone", make(True)) for u, make in USES.items()]:
        with patched(replacements):
            t = time.perf_counter()
            for path, _ in pairs:
                extract_cached(path)
            elapsed = time.perf_counter() - t
        print(f"{name:40s} {len(pairs) / elapsed:6.1f} docs/s ({len(pairs)} documents, reading excluded)")
    t = time.perf_counter()
    n = 0
    for path, _ in pairs:
        text = train_ner.document_text(path)
        entities(text)
        n += len(text)
    print(f"the model over whole documents: {n / (time.perf_counter() - t) / 1000:.0f} k characters/s")


def main(argv=None) -> int:
    global MODEL
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", default=str(train_ner.REAL))
    parser.add_argument("--model", default=str(MODEL), help="the folder bench/train_ner.py wrote (--out)")
    parser.add_argument("--skip-scans", action="store_true", help="leave the corpus scans out (OCR on a cold cache)")
    args = parser.parse_args(argv)
    real = Path(args.real)
    MODEL = Path(args.model)
    scorer = load_scorer(real)
    reals = train_ner.real_documents(real)
    test_real = [(p, g) for p, g in reals if train_ner.held_apart(p)]
    corpus = train_ner.corpus_documents()
    t = time.perf_counter()
    sets = {
        "real gold, all": reals,
        "real gold, held apart": test_real,
        "corpus, text formats": [(p, g) for p, g in corpus if format_family(p) != "scan"],
    }
    if not args.skip_scans:
        sets["corpus, scans"] = [(p, g) for p, g in corpus if format_family(p) == "scan"]
    for pairs in sets.values():
        for path, _ in pairs:
            train_ner.read_cached(path)
    print(f"(readings ready in {time.perf_counter() - t:.0f} s)")
    entity_scores(test_real)
    field_scores(sets, scorer)
    speed([(p, g) for p, g in reals if format_family(p) != "pdf"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
