"""The graph in an embedded graph database (LadybugDB, Kùzu's maintained fork), queried in Cypher.

Schema: one node table per entity type (``PERSON``, ``ORG`` …, every type kg knows plus any other the graph
has), each with ``id`` (primary key), ``label``, ``type``, ``aliases``, ``mentions``, ``documents``; one
relationship table per predicate (``任职``, ``捐赠`` …) between the type pairs it connects, with the edge's
``key``, every attribute kg's rules produce (``title``, ``amount``, ``amount_value`` …; numbers and flags
typed), ``weight`` and ``evidence``, a list of structs (document, sentence, offsets, text, rule).

A database is written to a temporary file beside its target and renamed over it once complete and closed,
so a reader (or a killed run) never sees a half-loaded database, and a re-load replaces, never duplicates.
Kùzu (``engine="kuzu"``) has the same API; kg uses it only for comparison (see benchmarks/bench_graphdb.py).
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import networkx as nx
import pandas as pd

from kg.atomic import atomic_path
from kg.export import EDGE_ATTRS, TYPE_COLORS
from kg.normalize import plain_number
from kg.query import UnknownEntityError, edge_table

__all__ = [
    "DB_NAME",
    "DEFAULT_ENGINE",
    "DONATIONS",
    "ENGINES",
    "EVIDENCE_FIELDS",
    "GraphDatabase",
    "NODE_COLUMNS",
    "PATH",
    "POSTS",
    "TableRows",
    "WHO_DID_WHAT",
    "attr_type",
    "node_types",
    "rel_schemas",
    "schema_ddl",
    "table_rows",
    "write_database",
]

DB_NAME = "graph.db"
DEFAULT_ENGINE = "ladybug"
ENGINES = ("ladybug", "kuzu")

NODE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "STRING"),
    ("label", "STRING"),
    ("type", "STRING"),
    ("aliases", "STRING[]"),
    ("mentions", "INT64"),
    ("documents", "STRING[]"),
    ("division", "STRING"),
    ("division_code", "STRING"),
)
EVIDENCE_FIELDS: tuple[tuple[str, str], ...] = (
    ("doc", "STRING"),
    ("sentence", "INT64"),
    ("text", "STRING"),
    ("subject_start", "INT64"),
    ("subject_end", "INT64"),
    ("object_start", "INT64"),
    ("object_end", "INT64"),
    ("rule", "STRING"),
)
# kg's rules write every attribute as text; these hold numbers and flags, so the database types them
# (sum(r.amount_value) works) and the query side turns them back into kg's text form.
_TYPED_ATTRS = {
    "amount_value": "DOUBLE",
    "quantity_value": "DOUBLE",
    "amount_approximate": "BOOLEAN",
    "quantity_approximate": "BOOLEAN",
}
_NOT_ATTRS = frozenset({"predicate", "weight", "evidence", "key"})

WHO_DID_WHAT = """
MATCH (s)-[r]->(o) WHERE s.id = $id
RETURN 'out' AS direction, s.id AS subject_id, s.label AS subject, o.id AS object_id, o.label AS object, r AS rel
UNION ALL
MATCH (o)<-[r]-(s) WHERE o.id = $id AND s.id <> $id
RETURN 'in' AS direction, s.id AS subject_id, s.label AS subject, o.id AS object_id, o.label AS object, r AS rel
""".strip()
POSTS = """
MATCH (p)-[r:任职]->(b) WHERE p.id = $id
RETURN b.label AS body, b.type AS type, r.title AS title, r.weight AS weight,
       list_distinct(list_transform(r.evidence, ev -> ev.doc)) AS docs
ORDER BY weight DESC, body, title
""".strip()
DONATIONS = """
MATCH (d)-[r:捐赠]->(m) WHERE d.id = $id
RETURN m.label AS item, r.amount AS amount, r.amount_value AS amount_value, r.amount_unit AS amount_unit,
       r.quantity AS quantity, r.recipient AS recipient, r.date AS date, r.weight AS weight
