"""kg.export / kg.atomic: round-trips through networkx readers, sanitising, determinism, atomicity."""

from __future__ import annotations

import copy
import csv
import io
import json
import xml.etree.ElementTree as ET
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from kg.atomic import atomic_path, atomic_write_bytes, atomic_write_text
from kg.export import TYPE_COLORS, Export, export_all, to_scalar

FILES = {"graphml": "graph.graphml", "gexf": "graph.gexf", "json": "graph.json", "nodes": "nodes.csv"}
FILES["edges"] = "edges.csv"


def _ev(doc: str, sentence: int, text: str, rule: str) -> dict:
    return {
        "doc": doc,
        "sentence": sentence,
        "text": text,
        "subject_start": 0,
        "subject_end": 3,
        "object_start": 5,
        "object_end": 9,
        "rule": rule,
    }


NODES = [
    ("PERSON:凌兵奎", "凌兵奎", "PERSON", ["凌书记"], np.int64(5), ["d1", "d2"], {}),
    ("PERSON:王秀英", "王秀英", "PERSON", [], 3, ["d1"], {}),
    ("PERSON:张伟", "张伟", "PERSON", ["张总"], 2, ["d2"], {}),
    ("PERSON:李明", "李明", "PERSON", [], 1, ["d3"], {}),
    ("PERSON:赵强", "赵强", "PERSON", [], 1, ["d3"], {}),  # isolated: no path to anyone
    ("ORG:兴隆村党支部", "兴隆村党支部", "ORG", ["村党支部"], 4, ["d1"], {}),
    ("ORG:恒达建材有限公司", "恒达建材有限公司", "ORG", ["恒达公司"], 3, ["d2"], {}),
    ("ORG:平阳县融媒体中心", "平阳县融媒体中心", "ORG", [], 2, ["d3"], {}),
    # "population" is an int on one node and a str on another: must become str everywhere.
    ("GPE:兴隆村", "兴隆村", "GPE", [], 6, ["d1", "d2"], {"population": np.int64(3200)}),
    ("GPE:平阳县", "平阳县", "GPE", [], 4, ["d1", "d2", "d3"], {"population": "约90万", "note": None}),
    ("GPE:浙江省", "浙江省", "GPE", [], 1, ["d1"], {}),
    ("LOC:村文化礼堂", "村文化礼堂", "LOC", [], 1, ["d3"], {}),
    ("MATERIAL:口罩", "口罩", "MATERIAL", [], 2, ["d2"], {}),
    ("MATERIAL:消毒液", "消毒液", "MATERIAL", [], 1, ["d2"], {}),
    ("DOCUMENT:《防控工作方案》", "《防控工作方案》", "DOCUMENT", [], 1, ["d1"], {}),
    ("EVENT:疫情防控", "疫情防控", "EVENT", ["防疫"], 3, ["d1", "d3"], {}),
]

