"""/api/documents/… on the real app: documents added by address (from a local website) or upload,
answered, listed, shown, refreshed and removed; the schedule that refreshes them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from bot.library.service import Library
from bot.services import Services
from bot.state import audit, tokens
from bot.state import library as store
from bot.state.models import now
from bot.web.app import create_app
from retrieval.access import EVERYTHING
from tests.library.conftest import NEW_FACT, OLD_FACT, PILOT_PATH, PILOT_QUESTION, Website, pilot_page
from tests.web.conftest import sign_in

pytestmark = pytest.mark.integration

CORPUS_DOC = "lep-board-healthtech-strategy-2022"
MAX_FILE_BYTES = 200_000
SCHEDULE = "partnerbot-documents-schedule"
NOTE = """# Kirkstall sensor library

The Kirkstall sensor library lends wearable sensors to SMEs for eight-week NHS pilots.
Borrowers sign the loan agreement held by the Bramley Devices Office.
"""


class Api:
    """The app with a documents token; every response's status must be one its route documents."""

    def __init__(self, client: TestClient, services: Services, token: str, site: Website) -> None:
        self.client, self.services, self.token, self.site = client, services, token, site
        self.schema = client.get("/openapi.json").json()

    def call(self, method: str, path: str, token: str | None = "", **kwargs: Any) -> Any:
        headers = kwargs.pop("headers", {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token or self.token}"
        response = self.client.request(method, path, headers=headers, **kwargs)
        routes = [  # the documented routes of this address and method, literal segments first
            p
            for p in sorted(self.schema["paths"], key=lambda p: p.count("{"))
            if _matches(p, urlsplit(path).path) and method.lower() in self.schema["paths"][p]
        ]
        assert routes, (method, path)
        documented = self.schema["paths"][routes[0]][method.lower()]["responses"]
        assert str(response.status_code) in documented, (method, path, response.status_code, response.text)
        return response

    def add(self, payload: dict[str, Any], **headers: str) -> Any:
        return self.call("POST", "/api/documents", json=payload, headers=headers)

    def upload(self, name: str, data: bytes, **form: Any) -> Any:
        return self.call("POST", "/api/documents/upload", files={"file": (name, data)}, data=form)

    def added(self, removed: bool = False) -> list[dict[str, Any]]:
        response = self.call("GET", f"/api/documents/added?removed={str(removed).lower()}")
        assert response.status_code == 200, response.text
        return response.json()

    def cites(self, doc_id: str, question: str = PILOT_QUESTION) -> str | None:
        """The answer's text when it cites `doc_id`, else None."""
        answer, _ = self.services.answer(question, surface="web", access=EVERYTHING)
        return answer.answer if any(s.doc_id == doc_id for s in answer.sources) else None


def _matches(template: str, path: str) -> bool:
    parts, wanted = template.strip("/").split("/"), path.strip("/").split("/")
    return len(parts) == len(wanted) and all(
        p == w or (p.startswith("{") and p.endswith("}")) for p, w in zip(parts, wanted, strict=True)
    )


@pytest.fixture
def api(fresh_services, website: Website) -> Iterator[Api]:
    """No schedule thread here (refresh_hours 0): these tests refresh when they say so."""
    services = fresh_services(fetch_private=True, refresh_hours=0, max_file_bytes=MAX_FILE_BYTES)
    token = tokens.create(services.db, "cms", ["documents"])
    with TestClient(create_app(services.settings, services)) as client:
        yield Api(client, services, token, website)


def _untouched(api: Api, version: int, count: int) -> None:
    """Nothing was indexed or recorded."""
    assert api.services.index.version == version and api.services.index.vectors.count() == count
    assert api.added(removed=True) == []
    assert not [d for d, _ in api.services.index.documents() if d.origin == "library"]


def test_a_page_added_by_address_is_answered_listed_and_shown_at_once(api: Api) -> None:
    url = api.site.put(PILOT_PATH, pilot_page())
    payload = {
        "url": url,
        "organisation": "Calderbrook Partnership",
        "published": "2025-03",
        "kind": "news",
        "author": "Dr Ruth Oyelaran",
        "topics": ["wound care", "pilots"],
    }
    response = api.add(payload)
    assert response.status_code == 201, response.text
    record = response.json()
    doc_id = record["doc_id"]
    assert doc_id == "calderbrook-wound-care-pilot"
    assert (record["title"], record["organisation"], record["published"], record["kind"]) == (
        "Calderbrook wound-care pilot",
        "Calderbrook Partnership",
        "2025-03",
        "news",
    )
    assert (record["status"], record["url"], record["added_by"], record["source"]) == (
        "indexed",
        url,
        "api:cms",
        "api",
    )
    assert (record["author"], record["topics"]) == ("Dr Ruth Oyelaran", ["wound care", "pilots"])
    indexed, _ = api.services.index.document(doc_id)
    assert (indexed.author, indexed.topics) == ("Dr Ruth Oyelaran", ("wound care", "pilots"))
    assert record["passages"] > 0 and record["refreshed_at"] and record["problem"] is None
    assert record["viewer"].startswith(f"{api.services.settings.public_base_url}/sources/{doc_id}?t=")

    text = api.cites(doc_id)
    assert text is not None and OLD_FACT in text
    sign_in(api.client, api.services)  # a partner's browser: the question API and the viewer
    asked = api.client.post("/api/ask", json={"question": PILOT_QUESTION})
    assert doc_id in [s["doc_id"] for s in asked.json()["sources"]]
    listed = api.client.get("/api/documents").json()
    assert {"doc_id": doc_id, "origin": "library"}.items() <= next(
        d for d in listed if d["doc_id"] == doc_id
    ).items()
    page = api.client.get(f"/sources/{doc_id}")
    assert page.status_code == 200 and OLD_FACT in page.text
    viewer = urlsplit(record["viewer"])
    assert api.client.get(f"{viewer.path}?{viewer.query}").status_code == 200

    assert [r["doc_id"] for r in api.added()] == [doc_id]
    actions = [(e.action, e.actor, e.allowed) for e in audit.entries(api.services.db) if e.document == doc_id]
    assert ("confirm", "api:cms", True) in actions


def test_no_token_and_the_wrong_scope_are_refused_and_audited(api: Api) -> None:
    url = api.site.put(PILOT_PATH, pilot_page())
    asker = tokens.create(api.services.db, "dashboard", ["ask", "announce"])
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/api/documents", {"json": {"url": url}}),
        ("POST", "/api/documents/upload", {"files": {"file": ("note.md", NOTE.encode())}}),
        ("GET", "/api/documents/added", {}),
        ("DELETE", f"/api/documents/{CORPUS_DOC}", {}),
        ("POST", f"/api/documents/{CORPUS_DOC}/refresh", {}),
    ]
    for method, path, kwargs in calls:
        missing = api.call(method, path, token=None, **kwargs)
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer", path
        wrong = api.call(method, path, token=asker, **kwargs)
        assert wrong.status_code == 403 and "no documents scope" in wrong.json()["detail"], path
        assert "--scope documents" in wrong.json()["detail"]
    assert api.site.requests[PILOT_PATH] == 0 and api.added(removed=True) == []
    refusals = [(e.action, e.actor, e.reason) for e in audit.entries(api.services.db) if not e.allowed]
    assert refusals.count(("documents", "api:?", "no bearer token")) == len(calls)
    assert refusals.count(("documents", "api:dashboard", "no documents scope")) == len(calls)


