"""Extraction: entity mentions and relations (with evidence) from one analysed document.

Relation rules live in ``kg/data/relations.yaml`` (or a user's ``--rules`` file). A rule is a regular
expression over a sentence in which each entity mention is replaced by one private-use character, so a
pattern such as ``{ORG:object}(?P<title>{POST_TITLE}){PERSON:subject}`` reads like the text it matches.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.anaphora import AnaphorReader
from kg.frames import Discourse, FrameData, FrameReader, load_frames
from kg.ingest import parse_date
from kg.lexicon import DATA_DIR, Lexicon, PhraseSet, alternation, load_lexicon, read_yaml
from kg.normalize import parse_measure, plain_number
from kg.types import GENERIC_ORG, Document, Evidence, Mention, Relation, Sentence

ENTITY_LABELS = ("PERSON", "ORG", "GPE", "LOC")
NODE_LABELS = (*ENTITY_LABELS, "MATERIAL", "GROUP")
# Mention k of a label is written as chr(PLACEHOLDER_BASE + block * PLACEHOLDER_BLOCK + k), in the label's block
# (NODE_LABELS order, then one block for any other label) of the Supplementary Private Use Area-A, so {ORG} is
# one fixed character range and each rule compiles once, not once per sentence's sequence of labels.
PLACEHOLDER_BASE = 0xF0000
PLACEHOLDER_BLOCK = 0x4000
PLACEHOLDER = re.compile(r"\{([A-Z|]+):(subject|object)\}")
# Placeholders without a role ({GPE|LOC}) match any one entity of those labels.
ANONYMOUS_PLACEHOLDER = re.compile(r"\{((?:PERSON|ORG|GPE|LOC|MATERIAL|GROUP)(?:\|[A-Z]+)*)\}")
NOT_ENTITY = "\ue000-\uf8ff\U000f0000-\U0010fffd"  # the placeholders, and the BMP's private use characters as before
GAPS = {
    "GAP": rf"[^,，。；;!?！？{NOT_ENTITY}]{{0,12}}?",
    "SHORT_GAP": rf"[^,，。；;!?！？{NOT_ENTITY}]{{0,4}}?",
    "LONG_GAP": rf"[^。；;!?！？{NOT_ENTITY}]{{0,40}}?",
}
LIST_SEPARATOR = re.compile(r"[、和及与]|以及")
COUNTED = re.compile(r"[0-9０-９]+(?:多|余)?[个家座所]")
DATE_IN_TEXT = re.compile(r"(?:\d{4}年)?\d{1,2}月\d{1,2}日")
DOCUMENT = "DOCUMENT"
NAME_PARTS = "name_parts"  # source of the mentions read off a written name


@dataclass(frozen=True)
class RelationRule:
    id: str
    pattern: str = ""
    predicate: str = ""
    kind: str = "pattern"  # "pattern" (a regular expression) or "name_parts" (edges read off one written name)
    subject: str | None = None  # "DOCUMENT" when the document is the subject (bylines)
    object: str | None = None
    object_text: str | None = None
    predicate_group: str | None = None
    list_objects: bool = False
    list_subjects: bool = False
    list_subjects_after: bool = False  # the persons listed after the subject share its edge (副会长A、B)
    separator: str | None = None  # what joins a list's members (default 、/和/及/与)
    caption: bool = False  # photo credits: the sentence before, on the same line, is the caption
    located_endings: tuple[str, ...] = ()  # name_parts: bodies with these endings lie in their place prefix
    split_endings: tuple[str, ...] = ()  # name_parts: bodies parted from their place even right after it
    endings: tuple[str, ...] = ()  # name_parts: organisation endings beside the name grammar's (人大, 调研组)
    stationed_cues: tuple[str, ...] = ()  # name_parts: 某局驻某社区工作组 belongs to 某局 and lies in 某社区


RULE_KINDS = ("pattern", "name_parts")


def load_rules(path: Path | None = None) -> list[RelationRule]:
    source = path or DATA_DIR / "relations.yaml"
    data = read_yaml(source)
    if not isinstance(data, list):
        raise ValueError(f"{source}: expected a list of rules")
    rules = []
    for item in data:
        try:
            rule = RelationRule(**{k: tuple(v) if isinstance(v, list) else v for k, v in item.items()})
        except TypeError as err:
            raise ValueError(f"{source}: bad rule {item!r}: {err}") from err
        if rule.kind not in RULE_KINDS:
            raise ValueError(f"{source}: rule {rule.id}: kind must be one of {RULE_KINDS}")
        if rule.kind == "pattern" and not rule.predicate and not rule.predicate_group:
            raise ValueError(f"{source}: rule {rule.id} needs a predicate or predicate_group")
        rules.append(rule)
    return rules


class Extractor:
    """Turns a document's entity mentions into relations, sentence by sentence."""

    def __init__(self, rules: list[RelationRule], lexicon: Lexicon | None = None, frames: FrameData | None = None):
        self.rules = rules
        self.lexicon = lexicon or load_lexicon()
        frames = frames or load_frames()
        words = (
            self.lexicon.placeholders()
            | frames.words
            | {"ACTION_VERB": f"(?:{alternation(self.lexicon.action_verbs)})", "NOT_ENTITY": NOT_ENTITY, **GAPS}
        )
        self.templates = [(rule, compile_rule(rule, words)) for rule in rules if rule.kind == "pattern"]
        self.name_part_rules = [rule for rule in rules if rule.kind == "name_parts"]
        self.anaphora = AnaphorReader(frames.anaphors, self.lexicon.titles)
        self.readers = [
            FrameReader(frame, self.lexicon.materials, self.lexicon.org_suffixes) for frame in frames.frames
        ]
        self.generic_body_predicates = frozenset(frames.generic_body_predicates)
        self.material_re = re.compile(alternation(self.lexicon.materials))
        self.group_re = re.compile(alternation(self.lexicon.groups))

    def lexicon_mentions(self, doc: Document, sentence: Sentence, taken: list[Mention]) -> list[Mention]:
        """MATERIAL and GROUP mentions from the word lists, where no entity already stands."""
        found = []
        occupied = bytearray(len(sentence.text))  # one flag a character: checking every mention is quadratic
        for m in taken:
            occupied[m.start - sentence.start : m.end - sentence.start] = b"\1" * (m.end - m.start)
        for label, pattern in (("MATERIAL", self.material_re), ("GROUP", self.group_re)):
            for match in pattern.finditer(sentence.text):
                if not any(occupied[match.start() : match.end()]):
                    occupied[match.start() : match.end()] = b"\1" * (match.end() - match.start())
                    start, end = sentence.start + match.start(), sentence.start + match.end()
                    found.append(Mention(doc.id, start, end, label, match.group(), sentence.index, "lexicon"))
        return found

    def extract(self, doc: Document, mentions: list[Mention]) -> tuple[list[Mention], list[Relation]]:
        """All mentions (entities plus MATERIAL/GROUP) and the relations the rules find in ``doc``."""
        by_sentence: dict[int, list[Mention]] = {}
        for mention in mentions:
            by_sentence.setdefault(mention.sentence, []).append(mention)
        all_mentions: list[Mention] = []
        relations: list[Relation] = []
        discourse = Discourse()
        earlier = self.anaphora.start()
        for sentence in doc.sentences:
            entities = sorted(by_sentence.get(sentence.index, []), key=lambda m: m.start)
            materials = self.lexicon_mentions(doc, sentence, entities)
            all_mentions.extend(sorted(entities + materials, key=lambda m: m.start))
            # stand-ins for 该公司 … take part in rules and frames as the body they stand for; they are no entities
            read = sorted(entities + self.anaphora.stand_ins(sentence, entities, earlier), key=lambda m: m.start)
            in_sentence = sorted(read + materials, key=lambda m: m.start)
            readable = without_titles(in_sentence, doc.text, self.lexicon.post_titles)
            found = self.sentence_relations(doc, sentence, readable)
            found += self.frame_relations(doc, sentence, read, discourse)
            for rule in self.name_part_rules:
                found.extend(name_part_relations(doc, sentence, entities, self.lexicon, rule))
            relations.extend(unique(self.named_bodies(found, sentence, entities)))
        return all_mentions, relations

    def named_bodies(self, relations: list[Relation], sentence: Sentence, entities: list[Mention]) -> list[Relation]:
        """Edges to a generic body (村党支部) of the predicates that say so moved to the place of its kind written
        before it in the sentence (某村), or dropped where none is."""
        kept = []
        for relation in relations:
            body = relation.object
            if body.source != GENERIC_ORG or relation.predicate not in self.generic_body_predicates:
                kept.append(relation)
                continue
            kind = self.lexicon.generic_body_place(body.text)
            earlier = (m for m in reversed(entities) if m.end <= body.start and m.label in ("GPE", "LOC"))
            place = next((m for m in earlier if kind and m.text.endswith(kind) and m.text != kind), None)
            if place is not None:
                attrs = dict(relation.attrs)
                if "title" in attrs:
                    attrs["title"] = body.text + attrs["title"]
                ev = evidence(sentence, relation.subject, place, relation.evidence.rule)
                kept.append(Relation(relation.subject, relation.predicate, place, ev, attrs))
        return kept

    def frame_relations(
        self, doc: Document, sentence: Sentence, entities: list[Mention], discourse: Discourse
    ) -> list[Relation]:
        """Relations of the clause frames (frames.yaml): one edge per donor and item."""
        relations = []
        for reader in self.readers:
            for match in reader.read(sentence, entities, doc.text, discourse):
                for item in match.items:
                    obj = Mention(
                        doc.id,
                        sentence.start + item.start,
                        sentence.start + item.end,
                        "MATERIAL",
                        item.text,
                        sentence.index,
                        match.frame,
                    )
                    attrs = dict(match.attrs)
                    attrs.update({k: v for k, v in (("amount", item.value), ("quantity", item.quantity)) if v})
                    attrs.update(self.parsed_attributes(attrs, sentence, doc))
                    for subject in match.subjects:
                        ev = evidence(sentence, subject, obj, match.frame)
                        relations.append(Relation(subject, match.predicate, obj, ev, attrs))
        return relations

    def sentence_relations(self, doc: Document, sentence: Sentence, mentions: list[Mention]) -> list[Relation]:
        encoded, positions, written = encode(sentence, mentions)
        relations = []
        for rule, regex in self.templates:
            for match in regex.finditer(encoded):
                relations.extend(self.relations_from_match(doc, sentence, rule, match, mentions, positions, written))
        return relations

    def relations_from_match(
        self,
        doc: Document,
        sentence: Sentence,
        rule: RelationRule,
        match: re.Match[str],
        mentions: list[Mention],
        positions: list[int],
        written: dict[str, Mention],
    ) -> Iterable[Relation]:
        def original(group: str) -> tuple[int, int] | None:
            if match.group(group) is None:
                return None
            start, end = match.span(group)
            return positions[start], positions[end]

        def mention_of(role: str, document_end: str | None) -> Mention | None:
            if document_end == DOCUMENT:
                return Mention(doc.id, 0, 0, DOCUMENT, doc.title or doc.id, sentence.index, rule.id)
            if role in match.groupdict():
                return written[match.group(role)]
            return None

        subject = mention_of("subject", rule.subject)
        subjects: list[Mention | None] = [subject]
        if subject and (rule.list_subjects or rule.list_subjects_after):
            subjects = coordinated(subject, mentions, doc.text, before=rule.list_subjects, separator=rule.separator)
        objects: list[Mention | None] = [mention_of("object", rule.object)]
        if rule.object_text:
            found = match.group().find(rule.object_text)
            at = match.start() + max(found, 0)
            start, end = positions[at], positions[at + len(rule.object_text) if found >= 0 else at]
            objects = [Mention(doc.id, start, end, "MATERIAL", rule.object_text, sentence.index, rule.id)]
        elif rule.list_objects and objects[0] is not None:
            objects = coordinated(objects[0], mentions, doc.text, before=False, separator=rule.separator)
        predicate = rule.predicate
        attrs = {}
        for name, value in match.groupdict().items():
            if value is None or name in ("subject", "object"):
                continue
            span = original(name)
            text = doc.text[span[0] : span[1]] if span else value
            if name == rule.predicate_group:
                predicate = text
            else:
                attrs[name.removesuffix("_after")] = text
        attrs.update(self.parsed_attributes(attrs, sentence, doc))
        if rule.caption:
            previous = doc.sentences[sentence.index - 1] if sentence.index > 0 else None
            if previous and "\n" not in doc.text[previous.end : sentence.start]:
                attrs["caption"] = previous.text
        for subject in subjects:
            for obj in objects:
                if subject is None or obj is None or subject == obj:
                    continue
                yield Relation(subject, predicate, obj, evidence(sentence, subject, obj, rule.id), dict(attrs))

    @staticmethod
    def parsed_attributes(attrs: dict[str, str], sentence: Sentence, doc: Document) -> dict[str, str]:
        parsed: dict[str, str] = {}
        for key in ("amount", "quantity"):
            measure = parse_measure(attrs[key]) if key in attrs else None
            if measure:
                parsed[f"{key}_value"] = plain_number(measure.value)
                parsed[f"{key}_unit"] = measure.unit
                if measure.approximate:
                    parsed[f"{key}_approximate"] = "true"
        if "amount" in attrs or "quantity" in attrs:
            written = DATE_IN_TEXT.search(sentence.text)
            date = parse_date(written.group(), doc.year) if written else None
            if date:
                parsed["date"] = date
        return parsed