ORDER BY item, amount, quantity, recipient
""".strip()
# Kùzu-style shortest path: any direction, at most 30 hops (the engines' default bound).
PATH = """
MATCH p = (a)-[* SHORTEST 1..30]-(b) WHERE a.id = $a AND b.id = $b
RETURN nodes(p) AS nodes, rels(p) AS rels
""".strip()


def attr_type(name: str) -> str:
    """Column type of an edge attribute in the database (the Neo4j writer maps these to its own names)."""
    return _TYPED_ATTRS.get(name, "STRING")


@dataclass(frozen=True)
class RelSchema:
    predicate: str
    pairs: tuple[tuple[str, str], ...]
    attrs: tuple[str, ...]


def node_types(graph: nx.MultiDiGraph) -> list[str]:
    """Every type kg knows gets a table, so ``MATCH (p:PERSON)`` works even on a graph without persons."""
    return sorted(set(TYPE_COLORS) | {str(d.get("type")) for _, d in graph.nodes(data=True)})


def rel_schemas(graph: nx.MultiDiGraph) -> list[RelSchema]:
    """One relationship table per predicate: its type pairs, kg's known attributes, then any others it carries."""
    pairs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    extras: dict[str, set[str]] = defaultdict(set)
    for u, v, data in graph.edges(data=True):
        predicate = str(data.get("predicate"))
        pairs[predicate].add((_type(graph, u), _type(graph, v)))
        extras[predicate].update(str(k) for k in data if k not in _NOT_ATTRS and k not in EDGE_ATTRS)
    return [RelSchema(p, tuple(sorted(pairs[p])), (*EDGE_ATTRS, *sorted(extras[p]))) for p in sorted(pairs)]


def schema_ddl(graph: nx.MultiDiGraph) -> list[str]:
    """The CREATE statements for ``graph``'s database."""
    columns = ", ".join(f"{_quote(name)} {kind}" for name, kind in NODE_COLUMNS)
    statements = [f"CREATE NODE TABLE {_quote(t)}({columns}, PRIMARY KEY (id))" for t in node_types(graph)]
    evidence = ", ".join(f"{name} {kind}" for name, kind in EVIDENCE_FIELDS)
    for rel in rel_schemas(graph):
        ends = ", ".join(f"FROM {_quote(a)} TO {_quote(b)}" for a, b in rel.pairs)
        attrs = "".join(f", {_quote(a)} {attr_type(a)}" for a in rel.attrs)
        statements.append(
            f"CREATE REL TABLE {_quote(rel.predicate)}({ends}, key STRING{attrs}, weight INT64, "
            f"evidence STRUCT({evidence})[])"
        )
    return statements


def write_database(
    graph: nx.MultiDiGraph, directory: str | Path, name: str = DB_NAME, engine: str = DEFAULT_ENGINE
) -> Path:
    """Write ``graph`` as the database ``directory/name``, replacing any previous one in a single rename.

    The database is built in a temporary file beside the target and closed (checkpointed) before the
    rename; on any error the temporary file goes and the previous database stays. Returns the target.
    """
    module = _engine(engine)
    target = Path(directory) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(target)
    with atomic_path(target) as tmp:
        # One checkpoint at the end instead of one per COPY: that halves the load time.
        database = module.Database(str(tmp), auto_checkpoint=False)
        try:
            connection = module.Connection(database)
            for statement in schema_ddl(graph):
                connection.execute(statement)
            _copy(connection, graph)
            connection.execute("CHECKPOINT")
            connection.close()
        finally:
            database.close()
            _wal(tmp).unlink(missing_ok=True)
        # A write-ahead log left by a crashed writer of the old database would be replayed into the new one.
        _wal(target).unlink(missing_ok=True)
    return target


@dataclass(frozen=True)
class TableRows:
    """The rows of one node table, or of one (predicate, from type, to type) part of a relationship table."""

    table: str
    ends: tuple[str, str] | None  # (from, to) node tables; None for a node table
    frame: pd.DataFrame  # object columns in the table's column order; relationships start with from, to


