"""What every answer writer is: the extractive writer, a chat model, or one a deployment adds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from retrieval.passage import Draft, Passage
from retrieval.query import Query

if TYPE_CHECKING:
    from retrieval.extractive import Sentence


class Writer(Protocol):
    def write(self, query: Query, passages: list[Passage], ranked: list[Sentence]) -> Draft | None:
        """A draft citing the passages it used, or None to leave the answer to the next writer.

        It is asked only once the evidence test has passed: `ranked` holds the sentences scored
        against the question, best first.
        """
        ...
