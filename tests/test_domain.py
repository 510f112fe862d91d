"""The domain layer on top of the statistical NER: spans and labels on sentences of the seed corpus."""

from __future__ import annotations

import pytest

from kg.lexicon import load_lexicon
from kg.nlp import available_pipelines, load_pipeline, pipeline_id

CASES = [
    (
        "这是置项在平东社区站党总支书记张嘉钢和该社区13名工作人员手机上的工作时间表。",
        [("平东社区站党总支", "ORG"), ("张嘉钢", "PERSON")],
    ),
    (
        "8月18日下午，高新区皇台街道党工委书记张琳带队到村、社区督导检查、创文工作。",
        [("高新区皇台街道党工委", "ORG"), ("张琳", "PERSON")],
    ),
    (
        "在廊坊开发区孔雀城大学里小区，东方大学城公安分局民警贾正臣“全副武装”，正值守在重点管控楼栋的单元门口。",
        [("东方大学城公安分局", "ORG"), ("贾正臣", "PERSON")],
    ),
    (
        "1月20日,迈克生物党支部书记杨慧在接到研制新型冠状病毒检测试剂盒的任务后,同研发团队一起发出“集结号”",
        [("迈克生物党支部", "ORG"), ("杨慧", "PERSON")],
    ),
    (
        "1月30日19时50分许,平煤神马集团尼龙化工公司五厂运转站职工、党员宁某驾驶电动车进入66盐家属院时,不接受检查",
        [("平煤神马集团尼龙化工公司五厂", "ORG"), ("宁某", "PERSON")],
    ),
    ("(本报记者 高轶鹏)", [("高轶鹏", "PERSON")]),
    ("晨曦中的高新区焕发出勃勃生机。田改娣摄", [("田改娣", "PERSON")]),
    (
        "“抗击疫情，我只是略尽绵薄之力。”位于皇台产业园的河南金泉机械有限公司，为一线工作人员捐赠价值8000元的方便食品。",
        [("皇台产业园", "LOC"), ("河南金泉机械有限公司", "ORG")],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[1][0][0] for c in CASES])
def test_domain_spans(nlp, text, expected):
    doc = nlp(text)
    found = {(ent.text, ent.label_) for ent in doc.ents}
    for span in expected:
        assert span in found, f"{span} not in {sorted(found)}"
    for ent in doc.ents:  # offsets still point into the sentence after token splitting
        assert text[ent.start_char : ent.end_char] == ent.text


def test_offsets_and_text_survive_token_splits(nlp):
    text = "平东社区站党总支书记张嘉钢说。"
    doc = nlp(text)
    assert doc.text == text
    assert "".join(t.text_with_ws for t in doc) == text


def test_titles_are_not_part_of_person_spans(nlp):
    doc = nlp("高新区党工委副书记凌兵奎到平东社区查看人员出入情况。")
    persons = [e.text for e in doc.ents if e.label_ == "PERSON"]
    assert persons == ["凌兵奎"]


def test_name_is_cut_before_stop_characters():
    lexicon = load_lexicon()
    assert lexicon.trim_name("杨慧在") == "杨慧"
    assert lexicon.trim_name("张嘉钢") == "张嘉钢"
    assert lexicon.trim_name("欧阳修") == "欧阳修"
    assert lexicon.trim_name("的确") is None


def test_loader_default_and_errors():
    assert available_pipelines(), "kg must ship its own pipeline"
    with pytest.raises(ValueError, match="available: .*zh_kg_news"):
        load_pipeline("zh_nonexistent_pipeline")


def test_loader_names_its_pipeline(nlp):
    assert "kg_domain" in nlp.pipe_names
    name = pipeline_id(nlp)
    assert name.startswith("zh_") and name.split()[-1][0].isdigit()


@pytest.mark.skipif(
    not any(n.startswith("zh_core_web") for n in available_pipelines()),
    reason="no zh_core_web_* package installed (they download from GitHub releases, unreachable offline)",
)
def test_installed_zh_core_web_is_preferred_and_gets_the_domain_layer():
    nlp = load_pipeline()
    assert pipeline_id(nlp).startswith("zh_core_web")
    doc = nlp("平东社区站党总支书记张嘉钢和该社区13名工作人员")
    assert ("平东社区站党总支", "ORG") in {(e.text, e.label_) for e in doc.ents}
