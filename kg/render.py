"""Render a kg graph as one self-contained, offline HTML page.

The page comes from ``kg/templates/graph.html`` with vis-network's node/edge/option data embedded as JSON; the
vis-network JS/CSS shipped inside the pyvis wheel is inlined, so the page never touches the network (pyvis 0.3.2's
own template pulls bootstrap, tom-select and vis-network from CDNs, and its Network class checks every new node
and edge against lists of all earlier ones, which is quadratic in the graph size).

Small graphs are laid out in the browser by vis-network's physics. Big ones are laid out here (see
``PYTHON_LAYOUT_NODES``), and whatever the size the canvas starts with the ``CANVAS_NODES`` entities of highest
degree; the others are in the page's data, reachable through the filters and the search.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyvis
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from kg.atomic import atomic_write_text
from kg.export import DEFAULT_COLOR, TYPE_COLORS

__all__ = ["CANVAS_NODES", "PYTHON_LAYOUT_NODES", "TYPE_NAMES", "build_html", "render_html", "segments"]

# Legend names; colours come from kg.export so Gephi and the browser colour entity types alike.
TYPE_NAMES: dict[str, str] = {
    "PERSON": "人物",
    "ORG": "机构",
    "GPE": "行政区划",
    "LOC": "地点",
    "MATERIAL": "物资",
    "GROUP": "群体",
    "DOCUMENT": "文件",
    "EVENT": "事件",
}

# Past this many entities vis-network's in-browser simulation needs longer than a first paint may take and still
# leaves a hairball (unsettled nodes on a ring around a knot): positions are computed in Python instead and the
# page's physics stays off.
PYTHON_LAYOUT_NODES = 500
# At most this many entities are in vis-network's DataSet at once, highest degree first. vis-network simulates
# and draws every node of its DataSet, hidden ones too, so the others are left out of it altogether until a
# filter or the search asks for them: the first paint is bounded whatever the graph size, and the labels of a
# first view stay legible on a laptop screen.
CANVAS_NODES = 200

_CANVAS_LABEL = 12  # characters of a node label drawn on the canvas
_FONT_FACE = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
_LAYOUT_SEED = 20200120
# Edge length of the Python layout in vis-network pixels at scale 1, about the physics' spring length.
_EDGE_PX = 110
# Distance the Python layout keeps between most entities of a first view, in the same pixels: a short label.
_LABEL_GAP_PX = 70
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
_VIS_DIR = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"

# Characters that could end a <script> block or open an HTML comment/CDATA inside embedded JSON;
# U+2028/2029 are escaped too so the JSON stays valid if someone pastes it into JS source.
_SCRIPT_SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def render_html(graph: nx.MultiDiGraph, path: Path, *, title: str, provenance: dict[str, str]) -> None:
    """Write ``graph`` to ``path`` as a self-contained interactive HTML page (UTF-8, atomic, deterministic).

    The graph is only read. The same graph, title and provenance always give byte-identical output.
    """
    html = build_html(graph, title=title, provenance=provenance)
    atomic_write_text(path, html)


def build_html(graph: nx.MultiDiGraph, *, title: str, provenance: dict[str, str]) -> str:
    """The page as a string; ``render_html`` writes it."""
    node_keys = sorted(graph.nodes, key=str)
    index = {key: i for i, key in enumerate(node_keys)}
    edges = sorted(
        graph.edges(keys=True, data=True),
        key=lambda e: (str(e[0]), str(e[1]), str(e[3].get("predicate", "")), str(e[2])),
    )
    types = {str(graph.nodes[k].get("type", "")) for k in node_keys}
    colours = {t: TYPE_COLORS.get(t, DEFAULT_COLOR) for t in types}
    node_colours = {t: _node_colour(colour) for t, colour in colours.items()}  # one per type, not per node
    degrees = dict(graph.degree())  # once: a MultiDiGraph's degree of one node walks its adjacency
    positions = _positions(graph, node_keys, degrees) if len(node_keys) > PYTHON_LAYOUT_NODES else None

    vis_nodes = []
    node_details = []
    for i, key in enumerate(node_keys):
        attrs = graph.nodes[key]
        label = str(attrs.get("label") or key)
        node_type = str(attrs.get("type", ""))
        degree = degrees[key]
        vis_node: dict[str, Any] = {
            "id": i,
            # Document titles can be whole headlines; the canvas gets their start, the side panel all of it.
            "label": label if len(label) <= _CANVAS_LABEL else label[: _CANVAS_LABEL - 1] + "…",
            "color": node_colours[node_type],
            # sqrt keeps hubs prominent without letting them swallow the canvas.
            "size": round(min(8 + 4 * math.sqrt(degree), 48), 2),
        }
        if positions is not None:
            vis_node["x"], vis_node["y"] = positions[i]
        vis_nodes.append(vis_node)
        node_details.append(
            {
                "key": str(key),
                "label": label,
                "type": node_type,
                "aliases": sorted({str(a) for a in attrs.get("aliases", ())} - {label}),
                "mentions": int(attrs.get("mentions") or 0),
                "documents": sorted({str(d) for d in attrs.get("documents", ())}),
                "degree": degree,
            }
        )

    # Parallel edges between two nodes would be drawn on top of each other; bend each by a different amount.
    pair_seen: Counter[frozenset[Any]] = Counter()
    pair_total = Counter(frozenset((u, v)) for u, v, _, _ in edges)
    vis_edges = []
    edge_details = []
    for j, (u, v, _key, attrs) in enumerate(edges):
        pair = frozenset((u, v))
        predicate = str(attrs.get("predicate", ""))
        evidence = list(attrs.get("evidence", ()))
        weight = int(attrs.get("weight") or len(evidence) or 1)
        vis_edge: dict[str, Any] = {
            "id": j,
            "from": index[u],
            "to": index[v],
            "label": predicate,
            "width": round(min(1 + 1.5 * math.log2(max(weight, 1)), 8), 2),
        }
        if pair_total[pair] > 1:
            vis_edge["smooth"] = {
                "enabled": True,
                "type": "curvedCW",
                "roundness": round(min(0.2 + 0.25 * pair_seen[pair], 1.0), 2),
            }
        pair_seen[pair] += 1
        vis_edges.append(vis_edge)
        edge_details.append(
            {
                "from": index[u],
                "to": index[v],
                "predicate": predicate,
                "weight": weight,
                "attrs": {
                    k: str(val)
                    for k, val in sorted(attrs.items())
                    if k not in ("predicate", "weight", "evidence") and isinstance(val, (str, int, float))
                },
                "evidence": [
                    _evidence(ev, _names(graph.nodes[u], u), _names(graph.nodes[v], v))
                    for ev in sorted(evidence, key=_evidence_order)
                ],
            }
        )

    data = {
        "vis": {"nodes": vis_nodes, "edges": vis_edges, "options": _vis_options(len(node_keys), positions is None)},
        "nodes": node_details,
        "edges": edge_details,
        "types": {t: TYPE_NAMES.get(t, t) for t in sorted(colours)},
        # A small graph is bounded by PYTHON_LAYOUT_NODES already and keeps every entity on the canvas.
        "canvasNodes": CANVAS_NODES if positions is not None else len(node_keys),
    }

    type_counts = Counter(d["type"] for d in node_details)
    predicate_counts = Counter(d["predicate"] for d in edge_details)
    env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(resources.files("kg").joinpath("templates/graph.html").read_text(encoding="utf-8"))
    return template.render(
        title=title,
        provenance=list(provenance.items()),
        node_count=len(node_details),
        edge_count=len(edge_details),
        isolated_count=sum(d["degree"] == 0 for d in node_details),
        legend=[
            {"type": t, "colour": colours[t], "name": TYPE_NAMES.get(t, t), "count": type_counts[t]}
            for t in sorted(type_counts, key=_type_order)
        ],
        predicates=sorted(predicate_counts.items(), key=lambda pc: (-pc[1], pc[0])),
        data_json=Markup(_script_json(data)),
        vis_css=Markup(_vendor_asset("vis-network.css", ("</style",))),
        # "<!--" could switch the HTML tokenizer into a state where "</script>" no longer ends the block.
        vis_js=Markup(_vendor_asset("vis-network.min.js", ("</script", "<!--"))),
        font_face=Markup(_FONT_FACE),
    )


def _type_order(node_type: str) -> tuple[int, str]:
    """Known types in contract order, then unknown ones alphabetically."""
    order = list(TYPE_NAMES)
    return (order.index(node_type) if node_type in TYPE_NAMES else len(order), node_type)


def _node_colour(hex_colour: str) -> dict[str, Any]:
    border = _darken(hex_colour)
    return {
        "background": hex_colour,
        "border": border,
        "highlight": {"background": hex_colour, "border": "#222222"},
        "hover": {"background": hex_colour, "border": "#222222"},
    }


def _darken(hex_colour: str, factor: float = 0.7) -> str:
    rgb = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{int(c * factor):02x}" for c in rgb)


def _vis_options(node_count: int, physics: bool) -> dict[str, Any]:
    layout: dict[str, Any] = {"randomSeed": _LAYOUT_SEED, "improvedLayout": False}
    if not physics:
        return {"autoResize": True, "layout": layout, "physics": {"enabled": False}, **_vis_looks(node_count)}
    # A fixed seed makes the initial placement, and so the stabilised layout, the same on every load.
    # Kamada-Kawai pre-layout is quadratic; past ~150 nodes it costs more than it helps.
    layout["improvedLayout"] = node_count <= 150
    return {
        "autoResize": True,
        "layout": layout,
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -60,
                # News graphs fall into many small components; enough gravity keeps them on one screen.
                "centralGravity": 0.035,
                "springLength": _EDGE_PX,
                "springConstant": 0.06,
                "avoidOverlap": 0.5,
            },
            "minVelocity": 1,
            # Fewer iterations for big graphs keep the time to a usable page to a few seconds.
            "stabilization": {
                "enabled": True,
                "iterations": max(200, min(800, 120_000 // max(node_count, 1))),
                "updateInterval": 25,
                "fit": True,
            },
        },
        **_vis_looks(node_count),
    }


def _vis_looks(node_count: int) -> dict[str, Any]:
    """The interaction, node and edge options, the same with or without physics."""
    return {
        "interaction": {"hover": True, "tooltipDelay": 200, "hideEdgesOnDrag": node_count > 300},
        "nodes": {
            "shape": "dot",
            "borderWidth": 1.5,
            "font": {
                "size": 18,
                "face": _FONT_FACE,
                "color": "#222222",
                "strokeWidth": 4,
                "strokeColor": "#ffffff",
            },
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"color": "#a0a7b0", "highlight": "#333333", "hover": "#555555"},
            "font": {
                "size": 12,
                "face": _FONT_FACE,
                "color": "#4a4a4a",
                # Rotated CJK labels on steep edges are hard to read; keep them level.
                "align": "horizontal",
                "strokeWidth": 4,
                "strokeColor": "#ffffff",
            },
            "smooth": {"enabled": True, "type": "continuous", "roundness": 0.3},
            "selectionWidth": 1.5,
        },
    }


def _positions(graph: nx.MultiDiGraph, node_keys: list[Any], degrees: dict[Any, int]) -> list[tuple[float, float]]:
    """x/y of every node, in time linear in the graph beyond a spring layout of ``CANVAS_NODES`` nodes.

    The entities the page shows first (the ``CANVAS_NODES`` of highest degree, as the page ranks them) are laid
    out together by spring_layout, per component of the subgraph they induce, since that subgraph is exactly
    the first view. Every other entity sits around the laid-out neighbour it is first reached from (breadth
    first), so the search or a filter brings it in next to what it is related to. Components that never touch
    the first view, and isolated entities, are laid out the same way from their best connected entity and
    packed in rows after the rest, biggest first.
    """
    index = {key: i for i, key in enumerate(node_keys)}
    simple = nx.Graph()
    simple.add_nodes_from(range(len(node_keys)))
    # Sorted, so that adjacency (and so every set and layout built from it) does not follow insertion order.
    simple.add_edges_from(sorted((index[u], index[v]) for u, v in graph.edges() if u != v))
    degree = [degrees[key] for key in node_keys]
    ranked = sorted((i for i in range(len(node_keys)) if degree[i]), key=lambda i: (-degree[i], i))
    first = ranked[:CANVAS_NODES]
    pieces = [_spring(simple.subgraph(c)) for c in nx.connected_components(simple.subgraph(first))]
    core = _pack(sorted(pieces, key=lambda p: (-len(p), min(p))))
    placed = _grow(simple, core, first)
    # The rest of the graph: components the first view does not reach, isolated entities last.
    unreached = (c for c in nx.connected_components(simple) if placed.keys().isdisjoint(c))
    rest = sorted((sorted(c, key=lambda i: (-degree[i], i)) for c in unreached), key=lambda c: (-len(c), c[0]))
    pieces = [placed] + [_grow(simple, {c[0]: (0.0, 0.0)}, c[:1]) for c in rest]
    return [(round(x, 1), round(y, 1)) for _, (x, y) in sorted(_pack(pieces).items())]


def _spring(component: nx.Graph) -> dict[int, tuple[float, float]]:
    """spring_layout of one component (fixed seed), scaled so that edges come out about ``_EDGE_PX`` long."""
    if len(component) == 1:
        return {next(iter(component)): (0.0, 0.0)}
    layout = nx.spring_layout(component, seed=_LAYOUT_SEED)
    points = np.array([layout[node] for node in component])
    gaps = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(gaps, np.inf)
    # Leaves round a hub crowd together at any edge length: scale until most entities are a label's width
    # from their nearest neighbour, and edges at least _EDGE_PX long.
    nearest = np.quantile(gaps.min(axis=1), 0.25)
    median_edge = np.median([math.dist(layout[u], layout[v]) for u, v in component.edges()])
    factor = max(_LABEL_GAP_PX / max(nearest, 1e-9), _EDGE_PX / max(median_edge, 1e-9))
    return {node: (float(x) * factor, float(y) * factor) for node, (x, y) in zip(component, points, strict=True)}


def _grow(graph: nx.Graph, placed: dict[int, tuple[float, float]], roots: list[int]) -> dict[int, tuple[float, float]]:
    """``placed`` plus everything reachable from it, each new node on a sunflower spiral round its parent.

    Breadth first from ``roots`` (the placed nodes, best first), so a node hangs off the most prominent
    placed neighbour.
    The spiral (golden angle, radius growing with the square root of the child's number) spreads any number of
    children evenly without overlap.
    """
    placed = dict(placed)
    queue = list(roots)
    head = 0
    while head < len(queue):
        parent = queue[head]
        head += 1
        px, py = placed[parent]
        children = sorted((n for n in graph[parent] if n not in placed), key=lambda n: (-graph.degree(n), n))
        for k, child in enumerate(children):
            radius = 0.45 * _EDGE_PX * math.sqrt(k + 3)
            # Turned by the parent's number, so the spirals of neighbouring parents do not line up.
            angle = (k + parent) * _GOLDEN_ANGLE
            placed[child] = (px + radius * math.cos(angle), py + radius * math.sin(angle))
            queue.append(child)
    return placed


def _pack(pieces: list[dict[int, tuple[float, float]]]) -> dict[int, tuple[float, float]]:
    """The pieces in rows, in the order given, filling a square about as big as their boxes need.

    Rows keep small pieces (down to lone entities) in a tidy block instead of a wide ring round the big ones,
    so the view fitted to them stays close enough for labels to be drawn.
    """
    boxes = []
    for piece in pieces:
        xs = [x for x, _ in piece.values()]
        ys = [y for _, y in piece.values()]
        boxes.append((min(xs), min(ys), max(xs) - min(xs) + _EDGE_PX, max(ys) - min(ys) + _EDGE_PX))
    width = max(max((w for *_, w, _ in boxes), default=0.0), math.sqrt(sum(w * h for *_, w, h in boxes)))
    out: dict[int, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for piece, (left, top, w, h) in zip(pieces, boxes, strict=True):
        if x and x + w > width:
            x, y, row_height = 0.0, y + row_height, 0.0
        out.update({node: (px - left + x, py - top + y) for node, (px, py) in piece.items()})
        x, row_height = x + w, max(row_height, h)
    return out


def _names(attrs: dict[str, Any], key: Any) -> list[str]:
    """Surface forms of a node, longest first, for locating it in an evidence sentence."""
    names = {str(attrs.get("label") or key), *(str(a) for a in attrs.get("aliases", ()))}
    return sorted((n for n in names if n), key=lambda n: (-len(n), n))


def _evidence_order(ev: dict[str, Any]) -> tuple[str, int, str]:
    sentence = ev.get("sentence")
    return (str(ev.get("doc", "")), sentence if isinstance(sentence, int) else -1, str(ev.get("text", "")))


def _evidence(ev: dict[str, Any], subject_names: list[str], object_names: list[str]) -> dict[str, Any]:
    text = str(ev.get("text", ""))
    offsets = [ev.get(k) for k in ("subject_start", "subject_end", "object_start", "object_end")]
    start = ev.get("sentence_start")
    spans = _aligned(text, offsets, subject_names, object_names, start if isinstance(start, int) else None) or (
        _find(text, subject_names),
        _find(text, object_names),
    )
    return {
        "doc": str(ev.get("doc", "")),
        "sentence": ev.get("sentence"),
        "rule": str(ev.get("rule", "")),
        "segments": segments(text, [(span, kind) for span, kind in zip(spans, "so", strict=True) if span is not None]),
    }


def _aligned(
    text: str,
    offsets: list[Any],
    subject_names: list[str],
    object_names: list[str],
    sentence_start: int | None = None,
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Subject and object spans within the sentence, or None when the offsets cannot be placed.

    Offsets are into the whole document; evidence records the sentence's start, which places them exactly.
    Evidence written before it did (graph.json of older builds) lacks it: then try every shift that puts an
    argument on one of its names (and no shift, for sentence-relative offsets) and keep the one that lands
    the most arguments on their names. Both spans move together, so a name occurring twice in the sentence
    still gets the right occurrence.
    """
    if not all(isinstance(o, int) for o in offsets):
        return None
    s_start, s_end, o_start, o_end = offsets
    if s_start >= s_end or o_start >= o_end:
        return None
    if sentence_start is not None:
        spans = (s_start - sentence_start, s_end - sentence_start), (o_start - sentence_start, o_end - sentence_start)
        return spans if min(spans[0][0], spans[1][0]) >= 0 and max(spans[0][1], spans[1][1]) <= len(text) else None
    shifts = {0}
    for start, names in ((s_start, subject_names), (o_start, object_names)):
        for name in names:
            found = text.find(name)
            while found >= 0:
                shifts.add(start - found)
                found = text.find(name, found + 1)
    best, best_hits = 0, 0
    for shift in sorted(shifts, key=lambda d: (abs(d), d)):
        if min(s_start, o_start) - shift < 0 or max(s_end, o_end) - shift > len(text):
            continue
        hits = (text[s_start - shift : s_end - shift] in subject_names) + (
            text[o_start - shift : o_end - shift] in object_names
        )
        if hits > best_hits:
            best, best_hits = shift, hits
    if not best_hits:
        return None
    return (s_start - best, s_end - best), (o_start - best, o_end - best)


def _find(text: str, names: list[str]) -> tuple[int, int] | None:
    """First occurrence of the longest name: the fallback when offsets are missing or unusable."""
    for name in names:
        found = text.find(name)
        if found >= 0:
            return (found, found + len(name))
    return None


def segments(text: str, spans: list[tuple[tuple[int, int], str]]) -> list[list[str]]:
    """Split ``text`` into ``[piece, kind]`` pairs, kind "s"/"o" for highlighted spans and "" otherwise.

    Done here rather than in the browser because Python offsets count code points and JS strings count
    UTF-16 units, which disagree for characters outside the BMP. Of overlapping spans (a name inside a
    longer name) the one starting first, or the longer, wins.
    """
    out: list[list[str]] = []
    pos = 0
    for (start, end), kind in sorted(spans, key=lambda sk: (sk[0][0], -sk[0][1])):
        if start < pos:
            continue
        if start > pos:
            out.append([text[pos:start], ""])
        out.append([text[start:end], kind])
        pos = end
    if pos < len(text) or not out:
        out.append([text[pos:], ""])
    return out


def _script_json(value: Any) -> str:
    """JSON that can sit inside a <script> element whatever the corpus strings contain."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # One str.replace per character: str.translate looks every character of a 10 MB page up in a dict.
    for char, escaped in _SCRIPT_SAFE.items():
        text = text.replace(char, escaped)
    return text


def _vendor_asset(name: str, forbidden: tuple[str, ...]) -> str:
    text = (_VIS_DIR / name).read_text(encoding="utf-8")
    # Inlined verbatim, so markup like a closing tag in the vendor file would cut the page: fail loudly
    # should a pyvis upgrade ever ship such a file.
    for needle in forbidden:
        if needle in text.lower():
            raise RuntimeError(f"{name} contains {needle!r}; it cannot be inlined safely")
    return text
