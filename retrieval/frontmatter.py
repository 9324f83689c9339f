"""A document's front matter: its by-line as a sentence, and what it is known by.

The manifest's fields are facts too ("who wrote the LEP board paper?", "when did the blog go up?"),
so the writer can cite them like any sentence of the text; and partners name a document by them
("the jan board paper", "that HSJ piece"), so the question is read against them (`Catalogue`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
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
    """The words around a document's text: its title and topics, its kind in any word partners use
    for it ("the jan paper" is a board paper), and its by-line (`_by_line`)."""
    kind = set(tokens(f"{document.kind} {kind_name(document)}"))
    kind |= {t for nouns in _NOUNS if nouns & kind for t in nouns}
    return frozenset(tokens(" ".join([document.title, *document.topics]))) | kind | _by_line(document)


class Catalogue:
    """What each document is known by besides its text, to find the one a question names by
    description: "the jan board paper", "that HSJ piece", "rob's guest blog", or its title in quotes.

    A description names a document when all its words are among what it is known by, and one
    besides the noun is of its by-line (author, organisation, site, month or year: "jan", "HSJ",
    "LAHP", "rob's"), since a title's words alone ("the healthtech MoU") are what many documents are
    about, and its kind alone ("the board paper") what many are. A title in quotes must be most of
    a document's title: a quote may be a word off."""

    def __init__(self, documents: Iterable[Document]) -> None:
        self._terms: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {}
        self._having: dict[str, set[str]] = {}  # term → the documents known by it
        for document in documents:
            by_line, known = _by_line(document), described_by(document)
            self._terms[document.doc_id] = (frozenset(tokens(document.title)), known, by_line)
            for term in known:
                self._having.setdefault(term, set()).add(document.doc_id)

    def named(self, described: Described) -> list[str]:
        """The documents `described` names, found through the words each is known by."""
        having = [
            set().union(*(set.intersection(*(self._having.get(t, set()) for t in way)) for way in word))
            for word in described.words
        ]
        if described.quoted:
            held = Counter(i for documents in having for i in documents)
            candidates = {i for i, n in held.items() if 4 * n >= 3 * len(having)}
        else:
            candidates = set.intersection(*having) if having else set()
        return sorted(i for i in candidates if self._names(described, *self._terms[i]))

    @staticmethod
    def _names(
        described: Described, title: frozenset[str], known: frozenset[str], by_line: frozenset[str]
    ) -> bool:
        words = described.words
        if described.quoted:
            return 4 * sum(any(way <= title for way in word) for word in words) >= 3 * len(words)
        return all(any(way <= known for way in word) for word in words) and any(
            way <= by_line for word in words[:-1] for way in word
        )


def _by_line(document: Document) -> frozenset[str]:
    """Who wrote it, for whom, where ("hsj co uk": partners say "the HSJ piece") and when ("January
    2022" is also "jan" and "22")."""
    host = urlsplit(document.source_url or "").hostname or ""
    when = readable_date(document.published) or ""
    fields = [
        document.author or "",
        document.organisation or "",
        host.removeprefix("www.").replace(".", " "),
        when,
    ]
    terms = set(tokens(" ".join(fields)))
    terms |= {w[:3].lower() for w in when.split() if w.isalpha()}
    terms |= {y[2:] for y in when.split() if len(y) == 4 and y.isdigit()}
    return frozenset(terms)


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
