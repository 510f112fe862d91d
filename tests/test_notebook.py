"""notebooks/explore.ipynb: the committed copy is valid and small; executed afresh, it runs without errors.

The slow test executes a copy in tmp_path (the committed notebook is never overwritten) with KG_OUTPUT
pointing into tmp_path, so the repository's output/ is left alone. It needs a Chinese pipeline: an
installed zh_core_web_*, kg/models/zh_kg_news, or a pipeline directory named by KG_MODEL.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kg.nlp import available_pipelines

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
# Outputs must stay readable diffs: no inlined graph.html, no base64 images.
MAX_OUTPUT_CHARS = 20_000


def _text(cell) -> str:
    """All output text of a code cell (streams, plain-text and HTML reprs, error tracebacks)."""
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif output["output_type"] == "error":
            parts.append("\n".join(output["traceback"]))
        else:
            parts.extend(str(value) for value in output.get("data", {}).values())
    return "\n".join(parts)


def _cells(nb) -> dict[str, object]:
    return {cell["id"]: cell for cell in nb.cells}


def _expected_pipeline() -> str:
    """The start of pipeline_id() for the pipeline the notebook will load (KG_MODEL, else the default)."""
    name = os.environ.get("KG_MODEL") or available_pipelines()[0]
    meta_path = Path(name) / "meta.json"
    if meta_path.is_file():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        return f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}"
    return name


def _check_outputs(nb) -> None:
    cells = _cells(nb)
    code = [cell for cell in nb.cells if cell["cell_type"] == "code"]
    errors = [cell["id"] for cell in code if any(o["output_type"] == "error" for o in cell["outputs"])]
    assert not errors, f"cells with errors: {errors}"
    missing = [cell["id"] for cell in code if not cell["outputs"]]
    assert not missing, f"code cells without output: {missing}"
    sizes = {cell["id"]: len(json.dumps(cell["outputs"], ensure_ascii=False)) for cell in code}
    too_big = {cid: size for cid, size in sizes.items() if size > MAX_OUTPUT_CHARS}
    assert not too_big, f"outputs too large (an inlined HTML page?): {too_big}"

    assert "pipeline: " in _text(cells["load"])
    assert "entities" in _text(cells["build"]) and "relations" in _text(cells["build"])
    view = _text(cells["view"])
    assert "<iframe" in view and "graph.html" in view
    assert "PERSON:" in _text(cells["people"])
    # Acceptance bars of the product: these two must be found and connected.
    assert "任职" in _text(cells["who-ling"])
    assert "河南金泉机械有限公司" in _text(cells["who-jinquan"])
    assert "—" in _text(cells["path"])
    assert "张嘉钢" in _text(cells["ego"])
    # Section 4: the Cypher answers beside networkx's.
    assert "Cypher rows equal the networkx rows: True" in _text(cells["cypher-who"])
    assert "方便食品" in _text(cells["cypher-donations"])
    cypher_steps, networkx_steps = (line for line in _text(cells["cypher-path"]).splitlines() if "steps" in line)
    assert cypher_steps.split(": ")[1] == networkx_steps.split(": ")[1]


def test_committed_notebook_is_valid_with_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    _check_outputs(nb)


@pytest.mark.slow
def test_notebook_executes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not os.environ.get("KG_MODEL") and not available_pipelines():
        pytest.skip(
            "no Chinese spaCy pipeline: kg/models/zh_kg_news is missing and no zh_core_web_* is installed "
            "(run `kg model train`, or set KG_MODEL to a pipeline directory)"
        )
    out = tmp_path / "output"
    # The kernel inherits the environment: write the graph files here, not into the repository's output/.
    monkeypatch.setenv("KG_OUTPUT", str(out))
    committed = NOTEBOOK.read_bytes()
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    try:
        client.execute()
    finally:
        nbformat.write(nb, tmp_path / "explore.ipynb")  # kept for inspection when something fails

    _check_outputs(nb)
    assert _expected_pipeline() in _text(_cells(nb)["load"])
    for name in ("graph.html", "graph.json", "graph.graphml", "graph.gexf", "nodes.csv", "edges.csv"):
        assert (out / name).is_file(), name
    assert NOTEBOOK.read_bytes() == committed