DONATION = {"predicate": "捐赠", "currency": "CNY", "recipient": "兴隆村", "date": "2020-02-03"}
EDGES = [
    # Two parallel edges between the same pair, keys reused by other pairs (GraphML ids must still be unique).
    (
        "PERSON:凌兵奎",
        "ORG:兴隆村党支部",
        "0",
        {"predicate": "任职", "title": "党支部书记", "role": None},
        [
            _ev("d1", 0, "兴隆村党支部书记凌兵奎带领党员值守卡口。", "title_of"),
            _ev("d2", np.int64(3), "凌兵奎是兴隆村党支部书记。", "title_of"),
        ],
    ),
    (
        "PERSON:凌兵奎",
        "ORG:兴隆村党支部",
        "1",
        {"predicate": "带领"},
        [_ev("d1", 0, "兴隆村党支部书记凌兵奎带领党员值守卡口。", "lead")],
    ),
    (
        "PERSON:凌兵奎",
        "EVENT:疫情防控",
        "0",
        {"predicate": "带领"},
        [_ev("d1", 2, "凌兵奎带领村民开展疫情防控。", "lead")],
    ),
    (
        "PERSON:王秀英",
        "ORG:兴隆村党支部",
        "0",
        {"predicate": "任职", "title": "委员", "role": "志愿者"},
        [_ev("d1", 4, "党支部委员王秀英\n主动报名当志愿者。", "title_of")],
    ),
    (
        "PERSON:张伟",
        "ORG:恒达建材有限公司",
        "0",
        {"predicate": "任职", "title": "总经理"},
        [_ev("d2", 1, "恒达建材有限公司总经理张伟表示……", "title_of")],
    ),
    (
        "PERSON:李明",
        "ORG:平阳县融媒体中心",
        "0",
        {"predicate": "任职", "title": "记者"},
        [_ev("d3", 9, "平阳县融媒体中心记者李明摄", "byline")],
    ),
    (
        "PERSON:李明",
        "EVENT:疫情防控",
        "0",
        {"predicate": "摄影"},
        [_ev("d3", 9, "平阳县融媒体中心记者李明摄", "byline")],
    ),
    # amount: str on one edge, numpy int on the other -> str everywhere; amount_value int/float -> float.
    (
        "ORG:恒达建材有限公司",
        "MATERIAL:口罩",
        "0",
        {
            **DONATION,
            "amount": "5万元",
            "amount_value": np.float64(50000.0),
            "quantity": "2000只",
            "quantity_value": np.float64(2000.0),
            "unit": "只",
            "approximate": False,
            "type": "实物",
        },
        [_ev("d2", 2, "恒达建材有限公司向兴隆村捐赠口罩2000只，价值5万元。", "donate")],
    ),
    (
        "ORG:恒达建材有限公司",
        "MATERIAL:消毒液",
        "0",
        {
            **DONATION,
            "amount": np.int64(2000),
            "amount_value": 2000,
            "quantity": None,
            "approximate": np.bool_(True),
        },
        [_ev("d2", 5, "另捐赠消毒液约2000元。", "donate")],
    ),
    (
        "ORG:恒达建材有限公司",
        "GPE:平阳县",
        "0",
        {"predicate": "位于"},
        [_ev("d2", 0, "位于平阳县的恒达建材", "in")],
    ),
    (
        "ORG:兴隆村党支部",
        "GPE:兴隆村",
        "0",
        {"predicate": "隶属"},
        [_ev("d1", 0, "兴隆村党支部", "name_parts")],
    ),
    ("GPE:兴隆村", "GPE:平阳县", "0", {"predicate": "位于"}, [_ev("d1", 1, "平阳县兴隆村", "name_parts")]),
    ("GPE:平阳县", "GPE:浙江省", "0", {"predicate": "位于"}, [_ev("d1", 1, "浙江省平阳县", "name_parts")]),
    (
        "GPE:平阳县",
        "DOCUMENT:《防控工作方案》",
        "0",
        {"predicate": "印发"},
        [_ev("d1", 6, "平阳县印发《防控工作方案》。", "verb")],
    ),
    (
        "ORG:平阳县融媒体中心",
        "EVENT:疫情防控",
        "0",
        {"predicate": "报道"},
        [_ev("d3", 0, "平阳县融媒体中心报道", "byline")],
    ),
    (
        "EVENT:疫情防控",
        "LOC:村文化礼堂",
        "0",
        {"predicate": "位于"},
        [_ev("d3", 2, "在村文化礼堂开展疫情防控", "in")],
    ),
    (
        "LOC:村文化礼堂",
        "GPE:兴隆村",
        "0",
        {"predicate": "位于"},
        [_ev("d3", 2, "兴隆村村文化礼堂", "name_parts")],
    ),
]


def make_graph(reverse: bool = False) -> nx.MultiDiGraph:
    """A small Chinese news graph; ``reverse`` inserts everything (nodes, edges, attributes) backwards."""

    def order(items):
        return list(reversed(items)) if reverse else list(items)

    graph = nx.MultiDiGraph()
    graph.graph.update(dict(order([("pipeline", "zh_kg_news 0.1.0"), ("kg_version", "0.1.0")])))
    graph.graph.update({"documents": np.int64(3), "source_dir": None})
    for node, label, type_, aliases, mentions, documents, extra in order(NODES):
        attrs = {"label": label, "type": type_, "aliases": list(aliases), "mentions": mentions}
        attrs.update(documents=list(documents), **extra)
        graph.add_node(node, **dict(order(attrs.items())))
    for u, v, key, attrs, evidence in order(EDGES):
        data = {**attrs, "weight": len(evidence), "evidence": copy.deepcopy(evidence)}
        graph.add_edge(u, v, key=key, **dict(order(data.items())))
    return graph


