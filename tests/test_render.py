"""Tests for kg.render: the offline, escaped, deterministic HTML page, plus one headless-Chromium check."""

from __future__ import annotations

import contextlib
import copy
import fcntl
import html.parser
import json
import math
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg.export import TYPE_COLORS
from kg.render import CANVAS_NODES, PYTHON_LAYOUT_NODES, TYPE_NAMES, build_html, render_html, segments

CHROMIUM = Path("/usr/bin/chromium")
PAYLOAD = "<script>alert(1)</script>"
QUOTES = '"quotes" & <b>tags</b>'
PROVENANCE = {"pipeline": "zh_kg_news 0.1.0", "kg": "0.1.0", "built": "2026-11-23T11:00:00Z"}

NODES: list[tuple[str, str, str, list[str], int, list[str]]] = [
    # (id, type, label, aliases, mentions, documents)
    ("PERSON:凌兵奎", "PERSON", "凌兵奎", ["凌书记"], 4, ["000_8af3a52c6c9a1fca"]),
    ("PERSON:杨慧", "PERSON", "杨慧", [], 2, ["003_2a28f7ade6dab4b0"]),
    ("PERSON:张垒", "PERSON", "张垒", [], 1, ["000_8af3a52c6c9a1fca"]),
    ("PERSON:吴越", "PERSON", "吴越", [], 1, ["000_8af3a52c6c9a1fca"]),
    ("PERSON:田改娣", "PERSON", "田改娣", [], 1, ["000_8af3a52c6c9a1fca"]),
    ("PERSON:陈淋", "PERSON", "陈淋", [], 1, ["003_2a28f7ade6dab4b0"]),
    ("PERSON:payload", "PERSON", PAYLOAD, [QUOTES], 1, ["004_f03f7de953d5929e"]),
    ("ORG:高新区党工委", "ORG", "高新区党工委", ["党工委"], 3, ["000_8af3a52c6c9a1fca"]),
    ("ORG:迈克生物", "ORG", "迈克生物", ["迈克生物股份有限公司"], 3, ["003_2a28f7ade6dab4b0"]),
    ("ORG:迈克生物党支部", "ORG", "迈克生物党支部", [], 1, ["003_2a28f7ade6dab4b0"]),
    ("ORG:平顶山市红十字会", "ORG", "平顶山市红十字会", ["市红十字会"], 2, ["004_f03f7de953d5929e"]),
    ("GPE:高新区", "GPE", "高新区", ["平顶山高新区"], 6, ["000_8af3a52c6c9a1fca"]),
    ("GPE:平顶山市", "GPE", "平顶山市", ["鹰城"], 3, ["000_8af3a52c6c9a1fca", "004_f03f7de953d5929e"]),
    ("GPE:成都高新区", "GPE", "成都高新区", [], 4, ["003_2a28f7ade6dab4b0"]),
    ("GPE:成都市", "GPE", "成都市", ["成都"], 1, ["003_2a28f7ade6dab4b0"]),
    ("LOC:东大门卡口", "LOC", "东大门卡口", ["东大门"], 2, ["000_8af3a52c6c9a1fca"]),
    ("MATERIAL:口罩", "MATERIAL", "口罩", ["医用口罩"], 3, ["004_f03f7de953d5929e"]),
    (
        "MATERIAL:检测试剂盒",
        "MATERIAL",
        "检测试剂盒",
        ["新型冠状病毒检测试剂盒"],
        2,
        ["003_2a28f7ade6dab4b0"],
    ),
    # no relation: hidden until "显示无关系的实体" is ticked
    ("GROUP:志愿者", "GROUP", "志愿者", [], 1, ["000_8af3a52c6c9a1fca"]),
    ("DOCUMENT:防控处置方案", "DOCUMENT", "《防控处置方案》", ["防控处置方案"], 1, ["000_8af3a52c6c9a1fca"]),
    (
        "EVENT:疫情防控阻击战",
        "EVENT",
        "疫情防控阻击战",
        [],
        2,
        ["000_8af3a52c6c9a1fca", "003_2a28f7ade6dab4b0"],
    ),
]

