"""Downloading a document by address or from Slack: real HTTP servers on loopback, a real httpx and a
real slack_sdk WebClient; hostile answers (redirect loops, lies about length, trickles) included."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from slack_sdk import WebClient

from bot.library.fetch import FetchError, Limits, fetch_slack_file, fetch_url
from tests.support.servers import free_port

pytestmark = pytest.mark.unit
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<html><head><title>Kit trial</title></head><body><h1>Kit trial</h1><p>Hello.</p></body></html>"
LOCAL = Limits(max_bytes=10_000, timeout_s=2.0, allow_private=True)
PUBLIC_ONLY = Limits(max_bytes=10_000, timeout_s=1.0)
TOKEN = "xoxb-test"
REPORT = 'attachment; filename="Annual Report 2024.pdf"'
EXPORT = "attachment; filename=\"x.bin\"; filename*=UTF-8''..%2F..%2Fna%C3%AFve%20plan.md"
SlackFixture = tuple["Server", dict[str, dict[str, Any]], WebClient]

Route = Callable[["_Handler"], None]


@dataclass
class Server:
    """A loopback HTTP server whose routes a test controls; it records every request it receives."""

    routes: dict[str, Route]
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # chunked bodies and keep-alive, as real servers answer
    server_state: Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def _route(self, method: str) -> None:
        path = urlsplit(self.path).path
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.server_state.requests.append((method, self.path, headers))
        route = self.server_state.routes.get(path)
        if route is None:  # "/files/*": the longest such prefix
            prefixes = [p for p in self.server_state.routes if p.endswith("*") and path.startswith(p[:-1])]
            route = self.server_state.routes[max(prefixes, key=len)] if prefixes else _not_found
        route(self)

    def answer(self, status: int, body: bytes = b"", content_type: str | None = None, **headers: str) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def chunked(self, chunks: Iterator[bytes], content_type: str = "text/html") -> None:
        """A body without Content-Length: the client cannot know its size before reading it."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for chunk in chunks:
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        except OSError:  # the client gave up, as it should
            self.close_connection = True


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a trickling handler must not hold the test's end

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up on a hostile answer is the point of these tests, not a failure."""


def _not_found(h: _Handler) -> None:
    h.answer(404, b"not here", "text/plain")


@pytest.fixture
def serve() -> Iterator[Callable[[dict[str, Route]], Server]]:
    """Starts servers on 127.0.0.1 (a free port each) and stops them after the test."""
    running: list[ThreadingHTTPServer] = []

    def start(routes: dict[str, Route]) -> Server:
        state = Server(routes)
        handler = type("Handler", (_Handler,), {"server_state": state})
        httpd = _Quiet(("127.0.0.1", 0), handler)
        state.port = httpd.server_address[1]
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        running.append(httpd)
        return state

    yield start
    for httpd in running:
        httpd.shutdown()
        httpd.server_close()


def _trickle(h: _Handler) -> None:
    def drip() -> Iterator[bytes]:
        for _ in range(50):
            yield b"<p>"
            time.sleep(0.1)

    h.chunked(drip())


def _stall(h: _Handler) -> None:
    time.sleep(3)
    h.answer(200, HTML, "text/html")


def _huge_length(h: _Handler) -> None:
    """Claims a gigabyte and sends nothing: only a client that believes the header stops at once."""
    h.send_response(200)
    h.send_header("Content-Type", "application/pdf")
    h.send_header("Content-Length", "1000000000")
    h.end_headers()


def _hang_up(h: _Handler) -> None:
    """Closes the connection without a word, as a crashing server or a reset does."""
    h.close_connection = True


def _site(server: Callable[[dict[str, Route]], Server]) -> Server:
    """The web as a document fetch meets it."""
    site = server({})
    site.routes.update(
        {
            "/doc.pdf": lambda h: h.answer(200, PDF, "application/pdf"),
            "/about": lambda h: h.answer(200, HTML, "text/html; charset=utf-8"),
            "/": lambda h: h.answer(200, HTML, "text/html"),
            "/notes.md": lambda h: h.answer(200, b"# Notes\n\nText.\n", "text/markdown; charset=utf-8"),
            "/readme.md": lambda h: h.answer(200, b"# Read me\n", "text/plain"),
            "/plain": lambda h: h.answer(200, b"Plain words.\n", "text/plain; charset=utf-8"),
            "/untyped.md": lambda h: h.answer(200, b"# Untyped\n"),
            "/r/1": lambda h: h.answer(302, Location="/r/2"),
            "/r/2": lambda h: h.answer(301, Location=f"{site.url}/r/3"),
            "/r/3": lambda h: h.answer(307, Location="../doc.pdf"),
            "/loop": lambda h: h.answer(302, Location="/loop"),
            "/to-loopback": lambda h: h.answer(302, Location=f"http://127.0.0.1:{site.port}/doc.pdf"),
            "/to-ftp": lambda h: h.answer(302, Location="ftp://example.com/doc.pdf"),
            "/missing": lambda h: h.answer(404, b"Not found", "text/plain"),
            "/removed": lambda h: h.answer(410, b"Gone", "text/plain"),
            "/broken": lambda h: h.answer(500, b"oops", "text/plain"),
            "/huge-length": _huge_length,
            "/huge-chunked": lambda h: h.chunked(iter([b"x" * 1024] * 64)),
            "/trickle": _trickle,
            "/stall": _stall,
            "/image.png": lambda h: h.answer(200, b"\x89PNG\r\n\x1a\n", "image/png"),
            "/files/brief.pdf": lambda h: h.answer(200, PDF, "application/octet-stream"),
            "/files/blob": lambda h: h.answer(200, PDF, "application/octet-stream"),
            "/download": lambda h: h.answer(200, PDF, "application/pdf", Content_Disposition=REPORT),
            "/export": lambda h: h.answer(200, b"# Plan\n", "text/markdown", Content_Disposition=EXPORT),
            "/empty": lambda h: h.answer(200, b"", "text/html"),
            "/hang-up": _hang_up,
            "/long/*": lambda h: h.answer(200, HTML, "text/html"),
        }
    )
    return site


@pytest.fixture
def site(serve: Callable[[dict[str, Route]], Server]) -> Server:
    return _site(serve)


def _refused(url: str, limits: Limits = LOCAL) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch_url(url, limits)
    return caught.value


# -- good pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "name", "body"),
    [
        ("/doc.pdf", "doc.pdf", PDF),
        ("/about", "about.html", HTML),
        ("/", "page.html", HTML),
        ("/notes.md", "notes.md", b"# Notes\n\nText.\n"),
        ("/readme.md", "readme.md", b"# Read me\n"),  # text/plain, but the path says Markdown
        ("/plain", "plain.txt", b"Plain words.\n"),
        ("/untyped.md", "untyped.md", b"# Untyped\n"),  # no Content-Type: the path's suffix
        ("/files/brief.pdf", "brief.pdf", PDF),  # octet-stream: the path's suffix
    ],
)
def test_a_page_is_named_by_its_type(site: Server, path: str, name: str, body: bytes) -> None:
    fetched = fetch_url(site.url + path, LOCAL)
    assert (fetched.name, fetched.data, fetched.url) == (name, body, site.url + path)
    assert site.requests[0][2]["user-agent"] == "partnerbot/1 (+document fetch)"


def test_content_disposition_names_the_file(site: Server) -> None:
    assert fetch_url(f"{site.url}/download?id=7", LOCAL).name == "Annual_Report_2024.pdf"
    exported = fetch_url(f"{site.url}/export", LOCAL)  # filename* wins; no folders, no `..`
    assert (exported.name, exported.content_type) == ("na_ve_plan.md", "text/markdown")


def test_a_long_name_is_cut_to_100_characters(site: Server) -> None:
    fetched = fetch_url(f"{site.url}/long/{'a' * 300}.php", LOCAL)
    assert fetched.name == "a" * 95 + ".html"


def test_redirects_are_followed_to_the_final_address(site: Server) -> None:
    fetched = fetch_url(f"{site.url}/r/1", LOCAL)
    assert (fetched.name, fetched.data, fetched.url) == ("doc.pdf", PDF, f"{site.url}/doc.pdf")
    assert site.paths() == ["/r/1", "/r/2", "/r/3", "/doc.pdf"]


# -- refused answers ----------------------------------------------------------------------------


def test_a_redirect_loop_stops(site: Server) -> None:
    error = _refused(f"{site.url}/loop", Limits(max_bytes=10_000, max_redirects=3, allow_private=True))
    assert str(error) == f"{site.url}/loop redirected more than 3 times"
    assert site.paths() == ["/loop"] * 4


def test_a_redirect_to_another_scheme_is_refused(site: Server) -> None:
    error = _refused(f"{site.url}/to-ftp")
    assert "ftp://example.com/doc.pdf is not an http or https address" in str(error)


@pytest.mark.parametrize(("path", "status"), [("/missing", "404 Not Found"), ("/removed", "410 Gone")])
def test_a_page_that_has_gone_says_so(site: Server, path: str, status: str) -> None:
    error = _refused(site.url + path)
    assert (str(error), error.gone) == (f"{site.url}{path} has gone ({status})", True)


def test_a_server_error_is_not_gone(site: Server) -> None:
    error = _refused(f"{site.url}/broken")
    assert (str(error), error.gone) == (f"{site.url}/broken answered 500 Internal Server Error", False)


def test_a_stated_length_over_the_limit_is_refused_unread(site: Server) -> None:
    started = time.monotonic()
    error = _refused(f"{site.url}/huge-length")  # no body follows: reading it would time out instead
    assert str(error) == (
        f"{site.url}/huge-length is larger than the 10,000-byte limit (PARTNERBOT_MAX_FILE_BYTES)"
    )
    assert time.monotonic() - started < 1


def test_a_body_without_length_stops_at_the_limit(site: Server) -> None:
    error = _refused(f"{site.url}/huge-chunked")
    assert "is larger than the 10,000-byte limit (PARTNERBOT_MAX_FILE_BYTES)" in str(error)


@pytest.mark.parametrize("path", ["/trickle", "/stall"])
def test_one_deadline_covers_the_whole_download(site: Server, path: str) -> None:
    started = time.monotonic()
    error = _refused(site.url + path, Limits(max_bytes=10_000, timeout_s=1.0, allow_private=True))
    assert str(error) == f"{site.url}{path} did not answer within 1 s"
    assert time.monotonic() - started < 1.5


def test_an_unreadable_type_is_refused(site: Server) -> None:
    error = _refused(f"{site.url}/image.png")
    assert str(error) == (
        f"{site.url}/image.png is image/png, which partnerbot cannot read "
        "(it reads PDF, DOCX, Markdown, HTML and text)"
    )
    assert "application/octet-stream, which partnerbot cannot read" in str(_refused(f"{site.url}/files/blob"))


def test_an_empty_page_is_refused(site: Server) -> None:
    assert str(_refused(f"{site.url}/empty")) == f"{site.url}/empty is empty"


def test_a_refused_connection_names_the_host() -> None:
    error = _refused(f"http://127.0.0.1:{free_port()}/doc.pdf")
    assert str(error).startswith("cannot connect to 127.0.0.1 (")
    assert "Traceback" not in str(error)


def test_a_failed_tls_handshake_names_the_host(site: Server) -> None:
    error = _refused(f"https://127.0.0.1:{site.port}/doc.pdf")  # the server speaks plain HTTP
    assert str(error).startswith("cannot connect to 127.0.0.1 ([SSL")


def test_a_connection_closed_without_an_answer_names_the_host(site: Server) -> None:
    error = _refused(f"{site.url}/hang-up")
    assert str(error) == (
        "the download from 127.0.0.1 failed (Server disconnected without sending a response.)"
    )


def test_an_unknown_host_is_refused() -> None:
    assert str(_refused("http://no-such-host.invalid/doc.pdf")) == "cannot find the host no-such-host.invalid"


# -- addresses refused before any request -------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "host"),
    [
        ("http://127.0.0.1:{port}/doc.pdf", "127.0.0.1"),
        ("http://localhost:{port}/doc.pdf", "localhost"),
        ("http://[::1]:{port}/doc.pdf", "::1"),
        ("http://[::ffff:127.0.0.1]:{port}/doc.pdf", "::ffff:127.0.0.1"),
        ("http://127.0.0.1:{port}/to-loopback", "127.0.0.1"),
        ("http://0.0.0.0:{port}/doc.pdf", "0.0.0.0"),
        ("http://10.0.0.1/", "10.0.0.1"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ("http://[fd00::1]/", "fd00::1"),
        ("http://[2002:a00:1::]/", "2002:a00:1::"),  # 6to4 of 10.0.0.1
        ("http://[64:ff9b::a9fe:a9fe]/", "64:ff9b::a9fe:a9fe"),  # NAT64 of 169.254.169.254
    ],
)
def test_a_private_address_is_refused_unasked(site: Server, address: str, host: str) -> None:
    error = _refused(address.format(port=site.port), PUBLIC_ONLY)
    assert str(error) == f"{host} is a private address; partnerbot fetches only public web pages"
    assert site.requests == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/doc.pdf", "ftp://example.com/doc.pdf is not an http or https address"),
        ("file:///etc/passwd", "file:///etc/passwd is not an http or https address"),
        ("http://user:pw@example.com/", "the address carries a user name or password"),
        ("http:///doc.pdf", "has no host"),
        ("https://example.com/" + "a" * 2000, "the address is longer than 2,000 characters"),
    ],
)
def test_an_address_that_is_not_a_public_web_page_is_refused(url: str, message: str) -> None:
    error = _refused(url, PUBLIC_ONLY)
    assert message in str(error)
    assert "pw" not in str(error)


# -- Slack uploads -------------------------------------------------------------------------------


@pytest.fixture
def slack(serve: Callable[[dict[str, Route]], Server]) -> SlackFixture:
    """A local Slack: files.info answers from `files`, downloads need the bot token (403 without)."""
    files: dict[str, dict[str, Any]] = {}
    server = serve({})

    def file_info(h: _Handler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        params = dict(parse_qsl(urlsplit(h.path).query) + parse_qsl(h.rfile.read(length).decode()))
        file = files.get(params.get("file", ""))
        answer = {"ok": True, "file": file} if file else {"ok": False, "error": "file_not_found"}
        h.answer(200, json.dumps(answer).encode(), "application/json; charset=utf-8")

    def download(h: _Handler) -> None:
        if h.headers.get("Authorization") != f"Bearer {TOKEN}":
            h.answer(403, b"<html>Sign in to Slack</html>", "text/html")
        elif "login" in h.path:  # a token without files:read: Slack's sign-in page, 200
            h.answer(200, b"<html>Sign in to Slack</html>", "text/html")
        else:
            h.answer(200, PDF, "application/pdf")

    server.routes.update({"/api/files.info": file_info, "/files-pri/*": download})
    client = WebClient(token=TOKEN, base_url=f"{server.url}/api/", timeout=2)
    return server, files, client


def _upload(server: Server, name: str = "Partner Plan (v2).pdf", **fields: Any) -> dict[str, Any]:
    return {
        "id": "F1",
        "name": name,
        "mimetype": "application/pdf",
        "filetype": "pdf",
        "size": len(PDF),
        "url_private": f"{server.url}/files-pri/T1-F1/plan.pdf",
        "url_private_download": f"{server.url}/files-pri/T1-F1/download/plan.pdf",
        **fields,
    }


def test_a_slack_file_is_downloaded_with_the_token(slack: SlackFixture) -> None:
    server, files, client = slack
    files["F1"] = _upload(server)
    fetched = fetch_slack_file(client, "F1", LOCAL)
    assert (fetched.name, fetched.data, fetched.url) == ("Partner_Plan_v2.pdf", PDF, None)
    method, path, headers = server.requests[-1]
    assert (method, path) == ("GET", "/files-pri/T1-F1/download/plan.pdf")
    assert headers["authorization"] == f"Bearer {TOKEN}"


def test_slack_refusing_the_file_names_its_error(slack: SlackFixture) -> None:
    _, _, client = slack
    with pytest.raises(FetchError, match="file_not_found"):
        fetch_slack_file(client, "F404", LOCAL)


def test_a_slack_file_over_the_limit_is_not_downloaded(slack: SlackFixture) -> None:
    server, files, client = slack
    files["F1"] = _upload(server, size=50_000_000)
    with pytest.raises(FetchError) as caught:
        fetch_slack_file(client, "F1", LOCAL)
    assert str(caught.value) == (
        "the Slack file Partner Plan (v2).pdf is larger than the 10,000-byte limit "
        "(PARTNERBOT_MAX_FILE_BYTES)"
    )
    assert not any(path.startswith("/files-pri/") for path in server.paths())


@pytest.mark.parametrize("address", ["http://example.invalid/f", "https://files.slack.com.example.invalid/f"])
def test_the_token_goes_only_to_slack(slack: SlackFixture, address: str) -> None:
    server, files, client = slack
    files["F1"] = _upload(server, url_private_download=address)
    with pytest.raises(FetchError) as caught:
        fetch_slack_file(client, "F1", LOCAL)
    assert str(caught.value) == f"{address} is not a Slack file address; the bot token is sent only to Slack"
    assert server.paths() == ["/api/files.info"]


def test_slack_redirecting_elsewhere_is_refused(slack: SlackFixture) -> None:
    server, files, client = slack
    server.routes["/files-pri/T1-F9/*"] = lambda h: h.answer(302, Location="http://example.invalid/stolen")
    files["F1"] = _upload(server, url_private_download=f"{server.url}/files-pri/T1-F9/x.pdf")
    with pytest.raises(FetchError) as caught:
        fetch_slack_file(client, "F1", LOCAL)
    assert str(caught.value).startswith("http://example.invalid/stolen is not a Slack file address")


def test_slack_sign_in_page_asks_for_the_files_read_scope(
    slack: SlackFixture,
) -> None:
    server, files, client = slack
    files["F1"] = _upload(server, url_private_download=f"{server.url}/files-pri/T1-F1/login/plan.pdf")
    with pytest.raises(FetchError) as caught:
        fetch_slack_file(client, "F1", LOCAL)
    assert str(caught.value) == (
        "Slack did not give the file: the app needs the files:read scope (reinstall it)"
    )


def test_a_slack_file_of_an_unreadable_type_is_not_downloaded(
    slack: SlackFixture,
) -> None:
    server, files, client = slack
    files["F1"] = _upload(server, name="photo.png", mimetype="image/png", filetype="png")
    with pytest.raises(FetchError) as caught:
        fetch_slack_file(client, "F1", LOCAL)
    assert str(caught.value).startswith("the Slack file photo.png is image/png, which partnerbot cannot read")
    assert server.paths() == ["/api/files.info"]
