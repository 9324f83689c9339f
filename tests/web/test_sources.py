"""The source viewer: the cleaned text with its metadata, one element per cited passage, and ids
that are only ever dictionary keys."""

from __future__ import annotations

import http.client
import re
from html import unescape
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.integration

STRATEGY = "lep-board-healthtech-strategy-2022"


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _chunk_html(page: str, n: int) -> str:
    match = re.search(rf'<div class="chunk" id="chunk-{n}"[^>]*>(.*?)</div>', page, re.S)
    assert match, f"chunk-{n} not rendered"
    return match.group(1)


def test_every_document_renders_its_metadata_and_every_passage(client, services):
    for document, count in services.index.documents():
        response = client.get(f"/sources/{document.doc_id}")
        assert response.status_code == 200
        page = response.text
        assert f"<h1>{document.title}</h1>".replace("'", "&#39;").replace('"', "&#34;") in page
        for value in (document.organisation, document.author, document.published, document.kind):
            if value:
                assert value.replace("'", "&#39;") in page
        ids = re.findall(r'id="chunk-(\d+)"', page)
        assert ids == [str(i) for i in range(count)]


def test_each_passage_element_holds_exactly_the_cited_chunk(client, services):
    _, chunks = services.index.document(STRATEGY)
    page = client.get(f"/sources/{STRATEGY}").text
    for chunk in chunks:
        assert _text(_chunk_html(page, chunk.index)) == " ".join(chunk.text.split())


def test_the_whole_cleaned_text_is_shown(client, services):
    document, _ = services.index.document(STRATEGY)
    article = re.search(
        r'<article class="document"[^>]*>(.*)</article>', client.get(f"/sources/{STRATEGY}").text, re.S
    )
    assert _text(article.group(1)) == " ".join(document.text.split())


def test_original_page_is_linked_where_known_and_its_absence_said_where_not(client, services):
    with_url = next(d for d, _ in services.index.documents() if d.source_url)
    page = client.get(f"/sources/{with_url.doc_id}").text
    assert f'href="{with_url.source_url}"' in page
    assert "Open the original page" in page
    strategy = client.get(f"/sources/{STRATEGY}").text
    assert "Open the original page" not in strategy
    assert "No public page" in strategy


def test_section_headings_become_headings(client):
    page = client.get(f"/sources/{STRATEGY}").text
    assert re.search(r'<h[2-6] class="doc-heading">', page)


def test_chunk_query_parameter_redirects_to_the_fragment(client):
    response = client.get(f"/sources/{STRATEGY}?chunk=3", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/sources/{STRATEGY}#chunk-3"


@pytest.mark.parametrize("chunk", ["999", "-1", "abc", "<b>x</b>", "", "²", "٣", "9" * 5000, "3.0"])
def test_a_missing_passage_shows_the_whole_document_with_a_notice(client, chunk):
    response = client.get(f"/sources/{STRATEGY}", params={"chunk": chunk}, follow_redirects=False)
    assert response.status_code == 200
    assert "has no passage" in response.text
    assert "<b>x</b>" not in response.text


def test_the_documents_page_links_every_document(client, services):
    page = client.get("/sources").text
    for document, _ in services.index.documents():
        assert f'href="/sources/{document.doc_id}"' in page


def test_unknown_id_is_a_404_page(client):
    response = client.get("/sources/no-such-document")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "There is no document with the id" in response.text
    assert '<html lang="en-GB">' in response.text


def test_a_hostile_id_is_escaped_on_the_404_page(client):
    response = client.get("/sources/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert response.status_code == 404
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)" in response.text


TRAVERSALS = [
    "/sources/..%2F..%2F..%2Fetc%2Fpasswd",
    "/sources/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/sources/%2E%2E/%2E%2E/etc/passwd",
    "/sources/..%252F..%252Fetc%252Fpasswd",
    "/sources/....//....//etc/passwd",
    "/sources/..%5C..%5Cetc%5Cpasswd",
    "/sources/%2Fetc%2Fpasswd",
    "/sources/..%2Fcorpus%2Fmanifest.yaml",
    "/sources/manifest.yaml",
    "/sources/lep-board-healthtech-strategy-2022.md",
    "/sources/%00",
    "/static/..%2F..%2Fapp.py",
    "/static/%2e%2e/%2e%2e/app.py",
    "/static/swagger/..%2F..%2F..%2Fbot%2Fweb%2Fapp.py",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_ids_and_static_paths_never_reach_the_file_system(client, path):
    response = client.get(path)
    assert response.status_code == 404, path
    assert "root:" not in response.text
    assert "create_app" not in response.text
    assert "documents:" not in response.text


@pytest.mark.parametrize(
    "path", ["/sources/../../../etc/passwd", "/sources/..%2F..%2Fetc%2Fpasswd", "/static/../web/app.py"]
)
def test_raw_dot_segments_over_a_real_socket_are_404(live_server, path):
    """http.client sends the path byte for byte, so uvicorn's own parsing is what is tested."""
    netloc = urlsplit(live_server.url).netloc
    connection = http.client.HTTPConnection(netloc, timeout=30)
    cookie = "; ".join(f"{name}={value}" for name, value in live_server.cookies.items())
    connection.request("GET", path, headers={"Cookie": cookie})  # signed in: the id is what is tested
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    assert response.status == 404
    assert "root:" not in body and "create_app" not in body
