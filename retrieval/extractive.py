"""The extractive writer: the few retrieved sentences that answer, in reading order, each cited.

It also runs the evidence test that decides whether the documents answer at all: the question's
weighty terms must be present in the best passages, and some sentence must be close in meaning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from corpus.chunk import split_sentences
from retrieval.embed import Embedder
from retrieval.passage import Draft, Passage
from retrieval.text import tokens

MIN_COVERAGE = 0.6  # share of the question's term weight found in the top passages
MIN_SENTENCE_SCORE = 0.45  # the best sentence's blended score
KEEP_RATIO = 0.8  # further sentences must score this close to the best
MAX_SENTENCES = 4
REDUNDANT = 0.9  # cosine above which a sentence repeats one already chosen


@dataclass(frozen=True)
class Sentence:
    passage: Passage
    start: int  # offset in the document's text
    text: str
    score: float


class ExtractiveWriter:
    def __init__(self, embedder: Embedder, idf: Callable[[str], float], max_words: int) -> None:
        self.embedder = embedder
        self.idf = idf
        self.max_words = max_words
        self._cache: dict[str, np.ndarray] = {}

    def coverage(self, question: str, passages: list[Passage]) -> float:
        """IDF-weighted share of the question's terms that the passages contain."""
        terms = set(tokens(question))
        if not terms:
            return 0.0
        present = set().union(*(tokens(p.chunk.embed_text) for p in passages)) if passages else set()
        total = sum(self.idf(t) for t in terms)
        return sum(self.idf(t) for t in terms if t in present) / total if total else 0.0

    def sentences(self, question: str, passages: list[Passage]) -> list[Sentence]:
        """Every sentence of the passages, scored against the question, best first."""
        found: list[tuple[Passage, int, str]] = []
        for passage in passages:
            text = passage.chunk.text
            for a, b in split_sentences(text):
                sentence = text[a:b].strip()
                if len(sentence.split()) >= 4:
                    found.append((passage, passage.chunk.start + a, sentence))
        if not found:
            return []
        q_vec = self.embedder.embed([question])[0]
        vectors = self._embed([s for _, _, s in found])
        dense = vectors @ q_vec
        terms = set(tokens(question))
        total = sum(self.idf(t) for t in terms) or 1.0
        scored = []
        for (passage, start, text), sim in zip(found, dense, strict=True):
            lexical = sum(self.idf(t) for t in terms & set(tokens(text))) / total
            scored.append(Sentence(passage, start, text, 0.5 * float(sim) + 0.5 * lexical))
        return sorted(scored, key=lambda s: -s.score)

    def answers(self, question: str, passages: list[Passage]) -> bool:
        if self.coverage(question, passages[:3]) < MIN_COVERAGE:
            return False
        ranked = self.sentences(question, passages)
        return bool(ranked) and ranked[0].score >= MIN_SENTENCE_SCORE

    def write(self, question: str, passages: list[Passage]) -> Draft:
        ranked = self.sentences(question, passages)
        chosen: list[Sentence] = []
        words = 0
        for sentence in ranked:
            if chosen and (sentence.score < KEEP_RATIO * chosen[0].score or len(chosen) >= MAX_SENTENCES):
                break
            n = len(sentence.text.split())
            if chosen and words + n > self.max_words:
                continue
            if any(self._similar(sentence.text, c.text) for c in chosen):
                continue
            chosen.append(sentence)
            words += n
        return _render(chosen, self.max_words)

    def _embed(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for text, vector in zip(missing, self.embedder.embed(missing), strict=True):
                self._cache[text] = vector
            if len(self._cache) > 50_000:
                self._cache.clear()
        return np.stack([self._cache[t] for t in texts])

    def _similar(self, a: str, b: str) -> bool:
        va, vb = self._embed([a, b])
        return float(va @ vb) > REDUNDANT


def _render(chosen: list[Sentence], max_words: int) -> Draft:
    """Sentences grouped by document in order of relevance, in reading order within each."""
    order: list[str] = []
    for s in chosen:
        if s.passage.document.doc_id not in order:
            order.append(s.passage.document.doc_id)
    chosen = sorted(chosen, key=lambda s: (order.index(s.passage.document.doc_id), s.start))
    cited: list[Passage] = []
    parts: list[str] = []
    for s in chosen:
        doc_ids = [p.document.doc_id for p in cited]
        if s.passage.document.doc_id not in doc_ids:
            cited.append(s.passage)
        n = [p.document.doc_id for p in cited].index(s.passage.document.doc_id) + 1
        parts.append(f"{_tidy(s.text, max_words)} [{n}]")
    return Draft(" ".join(parts), cited)


def _tidy(sentence: str, max_words: int) -> str:
    """List markers off, a full stop on, and a lone over-long sentence cut at the budget."""
    text = re.sub(r"^(?:-\s+|\d+(?:\.\d+)*\.?\s+)", "", sentence).strip()
    words = text.split()
    if len(words) > max_words:
        text = " ".join(words[:max_words]).rstrip(",;:") + " …"
    elif not re.search(r"[.!?…]['\"’”)]*$", text):
        text += "."
    return text[0].upper() + text[1:] if text else text
