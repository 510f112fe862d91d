"""Load and query times of a kg graph: networkx (graph.json) beside LadybugDB and Kùzu (Cypher).

    python benchmarks/pd98_articles.py /tmp/pd98_articles
    kg build /tmp/pd98_articles -o /tmp/pd98_out --year 1998
    python benchmarks/bench_graphdb.py /tmp/pd98_out

Each engine runs in its own process: ladybug and kuzu are builds of the same C++ code and cannot be imported
into one interpreter. Load = networkx graph in memory → database file (schema, bulk COPY, checkpoint); open =
the database file → a connection; queries = median of --runs calls of the same question on each side (for
networkx, "load" is reading graph.json). Times are printed with their ratio to networkx's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from kg.graphdb import ENGINES, GraphDatabase, write_database
from kg.query import KnowledgeGraph

PREDICATE_COUNTS = "MATCH ()-[r]->() RETURN label(r) AS predicate, count(*) AS edges ORDER BY edges DESC, predicate"


def median_seconds(call: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def sample(graph: nx.MultiDiGraph) -> dict[str, str]:
    """The busiest PERSON and an entity three or more hops from it (or the farthest one) for the path query."""
    persons = [n for n, d in graph.nodes(data=True) if d.get("type") == "PERSON"]
    person = max(persons, key=lambda n: (graph.degree(n), str(n)))
    distances = nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), person)
    far = min(distances, key=lambda n: (abs(distances[n] - 3), -distances[n], str(n)))
    return {"person": person, "far": far, "hops": str(distances[far])}


def networkx_side(out: Path, names: dict[str, str], runs: int) -> dict[str, float]:
    started = time.perf_counter()
    graph = KnowledgeGraph.load(out)
    loaded = time.perf_counter() - started
    return {
        "load": loaded,
        "who_did_what": median_seconds(lambda: graph.who_did_what(names["person"]), runs),
        "posts": median_seconds(
            lambda: graph.who_did_what(names["person"]).query("direction == 'out' and predicate == '任职'"), runs
        ),
        "path": median_seconds(lambda: graph.path(names["person"], names["far"]), runs),
        "predicate_counts": median_seconds(graph.predicates, runs),
    }


def engine_side(out: Path, engine: str, names: dict[str, str], runs: int) -> dict[str, float]:
    graph = KnowledgeGraph.load(out).graph
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        path = write_database(graph, tmp, engine=engine)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        db = GraphDatabase(path, engine=engine)
        opened = time.perf_counter() - started
        with db:
            return {
                "load": loaded,
                "open": opened,
                "who_did_what": median_seconds(lambda: db.who_did_what(names["person"]), runs),
                "posts": median_seconds(lambda: db.posts(names["person"]), runs),
                "path": median_seconds(lambda: db.path(names["person"], names["far"]), runs),
                "predicate_counts": median_seconds(lambda: db.query(PREDICATE_COUNTS), runs),
                "size_mb": path.stat().st_size / 1e6,
            }


def run_engine(out: Path, engine: str, names: dict[str, str], runs: int) -> dict[str, float] | None:
    command = [
        sys.executable,
        __file__,
        str(out),
        "--engine",
        engine,
        "--runs",
        str(runs),
        "--names",
        json.dumps(names),
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"{engine}: exit status {done.returncode}: {done.stderr.strip().splitlines()[-1:]}")
        return None
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="a kg build output folder")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--names", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:  # child process: one engine
        print(json.dumps(engine_side(args.output, args.engine, json.loads(args.names), args.runs)))
        return
    graph = KnowledgeGraph.load(args.output).graph
    names = sample(graph)
    print(f"{args.output}: {graph.number_of_nodes()} entities, {graph.number_of_edges()} relations")
    print(
        f"who_did_what/posts of {names['person']} (degree {graph.degree(names['person'])}); "
        f"path to {names['far']} ({names['hops']} hops); median of {args.runs} runs"
    )
    results = {"networkx (graph.json)": networkx_side(args.output, names, args.runs)}
    for engine in ENGINES:
        timing = run_engine(args.output, engine, names, args.runs)
        if timing:
            results[f"{engine} (Cypher)"] = timing
    base = results["networkx (graph.json)"]
    metrics = ["load", "open", "who_did_what", "posts", "path", "predicate_counts"]
    print(f"{'':22}" + "".join(f"{m:>18}" for m in metrics) + f"{'size MB':>10}")
    for name, timing in results.items():
        cells = []
        for metric in metrics:
            if metric not in timing:
                cells.append(f"{'-':>18}")
                continue
            ratio = f" ({timing[metric] / base[metric]:.1f}x)" if metric in base and timing is not base else ""
            cells.append(
                f"{timing[metric] * 1000:>10.1f}ms{ratio:>6}" if ratio else f"{timing[metric] * 1000:>16.1f}ms"
            )
        size = f"{timing['size_mb']:>10.1f}" if "size_mb" in timing else f"{'':>10}"
        print(f"{name:22}" + "".join(cells) + size)


if __name__ == "__main__":
    main()
