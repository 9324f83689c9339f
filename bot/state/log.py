"""The question log and votes: written by every surface after answering, read by feedback, Share
and the report. Reads return plain records, never session-bound rows.

A question's row is written behind its answer (`LogWriter`): the id is chosen here, so the answer
and its buttons have it at once, and nothing on the answering path waits for the state store. The
row is first appended to a journal of the process, so that a process killed outright (SIGKILL, the
OOM killer) loses no row it had queued: the next process to start moves it into the spool."""

from __future__ import annotations

import atexit
import fcntl
import json
import logging
import os
import queue
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.state.db import Database, changed
from bot.state.models import Question, Vote, now
from bot.state.spool import Spool, as_line
from retrieval.answer import Answer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Logged:
    """One question of the log as the report and the Slack buttons read it."""

    id: int
    question: str
    surface: str
    answered: bool
    sources: tuple[str, ...]
    handed_off_at: datetime | None = None  # when "Ask a person" passed it to the front door


def question(db: Database, question_id: int | None) -> Logged | None:
    """A logged question by id (the id a vote or a Share button carries), or None."""
    if not question_id:
        return None
    with db.session() as session:
        row = session.get(Question, question_id)
        return _logged(row) if row else None


def questions_since(db: Database, since: datetime) -> list[Logged]:
    with db.session() as session:
        return [_logged(r) for r in session.scalars(select(Question).where(Question.asked_at >= since))]


def votes_since(db: Database, since: datetime) -> list[bool]:
    """Whether each vote cast since then found its answer helpful."""
    with db.session() as session:
        return list(session.scalars(select(Vote.helpful).where(Vote.voted_at >= since)))


def handoffs_since(db: Database, since: datetime) -> list[Logged]:
    """Questions handed to the front door since then (whenever they were asked), oldest first."""
    with db.session() as session:
        query = select(Question).where(Question.handed_off_at >= since).order_by(Question.handed_off_at)
        return [_logged(r) for r in session.scalars(query)]


def mark_handed_off(db: Database, question_id: int) -> bool:
    """Record that the question went to the front door; False when it had already gone (or is not
    in the log). One UPDATE, so of two clicks at once exactly one wins."""
    with db.session() as session:
        claimed = session.execute(
            update(Question)
            .where(Question.id == question_id, Question.handed_off_at.is_(None))
            .values(handed_off_at=now())
        )
        return changed(claimed) == 1


def unmark_handed_off(db: Database, question_id: int) -> None:
    """Undo `mark_handed_off` when the post to the front door failed, so a later click can retry."""
    with db.session() as session:
        session.execute(update(Question).where(Question.id == question_id).values(handed_off_at=None))


def _logged(row: Question) -> Logged:
    return Logged(
        row.id, row.question, row.surface, row.answered, tuple(row.sources or ()), row.handed_off_at
    )


def record_question(db: Database, answer: Answer, *, surface: str, **where: str | None) -> int:
    """`question_fields` written at once (`where`: channel, channel_type, user_id)."""
    return insert_question(db, question_fields(db, answer, surface=surface, **where))


def insert_question(db: Database, fields: dict[str, Any]) -> int:
    """One row of `question_fields`, whose id is chosen already: returns it."""
    insert_questions(db, [fields])
    return int(fields["id"])


def insert_questions(db: Database, rows: list[dict[str, Any]]) -> None:
    """Rows whose ids are chosen already (`question_fields`), in one transaction."""
    with db.session() as session:
        session.add_all(Question(**fields) for fields in rows)


def question_fields(
    db: Database,
    answer: Answer,
    *,
    surface: str,
    channel: str | None = None,
    channel_type: str | None = None,
    user_id: str | None = None,
) -> dict[str, Any]:
    """A question-log row as plain data (the user already hashed): what the spool keeps too."""
    return {
        "id": new_question_id(),
        "asked_at": now(),
        "surface": surface,
        "channel": channel,
        "channel_type": channel_type,
        "user_hash": db.hash_user(user_id),
        "question": answer.question,
        "answered": answer.answered,
        "sources": [s.doc_id for s in answer.sources],
        "latency_ms": answer.latency_ms,
    }


def record_vote(
    db: Database,
    *,
    question: str,
    sources: list[str],
    helpful: bool,
    channel: str | None = None,
    user_id: str | None = None,
    question_id: int | None = None,
) -> int:
    """Store a vote; a second click by the same person on the same answer changes their vote."""
    user_hash = db.hash_user(user_id)
    with db.session() as session:
        if question_id is not None and user_hash is not None:
            earlier = session.scalars(
                select(Vote).where(Vote.question_id == question_id, Vote.user_hash == user_hash)
            ).first()
            if earlier is not None:
                earlier.helpful, earlier.voted_at = helpful, now()
                return earlier.id
        row = Vote(
            question_id=question_id,
            question=question,
            sources=sources,
            channel=channel,
            user_hash=user_hash,
            helpful=helpful,
        )
        session.add(row)
        session.flush()
        return row.id


def prune(db: Database, retention_days: int) -> int:
    """Delete questions and votes older than the retention period (0 keeps everything)."""
    if retention_days <= 0:
        return 0
    cutoff = datetime.now(UTC) - timedelta(days=retention_days)
    with db.session() as session:
        session.execute(delete(Vote).where(Vote.voted_at < cutoff))
        return changed(session.execute(delete(Question).where(Question.asked_at < cutoff)))


BATCH = 64  # rows of the question log written in one transaction at most


def new_question_id() -> int:
    """Random, so that replicas and a spool need no sequence; below 2**52, so JavaScript reads it
    exactly. Two of a million questions share one with a chance of about 1 in 10**4."""
    return secrets.randbelow(2**52 - 1) + 1


