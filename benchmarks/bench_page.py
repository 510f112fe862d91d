"""graph.html of a big graph: file size, render time and time to first paint in headless Chromium.

    python benchmarks/bench_page.py                           # whole PD98, built into /tmp/pd98_out if missing
    python benchmarks/bench_page.py /tmp/pd98_out/graph.json  # any kg graph.json (or its folder)

The page is rendered from graph.json with the current kg.render and written next to it as graph.html (--out to
change). "First paint" is the first frame vis-network draws: the page stamps ``data-kg-first-paint`` on <html>
with its own ``performance.now()`` (milliseconds since navigation start) when vis-network's first ``afterDrawing``
event fires. Each load also reports the wall time from opening a tab for the page (DevTools, then Page.navigate)
until the benchmark sees that stamp (polled every 20 ms, so it overshoots by up to that much), and how many
entities and relations the canvas holds. Every load uses a fresh browser profile.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg.query import KnowledgeGraph
from kg.render import build_html

ROOT = Path(__file__).resolve().parents[1]
# The DevTools-over-pipe client of the browser test; sharing it keeps one copy of that protocol code.
sys.path.insert(0, str(ROOT / "tests"))
from test_render import CHROMIUM, Cdp  # noqa: E402

PD98_ARTICLES = Path("/tmp/pd98")
PD98_OUT = Path("/tmp/pd98_out")
PAINT_MARK = "document.documentElement?.dataset.kgFirstPaint ?? ''"
CANVAS_COUNTS = "[document.documentElement.dataset.kgNodes, document.documentElement.dataset.kgEdges]"


def graph_json(arg: str | None) -> Path:
    """The graph.json to render: the given one, or the whole-PD98 graph, built first if missing."""
    if arg:
        path = Path(arg)
        return path / "graph.json" if path.is_dir() else path
    path = PD98_OUT / "graph.json"
    if not path.exists():
        if not PD98_ARTICLES.exists():
            subprocess.run(
                [sys.executable, str(ROOT / "benchmarks" / "pd98_articles.py"), str(PD98_ARTICLES)], check=True
            )
        subprocess.run(["kg", "build", str(PD98_ARTICLES), "-o", str(PD98_OUT)], check=True)
    return path


def first_paint(html: Path, timeout: float) -> tuple[float, float, list[str]]:
    """(page-reported ms, wall ms from opening the tab, [entities, relations on the canvas]) of one load."""
    profile = tempfile.mkdtemp(prefix="kg-bench-page-")
    cdp = Cdp(profile)
    try:
        started = time.perf_counter()
        session = cdp.open(html.as_uri())
        mark = cdp.wait_for(session, PAINT_MARK, timeout, poll=0.02)
        wall = (time.perf_counter() - started) * 1000
        return float(mark), wall, cdp.evaluate(session, CANVAS_COUNTS)
    finally:
        cdp.close()
        shutil.rmtree(profile, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("graph", nargs="?", help="graph.json or a kg build folder (default: whole PD98)")
    parser.add_argument("--out", type=Path, help="where to write the page (default: graph.html beside graph.json)")
    parser.add_argument("--loads", type=int, default=3, help="page loads to time (median reported)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for a first paint")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"needs headless Chromium at {CHROMIUM} (apt-get install -y chromium fonts-noto-cjk)")

    source = graph_json(args.graph)
    graph = KnowledgeGraph.load(source).graph
    out = (args.out or source.with_name("graph.html")).resolve()
    started = time.perf_counter()
    html = build_html(graph, title="kg: who did what", provenance={"graph": str(source)})
    render_seconds = time.perf_counter() - started
    out.write_text(html, encoding="utf-8")
    print(f"graph      {source}: {graph.number_of_nodes():,} entities, {graph.number_of_edges():,} relations")
    print(f"page       {out}: {out.stat().st_size:,} bytes ({out.stat().st_size / 2**20:.1f} MiB)")
    print(f"render     {render_seconds:.2f} s (build_html)")

    page_ms, wall_ms = [], []
    for load in range(1, args.loads + 1):
        page, wall, counts = first_paint(out, args.timeout)
        page_ms.append(page)
        wall_ms.append(wall)
        print(
            f"load {load}     first paint {page / 1000:.2f} s (page clock), "
            f"{wall / 1000:.2f} s (wall from opening the tab); canvas: {counts[0]} entities, {counts[1]} relations"
        )
    print(
        f"median     first paint {statistics.median(page_ms) / 1000:.2f} s (page clock), "
        f"{statistics.median(wall_ms) / 1000:.2f} s (wall) over {args.loads} loads"
    )


if __name__ == "__main__":
    main()
