"""The pure parts of the web surface: citation markup, viewer segmentation, error wording."""

from __future__ import annotations

import pytest

from bot.web.errors import validation_message
from bot.web.markup import cited_answer, http_url
from bot.web.viewer import parts
from corpus.model import Chunk, Document
from retrieval.answer import Answer, Source

pytestmark = pytest.mark.unit


def _source(n: int, url: str = "http://x/sources/d#chunk-0", title: str = "T") -> Source:
    return Source(n=n, doc_id="d", title=title, url=url, chunk=0, snippet="s", score=0.5)


def test_markers_become_viewer_links_and_text_is_escaped():
    answer = Answer(
        question="q", answered=True, answer="A <b>bold</b> claim [1] & more [2].", sources=[_source(1)]
    )
    html = str(cited_answer(answer))
    assert '<a class="cite" href="http://x/sources/d#chunk-0"' in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "&amp; more" in html
    assert "[2]" in html and html.count("<a ") == 1  # no source 2: the marker stays plain text


def test_a_hostile_title_or_url_cannot_break_out():
    source = _source(1, url='http://x/"><script>alert(1)</script>', title='"><img onerror=x>')
    html = str(cited_answer(Answer(question="q", answered=True, answer="x [1]", sources=[source])))
    assert "<script>" not in html and "<img" not in html


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/a", True),
        ("http://example.org", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html,hi", False),
        ("//evil.example", False),
        ("", False),
        (None, False),
    ],
)
def test_only_http_links_render(url, safe):
    assert (http_url(url) is not None) is safe


def _doc(text: str) -> Document:
    return Document(doc_id="d", title="T", text=text)


def test_parts_cover_the_whole_text_in_order_with_gaps_kept():
    text = "Title\n\nFirst para.\n\nSecond para.\n\nTail"
    chunks = [
        Chunk("d", 0, "First para.", 7, 18, ("Title",)),
        Chunk("d", 1, "Second para.", 20, 32, ("Title",)),
    ]
    result = parts(_doc(text), chunks)
    assert [p.chunk for p in result] == [None, 0, 1, None]
    assert result[0].blocks[0].heading_level == 2  # a heading that chunks sit under
    assert [b.text for p in result for b in p.blocks] == ["Title", "First para.", "Second para.", "Tail"]


def test_overlapping_chunks_show_their_text_once():
    text = "aaa bbb ccc"
    chunks = [Chunk("d", 0, "aaa bbb", 0, 7), Chunk("d", 1, "bbb ccc", 4, 11)]
    result = parts(_doc(text), chunks)
    assert [p.chunk for p in result] == [0, 1]
    assert " ".join(b.text for p in result for b in p.blocks) == "aaa bbb ccc"


def test_a_document_without_chunks_is_still_shown():
    assert [b.text for p in parts(_doc("Only text"), []) for b in p.blocks] == ["Only text"]


def test_validation_messages_name_the_fix():
    assert "'question' is missing" in validation_message([{"type": "missing", "loc": ("body", "question")}])
    assert "not valid JSON" in validation_message([{"type": "json_invalid", "loc": ("body", 1)}])
    assert validation_message([]) == "the request is not valid"
