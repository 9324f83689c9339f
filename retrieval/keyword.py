"""The BM25 keyword index (bm25s), saved beside the vector index, and the term statistics it yields."""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from pathlib import Path

import bm25s
import numpy as np

from retrieval.text import tokens

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG


class KeywordIndex:
    def __init__(self, ids: list[str], texts: list[str]) -> None:
        self.ids = ids
        tokenized = [tokens(t) for t in texts]
        self.doc_freq: Counter[str] = Counter(tok for toks in tokenized for tok in set(toks))
        self._bm25: bm25s.BM25 | None = None
        self._masks: dict[frozenset[str], np.ndarray] = {}  # by the documents each leaves out
        if ids:
            self._bm25 = bm25s.BM25()
            self._bm25.index(tokenized, show_progress=False)

    def idf(self, token: str) -> float:
        """Rare terms weigh more; a term the corpus never uses weighs most of all."""
        n = max(len(self.ids), 1)
        return math.log((n + 1) / (self.doc_freq.get(token, 0) + 0.5))

    def search(self, query: str, k: int, hidden: frozenset[str] = frozenset()) -> list[tuple[str, float]]:
        """The best chunks; those of the `hidden` documents are scored zero, so never found."""
        query_tokens = [t for t in tokens(query) if t in self.doc_freq]
        if self._bm25 is None or not query_tokens:
            return []
        k = min(k, len(self.ids))
        mask = self._mask(hidden) if hidden else None
        docs, scores = self._bm25.retrieve(
            [query_tokens], k=k, show_progress=False, n_threads=1, weight_mask=mask
        )
        return [(self.ids[int(i)], float(s)) for i, s in zip(docs[0], scores[0], strict=True) if s > 0]

    def _mask(self, hidden: frozenset[str]) -> np.ndarray:
        """1 for each chunk that may be found, 0 for a hidden document's; kept for the few sets of
        rights that ask (the public, partners, each group)."""
        mask = self._masks.get(hidden)
        if mask is None:
            mask = np.array([i.rpartition("#")[0] not in hidden for i in self.ids], dtype=np.float32)
            if len(self._masks) >= 32:
                self._masks.clear()
            self._masks[hidden] = mask
        return mask

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ids.json").write_text(json.dumps({"ids": self.ids, "df": self.doc_freq}))
        if self._bm25 is not None:
            self._bm25.save(str(folder / "bm25"))

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        data = json.loads((folder / "ids.json").read_text())
        index = cls([], [])
        index.ids = data["ids"]
        index.doc_freq = Counter(data["df"])
        if index.ids:
            index._bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False)
        return index
