"""Clause frames: a predicate read from a trigger word and the roles found by cue words around it.

A donation is written in many shapes (X向Y捐赠A; X将A及B捐赠给Y; X通过Y捐款N万元; X捐赠A N箱，价值N元;
X、Y为他们送来了A、B等生活物资), so instead of one pattern per shape a frame (``kg/data/frames.yaml``) names the
trigger words and the cues of each role, and this module reads them inside the clause around the trigger:

- donor: the PERSON or ORG (with the entities coordinated before it) that stands before the trigger and before
  any recipient or channel cue; carried over from an earlier clause of the sentence when the clause has none;
- recipient: 向/为/给 + the words up to the trigger, or the words after a trigger ending in 给/到/往;
- channel: 通过 + the words up to the next cue;
- items: the noun phrases after the trigger, or between 将/把 and a trigger such as 捐赠给, split at 、/和/及,
  closed by 等…物资; each keeps the value (价值N元) and quantity (N箱) written beside it; money is an item too.

The reader returns plain :class:`FrameMatch` records; extraction turns them into relations with evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.lexicon import DATA_DIR, alternation, read_yaml
from kg.types import ANAPHOR, Mention, Sentence

FRAMES_FILE = "frames.yaml"
CLAUSE_END = re.compile(r"[,，;；:：。！？!?]")
ITEM_SEPARATOR = re.compile(r"以及|[、和及与]")
NOUN = re.compile(r"[\u4e00-\u9fffA-Za-z0-9%％.]+")  # 75%消毒酒精
QUOTED = re.compile(r"“[^”]{2,40}”")
BRACKETED = re.compile(r"[(（]([^()（）]{1,15})[)）]")
QUOTES = "“”‘’\"'「」『』《》"
FIGURE = re.compile(r"[0-9.,]+(?:余|多)?(?:万|亿)(?:余|多)?")
DONOR_LABELS = ("PERSON", "ORG")


@dataclass(frozen=True)
class Item:
    """A thing given: its span in the sentence (a bare amount stands for its money), value and quantity."""

    start: int
    end: int
    text: str
    money: bool = False
    value: str | None = None
    quantity: str | None = None


@dataclass
class Discourse:
    """What one document's earlier sentences leave to the next: per frame, the givers a sentence ending in ；
    carries into the next (X向A捐款…；向B捐赠…), and the latest gift if it named its goods only by a collective
    word (X向Y捐赠了一批防疫物资。…这批捐赠物资包括A、B)."""

    carried: dict[str, list[Mention]] = field(default_factory=dict)
    collective_gift: dict[str, FrameMatch | None] = field(default_factory=dict)


@dataclass
class FrameMatch:
    frame: str
    predicate: str
    trigger: tuple[int, int]  # sentence-relative span of the trigger word
    subjects: list[Mention]
    items: list[Item]
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Frame:
    id: str
    predicate: str
    triggers: tuple[str, ...]
    recipient_after: tuple[str, ...]
    weak_triggers: tuple[str, ...]
    goods_triggers: tuple[str, ...]
    money_triggers: tuple[str, ...]
    money_idioms: tuple[str, ...]
    money_words: tuple[str, ...]
    money_endings: tuple[str, ...]
    money_default: tuple[str, str]
    recipient_cues: tuple[str, ...]
    channel_cues: tuple[str, ...]
    not_cues: tuple[str, ...]
    item_cues: tuple[str, ...]
    receiving_words: tuple[str, ...]
    speech_verbs: tuple[str, ...]
    not_donor_before: tuple[str, ...]
    motion_words: tuple[str, ...]
    not_donor_phrases: str
    time_words: str
    donor_joints: str
    donor_title: str
    bare_subject_chars: int
    subject_pronouns: tuple[str, ...]
    unnamed_subjects: tuple[str, ...]
    attributive_before: tuple[str, ...]
    attributive_after: tuple[str, ...]
    stated_after: tuple[str, ...]
    item_chars: int
    blocking_words: tuple[str, ...]
    purchase_words: tuple[str, ...]
    purpose_words: tuple[str, ...]
    refusal_words: tuple[str, ...]
    adverbs: tuple[str, ...]
    item_openers: tuple[str, ...]
    item_stops: tuple[str, ...]
    non_items: tuple[str, ...]
    collective_heads: tuple[str, ...]
    listing_words: tuple[str, ...]
    goods_anaphors: tuple[str, ...]
    value_words: tuple[str, ...]
    value: str
    vague_quantities: tuple[str, ...]
    quantity: str

    @classmethod
    def from_data(cls, item: dict, source: Path) -> Frame:
        names = {f for f in cls.__dataclass_fields__}
        missing = names - set(item)
        if missing or set(item) - names:
            raise ValueError(
                f"{source}: frame {item.get('id')!r}: missing {sorted(missing)} / unknown {sorted(set(item) - names)}"
            )
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in item.items()}
        frame = cls(**values)
        for key in ("value", "quantity", "donor_joints", "donor_title", "not_donor_phrases", "time_words"):
            try:
                re.compile(getattr(frame, key))
            except re.error as err:
                raise ValueError(f"{source}: frame {frame.id}: bad {key} pattern: {err}") from err
        return frame


@dataclass(frozen=True)
class Anaphors:
    words: dict[str, tuple[str, ...]]  # anaphor → the endings of the bodies it may stand for
    before_titles: tuple[str, ...]  # anaphors that count only right before a title
    person: str = ""  # a pattern of the pronouns that stand for the latest person named (他, 她)
    places: dict[str, tuple[str, ...]] = field(default_factory=dict)  # 该村 → the endings of the places it stands for


@dataclass(frozen=True)
class FrameData:
    words: dict[str, str]  # {NAME} fragments for relation rules
    frames: list[Frame]
    anaphors: Anaphors = Anaphors({}, ())
    generic_body_predicates: tuple[str, ...] = ()


def load_frames(path: Path | None = None) -> FrameData:
    source = path or DATA_DIR / FRAMES_FILE
    data = read_yaml(source)
    if not isinstance(data, dict):
        raise ValueError(f"{source}: expected a mapping with 'words' and 'frames'")
    words = {
        name: f"(?:{alternation(value)})" if isinstance(value, list) else str(value)
        for name, value in (data.get("words") or {}).items()
    }
    frames = [Frame.from_data(item, source) for item in data.get("frames") or []]
    anaphors = data.get("anaphors") or {}
    if not isinstance(anaphors, dict) or not isinstance(anaphors.get("words") or {}, dict):
        raise ValueError(f"{source}: 'anaphors' must map 'words' (anaphor: [endings]) and 'before_titles'")
    return FrameData(
        words,
        frames,
        Anaphors(
            {str(k): tuple(v) for k, v in (anaphors.get("words") or {}).items()},
            tuple(anaphors.get("before_titles") or ()),
            str(anaphors.get("person") or ""),
            {str(k): tuple(v) for k, v in (anaphors.get("places") or {}).items()},
        ),
        tuple(data.get("generic_body_predicates") or ()),
    )


def _words(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(alternation(words)) if words else re.compile("(?!)")


class FrameReader:
    """Reads one frame's matches in a sentence, given the sentence's entity mentions."""

    def __init__(
        self, frame: Frame, materials: frozenset[str] = frozenset(), org_suffixes: frozenset[str] = frozenset()
    ):
        self.frame = frame
        self.materials = materials
        self.material_endings = tuple(sorted(materials, key=len, reverse=True))  # 一次性医用口罩 ends with 口罩
        # 某某协会向县指挥部: a name the NER ran on past a recipient cue ends at the body's suffix before the cue
        self.run_on_re = (
            re.compile(f"(?:{alternation(org_suffixes)})(?=(?:{alternation(frame.recipient_cues)}).)")
            if org_suffixes and frame.recipient_cues
            else None
        )
        self.trigger_re = _words(frame.triggers)
        self.cue_re = _words(frame.recipient_cues + frame.channel_cues)
        self.receiving_re = _words(frame.receiving_words)
        self.blocking_re = _words(frame.blocking_words)
        self.purchase_re = _words(frame.purchase_words)
        self.purpose_end_re = re.compile(f"(?:{alternation(frame.purpose_words)})$") if frame.purpose_words else None
        self.refusal_re = _words(frame.refusal_words)
        self.item_cue_re = _words(frame.item_cues)
        self.measure_re = re.compile(f"(?P<value>{frame.value})|(?P<quantity>{frame.quantity})")
        self.value_start_re = re.compile(frame.value)
        self.value_word_re = re.compile(f"(?:{alternation(frame.adverbs)})*(?:{alternation(frame.value_words)})")
        self.opener_re = re.compile(alternation(frame.item_openers + frame.adverbs))
        self.subject_opener_re = re.compile(alternation(frame.item_openers + frame.adverbs + frame.subject_pronouns))
        self.adverb_end_re = re.compile(f"(?:{alternation(frame.adverbs)})+$") if frame.adverbs else None
        self.adverb_re = _words(frame.adverbs)
        self.not_cue_re = _words(frame.adverbs + frame.not_cues)
        self.stop_re = _words(frame.item_stops)
        self.closer_re = re.compile(f"等[^、，,]{{0,6}}?(?:{alternation(frame.collective_heads)})|等")
        self.joint_re = re.compile(f"(?:{frame.donor_joints})(?:{frame.donor_title})?")
        self.not_donor_phrase_re = re.compile(frame.not_donor_phrases)
        self.time_re = re.compile(frame.time_words)
        not_donor_before = frame.not_donor_before + frame.motion_words
        # (联系该县红十字会: a determiner may stand between the word and the entity)
        self.not_donor_re = (
            re.compile(f"(?:{alternation(not_donor_before)})(?:该|本)?[县市区镇乡村]?$") if not_donor_before else None
        )
        self.motion_re = _words(frame.motion_words)
        self.any_cue_re = _words(frame.recipient_cues + frame.channel_cues + frame.item_cues + frame.purchase_words)
        # 包括… right after a collective item, or after a short phrase naming the same goods (这批捐赠物资包括…)
        self.listing_re = re.compile(f"[^,，。；;]{{0,8}}?(?:{alternation(frame.listing_words)})")
        # 这批捐赠物资包括…: the goods of the document's latest gift, named before only by a collective word
        self.goods_anaphor_re = re.compile(
            f"(?P<phrase>(?:{alternation(frame.goods_anaphors)})[\u4e00-\u9fff]{{0,4}}?"
            f"(?:{alternation(frame.collective_heads)}))[^,，。；;]{{0,3}}?(?:{alternation(frame.listing_words)})"
        )
        # 他捐赠的物资共包括…: an attributive trigger whose goods are listed right after
        self.attributive_listing_re = re.compile(
            f"的(?:{alternation(frame.collective_heads)})[^,，。；;]{{0,3}}?(?:{alternation(frame.listing_words)})"
        )

    def read(
        self, sentence: Sentence, mentions: list[Mention], document_text: str, discourse: Discourse | None = None
    ) -> list[FrameMatch]:
        """The frame's matches in ``sentence``, given what the document's earlier sentences left (``discourse``)."""
        discourse = discourse or Discourse()
        text = sentence.text
        entities = [
            (m.start - sentence.start, m.end - sentence.start, m)
            for m in map(self.cut_run_on, mentions)
            if m.label in ("PERSON", "ORG", "GPE", "LOC")
        ]
        matches: list[FrameMatch] = []
        carried = discourse.carried.get(self.frame.id, [])
        listed: list[Mention] = []  # 县委书记A,县长B,…C等带头捐款: the names of clauses that are only a name
        quoted = [q.span() for q in QUOTED.finditer(text)]  # titles in quotes: no giver inside them
        givers = {id(m) for _, _, m in self.not_sourced(text, entities)}
        name_ends = {e for _, e, _ in entities}
        previous_items: list[Item] = []
        for lo, hi in clauses(text):
            triggers = [
                t
                for t in self.trigger_re.finditer(text, lo, hi)
                if not inside(t.start(), entities)
                and (
                    not self.attributive(text, t, name_ends)
                    or self.attributive_listing_re.match(text, t.end())
                    or self.relative_gift(text, t, entities)
                )
                and not self.purchased(text, t.end(), hi)
            ]
            # (捐款捐物: the second word is the first's, not a gift of its own; 慷慨解囊捐赠物资: the idiom is the
            # manner of the gift that follows)
            idioms = self.frame.money_idioms
            triggers = [
                t
                for k, t in enumerate(triggers)
                if not self.inside_goods(text, triggers, k, lo)
                and not (k and triggers[k - 1].end() == t.start() and triggers[k - 1].group() not in idioms)
                and not (t.group() in idioms and k + 1 < len(triggers) and triggers[k + 1].start() == t.end())
            ]
            blocked = self.blocking_re.search(text, lo, hi) or self.refusal_re.search(
                text, lo, next_clause_end(text, hi)
            )
            if not triggers or blocked:
                speech = text[lo:hi].rstrip("“”\"' ").endswith(self.frame.speech_verbs)
                names = self.donors(text, entities, lo, hi, quoted, givers)
                # a clause of a speaker's or of unnamed givers (社会各界爱心企业纷纷…) carries no earlier giver on
                unnamed = text[lo:hi].lstrip().startswith(self.frame.unnamed_subjects)
                carried = [] if speech or (unnamed and not names) else names or carried
                ends_with_name = any(e == len(text[:hi].rstrip()) for _, e, m in entities if m in names)
                listed = [*listed, *names] if names and ends_with_name else []
                if not self.value_start_re.match(text, lo):  # 猪肉1000斤,价值2万元,…: the value is of the goods before
                    previous_items = [] if triggers else self.items(text, entities, lo, hi, loose=False)
                continue
            start = lo
            for trigger in triggers:
                own = self.donors(text, entities, start, trigger.start(), quoted, givers)
                own_end = max((e for _, e, m in entities if m in own), default=start)
                if own and listed and text.startswith(("等", "一行"), own_end):  # 甲,副会长乙一行…捐赠
                    own = [*listed, *own]
                listed = []
                if own or self.bare_subject(text, entities, start, trigger.start()):
                    carried = own or carried
                    donors = carried
                else:
                    donors = []
                match = self.frame_at(text, entities, lo, hi, start, trigger, donors, previous_items, document_text)
                if match:
                    matches.append(match)
                start = trigger.end()
            previous_items = []
        discourse.carried[self.frame.id] = carried if text.rstrip().endswith(("；", ";")) else []
        if matches:
            last = matches[-1]
            collective = last.items[-1].text.endswith(self.frame.collective_heads)
            discourse.collective_gift[self.frame.id] = last if collective else None
        elif gift := discourse.collective_gift.get(self.frame.id):
            matches = self.listed_later(sentence, entities, gift)
            if matches:  # listed once
                discourse.collective_gift[self.frame.id] = None
        return matches

    def inside_goods(self, text: str, triggers: list[re.Match[str]], k: int, lo: int) -> bool:
        """将党员捐款统一交给Y: trigger ``k`` stands between 将/把 and a later trigger that takes its goods before
        it (交给, 捐给), so it names the goods, not a gift of its own."""
        if k + 1 == len(triggers) or not triggers[k + 1].group().endswith(self.frame.recipient_after):
            return False
        return bool(self.item_cue_re.search(text, triggers[k - 1].end() if k else lo, triggers[k].start()))

    def listed_later(
        self, sentence: Sentence, entities: list[tuple[int, int, Mention]], gift: FrameMatch
    ) -> list[FrameMatch]:
        """The goods of an earlier gift listed in this sentence (这批捐赠物资包括A、B), given by its givers, each
        a stand-in written where the phrase for the gift is (so the evidence stays inside this sentence)."""
        text = sentence.text
        listing = self.goods_anaphor_re.search(text)
        if listing is None:
            return []
        end = next_clause_end(text, listing.end() - 1)
        items = [i for i in self.items(text, entities, listing.end(), end) if not i.money]
        if not items:
            return []
        items += self.following_items(text, entities, items, end)
        lo, hi = (sentence.start + k for k in listing.span("phrase"))
        givers = [replace(g, start=lo, end=hi, sentence=sentence.index, source=ANAPHOR) for g in gift.subjects]
        return [
            FrameMatch(self.frame.id, self.frame.predicate, listing.span("phrase"), givers, items, dict(gift.attrs))
        ]

    def relative_gift(self, text: str, trigger: re.Match[str], entities: list[tuple[int, int, Mention]]) -> bool:
        """某公司捐赠的口罩, 由某公司捐赠的月饼: goods named by the giver written right before the trigger."""
        if not text.startswith("的", trigger.end()):
            return False
        start = self.trim_adverbs(text, 0, trigger.start())
        return any(e == start and m.label in DONOR_LABELS for _, e, m in entities)

    def purchased(self, text: str, lo: int, hi: int) -> bool:
        """A purchase in text[lo:hi], after a trigger, not opened by a purpose word (see purchase_words)."""
        return any(
            not (self.purpose_end_re and self.purpose_end_re.search(text, max(0, p.start() - 4), p.start()))
            for p in self.purchase_re.finditer(text, lo, hi)
        )

    def cut_run_on(self, mention: Mention) -> Mention:
        """The ORG mention cut before a recipient cue that follows a body's suffix inside it (某某协会|向县指挥部)."""
        found = self.run_on_re.search(mention.text, 2) if self.run_on_re and mention.label == "ORG" else None
        if found is None:
            return mention
        return replace(mention, end=mention.start + found.end(), text=mention.text[: found.end()])

    def frame_at(
        self,
        text: str,
        entities: list[tuple[int, int, Mention]],
        lo: int,
        hi: int,
        start: int,
        trigger: re.Match[str],
        donors: list[Mention],
        previous_items: list[Item],
        document_text: str,
    ) -> FrameMatch | None:
        if not donors:
            return None
        word = trigger.group()
        own = any(lo <= s for s, _, m in entities if any(m is d for d in donors))
        attrs = self.cue_attributes(text, entities, start, trigger.start())
        donor_end = max((e for _, e, m in entities if any(m is d for d in donors)), default=lo)
        items: list[Item] = []
        bought = False  # 购买了A、B送到Y: goods bought to be given, as after 将
        if word.endswith(self.frame.recipient_after):
            # the 将 nearest the trigger (将A转到X账户,同时将B送往Y: B goes to Y)
            cue = next(reversed(list(self.item_cue_re.finditer(text, max(0, donor_end), trigger.start()))), None)
            if cue is None:
                # 购买到一批A,捐赠给Y: goods bought in the clause before one that opens with the trigger
                opens = not text[lo : self.trim_adverbs(text, lo, trigger.start())].strip(" ,，")
                cue = self.purchase_re.search(text, donor_end if opens else max(lo, donor_end), trigger.start())
                bought = cue is not None
            if cue:
                # 将A统一通过微信平台捐给Y: a channel or recipient cue ends the goods
                end = next((c.start() for c in self.cues(text, entities, cue.end(), trigger.start())), trigger.start())
                items = self.items(text, entities, cue.end(), self.trim_adverbs(text, cue.end(), end))
            if not items or cue.start() < lo:  # 将A…拿出来,B和C无偿赠送给Y: the trigger's own clause lists more
                before = max(start, donor_end, lo)
                items += self.items(
                    text, entities, before, self.trim_adverbs(text, before, trigger.start()), loose=False
                )
            if not items and trigger.start() - lo <= 2:
                items = previous_items
            recipient = self.recipient_after(text, trigger.end(), hi)
        else:
            listing = self.attributive_listing_re.match(text, trigger.end())
            items = self.items(text, entities, listing.end() if listing else trigger.end(), hi)
            recipient = None
            stop = self.stop_re.search(text, trigger.end(), hi)
            if stop and stop.group() == "给":
                recipient = self.recipient_after(text, stop.end(), hi)
        if recipient:
            attrs.setdefault("recipient", recipient)
        # 由A和B向B捐赠…: a body named as the recipient is no giver of the same gift
        donors = [d for d in donors if d.text != attrs.get("recipient")]
        if not donors:
            return None
        if not items and own and word in self.frame.money_triggers and not self.trailing(text, trigger.end(), hi):
            items = [Item(trigger.start(), trigger.end(), word, money=True)]  # 以个人名义捐款: the money unsaid
        if not items and own and word in self.frame.money_idioms:
            items = [Item(trigger.start(), trigger.end(), word, money=True)]  # named 捐款 or 现金 below
        if not items:
            return None
        items = [self.name_money(item, word, trigger, document_text) for item in items]
        weak = word in self.frame.weak_triggers and not bought
        if weak and not self.goods(text, items, word not in self.frame.goods_triggers):
            return None
        items, hi = self.listed_items(text, entities, items, hi)
        self.attach_trailing_value(text, items, hi)
        if not word.endswith(self.frame.recipient_after):
            items += self.following_items(text, entities, items, hi)
        return FrameMatch(self.frame.id, self.frame.predicate, trigger.span(), donors, items, attrs)

    def donors(
        self,
        text: str,
        entities: list[tuple[int, int, Mention]],
        lo: int,
        hi: int,
        quoted: list[tuple[int, int]],
        givers: set[int],
    ) -> list[Mention]:
        """The giver before ``hi``: the last PERSON/ORG before the first recipient or channel cue that has one
        before it, with the entities coordinated before it (A、B和C); none inside the ``quoted`` titles of the
        sentence (“庆祝建军88周年慰问驻港部队活动”), only those whose ids are in ``givers`` (see not_sourced)."""
        receiving = list(self.receiving_re.finditer(text, lo, hi))
        if receiving:
            lo = receiving[-1].end()
        modifiers = [p.span() for p in self.not_donor_phrase_re.finditer(text, lo, hi)]
        modifiers += [q for q in quoted if q[1] <= hi]
        candidates = [
            (s, e, m)
            for s, e, m in entities
            if lo <= s
            and e <= hi
            and m.label in DONOR_LABELS
            and id(m) in givers
            and not any(a <= s < b for a, b in modifiers)
        ]
        if not candidates:
            return []
        limit = next((c.start() for c in self.cues(text, entities, lo, hi)), hi)
        before = [c for c in candidates if c[1] <= limit]
        if not before:
            return []
        found = [before[-1]]
        for candidate in reversed(before[:-1]):
            gap = text[candidate[1] : found[-1][0]]
            if not self.joint_re.fullmatch(gap):
                break
            found.append(candidate)
        return [m for _, _, m in reversed(found)]

    def cues(self, text: str, entities: list[tuple[int, int, Mention]], lo: int, hi: int) -> list[re.Match[str]]:
        """Recipient and channel cues in text[lo:hi], not inside a name, an adverb (定向 holds 向) or a word that
        only holds a cue's character (作为)."""
        adverbs = [a.span() for a in self.not_cue_re.finditer(text, lo, hi)]
        return [
            c
            for c in self.cue_re.finditer(text, lo, hi)
            if not inside(c.start(), entities) and not any(a <= c.start() < b for a, b in adverbs)
        ]

    def not_sourced(
        self, text: str, entities: list[tuple[int, int, Mention]]
    ) -> Iterable[tuple[int, int, Mention]]:
        """The entities not right after 据, 《 or a verb of going (据X统计, 来到X), nor coordinated after one
        that is (来到A、B和C,为他们捐赠: A, B and C are where the giver goes)."""
        previous: tuple[int, int, Mention] | None = None
        excluded = False
        for entity in entities:
            start = entity[0]
            joined = previous is not None and self.joint_re.fullmatch(text[previous[1] : start])
            excluded = bool(self.not_donor_re and self.not_donor_re.search(text, max(0, start - 5), start)) or (
                excluded and bool(joined)
            )
            if not excluded:
                yield entity
            previous = entity

    def attributive(self, text: str, trigger: re.Match[str], name_ends: set[int] | None = None) -> bool:
        """此次捐赠的口罩, 捐赠者: the trigger modifies a noun instead of stating a gift (此次捐赠了… states one).
        The end of a name right before it (某派出所|捐赠) is no word before it."""
        if text.startswith(self.frame.stated_after, trigger.end()):
            return False
        before = text[max(0, trigger.start() - 3) : trigger.start()]
        after_name = name_ends is not None and trigger.start() in name_ends
        return text.startswith(self.frame.attributive_after, trigger.end()) or (
            not after_name and before.endswith(self.frame.attributive_before)
        )

    def bare_subject(self, text: str, entities: list[tuple[int, int, Mention]], lo: int, hi: int) -> bool:
        """True when text[lo:hi] leaves the clause without a subject of its own (…，向Y捐赠; …，并捐款), so
        the donor of an earlier clause carries over; 辖区企业纷纷捐赠 has its own, unnamed, subject."""
        cue = self.any_cue_re.search(text, lo, hi)
        end = cue.start() if cue else hi
        words = text[lo : self.trim_adverbs(text, lo, end)]
        while words and (self.subject_opener_re.match(words) or self.time_re.match(words).end()):
            opener = self.subject_opener_re.match(words)
            words = words[opener.end() if opener else self.time_re.match(words).end() :]
        if self.motion_re.match(words):  # 赴榕江县捐赠: the clause goes on from the giver of the one before
            return True
        if words.startswith(self.frame.unnamed_subjects):
            return False
        return len(words) <= self.frame.bare_subject_chars or bool(self.items(text, entities, lo, hi, loose=False))

    def trailing(self, text: str, lo: int, hi: int) -> str:
        return text[lo:hi].strip(" ,，。；;!?！？")

    def cue_attributes(self, text: str, entities: list[tuple[int, int, Mention]], lo: int, hi: int) -> dict[str, str]:
        """recipient (向/为/给 …) and channel (通过 …) written between the donor and the trigger."""
        attrs: dict[str, str] = {}
        cues = self.cues(text, entities, lo, hi)
        donor_ends = [e for s, e, m in entities if lo <= s and e <= hi and m.label in DONOR_LABELS]
        cues = [c for c in cues if any(e <= c.start() for e in donor_ends)] or cues
        for k, cue in enumerate(cues):
            end = cues[k + 1].start() if k + 1 < len(cues) else hi
            phrase = text[cue.end() : self.trim_adverbs(text, cue.end(), end)]
            if not phrase or len(phrase) > 30:
                continue
            role = "channel" if cue.group() in self.frame.channel_cues else "recipient"
            attrs.setdefault(role, phrase)
        return attrs

    def recipient_after(self, text: str, lo: int, hi: int) -> str | None:
        # 交给社区党委向区红十字捐款: the goods are passed on; the recipient is the one the last giving reaches
        onward = self.trigger_re.search(text, lo, hi)
        if onward:
            passed = [
                c for c in self.cue_re.finditer(text, lo, onward.start()) if c.group() in self.frame.recipient_cues
            ]
            lo, hi = (passed[-1].end(), onward.start()) if passed else (lo, hi)
        phrase = text[lo:hi]
        phrase = re.split(r"手中|手里|用于|用以|，|,", phrase)[0]
        phrase = phrase.removeprefix("了").removesuffix("的")
        return phrase if 0 < len(phrase) <= 30 else None

    def trim_adverbs(self, text: str, lo: int, hi: int) -> int:
        """``hi`` moved back over the adverbs that end text[lo:hi] (…无偿|捐赠)."""
        if self.adverb_end_re is None:
            return hi
        found = self.adverb_end_re.search(text, lo, hi)
        return found.start() if found else hi

    def items(
        self, text: str, entities: list[tuple[int, int, Mention]], lo: int, hi: int, *, loose: bool = True
    ) -> list[Item]:
        """The item list in text[lo:hi]. ``loose`` False (items before a trigger, or a clause of its own) needs
        every item to carry a quantity or value, so that a clause's ordinary words are not taken for goods."""
        lo = self.skip_openers(text, lo, hi)
        stop = self.stop_re.search(text, lo, hi)
        if stop and stop.group() in self.frame.item_cues:
            return []  # 捐赠款项将用于…: the phrase is the subject of another verb
        hi = stop.start() if stop else hi
        # 捐赠食品2761箱、共计捐赠价值40万元: another trigger ends the list (it opens a frame of its own); 价值N元的
        # 捐赠物资 only names the goods
        # (将党员捐款交给Y: a money trigger that ends the phrase is the goods' noun)
        another = next(
            (
                t
                for t in self.trigger_re.finditer(text, lo + 1, hi)
                if not self.attributive(text, t) and not (t.end() == hi and t.group() in self.frame.money_triggers)
            ),
            None,
        )
        hi = self.trim_adverbs(text, lo, another.start()) if another else hi
        entity_start = min(
            (s for s, e, m in entities if (lo <= s < hi or lo < e <= hi) and not self.brand(text, s, e, m, hi)),
            default=hi,
        )
        hi = min(hi, entity_start)
        while hi > lo and text[hi - 1] in " ,，、…“”":  # “某某捐20万元”、“…: quotes around a pledge
            hi -= 1
        items: list[Item] = []
        position = lo
        while position < hi:
            closer = self.closer_re.search(text, position, hi)
            separator = ITEM_SEPARATOR.search(text, position, hi)
            closes = bool(closer and (not separator or closer.start() < separator.start()))
            end = closer.start() if closes else separator.start() if separator else hi
            item = self.item(text, self.skip_openers(text, position, end), end)  # 消毒液和|一些|消毒粉
            if item is None or (not loose and not (item.value or item.quantity)):
                return items if loose else []
            items.append(item)
            if closes:  # 医用酒精等紧缺物资及2万元捐款: a list may go on after its 等…物资
                after = closer.end()
                # 口罩等应急物资(价值1万元)及生活物资: the bracketed value is the list's
                bracket = BRACKETED.match(text, after, hi)
                value = bracket and self.value_start_re.fullmatch(bracket.group(1))
                if value:
                    items[-1] = replace(items[-1], value=items[-1].value or value.group())
                    after = bracket.end()
                separator = ITEM_SEPARATOR.match(text, after, hi)
                if not separator:
                    break
            position = separator.end() if separator else hi
        # 救灾、防疫物资: a bare modifier sharing the next item's collective head is no item of its own
        items = [i for k, i in enumerate(items) if not (k + 1 < len(items) and self.modifier_of(i, items[k + 1]))]
        return self.values_to_goods(items)

    def skip_openers(self, text: str, lo: int, hi: int) -> int:
        """``lo`` moved past the words that open an item phrase (一批, 了, 这些 …), not past a measure."""
        while not self.measure_re.match(text, lo, hi):  # 共21500个 keeps its 共
            opener = self.opener_re.match(text, lo, hi)
            if not opener or opener.end() == lo:
                break
            lo = opener.end()
        return lo

    def values_to_goods(self, items: list[Item]) -> list[Item]:
        """价值30万元、共2100件食品: a value written alone before goods without one is theirs, not money; so is
        one written last after them (医用隔离衣1000套、价值约10万元)."""
        kept: list[Item] = []
        for k, item in enumerate(items):
            following = items[k + 1] if k + 1 < len(items) else None
            if not (item.money and item.value and self.value_word_re.match(item.text)):
                kept.append(item)
            elif following and not following.money and not following.value:
                items[k + 1] = replace(following, value=item.value)
            elif following is None and kept and not kept[-1].money and not kept[-1].value:
                kept[-1] = replace(kept[-1], value=item.value)
            else:
                kept.append(item)
        return kept

    def modifier_of(self, item: Item, after: Item) -> bool:
        return (
            len(item.text) <= 2
            and not (item.value or item.quantity or item.money)
            and item.text not in self.materials
            and after.text.endswith(self.frame.collective_heads)
            and len(after.text) > 2  # 防疫物资 has a modifier of its own; bare 物资 does not
        )

    def brand(self, text: str, start: int, end: int, mention: Mention, hi: int) -> bool:
        """An ORG written straight before a noun of the item (蒙牛常温奶4299件) names the goods' make, not a
        party to the gift, so it does not end the item list."""
        return (
            mention.label == "ORG"
            and end < hi
            and bool(NOUN.match(text, end))
            and not ITEM_SEPARATOR.match(text, end)
            and not self.stop_re.match(text, end)
            and not self.measure_re.match(text, end)
        )

    def item(self, text: str, lo: int, hi: int) -> Item | None:
        """One item phrase: its measures anywhere, the noun the last piece left (库存的1360只防护口罩 → 防护口罩)."""
        value = quantity = None
        pieces: list[tuple[int, int]] = []
        position = lo
        measured = 0
        noun_first = False
        for measure in self.measure_re.finditer(text, lo, hi):
            if noun_first and measure.start() > position:
                break
            measured += measure.end() - measure.start()
            pieces.append((position, measure.start()))
            # 口罩10000个|投入一线: a noun and then its measures end the item
            before = text[lo : measure.start()].strip()
            # (出资购买了|一批|口罩: a verb with 了 before the measure is no noun)
            noun_first = noun_first or (position == lo and bool(before) and not {"的", "了"} & set(before))
            position = measure.end()
            if measure.group("value"):
                value = value or measure.group()
            else:
                quantity = quantity or measure.group()
        if noun_first:
            hi = position
        pieces.append((position, hi))
        if hi - lo - measured > self.frame.item_chars:
            return None
        nouns = []
        for start, end in pieces:
            piece = text[start:end]
            if "的" in piece:
                start += piece.rindex("的") + 1
            if end > start:
                nouns.append((start, end))
        if not nouns:
            if value and not quantity:
                return Item(lo, hi, text[lo:hi], money=True, value=value)
            return None
        start, end = nouns[-1]
        while start < end and text[start] in QUOTES:  # “平安饼”: a product's name in quotes
            start += 1
        while end > start and text[end - 1] in QUOTES:
            end -= 1
        noun = text[start:end]
        if not NOUN.fullmatch(noun) or len(noun) > 12 or noun.endswith(self.frame.non_items) or noun.isdigit():
            return None
        figure = FIGURE.match(noun)
        if figure and figure.end() == len(noun):  # 捐赠20万支持校园重建: an amount with its 元 left out
            return Item(start, end, noun, money=True, value=noun)
        if figure and noun.endswith(self.frame.money_words):  # 10万现金: the amount, then its money word
            return Item(start + figure.end(), end, noun[figure.end() :], money=True, value=figure.group())
        if noun.endswith(self.frame.collective_heads) and noun.startswith("等"):
            return None
        said = next((w for w in self.frame.money_triggers if noun.endswith(w)), None)
        if said:  # 党员自发捐款: the money is named by its own word (SCHEMA.md: 捐款)
            return Item(end - len(said), end, said, money=True, value=value, quantity=quantity)
        money = noun.endswith(self.frame.money_words + self.frame.money_endings)
        return Item(start, end, noun, money=money, value=value, quantity=quantity)

    def name_money(self, item: Item, word: str, trigger: re.Match[str], document_text: str) -> Item:
        """A bare amount is given as the trigger's own money word (捐款1000元 → 捐款), else 捐款 or 现金."""
        if not item.money or item.text.endswith(self.frame.money_words):  # 善款, 教育资金: as written
            return item
        if item.text.endswith(self.frame.money_endings) and word in self.frame.money_triggers:
            return Item(trigger.start(), trigger.end(), word, money=True, value=item.value)
        if word in self.frame.money_triggers:
            return Item(trigger.start(), trigger.end(), word, money=True, value=item.value)
        said, default = self.frame.money_default
        return Item(item.start, item.end, said if said in document_text else default, money=True, value=item.value)

    def goods(self, text: str, items: list[Item], money: bool = True) -> bool:
        """The items of a weak trigger look like things given (see ``weak_triggers`` in frames.yaml); ``money``
        False when money alone is no gift (提供资金支持)."""
        closer = self.closer_re.match(text, items[-1].end)
        if closer and closer.end() > closer.start() + 1:
            return True  # 大米、食用油等生活物资
        if len(items) > 1 and items[0].value and not items[0].money:
            return True  # 价值5000元的米、面、油: the value before the list is the whole list's
        # one item of a list that looks like goods makes the list goods (消毒液和一些消毒粉: like joins like);
        # not after a trigger that is mostly no giving at all (组织, 提供: every item must look like goods)
        check = any if money else all
        return check(
            (money or not i.money)
            and bool(i.value or self.definite(i.quantity) or i.money or i.text.endswith(self.material_endings))
            or i.text.endswith(self.frame.collective_heads)
            for i in items
        )

    def definite(self, quantity: str | None) -> bool:
        return bool(quantity) and quantity not in self.frame.vague_quantities

    def listed_items(
        self, text: str, entities: list[tuple[int, int, Mention]], items: list[Item], hi: int
    ) -> tuple[list[Item], int]:
        """捐赠一批防疫物资，包括口罩500个、防护服100套: the goods listed, or goods in apposition (捐赠物资,近千斤
        辣椒), replace the collective word. Returns the items and where the clause they end in ends."""
        if not items or not items[-1].text.endswith(self.frame.collective_heads):
            return items, hi
        rest = hi + 1 if hi < len(text) and CLAUSE_END.match(text, hi) else hi
        # 组织防疫物资16吨,总价值近百万元,其中包括…: goods valued in a clause of their own are a gift stated in
        # full, kept beside the goods listed after; 送去慰问物资,包括… names its goods in the same phrase
        valued = bool(self.value_start_re.match(text, rest))
        if valued:
            rest = next_clause_end(text, rest - 1) + 1
        listing = self.listing_re.match(text, rest)
        if listing is None:  # 捐赠价值3万元的物资,近千斤新上市的有机辣椒: measured goods in apposition
            end = next_clause_end(text, rest - 1)
            listed = [i for i in self.items(text, entities, rest, end, loose=False) if not i.money]
            if len(listed) == 1 and not listed[0].value:
                only = listed[0]
                listed = [Item(only.start, only.end, only.text, value=items[-1].value, quantity=only.quantity)]
            kept = items[:-1]
        else:
            end = next_clause_end(text, listing.end() - 1)
            listed = self.items(text, entities, listing.end(), end)
            kept = items if valued else items[:-1]
        return ([*kept, *listed], end) if listed else (items, hi)

    def following_items(
        self, text: str, entities: list[tuple[int, int, Mention]], items: list[Item], hi: int
    ) -> list[Item]:
        """捐赠口罩10000个,手套5000双: clauses after a measured item that are only measured goods go on its list."""
        found: list[Item] = []
        while items[-1].quantity and hi < len(text) and text[hi] in ",，;；、":
            end = next_clause_end(text, hi)
            if self.trigger_re.search(text, hi + 1, end):
                break
            more = self.items(text, entities, hi + 1, end, loose=False)
            if not more or not all(i.quantity and not i.money for i in more):
                break
            found += more
            hi = end
        return found

    def attach_trailing_value(self, text: str, items: list[Item], hi: int) -> None:
        """X捐赠A N箱，价值N元: a value opening the next clause belongs to the last item."""
        rest = text[hi:].lstrip(",，")
        value = self.value_start_re.match(rest)
        if value and items and not items[-1].value:
            last = items[-1]
            items[-1] = Item(last.start, last.end, last.text, last.money, value.group(), last.quantity)


def clauses(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in CLAUSE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if b > a]


def next_clause_end(text: str, hi: int) -> int:
    """The end of the clause after the one ending at ``hi`` (…捐款,因年龄原因被婉拒: the refusal follows)."""
    following = CLAUSE_END.search(text, hi + 1)
    return following.start() if following else len(text)


def inside(position: int, entities: list[tuple[int, int, Mention]]) -> bool:
    return any(s <= position < e for s, e, _ in entities)
