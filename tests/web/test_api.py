"""The JSON API through the real app: the answer contract, the document list, and every bad input."""

from __future__ import annotations

import inspect
import json
import re
import statistics
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.services import Services
from bot.state.db import Database
from bot.web.app import create_app
from bot.web.auth import SESSION_COOKIE
from bot.web.routes import api, ask
from retrieval.access import PARTNERS
from retrieval.assistant import NOT_FOUND
from tests.web.conftest import ANSWERABLE, UNANSWERABLE, sign_in

pytestmark = pytest.mark.integration

CONTRACT = {"question", "answered", "answer", "sources", "latency_ms", "declined", "refer"}


def test_ask_returns_the_answer_contract_with_viewer_links(client, services):
    response = client.post("/api/ask", json={"question": ANSWERABLE})
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == CONTRACT
    assert answer["answered"] is True
    assert answer["sources"][0]["doc_id"] == "lep-board-healthtech-strategy-2022"
    assert "leading place" in answer["answer"]
    base = services.settings.public_base_url.rstrip("/")
    for source in answer["sources"]:
        url = re.fullmatch(rf"{re.escape(base)}/sources/([^?]+)\?t=([\w.-]+)#chunk-(\d+)", source["url"])
        assert url and url.group(1, 3) == (source["doc_id"], str(source["chunk"])), source["url"]
        assert services.links.check(url.group(2), source["doc_id"]).access == PARTNERS  # for the asker
        assert f"[{source['n']}]" in answer["answer"] or not answer["answered"]


def test_unanswerable_question_says_so_without_inventing(client):
    answer = client.post("/api/ask", json={"question": UNANSWERABLE}).json()
    assert answer["answered"] is False
    assert answer["answer"] == NOT_FOUND


