"""任职 rules on real sentences of news articles, with hand-built mentions so each rule is pinned on its own."""

from __future__ import annotations

from test_extract import analyse


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
