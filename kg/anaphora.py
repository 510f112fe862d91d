"""Anaphors that stand for a body, place or person named before: 该公司, 该局, 公司 (before a title), 该村, 他.

News names a body once and then writes 该公司主动捐资5万元 or 该局局长张三. For each such word the reader finds the
latest ORG mention of the document up to that point whose name ends with one of the word's heads (kg/data/frames.yaml,
``anaphors``), for 该村/该镇 … the latest GPE with that ending, for 他/她 the latest PERSON, and gives a stand-in
mention: the name, at the anaphor's offsets, so rules and frames read it as what it stands for and the evidence
points where the anaphor is written. Stand-ins are no entity mentions of their own.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import replace

from kg.frames import Anaphors
from kg.lexicon import alternation
from kg.types import ANAPHOR, Mention, Sentence

# The ORG, PERSON and GPE mentions an anaphor may stand for: the latest few only, so memory per document stays bounded.
EARLIER_MENTIONS = 32
REMEMBERED = ("ORG", "PERSON", "GPE")


class AnaphorReader:
    def __init__(self, anaphors: Anaphors, titles: frozenset[str]):
        self.heads = {**anaphors.words, **anaphors.places}
        self.places = frozenset(anaphors.places)
        bare = alternation(anaphors.before_titles) if anaphors.before_titles else "(?!)"
        others = [w for w in self.heads if w not in anaphors.before_titles]
        # a bare word (公司) counts only where no other CJK word runs into it and a title follows (公司董事长张三)
        self.anaphor_re = re.compile(
            f"(?P<person>{anaphors.person or '(?!)'})"
            f"|(?:{alternation(others) or '(?!)'})|(?<![\u4e00-\u9fff])(?:{bare})(?=(?:{alternation(titles)}))"
        )

    def start(self) -> deque[Mention]:
        """A fresh memory of earlier ORG, PERSON and GPE mentions for one document."""
        return deque(maxlen=EARLIER_MENTIONS)

    def stand_ins(self, sentence: Sentence, entities: list[Mention], earlier: deque[Mention]) -> list[Mention]:
        """Stand-in mentions for the anaphors of ``sentence``; ``entities`` are its mentions, sorted by start, and
        ``earlier`` the memory, which this call updates with the sentence's ORG, PERSON and GPE mentions."""
        found = []
        position = 0
        for match in self.anaphor_re.finditer(sentence.text):
            start, end = sentence.start + match.start(), sentence.start + match.end()
            while position < len(entities) and entities[position].end <= start:
                if entities[position].label in REMEMBERED:
                    earlier.append(entities[position])
                position += 1
            if position < len(entities) and entities[position].start < end:
                continue  # inside a name (某某公司)
            if match.group("person"):
                named = next((m for m in reversed(earlier) if m.label == "PERSON"), None)
            else:
                label = "GPE" if match.group() in self.places else "ORG"
                heads = self.heads[match.group()]
                named = next((m for m in reversed(earlier) if m.label == label and m.text.endswith(heads)), None)
            if named is not None:
                found.append(replace(named, start=start, end=end, sentence=sentence.index, source=ANAPHOR))
        earlier.extend(m for m in entities[position:] if m.label in REMEMBERED)
        return found
