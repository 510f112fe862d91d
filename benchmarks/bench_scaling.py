"""Build time against article size: one article of 0.5, 1, 2 and 4.9 MB (the demo articles repeated), and
one 360 KB line without 。, each timed by stage.

    python benchmarks/bench_scaling.py [--sizes 0.5 1 2 4.9] [--line-kb 360]

Linear work doubles with the size; the last column is each time's ratio to that: 1.0 is exactly linear,
the issue's bar is at most 1.2 per doubling.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from kg.export import export_all
from kg.graph import build_graph
from kg.ingest import read_document
from kg.nlp import find_mentions, load_pipeline
from kg.pipeline import KnowledgeGraphBuilder
from kg.render import render_html

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "seeds"


def article(size: int, *, punctuation: bool = True) -> str:
    """The demo articles repeated to ``size`` UTF-8 bytes; without punctuation, one line with no 。"""
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    if not punctuation:
        text = "".join(ch for ch in text if ch not in "。！？；!?;…\n\r")
    data = (text * (size // len(text.encode("utf-8")) + 1)).encode("utf-8")[:size]
    return data.decode("utf-8", "ignore")


def timed_build(builder: KnowledgeGraphBuilder, path: Path, out: Path) -> dict[str, float]:
    times: dict[str, float] = {}
    started = last = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        times[name], last = now - last, now

    doc = read_document(path, max_bytes=6 * 1024 * 1024)
    lap("ingest")
    found = find_mentions(doc, builder.nlp)
    lap("nlp")
    mentions, relations = builder.extractor.extract(doc, found)
    lap("extract")
    entities, resolved = builder.resolver.resolve([doc], mentions, relations)
    lap("resolve")
    graph = build_graph(entities, resolved, {"pipeline": builder.pipeline})
    lap("graph")
    export_all(graph, out)
    render_html(graph, out / "graph.html", title="bench", provenance={})
    lap("outputs")
    times["total"] = time.perf_counter() - started
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.5, 1, 2, 4.9], help="Article sizes in MB.")
    parser.add_argument("--line-kb", type=int, default=360, help="Size of the line without punctuation.")
    args = parser.parse_args()
    builder = KnowledgeGraphBuilder(load_pipeline())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        line = folder / "line.txt"
        line.write_text(article(args.line_kb * 1024, punctuation=False), encoding="utf-8")
        times = timed_build(builder, line, folder / "out-line")
        print(f"{args.line_kb} KB line without 。: {times['total']:.1f} s", flush=True)
        previous: tuple[float, float] | None = None
        print("MB      total s  " + "  ".join(f"{k:>8}" for k in ("ingest", "nlp", "extract", "resolve", "graph",
                                                                "outputs")) + "  vs linear")
        for mb in args.sizes:
            path = folder / f"article-{mb}.txt"
            path.write_text(article(int(mb * 1024 * 1024)), encoding="utf-8")
            times = timed_build(builder, path, folder / f"out-{mb}")
            ratio = ""
            if previous:
                ratio = f"{times['total'] / previous[1] / (mb / previous[0]):.2f}"
            stages = "  ".join(f"{times[k]:8.1f}" for k in ("ingest", "nlp", "extract", "resolve", "graph", "outputs"))
            print(f"{mb:<6}  {times['total']:7.1f}  {stages}  {ratio}", flush=True)
            previous = (mb, times["total"])


if __name__ == "__main__":
    main()
