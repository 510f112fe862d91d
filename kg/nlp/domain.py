"""The domain layer: news-specific entity rules on top of whichever statistical pipeline runs.

The 1998 training corpus flattened compound organisation names, and any pretrained pipeline misses modern
local bodies (…党工委, …社区站党总支), so this component adds, from data under ``kg/data``:
- organisations by suffix grammar (a known ending, grown leftwards over name-like tokens);
- places by suffix (…街道, …社区 → GPE; …小区, …产业园 → LOC) and by a list of known places;
- persons anchored by titles, bylines, photo credits and anonymised names (entity_patterns.yaml).
Rule spans win over the statistical model where they overlap; token boundaries are split where a rule
span starts or ends inside a token, so the spans work with any segmenter.
"""

from __future__ import annotations

import re
import shutil
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Token
from spacy.util import filter_spans

from kg.lexicon import CJK, DATA_DIR, GRAMMAR_FILE, Lexicon, alternation, load_lexicon, read_yaml
from kg.types import GENERIC_ORG, TITLE_REFERENCE

LABELS = ("PERSON", "ORG", "GPE", "LOC")
# Labels of OntoNotes-trained pipelines (zh_core_web_*) mapped onto SCHEMA.md's.
MODEL_LABELS = {"PERSON": "PERSON", "PER": "PERSON", "ORG": "ORG", "GPE": "GPE", "LOC": "LOC", "FAC": "LOC"}
MAX_NAME_PREFIX = 20
NON_SPACE = re.compile(r"[^ \t\u3000]+")
COUNT = re.compile(r"[0-9一二三四五六七八九十百千两几多]+(?:个|家|所|名|支|箱|批|车|辆|件|袋|台)")


@dataclass(frozen=True)
class RuleSpan:
    start: int
    end: int
    label: str
    rule: str


@dataclass(frozen=True)
class EntityPattern:
    id: str
    label: str
    regex: re.Pattern[str]
    listed: bool = False  # the group `ent` is a list of names apart by spaces, each an entity


def load_entity_patterns(path: Path, lexicon: Lexicon) -> list[EntityPattern]:
    data = read_yaml(path)
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of patterns")
    placeholders = lexicon.placeholders()
    patterns = []
    for item in data:
        try:
            source = re.sub(r"\{([A-Z_]+)\}", lambda m: placeholders[m.group(1)], item["regex"])
            listed = bool(item.get("list", False))
            patterns.append(EntityPattern(item["id"], item["label"], re.compile(source, re.MULTILINE), listed))
        except (KeyError, TypeError, re.error) as err:
            raise ValueError(f"{path}: bad pattern {item!r}: {err}") from err
    return patterns


