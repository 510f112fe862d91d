"""Pin the scorer of kg.evaluate on small hand-made cases whose figures are worked out by hand."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from kg.evaluate import (
    DOCUMENT,
    GoldDoc,
    GoldEntity,
    GoldFormatError,
    GoldRelation,
    dump_gold,
    errors,
    format_errors,
    format_table,
    load_gold,
    norm,
    score,
    sentence_at,
)

TEXT = "张嘉钢和凌兵奎在高新区党工委开会。马书丽来自迈克生物！\n记者 王静 报道"


def ent(text: str, surface: str, label: str, nth: int = 0) -> GoldEntity:
    """The nth occurrence of surface in text as an entity."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return GoldEntity(start, start + len(surface), label, surface)


def span(text: str, surface: str, label: str) -> GoldEntity:
    """An entity over an arbitrary substring (for overlapping, non-exact predictions)."""
    return ent(text, surface, label)


def rel(subject: str, predicate: str, obj: str, **attrs: str) -> GoldRelation:
    return GoldRelation(subject, predicate, obj, attrs)


def gold_doc() -> GoldDoc:
    return GoldDoc(
        "d1",
        TEXT,
        [
            ent(TEXT, "张嘉钢", "PERSON"),
            ent(TEXT, "凌兵奎", "PERSON"),
            ent(TEXT, "高新区党工委", "ORG"),
            ent(TEXT, "马书丽", "PERSON"),
            ent(TEXT, "迈克生物", "ORG"),
            ent(TEXT, "王静", "PERSON"),
        ],
        [
            rel("凌兵奎", "任职", "高新区党工委", title="副书记"),
            rel("DOCUMENT", "报道", "王静", role="记者"),
        ],
    )


def figures(counts) -> tuple[float, float, float]:
    return (counts.precision, counts.recall, counts.f1)


# --- scoring ----------------------------------------------------------------------------------------------


def test_perfect_prediction_scores_one_everywhere() -> None:
    report = score([gold_doc()], [gold_doc()])
    for section in (report.entities, report.relations):
        assert figures(section.overall.strict) == (1.0, 1.0, 1.0)
        assert figures(section.overall.lenient) == (1.0, 1.0, 1.0)
    assert report.entities.overall.gold == report.entities.overall.pred == 6
    assert figures(report.entities.rows["PERSON"].strict) == (1.0, 1.0, 1.0)
    assert report.relations.overall.gold == 2
    assert errors([gold_doc()], [gold_doc()]) == []
    # Attributes are reported, not scored.
    assert report.attributes["任职.title"].equal == report.attributes["任职.title"].compared == 1


def test_empty_prediction_scores_zero_by_convention() -> None:
    for predicted in ([], [GoldDoc("d1", TEXT)]):
        report = score([gold_doc()], predicted)
        for section in (report.entities, report.relations):
            assert section.overall.pred == 0
            assert figures(section.overall.strict) == (0.0, 0.0, 0.0)
            assert figures(section.overall.lenient) == (0.0, 0.0, 0.0)
            assert section.overall.strict.fn == section.overall.gold
    assert score([gold_doc()], []).missing_predictions == ["d1"]
    # A label absent on both sides shows zeros, not a division error.
    assert figures(score([gold_doc()], [gold_doc()]).entities.rows["LOC"].strict) == (0.0, 0.0, 0.0)


def test_two_labels_by_hand() -> None:
    gold = GoldDoc(
        "d",
        TEXT,
        [ent(TEXT, "张嘉钢", "PERSON"), ent(TEXT, "凌兵奎", "PERSON"), ent(TEXT, "高新区党工委", "ORG")],
    )
    pred = GoldDoc(
        "d",
        TEXT,
        [
            ent(TEXT, "张嘉钢", "PERSON"),  # exact
            span(TEXT, "兵奎在", "PERSON"),  # overlaps 凌兵奎: lenient only
            ent(TEXT, "高新区党工委", "ORG"),  # exact
            ent(TEXT, "迈克生物", "ORG"),  # no gold: false alarm
        ],
    )
    report = score([gold], [pred]).entities
    person, org, overall = report.rows["PERSON"], report.rows["ORG"], report.overall
    # PERSON: gold 2, pred 2; strict tp 1, lenient tp 2.
    assert (person.gold, person.pred) == (2, 2)
    assert (person.strict.tp, person.strict.fp, person.strict.fn) == (1, 1, 1)
    assert figures(person.strict) == (0.5, 0.5, 0.5)
    assert figures(person.lenient) == (1.0, 1.0, 1.0)
    # ORG: gold 1, pred 2; tp 1 either way: P 1/2, R 1, F1 2/3.
    assert (org.strict.tp, org.strict.fp, org.strict.fn) == (1, 1, 0)
    assert figures(org.strict) == pytest.approx((0.5, 1.0, 2 / 3))
    assert figures(org.lenient) == pytest.approx((0.5, 1.0, 2 / 3))
    # Overall (micro): strict tp 2 of gold 3 / pred 4; lenient tp 3.
    assert figures(overall.strict) == pytest.approx((0.5, 2 / 3, 4 / 7))
    assert figures(overall.lenient) == pytest.approx((0.75, 1.0, 6 / 7))


