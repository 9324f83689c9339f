"""`partnerbot documents add|list|remove|refresh` as a person runs them, on a copy of the built index,
fetching from a local website."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot import cli
from bot.library.service import LibraryError
from bot.services import Services
from bot.state import library as store
from bot.state import tokens
from bot.state.models import LibraryStatus, now
from config.settings import Settings
from retrieval.access import EVERYTHING
from retrieval.assistant import Assistant
from retrieval.embed import Embedder
from tests.conftest import CORPUS
from tests.library.conftest import OLD_FACT, PILOT_PATH, PILOT_QUESTION, Website, pilot_page

pytestmark = pytest.mark.integration

DOC_ID = "calderbrook-wound-care-pilot"


@dataclass
class Cli:
    services: Services  # the test's view of the same data folder and state store
    site: Website
    embedder: Embedder

    @property
    def settings(self) -> Settings:
        return self.services.settings

    def run(self, *args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli.app, ["documents", *args], input=input)

    def answers(self, doc_id: str, question: str = PILOT_QUESTION) -> str | None:
        """The answer's text when it cites `doc_id`, from an index opened now (as another process)."""
        answer = Assistant(self.settings, embedder=self.embedder).ask(question, access=EVERYTHING)
        return answer.answer if any(s.doc_id == doc_id for s in answer.sources) else None

    def indexed(self) -> set[str]:
        assistant = Assistant(self.settings, embedder=self.embedder)
        return {d.doc_id for d, _ in assistant.index.documents() if d.origin == "library"}