D0, D3, D4 = "000_8af3a52c6c9a1fca", "003_2a28f7ade6dab4b0", "004_f03f7de953d5929e"
S_YANG = "1月20日,迈克生物党支部书记杨慧在接到研制新型冠状病毒检测试剂盒的任务后,同研发团队一起发出“集结号”。"
S_LING = "高新区党工委书记凌兵奎带领党员干部下沉东大门卡口，督导疫情防控工作。"
S_PAYLOAD = f"{PAYLOAD}向平顶山市红十字会捐赠口罩5000只，并留言{QUOTES}。"
EDGES: list[tuple[str, str, str, dict[str, Any], list[tuple[str, int, str, str, str]]]] = [
    # (subject, object, predicate, scalar attrs, evidence as (doc, sentence, text, subject text, object text))
    (
        "PERSON:杨慧",
        "ORG:迈克生物党支部",
        "任职",
        {"title": "党支部书记"},
        [(D3, 4, S_YANG, "杨慧", "迈克生物党支部")],
    ),
    ("ORG:迈克生物党支部", "ORG:迈克生物", "隶属", {}, [(D3, 4, S_YANG, "迈克生物党支部", "迈克生物")]),
    (
        "ORG:迈克生物",
        "GPE:成都高新区",
        "位于",
        {},
        [
            (
                D3,
                1,
                "成都高新区1000个基层党组织坚守疫情防控阻击战第一线，迈克生物位于成都高新区。",
                "迈克生物",
                "成都高新区",
            ),
            (D3, 9, "位于成都高新区的迈克生物连夜复工。", "迈克生物", "成都高新区"),
        ],
    ),
    (
        "GPE:成都高新区",
        "GPE:成都市",
        "位于",
        {},
        [(D3, 1, "成都市成都高新区各级党组织建立联防联控机制。", "成都高新区", "成都市")],
    ),
    (
        "ORG:迈克生物",
        "MATERIAL:检测试剂盒",
        "捐赠",
        {"quantity": "1000盒", "recipient": "平顶山市红十字会", "date": "2020-02-03"},
        [
            (
                D3,
                12,
                "迈克生物向平顶山市红十字会捐赠新型冠状病毒检测试剂盒1000盒。",
                "迈克生物",
                "新型冠状病毒检测试剂盒",
            )
        ],
    ),
    (
        "PERSON:凌兵奎",
        "ORG:高新区党工委",
        "任职",
        {"title": "书记"},
        [(D0, 7, S_LING, "凌兵奎", "高新区党工委")],
    ),
    ("PERSON:凌兵奎", "ORG:高新区党工委", "带领", {}, [(D0, 7, S_LING, "凌兵奎", "高新区党工委")]),
    (
        "PERSON:凌兵奎",
        "LOC:东大门卡口",
        "督导",
        {"date": "2020-02-10"},
        [(D0, 7, S_LING, "凌兵奎", "东大门卡口")],
    ),
    (
        "ORG:高新区党工委",
        "GPE:高新区",
        "隶属",
        {},
        [(D0, 5, "在高新区党工委的坚强领导下，全区党员冲锋在前。", "高新区党工委", "高新区")],
    ),
    (
        "GPE:高新区",
        "GPE:平顶山市",
        "位于",
        {},
        [(D0, 2, "守好鹰城战“疫”东大门，高新区全力以赴。", "高新区", "鹰城")],
    ),
    (
        "LOC:东大门卡口",
        "GPE:高新区",
        "位于",
        {},
        [(D0, 3, "高新区在东大门卡口增员设岗，严防死守。", "东大门卡口", "高新区")],
    ),
    (
        "ORG:高新区党工委",
        "EVENT:疫情防控阻击战",
        "带领",
        {},
        [(D0, 1, "高新区党工委带领全区坚决打赢疫情防控阻击战。", "高新区党工委", "疫情防控阻击战")],
    ),
    (
        "PERSON:张垒",
        "DOCUMENT:防控处置方案",
        "摄影",
        {},
        [(D0, 11, "现场制定防控处置方案。张垒摄", "张垒", "防控处置方案")],
    ),
    (
        "PERSON:吴越",
        "ORG:高新区党工委",
        "摄影",
        {},
        [(D0, 12, "党工委下沉社区检查督导工作。吴越摄", "吴越", "党工委")],
    ),
    (
        "PERSON:田改娣",
        "GPE:高新区",
        "摄影",
        {},
        [(D0, 10, "晨曦中的高新区焕发出勃勃生机。田改娣摄", "田改娣", "高新区")],
    ),
    (
        "PERSON:陈淋",
        "GPE:成都高新区",
        "报道",
        {"role": "记者"},
        [(D3, 0, "成都高新区坚守疫情防控阻击战第一线 ► 陈淋", "陈淋", "成都高新区")],
    ),
    (
        "PERSON:payload",
        "MATERIAL:口罩",
        "捐赠",
        {"quantity": "5000只", "recipient": QUOTES},
        [(D4, 3, S_PAYLOAD, PAYLOAD, "口罩")],
    ),
    ("PERSON:payload", "ORG:平顶山市红十字会", "捐赠", {}, [(D4, 3, S_PAYLOAD, PAYLOAD, "平顶山市红十字会")]),
    (
        "ORG:平顶山市红十字会",
        "GPE:平顶山市",
        "位于",
        {},
        [(D4, 1, "平顶山市红十字会接收社会捐赠物资。", "平顶山市红十字会", "平顶山市")],
    ),
    (
        "ORG:迈克生物",
        "EVENT:疫情防控阻击战",
        "参与",
        {},
        [(D3, 5, "迈克生物全力投入疫情防控阻击战。", "迈克生物", "疫情防控阻击战")],
    ),
]


