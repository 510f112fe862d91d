"""kg.query.KnowledgeGraph on the export fixture, loaded back from graph.json."""

from __future__ import annotations

import networkx as nx
import pytest

# Same fixture as the export tests (pytest puts tests/ on sys.path: the folder has no __init__.py).
from test_export import make_graph

from kg.export import export_all
from kg.query import KnowledgeGraph, UnknownEntityError


@pytest.fixture(scope="module")
def kg(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    out = tmp_path_factory.mktemp("out")
    export_all(make_graph(), out)
    return KnowledgeGraph.load(out)


def test_load_restores_graph_with_lists(kg: KnowledgeGraph) -> None:
    graph = kg.graph
    assert isinstance(graph, nx.MultiDiGraph)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (16, 17)
    assert graph.nodes["PERSON:凌兵奎"]["aliases"] == ["凌书记"]
    assert graph.nodes["PERSON:王秀英"]["aliases"] == []
    evidence = graph.edges["PERSON:凌兵奎", "ORG:兴隆村党支部", "0"]["evidence"]
    assert [(e["doc"], e["sentence"]) for e in evidence] == [("d1", 0), ("d2", 3)]
    assert graph.graph["pipeline"] == "zh_kg_news 0.1.0"
    assert repr(kg) == "KnowledgeGraph(16 entities, 17 relations)"


def test_find_prefers_exact_then_substring(kg: KnowledgeGraph) -> None:
    assert kg.find("凌兵奎") == ["PERSON:凌兵奎"]
    assert kg.find("凌书记") == ["PERSON:凌兵奎"]  # alias
    assert kg.find("ORG:恒达建材有限公司") == ["ORG:恒达建材有限公司"]  # node id
    # "兴隆村" is a label, so the exact GPE wins over the party branch that merely contains it.
    assert kg.find("兴隆村") == ["GPE:兴隆村"]
    assert kg.find("恒达") == ["ORG:恒达建材有限公司"]  # substring of label and alias
    assert kg.find("平阳县") == ["GPE:平阳县"]
    assert kg.find("平阳") == ["GPE:平阳县", "ORG:平阳县融媒体中心"]  # ranked by mentions
    assert kg.find("不存在") == []


def test_who_did_what(kg: KnowledgeGraph) -> None:
    df = kg.who_did_what("凌书记")
    assert list(df.columns) == [
        "direction",
        "subject",
        "predicate",
        "object",
        "subject_id",
        "object_id",
        "key",
        "title",
        "weight",
        "docs",
        "sentences",
    ]
    rows = df[["direction", "subject", "predicate", "object", "weight"]].values.tolist()
    assert rows == [
        ["out", "凌兵奎", "任职", "兴隆村党支部", 2],
        ["out", "凌兵奎", "带领", "兴隆村党支部", 1],
        ["out", "凌兵奎", "带领", "疫情防控", 1],
    ]
    assert df.loc[0, "title"] == "党支部书记"
    assert df["title"].isna().tolist() == [False, True, True]
    assert df.loc[0, "docs"] == ["d1", "d2"]
    assert df.loc[0, "sentences"] == [
        "d1#0: 兴隆村党支部书记凌兵奎带领党员值守卡口。",
        "d2#3: 凌兵奎是兴隆村党支部书记。",
    ]


def test_who_did_what_incoming_and_attrs(kg: KnowledgeGraph) -> None:
    df = kg.who_did_what("MATERIAL:口罩")
    assert df[["direction", "subject", "predicate", "object"]].values.tolist() == [
        ["in", "恒达建材有限公司", "捐赠", "口罩"]
    ]
    row = df.iloc[0]
    assert (row["amount"], row["amount_value"], row["quantity"], row["recipient"]) == (
        "5万元",
        50000.0,
        "2000只",
        "兴隆村",
    )
    assert not row["approximate"]
    company = kg.who_did_what("恒达公司")
    assert company["direction"].tolist() == ["out", "out", "out", "in"]
    assert company["predicate"].tolist() == ["位于", "捐赠", "捐赠", "任职"]
    assert kg.who_did_what("赵强").empty


def test_unknown_name_suggests_close_matches(kg: KnowledgeGraph) -> None:
    with pytest.raises(KeyError) as partial:
        kg.who_did_what("凌兵")
    assert "unknown entity '凌兵'" in str(partial.value)
    assert "凌兵奎 (PERSON:凌兵奎)" in str(partial.value)
    with pytest.raises(UnknownEntityError, match=r"did you mean: 凌兵奎 \(PERSON:凌兵奎\)"):
        kg.ego("凌冰奎")  # one wrong character: difflib
    with pytest.raises(KeyError, match="no similar names"):
        kg.path("凌兵奎", "XYZ")


def test_ambiguous_alias_asks_for_node_id() -> None:
    graph = make_graph()
    graph.nodes["PERSON:张伟"]["aliases"].append("老张")
    graph.nodes["PERSON:李明"]["aliases"].append("老张")
    with pytest.raises(KeyError, match="ambiguous: PERSON:张伟, PERSON:李明"):
        KnowledgeGraph(graph).who_did_what("老张")


def test_entities(kg: KnowledgeGraph) -> None:
    people = kg.entities(type="person")
    assert list(people.columns) == ["id", "label", "type", "mentions", "degree", "documents"]
    assert people["label"].tolist() == ["凌兵奎", "王秀英", "张伟", "李明", "赵强"]  # mentions, degree, label
    assert people.iloc[0]["documents"] == ["d1", "d2"]
    assert len(kg.entities()) == 16
    assert kg.entities().iloc[0]["label"] == "兴隆村"
    with pytest.raises(ValueError, match="unknown entity type 'PER'"):
        kg.entities(type="PER")


def test_ego(kg: KnowledgeGraph) -> None:
    ego = kg.ego("凌兵奎")
    assert set(ego) == {"PERSON:凌兵奎", "ORG:兴隆村党支部", "EVENT:疫情防控"}
    assert ego.number_of_edges() == 3  # both parallel edges kept
    assert set(kg.ego("凌兵奎", radius=2)) >= {"PERSON:王秀英", "GPE:兴隆村", "PERSON:李明"}
    ego.remove_node("PERSON:凌兵奎")
    assert "PERSON:凌兵奎" in kg.graph, "ego returns a copy"


def test_path_follows_best_edges_in_their_own_direction(kg: KnowledgeGraph) -> None:
    expected = [
        ("凌兵奎", "任职", "兴隆村党支部"),  # weight 2 beats the parallel 带领 (weight 1)
        ("兴隆村党支部", "隶属", "兴隆村"),
        ("兴隆村", "位于", "平阳县"),
        ("平阳县", "位于", "浙江省"),
    ]
    assert kg.path("凌兵奎", "浙江省") == expected
    assert kg.path("GPE:浙江省", "凌书记") == expected[::-1]
    assert kg.path("凌兵奎", "凌兵奎") == []


def test_path_without_connection_names_both(kg: KnowledgeGraph) -> None:
    with pytest.raises(
        nx.NetworkXNoPath, match=r"no path between 凌兵奎 \(PERSON:凌兵奎\) and 赵强 \(PERSON:赵强\)"
    ):
        kg.path("凌兵奎", "赵强")


def test_centrality_ordering(kg: KnowledgeGraph) -> None:
    degree = kg.centrality("degree", top=4)
    assert list(degree.columns) == ["id", "label", "type", "score"]
    # Four neighbours each; ties broken by label.
    assert degree["label"].tolist() == ["平阳县", "恒达建材有限公司", "疫情防控", "兴隆村"]
    assert degree["score"].tolist() == pytest.approx([4 / 15, 4 / 15, 4 / 15, 3 / 15])
    between = kg.centrality("betweenness", top=None)
    assert len(between) == 16
    assert between["score"].is_monotonic_decreasing
    assert between.iloc[-1]["score"] == 0.0
    pagerank = kg.centrality("pagerank", top=None)
    assert pagerank["score"].sum() == pytest.approx(1.0)
    assert pagerank["score"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="unknown centrality"):
        kg.centrality("closeness")  # type: ignore[arg-type]


def test_communities_are_deterministic(kg: KnowledgeGraph) -> None:
    communities = kg.communities()
    assert communities == kg.communities()
    assert communities == KnowledgeGraph(make_graph(reverse=True)).communities()
    labels = [label for group in communities for label in group]
    assert sorted(labels) == sorted(kg.graph.nodes[n]["label"] for n in kg.graph)
    company = next(group for group in communities if "恒达建材有限公司" in group)
    assert {"口罩", "消毒液", "张伟"} <= set(company)
    assert ["赵强"] in communities
    assert [len(g) for g in communities] == sorted((len(g) for g in communities), reverse=True)


def test_predicates(kg: KnowledgeGraph) -> None:
    df = kg.predicates()
    assert list(df.columns) == ["predicate", "edges", "weight", "documents"]
    assert df.iloc[0].tolist() == ["位于", 5, 5.0, 3]
    counts = dict(zip(df["predicate"], df["edges"], strict=True))
    assert counts == {"位于": 5, "任职": 4, "带领": 2, "捐赠": 2, "印发": 1, "报道": 1, "摄影": 1, "隶属": 1}