@pytest.fixture
def documents(fresh_services, website: Website, embedder: Embedder, monkeypatch) -> Iterator[Cli]:
    services = fresh_services(fetch_private=True)
    env = {
        "PARTNERBOT_DATA_DIR": str(services.settings.data_dir),
        "PARTNERBOT_CORPUS_DIR": str(CORPUS),
        "PARTNERBOT_FETCH_PRIVATE": "true",
        "PARTNERBOT_QUESTIONS_PER_MINUTE": "0",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    yield Cli(services, website, embedder)


def test_add_with_yes_list_and_remove(documents: Cli) -> None:
    url = documents.site.put(PILOT_PATH, pilot_page())
    added = documents.run("add", url, "--yes", "--organisation", "Calderbrook Partnership", "--kind", "news")
    assert added.exit_code == 0, added.output
    assert f"Added {DOC_ID}" in added.output
    base = documents.settings.public_base_url
    assert f"{base}/sources/{DOC_ID}?t=" in added.output
    text = documents.answers(DOC_ID)
    assert text is not None and OLD_FACT in text

    listed = documents.run("list")
    assert listed.exit_code == 0, listed.output
    [line] = listed.output.splitlines()
    assert line.startswith(f"{DOC_ID}  indexed  added by cli:{getpass.getuser()} ") and "refreshed" in line
    as_json = documents.run("list", "--json")
    [row] = [json.loads(line) for line in as_json.output.splitlines()]
    assert (row["doc_id"], row["url"], row["organisation"], row["kind"], row["source"]) == (
        DOC_ID,
        url,
        "Calderbrook Partnership",
        "news",
        "cli",
    )

    kept = documents.run("remove", DOC_ID, input="n\n")
    assert kept.exit_code == 0 and "Nothing was removed" in kept.output
    assert DOC_ID in documents.indexed()
    removed = documents.run("remove", DOC_ID, "--yes")
    assert removed.exit_code == 0 and f"Removed {DOC_ID}" in removed.output, removed.output
    assert DOC_ID not in documents.indexed() and documents.answers(DOC_ID) is None
    assert "No documents added yet." in documents.run("list").output
    [line] = documents.run("list", "--all").output.splitlines()
    assert line.startswith(f"{DOC_ID}  removed  ")
    again = documents.run("remove", DOC_ID, "--yes")
    assert isinstance(again.exception, LibraryError) and "no added document" in str(again.exception)


def test_add_shows_the_document_first_and_no_adds_nothing(documents: Cli) -> None:
    url = documents.site.put(PILOT_PATH, pilot_page())
    declined = documents.run("add", url, "--published", "2025-03", input="n\n")
    assert declined.exit_code == 0, declined.output
    for shown in (
        "Title:         Calderbrook wound-care pilot",
        "Date:          2025-03",
        "Kind:          document",
        "Who may read:  the cluster's partners",
        "Passages:      ",
        f"From:          {url}",
        "Calderbrook wound-care pilot tests a smart dressing",  # the first lines
        "Add it? [y/N]",
        "Cancelled: nothing was added.",
    ):
        assert shown in declined.output
    assert documents.indexed() == set()
    [cancelled] = store.listing(documents.services.db, statuses=(LibraryStatus.CANCELLED,))
    assert cancelled.doc_id == DOC_ID
    assert not (documents.settings.data_dir / "library" / str(cancelled.id)).exists()

    accepted = documents.run("add", url, input="y\n")
    assert accepted.exit_code == 0 and f"Added {DOC_ID}" in accepted.output, accepted.output
    assert documents.indexed() == {DOC_ID}


def test_add_a_local_file_and_refuse_what_cannot_be_added(documents: Cli, tmp_path: Path) -> None:
    note = tmp_path / "kirkstall.md"
    note.write_text("# Kirkstall sensor library\n\nSensors are lent by the Bramley Devices Office.\n")
    added = documents.run("add", str(note), "--yes", "--visibility", "internal", "--reader", "S0COMMS")
    assert added.exit_code == 0 and "Added kirkstall-sensor-library" in added.output, added.output
    [record] = store.listing(documents.services.db)
    assert (record.url, record.visibility, record.readers) == (None, "internal", ["S0COMMS"])

    missing = documents.run("add", str(tmp_path / "nope.md"), "--yes")
    assert isinstance(missing.exception, LibraryError) and "neither an http(s) address nor a file" in str(
        missing.exception
    )
    bad = documents.run("add", documents.site.put(PILOT_PATH, pilot_page()), "--yes", "--published", "soon")
    assert isinstance(bad.exception, LibraryError) and "published" in bad.exception.fields
    assert documents.indexed() == {"kirkstall-sensor-library"}


def test_an_error_is_one_red_line_and_exit_2(documents: Cli, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "argv", ["partnerbot", "documents", "remove", "nothing-like-it", "--yes"])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("partnerbot: no added document is called 'nothing-like-it'")


def test_refresh_due_and_a_page_gone(documents: Cli, monkeypatch) -> None:
    url = documents.site.put(PILOT_PATH, pilot_page())
    assert documents.run("add", url, "--yes").exit_code == 0
    now_ = documents.run("refresh", DOC_ID)
    assert now_.exit_code == 0 and f"{DOC_ID}  unchanged" in now_.output, now_.output
    assert documents.site.requests[PILOT_PATH] == 2

    not_due = documents.run("refresh", "--due")  # refreshed just now
    assert not_due.exit_code == 0 and "Nothing to refresh." in not_due.output, not_due.output
    assert documents.site.requests[PILOT_PATH] == 2

    [record] = store.listing(documents.services.db)
    store.update_record(documents.services.db, record.id, checked_at=now() - timedelta(hours=2))
    monkeypatch.setenv("PARTNERBOT_REFRESH_HOURS", "1")
    due = documents.run("refresh", "--due")
    assert due.exit_code == 0 and f"{DOC_ID}  unchanged" in due.output, due.output
    assert documents.site.requests[PILOT_PATH] == 3
    assert "Nothing to refresh." in documents.run("refresh", "--due").output  # claimed and checked now

    documents.site.take_down(PILOT_PATH)
    gone = documents.run("refresh", DOC_ID)
    assert gone.exit_code == 1 and f"{DOC_ID}  gone" in gone.output and "has gone" in gone.output
    every = documents.run("refresh")  # every document added by address
    assert every.exit_code == 1 and f"{DOC_ID}  gone" in every.output
    listed = documents.run("list").output
    assert "⚠" in listed and "has gone" in listed
    assert documents.answers(DOC_ID) is not None  # the last copy is still answered from
    both = documents.run("refresh", DOC_ID, "--due")
    assert both.exit_code == 2 and "not both" in both.output


def test_a_token_of_the_documents_scope_is_made_from_the_command_line(documents: Cli) -> None:
    made = CliRunner().invoke(cli.app, ["token", "create", "cms-tool", "--scope", "documents"])
    assert made.exit_code == 0, made.output
    token = tokens.verify(documents.services.db, made.output.strip())
    assert token == tokens.Token("cms-tool", frozenset({"documents"}))