def _evidence(doc: str, sentence: int, text: str, subject: str, obj: str) -> dict[str, Any]:
    # Like kg's extractor: offsets index the whole document, and the sentence's start is not recorded.
    sentence_start = 37 * sentence + 5
    s, o = sentence_start + text.index(subject), sentence_start + text.index(obj)
    return {
        "doc": doc,
        "sentence": sentence,
        "text": text,
        "subject_start": s,
        "subject_end": s + len(subject),
        "object_start": o,
        "object_end": o + len(obj),
        "rule": "test_rule",
    }


def build_fixture(reverse: bool = False) -> nx.MultiDiGraph:
    """The fixture graph; ``reverse`` inserts nodes and edges in the opposite order (same graph)."""
    graph = nx.MultiDiGraph()
    for key, node_type, label, aliases, mentions, documents in reversed(NODES) if reverse else NODES:
        graph.add_node(
            key, label=label, type=node_type, aliases=aliases, mentions=mentions, documents=documents
        )
    for u, v, predicate, attrs, evidence in reversed(EDGES) if reverse else EDGES:
        ev = [_evidence(*e) for e in evidence]
        graph.add_edge(u, v, predicate=predicate, weight=len(ev), evidence=ev, **attrs)
    return graph


@pytest.fixture
def graph() -> nx.MultiDiGraph:
    return build_fixture()


def _render(graph: nx.MultiDiGraph, path: Path) -> str:
    render_html(graph, path, title="平顶山高新区 知识图谱", provenance=PROVENANCE)
    return path.read_bytes().decode("utf-8")


@pytest.fixture
def page(graph: nx.MultiDiGraph, tmp_path: Path) -> str:
    return _render(graph, tmp_path / "graph.html")


