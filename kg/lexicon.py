"""The word lists and patterns kg reads from data files under ``kg/data`` (or a user's own files)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import cache, cached_property
from pathlib import Path

import yaml

from kg.divisions import load_divisions

DATA_DIR = Path(__file__).parent / "data"
CJK = "\u4e00-\u9fff"
GRAMMAR_FILE = "name_grammar.tsv"
GRAMMAR_ROLES = ("ending", "standalone", "generic", "place_prefix", "place_modifier", "zone_prefix", "not_place")
GRAMMAR_LABELS = ("ORG", "GPE", "LOC")


def read_yaml(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as err:
        raise ValueError(f"{path}: cannot read rules/lexicon file: {err}") from err


def longest_first(words: Iterable[str]) -> tuple[str, ...]:
    """Distinct words, longer ones first (then in code-point order, so the result never depends on set order)."""
    return tuple(sorted(set(words), key=lambda w: (-len(w), w)))


def alternation(words: Iterable[str]) -> str:
    """A regex alternation that tries longer words first, so 副书记 wins over 书记."""
    return "|".join(map(re.escape, longest_first(words)))


def made_of(text: str, words: tuple[str, ...]) -> bool:
    """True when ``text`` is a sequence of ``words`` (longest first), read from its end."""
    while text:
        word = next((w for w in words if text.endswith(w)), None)
        if word is None:
            return False
        text = text[: -len(word)]
    return True


class PhraseSet:
    """Longest-match lookup of many fixed words (tens of thousands of place names): a set probed at each
    position for each length a word has, so a scan is linear in the text, which a regex alternation is not."""

    def __init__(self, words: Iterable[str]):
        self.words = frozenset(w for w in words if w)
        # lengths of the words starting with each character, longest first: most characters start none
        lengths: dict[str, set[int]] = {}
        for word in self.words:
            lengths.setdefault(word[0], set()).add(len(word))
        self.lengths = {ch: sorted(ls, reverse=True) for ch, ls in lengths.items()}

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def __len__(self) -> int:
        return len(self.words)

    def longest_at(self, text: str, position: int = 0) -> str | None:
        for length in self.lengths.get(text[position : position + 1], ()):
            piece = text[position : position + length]
            if len(piece) == length and piece in self.words:
                return piece
        return None

    @cached_property
    def _ending_lengths(self) -> dict[str, list[int]]:
        lengths: dict[str, set[int]] = {}
        for word in self.words:
            lengths.setdefault(word[-1], set()).add(len(word))
        return {ch: sorted(ls, reverse=True) for ch, ls in lengths.items()}

    def longest_before(self, text: str, end: int) -> str | None:
        """The longest word that ends at ``end`` of ``text``."""
        for length in self._ending_lengths.get(text[end - 1 : end] if end > 0 else "", ()):
            if length <= end and text[end - length : end] in self.words:
                return text[end - length : end]
        return None

    def finditer(self, text: str) -> Iterable[tuple[int, int]]:
        """(start, end) of leftmost-longest, non-overlapping occurrences."""
        position = 0
        while position < len(text):
            word = self.longest_at(text, position)
            if word is None:
                position += 1
            else:
                yield position, position + len(word)
                position += len(word)


@dataclass(frozen=True)
class GrammarEntry:
    word: str
    role: str
    label: str
    flags: frozenset[str]

    @property
    def level(self) -> str | None:
        return next((f.split("=", 1)[1] for f in self.flags if f.startswith("level=")), None)


def read_grammar(path: Path) -> list[GrammarEntry]:
    """The name grammar table (see the header of ``kg/data/name_grammar.tsv``)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: cannot read the name grammar: {err}") from err
    entries = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) < 3 or cells[1] not in GRAMMAR_ROLES or cells[2] not in GRAMMAR_LABELS:
            raise ValueError(
                f"{path}:{number}: expected word<TAB>role<TAB>label[<TAB>flags] with role one of "
                f"{', '.join(GRAMMAR_ROLES)} and label one of {', '.join(GRAMMAR_LABELS)}: {line!r}"
            )
        flags = frozenset(f.strip() for f in (cells[3] if len(cells) > 3 else "").split(",") if f.strip())
        entries.append(GrammarEntry(cells[0].strip(), cells[1], cells[2], flags))
    return entries


