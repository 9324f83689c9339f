"""An answer streamed into a Slack thread (`chat.startStream` / `appendStream` / `stopStream`).

A chat model's reply arrives a sentence at a time as it is written (`push`); the extractive writer's
is ready whole and is streamed a sentence per call at the end (`finish`), the sources and buttons
last. Whatever Slack refuses, the thread ends with one complete answer: refused at the start, the
answer is posted whole; refused half-way, or when the answer that counts is not what was streamed
(a chat model given up on), the streamed message is replaced by it, or removed and the answer
posted when Slack will not replace it.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import re
import threading

from slack_sdk import WebClient

from bot.slack import blocks, mrkdwn
from bot.slack.blocks import Block
from bot.slack.client import SLACK_ERRORS, describe
from retrieval.answer import Answer

log = logging.getLogger(__name__)
_SENTENCE_END = re.compile(r"(?<=[.!?\])])\s+(?=\S)")  # a piece keeps the space that ends it


class AnswerStream:
    def __init__(
        self, client: WebClient, channel: str, root: str, user: str | None, team: str | None
    ) -> None:
        """`user` and `team`: the recipient, which Slack needs to stream outside a DM."""
        self.client, self.channel, self.root, self.user, self.team = client, channel, root, user, team
        self.ts: str | None = None
        self.sent = ""  # the markdown streamed so far
        self.broken = False  # Slack refused a part: the rest goes by `_replace`
        self.closed = False  # `finish` began: a writer given up on pushes no more
        self._lock = threading.Lock()  # `push` runs on the writer's thread, `finish` on the caller's

    def push(self, text: str) -> None:
        """One more sentence of a reply being written, with the space after it (from the writer's
        thread)."""
        with self._lock:
            if self.broken or self.closed:
                return
            try:
                self._append(mrkdwn.escape_markdown(text))
            except SLACK_ERRORS as exc:
                log.warning("streaming the answer failed (%s); it is sent whole at the end", describe(exc))
                self.broken = True

    def finish(self, answer: Answer | None, text: str, body: list[Block], tail: list[Block]) -> None:
        """End with `answer` (None: a notice, `body` alone). Raises SLACK_ERRORS only when even a
        plain post is refused, for the caller to tell the asker."""
        with self._lock:
            self.closed = True
            self._finish(answer, text, body, tail)

    def _finish(self, answer: Answer | None, text: str, body: list[Block], tail: list[Block]) -> None:
        pieces = self._rest(answer)
        if pieces is not None:
            try:
                for piece in pieces:
                    self._append(piece)
                self.client.chat_stopStream(channel=self.channel, ts=self.ts or "", blocks=tail)
                return
            except SLACK_ERRORS as exc:
                log.warning("streaming the answer failed (%s); sending it whole", describe(exc))
        self._replace(text, body)

    def _rest(self, answer: Answer | None) -> list[str] | None:
        """What is left to stream, or None when the stream cannot end as this answer."""
        if answer is None or self.broken:
            return None
        if self.ts is None:  # nothing streamed: the whole answer, its markers linking the passages
            markdown = blocks.answer_markdown(answer)
            cuts = [0, *(m.end() for m in _SENTENCE_END.finditer(markdown)), len(markdown)]
            return [markdown[a:b] for a, b in itertools.pairwise(cuts) if b > a]
        whole = mrkdwn.escape_markdown(answer.answer)
        if not whole.startswith(self.sent):
            return None
        rest = whole[len(self.sent) :]
        return [rest] if rest.strip() else []

    def _append(self, markdown: str) -> None:
        if self.ts is None:
            started = self.client.chat_startStream(
                channel=self.channel,
                thread_ts=self.root,
                recipient_user_id=self.user,
                recipient_team_id=self.team,
                markdown_text=markdown,
            )
            self.ts = str(started["ts"])
        else:
            self.client.chat_appendStream(channel=self.channel, ts=self.ts, markdown_text=markdown)
        self.sent += markdown

    def _replace(self, text: str, body: list[Block]) -> None:
        if self.ts:
            with contextlib.suppress(*SLACK_ERRORS):  # stopped already, or cannot be: replaced below
                self.client.chat_stopStream(channel=self.channel, ts=self.ts)
            try:
                self.client.chat_update(channel=self.channel, ts=self.ts, text=text, blocks=body)
                return
            except SLACK_ERRORS as exc:  # the half-streamed message cannot be replaced: drop it
                log.warning("replacing the half-streamed answer failed (%s)", describe(exc))
                with contextlib.suppress(*SLACK_ERRORS):
                    self.client.chat_delete(channel=self.channel, ts=self.ts)
        self.client.chat_postMessage(channel=self.channel, thread_ts=self.root, text=text, blocks=body)
