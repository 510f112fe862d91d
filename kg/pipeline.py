"""The whole path from documents to a graph, shared by ``kg build`` and ``kg eval``."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
from spacy.language import Language

import kg
from kg.extract import Extractor, RelationRule, load_rules
from kg.graph import build_graph
from kg.nlp import find_mentions, pipeline_id
from kg.resolve import Resolver
from kg.types import Document, Mention, Relation, Skipped


@dataclass
class Analysis:
    """Mentions and relations of one document."""

    doc: Document
    mentions: list[Mention]
    relations: list[Relation]


@dataclass
class BuildResult:
    graph: nx.MultiDiGraph
    analyses: list[Analysis]
    skipped: list[Skipped]
    pipeline: str
    seconds: float
    stats: dict[str, Counter[str]] = field(default_factory=dict)


class KnowledgeGraphBuilder:
    """Runs NLP → extraction → resolution → graph with one pipeline and one rule set."""

    def __init__(self, nlp: Language, rules: Path | list[RelationRule] | None = None):
        self.nlp = nlp
        self.pipeline = pipeline_id(nlp)
        # One lexicon for every stage: the one the pipeline's domain layer was saved with, if it has one.
        lexicon = nlp.get_pipe("kg_domain").lexicon if "kg_domain" in nlp.pipe_names else None
        self.extractor = Extractor(rules if isinstance(rules, list) else load_rules(rules), lexicon)
        self.resolver = Resolver(self.extractor.lexicon)

    def analyse(self, doc: Document) -> Analysis:
        mentions, relations = self.extractor.extract(doc, find_mentions(doc, self.nlp))
        return Analysis(doc, mentions, relations)

    def build(
        self,
        documents: Iterable[Document],
        skipped: list[Skipped] | None = None,
        progress: Callable[[Iterable[Document]], Iterable[Document]] = lambda docs: docs,
    ) -> BuildResult:
        started = time.perf_counter()
        analyses = [self.analyse(doc) for doc in progress(documents)]
        return assemble(analyses, self.resolver, self.pipeline, skipped or [], started)


def assemble(
    analyses: list[Analysis],
    resolver: Resolver,
    pipeline: str,
    skipped: list[Skipped],
    started: float,
    zones: dict[str, dict[str, str]] | None = None,
) -> BuildResult:
    """Resolution and the graph from the analyses of every document, however they were computed."""
    entities, relations = resolver.resolve(
        [a.doc for a in analyses],
        [m for a in analyses for m in a.mentions],
        [r for a in analyses for r in a.relations],
        zones,
    )
    graph = build_graph(entities, relations, {"pipeline": pipeline, "kg_version": kg.__version__})
    stats = {
        "entities": Counter(data["type"] for _, data in graph.nodes(data=True)),
        "relations": Counter(data["predicate"] for _, _, data in graph.edges(data=True)),
    }
    return BuildResult(graph, analyses, skipped, pipeline, time.perf_counter() - started, stats)
