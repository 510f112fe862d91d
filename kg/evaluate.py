"""Score predicted entities and relations against gold annotations in the format of ``SCHEMA.md``.

A pure scorer with no NLP dependency: it reads and writes the gold JSON Lines format (``load_gold``,
``dump_gold``) and compares predictions, written in the same format, to gold documents matched by ``doc`` id.

Rules fixed by SCHEMA:

* Entities: strict = same (start, end, label); lenient = overlapping spans with the same label.
* Relations: strict = same predicate and both ends equal; lenient = same predicate and each end equal to,
  containing, or contained in the other side's end.
* Strings compare after Unicode NFKC and removal of all whitespace (``王 静`` = ``王静``, ``，`` = ``,``).
* Attributes are not scored; the report counts, for strictly matched relations, how many gold attributes the
  prediction repeats (as information only).
* Micro P/R/F1 per entity label, per predicate and overall.

Choices where SCHEMA is silent:

* Only the entity labels PERSON, ORG, GPE, LOC and the predicates 任职 捐赠 隶属 位于 带领 报道 摄影 are
  scored. Other labels (e.g. MATERIAL) and predicates, on either side, are left out and counted as "unscored".
* ``"DOCUMENT"`` ends match only ``"DOCUMENT"``, never by containment.
* Lenient matching is one-to-one and greedy: exact pairs first, then entities by largest overlap and relations
  by smallest length difference of the ends, ties broken by sorted position. Hence lenient tp >= strict tp,
  and the result does not depend on the order of the input.
* Duplicates (same span and label; same normalised subject, predicate and object) count once, on both sides.
* Partial documents (gold ``spans``): an entity is scored only if it lies wholly inside one span, in gold and
  in predictions alike. All gold relations of the document are scored, since annotators write them only for
  the spans. A predicted relation is scored if its ``evidence`` range (``{"start": s, "end": e}``, the
  sentence's offsets) lies wholly inside one span; without evidence, if either end (other than DOCUMENT)
  occurs, normalised, in the normalised text of some span. ``spans`` on a predicted document are ignored.
* P = tp / predicted and R = tp / gold, each 0.0 when its denominator is 0; F1 is 0.0 when P + R = 0.
  So nothing predicted gives P = R = F1 = 0.0, and a label absent from both sides shows zeros too.
* A gold document without a prediction counts as predicted empty. Predicted documents absent from gold are not
  scored and are listed in the report, as are documents whose predicted text differs from the gold text (their
  entity offsets may not line up).
* ``load_gold`` skips blank lines, rejects duplicate ``doc`` ids, and reports all problems of a file at once.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from kg.atomic import atomic_write_text

ENTITY_LABELS: tuple[str, ...] = ("PERSON", "ORG", "GPE", "LOC")
SCORED_PREDICATES: tuple[str, ...] = ("任职", "捐赠", "隶属", "位于", "带领", "报道", "摄影")
DOCUMENT = "DOCUMENT"

_RELATION_KEYS = ("subject", "predicate", "object", "evidence")
_SENTENCE_END = re.compile(r"[。！？；!?;]+[”’\"」』）)]*|\n+")
_WHITESPACE = re.compile(r"\s+")


# --- data -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldEntity:
    start: int
    end: int
    label: str
    text: str


@dataclass(frozen=True)
class GoldRelation:
    subject: str
    predicate: str
    object: str
    attrs: dict[str, Any] = field(default_factory=dict, hash=False)
    evidence: tuple[int, int] | None = None  # sentence offsets; predictions carry them, gold usually not

    def __post_init__(self) -> None:
        clash = set(self.attrs) & set(_RELATION_KEYS)
        if clash:
            raise ValueError(f"relation attributes may not be named {sorted(clash)}")


@dataclass
class GoldDoc:
    doc: str
    text: str
    entities: list[GoldEntity] = field(default_factory=list)
    relations: list[GoldRelation] = field(default_factory=list)
    spans: list[tuple[int, int]] | None = None  # None: the whole text is annotated

    def to_record(self) -> dict[str, Any]:
        """The JSON object of one line of a gold file."""
        record: dict[str, Any] = {"doc": self.doc, "text": self.text}
        if self.spans is not None:
            record["spans"] = [[s, e] for s, e in self.spans]
        record["entities"] = [asdict(e) for e in self.entities]
        record["relations"] = [_relation_record(r) for r in self.relations]
        return record


def _relation_record(rel: GoldRelation) -> dict[str, Any]:
    record: dict[str, Any] = {"subject": rel.subject, "predicate": rel.predicate, "object": rel.object}
    record.update(rel.attrs)
    if rel.evidence is not None:
        record["evidence"] = {"start": rel.evidence[0], "end": rel.evidence[1]}
    return record


# --- reading and writing ----------------------------------------------------------------------------------


class GoldFormatError(ValueError):
    """A gold file breaks the format; the message lists every problem as ``file:line: problem``."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_name(value: Any) -> bool:
    return isinstance(value, str) and norm(value) != ""


