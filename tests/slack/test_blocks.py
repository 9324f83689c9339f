"""Answer → Block Kit: escaping, links, dates, and Slack's size limits (no model, no server)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.slack import blocks, mrkdwn
from retrieval.answer import Answer, Source

pytestmark = pytest.mark.unit
TODAY = date(2026, 11, 23)


def render(answer, **tail):
    """The whole reply, as delivery renders it."""
    return blocks.answer_blocks(answer, blocks.answer_tail(answer, **tail))


def _source(n: int, **kw) -> Source:
    values = {
        "n": n,
        "doc_id": f"doc-{n}",
        "title": f"Document {n}",
        "url": f"http://127.0.0.1:8000/sources/doc-{n}#chunk-0",
        "chunk": 0,
        "snippet": "…",
        "score": 0.5,
        "published": "2025-06-01",
    }
    values.update(kw)
    return Source(**values)


def _all_text(rendered: list[dict]) -> str:
    return "\n".join(t for b in rendered for t in _texts(b))


def _texts(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["text"]] if isinstance(node.get("text"), str) else []
        return own + [t for v in node.values() if isinstance(v, dict | list) for t in _texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _texts(v)]
    return []


@pytest.mark.parametrize(
    "hostile",
    [
        "<!channel>",
        "<!here|here>",
        "<@U0VICTIM>",
        "<http://evil.example|Official NHS page>",
        "<#C0SECRET>",
        "<!subteam^S1>",
    ],
)
def test_control_sequences_in_answers_titles_and_organisations_are_inert(hostile):
    answer = Answer(
        question=hostile,
        answered=True,
        answer=f"The plan {hostile} says so [1].",
        sources=[_source(1, title=f"Title {hostile}", organisation=f"Org {hostile}")],
    )
    rendered = render(answer, question_id=1, front_door="#front-door", shared_by="U0ASKER")
    text = _all_text(rendered) + blocks.fallback_text(answer)
    assert hostile not in text
    assert "&lt;" in text
    assert all(b.get("text", {}).get("verbatim", True) for b in rendered if b["type"] == "section")


def test_plain_broadcast_words_cannot_notify():
    assert "@channel" not in mrkdwn.escape("ping @channel and @here and @everyone")


def test_source_links_cannot_be_broken_out_of():
    line = mrkdwn.link("https://example.org/a|b>c <d>", "A | B > C")
    assert line.count("<") == 1 and line.count(">") == 1 and line.count("|") == 1
    assert mrkdwn.link("javascript:alert(1)", "x") == "x", "only http(s) links"


def test_markers_link_to_their_sources_and_sources_are_numbered_and_dated():
    answer = Answer(
        question="q",
        answered=True,
        answer="First [1]. Second [2]. Unknown [9].",
        sources=[
            _source(
                1, organisation="West Yorkshire Combined Authority", source_url="https://example.org/one"
            ),
            _source(2, published="2019-09-23"),
        ],
    )
    text = _all_text(render(answer, question_id=7, front_door="x", today=TODAY))
    assert "First <http://127.0.0.1:8000/sources/doc-1#chunk-0|[1]>" in text
    assert "Unknown [9]" in text
    assert (
        "*[1]* <http://127.0.0.1:8000/sources/doc-1#chunk-0|Document 1> · "
        "West Yorkshire Combined Authority · 1 Jun 2025" in text
    )
    assert "<https://example.org/one|original>" in text
    assert "23 Sep 2019 (_7 years old_)" in text
    assert "1 Jun 2025 (" not in text, "recent documents are not flagged"


def test_at_most_five_sources():
    answer = Answer(question="q", answered=True, answer="x", sources=[_source(n) for n in range(1, 9)])
    text = _all_text(render(answer, question_id=1, front_door="x"))
    assert "Document 5" in text and "Document 6" not in text


def test_unanswered_lists_nearest_sources_and_the_front_door():
    answer = Answer(
        question="q", answered=False, answer="I couldn't find that.", sources=[_source(1)], refer=True
    )
    text = _all_text(render(answer, question_id=1, front_door="<#C0FRONT|front-door>"))
    assert "*Nearest sources*" in text and "Document 1" in text
    assert "For help from a person, ask <#C0FRONT|front-door>." in text


def test_an_answer_names_the_front_door_only_when_it_says_to_ask_a_person():
    answer = Answer(question="who do i ping?", answered=True, answer="The hub [1].", sources=[_source(1)])
    plain = _all_text(render(answer, question_id=1, front_door="#front-door"))
    assert "For help from a person" not in plain
    referred = answer.model_copy(update={"refer": True})
    text = _all_text(render(referred, question_id=1, front_door="#front-door"))
    assert "*Sources*" in text and "For help from a person, ask #front-door." in text


def test_long_answers_are_split_at_3000_characters_and_50_blocks():
    sentence = "The cluster supports innovators with [1] evidence and trials. "
    answer = Answer(question="q", answered=True, answer=sentence * 4000, sources=[_source(1)])
    rendered = render(answer, question_id=1, front_door="x")
    assert len(rendered) == 50
    sections = [b["text"]["text"] for b in rendered if b["type"] == "section"]
    assert max(len(s) for s in sections) <= 3000
    assert all(s.count("<") == s.count(">") for s in sections), "no link is cut in half"
    assert "longer than Slack allows" in sections[-1]
    assert rendered[-1]["type"] == "actions", "the buttons survive the cut"
    assert len(blocks.fallback_text(answer)) <= 3000


def test_markdown_from_a_writer_becomes_mrkdwn():
    assert mrkdwn.from_markdown("## Funding\n- **Grants** for SMEs") == "*Funding*\n• *Grants* for SMEs"


def test_split_without_spaces_still_respects_the_limit():
    pieces = mrkdwn.split("x" * 7000)
    assert [len(p) for p in pieces] == [3000, 3000, 1000]


def test_a_streamed_answer_is_inert_markdown_and_links_only_its_own_sources():
    answer = Answer(
        question="q",
        answered=True,
        answer="Ask <!channel> via [this](https://evil.example) *now* [1]; see [3].",
        sources=[_source(1)],
    )
    text = blocks.answer_markdown(answer)
    assert "[this](" not in text and "\\[this\\]\\(https://evil.example\\)" in text
    assert "&lt;!channel&gt;" in text and "\\*now\\*" in text
    assert f"[\\[1\\]]({answer.sources[0].url})" in text, "the cited passage is linked"
    assert text.endswith("see \\[3\\]."), "a marker with no source stays plain"
