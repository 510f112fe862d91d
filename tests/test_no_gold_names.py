"""kg's knowledge is general: no person or particular organisation of any gold set is written into its rules,
word lists or code. Place names come only from the national division list; generic bodies (党工委, 管委会,
市委) are classes, not names."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest
from conftest import ROOT

from kg.evaluate import load_gold
from kg.lexicon import DATA_DIR, load_lexicon

GOLD_FILES = sorted((ROOT / "data" / "gold").glob("*.jsonl"))
LEVEL_PREFIX = re.compile(r"^(?:省|市|区|县|镇|乡|村|街道|旗|校|党|中共)+")


def is_generic_body(name: str) -> bool:
    """党工委, 区党工委, 市工信局, 村委会: a kind of body, written with at most a level prefix."""
    lexicon = load_lexicon()
    rest = LEVEL_PREFIX.sub("", name)
    bare = lexicon.standalone_orgs | lexicon.org_suffixes
    return name in bare or rest in bare or lexicon.is_generic_org(rest) or not rest


@cache
def specific_names() -> frozenset[str]:
    names = set()
    for path in GOLD_FILES:
        for doc in load_gold(path):
            for entity in doc.entities:
                text = re.sub(r"\s+", "", entity.text)
                if entity.label == "PERSON" or (entity.label == "ORG" and not is_generic_body(text)):
                    names.add(text)
    return frozenset(n for n in names if len(n) >= 2)


def code_strings(path: Path) -> list[str]:
    """String constants of a module that are not docstrings (comments are not in the AST at all)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def data_text(path: Path) -> str:
    """A data file without its comments."""
    return "\n".join(line.split("#", 1)[0] for line in path.read_text(encoding="utf-8").splitlines())


def test_gold_sets_are_there_and_a_written_name_is_found(tmp_path):
    assert {p.name for p in GOLD_FILES} >= {"seeds.jsonl", "dev-tune.jsonl", "dev-test.jsonl"}
    names = specific_names()
    assert len(names) > 300
    assert not is_generic_body("平东社区站党总支") and is_generic_body("区党工委")
    person = sorted(names)[0]
    rules = tmp_path / "rules.yaml"
    rules.write_text(f"# {person} in a comment is allowed\n- {{id: x, regex: '{person}'}}\n", encoding="utf-8")
    module = tmp_path / "module.py"
    module.write_text(f'"""{person} in a docstring is allowed."""\nNAME = "{person}"  # {person}\n', encoding="utf-8")
    assert data_text(rules).count(person) == 1
    assert code_strings(module) == [person]


@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("*")), ids=lambda p: p.name)
def test_no_gold_name_in_data(path):
    text = data_text(path)
    assert [name for name in sorted(specific_names()) if name in text] == []


def test_no_gold_name_in_code():
    found = {
        (str(path.relative_to(ROOT)), name)
        for path in sorted((ROOT / "kg").rglob("*.py"))
        for string in code_strings(path)
        for name in specific_names()
        if name in string
    }
    assert sorted(found) == []
