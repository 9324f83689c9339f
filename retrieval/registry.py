"""What is indexed: each document's metadata, cleaned text, content hash and chunk spans.

Kept as one JSON file beside the indexes: ingest compares hashes against it to skip unchanged
documents, and the source viewer reads documents from it by id (never by path).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict
from pathlib import Path

from corpus.model import Chunk, Document

log = logging.getLogger(__name__)


class Registry:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._docs: dict[str, dict] = {}
        if path.is_file():
            try:
                self._docs = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:  # truncated by a crash, or emptied
                log.warning("%s is damaged (%s): the index is rebuilt from the documents", path, exc)
            if not isinstance(self._docs, dict):
                self._docs = {}

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self._docs

    def __len__(self) -> int:
        return len(self._docs)

    def ids(self) -> list[str]:
        return list(self._docs)

    def content_hash(self, doc_id: str) -> str | None:
        entry = self._docs.get(doc_id)
        return entry["hash"] if entry else None

    def put(self, document: Document, chunks: list[Chunk]) -> None:
        self._docs[document.doc_id] = {
            "document": asdict(document),
            "hash": document.content_hash,
            "chunks": [[c.start, c.end, list(c.headings)] for c in chunks],
        }

    def remove(self, doc_id: str) -> None:
        self._docs.pop(doc_id, None)

    def document(self, doc_id: str) -> Document | None:
        entry = self._docs.get(doc_id)
        if entry is None:
            return None
        fields = dict(entry["document"])
        fields["topics"] = tuple(fields.get("topics") or ())
        fields["readers"] = tuple(fields.get("readers") or ())
        return Document(**fields)

    def chunks(self, doc_id: str) -> list[Chunk]:
        entry = self._docs.get(doc_id)
        if entry is None:
            return []
        text = entry["document"]["text"]
        return [
            Chunk(doc_id, i, text[start:end], start, end, tuple(headings))
            for i, (start, end, headings) in enumerate(entry["chunks"])
        ]

    def all_chunks(self) -> list[tuple[Document, Chunk]]:
        """Every chunk with its document, which gives the chunk its indexed context."""
        return [
            (doc, chunk)
            for doc_id in self._docs
            if (doc := self.document(doc_id))
            for chunk in self.chunks(doc_id)
        ]

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._docs, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)  # readers never see half a file
