"""Text → Slack mrkdwn that can never ping anyone or forge a link, and splitting at Slack's limits.

Slack reads `<!channel>`, `<@U…>` and `<http…|…>` as control sequences, so every piece of user or
document text passes through `escape` (`&`, `<`, `>` become entities, as Slack's docs ask). Only
links this module builds itself (`link`) contain a raw `<`. Blocks carrying such text are sent with
`verbatim: true` so Slack does not auto-parse `@channel` or bare names either; the zero-width joiner
after `@` in `@channel`/`@here`/`@everyone` covers the message's plain-text fallback too.
"""

from __future__ import annotations

import re
from urllib.parse import quote

SECTION_LIMIT = 3000  # characters of text in one section block
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_HEADING = re.compile(r"^#{1,6}\s+(.+)$", re.MULTILINE)
_BULLET = re.compile(r"^\s*[-*]\s+", re.MULTILINE)
_MARKDOWN = re.compile(r"([\\`*_\[\]()~#|])")


def escape(text: str) -> str:
    """User or document text made inert for mrkdwn and plain-text fallbacks."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@\u2060\\1", text)


def escape_markdown(text: str) -> str:
    """User or document text made inert for Markdown (a stream's `markdown_text`): `escape`, then
    every character Markdown reads as a link, emphasis, code or heading backslash-escaped."""
    return _MARKDOWN.sub(r"\\\1", escape(text))


def safe_url(url: str | None) -> str | None:
    """An http(s) URL usable inside `<url|label>`, or None: `|`, `<`, `>` and spaces are encoded."""
    if not url or not url.lower().startswith(("http://", "https://")):
        return None
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")


def link(url: str | None, label: str) -> str:
    """`<url|label>` with the label escaped; just the escaped label when the URL is unusable."""
    target = safe_url(url)
    label = escape(label).replace("|", "¦")
    return f"<{target}|{label}>" if target else label


def from_markdown(text: str) -> str:
    """Escape, then turn the little Markdown an answer writer uses into mrkdwn."""
    text = escape(text)
    text = _HEADING.sub(r"*\1*", text)
    text = _BOLD.sub(r"*\1*", text)
    return _BULLET.sub("• ", text)


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis marking a cut (titles, previews, notifications)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at a paragraph, line, sentence or space, never in a link."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut(rest, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _cut(text: str, limit: int) -> int:
    window = text[:limit]
    for mark in ("\n\n", "\n", ". ", " "):
        at = window.rfind(mark)
        if at > limit // 2:
            cut = at + len(mark)
            break
    else:
        cut = limit
    opened = text.rfind("<", 0, cut)  # never split inside <url|label>
    if opened > text.rfind(">", 0, cut) and opened > 0:
        cut = opened
    return cut
