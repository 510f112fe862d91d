"""A per-document cache of analyses (mentions and relations) in SQLite.

Keys are hashes of a document and of everything its analysis depends on (see ``kg.corpus.cache_key``), so an entry
is never stale: a changed text, pipeline, rule or lexicon is a different key. SQLite commits are atomic, so a build
killed at any moment leaves the entries of the batches it finished and nothing half-written; builds running at the
same time share the file (WAL mode, waits for a lock instead of failing).
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.types import Evidence, Mention, Relation

CACHE_FILE = "analyses.sqlite"
SCHEMA_VERSION = 1  # bumped when the payload encoding changes; older files are then rebuilt from scratch
_LOCK_WAIT_SECONDS = 60
_SQL_VARIABLES = 500  # keys looked up per query: below SQLite's limit on bound parameters


class CacheError(RuntimeError):
    """The cache file cannot be used; ``str()`` names it and the cause. The build goes on without it."""


@dataclass
class Payload:
    """One document's analysis as stored: the pipeline that made it, its mentions and relations."""

    pipeline: str
    mentions: list[Mention]
    relations: list[Relation]


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/kg``, else ``~/.cache/kg``."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kg"


class AnalysisCache:
    def __init__(self, folder: Path):
        self.path = folder / CACHE_FILE
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=_LOCK_WAIT_SECONDS, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                with self.db:
                    self.db.execute("BEGIN IMMEDIATE")
                    self.db.execute("DROP TABLE IF EXISTS analyses")
                    self.db.execute(
                        "CREATE TABLE analyses (key TEXT PRIMARY KEY, pipeline TEXT NOT NULL, payload BLOB NOT NULL)"
                    )
                    self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except (OSError, sqlite3.Error) as err:
            raise CacheError(f"cache {self.path} cannot be used: {err}") from err

    def get_many(self, keys: list[str]) -> dict[str, Payload]:
        found = {}
        try:
            for start in range(0, len(keys), _SQL_VARIABLES):
                chunk = keys[start : start + _SQL_VARIABLES]
                marks = ",".join("?" * len(chunk))
                for key, pipeline, blob in self.db.execute(
                    f"SELECT key, pipeline, payload FROM analyses WHERE key IN ({marks})", chunk
                ):
                    found[key] = decode(pipeline, blob)
        except (sqlite3.Error, zlib.error, ValueError, TypeError) as err:
            raise CacheError(f"cache {self.path} cannot be read: {err}") from err
        return found

    def put_many(self, items: Iterable[tuple[str, Payload]]) -> None:
        rows = [(key, payload.pipeline, encode(payload)) for key, payload in items]
        try:
            with self.db:
                self.db.execute("BEGIN IMMEDIATE")
                self.db.executemany("INSERT OR REPLACE INTO analyses VALUES (?, ?, ?)", rows)
        except sqlite3.Error as err:
            raise CacheError(f"cache {self.path} cannot be written: {err}") from err

    def __len__(self) -> int:
        return self.db.execute("SELECT count(*) FROM analyses").fetchone()[0]

    def close(self) -> None:
        self.db.close()


def encode(payload: Payload) -> bytes:
    relations = [
        [_fields(r.subject), r.predicate, _fields(r.object), _fields(r.evidence), r.attrs] for r in payload.relations
    ]
    data = {"mentions": [_fields(m) for m in payload.mentions], "relations": relations}
    return zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(), 1)


def _fields(record: Mention | Evidence) -> list:
    """A record's field values in declaration order: dataclasses.astuple would deep-copy every one of them."""
    return list(vars(record).values())


def decode(pipeline: str, blob: bytes) -> Payload:
    data = json.loads(zlib.decompress(blob))
    mentions = [Mention(*fields) for fields in data["mentions"]]
    relations = [
        Relation(Mention(*subject), predicate, Mention(*obj), Evidence(*evidence), attrs)
        for subject, predicate, obj, evidence, attrs in data["relations"]
    ]
    return Payload(pipeline, mentions, relations)
