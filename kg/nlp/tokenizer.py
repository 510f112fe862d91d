"""Segment half-width punctuation as the segmenter learnt it: full-width.

pkuseg models (kg's, trained on People's Daily, and spaCy's) and the tagger and NER on top saw full-width
punctuation only; on web text a half-width comma is glued to the next word (``,迈克``) and even becomes an
entity. The whole pipeline therefore reads a copy with full-width punctuation. The replacement is one
character for one, so every offset into the Doc is an offset into the original text; only ``doc.text``
differs, in those punctuation marks (kg takes mention texts from the original by offset).
"""

from __future__ import annotations

from spacy.lang.zh import ChineseTokenizer
from spacy.language import Language
from spacy.tokens import Doc

# Not "." (decimal point) nor '"' (no way to tell an opening from a closing quote).
FULL_WIDTH = str.maketrans({",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"})


class FullWidthPunctuationTokenizer:
    def __init__(self, segmenter: ChineseTokenizer):
        self.segmenter = segmenter
        self.vocab = segmenter.vocab

    def __call__(self, text: str) -> Doc:
        return self.segmenter(text.translate(FULL_WIDTH))


def use_full_width_segmentation(nlp: Language) -> None:
    """Wrap a pkuseg tokenizer of ``nlp`` (kg's or a zh_core_web_* one); other tokenizers stay as they are."""
    tokenizer = nlp.tokenizer
    if isinstance(tokenizer, ChineseTokenizer) and tokenizer.segmenter == "pkuseg":
        nlp.tokenizer = FullWidthPunctuationTokenizer(tokenizer)
