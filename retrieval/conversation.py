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
        # a decline quoting its page ("… do not give that yet: “…” [1]") is about that page too;
        # the nearest sources of a plain decline are not what it was about
        quoted = answer.answered or "[1]" in answer.answer
        cited = tuple(dict.fromkeys(s.doc_id for s in answer.sources)) if quoted else ()
        return cls(answer.question, answer.answer if quoted else "", cited)
