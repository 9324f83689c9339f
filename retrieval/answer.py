"""The Answer every surface renders (the contract in DESIGN.md)."""

from __future__ import annotations

from urllib.parse import quote

from pydantic import BaseModel, Field


class Source(BaseModel):
    n: int = Field(description="The number the answer's [n] markers refer to")
    doc_id: str
    title: str
    url: str = Field(description="The source viewer, highlighting the cited passage")
    source_url: str | None = Field(None, description="The original public page, where known")
    organisation: str | None = None
    published: str | None = None
    kind: str = "document"
    chunk: int = Field(description="Index of the cited passage within the document")
    snippet: str
    score: float


class Answer(BaseModel):
    question: str
    answered: bool
    answer: str = Field(description="Text with [n] markers; empty sources mean nothing was close")
    sources: list[Source] = []
    latency_ms: float = 0.0
    refer: bool = Field(
        False,
        description="Name the human front door too: the documents do not answer, or the partner "
        "asked for a way in or a contact, which a person gives best",
    )
    declined: str | None = Field(
        None, description="Why the question was declined outright (off-topic, medical, aimed at the bot)"
    )


def viewer_url(base_url: str, doc_id: str, chunk: int | None = None) -> str:
    """The source viewer's address of a document, at a passage when `chunk` is given."""
    url = f"{base_url.rstrip('/')}/sources/{quote(doc_id, safe='')}"
    return f"{url}#chunk-{chunk}" if chunk is not None else url