def encode(sentence: Sentence, mentions: list[Mention]) -> tuple[str, list[int], dict[str, Mention]]:
    """The sentence with each mention replaced by one placeholder character of its label's block, each encoded
    position's offset in the document (one extra entry for the end), and the mention each placeholder stands for.
    A label's mentions past its block's size (none in any real sentence) stay text."""
    pieces: list[str] = []
    positions: list[int] = []
    written: dict[str, Mention] = {}
    counts: dict[str, int] = {}
    cursor = sentence.start
    for mention in mentions:
        k = counts[mention.label] = counts.get(mention.label, -1) + 1
        if k >= PLACEHOLDER_BLOCK:
            continue
        for offset in range(cursor, mention.start):
            pieces.append(sentence.text[offset - sentence.start])
            positions.append(offset)
        char = chr(placeholder_block(mention.label) + k)
        written[char] = mention
        pieces.append(char)
        positions.append(mention.start)
        cursor = mention.end
    for offset in range(cursor, sentence.end):
        pieces.append(sentence.text[offset - sentence.start])
        positions.append(offset)
    positions.append(sentence.end)
    return "".join(pieces), positions, written


def placeholder_block(label: str) -> int:
    """The first placeholder character of ``label``'s block."""
    block = NODE_LABELS.index(label) if label in NODE_LABELS else len(NODE_LABELS)
    return PLACEHOLDER_BASE + block * PLACEHOLDER_BLOCK