@pytest.fixture
def graph() -> nx.MultiDiGraph:
    return make_graph()


@pytest.fixture
def out(graph: nx.MultiDiGraph, tmp_path: Path) -> Path:
    export_all(graph, tmp_path / "out")
    return tmp_path / "out"


def test_export_all_writes_every_file(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    paths = export_all(graph, tmp_path / "new" / "dir")
    assert {name: p.name for name, p in paths.items()} == FILES
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths.values())
    assert sorted(p.name for p in (tmp_path / "new" / "dir").iterdir()) == sorted(FILES.values())


def test_graphml_round_trip_counts_and_types(graph: nx.MultiDiGraph, out: Path) -> None:
    back = nx.read_graphml(out / "graph.graphml", force_multigraph=True)
    assert isinstance(back, nx.MultiDiGraph)
    assert (back.number_of_nodes(), back.number_of_edges()) == (16, 17)
    data = {k: v for k, v in back.graph.items() if k not in ("node_default", "edge_default")}  # reader adds
    assert data == {"pipeline": "zh_kg_news 0.1.0", "kg_version": "0.1.0", "documents": 3}

    node = back.nodes["PERSON:凌兵奎"]
    assert node == {
        "label": "凌兵奎",
        "type": "PERSON",
        "aliases": "凌书记",
        "mentions": 5,
        "documents": "d1|d2",
    }
    assert type(node["mentions"]) is int
    assert back.nodes["GPE:兴隆村"]["population"] == "3200"  # int on one node, str on another -> str
    assert "note" not in back.nodes["GPE:平阳县"]  # None dropped
    assert "aliases" not in back.nodes["PERSON:王秀英"]  # empty list dropped

    for n, data in back.nodes(data=True):
        assert data["label"] == graph.nodes[n]["label"]
        assert type(data["mentions"]) is int
    for *_, data in back.edges(keys=True, data=True):
        assert data["label"] == data["predicate"]
        assert type(data["weight"]) is int
        assert data["weight"] == len(json.loads(data["evidence"]))
    # The original multigraph keys survive as an attribute next to the document-unique edge ids.
    assert sorted((u, v, d["key"]) for u, v, d in back.edges(data=True)) == sorted(graph.edges(keys=True))

    masks = back.get_edge_data("ORG:恒达建材有限公司", "MATERIAL:口罩")
    (mask,) = masks.values()
    assert (mask["amount"], mask["amount_value"], mask["approximate"]) == ("5万元", 50000.0, False)
    (disinfectant,) = back.get_edge_data("ORG:恒达建材有限公司", "MATERIAL:消毒液").values()
    assert (disinfectant["amount"], disinfectant["amount_value"]) == ("2000", 2000.0)
    assert disinfectant["approximate"] is True
    assert "quantity" not in disinfectant
    evidence = json.loads(mask["evidence"])
    assert evidence[0]["text"] == "恒达建材有限公司向兴隆村捐赠口罩2000只，价值5万元。"
    # Edge ids are numbered in sorted edge order.
    assert set(back.get_edge_data("PERSON:凌兵奎", "ORG:兴隆村党支部")) == {"e11", "e12"}


def test_graphml_holds_only_declared_scalar_attributes(out: Path) -> None:
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = ET.parse(out / "graph.graphml").getroot()
    keys = root.findall("g:key", ns)
    declared = [(k.get("for"), k.get("attr.name")) for k in keys]
    assert len(declared) == len(set(declared)), "one type per attribute name and scope"
    assert {k.get("attr.type") for k in keys} <= {"string", "long", "double", "boolean"}
    texts = [d.text for d in root.iter(f"{{{ns['g']}}}data")]
    assert texts and all(t is not None and t not in {"None", "nan", "[]", "{}"} for t in texts)
    assert not any(t.startswith("['") for t in texts), "lists are joined, not repr()'d"
    edge_ids = [e.get("id") for e in root.iter(f"{{{ns['g']}}}edge")]
    assert len(edge_ids) == len(set(edge_ids)) == 17, "Gephi needs document-unique edge ids"
    key_names = {k.get("id"): k.get("attr.name") for k in keys}
    elements = [*root.iter(f"{{{ns['g']}}}node"), *root.iter(f"{{{ns['g']}}}edge")]
    assert len(elements) == 16 + 17
    for element in elements:
        assert "label" in {key_names[d.get("key")] for d in element.findall("g:data", ns)}