class _Scripts(html.parser.HTMLParser):
    """Collects <script> elements exactly as a browser's tokenizer would split them."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._attrs: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._attrs = dict(attrs)
            self.scripts.append((self._attrs, ""))

    def handle_data(self, data: str) -> None:
        if self._attrs is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._attrs = None


def _page_data(page: str) -> dict[str, Any]:
    parser = _Scripts()
    parser.feed(page)
    blocks = [text for attrs, text in parser.scripts if attrs.get("id") == "kg-data"]
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_page_is_utf8_with_chinese_labels(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    for label in (
        "凌兵奎",
        "迈克生物党支部",
        "平顶山市红十字会",
        "《防控处置方案》",
        "平顶山高新区 知识图谱",
    ):
        assert label in page


def test_no_external_references(page: str) -> None:
    lowered = page.lower()
    for needle in (
        'src="http',
        "src='http",
        'href="http',
        "href='http",
        "@import",
        "url(http",
        'src="//',
        'href="//',
    ):
        assert needle not in lowered, needle
    assert not re.search(r"""url\(\s*['"]?\s*(https?:)?//""", lowered)
    assert not re.search(r"<(link|iframe|img|object|embed)\b", lowered)
    scripts = _Scripts()
    scripts.feed(page)
    assert all("src" not in attrs for attrs, _ in scripts.scripts)


def test_corpus_strings_only_appear_escaped(page: str) -> None:
    assert PAYLOAD not in page
    assert QUOTES not in page
    assert "<b>tags</b>" not in page
    parser = _Scripts()
    parser.feed(page)
    # Exactly our three script blocks: data, vis-network, app. A payload that closed one would add more.
    assert [attrs.get("id") for attrs, _ in parser.scripts] == ["kg-data", None, None]
    data = _page_data(page)
    payload_node = next(n for n in data["nodes"] if n["key"] == "PERSON:payload")
    assert payload_node["label"] == PAYLOAD
    assert payload_node["aliases"] == [QUOTES]
    donation = next(e for e in data["edges"] if e["from"] == data["nodes"].index(payload_node) and e["attrs"])
    assert donation["attrs"]["recipient"] == QUOTES
    assert "".join(text for text, _ in donation["evidence"][0]["segments"]) == S_PAYLOAD


def test_isolated_entities_are_counted_for_their_toggle(page: str, graph: nx.MultiDiGraph) -> None:
    isolated = sum(graph.degree(n) == 0 for n in graph)
    assert isolated == 1
    toggle = page.split('id="isolated-filter"', 1)[1].split("</label>", 1)[0]
    assert f'<span class="count">{isolated}</span>' in toggle


def test_legend_lists_every_type_present(page: str, graph: nx.MultiDiGraph) -> None:
    legend = page.split('<div id="legend">', 1)[1].split("</div>", 1)[0]
    types = {graph.nodes[n]["type"] for n in graph}
    assert types == set(TYPE_NAMES)
    for node_type in types:
        assert f'data-type="{node_type}"' in legend
        assert TYPE_COLORS[node_type] in legend
        assert TYPE_NAMES[node_type] in legend


def test_predicate_filters_and_provenance(page: str, graph: nx.MultiDiGraph) -> None:
    predicates = {d["predicate"] for _, _, d in graph.edges(data=True)}
    for predicate in predicates:
        assert f'data-predicate="{predicate}"' in page
    footer = page.split("<footer>", 1)[1].split("</footer>", 1)[0]
    for key, value in PROVENANCE.items():
        assert f"<b>{key}</b> {value}" in footer


def test_title_and_provenance_are_html_escaped(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "x.html"
    render_html(graph, path, title=PAYLOAD, provenance={"built": QUOTES})
    page = path.read_text(encoding="utf-8")
    assert PAYLOAD not in page and QUOTES not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_visual_encoding(page: str) -> None:
    data = _page_data(page)
    vis_nodes = data["vis"]["nodes"]
    by_key = {n["key"]: i for i, n in enumerate(data["nodes"])}
    # Size follows degree; colour follows type.
    assert vis_nodes[by_key["GPE:高新区"]]["size"] > vis_nodes[by_key["PERSON:陈淋"]]["size"]
    assert vis_nodes[by_key["PERSON:杨慧"]]["color"]["background"] == TYPE_COLORS["PERSON"]
    vis_edges = data["vis"]["edges"]
    assert {e["label"] for e in vis_edges} == {e[2] for e in EDGES}
    widths = {data["edges"][e["id"]]["weight"]: e["width"] for e in vis_edges}
    assert widths[2] > widths[1]
    # The two parallel 凌兵奎 -> 高新区党工委 edges are bent apart instead of drawn on top of each other.
    ling = [
        e for e in vis_edges if (e["from"], e["to"]) == (by_key["PERSON:凌兵奎"], by_key["ORG:高新区党工委"])
    ]
    assert len({e["smooth"]["roundness"] for e in ling}) == 2
    options = data["vis"]["options"]
    assert options["layout"]["randomSeed"] == 20200120
    assert options["physics"]["stabilization"]["enabled"] is True


def _marked(evidence: dict[str, Any]) -> dict[str, str]:
    return {kind: text for text, kind in evidence["segments"] if kind}


def test_evidence_highlights_subject_and_object(page: str) -> None:
    data = _page_data(page)
    edge = next(e for e in data["edges"] if e["predicate"] == "任职" and e["attrs"]["title"] == "党支部书记")
    assert _marked(edge["evidence"][0]) == {"s": "杨慧", "o": "迈克生物党支部"}
    # 迈克生物 sits inside 迈克生物党支部: the longer span wins rather than both being cut up.
    edge = next(
        e for e in data["edges"] if e["predicate"] == "隶属" and data["nodes"][e["to"]]["label"] == "迈克生物"
    )
    assert _marked(edge["evidence"][0]) == {"s": "迈克生物党支部"}


def _one_edge_page(text: str, offsets: tuple[Any, Any, Any, Any]) -> dict[str, Any]:
    graph = nx.MultiDiGraph()
    graph.add_node("PERSON:杨慧", label="杨慧", type="PERSON", aliases=[], mentions=2, documents=["d"])
    graph.add_node(
        "ORG:迈克生物", label="迈克生物", type="ORG", aliases=["迈克"], mentions=1, documents=["d"]
    )
    keys = ("subject_start", "subject_end", "object_start", "object_end")
    ev = {"doc": "d", "sentence": 3, "text": text, "rule": "r", **dict(zip(keys, offsets, strict=True))}
    graph.add_edge("PERSON:杨慧", "ORG:迈克生物", predicate="任职", weight=1, evidence=[ev])
    return _page_data(build_html(graph, title="t", provenance={}))["edges"][0]["evidence"][0]


def test_evidence_offsets_sentence_or_document_relative() -> None:
    text = "杨慧表示，杨慧在迈克生物任职。"
    expected = [["杨慧表示，", ""], ["杨慧", "s"], ["在", ""], ["迈克生物", "o"], ["任职。", ""]]
    assert _one_edge_page(text, (5, 7, 8, 12))["segments"] == expected
    # Document offsets: the shift that fits both arguments picks the second 杨慧, the one the rule matched.
    assert _one_edge_page(text, (105, 107, 108, 112))["segments"] == expected
    # Unusable offsets fall back to the first occurrence of each name.
    assert _marked(_one_edge_page(text, (None, None, 9, 3))) == {"s": "杨慧", "o": "迈克生物"}
    assert _one_edge_page(text, (None, None, 9, 3))["segments"][0] == ["杨慧", "s"]


def test_segments() -> None:
    assert segments("甲捐赠乙", [((0, 1), "s"), ((3, 4), "o")]) == [["甲", "s"], ["捐赠", ""], ["乙", "o"]]
    assert segments("甲乙", [((1, 2), "o"), ((0, 2), "s")]) == [["甲乙", "s"]]
    assert segments("", []) == [["", ""]]


def test_output_is_deterministic(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    first = (tmp_path / "a.html", tmp_path / "b.html", tmp_path / "c.html")
    render_html(graph, first[0], title="t", provenance=PROVENANCE)
    render_html(graph, first[1], title="t", provenance=PROVENANCE)
    render_html(build_fixture(reverse=True), first[2], title="t", provenance=PROVENANCE)
    assert first[0].read_bytes() == first[1].read_bytes() == first[2].read_bytes()


def test_input_graph_is_not_mutated(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    nodes_before = copy.deepcopy(dict(graph.nodes(data=True)))
    edges_before = copy.deepcopy(list(graph.edges(keys=True, data=True)))
    render_html(graph, tmp_path / "g.html", title="t", provenance=PROVENANCE)
    assert dict(graph.nodes(data=True)) == nodes_before
    assert list(graph.edges(keys=True, data=True)) == edges_before


def test_write_is_atomic_and_replaces(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "g.html"
    path.write_text("old", encoding="utf-8")
    render_html(graph, path, title="t", provenance=PROVENANCE)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["g.html"]


def test_empty_graph_renders(tmp_path: Path) -> None:
    page = _render(nx.MultiDiGraph(), tmp_path / "empty.html")
    assert _page_data(page)["nodes"] == []


def big_graph(size: int, reverse: bool = False) -> nx.MultiDiGraph:
    """A news-like graph of ``size`` entities: a scale-free component with hubs, pairs, and a third isolated."""
    tree = nx.barabasi_albert_graph(size // 2, 1, seed=7)
    names = [f"实体{i}" for i in range(size)]
    edges = [(u, v, ("位于", "任职", "捐赠")[(u + v) % 3]) for u, v in tree.edges()]
    edges += [(i, i + 1, "隶属") for i in range(size // 2, size * 2 // 3, 2)]
    graph = nx.MultiDiGraph()
    types = ("PERSON", "ORG", "GPE", "LOC")
    for i in reversed(range(size)) if reverse else range(size):
        graph.add_node(names[i], label=names[i], type=types[i % 4], aliases=[f"别名{i}"], mentions=1, documents=["d"])
    for u, v, predicate in reversed(edges) if reverse else edges:
        graph.add_edge(names[u], names[v], predicate=predicate, weight=1, evidence=[])
    return graph


@pytest.fixture(scope="module")
def big_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[nx.MultiDiGraph, Path]:
    graph = big_graph(3000)
    path = tmp_path_factory.mktemp("big") / "graph.html"
    render_html(graph, path, title="big", provenance={})
    return graph, path


def test_small_graph_keeps_physics(page: str) -> None:
    data = _page_data(page)
    assert len(data["nodes"]) <= PYTHON_LAYOUT_NODES
    assert data["vis"]["options"]["physics"]["enabled"] is True
    assert not any("x" in n or "y" in n for n in data["vis"]["nodes"])
    assert data["canvasNodes"] == len(data["nodes"])  # every entity may be on the canvas


def test_big_graph_is_laid_out_in_python(big_page: tuple[nx.MultiDiGraph, Path]) -> None:
    graph, path = big_page
    data = _page_data(path.read_text(encoding="utf-8"))
    assert data["vis"]["options"]["physics"] == {"enabled": False}
    assert data["canvasNodes"] == CANVAS_NODES < graph.number_of_nodes()
    positions = {n["id"]: (n["x"], n["y"]) for n in data["vis"]["nodes"]}
    assert len(positions) == graph.number_of_nodes()
    assert len(set(positions.values())) == len(positions)  # no two entities on the same spot
    # The search index is every entity with its aliases, shown or not.
    assert {n["label"] for n in data["nodes"]} == {graph.nodes[k]["label"] for k in graph}
    assert all(n["aliases"] == graph.nodes[n["key"]]["aliases"] for n in data["nodes"])
    # An entity outside the first view sits next to one of its neighbours, where the search brings it in.
    by_key = {n["key"]: i for i, n in enumerate(data["nodes"])}
    leaf = min((k for k in graph if graph.degree(k) == 1), key=str)
    neighbour = next(iter(nx.all_neighbors(graph, leaf)))
    assert math.dist(positions[by_key[leaf]], positions[by_key[neighbour]]) < 400


def test_big_graph_first_view_is_spread_out(big_page: tuple[nx.MultiDiGraph, Path]) -> None:
    graph, path = big_page
    data = _page_data(path.read_text(encoding="utf-8"))
    ranked = sorted((-n["degree"], i) for i, n in enumerate(data["nodes"]) if n["degree"])
    points = [(data["vis"]["nodes"][i]["x"], data["vis"]["nodes"][i]["y"]) for _, i in ranked[:CANVAS_NODES]]
    nearest = sorted(min(math.dist(p, q) for q in points if q is not p) for p in points)
    # Labels need room: most first-view entities keep a label's width from their nearest neighbour.
    assert nearest[len(nearest) // 4] > 30, nearest[:20]


def test_big_graph_output_is_deterministic() -> None:
    size = PYTHON_LAYOUT_NODES + 100
    pages = [build_html(big_graph(size, reverse), title="t", provenance={}) for reverse in (False, False, True)]
    assert pages[0] == pages[1] == pages[2]


# --- headless Chromium -------------------------------------------------------------------------------

READY = "document.documentElement?.dataset.kgState === 'ready'"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Any lookup or connection the page attempted would fail instead of reaching the internet.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
    "--window-size=1400,900",
]


class Cdp:
    """Minimal DevTools Protocol client over --remote-debugging-pipe (fd 3 in, fd 4 out, NUL-framed JSON).

    The pipe transport needs only the standard library, unlike the WebSocket one.
    """

    def __init__(self, user_data_dir: str) -> None:
        cmd_r, self._cmd_w = os.pipe()
        self._evt_r, evt_w = os.pipe()
        # Park the child's ends above 9 so the dup2 onto 3/4 in the child cannot clobber one of them.
        child_in, child_out = (
            fcntl.fcntl(cmd_r, fcntl.F_DUPFD_CLOEXEC, 10),
            fcntl.fcntl(evt_w, fcntl.F_DUPFD_CLOEXEC, 10),
        )
        os.close(cmd_r)
        os.close(evt_w)

        def wire_pipe() -> None:
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        self.proc = subprocess.Popen(
            [
                str(CHROMIUM),
                *CHROMIUM_FLAGS,
                f"--user-data-dir={user_data_dir}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire_pipe,  # pass_fds keeps fd numbers; only a preexec hook can renumber them
            close_fds=False,
        )
        os.close(child_in)
        os.close(child_out)
        self.events: list[dict[str, Any]] = []
        self._inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        while chunk := os.read(self._evt_r, 1 << 16):
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for message in messages:
                self._inbox.put(json.loads(message))
        os.close(self._evt_r)
        self._inbox.put(None)

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float = 20,
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._cmd_w, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._inbox.get(timeout=max(deadline - time.monotonic(), 0.01))
            if reply is None:
                raise RuntimeError("chromium closed the DevTools pipe")
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)
            # An open alert() blocks the page, so every later command would just time out; say why now.
            if reply.get("method") == "Page.javascriptDialogOpening":
                raise AssertionError(f"the page opened a dialog: {reply['params']}")

    def evaluate(self, session: str, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def open(self, url: str, domains: tuple[str, ...] = ("Page",)) -> str:
        """A new tab with ``domains`` enabled, navigating to ``url``; returns its session id."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in domains:
            self.send(f"{domain}.enable", session=session)
        self.send("Page.navigate", {"url": url}, session)
        return session

    def wait_for(self, session: str, expression: str, timeout: float, poll: float = 0.2) -> Any:
        """The first truthy value of ``expression``, evaluated every ``poll`` seconds."""
        deadline = time.monotonic() + timeout
        while not (value := self.evaluate(session, expression)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{expression} stayed falsy for {timeout} s")
            time.sleep(poll)
        return value

    def close(self) -> None:
        # Browser.close also shuts down the renderer and helper processes; kill is only the fallback.
        with contextlib.suppress(RuntimeError, AssertionError, queue.Empty):
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        os.close(self._cmd_w)


@pytest.mark.browser
@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs headless Chromium at /usr/bin/chromium (apt-get install chromium)"
)
def test_page_works_offline_in_chromium(page: str, tmp_path: Path) -> None:
    html_path = tmp_path / "graph.html"  # written by the `page` fixture
    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    cdp = Cdp(profile)
    try:
        session = cdp.open(html_path.as_uri(), ("Page", "Network", "Runtime", "Log"))
        cdp.wait_for(session, READY, timeout=60)

        # vis drew something: the canvas exists and a good share of its pixels are not background (drawing may
        # follow the ready mark by a frame on a loaded machine, so the count is polled).
        cdp.wait_for(
            session,
            """(() => {
            const c = document.querySelector('#network canvas');
            if (!c || !c.width) return 0;
            const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
            return n > 5000 ? n : 0;
        })()""",
            timeout=30,
        )

        # Searching the payload label shows it in the side panel as text, creating no elements from it.
        shown = cdp.evaluate(
            session,
            f"""(() => {{
            document.getElementById('search').value = {json.dumps(PAYLOAD)};
            document.getElementById('search-form').requestSubmit();
            const panel = document.getElementById('panel');
            return [panel.textContent, panel.querySelectorAll('script, b').length];
        }})()""",
        )
        assert PAYLOAD in shown[0] and QUOTES in shown[0]
        assert shown[1] == 0
        # Its relation button switches the panel to that edge's evidence, subject and object marked.
        marks = cdp.evaluate(
            session,
            """(() => {
            document.querySelector('#panel .rel-link').click();
            const marks = document.querySelectorAll('#panel mark');
            return Array.from(marks, (m) => m.className + ':' + m.textContent);
        })()""",
        )
        assert marks[0] == "subj:" + PAYLOAD and marks[1].startswith("obj:")

        # Filters act on the vis data. At first the one entity without relations is hidden; hiding PERSON
        # also hides what only people linked to (口罩, 检测试剂盒, 防控处置方案); the toggle brings all back.
        def click(selector: str) -> str:
            return cdp.evaluate(
                session,
                f"""(() => {{
                document.querySelector('{selector}').click();
                return document.getElementById('stats').textContent;
            }})()""",
            )

        assert click('.type-filter[data-type="PERSON"]').startswith("显示 11 / 21 个节点")
        assert click("#isolated-filter").startswith("显示 14 / 21 个节点")
        time.sleep(0.5)  # let any late request or dialog surface before looking at the event log
        cdp.send("Runtime.evaluate", {"expression": "1"}, session)
    finally:
        cdp.close()
        shutil.rmtree(profile, ignore_errors=True)

    methods = [e.get("method") for e in cdp.events]
    assert "Page.javascriptDialogOpening" not in methods
    assert "Runtime.exceptionThrown" not in methods, [
        e for e in cdp.events if e.get("method") == "Runtime.exceptionThrown"
    ]
    requests = [
        e["params"]["request"]["url"] for e in cdp.events if e.get("method") == "Network.requestWillBeSent"
    ]
    assert requests == [html_path.as_uri()]
    errors = [
        e["params"]["entry"]
        for e in cdp.events
        if e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error"
    ]
    assert errors == []


@pytest.mark.browser
@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs headless Chromium at /usr/bin/chromium (apt-get install chromium)"
)
def test_big_page_search_brings_any_entity_onto_the_canvas(big_page: tuple[nx.MultiDiGraph, Path]) -> None:
    graph, path = big_page
    data = _page_data(path.read_text(encoding="utf-8"))
    on_canvas = "+document.documentElement.dataset.kgNodes"
    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    cdp = Cdp(profile)
    try:
        session = cdp.open(path.as_uri(), ("Page", "Runtime"))
        cdp.wait_for(session, READY, timeout=60)
        assert cdp.evaluate(session, on_canvas) == CANVAS_NODES
        # The last-ranked entity with a relation is not on the canvas; its alias finds it all the same.
        ranked = sorted((-n["degree"], i) for i, n in enumerate(data["nodes"]) if n["degree"])
        leaf = data["nodes"][ranked[-1][1]]
        assert leaf["degree"] == 1
        panel = cdp.evaluate(
            session,
            f"""(() => {{
            document.getElementById('search').value = {json.dumps(leaf["aliases"][0])};
            document.getElementById('search-form').requestSubmit();
            return document.querySelector('#panel h2').textContent;
        }})()""",
        )
        assert panel == leaf["label"]
        # It joins the canvas with its one neighbour, already there as a hub.
        assert cdp.evaluate(session, on_canvas) == CANVAS_NODES + 1
        # A filter changed by hand applies to it again; a minimum degree narrows the canvas below the cap.
        narrowed = cdp.evaluate(
            session,
            """(() => {
            const input = document.getElementById('min-degree');
            input.value = '3';
            input.dispatchEvent(new Event('change'));
            return +document.documentElement.dataset.kgNodes;
        })()""",
        )
        assert narrowed == min(CANVAS_NODES, sum(graph.degree(k) >= 3 for k in graph))
    finally:
        cdp.close()
        shutil.rmtree(profile, ignore_errors=True)
