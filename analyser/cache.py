"""The batch result cache: finished document reports in SQLite, keyed by everything that shapes them.

A report is reusable only when the file, the model file, the prompt versions, the risk policy, the
analyser version and the analysis options are all the same; the key hashes exactly those. Each
`put` commits on its own, so an interrupted batch keeps every document it finished.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType

from pydantic import ValidationError

from analyser.types import DocumentReport

log = logging.getLogger(__name__)

CACHE_FILE = ".analyser-cache.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    file_sha256 TEXT NOT NULL,
    model_sha256 TEXT NOT NULL,
    prompt_versions TEXT NOT NULL,
    policy_hash TEXT NOT NULL,
    analyser_version TEXT NOT NULL,
    options TEXT NOT NULL,
    source TEXT NOT NULL,
    report TEXT NOT NULL,
    created_at REAL NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class CacheKey:
    """What a cached report depends on; `digest` is the primary key."""

    file_sha256: str
    model_sha256: str
    prompt_versions: str
    policy_hash: str
    analyser_version: str
    options: str

    @property
    def digest(self) -> str:
        """A sha256 over every part, so a change in any one misses the cache."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ResultCache:
    """Finished reports by cache key, in one SQLite file (normally DIR/.analyser-cache.sqlite)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        try:
            self._db = self._open(path)
        except sqlite3.DatabaseError as exc:
            # A damaged cache costs a re-analysis, never the batch: set it aside and start afresh.
            aside = path.with_name(f"{path.name}.damaged-{int(time.time())}")
            log.warning("cache %s is unreadable (%s); moved to %s", path, exc, aside.name)
            path.replace(aside)
            self._db = self._open(path)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=30)
        db.execute(_SCHEMA)
        db.commit()
        return db

    def get(self, key: CacheKey) -> DocumentReport | None:
        """The cached report for this key, or None (also when the stored JSON no longer validates)."""
        row = self._db.execute("SELECT report FROM results WHERE key = ?", (key.digest,)).fetchone()
        if row is None:
            return None
        try:
            return DocumentReport.model_validate_json(row[0])
        except ValidationError:
            log.warning("cached report %s no longer matches the report schema; analysing again", key.digest[:12])
            return None

    def put(self, key: CacheKey, source: str, report: DocumentReport) -> None:
        """Store one finished report and commit at once."""
        self._db.execute(
            "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key.digest,
                key.file_sha256,
                key.model_sha256,
                key.prompt_versions,
                key.policy_hash,
                key.analyser_version,
                key.options,
                source,
                report.model_dump_json(),
                time.time(),
            ),
        )
        self._db.commit()

    def count(self) -> int:
        """How many reports the cache holds."""
        return int(self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def close(self) -> None:
        """Close the database file."""
        self._db.close()

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
