"""Download a document the communications group adds: a web address, or a file uploaded to Slack.

Addresses come from people and pages from anyone, so both are distrusted:
- every connection, the first and each redirect alike, goes only to a public address: the host is
  resolved once, every address checked, and the connection made to a checked address (a second
  lookup could answer differently: DNS rebinding);
- redirects are followed one at a time, each address checked again;
- one deadline covers the whole download, however slowly a server trickles its bytes;
- the body is read only up to the size limit, whatever the server says its length is;
- the bot token goes only to Slack's own hosts.
Every failure is a FetchError whose message is one sentence for the person who asked.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import Message
from email.utils import collapse_rfc2231_value
from typing import Any, TypeVar
from urllib.parse import unquote

import httpcore
import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from config.errors import PartnerbotError
from corpus.load import SUFFIXES

USER_AGENT = "partnerbot/1 (+document fetch)"
MAX_URL = 2_000
MAX_NAME = 100
READS = "it reads PDF, DOCX, Markdown, HTML and text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SUFFIX_OF_TYPE = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    DOCX: ".docx",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "text/plain": ".txt",
}
# A name's own suffix kept when the type says the same reader: `notes.md` served as text/plain stays Markdown.
KEEP = {".html": (".html", ".htm"), ".md": (".md", ".markdown"), ".txt": (".txt", ".md", ".markdown")}
GENERIC = ("", "application/octet-stream", "binary/octet-stream")  # the server does not know either
SUFFIX_OF_SLACK_TYPE = {"pdf": ".pdf", "docx": ".docx", "markdown": ".md", "text": ".txt", "html": ".html"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_T = TypeVar("_T")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # IPv6 addresses that reach an IPv4 one through a gateway


@dataclass(frozen=True)
class Fetched:
    name: str  # a file name whose suffix tells the corpus reader its format: "report.pdf", "page.html"
    data: bytes
    url: str | None  # the final address after redirects; None for a Slack upload
    content_type: str | None


class FetchError(PartnerbotError):
    """One sentence for the person who tried, e.g. 'https://x/y answered 404 Not Found'."""

    def __init__(self, message: str, *, gone: bool = False) -> None:
        super().__init__(message)
        self.gone = gone  # the page answered 404 or 410: a refresh reports it gone, not broken


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    timeout_s: float = 20.0  # the whole download, not each read
    max_redirects: int = 5
    allow_private: bool = False  # loopback/private addresses allowed (tests, an intranet); off by default


# -- web addresses ------------------------------------------------------------------------------


def fetch_url(url: str, limits: Limits) -> Fetched:
    """The document at a public web address, named so that the corpus reader knows its format."""
    start = _checked_url(url)
    network = _Network(limits.timeout_s, allow_private=limits.allow_private)
    response, name, data = _download(start, limits, network, headers={}, inspect=_page_name)
    return Fetched(name, data, str(response.url), response.headers.get("content-type"))


def _page_name(response: httpx.Response) -> str:
    """Named before the body is read, so that an image or a video is refused unread."""
    raw = _disposition_name(response.headers.get("content-disposition")) or _last_segment(response.url)
    return _file_name(raw, response.headers.get("content-type"), "page", str(response.url))


def _checked_url(url: str) -> httpx.URL:
    """An http(s) address with a host and no credentials, or a FetchError saying what is wrong."""
    if len(url) > MAX_URL:
        raise FetchError(f"the address is longer than {MAX_URL:,} characters")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError(f"{url} is not a web address ({exc})") from exc
    if parsed.scheme not in ("http", "https"):
        raise FetchError(f"{url} is not an http or https address; partnerbot fetches only web pages")
    if not parsed.host:
        raise FetchError(f"{url} has no host")
    if parsed.userinfo:  # not echoed: it holds a password
        raise FetchError("the address carries a user name or password; partnerbot does not send credentials")
    return parsed


def _last_segment(url: httpx.URL) -> str:
    return unquote(url.path.rstrip("/").rsplit("/", 1)[-1])


def _disposition_name(header: str | None) -> str | None:
    """The file name a Content-Disposition gives: `filename*=UTF-8''…` (RFC 6266) before `filename`."""
    if not header:
        return None
    message = Message()
    message["content-disposition"] = header
    try:
        params = message.get_params(header="content-disposition") or []
        names = [value for key, value in params if key.lower() == "filename" and value]
        encoded = [value for value in names if isinstance(value, tuple)]
        chosen = encoded[0] if encoded else names[0] if names else None
        name = collapse_rfc2231_value(chosen) if chosen else None
    except (ValueError, LookupError, TypeError):  # a malformed header is no name, not a failure
        return None
    return name if name and name.strip() else None


# -- Slack uploads -------------------------------------------------------------------------------


def fetch_slack_file(client: WebClient, file_id: str, limits: Limits) -> Fetched:
    """A file someone uploaded to Slack, downloaded with the bot token, which goes to Slack alone."""
    file = _file_info(client, file_id)
    name = str(file.get("name") or file.get("title") or file_id)
    mimetype = str(file.get("mimetype") or "") or None
    what = f"the Slack file {name}"
    size = file.get("size")
    if isinstance(size, int) and size > limits.max_bytes:
        raise _too_large(what, limits)
    address = file.get("url_private_download") or file.get("url_private")
    if not address:
        raise FetchError(f"Slack gave no download address for {name}")
    slack_type = SUFFIX_OF_SLACK_TYPE.get(str(file.get("filetype") or "").lower())
    file_name = _file_name(name, mimetype, "file", what, fallback_suffix=slack_type)
    base = _api_url(client.base_url)

    def check(url: httpx.URL) -> None:
        if not _is_slack(url, base):
            raise FetchError(f"{url} is not a Slack file address; the bot token is sent only to Slack")

    def signed_in(response: httpx.Response) -> None:
        if _media(mimetype) != "text/html" and _media(response.headers.get("content-type")) == "text/html":
            raise FetchError("Slack did not give the file: the app needs the files:read scope (reinstall it)")

    if not client.token:
        raise FetchError("the Slack client has no bot token to download the file with")
    start = _checked_url(str(address))
    check(start)
    network = _Network(limits.timeout_s, allow_private=True)  # Slack's own hosts: no address check
    headers = {"Authorization": f"Bearer {client.token}"}
    _, _, data = _download(start, limits, network, headers=headers, check=check, inspect=signed_in, what=what)
    return Fetched(file_name, data, None, mimetype)


def _file_info(client: WebClient, file_id: str) -> dict[str, Any]:
    try:
        answer = client.files_info(file=file_id)
    except SlackApiError as exc:
        raise FetchError(f"Slack did not give the file {file_id}: {exc.response.get('error')}") from exc
    except (SlackClientError, OSError, ValueError) as exc:
        raise FetchError(f"Slack could not be reached for the file {file_id} ({_reason(exc)})") from exc
    file = answer.get("file")
    if not isinstance(file, dict):
        raise FetchError(f"Slack did not describe the file {file_id}")
    return file


def _api_url(base_url: str) -> httpx.URL | None:
    try:
        return httpx.URL(base_url)
    except httpx.InvalidURL:
        return None


def _is_slack(url: httpx.URL, base: httpx.URL | None) -> bool:
    """Slack's hosts over https, or the host of the client's API itself (a local Slack in tests)."""
    host = url.host.lower()
    if base is not None and (url.scheme, host, url.port) == (base.scheme, base.host.lower(), base.port):
        return True
    return url.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com"))


# -- one download --------------------------------------------------------------------------------


def _download(
    start: httpx.URL,
    limits: Limits,
    network: _Network,
    *,
    headers: dict[str, str],
    inspect: Callable[[httpx.Response], _T],
    check: Callable[[httpx.URL], None] | None = None,
    what: str | None = None,
) -> tuple[httpx.Response, _T, bytes]:
    """The final response, what `inspect` made of its headers, and its body; redirects are followed
    by hand, each address checked (`check`, then the network's address check) before it is asked."""
    url = start
    transport = _Transport(network)
    with httpx.Client(
        transport=transport,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **headers},
        timeout=httpx.Timeout(limits.timeout_s),
        follow_redirects=False,
        trust_env=False,  # no proxy from the environment: the connection is made to the checked address
    ) as client:
        for _ in range(limits.max_redirects + 1):
            label = what or str(url)
            try:
                with client.stream("GET", url) as response:
                    if response.is_redirect:
                        url = _redirect(url, response.headers["location"])
                        if check is not None:
                            check(url)
                        continue
                    _check_status(response, label)
                    inspected = inspect(response)
                    return response, inspected, _body(response, limits, network, label)
            except httpx.TimeoutException as exc:
                raise FetchError(f"{label} did not answer within {limits.timeout_s:g} s") from exc
            except httpx.ConnectError as exc:
                raise FetchError(f"cannot connect to {url.host} ({_reason(exc)})") from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"the download from {url.host} failed ({_reason(exc)})") from exc
    raise FetchError(f"{what or start} redirected more than {limits.max_redirects} times")