def _check_range(what: str, start: Any, end: Any, length: int) -> str | None:
    if not (_is_int(start) and _is_int(end)):
        return f"{what}: start and end must be integers, got {start!r}, {end!r}"
    if not 0 <= start < end <= length:
        return f"{what}: range [{start}, {end}) is not within the text (length {length}) or is empty"
    return None


def _parse_doc(obj: Any) -> tuple[GoldDoc | None, list[str]]:
    """Validate one record; return the document, or None and the problems found."""
    if not isinstance(obj, dict):
        return None, [f"expected a JSON object, got {type(obj).__name__}"]
    problems = [f"missing key {k!r}" for k in ("doc", "text", "entities", "relations") if k not in obj]
    if problems:
        return None, problems
    doc_id, text = obj["doc"], obj["text"]
    if not _is_name(doc_id):
        problems.append(f"'doc' must be a non-empty string, got {doc_id!r}")
    if not isinstance(text, str):
        return None, [*problems, f"'text' must be a string, got {type(text).__name__}"]

    spans: list[tuple[int, int]] | None = None
    if "spans" in obj:
        if not isinstance(obj["spans"], list):
            problems.append("'spans' must be a list of [start, end] pairs")
        else:
            spans = []
            for i, span in enumerate(obj["spans"]):
                if not (isinstance(span, list) and len(span) == 2):
                    problems.append(f"spans[{i}]: expected [start, end], got {span!r}")
                elif problem := _check_range(f"spans[{i}]", span[0], span[1], len(text)):
                    problems.append(problem)
                else:
                    spans.append((span[0], span[1]))

    entities: list[GoldEntity] = []
    if not isinstance(obj["entities"], list):
        problems.append("'entities' must be a list")
    else:
        for i, ent in enumerate(obj["entities"]):
            where = f"entities[{i}]"
            if not isinstance(ent, dict):
                problems.append(f"{where}: expected an object, got {ent!r}")
                continue
            missing = [k for k in ("start", "end", "label", "text") if k not in ent]
            if missing:
                problems.append(f"{where}: missing key(s) {', '.join(map(repr, missing))}")
                continue
            start, end, label, surface = ent["start"], ent["end"], ent["label"], ent["text"]
            if not _is_name(label):
                problems.append(f"{where}: 'label' must be a non-empty string, got {label!r}")
            elif not isinstance(surface, str):
                problems.append(f"{where}: 'text' must be a string, got {surface!r}")
            elif problem := _check_range(where, start, end, len(text)):
                problems.append(problem)
            elif text[start:end] != surface:
                problems.append(f"{where}: text[{start}:{end}] is {text[start:end]!r}, not {surface!r}")
            else:
                entities.append(GoldEntity(start, end, label, surface))

    relations: list[GoldRelation] = []
    if not isinstance(obj["relations"], list):
        problems.append("'relations' must be a list")
    else:
        for i, rel in enumerate(obj["relations"]):
            where = f"relations[{i}]"
            if not isinstance(rel, dict):
                problems.append(f"{where}: expected an object, got {rel!r}")
                continue
            bad = [k for k in ("subject", "predicate", "object") if not _is_name(rel.get(k))]
            if bad:
                problems.append(f"{where}: {', '.join(map(repr, bad))} must be non-empty string(s)")
                continue
            evidence: tuple[int, int] | None = None
            if "evidence" in rel:
                ev = rel["evidence"]
                if not (isinstance(ev, dict) and "start" in ev and "end" in ev):
                    problems.append(f'{where}: \'evidence\' must be {{"start": s, "end": e}}, got {ev!r}')
                    continue
                if problem := _check_range(f"{where}.evidence", ev["start"], ev["end"], len(text)):
                    problems.append(problem)
                    continue
                evidence = (ev["start"], ev["end"])
            attrs = {k: v for k, v in rel.items() if k not in _RELATION_KEYS}
            relations.append(GoldRelation(rel["subject"], rel["predicate"], rel["object"], attrs, evidence))

    if problems:
        return None, problems
    return GoldDoc(doc_id, text, entities, relations, spans), []


