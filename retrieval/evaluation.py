"""Scores the Assistant against a question set (../shared/eval/dev.jsonl by default).

hit@k: a gold document is among the first k documents the answer presents (its cited sources in
order, then the other retrieved documents); retrieval hit@1 looks at the retrieved order alone.
Key-fact recall: the share of key facts (any of each fact's alternatives, case-insensitive) found in
the answers to in-scope questions, an unanswered question scoring none. A case that `follows` another
is asked in that case's conversation, as a thread would ask it.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from config.errors import PartnerbotError
from retrieval.answer import Answer
from retrieval.conversation import Turn
from retrieval.passage import Passage


class Answerer(Protocol):
    """What is scored: the Assistant, or the plain pipeline `bench/quality.py` compares it with."""

    def ask(self, question: str, history: Sequence[Turn | str] = ()) -> Answer: ...

    def retrieve(self, question: str, history: Sequence[Turn | str] = ()) -> list[Passage]: ...


_MARKER = re.compile(r"\s*\[\d+\]")


@dataclass
class Case:
    id: str
    question: str
    answerable: bool
    gold_docs: list[str]
    key_facts: list[list[str]]
    follows: str | None = None


@dataclass
class Outcome:
    id: str
    answered: bool
    hit1: bool
    hit3: bool
    retrieval_hit1: bool
    facts_found: int
    facts_total: int
    words: int
    latency_ms: float
    answer: str


@dataclass
class Report:
    hit_at_1: float
    hit_at_3: float
    retrieval_hit_at_1: float
    key_fact_recall: float
    in_scope_answered: float
    out_of_scope_declined: float
    median_answer_words: float
    latency_p50_ms: float
    latency_p95_ms: float
    outcomes: list[Outcome] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        return {k: v for k, v in asdict(self).items() if k != "outcomes"}


def read_cases(path: Path) -> list[Case]:
    if not path.is_file():
        raise PartnerbotError(f"{path}: no such question file")
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            cases.append(
                Case(
                    raw["id"],
                    raw["question"],
                    bool(raw["answerable"]),
                    list(raw.get("gold_docs", [])),
                    [list(f) for f in raw.get("key_facts", [])],
                    str(raw["follows"]) if raw.get("follows") else None,
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise PartnerbotError(f"{path}:{n}: not a question record ({exc})") from exc
    if not cases:
        raise PartnerbotError(f"{path}: holds no questions")
    ids = [c.id for c in cases]
    for case in cases:
        if case.follows and case.follows not in ids[: ids.index(case.id)]:
            raise PartnerbotError(f"{path}: {case.id} follows {case.follows!r}, which is not asked before it")
    return cases


def evaluate(bot: Answerer, cases: list[Case]) -> Report:
    turns: dict[str, Turn] = {}
    outcomes = []
    for case in cases:
        history = [turns[case.follows]] if case.follows else []
        outcome, turns[case.id] = _run(bot, case, history)
        outcomes.append(outcome)
    in_scope = [o for o, c in zip(outcomes, cases, strict=True) if c.answerable]
    out_scope = [o for o, c in zip(outcomes, cases, strict=True) if not c.answerable]
    latencies = sorted(o.latency_ms for o in outcomes)
    words = [o.words for o in in_scope if o.answered]
    return Report(
        hit_at_1=_share(o.hit1 for o in in_scope),
        hit_at_3=_share(o.hit3 for o in in_scope),
        retrieval_hit_at_1=_share(o.retrieval_hit1 for o in in_scope),
        key_fact_recall=sum(o.facts_found for o in in_scope) / max(1, sum(o.facts_total for o in in_scope)),
        in_scope_answered=_share(o.answered for o in in_scope),
        out_of_scope_declined=_share(not o.answered for o in out_scope),
        median_answer_words=statistics.median(words) if words else 0.0,
        latency_p50_ms=_percentile(latencies, 0.5),
        latency_p95_ms=_percentile(latencies, 0.95),
        outcomes=outcomes,
    )


def _run(bot: Answerer, case: Case, history: list[Turn]) -> tuple[Outcome, Turn]:
    answer = bot.ask(case.question, history)
    retrieved = list(dict.fromkeys(p.document.doc_id for p in bot.retrieve(case.question, history)))
    cited = [s.doc_id for s in answer.sources] if answer.answered else []
    ranked = list(dict.fromkeys(cited + retrieved))
    text = answer.answer.lower() if answer.answered else ""
    found = sum(1 for alternatives in case.key_facts if any(a.lower() in text for a in alternatives))
    outcome = Outcome(
        id=case.id,
        answered=answer.answered,
        hit1=bool(set(ranked[:1]) & set(case.gold_docs)),
        hit3=bool(set(ranked[:3]) & set(case.gold_docs)),
        retrieval_hit1=bool(set(retrieved[:1]) & set(case.gold_docs)),
        facts_found=found,
        facts_total=len(case.key_facts),
        words=len(_MARKER.sub("", answer.answer).split()),
        latency_ms=answer.latency_ms,
        answer=answer.answer,
    )
    return outcome, Turn.of(answer)


def _share(values) -> float:  # noqa: ANN001
    values = list(values)
    return sum(1 for v in values if v) / len(values) if values else 0.0


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, round(q * (len(sorted_values) - 1)))]
