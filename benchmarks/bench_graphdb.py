"""Load and query times of a kg graph: networkx (graph.json) beside LadybugDB and Kùzu (Cypher).

    python benchmarks/pd98_articles.py /tmp/pd98_articles
    kg build /tmp/pd98_articles -o /tmp/pd98_out --year 1998
    python benchmarks/bench_graphdb.py /tmp/pd98_out

Each engine runs in its own process: ladybug and kuzu are builds of the same C++ code and cannot be imported
into one interpreter. Load = networkx graph in memory → database file (schema, bulk COPY, checkpoint); open =
the database file → a connection; queries = median of --runs calls of the same question on each side. Kùzu
0.11.3 crashes in COPY FROM a DataFrame (pandas 3), so when that fails it is loaded with ``UNWIND $rows``
parameter batches instead, and the table says so. Times are printed with their ratio to networkx.
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

from kg.graphdb import NODE_COLUMNS, GraphDatabase, attr_type, schema_ddl, table_rows, write_database
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


def unwind_load(connection: Any, graph: nx.MultiDiGraph) -> None:
    """Parameter-batch inserts: the loading path that works in Kùzu 0.11.3, for the comparison only."""
    types = {**dict(NODE_COLUMNS), "key": "STRING", "weight": "INT64"}
    for part in table_rows(graph):
        if part.frame.empty:
            continue
        props = [c for c in part.frame.columns if c not in ("from", "to")]
        # An all-null column arrives typed STRING; cast to the column's type.
        values = ", ".join(
            f"`{c}`: row.`{c}`" if c == "evidence" else f"`{c}`: CAST(row.`{c}` AS {types.get(c, attr_type(c))})"
            for c in props
        )
        if part.ends is None:
            cypher = f"UNWIND $rows AS row CREATE (:`{part.table}` {{{values}}})"
        else:
            src, dst = part.ends
            cypher = (
                f"UNWIND $rows AS row MATCH (s:`{src}` {{id: row.`from`}}), (o:`{dst}` {{id: row.`to`}}) "
                f"CREATE (s)-[:`{part.table}` {{{values}}}]->(o)"
            )
        connection.execute(cypher, {"rows": part.frame.to_dict("records")})


def engine_side(out: Path, engine: str, method: str, names: dict[str, str], runs: int) -> dict[str, float]:
    graph = KnowledgeGraph.load(out).graph
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        if method == "copy":
            path = write_database(graph, tmp, engine=engine)
        else:
            module = __import__(engine)
            path = Path(tmp) / "graph.db"
            database = module.Database(str(path), auto_checkpoint=False)
            connection = module.Connection(database)
            for statement in schema_ddl(graph):
                connection.execute(statement)
            unwind_load(connection, graph)
            connection.execute("CHECKPOINT")
            connection.close()
            database.close()
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


def run_engine(out: Path, engine: str, names: dict[str, str], runs: int) -> tuple[str, dict[str, float] | None]:
    for method in ("copy", "unwind"):
        command = [sys.executable, __file__, str(out), "--engine", engine, "--method", method, "--runs", str(runs)]
        command += ["--names", json.dumps(names)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode == 0:
            return method, json.loads(done.stdout.splitlines()[-1])
        print(f"{engine} ({method}): exit status {done.returncode}: {done.stderr.strip().splitlines()[-1:]}")
    return "failed", None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="a kg build output folder")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--method", help=argparse.SUPPRESS)
    parser.add_argument("--names", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:  # child process: one engine
        print(json.dumps(engine_side(args.output, args.engine, args.method, json.loads(args.names), args.runs)))
        return
    graph = KnowledgeGraph.load(args.output).graph
    names = sample(graph)
    print(f"{args.output}: {graph.number_of_nodes()} entities, {graph.number_of_edges()} relations")
    print(
        f"who_did_what/posts of {names['person']} (degree {graph.degree(names['person'])}); "
        f"path to {names['far']} ({names['hops']} hops); median of {args.runs} runs"
    )
    results = {"networkx": ("json", networkx_side(args.output, names, args.runs))}
    for engine in ("ladybug", "kuzu"):
        method, timing = run_engine(args.output, engine, names, args.runs)
        if timing:
            results[engine] = (method, timing)
    base = results["networkx"][1]
    metrics = ["load", "open", "who_did_what", "posts", "path", "predicate_counts"]
    print(f"{'':22}" + "".join(f"{m:>18}" for m in metrics) + f"{'size MB':>10}")
    for name, (method, timing) in results.items():
        cells = []
        for metric in metrics:
            if metric not in timing:
                cells.append(f"{'-':>18}")
                continue
            ratio = f" ({timing[metric] / base[metric]:.1f}x)" if metric in base and name != "networkx" else ""
            cells.append(
                f"{timing[metric] * 1000:>10.1f}ms{ratio:>6}" if ratio else f"{timing[metric] * 1000:>16.1f}ms"
            )
        size = f"{timing['size_mb']:>10.1f}" if "size_mb" in timing else f"{'':>10}"
        print(f"{name + ' (' + method + ')':22}" + "".join(cells) + size)


if __name__ == "__main__":
    main()
