"""Write a kg graph as GraphML and GEXF (Gephi), node-link JSON (lossless, for ``kg.query``) and CSV (Excel).

Every file is written atomically and is byte-identical for the same graph, whatever the insertion
order: nodes, edges and attribute keys are sorted before serialising, and nothing time-dependent is
written. The input graph is never modified; the XML formats are produced from sanitised copies
because networkx writes attribute values with ``str()`` and types them per value, which breaks on
None, lists, dicts, numpy scalars and keys whose type differs between elements.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import networkx as nx
import numpy as np

from kg.atomic import atomic_write_bytes

__all__ = [
    "DEFAULT_COLOR",
    "EDGE_ATTRS",
    "TYPE_COLORS",
    "Export",
    "export_all",
    "format_evidence",
    "to_jsonable",
    "to_scalar",
    "xml_text",
]

# Tableau-10 hues, the same as kg.render uses, so Gephi and the browser colour entity types alike.
TYPE_COLORS: dict[str, str] = {
    "PERSON": "#4e79a7",
    "ORG": "#f28e2b",
    "GPE": "#59a14f",
    "LOC": "#76b7b2",
    "MATERIAL": "#edc948",
    "GROUP": "#ff9da7",
    "DOCUMENT": "#b07aa1",
    "EVENT": "#e15759",
}
DEFAULT_COLOR = "#9e9e9e"

# Optional edge attributes kg's extraction rules produce, in the order CSV columns show them.
EDGE_ATTRS: tuple[str, ...] = (
    "title",
    "amount",
    "amount_value",
    "amount_unit",
    "amount_approximate",
    "quantity",
    "quantity_value",
    "quantity_unit",
    "quantity_approximate",
    "recipient",
    "date",
    "role",
    "caption",
)

Scalar = bool | int | float | str
_PLAIN = frozenset({str, int, bool, type(None)})  # exactly these types; subclasses (IntEnum, numpy) are converted

NODE_COLUMNS = ("id", "label", "type", "aliases", "mentions", "documents", "division", "division_code", "degree")

# Names the GEXF writer consumes as XML attributes or special structures (and so would drop or
# misread); "label", "weight" and "viz" are not listed because the exporter sets them on purpose.
_GEXF_RESERVED = {
    "node": frozenset({"id", "pid", "start", "end", "parents", "spells", "slices"}),
    "edge": frozenset({"id", "key", "type", "start", "end", "spells", "slices", "viz"}),
}
# networkx stamps the GEXF <meta> with today's date, which would make the output differ day to day.
_GEXF_DATE = re.compile(rb' lastmodifieddate="[^"]*"')
# Characters XML 1.0 forbids even escaped (C0 controls but tab and line breaks, surrogates, U+FFFE/FFFF): one
# of them makes every XML reader refuse the whole GraphML/GEXF file. Each becomes U+FFFD, so names keep their
# length and evidence offsets still line up.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A spreadsheet runs a cell that starts like this as a formula (OWASP, "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_all(graph: nx.MultiDiGraph, out_dir: str | Path) -> dict[str, Path]:
    """Write graph.graphml, graph.gexf, graph.json, nodes.csv and edges.csv into ``out_dir``.

    All payloads are serialised before the first file is written, so a graph that cannot be
    exported leaves every previous output untouched. Returns format name -> written path.
    """
    return Export(graph).write(out_dir)


class Export:
    """The exports of one graph, begun at once and written by :meth:`write`.

    With an ``executor`` (a process pool) the GraphML and GEXF payloads, the slowest and needing only the flat
    view, are serialised there while this process goes on (the JSON and CSV payloads, the page); the bytes are
    the same either way.
    """

    def __init__(self, graph: nx.MultiDiGraph, executor: Executor | None = None):
        self.graph = graph
        flat = _flatten(graph)
        self._xml: dict[str, Future[bytes]] = {}
        for filename, writer in (("graph.graphml", _graphml_bytes), ("graph.gexf", _gexf_bytes)):
            if executor is not None:  # each file on its own: ElementTree's serialiser is the slowest step of all
                self._xml[filename] = executor.submit(writer, flat)
            else:
                self._xml[filename] = Future()
                self._xml[filename].set_result(writer(flat))

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        payloads = {
            "graph.json": _json_bytes(self.graph),
            "nodes.csv": _nodes_csv(self.graph),
            "edges.csv": _edges_csv(self.graph),
            **{filename: future.result() for filename, future in self._xml.items()},
        }
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        return {_FORMATS[filename]: atomic_write_bytes(out / filename, data) for filename, data in payloads.items()}


_FORMATS = {
    "graph.graphml": "graphml",
    "graph.gexf": "gexf",
    "graph.json": "json",
    "nodes.csv": "nodes",
    "edges.csv": "edges",
}


def to_jsonable(value: Any) -> Any:
    """Convert numpy values and containers to plain JSON types; NaN/inf become None (JSON has neither)."""
    if type(value) in _PLAIN:  # most values of a graph: no conversion, no further test
        return value
    if isinstance(value, np.generic):
        value = value.item()
    elif isinstance(value, np.ndarray):
        value = value.tolist()
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        if all(type(k) is str and type(v) in _PLAIN for k, v in value.items()):  # an evidence record: as it is
            return dict(value)
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        # Sets have no order; sort so the output does not depend on the hash seed.
        return sorted((to_jsonable(v) for v in value), key=str)
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return str(value)


def to_scalar(value: Any) -> Scalar | None:
    """Flatten an attribute value to one GraphML/GEXF/CSV scalar; None means "leave the key out".

    Lists of scalars are joined with "|", anything nested (evidence, dicts) becomes a JSON string,
    empty containers count as missing.
    """
    if type(value) in _PLAIN:
        return value
    value = to_jsonable(value)
    if isinstance(value, list):
        if not value:
            return None
        if any(isinstance(v, list | dict) for v in value):
            return _dumps(value)
        return "|".join(str(v) for v in value if v is not None)
    if isinstance(value, dict):
        return _dumps(value) if value else None
    return value


def format_evidence(evidence: Iterable[Mapping[str, Any]] | None) -> str:
    """One readable line per supporting sentence, ``doc#sentence: text``, joined with " || "."""
    parts = []
    for ev in evidence or ():
        text = " ".join(str(ev.get("text") or "").split())  # newlines would break spreadsheet rows
        parts.append(f"{ev.get('doc', '')}#{ev.get('sentence', '')}: {text}")
    return " || ".join(parts)


