"""Command line: ``kg build``, ``kg eval``, ``kg model`` and ``kg db``."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from multiprocessing import get_context
from pathlib import Path
from typing import Annotated, NoReturn

import networkx as nx
import typer
from tqdm import tqdm

import kg
from kg.atomic import OutputBusyError, atomic_write_text, output_lock, replace_folder
from kg.cache import AnalysisCache, CacheError, default_cache_dir
from kg.corpus import (
    LOCAL_DASK,
    AnalysisSpec,
    CorpusAnalysis,
    ExecutorError,
    analyse_corpus,
    analysis_spec,
    available_cores,
    check_executor,
)
from kg.dbcli import db_app
from kg.evaluate import (
    SCORED_PREDICATES,
    dump_gold,
    errors,
    format_errors,
    format_side_by_side,
    format_table,
    load_gold,
    score,
)
from kg.export import Export
from kg.graphdb import write_database
from kg.ingest import DEFAULT_MAX_BYTES, load_documents
from kg.neo4j import write_neo4j
from kg.nlp import load_pipeline
from kg.nlp.train import model_app
from kg.pipeline import BuildResult, KnowledgeGraphBuilder, assemble
from kg.predictions import analyse_gold
from kg.render import render_html
from kg.resolve import Resolver
from kg.types import Document, Skipped

app = typer.Typer(
    help="Build knowledge graphs (who did what, with whom, where and when) from Chinese news articles.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(model_app, name="model", help="Train or evaluate kg's own Chinese spaCy pipeline (zh_kg_news).")
app.add_typer(db_app, name="db", help="The graph in an embedded Cypher database (LadybugDB) or in Neo4j.")

ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="spaCy pipeline: zh_kg_news, an installed zh_core_web_* or a directory. "
        "Default: the best zh_core_web_* installed, else zh_kg_news.",
    ),
]
RulesOption = Annotated[
    Path | None, typer.Option("--rules", help="Relation rules YAML (default: kg/data/relations.yaml).")
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kg {kg.__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show kg's version.")
    ] = False,
) -> None:
    """kg turns a folder of Chinese news articles into a graph with evidence for every edge."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")


@app.command()
def build(
    inputs: Annotated[list[Path], typer.Argument(help="Files or folders of .txt, .md or .html articles.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the outputs.")] = Path("output"),
    model: ModelOption = None,
    rules: RulesOption = None,
    year: Annotated[int | None, typer.Option(help="Year for dates written without one (1月30日).")] = None,
    strict: Annotated[
        bool, typer.Option(help="Exit non-zero when any input is not read, or read only after repairs.")
    ] = False,
    max_bytes: Annotated[int, typer.Option(help="Skip files larger than this many bytes.")] = DEFAULT_MAX_BYTES,
    db: Annotated[
        Path | None, typer.Option("--db", help="Also write the graph as a LadybugDB database (e.g. OUTPUT/graph.db).")
    ] = None,
    neo4j: Annotated[bool, typer.Option(help="Also write Neo4j import files into OUTPUT/neo4j.")] = False,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=0, help="Worker processes for NLP and extraction; 0: one per core.")
    ] = 0,
    executor: Annotated[
        str,
        typer.Option(
            help=f"Where documents are analysed: local (a process pool of --jobs), {LOCAL_DASK} (a local Dask "
            "cluster of --jobs workers) or dask://HOST:PORT (a running Dask scheduler)."
        ),
    ] = "local",
    cache: Annotated[
        Path | None, typer.Option(help="Cache folder of per-document analyses (default: ~/.cache/kg).")
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Analyse every document; read and write no cache.")
    ] = False,
) -> None:
    """Build the graph of INPUTS into OUTPUT: graph.html, graph.graphml, graph.gexf, graph.json, CSVs.

    OUTPUT is replaced as a whole at the end, so it always holds one complete set of outputs; a build that
    reads no document leaves it untouched. Documents analysed before with the same pipeline, rules and lexicons
    are read from the cache.
    """
    if output.exists() and not output.is_dir():
        _fail(f"output path {output} is a file, not a folder", 2)
    try:
        check_executor(executor)
    except ExecutorError as err:
        _fail(str(err), 2)
    # The output folder is replaced as a whole: it must not hold the articles themselves.
    for item in inputs:
        if output.resolve() in (item.resolve(), *item.resolve().parents):
            _fail(f"output folder {output} holds the input {item}; choose a folder of its own", 2)
    # kill and Ctrl-C alike unwind through the clean-up below (a killed -9 run is cleaned by the next one).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        with output_lock(output) as lock:
            cache_dir = None if no_cache else cache or default_cache_dir()
            settings = BuildSettings(jobs or available_cores(), executor, cache_dir)
            _build_locked(inputs, output, lock, model, rules, year, strict, max_bytes, db, neo4j, settings)
    except OutputBusyError as err:
        _fail(str(err), 3)
    except OSError as err:
        _fail(f"cannot write {output}: {err}", 2)