class LogWriter:
    """Writes question-log rows in a thread of its own, oldest first; a row the store refuses waits
    in the spool. `flush` waits for every row handed over (reads call it, so they see them); the rows
    still queued when the process ends are written on the way out.

    Each row is also appended to the writer's journal (a file in `journal/` beside the spool: one
    `write`, which the page cache keeps though the process dies), emptied whenever the queue is. A
    journal whose process is gone (its lock is free) is moved into the spool when a writer starts,
    and written with it: a row the store had already taken is merged by its id, not doubled."""

    def __init__(self, db: Database, spool: Spool) -> None:
        self.db, self.spool = db, spool
        self.journals = spool.path.parent / "journal"
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()
        self._journal: tuple[int, Path] | None = None  # opened with the thread, by its own process
        self._pid = 0
        try:
            self.recover()
        except OSError as exc:  # an unreadable journal folder must not stop a surface starting
            log.warning("the question-log journals of killed processes were not read (%s)", exc)

    def recover(self) -> int:
        """Move the journals of processes that are gone into the spool; returns the rows moved."""
        moved = 0
        for path in sorted(self.journals.glob("*.jsonl")):
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:  # another process recovered it first
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if os.fstat(fd).st_nlink == 0:  # recovered (and unlinked) between the open and the lock
                    continue
                with os.fdopen(os.dup(fd), encoding="utf-8") as handle:
                    lines = handle.read().splitlines()
                for line in lines:
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError:  # a line cut by the kill: the rest still count
                        log.warning("a damaged line in %s was skipped", path)
                        continue
                    moved += self.spool.put(row.pop("kind"), row)
                path.unlink()
            except BlockingIOError:  # its process is alive and writing it
                continue
            finally:
                os.close(fd)
        if moved:
            log.warning("%d question-log rows of a process that was killed are written now", moved)
        return moved

    def put(self, fields: dict[str, Any]) -> None:
        with self._start:
            if self._thread is None:
                atexit.register(self.close)
            if self._thread is None or not self._thread.is_alive():
                self._open_journal()
                self._thread = threading.Thread(target=self._run, name="question-log", daemon=True)
                self._thread.start()
            self._journal_row(fields)
            self._queue.put(fields)

    def flush(self) -> None:
        if self._thread is not None:
            self._queue.join()

    def close(self) -> None:
        """Write what is queued, and remove the journal, which then holds nothing."""
        self.flush()
        with self._start:
            if self._journal is not None and self._pid == os.getpid():
                fd, path = self._journal
                path.unlink(missing_ok=True)
                os.close(fd)
                self._journal = None

    def _open_journal(self) -> None:
        """A journal of this process's own: one inherited through a fork is the parent's (its copy
        is closed; the parent's lock holds through the parent's own descriptor)."""
        if self._journal is not None:
            if self._pid == os.getpid():
                return
            os.close(self._journal[0])
            self._journal = None
        self._pid = os.getpid()
        for _ in range(3):  # a writer starting elsewhere may lock and remove a new, empty file first
            path = self.journals / f"{self._pid}-{secrets.token_hex(4)}.jsonl"
            fd = -1
            try:
                self.journals.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if os.fstat(fd).st_nlink:
                    self._journal = fd, path
                    return
                os.close(fd)
            except BlockingIOError:
                os.close(fd)
            except OSError as exc:  # a read-only data folder: rows are still written, only not journalled
                log.warning(
                    "the question log has no journal (%s): a killed process loses its queued rows", exc
                )
                if fd >= 0:
                    os.close(fd)
                return
        log.warning("the question log has no journal: a killed process loses its queued rows")

    def _journal_row(self, fields: dict[str, Any]) -> None:
        if self._journal is None:
            return
        try:
            os.write(self._journal[0], as_line("question", fields).encode())
        except (OSError, TypeError, ValueError) as exc:  # a full disk: the row is still queued
            log.warning("question %s was not journalled (%s)", fields.get("id"), exc)

    def _emptied(self) -> None:
        """Every row journalled has been written or spooled: the journal starts again."""
        with self._start:
            if self._journal is not None and not self._queue.unfinished_tasks:
                try:
                    os.ftruncate(self._journal[0], 0)
                except OSError as exc:  # the writer thread goes on; a recovery merges rows by id
                    log.warning("the question-log journal was not emptied (%s)", exc)

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < BATCH:  # rows queued meanwhile share one transaction: one commit
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self.spool.drain(self.db)  # rows kept during an outage go first, in order
                self._insert(batch)
            except SQLAlchemyError as exc:
                log.warning(
                    "the question log is unavailable (%s): %d rows wait in the spool",
                    type(exc).__name__,
                    len(batch),
                )
                self._keep(batch)
            except Exception:  # the thread must outlive any row, or every later row waits forever
                log.exception(
                    "the question-log rows of questions %s were not written", [f.get("id") for f in batch]
                )
                self._keep(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()
                self._emptied()

    def _keep(self, batch: list[dict[str, Any]]) -> None:
        for fields in batch:
            try:
                self.spool.put("question", fields)
            except Exception:  # a full disk, a read-only data folder: say so, and go on with the next row
                log.exception("the question-log row of question %s is lost", fields.get("id"))

    def _insert(self, batch: list[dict[str, Any]]) -> None:
        try:
            insert_questions(self.db, batch)
            return
        except IntegrityError:  # an id is taken (see `new_question_id`): row by row, to find which
            pass
        for fields in batch:
            try:
                insert_questions(self.db, [fields])
            except IntegrityError:  # the row is kept under another id
                log.warning("question id %s was taken; the row is logged under a new one", fields["id"])
                insert_questions(self.db, [{**fields, "id": new_question_id()}])
