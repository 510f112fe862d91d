"""kg build under bad input, faults and concurrency (issue 9): nothing lost, nothing half-written, nothing
unreadable. Each test is one case of the probe; the ones that start real processes are marked slow."""

from __future__ import annotations

import csv
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.dom.minidom
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from conftest import SEEDS
from typer.testing import CliRunner

from kg.atomic import OutputBusyError, output_lock, replace_folder, sibling
from kg.cli import app
from kg.export import export_all
from kg.ingest import load_documents
from kg.query import KnowledgeGraph

OUTPUTS = ("graph.graphml", "graph.gexf", "graph.json", "nodes.csv", "edges.csv", "graph.html", "summary.json")
FORMULA = ("=", "+", "-", "@", "\t", "\r")
# A short demo article: 平东社区站党总支书记张嘉钢 and others, enough for nodes and edges.
ARTICLE = (SEEDS / "004_f03f7de953d5929e.txt").read_text(encoding="utf-8")


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


@pytest.fixture
def cli(nlp, monkeypatch):
    """``kg`` in this process, with the session's pipeline instead of loading one per call."""
    monkeypatch.setattr("kg.cli.load_pipeline", lambda name=None: nlp)
    return lambda *args: CliRunner().invoke(app, [str(a) for a in args])


def summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


# --- every input accounted for -----------------------------------------------------------------------


def test_same_names_in_folders_and_suffixes_are_different_documents(tmp_path):
    write(tmp_path / "in/2020/report.txt", "甲文。")
    write(tmp_path / "in/2021/report.txt", "乙文。")
    write(tmp_path / "in/a.txt", "丙文。")
    write(tmp_path / "in/a.html", "<p>丁文。</p>")
    docs, skipped = load_documents([tmp_path / "in"])
    assert [d.id for d in docs] == ["2020/report.txt", "2021/report.txt", "a.html", "a.txt"]
    assert skipped == []


def test_file_names_that_are_not_utf8_are_shown_with_replacement(tmp_path):
    write(tmp_path / os.fsdecode(b"bad\xff.txt"), "甲文。")
    write(tmp_path / os.fsdecode(b"bad\xfe.docx"), "x")
    (doc,), (skipped,) = load_documents([tmp_path])
    assert doc.id == "bad\ufffd.txt" and doc.path.endswith("bad\ufffd.txt")
    assert skipped.path.endswith("bad\ufffd.docx")
    json.dumps([doc.id, doc.path, skipped.path], ensure_ascii=False).encode("utf-8")


def test_symlinks_are_followed_once(tmp_path):
    write(tmp_path / "in/a.txt", "甲文。")
    write(tmp_path / "elsewhere/b.txt", "乙文。")
    (tmp_path / "in/sub").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "in/copy.txt").symlink_to(tmp_path / "in/a.txt")
    (tmp_path / "in/loop").symlink_to(tmp_path / "in")
    docs, skipped = load_documents([tmp_path / "in"])
    assert [d.id for d in docs] == ["a.txt", "sub/b.txt"]  # the linked folder is read, the linked file once
    reasons = {Path(s.path).name: s for s in skipped}
    assert set(reasons) == {"copy.txt", "loop"} and all(s.deliberate for s in skipped)
    assert "read once" in reasons["copy.txt"].reason


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_unreadable_folder_is_listed(tmp_path):
    write(tmp_path / "in/a.txt", "甲文。")
    write(tmp_path / "in/locked/b.txt", "乙文。")
    (tmp_path / "in/locked").chmod(0)
    try:
        docs, skipped = load_documents([tmp_path / "in"])
    finally:
        (tmp_path / "in/locked").chmod(0o755)
    assert [d.id for d in docs] == ["a.txt"]
    assert [(Path(s.path).name, s.reason.split(":")[0]) for s in skipped] == [("locked", "cannot read folder")]


