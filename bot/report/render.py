"""The report as terminal text and as the Slack digest."""

from __future__ import annotations

from typing import Any

from bot.report.build import Report
from bot.slack.mrkdwn import escape, shorten

GAPS_SHOWN = 10
HANDOFFS_SHOWN = 10
EXAMPLES = 3


def _period(report: Report) -> str:
    return f"{report.since:%-d %b %Y} – {report.until:%-d %b %Y}"


def to_text(report: Report) -> str:
    lines = [
        f"Questions {_period(report)}: {report.questions}, answered {report.answered} "
        f"({report.share_answered:.0%})",
        "By surface: " + (", ".join(f"{s} {n}" for s, n in report.by_surface.items()) or "none"),
        f"Votes: {report.helpful} helpful, {report.unhelpful} not helpful",
        "",
        "Most cited documents:",
        *([f"  {n:>4}  {title} ({doc_id})" for doc_id, title, n in report.top_documents] or ["  none"]),
        "",
        "Unanswered, grouped by similarity (what to write next):",
    ]
    for gap in report.gaps[:GAPS_SHOWN]:
        lines.append(f"  {gap.count:>4}  {gap.label}")
        lines.extend(f"        also: {q}" for q in gap.questions[1:EXAMPLES])
    if not report.gaps:
        lines.append("  none")
    elif len(report.gaps) > GAPS_SHOWN:
        lines.append(f"  … and {len(report.gaps) - GAPS_SHOWN} more groups")
    lines += ["", f"Passed to a person (Ask a person): {report.handed_off}"]
    lines.extend(f"  {q}" for q in report.handoffs[:HANDOFFS_SHOWN])
    if report.handed_off > HANDOFFS_SHOWN:
        lines.append(f"  … and {report.handed_off - HANDOFFS_SHOWN} more")
    return "\n".join(lines)


def to_blocks(report: Report) -> list[dict[str, Any]]:
    def section(text: str) -> dict[str, Any]:
        return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}

    documents = "\n".join(f"• {escape(t)} — {n}" for _, t, n in report.top_documents) or "none"
    gaps = "\n".join(
        f"• *{gap.count}×* {escape(gap.label)}"
        + "".join(f"\n    _also:_ {escape(q)}" for q in gap.questions[1:EXAMPLES])
        for gap in report.gaps[:GAPS_SHOWN]
    )
    handoffs = "".join(f"\n• {escape(shorten(q, 200))}" for q in report.handoffs[:HANDOFFS_SHOWN])
    if report.handed_off > HANDOFFS_SHOWN:
        handoffs += f"\n_… and {report.handed_off - HANDOFFS_SHOWN} more_"
    return [
        {"type": "header", "text": {"type": "plain_text", "text": "What partners asked this week"}},
        section(
            f"*{report.questions}* questions ({_period(report)}), *{report.share_answered:.0%}* answered · "
            f"votes: {report.helpful} 👍 {report.unhelpful} 👎"
        ),
        section(f"*Most cited documents*\n{documents}"),
        section(f"*Not answered, grouped by topic: what to write next*\n{gaps or 'none'}"),
        section(f"*Passed to a person* (Ask a person): *{report.handed_off}*{handoffs}"),
    ]


def digest_text(report: Report) -> str:
    return f"What partners asked: {report.questions} questions, {report.share_answered:.0%} answered"
