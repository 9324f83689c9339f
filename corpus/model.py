"""The two shapes the corpus hands to retrieval."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

# Who may read a document (`retrieval.access`): anyone; members of the workspace; only the Slack user
# groups or channels named as its `readers`.
VISIBILITIES = ("public", "partners", "internal")

# Names what `Chunk.embed_text` puts around a passage; changing it makes every document "changed",
# so the next ingest re-embeds an index built the old way instead of keeping stale vectors.
INDEXED_AS = "author-and-headings"


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
    origin: str = "corpus"  # "corpus" for its files, "library" for those added from Slack, "announcement"
    expires: str | None = None  # ISO date after which it is no longer cited
    visibility: str = "partners"  # one of VISIBILITIES
    readers: tuple[str, ...] = ()  # user group and channel ids an `internal` document is shown to
    stamp: str | None = None  # the file it was built from (`documents.source_stamp`); not content

    @cached_property
    def content_hash(self) -> str:
        """Changes whenever what is embedded, cited or stored changes, so ingest can skip the rest.
        Kept once made: the writer keys its per-document caches by it on every question.

        The file's path and who may read it are left out: moving a file or opening it to more
        readers must not cost a re-embedding (ingest stores them without).
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
                INDEXED_AS,
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

    def embed_text(self, document: Document) -> str:
        """What is embedded and keyword-indexed: the passage under its author and headings.

        A passage of a blog rarely names its writer, yet partners ask "what does rob webster say
        about…"; the author and headings give it that context without becoming part of its span.
        The title is left out: repeated on every passage it pulls all of them towards any question
        that shares a word with it.
        """
        lines = [document.author] if document.author else []
        lines += [h for h in self.headings if h != document.title]
        header = " > ".join(line for line in lines if line not in self.text)
        return f"{header}\n{self.text}" if header else self.text
