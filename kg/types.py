"""Plain data classes passed between kg's stages.

ingest -> Document; nlp -> Mention; extraction -> Relation; resolution -> Entity; graph/export read all of them.
Offsets are Python ``str`` indices into ``Document.text`` (end exclusive).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Sources of mentions that later stages treat apart (Mention.source):
# a body named by a generic place word only (社区党支部): kept for relations, not a name span for NER scoring;
GENERIC_ORG = "generic_org"
# a 王书记-style reference, which resolution maps to the person holding that title;
TITLE_REFERENCE = "person_title_reference"
# a stand-in for a body or giver named before (该公司, 这批捐赠物资), written where the anaphor is.
ANAPHOR = "anaphor"


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str


@dataclass
class Document:
    id: str
    text: str
    path: str | None = None
    title: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd when the text gives one
    year: int | None = None  # for dates written without a year (1月30日)
    encoding: str = "utf-8"
    sentences: list[Sentence] = field(default_factory=list)
    damage: str | None = None  # what ingest repaired to read the file (invalid bytes replaced, mixed encoding)


@dataclass(frozen=True)
class Skipped:
    """A file or folder ingest did not read, with the reason shown to the user."""

    path: str
    reason: str
    deliberate: bool = False  # kg's own output, or a second path to a file read once: not a failure for --strict


@dataclass(frozen=True)
class Mention:
    doc_id: str
    start: int
    end: int
    label: str  # PERSON, ORG, GPE, LOC, MATERIAL
    text: str
    sentence: int
    source: str = "ner"  # "ner" (statistical model) or the domain pattern id that produced it


@dataclass(frozen=True)
class Evidence:
    doc_id: str
    sentence: int
    sentence_text: str
    subject_start: int
    subject_end: int
    object_start: int
    object_end: int
    rule: str  # the relation rule or frame id that produced the edge
    sentence_start: int = 0  # the sentence's offset in the document: offsets minus it fall inside sentence_text


@dataclass
class Relation:
    subject: Mention
    predicate: str
    object: Mention
    evidence: Evidence
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Entity:
    id: str
    label: str  # canonical display name
    type: str
    aliases: set[str] = field(default_factory=set)
    mentions: int = 0
    documents: set[str] = field(default_factory=set)
    # where an area lies per the national division list ("广东省/深圳市/宝安区") and the nearest division code;
    # empty when the list has no such name or the documents do not tell which of several it is
    division: str = ""
    division_code: str = ""