def test_unsupported_hidden_and_ignored_files_are_listed(tmp_path):
    write(tmp_path / "in/a.txt", "甲文。")
    write(tmp_path / "in/report.docx", b"PK\x03\x04")
    write(tmp_path / "in/scan.pdf", b"%PDF-1.4")
    write(tmp_path / "in/.DS_Store", b"\0")
    write(tmp_path / "in/notes/n.md", "笔记。")
    write(tmp_path / "in/.kgignore", "# 注释\nnotes/\n".encode("gbk"))  # not UTF-8: decoded like an article
    docs, skipped = load_documents([tmp_path / "in"])
    assert [d.id for d in docs] == ["a.txt"]
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert reasons[".DS_Store"] == "hidden"
    assert reasons["report.docx"].startswith("unsupported file type '.docx'")
    assert reasons["scan.pdf"].startswith("unsupported file type '.pdf'")
    assert "ignored by" in reasons["notes"] and "'notes'" in reasons["notes"]


def test_output_folder_inside_input_is_never_read(tmp_path, cli):
    write(tmp_path / "in/a.txt", ARTICLE)
    for _ in range(2):
        result = cli("build", tmp_path / "in", "-o", tmp_path / "in/out")
        assert result.exit_code == 0, result.output
    data = summary(tmp_path / "in/out")
    assert data["documents"] == 1
    assert [(Path(s["path"]).name, s["deliberate"]) for s in data["skipped"]] == [("out", True)]


def test_output_folder_holding_the_input_is_refused(tmp_path, cli):
    write(tmp_path / "in/a.txt", ARTICLE)
    for output in (tmp_path / "in", tmp_path):
        result = cli("build", tmp_path / "in", "-o", output)
        assert result.exit_code == 2 and "holds the input" in result.output
    assert sorted(p.name for p in (tmp_path / "in").iterdir()) == ["a.txt"]


def test_strict_fails_on_anything_not_read(tmp_path, cli):
    write(tmp_path / "in/a.txt", ARTICLE)
    write(tmp_path / "in/b.docx", b"PK")
    result = cli("build", tmp_path / "in", "-o", tmp_path / "out", "--strict")
    assert result.exit_code == 1
    assert "b.docx" in result.output and "unsupported file type '.docx'" in result.output
    assert summary(tmp_path / "out")["skipped"][0]["reason"].startswith("unsupported file type")


# --- damaged text is read, and said so ---------------------------------------------------------------


@pytest.mark.parametrize("bad", [b"\xff", b"\xe4\xb8", b"\x80\x81\xfe"])
def test_utf8_with_a_few_bad_bytes_is_read_and_reported(tmp_path, bad):
    text = "高新区党工委副书记凌兵奎到平东社区检查。"
    path = write(tmp_path / "a.txt", text.encode() * 5 + bad + "张嘉钢到场。".encode())
    (doc,), skipped = load_documents([path])
    assert not skipped and doc.text.startswith(text * 5) and doc.text.endswith("张嘉钢到场。")
    assert doc.text.count("\ufffd") >= 1
    assert f"first at byte offset {len(text.encode()) * 5}" in doc.damage and "invalid bytes replaced" in doc.damage


def test_badly_damaged_file_is_still_refused(tmp_path):
    path = write(tmp_path / "a.txt", "正文。".encode() + bytes(range(0x80, 0xC0)))
    docs, (skipped,) = load_documents([path])
    assert docs == [] and "64 invalid bytes" in skipped.reason


def test_trailing_nul_and_mixed_encoding_are_read(tmp_path):
    write(tmp_path / "nul.txt", "高新区复工复产。".encode() + b"\0")
    write(tmp_path / "mixed.txt", "凌兵奎到平东社区检查。\n".encode() + "张嘉钢到场慰问。\n".encode("gbk"))
    docs, skipped = load_documents([tmp_path])
    assert not skipped
    by_id = {d.id: d for d in docs}
    assert by_id["nul.txt"].text == "高新区复工复产。" and "1 trailing NUL" in by_id["nul.txt"].damage
    assert by_id["mixed.txt"].text == "凌兵奎到平东社区检查。\n张嘉钢到场慰问。\n"
    assert "1 lines read as GB18030" in by_id["mixed.txt"].damage