def test_lenient_entity_matching_is_one_to_one_and_same_label() -> None:
    gold = GoldDoc("d", TEXT, [ent(TEXT, "高新区党工委", "ORG")])
    pred = GoldDoc(
        "d",
        TEXT,
        [
            span(TEXT, "高新区", "ORG"),
            span(TEXT, "区党工委", "ORG"),  # larger overlap: this one is taken
            span(TEXT, "党工委开", "GPE"),  # other label: never matches
        ],
    )
    report = score([gold], [pred]).entities
    assert report.overall.strict.tp == 0
    assert (report.overall.lenient.tp, report.overall.lenient.fp, report.overall.lenient.fn) == (1, 2, 0)
    alarms = [e.strings for e in errors([gold], [pred]) if e.kind == "false_alarm"]
    assert alarms == [("高新区",), ("党工委开",)]


def test_lenient_relation_containment_both_ways() -> None:
    gold = GoldDoc(
        "d", TEXT, relations=[rel("凌兵奎", "任职", "高新区党工委"), rel("马书丽", "任职", "迈克生物")]
    )
    pred = GoldDoc(
        "d",
        TEXT,
        relations=[
            rel("凌兵奎", "任职", "党工委"),  # object contained in gold's
            rel("马书丽", "任职", "成都迈克生物公司"),  # object contains gold's
            rel("凌兵奎", "隶属", "高新区党工委"),  # other predicate
        ],
    )
    report = score([gold], [pred]).relations
    assert report.overall.strict.tp == 0
    assert report.rows["任职"].lenient.tp == 2
    assert figures(report.rows["任职"].lenient) == (1.0, 1.0, 1.0)
    assert (report.rows["隶属"].strict.fp, report.rows["隶属"].lenient.fp) == (1, 1)


def test_lenient_relation_needs_both_ends_compatible() -> None:
    gold = GoldDoc("d", TEXT, relations=[rel("凌兵奎", "任职", "高新区党工委")])
    pred = GoldDoc("d", TEXT, relations=[rel("张嘉钢", "任职", "高新区党工委")])
    assert score([gold], [pred]).relations.overall.lenient.tp == 0


def test_duplicate_predictions_count_once() -> None:
    gold = GoldDoc("d", TEXT, [ent(TEXT, "凌兵奎", "PERSON")], [rel("凌兵奎", "任职", "高新区党工委")])
    pred = GoldDoc(
        "d",
        TEXT,
        [ent(TEXT, "凌兵奎", "PERSON"), ent(TEXT, "凌兵奎", "PERSON")],
        [rel("凌兵奎", "任职", "高新区党工委"), rel("凌 兵奎", "任职", "高新区党工委", title="副书记")],
    )
    report = score([gold], [pred])
    for section in (report.entities, report.relations):
        assert (section.overall.pred, section.overall.strict.fp) == (1, 0)
        assert figures(section.overall.strict) == (1.0, 1.0, 1.0)
        assert section.ignored["duplicate"].pred == 1


def test_nfkc_and_whitespace_normalisation() -> None:
    assert norm("王 静") == "王静"
    assert norm("，") == ","
    assert norm("\u3000ＡＢ\t1\n") == "AB1"
    gold = GoldDoc("d", TEXT, relations=[rel("王静", "任职", "平东社区,党总支")])
    pred = GoldDoc("d", TEXT, relations=[rel("王 静", "任职", "平东社区，党总支")])
    assert score([gold], [pred]).relations.overall.strict.tp == 1


