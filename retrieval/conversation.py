"""A conversation's earlier turns: what a follow-up ("and who oversees it?") is about."""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.answer import Answer


@dataclass(frozen=True)
class Turn:
    """An earlier question, the reply it got and the documents that reply cited."""

    question: str
    reply: str = ""
    doc_ids: tuple[str, ...] = ()

    @classmethod
    def of(cls, answer: Answer) -> Turn:
        cited = tuple(dict.fromkeys(s.doc_id for s in answer.sources)) if answer.answered else ()
        return cls(answer.question, answer.answer if answer.answered else "", cited)
