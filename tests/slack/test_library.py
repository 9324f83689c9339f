"""/partnerbot and files shared with the bot, through signed requests to the real bolt app, the local
Slack Web API (files.info and the authenticated download), a local web server and a real index."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import library_views as views
from bot.state import audit
from bot.state import library as records
from bot.state.models import LibraryDocument, LibraryStatus
from retrieval.access import EVERYTHING
from tests.slack.conftest import CHANNEL, Slack
from tests.support.slack_api import BOT_USER_ID, Call, SlackAPI
from tests.support.slack_requests import file_share_event, mention_with_files

pytestmark = pytest.mark.integration

COMMS = "U0COMMS"
STRANGER = "U0STRANGER"
DM = "D0COMMSDM"
COMMAND = "/partnerbot"
PASSPORT = b"""# Grimsdyke kit trial passport

The Grimsdyke kit trial passport lets an SME reuse one set of NHS trial paperwork across every West
Yorkshire trust. It is issued by the Grimsdyke Evaluation Office within ten working days.
"""
PASSPORT_QUESTION = "Who issues the Grimsdyke kit trial passport?"
PAGE = """<html><head><title>Calderbrook sandbox</title></head><body><h1>Calderbrook sandbox</h1>
<p>The Calderbrook sandbox gives healthtech SMEs six months of free access to anonymised outpatient
data. Applications are read by the {reader} every quarter.</p></body></html>"""
PAGE_QUESTION = "Who reads applications to the Calderbrook sandbox?"


# -- a web server for the pages added by address ------------------------------------------------------


@dataclass
class Pages:
    """Pages served on loopback: path → (status, content type, body); every request recorded."""

    url: str = ""
    pages: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def put(self, path: str, body: str, status: int = 200, content_type: str = "text/html") -> str:
        self.pages[path] = (status, content_type, body.encode())
        return f"{self.url}{path}"


@pytest.fixture
def pages() -> Iterator[Pages]:
    site = Pages()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            site.hits.append(self.path)
            status, content_type, body = site.pages.get(self.path, (404, "text/plain", b"Not Found"))
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield site
    server.shutdown()
    server.server_close()


@pytest.fixture
def library(make_slack: Callable[..., Slack]) -> Callable[..., Slack]:
    """make_slack with the communications group (U0COMMS), loopback fetches allowed, reports to C0COMMS."""

    def make(**overrides: Any) -> Slack:
        settings = {"comms_user_ids": [COMMS], "fetch_private": True, "comms_channel": "C0COMMS"}
        return make_slack(**{**settings, **overrides})

    return make


@pytest.fixture
def slack(library: Callable[..., Slack]) -> Slack:
    return library()


# -- helpers -----------------------------------------------------------------------------------------


def buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    return {e["action_id"]: e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]}


def share_in_dm(
    slack: Slack,
    name: str,
    data: bytes,
    mimetype: str = "text/markdown",
    *,
    user: str = COMMS,
    thread_ts: str | None = None,
) -> str:
    """A person shares a file with the bot in their DM; → the file id."""
    file_id = slack.api.add_file(name, data, mimetype)
    ts = slack.api.next_ts()
    event = file_share_event([slack.api.files[file_id]], user=user, channel=DM, ts=ts, thread_ts=thread_ts)
    assert slack.send.event(event).status_code == 200
    return file_id


def dm_reply(slack: Slack, count: int = 1) -> Call:
    """The bot's latest message in the DM (a preview or a refusal)."""
    return slack.api.wait_for("chat.postMessage", count, where=lambda c: c["channel"] == DM)[-1]


def click(slack: Slack, action_id: str, value: str, name: str, user: str = COMMS) -> Call:
    """Click a button of a message in the DM; → what replaced it (through the click's response URL)."""
    url = slack.api.response_url(name)
    response = slack.send.action(action_id, value=value, user=user, channel=DM, response_url=url)
    assert response.status_code == 200, response.text
    return slack.api.wait_for("response_url", where=lambda c: c.path == f"/hooks/{name}", timeout=90)[-1]


def command(slack: Slack, text: str, name: str, user: str = COMMS) -> Any:
    url = slack.api.response_url(name)
    response = slack.send.command(COMMAND, text, user=user, channel=CHANNEL, response_url=url)
    assert response.status_code == 200, response.text
    return response


def responded(slack: Slack, name: str, count: int = 1) -> Call:
    return slack.api.wait_for("response_url", count, where=lambda c: c.path == f"/hooks/{name}", timeout=90)[
        -1
    ]