def test_gexf_round_trip_with_viz(graph: nx.MultiDiGraph, out: Path) -> None:
    back = nx.read_gexf(out / "graph.gexf")
    assert isinstance(back, nx.MultiDiGraph)
    assert (back.number_of_nodes(), back.number_of_edges()) == (16, 17)
    assert sorted(back.edges(keys=True)) == sorted(graph.edges(keys=True))
    for n, data in back.nodes(data=True):
        hex_color = TYPE_COLORS[graph.nodes[n]["type"]]
        expected = {"r": int(hex_color[1:3], 16), "g": int(hex_color[3:5], 16), "b": int(hex_color[5:7], 16)}
        assert data["viz"]["color"] == {**expected, "a": 1.0}
        assert data["label"] == graph.nodes[n]["label"]
        assert type(data["mentions"]) is int
    sizes = {n: d["viz"]["size"] for n, d in back.nodes(data=True)}
    assert sizes["PERSON:凌兵奎"] > sizes["PERSON:李明"] > sizes["PERSON:赵强"]  # degree 3 > 2 > 0
    (mask,) = back.get_edge_data("ORG:恒达建材有限公司", "MATERIAL:口罩").values()
    assert mask["label"] == "捐赠"
    assert mask["type_attr"] == "实物"  # "type" would have become the GEXF edge type
    assert mask["amount_value"] == 50000.0 and mask["approximate"] is False
    assert b"lastmodifieddate" not in (out / "graph.gexf").read_bytes()


def test_json_is_sorted_utf8_node_link(graph: nx.MultiDiGraph, out: Path) -> None:
    raw = (out / "graph.json").read_bytes()
    assert "凌兵奎".encode() in raw  # ensure_ascii=False
    data = json.loads(raw)
    assert list(data) == sorted(data)
    assert [n["id"] for n in data["nodes"]] == sorted(graph.nodes)
    assert [(e["source"], e["target"], e["key"]) for e in data["edges"]] == sorted(graph.edges(keys=True))
    assert data["graph"] == {
        "documents": 3,
        "kg_version": "0.1.0",
        "pipeline": "zh_kg_news 0.1.0",
        "source_dir": None,
    }
    lin = next(n for n in data["nodes"] if n["id"] == "PERSON:凌兵奎")
    assert lin["aliases"] == ["凌书记"] and lin["mentions"] == 5


def _read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "BOM so Excel detects UTF-8"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_nodes_csv(graph: nx.MultiDiGraph, out: Path) -> None:
    rows = _read_csv(out / "nodes.csv")
    assert list(rows[0]) == [
        "id",
        "label",
        "type",
        "aliases",
        "mentions",
        "documents",
        "division",
        "division_code",
        "degree",
    ]
    assert [r["id"] for r in rows] == sorted(graph.nodes)
    lin = next(r for r in rows if r["id"] == "PERSON:凌兵奎")
    assert lin == {
        "id": "PERSON:凌兵奎",
        "label": "凌兵奎",
        "type": "PERSON",
        "aliases": "凌书记",
        "mentions": "5",
        "documents": "d1|d2",
        "division": "",
        "division_code": "",
        "degree": "3",
    }


