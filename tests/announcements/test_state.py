"""The state store on SQLite and PostgreSQL: migrations, idempotent records, claims, tokens, retention."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, select, text, update
from sqlalchemy.exc import OperationalError

from bot.state import announcements as store
from bot.state import audit, tokens
from bot.state.db import MIGRATIONS, Database
from bot.state.log import (
    insert_question,
    mark_handed_off,
    prune,
    question,
    question_fields,
    record_question,
    record_vote,
    unmark_handed_off,
)
from bot.state.models import AnnouncementPost, ApiToken, AuditEntry, Question, Vote
from config.errors import ConfigError
from retrieval.answer import Answer
from tests.support.postgres import create_database

pytestmark = pytest.mark.unit


@pytest.fixture
def db(make_settings, database_url) -> Database:
    database = Database(make_settings(database_url=database_url))
    database.migrate()
    return database


def _create(db: Database, key: str = "view-1", channels: tuple[str, ...] = ("C1", "C2", "C3")):
    return store.create(
        db,
        key=key,
        source="slack",
        author_id="U1",
        author_name="ana",
        title="Fund open",
        body="Apply now.",
        link=None,
        expires=None,
        channels=list(channels),
    )


def test_migrations_reach_head_and_run_twice(db: Database) -> None:
    db.migrate()  # idempotent
    tables = set(inspect(db.engine).get_table_names())
    assert {
        "questions",
        "votes",
        "announcements",
        "announcement_posts",
        "announce_audit",
        "api_tokens",
    } <= tables
    with db.engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == "0006"
    assert "handed_off_at" in {c["name"] for c in inspect(db.engine).get_columns("questions")}
    big = 2**52 - 1  # the largest id `new_question_id` gives: past PostgreSQL's INTEGER
    fields = question_fields(db, Answer(question="Who?", answered=True, answer="A [1]."), surface="web")
    assert insert_question(db, {**fields, "id": big}) == big
    record_vote(db, question="Who?", sources=[], helpful=True, question_id=big)
    assert question(db, big) is not None


def test_0003_keeps_the_questions_logged_before_it_none_of_them_handed_off(make_settings, database_url):
    old = Database(make_settings(database_url=database_url))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection_url"] = old.url
    command.upgrade(config, "0002")
    with old.engine.begin() as conn:
        conn.execute(
            text(
                "insert into questions (asked_at, surface, question, answered, sources, latency_ms) "
                "values (:at, 'dm', 'Who funds pilots?', false, '[]', 1.0)"
            ),
            {"at": datetime.now(UTC)},
        )
    old.migrate()
    with old.engine.connect() as conn:
        rows = conn.execute(text("select question, handed_off_at from questions")).all()
    assert [tuple(r) for r in rows] == [("Who funds pilots?", None)]
    command.downgrade(config, "0002")  # and back, for a roll-back of the release
    assert "handed_off_at" not in {c["name"] for c in inspect(old.engine).get_columns("questions")}


def test_0004_keeps_the_tokens_made_before_it_for_announcements_only(make_settings, database_url):
    old = Database(make_settings(database_url=database_url))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection_url"] = old.url
    command.upgrade(config, "0003")
    with old.engine.begin() as conn:
        conn.execute(
            text("insert into api_tokens (name, token_hash, created_at) values ('cms', :hash, :at)"),
            {"hash": tokens.digest("pbt_made-last-year"), "at": datetime.now(UTC)},
        )
    old.migrate()
    assert tokens.verify(old, "pbt_made-last-year") == tokens.Token("cms", frozenset({"announce"}))
    command.downgrade(config, "0003")  # and back, for a roll-back of the release
    assert "scopes" not in {c["name"] for c in inspect(old.engine).get_columns("api_tokens")}


def test_a_question_is_handed_off_once_even_when_clicked_twice_at_once(db: Database) -> None:
    asked = record_question(db, Answer(question="Who?", answered=False, answer="No."), surface="mention")
    with ThreadPoolExecutor(6) as pool:
        wins = list(pool.map(lambda _: mark_handed_off(db, asked), range(6)))
    assert wins.count(True) == 1
    logged = question(db, asked)
    assert logged is not None and logged.handed_off_at is not None
    assert not mark_handed_off(db, 999_999), "an unknown id marks nothing"
    unmark_handed_off(db, asked)  # the post failed: a later click may try again
    assert mark_handed_off(db, asked)


def test_a_key_makes_one_record_even_when_submitted_at_once(db: Database) -> None:
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: _create(db), range(6)))
    assert sum(created for _, created in results) == 1
    assert len({row.id for row, _ in results}) == 1
    assert [p.channel for p in results[0][0].posts] == ["C1", "C2", "C3"]
    assert [row.id for row in store.listing(db)] == [results[0][0].id]


def test_a_post_row_is_claimed_by_one_worker_only(db: Database) -> None:
    row, _ = _create(db)
    post = row.posts[0].id
    with ThreadPoolExecutor(6) as pool:
        wins = list(pool.map(lambda _: store.claim(db, post) is not None, range(6)))
    assert wins.count(True) == 1
    store.set_post(db, post, status="posted", ts="1.1")
    assert store.claim(db, post) is None  # done rows are never claimed again
    store.set_post(db, row.posts[1].id, status="failed")
    assert store.claim(db, row.posts[1].id) is not None  # failed ones are retried


def test_a_claim_left_by_a_crashed_worker_is_taken_over(db: Database) -> None:
    row, _ = _create(db)
    post = row.posts[0].id
    assert store.claim(db, post) is not None
    assert store.claim(db, post) is None
    with db.session() as session:
        old = datetime.now(UTC) - store.STALE_CLAIM - timedelta(seconds=5)
        session.execute(update(AnnouncementPost).where(AnnouncementPost.id == post).values(updated_at=old))
    assert store.claim(db, post) is not None
    assert store.get(db, row.id).posts[0].attempts == 2


def test_tokens_are_stored_hashed_and_checked(db: Database) -> None:
    token = tokens.create(db, "newsletter", ["announce"])
    assert tokens.verify(db, token) == tokens.Token("newsletter", frozenset({"announce"}))
    assert tokens.verify(db, token + "x") is None
    assert tokens.verify(db, "") is None
    with db.session() as session:
        stored = session.scalars(select(ApiToken.token_hash)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()] and token not in stored
    with pytest.raises(ConfigError, match="exists already"):
        tokens.create(db, "newsletter", ["ask"])
    with pytest.raises(ConfigError, match="1 to 100"):
        tokens.create(db, " ", ["ask"])
    assert tokens.revoke(db, "newsletter") and not tokens.revoke(db, "newsletter")
    assert tokens.verify(db, token) is None
    configured = hashlib.sha256(b"from-settings").hexdigest()
    assert tokens.verify(db, "from-settings", configured) == tokens.CONFIGURED
    assert tokens.CONFIGURED.scopes == {"announce"}


def test_tokens_carry_their_scopes_and_groups(db: Database) -> None:
    token = tokens.create(db, "board-portal", ["ask", "announce", "ask"], ["S0BOARD", "C0BOARD"])
    assert tokens.verify(db, token) == tokens.Token(
        "board-portal", frozenset({"ask", "announce"}), frozenset({"S0BOARD", "C0BOARD"})
    )
    for scopes, groups, message in [
        ([], [], "no scope: a token's scopes are ask, announce and documents"),
        (["admin"], [], "admin: a token's scopes are ask, announce and documents"),
        (["ask"], ["everyone"], "everyone: not Slack user group"),
        (["announce"], ["S0BOARD"], "they go with the ask scope"),
    ]:
        with pytest.raises(ConfigError, match=message):
            tokens.create(db, "another", scopes, groups)


def test_audit_keeps_refusals_and_allowed_attempts(db: Database) -> None:
    audit.record(db, action="announce", actor="U9", source="slack", allowed=False, reason="not a member")
    audit.record(db, action="withdraw", actor="U1", source="slack", allowed=True, announcement_id=3)
    rows = audit.entries(db)
    assert [(r.action, r.actor, r.allowed, r.reason) for r in rows] == [
        ("withdraw", "U1", True, None),
        ("announce", "U9", False, "not a member"),
    ]


def test_questions_are_logged_hashed_and_pruned_after_retention(db: Database) -> None:
    answer = Answer(question="Who funds pilots?", answered=True, answer="x", latency_ms=5.0)
    old = record_question(db, answer, surface="cli", user_id="U123")
    new = record_question(db, answer, surface="web")
    with db.session() as session:
        session.add(Vote(question_id=old, question="q", sources=[], helpful=True, voted_at=datetime.now(UTC)))
        session.execute(
            update(Question).where(Question.id == old).values(asked_at=datetime.now(UTC) - timedelta(days=40))
        )
        session.execute(update(Vote).values(voted_at=datetime.now(UTC) - timedelta(days=40)))
        user_hash = session.get(Question, old).user_hash
    assert user_hash and "U123" not in user_hash and len(user_hash) == 64
    assert prune(db, 0) == 0  # 0 keeps everything
    assert prune(db, 30) == 1
    with db.session() as session:
        assert session.scalars(select(Question.id)).all() == [new]
        assert session.scalars(select(Vote.id)).all() == []


def test_replicas_sharing_a_hash_key_hash_a_user_alike(make_settings, tmp_path) -> None:
    def db(folder: str, **key: str) -> Database:
        return Database(make_settings(data_dir=tmp_path / folder, **key))

    shared = {"user_hash_key": "one-key-for-every-replica"}
    assert db("a", **shared).hash_user("U123") == db("b", **shared).hash_user("U123")
    assert db("c").hash_user("U123") != db("d").hash_user("U123")  # each its own key file
    assert db("c").hash_user("U123") == db("c").hash_user("U123")  # kept across restarts
    assert db("a", **shared).hash_user(None) is None


def test_postgres_statements_are_bounded_by_the_configured_time_out(postgres, make_settings) -> None:
    settings = make_settings(database_url=create_database(postgres), db_statement_timeout_s=2.5)
    with Database(settings).engine.connect() as connection:
        assert connection.execute(text("SHOW statement_timeout")).scalar() == "2500ms"
        with pytest.raises(OperationalError, match="statement timeout"):
            connection.execute(text("SELECT pg_sleep(5)"))


def test_the_audit_log_is_bounded_by_age_and_by_rows(db: Database) -> None:
    for i in range(5):
        audit.record(db, action="ask", actor=f"api:guess{i}", source="api", allowed=False, reason="unknown")
    with db.session() as session:  # the two oldest, from three years ago
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.id <= 2)
            .values(at=datetime.now(UTC) - timedelta(days=3 * 365))
        )
    assert audit.prune(db, retention_days=730) == 2
    assert [e.actor for e in audit.entries(db)] == ["api:guess4", "api:guess3", "api:guess2"]
    assert audit.prune(db, retention_days=0, rows_kept=2) == 1  # age kept, rows still bounded
    assert [e.actor for e in audit.entries(db)] == ["api:guess4", "api:guess3"]
    assert audit.prune(db, retention_days=0, rows_kept=2) == 0
