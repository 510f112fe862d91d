"""kg's extractions written in the gold format of SCHEMA.md, so that ``kg eval`` or any other scorer can
compare them with gold annotations."""

from __future__ import annotations

from kg.evaluate import ENTITY_LABELS, GoldDoc, GoldEntity, GoldRelation
from kg.extract import DOCUMENT
from kg.ingest import split_sentences
from kg.pipeline import Analysis, KnowledgeGraphBuilder
from kg.types import GENERIC_ORG, TITLE_REFERENCE, Document, Mention


def end_text(mention: Mention) -> str:
    return DOCUMENT if mention.label == DOCUMENT else mention.text


def to_gold(analysis: Analysis) -> GoldDoc:
    doc = analysis.doc
    entities = [
        GoldEntity(m.start, m.end, m.label, m.text)
        for m in analysis.mentions
        # 马书记 is a reference and 社区党支部 a kind of body, neither a name span
        if m.label in ENTITY_LABELS and m.source not in (TITLE_REFERENCE, GENERIC_ORG)
    ]
    sentences = {s.index: s for s in doc.sentences}
    relations = []
    for relation in analysis.relations:
        sentence = sentences[relation.evidence.sentence]
        attrs = dict(relation.attrs)
        attrs["rule"] = relation.evidence.rule
        relations.append(
            GoldRelation(
                end_text(relation.subject),
                relation.predicate,
                end_text(relation.object),
                attrs,
                (sentence.start, sentence.end),
            )
        )
    return GoldDoc(doc.id, doc.text, entities, relations)


def analyse_gold(builder: KnowledgeGraphBuilder, gold_docs: list[GoldDoc]) -> list[GoldDoc]:
    """Run kg's extraction, exactly as ``kg build`` does, on the text of each gold document."""
    predicted = []
    for gold in gold_docs:
        doc = Document(id=gold.doc, text=gold.text, sentences=split_sentences(gold.text))
        predicted.append(to_gold(builder.analyse(doc)))
    return predicted