def test_document_ends() -> None:
    gold = GoldDoc("d", TEXT, relations=[rel(DOCUMENT, "报道", "王静"), rel("田改娣", "摄影", DOCUMENT)])
    exact = GoldDoc(
        "d", TEXT, relations=[rel("DOCUMENT", "报道", "王 静"), rel("田改娣", "摄影", "DOCUMENT")]
    )
    assert figures(score([gold], [exact]).relations.overall.strict) == (1.0, 1.0, 1.0)
    # "DOCUMENT" is a marker, not a string: containment does not apply to it.
    partial = GoldDoc("d", TEXT, relations=[rel("DOC", "报道", "王静"), rel("田改娣", "摄影", "DOCUMENTS")])
    assert score([gold], [partial]).relations.overall.lenient.tp == 0


def test_unscored_predicates_and_labels_are_ignored_and_counted() -> None:
    gold = GoldDoc("d", TEXT, [ent(TEXT, "凌兵奎", "PERSON")], [rel("凌兵奎", "任职", "高新区党工委")])
    pred = GoldDoc(
        "d",
        TEXT,
        [ent(TEXT, "凌兵奎", "PERSON"), ent(TEXT, "迈克生物", "MATERIAL")],
        [
            rel("凌兵奎", "任职", "高新区党工委"),
            rel("凌兵奎", "督导", "高新区党工委"),
            rel("马书丽", "慰问", "王静"),
        ],
    )
    report = score([gold], [pred])
    assert report.relations.ignored["unscored"].pred == 2
    assert report.entities.ignored["unscored"].pred == 1
    assert "督导" not in report.relations.rows
    assert figures(report.relations.overall.strict) == (1.0, 1.0, 1.0)
    assert figures(report.entities.overall.strict) == (1.0, 1.0, 1.0)


def test_partial_spans_score_only_inside() -> None:
    first = TEXT.index("。") + 1  # spans: the first sentence only
    gold = GoldDoc(
        "d",
        TEXT,
        [ent(TEXT, "凌兵奎", "PERSON"), ent(TEXT, "马书丽", "PERSON")],  # 马书丽 lies outside: not scored
        [rel("凌兵奎", "任职", "高新区党工委")],
        spans=[(0, first)],
    )
    second = (first, TEXT.index("！") + 1)
    pred = GoldDoc(
        "d",
        TEXT,
        [
            ent(TEXT, "凌兵奎", "PERSON"),
            ent(TEXT, "迈克生物", "ORG"),  # outside: ignored
            span(TEXT, "会。马", "PERSON"),  # crosses the span's end: not inside, ignored
        ],
        [
            GoldRelation("凌兵奎", "任职", "高新区党工委", evidence=(0, first)),
            GoldRelation("马书丽", "任职", "迈克生物", evidence=second),  # evidence outside: ignored
            # Without evidence: scored when an end occurs in a span (here a false alarm), else ignored.
            rel("张嘉钢", "任职", "高新区党工委"),
            rel("马书丽", "隶属", "迈克生物"),
        ],
    )
    report = score([gold], [pred])
    ents = report.entities
    assert (ents.overall.gold, ents.overall.pred) == (1, 1)
    assert figures(ents.overall.strict) == (1.0, 1.0, 1.0)
    assert (ents.ignored["outside_spans"].gold, ents.ignored["outside_spans"].pred) == (1, 2)
    rels = report.relations
    assert (rels.overall.gold, rels.overall.pred, rels.overall.strict.tp) == (1, 2, 1)
    assert rels.ignored["outside_spans"].pred == 2
    false_alarms = [e for e in errors([gold], [pred]) if e.kind == "false_alarm"]
    assert [(e.item, e.strings) for e in false_alarms] == [("relation", ("张嘉钢", "高新区党工委"))]


def test_result_does_not_depend_on_input_order() -> None:
    gold = gold_doc()
    pred = GoldDoc(
        "d1", TEXT, [span(TEXT, "高新区", "ORG"), span(TEXT, "党工委", "ORG")], gold.relations[::-1]
    )
    reversed_pred = GoldDoc("d1", TEXT, pred.entities[::-1], gold.relations)
    assert score([gold], [pred]).to_dict() == score([gold], [reversed_pred]).to_dict()
    assert errors([gold], [pred]) == errors([gold], [reversed_pred])