@dataclass
class _Flat:
    """Sorted, scalar-only view of a graph shared by the GraphML and GEXF writers."""

    graph: dict[str, Scalar]
    nodes: list[tuple[str, dict[str, Scalar]]]
    edges: list[tuple[str, str, str, dict[str, Scalar]]]
    degree: dict[str, int]


def _flatten(graph: nx.MultiDiGraph) -> _Flat:
    # node_default/edge_default are networkx writer settings, not data.
    graph_attrs = _flat_attrs({k: v for k, v in graph.graph.items() if k not in ("node_default", "edge_default")})
    nodes = []
    for node, data in _sorted_nodes(graph):
        attrs = _flat_attrs(data)
        attrs["label"] = xml_text(str(attrs.get("label", node)))
        nodes.append((xml_text(str(node)), attrs))
    edges = []
    for u, v, key, data in _sorted_edges(graph):
        attrs = _flat_attrs(data)
        attrs["label"] = xml_text(str(attrs.get("predicate", key)))
        edges.append((xml_text(str(u)), xml_text(str(v)), xml_text(str(key)), attrs))
    _unify_types(attrs for _, attrs in nodes)
    _unify_types(attrs for *_, attrs in edges)
    return _Flat(graph_attrs, nodes, edges, {xml_text(str(n)): d for n, d in graph.degree()})


def _flat_attrs(data: Mapping[Any, Any]) -> dict[str, Scalar]:
    flat = {}
    for key in sorted(data) if all(type(k) is str for k in data) else sorted(data, key=str):
        value = to_scalar(data[key])
        if value is not None:
            flat[xml_text(str(key))] = xml_text(value) if isinstance(value, str) else value
    return flat


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 forbids replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _unify_types(attr_dicts: Iterable[dict[str, Scalar]]) -> None:
    """Give each attribute key one type across all elements (GraphML/GEXF declare a type per key)."""
    dicts = list(attr_dicts)
    seen: dict[str, set[type]] = defaultdict(set)
    for attrs in dicts:
        for key, value in attrs.items():
            seen[key].add(type(value))
    common = {key: _common_type(types) for key, types in seen.items()}
    for attrs in dicts:
        for key, value in attrs.items():
            if type(value) is not common[key]:
                attrs[key] = common[key](value)


def _common_type(types: set[type]) -> type:
    if len(types) == 1:
        return next(iter(types))
    # bool is deliberately not numeric here: GraphML would read "True" back as an int and fail.
    if types <= {int, float}:
        return float
    return str


def _graphml_bytes(flat: _Flat) -> bytes:
    copy = nx.MultiDiGraph()
    copy.graph.update(flat.graph)
    copy.add_nodes_from(flat.nodes)
    # Gephi requires edge ids unique in the whole document, kg keys are only unique per node pair:
    # number the edges and keep the original key as an attribute.
    copy.add_edges_from((u, v, f"e{i}", {**attrs, "key": key}) for i, (u, v, key, attrs) in enumerate(flat.edges))
    buf = io.BytesIO()
    # The ElementTree writer, named: nx.write_graphml picks lxml where installed, which lays the file out
    # differently, and the bytes must not depend on what else the machine has.
    nx.write_graphml_xml(copy, buf)
    return buf.getvalue()


