"""congvan as a spaCy pipeline (issue 17).

    import pipeline
    nlp = pipeline.spacy_pipeline()      # needs spaCy: pip install 'congvan[spacy]'
    doc = nlp(text)
    doc._.record         # the same record as `congvan extract` gives for the text
    doc.ents             # its entities: ORG, PER, LOC, DATE, DOCREF
    doc.spans["fields"]  # its fields where they stand in the text: displacy.render(doc, style="span",
                         #   options={"spans_key": "fields"})

Tokens are syllables, numbers and single punctuation marks; whitespace runs are kept as tokens,
so every span's character offsets point into the text as given. The entities are the record's
own values: the rules decide them. bench/train_ner.py trains a NER on gold-matched spans and
bench/ner_eval.py puts it in place of each rule it could replace; it won nowhere (README, "spaCy"),
so extraction never loads spaCy or a model.
"""
from __future__ import annotations

import re
from pathlib import Path

TOKEN = re.compile(r"\w+|[^\w\s]|\s+")
LABELS = ("ORG", "PER", "LOC", "DATE", "DOCREF")


class SyllableTokenizer:
    """One space after a token is its trailing space; any other whitespace is a token of its own
    (as spaCy keeps it), so the Doc's text is the text given."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str):
        from spacy.tokens import Doc

        words: list[str] = []
        spaces: list[bool] = []
        for m in TOKEN.finditer(text):
            token = m.group()
            if token[0].isspace():
                if words and not spaces[-1] and not words[-1][0].isspace() and token[0] == " ":
                    spaces[-1] = True
                    token = token[1:]
                if not token:
                    continue
            words.append(token)
            spaces.append(False)
        return Doc(self.vocab, words=words, spaces=spaces)

    def to_disk(self, path, **kwargs):  # nothing to keep: the rule is the code
        Path(path).mkdir(parents=True, exist_ok=True)

    def from_disk(self, path, **kwargs):
        return self

    def to_bytes(self, **kwargs) -> bytes:
        return b""

    def from_bytes(self, data, **kwargs):
        return self


def _register() -> None:
    import spacy
    from spacy.language import Language
    from spacy.tokens import Doc

    if "congvan.syllables" not in spacy.registry.tokenizers.get_all():
        @spacy.registry.tokenizers("congvan.syllables")
        def create_tokenizer():
            return lambda nlp: SyllableTokenizer(nlp.vocab)

    if not Doc.has_extension("record"):
        Doc.set_extension("record", default=None)
    if "congvan_record" not in Language.factories:
        Language.factory("congvan_record")(lambda nlp, name: add_record)


def blank():
    """An empty Vietnamese pipeline with congvan's tokenizer."""
    import spacy

    _register()
    return spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": "congvan.syllables"}}})


def spacy_pipeline():
    """congvan's tokenizer and the `congvan_record` component."""
    nlp = blank()
    nlp.add_pipe("congvan_record")
    return nlp


def add_record(doc):
    """Extract the record of the doc's text; set doc._.record, doc.ents and doc.spans["fields"]."""
    from spacy.util import filter_spans

    from .extract import extract

    record = extract(source_of(doc.text))
    doc._.record = record.to_dict()
    fields, ents = [], []
    for name, start, end in field_places(record, doc.text):
        span = doc.char_span(start, end, label=name, alignment_mode="expand")
        if span is not None:
            fields.append(span)
    for label, start, end in entity_places(record, doc.text):
        span = doc.char_span(start, end, label=label, alignment_mode="contract")
        if span is not None and len(span):
            ents.append(span)
    doc.spans["fields"] = fields
    doc.ents = filter_spans(ents)
    return doc


def source_of(text: str):
    """The text as the reader of a .txt file gives it to extraction (legacy fonts converted, NFC,
    a portal's junk lines dropped)."""
    import unicodedata

    from .legacy import repair_legacy
    from .read.text import drop_junk, split_lines
    from .records import Line, SourceText

    text, legacy = repair_legacy(text.replace("\x00", ""))
    lines = [Line(unicodedata.normalize("NFC", raw)) for raw in split_lines(text)]
    return SourceText("", "txt", drop_junk(lines), notes=[f"converted from {legacy.upper()}"] if legacy else [])


def field_places(record, text: str):
    """(field, start, end) in `text` for every span the record keeps. Offsets are the record's
    own text's; where the rules re-cut the text (a flattened header) a value is looked up instead."""
    for name, places in record.spans.items():
        places = places if places and isinstance(places[0], list) else [places]
        for start, end in places:
            if record.text[start:end] == text[start:end]:
                yield name, start, end
            else:
                found = find(text, record.text[start:end])
                if found:
                    yield (name,) + found


def entity_places(record, text: str):
    """(label, start, end) of the record's entity values: bodies, the signer, the place, the date
    and the document numbers."""
    spans = dict(field_places_by_name(record, text))
    values = [("ORG", record.issuer, "issuer"), ("ORG", record.parent_body, "parent_body"),
              ("PER", record.signer.name, "signer.name"), ("LOC", record.place, "place"),
              ("DATE", None, "issued_on"), ("DOCREF", record.number, "number")]
    for label, value, name in values:
        for start, end in spans.get(name, []):
            found = find(text, value, start, end) if value else (start, end)
            if found:
                yield (label,) + found
    for value, (start, end) in zip(record.recipients, spans.get("recipients", [])):
        found = find(text, value, start, end)
        if found:
            yield ("ORG",) + found
    refs = spans.get("references", [])
    for k, ref in enumerate(record.references):
        start, end = refs[k] if k < len(refs) else (0, len(text))
        for label, value, a, b in (("DOCREF", ref.number, start, end), ("ORG", ref.issuer, start, end + 200)):
            found = find(text, value, a, b, loose=label == "DOCREF") if value else None
            if found:
                yield (label,) + found
    items = spans.get("directives", [])
    for k, item in enumerate(record.directives):
        start = items[k][0] if k < len(items) else 0
        end = items[k + 1][0] if k + 1 < len(items) else len(text)
        for unit in [item.lead] + list(item.support):
            found = find(text, unit, start, end) if unit else None
            if found:
                yield ("ORG",) + found


def field_places_by_name(record, text: str):
    places: dict[str, list] = {}
    for name, start, end in field_places(record, text):
        places.setdefault(name, []).append((start, end))
    return places.items()


def find(text: str, value: str, start: int = 0, end: int | None = None, loose: bool = False):
    """Where `value` stands in text[start:end], spaces and line breaks between its words free
    (`loose`: between any two characters, as in a number "1500/QĐ- TCHQ" the record reads whole)."""
    value = str(value or "")
    if loose:
        words = [r"\s*".join(re.escape(c) for c in value.replace(" ", ""))] if value.strip() else []
    else:
        words = [re.escape(w) for w in value.split()]
    if not words:
        return None
    m = re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)").search(text, start, len(text) if end is None else end)
    return (m.start(), m.end()) if m else None