def _select(entries: list[GrammarEntry], role: str, labels: tuple[str, ...], flag: str | None = None) -> frozenset[str]:
    return frozenset(e.word for e in entries if e.role == role and e.label in labels and (not flag or flag in e.flags))


@dataclass(frozen=True)
class Lexicon:
    titles: frozenset[str]
    post_titles: frozenset[str]
    address_words: frozenset[str]
    joining_surnames: frozenset[str]
    org_suffixes: frozenset[str]
    standalone_orgs: frozenset[str]
    party_suffixes: frozenset[str]
    generic_org_words: frozenset[str]
    suffix_blockers: frozenset[str]
    located_org_suffixes: frozenset[str]
    short_org_suffix_min_prefix: int
    gpe_suffixes: frozenset[str]
    loc_suffixes: frozenset[str]
    generic_places: frozenset[str]
    enumeration_org_heads: frozenset[str]
    generic_place_prefixes: frozenset[str]
    place_name_infixes: frozenset[str]
    zone_words: frozenset[str]
    zone_short_prefixes: frozenset[str]
    media_suffixes: frozenset[str]
    outlet_suffixes: frozenset[str]
    sector_suffixes: frozenset[str]
    place_modifiers: frozenset[str]
    not_places: frozenset[str]
    verbs_after_names: frozenset[str]
    not_names: frozenset[str]
    glued_place_prefixes: frozenset[str]
    company_endings: frozenset[str]
    bracketed_name_words: frozenset[str]
    feature_endings_words: frozenset[str]
    media_cues_after: frozenset[str]
    media_cues_before: frozenset[str]
    zone_bodies: frozenset[str]
    place_names: PhraseSet  # the national division list (full names, short forms of provinces/prefectures)
    city_names: PhraseSet  # provinces and prefectures: the places that own development zones
    place_levels: dict[str, str]  # place ending → administrative level (街道 → township)
    name_stop_words: frozenset[str]
    cues_after_bodies: frozenset[str]
    name_part_tags: frozenset[str]
    proper_name_tags: frozenset[str]
    verb_tags: frozenset[str]
    number_tags: frozenset[str]
    measure_tags: frozenset[str]
    name_part_words: frozenset[str]
    name_stop_chars: frozenset[str]
    materials: frozenset[str]
    action_verbs: frozenset[str]
    groups: frozenset[str]
    surnames: tuple[str, ...]
    aliases: dict[str, str] = field(default_factory=dict)

    def placeholders(self) -> dict[str, str]:
        """Regex fragments that pattern files may use as {NAME}, {TITLE} …"""
        surname = f"(?:{alternation(self.surnames)})"
        return {
            "SURNAME": surname,
            "NAME": f"{surname}[{CJK}]{{1,2}}",
            "TITLE": f"(?:{alternation(self.titles)})",
            "POST_TITLE": f"(?:{alternation(self.post_titles)})",
            "MONEY": r"(?:价值|近|约|共计|共|合计|总计|累计)?[0-9０-９.．,，]+(?:万|亿|千)?余?元",
            "QUANTITY": (
                r"(?:近|约|共计|共|合计|总计|累计)?[0-9０-９.．]+(?:万|亿|千)?余?"
                r"(?:公斤|千克|吨|斤|箱|件|套|个|只|瓶|桶|袋|盒|份|副|台|支|包|双|顶|床)"
            ),
        }

    # Sorted and compiled once per lexicon: these are asked for every mention.
    @cached_property
    def place_suffixes(self) -> tuple[str, ...]:
        return longest_first(self.gpe_suffixes | self.loc_suffixes)

    @cached_property
    def place_suffix_set(self) -> PhraseSet:
        """The place endings, to find the longest one at a position without trying each."""
        return PhraseSet(self.place_suffixes)

    @cached_property
    def name_endings(self) -> tuple[tuple[str, str], ...]:
        """(ending, label) for every place and organisation ending, longer endings first."""
        label = {
            **dict.fromkeys(self.org_suffixes, "ORG"),
            **dict.fromkeys(self.loc_suffixes, "LOC"),
            **dict.fromkeys(self.gpe_suffixes, "GPE"),
        }
        return tuple((ending, label[ending]) for ending in longest_first(label))

    @cached_property
    def _generic_org_words(self) -> tuple[str, ...]:
        return longest_first(self.generic_org_words)

    @cached_property
    def _generic_place_prefix_re(self) -> re.Pattern[str]:
        return re.compile(f"^(?:{alternation(self.generic_place_prefixes)})")

    @cached_property
    def _surnames(self) -> tuple[str, ...]:
        return longest_first(self.surnames)

    def is_generic_org(self, prefix: str) -> bool:
        """True when the part of an organisation name before its ending only describes a kind of body."""
        uncounted = re.sub(r"^[0-9一二三四五六七八九十百千两几多]+(?:个|支|家|名)?", "", prefix)
        return made_of(uncounted, self._generic_org_words)

    @cached_property
    def county_endings(self) -> tuple[str, ...]:
        return longest_first(e for e, level in self.place_levels.items() if level == "county" and len(e) == 1)

    @cached_property
    def feature_endings(self) -> tuple[str, ...]:
        return longest_first(self.feature_endings_words)

    @cached_property
    def leading_non_name_words(self) -> tuple[str, ...]:
        """Words a name never starts with (该县, 一名, 单位), longest first."""
        return longest_first(w for w in self.name_stop_words if len(w) > 1)

    @cached_property
    def _org_ending_re(self) -> re.Pattern[str]:
        return re.compile(f"(?:{alternation(self.org_suffixes)})$")

    def generic_body_place(self, name: str) -> str:
        """The generic place word a body is named by alone (社区党支部 → 社区, 村党支部 → 村), else ""."""
        ending = self._org_ending_re.search(name)
        place = name[: ending.start()] if ending else ""
        return place if place in self.generic_places else ""

    @cached_property
    def _place_modifiers(self) -> tuple[str, ...]:
        return longest_first(self.place_modifiers)

    def is_generic_place(self, name: str) -> bool:
        """True for a word that names a kind of place, not a place (辖区, 全区城乡, 农贸市场), also after a
        count and words that only describe the kind (2个小区, 100个开放小区, 老旧住宅小区)."""
        rest = self._generic_place_prefix_re.sub("", name)
        if name in self.generic_places or rest in self.generic_places:
            return True
        counted = re.sub(r"^[0-9一二三四五六七八九十百千两几多余]+(?:个|处|座|栋|家|条|位|名)?", "", rest)
        if counted != rest and counted in self.generic_places:
            return True
        ending = self.place_suffix_set.longest_before(counted, len(counted))
        if ending is None:
            return False
        stem = counted[: -len(ending)]
        return counted != rest if not stem else made_of(stem, self._place_modifiers)

    def is_form_of_address(self, name: str) -> bool:
        """A surname and an address word or title (穆先生, 李董事长): how a text addresses someone, no name."""
        surname = next((s for s in self._surnames if name.startswith(s)), "")
        rest = name[len(surname) :]
        return bool(surname) and (rest in self.address_words or rest in self.titles)

    def trim_name(self, name: str) -> str | None:
        """Cut a surname-anchored name before a stop character (张三在 → 张三); None if it is no name, nor where
        the "surname" is a conjunction or opens a word a name never starts with (委员|和重点…, 相关领导)."""
        surname = next((s for s in self._surnames if name.startswith(s)), "")
        given = name[len(surname) :]
        if not surname or not given or surname in self.joining_surnames or name.startswith(self.leading_non_name_words):
            return None
        if len(given) == 2 and given[1] in self.name_stop_chars:
            given = given[:1]
        if given[0] in self.name_stop_chars or self.is_form_of_address(surname + given):
            return None
        return surname + given


