"""Question-log rows and votes the state store could not take, kept in a file until it can.

A database outage must cost neither an answer nor its log entry: rows wait here (users already
hashed, one JSON object a line) and are written, oldest first, by the next write that succeeds.
Up to `limit` rows nothing is lost; past it, the newest are dropped and the log says how many.
"""

from __future__ import annotations

import fcntl
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.state.db import Database
from bot.state.models import Question, Vote

log = logging.getLogger(__name__)
LIMIT = 10_000
TABLES = {"question": Question, "vote": Vote}
WHEN = {"question": "asked_at", "vote": "voted_at"}


def as_line(kind: str, fields: dict[str, Any]) -> str:
    """One row as the spool (and the question log's journal) keeps it: a JSON line, times in ISO."""
    row = {"kind": kind, **{k: v.isoformat() if isinstance(v, datetime) else v for k, v in fields.items()}}
    return json.dumps(row) + "\n"


class Spool:
    def __init__(self, path: Path, limit: int = LIMIT) -> None:
        self.path, self.limit = path, limit
        self.dropped = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._locked():
            return len(self._read())

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """This process's threads and other processes (server workers) one at a time."""
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.with_suffix(".lock").open("a") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def put(self, kind: str, fields: dict[str, Any]) -> bool:
        """Keep one row; False (and a warning) when the spool is full."""
        line = as_line(kind, fields)
        with self._locked():
            if len(self._read()) >= self.limit:
                self.dropped += 1
                log.error(
                    "the state store is down and its spool is full (%d rows): %d not kept",
                    self.limit,
                    self.dropped,
                )
                return False
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line)
            return True

    def drain(self, db: Database) -> int:
        """Write every kept row in one transaction; returns rows written. While the store still
        fails this raises its SQLAlchemyError and every row stays, so the caller, which spools its
        own row then, waits out one time-out, not two."""
        if not self.path.is_file():  # the common case, without taking the lock
            return 0
        with self._locked():
            rows = self._read()
            if not rows:
                return 0
            with db.session() as session:
                for row in rows:
                    kind = row.pop("kind")
                    when = WHEN[kind]
                    row[when] = datetime.fromisoformat(row[when])
                    # a question row has its id: merged, so a row the store kept although the write
                    # was reported failed is not written twice (which would fail every drain after)
                    session.merge(TABLES[kind](**row)) if "id" in row else session.add(TABLES[kind](**row))
            self.path.unlink(missing_ok=True)
            log.info("the state store is back: %d spooled rows written", len(rows))
            return len(rows)

    def _read(self) -> list[dict[str, Any]]:
        if not self.path.is_file():
            return []
        rows = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:  # a line cut by a crash: the rest still count
                log.warning("a damaged line in %s was skipped", self.path)
        return rows