def load_gold(path: str | os.PathLike[str]) -> list[GoldDoc]:
    """Read a gold (or prediction) JSON Lines file; GoldFormatError names file and line of each problem."""
    docs: list[GoldDoc] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    # Lines split by hand (JSON Lines ends lines at \n only) so that a decoding problem names its line too.
    for lineno, raw in enumerate(Path(path).read_bytes().split(b"\n"), start=1):
        try:
            line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            problems.append(f"{path}:{lineno}: not UTF-8 (invalid byte at column {exc.start + 1})")
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{lineno}: invalid JSON: {exc}")
            continue
        except RecursionError:
            problems.append(f"{path}:{lineno}: invalid JSON: nested too deeply")
            continue
        doc, found = _parse_doc(obj)
        problems.extend(f"{path}:{lineno}: {p}" for p in found)
        if doc is None:
            continue
        if doc.doc in first_line:
            problems.append(f"{path}:{lineno}: doc {doc.doc!r} already on line {first_line[doc.doc]}")
            continue
        first_line[doc.doc] = lineno
        docs.append(doc)
    if problems:
        raise GoldFormatError("\n".join(problems))
    return docs


def dump_gold(docs: Iterable[GoldDoc], path: str | os.PathLike[str]) -> None:
    """Write documents as JSON Lines, atomically (``kg.atomic``).

    Each record is validated first, so whatever is written loads back with ``load_gold``.
    """
    lines: list[str] = []
    problems: list[str] = []
    for i, doc in enumerate(docs):
        record = doc.to_record()
        _, found = _parse_doc(record)
        problems.extend(f"document {i} ({doc.doc!r}): {p}" for p in found)
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    if problems:
        raise ValueError("not written, invalid documents:\n" + "\n".join(problems))

    atomic_write_text(path, "".join(lines))


# --- normalisation and matching ---------------------------------------------------------------------------


def norm(s: str) -> str:
    """NFKC, then drop all whitespace: the form in which SCHEMA compares strings."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", s))


def _ends_match(gold: str, pred: str) -> bool:
    if gold == pred:
        return True
    if DOCUMENT in (gold, pred):
        return False
    return gold in pred or pred in gold


@dataclass(frozen=True)
class _Rel:
    """A relation with normalised ends; ``source`` is the relation as written."""

    predicate: str
    subject: str
    object: str
    source: GoldRelation = field(compare=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.predicate, self.subject, self.object)


def _to_rel(rel: GoldRelation) -> _Rel:
    return _Rel(norm(rel.predicate), norm(rel.subject), norm(rel.object), rel)


T = TypeVar("T")


def _greedy(
    gold: Sequence[T], pred: Sequence[T], rank: Callable[[T, T], tuple[int, ...] | None]
) -> list[tuple[int, int]]:
    """One-to-one greedy matching: compatible pairs taken in order of (rank, gold index, pred index)."""
    candidates = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            r = rank(g, p)
            if r is not None:
                candidates.append((r, i, j))
    candidates.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, i, j in candidates:
        if i not in used_gold and j not in used_pred:
            used_gold.add(i)
            used_pred.add(j)
            pairs.append((i, j))
    return pairs


def _entity_rank(g: GoldEntity, p: GoldEntity) -> tuple[int, ...] | None:
    overlap = min(g.end, p.end) - max(g.start, p.start)
    if g.label != p.label or overlap <= 0:
        return None
    exact = (g.start, g.end) == (p.start, p.end)
    return (0 if exact else 1, -overlap, abs((g.end - g.start) - (p.end - p.start)))


def _relation_rank(g: _Rel, p: _Rel) -> tuple[int, ...] | None:
    if g.predicate != p.predicate:
        return None
    if not (_ends_match(g.subject, p.subject) and _ends_match(g.object, p.object)):
        return None
    diff = abs(len(g.subject) - len(p.subject)) + abs(len(g.object) - len(p.object))
    return (0 if g.key == p.key else 1, diff)


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _relation_in_spans(rel: GoldRelation, text: str, spans: list[tuple[int, int]]) -> bool:
    if rel.evidence is not None:
        return _inside(*rel.evidence, spans)
    ends = [norm(x) for x in (rel.subject, rel.object) if norm(x) != DOCUMENT]
    return any(end in norm(text[s:e]) for s, e in spans for end in ends)


@dataclass
class _Matched:
    """One document's scored items of one kind (deduplicated, sorted) and the index pairs that match."""

    gold: list[Any]
    pred: list[Any]
    strict: list[tuple[int, int]]
    lenient: list[tuple[int, int]]


