"""`kg eval` on the gold standard of the demo corpus: the report, its files, and the floors CI holds."""

from __future__ import annotations

import json

from conftest import ROOT
from typer.testing import CliRunner

from kg.cli import app
from kg.evaluate import load_gold

GOLD = ROOT / "data" / "gold" / "seeds.jsonl"
# Just under what kg reaches with zh_kg_news (see the closing note of issue 4); a drop below fails CI.
ENTITY_STRICT_F1_FLOOR = 0.80
RELATION_LENIENT_F1_FLOOR = 0.74


def test_eval_report_predictions_and_floors(tmp_path, nlp, monkeypatch):
    monkeypatch.setattr("kg.cli.load_pipeline", lambda name=None: nlp)
    report_path, predictions_path = tmp_path / "report.json", tmp_path / "pred.jsonl"
    result = CliRunner().invoke(
        app, ["eval", str(GOLD), "--errors", "--json", str(report_path), "--predictions", str(predictions_path)]
    )
    assert result.exit_code == 0, result.output
    assert "strict" in result.output and "lenient" in result.output and "MISS" in result.output
    report = json.loads(report_path.read_text(encoding="utf-8"))["sets"]["seeds"]
    entities = report["entities"]["overall"]["strict"]
    relations = report["relations"]["overall"]["lenient"]
    assert entities["f1"] >= ENTITY_STRICT_F1_FLOOR, entities
    assert relations["f1"] >= RELATION_LENIENT_F1_FLOOR, relations
    # The predictions are themselves a valid gold file, scorable by any other tool.
    predicted = load_gold(predictions_path)
    assert [d.doc for d in predicted] == [d.doc for d in load_gold(GOLD)]
    assert all(d.entities for d in predicted)


def test_eval_reports_a_bad_gold_file(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc": "x", "text": "张三", "entities": [{"start": 0, "end": 5}], "relations": []}\n')
    result = CliRunner().invoke(app, ["eval", str(bad)])
    assert result.exit_code == 2
    assert "bad.jsonl" in result.output


# The held-out half of the development set: floors just under what the default pipeline reaches on it (43
# documents since the fourth round of annotation; issue 7's bar is dev-test entity strict F1 ≥ 0.80, ORG ≥ 0.75,
# PERSON ≥ 0.90); a drop below fails CI.
DEV_TEST_FLOORS = {"overall": 0.81, "ORG": 0.78, "PERSON": 0.91}


def test_eval_compares_demo_dev_tune_and_dev_test_and_hides_dev_test_errors(tmp_path, nlp, monkeypatch):
    monkeypatch.setattr("kg.cli.load_pipeline", lambda name=None: nlp)
    monkeypatch.chdir(ROOT)  # the standard gold sets are found relative to the checkout
    report_path = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["eval", "--errors", "--json", str(report_path)])
    assert result.exit_code == 0, result.output
    assert "side by side" in result.output and "dev-tune" in result.output
    assert "errors of data/gold/dev-test.jsonl not shown" in result.output
    sets = json.loads(report_path.read_text(encoding="utf-8"))["sets"]
    assert list(sets) == ["seeds", "dev-tune", "dev-test"]
    entities = sets["dev-test"]["entities"]
    assert entities["overall"]["strict"]["f1"] >= DEV_TEST_FLOORS["overall"], entities["overall"]
    for label in ("ORG", "PERSON"):
        assert entities["labels"][label]["strict"]["f1"] >= DEV_TEST_FLOORS[label], entities["labels"][label]
