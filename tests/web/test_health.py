"""Liveness and readiness: /readyz says 503, and which part is missing, until the app can answer."""

from __future__ import annotations

import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from bot.services import Services
from bot.state.db import Database
from bot.state.log import LogWriter, insert_question, question_fields, questions_since
from bot.state.spool import Spool
from bot.web.app import create_app
from config.errors import ConfigError
from retrieval.access import EVERYTHING
from retrieval.answer import Answer
from retrieval.assistant import Assistant
from tests.web.conftest import sign_in

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
    # The shared index, but a data folder of its own: the spooled row must not reach other tests.
    settings = make_settings(database_url="postgresql+psycopg://nobody:x@127.0.0.1:1/none")
    broken = Services(settings, services.assistant, Database(settings))
    with TestClient(create_app(settings, broken)) as client:
        sign_in(client, broken)  # a session is a signed cookie: the state store is not needed
        response = client.post("/api/ask", json={"question": "Who leads the healthtech strategy?"})
    assert response.status_code == 200
    assert response.json()["answered"] and response.json()["sources"]
    broken.log.flush()  # the row is written behind the answer
    assert len(broken.spool) == 1 and broken.spool.path.parent == settings.data_dir


def test_an_answer_does_not_wait_for_its_question_log_row(fresh_services):
    """Issue 14: the row is written behind the answer. While another connection holds the SQLite
    store locked, the answer comes back with its id; the row is written once the lock goes (had the
    answer waited, the insert would have timed out into the spool)."""
    services = fresh_services()
    locker = sqlite3.connect(services.db.url.removeprefix("sqlite:///"), isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        answer, question_id = services.answer(
            "Who leads the healthtech strategy?", surface="web", access=EVERYTHING
        )
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert answer.answered and question_id
    assert services.logged(question_id) is not None and len(services.spool) == 0


# A process answering while its store is locked: SIGKILLed once it has answered, its rows still queued.
KILLED_WHILE_QUEUED = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from bot.services import Services
    from config.settings import load_settings
    from retrieval.access import EVERYTHING

    services = Services.open(load_settings(data_dir=Path(sys.argv[1]), corpus_dir=Path(sys.argv[2])))
    print("ready", flush=True)
    sys.stdin.readline()  # the test has locked the store
    for question in sys.argv[3:]:
        print(services.answer(question, surface="web", access=EVERYTHING)[1], flush=True)
    sys.stdin.readline()  # never comes: SIGKILLed
    """
)


def test_a_process_killed_with_log_rows_queued_loses_none_of_them(fresh_services):
    """Issue 14: rows are written behind the answers, so a SIGKILL used to lose the queued ones.
    Each is journalled first; the next process to start writes the journal of the dead one."""
    services = fresh_services()
    data = services.settings.data_dir
    asked = [
        "Who leads the healthtech strategy?",
        "Who wrote the LAHP blog?",
        "What is the boiling point of water?",
    ]
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WHILE_QUEUED, str(data), str(services.settings.corpus_dir), *asked],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PARTNERBOT_QUESTIONS_PER_MINUTE": "0"},
    )
    assert child.stdin and child.stdout
    locker = sqlite3.connect(services.db.url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        assert child.stdout.readline().strip() == "ready"
        locker.execute("BEGIN EXCLUSIVE")
        child.stdin.write("go\n")
        child.stdin.flush()
        ids = [int(child.stdout.readline()) for _ in asked]  # answered, with ids, while the store is locked
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if locker.in_transaction:
            locker.execute("ROLLBACK")
        locker.close()
    assert child.returncode == -signal.SIGKILL
    assert not any(services.logged(i) for i in ids), "the rows were still queued when it died"
    assert list((data / "journal").glob("*.jsonl")), "the dead process's journal is left behind"

    after = fresh_services()  # the next process (a restart) starts its writer
    assert [logged.question if (logged := after.logged(i)) else None for i in ids] == asked
    assert not list((data / "journal").glob("*.jsonl")) and len(after.spool) == 0
    assert after.logged(after.answer("Who wrote the LAHP blog?", surface="web", access=EVERYTHING)[1])


def test_rows_queued_behind_a_busy_store_share_one_commit_and_a_taken_id_costs_none(make_settings, tmp_path):
    """Issue 14: under load each row cost a commit of its own. Rows queued while one is being
    written now go in one transaction; an id already taken in the batch sends it row by row, so
    the other rows are still written and that one gets a new id."""
    db = Database(make_settings(data_dir=tmp_path / "data"))
    db.migrate()
    asked = [f"Question {n}?" for n in range(6)]
    rows = [
        question_fields(db, Answer(question=q, answered=True, answer="A [1]."), surface="web") for q in asked
    ]
    taken = question_fields(db, Answer(question="Asked before?", answered=True, answer="A."), surface="web")
    insert_question(db, taken)
    rows[4]["id"] = taken["id"]
    commits: list[object] = []
    event.listen(db.engine, "commit", commits.append)
    writer = LogWriter(db, Spool(tmp_path / "data" / "spool.jsonl"))

    def queued_behind_a_lock(batch: list[dict]) -> None:
        """The first row waits on the lock (or is taken with the others); the rest queue behind it."""
        locker = sqlite3.connect(db.url.removeprefix("sqlite:///"), isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            for row in batch:
                writer.put(row)
            time.sleep(0.3)
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        writer.flush()

    queued_behind_a_lock(rows[:3])
    assert len(commits) <= 2, "a commit a row"
    queued_behind_a_lock(rows[3:])  # rows 4 (its id taken) and 5 share a batch
    logged = questions_since(db, datetime.now(UTC) - timedelta(hours=1))
    assert sorted(q.question for q in logged) == sorted([*asked, "Asked before?"])
    assert next(q.question for q in logged if q.id == taken["id"]) == "Asked before?"
    writer.close()


def test_a_long_read_of_the_sqlite_store_does_not_hold_up_its_writes(make_settings, tmp_path):
    """The report or a second worker reading the store kept every write waiting (a rollback
    journal locks readers out of a commit); in write-ahead-log mode they go past each other."""
    db = Database(make_settings(data_dir=tmp_path / "data"))
    db.migrate()
    insert_question(
        db, question_fields(db, Answer(question="First?", answered=True, answer="A."), surface="web")
    )
    reader = sqlite3.connect(db.url.removeprefix("sqlite:///"), isolation_level=None, timeout=0.1)
    reader.execute("BEGIN")
    try:
        assert reader.execute("SELECT count(*) FROM questions").fetchone() == (1,)
        started = time.monotonic()
        insert_question(
            db, question_fields(db, Answer(question="Second?", answered=True, answer="A."), surface="web")
        )
        assert time.monotonic() - started < 2  # a rollback journal waits out the 5 s busy timeout, then fails
        assert reader.execute("SELECT count(*) FROM questions").fetchone() == (1,)  # its snapshot holds
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    assert len(questions_since(db, datetime.now(UTC) - timedelta(hours=1))) == 2


def test_log_rows_and_votes_kept_during_an_outage_are_written_when_the_store_is_back(
    services, make_settings, tmp_path
):
    """Issue 15: nothing lost up to the spool's size; the rows keep their order and their time."""
    down = make_settings(
        data_dir=tmp_path / "data", database_url="postgresql+psycopg://nobody:x@127.0.0.1:1/none"
    )
    outage = Services(down, services.assistant, Database(down))
    asked = ["Who leads the healthtech strategy?", "What is the boiling point of water?"]
    ids = [outage.answer(q, surface="web", access=EVERYTHING, channel="C1", user_id="U1")[1] for q in asked]
    assert all(ids) and len(set(ids)) == 2, "an answer has its id before its row is written"
    assert outage.vote(ids[0], helpful=True, user_id="U1") is False
    assert len(outage.spool) == 3

    back = down.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'state.db'}"})
    outage.log.db = outage.db = Database(back)
    outage.db.migrate()
    _, row = outage.answer("Who wrote the LAHP blog?", surface="web", access=EVERYTHING)
    assert outage.logged(row) is not None and len(outage.spool) == 0
    assert outage.logged(ids[0]) is not None, "a spooled row keeps the id its answer was given"
    logged = [q.question for q in outage.questions_since(datetime.now(UTC) - timedelta(hours=1))]
    assert logged == [*asked, "Who wrote the LAHP blog?"]
    assert outage.votes_since(datetime.now(UTC) - timedelta(hours=1)) == [True]
    assert "U1" not in (tmp_path / "state.db").read_bytes().decode("latin-1"), "users stay hashed"