@dataclass
class _DocComparison:
    gold: GoldDoc
    pred: GoldDoc
    entities: _Matched
    relations: _Matched


@dataclass
class _Comparison:
    docs: list[_DocComparison]
    dropped: Counter[tuple[str, str, str]]  # (kind, reason, side) -> items left out of scoring
    missing_predictions: list[str]
    extra_predictions: list[str]
    text_mismatch: list[str]


def _keep(
    items: Iterable[T],
    key: Callable[[T], Any],
    scored: Callable[[T], bool],
    in_scope: Callable[[T], bool],
    dropped: Counter[tuple[str, str, str]],
    where: tuple[str, str],
) -> list[T]:
    """Scored, in-scope items, first of each key, sorted by key; counts the rest by reason under ``where``."""
    kind, side = where
    unique: dict[Any, T] = {}
    for item in items:
        if not scored(item):
            dropped[kind, "unscored", side] += 1
        elif not in_scope(item):
            dropped[kind, "outside_spans", side] += 1
        elif key(item) in unique:
            dropped[kind, "duplicate", side] += 1
        else:
            unique[key(item)] = item
    return [unique[k] for k in sorted(unique)]


def _match(gold: list[T], pred: list[T], key: Callable[[T], Any], rank: Callable[[T, T], Any]) -> _Matched:
    pred_index = {key(p): j for j, p in enumerate(pred)}
    strict = [(i, pred_index[key(g)]) for i, g in enumerate(gold) if key(g) in pred_index]
    return _Matched(gold, pred, strict, _greedy(gold, pred, rank))


def _entity_key(e: GoldEntity) -> tuple[int, int, str]:
    return (e.start, e.end, e.label)


def _rel_key(r: _Rel) -> tuple[str, str, str]:
    return r.key


def _compare_doc(gold: GoldDoc, pred: GoldDoc, dropped: Counter[tuple[str, str, str]]) -> _DocComparison:
    spans = gold.spans

    def entity_scored(e: GoldEntity) -> bool:
        return e.label in ENTITY_LABELS

    def entity_in_scope(e: GoldEntity) -> bool:
        return spans is None or _inside(e.start, e.end, spans)

    def relation_scored(r: _Rel) -> bool:
        return r.predicate in SCORED_PREDICATES

    def gold_relation_in_scope(_: _Rel) -> bool:
        return True  # annotators write gold relations only for the spans they annotate

    def pred_relation_in_scope(r: _Rel) -> bool:
        return spans is None or _relation_in_spans(r.source, gold.text, spans)

    ents = [
        _keep(doc.entities, _entity_key, entity_scored, entity_in_scope, dropped, ("entities", side))
        for doc, side in ((gold, "gold"), (pred, "pred"))
    ]
    gold_rels = _keep(
        map(_to_rel, gold.relations),
        _rel_key,
        relation_scored,
        gold_relation_in_scope,
        dropped,
        ("relations", "gold"),
    )
    pred_rels = _keep(
        map(_to_rel, pred.relations),
        _rel_key,
        relation_scored,
        pred_relation_in_scope,
        dropped,
        ("relations", "pred"),
    )
    return _DocComparison(
        gold,
        pred,
        _match(ents[0], ents[1], _entity_key, _entity_rank),
        _match(gold_rels, pred_rels, _rel_key, _relation_rank),
    )


def _by_id(docs: list[GoldDoc], side: str) -> dict[str, GoldDoc]:
    index: dict[str, GoldDoc] = {}
    for doc in docs:
        if doc.doc in index:
            raise ValueError(f"{side} documents: doc id {doc.doc!r} occurs more than once")
        index[doc.doc] = doc
    return index


