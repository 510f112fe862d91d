"""China's administrative divisions, from the list the maintained ``jionlp`` package ships.

``jionlp/dictionary/china_location.zip`` holds the national division tree (province → prefecture → county →
township/street → village/community) with the division codes of the upper three levels. It is read here as
data only (``jionlp`` itself is not imported). kg uses it to recognise place names, to read the chain a place
lies in (社区 → 街道 → 区/县 → 市 → 省) and to qualify bare development zones by their city.
"""

from __future__ import annotations

import importlib.util
import io
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LEVELS = ("province", "city", "county", "township", "village")
# Names of these levels are recognised as places wherever they are written; village names are too many and
# too repetitive (新村, 东村 in hundreds of counties) and are left to the suffix grammar.
RECOGNISED_LEVELS = frozenset({"province", "city", "county", "township"})
# Short forms (广东, 深圳) are names of their own for provinces and prefectures only: county short forms are
# often common words (和平, 安宁, 城关).
SHORT_FORM_LEVELS = frozenset({"province", "city"})
MIN_NAME_LENGTH = 2
# A full county or township name with a one-character stem (和县, 沙县) is mostly a word of the text (和县委).
MIN_LOWER_NAME_LENGTH = 3


@dataclass(frozen=True)
class Division:
    name: str
    level: str
    code: str | None
    short: str | None
    parent: int | None  # index into Divisions.items


class DivisionsUnavailable(RuntimeError):
    pass


def data_file() -> Path:
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise DivisionsUnavailable("the package jionlp (which ships the national division list) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "dictionary" / "china_location.zip"


def read_tree(lines: Iterable[str], *, villages: bool = False) -> list[Division]:
    """Tab-indented tree: depth = level; upper levels carry ``name<TAB>code<TAB>short``.

    Villages and communities (nine in ten lines) are read only when asked for."""
    items: list[Division] = []
    stack: list[int] = []
    village_indent = "\t" * LEVELS.index("village")
    for line in lines:
        if not villages and line.startswith(village_indent):
            continue
        stripped = line.rstrip("\n")
        if not stripped.strip():
            continue
        depth = len(stripped) - len(stripped.lstrip("\t"))
        fields = stripped.strip("\t").split("\t")
        del stack[depth:]
        parent = stack[-1] if stack else None
        # 直辖市 repeat the province as their prefecture (上海市 → 上海市): one node serves both.
        if parent is not None and fields[0] == items[parent].name:
            stack.append(parent)
            continue
        code = fields[1] if len(fields) > 1 else None
        short = fields[2] if len(fields) > 2 and fields[2] != fields[0] else None
        items.append(Division(fields[0], LEVELS[min(depth, len(LEVELS) - 1)], code, short, parent))
        stack.append(len(items) - 1)
    return items


class Divisions:
    def __init__(self, items: list[Division]):
        self.items = items
        self.by_name: dict[str, list[int]] = {}
        for index, item in enumerate(items):
            self.by_name.setdefault(item.name, []).append(index)
            if item.short and item.level in SHORT_FORM_LEVELS:
                self.by_name.setdefault(item.short, []).append(index)

    def chain(self, index: int) -> list[Division]:
        """The division and every division it lies in, innermost first."""
        out = []
        current: int | None = index
        while current is not None:
            out.append(self.items[current])
            current = self.items[current].parent
        return out

    def lookup(self, name: str) -> list[int]:
        return self.by_name.get(name, [])

    def recognised_names(self) -> Iterator[str]:
        """Names that are a place wherever written (full names, short forms of provinces and prefectures)."""
        for name, indices in self.by_name.items():
            levels = {self.items[i].level for i in indices}
            if not levels & RECOGNISED_LEVELS or len(name) < MIN_NAME_LENGTH:
                continue
            full_upper = any(self.items[i].level in SHORT_FORM_LEVELS for i in indices)
            if full_upper or len(name) >= MIN_LOWER_NAME_LENGTH:
                yield name

    def city_names(self) -> Iterator[str]:
        """Provinces and prefectures, full and short: the places that own development zones."""
        for name, indices in self.by_name.items():
            if any(self.items[i].level in SHORT_FORM_LEVELS for i in indices):
                yield name

    def short_forms(self) -> dict[str, str]:
        """Full name → short form of provinces and prefectures whose short form names only them (深圳市 → 深圳)."""
        return {
            item.name: item.short
            for item in self.items
            if item.short and item.level in SHORT_FORM_LEVELS and len(self.by_name[item.short]) == 1
        }

    def coverage(self) -> dict[str, int]:
        return dict(Counter(item.level for item in self.items))


@cache
def load_divisions(*, villages: bool = False) -> Divisions:
    path = data_file()
    try:
        with zipfile.ZipFile(path) as archive, archive.open("china_location.txt") as handle:
            return Divisions(read_tree(io.TextIOWrapper(handle, encoding="utf-8"), villages=villages))
    except (OSError, KeyError, zipfile.BadZipFile) as err:
        raise DivisionsUnavailable(f"{path}: cannot read the division list: {err}") from err