def test_document_bookkeeping() -> None:
    other = GoldDoc("d1", TEXT + "。", gold_doc().entities)
    report = score([gold_doc()], [other, GoldDoc("stray", "文本")])
    assert report.documents == 1
    assert report.extra_predictions == ["stray"]
    assert report.text_mismatch == ["d1"]
    with pytest.raises(ValueError, match="d1"):
        score([gold_doc()], [gold_doc(), gold_doc()])


def bar_columns(line: str) -> list[int]:
    columns, column = [], 0
    for char in line:
        if char == "|":
            columns.append(column)
        column += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return columns


# --- reports and errors -----------------------------------------------------------------------------------


def test_report_dict_is_json_and_table_is_readable() -> None:
    pred = GoldDoc("d1", TEXT, gold_doc().entities[:3], gold_doc().relations[:1])
    report = score([gold_doc()], [pred])
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    strict = {"tp": 2, "fp": 0, "fn": 2, "precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3)}
    assert data["entities"]["labels"]["PERSON"]["strict"] == strict
    assert data["relations"]["overall"]["gold"] == 2
    table = format_table(report)
    lines = table.splitlines()
    person = next(line for line in lines if line.startswith("PERSON"))
    assert " ".join(person.split()) == "PERSON | 1.000 0.500 0.667 | 1.000 0.500 0.667 | 4 2"
    assert lines.index(person) < next(i for i, line in enumerate(lines) if line.startswith("任职"))
    # Fixed width on a terminal, where CJK characters take two columns: every "|" sits in the same column.
    rows = [line for line in lines if " | " in line]
    assert len(rows) == 2 * 2 + len(report.entities.rows) + len(report.relations.rows)
    assert len({tuple(bar_columns(line)) for line in rows}) == 1


def test_errors_list_misses_and_false_alarms_with_sentences() -> None:
    pred = GoldDoc(
        "d1",
        TEXT,
        [*gold_doc().entities[:4], span(TEXT, "来自", "ORG")],
        [rel("马书丽", "任职", "迈克生物")],
    )
    items = errors([gold_doc()], [pred])
    summary = [(e.kind, e.item, e.label, e.strings, e.sentence) for e in items]
    assert summary == [
        ("false_alarm", "entity", "ORG", ("来自",), "马书丽来自迈克生物！"),
        ("miss", "entity", "ORG", ("迈克生物",), "马书丽来自迈克生物！"),
        ("miss", "entity", "PERSON", ("王静",), "记者 王静 报道"),
        ("miss", "relation", "任职", ("凌兵奎", "高新区党工委"), "张嘉钢和凌兵奎在高新区党工委开会。"),
        ("miss", "relation", "报道", (DOCUMENT, "王静"), "记者 王静 报道"),
        ("false_alarm", "relation", "任职", ("马书丽", "迈克生物"), "马书丽来自迈克生物！"),
    ]
    text = format_errors(items)
    assert len(text.splitlines()) == 6
    assert "MISS" in text and "凌兵奎 → 高新区党工委" in text
    assert format_errors([]) == ""


def test_sentence_at_splits_on_chinese_and_ascii_marks_and_newlines() -> None:
    text = "一句；二句!三句\n四句。五"
    assert sentence_at(text, text.index("二"), text.index("二") + 1) == "二句!"
    assert sentence_at(text, text.index("三"), text.index("三") + 1) == "三句"
    assert sentence_at(text, text.index("五"), len(text)) == "五"
    # Offsets across a boundary give both sentences.
    assert sentence_at(text, text.index("四"), text.index("五") + 1) == "四句。五"


# --- reading and writing ----------------------------------------------------------------------------------


def write_lines(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_load_gold_reads_schema_example(tmp_path: Path) -> None:
    text = "副书记凌兵奎带队。河南金泉机械有限公司捐赠方便食品。"
    record = {
        "doc": "000_8af3a52c6c9a1fca",
        "text": text,
        "entities": [{"start": 3, "end": 6, "label": "PERSON", "text": "凌兵奎"}],
        "relations": [
            {"subject": "凌兵奎", "predicate": "任职", "object": "高新区党工委", "title": "副书记"},
            {
                "subject": "河南金泉机械有限公司",
                "predicate": "捐赠",
                "object": "方便食品",
                "amount": "8000元",
            },
        ],
        "spans": [[0, 9]],
    }
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n\n", encoding="utf-8")  # blank line skipped
    [doc] = load_gold(path)
    assert doc.doc == "000_8af3a52c6c9a1fca"
    assert doc.entities == [GoldEntity(3, 6, "PERSON", "凌兵奎")]
    assert doc.relations[0].attrs == {"title": "副书记"}
    assert doc.relations[1].attrs == {"amount": "8000元"}
    assert doc.spans == [(0, 9)]


def test_load_gold_rejects_bad_offset_naming_file_and_line(tmp_path: Path) -> None:
    good = {"doc": "a", "text": TEXT, "entities": [], "relations": []}
    wrong = {"start": 4, "end": 6, "label": "PERSON", "text": "凌兵奎"}
    bad = {"doc": "b", "text": TEXT, "entities": [wrong], "relations": []}
    path = write_lines(tmp_path / "gold.jsonl", [good, bad])
    with pytest.raises(GoldFormatError) as info:
        load_gold(path)
    message = str(info.value)
    assert f"{path}:2:" in message
    assert "entities[0]" in message and "凌兵奎" in message


def doc_record(**fields: object) -> dict[str, object]:
    return {"doc": "a", "text": "abc", "entities": [], "relations": [], **fields}


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"doc": "a", "text": "abc", "entities": []}, "missing key 'relations'"),
        (doc_record(entities=[{"start": 2, "end": 9, "label": "ORG", "text": "c"}]), "not within the text"),
        (doc_record(entities=[{"start": 0, "end": 1, "text": "a"}]), "missing key(s) 'label'"),
        (doc_record(relations=[{"subject": "a", "predicate": "任职"}]), "'object' must be"),
        (doc_record(spans=[[2, 1]]), "spans[0]"),
        (
            doc_record(relations=[{"subject": "a", "predicate": "任职", "object": "b", "evidence": [0, 1]}]),
            "evidence",
        ),
        (
            doc_record(
                relations=[
                    {"subject": "a", "predicate": "任职", "object": "b", "evidence": {"start": 0, "end": 7}}
                ]
            ),
            "evidence",
        ),
    ],
)
def test_load_gold_rejects_malformed_records(tmp_path: Path, record: dict[str, object], problem: str) -> None:
    path = write_lines(tmp_path / "gold.jsonl", [record])
    with pytest.raises(GoldFormatError, match=r"gold\.jsonl:1: ") as info:
        load_gold(path)
    assert problem in str(info.value)


