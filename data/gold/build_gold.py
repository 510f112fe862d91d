"""Build the gold file ``data/gold/seeds.jsonl`` from the human-written annotation sources.

Sources: one YAML file per document in ``data/gold/annotations/<doc_id>.yaml``;
texts: ``data/seeds/<doc_id>.txt``.
Offsets are computed here (never by hand). Every check that fails raises ``GoldError`` and the script exits 1.

Annotation source format (see GUIDELINES.md)::

    doc: 000_8af3a52c6c9a1fca
    spans: whole                  # or a list of {from: <anchor>, to: <anchor>} (to-anchor end is inclusive)
    entities:
      - {text: 凌兵奎, label: PERSON}                 # every occurrence inside the spans
      - {text: 东站, label: LOC, context: 东站站点}    # only occurrences inside this context string
      - {text: 高新区, label: GPE, nth: [1, 3]}        # only the 1st and 3rd occurrence inside the spans
      - {text: 高新区, label: GPE, exclude: [高新区人]}  # skip occurrences inside these context strings
    relations:
      - {subject: 凌兵奎, predicate: 任职, object: 区党工委, title: 副书记}
      - {subject: 河南金泉机械有限公司, predicate: 捐赠, object: 方便食品, object_kind: MATERIAL,
         amount: 价值8000元}

An occurrence that lies inside a longer annotated entity is dropped (longest full name wins);
two entities that cross each other are an error.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ANNOTATIONS = ROOT / "data" / "gold" / "annotations"
DEFAULT_SEEDS = ROOT / "data" / "seeds"
DEFAULT_OUT = ROOT / "data" / "gold" / "seeds.jsonl"

LABELS = {"PERSON", "ORG", "GPE", "LOC"}
PREDICATES = {"任职", "捐赠", "隶属", "位于", "带领", "报道", "摄影"}
# Node kinds that are not entity spans: relation ends of these kinds are not checked against the entities.
NON_SPAN_KINDS = {"MATERIAL", "DOCUMENT", "GROUP", "EVENT"}
DOCUMENT = "DOCUMENT"
# Allowed entity labels of relation ends per predicate (None: no constraint / not an entity).
END_LABELS: dict[str, tuple[set[str] | None, set[str] | None]] = {
    "任职": ({"PERSON"}, {"ORG", "GPE"}),
    "捐赠": ({"PERSON", "ORG"}, None),
    "隶属": ({"ORG"}, {"ORG", "GPE"}),
    "位于": ({"ORG", "LOC", "GPE"}, {"GPE", "LOC"}),
    "带领": ({"PERSON"}, {"ORG"}),
    "报道": (None, {"PERSON"}),
    "摄影": ({"PERSON"}, None),
}
RELATION_KEYS = ("subject", "predicate", "object")
SOURCE_ONLY_KEYS = {"subject_kind", "object_kind", "note"}
ENTITY_KEYS = {"text", "label", "nth", "context", "exclude", "note"}


class GoldError(Exception):
    """A gold annotation check failed."""


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    label: str
    text: str
    rule: int


def norm(s: str) -> str:
    """NFKC + whitespace removal, the comparison used by scoring."""
    return "".join(unicodedata.normalize("NFKC", s).split())


def find_all(haystack: str, needle: str) -> list[int]:
    """All (possibly overlapping) start offsets of needle in haystack."""
    if not needle:
        raise GoldError("empty search string")
    out: list[int] = []
    i = haystack.find(needle)
    while i != -1:
        out.append(i)
        i = haystack.find(needle, i + 1)
    return out


def inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def resolve_spans(doc: str, text: str, spec: Any) -> list[tuple[int, int]] | None:
    """None means the whole document is annotated."""
    if spec in (None, "whole"):
        return None
    if not isinstance(spec, list) or not spec:
        raise GoldError(f"{doc}: spans must be 'whole' or a non-empty list")
    spans: list[tuple[int, int]] = []
    for item in spec:
        frm, to = item.get("from"), item.get("to")
        if not isinstance(frm, str) or not isinstance(to, str):
            raise GoldError(f"{doc}: span needs string 'from' and 'to': {item}")
        starts = find_all(text, frm)
        if len(starts) != 1:
            raise GoldError(f"{doc}: span anchor {frm!r} occurs {len(starts)} times (need exactly 1)")
        start = starts[0]
        end_at = text.find(to, start)
        if end_at == -1:
            raise GoldError(f"{doc}: span end anchor {to!r} not found after {frm!r}")
        spans.append((start, end_at + len(to)))
    return spans


def check_spans(doc: str, text: str, spans: list[tuple[int, int]]) -> None:
    prev_end = -1
    for s, e in sorted(spans):
        if not (0 <= s < e <= len(text)):
            raise GoldError(f"{doc}: span {[s, e]} outside text of length {len(text)}")
        if s < prev_end:
            raise GoldError(f"{doc}: spans overlap at {[s, e]}")
        prev_end = e


def entity_candidates(
    doc: str, text: str, rules: list[dict[str, Any]], spans: list[tuple[int, int]]
) -> list[Candidate]:
    cands: list[Candidate] = []
    for i, rule in enumerate(rules):
        unknown = set(rule) - ENTITY_KEYS
        if unknown:
            raise GoldError(f"{doc}: entity rule {rule} has unknown keys {sorted(unknown)}")
        etext, label = rule.get("text"), rule.get("label")
        if not isinstance(etext, str) or not etext:
            raise GoldError(f"{doc}: entity rule without text: {rule}")
        if label not in LABELS:
            raise GoldError(f"{doc}: entity {etext!r} has label {label!r}, not one of {sorted(LABELS)}")
        context = rule.get("context")
        if context is not None:
            if etext not in context:
                raise GoldError(f"{doc}: context {context!r} does not contain {etext!r}")
            if len(find_all(context, etext)) != 1:
                raise GoldError(f"{doc}: context {context!r} contains {etext!r} more than once")
            shift = context.find(etext)
            starts = [c + shift for c in find_all(text, context)]
            if not starts:
                raise GoldError(f"{doc}: context {context!r} not found in text")
        else:
            starts = find_all(text, etext)
        excluded: set[int] = set()
        for ex in rule.get("exclude", []) or []:
            if etext not in ex:
                raise GoldError(f"{doc}: exclude context {ex!r} does not contain {etext!r}")
            shift = ex.find(etext)
            hits = find_all(text, ex)
            if not hits:
                raise GoldError(f"{doc}: exclude context {ex!r} not found in text")
            excluded.update(h + shift for h in hits)
        starts = [s for s in starts if s not in excluded and inside(s, s + len(etext), spans)]
        nth = rule.get("nth")
        if nth is not None:
            wanted = [nth] if isinstance(nth, int) else list(nth)
            if any(n < 1 or n > len(starts) for n in wanted):
                raise GoldError(
                    f"{doc}: entity {etext!r} nth={nth} but only {len(starts)} occurrences in spans"
                )
            starts = [starts[n - 1] for n in wanted]
        if not starts:
            raise GoldError(f"{doc}: entity rule {rule} matches nothing inside the annotated spans")
        cands.extend(Candidate(s, s + len(etext), label, etext, i) for s in starts)
    return cands


def select_longest(doc: str, cands: list[Candidate]) -> tuple[list[Candidate], Counter[int]]:
    """Longest wins: drop candidates inside a longer accepted one; crossing candidates are an error."""
    accepted: list[Candidate] = []
    absorbed: Counter[int] = Counter()
    for c in sorted(cands, key=lambda c: (-(c.end - c.start), c.start)):
        clash = None
        for a in accepted:
            if c.start < a.end and a.start < c.end:
                clash = a
                break
        if clash is None:
            accepted.append(c)
        elif clash.start <= c.start and c.end <= clash.end:
            if (clash.start, clash.end) == (c.start, c.end) and clash.label != c.label:
                raise GoldError(f"{doc}: {c.text!r} at {c.start} labelled both {clash.label} and {c.label}")
            absorbed[c.rule] += 1
        else:
            raise GoldError(
                f"{doc}: entities cross: {clash.text!r}[{clash.start}:{clash.end}]"
                f" and {c.text!r}[{c.start}:{c.end}]"
            )
    return sorted(accepted, key=lambda c: c.start), absorbed


def build_relations(
    doc: str, text: str, rels: list[dict[str, Any]], ents: list[Candidate], spans: list[tuple[int, int]]
) -> tuple[list[dict[str, Any]], list[str]]:
    warnings: list[str] = []
    ntext = norm(text)
    ent_labels: dict[str, set[str]] = {}
    for e in ents:
        ent_labels.setdefault(norm(e.text), set()).add(e.label)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for rel in rels:
        missing = [k for k in RELATION_KEYS if not isinstance(rel.get(k), str) or not rel.get(k)]
        if missing:
            raise GoldError(f"{doc}: relation {rel} lacks {missing}")
        pred = rel["predicate"]
        if pred not in PREDICATES:
            raise GoldError(f"{doc}: relation {rel} has predicate {pred!r}, not one of {sorted(PREDICATES)}")
        for role in ("subject", "object"):
            end = rel[role]
            kind = rel.get(f"{role}_kind")
            if kind is not None and kind not in NON_SPAN_KINDS:
                raise GoldError(f"{doc}: {role}_kind {kind!r} not one of {sorted(NON_SPAN_KINDS)}")
            if end == DOCUMENT:
                continue
            hits = find_all(text, end)
            if not hits and norm(end) not in ntext:
                raise GoldError(f"{doc}: relation end {end!r} does not occur in the text: {rel}")
            if hits and not any(inside(h, h + len(end), spans) for h in hits):
                raise GoldError(f"{doc}: relation end {end!r} occurs only outside the annotated spans: {rel}")
            if kind is not None:
                continue
            allowed = END_LABELS[pred][0 if role == "subject" else 1]
            labels = ent_labels.get(norm(end))
            if labels is None:
                # A part of one written name (高新区皇台街道神马尼龙社区党支部 -> 神马尼龙社区) is fine.
                if any(norm(end) in k for k in ent_labels):
                    continue
                warnings.append(f"{doc}: relation {role} {end!r} is no annotated entity ({pred})")
            elif allowed is not None and not labels & allowed:
                warnings.append(
                    f"{doc}: {pred} {role} {end!r} has label {sorted(labels)}, expected {sorted(allowed)}"
                )
        record = {k: rel[k] for k in RELATION_KEYS}
        for k, v in rel.items():
            if k in RELATION_KEYS or k in SOURCE_ONLY_KEYS:
                continue
            if not isinstance(v, str | int | float):
                raise GoldError(f"{doc}: attribute {k} of {rel} must be a scalar")
            record[k] = str(v)
        # One edge per (subject, predicate, object): scoring compares triples only.
        key = "\t".join(norm(record[k]) for k in RELATION_KEYS)
        if key in seen:
            raise GoldError(f"{doc}: duplicate relation triple {record} (merge the attributes)")
        seen.add(key)
        out.append(record)
    return out, warnings


def build_doc(source: Path, seeds_dir: Path) -> tuple[dict[str, Any], list[str]]:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    doc = data.get("doc")
    if doc != source.stem:
        raise GoldError(f"{source}: doc id {doc!r} differs from file stem {source.stem!r}")
    seed = seeds_dir / f"{doc}.txt"
    if not seed.is_file():
        raise GoldError(f"{doc}: seed file {seed} missing")
    text = seed.read_text(encoding="utf-8")
    span_spec = resolve_spans(doc, text, data.get("spans", "whole"))
    spans = span_spec if span_spec is not None else [(0, len(text))]
    check_spans(doc, text, spans)
    cands = entity_candidates(doc, text, data.get("entities") or [], spans)
    ents, _absorbed = select_longest(doc, cands)
    relations, warnings = build_relations(doc, text, data.get("relations") or [], ents, spans)
    record: dict[str, Any] = {
        "doc": doc,
        "text": text,
        "entities": [{"start": e.start, "end": e.end, "label": e.label, "text": e.text} for e in ents],
        "relations": relations,
    }
    if span_spec is not None:
        record["spans"] = [[s, e] for s, e in sorted(span_spec)]
    check_record(record, seeds_dir)
    return record, warnings


def check_record(record: dict[str, Any], seeds_dir: Path) -> None:
    """The structural checks, also run by tests/test_gold.py on the committed seeds.jsonl."""
    doc = record.get("doc")
    if not isinstance(doc, str):
        raise GoldError(f"record without doc id: {str(record)[:80]}")
    seed = seeds_dir / f"{doc}.txt"
    if not seed.is_file():
        raise GoldError(f"{doc}: seed file {seed} missing")
    text = record.get("text")
    if text != seed.read_text(encoding="utf-8"):
        raise GoldError(f"{doc}: text differs from {seed}")
    spans = [(int(s), int(e)) for s, e in record.get("spans", [[0, len(text)]])]
    check_spans(doc, text, spans)
    prev_end = 0
    for ent in sorted(record["entities"], key=lambda e: (e["start"], e["end"])):
        s, e, label = ent["start"], ent["end"], ent["label"]
        if not (0 <= s < e <= len(text)) or text[s:e] != ent["text"]:
            raise GoldError(f"{doc}: entity {ent} does not match text[{s}:{e}]")
        if label not in LABELS:
            raise GoldError(f"{doc}: entity {ent} has unknown label")
        if s < prev_end:
            raise GoldError(f"{doc}: entity {ent} overlaps the previous one")
        if not inside(s, e, spans):
            raise GoldError(f"{doc}: entity {ent} lies outside the annotated spans")
        prev_end = e
    ntext = norm(text)
    for rel in record["relations"]:
        if rel.get("predicate") not in PREDICATES:
            raise GoldError(f"{doc}: relation {rel} has unknown predicate")
        for role in ("subject", "object"):
            end = rel.get(role)
            if not isinstance(end, str) or not end:
                raise GoldError(f"{doc}: relation {rel} lacks {role}")
            if end != DOCUMENT and norm(end) not in ntext:
                raise GoldError(f"{doc}: relation end {end!r} does not occur in the text")


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def summary(records: list[dict[str, Any]]) -> str:
    total = sum(len(r["text"]) for r in records)
    corpus = total
    annotated = 0
    whole: list[str] = []
    labels: Counter[str] = Counter()
    preds: Counter[str] = Counter()
    for r in records:
        if "spans" in r:
            annotated += sum(e - s for s, e in r["spans"])
        else:
            annotated += len(r["text"])
            whole.append(r["doc"])
        labels.update(e["label"] for e in r["entities"])
        preds.update(rel["predicate"] for rel in r["relations"])
    lines = [
        f"docs: {len(records)} (whole: {', '.join(whole) or '-'})",
        f"annotated chars: {annotated} / {corpus} in these docs",
        "entities: "
        + ", ".join(f"{k} {v}" for k, v in sorted(labels.items()))
        + f" (total {sum(labels.values())})",
        "relations: "
        + ", ".join(f"{k} {v}" for k, v in sorted(preds.items()))
        + f" (total {sum(preds.values())})",
    ]
    return "\n".join(lines)


def split_of(sources: Path) -> dict[str, str]:
    """doc id → split, from the sources file of the development set (tab-separated, header line)."""
    with sources.open(encoding="utf-8", newline="") as handle:
        return {row["doc"]: row["split"] for row in csv.DictReader(handle, delimiter="\t")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--annotations", type=Path, default=DEFAULT_ANNOTATIONS, help="folder of <doc_id>.yaml sources"
    )
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="folder of <doc_id>.txt seed texts")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="gold JSONL to write")
    ap.add_argument("--sources", type=Path, help="sources TSV with doc and split columns (the development set)")
    ap.add_argument("--split", help="keep only the documents of this split in --sources (tune, test)")
    ap.add_argument("--check", action="store_true", help="only verify that --out is valid and up to date")
    ap.add_argument("--strict", action="store_true", help="treat warnings as errors")
    args = ap.parse_args(argv)
    try:
        sources = sorted(args.annotations.glob("*.yaml"))
        if args.split:
            if not args.sources:
                raise GoldError("--split needs --sources")
            sources = [s for s in sources if split_of(args.sources).get(s.stem) == args.split]
        if not sources:
            raise GoldError(f"no annotation sources in {args.annotations}")
        records: list[dict[str, Any]] = []
        warnings: list[str] = []
        for src in sources:
            rec, warns = build_doc(src, args.seeds)
            records.append(rec)
            warnings.extend(warns)
        for w in warnings:
            print(f"WARNING: {w}", file=sys.stderr)
        if args.strict and warnings:
            raise GoldError(f"{len(warnings)} warnings under --strict")
        lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in records]
        if args.check:
            if not args.out.is_file() or args.out.read_text(encoding="utf-8") != "".join(lines):
                raise GoldError(f"{args.out} is missing or out of date; rerun build_gold.py")
        else:
            args.out.write_text("".join(lines), encoding="utf-8")
        corpus_chars = sum(len(p.read_text(encoding="utf-8")) for p in sorted(args.seeds.glob("*.txt")))
        print(summary(records))
        annotated = sum(
            sum(e - s for s, e in r["spans"]) if "spans" in r else len(r["text"]) for r in records
        )
        print(f"coverage of corpus: {annotated} / {corpus_chars} = {annotated / corpus_chars:.1%}")
    except GoldError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
