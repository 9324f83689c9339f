"""Who may read what on the web (issue 11), from the outside: a small corpus with one public, one
partners' and one internal document, served privately (the default) and publicly.

A document the reader may not see must look exactly like one that does not exist.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from bot.links import SESSION, Links
from bot.services import Services
from bot.state import audit
from bot.web.app import create_app
from bot.web.auth import SESSION_COOKIE
from config.settings import load_settings
from retrieval.access import PARTNERS, PUBLIC, Access
from retrieval.assistant import Assistant
from retrieval.embed import Embedder
from tests.conftest import UNLIMITED
from tests.web.conftest import sign_in

pytestmark = pytest.mark.integration

DOCUMENTS = {
    "open-call.md": "# Open innovation call\n\nThe open innovation call accepts applications from any "
    "healthtech company until 30 June 2027.\n",
    "partner-briefing.md": "# Partner briefing\n\nThe pilot budget for 2027 is £400,000, shared among the "
    "partner trusts.\n",
    "board-minutes.md": "# Board minutes\n\nThe board agreed that the lease of the Harrogate site ends in "
    "March 2028.\n",
}
MANIFEST = """
documents:
  - {file: open-call.md, id: open-call, title: Open innovation call, visibility: public}
  - {file: partner-briefing.md, id: partner-briefing, title: Partner briefing}
  - {file: board-minutes.md, id: board-minutes, title: Board minutes,
     visibility: internal, readers: [S0BOARD]}