def _compare(gold: list[GoldDoc], predicted: list[GoldDoc]) -> _Comparison:
    gold_by_id = _by_id(gold, "gold")
    pred_by_id = _by_id(predicted, "predicted")
    dropped: Counter[tuple[str, str, str]] = Counter()
    docs = []
    for g in gold:
        # A gold document nobody predicted for scores as an empty prediction.
        p = pred_by_id.get(g.doc) or GoldDoc(g.doc, g.text)
        docs.append(_compare_doc(g, p, dropped))
    return _Comparison(
        docs,
        dropped,
        missing_predictions=[d.doc for d in gold if d.doc not in pred_by_id],
        extra_predictions=[d.doc for d in predicted if d.doc not in gold_by_id],
        text_mismatch=[d.doc for d in gold if d.doc in pred_by_id and pred_by_id[d.doc].text != d.text],
    )


# --- the report -------------------------------------------------------------------------------------------


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @classmethod
    def of(cls, tp: int, gold: int, pred: int) -> Counts:
        return cls(tp=tp, fp=pred - tp, fn=gold - tp)

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return _ratio(2 * p * r, p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass
class Row:
    """Figures of one label, predicate, or overall; gold and pred counts are shared by strict and lenient."""

    strict: Counts
    lenient: Counts

    @property
    def gold(self) -> int:
        return self.strict.tp + self.strict.fn

    @property
    def pred(self) -> int:
        return self.strict.tp + self.strict.fp

    def to_dict(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "pred": self.pred,
            "strict": self.strict.to_dict(),
            "lenient": self.lenient.to_dict(),
        }


@dataclass
class Ignored:
    """Items left out of scoring, by side."""

    gold: int = 0
    pred: int = 0


IGNORE_REASONS = ("unscored", "outside_spans", "duplicate")


@dataclass
class Section:
    """Entities or relations: rows per label (predicate) in SCHEMA order, overall, and what was left out."""

    rows: dict[str, Row]
    overall: Row
    ignored: dict[str, Ignored]  # by reason: unscored label/predicate, outside partial spans, duplicate

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": {k: r.to_dict() for k, r in self.rows.items()},
            "overall": self.overall.to_dict(),
            "ignored": {k: asdict(v) for k, v in self.ignored.items()},
        }


@dataclass
class AttributeCount:
    """Gold attributes of strictly matched relations, and how many the prediction gives equal (normalised)."""

    compared: int = 0
    equal: int = 0


@dataclass
class Report:
    entities: Section
    relations: Section
    attributes: dict[str, AttributeCount]  # "predicate.attribute", e.g. "任职.title"; information only
    documents: int  # gold documents scored
    missing_predictions: list[str]  # gold doc ids without a predicted document (scored as empty)
    extra_predictions: list[str]  # predicted doc ids absent from gold (not scored)
    text_mismatch: list[str]  # doc ids whose predicted text differs from the gold text

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "entities": self.entities.to_dict(),
            "relations": self.relations.to_dict(),
            "attributes": {k: asdict(v) for k, v in self.attributes.items()},
            "missing_predictions": self.missing_predictions,
            "extra_predictions": self.extra_predictions,
            "text_mismatch": self.text_mismatch,
        }


def _section(
    matched: list[_Matched],
    label: Callable[[Any], str],
    labels: Sequence[str],
    kind: str,
    dropped: Counter[tuple[str, str, str]],
) -> Section:
    gold = Counter(label(x) for m in matched for x in m.gold)
    pred = Counter(label(x) for m in matched for x in m.pred)
    strict = Counter(label(m.gold[i]) for m in matched for i, _ in m.strict)
    lenient = Counter(label(m.gold[i]) for m in matched for i, _ in m.lenient)

    def row(keys: Iterable[str]) -> Row:
        keys = list(keys)
        g, p = sum(gold[k] for k in keys), sum(pred[k] for k in keys)
        tp_strict, tp_lenient = sum(strict[k] for k in keys), sum(lenient[k] for k in keys)
        return Row(Counts.of(tp_strict, g, p), Counts.of(tp_lenient, g, p))

    ignored = {r: Ignored(dropped[kind, r, "gold"], dropped[kind, r, "pred"]) for r in IGNORE_REASONS}
    return Section({k: row([k]) for k in labels}, row(labels), ignored)


