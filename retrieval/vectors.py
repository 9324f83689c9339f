"""The vector index: Chroma, embedded on disk by default or a server by URL, with embeddings passed in.

Chroma is never given an embedding function: its default one downloads a model at run time.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from config.errors import ConfigError, IndexDamaged

COLLECTION = "partnerbot"


def _client(index_dir: Path, chroma_url: str | None):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url)
        if not url.hostname:
            raise ConfigError(f"PARTNERBOT_CHROMA_URL {chroma_url!r} has no host")
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    index_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(index_dir / "chroma"), settings=chroma_settings)


def _forget(index_dir: Path) -> None:
    """Chroma shares one system per folder within a process; forget this folder's, and only it
    (other indexes stay as they are), so that opening it again reads it from disk. Queries already
    running finish on the old one."""
    from chromadb.api.shared_system_client import SharedSystemClient

    folder = str(index_dir / "chroma")
    SharedSystemClient._identifier_to_system.pop(folder, None)
    SharedSystemClient._identifier_to_refcount.pop(folder, None)


def drop(index_dir: Path, chroma_url: str | None = None) -> None:
    """Delete every vector, without reading them: an embedded index's folder goes (it may be
    damaged past opening), a server's collection is deleted."""
    if chroma_url:
        try:
            client = _client(index_dir, chroma_url)
            if COLLECTION in {c if isinstance(c, str) else c.name for c in client.list_collections()}:
                client.delete_collection(COLLECTION)
        except (ValueError, ConnectionError) as exc:
            raise ConfigError(f"cannot reach the Chroma server at {chroma_url}: {exc}") from exc
        return
    _forget(index_dir)
    shutil.rmtree(index_dir / "chroma", ignore_errors=True)


class VectorIndex:
    def __init__(self, index_dir: Path, chroma_url: str | None = None) -> None:
        self.index_dir, self.chroma_url = index_dir, chroma_url
        self._open()

    def reopen(self) -> None:
        """See what another process wrote: an embedded Chroma keeps its search index in memory and
        does not reload it by itself; a server's collection may have been replaced (`drop`)."""
        if not self.chroma_url:
            _forget(self.index_dir)
        self._open()

    def _open(self) -> None:
        from chromadb.errors import ChromaError  # chromadb loads when the index opens, not on import

        index_dir, chroma_url = self.index_dir, self.chroma_url
        try:
            self._collection = _client(index_dir, chroma_url).get_or_create_collection(
                COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
        except (ValueError, ConnectionError) as exc:
            where = chroma_url or index_dir
            raise ConfigError(f"cannot open the Chroma index at {where}: {exc}") from exc
        except ChromaError as exc:
            if chroma_url:
                raise ConfigError(f"the Chroma server at {chroma_url} failed: {exc}") from exc
            raise IndexDamaged(
                f"the vector index {index_dir / 'chroma' / 'chroma.sqlite3'} is damaged ({exc}): "
                "run `partnerbot ingest --rebuild` to build the index again from the documents"
            ) from exc

    def count(self) -> int:
        return self._collection.count()

    def add(self, ids: list[str], vectors: np.ndarray, texts: list[str], metadatas: list[dict]) -> None:
        for i in range(0, len(ids), 1000):  # Chroma caps the size of one write
            self._collection.upsert(
                ids=ids[i : i + 1000],
                embeddings=vectors[i : i + 1000],
                documents=texts[i : i + 1000],
                metadatas=metadatas[i : i + 1000],
            )

    def delete_document(self, doc_id: str) -> None:
        self._collection.delete(where={"doc_id": doc_id})

    def keep_only(self, doc_ids: set[str]) -> None:
        """Drop the vectors of every other document (left behind when the registry was lost)."""
        if doc_ids:
            self._collection.delete(where={"doc_id": {"$nin": sorted(doc_ids)}})
        elif self._collection.count():
            self._collection.delete(where={"doc_id": {"$ne": ""}})

    def search(
        self, vector: np.ndarray, k: int, hidden: frozenset[str] = frozenset(), known: Iterable[str] = ()
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first, among the chunks of documents not `hidden`
        (Chroma filters before it looks for the nearest). `known`: every document id, so the filter
        names whichever list is shorter. Asking for more than the index holds returns what it holds."""
        where = None
        if hidden:
            allowed = sorted(set(known) - hidden)
            if not allowed:
                return []
            shorter = {"$in": allowed} if len(allowed) < len(hidden) else {"$nin": sorted(hidden)}
            where = {"doc_id": shorter}
        result = self._collection.query(
            query_embeddings=[vector], n_results=k, where=where, include=["distances"]
        )
        return [(i, 1.0 - d) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        got = self._collection.get(ids=ids, include=["embeddings"])
        return {
            i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"], strict=True)
        }
