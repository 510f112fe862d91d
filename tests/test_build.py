"""End to end on the demo corpus: the graph's facts with evidence, the outputs, and bad input."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import networkx as nx
import pytest
from conftest import SEEDS
from typer.testing import CliRunner

from kg.cli import app
from kg.export import export_all
from kg.frames import load_frames
from kg.ingest import split_sentences
from kg.pipeline import KnowledgeGraphBuilder
from kg.types import Document


def edges(graph: nx.MultiDiGraph, subject: str, predicate: str):
    """(object node data, edge data) of the edges ``subject`` -predicate-> anything, by label or alias."""
    found = []
    for u, v, data in graph.edges(data=True):
        names = {graph.nodes[u]["label"], *graph.nodes[u]["aliases"]}
        if subject in names and data["predicate"] == predicate:
            found.append((graph.nodes[v], data))
    return found


def names(node: dict) -> set[str]:
    return {node["label"], *node["aliases"]}


def the_edge(graph, subject, predicate, obj):
    matches = [(node, data) for node, data in edges(graph, subject, predicate) if obj(node)]
    assert matches, f"no {subject} {predicate} edge to the expected object; have " + str(
        [(n["label"], d.get("title")) for n, d in edges(graph, subject, predicate)]
    )
    return matches[0]


def test_posts(demo):
    g = demo.graph
    _, data = the_edge(g, "凌兵奎", "任职", lambda n: "高新区党工委" in "".join(names(n)))
    assert data["title"] == "副书记"
    node, data = the_edge(g, "张嘉钢", "任职", lambda n: "平东社区站党总支" in names(n))
    assert data["title"] == "书记"
    node, data = the_edge(g, "杨慧", "任职", lambda n: "迈克生物党支部" in names(n))
    assert data["title"] == "书记"
    # 在廊坊开发区阳光佳和小区,社区党支部书记马书丽: a 小区 is no 社区, so the branch has no name and no post edge
    assert edges(g, "马书丽", "任职") == []


def test_donations(demo):
    g = demo.graph
    _, data = the_edge(g, "河南金泉机械有限公司", "捐赠", lambda n: n["label"] == "方便食品")
    assert data["amount"] == "价值8000元" and data["recipient"] == "一线工作人员"
    assert data["amount_value"] == "8000" and data["amount_unit"] == "CNY"
    _, data = the_edge(g, "郭春华", "捐赠", lambda n: n["label"] == "捐款")
    assert data["amount_value"] == "1000" and data["recipient"] == "防疫一线"


def test_location_byline_and_zones(demo):
    g = demo.graph
    the_edge(g, "河南金泉机械有限公司", "位于", lambda n: n["label"] == "皇台产业园")
    bylines = [
        (g.nodes[u], d)
        for u, v, d in g.edges(data=True)
        if d["predicate"] == "报道" and g.nodes[v]["label"] == "高轶鹏"
    ]
    assert bylines and all(node["type"] == "DOCUMENT" for node, _ in bylines)
    assert any(d["role"] == "记者" for _, d in bylines)
    assert g.nodes["GPE:平顶山高新区"]["documents"] != g.nodes["GPE:成都高新区"]["documents"]
    assert "高新区" in g.nodes["GPE:平顶山高新区"]["aliases"]
    assert "GPE:高新区" not in g


def test_every_edge_has_evidence_pointing_at_its_ends(demo):
    texts = {a.doc.id: a.doc.text for a in demo.analyses}
    anaphors = load_frames().anaphors
    # a stand-in's evidence points where its anaphor is written (他, 该公司), not at the name it stands for
    anaphor = re.compile(f"(?:{anaphors.person})|{'|'.join(anaphors.words)}")
    for u, v, data in demo.graph.edges(data=True):
        assert data["weight"] == len({(e["doc"], e["sentence"]) for e in data["evidence"]}) >= 1
        for ev in data["evidence"]:
            text = texts[ev["doc"]]
            assert ev["text"] in text and ev["rule"]
            for node, start, end in (
                (u, ev["subject_start"], ev["subject_end"]),
                (v, ev["object_start"], ev["object_end"]),
            ):
                info = demo.graph.nodes[node]
                if info["type"] != "DOCUMENT" and info["type"] != "MATERIAL":
                    written = text[start:end]
                    assert written in names(info) or anaphor.fullmatch(written), (written, info["label"])


def test_exports_read_back_and_are_deterministic(demo, builder, tmp_path):
    first = export_all(demo.graph, tmp_path / "a")
    graph = nx.read_graphml(first["graphml"])
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (
        demo.graph.number_of_nodes(),
        demo.graph.number_of_edges(),
    )
    assert all(isinstance(d["label"], str) for _, d in graph.nodes(data=True))
    assert all(isinstance(d["mentions"], int) for _, d in graph.nodes(data=True))
    gexf = nx.read_gexf(first["gexf"])
    assert gexf.number_of_nodes() == demo.graph.number_of_nodes()
    assert gexf.number_of_edges() == demo.graph.number_of_edges()
    from kg.ingest import load_documents

    again = builder.build(load_documents([SEEDS])[0])
    second = export_all(again.graph, tmp_path / "b")
    for kind, path in first.items():
        assert path.read_bytes() == second[kind].read_bytes(), kind


def write_bad_corpus(folder: Path) -> None:
    folder.mkdir()
    good = (SEEDS / "000_8af3a52c6c9a1fca.txt").read_text(encoding="utf-8")
    (folder / "good.txt").write_text(good, encoding="utf-8")
    (folder / "gbk.txt").write_bytes("高新区党工委副书记凌兵奎到平东社区检查。".encode("gbk"))
    (folder / "utf16.txt").write_bytes("东方大学城公安分局民警贾正臣值守。".encode("utf-16"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (folder / "script.html").write_text(
        "<html><head><title>测试</title></head><body><p>迈克生物党支部书记杨慧"
        "&lt;script&gt;alert(1)&lt;/script&gt;</p><script>alert(2)</script></body></html>",
        encoding="utf-8",
    )
    (folder / "xss.txt").write_text("平东社区站党总支书记<script>alert(1)</script>张嘉钢到场。", encoding="utf-8")
    with (folder / "huge.txt").open("w", encoding="utf-8") as handle:
        handle.write("高新区复工复产。\n" * (20 * 1024 * 1024 // 25))


@pytest.mark.slow
def test_bad_input_corpus_runs_through(tmp_path, nlp, monkeypatch):
    corpus = tmp_path / "corpus"
    write_bad_corpus(corpus)
    out = tmp_path / "out"
    monkeypatch.setattr("kg.cli.load_pipeline", lambda name=None: nlp)
    result = CliRunner().invoke(app, ["build", str(corpus), "-o", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    skipped = {Path(s["path"]).name: s["reason"] for s in summary["skipped"]}
    assert set(skipped) == {"empty.txt", "binary.txt", "huge.txt"}
    assert "huge.txt" in result.output and "limit" in skipped["huge.txt"]
    assert summary["documents"] == 5
    graph = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    labels = {n["label"] for n in graph["nodes"]}
    assert {"凌兵奎", "贾正臣", "杨慧", "河南金泉机械有限公司"} <= labels
    html = (out / "graph.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and not re.search(r"<script[^>]*>\s*alert", html)
    strict = CliRunner().invoke(app, ["build", str(corpus), "-o", str(tmp_path / "strict"), "--strict"])
    assert strict.exit_code == 1
    assert not os.listdir(out / ".") or all(not p.startswith(".") for p in os.listdir(out))


def test_no_entity_is_related_to_itself(nlp):
    # http://xyrd.henanrd.gov.cn/2023/10-13/187182.html: 罗山县人大常委会 隶属 罗山县人大, and the shortened 人大
    # joins the one longer name in the document, so the edge would point at its own subject
    text = "罗山县人大常委会组织部分省、市人大代表赴光山县开展集中视察。\n来源:罗山县人大常委会"
    doc = Document(id="d", text=text, year=2023, sentences=split_sentences(text))
    graph = KnowledgeGraphBuilder(nlp).build([doc]).graph
    assert nx.number_of_selfloops(graph) == 0
