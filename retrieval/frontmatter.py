"""A document's by-line as a sentence: who wrote it, for whom, and when it was published.

The manifest's fields are facts too ("who wrote the LEP board paper?", "when did the blog go up?"),
so the writer can cite them like any sentence of the text.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from corpus.model import Document
from retrieval.query import Described
from retrieval.text import tokens

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


# What partners call a document of a kind, whatever its manifest says: "that HSJ piece" is an article.
_NOUNS = [
    frozenset({"paper", "report", "board"}),
    frozenset({"blog", "post", "articl", "piec", "news", "stori"}),
    frozenset({"mou", "agreement", "memorandum"}),
]


def described_by(document: Document) -> frozenset[str]:
    """The words a document is known by besides its text: its title and topics, and its by-line
    (`by_line_terms`)."""
    return frozenset(tokens(" ".join([document.title, *document.topics]))) | by_line_terms(document)


def by_line_terms(document: Document) -> frozenset[str]:
    """Who wrote it, for whom, where and when: author, organisation, kind, site ("hsj co uk":
    partners say "the HSJ piece") and date ("January 2022", "jan", "22")."""
    host = urlsplit(document.source_url or "").hostname or ""
    site = host.removeprefix("www.").replace(".", " ")
    when = readable_date(document.published)
    fields = [document.author, document.organisation, document.kind, kind_name(document), site, when]
    terms = set(tokens(" ".join(f for f in fields if f)))
    if when:
        terms |= {w[:3].lower() for w in when.split() if w.isalpha()} | {
            y[2:] for y in when.split() if len(y) == 4
        }
    return frozenset(terms | {t for nouns in _NOUNS if nouns & terms for t in nouns})


def names(
    described: Described, title: frozenset[str], known: frozenset[str], by_line: frozenset[str]
) -> bool:
    """Whether "the jan board paper" names the document known by these words (its title's,
    `described_by`, `by_line_terms`): every word is among them, and one besides the noun is of its
    by-line ("jan", "HSJ", "LAHP", "rob's"), since words of a title alone ("the healthtech MoU") are
    what many documents are about. A title in quotes must be (most of) its title."""
    words = described.words
    if described.quoted:
        return 4 * sum(any(way <= title for way in word) for word in words) >= 3 * len(words)
    return all(any(way <= known for way in word) for word in words) and any(
        way <= by_line for word in words[:-1] for way in word
    )


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
