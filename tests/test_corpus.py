"""The per-document stage over a corpus: the cache, the local process pool and a real Dask cluster all give the
graph that one process gives, byte for byte."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import SEEDS
from typer.testing import CliRunner

from kg import corpus
from kg.cache import AnalysisCache, Payload, decode, encode
from kg.cli import app
from kg.corpus import AnalysisSpec, analyse_corpus, analysis_spec, cache_key
from kg.ingest import load_documents

OUTPUTS = ("graph.json", "graph.graphml", "graph.gexf", "nodes.csv", "edges.csv", "graph.html")


def build(inputs: Path, out: Path, *options: str) -> dict:
    result = CliRunner().invoke(app, ["build", str(inputs), "-o", str(out), *options])
    assert result.exit_code == 0, result.output
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def counts(summary: dict) -> tuple[int, int, int]:
    analysed = summary["analysed"]
    return analysed["documents"], analysed["from_cache"], analysed["workers"]


def assert_same_outputs(a: Path, b: Path) -> None:
    for name in OUTPUTS:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The demo built in this process without a cache: what every other way must reproduce."""
    out = tmp_path_factory.mktemp("reference") / "out"
    build(SEEDS, out, "--no-cache", "--jobs", "1")
    return out


def test_payloads_round_trip_through_the_cache_encoding(builder):
    documents, _ = load_documents([SEEDS])
    for doc in documents:
        analysis = builder.analyse(doc)
        payload = Payload(builder.pipeline, analysis.mentions, analysis.relations)
        assert decode(payload.pipeline, encode(payload)) == payload


def test_second_build_reads_every_document_from_the_cache(tmp_path, reference):
    first = build(SEEDS, tmp_path / "a", "--cache", str(tmp_path / "cache"))
    second = build(SEEDS, tmp_path / "b", "--cache", str(tmp_path / "cache"))
    assert counts(first) == (5, 0, 1)
    assert counts(second) == (0, 5, 0)
    assert second["analysed"]["relations"] == first["analysed"]["relations"] > 0
    assert_same_outputs(reference, tmp_path / "a")
    assert_same_outputs(reference, tmp_path / "b")


def test_only_new_or_changed_documents_are_analysed(tmp_path):
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus_dir)
    cache = str(tmp_path / "cache")
    build(corpus_dir, tmp_path / "a", "--cache", cache)
    changed = sorted(corpus_dir.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n本报记者张明报道。\n", encoding="utf-8")
    (corpus_dir / "new.txt").write_text("县委书记王刚到社区调研。\n", encoding="utf-8")
    summary = build(corpus_dir, tmp_path / "b", "--cache", cache)
    assert summary["analysed"]["documents"] == 2
    assert summary["analysed"]["from_cache"] == 4
    fresh = build(corpus_dir, tmp_path / "c", "--no-cache")
    assert_same_outputs(tmp_path / "c", tmp_path / "b")
    assert fresh["analysed"]["from_cache"] == 0


def test_other_rules_miss_the_cache(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text((Path(corpus.__file__).parent / "data" / "relations.yaml").read_text(encoding="utf-8"))
    cache = str(tmp_path / "cache")
    build(SEEDS, tmp_path / "a", "--cache", cache, "--rules", str(rules))
    with rules.open("a", encoding="utf-8") as f:
        f.write("\n- id: added_by_a_user\n  pattern: '{PERSON:a}看望{PERSON:b}'\n  predicate: 看望\n")
    summary = build(SEEDS, tmp_path / "b", "--cache", cache, "--rules", str(rules))
    assert counts(summary) == (5, 0, 1)


def test_no_cache_writes_no_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    build(SEEDS, tmp_path / "out", "--no-cache")
    assert not (tmp_path / "xdg").exists()


def test_a_broken_cache_file_costs_time_not_the_build(tmp_path, reference):
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "analyses.sqlite").write_bytes(b"not a database at all " * 100)
    result = CliRunner().invoke(app, ["build", str(SEEDS), "-o", str(tmp_path / "out"), "--cache", str(folder)])
    assert result.exit_code == 0, result.output
    assert "analyses.sqlite" in result.output and "without a cache" in result.output
    assert_same_outputs(reference, tmp_path / "out")


def test_a_cache_entry_is_all_or_nothing(tmp_path, builder):
    """Entries of one batch are committed together: an interrupted write leaves none of them."""
    documents, _ = load_documents([SEEDS])
    spec = analysis_spec(None, None)
    cache = AnalysisCache(tmp_path)
    analyses = [builder.analyse(doc) for doc in documents]
    payloads = [Payload(builder.pipeline, a.mentions, a.relations) for a in analyses]
    keys = [cache_key(spec, d) for d in documents]

    def interrupted():
        yield keys[0], payloads[0]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cache.put_many(interrupted())
    assert cache.get_many(keys) == {}
    cache.put_many(zip(keys, payloads, strict=True))
    assert len(AnalysisCache(tmp_path)) == len(documents)
    assert sqlite3.connect(tmp_path / "analyses.sqlite").execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_unknown_executor_is_refused_before_reading(tmp_path):
    result = CliRunner().invoke(app, ["build", str(SEEDS), "-o", str(tmp_path / "out"), "--executor", "spark://x"])
    assert result.exit_code == 2
    assert "unknown executor 'spark://x'" in result.output
    assert not (tmp_path / "out").exists()


def test_a_worker_with_another_kg_refuses_to_analyse():
    spec = analysis_spec(None, None)
    stale = AnalysisSpec(spec.model, spec.rules, "0" * 64)
    documents, _ = load_documents([SEEDS])
    with pytest.raises(RuntimeError, match="another kg or pipeline"):
        corpus.analyse_batch(stale, documents[:1], None)


@pytest.mark.slow
def test_process_pool_gives_the_same_graph(tmp_path, reference, monkeypatch):
    monkeypatch.setattr(corpus, "POOL_MIN_CHARS", 0)
    monkeypatch.setattr(corpus, "BATCH_CHARS", 1)  # one document a batch: both workers get some
    documents, _ = load_documents([SEEDS])
    result = analyse_corpus(documents, analysis_spec(None, None), jobs=2)
    assert result.workers == 2
    local = analyse_corpus(documents, analysis_spec(None, None), jobs=1)
    assert [(a.mentions, a.relations) for a in result.analyses] == [(a.mentions, a.relations) for a in local.analyses]


@pytest.mark.slow
def test_dask_cluster_of_two_workers_gives_the_same_graph(tmp_path, reference):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address  # tcp://127.0.0.1:PORT, as a user passes a remote scheduler
        summary = build(SEEDS, tmp_path / "dask", "--no-cache", "--executor", address)
    assert summary["analysed"]["workers"] == 2
    assert_same_outputs(reference, tmp_path / "dask")
