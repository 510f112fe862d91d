"""Neo4j import files: CSVs for ``neo4j-admin database import full`` and a ``LOAD CSV`` script for a running server.

``nodes.csv`` has the header ``id:ID,label,type,aliases:string[],mentions:int,documents:string[],:LABEL``; every
node carries the label ``Entity`` plus its type (``PERSON`` …). ``relationships.csv`` has ``:START_ID,:END_ID,
:TYPE`` (the predicate, 任职 …), the edge key, kg's attributes (numbers as ``double``, flags as ``boolean``),
``weight:int`` and the evidence as parallel arrays (``evidence_doc:string[]``, ``evidence_sentence:int[]`` …).
Arrays are joined with U+001F (unit separator), which never occurs in news text, instead of Neo4j's default
``;``, which does; pass ``--array-delimiter=U+001F`` to the import. Files are UTF-8 without BOM, RFC 4180 quoting.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from kg.atomic import atomic_write_bytes
from kg.graphdb import EVIDENCE_FIELDS, attr_type, rel_schemas

__all__ = ["ARRAY_DELIMITER", "IMPORT_COMMAND", "NEO4J_TYPES", "write_neo4j"]

ARRAY_DELIMITER = "\x1f"
NODES_FILE, RELATIONSHIPS_FILE, SCRIPT_FILE = "nodes.csv", "relationships.csv", "load.cypher"
ENTITY_LABEL = "Entity"
IMPORT_COMMAND = (
    "neo4j-admin database import full neo4j --overwrite-destination --array-delimiter=U+001F "
    "--multiline-fields=true --nodes={dir}/nodes.csv --relationships={dir}/relationships.csv"
)
# The graph database's column types in the import tool's names.
NEO4J_TYPES = {"STRING": "string", "INT64": "int", "DOUBLE": "double", "BOOLEAN": "boolean"}

_NODE_HEADER = (
    ("id", "ID"),
    ("label", "string"),
    ("type", "string"),
    ("aliases", "string[]"),
    ("mentions", "int"),
    ("documents", "string[]"),
    ("division", "string"),
    ("division_code", "string"),
)


def write_neo4j(graph: nx.MultiDiGraph, directory: str | Path) -> dict[str, Path]:
    """Write nodes.csv, relationships.csv and load.cypher into ``directory``; returns file name -> path."""
    out = Path(directory)
    rel_columns = _rel_columns(graph)
    payloads = {
        NODES_FILE: _csv([*(_header(n, t) for n, t in _NODE_HEADER), ":LABEL"], _node_rows(graph)),
        RELATIONSHIPS_FILE: _csv(
            [":START_ID", ":END_ID", ":TYPE", *(_header(n, t) for n, t in rel_columns)],
            _rel_rows(graph, rel_columns),
        ),
        SCRIPT_FILE: _script(graph, rel_columns).encode("utf-8"),
    }
    out.mkdir(parents=True, exist_ok=True)
    return {name: atomic_write_bytes(out / name, data) for name, data in payloads.items()}


def _rel_columns(graph: nx.MultiDiGraph) -> list[tuple[str, str]]:
    attrs = list(dict.fromkeys(a for rel in rel_schemas(graph) for a in rel.attrs))
    columns = [("key", "string"), *((a, NEO4J_TYPES[attr_type(a)]) for a in attrs), ("weight", "int")]
    columns += [(f"evidence_{name}", NEO4J_TYPES[kind] + "[]") for name, kind in EVIDENCE_FIELDS]
    return columns


def _header(name: str, kind: str) -> str:
    if kind == "ID":
        return f"{name}:ID"
    # string is the import tool's default; writing it anyway keeps every column's type explicit.
    return f"{name}:{kind}"


def _node_rows(graph: nx.MultiDiGraph) -> Iterable[list[str]]:
    for node, data in sorted(graph.nodes(data=True), key=lambda item: str(item[0])):
        values = {**data, "id": str(node)}
        row = [_cell(values.get(name), kind) for name, kind in _NODE_HEADER]
        yield [*row, _join([ENTITY_LABEL, str(data.get("type"))])]


def _rel_rows(graph: nx.MultiDiGraph, columns: list[tuple[str, str]]) -> Iterable[list[str]]:
    for u, v, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: tuple(map(str, e[:3]))):
        evidence = data.get("evidence") or []
        values = {**data, "key": key, **{f"evidence_{n}": [ev.get(n) for ev in evidence] for n, _ in EVIDENCE_FIELDS}}
        yield [str(u), str(v), str(data.get("predicate")), *(_cell(values.get(n), kind) for n, kind in columns)]


def _cell(value: Any, kind: str) -> str:
    """A value in the import tool's syntax; an empty cell means "no property"."""
    if value is None:
        return ""
    if kind.endswith("[]"):
        return _join(_cell(v, kind[:-2]) for v in value) if value else ""
    if kind == "boolean":
        return "true" if str(value).lower() == "true" else "false"
    if kind == "int":
        return str(int(value))
    if kind == "double":
        return repr(float(value))
    return str(value)