def table_rows(graph: nx.MultiDiGraph) -> Iterator[TableRows]:
    """The graph as rows for :func:`schema_ddl`'s tables, nodes first, in a deterministic order."""
    by_type: dict[str, list[list[Any]]] = defaultdict(list)
    for node, data in sorted(graph.nodes(data=True), key=lambda item: str(item[0])):
        values = {**data, "id": str(node), "type": _type(graph, node)}
        by_type[values["type"]].append([_node_value(name, values.get(name)) for name, _ in NODE_COLUMNS])
    for node_type, rows in sorted(by_type.items()):
        yield TableRows(node_type, None, _frame(rows, [name for name, _ in NODE_COLUMNS]))
    edges: dict[tuple[str, str, str], list[tuple[Any, Any, Any, dict]]] = defaultdict(list)
    for u, v, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: tuple(map(str, e[:3]))):
        edges[(str(data.get("predicate")), _type(graph, u), _type(graph, v))].append((u, v, key, data))
    for rel in rel_schemas(graph):
        columns = ["from", "to", "key", *rel.attrs, "weight", "evidence"]
        for ends in rel.pairs:
            rows = [
                [str(u), str(v), str(key), *(_attr_value(a, data.get(a)) for a in rel.attrs)]
                + [int(data.get("weight") or 0), [_evidence(ev) for ev in data.get("evidence") or []]]
                for u, v, key, data in edges[(rel.predicate, *ends)]
            ]
            yield TableRows(rel.predicate, ends, _frame(rows, columns))


def _frame(rows: list[list[Any]], columns: list[str]) -> pd.DataFrame:
    # Object columns: the engines map Python lists and dicts to LIST and STRUCT values.
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _copy(connection: Any, graph: nx.MultiDiGraph) -> None:
    """Bulk-load with COPY FROM DataFrames (the engine finds ``frame`` among the caller's local variables)."""
    for part in table_rows(graph):
        frame = part.frame  # noqa: F841
        ends = f" (from='{part.ends[0]}', to='{part.ends[1]}')" if part.ends else ""
        connection.execute(f"COPY {_quote(part.table)} FROM frame{ends}")