class DomainEntities:
    """spaCy component ``kg_domain``: see the module docstring."""

    def __init__(self, directory: Path = DATA_DIR):
        self.load(directory)

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        target = Path(path)
        target.mkdir(parents=True, exist_ok=True)
        for name in DATA_FILES:
            shutil.copyfile(self.directory / name, target / name)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> DomainEntities:
        self.load(Path(path))
        return self

    def load(self, directory: Path) -> None:
        """Read the word lists and patterns from ``directory`` and compile them once."""
        self.directory = directory
        lexicon = self.lexicon = load_lexicon(directory)
        self.patterns = load_entity_patterns(directory / "entity_patterns.yaml", lexicon)
        self.org_suffix_re = re.compile(alternation(lexicon.org_suffixes))
        self.zone_words = lexicon.zone_words
        self.two_char_leads = [w for w in lexicon.leading_non_name_words if len(w) == 2]
        # the longest leading word at a position, in one regex step instead of a test per word
        self.leading_re = re.compile(alternation(lexicon.leading_non_name_words) or "(?!)")
        self.zone_re = re.compile(alternation(lexicon.zone_words))
        self.run_on_re = re.compile(
            f"(?:{alternation(lexicon.org_suffixes)})(?:{alternation(lexicon.cues_after_bodies)})"
        )
        self.standalone_org_re = re.compile(alternation(lexicon.standalone_orgs))
        # items、items等[count][家][qualifier]企业: the items are the text between 、 up to 等
        self.enumeration_re = re.compile(
            r"((?:[^，。；;,、\s]{2,12}、)*[^，。；;,、\s]{2,12})等[0-9一二三四五六七八九十百余多]*[家个]?"
            f"[^，。；;,、]{{0,4}}(?:{alternation(lexicon.enumeration_org_heads)})"
        )
        # ending → (blocker, offset of the ending inside it): 厅 in 大厅 at 1, 局 in 局面 at 0
        self.blockers: dict[str, list[tuple[str, int]]] = {}
        for blocker in sorted(lexicon.suffix_blockers):
            for ending in lexicon.org_suffixes:
                if ending in blocker:
                    self.blockers.setdefault(ending, []).append((blocker, blocker.index(ending)))
        # 某某网某市8月11日讯: a place and a date may stand between the outlet and its cue
        self.media_cue_after_re = re.compile(
            f"(?:[{CJK}]{{0,4}}[0-9]{{1,2}}月[0-9]{{1,2}}日)?(?:{alternation(lexicon.media_cues_after)})"
        )
        self.bracketed_company_re = re.compile(
            f"[(（]([{CJK}]{{2,4}})[)）][{CJK}]{{0,12}}?(?:{alternation(lexicon.company_endings)})"
        )
        self.bracketed_word_re = re.compile(f"[(（]([{CJK}]{{2,4}})[)）]")
        self.media_cue_before_re = re.compile(f"(?:{alternation(lexicon.media_cues_before)})[\\s:：《]*$")

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text  # Doc.text joins the whole doc on each access: read it once
        model_spans = [
            self.relabelled(
                self.trimmed(RuleSpan(ent.start_char, ent.end_char, MODEL_LABELS[ent.label_], "ner"), text), text
            )
            for ent in doc.ents
            # the model also tags kinds of places (辖区, 卡点) and stray symbols (## of a Markdown heading)
            if ent.label_ in MODEL_LABELS
            and any(is_cjk_word(ch) for ch in ent.text)
            and not self.lexicon.is_generic_place(ent.text)
            and not (MODEL_LABELS[ent.label_] == "ORG" and self.lexicon.is_generic_org(ent.text))  # 社区|党群
            and len(ent.text) > 1  # one character is an abbreviation (在闽, 晋), no name (GUIDELINES)
            and ent.text not in self.lexicon.not_places  # common words that are also place names (安康)
            and ent.text not in self.lexicon.not_names
            and not (MODEL_LABELS[ent.label_] == "PERSON" and self.lexicon.is_form_of_address(ent.text))
            and not COUNT.fullmatch(ent.text)  # 3600个: a count the model took for a name
        ]
        rule_spans = filter_spans_chars(self.find(doc, text) + list(self.bracketed_companies(model_spans, text)))
        covered = {i for r in rule_spans for i in range(r.start, r.end)}
        kept = rule_spans + [m for m in model_spans if covered.isdisjoint(range(m.start, m.end))]
        kept = self.join_place_prefixes(sorted(kept, key=lambda span: span.start))
        doc = split_tokens_at(doc, {b for s in kept for b in (s.start, s.end)})
        spans = [doc.char_span(s.start, s.end, label=s.label, span_id=s.rule) for s in kept]
        doc.ents = filter_spans([s for s in spans if s is not None])
        return doc

    @staticmethod
    def join_place_prefixes(spans: list[RuleSpan]) -> list[RuleSpan]:
        """A place written right before an organisation is part of its name (SCHEMA: one span with its place
        prefix): <province><brand> is one ORG. Read right to left, so a chain of places joins too."""
        joined: list[RuleSpan] = []
        for span in reversed(spans):
            after = joined[-1] if joined else None
            if after and after.label == "ORG" and span.label == "GPE" and span.end == after.start:
                joined[-1] = RuleSpan(span.start, after.end, "ORG", after.rule)
            else:
                joined.append(span)
        return joined[::-1]

    def bracketed_companies(self, model_spans: list[RuleSpan], text: str) -> Iterable[RuleSpan]:
        """某某(上海)贸易有限公司, 某某（中国）有限公司: a name the model tagged, a bracketed place and the rest of a
        company's name are one ORG, whatever the segmenter made of the brackets (LAC glues ``)`` to a word)."""
        for span in model_spans:
            match = self.bracketed_company_re.match(text, span.end)
            place = match.group(1) if match else ""
            if match and self.is_bracketed_name_word(place):
                yield RuleSpan(span.start, match.end(), "ORG", "bracketed_company")

    def find(self, doc: Doc, text: str) -> list[RuleSpan]:
        persons = filter_spans_chars(list(self.find_patterns(text)))
        # A name never grows over a person the patterns found (党员赵某驾驶… is no place name).
        blocked = {i for span in persons for i in range(span.start, span.end)}
        found = list(persons)
        for match in self.org_suffix_re.finditer(text):
            if self.blocked_ending(text, match):
                continue
            start = self.grow_left(doc, match.start(), blocked)
            # 消防, 电力 … name a body only after a place (a province's fire service): 山西消防, not 出动消防
            if (
                match.group() in self.lexicon.sector_suffixes
                and text[start : match.start()] not in self.lexicon.place_names
            ):
                continue
            # 网, 晚报 … name a news outlet only where the text cites it (某某网讯, 来源：某某网, 某某网记者)
            if match.group() in self.lexicon.media_suffixes and not self.cites_media(text, start, match.end()):
                continue
            min_prefix = self.lexicon.short_org_suffix_min_prefix if len(match.group()) == 1 else 1
            prefix = text[start : match.start()]
            if len(prefix) < min_prefix or COUNT.match(prefix):  # 10个街道党工委: a count of bodies, no name
                continue
            if not self.lexicon.is_generic_org(prefix):
                found.append(RuleSpan(start, match.end(), "ORG", "org_suffix"))
            elif prefix in self.lexicon.generic_places:
                # 社区党支部: no name of its own, yet a body resolution can pin to the place written before it.
                found.append(RuleSpan(start, match.end(), "ORG", GENERIC_ORG))
        found.extend(self.find_enumerated_orgs(doc, text, blocked))
        for match in self.standalone_org_re.finditer(text):
            found.append(RuleSpan(match.start(), match.end(), "ORG", "standalone_org"))
        found.extend(self.find_places(doc, text, blocked))
        return found

    def relabelled(self, span: RuleSpan, text: str) -> RuleSpan:
        """A model's place takes the label its ending gives (…河, …小区 → LOC; LAC tags every place LOC)."""
        name = text[span.start : span.end]
        places = self.lexicon.place_names
        # a county written without its ending (博山 for 博山区) is an area whatever it ends with
        if span.label != "GPE" or name in places or any(name + e in places for e in self.lexicon.county_endings):
            return span
        ending = next((e for e in self.lexicon.place_suffixes if name.endswith(e) and e != name), None)
        if ending in self.lexicon.loc_suffixes or (ending is None and name.endswith(self.lexicon.feature_endings)):
            return replace(span, label="LOC")
        return span

    def trimmed(self, span: RuleSpan, text: str) -> RuleSpan:
        """A model's span without a determiner or verb in front (该县人民医院, 一名…学院) and, for a person, without
        the first character of the verb after it (张三介|绍 → 张三)."""
        start, end = span.start, span.end
        lead = self.leading_re.match(text, start, end - 1)
        if lead and span.label != "PERSON":
            start = lead.end()
        if span.label == "PERSON" and end - start > 2 and text[end - 1 : end + 1] in self.lexicon.verbs_after_names:
            end -= 1
        return RuleSpan(start, end, span.label, span.rule)

    def blocked_ending(self, text: str, match: re.Match[str]) -> bool:
        """The ending lies inside a word in which it is no ending (局面, 大厅, 厂房)."""
        return any(
            offset <= match.start() and text.startswith(blocker, match.start() - offset)
            for blocker, offset in self.blockers.get(match.group(), ())
        )

    def cites_media(self, text: str, start: int, end: int) -> bool:
        return bool(self.media_cue_after_re.match(text, end)) or bool(
            self.media_cue_before_re.search(text, max(0, start - 8), start)
        )

    def find_enumerated_orgs(self, doc: Doc, text: str, blocked: set[int]) -> Iterable[RuleSpan]:
        for match in self.enumeration_re.finditer(text):
            item_start = match.start(1)
            for item in match.group(1).split("、"):
                item_end = item_start + len(item)
                # the first item may carry the clause's verb (保障<city><brand>): keep only its name-like tail, which
                # includes a place the NER found in it (a brand the tagger reads as a verb)
                item_tokens = doc.char_span(item_start, item_end, alignment_mode="expand") or ()
                places = [t.idx for t in item_tokens if t.idx >= item_start and t.ent_type_ in ("GPE", "LOC")]
                start = max(item_start, min([self.grow_left(doc, item_end, blocked), *places]))
                name = text[start:item_end]
                if len(name) >= 2 and not self.lexicon.is_generic_org(name) and not self.lexicon.is_generic_place(name):
                    yield RuleSpan(start, item_end, "ORG", "enumerated_org")
                item_start = item_end + 1

    def find_patterns(self, text: str) -> Iterable[RuleSpan]:
        for pattern in self.patterns:
            for match in pattern.regex.finditer(text):
                start, end = match.span("ent")
                pieces = NON_SPACE.finditer(text, start, end) if pattern.listed else [match]
                for piece in pieces:
                    start = piece.start("ent") if piece is match else piece.start()
                    written = piece.group("ent") if piece is match else piece.group()
                    keep_as_written = (
                        pattern.label != "PERSON" or written.endswith("某") or pattern.id == TITLE_REFERENCE
                    )
                    name = written if keep_as_written else self.lexicon.trim_name(written)
                    if name:
                        yield self.trimmed(RuleSpan(start, start + len(name), pattern.label, pattern.id), text)

    def find_places(self, doc: Doc, text: str, blocked: set[int]) -> Iterable[RuleSpan]:
        for start, end in self.lexicon.place_names.finditer(text):
            tokens = doc.char_span(start, end, alignment_mode="expand") or ()
            # a place name inside a person the model found is part of the name (李长春), and one that starts
            # inside a word tagged as no name is a piece of that word (复合肥 holds 合肥)
            inside_word = (
                bool(tokens)
                and tokens[0].idx < start
                and tokens[0].tag_ not in self.lexicon.proper_name_tags
                and text[tokens[0].idx : start] not in self.lexicon.glued_place_prefixes  # 奋进新|鹰城
            )
            if not inside_word and not any(t.ent_type_ == "PERSON" for t in tokens):
                yield RuleSpan(start, end, "GPE", "division_list")
        for match in self.zone_re.finditer(text):
            start = self.grow_left(doc, match.start(), blocked)
            yield RuleSpan(start, match.end(), "GPE", "zone")
        for token in doc:
            end = token.idx + len(token.text)
            # the ending may span tokens (X站中路: X|站|中|路, the 中 of 中路 no name part on its own)
            suffix = self.lexicon.place_suffix_set.longest_before(text, end)
            if suffix is None or not is_cjk_word(token.text):
                continue
            # a zone's full name holds its city (<city>高新区, GUIDELINES): the city does not stop it
            start = self.grow_left(doc, end - len(suffix), blocked, one_place=True, zone=suffix in self.zone_words)
            name = text[start:end]
            common = name in self.lexicon.not_places  # 冰镇: a word, no town
            if start < end - len(suffix) and not common and not self.lexicon.is_generic_place(name):
                label = "GPE" if suffix in self.lexicon.gpe_suffixes else "LOC"
                yield RuleSpan(start, end, label, "place_suffix")

    def grow_left(
        self, doc: Doc, position: int, blocked: set[int], *, one_place: bool = False, zone: bool = False
    ) -> int:
        """Start of the name whose ending begins at ``position``: grow over name-like tokens.

        With ``one_place`` the growth stops at a token that ends a place of its own, since a chain of places
        is several names (X开发区 | Y小区) while a body absorbs its places (X区Y街道党工委).
        """
        start = position
        rest = ""  # doc.text[start:position], kept from the tokens: Doc.text joins the whole doc on each access
        for token in reversed(doc[: token_index_before(doc, position) + 1]):
            piece = token.text[: position - token.idx]
            too_far = position - token.idx > MAX_NAME_PREFIX
            # A place stem glued to its ending in one token (落实镇, 确保区): the tag describes the whole
            # unknown word, so only the NER or a proper-name tag (an X村 tagged ns) makes the stem a name.
            if one_place and len(piece) < len(token.text):
                name_part = token.ent_type_ in ("GPE", "LOC", "ORG") or token.tag_ in self.lexicon.proper_name_tags
            else:
                name_part = (
                    self.is_name_part(token, piece)
                    or (not one_place and self.is_clause_initial_stem(doc, token, piece, rest))
                    or (one_place and self.is_place_infix(doc, token, piece))
                )
            if too_far or not name_part or blocked.intersection(range(token.idx, start)):
                break
            run_ons = [m.end() for m in self.run_on_re.finditer(piece)]  # a body and a cue inside one token
            if run_ons:
                return token.idx + run_ons[-1]
            # a place of its own stops a place chain: by its ending, or as a name of the division list (广东|深圳市)
            lexicon = self.lexicon
            ends_place = piece.endswith(lexicon.place_suffixes) or (not zone and piece in lexicon.place_names)
            if one_place and ends_place and len(piece) > 1:
                break
            # a token that opens with a determiner or verb (该县人民|医院): the name starts after it
            lead = self.leading_re.match(piece, 0, len(piece) - 1)  # shorter than the piece itself
            if lead:
                return token.idx + lead.end()
            start = token.idx
            rest = (token.text_with_ws + rest)[: position - start]
        # a determiner the segmenter cut in two (该|县人民医院): its second half is no part of the name
        before = doc[token_index_before(doc, start)] if start > 0 else None
        if before is not None and any(
            before.text.endswith(w[:1]) and rest.startswith(w[1:]) for w in self.two_char_leads
        ):
            start += 1
        return start

    def is_name_part(self, token: Token, piece: str) -> bool:
        if piece in self.lexicon.name_part_words:
            return True
        # a bracketed place or group word inside one token of a company's name (某某(集团)有限公司) is part of it
        unbracketed = self.bracketed_word_re.sub(
            lambda m: m.group(1) if self.is_bracketed_name_word(m.group(1)) else m.group(), piece
        )
        if piece in self.lexicon.name_stop_words or not is_cjk_word(unbracketed):
            return False
        if token.ent_type_ in ("GPE", "LOC", "ORG"):
            return True
        return not token.tag_ or token.tag_ in self.lexicon.name_part_tags

    def is_bracketed_name_word(self, word: str) -> bool:
        return word in self.lexicon.place_names or word in self.lexicon.bracketed_name_words

    def is_place_infix(self, doc: Doc, token: Token, piece: str) -> bool:
        """和 inside a place name (X和小区): the word before it is an unknown name stem, not a place,
        an entity or a generic word, so 和 joins no two things there. A measure word after a number is a
        numbered compound's stem (a numbered 家属院: 66 + a measure word)."""
        if token.i == 0:
            return False
        before = doc[token.i - 1]
        lexicon = self.lexicon
        if token.tag_ in lexicon.measure_tags and before.tag_ in lexicon.number_tags and before.text.isdigit():
            return piece not in self.lexicon.name_stop_words and not set(piece) & self.lexicon.name_stop_chars
        after = doc[token.i + 1] if token.i + 1 < len(doc) else None
        # 中央和省: 和 before a one-character ending joins two things
        if piece not in self.lexicon.place_name_infixes or after is None or len(after.text) < 2:
            return False
        return (
            len(before.text) >= 2
            and not before.ent_type_
            and self.is_name_part(before, before.text)
            and not self.lexicon.is_generic_place(before.text)
            and not self.lexicon.is_generic_org(before.text)
            and not before.text.endswith(self.lexicon.place_suffixes)
        )

    def is_clause_initial_stem(self, doc: Doc, token: Token, piece: str, rest: str) -> bool:
        """A clause-initial word the tagger calls a verb, in front of a name, is mostly an unknown name stem
        (，<brand>党支部 / ，<brand>集团) — unless only generic words follow it (，明确领导小组, ，提升防控指挥部)
        or it is a known action verb (，慰问…)."""
        clause_start = token.i == 0 or doc[token.i - 1].is_punct
        # a body's name opens with its place, so a verb right before a place is a verb (，建立X区…指挥部)
        before_place = token.i + 1 < len(doc) and (
            doc[token.i + 1].ent_type_ in ("GPE", "LOC") or self.zone_re.match(doc[token.i + 1].text)
        )
        return (
            clause_start
            and not before_place
            and bool(rest)
            and not self.lexicon.is_generic_org(rest)
            and token.tag_ in self.lexicon.verb_tags
            and len(piece) >= 2
            and is_cjk_word(piece)
            and piece not in self.lexicon.action_verbs
            and piece not in self.lexicon.name_stop_words
        )


