"""Anaphors (该公司, 该局, 公司 before a title) read as the body named before them, in rules and frames alike."""

from __future__ import annotations

from test_extract import analyse


def posts(relations):
    return {(r.subject.text, r.object.text, r.attrs.get("title")) for r in relations if r.predicate == "任职"}


def test_gaiju_and_a_bare_gongsi_before_a_title_stand_for_the_body_named_before():
    text = "记者从惠安县民政局获悉,该局局长李建国表示将加大力度。"
    relations = analyse(text, [("惠安县民政局", "ORG"), ("李建国", "PERSON")])
    assert posts(relations) == {("李建国", "惠安县民政局", "局长")}
    # evidence points where the anaphor is written
    (post,) = [r for r in relations if r.predicate == "任职"]
    assert text[post.object.start : post.object.end] == "该局"
    # http://www.tjwjs.com/news.asp?id=45 (shortened)
    text = "黄冈市副市长张社教一行来到正茂集团参观视察,公司董事长管正兵热情接待了市领导一行。"
    entities = [("黄冈市", "GPE"), ("张社教", "PERSON"), ("正茂集团", "ORG"), ("管正兵", "PERSON")]
    assert ("管正兵", "正茂集团", "董事长") in posts(analyse(text, entities))


def test_no_stand_in_inside_a_name_after_another_word_or_without_a_body_of_its_kind():
    entities = [("正茂集团", "ORG"), ("管正兵", "PERSON")]
    assert posts(analyse("正茂集团召开会议。各公司董事长管正兵等出席。", entities)) == set()
    no_company = [("市民政局", "ORG"), ("管正兵", "PERSON")]
    assert posts(analyse("市民政局召开会议。该公司董事长管正兵出席。", no_company)) == set()
    text = "正茂集团召开会议。华兴实业有限公司董事长管正兵出席。"
    entities = [("正茂集团", "ORG"), ("华兴实业有限公司", "ORG"), ("管正兵", "PERSON")]
    assert posts(analyse(text, entities)) == {("管正兵", "华兴实业有限公司", "董事长")}


def test_he_stands_for_the_latest_person_named():
    # seeds (GUIDELINES.md): 于是,他带领党员贴告示 → 钱永刚 带领 党员, the evidence where 他 is written
    text = "为切断疫情传播途径,钱永刚在社区出入口设置了检测站点。于是,他带领党员贴告示、挂横幅、发传单。"
    relations = analyse(text, [("钱永刚", "PERSON")])
    lead = next(r for r in relations if r.predicate == "带领")
    assert (lead.subject.text, lead.object.text) == ("钱永刚", "党员")
    assert text[lead.evidence.subject_start : lead.evidence.subject_end] == "他"
    # 他们 and 其他 are no stand-ins
    relations = analyse("钱永刚在社区值守。其他人带领党员贴告示,他们带领群众。", [("钱永刚", "PERSON")])
    assert not [r for r in relations if r.predicate == "带领"]


def test_gaicun_stands_for_the_latest_village_named():
    # the shape of village reports (记者来到某村。该村党支部书记某某介绍…): the post is held in that village
    text = "记者来到东风村采访。该村党支部书记张三介绍,全村有300户。"
    relations = analyse(text, [("东风村", "GPE"), ("张三", "PERSON")])
    post = next(r for r in relations if r.predicate == "任职")
    assert (post.subject.text, post.object.text, post.attrs["title"]) == ("张三", "东风村", "党支部书记")
    assert text[post.evidence.object_start : post.evidence.object_end] == "该村"
