"""任职 rules on real sentences of news articles, with hand-built mentions so each rule is pinned on its own."""

from __future__ import annotations

from test_extract import analyse

from kg.ingest import split_sentences
from kg.pipeline import KnowledgeGraphBuilder
from kg.types import Document


def test_dated_dispatch_byline_reporter():
    # news.sina.com.cn/c/2007-07-02/104112129741s.shtml: outlet, place and date, 电, then (记者 name)
    text = "新华网昆明7月2日电(记者 李倩)每天早晨,香港科技大学工商管理系的学生陈诗慧和同学们乘坐着昆明52路车。"
    relations = analyse(text, [("新华网", "ORG"), ("昆明", "GPE"), ("李倩", "PERSON")])
    post = next(r for r in relations if r.predicate == "任职")
    assert (post.subject.text, post.object.text, post.attrs["title"]) == ("李倩", "新华网", "记者")
    assert post.evidence.rule == "post_newspaper_byline"


def test_dispatch_byline_without_date_is_not_a_post_of_the_place():
    # same sentence without the outlet: a place and a date alone are no employer
    text = "昆明7月2日电(记者 李倩)每天早晨,学生们乘坐着昆明52路车。"
    relations = analyse(text, [("昆明", "GPE"), ("李倩", "PERSON")])
    assert not [r for r in relations if r.predicate == "任职"]


def test_list_item_closed_by_deng_is_not_the_previous_persons_post():
    # data/gold/dev-tune.jsonl, dev_2e8667cafc0d: "name, 某镇政府负责人等" lists another attendee, not a post of name
    text = "鄱阳县政协副主席、工商联主席徐水林,凰岗镇政府负责人等出席捐赠仪式。"
    entities = [("鄱阳县政协", "ORG"), ("工商联", "ORG"), ("徐水林", "PERSON"), ("凰岗镇政府", "ORG")]
    relations = analyse(text, entities)
    posts = {(r.subject.text, r.object.text, r.attrs["title"]) for r in relations if r.predicate == "任职"}
    assert ("徐水林", "鄱阳县政协", "副主席") in posts
    assert not any(body == "凰岗镇政府" for _, body, _ in posts)


def test_person_comma_body_title_still_a_post():
    # same shape without 等: "name, body title" is that person's post
    text = "鄱阳县政协副主席、工商联主席徐水林,凰岗镇政府负责人,出席捐赠仪式。"
    entities = [("鄱阳县政协", "ORG"), ("工商联", "ORG"), ("徐水林", "PERSON"), ("凰岗镇政府", "ORG")]
    post = next(r for r in analyse(text, entities) if r.predicate == "任职" and r.object.text == "凰岗镇政府")
    assert (post.subject.text, post.attrs["title"]) == ("徐水林", "负责人")
    assert post.evidence.rule == "post_person_comma_org_title"


def test_a_township_committee_member_title():
    # from a real report of an inspection tour (总寨镇), shortened
    text = "陈胤文在总寨镇组织委员宋晓萍的陪同下,到总寨镇三个社区进行调研。"
    entities = [("陈胤文", "PERSON"), ("总寨镇", "GPE"), ("宋晓萍", "PERSON")]
    relations = analyse(text, entities)
    found = {(r.subject.text, r.object.text, r.attrs.get("title")) for r in relations if r.predicate == "任职"}
    assert found == {("宋晓萍", "总寨镇", "组织委员")}


def test_a_former_board_chairman_of_a_company(nlp):
    # http://hztqag.com/news/node/2022-02/12/content_7212530.htm: 董事局 is the board inside the title, not a body
    text = "威高国际医疗控股公司原董事局主席陈学利获评“山东省杰出企业家”称号。"
    doc = Document(id="d", text=text, year=2022, sentences=split_sentences(text))
    relations = KnowledgeGraphBuilder(nlp).analyse(doc).relations
    posts = {(r.subject.text, r.object.text, r.attrs.get("title"), r.attrs.get("former")) for r in relations}
    assert ("陈学利", "威高国际医疗控股公司", "董事局主席", "原") in posts


def test_an_area_head_after_a_party_secretary_is_no_post_in_the_party_body_and_xianren_opens_no_name(nlp):
    text = "螺城镇党委书记张海峰、镇长刘明参加活动。"
    entities = [("螺城镇党委", "ORG"), ("张海峰", "PERSON"), ("刘明", "PERSON")]
    posts = {(r.subject.text, r.object.text) for r in analyse(text, entities) if r.predicate == "任职"}
    assert posts == {("张海峰", "螺城镇党委")}
    doc = nlp("王志强,现任福建华兴实业有限公司总经理。")
    assert ("福建华兴实业有限公司", "ORG") in [(e.text, e.label_) for e in doc.ents]


def _posts(nlp, text):
    doc = Document(id="d", text=text, year=2021, sentences=split_sentences(text))
    relations = KnowledgeGraphBuilder(nlp).analyse(doc).relations
    return {(r.subject.text, r.object.text, r.attrs.get("title")) for r in relations if r.predicate == "任职"}


def test_a_generic_party_branch_post_is_held_in_the_village_written_before(nlp):
    # data/gold/dev-tune.jsonl, dev_94f2c78a2865: 村党支部 names no body; the village of the sentence holds the post
    text = "石阡县龙塘镇大屯村村民杨君霏这样评价村党支部书记周绍军。"
    assert _posts(nlp, text) == {("周绍军", "大屯村", "村党支部书记")}


def test_a_generic_party_branch_post_without_its_place_is_no_edge(nlp):
    # seeds (GUIDELINES.md): 社区党支部书记马书丽 — a title of an unnamed body gives no 任职
    assert _posts(nlp, "社区党支部书记马书丽带领党员在卡点值守。") == set()