def test_edges_csv(graph: nx.MultiDiGraph, out: Path) -> None:
    rows = _read_csv(out / "edges.csv")
    assert len(rows) == 17
    header = list(rows[0])
    assert header[:5] == ["source", "target", "source_label", "target_label", "predicate"]
    assert header[-3:] == ["weight", "evidence", "evidence_json"]
    assert {"title", "amount", "amount_value", "approximate", "type"} <= set(header)
    first, second = (r for r in rows if r["source"] == "PERSON:凌兵奎" and r["target"] == "ORG:兴隆村党支部")
    assert (first["predicate"], first["title"], first["role"], first["weight"]) == (
        "任职",
        "党支部书记",
        "",
        "2",
    )
    assert first["evidence"] == "d1#0: 兴隆村党支部书记凌兵奎带领党员值守卡口。 || d2#3: 凌兵奎是兴隆村党支部书记。"
    assert json.loads(first["evidence_json"]) == graph.edges["PERSON:凌兵奎", "ORG:兴隆村党支部", "0"]["evidence"]
    assert second["predicate"] == "带领" and second["source_label"] == "凌兵奎"
    wang = next(r for r in rows if r["source"] == "PERSON:王秀英")
    assert wang["evidence"] == "d1#4: 党支部委员王秀英 主动报名当志愿者。"  # newline flattened for Excel


def test_exports_are_byte_identical(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    first = export_all(graph, tmp_path / "a")
    second = export_all(graph, tmp_path / "b")
    shuffled = export_all(make_graph(reverse=True), tmp_path / "c")
    for name in FILES:
        data = first[name].read_bytes()
        assert data == second[name].read_bytes(), name
        assert data == shuffled[name].read_bytes(), f"{name} depends on insertion order"


def test_side_process_writes_the_same_bytes(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    """`kg build` serialises GraphML and GEXF in a spawned process for a large graph: the files must not differ."""
    here = export_all(graph, tmp_path / "here")
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as side:
        export = Export(graph, side)
        there = export.write(tmp_path / "there")
    assert set(there) == set(FILES)
    for name in FILES:
        assert there[name].read_bytes() == here[name].read_bytes(), name


def test_input_graph_is_not_mutated(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    before = copy.deepcopy(graph)
    export_all(graph, tmp_path)
    assert graph.graph == before.graph
    assert list(graph.nodes(data=True)) == list(before.nodes(data=True))
    assert list(graph.edges(keys=True, data=True)) == list(before.edges(keys=True, data=True))
    assert type(graph.nodes["PERSON:凌兵奎"]["mentions"]) is np.int64


def test_failed_export_keeps_previous_files(
    graph: nx.MultiDiGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export_all(graph, tmp_path)
    before = {name: (tmp_path / f).read_bytes() for name, f in FILES.items()}

    def broken_gexf(g: nx.Graph, path: io.BytesIO, **kwargs: object) -> None:
        path.write(b"<gexf half-written")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(nx, "write_gexf", broken_gexf)
    smaller = make_graph()
    smaller.remove_node("PERSON:凌兵奎")
    with pytest.raises(RuntimeError, match="disk on fire"):
        export_all(smaller, tmp_path)
    assert {name: (tmp_path / f).read_bytes() for name, f in FILES.items()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES.values())


def test_atomic_path_keeps_previous_file_when_writer_raises(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    atomic_write_text(target, "旧的完整文件")
    with pytest.raises(ValueError), atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".html" and tmp != target
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write("写了一半")
            fh.flush()
            raise ValueError("crash mid-way")
    assert target.read_text(encoding="utf-8") == "旧的完整文件"
    assert list(tmp_path.iterdir()) == [target], "temporary file removed"


def test_atomic_writes_replace_on_success(tmp_path: Path) -> None:
    target = tmp_path / "data.bin"
    assert atomic_write_bytes(target, b"one") == target
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"two")
        assert target.read_bytes() == b"one", "target untouched until the block succeeds"
    assert target.read_bytes() == b"two"
    atomic_write_text(tmp_path / "bom.csv", "中文", encoding="utf-8-sig")
    assert (tmp_path / "bom.csv").read_bytes() == "中文".encode("utf-8-sig")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bom.csv", "data.bin"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (float("nan"), None),
        ([], None),
        ({}, None),
        (np.int64(7), 7),
        (np.float64(1.5), 1.5),
        (np.bool_(True), True),
        (["d1", "d2"], "d1|d2"),
        ({"b", "a"}, "a|b"),
        ({"doc": "d1", "sentence": np.int64(2)}, '{"doc": "d1", "sentence": 2}'),
        ([{"doc": "d1"}], '[{"doc": "d1"}]'),
        ("凌兵奎", "凌兵奎"),
    ],
)
def test_to_scalar(value: object, expected: object) -> None:
    result = to_scalar(value)
    assert result == expected
    assert type(result) is type(expected)