def test_an_idempotency_key_adds_once_and_no_key_adds_again(api: Api) -> None:
    url = api.site.put(PILOT_PATH, pilot_page())
    first = api.add({"url": url}, **{"Idempotency-Key": "cms-7"})
    assert first.status_code == 201, first.text
    again = api.add({"url": url}, **{"Idempotency-Key": "cms-7"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert len(api.added()) == 1
    other = api.add({"url": url})  # no key: another request, another document
    assert other.status_code == 201 and other.json()["doc_id"] == "calderbrook-wound-care-pilot-2"
    assert len(api.added()) == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"published": "yesterday"}, "published"),
        ({"visibility": "secret"}, "visibility"),
        ({"visibility": "internal"}, "readers"),
        ({"visibility": "internal", "readers": ["everyone"]}, "readers"),
        ({"title": "x" * 301}, "title"),
        ({"admin": True}, "'admin' is not a field"),
    ],
)
def test_a_bad_field_is_a_422_naming_it_and_nothing_is_indexed(api: Api, payload, field) -> None:
    version, count = api.services.index.version, api.services.index.vectors.count()
    response = api.add({"url": api.site.put(PILOT_PATH, pilot_page()), **payload})
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"]
    _untouched(api, version, count)


def test_a_page_that_is_gone_is_a_422_and_nothing_is_indexed(api: Api) -> None:
    version, count = api.services.index.version, api.services.index.vectors.count()
    response = api.add({"url": api.site.url("/no-such-page.html")})
    assert response.status_code == 422
    assert "has gone" in response.json()["detail"]
    _untouched(api, version, count)
    refused = next(e for e in audit.entries(api.services.db) if e.action == "add")
    assert refused.allowed and (refused.reason or "").startswith("refused:") and refused.actor == "api:cms"