def score(gold: list[GoldDoc], predicted: list[GoldDoc]) -> Report:
    """Compare predictions with gold document by document (matched by ``doc`` id); rules: module docstring."""
    comparison = _compare(gold, predicted)
    docs = comparison.docs
    attributes: dict[str, AttributeCount] = {}
    for d in docs:
        m = d.relations
        for i, j in m.strict:
            g, p = m.gold[i], m.pred[j]
            for name, value in g.source.attrs.items():
                count = attributes.setdefault(f"{g.predicate}.{name}", AttributeCount())
                count.compared += 1
                if name in p.source.attrs and norm(str(p.source.attrs[name])) == norm(str(value)):
                    count.equal += 1
    return Report(
        entities=_section([d.entities for d in docs], lambda e: e.label, ENTITY_LABELS, "entities", comparison.dropped),
        relations=_section(
            [d.relations for d in docs],
            lambda r: r.predicate,
            SCORED_PREDICATES,
            "relations",
            comparison.dropped,
        ),
        attributes=dict(sorted(attributes.items())),
        documents=len(docs),
        missing_predictions=comparison.missing_predictions,
        extra_predictions=comparison.extra_predictions,
        text_mismatch=comparison.text_mismatch,
    )


# --- error listing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorItem:
    doc: str
    kind: Literal["miss", "false_alarm"]  # gold / prediction without a lenient match
    item: Literal["entity", "relation"]
    label: str  # entity label or predicate
    strings: tuple[str, ...]  # (entity text,) or (subject, object), as written
    sentence: str  # the sentence around it, "" when it cannot be located
    start: int | None = None  # entity offsets, or a predicted relation's evidence
    end: int | None = None