def cites(slack: Slack, question: str, doc_id: str) -> bool:
    answer, _ = slack.services.answer(question, surface="cli", access=EVERYTHING)
    return any(s.doc_id == doc_id for s in answer.sources)


def only_record(slack: Slack) -> Any:
    statuses = tuple(LibraryStatus)
    [record] = records.listing(slack.services.db, statuses=statuses)
    return record


def add_page(slack: Slack, pages: Pages, reader: str = "Ossett Review Panel") -> tuple[str, Any]:
    """`/partnerbot add <url>` → preview → Confirm; → (url, the indexed record)."""
    url = pages.put("/sandbox.html", PAGE.format(reader=reader))
    acked = command(slack, f"add <{url}|Calderbrook sandbox>", "add")
    assert acked.text.startswith("Fetching"), acked.text
    preview = responded(slack, "add")
    assert preview["replace_original"] is True and "Calderbrook sandbox" in preview.text
    added = click(slack, "library_confirm", buttons(preview["blocks"])["library_confirm"], "add-confirm")
    assert "answerable now" in added.text
    return url, only_record(slack)


# -- adding a file -----------------------------------------------------------------------------------


def test_a_file_shared_in_a_dm_is_previewed_then_confirmed_and_answerable(slack: Slack) -> None:
    documents = len(slack.services.index.documents())
    file_id = share_in_dm(slack, "passport.md", PASSPORT)
    preview = dm_reply(slack)
    assert "Grimsdyke kit trial passport" in preview.text
    assert "1 passage" in preview.text and ">The Grimsdyke kit trial passport lets an SME" in preview.text
    assert "every member of this workspace (partners)" in preview.text
    assert preview["thread_ts"], "in the thread of the shared file, as DM answers are"
    assert set(buttons(preview["blocks"])) == {"library_confirm", "library_edit", "library_cancel"}
    record = only_record(slack)
    assert (record.status, record.added_by) == ("pending", COMMS)
    assert record.key.startswith(f"slack:{file_id}:"), "keyed by the file and the message sharing it"
    assert slack.services.index.document(record.doc_id) is None, "nothing indexed before Confirm"
    [download] = slack.api.calls_to("files.download")
    assert download.headers["authorization"] == f"Bearer {slack.api.token}"
    assert not slack.api.calls_to("reactions.add"), "a shared file is not a question"

    added = click(slack, "library_confirm", str(record.id), "confirm")
    assert added["replace_original"] is True
    assert "Added *Grimsdyke kit trial passport*: answerable now." in added.text
    assert f"/sources/{record.doc_id}?t=" in added.text
    assert only_record(slack).status == "indexed"
    assert len(slack.services.index.documents()) == documents + 1
    assert cites(slack, PASSPORT_QUESTION, record.doc_id)
    rows = [(e.action, e.actor, e.allowed, e.document) for e in audit.entries(slack.services.db)]
    assert ("add", COMMS, True, record.doc_id) in rows and ("confirm", COMMS, True, record.doc_id) in rows


def test_edit_changes_the_fields_shown_and_indexed(slack: Slack) -> None:
    share_in_dm(slack, "passport.md", PASSPORT)
    record_id = buttons(dm_reply(slack)["blocks"])["library_edit"]
    response = slack.send.action(
        "library_edit", value=record_id, user=COMMS, channel=DM, response_url=slack.api.response_url("edit")
    )
    assert response.status_code == 200
    slack.api.wait_for("views.open")
    view = next(v for v in slack.api.views.values() if v.get("callback_id") == "library_edit_form")
    assert len(view["title"]["text"]) <= 24
    initial = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"]}
    assert initial["title"] == "Grimsdyke kit trial passport"

    def submit(**fields: str) -> Any:
        values = {
            block: {"value": {"type": "plain_text_input", "value": fields.get(block, "")}}
            for block in ("title", "author", "organisation", "published", "kind", "topics", "readers")
        }
        values["visibility"] = {
            "value": {
                "type": "static_select",
                "selected_option": {"value": fields.get("visibility", "partners")},
            }
        }
        return slack.send.view_submission({**view, "state": {"values": values}}, user=COMMS)

    bad = submit(title="Trial passport", published="2025-13-40")
    assert bad.json()["response_action"] == "errors" and "published" in bad.json()["errors"]
    assert only_record(slack).title == "Grimsdyke kit trial passport", "a bad date changes nothing"

    saved = submit(
        title="Trial passport guide",
        author="Asha Patel",
        organisation="Grimsdyke Evaluation Office",
        published="2025-03",
        topics="NHS trials, paperwork",
    )
    assert saved.status_code == 200 and not saved.text.strip(), saved.text  # the modal closes
    shown = responded(slack, "edit")
    assert shown["replace_original"] is True
    assert "*Trial passport guide*" in shown.text and "Grimsdyke Evaluation Office · 2025-03" in shown.text

    click(slack, "library_confirm", record_id, "confirm")
    record = only_record(slack)
    document, _ = slack.services.index.document(record.doc_id)
    assert (document.title, document.author, document.organisation, document.published, document.topics) == (
        "Trial passport guide",
        "Asha Patel",
        "Grimsdyke Evaluation Office",
        "2025-03",
        ("NHS trials", "paperwork"),
    )


