"""Liveness and readiness: /readyz says 503, and which part is missing, until the app can answer."""

from __future__ import annotations

import socket
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from bot.services import Services
from bot.state.db import Database
from bot.web.app import create_app
from config.errors import ConfigError
from retrieval.assistant import Assistant

pytestmark = pytest.mark.integration


def test_healthz_is_up(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_ready_with_index_model_and_state(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"documents": "ok", "index": "ok", "model": "ok", "state": "ok"},
    }


def test_readyz_is_503_when_the_state_store_is_unreachable(services, make_settings):
    settings = make_settings(
        data_dir=services.settings.data_dir, database_url="postgresql+psycopg://nobody:x@127.0.0.1:1/none"
    )
    broken = Services(settings, services.assistant, Database(settings))
    with TestClient(create_app(settings, broken)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["state"].startswith("OperationalError")
    assert "127.0.0.1" not in response.text and "nobody" not in response.text  # shown to anyone
    assert body["checks"]["model"] == "ok"


def test_a_database_outage_costs_the_log_entry_not_the_answer(services, make_settings):
    """Issue 15: with PostgreSQL stopped mid-run, /api/ask gave a 500 for an answer it had computed."""
    settings = make_settings(
        data_dir=services.settings.data_dir, database_url="postgresql+psycopg://nobody:x@127.0.0.1:1/none"
    )
    broken = Services(settings, services.assistant, Database(settings))
    with TestClient(create_app(settings, broken)) as client:
        response = client.post("/api/ask", json={"question": "Who leads the healthtech strategy?"})
    assert response.status_code == 200
    assert response.json()["answered"] and response.json()["sources"]


@pytest.mark.parametrize("step", ["migrate", "ping"])
def test_a_database_host_that_never_answers_fails_in_seconds_not_minutes(make_settings, step):
    """A host that accepts the connection and then says nothing hung start-up for minutes."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the handshake; nobody ever answers
    port = silent.getsockname()[1]
    settings = make_settings(database_url=f"postgresql+psycopg://nobody:x@127.0.0.1:{port}/none")
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            getattr(Database(settings), step)()
        except BaseException as exc:  # the outcome is what is checked below
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=30)
    silent.close()
    assert not worker.is_alive(), "still waiting after 30 s"
    expected = ConfigError if step == "migrate" else OperationalError
    assert outcome and isinstance(outcome[0], expected), outcome


def test_readyz_is_503_and_ask_says_what_to_do_when_nothing_is_indexed(make_settings, embedder):
    settings = make_settings()
    empty = Services(settings, Assistant(settings, embedder=embedder), Database(settings))
    empty.db.migrate()
    with TestClient(create_app(settings, empty)) as client:
        ready = client.get("/readyz")
        asked = client.post("/api/ask", json={"question": "Where is the front door?"})
        page = client.post("/", data={"question": "Where is the front door?"})
    assert ready.status_code == 503
    assert "partnerbot ingest" in ready.json()["checks"]["documents"]
    assert ready.json()["checks"]["state"] == "ok"
    assert asked.status_code == 503
    assert "partnerbot ingest" in asked.json()["detail"]
    assert page.status_code == 503
    assert "partnerbot ingest" in page.text
