"""Who may read what, at retrieval: a document the reader may not see is searched as if it did not
exist. Real model, real Chroma and BM25, over the reference documents with their visibility set."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from config.settings import load_settings
from retrieval.access import EVERYTHING, PARTNERS, PUBLIC, Access
from retrieval.answer import Answer
from retrieval.assistant import NOT_FOUND, Assistant
from retrieval.conversation import Turn
from retrieval.embed import Embedder
from tests.conftest import CORPUS, DEV_SET

pytestmark = pytest.mark.integration

OPEN = "digital-health-strategy-for-all"  # public
BOARD = "advancing-healthtech-innovation"  # internal to S0BOARD
COMMS = Access(partner=True, groups=frozenset({"S0BOARD"}))
ASKED_OF_BOARD = "who wrote the guest blog on advancing healthtech innovation?"


def corpus_with(folder: Path, visibility: dict[str, dict]) -> Path:
    """The reference corpus, its manifest entries given the visibility fields of `visibility`."""
    shutil.copytree(CORPUS, folder)
    manifest = yaml.safe_load((folder / "manifest.yaml").read_text())
    for entry in manifest["documents"]:
        entry.update(visibility.get(entry["id"], {}))
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest))
    return folder


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Callable[..., Assistant]:
    def make(visibility: dict[str, dict], name: str) -> Assistant:
        root = tmp_path_factory.mktemp(name)
        corpus = corpus_with(root / "corpus", visibility)
        settings = load_settings(data_dir=root / "data", corpus_dir=corpus)
        assistant = Assistant(settings, embedder=embedder)
        assert not assistant.index.ingest().failures
        return assistant

    return make


@pytest.fixture(scope="module")
def bot(build: Callable[..., Assistant]) -> Assistant:
    return build(
        {OPEN: {"visibility": "public"}, BOARD: {"visibility": "internal", "readers": ["S0BOARD"]}}, "mixed"
    )


def cited(answer: Answer) -> set[str]:
    return {s.doc_id for s in answer.sources}


def dev_questions() -> list[str]:
    return [json.loads(line)["question"] for line in DEV_SET.read_text().splitlines() if line.strip()]


def test_each_reader_is_answered_from_what_it_may_see(bot: Assistant) -> None:
    assert cited(bot.ask(ASKED_OF_BOARD)) == {BOARD}
    assert cited(bot.ask(ASKED_OF_BOARD, access=COMMS)) == {BOARD}
    assert "Rob Webster" in bot.ask(ASKED_OF_BOARD, access=COMMS).answer
    for reader in (PARTNERS, PUBLIC, Access(partner=True, groups=frozenset({"S0OTHER"}))):
        answer = bot.ask(ASKED_OF_BOARD, access=reader)
        assert BOARD not in cited(answer), reader
        assert "Rob Webster" not in answer.answer, reader


def test_no_passage_of_a_hidden_document_is_ever_retrieved(bot: Assistant) -> None:
    """Over the whole dev set: the passages the writer is given, and so the nearest sources too."""
    for question in dev_questions():
        assert {p.document.doc_id for p in bot.retrieve(question, access=PUBLIC)} <= {OPEN}, question
        assert BOARD not in {p.document.doc_id for p in bot.retrieve(question, access=PARTNERS)}, question
        assert BOARD not in cited(bot.ask(question, access=PARTNERS)), question


def test_a_hidden_answer_is_declined_as_a_missing_one(bot: Assistant) -> None:
    hidden = bot.ask("What does Rob Webster say about the integrated care system?", access=PUBLIC)
    missing = bot.ask("What does the cluster say about lunar mining permits?", access=PUBLIC)
    for answer in (hidden, missing):
        assert (answer.answered, answer.answer) == (False, NOT_FOUND)
        assert cited(answer) <= {OPEN}


def test_a_hidden_document_shapes_no_answer(bot: Assistant, build: Callable[..., Assistant]) -> None:
    """A partner's answers with the board's document hidden are, word for word, the answers of an
    index that never held it: its terms do not even count towards how rare a word is."""
    without = build({OPEN: {"visibility": "public"}}, "without")
    without.index.remove_document(BOARD)
    questions = [q for q in dev_questions() if "webster" not in q.lower()]
    same = sum(
        bot.ask(q, access=PARTNERS).answer == without.ask(q, access=PARTNERS).answer for q in questions
    )
    assert same == len(questions)


def test_opening_a_document_to_more_readers_re_embeds_nothing(
    build: Callable[..., Assistant], embedder: Embedder
) -> None:
    bot = build({BOARD: {"visibility": "internal", "readers": ["S0BOARD"]}}, "reopened")
    assert BOARD not in cited(bot.ask(ASKED_OF_BOARD, access=PARTNERS))
    manifest_path = bot.settings.corpus_dir / "manifest.yaml"
    manifest = yaml.safe_load(manifest_path.read_text())
    for entry in manifest["documents"]:
        if entry["id"] == BOARD:
            entry.update(visibility="partners", readers=[])
    manifest_path.write_text(yaml.safe_dump(manifest))

    report = bot.index.ingest()
    assert (report.chunks_embedded, report.updated, report.added) == (0, [], [])
    assert cited(bot.ask(ASKED_OF_BOARD, access=PARTNERS)) == {BOARD}, "seen at once, by the same process"
    other = Assistant(bot.settings, embedder=embedder)  # and by another process reading the index
    assert cited(other.ask(ASKED_OF_BOARD, access=PARTNERS)) == {BOARD}


def test_rights_combine_and_travel_in_a_link() -> None:
    assert (PARTNERS & COMMS) == PARTNERS
    assert (PUBLIC & COMMS) == PUBLIC
    assert (EVERYTHING & COMMS) == COMMS
    for access in (PUBLIC, PARTNERS, COMMS, EVERYTHING):
        assert Access.from_claims(access.claims()) == access
    with pytest.raises(ValueError):
        Access.from_claims({"p": 1, "g": "S0BOARD"})


def test_a_follow_up_reads_nothing_the_asker_may_not_see_through_the_thread(bot: Assistant) -> None:
    """A member of the board's group is answered from its document; a partner who follows up in
    the same thread ("and how many trusts are in it?") must not be answered from that document,
    though the thread is about it: what a follow-up needs is read from the thread's page only when
    the asker may see the page."""
    first = bot.ask("what does rob webster's guest blog say about the integrated care system?", access=COMMS)
    assert cited(first) == {BOARD}, first.answer
    follow = bot.ask("and how many trusts are in it?", [Turn.of(first)], access=PARTNERS)
    assert BOARD not in cited(follow), follow.answer
    assert "10 NHS trusts" not in follow.answer
    own = bot.ask("and how many trusts are in it?", [Turn.of(first)], access=COMMS)
    assert BOARD in cited(own) and "10 NHS trusts" in own.answer, own.answer
