"""A document's by-line as a sentence: who wrote it, for whom, and when it was published.

The manifest's fields are facts too ("who wrote the LEP board paper?", "when did the blog go up?"),
so the writer can cite them like any sentence of the text.
"""

from __future__ import annotations

from datetime import date

from corpus.model import Document

_KINDS = {"blog": "blog post", "strategy": "strategy paper", "document": "document"}


def byline(document: Document) -> str | None:
    """ "The blog post “Title” was written by A (Org) and published on 16 August 2019." or None."""
    who = document.author or document.organisation
    when = readable_date(document.published)
    if not who and not when:
        return None
    text = f"The {kind_name(document)} “{document.title}”"
    if who:
        org = f" ({document.organisation})" if document.author and document.organisation else ""
        text += f" was written by {who}{org}"
    if when:
        on = "on" if when[0].isdigit() and " " in when else "in"  # on 16 August 2019, in November 2017
        text += f"{' and' if who else ' was'} published {on} {when}"
    return text + "."


def kind_name(document: Document) -> str:
    """What partners call a document of its kind: "blog post", "strategy paper"."""
    return _KINDS.get(document.kind, document.kind)


def readable_date(published: str | None) -> str | None:
    """ "2022-01-26" → "26 January 2022", "2017-11" → "November 2017", "2019" → "2019"."""
    if not published:
        return None
    parts = published.split("-")
    try:
        if len(parts) == 3:
            when = date.fromisoformat(published[:10])
            return f"{when.day} {when:%B %Y}"
        if len(parts) == 2:
            return f"{date(int(parts[0]), int(parts[1]), 1):%B %Y}"
    except ValueError:
        return published
    return published
