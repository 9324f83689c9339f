"""Sentence vectors, made at ingest and kept beside the index, so a question embeds only itself.

The writer scores every sentence of the passages it is given against the question; embedding them
at question time was three quarters of each question's cost. Each is pooled from its passage's
encoder pass (`Embedder.embed_with_spans`). One file per document (float16: half the disk, and
rankings do not move) holds each chunk's sentences and their vectors.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from corpus.model import Chunk, Document

log = logging.getLogger(__name__)

Splitter = Callable[[Document, Chunk], list[str]]  # the texts the writer will score, for one chunk
Vectors = dict[str, np.ndarray]  # text -> its unit vector
SENTENCES = "sentences-in-context"  # the folder in the index (`sentences` held them embedded alone)
OPEN_FILES = 256  # documents whose vectors stay in memory: enough for a busy hour's questions


class SentenceVectors:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._recent: OrderedDict[str, dict[int, Vectors]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, doc_id: str, texts: list[tuple[int, str]], vectors: np.ndarray) -> None:
        """`texts`: (chunk index, sentence) pairs in the order of `vectors`."""
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self._file(doc_id)
        partial = target.with_suffix(".part.npz")
        np.savez(
            partial,
            chunk=np.array([c for c, _ in texts], dtype=np.int32),
            text=np.frombuffer(json.dumps([t for _, t in texts]).encode(), dtype=np.uint8),
            vector=vectors.astype(np.float16),
        )
        partial.replace(target)  # whole or not at all
        self._forget(doc_id)

    def remove(self, doc_id: str) -> None:
        self._file(doc_id).unlink(missing_ok=True)
        self._forget(doc_id)

    def keep_only(self, doc_ids: Iterable[str]) -> None:
        """Drop the files of documents the index no longer holds."""
        kept = {self._file(i).name for i in doc_ids}
        for path in self.folder.glob("*.npz") if self.folder.is_dir() else ():
            if path.name not in kept:
                path.unlink(missing_ok=True)
        with self._lock:
            self._recent.clear()

    def has(self, doc_id: str) -> bool:
        return self._file(doc_id).is_file()

    def of_chunk(self, doc_id: str, chunk: int) -> Vectors:
        """The stored vectors of one chunk's sentences; empty when the document has none stored (the
        writer then embeds what it needs, as before)."""
        with self._lock:
            found = self._recent.get(doc_id)
            if found is not None:
                self._recent.move_to_end(doc_id)
                return found.get(chunk, {})
        found = self._read(doc_id)
        with self._lock:
            self._recent[doc_id] = found
            while len(self._recent) > OPEN_FILES:
                self._recent.popitem(last=False)
        return found.get(chunk, {})

    def _read(self, doc_id: str) -> dict[int, Vectors]:
        path = self._file(doc_id)
        if not path.is_file():
            return {}
        try:
            with np.load(path) as stored:
                chunks, vectors = stored["chunk"], stored["vector"]
                texts = json.loads(stored["text"].tobytes())
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            log.warning("sentence vectors of %s are damaged (%s): embedding at question time", doc_id, exc)
            return {}
        unit = vectors.astype(np.float32)
        unit /= np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)  # float16 rounding off
        by_chunk: dict[int, Vectors] = {}
        for chunk, text, vector in zip(chunks, texts, unit, strict=True):
            by_chunk.setdefault(int(chunk), {})[text] = vector
        return by_chunk

    def _forget(self, doc_id: str) -> None:
        with self._lock:
            self._recent.pop(doc_id, None)

    def _file(self, doc_id: str) -> Path:
        return self.folder / f"{hashlib.sha256(doc_id.encode()).hexdigest()[:24]}.npz"