def compile_rule(rule: RelationRule, words: dict[str, str]) -> re.Pattern[str]:
    """The rule's pattern with its {WORD}s filled in and each label placeholder ({ORG:object}, {GPE|LOC}) read
    as its labels' placeholder characters; a broken rule fails at load time, naming the rule."""

    def word(match: re.Match[str]) -> str:
        key = match.group(1)
        return words[key] if key in words else match.group(0)

    def chars(labels: str) -> str:
        known = [placeholder_block(label) for label in labels.split("|") if label in NODE_LABELS]
        ranges = "".join(f"{chr(first)}-{chr(first + PLACEHOLDER_BLOCK - 1)}" for first in known)
        return f"[{ranges}]" if ranges else "(?!)"

    expanded = re.sub(r"\{([A-Z_]+)\}", word, rule.pattern)
    pattern = PLACEHOLDER.sub(lambda m: f"(?P<{m.group(2)}>{chars(m.group(1))})", expanded)
    try:
        return re.compile(ANONYMOUS_PLACEHOLDER.sub(lambda m: chars(m.group(1)), pattern), re.MULTILINE)
    except re.error as err:
        raise ValueError(f"relation rule {rule.id}: bad pattern: {err}") from err


def coordinated(
    first: Mention, mentions: list[Mention], text: str, *, before: bool, separator: str | None = None
) -> list[Mention]:
    """``first`` and the mentions of its label joined to it by 、/和/及 (or ``separator``): after it
    (口罩、防护服和消毒液) or, with ``before``, ahead of it (甲公司、乙公司、丙有限公司)."""
    joint = re.compile(separator) if separator else LIST_SEPARATOR
    found = [first]
    same = [m for m in mentions if m.label == first.label]
    candidates = (
        reversed([m for m in same if m.end <= first.start]) if before else [m for m in same if m.start >= first.end]
    )
    for mention in candidates:
        gap = text[mention.end : found[-1].start] if before else text[found[-1].end : mention.start]
        if not joint.fullmatch(gap):
            break
        found.append(mention)
    return found