def _gexf_bytes(flat: _Flat) -> bytes:
    copy = nx.MultiDiGraph()
    for node, attrs in flat.nodes:
        data = _gexf_names(attrs, "node")
        data["viz"] = {
            "color": _rgba(TYPE_COLORS.get(str(attrs.get("type")), DEFAULT_COLOR)),
            # sqrt keeps hubs visible without dwarfing everything else.
            "size": round(10 + 5 * math.sqrt(flat.degree[node]), 2),
        }
        copy.add_node(node, **data)
    # The GEXF writer numbers edges itself and stores our key as "networkx_key", so read_gexf restores it.
    copy.add_edges_from((u, v, key, _gexf_names(attrs, "edge")) for u, v, key, attrs in flat.edges)
    buf = io.BytesIO()
    nx.write_gexf(copy, buf)
    data = _GEXF_DATE.sub(b"", buf.getvalue())
    # GEXF has no graph attributes; its <meta> description is where Gephi shows what built the file.
    description = escape(", ".join(f"{k}: {v}" for k, v in sorted(flat.graph.items())))
    return data.replace(b"</creator>", b"</creator>\n    <description>" + description.encode() + b"</description>", 1)


def _gexf_names(attrs: dict[str, Scalar], scope: str) -> dict[str, Scalar]:
    reserved = _GEXF_RESERVED[scope]
    return {f"{k}_attr" if k in reserved else k: v for k, v in attrs.items()}


def _rgba(hex_color: str) -> dict[str, int | float]:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return {"r": r, "g": g, "b": b, "a": 1.0}


def _json_bytes(graph: nx.MultiDiGraph) -> bytes:
    copy = nx.MultiDiGraph()
    copy.graph.update(to_jsonable(graph.graph))
    copy.add_nodes_from((n, to_jsonable(d)) for n, d in _sorted_nodes(graph))
    copy.add_edges_from((u, v, k, to_jsonable(d)) for u, v, k, d in _sorted_edges(graph))
    data = nx.node_link_data(copy, edges="edges")
    # No indent: json's C encoder serves only unindented output, four times faster on a large graph.
    return (json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _nodes_csv(graph: nx.MultiDiGraph) -> bytes:
    rows = []
    degrees = dict(graph.degree())  # once: a MultiDiGraph's degree of one node walks its adjacency
    for node, data in _sorted_nodes(graph):
        values = {**data, "id": node, "label": _label(graph, node), "degree": degrees[node]}
        rows.append([_cell(values.get(col)) for col in NODE_COLUMNS])
    return _csv_bytes(NODE_COLUMNS, rows)


def _edges_csv(graph: nx.MultiDiGraph) -> bytes:
    edges = _sorted_edges(graph)
    present = {str(k) for *_, data in edges for k in data}
    # Known attributes always get a column so the sheet layout is stable from run to run.
    extras = sorted(present - set(EDGE_ATTRS) - {"predicate", "weight", "evidence"})
    attr_cols = [*EDGE_ATTRS, *extras]
    header = ["source", "target", "source_label", "target_label", "predicate", *attr_cols]
    header += ["weight", "evidence", "evidence_json"]
    rows = []
    for u, v, _key, data in edges:
        named = {str(k): val for k, val in data.items()}
        evidence = to_jsonable(named.get("evidence")) or []
        row = [str(u), str(v), _label(graph, u), _label(graph, v), _cell(named.get("predicate"))]
        row += [_cell(named.get(col)) for col in attr_cols]
        row += [_cell(named.get("weight")), format_evidence(evidence), _dumps(evidence)]
        rows.append(row)
    return _csv_bytes(header, rows)


def _csv_bytes(header: Iterable[str], rows: Iterable[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows([_inert(cell) for cell in row] for row in rows)
    # The BOM is what makes Excel detect UTF-8 instead of mangling Chinese with the ANSI code page.
    return buf.getvalue().encode("utf-8-sig")


def _inert(cell: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading apostrophe (OWASP)."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _cell(value: Any) -> str:
    scalar = to_scalar(value)
    return "" if scalar is None else str(scalar)


def _label(graph: nx.MultiDiGraph, node: Any) -> str:
    return str(graph.nodes[node].get("label") or node)


def _sorted_nodes(graph: nx.MultiDiGraph) -> list[tuple[Any, dict]]:
    return sorted(graph.nodes(data=True), key=lambda item: str(item[0]))


def _sorted_edges(graph: nx.MultiDiGraph) -> list[tuple[Any, Any, Any, dict]]:
    return sorted(graph.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2])))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
