"""Fast checks of the committed gold file data/gold/seeds.jsonl (offsets, overlaps, spans, texts)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "data" / "gold" / "seeds.jsonl"
SEEDS = ROOT / "data" / "seeds"
BUILD = ROOT / "data" / "gold" / "build_gold.py"


def _load_build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_gold", BUILD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build = _load_build()


def _records() -> list[dict[str, Any]]:
    with GOLD.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


RECORDS = _records()


def test_doc_ids_unique_and_seeded() -> None:
    ids = [r["doc"] for r in RECORDS]
    assert len(ids) == len(set(ids))
    for doc in ids:
        assert (SEEDS / f"{doc}.txt").is_file()


@pytest.mark.parametrize("record", RECORDS, ids=[r["doc"] for r in RECORDS])
def test_record_valid(record: dict[str, Any]) -> None:
    assert record["text"] == (SEEDS / f"{record['doc']}.txt").read_text(encoding="utf-8")
    build.check_record(record, SEEDS)


@pytest.mark.parametrize("record", RECORDS, ids=[r["doc"] for r in RECORDS])
def test_entities_offsets_and_no_overlap(record: dict[str, Any]) -> None:
    text = record["text"]
    ents = sorted(record["entities"], key=lambda e: e["start"])
    for e in ents:
        assert text[e["start"] : e["end"]] == e["text"]
        assert e["label"] in build.LABELS
    for a, b in zip(ents, ents[1:], strict=False):
        assert a["end"] <= b["start"], (a, b)


@pytest.mark.parametrize("record", RECORDS, ids=[r["doc"] for r in RECORDS])
def test_spans_valid(record: dict[str, Any]) -> None:
    n = len(record["text"])
    spans = sorted(record.get("spans", [[0, n]]))
    for s, e in spans:
        assert 0 <= s < e <= n
    for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False):
        assert e1 <= s2
    for ent in record["entities"]:
        assert any(s <= ent["start"] and ent["end"] <= e for s, e in spans)


def test_coverage_at_least_40_percent_and_two_whole_docs() -> None:
    corpus = sum(len(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt"))
    annotated = sum(sum(e - s for s, e in r["spans"]) if "spans" in r else len(r["text"]) for r in RECORDS)
    assert sum("spans" not in r for r in RECORDS) >= 2
    assert annotated / corpus >= 0.40


def test_gold_is_up_to_date() -> None:
    assert build.main(["--check"]) == 0
