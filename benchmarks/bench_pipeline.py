"""Throughput of the zh_kg_news pipeline vs jieba.posseg on the seed corpus.

    python benchmarks/bench_pipeline.py [--model kg/models/zh_kg_news] [--seeds data/seeds] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import spacy

ROOT = Path(__file__).resolve().parents[1]


def dir_size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def paragraphs(seeds: Path) -> list[str]:
    paras: list[str] = []
    for path in sorted(seeds.glob("*.txt")):
        paras.extend(p.strip() for p in path.read_text(encoding="utf-8").splitlines() if p.strip())
    return paras


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=ROOT / "kg" / "models" / "zh_kg_news")
    parser.add_argument("--seeds", type=Path, default=ROOT / "data" / "seeds")
    parser.add_argument("--repeat", type=int, default=3, help="Passes over the text (timings are summed).")
    args = parser.parse_args()

    texts = paragraphs(args.seeds)
    n_chars = sum(map(len, texts)) * args.repeat

    t0 = time.perf_counter()
    nlp = spacy.load(args.model)
    load_s = time.perf_counter() - t0
    nlp("预热。")  # first call pays one-off allocations; keep it out of the throughput figure

    t0 = time.perf_counter()
    for _ in range(args.repeat):
        for _doc in nlp.pipe(texts, batch_size=64):
            pass
    spacy_s = time.perf_counter() - t0

    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    jieba.initialize()  # dictionary loading is jieba's "load time", not throughput
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        for text in texts:
            list(jieba.posseg.cut(text))
    jieba_s = time.perf_counter() - t0

    spacy_cps, jieba_cps = n_chars / spacy_s, n_chars / jieba_s
    print(f"paragraphs: {len(texts)}  characters: {n_chars}  repeat: {args.repeat}")
    print(f"{'':<28}{'value':>12}")
    print(f"{'pipeline dir size (MB)':<28}{dir_size_mb(args.model):>12.1f}")
    print(f"{'pipeline load time (s)':<28}{load_s:>12.2f}")
    print(f"{'zh_kg_news chars/s':<28}{spacy_cps:>12.0f}")
    print(f"{'jieba.posseg chars/s':<28}{jieba_cps:>12.0f}")
    print(f"{'ratio zh_kg_news / jieba':<28}{spacy_cps / jieba_cps:>12.2f}")


if __name__ == "__main__":
    main()