def _words(data: dict, key: str, source: Path) -> frozenset[str]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{source}: '{key}' must be a list of strings")
    return frozenset(value)


def grammar_fields(entries: list[GrammarEntry]) -> dict[str, frozenset[str]]:
    """The word lists of :class:`Lexicon` that the name grammar table holds."""
    return {
        "org_suffixes": _select(entries, "ending", ("ORG",)),
        "media_suffixes": _select(entries, "ending", ("ORG",), "media"),
        "outlet_suffixes": _select(entries, "ending", ("ORG",), "outlet")
        | _select(entries, "ending", ("ORG",), "media"),
        "sector_suffixes": _select(entries, "ending", ("ORG",), "after_place"),
        "place_modifiers": _select(entries, "place_modifier", GRAMMAR_LABELS),
        "not_places": _select(entries, "not_place", GRAMMAR_LABELS),
        "feature_endings_words": _select(entries, "ending", ("LOC",), "feature"),
        "party_suffixes": _select(entries, "ending", ("ORG",), "party"),
        "located_org_suffixes": _select(entries, "ending", ("ORG",), "located"),
        "gpe_suffixes": _select(entries, "ending", ("GPE",)),
        "loc_suffixes": _select(entries, "ending", ("LOC",)) - _select(entries, "ending", ("LOC",), "feature"),
        "zone_words": _select(entries, "ending", ("GPE",), "zone"),
        "standalone_orgs": _select(entries, "standalone", ("ORG",)),
        "zone_bodies": _select(entries, "standalone", ("ORG",), "zone_body"),
        "generic_org_words": _select(entries, "generic", ("ORG",)),
        "generic_places": _select(entries, "generic", ("GPE", "LOC")),
        "generic_place_prefixes": _select(entries, "place_prefix", GRAMMAR_LABELS),
        "zone_short_prefixes": _select(entries, "zone_prefix", GRAMMAR_LABELS),
    }