def without_titles(mentions: list[Mention], text: str, titles: frozenset[str]) -> list[Mention]:
    """The mentions rules read: a GROUP word that is a post title right before a person's name is that
    person's title (民警张三), so it stays text the title patterns can match; 党员 is no post and stays a group."""
    persons = {m.start for m in mentions if m.label == "PERSON"}

    def before_person(mention: Mention) -> bool:
        rest = text[mention.end : mention.end + 4]
        return mention.end + len(rest) - len(rest.lstrip(" \t\u3000")) in persons

    return [m for m in mentions if not (m.label == "GROUP" and m.text in titles and before_person(m))]


def unique(relations: list[Relation]) -> list[Relation]:
    """Relations in order, without repeating an edge an earlier rule or frame already gave."""
    seen: set[tuple[str, int, int, int, str]] = set()
    kept = []
    for relation in relations:
        key = (
            relation.predicate,
            relation.subject.start,
            relation.subject.end,
            relation.object.start,
            relation.object.text,
        )
        if key not in seen:
            seen.add(key)
            kept.append(relation)
    return kept


def evidence(sentence: Sentence, subject: Mention, obj: Mention, rule: str) -> Evidence:
    return Evidence(
        doc_id=subject.doc_id,
        sentence=sentence.index,
        sentence_text=sentence.text,
        subject_start=subject.start,
        subject_end=subject.end,
        object_start=obj.start,
        object_end=obj.end,
        rule=rule,
        sentence_start=sentence.start,
    )