def test_load_gold_reports_every_problem_and_duplicate_ids(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    record = json.dumps({"doc": "a", "text": "abc", "entities": [], "relations": []})
    path.write_text(f"{record}\nnot json\n{record}\n", encoding="utf-8")
    with pytest.raises(GoldFormatError) as info:
        load_gold(path)
    lines = str(info.value).splitlines()
    assert len(lines) == 2
    assert ":2: invalid JSON" in lines[0]
    assert ":3: doc 'a' already on line 1" in lines[1]


def test_dump_gold_round_trips_atomically(tmp_path: Path) -> None:
    docs = [
        gold_doc(),
        GoldDoc("d2", TEXT, [], [GoldRelation("马书丽", "任职", "迈克生物", {"title": "主任"}, (18, 28))]),
        GoldDoc("d3", TEXT, [ent(TEXT, "凌兵奎", "PERSON")], spans=[(0, 17)]),
    ]
    path = tmp_path / "pred.jsonl"
    path.write_text("old\n", encoding="utf-8")
    dump_gold(docs, path)
    assert load_gold(path) == docs
    raw = path.read_text(encoding="utf-8")
    assert len(raw.splitlines()) == 3 and "凌兵奎" in raw  # one line each, not ASCII-escaped
    assert json.loads(raw.splitlines()[1])["relations"][0]["evidence"] == {"start": 18, "end": 28}
    assert [p.name for p in tmp_path.iterdir()] == ["pred.jsonl"]  # no temp file left behind


def test_dump_gold_refuses_invalid_documents_and_keeps_old_file(tmp_path: Path) -> None:
    path = tmp_path / "pred.jsonl"
    path.write_text("old\n", encoding="utf-8")
    bad = GoldDoc("d", TEXT, [GoldEntity(0, 2, "PERSON", "张嘉钢")])
    with pytest.raises(ValueError, match="text\\[0:2\\]"):
        dump_gold([bad], path)
    assert path.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["pred.jsonl"]


def test_relation_attributes_may_not_shadow_fields() -> None:
    with pytest.raises(ValueError, match="evidence"):
        GoldRelation("a", "任职", "b", {"evidence": "x"})
