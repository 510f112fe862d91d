"""Shared fixtures: one pipeline and one demo build per test session (loading spaCy is the slow part)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.ingest import load_documents
from kg.nlp import load_pipeline
from kg.pipeline import BuildResult, KnowledgeGraphBuilder

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "seeds"


@pytest.fixture(scope="session", autouse=True)
def own_cache_dir(tmp_path_factory):
    """`kg build` caches analyses under $XDG_CACHE_HOME/kg: the suite uses a folder of its own, not the user's."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg_cache"))


@pytest.fixture(scope="session")
def nlp():
    # KG_MODEL picks another pipeline (a zh_core_web_* package or a directory) for the whole suite.
    return load_pipeline(os.environ.get("KG_MODEL"))


@pytest.fixture(scope="session")
def builder(nlp) -> KnowledgeGraphBuilder:
    return KnowledgeGraphBuilder(nlp)


@pytest.fixture(scope="session")
def demo(builder) -> BuildResult:
    documents, skipped = load_documents([SEEDS])
    assert not skipped
    return builder.build(documents, skipped)