def is_cjk_word(text: str) -> bool:
    return bool(text) and all("\u4e00" <= ch <= "\u9fff" or ch.isalnum() for ch in text)


def token_index_before(doc: Doc, position: int) -> int:
    """Index of the token holding the character just before ``position`` (-1 at the start): the last token
    starting before it, found by bisection (called once per name ending)."""
    low, high = 0, len(doc)
    while low < high:
        middle = (low + high) // 2
        if doc[middle].idx < position:
            low = middle + 1
        else:
            high = middle
    return low - 1


def overlaps(a: RuleSpan, b: RuleSpan) -> bool:
    return a.start < b.end and b.start < a.end


def filter_spans_chars(spans: list[RuleSpan]) -> list[RuleSpan]:
    """Resolve overlaps: persons first, then the name that runs further right, then the longer one.

    A Chinese name grows leftwards from its ending, so of two overlapping names the one that goes on past the
    other's end is the fuller name (X大学里小区 over …X大学; X社区站党总支 over X社区).
    """
    kept: list[RuleSpan] = []
    ranked = sorted(spans, key=lambda s: (s.label != "PERSON", -s.end, -(s.end - s.start), s.start))
    for span in ranked:
        if not any(overlaps(span, k) for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def split_tokens_at(doc: Doc, boundaries: set[int]) -> Doc:
    """Split tokens so that each boundary (a character offset) falls between two tokens."""
    ordered = sorted(boundaries)
    with doc.retokenize() as retokenizer:
        for token in doc:
            inside = ordered[bisect_right(ordered, token.idx) : bisect_left(ordered, token.idx + len(token.text))]
            cuts = [b - token.idx for b in inside]
            if not cuts:
                continue
            edges = [0, *cuts, len(token.text)]
            orths = [token.text[a:b] for a, b in zip(edges, edges[1:], strict=False)]
            heads = [(token, 0)] * len(orths)
            retokenizer.split(token, orths, heads=heads, attrs={"TAG": [token.tag_] * len(orths)})
    return doc


# The files the component reads; they are saved with the pipeline (nlp.to_disk) and read back from there.
DATA_FILES = ("lexicon.yaml", GRAMMAR_FILE, "entity_patterns.yaml", "surnames.txt", "aliases.yaml")


@Language.factory(
    "kg_domain",
    default_config={"data_dir": None},
    requires=["token.tag"],
    assigns=["doc.ents", "token.ent_type", "token.ent_iob"],
    retokenizes=True,
)
def make_domain_entities(nlp: Language, name: str, data_dir: str | None) -> DomainEntities:
    return DomainEntities(Path(data_dir) if data_dir else DATA_DIR)
