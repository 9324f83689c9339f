"""`partnerbot eval [FILE]`: the quality figures on a question set."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from bot.commands.common import ready_assistant
from config.settings import ROOT
from retrieval.evaluation import evaluate, read_cases

DEV_SET = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def eval_command(
    file: Path = typer.Argument(DEV_SET, help="Questions, one JSON object a line"),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show each question's outcome"),
) -> None:
    """Score answers: hit@1, hit@3, key-fact recall, answered/declined shares, length, latency."""
    cases = read_cases(file)
    report = evaluate(ready_assistant(), cases)
    if as_json:
        typer.echo(json.dumps(report.summary(), indent=2))
        return
    if verbose:
        for o in report.outcomes:
            mark = "answered" if o.answered else "declined"
            typer.echo(
                f"{o.id} {mark:8} hit1={o.hit1:d} facts={o.facts_found}/{o.facts_total} "
                f"words={o.words} {o.latency_ms:.0f}ms  {o.answer[:160]}"
            )
    s = report
    typer.echo(
        f"questions              {len(cases)}\n"
        f"hit@1                  {s.hit_at_1:.2f}\n"
        f"hit@3                  {s.hit_at_3:.2f}\n"
        f"retrieval hit@1        {s.retrieval_hit_at_1:.2f}\n"
        f"key-fact recall        {s.key_fact_recall:.2f}\n"
        f"in-scope answered      {s.in_scope_answered:.2f}\n"
        f"out-of-scope declined  {s.out_of_scope_declined:.2f}\n"
        f"median answer words    {s.median_answer_words:.0f}\n"
        f"latency p50 / p95      {s.latency_p50_ms:.0f} / {s.latency_p95_ms:.0f} ms"
    )


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
