"""Writing the question log and votes: what every surface calls after answering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from bot.state.db import Database
from bot.state.models import Question, Vote, now
from retrieval.answer import Answer


def record_question(
    db: Database,
    answer: Answer,
    *,
    surface: str,
    channel: str | None = None,
    channel_type: str | None = None,
    user_id: str | None = None,
) -> int:
    with db.session() as session:
        row = Question(
            surface=surface,
            channel=channel,
            channel_type=channel_type,
            user_hash=db.hash_user(user_id),
            question=answer.question,
            answered=answer.answered,
            sources=[s.doc_id for s in answer.sources],
            latency_ms=answer.latency_ms,
        )
        session.add(row)
        session.flush()
        return row.id


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
        return session.execute(delete(Question).where(Question.asked_at < cutoff)).rowcount  # type: ignore[attr-defined]
