"""The question log and votes: written by every surface after answering, read by feedback, Share
and the report. Reads return plain records, never session-bound rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from bot.state.db import Database, changed
from bot.state.models import Question, Vote, now
from retrieval.answer import Answer


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
    with db.session() as session:
        row = Question(**fields)
        session.add(row)
        session.flush()
        return row.id


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
