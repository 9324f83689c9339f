"""The BM25 keyword index (bm25s), saved beside the vector index, and the term statistics it yields."""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from pathlib import Path

import bm25s

from retrieval.text import tokens

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG


class KeywordIndex:
    def __init__(self, ids: list[str], texts: list[str]) -> None:
        self.ids = ids
        tokenized = [tokens(t) for t in texts]
        self.doc_freq: Counter[str] = Counter(tok for toks in tokenized for tok in set(toks))
        self._bm25: bm25s.BM25 | None = None
        if ids:
            self._bm25 = bm25s.BM25()
            self._bm25.index(tokenized, show_progress=False)

    def idf(self, token: str) -> float:
        """Rare terms weigh more; a term the corpus never uses weighs most of all."""
        n = max(len(self.ids), 1)
        return math.log((n + 1) / (self.doc_freq.get(token, 0) + 0.5))

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        query_tokens = [t for t in tokens(query) if t in self.doc_freq]
        if self._bm25 is None or not query_tokens:
            return []
        k = min(k, len(self.ids))
        docs, scores = self._bm25.retrieve([query_tokens], k=k, show_progress=False, n_threads=1)
        return [(self.ids[int(i)], float(s)) for i, s in zip(docs[0], scores[0], strict=True) if s > 0]

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