def _redirect(url: httpx.URL, location: str) -> httpx.URL:
    try:
        target = url.join(location)
    except httpx.InvalidURL as exc:
        raise FetchError(f"{url} redirected to an invalid address ({exc})") from exc
    return _checked_url(str(target))


def _check_status(response: httpx.Response, label: str) -> None:
    status = f"{response.status_code} {response.reason_phrase}".strip()
    if response.status_code in (404, 410):
        raise FetchError(f"{label} has gone ({status})", gone=True)
    if not 200 <= response.status_code < 300:
        raise FetchError(f"{label} answered {status}")


def _body(response: httpx.Response, limits: Limits, network: _Network, label: str) -> bytes:
    """At most `max_bytes`, whatever Content-Length claims; the deadline is checked between reads too."""
    length = response.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and int(length) > limits.max_bytes:
        raise _too_large(label, limits)
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > limits.max_bytes:
            raise _too_large(label, limits)
        if network.left() <= 0:
            raise FetchError(f"{label} did not answer within {limits.timeout_s:g} s")
    if not body:
        raise FetchError(f"{label} is empty")
    return bytes(body)


def _too_large(label: str, limits: Limits) -> FetchError:
    return FetchError(
        f"{label} is larger than the {limits.max_bytes:,}-byte limit (PARTNERBOT_MAX_FILE_BYTES)"
    )