def test_cancel_indexes_nothing_and_keeps_the_record(slack: Slack) -> None:
    share_in_dm(slack, "passport.md", PASSPORT)
    record_id = buttons(dm_reply(slack)["blocks"])["library_cancel"]
    cancelled = click(slack, "library_cancel", record_id, "cancel")
    assert cancelled["replace_original"] is True and "Cancelled: nothing was added" in cancelled.text
    record = only_record(slack)
    assert record.status == "cancelled" and slack.services.index.document(record.doc_id) is None
    assert not cites(slack, PASSPORT_QUESTION, record.doc_id)


def test_confirm_clicked_twice_indexes_once(slack: Slack) -> None:
    share_in_dm(slack, "passport.md", PASSPORT)
    record_id = buttons(dm_reply(slack)["blocks"])["library_confirm"]
    version = slack.services.index.version
    url = slack.api.response_url("twice")
    clicks = [
        threading.Thread(
            target=slack.send.action,
            args=("library_confirm",),
            kwargs={"value": record_id, "user": COMMS, "channel": DM, "response_url": url},
        )
        for _ in range(2)
    ]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join(60)
    replies = slack.api.wait_for("response_url", 2, where=lambda c: c.path == "/hooks/twice", timeout=90)
    assert all("answerable now" in r.text for r in replies), [r.text for r in replies]
    assert slack.services.index.version == version + 1
    assert [e.action for e in audit.entries(slack.services.db)].count("confirm") == 1


def test_a_file_in_a_dm_thread_reaches_the_library_not_the_assistant(slack: Slack) -> None:
    """bolt's Assistant middleware takes every DM thread reply, files included, before any listener."""
    share_in_dm(slack, "passport.md", PASSPORT, thread_ts="1700000000.000001")
    assert "Grimsdyke kit trial passport" in dm_reply(slack).text
    slack.api.settle(0.5)
    assert not slack.api.calls_to("assistant.threads.setStatus") and not slack.api.calls_to("reactions.add")


def test_mention_with_a_file_in_a_channel_is_previewed_privately_once(slack: Slack) -> None:
    file_id = slack.api.add_file("passport.md", PASSPORT, "text/markdown")
    text = f"<@{BOT_USER_ID}> add"
    ts = slack.api.add_message(CHANNEL, text, user=COMMS)
    files = [slack.api.files[file_id]]
    slack.send.event(mention_with_files(files, text=text, user=COMMS, channel=CHANNEL, ts=ts))
    slack.send.event(
        file_share_event(files, user=COMMS, channel=CHANNEL, ts=ts, text=text, channel_type="channel")
    )
    [preview] = slack.api.wait_for("chat.postEphemeral", where=lambda c: c["user"] == COMMS)
    assert preview["channel"] == CHANNEL and "Grimsdyke kit trial passport" in preview.text
    slack.api.settle(1.0)
    assert len(slack.api.calls_to("files.info")) == 1
    assert not slack.api.calls_to("chat.postMessage"), "nothing public, and no answer to the mention"


# -- who may -----------------------------------------------------------------------------------------


def test_a_non_member_is_refused_privately_nothing_is_fetched_and_it_is_audited(
    slack: Slack, pages: Pages
) -> None:
    share_in_dm(slack, "passport.md", PASSPORT, user=STRANGER)
    refusal = dm_reply(slack)
    assert "Only the communications group" in refusal.text
    url = pages.put("/sandbox.html", PAGE.format(reader="Ossett Review Panel"))
    acked = command(slack, f"add <{url}>", "stranger", user=STRANGER)
    assert "Only the communications group" in acked.text
    slack.api.settle(0.5)
    assert not slack.api.calls_to("files.info") and not slack.api.calls_to("files.download")
    assert not pages.hits and not slack.api.calls_to("response_url")
    assert not slack.api.calls_to("reactions.add"), "a refused file is not taken as a question either"
    assert len(slack.api.calls_to("chat.postMessage")) == 1
    assert records.listing(slack.services.db, statuses=tuple(LibraryStatus)) == []
    refused = [(e.action, e.actor, e.allowed) for e in audit.entries(slack.services.db)]
    assert refused == [("add", STRANGER, False), ("add", STRANGER, False)]