"""
BUDGET = "How much is the pilot budget for 2027?"
LEASE = "When does the lease of the Harrogate site end?"
CALL = "Until when does the open innovation call accept applications?"
BOARD = Access(partner=True, groups=frozenset({"S0BOARD"}))
DAY = 86400


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Services:
    """The small corpus, indexed in a folder of its own, served privately."""
    root = tmp_path_factory.mktemp("access")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "manifest.yaml").write_text(MANIFEST, encoding="utf-8")
    for name, text in DOCUMENTS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = load_settings(data_dir=root / "data", corpus_dir=corpus, **UNLIMITED)
    return Services.open(settings, Assistant(settings, embedder=embedder))


@pytest.fixture(scope="module")
def public(private: Services) -> Services:
    """The same index and state, on a deployment with PARTNERBOT_WEB_PUBLIC=true."""
    settings = private.settings.model_copy(update={"web_public": True})
    return Services(settings, private.assistant, private.db)


def _client(services: Services) -> TestClient:
    return TestClient(create_app(services.settings, services))


@pytest.fixture(scope="module")
def nobody(private: Services) -> Iterator[TestClient]:
    """An anonymous visitor of the private deployment."""
    with _client(private) as client:
        yield client


@pytest.fixture(scope="module")
def visitor(public: Services) -> Iterator[TestClient]:
    """An anonymous visitor of the public deployment."""
    with _client(public) as client:
        yield client


@pytest.fixture(scope="module")
def partner(private: Services) -> Iterator[TestClient]:
    with _client(private) as client:
        yield sign_in(client, private)


def _cited(client: TestClient, question: str, **kwargs: object) -> set[str]:
    """The documents an answer shows, cited or nearest."""
    response = client.post("/api/ask", json={"question": question}, **kwargs)
    assert response.status_code == 200, response.text
    return {s["doc_id"] for s in response.json()["sources"]}


def _listed(client: TestClient, **kwargs: object) -> tuple[set[str], set[str]]:
    """The documents /api/documents and the /sources page show."""
    api = client.get("/api/documents", **kwargs)
    page = client.get("/sources", **kwargs)
    assert api.status_code == page.status_code == 200
    return {d["doc_id"] for d in api.json()}, set(re.findall(r'href="/sources/([^"]+)"', page.text))


def _same_as_missing(
    client: TestClient, doc_id: str, links: Links | None = None, access: Access = PUBLIC
) -> None:
    """The viewer's answer for `doc_id` is, byte for byte but the id, the one for no document at all
    (each asked for with a link of `links` signed for `access`, when given)."""

    def view(wanted: str) -> httpx.Response:
        return client.get(f"/sources/{wanted}" + (f"?t={links.token(wanted, access)}" if links else ""))

    hidden, missing = view(doc_id), view("no-such-document")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text.replace(doc_id, "ID") == missing.text.replace("no-such-document", "ID")
    assert _headers(hidden) == _headers(missing)


def _headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k != "content-length"}


# -- private, the default ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/sources", "/sources/partner-briefing", "/sources/open-call", "/sources/no-such-document"]
)
def test_a_private_deployment_refuses_anonymous_pages_saying_how_to_get_in(nobody, path):
    response = nobody.get(path)
    assert response.status_code == 401
    assert "<h1>This partnerbot is private</h1>" in response.text
    assert "“Open the web page” on partnerbot's Home tab" in response.text
    assert "<code>partnerbot link</code>" in response.text
    if path.startswith("/sources/"):  # whether a document exists is not given away
        missing = nobody.get("/sources/no-such-document")
        assert response.text == missing.text and _headers(response) == _headers(missing)


def test_a_private_deployment_refuses_the_anonymous_api_with_a_bearer_challenge(nobody):
    for response in (nobody.post("/api/ask", json={"question": BUDGET}), nobody.get("/api/documents")):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert "this partnerbot is private: send Authorization: Bearer" in response.json()["detail"]
    assert nobody.post("/", data={"question": BUDGET}).status_code == 401
    assert nobody.get("/healthz").status_code == 200 and nobody.get("/docs").status_code == 200


def test_a_partner_sees_partners_documents_and_no_internal_one(partner):
    assert _listed(partner) == ({"open-call", "partner-briefing"},) * 2
    assert "partner-briefing" in _cited(partner, BUDGET)
    assert "board-minutes" not in _cited(partner, LEASE)
    assert partner.get("/sources/partner-briefing").status_code == 200
    _same_as_missing(partner, "board-minutes")


def test_an_internal_document_is_read_with_a_token_of_its_group(private, nobody):
    token = private.create_token("board-portal", ["ask"], ["S0BOARD"])
    auth = {"Authorization": f"Bearer {token}"}
    assert _listed(nobody, headers=auth) == ({"open-call", "partner-briefing", "board-minutes"},) * 2
    answer = nobody.post("/api/ask", json={"question": LEASE}, headers=auth).json()
    cited = next(s for s in answer["sources"] if s["doc_id"] == "board-minutes")
    assert answer["answered"] and "March 2028" in answer["answer"]
    viewer = nobody.get(cited["url"].split("#")[0])  # the signed link alone opens it
    assert viewer.status_code == 200 and "Harrogate" in viewer.text


# -- public ----------------------------------------------------------------------------------------


def test_a_public_deployment_shows_anonymous_visitors_the_public_documents_and_nothing_else(visitor, public):
    assert _listed(visitor) == ({"open-call"}, {"open-call"})
    url = visitor.get("/api/documents").json()[0]["url"]
    assert public.links.check(url.split("?t=")[1], "open-call").access == PUBLIC
    assert visitor.get("/").status_code == 200
    assert visitor.get("/sources/open-call").status_code == 200
    for hidden in ("partner-briefing", "board-minutes"):
        _same_as_missing(visitor, hidden)
    assert _cited(visitor, CALL) == {"open-call"}
    for question in (BUDGET, LEASE):
        answer = visitor.post("/api/ask", json={"question": question}).json()
        assert {s["doc_id"] for s in answer["sources"]} <= {"open-call"}  # not even among the nearest
        assert "400,000" not in answer["answer"] and "2028" not in answer["answer"]
    page = visitor.post("/", data={"question": BUDGET}).text
    assert "Partner briefing" not in page and "400,000" not in page


def test_on_a_public_deployment_a_session_still_gives_a_partner_more(visitor, public):
    with _client(public) as client:
        sign_in(client, public)
        assert "partner-briefing" in _listed(client)[0]
        assert "partner-briefing" in _cited(client, BUDGET)


# -- signed links ----------------------------------------------------------------------------------


def _altered(token: str, part: int) -> str:
    """One character of the payload (0) or the signature (1) changed."""
    pieces = token.split(".")
    text, middle = pieces[part], len(pieces[part]) // 2
    pieces[part] = text[:middle] + ("A" if text[middle] != "A" else "B") + text[middle + 1 :]
    return ".".join(pieces)


def test_a_citation_link_opens_its_document_without_a_session(private, nobody):
    token = private.links.token("partner-briefing", PARTNERS)
    response = nobody.get(f"/sources/partner-briefing?t={token}")
    assert response.status_code == 200 and "£400,000" in response.text
    jump = nobody.get(f"/sources/partner-briefing?chunk=0&t={token}", follow_redirects=False)
    assert jump.status_code == 303
    assert jump.headers["location"] == f"/sources/partner-briefing?t={token}#chunk-0"  # still signed
    assert nobody.get(jump.headers["location"]).status_code == 200
    assert nobody.get("/sources/partner-briefing").status_code == 401  # the token is not kept


def test_bad_links_are_refused_with_a_page_saying_why(private, nobody):
    token = private.links.token("partner-briefing", PARTNERS)
    other = Links(private.settings.model_copy(update={"link_secret": SecretStr("another-deployment")}))
    expired = Links(private.settings, clock=lambda: time.time() - 8 * DAY).token("partner-briefing", PARTNERS)
    refused = {
        "forged": (other.token("partner-briefing", PARTNERS), "not valid: it was changed, cut short"),
        "payload changed": (_altered(token, 0), "not valid: it was changed, cut short"),
        "signature changed": (_altered(token, 1), "not valid: it was changed, cut short"),
        "cut short": (token[:-3], "not valid: it was changed, cut short"),
        "expired": (expired, "This link expired on"),
        "another document": (private.links.token("open-call", PARTNERS), "This link opens another document"),
    }
    for case, (bad, reason) in refused.items():
        response = nobody.get(f"/sources/partner-briefing?t={bad}")
        assert response.status_code == 403, case
        assert "<h1>This link cannot be opened</h1>" in response.text and reason in response.text, case
        # whether the document exists is not given away either
        assert nobody.get(f"/sources/no-such-document?t={bad}").status_code == 403, case


def test_a_link_opens_only_what_its_rights_allow(private, nobody):
    _same_as_missing(nobody, "partner-briefing", private.links, PUBLIC)  # e.g. closed since it was cited
    _same_as_missing(nobody, "board-minutes", private.links, PARTNERS)


def test_a_document_link_is_not_a_session(private, nobody):
    token = private.links.token("partner-briefing", PARTNERS)
    assert nobody.get(f"/?t={token}", follow_redirects=False).status_code == 403
    assert nobody.get(f"/sources?t={token}").status_code == 403
    for query in (f"?t={token}", f"?t={token}&doc_id=partner-briefing"):  # the id comes from the path
        response = nobody.post(f"/api/ask{query}", json={"question": BUDGET})
        assert response.status_code == 403 and response.json()["detail"] == "this link opens another document"
    assert SESSION_COOKIE not in nobody.cookies


def test_links_survive_a_restart_and_work_on_every_replica_sharing_the_secret(private, tmp_path):
    def replica(data: Path, secret: str | None) -> TestClient:
        link_secret = SecretStr(secret) if secret else None  # as PARTNERBOT_LINK_SECRET reads
        settings = private.settings.model_copy(update={"data_dir": data, "link_secret": link_secret})
        return _client(Services(settings, private.assistant, private.db))

    def opens(client: TestClient, token: str) -> int:
        with client:
            return client.get(f"/sources/partner-briefing?t={token}").status_code

    first = replica(tmp_path / "a", "shared-secret")
    token = first.app.state.services.links.token("partner-briefing", PARTNERS)
    assert opens(first, token) == 200
    assert opens(replica(tmp_path / "b", "shared-secret"), token) == 200  # another data folder
    assert opens(replica(tmp_path / "b", "another-secret"), token) == 403
    keyed = replica(tmp_path / "c", None)  # no secret set: a key file in the data folder
    token = keyed.app.state.services.links.token("partner-briefing", PARTNERS)
    assert (tmp_path / "c" / "link-secret.key").is_file()
    assert opens(replica(tmp_path / "c", None), token) == 200  # restarted: the same key
    assert opens(replica(tmp_path / "d", None), token) == 403  # its own key


# -- sessions --------------------------------------------------------------------------------------


def test_a_session_link_signs_the_browser_in_with_a_safe_cookie(private):
    token = private.links.token(SESSION, PARTNERS)
    with _client(private) as browser:
        response = browser.get(f"/?t={token}", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/"
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}={token};")
        flags = {flag.strip().lower() for flag in cookie.split(";")[1:]}
        assert {"httponly", "path=/", "samesite=lax"} <= flags and "secure" not in flags
        max_age = next(int(f.split("=")[1]) for f in flags if f.startswith("max-age="))
        assert 7 * DAY - 5 <= max_age <= 7 * DAY  # as long as the link lasts
        assert browser.get("/").status_code == 200
        assert browser.post("/api/ask", json={"question": BUDGET}).status_code == 200
        assert browser.post("/", data={"question": BUDGET}).status_code == 200


def test_the_session_cookie_is_secure_behind_https(private):
    settings = private.settings.model_copy(update={"public_base_url": "https://partners.example.org"})
    services = Services(settings, private.assistant, private.db)
    with TestClient(create_app(settings, services), base_url="https://testserver") as browser:
        response = browser.get(f"/?t={services.links.token(SESSION, PARTNERS)}", follow_redirects=False)
    assert "secure" in {flag.strip().lower() for flag in response.headers["set-cookie"].split(";")}


def test_a_public_session_reads_public_documents_only(private):
    with _client(private) as browser:
        sign_in(browser, private, PUBLIC)  # `partnerbot link --as public`
        assert _listed(browser) == ({"open-call"}, {"open-call"})


def test_bad_and_ended_sessions_say_why(private):
    ended = Links(private.settings, clock=lambda: time.time() - 8 * DAY).token(SESSION, PARTNERS)
    with _client(private) as browser:
        bad = browser.get(f"/?t={_altered(private.links.token(SESSION, PARTNERS), 1)}")
        assert bad.status_code == 403 and "not valid" in bad.text
        browser.cookies.set(SESSION_COOKIE, ended, domain="testserver.local")  # as a browser kept it
        page = browser.get("/")
        assert page.status_code == 401
        assert "your session cannot be used: this link expired on" in page.text
        api = browser.post("/api/ask", json={"question": BUDGET})
        assert api.status_code == 401 and "this link expired on" in api.json()["detail"]
        assert sign_in(browser, private).get("/").status_code == 200  # a fresh link replaces it


# -- API tokens and their scopes -------------------------------------------------------------------


def test_each_api_takes_only_tokens_of_its_scope(private, nobody):
    ask = private.create_token("dashboard", ["ask"])
    announce = private.create_token("newsletter-tool", ["announce"])
    both = private.create_token("intranet", ["ask", "announce"])

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    assert nobody.post("/api/ask", json={"question": BUDGET}, headers=bearer(ask)).status_code == 200
    assert "partner-briefing" in _listed(nobody, headers=bearer(both))[0]
    for path in ("/api/documents", "/sources"):
        refused = nobody.get(path, headers=bearer(announce))
        assert refused.status_code == 403, path
    detail = nobody.get("/api/documents", headers=bearer(announce)).json()["detail"]
    assert detail == (
        "the token 'newsletter-tool' has no ask scope: make one with partnerbot token create NAME --scope ask"
    )
    assert nobody.get("/api/announcements", headers=bearer(announce)).status_code == 200
    assert nobody.get("/api/announcements", headers=bearer(both)).status_code == 200
    wrong = nobody.get("/api/announcements", headers=bearer(ask))
    assert wrong.status_code == 403 and "insufficient_scope" in wrong.headers["www-authenticate"]
    refusals = {(e.action, e.actor, e.reason) for e in audit.entries(private.db) if not e.allowed}
    assert ("ask", "api:newsletter-tool", "no ask scope") in refusals
    assert ("announce", "api:dashboard", "no announce scope") in refusals


def test_wrong_tokens_on_the_ask_api_are_throttled_and_audited(private):
    with _client(private) as client:
        codes = [
            client.get("/api/documents", headers={"Authorization": f"Bearer pbt_guess-{i}"}).status_code
            for i in range(12)
        ]
        signed_in = sign_in(client, private).get("/api/documents", headers={"Authorization": "Bearer x"})
    assert codes == [401] * 10 + [429] * 2
    assert signed_in.status_code == 429  # a bearer token is looked at first, whatever else is sent
    refused = [(e.action, e.reason) for e in audit.entries(private.db)]
    assert refused.count(("ask", "unknown or revoked token")) >= 10