def _reason(exc: BaseException) -> str:
    """The first line of an error, short: a TLS or socket error can run to paragraphs."""
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:200]


# -- the file name -------------------------------------------------------------------------------


def _file_name(
    raw: str, content_type: str | None, fallback: str, what: str, *, fallback_suffix: str | None = None
) -> str:
    """A safe name (`[A-Za-z0-9._-]`, ≤ 100 characters) whose suffix is the format the type says."""
    base = _UNSAFE.sub("_", raw.replace("\\", "/").rsplit("/", 1)[-1])
    stem, suffix = os.path.splitext(base)
    suffix = suffix.lower()
    if suffix not in SUFFIXES:  # `index.php` served as HTML becomes `index.php.html`
        stem, suffix = base, ""
    stem = stem.strip("._-") or fallback  # no hidden files, no `..`, no leading dash
    suffix = _suffix(suffix, content_type, what, fallback_suffix)
    return stem[: MAX_NAME - len(suffix)].rstrip(".") + suffix


def _suffix(suffix: str, content_type: str | None, what: str, fallback_suffix: str | None) -> str:
    media = _media(content_type)
    if media in SUFFIX_OF_TYPE:
        wanted = SUFFIX_OF_TYPE[media]
        return suffix if suffix in KEEP.get(wanted, (wanted,)) else wanted
    if media in GENERIC and (suffix or fallback_suffix):
        return suffix or fallback_suffix or ""
    described = media or "of no stated type"
    raise FetchError(f"{what} is {described}, which partnerbot cannot read ({READS})")


def _media(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


# -- the network: checked addresses, one deadline ------------------------------------------------


def _is_private(address: str) -> bool:
    """Anything but a public unicast address; IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as IPv4."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # fe80::1%eth0: the scope is no part of it
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return _is_private(str(ip.ipv4_mapped))
        embedded = ip.sixtofour or (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if ip.is_site_local or (embedded is not None and _is_private(str(embedded))):
            return True
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _addresses(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The addresses of `host`, resolved once: the connection goes to one of these, not to a second
    answer of the DNS. One private address among them is enough to refuse, unless allowed."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"cannot find the host {host}") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not addresses:
        raise FetchError(f"cannot find the host {host}")
    if not allow_private and any(_is_private(address) for address in addresses):
        raise FetchError(f"{host} is a private address; partnerbot fetches only public web pages")
    return addresses


class _Network(httpcore.NetworkBackend):
    """httpcore's sockets, opened only to checked addresses, every read and write ending by the deadline."""

    def __init__(self, timeout_s: float, *, allow_private: bool) -> None:
        self.deadline = time.monotonic() + timeout_s
        self.allow_private = allow_private
        self._sockets = httpcore.SyncBackend()

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def within(self, timeout: float | None, error: type[Exception]) -> float:
        left = self.left()
        if left <= 0:
            raise error("the download's deadline passed")
        return left if timeout is None else min(timeout, left)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _addresses(host, port, allow_private=self.allow_private)
        failure: httpcore.ConnectError | None = None
        for address in addresses:  # as socket.create_connection does: the next address if one fails
            limit = self.within(timeout, httpcore.ConnectTimeout)
            try:
                stream = self._sockets.connect_tcp(address, port, limit, local_address, socket_options)
            except httpcore.ConnectError as exc:
                failure = exc
                continue
            return _Stream(stream, self)
        raise failure or httpcore.ConnectError(f"no address for {host}")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _Stream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the download's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, network: _Network) -> None:
        self._stream = stream
        self._network = network

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._network.within(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._network.within(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        timeout = self._network.within(timeout, httpcore.ConnectTimeout)
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, timeout), self._network)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Transport(httpx.HTTPTransport):
    """httpx's transport over `_Network`: httpx takes no network backend, its pool (httpcore) does."""

    def __init__(self, network: _Network) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(), network_backend=network)
