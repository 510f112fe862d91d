"""The demo graph in the embedded graph database: Cypher answers equal networkx's, writes are atomic."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from conftest import ROOT
from typer.testing import CliRunner

from kg.cli import app
from kg.export import export_all
from kg.graphdb import DB_NAME, GraphDatabase, write_database
from kg.query import KnowledgeGraph, UnknownEntityError

KG = [sys.executable, "-c", "from kg.cli import app; app()"]


@pytest.fixture(scope="module")
def db_path(demo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_database(demo.graph, tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="module")
def db(db_path: Path):
    with GraphDatabase(db_path) as database:
        yield database


def test_who_did_what_in_cypher_equals_networkx_for_every_person_and_org(demo, db: GraphDatabase) -> None:
    graph = KnowledgeGraph(demo.graph)
    checked = 0
    for node, data in demo.graph.nodes(data=True):
        if data["type"] in ("PERSON", "ORG"):
            pd.testing.assert_frame_equal(db.who_did_what(node), graph.who_did_what(node), obj=node)
            checked += 1
    assert checked > 200
    # By label too, resolved the same way.
    pd.testing.assert_frame_equal(db.who_did_what("凌兵奎"), graph.who_did_what("凌兵奎"))


def test_schema_one_table_per_type_and_predicate(demo, db: GraphDatabase) -> None:
    tables = db.tables()
    assert {"PERSON", "ORG", "GPE", "LOC", "MATERIAL", "DOCUMENT"} <= set(tables["NODE"])
    assert set(tables["REL"]) == {d["predicate"] for *_, d in demo.graph.edges(data=True)}
    counts = db.query("MATCH (n) RETURN n.type AS type, count(*) AS n ORDER BY type")
    assert dict(zip(counts["type"], counts["n"], strict=True)) == dict(demo.stats["entities"])


def test_posts_donations_and_evidence(db: GraphDatabase) -> None:
    posts = db.posts("凌兵奎")
    assert ("平顶山高新区党工委", "副书记") in set(zip(posts["body"], posts["title"], strict=True))
    donation = db.donations("河南金泉机械有限公司").set_index("item").loc["方便食品"]
    assert donation["amount"] == "价值8000元" and donation["amount_value"] == 8000.0
    assert donation["recipient"] == "一线工作人员"
    # Amounts are numbers in the database, evidence a list of structs.
    total = db.query("MATCH ()-[r:捐赠]->() WHERE r.amount_unit = 'CNY' RETURN sum(r.amount_value) AS cny")
    assert total["cny"][0] >= 8000
    evidence = db.query(
        "MATCH (p:PERSON)-[r:任职]->(o) WHERE p.label = '张嘉钢' UNWIND r.evidence AS ev "
        "RETURN ev.doc AS doc, ev.text AS text, ev.subject_start AS s, ev.subject_end AS e, ev.rule AS rule"
    )
    assert not evidence.empty and all(evidence["text"].str.len() > 0)
    assert all(evidence["e"] - evidence["s"] == 3)


def test_path_as_long_as_networkx(demo, db: GraphDatabase) -> None:
    graph = KnowledgeGraph(demo.graph)
    path = db.path("凌兵奎", "张嘉钢")
    assert len(path) == len(graph.path("凌兵奎", "张嘉钢"))
    assert path[0][0] == "凌兵奎" and path[-1][0] == "张嘉钢"
    assert db.path("凌兵奎", "凌兵奎") == []


def test_unknown_name(db: GraphDatabase) -> None:
    with pytest.raises(UnknownEntityError, match="没有这个人"):
        db.who_did_what("没有这个人")


def test_reload_replaces_never_duplicates(demo, tmp_path: Path) -> None:
    for _ in range(2):
        path = write_database(demo.graph, tmp_path)
    with GraphDatabase(path) as db:
        assert db.query("MATCH (n) RETURN count(*) AS n")["n"][0] == demo.graph.number_of_nodes()
        assert db.query("MATCH ()-[r]->() RETURN count(*) AS n")["n"][0] == demo.graph.number_of_edges()
    assert sorted(p.name for p in tmp_path.iterdir()) == [DB_NAME]


def test_failed_write_keeps_the_previous_database(demo, tmp_path: Path) -> None:
    path = write_database(demo.graph, tmp_path)
    before = path.read_bytes()
    broken = nx.MultiDiGraph()
    broken.add_node("a", label="a", type="PERSON")
    broken.add_edge("a", "a", predicate="bad`name")
    with pytest.raises(ValueError, match="backtick"):
        write_database(broken, tmp_path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [DB_NAME]


def test_cli_db_load_and_query(demo, tmp_path: Path) -> None:
    export_all(demo.graph, tmp_path / "out")
    target = tmp_path / "out" / DB_NAME
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(app, ["db", "load", str(tmp_path / "out"), str(target)])
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["db", "query", str(target), "MATCH ()-[r]->() RETURN count(*) AS edges"])
    assert result.exit_code == 0 and str(demo.graph.number_of_edges()) in result.output
    missing = runner.invoke(app, ["db", "query", str(tmp_path / "none.db"), "RETURN 1"])
    assert missing.exit_code == 2 and "no graph database" in missing.output


def _kill_when_loading(
    command: list[str], folder: Path, cwd: Path | None = None, pattern: str = ".graph.*.tmp.db"
) -> None:
    """Start ``command`` and SIGKILL it as soon as its temporary database (``pattern``) appears in ``folder``."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while process.poll() is None and not list(folder.glob(pattern)):
            time.sleep(0.01)
        assert process.poll() is None, "the run ended before it started loading the database"
        process.send_signal(signal.SIGKILL)
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()


