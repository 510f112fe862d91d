"""Graph: one networkx MultiDiGraph across all documents, every edge carrying its evidence."""

from __future__ import annotations

import json

import networkx as nx

from kg.resolve import ResolvedRelation
from kg.types import Entity


def edge_key(predicate: str, attrs: dict[str, str]) -> str:
    """Edges between the same two entities merge when predicate and attributes agree (one fact, many
    sentences); a different title or amount is a different fact."""
    return predicate + json.dumps(attrs, ensure_ascii=False, sort_keys=True) if attrs else predicate


def build_graph(
    entities: dict[str, Entity], relations: list[ResolvedRelation], graph_attrs: dict[str, str]
) -> nx.MultiDiGraph:
    """Nodes and edges are inserted in sorted order so that the same input gives byte-identical exports."""
    graph = nx.MultiDiGraph(**graph_attrs)
    for entity_id in sorted(entities):
        entity = entities[entity_id]
        graph.add_node(
            entity_id,
            label=entity.label,
            type=entity.type,
            aliases=sorted(entity.aliases),
            mentions=entity.mentions,
            documents=sorted(entity.documents),
            division=entity.division,
            division_code=entity.division_code,
        )
    merged: dict[tuple[str, str, str], dict] = {}
    recorded: set[tuple[tuple[str, str, str], tuple]] = set()  # a list lookup per record would be quadratic
    for item in relations:
        if item.subject == item.object:
            continue  # two names resolution made one entity (某县人大常委会 隶属 某县人大): no fact about it
        relation = item.relation
        key = (item.subject, item.object, edge_key(relation.predicate, relation.attrs))
        edge = merged.setdefault(key, {"predicate": relation.predicate, **relation.attrs, "evidence": []})
        ev = relation.evidence
        record = {
            "doc": ev.doc_id,
            "sentence": ev.sentence,
            "sentence_start": ev.sentence_start,
            "text": ev.sentence_text,
            "subject_start": ev.subject_start,
            "subject_end": ev.subject_end,
            "object_start": ev.object_start,
            "object_end": ev.object_end,
            "rule": ev.rule,
        }
        if (key, tuple(record.values())) not in recorded:
            recorded.add((key, tuple(record.values())))
            edge["evidence"].append(record)
    for (subject, obj, key), attrs in sorted(merged.items()):
        attrs["evidence"].sort(key=lambda e: (e["doc"], e["sentence"], e["subject_start"], e["object_start"]))
        attrs["weight"] = len({(e["doc"], e["sentence"]) for e in attrs["evidence"]})
        graph.add_edge(subject, obj, key=key, **attrs)
    return graph