def place_name_sets(
    not_places: frozenset[str], zones: frozenset[str], aliases: dict[str, str]
) -> tuple[PhraseSet, PhraseSet]:
    divisions = load_divisions()
    # a listed name that opens with a bare zone (高新区X街道) is a chain whose zone depends on the city
    zone_prefixed = tuple(zones)
    recognised = {n for n in divisions.recognised_names() if not n.startswith(zone_prefixed)}
    places = PhraseSet(recognised - not_places | set(aliases))
    cities = set(divisions.city_names()) - not_places
    return places, PhraseSet(cities | {alias for alias, name in aliases.items() if name in cities})


@cache
def load_lexicon(directory: Path = DATA_DIR) -> Lexicon:
    source = directory / "lexicon.yaml"
    data = read_yaml(source)
    if not isinstance(data, dict):
        raise ValueError(f"{source}: expected a mapping of word lists")
    surnames_file = directory / "surnames.txt"
    surnames = tuple(
        line.strip()
        for line in surnames_file.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    aliases_data = read_yaml(directory / "aliases.yaml") or {}
    if not isinstance(aliases_data, dict):
        raise ValueError(f"{directory / 'aliases.yaml'}: expected a mapping alias: canonical name")
    grammar = read_grammar(directory / GRAMMAR_FILE)
    from_grammar = grammar_fields(grammar)
    # Every other word-list field of Lexicon is a list of the same name in lexicon.yaml.
    word_lists = {
        f.name: _words(data, f.name, source)
        for f in fields(Lexicon)
        if f.type == "frozenset[str]" and f.name != "name_stop_chars" and f.name not in from_grammar
    }
    # Full names of provinces and prefectures are shown by their short form (深圳市 → 深圳), as the data says.
    aliases = {**load_divisions().short_forms(), **{str(k): str(v) for k, v in aliases_data.items()}}
    place_names, city_names = place_name_sets(from_grammar["not_places"], from_grammar["zone_words"], aliases)
    return Lexicon(
        **word_lists,
        **from_grammar,
        place_names=place_names,
        city_names=city_names,
        place_levels={e.word: e.level for e in grammar if e.role == "ending" and e.level},
        short_org_suffix_min_prefix=int(data.get("short_org_suffix_min_prefix", 2)),
        name_stop_chars=frozenset(str(data.get("name_stop_chars", ""))),
        surnames=surnames,
        aliases=aliases,
    )