def test_a_member_who_left_cannot_confirm_a_preview_they_were_shown(library: Callable[..., Slack]) -> None:
    slack = library(comms_usergroup="S0COMMS", comms_cache_s=0)
    slack.api.usergroups["S0COMMS"] = ["U0GROUPIE"]
    share_in_dm(slack, "passport.md", PASSPORT, user="U0GROUPIE")
    record_id = buttons(dm_reply(slack)["blocks"])["library_confirm"]
    slack.api.usergroups["S0COMMS"] = []  # left the group after seeing the preview
    refused = click(slack, "library_confirm", record_id, "late", user="U0GROUPIE")
    assert "Only the communications group" in refused.text and refused["replace_original"] is False
    assert only_record(slack).status == "pending"
    [entry, *_] = audit.entries(slack.services.db)
    assert (entry.action, entry.actor, entry.allowed) == ("confirm", "U0GROUPIE", False)


# -- adding an address, listing, refreshing, removing -----------------------------------------------


def test_add_by_address_list_refresh_and_remove(slack: Slack, pages: Pages) -> None:
    url, record = add_page(slack, pages)
    assert record.url == url and cites(slack, PAGE_QUESTION, record.doc_id)

    listed = command(slack, "list", "list").json()
    shown = "\n".join(b["text"]["text"] for b in listed["blocks"] if b["type"] == "section")
    assert f"`{record.doc_id}` *Calderbrook sandbox*" in shown and f"added by <@{COMMS}>" in shown

    version = slack.services.index.version
    command(slack, f"refresh {record.doc_id}", "same")
    assert "is unchanged" in responded(slack, "same").text
    assert slack.services.index.version == version, "nothing read again"

    pages.put("/sandbox.html", PAGE.format(reader="Wakefield Sandbox Board"))
    command(slack, f"refresh {record.doc_id}", "changed")
    assert "changed: the new text" in responded(slack, "changed").text
    _, chunks = slack.services.index.document(record.doc_id)
    assert any("Wakefield Sandbox Board" in c.text for c in chunks)
    assert cites(
        slack, "Does the Wakefield Sandbox Board read Calderbrook sandbox applications?", record.doc_id
    )

    prompt = command(slack, f"remove {record.doc_id}", "remove").json()
    remove = next(e for b in prompt["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert (remove["style"], remove["value"], "confirm" in remove) == ("danger", record.doc_id, True)
    removed = click(slack, "library_remove", remove["value"], "removed")
    assert "Removed *Calderbrook sandbox*: no longer answered or shown; its record stays" in removed.text
    assert slack.services.index.document(record.doc_id) is None
    assert not cites(slack, PAGE_QUESTION, record.doc_id)
    assert only_record(slack).status == "removed"
    assert "No documents were added yet" in command(slack, "list", "empty").text


def test_a_page_that_has_gone_is_reported_and_kept(slack: Slack, pages: Pages) -> None:
    _, record = add_page(slack, pages)
    del pages.pages["/sandbox.html"]
    command(slack, f"refresh {record.doc_id}", "gone")
    told = responded(slack, "gone")
    assert "could not be fetched" in told.text and "has gone (404 Not Found)" in told.text
    assert f"{COMMAND} remove {record.doc_id}" in told.text
    [report] = slack.api.wait_for("chat.postMessage", where=lambda c: c["channel"] == "C0COMMS")
    assert "Calderbrook sandbox" in report.text
    assert slack.services.index.document(record.doc_id) is not None, "the last copy is still answered"
    listed = command(slack, "list", "list").json()
    assert ":warning: gone since" in "\n".join(b["text"]["text"] for b in listed["blocks"] if "text" in b)


def test_usage_and_unknown_documents(slack: Slack) -> None:
    assert "refresh ID" in command(slack, "", "usage").text
    assert "refresh ID" in command(slack, "frobnicate", "usage").text
    acked = command(slack, "refresh no-such-document", "nothing")
    assert acked.text.startswith("Fetching")
    assert "No added document is called 'no-such-document'" in responded(slack, "nothing").text


# -- what is refused on its input --------------------------------------------------------------------


def test_an_oversized_file_is_refused_in_one_sentence(library: Callable[..., Slack]) -> None:
    slack = library(max_file_bytes=2_000)
    documents = len(slack.services.index.documents())
    share_in_dm(slack, "big.md", PASSPORT * 20)
    refusal = dm_reply(slack)
    assert "larger than the 2,000-byte limit" in refusal.text and "library_confirm" not in str(
        refusal["blocks"]
    )
    assert not slack.api.calls_to("files.download"), "refused on the size Slack gives, before downloading"
    assert len(slack.services.index.documents()) == documents
    assert records.listing(slack.services.db, statuses=tuple(LibraryStatus)) == []


def test_a_malformed_pdf_is_refused_and_the_index_is_untouched(slack: Slack) -> None:
    documents = {d.doc_id for d, _ in slack.services.index.documents()}
    share_in_dm(slack, "x.pdf", bytes(range(256)) * 8, "application/pdf")
    refusal = dm_reply(slack)
    assert "not a readable PDF" in refusal["text"] and refusal["text"].lower().count("x.pdf") == 1
    assert "Something went wrong" not in refusal.text
    assert "Traceback" not in refusal.text
    assert {d.doc_id for d, _ in slack.services.index.documents()} == documents
    assert records.listing(slack.services.db, statuses=tuple(LibraryStatus)) == []


def test_a_hostile_title_is_escaped_in_the_preview(slack: Slack) -> None:
    share_in_dm(slack, "hostile.md", b"# <!channel> Partner update @here\n\n" + PASSPORT.split(b"\n", 2)[2])
    preview = dm_reply(slack)
    assert "<!channel>" not in preview.text and "&lt;!channel&gt; Partner update" in preview.text
    assert "@here" not in preview.text


def test_every_text_keeps_within_slacks_limits() -> None:
    """Escaping can make a text five times longer (`&` → `&amp;`): no block may pass Slack's limits."""
    worst = "&<>" * 100
    record = LibraryDocument(
        id=7,
        doc_id="d" * 100,
        status="pending",
        added_by="U0COMMS",
        url="https://example.org/" + "a" * 1900,
        file_name="f" * 100 + ".md",
        title=worst,
        organisation=worst[:200],
        published="2025",
        kind="k" * 50,
        visibility="internal",
        readers=["C0123ABCD", "S0123ABCD"],
        passages=3,
        first_lines=worst,
        problem="p&" * 250,
    )
    built = [
        views.preview(record),
        views.removed(record),
        views.remove_prompt(record),
    ]
    built.append(views.listing([record] * 60, COMMAND))
    for _, blocks in built:
        assert len(blocks) <= 50
        for block in blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= 3000
                assert "<&" not in block["text"]["text"]
            for element in block.get("elements", []):
                if element["type"] == "button":
                    assert len(element["text"]["text"]) <= 75 and len(element["value"]) <= 2000
    form = views.edit_view(record, {"response_url": "https://hooks.slack.com/actions/T/1/x"})
    assert len(form["title"]["text"]) <= 24 and len(form["private_metadata"]) <= 3000
    select = next(b for b in form["blocks"] if b["block_id"] == "visibility")["element"]
    assert all(len(o["text"]["text"]) <= 75 for o in select["options"])
    assert select["initial_option"]["value"] == "internal"
    fields = views.read_form(
        {
            "title": {"value": {"type": "plain_text_input", "value": "T"}},
            "visibility": {"value": {"type": "static_select", "selected_option": {"value": "internal"}}},
            "readers": {"value": {"type": "plain_text_input", "value": "C0123ABCD, S0123ABCD"}},
        }
    )
    assert (fields.title, fields.visibility, fields.readers) == ("T", "internal", ("C0123ABCD", "S0123ABCD"))
    assert views.field_errors({"published": "x" * 300, "other": "y"}) == {"published": "x" * 150}


def test_the_local_slack_serves_a_file_only_with_the_bot_token(slack_api: SlackAPI) -> None:
    file_id = slack_api.add_file("plan.md", b"# Plan", "text/markdown")
    client = WebClient(token=slack_api.token, base_url=slack_api.base_url)
    file = client.files_info(file=file_id)["file"]
    assert (file["name"], file["size"], file["filetype"]) == ("plan.md", 6, "md")
    with pytest.raises(SlackApiError, match="file_not_found"):
        client.files_info(file="F0MISSING")
    url = file["url_private_download"]
    with urllib.request.urlopen(url) as anonymous:  # as Slack does: 200 with a sign-in page
        assert anonymous.status == 200 and anonymous.headers["content-type"].startswith("text/html")
    signed = urllib.request.Request(url, headers={"Authorization": f"Bearer {slack_api.token}"})
    with urllib.request.urlopen(signed) as download:
        assert download.read() == b"# Plan" and download.headers["content-type"] == "text/markdown"
