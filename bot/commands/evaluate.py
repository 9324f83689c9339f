"""`partnerbot eval [FILE…]`: the quality figures on one or more question sets, each reported apart."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from bot.commands.common import open_assistant
from config.settings import ROOT
from retrieval.evaluation import Report, evaluate, read_cases

DEV_SET = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def eval_command(
    files: list[Path] = typer.Argument(
        None, help="Question files, one JSON object a line (default: the dev set)"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show each question's outcome"),
) -> None:
    """Score answers: hit@1, hit@3, key-fact recall, answered/declined shares, length, latency."""
    sets = {str(f): read_cases(f) for f in files or [DEV_SET]}  # every file is checked before any is asked
    bot = open_assistant()
    reports = {name: evaluate(bot, cases) for name, cases in sets.items()}
    if as_json:
        figures = {name: r.summary() for name, r in reports.items()}
        typer.echo(json.dumps(next(iter(figures.values())) if len(figures) == 1 else figures, indent=2))
        return
    for name, report in reports.items():
        if len(reports) > 1:
            typer.echo(f"== {name}")
        if verbose:
            _outcomes(report)
        _figures(report)


def _outcomes(report: Report) -> None:
    for o in report.outcomes:
        mark = "answered" if o.answered else "declined"
        typer.echo(
            f"{o.id} {mark:8} hit1={o.hit1:d} facts={o.facts_found}/{o.facts_total} "
            f"words={o.words} {o.latency_ms:.0f}ms  {o.answer[:160]}"
        )


def _figures(s: Report) -> None:
    typer.echo(
        f"questions              {len(s.outcomes)}\n"
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
