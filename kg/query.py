"""Notebook helpers for exploring a kg graph: look entities up by name, list relations, paths, rankings.

Everything accepts an entity's label, one of its aliases or its node id. Tables come back as pandas
DataFrames sorted deterministically, so notebook output does not change between runs.
"""

from __future__ import annotations

import difflib
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import pandas as pd

from kg.export import EDGE_ATTRS, TYPE_COLORS, format_evidence

__all__ = ["KnowledgeGraph", "UnknownEntityError", "edge_table"]

_EDGE_BASE = ["direction", "subject", "predicate", "object", "subject_id", "object_id", "key"]
_EDGE_TAIL = ["weight", "docs", "sentences"]
_NOT_ATTRS = {"predicate", "weight", "evidence"}


class UnknownEntityError(KeyError):
    """A name that matches no entity (or several): the message lists candidates."""

    def __str__(self) -> str:
        # KeyError's default str() is repr(), which would wrap the whole message in quotes.
        return str(self.args[0]) if self.args else ""


class KnowledgeGraph:
    """Read-only query wrapper around a kg ``MultiDiGraph`` (do not mutate the graph after wrapping)."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        self._by_label: dict[str, list[str]] = defaultdict(list)
        self._by_alias: dict[str, list[str]] = defaultdict(list)
        for node, data in graph.nodes(data=True):
            self._by_label[_norm(self._label(node))].append(node)
            for alias in data.get("aliases") or ():
                self._by_alias[_norm(alias)].append(node)

    @classmethod
    def load(cls, out_dir: str | Path) -> KnowledgeGraph:
        """Load ``graph.json`` written by :func:`kg.export.export_all` (a directory or the file itself)."""
        path = Path(out_dir)
        if path.is_dir():
            path = path / "graph.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            graph = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as err:
            # A truncated or foreign file: say which one, whatever the parser tripped over.
            cause = f"missing key {err}" if isinstance(err, KeyError) else str(err) or type(err).__name__
            raise ValueError(f"{path}: not a kg graph.json ({cause})") from err
        # Give every element the list-valued attributes the query code relies on, even where the
        # exporter found them missing or None.
        for _, attrs in graph.nodes(data=True):
            for name in ("aliases", "documents"):
                attrs[name] = _as_list(attrs.get(name))
        for *_, attrs in graph.edges(data=True):
            attrs["evidence"] = _as_list(attrs.get("evidence"))
        return cls(graph)

    def __repr__(self) -> str:
        nodes, edges = self.graph.number_of_nodes(), self.graph.number_of_edges()
        return f"KnowledgeGraph({nodes} entities, {edges} relations)"

    def find(self, name: str) -> list[str]:
        """Node ids for ``name``: the id itself, else exact label/alias matches, else substring matches."""
        if name in self.graph:
            return [name]
        key = _norm(name)
        exact = self._rank(self._by_label.get(key, []))
        exact += [n for n in self._rank(self._by_alias.get(key, [])) if n not in exact]
        if exact:
            return exact
        return self._rank(n for n in self.graph if any(key in _norm(s) for s in self._names(n)))

    def who_did_what(self, name: str) -> pd.DataFrame:
        """Every relation out of and into the entity, one row per edge, with evidence docs and sentences."""
        node = self._resolve(name)
        edges = [("out", *e) for e in self.graph.out_edges(node, keys=True, data=True)]
        # A self-loop is both out- and in-edge; list it once.
        edges += [("in", *e) for e in self.graph.in_edges(node, keys=True, data=True) if e[0] != node]
        return edge_table((d, u, self._label(u), v, self._label(v), k, data) for d, u, v, k, data in edges)

    def entities(self, type: str | None = None) -> pd.DataFrame:
        """Entities (optionally of one type) by mentions, then degree, then label."""
        nodes = list(self.graph.nodes(data=True))
        if type is not None:
            wanted = type.upper()
            known = set(TYPE_COLORS) | {str(d.get("type")) for _, d in nodes}
            if wanted not in known:
                raise ValueError(f"unknown entity type {type!r}; expected one of {', '.join(sorted(known))}")
            nodes = [(n, d) for n, d in nodes if d.get("type") == wanted]
        rows = [
            {
                "id": n,
                "label": self._label(n),
                "type": d.get("type"),
                "mentions": int(d.get("mentions") or 0),
                "degree": self.graph.degree(n),
                "documents": list(d.get("documents") or []),
            }
            for n, d in nodes
        ]
        rows.sort(key=lambda r: (-r["mentions"], -r["degree"], r["label"], r["id"]))
        return pd.DataFrame(rows, columns=["id", "label", "type", "mentions", "degree", "documents"])

    def ego(self, name: str, radius: int = 1) -> nx.MultiDiGraph:
        """Subgraph (a copy) of everything within ``radius`` hops, following edges in either direction."""
        return nx.ego_graph(self.graph, self._resolve(name), radius=radius, undirected=True)

    def path(self, a: str, b: str) -> list[tuple[str, str, str]]:
        """(subject, predicate, object) triples along a shortest path, ignoring edge direction.

        Triples keep each edge's own direction; between two nodes the best-supported edge is used.
        Raises ``networkx.NetworkXNoPath`` naming both entities when they are not connected.
        """
        src, dst = self._resolve(a), self._resolve(b)
        try:
            nodes = nx.shortest_path(self.graph.to_undirected(as_view=True), src, dst)
        except nx.NetworkXNoPath:
            raise nx.NetworkXNoPath(
                f"no path between {self._describe(src)} and {self._describe(dst)}"
            ) from None
        triples = []
        for u, v in zip(nodes, nodes[1:], strict=False):
            candidates = [
                (x, y, k, d)
                for x, y in ((u, v), (v, u))
                for k, d in self.graph.get_edge_data(x, y, default={}).items()
            ]
            x, y, _, data = min(
                candidates, key=lambda c: (-_weight(c[3]), str(c[3].get("predicate")), str(c[2]))
            )
            triples.append((self._label(x), str(data.get("predicate")), self._label(y)))
        return triples

    def centrality(
        self, kind: Literal["degree", "betweenness", "pagerank"] = "degree", top: int | None = 10
    ) -> pd.DataFrame:
        """Top entities by centrality on the simple projection (parallel edges merged, weights summed).

        Degree and betweenness ignore direction and weights (weights measure support, not distance);
        PageRank follows edge direction and uses the summed weights.
        """
        if kind == "degree":
            scores = nx.degree_centrality(self._projection(directed=False))
        elif kind == "betweenness":
            scores = nx.betweenness_centrality(self._projection(directed=False))
        elif kind == "pagerank":
            scores = nx.pagerank(self._projection(directed=True), weight="weight")
        else:
            raise ValueError(f"unknown centrality {kind!r}; use 'degree', 'betweenness' or 'pagerank'")
        rows = [
            {"id": n, "label": self._label(n), "type": self.graph.nodes[n].get("type"), "score": s}
            for n, s in scores.items()
        ]
        # Rounded key: equal scores reached through different float sums must still tie.
        rows.sort(key=lambda r: (-round(r["score"], 12), r["label"], r["id"]))
        return pd.DataFrame(rows[:top] if top is not None else rows, columns=["id", "label", "type", "score"])

    def communities(self, seed: int = 0) -> list[list[str]]:
        """Louvain communities (weighted, seeded) as lists of labels, most-mentioned entity first.

        Communities are ordered largest first.
        """
        groups = nx.community.louvain_communities(
            self._projection(directed=False), weight="weight", seed=seed
        )
        result = []
        for group in groups:
            members = sorted(
                group, key=lambda n: (-int(self.graph.nodes[n].get("mentions") or 0), self._label(n), n)
            )
            result.append([self._label(n) for n in members])
        result.sort(key=lambda labels: (-len(labels), labels))
        return result

    def predicates(self) -> pd.DataFrame:
        """Edge count, summed weight and number of evidence documents per predicate."""
        stats: dict[str, dict[str, Any]] = defaultdict(lambda: {"edges": 0, "weight": 0.0, "docs": set()})
        for *_, data in self.graph.edges(data=True):
            entry = stats[str(data.get("predicate"))]
            entry["edges"] += 1
            entry["weight"] += _weight(data)
            entry["docs"].update(ev.get("doc") for ev in data.get("evidence") or [])
        rows = [
            {"predicate": p, "edges": s["edges"], "weight": s["weight"], "documents": len(s["docs"])}
            for p, s in stats.items()
        ]
        rows.sort(key=lambda r: (-r["edges"], r["predicate"]))
        return pd.DataFrame(rows, columns=["predicate", "edges", "weight", "documents"])

    def _resolve(self, name: str) -> str:
        if name in self.graph:
            return name
        key = _norm(name)
        # A label beats an alias: "张三" should not be ambiguous because someone else was once called that.
        for index in (self._by_label, self._by_alias):
            ids = sorted(set(index.get(key, [])))
            if len(ids) == 1:
                return ids[0]
            if ids:
                raise UnknownEntityError(
                    f"{name!r} is ambiguous: {', '.join(ids)}; pass one of these node ids"
                )
        raise UnknownEntityError(self._unknown_message(name))

    def _unknown_message(self, name: str) -> str:
        owners: dict[str, list[str]] = defaultdict(list)
        for node in self.graph:
            for text in {node, *self._names(node)}:
                owners[text].append(node)
        close = difflib.get_close_matches(name, list(owners), n=5, cutoff=0.5)
        # Substring hits first: a partial Chinese name (凌兵) is the most common miss.
        candidates = list(
            dict.fromkeys([*self.find(name)[:5], *(n for c in close for n in sorted(owners[c]))])
        )
        if not candidates:
            return f"unknown entity {name!r} (no similar names)"
        return (
            f"unknown entity {name!r}; did you mean: {', '.join(self._describe(n) for n in candidates[:5])}?"
        )

    def _projection(self, directed: bool) -> nx.Graph:
        # Built in sorted order so seeded algorithms give the same answer whatever the insertion order.
        simple = nx.DiGraph() if directed else nx.Graph()
        simple.add_nodes_from(sorted(self.graph, key=str))
        for u, v, _, data in sorted(
            self.graph.edges(keys=True, data=True), key=lambda e: tuple(map(str, e[:3]))
        ):
            if u == v:
                continue
            if simple.has_edge(u, v):
                simple[u][v]["weight"] += _weight(data)
            else:
                simple.add_edge(u, v, weight=_weight(data))
        return simple

    def _rank(self, nodes: Iterable[str]) -> list[str]:
        return sorted(set(nodes), key=lambda n: (-int(self.graph.nodes[n].get("mentions") or 0), str(n)))

    def _label(self, node: str) -> str:
        return str(self.graph.nodes[node].get("label") or node)

    def _names(self, node: str) -> list[str]:
        return [self._label(node), *map(str, self.graph.nodes[node].get("aliases") or [])]

    def _describe(self, node: str) -> str:
        return f"{self._label(node)} ({node})"


def edge_table(edges: Iterable[tuple[str, str, str, str, str, str, dict[str, Any]]]) -> pd.DataFrame:
    """The who-did-what table from (direction, subject id, subject, object id, object, key, edge data) tuples.

    Shared by the networkx and the Cypher side so both answer in exactly the same shape and order.
    """
    edges = list(edges)
    present = {str(k) for *_, data in edges for k, v in data.items() if v is not None}
    attr_cols = [a for a in EDGE_ATTRS if a in present]
    attr_cols += sorted(present - set(EDGE_ATTRS) - _NOT_ATTRS)
    rows = []
    for direction, u, subject, v, obj, key, data in edges:
        evidence = data.get("evidence") or []
        rows.append(
            {
                "direction": direction,
                "subject": subject,
                "predicate": data.get("predicate"),
                "object": obj,
                "subject_id": u,
                "object_id": v,
                "key": key,
                **{col: data.get(col) for col in attr_cols},
                "weight": data.get("weight"),
                "docs": list(dict.fromkeys(ev.get("doc") for ev in evidence)),
                "sentences": [format_evidence([ev]) for ev in evidence],
            }
        )
    rows.sort(
        key=lambda r: (
            r["direction"] != "out",
            str(r["predicate"]),
            r["object"] if r["direction"] == "out" else r["subject"],
            str(r["key"]),
        )
    )
    return pd.DataFrame(rows, columns=[*_EDGE_BASE, *attr_cols, *_EDGE_TAIL])


def _norm(text: Any) -> str:
    # casefold matters for Latin names in Chinese text (e.g. "iPhone"); it leaves Chinese as is.
    return str(text).strip().casefold()


def _weight(data: dict[str, Any]) -> float:
    weight = data.get("weight")
    return 1.0 if weight is None else float(weight)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
