"""Answer → plain text for the terminal (Slack and web render their own markup)."""

from __future__ import annotations

from retrieval.answer import Answer, Source


def source_line(source: Source) -> str:
    """ "Title — Organisation, 2019-09-23", the same attribution every surface shows."""
    details = ", ".join(v for v in (source.organisation, source.published) if v)
    return f"{source.title} — {details}" if details else source.title


def to_text(answer: Answer, front_door: str | None = None) -> str:
    """The answer, its sources, and where a person can help when the answer says to ask one."""
    lines = [answer.answer]
    if answer.refer and front_door:
        lines.append(f"For help from a person, ask {front_door}.")
    if answer.sources:
        lines.append("")
        lines.append("Sources:" if answer.answered else "Nearest sources:")
        for source in answer.sources:
            lines.append(f"[{source.n}] {source_line(source)}")
            lines.append(f"    {source.url}")
            if source.source_url:
                lines.append(f"    original: {source.source_url}")
    return "\n".join(lines)
