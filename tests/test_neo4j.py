"""Neo4j import files checked against the documented neo4j-admin header format (no server runs here).

Format (Neo4j Operations Manual, "Import" → "CSV header format"): each header field is ``name:type``; a nodes
file has one ``:ID`` (optionally ``name:ID`` or ``name:ID(group)``) and may have ``:LABEL``; a relationships
file has ``:START_ID``, ``:END_ID`` and ``:TYPE``; property types are int, long, float, double, boolean, byte,
short, char, string, point, date, localtime, time, localdatetime, datetime, duration, each also as an array
``type[]`` whose elements are joined by the array delimiter; an empty field means no property.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.export import export_all
from kg.neo4j import ARRAY_DELIMITER, IMPORT_COMMAND, write_neo4j

PROPERTY_TYPES = {
    "int", "long", "float", "double", "boolean", "byte", "short", "char", "string",
    "point", "date", "localtime", "time", "localdatetime", "datetime", "duration",
}  # fmt: skip
FIELD = re.compile(r"^(?P<name>[^:]*)(?::(?P<type>[A-Za-z_]+)(?:\((?P<group>[^)]*)\))?(?P<array>\[\])?)?$")


@pytest.fixture(scope="module")
def files(demo, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_neo4j(demo.graph, tmp_path_factory.mktemp("neo4j"))


def read(path: Path) -> tuple[list[dict], list[str]]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "the import tool reads a BOM as part of the first header"
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        return [dict(zip(header, row, strict=True)) for row in reader], header


def parse_header(header: list[str]) -> dict[str, tuple[str, str | None, bool]]:
    """field -> (name, type, is_array), rejecting anything the documented format does not allow."""
    fields = {}
    for field in header:
        match = FIELD.match(field)
        assert match, f"malformed header field {field!r}"
        kind = match["type"]
        if kind in ("ID", "START_ID", "END_ID"):
            assert not match["array"]
        elif kind in ("LABEL", "TYPE", "IGNORE"):
            assert match["name"] == "" and not match["array"] and not match["group"], field
        else:
            assert match["name"], f"a property needs a name: {field!r}"
            assert kind in PROPERTY_TYPES, f"{field!r}: {kind} is not a documented property type"
        fields[field] = (match["name"], kind, bool(match["array"]))
    return fields


def check_value(field: str, value: str, kind: str, array: bool) -> None:
    if value == "":
        return
    for item in value.split(ARRAY_DELIMITER) if array else [value]:
        if kind in ("int", "long"):
            assert re.fullmatch(r"-?\d+", item), f"{field}: {item!r}"
        elif kind in ("double", "float"):
            float(item)
        elif kind == "boolean":
            assert item in ("true", "false"), f"{field}: {item!r}"


def check_rows(rows: list[dict], fields: dict) -> None:
    for row in rows:
        for field, value in row.items():
            _, kind, array = fields[field]
            check_value(field, value, kind, array)


def test_nodes_header_and_values(demo, files) -> None:
    rows, header = read(files["nodes.csv"])
    fields = parse_header(header)
    assert [f for f, (_, kind, _) in fields.items() if kind == "ID"] == ["id:ID"]
    assert header.count(":LABEL") == 1
    check_rows(rows, fields)
    assert len(rows) == demo.graph.number_of_nodes()
    assert len({row["id:ID"] for row in rows}) == len(rows)
    for row in rows:
        assert row[":LABEL"].split(ARRAY_DELIMITER) == ["Entity", demo.graph.nodes[row["id:ID"]]["type"]]
        aliases = row["aliases:string[]"]
        assert (aliases.split(ARRAY_DELIMITER) if aliases else []) == demo.graph.nodes[row["id:ID"]]["aliases"]


def test_relationships_header_values_and_round_trip(demo, files) -> None:
    nodes, _ = read(files["nodes.csv"])
    rows, header = read(files["relationships.csv"])
    fields = parse_header(header)
    assert header[:3] == [":START_ID", ":END_ID", ":TYPE"]
    assert fields["amount_value:double"][1] == "double" and fields["weight:int"][1] == "int"
    check_rows(rows, fields)
    ids = {row["id:ID"] for row in nodes}
    assert all(row[":START_ID"] in ids and row[":END_ID"] in ids and row[":TYPE"] for row in rows)
    # The graph comes back from the files: ends, type, key, weight and every evidence record.
    read_back = set()
    for row in rows:
        docs = row["evidence_doc:string[]"].split(ARRAY_DELIMITER)
        texts = row["evidence_text:string[]"].split(ARRAY_DELIMITER)
        sentences = [int(s) for s in row["evidence_sentence:int[]"].split(ARRAY_DELIMITER)]
        assert len(docs) == len(texts) == len(sentences)
        evidence = tuple(zip(docs, sentences, texts, strict=True))
        ends = (row[":START_ID"], row[":END_ID"], row[":TYPE"], row["key:string"])
        read_back.add((*ends, int(row["weight:int"]), evidence))
    expected = {
        (u, v, d["predicate"], k, d["weight"], tuple((e["doc"], e["sentence"], e["text"]) for e in d["evidence"]))
        for u, v, k, d in demo.graph.edges(keys=True, data=True)
    }
    assert read_back == expected


def test_cypher_script_reads_only_columns_that_exist(demo, files) -> None:
    _, node_header = read(files["nodes.csv"])
    _, rel_header = read(files["relationships.csv"])
    script = files["load.cypher"].read_text(encoding="utf-8")
    statements = [line for line in script.splitlines() if line and not line.startswith("//")]
    assert all(s.endswith(";") for s in statements)
    assert "REQUIRE n.id IS UNIQUE" in statements[0]
    used = set(re.findall(r"row\.`([^`]+)`", script))
    assert used <= set(node_header) | set(rel_header)
    types = {d["type"] for _, d in demo.graph.nodes(data=True)}
    predicates = {d["predicate"] for *_, d in demo.graph.edges(data=True)}
    assert sum("MERGE (n:Entity" in s for s in statements) == len(types)
    assert set(re.findall(r"MERGE \(s\)-\[r:`([^`]+)`", script)) == predicates


def test_cli_neo4j(demo, tmp_path: Path) -> None:
    export_all(demo.graph, tmp_path)
    result = CliRunner().invoke(app, ["db", "neo4j", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "neo4j").iterdir()) == ["load.cypher", "nodes.csv", "relationships.csv"]
    assert IMPORT_COMMAND.format(dir=tmp_path / "neo4j") in result.output