def test_ask_logs_the_question_through_services(client, web_services):
    from sqlalchemy import text

    question = "Who leads the West Yorkshire and Harrogate Health and Care Partnership?"
    client.post("/api/ask", json={"question": question})
    web_services.log.flush()  # the row is written behind the answer; ids are random, not in order
    with web_services.db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT surface, question FROM questions ORDER BY asked_at DESC LIMIT 1")
        ).all()
    assert rows == [("web", question)]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"question": ""}, "empty"),
        ({"question": "   \n\t "}, "empty"),
        ({"question": "why " * 600}, "limit is 2,000"),
        ({}, "'question' is missing"),
        ({"question": 42}, "must be a string"),
        ({"question": None}, "must be a string"),
        ({"question": ["a", "b"]}, "must be a string"),
        ({"question": "ok?", "query": "x"}, "'query' is not a field"),
        ([], "JSON object"),
        ("just a string", "JSON object"),
    ],
)
def test_bad_questions_get_422_with_a_message_to_act_on(client, body, fragment):
    response = client.post("/api/ask", json=body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert fragment in detail


@pytest.mark.parametrize(
    ("content", "content_type", "fragment"),
    [
        (b'{"question": "unclosed', "application/json", "not valid JSON"),
        (b"", "application/json", "JSON object"),
        (b"question=hello", "application/x-www-form-urlencoded", "application/json"),
        (b"\xff\xfe\x00garbage", "application/json", "not valid JSON"),
        (b'{"question": "\xe9t\xe9"}', "application/json", "UTF-8"),  # was FastAPI's bare 400 (schemathesis)
        (b'{"question": "what is the \\ud800 strategy?"}', "application/json", "not text"),
    ],
)
def test_malformed_bodies_get_422(client, content, content_type, fragment):
    response = client.post("/api/ask", content=content, headers={"content-type": content_type})
    assert response.status_code == 422, response.text
    assert fragment in response.json()["detail"]


def test_a_huge_body_is_refused_before_it_is_read(client):
    response = client.post("/api/ask", json={"question": "x" * 2_000_000})
    assert response.status_code == 413
    assert "over 1,000,000 bytes" in response.json()["detail"]


def test_a_huge_chunked_body_is_refused_while_streaming(client):
    def chunks():
        yield b'{"question": "'
        for _ in range(40):
            yield b"y" * 50_000
        yield b'"}'

    response = client.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_documents_lists_every_indexed_document_with_metadata_and_chunk_counts(client, services):
    documents = client.get("/api/documents").json()
    expected = {doc.doc_id: count for doc, count in services.index.documents()}
    assert {d["doc_id"]: d["chunks"] for d in documents} == expected
    strategy = next(d for d in documents if d["doc_id"] == "lep-board-healthtech-strategy-2022")
    assert strategy["published"] == "2022-01-26"
    assert strategy["organisation"] == "Leeds City Region Enterprise Partnership"
    assert strategy["source_url"] is None
    url, token = strategy["url"].split("?t=")
    assert url.endswith("/sources/lep-board-healthtech-strategy-2022")
    assert services.links.check(token, strategy["doc_id"]).access == PARTNERS
    assert all(d["chunks"] > 0 for d in documents)


def test_wrong_method_and_unknown_api_path_answer_in_json(client):
    assert client.get("/api/ask").status_code == 405
    missing = client.get("/api/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/json")


def test_openapi_documents_the_api(client):
    schema = client.get("/openapi.json").json()
    assert {"/api/ask", "/api/documents", "/healthz", "/readyz"} <= set(schema["paths"])
    assert "/sources/{doc_id}" not in schema["paths"]  # pages, not API
    ask = schema["paths"]["/api/ask"]["post"]
    assert {"200", "401", "403", "413", "422", "429", "503"} <= set(ask["responses"])
    documents = schema["paths"]["/api/documents"]["get"]
    assert {"200", "401", "403", "429"} <= set(documents["responses"])
    for operation in (ask, documents):  # a bearer token or the web session's cookie
        assert operation["security"] == [{"HTTPBearer": []}, {"APIKeyCookie": []}]
    schemes = schema["components"]["securitySchemes"]
    assert schemes["HTTPBearer"]["scheme"] == "bearer"
    assert schemes["APIKeyCookie"] == {**schemes["APIKeyCookie"], "in": "cookie", "name": SESSION_COOKIE}
    announce = schema["paths"]["/api/announcements"]
    assert {"201", "401", "413", "422", "429", "503"} <= set(announce["post"]["responses"])
    assert {"200", "401", "429"} <= set(announce["get"]["responses"])
    withdraw = schema["paths"]["/api/announcements/{announcement_id}"]["delete"]["responses"]
    assert {"200", "401", "404", "422", "429", "503"} <= set(withdraw)
    added = schema["paths"]["/api/documents"]["post"]  # beside the reader's list: the group adds
    assert {"200", "201", "401", "403", "413", "422", "429"} <= set(added["responses"])
    assert {"201", "413", "422"} <= set(schema["paths"]["/api/documents/upload"]["post"]["responses"])
    assert {"200", "401", "403"} <= set(schema["paths"]["/api/documents/added"]["get"]["responses"])
    assert {"200", "404"} <= set(schema["paths"]["/api/documents/{doc_id}"]["delete"]["responses"])
    refresh = schema["paths"]["/api/documents/{doc_id}/refresh"]["post"]["responses"]
    assert {"200", "404", "422"} <= set(refresh)
    problem = schema["components"]["schemas"]["Problem"]
    assert problem["required"] == ["detail"]


@pytest.mark.unit
def test_answering_routes_are_sync_so_they_run_in_the_thread_pool():
    assert not inspect.iscoroutinefunction(api.ask)
    assert not inspect.iscoroutinefunction(ask.submit)


def test_answers_do_not_block_the_event_loop(live_server):
    """While answers are computed, a route on the event loop keeps answering at once.

    Were answering done on the loop, a probe would wait for a whole answer's compute time.
    """
    latencies: list[float] = []

    def ask_one() -> None:
        response = httpx.post(
            f"{live_server.url}/api/ask",
            json={"question": ANSWERABLE},
            cookies=live_server.cookies,
            timeout=120,
        )
        latencies.append(response.json()["latency_ms"] / 1000)

    probes: list[float] = []
    with httpx.Client(base_url=live_server.url, timeout=60) as probe:
        probe.get("/healthz")  # connection open, so a probe costs one round trip
        threads = [threading.Thread(target=ask_one) for _ in range(6)]
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            started = time.perf_counter()
            assert probe.get("/healthz").status_code == 200
            probes.append(time.perf_counter() - started)
            time.sleep(0.01)
    assert len(latencies) == 6
    assert len(probes) >= 3
    # medians: one probe can meet a busy moment of a 2-core machine; most must not wait for answers
    assert statistics.median(probes) < 0.5 * statistics.median(latencies), (probes, latencies)


def test_answer_json_is_plain_data_not_markup(client):
    question = '<script>alert("x")</script> what is the front door?'
    response = client.post("/api/ask", json={"question": question})
    assert response.headers["content-type"].startswith("application/json")
    assert json.loads(response.text)["question"] == question


def test_questions_are_limited_per_address_with_a_429_and_retry_after(services, make_settings, tmp_path):
    settings = make_settings(
        data_dir=services.settings.data_dir,  # the shared index; the log goes to a database of its own
        database_url=f"sqlite:///{tmp_path / 'limited.db'}",
        questions_per_minute=3,
    )
    limited = Services(settings, services.assistant, Database(settings))
    limited.db.migrate()
    with TestClient(create_app(settings, limited)) as client:
        sign_in(client, limited)
        codes = [client.post("/api/ask", json={"question": "who leads it?"}).status_code for _ in range(4)]
        refused = client.post("/api/ask", json={"question": "who leads it?"})
        page = client.post("/", data={"question": "who leads it?"})
    assert codes == [200, 200, 200, 429]
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    assert "more than 3 questions in a minute" in refused.json()["detail"]
    assert page.status_code == 429 and "Too many questions" in page.text  # the page counts too
