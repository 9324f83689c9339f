"""Chunks are exact spans of the cleaned text, keep blocks whole and carry their section headings."""

from __future__ import annotations

import re

import pytest

from corpus.blocks import parse_text
from corpus.chunk import MAX_WORDS, split_sentences
from corpus.documents import Loaded, from_text
from tests.corpus.helpers import blocks_of, reference

pytestmark = pytest.mark.unit

SENTENCE = "Partner {n} brings a device to the hub and asks for a trial site in the region."


def reference_ids() -> list[str]:
    return sorted(d.document.doc_id for d in reference().loaded)


def loaded(doc_id: str) -> Loaded:
    return next(d for d in reference().loaded if d.document.doc_id == doc_id)


def block_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text)]


@pytest.mark.parametrize("doc_id", reference_ids())
def test_every_chunk_is_an_exact_span_in_order(doc_id: str) -> None:
    doc = loaded(doc_id)
    assert doc.chunks
    assert [c.index for c in doc.chunks] == list(range(len(doc.chunks)))
    previous_end = 0
    for chunk in doc.chunks:
        assert chunk.doc_id == doc_id
        assert chunk.text == doc.document.text[chunk.start : chunk.end]
        assert chunk.text == chunk.text.strip()
        assert chunk.start >= previous_end
        previous_end = chunk.end


@pytest.mark.parametrize("doc_id", reference_ids())
def test_blocks_are_never_split_and_all_prose_is_covered(doc_id: str) -> None:
    doc = loaded(doc_id)
    for start, end in block_spans(doc.document.text):
        holders = [c for c in doc.chunks if c.start <= start and end <= c.end]
        block = doc.document.text[start:end]
        if len(block.split()) <= MAX_WORDS:
            assert len(holders) == 1, block[:80]


@pytest.mark.parametrize("doc_id", reference_ids())
def test_chunks_stay_under_the_maximum(doc_id: str) -> None:
    assert all(len(c.text.split()) <= MAX_WORDS for c in loaded(doc_id).chunks)


def test_the_strategy_actions_carry_their_goal() -> None:
    """'Action 5, under goal 2': each numbered action is found under the goal it belongs to."""
    chunks = loaded("lep-board-healthtech-strategy-2022").chunks
    for action, goal in (
        ("1. We will develop", "Goal 1"),
        ("5. We will identify barriers", "Goal 2"),
        ("7. We will put resources", "Goal 3"),
    ):
        (chunk,) = [c for c in chunks if action in c.text]
        assert any(h.startswith(goal) for h in chunk.headings), (action, chunk.headings)


def test_section_headings_are_carried_by_level() -> None:
    body = (
        "## Funding\n\nThe fund opens in May for small firms.\n\n### Eligibility\n\n"
        "Firms with fewer than fifty staff may apply.\n\n## Trials\n\nThe hub finds trial sites."
    )
    doc = from_text("guide", "Support guide", body)
    by_text = {c.text.split("\n\n")[-1]: c.headings for c in doc.chunks}
    assert by_text["The fund opens in May for small firms."] == ("Support guide", "Funding")
    assert by_text["Firms with fewer than fifty staff may apply."] == (
        "Support guide",
        "Funding",
        "Eligibility",
    )
    assert by_text["The hub finds trial sites."] == ("Support guide", "Trials")


def test_an_events_fields_are_text_not_section_headings() -> None:
    """ "Venue: Aire Quay Conference Centre, Leeds" under an event's name is short and unpunctuated
    like a heading, but it states where the event is, as "Email: …" states how to reach someone; the
    event's name still heads its section."""

    blocks = parse_text(
        "Cluster Showcase 2024\n\nDate: 17 October 2024, 9.30am to 4pm\n\n"
        "Venue: Aire Quay Conference Centre, Leeds\n\nTickets: £35 for industry\n\nOur flagship event.\n\n"
        "Email: events@cluster.example\n\nBook through the events page.\n\n"
        "Primary Care Roundtable\n\nDate: November 2024 – exact date to be confirmed\n\nA small discussion."
    )
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Cluster Showcase 2024"),
        ("para", "Date: 17 October 2024, 9.30am to 4pm"),
        ("para", "Venue: Aire Quay Conference Centre, Leeds"),
        ("para", "Tickets: £35 for industry"),
        ("para", "Our flagship event."),
        ("para", "Email: events@cluster.example"),
        ("para", "Book through the events page."),
        ("heading", "Primary Care Roundtable"),
        ("para", "Date: November 2024 – exact date to be confirmed"),  # no day, still a field
        ("para", "A small discussion."),
    ]


def test_list_items_are_kept_whole() -> None:
    items = [" ".join(SENTENCE.format(n=f"{i}.{j}") for j in range(3)) for i in range(12)]
    doc = from_text("list", "Offers", "## What the hub offers\n\n" + "\n".join(f"- {item}" for item in items))
    assert len(doc.chunks) > 1
    for item in items:
        assert sum(f"- {item}" in c.text for c in doc.chunks) == 1, item
        assert sum(item[:40] in c.text for c in doc.chunks) == 1


def test_a_paragraph_over_the_maximum_is_cut_at_sentence_ends() -> None:
    paragraph = " ".join(SENTENCE.format(n=n) for n in range(60))  # about 1,000 words
    doc = from_text("long", "Long", paragraph)
    body = [c for c in doc.chunks if c.text != "Long"]
    assert len(body) > 3
    for chunk in body:
        assert len(chunk.text.split()) <= MAX_WORDS
        assert chunk.text.endswith("region."), chunk.text[-40:]
        assert chunk.text.removeprefix("Long\n\n").startswith("Partner ")
    joined = " ".join(c.text.removeprefix("Long\n\n") for c in body)
    assert joined == paragraph


def test_a_run_without_any_sentence_end_is_still_cut_under_the_maximum() -> None:
    run = " ".join(f"word{n}" for n in range(2000))
    doc = from_text("run", "Run", run)
    assert all(len(c.text.split()) <= MAX_WORDS for c in doc.chunks)
    assert " ".join(" ".join(c.text.split()) for c in doc.chunks).endswith("word1999")
    assert sum(len(c.text.split()) for c in doc.chunks) == 2001


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One thing. Another thing! A third? Yes.", ["One thing.", "Another thing!", "A third?", "Yes."]),
        ("It costs £1.5bn in 2019. That is c.25% more.", ["It costs £1.5bn in 2019.", "That is c.25% more."]),
        ("He said “go now.” Then he left.", ["He said “go now.”", "Then he left."]),
        ("First line\nSecond line.", ["First line", "Second line."]),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert [text[a:b] for a, b in split_sentences(text)] == sentences


def test_a_short_document_is_one_chunk() -> None:
    doc = from_text("short", "Short note", "The hub is open on Mondays.")
    assert [c.text for c in doc.chunks] == [doc.document.text]
    assert blocks_of(doc.document.text) == ["Short note", "The hub is open on Mondays."]
