"""Relation rules on hand-built mentions: no NLP involved, so each rule is pinned on its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract import Extractor, load_rules, name_part_relations, name_parts
from kg.ingest import split_sentences
from kg.lexicon import load_lexicon
from kg.normalize import parse_measure, plain_number
from kg.types import Document, Mention


def analyse(text: str, entities: list[tuple[str, str]], rules_path: Path | None = None):
    """Extract from ``text`` with the given (surface, label) entities at their first occurrence."""
    doc = Document(id="d", text=text, year=2020, sentences=split_sentences(text))
    mentions = []
    for surface, label in entities:
        start = text.index(surface)
        sentence = next(s for s in doc.sentences if s.start <= start < s.end)
        mentions.append(Mention("d", start, start + len(surface), label, surface, sentence.index))
    _, relations = Extractor(load_rules(rules_path)).extract(doc, mentions)
    return relations


def triples(relations):
    return {(r.subject.text, r.predicate, r.object.text) for r in relations}


def test_post_with_title_and_evidence():
    text = "这是置项在平东社区站党总支书记张嘉钢和该社区13名工作人员手机上的工作时间表。"
    relations = analyse(text, [("平东社区站党总支", "ORG"), ("张嘉钢", "PERSON")])
    post = next(r for r in relations if r.predicate == "任职")
    assert (post.subject.text, post.object.text, post.attrs["title"]) == ("张嘉钢", "平东社区站党总支", "书记")
    ev = post.evidence
    assert text[ev.subject_start : ev.subject_end] == "张嘉钢"
    assert text[ev.object_start : ev.object_end] == "平东社区站党总支"
    assert ev.rule == "post_org_title_person" and ev.sentence_text == text


def test_donation_with_amount_recipient_and_location():
    text = "位于皇台产业园的河南金泉机械有限公司，为一线工作人员捐赠价值8000元的方便食品。"
    relations = analyse(text, [("皇台产业园", "LOC"), ("河南金泉机械有限公司", "ORG")])
    assert ("河南金泉机械有限公司", "位于", "皇台产业园") in triples(relations)
    gift = next(r for r in relations if r.predicate == "捐赠")
    assert gift.object.text == "方便食品" and gift.object.label == "MATERIAL"
    assert gift.attrs["amount"] == "价值8000元"
    assert gift.attrs["amount_value"] == "8000" and gift.attrs["amount_unit"] == "CNY"
    assert gift.attrs["recipient"] == "一线工作人员"


def test_money_donation_object_is_juankuan():
    text = "平东社区90多岁的老党员郭春华，向防疫一线捐款1000元。"
    relations = analyse(text, [("平东社区", "GPE"), ("郭春华", "PERSON")])
    gift = next(r for r in relations if r.predicate == "捐赠")
    assert (gift.subject.text, gift.object.text) == ("郭春华", "捐款")
    assert gift.attrs["recipient"] == "防疫一线" and gift.attrs["amount_value"] == "1000"
    assert text[gift.evidence.object_start : gift.evidence.object_end] == "捐款"


def test_donation_date_becomes_iso_with_document_year():
    text = "1月30日，张三向村委会捐赠口罩、防护服和消毒液。"
    relations = analyse(text, [("张三", "PERSON"), ("村委会", "ORG")])
    gifts = [r for r in relations if r.predicate == "捐赠"]
    assert {g.object.text for g in gifts} == {"口罩", "防护服", "消毒液"}


def test_byline_and_photo_credit_use_the_document():
    text = "本报讯(记者高轶鹏 通讯员文尚龙)高新区开展检查。\n晨曦中的高新区焕发出勃勃生机。田改娣摄"
    relations = analyse(text, [("高轶鹏", "PERSON"), ("文尚龙", "PERSON"), ("田改娣", "PERSON")])
    found = {(r.subject.label, r.predicate, r.object.text, r.attrs.get("role")) for r in relations}
    assert ("DOCUMENT", "报道", "高轶鹏", "记者") in found
    assert ("DOCUMENT", "报道", "文尚龙", "通讯员") in found
    photo = next(r for r in relations if r.predicate == "摄影")
    assert (photo.subject.text, photo.object.label) == ("田改娣", "DOCUMENT")
    assert photo.attrs["caption"] == "晨曦中的高新区焕发出勃勃生机。"


def test_lead_group():
    text = "皇台街道巡防中队队长张春阳带领巡防队员迅速进入临战状态。"
    relations = analyse(text, [("皇台街道巡防中队", "ORG"), ("张春阳", "PERSON")])
    assert ("张春阳", "带领", "巡防队员") in triples(relations)
    assert ("张春阳", "任职", "皇台街道巡防中队") in triples(relations)


def test_no_relation_across_sentences():
    text = "平东社区站党总支。书记张嘉钢到场。"
    relations = analyse(text, [("平东社区站党总支", "ORG"), ("张嘉钢", "PERSON")])
    assert not [r for r in relations if r.predicate == "任职"]


def test_name_parts_give_belongs_and_located_edges():
    lexicon = load_lexicon()
    name = "高新区皇台街道神马尼龙社区党支部"
    assert [name[a:b] for a, b, _ in name_parts(name, lexicon)] == ["高新区", "皇台街道", "神马尼龙社区", "党支部"]
    text = name + "开展活动。"
    doc = Document(id="d", text=text, sentences=split_sentences(text))
    mention = Mention("d", 0, len(name), "ORG", name, 0)
    found = triples(name_part_relations(doc, doc.sentences[0], [mention], lexicon))
    assert found == {
        (name, "隶属", "神马尼龙社区"),
        ("神马尼龙社区", "位于", "皇台街道"),
        ("皇台街道", "位于", "高新区"),
    }
    chain = "平煤神马集团尼龙化工公司五厂"
    doc = Document(id="d", text=chain, sentences=split_sentences(chain))
    found = triples(name_part_relations(doc, doc.sentences[0], [Mention("d", 0, len(chain), "ORG", chain, 0)], lexicon))
    assert (chain, "隶属", "平煤神马集团尼龙化工公司") in found
    assert ("平煤神马集团尼龙化工公司", "隶属", "平煤神马集团") in found


def test_user_rule_file_adds_a_predicate(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        '- id: inspect\n  predicate: 督查\n  pattern: "{PERSON:subject}督查{ORG:object}"\n', encoding="utf-8"
    )
    relations = analyse("李明督查平东社区站党总支。", [("李明", "PERSON"), ("平东社区站党总支", "ORG")], rules)
    assert triples(relations) >= {("李明", "督查", "平东社区站党总支")}


def test_broken_rule_is_reported_with_its_id(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text('- id: broken\n  predicate: 任职\n  pattern: "{PERSON:subject}(unclosed"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="broken"):
        Extractor(load_rules(rules))


@pytest.mark.parametrize(
    ("text", "value", "unit", "approximate"),
    [
        ("1.5万公斤", 15000, "kg", False),
        ("价值8000元", 8000, "CNY", False),
        ("近30万元", 300000, "CNY", True),
        ("3万余元", 30000, "CNY", True),
        ("2吨", 2000, "kg", False),
        ("500箱", 500, "箱", False),
        ("1200多万元", 12_000_000, "CNY", True),
        ("1000KG", 1000, "kg", False),
        ("30多万", 300_000, "CNY", True),  # an amount that stops at 万 is money, its 元 left out
        ("价值115万", 1_150_000, "CNY", False),
        ("4大箱", 4, "箱", False),  # a size word is no unit
    ],
)
def test_measures(text, value, unit, approximate):
    measure = parse_measure(text)
    assert measure is not None
    assert (measure.value, measure.unit, measure.approximate) == (value, unit, approximate)


def test_a_bare_number_measures_nothing_and_values_are_written_without_exponent():
    assert parse_measure("20000") is None
    assert [plain_number(v) for v in (3e6, 1.5e6, 0.5, 60000.0, 101800.0)] == [
        "3000000",
        "1500000",
        "0.5",
        "60000",
        "101800",
    ]


def test_an_area_named_after_its_street_is_one_piece_and_a_standing_committee_belongs_to_its_congress():
    text = "状元街社区党委委员冯均和省人大常委会主任林铎、深圳市龙越慈善基金会理事交流。"
    entities = [("状元街社区党委", "ORG"), ("冯均", "PERSON"), ("省人大常委会", "ORG"), ("林铎", "PERSON")]
    entities.append(("深圳市龙越慈善基金会", "ORG"))
    found = triples(analyse(text, entities))
    assert ("状元街社区党委", "隶属", "状元街社区") in found
    assert ("省人大常委会", "隶属", "省人大") in found
    assert ("深圳市龙越慈善基金会", "位于", "深圳市") in found  # a foundation lies in its city, like an association
    assert not {t for t in found if t[2] == "状元街"}


def test_an_ending_inside_a_common_word_parts_no_name():
    # 农村, 城乡, 乡村, 市民: the ending sits in a common word, no place (every county has a 农业农村局)
    lexicon = load_lexicon()
    for name, expected in [
        ("县农业农村局", [("县", "GPE"), ("农业农村局", "ORG")]),
        ("县住房和城乡建设局", [("县", "GPE"), ("住房和城乡建设局", "ORG")]),
        ("县乡村振兴局", [("县", "GPE"), ("乡村振兴局", "ORG")]),  # 乡 opens 乡村
        ("区市民服务中心", [("区", "GPE"), ("市民服务中心", "ORG")]),  # 市 inside 市民
        ("区街道办事处", [("区", "GPE"), ("街道", "GPE"), ("办事处", "ORG")]),
        # a body's ending right before a company's is one company (data/gold/dev-tune.jsonl, dev_cb5e9099d11d)
        ("河南金泉集团有限公司", [("河南", "GPE"), ("金泉集团有限公司", "ORG")]),
        ("平煤神马集团尼龙化工公司", [("平煤神马集团", "ORG"), ("尼龙化工公司", "ORG")]),
        # a party committee of an office is one party body (dev-tune dev_93b54e8a7cd6)
        ("天安门管理委员会机关党委", [("天安门管理委员会", "ORG"), ("机关党委", "ORG")]),
        ("石阡县大屯村党支部", [("石阡县", "GPE"), ("大屯村", "GPE"), ("党支部", "ORG")]),
        # a body named by its place belongs to it; an outlet's place is part of its name (dev-tune dev_15094fc48191)
        ("郑州慈善总会", [("郑州", "GPE"), ("慈善总会", "ORG")]),
        ("郑州日报", [("郑州日报", "ORG")]),
        # a bracketed group word is part of the company (dev-tune dev_409309eb2a8e)
        ("内蒙古能源投资(集团)有限公司", [("内蒙古", "GPE"), ("能源投资(集团)有限公司", "ORG")]),
    ]:
        assert [(name[a:b], label) for a, b, label in name_parts(name, lexicon, org=True)] == expected


def test_a_federation_lies_in_its_city_and_a_market_is_no_city():
    # data/gold/dev-tune.jsonl: dev_2e8667cafc0d (联合会, like 商会), dev_521d1470867b (绵阳|市场信息网)
    text = "上饶市新生代企业家联合会到鄱阳县举行捐赠仪式。稿件来源:绵阳市场信息网"
    found = triples(analyse(text, [("上饶市新生代企业家联合会", "ORG"), ("鄱阳县", "GPE"), ("绵阳市场信息网", "ORG")]))
    assert ("上饶市新生代企业家联合会", "位于", "上饶市") in found
    assert not any(obj == "绵阳市" for _, _, obj in found)
