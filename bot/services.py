"""What a running surface holds: settings, the warmed-up Assistant and the state store.

Every surface answers through `Services.answer`, so each question is asked and logged the same way,
and reads the state (the question log, announcements, API tokens, the audit log) through the methods
below, so no surface queries the store itself. Posting announcements needs Slack: see `Announcer`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from bot.links import Links
from bot.state import announcements as announcement_store
from bot.state import audit, tokens
from bot.state import log as question_log
from bot.state.db import Database
from bot.state.log import Logged, LogWriter, prune
from bot.state.models import Announcement, now
from bot.state.spool import Spool
from bot.state.tokens import Token
from bot.throttle import Throttle
from config.errors import RateLimited
from config.settings import Settings
from retrieval.access import Access
from retrieval.answer import Answer
from retrieval.assistant import Assistant
from retrieval.conversation import Turn
from retrieval.index import Index

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    assistant: Assistant
    db: Database
    questions: Throttle = field(init=False)  # per asker: PARTNERBOT_QUESTIONS_PER_MINUTE
    spool: Spool = field(init=False)  # log rows and votes kept while the state store is down
    log: LogWriter = field(init=False)  # writes question-log rows behind the answers
    links: Links = field(init=False)  # signed links to the source viewer

    def __post_init__(self) -> None:
        self.questions = Throttle(limit=self.settings.questions_per_minute)
        self.spool = Spool(self.settings.data_dir / "spool.jsonl")
        self.log = LogWriter(self.db, self.spool)
        self.links = Links(self.settings)

    @classmethod
    def open(cls, settings: Settings, assistant: Assistant | None = None, *, warm: bool = True) -> Services:
        """The one way a surface starts: the Assistant (its index built from the corpus if there is
        none yet, and the model loaded unless `warm` is off, for commands that only read state) and
        the state store, migrated and pruned to the question log's retention period.
        """
        assistant = assistant or Assistant(settings)
        report = assistant.index.build_if_empty() if warm else None
        if report is not None:
            log.warning("there was no index: built it from %s", settings.corpus_dir)
            for failure in report.failures:
                log.warning("skipped %s", failure)
        if warm:
            assistant.warm_up()
        db = Database(settings)
        db.migrate()
        prune(db, settings.question_retention_days)  # the question log's retention period
        audit.prune(db, settings.audit_retention_days)
        return cls(settings, assistant, db)

    @property
    def index(self) -> Index:
        """The documents: ingest, add and remove go here; answering goes through `answer`."""
        return self.assistant.index

    def answer(
        self,
        question: str,
        *,
        surface: str,
        access: Access,
        history: Sequence[Turn | str] = (),
        channel: str | None = None,
        channel_type: str | None = None,
        user_id: str | None = None,
        asker: str | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> tuple[Answer, int]:
        """The answer and the id of its question-log row (feedback votes refer to it). The row is
        written behind the answer (`LogWriter`), and kept in the spool while the store is down: a
        database outage or a slow database costs the partner no time and no answer.

        `access` is whom the answer is for (the asker, or everyone in the channel it is posted in):
        only what it allows is searched, and the viewer links are signed for it. `asker` (by default
        the Slack user) is who the question limit counts; None is not limited (the command line).
        Raises RateLimited past the limit. `on_text` streams a chat model's reply as it is written
        (`Assistant.ask`).
        """
        if key := asker or user_id:
            if wait := self.questions.retry_after(key):
                raise RateLimited(self.settings.questions_per_minute, wait)
            self.questions.hit(key)
        answer = self.links.sign(self.assistant.ask(question, history, on_text, access), access)
        fields = question_log.question_fields(
            self.db, answer, surface=surface, channel=channel, channel_type=channel_type, user_id=user_id
        )
        self.log.put(fields)
        return answer, fields["id"]

    def logged(self, question_id: int | None) -> Logged | None:
        """A question of the log, by the id an answer's buttons carry."""
        self.log.flush()  # the row of an answer just given may still be on its way
        self.spool.drain(self.db)  # or waiting in the spool, from an outage now over
        return question_log.question(self.db, question_id)

    def vote(
        self,
        question_id: int | None,
        *,
        helpful: bool,
        channel: str | None = None,
        user_id: str | None = None,
    ) -> bool:
        """Store a vote on an answer; False when its question is no longer in the log or the store
        is down (the vote is kept all the same, without the question it was about)."""
        try:
            row = self.logged(question_id)  # rows kept during an outage go first, in order
            question_log.record_vote(
                self.db,
                question=row.question if row else "(unknown)",
                sources=list(row.sources) if row else [],
                helpful=helpful,
                channel=channel,
                user_id=user_id,
                question_id=row.id if row else None,
            )
        except SQLAlchemyError as exc:  # kept without its question, which the store holds
            log.warning("votes are unavailable (%s): the vote waits in the spool", type(exc).__name__)
            fields = {"question": "(unknown)", "sources": [], "helpful": helpful, "channel": channel}
            self.spool.put("vote", {**fields, "user_hash": self.db.hash_user(user_id), "voted_at": now()})
            return False
        return row is not None

    def hand_off(self, question_id: int) -> bool:
        """Record that a question goes to the front door ("Ask a person"): True the first time,
        False when it already went. Unlike a vote this is not spooled while the store is down: it
        must be recorded before anything is posted, or two clicks would post twice. So the store's
        SQLAlchemyError is raised, after a warning, and the caller tells the asker nothing went."""
        self.log.flush()
        try:
            self.spool.drain(self.db)  # rows kept during an outage go first, in order
            return question_log.mark_handed_off(self.db, question_id)
        except SQLAlchemyError as exc:
            log.warning(
                "hand-offs are unavailable (%s): question %s not passed on", type(exc).__name__, question_id
            )
            raise

    def hand_off_failed(self, question_id: int) -> None:
        """The post to the front door failed after `hand_off`: unrecord it, so the asker can retry."""
        question_log.unmark_handed_off(self.db, question_id)

    def questions_since(self, since: datetime) -> list[Logged]:
        self.log.flush()
        return question_log.questions_since(self.db, since)

    def handoffs_since(self, since: datetime) -> list[Logged]:
        """Questions handed to the front door since then."""
        self.log.flush()
        return question_log.handoffs_since(self.db, since)

    def votes_since(self, since: datetime) -> list[bool]:
        """Whether each vote cast since then found its answer helpful."""
        self.log.flush()
        return question_log.votes_since(self.db, since)

    # -- announcements: reading them needs no Slack token, posting does (`Announcer`) -----------

    def announcements(self, limit: int = 100) -> list[Announcement]:
        """The newest first, with the status of each channel's post."""
        return announcement_store.listing(self.db, limit=limit)

    def announcement(self, announcement_id: int) -> Announcement | None:
        return announcement_store.get(self.db, announcement_id)

    def audit(
        self,
        action: str,
        actor: str,
        source: str,
        *,
        allowed: bool,
        reason: str | None = None,
        announcement_id: int | None = None,
        document: str | None = None,
    ) -> None:
        """One row of the audit log: every announcement or document command, allowed or refused."""
        audit.record(
            self.db,
            action=action,
            actor=actor,
            source=source,
            allowed=allowed,
            reason=reason,
            announcement_id=announcement_id,
            document=document,
        )

    # -- bearer tokens of the HTTP APIs: `ask` and `announce` scopes --------------------------

    def api_token(self, presented: str) -> Token | None:
        """The token presented (its name, scopes and groups), or None when it is unknown or revoked."""
        return tokens.verify(self.db, presented, self.settings.announce_api_token_sha256)

    def create_token(self, name: str, scopes: Iterable[str], groups: Iterable[str] = ()) -> str:
        """A new token, shown this once; only its SHA-256 is stored."""
        return tokens.create(self.db, name, scopes, groups)

    def revoke_token(self, name: str) -> bool:
        return tokens.revoke(self.db, name)
