"""The two shapes the corpus hands to retrieval."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """A cleaned document with the metadata answers cite."""

    doc_id: str
    title: str
    text: str
    kind: str = "document"
    author: str | None = None
    organisation: str | None = None
    published: str | None = None
    source_url: str | None = None
    topics: tuple[str, ...] = ()
    path: str | None = None
    origin: str = "corpus"  # "corpus" for files, "announcement" for posts made through the bot
    expires: str | None = None  # ISO date after which it is no longer cited

    @property
    def content_hash(self) -> str:
        """Changes whenever what is embedded, cited or stored changes, so ingest can skip the rest.

        The file's path is left out: moving a file must not cost a re-embedding.
        """
        meta = "|".join(
            str(v)
            for v in (
                self.title,
                self.kind,
                self.author,
                self.organisation,
                self.published,
                self.source_url,
                self.topics,
                self.origin,
                self.expires,
            )
        )
        return hashlib.sha256(f"{meta}\n{self.text}".encode()).hexdigest()[:16]

    def metadata(self) -> dict[str, str]:
        """Flat, Chroma-safe metadata (no None values)."""
        values = {
            "doc_id": self.doc_id,
            "title": self.title,
            "kind": self.kind,
            "author": self.author,
            "organisation": self.organisation,
            "published": self.published,
            "source_url": self.source_url,
            "origin": self.origin,
            "expires": self.expires,
        }
        return {k: v for k, v in values.items() if v}


@dataclass(frozen=True)
class Chunk:
    """A passage: `text` is `document.text[start:end]`; `headings` are the sections it sits in."""

    doc_id: str
    index: int
    text: str
    start: int
    end: int
    headings: tuple[str, ...] = field(default=())

    @property
    def chunk_id(self) -> str:
        return f"{self.doc_id}#{self.index}"

    @property
    def embed_text(self) -> str:
        """Headings give a passage its context ("Goal 2 …") without becoming part of its span."""
        context = " > ".join(h for h in self.headings if h not in self.text)
        return f"{context}\n{self.text}" if context else self.text