def _join(values: Iterable[str]) -> str:
    # The delimiter inside a value would split it; a space keeps the text readable.
    return ARRAY_DELIMITER.join(v.replace(ARRAY_DELIMITER, " ") for v in values)


def _csv(header: list[str], rows: Iterable[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _script(graph: nx.MultiDiGraph, rel_columns: list[tuple[str, str]]) -> str:
    """LOAD CSV statements (one per label and relationship type, so labels stay static Cypher) and a constraint.

    MERGE on the node id and the edge key makes a second run update instead of duplicating.
    """
    node_sets = ", ".join(f"n.{n} = {_read(n, k)}" for n, k in _NODE_HEADER if k != "ID")
    rel_sets = ", ".join(f"r.{n} = {_read(n, k)}" for n, k in rel_columns if n != "key")
    lines = [
        "// kg graph for a running Neo4j server: copy nodes.csv and relationships.csv into its import folder,",
        "// then: cypher-shell -u neo4j -p PASSWORD -f load.cypher",
        f"CREATE CONSTRAINT kg_entity_id IF NOT EXISTS FOR (n:{ENTITY_LABEL}) REQUIRE n.id IS UNIQUE;",
    ]
    for node_type in sorted({str(d.get("type")) for _, d in graph.nodes(data=True)}):
        lines.append(
            f"LOAD CSV WITH HEADERS FROM 'file:///{NODES_FILE}' AS row "
            f"WITH row WHERE row.`type:string` = '{node_type}' "
            f"MERGE (n:{ENTITY_LABEL} {{id: row.`id:ID`}}) SET n:`{node_type}`, {node_sets};"
        )
    for rel in rel_schemas(graph):
        lines.append(
            f"LOAD CSV WITH HEADERS FROM 'file:///{RELATIONSHIPS_FILE}' AS row "
            f"WITH row WHERE row.`:TYPE` = '{rel.predicate}' "
            f"MATCH (s:{ENTITY_LABEL} {{id: row.`:START_ID`}}), (o:{ENTITY_LABEL} {{id: row.`:END_ID`}}) "
            f"MERGE (s)-[r:`{rel.predicate}` {{key: row.`key:string`}}]->(o) SET {rel_sets};"
        )
    return "\n".join(lines) + "\n"


def _read(name: str, kind: str) -> str:
    """Cypher reading column ``name`` of type ``kind`` from a LOAD CSV row (empty cells are null)."""
    cell = f"row.`{_header(name, kind)}`"
    base = kind.removesuffix("[]")
    convert = {"int": "toInteger({})", "double": "toFloat({})", "boolean": "toBoolean({})"}.get(base, "{}")
    if kind.endswith("[]"):
        item = convert.format("x")
        return f"CASE WHEN {cell} IS NULL THEN [] ELSE [x IN split({cell}, '\\u001F') | {item}] END"
    return convert.format(cell)
