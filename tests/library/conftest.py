"""Fixtures of the documents tests: a local website whose pages a test writes, changes and takes down.

The fetcher may reach it because the tests' settings allow private addresses (`fetch_private`).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

# A page with a fact no corpus document holds, and the same page rewritten with another.
PILOT_PATH = "/news/calderbrook-pilot.html"
PILOT_QUESTION = "Who evaluates the Calderbrook wound-care pilot?"
OLD_FACT = "Ossett Evaluation Unit"
NEW_FACT = "Thornhill Trials Desk"


def pilot_page(evaluator: str = OLD_FACT) -> str:
    return f"""<!doctype html><html><head><title>Calderbrook wound-care pilot</title></head><body>
<main><h1>Calderbrook wound-care pilot</h1>
<p>The Calderbrook wound-care pilot tests a smart dressing with district nurses in Wakefield.
The Calderbrook wound-care pilot is evaluated by the {evaluator}, which reports every quarter.</p>
<p>Companies wanting to join the Calderbrook pilot write to its evaluator before the next cohort.</p>
</main></body></html>"""


@dataclass
class Page:
    status: int
    body: bytes
    content_type: str


class Website:
    """A website on loopback: `put` a page, change it, `take_down` it (then a 404); `requests`
    counts the GETs of each path, so a test sees how often an address was fetched."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.requests: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def put(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8") -> str:
        data = body.encode() if isinstance(body, str) else body
        with self.lock:
            self.pages[path] = Page(200, data, content_type)
        return self.url(path)

    def take_down(self, path: str) -> None:
        with self.lock:
            self.pages.pop(path, None)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                with site.lock:
                    site.requests[path] += 1
                    page = site.pages.get(path) or Page(404, b"<h1>Not found</h1>", "text/html")
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                self.wfile.write(page.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def __enter__(self) -> Website:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def website() -> Iterator[Website]:
    with Website() as site:
        yield site
