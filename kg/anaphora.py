"""Anaphors that stand for a body named before: 该公司, 该局, 公司 (before a title).

News names a body once and then writes 该公司主动捐资5万元 or 该局局长张三. For each such word the reader finds the
latest ORG mention of the document up to that point whose name ends with one of the word's heads (kg/data/frames.yaml,
``anaphors``) and gives a stand-in mention: the body's name, at the anaphor's offsets, so rules and frames read it
as that body and the evidence points where the anaphor is written. Stand-ins are no entity mentions of their own.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import replace

from kg.frames import Anaphors
from kg.lexicon import alternation
from kg.types import ANAPHOR, Mention, Sentence

# The ORG mentions an anaphor may stand for: the latest few only, so memory per document stays bounded.
EARLIER_ORGS = 16


class AnaphorReader:
    def __init__(self, anaphors: Anaphors, titles: frozenset[str]):
        self.heads = anaphors.words
        bare = alternation(anaphors.before_titles) if anaphors.before_titles else "(?!)"
        others = [w for w in anaphors.words if w not in anaphors.before_titles]
        # a bare word (公司) counts only where no other CJK word runs into it and a title follows (公司董事长张三)
        self.anaphor_re = re.compile(
            f"(?:{alternation(others) or '(?!)'})|(?<![\u4e00-\u9fff])(?:{bare})(?=(?:{alternation(titles)}))"
        )

    def start(self) -> deque[Mention]:
        """A fresh memory of earlier ORG mentions for one document."""
        return deque(maxlen=EARLIER_ORGS)

    def stand_ins(self, sentence: Sentence, entities: list[Mention], earlier: deque[Mention]) -> list[Mention]:
        """Stand-in mentions for the anaphors of ``sentence``; ``entities`` are its mentions, sorted by start, and
        ``earlier`` the memory, which this call updates with the sentence's ORG mentions."""
        found = []
        position = 0
        for match in self.anaphor_re.finditer(sentence.text):
            start, end = sentence.start + match.start(), sentence.start + match.end()
            while position < len(entities) and entities[position].end <= start:
                if entities[position].label == "ORG":
                    earlier.append(entities[position])
                position += 1
            if position < len(entities) and entities[position].start < end:
                continue  # inside a name (某某公司)
            heads = self.heads[match.group()]
            body = next((m for m in reversed(earlier) if m.text.endswith(heads)), None)
            if body is not None:
                found.append(replace(body, start=start, end=end, sentence=sentence.index, source=ANAPHOR))
        earlier.extend(m for m in entities[position:] if m.label == "ORG")
        return found
