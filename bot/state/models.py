"""Tables of the state store. Change them only together with a new migration."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def now() -> datetime:
    return datetime.now(UTC)


class AnnouncementStatus(StrEnum):
    """Where an announcement stands; stored as its string, so the column needs no migration."""

    DRAFT = "draft"  # a Slack preview is open
    PENDING = "pending"  # confirmed, posts still to make
    PUBLISHED = "published"  # posted in every channel
    PARTIAL = "partial"  # posted in some channels
    FAILED = "failed"  # posted nowhere
    WITHDRAWN = "withdrawn"


class PostStatus(StrEnum):
    """One channel's post of an announcement."""

    PENDING = "pending"
    POSTING = "posting"  # claimed by a worker; a stale claim is taken over
    POSTED = "posted"
    FAILED = "failed"
    DELETED = "deleted"  # withdrawn from the channel


class LibraryStatus(StrEnum):
    """Where a document the communications group added stands."""

    PENDING = "pending"  # read and shown to the adder, not indexed until confirmed
    INDEXED = "indexed"
    CANCELLED = "cancelled"
    REMOVED = "removed"  # out of the index and the viewer; the record stays


class Base(DeclarativeBase):
    pass


# 64 bits on PostgreSQL (migration 0006); SQLite's INTEGER PRIMARY KEY already is, and stays the rowid.
QUESTION_ID = BigInteger().with_variant(Integer, "sqlite")


class Question(Base):
    """One question asked on any surface. Users are stored only as a keyed hash."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(QUESTION_ID, primary_key=True)  # `log.new_question_id`
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, index=True)
    surface: Mapped[str] = mapped_column(String(16))  # mention, dm, command, web, cli
    channel_type: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(64))
    user_hash: Mapped[str | None] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text)
    answered: Mapped[bool] = mapped_column(Boolean)
    sources: Mapped[list] = mapped_column(JSON, default=list)  # cited doc ids, in order
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    handed_off_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # "Ask a person"


class Vote(Base):
    """A 👍/👎 on an answer, kept with what was asked and cited."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    voted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    question_id: Mapped[int | None] = mapped_column(
        QUESTION_ID, ForeignKey("questions.id", ondelete="SET NULL")
    )
    question: Mapped[str] = mapped_column(Text)
    sources: Mapped[list] = mapped_column(JSON, default=list)
    channel: Mapped[str | None] = mapped_column(String(64))
    user_hash: Mapped[str | None] = mapped_column(String(64))
    helpful: Mapped[bool] = mapped_column(Boolean)


class Announcement(Base):
    """An announcement of the communications group, kept whatever happens to its posts.

    `key` makes a submission idempotent: Slack's view id, an API Idempotency-Key, or a content hash.
    """

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, index=True)
    source: Mapped[str] = mapped_column(String(16))  # slack, api, cli
    author_id: Mapped[str | None] = mapped_column(String(64))  # Slack user id, shown in the post
    author_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(1000))
    expires: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=AnnouncementStatus.PENDING)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))
    posts: Mapped[list[AnnouncementPost]] = relationship(
        back_populates="announcement", order_by="AnnouncementPost.id", cascade="all, delete-orphan"
    )

    @property
    def doc_id(self) -> str:
        return f"announcement-{self.id}"


class AnnouncementPost(Base):
    """One target channel of an announcement: written before posting, so a retry knows what is left."""

    __tablename__ = "announcement_posts"
    __table_args__ = (UniqueConstraint("announcement_id", "channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=PostStatus.PENDING)
    ts: Mapped[str | None] = mapped_column(String(32))
    permalink: Mapped[str | None] = mapped_column(String(1000))
    error: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)
    announcement: Mapped[Announcement] = relationship(back_populates="posts")


class AuditEntry(Base):
    """Every attempt to announce, withdraw or retry, or to add, remove or refresh a document, allowed
    or refused. Actors are kept in clear: this is the accountability record of a handful of staff, not
    the partners' question log."""

    __tablename__ = "announce_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, index=True)
    # open, announce, withdraw, retry; add, confirm, cancel, edit, remove, refresh; ask (a refused token)
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(200))  # Slack user id, "api:<token name>", "cli:<user>"
    source: Mapped[str] = mapped_column(String(16))  # slack, api, cli
    allowed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(500))
    announcement_id: Mapped[int | None] = mapped_column(Integer)
    document: Mapped[str | None] = mapped_column(String(200))  # the doc id or address acted on


class LibraryDocument(Base):
    """A document the communications group added from Slack, the CLI or the API: the record of who
    added it, from where, with which fields, and how its refreshes went. Its file is kept under the
    data folder (`library/<id>/`); the index holds what was read from it."""

    __tablename__ = "library_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)  # one record per upload or request
    doc_id: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(16), default=LibraryStatus.PENDING)
    source: Mapped[str] = mapped_column(String(16))  # slack, api, cli
    added_by: Mapped[str] = mapped_column(String(200))  # Slack user id, "api:<token name>", "cli:<user>"
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    url: Mapped[str | None] = mapped_column(String(2000))  # fetched again on refresh; None: an upload
    file_name: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    author: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    published: Mapped[str | None] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(50), default="document")
    topics: Mapped[list] = mapped_column(JSON, default=list)
    visibility: Mapped[str] = mapped_column(String(16), default="partners")
    readers: Mapped[list] = mapped_column(JSON, default=list)
    passages: Mapped[int] = mapped_column(Integer, default=0)
    first_lines: Mapped[str] = mapped_column(Text, default="")
    refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # content last read
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # last fetch attempt
    problem: Mapped[str | None] = mapped_column(String(500))  # why the last refresh failed
    gone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # first 404/410 seen
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    removed_by: Mapped[str | None] = mapped_column(String(200))


class ApiToken(Base):
    """A bearer token of the HTTP APIs, stored only as its SHA-256, with what it may do (`scopes`,
    space-separated as OAuth writes them: `ask`, `announce`) and, for `ask`, the user groups or
    channels whose internal documents it reads."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(64))
    groups: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
