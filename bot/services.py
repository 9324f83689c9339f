"""What a running surface holds: settings, the warmed-up Assistant and the state store.

Every surface answers through `Services.answer`, so each question is asked and logged the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.state import log as question_log
from bot.state.db import Database
from bot.state.log import Logged, prune, record_question
from config.settings import Settings
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
        history: Sequence[Turn | str] = (),
        channel: str | None = None,
        channel_type: str | None = None,
        user_id: str | None = None,
    ) -> tuple[Answer, int]:
        """The answer and the id of its question-log row (feedback votes refer to it)."""
        answer = self.assistant.ask(question, history)
        row = record_question(
            self.db, answer, surface=surface, channel=channel, channel_type=channel_type, user_id=user_id
        )
        return answer, row

    def logged(self, question_id: int | None) -> Logged | None:
        """A question of the log, by the id an answer's buttons carry."""
        return question_log.question(self.db, question_id)

    def vote(
        self,
        question_id: int | None,
        *,
        helpful: bool,
        channel: str | None = None,
        user_id: str | None = None,
    ) -> bool:
        """Store a vote on an answer; False when its question is no longer in the log (the vote is
        kept all the same, without the question it was about)."""
        row = self.logged(question_id)
        question_log.record_vote(
            self.db,
            question=row.question if row else "(unknown)",
            sources=list(row.sources) if row else [],
            helpful=helpful,
            channel=channel,
            user_id=user_id,
            question_id=row.id if row else None,
        )
        return row is not None