class GraphDatabase:
    """Cypher queries over a database written by :func:`write_database`, answering like ``KnowledgeGraph``.

    Entities are named by node id, label or alias, as in :class:`kg.query.KnowledgeGraph`.
    """

    def __init__(self, path: str | Path, engine: str = DEFAULT_ENGINE, read_only: bool = True) -> None:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no graph database at {path} (write one with kg build --db or kg db load)")
        module = _engine(engine)
        self.db_path = path
        self._database = module.Database(str(path), read_only=read_only)
        self._connection = module.Connection(self._database)

    def __enter__(self) -> GraphDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._connection.close()
        self._database.close()

    def query(self, cypher: str, **params: Any) -> pd.DataFrame:
        """Run ``cypher`` with ``$name`` parameters and return its rows."""
        result = self._connection.execute(cypher, params)
        return pd.DataFrame(result.get_all(), columns=result.get_column_names())

    def tables(self) -> dict[str, list[str]]:
        """Table names by kind (``NODE``, ``REL``)."""
        tables: dict[str, list[str]] = defaultdict(list)
        for row in self.query("CALL show_tables() RETURN name, type").itertuples(index=False):
            tables[row.type].append(row.name)
        return {kind: sorted(names) for kind, names in tables.items()}

    def who_did_what(self, name: str) -> pd.DataFrame:
        """Every relation out of and into the entity: the same table as ``KnowledgeGraph.who_did_what``."""
        node = self.resolve(name)
        rows = self.query(WHO_DID_WHAT, id=node)
        return edge_table(
            (row.direction, row.subject_id, row.subject, row.object_id, row.object, *self._edge(row.rel))
            for row in rows.itertuples(index=False)
        )

    def posts(self, name: str) -> pd.DataFrame:
        """Posts (任职) of a person: body, its type, title, support and evidence documents."""
        return self._if_table("任职", POSTS, self.resolve(name), ["body", "type", "title", "weight", "docs"])

    def donations(self, name: str) -> pd.DataFrame:
        """Donations (捐赠) of a person or organisation: item, amount (and its value), quantity, recipient, date."""
        columns = ["item", "amount", "amount_value", "amount_unit", "quantity", "recipient", "date", "weight"]
        return self._if_table("捐赠", DONATIONS, self.resolve(name), columns)

    def path(self, a: str, b: str) -> list[tuple[str, str, str]]:
        """(subject, predicate, object) triples along a shortest path, ignoring direction (as ``KnowledgeGraph.path``).

        Raises ``networkx.NetworkXNoPath`` when the entities are not connected within 30 hops.
        """
        src, dst = self.resolve(a), self.resolve(b)
        if src == dst:
            return []
        rows = self.query(PATH, a=src, b=dst)
        if rows.empty:
            raise nx.NetworkXNoPath(f"no path between {a!r} ({src}) and {b!r} ({dst})")
        labels = {_internal_id(_system(n, "id")): n["label"] for n in rows.iloc[0]["nodes"]}
        return [
            (labels[_internal_id(_system(r, "src"))], _system(r, "label"), labels[_internal_id(_system(r, "dst"))])
            for r in rows.iloc[0]["rels"]
        ]

    def resolve(self, name: str) -> str:
        """Node id for a node id, label or alias (a label beats an alias); ambiguity or no match raises."""
        # The primary-key lookup first: the label and alias scan below reads every node.
        if not self.query("MATCH (n) WHERE n.id = $name RETURN n.id", name=name).empty:
            return name
        key = name.strip().casefold()
        found = self.query(
            "MATCH (n) WHERE lower(trim(n.label)) = $key "
            "OR list_contains(list_transform(n.aliases, a -> lower(trim(a))), $key) "
            "RETURN n.id AS id, n.label AS label, n.aliases AS aliases",
            key=key,
        )
        by_label = sorted(found.loc[found["label"].map(lambda s: str(s).strip().casefold() == key), "id"])
        by_alias = sorted(found.loc[found["aliases"].map(lambda al: key in {a.strip().casefold() for a in al}), "id"])
        for ids in (by_label, by_alias):
            if len(ids) == 1:
                return ids[0]
            if ids:
                raise UnknownEntityError(f"{name!r} is ambiguous: {', '.join(ids)}; pass one of these node ids")
        raise UnknownEntityError(f"unknown entity {name!r} in {self.db_path}")

    def _if_table(self, predicate: str, cypher: str, node: str, columns: list[str]) -> pd.DataFrame:
        # A graph without that predicate has no table for it, and Cypher would reject the query.
        if predicate not in self.tables().get("REL", []):
            return pd.DataFrame(columns=columns)
        return self.query(cypher, id=node)

    @staticmethod
    def _edge(rel: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        data: dict[str, Any] = {"predicate": _system(rel, "label"), "weight": rel.get("weight")}
        for name, value in rel.items():
            if name.startswith("_") or name in _NOT_ATTRS or value is None:
                continue
            data[name] = _graph_value(value)
        data["evidence"] = list(rel.get("evidence") or [])
        return str(rel["key"]), data


def _graph_value(value: Any) -> Any:
    """kg's text form of a typed column: 60000.0 → "60000" (as extraction writes it), True → "true"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return plain_number(value)
    return value


def _node_value(name: str, value: Any) -> Any:
    if name in ("aliases", "documents"):
        return [str(v) for v in value or []]
    if name == "mentions":
        return int(value or 0)
    return None if value is None else str(value)


def _attr_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    kind = attr_type(name)
    if kind == "DOUBLE":
        return float(value)
    if kind == "BOOLEAN":
        return str(value).lower() == "true"
    return str(value)


def _evidence(record: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: (None if record.get(name) is None else int(record[name]) if kind == "INT64" else str(record[name]))
        for name, kind in EVIDENCE_FIELDS
    }


def _system(value: Mapping[str, Any], name: str) -> Any:
    """A system field of a returned node or relationship: LadybugDB writes ``_LABEL``, Kùzu ``_label``."""
    return value[f"_{name.upper()}"] if f"_{name.upper()}" in value else value[f"_{name}"]


def _internal_id(value: Mapping[str, int]) -> tuple[int, int]:
    return value["table"], value["offset"]


def _type(graph: nx.MultiDiGraph, node: Any) -> str:
    return str(graph.nodes[node].get("type"))


def _quote(name: str) -> str:
    # Table and column names come from the data (types, predicates, rule group names); Cypher has no
    # escape for a backtick inside a quoted name.
    if "`" in name:
        raise ValueError(f"{name!r}: a backtick cannot appear in a table or property name")
    return f"`{name}`"


def _engine(name: str) -> ModuleType:
    if name not in ENGINES:
        raise ValueError(f"unknown graph database engine {name!r}; expected one of {', '.join(ENGINES)}")
    return importlib.import_module(name)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _remove_stale(target: Path) -> None:
    """Temporary databases of killed runs (``.graph.<hex>.tmp.db`` and their logs) are litter."""
    for stale in target.parent.glob(f".{target.stem}.*.tmp{target.suffix}*"):
        stale.unlink(missing_ok=True)