def test_an_uploaded_file_is_added(api: Api) -> None:
    response = api.upload(
        "kirkstall.md", NOTE.encode(), organisation="Leeds Teaching Hospitals", kind="guide"
    )
    assert response.status_code == 201, response.text
    record = response.json()
    assert (record["title"], record["url"], record["kind"]) == ("Kirkstall sensor library", None, "guide")
    assert api.cites(record["doc_id"], "Who holds the loan agreement of the Kirkstall sensor library?")
    refresh = api.call("POST", f"/api/documents/{record['doc_id']}/refresh")
    assert refresh.status_code == 422 and "uploaded" in refresh.json()["detail"]


def test_an_upload_over_the_limit_is_refused_naming_it(api: Api) -> None:
    version, count = api.services.index.version, api.services.index.vectors.count()
    just_over = api.upload("big.md", b"# Big\n\n" + b"word " * (MAX_FILE_BYTES // 5))
    assert just_over.status_code == 413 and "200,000-byte limit" in just_over.json()["detail"]
    far_over = api.upload("huge.md", b"word " * (MAX_FILE_BYTES * 2 // 5))  # refused before it is read
    assert far_over.status_code == 413
    assert "200,000-byte limit (PARTNERBOT_MAX_FILE_BYTES)" in far_over.json()["detail"]
    big_json = api.add({"url": "https://example.org/" + "a" * 1_100_000})  # other routes keep 1 MB
    assert big_json.status_code == 413 and "1,000,000 bytes" in big_json.json()["detail"]
    _untouched(api, version, count)


def test_a_malformed_pdf_is_a_422_and_nothing_is_indexed(api: Api) -> None:
    version, count = api.services.index.version, api.services.index.vectors.count()
    response = api.upload("report.pdf", b"%PDF-1.7\nthis is not really a PDF\n%%EOF")
    assert response.status_code == 422, response.text
    assert "report.pdf" in response.json()["detail"]
    _untouched(api, version, count)


def test_removing_takes_it_out_of_answers_the_list_and_the_viewer_and_keeps_the_record(api: Api) -> None:
    record = api.add({"url": api.site.put(PILOT_PATH, pilot_page())}).json()
    doc_id = record["doc_id"]
    removed = api.call("DELETE", f"/api/documents/{doc_id}")
    assert removed.status_code == 200, removed.text
    assert (removed.json()["status"], removed.json()["removed_by"], removed.json()["viewer"]) == (
        "removed",
        "api:cms",
        None,
    )
    assert api.cites(doc_id) is None
    sign_in(api.client, api.services)
    assert doc_id not in [d["doc_id"] for d in api.client.get("/api/documents").json()]
    assert api.client.get(f"/sources/{doc_id}").status_code == 404
    viewer = urlsplit(record["viewer"])
    assert api.client.get(f"{viewer.path}?{viewer.query}").status_code == 404
    assert api.added() == []
    [kept] = api.added(removed=True)
    assert (kept["doc_id"], kept["status"]) == (doc_id, "removed")
    again = api.call("DELETE", f"/api/documents/{doc_id}")
    assert again.status_code == 404 and "no added document" in again.json()["detail"]


def test_a_corpus_document_cannot_be_removed_or_refreshed_here(api: Api) -> None:
    for method, path in (
        ("DELETE", f"/api/documents/{CORPUS_DOC}"),
        ("POST", f"/api/documents/{CORPUS_DOC}/refresh"),
    ):
        response = api.call(method, path)
        assert response.status_code == 404
        assert (
            "corpus folder" in response.json()["detail"] and "partnerbot ingest" in response.json()["detail"]
        )
    assert api.services.index.document(CORPUS_DOC) is not None
    assert api.call("DELETE", "/api/documents/nothing-like-it").status_code == 404


def test_refresh_unchanged_changed_and_gone(api: Api) -> None:
    record = api.add({"url": api.site.put(PILOT_PATH, pilot_page())}).json()
    doc_id, index = record["doc_id"], api.services.index
    content_hash, count, version = index.registry.content_hash(doc_id), index.vectors.count(), index.version

    unchanged = api.call("POST", f"/api/documents/{doc_id}/refresh")
    assert unchanged.status_code == 200, unchanged.text
    assert (unchanged.json()["outcome"], unchanged.json()["problem"]) == ("unchanged", None)
    assert (index.registry.content_hash(doc_id), index.vectors.count(), index.version) == (
        content_hash,
        count,
        version,
    )  # nothing re-embedded, nothing written
    assert api.site.requests[PILOT_PATH] == 2

    api.site.put(PILOT_PATH, pilot_page(NEW_FACT))
    changed = api.call("POST", f"/api/documents/{doc_id}/refresh").json()
    assert changed["outcome"] == "changed" and changed["problem"] is None
    assert index.registry.content_hash(doc_id) != content_hash and index.version > version
    text = api.cites(doc_id)
    assert text is not None and NEW_FACT in text and OLD_FACT not in text
    assert not any(OLD_FACT in chunk.text for chunk in index.registry.chunks(doc_id))

    api.site.take_down(PILOT_PATH)
    gone = api.call("POST", f"/api/documents/{doc_id}/refresh").json()
    assert gone["outcome"] == "gone" and "has gone" in gone["problem"]
    assert gone["gone_at"] and gone["status"] == "indexed"
    text = api.cites(doc_id)  # the last copy is still answered from
    assert text is not None and NEW_FACT in text
    [listed] = api.added()
    assert listed["problem"] == gone["problem"]


def test_openapi_documents_every_route_and_its_answers(api: Api) -> None:
    paths = api.schema["paths"]
    assert {"201", "200", "401", "403", "413", "422", "429"} <= set(
        paths["/api/documents"]["post"]["responses"]
    )
    assert "get" in paths["/api/documents"]  # the reader's list stays beside the adding
    upload = paths["/api/documents/upload"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"201", "413", "422"} <= set(upload["responses"])
    assert {"200", "401", "403"} <= set(paths["/api/documents/added"]["get"]["responses"])
    assert {"200", "404"} <= set(paths["/api/documents/{doc_id}"]["delete"]["responses"])
    refresh = paths["/api/documents/{doc_id}/refresh"]["post"]
    assert {"200", "404", "422"} <= set(refresh["responses"])
    for operation in (upload, refresh):
        assert operation["security"] == [{"HTTPBearer": []}]


# -- the schedule ---------------------------------------------------------------------------------


def _due(services: Services, site: Website) -> tuple[Library, int]:
    """A document added by address and last fetched two hours ago: due when refresh_hours is 1."""
    library = Library(services)
    added = library.add_url(site.put(PILOT_PATH, pilot_page()), actor="test", source="cli", key="test:1")
    store.update_record(services.db, added.record.id, checked_at=now() - timedelta(hours=2))
    return library, added.record.id


def test_two_replicas_refreshing_at_once_fetch_a_due_document_once(fresh_services, website: Website) -> None:
    services = fresh_services(fetch_private=True, refresh_hours=1)
    library, _ = _due(services, website)
    assert website.requests[PILOT_PATH] == 1
    other = Library(services)
    barrier, done = threading.Barrier(2), []

    def run(lib: Library) -> None:
        barrier.wait()
        done.extend(lib.refresh_due())

    threads = [threading.Thread(target=run, args=(lib,)) for lib in (library, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [r.outcome for r in done] == ["unchanged"]
    assert website.requests[PILOT_PATH] == 2
    assert library.refresh_due() == [] and website.requests[PILOT_PATH] == 2  # checked just now: not due


def test_the_app_runs_the_schedule_while_it_runs(fresh_services, website: Website) -> None:
    services = fresh_services(fetch_private=True, refresh_hours=1)
    _, record_id = _due(services, website)
    with TestClient(create_app(services.settings, services)):
        assert [t for t in threading.enumerate() if t.name == SCHEDULE]
        deadline = time.monotonic() + 60
        while website.requests[PILOT_PATH] < 2:  # refreshed at start-up
            assert time.monotonic() < deadline, "the schedule did not refresh the due document"
            time.sleep(0.05)
    assert not [t for t in threading.enumerate() if t.name == SCHEDULE]  # stopped with the app
    refreshed = [e for e in audit.entries(services.db) if e.action == "refresh"]
    assert [(e.actor, e.reason) for e in refreshed] == [("schedule", "unchanged")]
    assert store.get(services.db, record_id).problem is None  # type: ignore[union-attr]


def test_with_refreshing_off_the_app_only_repairs_the_index(fresh_services, website: Website) -> None:
    services = fresh_services(fetch_private=True, refresh_hours=0)
    added = Library(services).add_url(
        website.put(PILOT_PATH, pilot_page()), actor="t", source="cli", key="t:1"
    )
    doc_id = added.record.doc_id
    services.index.remove_document(doc_id)  # as a crash between confirming and indexing leaves it
    with TestClient(create_app(services.settings, services)):
        deadline = time.monotonic() + 60
        while [t for t in threading.enumerate() if t.name == SCHEDULE]:  # repairs, then ends
            assert time.monotonic() < deadline, "the schedule did not end"
            time.sleep(0.05)
    assert services.index.document(doc_id) is not None
    assert website.requests[PILOT_PATH] == 1  # nothing fetched again