def test_repairs_are_in_the_summary_and_fail_strict(tmp_path, cli):
    write(tmp_path / "in/a.txt", ARTICLE.encode() + b"\xff")
    result = cli("build", tmp_path / "in", "-o", tmp_path / "out", "--strict")
    assert result.exit_code == 1 and "repaired" in result.output
    (repaired,) = summary(tmp_path / "out")["repaired"]
    assert repaired["id"] == "a.txt" and "1 invalid bytes replaced" in repaired["repairs"]


def test_markdown_is_read_without_link_targets_and_code(tmp_path):
    source = (
        "# 标题\n\n书记[张嘉钢](https://example.com/李四王五)到场，![图](赵六.png)\n\n"
        "```\n钱七 = 1\n```\n\n    孙八缩进代码\n\n最后一行。\n"
    )
    (doc,), _ = load_documents([write(tmp_path / "a.md", source)])
    assert doc.title == "标题"
    assert doc.text == "标题\n书记张嘉钢到场，\n最后一行。"


# --- outputs every reader accepts --------------------------------------------------------------------


def control_graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(pipeline="zh\x0b test")
    names = ["张\x0e嘉钢", "平东\x1f社区", "=HYPERLINK(\"x\")", "+1", "-1", "@SUM(A1)", "\t制表", "\r回车"]
    for name in names:
        graph.add_node(f"ORG:{name}", label=name, type="ORG", aliases=[name + "\x00"], documents=["a\x01.txt"])
    for a, b in zip(names, names[1:], strict=False):
        evidence = [{"doc": "a\x01.txt", "sentence": 0, "text": f"{a}\x08{b}", "rule": "r"}]
        graph.add_edge(f"ORG:{a}", f"ORG:{b}", key="隶属", predicate="隶属", title=f"={a}", evidence=evidence)
    return graph


def test_xml_outputs_parse_with_control_characters(tmp_path):
    written = export_all(control_graph(), tmp_path)
    for kind in ("graphml", "gexf"):
        ET.parse(written[kind])  # expat: a strict XML 1.0 parser
        xml.dom.minidom.parse(str(written[kind]))
    graph = nx.read_graphml(written["graphml"])
    gexf = nx.read_gexf(written["gexf"])
    assert graph.number_of_nodes() == gexf.number_of_nodes() == 8 and graph.number_of_edges() == 7
    labels = {data["label"] for _, data in graph.nodes(data=True)}
    assert {"张\ufffd嘉钢", "平东\ufffd社区", "\t制表"} <= labels  # replaced, never cut
    # XML readers turn a carriage return into a line feed; names from text never hold line breaks anyway
    assert {data["label"].replace("\r", "\n") for _, data in gexf.nodes(data=True)} == labels


def test_csv_cells_never_start_like_a_formula(tmp_path):
    written = export_all(control_graph(), tmp_path)
    for kind in ("nodes", "edges"):
        with written[kind].open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        cells = [cell for row in rows[1:] for cell in row]
        assert cells and not [cell for cell in cells if cell.startswith(FORMULA)]
        assert any(cell == "'=HYPERLINK(\"x\")" for cell in cells)


