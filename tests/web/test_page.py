"""The ask page over plain HTTP, as a browser without JavaScript sees it: a form post and its answer."""

from __future__ import annotations

import re

import pytest

from retrieval.assistant import NOT_FOUND
from tests.web.conftest import ANSWERABLE, UNANSWERABLE

pytestmark = pytest.mark.integration


def test_the_page_has_the_landmarks_and_labels_assistive_technology_needs(client):
    page = client.get("/").text
    assert '<html lang="en-GB">' in page
    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main"' in page and "<header" in page and "<footer" in page
    assert '<nav aria-label="Site">' in page
    assert '<label class="label" for="question">' in page
    assert re.search(r'<input[^>]+id="question"[^>]+aria-describedby="question-hint"', page)
    assert 'role="status"' in page
    assert page.count("<h1>") == 1


def test_the_form_posts_without_javascript_and_gets_a_cited_answer(client, services):
    response = client.post("/", data={"question": ANSWERABLE})
    assert response.status_code == 200
    page = response.text
    assert "<h2" in page and ">Answer</h2>" in page
    assert "leading place" in page
    base = services.settings.public_base_url
    cites = re.findall(r'<a class="cite" href="([^"]+)"', page)
    assert cites, "no [n] marker became a link"
    assert all(url.startswith(f"{base}/sources/") and "#chunk-" in url for url in cites)
    assert re.search(r'<ol class="sources"', page)
    assert "Read the passage" in page


def test_the_original_page_is_offered_beside_the_viewer(client):
    question = "Who is the CEO lead for the West Yorkshire and Harrogate Health and Care Partnership?"
    page = client.post("/", data={"question": question}).text
    assert "Original page" in page
    assert 'rel="noopener noreferrer"' in page


def test_an_unanswerable_question_says_not_in_the_documents(client):
    page = client.post("/", data={"question": UNANSWERABLE}).text
    assert "No answer in the documents" in page
    assert NOT_FOUND.replace("'", "&#39;") in page
    assert "For help from a person, ask the cluster&#39;s front door channel, #healthtech-front-door." in page
    assert ">Sources</h3>" not in page


def test_nearest_sources_are_listed_when_unanswered(client, services):
    question = "How much funding does the Innovation and Improvement Hub have?"  # no amount is given
    answer = client.post("/api/ask", json={"question": question}).json()
    page = client.post("/", data={"question": question}).text
    assert not answer["answered"] and answer["sources"]
    assert len({s["doc_id"] for s in answer["sources"]}) == len(answer["sources"]), "each document once"
    assert "Nearest sources" in page


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"question": ""}, "The question is empty"),
        ({"question": "     "}, "The question is empty"),
        ({}, "The question is empty"),
        ({"question": "why " * 700}, "the limit is 2,000"),
    ],
)
def test_a_bad_question_re_renders_the_form_with_an_announced_error(client, data, fragment):
    response = client.post("/", data=data)
    assert response.status_code == 422
    page = response.text
    assert "<title>Error: " in page
    summary = re.search(r'<div id="error-summary"[^>]*role="alert"[^>]*>(.*?)</div>', page, re.S)
    assert summary and fragment in summary.group(1)
    assert re.search(
        r'<input[^>]+aria-describedby="question-hint question-error"[^>]+aria-invalid="true"', page
    )


def test_a_huge_form_post_is_refused(client):
    response = client.post("/", data={"question": "x" * 1_500_000})
    assert response.status_code == 413
    assert "over 1,000,000 bytes" in response.json()["detail"]


def test_hostile_question_text_is_escaped(client):
    question = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
    page = client.post("/", data={"question": question}).text
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in page


def test_hostile_question_in_an_error_is_escaped(client):
    question = "<script>alert(1)</script>" * 200
    page = client.post("/", data={"question": question}).text
    assert "<script>alert(1)" not in page


def test_the_page_uses_only_assets_the_app_serves(client):
    page = client.get("/").text
    refs = re.findall(r'(?:src|href)="([^"#]+)"', page)
    assert refs
    assert all(ref.startswith("/") or ref == "data:," for ref in refs), refs
    for ref in refs:
        if ref.startswith("/static/"):
            assert client.get(ref).status_code == 200, ref


def test_the_docs_page_loads_swagger_from_the_app_itself(client):
    page = client.get("/docs").text
    refs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/swagger/swagger-ui-bundle.js" in refs
    assert all(ref.startswith("/") or ref == "data:," for ref in refs), refs
    assert "<script>" not in page  # no inline script: the CSP stays strict on /docs too
    for ref in refs:
        if ref.startswith("/static/"):
            assert client.get(ref).status_code == 200, ref


def test_an_unknown_page_is_a_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is no page at /no/such/page" in response.text