def test_a_full_spool_says_so_and_keeps_what_it_holds(tmp_path, caplog):
    spool = Spool(tmp_path / "spool.jsonl", limit=2)
    fields = {"question": "q", "sources": [], "helpful": True, "channel": None, "user_hash": None}
    assert spool.put("vote", {**fields, "voted_at": datetime.now(UTC)})
    assert spool.put("vote", {**fields, "voted_at": datetime.now(UTC)})
    with caplog.at_level(logging.ERROR):
        assert not spool.put("vote", {**fields, "voted_at": datetime.now(UTC)})
    assert len(spool) == 2 and "spool is full (2 rows): 1 not kept" in caplog.text


def test_a_spooled_row_the_store_already_kept_does_not_block_the_spool(make_settings, tmp_path):
    """A write reported failed may have reached the store all the same: the spooled copy of that
    question row (same id) is merged, not inserted twice, so the spool drains and stays usable."""
    db = Database(make_settings(data_dir=tmp_path / "data"))
    db.migrate()
    fields = question_fields(db, Answer(question="Who?", answered=True, answer="A [1]."), surface="web")
    insert_question(db, fields)
    spool = Spool(tmp_path / "spool.jsonl")
    spool.put("question", fields)
    assert spool.drain(db) == 1 and len(spool) == 0
    assert [q.id for q in questions_since(db, datetime.now(UTC) - timedelta(hours=1))] == [fields["id"]]


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
        sign_in(client, empty)
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