@pytest.mark.slow
def test_build_of_control_characters_reads_back_everywhere(tmp_path, cli):
    controls = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r\x0b\x0c\x1c\x1d\x1e")
    text = "".join(line[:8] + controls[i % len(controls)] + line[8:] for i, line in enumerate(ARTICLE.splitlines()))
    write(tmp_path / "in" / "a\x0eb.txt", text)
    write(tmp_path / "in" / "=cmd.txt", "平东社区站党总支书记张嘉钢到场。\n")
    result = cli("build", tmp_path / "in", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    for name in ("graph.graphml", "graph.gexf"):
        ET.parse(out / name)
    graph, gexf = nx.read_graphml(out / "graph.graphml"), nx.read_gexf(out / "graph.gexf")
    assert graph.number_of_nodes() == gexf.number_of_nodes() > 10
    assert any("a\ufffdb.txt" in str(data.get("documents")) for _, data in graph.nodes(data=True))
    for name in ("nodes.csv", "edges.csv"):
        with (out / name).open(encoding="utf-8-sig", newline="") as handle:
            assert not [c for row in list(csv.reader(handle))[1:] for c in row if c.startswith(FORMULA)]


# --- the output folder is one unit -------------------------------------------------------------------


def test_replace_folder_swaps_whole_sets_and_keeps_foreign_files(tmp_path):
    out = tmp_path / "out"
    write(out / "graph.json", "old")
    write(out / ".gitkeep", "")
    write(out / ".graph.0123456789ab.tmp.graphml", "litter of an old kg")
    with replace_folder(out) as stage:
        write(stage / "graph.json", "new")
        assert (out / "graph.json").read_text() == "old"  # nothing visible until the end
    assert sorted(p.name for p in out.iterdir()) == [".gitkeep", "graph.json"]
    assert (out / "graph.json").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging or old folder left


def test_replace_folder_failure_leaves_the_old_output(tmp_path):
    out = tmp_path / "out"
    write(out / "graph.json", "old")
    with pytest.raises(RuntimeError), replace_folder(out) as stage:
        write(stage / "graph.json", "half")
        raise RuntimeError("export failed")
    assert (out / "graph.json").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_lock_refuses_a_second_build_and_cleans_what_a_killed_run_left(tmp_path):
    out = tmp_path / "out"
    write(out / "graph.json", "previous")
    write(sibling(out, "0123456789ab.tmp") / "graph.json", "killed while staging")
    with output_lock(out) as lock:
        assert not sibling(out, "0123456789ab.tmp").exists()
        with pytest.raises(OutputBusyError, match="another kg build"), output_lock(out):
            pass
        assert lock.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    with output_lock(tmp_path / "new" / "deep" / "out"):  # a parent that does not exist yet is made
        pass
    shutil.rmtree(tmp_path / "new")
    # killed between the two renames of the portable swap: the previous output comes back
    os.rename(out, sibling(out, "0123456789ab.old"))
    with output_lock(out):
        assert (out / "graph.json").read_text() == "previous"


def test_build_reading_nothing_never_replaces_a_good_output(tmp_path, cli):
    write(tmp_path / "in/a.txt", ARTICLE)
    assert cli("build", tmp_path / "in", "-o", tmp_path / "out").exit_code == 0
    before = {name: (tmp_path / "out" / name).read_bytes() for name in OUTPUTS}
    (tmp_path / "empty").mkdir()
    for source, cause in ((tmp_path / "typo", "no such file or folder"), (tmp_path / "empty", "no document read")):
        result = cli("build", source, "-o", tmp_path / "out")
        assert result.exit_code == 1 and cause in result.output
        assert "unsupported file type" not in result.output
        assert {name: (tmp_path / "out" / name).read_bytes() for name in OUTPUTS} == before


def test_output_path_that_is_a_file_is_refused_before_nlp(tmp_path, monkeypatch):
    write(tmp_path / "in/a.txt", ARTICLE)
    target = write(tmp_path / "out", "a file")

    def no_pipeline(name=None):
        raise AssertionError("the pipeline must not load")

    monkeypatch.setattr("kg.cli.load_pipeline", no_pipeline)
    result = CliRunner().invoke(app, ["build", str(tmp_path / "in"), "-o", str(target)])
    assert result.exit_code == 2 and "is a file" in result.output
    assert target.read_text() == "a file"


# --- clear errors ------------------------------------------------------------------------------------


def test_eval_refuses_an_empty_gold_file(tmp_path, monkeypatch):
    monkeypatch.setattr("kg.cli.load_pipeline", lambda name=None: pytest.fail("no pipeline for an empty file"))
    gold = write(tmp_path / "gold.jsonl", "\n\n")
    result = CliRunner().invoke(app, ["eval", str(gold)])
    assert result.exit_code == 2 and str(gold) in result.output and "no gold documents" in result.output


def test_eval_names_the_line_of_deep_or_undecodable_json(tmp_path):
    gold = write(tmp_path / "gold.jsonl", b"\n" + b"[" * 100_000 + b"]" * 100_000 + b"\n\xff\n")
    result = CliRunner().invoke(app, ["eval", str(gold)])
    assert result.exit_code == 2
    assert f"{gold}:2: invalid JSON: nested too deeply" in result.output
    assert f"{gold}:3: not UTF-8" in result.output


@pytest.mark.parametrize("content", ['{"nodes": [', '{"directed": true}', "[1, 2]", "\xff"])
def test_corrupt_graph_json_names_itself(tmp_path, content):
    path = write(tmp_path / "graph.json", content.encode("latin-1"))
    with pytest.raises(ValueError, match="graph.json: not a kg graph.json"):
        KnowledgeGraph.load(tmp_path)
    assert path.exists()


# --- faults and concurrency in real processes --------------------------------------------------------


def kg_process(*args: object) -> subprocess.Popen:
    command = [sys.executable, "-c", "from kg.cli import app; app()", *map(str, args)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_input(tmp_path: Path, run: int) -> Path:
    """One input folder per run; its document id, run03.txt, marks every output file of that run."""
    folder = tmp_path / f"input{run:02d}"
    write(folder / f"run{run:02d}.txt", ARTICLE)
    return folder


def output_run(out: Path) -> int:
    """The run that wrote all of ``out``, read back with networkx and csv; fails on a mixed or partial set."""
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)
    runs = {Path(summary(out)["inputs"][0]).name.removeprefix("input")}
    graphs = [nx.read_graphml(out / "graph.graphml"), nx.read_gexf(out / "graph.gexf")]
    graphs.append(KnowledgeGraph.load(out).graph)
    for graph in graphs:
        assert graph.number_of_nodes() > 0
        runs |= {run for _, data in graph.nodes(data=True) for run in re.findall(r"run(\d\d)", str(data["documents"]))}
    for name in ("nodes.csv", "edges.csv"):
        with (out / name).open(encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
        runs |= set(re.findall(r"run(\d\d)\.txt", text))
    runs |= set(re.findall(r"run(\d\d)\.txt", (out / "graph.html").read_text(encoding="utf-8")))
    assert len(runs) == 1, runs
    return int(runs.pop())


def wait_for_staging(process: subprocess.Popen, folder: Path) -> float:
    """The moment the build starts writing its outputs (its staging folder appears), or ends."""
    while process.poll() is None and not any(folder.glob(".out.kg-*.tmp")):
        time.sleep(0.002)
    return time.perf_counter()


@pytest.mark.slow
def test_kill_9_at_random_moments_leaves_one_complete_output(tmp_path):
    out = tmp_path / "out"
    started = time.perf_counter()
    first = kg_process("build", run_input(tmp_path, 0), "-o", out)
    writing = wait_for_staging(first, tmp_path)
    assert first.wait() == 0, first.stderr.read()
    duration, writing = time.perf_counter() - started, time.perf_counter() - writing
    complete = 0
    rng = random.Random(9)
    outcomes: list[str] = []
    for run in range(1, 21):
        process = kg_process("build", run_input(tmp_path, run), "-o", out)
        if run % 2:
            time.sleep(rng.uniform(0.2, 1.05) * duration)
        else:  # most of a run is loading spaCy: every other kill lands while the outputs are written and swapped
            wait_for_staging(process, tmp_path)
            time.sleep(rng.uniform(0, 1.1) * writing)
        process.send_signal(signal.SIGKILL)
        finished = process.wait() == 0
        found = output_run(out)
        assert found in (complete, run), (found, complete, run)
        outcomes.append("finished" if finished else "killed, new output" if found == run else "killed, old output")
        complete = found
    print("kill -9 outcomes:", {kind: outcomes.count(kind) for kind in sorted(set(outcomes))})
    last = kg_process("build", run_input(tmp_path, 21), "-o", out)
    assert last.wait() == 0
    assert output_run(out) == 21
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("input")) == ["out"]


@pytest.mark.slow
def test_two_builds_at_once_never_mix(tmp_path):
    out = tmp_path / "out"
    processes = [kg_process("build", run_input(tmp_path, run), "-o", out) for run in (1, 2)]
    codes = [p.wait() for p in processes]
    errors = [p.stderr.read() for p in processes]
    assert 0 in codes and set(codes) <= {0, 3}, errors
    assert output_run(out) in {run for run, code in zip((1, 2), codes, strict=True) if code == 0}
    if 3 in codes:
        assert "another kg build" in errors[codes.index(3)]