def _counts(path: Path) -> tuple[int, int]:
    with GraphDatabase(path) as db:
        return (
            int(db.query("MATCH (n) RETURN count(*) AS n")["n"][0]),
            int(db.query("MATCH ()-[r]->() RETURN count(*) AS n")["n"][0]),
        )


@pytest.mark.slow
def test_killed_load_keeps_the_previous_database(tmp_path: Path) -> None:
    # A graph large enough that loading it takes a while, so the kill lands mid-load.
    graph = nx.MultiDiGraph()
    for i in range(20000):
        graph.add_node(f"PERSON:{i}", label=f"人{i}", type="PERSON", aliases=[], mentions=1, documents=["d"])
    for i in range(19999):
        graph.add_edge(f"PERSON:{i}", f"PERSON:{i + 1}", key="认识", predicate="认识", weight=1, evidence=[])
    export_all(graph, tmp_path / "big")
    small = nx.MultiDiGraph()
    small.add_node("PERSON:a", label="甲", type="PERSON")
    target = write_database(small, tmp_path)
    _kill_when_loading([*KG, "db", "load", str(tmp_path / "big"), str(target)], tmp_path)
    assert _counts(target) == (1, 0)
    # The next run clears the killed run's temporary file and replaces the database.
    write_database(graph, tmp_path)
    assert _counts(target) == (20000, 19999)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big", DB_NAME]


@pytest.mark.slow
def test_build_with_db_then_killed_rebuild(tmp_path: Path) -> None:
    out = tmp_path / "out"
    kg = [*KG, "build", "data", "-o", str(out), "--db", str(out / DB_NAME), "--neo4j"]
    subprocess.run(kg, cwd=ROOT, check=True, capture_output=True)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    expected = (sum(summary["entities"].values()), sum(summary["relations"].values()))
    assert _counts(out / DB_NAME) == expected
    assert sorted(p.name for p in (out / "neo4j").iterdir()) == ["load.cypher", "nodes.csv", "relationships.csv"]
    # kg build writes the database into the output's staging folder beside it (swapped in with the rest)
    _kill_when_loading(kg, tmp_path, cwd=ROOT, pattern=".out.kg-*.tmp/.graph.*.tmp.db")
    assert _counts(out / DB_NAME) == expected
    subprocess.run(kg, cwd=ROOT, check=True, capture_output=True)
    assert _counts(out / DB_NAME) == expected
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]


def test_engine_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown graph database engine"):
        write_database(nx.MultiDiGraph(), tmp_path, engine="sqlite")
