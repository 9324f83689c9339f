"""Security headers on every kind of response, and HSTS when the deployment is served over https."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.state.db import Database
from bot.web.app import create_app
from tests.support.fixtures import slack_api  # noqa: F401  (a fixture)
from tests.web.conftest import sign_in

pytestmark = pytest.mark.integration

PATHS = [
    "/",
    "/sources",
    "/sources/lep-board-healthtech-strategy-2022",
    "/sources/nope",
    "/api/documents",
    "/healthz",
    "/docs",
    "/openapi.json",
    "/static/css/site.css",
]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "http" not in csp  # no outside host is allowed anything
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in headers  # the test deployment is http


def test_error_and_post_responses_carry_them_too(client):
    for response in (client.post("/api/ask", json={}), client.post("/", data={"question": ""})):
        assert "content-security-policy" in response.headers
        assert response.headers["cache-control"] == "no-store"


def test_an_unhandled_crash_is_a_plain_500_with_the_headers_too(web_services, caplog):
    app = create_app(web_services.settings, web_services)

    @app.get("/crash")
    def crash() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/crash")
    assert response.status_code == 500 and response.text == "Internal Server Error"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert "boom" not in response.text
    assert any("unhandled error on GET /crash" in r.getMessage() for r in caplog.records)


def test_answers_are_not_cached_but_static_assets_may_be(client):
    assert client.get("/").headers["cache-control"] == "no-store"
    assert "cache-control" not in client.get("/static/js/ask.js").headers


def test_https_deployment_gets_hsts_and_its_base_url_in_citations(fresh_services):
    services = fresh_services(public_base_url="https://partners.example.org/")
    with TestClient(create_app(services.settings, services), base_url="https://testserver") as client:
        sign_in(client, services)  # the session cookie is Secure: sent over https only
        response = client.post(
            "/api/ask", json={"question": "What are the three headline goals of the healthtech strategy?"}
        )
        assert response.headers["strict-transport-security"].startswith("max-age=")
        urls = [s["url"] for s in response.json()["sources"]]
    assert urls and all(u.startswith("https://partners.example.org/sources/") for u in urls)


SECRETS = {
    "slack_signing_secret": "signing-secret-never-shown",
    "user_hash_key": "hash-key-never-shown",
    "link_secret": "link-secret-never-shown",
}
PROBES = [
    ("GET", "/readyz"),
    ("GET", "/healthz"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/nope"),
    ("POST", "/api/ask"),
    ("GET", "/api/announcements"),
    ("POST", "/slack/events"),
]


@pytest.mark.parametrize("store", ["up", "down"])
def test_no_secret_in_health_schema_docs_or_error_pages(fresh_services, slack_api, store):  # noqa: F811
    """Issue 15: what anyone may fetch names no secret, whether the parts it reports on work or not."""
    services = fresh_services(slack_bot_token=slack_api.token, slack_api_url=slack_api.base_url, **SECRETS)
    if store == "down":  # stopped after start, with a password in its address
        url = "postgresql+psycopg://partner:db-password-never-shown@127.0.0.1:1/x"
        services.db = Database(
            services.settings.model_copy(update={"database_url": url, "db_connect_timeout_s": 1})
        )
    with TestClient(create_app(services.settings, services), raise_server_exceptions=False) as client:
        wrong = {"Authorization": "Bearer pbt_wrong"}
        responses = [client.request(method, path, headers=wrong) for method, path in PROBES]
    assert responses[0].status_code == (200 if store == "up" else 503), responses[0].text
    shown = "\n".join(f"{r.headers}\n{r.text}" for r in responses)
    for secret in [slack_api.token, *SECRETS.values(), "db-password-never-shown", "127.0.0.1:1/"]:
        assert secret not in shown
