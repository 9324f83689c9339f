"""`partnerbot report` on a seeded question log: figures, most cited documents, gaps grouped by meaning."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from sqlalchemy import select, update

from bot.report.build import build_report
from bot.report.gaps import group
from bot.report.period import PeriodError, parse_since
from bot.report.render import to_blocks, to_text
from bot.services import Services
from bot.state.log import mark_handed_off, record_question, record_vote
from bot.state.models import Question
from retrieval.access import EVERYTHING
from retrieval.answer import Answer, Source
from tests.cli.test_ask_and_eval import partnerbot
from tests.conftest import CORPUS

STRATEGY = "lep-board-healthtech-strategy-2022"
PARKING = [
    "Where can I park at St James's hospital?",
    "Is there car parking at St James hospital?",
    "parking at St James's hospital",
]
DENTAL = ["How do I get an NHS dentist in Leeds?", "Are any dentists in Leeds taking NHS patients?"]


def _answer(question: str, answered: bool, *doc_ids: str) -> Answer:
    sources = [
        Source(n=n, doc_id=d, title=d, url="u", chunk=0, snippet="s", score=0.5)
        for n, d in enumerate(doc_ids, start=1)
    ]
    return Answer(question=question, answered=answered, answer="a", sources=sources, latency_ms=10)


def seed(services) -> None:
    db = services.db
    for _ in range(3):
        record_question(db, _answer("What are the goals of the strategy?", True, STRATEGY), surface="mention")
    record_question(db, _answer("Who funds pilots?", True, STRATEGY, "other-doc"), surface="web")
    for q in PARKING:
        record_question(db, _answer(q, False), surface="dm")
    record_question(db, _answer(PARKING[0], False), surface="command")
    for q in DENTAL:
        record_question(db, _answer(q, False), surface="cli")
    record_vote(db, question="q", sources=[STRATEGY], helpful=True)
    record_vote(db, question="q", sources=[STRATEGY], helpful=False)
    old = record_question(db, _answer("An old question about parking fines", False), surface="web")
    with db.session() as session:
        session.execute(
            update(Question).where(Question.id == old).values(asked_at=datetime.now(UTC) - timedelta(days=20))
        )


@pytest.mark.integration
def test_report_counts_and_groups_the_gaps(fresh_services, database_url) -> None:
    services = fresh_services(database_url=database_url)
    seed(services)
    hand_off(services, PARKING[1], DENTAL[0], days_ago=0)
    hand_off(services, "An old question about parking fines", days_ago=20)  # before the period
    report = build_report(services, parse_since("7d"))
    assert (report.questions, report.answered) == (10, 4)
    assert report.share_answered == pytest.approx(0.4)
    assert report.by_surface == {"mention": 3, "dm": 3, "web": 1, "command": 1, "cli": 2}
    assert (report.helpful, report.unhelpful) == (1, 1)
    assert report.top_documents[0][0] == STRATEGY and report.top_documents[0][2] == 4
    assert report.top_documents[0][1] != STRATEGY  # the title, read from the index
    assert [(g.count, sorted(g.questions)) for g in report.gaps] == [
        (4, sorted(PARKING)),
        (2, sorted(DENTAL)),
    ]
    assert report.gaps[0].label == PARKING[0]  # the most asked wording names the group
    text = to_text(report)
    assert "Questions" in text and "answered 4 (40%)" in text and "Where can I park" in text
    blocks = json.dumps(to_blocks(report), ensure_ascii=False)
    assert "*4×* Where can I park" in blocks and "old question" not in blocks
    assert report.handed_off == 2 and sorted(report.handoffs) == sorted([PARKING[1], DENTAL[0]])
    assert "Passed to a person (Ask a person): 2" in text and f"  {DENTAL[0]}" in text
    assert "*Passed to a person* (Ask a person): *2*" in blocks and f"• {DENTAL[0]}" in blocks
    assert report.as_dict()["handed_off"] == 2


def hand_off(services, *questions: str, days_ago: int) -> None:
    """Mark questions handed to the front door, `days_ago` days back."""
    with services.db.session() as session:
        ids = session.scalars(select(Question.id).where(Question.question.in_(questions))).all()
    for question_id in ids:
        assert mark_handed_off(services.db, question_id)
    when = datetime.now(UTC) - timedelta(days=days_ago)
    with services.db.session() as session:
        session.execute(update(Question).where(Question.id.in_(ids)).values(handed_off_at=when))


@pytest.mark.integration
def test_grouping_keeps_different_topics_apart(embedder) -> None:
    gaps = group(["What is the weather in Leeds?", *DENTAL, "", "  "], embedder)
    assert sorted(g.count for g in gaps) == [1, 2]
    assert group([], embedder) == []


@pytest.mark.unit
def test_since_accepts_spans_and_dates_and_says_what_it_wants() -> None:
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    assert parse_since("7d", now) == now - timedelta(days=7)
    assert parse_since("24H", now) == now - timedelta(hours=24)
    assert parse_since("2w", now) == now - timedelta(weeks=2)
    assert parse_since("2026-11-01", now) == datetime(2026, 11, 1, tzinfo=UTC)
    for bad in ("", "7", "seven days", "7x", "2027-01-01", "9" * 50):
        with pytest.raises(PeriodError, match="--since"):
            parse_since(bad, now)


@pytest.mark.integration
def test_the_report_command_reads_the_log_and_posts_the_digest(fresh_services, slack_api) -> None:
    services = fresh_services(comms_channel="C0COMMS")
    seed(services)
    data = services.settings.data_dir
    slack = {"PARTNERBOT_SLACK_BOT_TOKEN": slack_api.token, "PARTNERBOT_SLACK_API_URL": slack_api.base_url}
    unposted = partnerbot("report", "--post", data=data)
    assert unposted.returncode == 2 and "PARTNERBOT_COMMS_CHANNEL is not set" in unposted.stderr
    assert not slack_api.calls

    asked = partnerbot("ask", "Who funds pilots?", data=data)  # the CLI's questions are logged too
    assert asked.returncode == 0, asked.stderr
    env = {"PARTNERBOT_COMMS_CHANNEL": "C0COMMS", **slack}
    result = partnerbot("report", "--since", "7d", "--json", "--post", data=data, **env)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["questions"] == 11 and figures["by_surface"]["cli"] == 3  # 2 seeded + the one asked
    assert figures["gaps"][0]["count"] == 4
    [digest] = slack_api.calls_to("chat.postMessage")
    assert digest["channel"] == "C0COMMS"
    assert "*11* questions" in digest.text and "*4×* Where can I park" in digest.text


@pytest.mark.integration
def test_partnerbot_ask_prunes_old_questions_as_every_surface_does(fresh_services) -> None:
    services = fresh_services(question_retention_days=7)
    seed(services)  # one question is 20 days old
    asked = partnerbot(
        "ask", "Who funds pilots?", data=services.settings.data_dir, PARTNERBOT_QUESTION_RETENTION_DAYS="7"
    )
    assert asked.returncode == 0, asked.stderr
    assert build_report(services, parse_since("60d")).questions == 11  # 11 seeded, the old pruned, 1 asked


@pytest.mark.integration
def test_old_questions_are_pruned_when_services_start(fresh_services) -> None:
    services = fresh_services(question_retention_days=7)
    seed(services)  # one question is 20 days old
    Services.open(services.settings, services.assistant)
    assert build_report(services, parse_since("60d")).questions == 10


@pytest.mark.integration
def test_the_digest_names_no_document_its_readers_may_not_see(fresh_services, tmp_path) -> None:
    """Posted to the communications group, who are partners: a board-only document cited in the
    log is counted in the figures but not named; the operator's own report names it."""
    corpus = shutil.copytree(CORPUS, tmp_path / "corpus")
    manifest = yaml.safe_load((corpus / "manifest.yaml").read_text())
    for entry in manifest["documents"]:
        if entry["id"] == STRATEGY:
            entry.update(visibility="internal", readers=["S0BOARD"])
    (corpus / "manifest.yaml").write_text(yaml.safe_dump(manifest))
    services = fresh_services(corpus_dir=corpus)
    assert services.index.ingest().chunks_embedded == 0
    seed(services)
    since = datetime.now(UTC) - timedelta(days=7)

    digest = build_report(services, since)
    assert STRATEGY not in {doc_id for doc_id, _, _ in digest.top_documents}
    assert "Report to the LEP Board" not in to_text(digest) + json.dumps(to_blocks(digest))
    assert digest.answered == 4
    assert STRATEGY in {
        doc_id for doc_id, _, _ in build_report(services, since, access=EVERYTHING).top_documents
    }
