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


def test_a_job_in_a_company_is_a_post_and_before_a_place_is_none():
    # https://everyday-news.com/show/index/cid/25/id/24297.html (中青报): a job title, joined by 兼 to another
    text = "杭州宇树科技股份有限公司创始人兼首席执行官王兴兴表示,公司去年发布G1人形机器人。"
    relations = analyse(text, [("杭州宇树科技股份有限公司", "ORG"), ("王兴兴", "PERSON")])
    post = next(r for r in relations if r.predicate == "任职")
    assert (post.subject.text, post.object.text, post.attrs["title"]) == (
        "王兴兴",
        "杭州宇树科技股份有限公司",
        "创始人兼首席执行官",
    )
    assert post.evidence.rule == "post_org_job_person"
    # data/gold/dev-tune.jsonl, dev_8bad0301c43b: before a place a job says where someone is from
    text = "台湾主持人李健光多方筹措的防护服100件已寄给福建省红十字会。"
    relations = analyse(text, [("台湾", "GPE"), ("李健光", "PERSON"), ("福建省红十字会", "ORG")])
    assert not [r for r in relations if r.predicate == "任职"]


def test_a_move_from_one_post_to_another_gives_both_posts(nlp):
    # data/gold/dev-tune.jsonl, dev_9abd6d4e4b4a: 任 after a title is the verb, not a surname
    text = "杨秀清从莲都区区长任缙云县委书记。"
    doc = Document(id="d", text=text, year=2021, sentences=split_sentences(text))
    analysis = KnowledgeGraphBuilder(nlp).analyse(doc)
    assert "任缙云" not in {m.text for m in analysis.mentions}
    posts = {
        (r.subject.text, r.object.text, r.attrs["title"], r.evidence.rule)
        for r in analysis.relations
        if r.predicate == "任职"
    }
    assert posts == {
        ("杨秀清", "缙云县委", "书记", "post_person_moves_to"),
        ("杨秀清", "莲都区", "区长", "post_person_moves_from"),
    }


def test_a_person_appointed_by_beirenmingwei():
    # a constructed sentence in the shape of appointment notices (no real one at hand): 被任命为 opens the post
    text = "近日,张建国被任命为南通市交通运输局局长。"
    relations = analyse(text, [("张建国", "PERSON"), ("南通市交通运输局", "ORG")])
    post = next(r for r in relations if r.predicate == "任职")
    assert (post.object.text, post.attrs["title"], post.evidence.rule) == (
        "南通市交通运输局",
        "局长",
        "post_person_serves_as",
    )


def test_titles_joined_by_jian_before_a_name():
    # http://whysw.org/m/view.php?aid=75664: 副主席兼秘书长 + name, a post in the body before the list
    text = "汉中市工商联副主席兼秘书长陈华武,市红十字会副秘书长何国辉参加捐赠活动。"
    entities = [("汉中市工商联", "ORG"), ("陈华武", "PERSON"), ("市红十字会", "ORG"), ("何国辉", "PERSON")]
    posts = {
        (r.subject.text, r.object.text, r.attrs["title"]) for r in analyse(text, entities) if r.predicate == "任职"
    }
    assert posts == {("陈华武", "汉中市工商联", "副主席"), ("何国辉", "市红十字会", "副秘书长")}


def test_xianwei_and_xi_state_a_post():
    # constructed in the shape of résumés and police reports: 张三现为某大学教授, 王某系某公司员工
    relations = analyse("张伟现为南京大学教授。", [("张伟", "PERSON"), ("南京大学", "ORG")])
    assert {(r.subject.text, r.object.text, r.attrs["title"]) for r in relations if r.predicate == "任职"} == {
        ("张伟", "南京大学", "教授")
    }
    relations = analyse("王某系某某物流有限公司员工。", [("王某", "PERSON"), ("某某物流有限公司", "ORG")])
    assert {(r.subject.text, r.object.text) for r in relations if r.predicate == "任职"} == {
        ("王某", "某某物流有限公司")
    }
