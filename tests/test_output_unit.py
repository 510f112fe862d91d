"""What a build wrote before is replaced, never carried into the next build: an old database must not outlive
the graph it was made from."""

from __future__ import annotations

import json

from conftest import ROOT
from typer.testing import CliRunner

from kg.cli import app

ARTICLE = ROOT / "data" / "seeds" / "000_8af3a52c6c9a1fca.txt"


def test_files_of_the_previous_build_are_not_carried_over(tmp_path, nlp, monkeypatch):
    monkeypatch.setattr("kg.cli.load_pipeline", lambda name=None: nlp)
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text(ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.md").write_text("mine", encoding="utf-8")
    first = CliRunner().invoke(app, ["build", str(source), "-o", str(out), "--db", str(out / "graph.db"), "--neo4j"])
    assert first.exit_code == 0, first.output
    assert (out / "graph.db").exists() and (out / "neo4j" / "nodes.csv").exists()
    assert {"graph.db", "neo4j", "graph.json"} <= set(json.loads((out / "summary.json").read_text())["files"])
    second = CliRunner().invoke(app, ["build", str(source), "-o", str(out)])
    assert second.exit_code == 0, second.output
    assert not (out / "graph.db").exists() and not (out / "neo4j").exists()
    assert (out / "notes.md").read_text(encoding="utf-8") == "mine"  # the user's own file stays
    assert (out / "graph.json").exists()