def _build_locked(
    inputs: list[Path],
    output: Path,
    lock: Path,
    model: str | None,
    rules: Path | None,
    year: int | None,
    strict: bool,
    max_bytes: int,
    db: Path | None,
    neo4j: bool,
    settings: BuildSettings,
) -> None:
    documents, skipped = load_documents(inputs, year=year, max_bytes=max_bytes, exclude=[output, lock])
    for item in skipped:
        typer.echo(f"skipped {item.path}: {item.reason}", err=True)
    damaged = [doc for doc in documents if doc.damage]
    for doc in damaged:
        typer.echo(f"repaired {doc.path}: {doc.damage}", err=True)
    if not documents:
        _fail(f"no document read from {', '.join(map(str, inputs))}; {output} left as it was", 1)
    result, corpus = _analyse(documents, skipped, _spec(model, rules), settings)
    provenance = {
        "pipeline": result.pipeline,
        "kg": kg.__version__,
        "documents": str(len(documents)),
    }
    summary = {
        "pipeline": result.pipeline,
        "inputs": [str(path) for path in inputs],
        "documents": len(documents),
        "sentences": sum(len(a.doc.sentences) for a in result.analyses),
        "entities": dict(sorted(result.stats["entities"].items())),
        "relations": dict(sorted(result.stats["relations"].items(), key=lambda kv: (-kv[1], kv[0]))),
        "skipped": [{"path": s.path, "reason": s.reason, "deliberate": s.deliberate} for s in skipped],
        "repaired": [{"path": doc.path, "id": doc.id, "repairs": doc.damage} for doc in damaged],
        "analysed": {
            "documents": corpus.analysed,
            "from_cache": corpus.from_cache,
            "workers": corpus.workers,
            # what the gather step held: mentions and relations of every document, before resolution
            "mentions": sum(len(a.mentions) for a in corpus.analyses),
            "relations": sum(len(a.relations) for a in corpus.analyses),
        },
        "seconds": round(result.seconds, 1),
        "built": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    staging = replace_folder(output, owned=_previous_outputs(output))
    with staging as stage, _side_process(result.graph, settings) as side:
        export = Export(result.graph, side)  # GraphML and GEXF go on in side processes, if there are
        render_html(result.graph, stage / "graph.html", title="kg: who did what", provenance=provenance)
        written = export.write(stage)
        extra = _write_extras(result.graph, stage, output, db, neo4j)
        files = [output / path.relative_to(stage) for path in [*written.values(), stage / "graph.html"]] + extra
        summary["files"] = sorted(
            {str(f.relative_to(output)).split(os.sep)[0] for f in files if f.is_relative_to(output)}
        )
        atomic_write_text(stage / "summary.json", json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    _print_summary(summary, files)
    if strict and (damaged or any(not s.deliberate for s in skipped)):
        raise typer.Exit(code=1)


# Below this many nodes and edges the GraphML and GEXF take less time than starting a process for them.
SIDE_PROCESS_ELEMENTS = 10_000


@contextmanager
def _side_process(graph: nx.MultiDiGraph, settings: BuildSettings) -> Iterator[ProcessPoolExecutor | None]:
    """Two more processes for the XML exports, where a core is free for them and the graph is worth the start-up."""
    if settings.jobs < 2 or graph.number_of_nodes() + graph.number_of_edges() < SIDE_PROCESS_ELEMENTS:
        yield None
        return
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as side:  # GraphML and GEXF
        yield side


@dataclass(frozen=True)
class BuildSettings:
    jobs: int
    executor: str
    cache: Path | None  # None: no cache


def _spec(model: str | None, rules: Path | None) -> AnalysisSpec:
    try:
        return analysis_spec(model, rules)
    except ValueError as err:
        _fail(str(err), 2)


def _analyse(
    documents: list[Document], skipped: list[Skipped], spec: AnalysisSpec, settings: BuildSettings
) -> tuple[BuildResult, CorpusAnalysis]:
    """The analyses (cached or computed where the settings say), then resolution and the graph."""
    started = time.perf_counter()
    cache = None
    if settings.cache is not None:
        try:
            cache = AnalysisCache(settings.cache)
        except CacheError as err:
            typer.echo(f"warning: {err}; building without a cache", err=True)
    bar = tqdm(total=len(documents), desc="documents", unit="doc", disable=None)
    with bar, ThreadPoolExecutor(1) as aside:
        # This process mostly waits while workers analyse: it reads the lexicons and the documents' zones meanwhile.
        resolution = aside.submit(_prepare_resolution, documents)
        try:
            corpus = analyse_corpus(
                documents, spec, executor=settings.executor, jobs=settings.jobs, cache=cache, progress=bar.update
            )
        except ExecutorError as err:
            _fail(str(err), 2)
        finally:
            if cache is not None:
                cache.close()
    for warning in corpus.warnings:
        typer.echo(f"warning: {warning}", err=True)
    resolver, zones = resolution.result()
    return assemble(corpus.analyses, resolver, corpus.pipeline, skipped, started, zones), corpus


def _prepare_resolution(documents: list[Document]) -> tuple[Resolver, dict[str, dict[str, str]]]:
    resolver = Resolver()
    return resolver, {doc.id: resolver.document_zones(doc) for doc in documents}


def _previous_outputs(output: Path) -> list[str]:
    """What the previous build wrote into ``output`` (its summary's ``files``): not carried into the new one."""
    try:
        return [str(name) for name in json.loads((output / "summary.json").read_text(encoding="utf-8"))["files"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _write_extras(graph: nx.MultiDiGraph, stage: Path, output: Path, db: Path | None, neo4j: bool) -> list[Path]:
    """The database and the Neo4j files: inside the output folder they are written into its staging folder, so
    they are swapped in as one unit with the rest; a database elsewhere is replaced on its own, atomically."""
    written = []
    if db is not None:
        target, root = db.resolve(), output.resolve()
        inside = target.is_relative_to(root)
        folder = stage / target.parent.relative_to(root) if inside else db.parent
        path = write_database(graph, folder, db.name)
        written.append(output / path.relative_to(stage) if inside else path)
    if neo4j:
        written += [output / p.relative_to(stage) for p in write_neo4j(graph, stage / "neo4j").values()]
    return written


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=code)


def _print_summary(summary: dict, files: list[Path]) -> None:
    typer.echo(f"pipeline   {summary['pipeline']}")
    typer.echo(f"documents  {summary['documents']}   sentences {summary['sentences']}   seconds {summary['seconds']}")
    typer.echo("entities   " + "  ".join(f"{k} {v}" for k, v in summary["entities"].items()))
    scored = {k: v for k, v in summary["relations"].items() if k in SCORED_PREDICATES}
    others = sum(v for k, v in summary["relations"].items() if k not in SCORED_PREDICATES)
    typer.echo("relations  " + "  ".join(f"{k} {v}" for k, v in scored.items()) + f"  other verbs {others}")
    typer.echo(
        f"skipped    {len(summary['skipped'])}" + "".join(f"\n  {s['path']}: {s['reason']}" for s in summary["skipped"])
    )
    if summary["repaired"]:
        typer.echo(
            f"repaired   {len(summary['repaired'])}"
            + "".join(f"\n  {r['path']}: {r['repairs']}" for r in summary["repaired"])
        )
    typer.echo("wrote      " + "  ".join(str(f) for f in files))


def _builder(model: str | None, rules: Path | None) -> KnowledgeGraphBuilder:
    """The pipeline and rules, or a clear error (unknown pipeline, unreadable or broken rule file)."""
    try:
        return KnowledgeGraphBuilder(load_pipeline(model), rules)
    except ValueError as err:
        _fail(str(err), 2)


# The gold sets kg reports side by side when `kg eval` is given none: the demo, and the development set split
# once into dev-tune (rules are written from its errors) and dev-test (scored only).
STANDARD_GOLD = (Path("data/gold/seeds.jsonl"), Path("data/gold/dev-tune.jsonl"), Path("data/gold/dev-test.jsonl"))
# Errors of a held-out set are not shown: reading them while writing rules would tune kg on what it is scored on.
HELD_OUT_MARK = "dev-test"


@app.command("eval")
def evaluate(
    gold: Annotated[
        list[Path] | None,
        typer.Argument(help="Gold annotations, JSON Lines in SCHEMA.md's format; default: demo, dev-tune, dev-test."),
    ] = None,
    model: ModelOption = None,
    rules: RulesOption = None,
    show_errors: Annotated[
        bool, typer.Option("--errors", help="List misses and false alarms (never for a dev-test set).")
    ] = False,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the report as JSON here.")] = None,
    predictions: Annotated[
        Path | None, typer.Option("--predictions", help="Write kg's extractions here, in the gold format.")
    ] = None,
) -> None:
    """Score kg's extraction against GOLD: strict and lenient P/R/F1 per label, per predicate and overall.

    Several gold files are scored one after the other and then compared side by side."""
    paths = gold or [p for p in STANDARD_GOLD if p.is_file()]
    if not paths:
        _fail(f"no gold file given and none of {', '.join(map(str, STANDARD_GOLD))} found", 2)
    if predictions and len(paths) > 1:
        _fail("--predictions takes one gold file", 2)
    try:
        gold_sets = {_set_name(path): (path, load_gold(path)) for path in paths}
    except (OSError, ValueError) as err:
        _fail(str(err), 2)
    for path, gold_docs in gold_sets.values():
        if not gold_docs:
            _fail(f"{path}: no gold documents in the file; nothing to score", 2)
    builder = _builder(model, rules)
    reports = {}
    for name, (path, gold_docs) in gold_sets.items():
        predicted = analyse_gold(builder, gold_docs)
        reports[name] = report = score(gold_docs, predicted)
        typer.echo(f"== {path}   pipeline {builder.pipeline}   documents {len(gold_docs)}")
        typer.echo(format_table(report))
        if show_errors and HELD_OUT_MARK in path.name:
            typer.echo(f"errors of {path} not shown: it is held out (score only)\n")
        elif show_errors:
            typer.echo(format_errors(errors(gold_docs, predicted)))
        if predictions:
            dump_gold(predicted, predictions)
    if len(reports) > 1:
        typer.echo(f"== side by side   pipeline {builder.pipeline}")
        typer.echo(format_side_by_side(reports))
    if json_path:
        data = {
            "pipeline": builder.pipeline,
            "sets": {name: {"gold": str(gold_sets[name][0]), **r.to_dict()} for name, r in reports.items()},
        }
        atomic_write_text(json_path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _set_name(path: Path) -> str:
    """seeds.jsonl → seeds; dev-test.jsonl → dev-test (the column heading of the side-by-side table)."""
    return path.name.removesuffix(".jsonl")
