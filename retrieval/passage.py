"""A retrieved passage and a written draft: what the writers take and give."""

from __future__ import annotations

from dataclasses import dataclass

from corpus.model import Chunk, Document


@dataclass(frozen=True)
class Passage:
    chunk: Chunk
    document: Document
    similarity: float  # cosine between the question and the passage


@dataclass(frozen=True)
class Draft:
    """Answer text whose [k] markers index `cited` (1-based): the passages actually used."""

    text: str
    cited: list[Passage]
