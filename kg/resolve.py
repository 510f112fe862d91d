"""Resolution: mentions become entities, within a document and across documents.

- Aliases from data (鹰城 → 平顶山).
- A short name that depends on context (高新区, 开发区, 区党工委) is qualified by the document's own zone
  (<city A>高新区 and <city B>高新区 stay apart): the zone written with its city most often in the document, else
  the document's most mentioned city. Without either it stays local to the document, never merged blindly.
- A body named only by a generic place word (社区党支部, 村党支部) is qualified by the nearest place written
  before it in the sentence (社区党支部（X小区）).
- Within a document a shortened mention joins the one longer mention of the same type that contains it.
- Across documents, the same qualified name and type is one entity.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from kg.divisions import load_divisions
from kg.extract import DOCUMENT
from kg.lexicon import Lexicon, alternation, load_lexicon
from kg.types import TITLE_REFERENCE, Document, Entity, Mention, Relation


@dataclass(frozen=True)
class ResolvedRelation:
    subject: str  # entity id
    object: str
    relation: Relation


def mention_key(mention: Mention) -> tuple[str, int, int, str]:
    return (mention.doc_id, mention.start, mention.end, mention.label)


class Resolver:
    def __init__(self, lexicon: Lexicon | None = None):
        self.lexicon = lexicon or load_lexicon()
        lex = self.lexicon
        self.zone_re = re.compile(f"(?:{alternation(lex.zone_words)})")
        self.zone_after_city_re = re.compile(f"[市省]?({alternation(lex.zone_words)})")
        self.org_suffix_re = re.compile(f"(?:{alternation(lex.org_suffixes)})$")
        self.short_prefix_re = re.compile(f"^(?:{alternation(lex.zone_short_prefixes)})(?=.)")

    def document_zones(self, doc: Document) -> dict[str, str]:
        """Zone word → its qualified name in this document (高新区 → <city>高新区), most written zone first."""
        written: dict[str, Counter[str]] = {}
        cities: Counter[str] = Counter()
        for start, end in self.lexicon.city_names.finditer(doc.text):
            city = self.lexicon.aliases.get(doc.text[start:end], doc.text[start:end])
            cities[city] += 1
            zone = self.zone_after_city_re.match(doc.text, end)
            if zone:
                written.setdefault(zone.group(1), Counter())[city + zone.group(1)] += 1
        zone_counts = Counter(m.group() for m in self.zone_re.finditer(doc.text))
        zones = {}
        for zone, _ in sorted(zone_counts.items(), key=lambda kv: (-kv[1], kv[0])):
            if zone in written:
                zones[zone] = most_common(written[zone])
            elif cities:
                zones[zone] = most_common(cities) + zone
        return zones

    def canonical(self, mention: Mention, zones: dict[str, str], context: list[Mention]) -> str:
        text = self.lexicon.aliases.get(mention.text, mention.text)
        zone = self.zone_re.match(text)
        if zone and zone.group() in zones:
            return zones[zone.group()] + text[zone.end() :]
        main_zone = next(iter(zones.values()), None)
        if mention.label == "ORG" and main_zone:
            short = self.short_prefix_re.match(text)
            if short and self.org_suffix_re.search(text):
                return main_zone + text[short.end() :]
            if text in self.lexicon.zone_bodies:
                return main_zone + text
        if mention.label == "ORG" and self.lexicon.generic_body_place(text):
            before = [m for m in context if m.label in ("GPE", "LOC") and m.end <= mention.start]
            place = before[-1].text if before else mention.doc_id
            return f"{text}（{self.lexicon.aliases.get(place, place)}）"
        return text

    def resolve(
        self,
        documents: list[Document],
        mentions: list[Mention],
        relations: list[Relation],
        zones: dict[str, dict[str, str]] | None = None,
    ) -> tuple[dict[str, Entity], list[ResolvedRelation]]:
        """Entities and resolved relations; ``zones`` (doc id → :meth:`document_zones`) where already computed."""
        docs = {doc.id: doc for doc in documents}
        zones = zones or {}
        by_doc: dict[str, list[Mention]] = {}
        for mention in mentions:
            by_doc.setdefault(mention.doc_id, []).append(mention)
        # Name-part ends of relations are mentions too (X社区 read off X社区站党总支).
        known = {mention_key(m) for m in mentions}
        for relation in relations:
            for end in (relation.subject, relation.object):
                if end.label != DOCUMENT and mention_key(end) not in known:
                    known.add(mention_key(end))
                    by_doc.setdefault(end.doc_id, []).append(end)
        relations_by_doc: dict[str, list[Relation]] = {}
        for relation in relations:
            relations_by_doc.setdefault(relation.subject.doc_id, []).append(relation)
        entities: dict[str, Entity] = {}
        ids: dict[tuple[str, int, int, str], str] = {}
        for doc_id in sorted(by_doc):
            doc_mentions = sorted(by_doc[doc_id], key=lambda m: (m.start, m.end))
            doc_zones = zones[doc_id] if doc_id in zones else self.document_zones(docs[doc_id])
            by_sentence: dict[int, list[Mention]] = {}
            for mention in doc_mentions:
                by_sentence.setdefault(mention.sentence, []).append(mention)
            names = {
                mention_key(mention): self.canonical(mention, doc_zones, by_sentence[mention.sentence])
                for mention in doc_mentions
            }
            shortened = join_shortened(doc_mentions, names)
            shortened.update(title_references(doc_mentions, relations_by_doc.get(doc_id, [])))
            for mention in doc_mentions:
                name = shortened.get(names[mention_key(mention)], names[mention_key(mention)])
                entity_id = f"{mention.label}:{name}"
                entity = entities.setdefault(entity_id, Entity(entity_id, name, mention.label))
                ids[mention_key(mention)] = entity_id
                if mention.text != name:
                    entity.aliases.add(mention.text)
                if mention.source != "name_parts":
                    entity.mentions += 1
                entity.documents.add(doc_id)
        self.locate_areas(entities)
        resolved = []
        for relation in relations:
            ends = [
                self.document_entity(end, docs, entities) if end.label == DOCUMENT else ids[mention_key(end)]
                for end in (relation.subject, relation.object)
            ]
            resolved.append(ResolvedRelation(ends[0], ends[1], relation))
        return entities, resolved

    def locate_areas(self, entities: dict[str, Entity]) -> None:
        """Give each area its chain in the national division list. A name several divisions share (新华区)
        is settled by the other areas of the same documents: the one division whose chain holds one of them."""
        divisions = load_divisions()
        names_in: dict[str, set[str]] = {}
        for entity in entities.values():
            if entity.type == "GPE":
                for doc_id in entity.documents:
                    names_in.setdefault(doc_id, set()).update({entity.label, *entity.aliases})
        for entity in entities.values():
            if entity.type != "GPE":
                continue
            # its own name and full forms of it (深圳市 for 深圳), not the shorter names it absorbed (高新区)
            names = {entity.label, *(a for a in entity.aliases if self.lexicon.aliases.get(a) == entity.label)}
            candidates = sorted({i for name in names for i in divisions.lookup(name)})
            if len(candidates) > 1:
                context = set().union(*(names_in[d] for d in entity.documents)) - names
                candidates = [i for i in candidates if any({d.name, d.short} & context for d in divisions.chain(i)[1:])]
            if len(candidates) == 1:
                chain = divisions.chain(candidates[0])
                entity.division = "/".join(d.name for d in reversed(chain))
                entity.division_code = next((d.code for d in chain if d.code), "")

    @staticmethod
    def document_entity(end: Mention, docs: dict[str, Document], entities: dict[str, Entity]) -> str:
        doc = docs[end.doc_id]
        entity_id = f"{DOCUMENT}:{doc.id}"
        entity = entities.setdefault(entity_id, Entity(entity_id, doc.title or doc.id, DOCUMENT))
        entity.documents.add(doc.id)
        entity.aliases.add(doc.id)
        return entity_id


def title_references(mentions: list[Mention], relations: list[Relation]) -> dict[str, str]:
    """王书记 → 王小明 where exactly one person of that surname holds that title (任职) in the document."""
    holders = {(r.subject.text, r.attrs.get("title", "")) for r in relations if r.predicate == "任职"}
    joined = {}
    for mention in mentions:
        if mention.source != TITLE_REFERENCE:
            continue
        candidates = {
            person
            for person, title in holders
            if title and mention.text.endswith(title) and person.startswith(mention.text[: -len(title)])
        }
        if len(candidates) == 1:
            joined[mention.text] = candidates.pop()
    return joined


def most_common(counts: Counter[str]) -> str:
    """The most frequent key, ties broken alphabetically so that results never depend on input order."""
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def join_shortened(mentions: list[Mention], names: dict[tuple[str, int, int, str], str]) -> dict[str, str]:
    """Name → longer name of the same type in the document that contains it, where exactly one does."""
    by_label: dict[str, set[str]] = {}
    for mention in mentions:
        by_label.setdefault(mention.label, set()).add(names[mention_key(mention)])
    joined = {}
    for label, group in by_label.items():
        if label == "PERSON":  # 张 inside 张三丰 is no evidence of the same person
            continue
        # Look each name's substrings up (of the lengths names have) instead of testing every pair of names.
        lengths = sorted({len(name) for name in group if len(name) >= 3})
        containers: dict[str, set[str]] = {}
        for other in group:
            for size in (n for n in lengths if n < len(other)):
                for start in range(len(other) - size + 1):
                    if (part := other[start : start + size]) in group:
                        containers.setdefault(part, set()).add(other)
        joined.update({name: min(longer) for name, longer in containers.items() if len(longer) == 1})
    return joined