def all_endings(lexicon: Lexicon, extra: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The name grammar's endings with a rule's extra organisation endings, longer endings first."""
    return ending_index(lexicon.name_endings, extra).pairs


@dataclass(frozen=True)
class EndingIndex:
    pairs: tuple[tuple[str, str], ...]  # (ending, label), longer endings first
    words: PhraseSet  # the endings, to find the longest at a position without trying each
    labels: dict[str, str]


# Asked for every mention of every sentence with the same few rules' extra endings: merged and indexed once.
@functools.lru_cache(maxsize=64)
def ending_index(name_endings: tuple[tuple[str, str], ...], extra: tuple[str, ...]) -> EndingIndex:
    labels = dict(name_endings)
    pairs = name_endings
    if extra:
        labels |= {e: "ORG" for e in extra if e not in labels}
        pairs = tuple(sorted(labels.items(), key=lambda item: (-len(item[0]), item[0])))
    return EndingIndex(pairs, PhraseSet(labels), labels)


def name_parts(
    name: str,
    lexicon: Lexicon,
    split_endings: tuple[str, ...] = (),
    extra_endings: tuple[str, ...] = (),
    *,
    org: bool = False,
) -> list[tuple[int, int, str]]:
    """Split a compound name at its place and organisation endings: 高新区皇台街道神马尼龙社区党支部 →
    高新区 (GPE), 皇台街道 (GPE), 神马尼龙社区 (GPE), 党支部 (ORG). A known place at the start is a piece
    (河南|金泉机械有限公司), and so is the unit before a party body (迈克生物|党支部).
    A ``split_endings`` body is a piece of its own even right after its place (兰州|市委), and in an ``org``
    name the rest after a known place is the body (某省|消防).
    Returns (start, end, label) pieces covering the name."""
    index = ending_index(lexicon.name_endings, extra_endings)
    endings = index.pairs
    pieces: list[tuple[int, int, str]] = []
    known = lexicon.place_names.longest_at(name)
    if known and any(name[len(known) - 1 : len(known) - 1 + n] in lexicon.generic_places for n in (2, 3)):
        known = known[:-1] if known[:-1] in lexicon.place_names else None  # 绵阳|市场…: 市 opens 市场
    # 河南|金泉… but not 合肥|高新区 or 四川|大学: a place right before an ending is that name's own stem.
    # (a body named by its place is no stem of it: 郑州|慈善总会 belongs to 郑州; an outlet's is: 湖北日报)
    stem = known and any(
        name.startswith(e, len(known))
        for e, label in endings
        if e not in split_endings and (label != "ORG" or e in lexicon.outlet_suffixes)
    )
    if known and not stem:
        known = next((known[:k] for k in range(len(known), 1, -1) if name.startswith(split_endings, k)), known)
    start = position = len(known) if known and len(known) < len(name) and not stem else 0
    if start:
        pieces.append((0, start, "GPE"))
    while position < len(name):
        suffix = index.words.longest_at(name, position)
        if suffix is None:
            position += 1
            continue
        label = index.labels[suffix]
        end = position + len(suffix)
        if name[position - 1 : position] in "(（" and name[end : end + 1] in ")）":
            position = end + 1  # 某某(集团)有限公司: a bracketed word is part of the name, no body of its own
            continue
        if label in ("GPE", "LOC") and inside_common_word(name, start, position, end, lexicon):
            position = end  # 农业农村局, 市场监督管理局, 乡村振兴局, 市民服务中心: a word, no place
            continue
        if (
            label == "ORG"
            and suffix not in lexicon.party_suffixes
            and index.words.longest_at(name, end) in lexicon.company_endings
        ):
            position = end  # 某某局集团有限公司, 某某集团有限公司: one company, no body inside another
            continue
        if suffix in lexicon.party_suffixes and position - start >= 2 and label == "ORG":
            pieces.append((start, position, "ORG"))
            start = position
        if start == position and label == "GPE" and pieces and pieces[-1][2] == "LOC":
            pieces[-1] = (pieces[-1][0], end, label)  # 状元街|社区: an area named after its street
        else:
            pieces.append((start, end, label))
        start = position = end
    if start < len(name) and pieces:
        last_start, _, last_label = pieces[-1]
        if org and len(pieces) == 1 and last_label == "GPE":
            pieces.append((start, len(name), "ORG"))
        else:
            pieces[-1] = (last_start, len(name), last_label)
    return pieces


def inside_common_word(name: str, piece_start: int, start: int, end: int, lexicon: Lexicon) -> bool:
    """The place ending name[start:end] of the piece from ``piece_start`` makes no place: the piece is a generic
    word (县|市场), or the ending closes or opens a longer one (农业农村局, 乡村振兴局), or sits inside a word in
    which it is no ending (市民服务中心)."""
    generic = lexicon.generic_places
    if piece_start < start and name[piece_start:end] in generic:
        return True
    for n in range(end - start + 1, 5):
        closing = name[end - n : end] if end - n >= piece_start else ""
        opening = name[start : start + n] if start + n <= len(name) else ""
        if closing in generic or opening in generic:
            return True
    return any(
        name[a : a + n] in lexicon.suffix_blockers
        for n in range(2, 5)
        for a in range(max(piece_start, end - n), start + 1)
    )


def name_part_relations(
    doc: Document, sentence: Sentence, mentions: list[Mention], lexicon: Lexicon, rule: RelationRule | None = None
) -> list[Relation]:
    """隶属 and 位于 edges read off one written name (SCHEMA.md). Each piece names a node: a place by
    itself (神马尼龙社区), a body by the whole name up to it (平煤神马集团尼龙化工公司); each node belongs to
    (ORG → ORG/GPE: 隶属) or lies in (else: 位于) the node before it. A business or facility (公司, 医院 …)
    lies in its place rather than belonging to it (河南金泉机械有限公司 位于 河南), and so do the rule's
    ``located_endings`` (associations: 某某商会 位于 its city)."""
    rule_id = rule.id if rule else NAME_PARTS
    located = tuple(lexicon.located_org_suffixes) + (rule.located_endings if rule else ())
    split = rule.split_endings if rule else ()
    extra = (rule.endings + split) if rule else ()
    endings = tuple(e for e, _ in all_endings(lexicon, extra))
    relations = []
    for mention in mentions:
        if mention.label not in ("ORG", "GPE", "LOC") or COUNTED.search(mention.text):
            continue  # 高新区6个产业园区, 24个行政村: a count of places, not a name with parts
        cue = stationed_cue(mention, rule.stationed_cues if rule else ())
        if cue:
            relations += stationed_relations(doc, sentence, mention, cue, lexicon, split, extra, rule_id)
            continue
        parts = name_parts(mention.text, lexicon, split, extra, org=mention.label == "ORG")
        pieces = [
            p
            for k, p in enumerate(parts)
            # an ORG's last piece is the whole name (兰州|市委 keeps 市委's single 委)
            if (k == len(parts) - 1 and p[2] == "ORG")
            or (mention.text[p[0] : p[1]] not in lexicon.generic_places and p[1] - p[0] >= 2)
        ]
        if len(pieces) < 2:
            continue
        nodes = []
        for k, (start, end, label) in enumerate(pieces):
            if k == len(pieces) - 1:
                nodes.append(mention)
                break
            begin = start if label != "ORG" else 0
            nodes.append(
                Mention(
                    doc.id,
                    mention.start + begin,
                    mention.start + end,
                    label,
                    mention.text[begin:end],
                    sentence.index,
                    NAME_PARTS,
                )
            )
        for inner, outer in zip(nodes[1:], nodes, strict=False):
            # a brand after its place (某市某某) has no ending of its own: a business, it lies there
            bare = inner is mention and not mention.text.endswith(endings)
            business = outer.label != "ORG" and (inner.text.endswith(located) or bare)
            predicate = "隶属" if inner.label == "ORG" and outer.label in ("ORG", "GPE") and not business else "位于"
            relations.append(Relation(inner, predicate, outer, evidence(sentence, inner, outer, rule_id)))
    return relations


def stationed_cue(mention: Mention, cues: tuple[str, ...]) -> tuple[int, int] | None:
    """Where a body's name says it is stationed elsewhere (某县|驻|某市工作组): the cue's span, with an owner
    of two characters or more before it and a unit after it; None for other names."""
    if mention.label != "ORG":
        return None
    for cue in cues:
        at = mention.text.find(cue, 2)
        if 0 < at < len(mention.text) - len(cue) - 2:
            return at, at + len(cue)
    return None


def stationed_relations(
    doc: Document,
    sentence: Sentence,
    mention: Mention,
    cue: tuple[int, int],
    lexicon: Lexicon,
    split: tuple[str, ...],
    extra: tuple[str, ...],
    rule_id: str,
) -> list[Relation]:
    """某市生态环境局驻某区某社区工作组: the unit 隶属 its owner (the name before 驻) and 位于 the last place
    after 驻, whose places lie in each other as in any name."""

    def node(start: int, end: int, label: str) -> Mention:
        text = mention.text[start:end]
        return Mention(doc.id, mention.start + start, mention.start + end, label, text, sentence.index, NAME_PARTS)

    owner_parts = name_parts(mention.text[: cue[0]], lexicon, split, extra, org=True)
    owner = node(0, cue[0], owner_parts[-1][2] if owner_parts and owner_parts[-1][2] == "GPE" else "ORG")
    edges = [(mention, "隶属", owner)]
    after = mention.text[cue[1] :]
    places = [
        node(cue[1] + start, cue[1] + end, label)
        for start, end, label in name_parts(after, lexicon, split, extra, org=True)
        if label in ("GPE", "LOC") and end - start >= 2 and after[start:end] not in lexicon.generic_places
    ]
    if places:
        edges.append((mention, "位于", places[-1]))
        edges += [(inner, "位于", outer) for outer, inner in zip(places, places[1:], strict=False)]
    return [Relation(inner, verb, outer, evidence(sentence, inner, outer, rule_id)) for inner, verb, outer in edges]
