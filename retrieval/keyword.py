"""The BM25 keyword index (bm25s), saved beside the vector index, and the term statistics it yields."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
from collections import Counter
from pathlib import Path

import bm25s

from retrieval.text import TOKENIZER, tokens

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
        k = min(k, len(self.ids))  # n_threads=0: in this thread; 1 would start a thread pool per search
        docs, scores = self._bm25.retrieve([query_tokens], k=k, show_progress=False, n_threads=0)
        return [(self.ids[int(i)], float(s)) for i, s in zip(docs[0], scores[0], strict=True) if s > 0]

    def save(self, folder: Path) -> None:
        """The BM25 files first, then ids.json, replaced whole and naming each file's digest: a save
        killed midway (by a crash, a SIGKILL) leaves an ids.json that `load` refuses, never ids that
        read another index's scores."""
        folder.mkdir(parents=True, exist_ok=True)
        digests: dict[str, str] = {}
        if self._bm25 is not None:
            self._bm25.save(str(folder / "bm25"))
            digests = _digests(folder / "bm25")
        partial = folder / "ids.tmp"
        saved = {"ids": self.ids, "df": self.doc_freq, "bm25": digests, "tokenizer": TOKENIZER}
        partial.write_text(json.dumps(saved))
        os.replace(partial, folder / "ids.json")

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        """ValueError when the BM25 files are not the ones ids.json was saved with (the caller
        rebuilds the index: it is derived from the registry)."""
        data = json.loads((folder / "ids.json").read_text())
        if data.get("tokenizer") != TOKENIZER:
            raise ValueError("it was saved with another version's tokens")
        index = cls([], [])
        index.ids = data["ids"]
        index.doc_freq = Counter(data["df"])
        if index.ids:
            if "bm25" not in data:
                raise ValueError("ids.json names no digests of its BM25 files (saved by an older version)")
            if data["bm25"] != _digests(folder / "bm25"):
                raise ValueError("its BM25 files are not those ids.json was saved with (a save cut short)")
            index._bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False)
        return index


def _digests(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    files = sorted(p for p in folder.iterdir() if p.is_file())
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
