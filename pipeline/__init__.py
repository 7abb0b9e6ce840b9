"""congvan: Vietnamese official dispatches → structured records → registers and replies."""
__version__ = "0.1.0"


def spacy_pipeline():
    """congvan as a spaCy pipeline: ``doc = nlp(text)``, ``doc._.record``, ``doc.ents`` (needs spaCy)."""
    from .ner import spacy_pipeline as make

    return make()