def _sentence_bounds(text: str) -> list[tuple[int, int]]:
    bounds: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        bounds.append((start, m.end()))
        start = m.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence(s) containing text[start:end], split on 。！？；!?; and newlines, stripped."""
    bounds = _sentence_bounds(text)
    if not bounds:
        return ""
    ends = [e for _, e in bounds]
    first = min(bisect.bisect_right(ends, start), len(bounds) - 1)
    last = min(bisect.bisect_right(ends, max(start, end - 1)), len(bounds) - 1)
    return text[bounds[first][0] : bounds[last][1]].strip()


def _relation_sentence(rel: GoldRelation, text: str, spans: list[tuple[int, int]] | None) -> str:
    if rel.evidence is not None:
        return sentence_at(text, *rel.evidence)
    # No offsets: the first sentence (inside the annotated spans) naming both ends, else either end.
    ends = [norm(x) for x in (rel.subject, rel.object) if norm(x) != DOCUMENT]
    sentences = [(s, e) for s, e in _sentence_bounds(text) if spans is None or any(a < e and s < b for a, b in spans)]
    for wanted in (all, any):
        for s, e in sentences:
            normalised = norm(text[s:e])
            if ends and wanted(end in normalised for end in ends):
                return text[s:e].strip()
    return ""


def errors(gold: list[GoldDoc], predicted: list[GoldDoc]) -> list[ErrorItem]:
    """Misses and false alarms under lenient matching, by document, entities (by position) then relations."""
    items: list[ErrorItem] = []
    for d in _compare(gold, predicted).docs:
        ents, rels = d.entities, d.relations
        matched_gold = {i for i, _ in ents.lenient}
        matched_pred = {j for _, j in ents.lenient}
        entity_items = [
            ErrorItem(
                d.gold.doc,
                "miss",
                "entity",
                e.label,
                (e.text,),
                sentence_at(d.gold.text, e.start, e.end),
                e.start,
                e.end,
            )
            for i, e in enumerate(ents.gold)
            if i not in matched_gold
        ] + [
            ErrorItem(
                d.gold.doc,
                "false_alarm",
                "entity",
                e.label,
                (e.text,),
                sentence_at(d.pred.text, e.start, e.end),
                e.start,
                e.end,
            )
            for j, e in enumerate(ents.pred)
            if j not in matched_pred
        ]
        items.extend(sorted(entity_items, key=lambda x: (x.start, x.end, x.kind, x.label)))

        matched_gold = {i for i, _ in rels.lenient}
        matched_pred = {j for _, j in rels.lenient}
        for side, kind, doc, matched in (
            (rels.gold, "miss", d.gold, matched_gold),
            (rels.pred, "false_alarm", d.pred, matched_pred),
        ):
            for k, r in enumerate(side):
                if k in matched:
                    continue
                src: GoldRelation = r.source
                ev_start, ev_end = src.evidence if src.evidence is not None else (None, None)
                items.append(
                    ErrorItem(
                        d.gold.doc,
                        kind,
                        "relation",
                        r.predicate,
                        (src.subject, src.object),
                        _relation_sentence(src, doc.text, d.gold.spans),
                        ev_start,
                        ev_end,
                    )
                )
    return items


# --- text output ------------------------------------------------------------------------------------------


def _width(s: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _ljust(s: str, width: int) -> str:
    return s + " " * max(0, width - _width(s))


def _rjust(s: str, width: int) -> str:
    return " " * max(0, width - _width(s)) + s


def _table(title: str, section: Section) -> list[str]:
    name_w = 10
    head = " | ".join([_ljust(title, name_w), _ljust("strict P / R / F1", 20), _ljust("lenient P / R / F1", 20)])
    lines = [head + " | " + _rjust("gold", 6) + " " + _rjust("pred", 6), "-" * (_width(head) + 16)]
    rows = [*section.rows.items(), ("overall", section.overall)]
    for name, row in rows:
        if name == "overall":
            lines.append("-" * (_width(head) + 16))
        figures = [" ".join(f"{x:6.3f}" for x in (c.precision, c.recall, c.f1)) for c in (row.strict, row.lenient)]
        lines.append(
            _ljust(name, name_w)
            + " | "
            + _ljust(figures[0], 20)
            + " | "
            + _ljust(figures[1], 20)
            + " | "
            + _rjust(str(row.gold), 6)
            + " "
            + _rjust(str(row.pred), 6)
        )
    ignored = "; ".join(f"{reason} gold {n.gold} / pred {n.pred}" for reason, n in section.ignored.items())
    lines.append(f"ignored: {ignored}")
    return lines


def format_table(report: Report) -> str:
    """A fixed-width table: entities by label, then relations by predicate, then notes."""
    lines = [f"documents scored: {report.documents}", ""]
    lines += _table("entity", report.entities) + [""] + _table("relation", report.relations)
    if report.attributes:
        lines += ["", "attributes of strictly matched relations (not scored): equal / compared"]
        lines += [f"  {name}: {c.equal} / {c.compared}" for name, c in report.attributes.items()]
    for note, ids in (
        ("gold documents without prediction (scored as empty)", report.missing_predictions),
        ("predicted documents not in gold (not scored)", report.extra_predictions),
        ("predicted text differs from gold text", report.text_mismatch),
    ):
        if ids:
            lines += ["", f"{note}: {', '.join(ids)}"]
    return "\n".join(lines) + "\n"


def format_errors(items: Iterable[ErrorItem]) -> str:
    """One line per error: doc, MISS/FALSE, kind, label, strings, and the sentence."""
    lines = []
    for e in items:
        strings = " → ".join(e.strings)
        kind = "MISS" if e.kind == "miss" else "FALSE"
        lines.append(f"{e.doc}  {kind:<5}  {e.item:<8}  {_ljust(e.label, 6)}  {strings}  | {e.sentence}")
    return "\n".join(lines) + ("\n" if lines else "")


def side_by_side_rows(reports: dict[str, Report]) -> list[tuple[str, list[float]]]:
    """(figure, one value per report): overall and per-label strict F1, lenient F1, relations per predicate."""
    rows: list[tuple[str, list[float]]] = []
    for kind, section_of, labels in (
        ("entity", lambda r: r.entities, ENTITY_LABELS),
        ("relation", lambda r: r.relations, SCORED_PREDICATES),
    ):
        sections = [section_of(r) for r in reports.values()]
        rows.append((f"{kind} strict F1", [s.overall.strict.f1 for s in sections]))
        rows.append((f"{kind} lenient F1", [s.overall.lenient.f1 for s in sections]))
        for label in labels:
            rows.append((f"  {label} strict F1", [s.rows[label].strict.f1 for s in sections]))
        if kind == "relation":
            for label in labels:
                rows.append((f"  {label} lenient P", [s.rows[label].lenient.precision for s in sections]))
                rows.append((f"  {label} lenient R", [s.rows[label].lenient.recall for s in sections]))
    return rows


def format_side_by_side(reports: dict[str, Report]) -> str:
    """One column per gold set (demo, dev-tune, dev-test …): the figures to compare at a glance."""
    names = list(reports)
    width = max(10, *(len(n) for n in names))
    lines = [_ljust("", 22) + "".join(n.rjust(width + 2) for n in names)]
    lines.append(_ljust("documents", 22) + "".join(str(r.documents).rjust(width + 2) for r in reports.values()))
    for figure, values in side_by_side_rows(reports):
        lines.append(_ljust(figure, 22) + "".join(f"{v:.3f}".rjust(width + 2) for v in values))
    return "\n".join(lines) + "\n"
