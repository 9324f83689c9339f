"""Unanswered questions grouped by meaning, so the group sees topics, not a list of sentences.

Greedy clustering on cosine similarity of the real embeddings: each question joins the group whose
centroid it is closest to, if that is at least THRESHOLD, else starts its own. Good enough for the few
hundred questions of a week, and easy to explain.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from retrieval.embed import Embedder

THRESHOLD = 0.6  # all-MiniLM-L6-v2: paraphrases sit above ~0.6, related-but-different topics below


@dataclass
class Gap:
    questions: list[str]  # distinct wordings, most asked first
    count: int  # how many times any of them was asked

    @property
    def label(self) -> str:
        return self.questions[0]


def group(questions: list[str], embedder: Embedder, threshold: float = THRESHOLD) -> list[Gap]:
    counts = Counter(" ".join(q.split()) for q in questions if q.strip())
    if not counts:
        return []
    texts = [q for q, _ in counts.most_common()]
    vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
    members: list[list[int]] = []
    centroids: list[np.ndarray] = []
    for i, vector in enumerate(vectors):
        if centroids:
            scores = np.stack(centroids) @ vector
            best = int(np.argmax(scores))
            if scores[best] >= threshold:
                members[best].append(i)
                centroid = vectors[members[best]].mean(axis=0)
                centroids[best] = centroid / (np.linalg.norm(centroid) or 1.0)
                continue
        members.append([i])
        centroids.append(vector)
    gaps = [Gap([texts[i] for i in m], sum(counts[texts[i]] for i in m)) for m in members]
    return sorted(gaps, key=lambda g: (-g.count, g.label))
