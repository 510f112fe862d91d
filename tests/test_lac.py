"""Baidu LAC on spaCy's Doc (kg.LacTokenizer.v1 + lac_ner), and kg_domain as a serialisable component."""

from __future__ import annotations

import spacy

from kg.nlp import LAC_PIPELINE, OWN_PIPELINE, lac_pipeline, load_pipeline, pipeline_id


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
    grammar.write_text(grammar.read_text(encoding="utf-8") + "合作社\tending\tORG\t\n", encoding="utf-8")
    loaded = spacy.load(tmp_path / "pipeline")
    assert "合作社" in loaded.get_pipe("kg_domain").lexicon.org_suffixes
    assert "合作社" not in nlp.get_pipe("kg_domain").lexicon.org_suffixes


def test_own_pipeline_id_names_the_language_once():
    assert pipeline_id(load_pipeline(OWN_PIPELINE, domain_layer=False)) == "zh_kg_news 0.1.0"
