"""Measures what fusion buys: dense only, BM25 only, reciprocal rank fusion and convex fusion.

Prints, per method, document hit@1 / hit@3 and MRR, and evidence recall@k: the share of key facts
present in the first k passages handed to the writer (k = the top_k setting).

    .venv/bin/python bench/fusion.py [--questions FILE]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.commands.common import open_assistant
from retrieval.assistant import CANDIDATES, Assistant
from retrieval.evaluation import read_cases
from retrieval.fuse import convex_fusion, reciprocal_rank_fusion

DEV_SET = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev.jsonl"


def rankings(bot: Assistant, question: str) -> dict[str, list[str]]:
    vector = bot.embedder.embed([question])[0]
    dense = dict(bot.index.vectors.search(vector, CANDIDATES))
    keyword = dict(bot.index.keyword.search(question, CANDIDATES))
    rrf = [i for i, _ in reciprocal_rank_fusion([list(dense), list(keyword)])]
    for chunk_id, v in bot.index.vectors.vectors([i for i in keyword if i not in dense]).items():
        dense[chunk_id] = float(v @ vector)  # as Assistant.retrieve does
    convex = [i for i, _ in convex_fusion(dense, keyword)]
    return {
        "dense": sorted(dense, key=lambda i: -dense[i]),
        "bm25": list(keyword),
        "rrf": rrf,
        "convex": convex,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEV_SET)
    args = parser.parse_args()
    bot = open_assistant()
    k = bot.settings.top_k
    cases = [c for c in read_cases(args.questions) if c.answerable]

    def text(chunk_id: str) -> str:
        doc_id, _, index = chunk_id.rpartition("#")
        return bot.index.registry.chunks(doc_id)[int(index)].text.lower()

    totals: dict[str, dict[str, float]] = {}
    for case in cases:
        for method, ranked in rankings(bot, case.question).items():
            docs = list(dict.fromkeys(i.rpartition("#")[0] for i in ranked))
            first = next((n for n, d in enumerate(docs, 1) if d in case.gold_docs), None)
            evidence = " ".join(text(i) for i in ranked[:k])
            found = sum(1 for alts in case.key_facts if any(a.lower() in evidence for a in alts))
            row = totals.setdefault(method, {"hit1": 0, "hit3": 0, "mrr": 0, "facts": 0, "all": 0})
            row["hit1"] += first == 1
            row["hit3"] += first is not None and first <= 3
            row["mrr"] += 1 / first if first else 0
            row["facts"] += found
            row["all"] += len(case.key_facts)
    n = len(cases)
    print(f"{n} in-scope questions from {args.questions}; evidence recall over the first {k} passages")
    print(f"{'method':8} {'hit@1':>6} {'hit@3':>6} {'MRR':>6} {'evidence recall@' + str(k):>18}")
    for method, row in totals.items():
        print(
            f"{method:8} {row['hit1'] / n:6.2f} {row['hit3'] / n:6.2f} {row['mrr'] / n:6.2f} "
            f"{row['facts'] / row['all']:18.2f}"
        )


if __name__ == "__main__":
    main()
