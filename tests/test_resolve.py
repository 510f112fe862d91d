"""Resolution on hand-built mentions: zones qualified per document, generic bodies per place, joins."""

from __future__ import annotations

from kg.ingest import split_sentences
from kg.resolve import Resolver
from kg.types import Document, Mention


def document(doc_id: str, text: str) -> Document:
    return Document(id=doc_id, text=text, sentences=split_sentences(text))


def mention(doc: Document, surface: str, label: str, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = doc.text.index(surface, start + 1)
    sentence = next(s for s in doc.sentences if s.start <= start < s.end)
    return Mention(doc.id, start, start + len(surface), label, surface, sentence.index)


def test_zone_is_qualified_by_the_documents_city_and_never_merged_across_cities():
    pds = document("a", "鹰城高新区召开会议。高新区党工委部署工作。平顶山的高新区很大。")
    chengdu = document("b", "成都高新区1000个基层党组织。高新区党员坚守一线。")
    mentions = [
        mention(pds, "高新区", "GPE", 1),
        mention(pds, "高新区党工委", "ORG"),
        mention(chengdu, "成都高新区", "GPE"),
        mention(chengdu, "高新区", "GPE", 1),
    ]
    entities, _ = Resolver().resolve([pds, chengdu], mentions, [])
    assert "GPE:平顶山高新区" in entities and "GPE:成都高新区" in entities
    assert entities["GPE:平顶山高新区"].documents == {"a"}
    assert entities["GPE:成都高新区"].documents == {"b"}
    assert "ORG:平顶山高新区党工委" in entities
    assert "高新区党工委" in entities["ORG:平顶山高新区党工委"].aliases


def test_short_zone_body_joins_the_zone_body():
    doc = document("a", "平顶山高新区党工委召开会议。区党工委副书记凌兵奎讲话。")
    mentions = [mention(doc, "平顶山高新区党工委", "ORG"), mention(doc, "区党工委", "ORG", 0)]
    mentions[1] = mention(doc, "区党工委", "ORG", 1)
    entities, _ = Resolver().resolve([doc], mentions, [])
    assert set(entities) == {"ORG:平顶山高新区党工委"}
    assert entities["ORG:平顶山高新区党工委"].mentions == 2


def test_bare_zone_body_is_the_documents_zone_body_and_towns_never_qualify_a_zone():
    doc = document("a", "平顶山高新区召开会议。党工委副书记凌兵奎到遵化店镇检查。遵化店、遵化店的高新区干部值守。")
    mentions = [mention(doc, "党工委", "ORG"), mention(doc, "高新区", "GPE", 1)]
    entities, _ = Resolver().resolve([doc], mentions, [])
    assert set(entities) == {"ORG:平顶山高新区党工委", "GPE:平顶山高新区"}


def test_generic_body_is_qualified_by_the_place_before_it():
    doc = document("a", "在廊坊开发区阳光佳和小区,社区党支部书记马书丽忙碌。在化辛小区,社区党支部书记王某值守。")
    mentions = [
        mention(doc, "阳光佳和小区", "LOC"),
        mention(doc, "社区党支部", "ORG"),
        mention(doc, "化辛小区", "LOC"),
        mention(doc, "社区党支部", "ORG", 1),
    ]
    entities, _ = Resolver().resolve([doc], mentions, [])
    assert "ORG:社区党支部（阳光佳和小区）" in entities
    assert "ORG:社区党支部（化辛小区）" in entities


def test_same_full_name_joins_across_documents_and_aliases_apply():
    a = document("a", "河南金泉机械有限公司捐赠物资。鹰城人民感谢。")
    b = document("b", "河南金泉机械有限公司复工。平顶山很美。")
    mentions = [
        mention(a, "河南金泉机械有限公司", "ORG"),
        mention(a, "鹰城", "GPE"),
        mention(b, "河南金泉机械有限公司", "ORG"),
        mention(b, "平顶山", "GPE"),
    ]
    entities, _ = Resolver().resolve([a, b], mentions, [])
    assert entities["ORG:河南金泉机械有限公司"].documents == {"a", "b"}
    assert entities["GPE:平顶山"].documents == {"a", "b"}
    assert "鹰城" in entities["GPE:平顶山"].aliases


def test_shortened_mention_joins_the_one_longer_name():
    doc = document("a", "河南金泉机械有限公司捐赠物资。金泉机械有限公司员工复工。")
    mentions = [mention(doc, "河南金泉机械有限公司", "ORG"), mention(doc, "金泉机械有限公司", "ORG", 1)]
    entities, _ = Resolver().resolve([doc], mentions, [])
    assert set(entities) == {"ORG:河南金泉机械有限公司"}


def test_title_reference_joins_the_one_holder_of_that_title():
    from kg.extract import Extractor, load_rules

    doc = document("a", "社区党支部书记马书丽等19名社区工作者紧张忙碌。居民说,马书记一刻不停。")
    mentions = [mention(doc, "社区党支部", "ORG"), mention(doc, "马书丽", "PERSON")]
    reference = mention(doc, "马书记", "PERSON")
    mentions.append(
        Mention("a", reference.start, reference.end, "PERSON", "马书记", reference.sentence, "person_title_reference")
    )
    all_mentions, relations = Extractor(load_rules()).extract(doc, mentions)
    entities, _ = Resolver().resolve([doc], all_mentions, relations)
    assert "PERSON:马书记" not in entities
    assert entities["PERSON:马书丽"].mentions == 2 and "马书记" in entities["PERSON:马书丽"].aliases


def test_areas_get_their_chain_in_the_national_division_list():
    from kg.types import Entity

    entities = {
        "GPE:新华区": Entity("GPE:新华区", "新华区", "GPE", documents={"d1"}),
        "GPE:沧州": Entity("GPE:沧州", "沧州", "GPE", aliases={"沧州市"}, documents={"d1"}),
        "GPE:深圳": Entity("GPE:深圳", "深圳", "GPE", aliases={"深圳市"}, documents={"d2"}),
        "GPE:新华区 (d3)": Entity("GPE:新华区 (d3)", "新华区", "GPE", documents={"d3"}),
        "ORG:深圳市委": Entity("ORG:深圳市委", "深圳市委", "ORG", documents={"d2"}),
    }
    Resolver().locate_areas(entities)
    # 新华区 is a district of several cities: the city written in the same document decides
    assert entities["GPE:新华区"].division == "河北省/沧州市/新华区"
    assert entities["GPE:新华区"].division_code.startswith("1309")
    assert entities["GPE:深圳"].division == "广东省/深圳市" and entities["GPE:深圳"].division_code == "440300"
    assert entities["GPE:新华区 (d3)"].division == ""  # nothing in its document tells which one
    assert entities["ORG:深圳市委"].division == ""
