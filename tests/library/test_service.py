"""The Library's rules where surfaces meet: a pending document is not refreshed or removed, one
removed while it was fetched is not indexed again, a page gone is reported escaped, ids never look
like record numbers, old previews expire, and a rebuild keeps an added document's id."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.library.service import Library, LibraryError
from bot.state import library as store
from bot.state.models import LibraryStatus, now
from tests.conftest import CORPUS
from tests.library.conftest import NEW_FACT, PILOT_PATH, Website, pilot_page
from tests.support.slack_api import SlackAPI


def test_a_pending_document_is_neither_refreshed_nor_removed(fresh_services, website: Website) -> None:
    services = fresh_services(fetch_private=True)
    library = Library(services)
    pending = library.preview_url(website.put(PILOT_PATH, pilot_page()), actor="t", source="cli", key="k")
    for act in (library.refresh, library.remove):
        with pytest.raises(LibraryError, match="no added document"):
            act(pending.record.doc_id, actor="t", source="cli")
    assert services.index.document(pending.record.doc_id) is None
    assert library.cancel(pending.record.id, actor="t", source="cli").status == LibraryStatus.CANCELLED


def test_a_document_removed_while_it_was_fetched_is_not_indexed_again(
    fresh_services, website: Website
) -> None:
    services = fresh_services(fetch_private=True)
    library = Library(services)
    record = library.add_url(website.put(PILOT_PATH, pilot_page()), actor="t", source="cli", key="k").record
    website.put(PILOT_PATH, pilot_page(NEW_FACT))
    library.remove(record.doc_id, actor="t", source="cli")  # the refresh below still holds the record
    refreshed = library.refresh(record, actor="schedule", source="schedule")
    assert refreshed.outcome == "failed" and "removed while it was fetched" in (refreshed.problem or "")
    assert services.index.document(record.doc_id) is None
    assert library.get(record.id).status == LibraryStatus.REMOVED


def test_a_page_gone_is_reported_once_with_its_title_escaped(fresh_services, website: Website) -> None:
    hostile = "# <!channel> pilot news\n\nThe Calderbrook wound-care pilot is evaluated by the Ossett unit.\n"
    with SlackAPI() as slack:
        services = fresh_services(fetch_private=True, comms_channel="C0COMMS")
        library = Library(services, client=WebClient(token=slack.token, base_url=slack.base_url))
        page = website.put("/news/pilot.md", hostile, content_type="text/markdown")
        record = library.add_url(page, actor="t", source="cli", key="k").record
        website.take_down("/news/pilot.md")
        assert library.refresh(record.doc_id, actor="t", source="cli").outcome == "gone"
        assert library.refresh(record.doc_id, actor="t", source="cli").outcome == "gone"
        [report] = slack.calls_to("chat.postMessage")
    assert report["channel"] == "C0COMMS" and "has gone from" in report["text"]
    assert "<!channel>" not in report["text"] and "&lt;!channel&gt;" in report["text"]
    assert services.index.document(record.doc_id) is not None, "the last copy is still answered"


def test_an_id_is_never_all_digits(fresh_services) -> None:
    library = Library(fresh_services())
    record = library.add_bytes(
        "2024.md", b"# 2024\n\nThe year the kit trial passport began.", actor="t", source="cli", key="k"
    ).record
    assert record.doc_id == "document-2024"
    assert library.find(str(record.id)).doc_id == "document-2024"  # a number is the record's


def test_previews_left_for_days_expire(fresh_services) -> None:
    services = fresh_services()
    library = Library(services)
    old = library.preview_bytes(
        "old.md", b"# Old\n\nA preview nobody confirmed.", actor="t", source="cli", key="old"
    ).record
    new = library.preview_bytes(
        "new.md", b"# New\n\nA preview made today.", actor="t", source="cli", key="new"
    ).record
    store.update_record(services.db, old.id, added_at=now() - timedelta(days=3))
    assert library.expire_previews() == [old.id]
    assert library.get(old.id).status == LibraryStatus.CANCELLED
    assert not (services.settings.data_dir / "library" / str(old.id)).exists()
    assert library.get(new.id).status == LibraryStatus.PENDING


def test_a_rebuild_keeps_an_added_documents_id_from_a_corpus_file(fresh_services, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    services = fresh_services(corpus_dir=corpus)
    library = Library(services)
    record = library.add_bytes("pilot.html", pilot_page().encode(), actor="t", source="cli", key="k").record
    (corpus / f"{record.doc_id}.md").write_text("# Another\n\nA corpus file wanting the same id.\n")
    report = services.index.rebuild()
    assert any(f"id {record.doc_id!r} is taken by an added document" in f for f in report.failures)
    held = services.index.document(record.doc_id)
    assert held is not None and held[0].origin == "library"
