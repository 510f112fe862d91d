"""Render a kg graph as one self-contained, offline HTML page.

pyvis builds the vis-network node/edge/option data; the page itself comes from ``kg/templates/graph.html``
because pyvis 0.3.2's own template always pulls bootstrap, tom-select and vis-network from CDNs.
The vis-network JS/CSS shipped inside the pyvis wheel is inlined, so the page never touches the network.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
import pyvis
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup
from pyvis.network import Network

from kg.atomic import atomic_write_text
from kg.export import DEFAULT_COLOR, TYPE_COLORS

__all__ = ["TYPE_NAMES", "build_html", "render_html", "segments"]

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

_FONT_FACE = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
_LAYOUT_SEED = 20200120
_VIS_DIR = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"

# Characters that could end a <script> block or open an HTML comment/CDATA inside embedded JSON;
# U+2028/2029 are escaped too so the JSON stays valid if someone pastes it into JS source.
_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


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

    net = Network(directed=True)
    node_details = []
    for key in node_keys:
        attrs = graph.nodes[key]
        label = str(attrs.get("label") or key)
        node_type = str(attrs.get("type", ""))
        degree = graph.degree(key)
        net.add_node(
            index[key],
            label=label,
            color=_node_colour(colours[node_type]),
            # sqrt keeps hubs prominent without letting them swallow the canvas.
            size=round(min(8 + 4 * math.sqrt(degree), 48), 2),
        )
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
    edge_details = []
    for j, (u, v, _key, attrs) in enumerate(edges):
        pair = frozenset((u, v))
        predicate = str(attrs.get("predicate", ""))
        evidence = list(attrs.get("evidence", ()))
        weight = int(attrs.get("weight") or len(evidence) or 1)
        options: dict[str, Any] = {
            "id": j,
            "label": predicate,
            "width": round(min(1 + 1.5 * math.log2(max(weight, 1)), 8), 2),
        }
        if pair_total[pair] > 1:
            options["smooth"] = {
                "enabled": True,
                "type": "curvedCW",
                "roundness": round(min(0.2 + 0.25 * pair_seen[pair], 1.0), 2),
            }
        pair_seen[pair] += 1
        net.add_edge(index[u], index[v], **options)
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

    net.options = _vis_options(len(node_keys))
    vis_nodes, vis_edges, _heading, _height, _width, vis_options = net.get_network_data()
    data = {
        "vis": {"nodes": vis_nodes, "edges": vis_edges, "options": json.loads(vis_options)},
        "nodes": node_details,
        "edges": edge_details,
        "types": {t: TYPE_NAMES.get(t, t) for t in sorted(colours)},
    }

    type_counts = Counter(d["type"] for d in node_details)
    predicate_counts = Counter(d["predicate"] for d in edge_details)
    env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(
        resources.files("kg").joinpath("templates/graph.html").read_text(encoding="utf-8")
    )
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


def _vis_options(node_count: int) -> dict[str, Any]:
    return {
        "autoResize": True,
        # A fixed seed makes the initial placement, and so the stabilised layout, the same on every load.
        # Kamada-Kawai pre-layout is quadratic; past ~150 nodes it costs more than it helps.
        "layout": {"randomSeed": _LAYOUT_SEED, "improvedLayout": node_count <= 150},
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -60,
                # News graphs fall into many small components; enough gravity keeps them on one screen.
                "centralGravity": 0.035,
                "springLength": 110,
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
        "segments": segments(
            text, [(span, kind) for span, kind in zip(spans, "so", strict=True) if span is not None]
        ),
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
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).translate(
        _SCRIPT_SAFE
    )


def _vendor_asset(name: str, forbidden: tuple[str, ...]) -> str:
    text = (_VIS_DIR / name).read_text(encoding="utf-8")
    # Inlined verbatim, so markup like a closing tag in the vendor file would cut the page: fail loudly
    # should a pyvis upgrade ever ship such a file.
    for needle in forbidden:
        if needle in text.lower():
            raise RuntimeError(f"{name} contains {needle!r}; it cannot be inlined safely")
    return text
