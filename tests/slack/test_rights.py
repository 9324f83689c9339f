"""Who may read what in Slack (issue 11): the asker's rights and the channel's, read from Slack.

A corpus of three reference documents: one public, one internal to the user group S0COMMS, one for
partners (the default). People and places are set in the local Web API (a user it does not list is a
member of the workspace): a guest from another organisation, a channel shared with theirs, channels
with and without people outside the group, group DMs, a front-door channel.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack import blocks, home
from bot.slack.channels import EXTERNAL_NOTE
from bot.slack.listeners.handoff import LEFT_OUT
from bot.slack.listeners.share import NOT_FOR_EVERYONE
from bot.slack.rights import Rights
from config.settings import load_settings
from corpus.model import Document
from retrieval.access import PARTNERS, PUBLIC, Access
from retrieval.assistant import Assistant
from retrieval.embed import Embedder
from tests.conftest import CORPUS
from tests.slack.conftest import ANSWERABLE, ASKER, CHANNEL, Slack, message_event
from tests.slack.test_home import open_home, shown
from tests.support.slack_api import BOT_USER_ID, TEAM_ID, SlackAPI

PUBLIC_DOC = "new-healthtech-agreement"
PARTNERS_DOC = "lep-board-healthtech-strategy-2022"
INTERNAL_DOC = "advancing-healthtech-innovation"
PUBLIC_Q = "Who signed the Leeds City Region healthtech MoU?"
PARTNERS_Q = "When was the healthtech strategy first presented to the LEP Board?"  # "30 November"
INTERNAL_Q = ANSWERABLE  # the CEO lead, from the internal blog

GROUP = "S0COMMS"
IN_GROUP = Access(partner=True, groups=frozenset({GROUP}))  # ASKER's rights
COLLEAGUE = "U0COLLEAGUE"  # in the group too
OUTSIDER = "U0OUTSIDER"  # a member of the workspace, not of the group
GUEST, OTHER_ORG = "U0GUEST", "T0SUPPLIER"  # from another organisation
SHARED = "C0SHARED"  # a Slack Connect channel shared with the guest's organisation
MIXED = "C0MIXED"  # the group and an outsider
GROUP_ROOM = "C0GROUPROOM"  # the group only
FRONT_DOOR = "C0FRONTDOOR"

pytestmark = pytest.mark.integration
_LINK = re.compile(r"/sources/([\w-]+)\?t=([\w.-]+)")


@pytest.fixture(scope="module")
def rights_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> tuple[Path, Path]:
    """(corpus, data): the three documents with their visibility, indexed once for the module."""
    root = tmp_path_factory.mktemp("rights")
    corpus = root / "corpus"
    corpus.mkdir()
    visibility = {
        PUBLIC_DOC: {"visibility": "public"},
        INTERNAL_DOC: {"visibility": "internal", "readers": [GROUP]},
    }
    reference = yaml.safe_load((CORPUS / "manifest.yaml").read_text())["documents"]
    entries = [
        {**e, **visibility.get(e["id"], {})} for e in reference if e["id"] in (*visibility, PARTNERS_DOC)
    ]
    for entry in entries:
        shutil.copy(CORPUS / entry["file"], corpus / entry["file"])
    (corpus / "manifest.yaml").write_text(yaml.safe_dump({"documents": entries}))
    data = root / "data"
    report = Assistant(load_settings(data_dir=data, corpus_dir=corpus), embedder=embedder).index.ingest()
    assert not report.failures and len(report.added) == 3
    return corpus, data


@pytest.fixture
def make(
    make_slack: Callable[..., Slack], rights_index: tuple[Path, Path], tmp_path: Path
) -> Callable[..., Slack]:
    """make(channels=None, **settings) → a harness over a copy of the three documents' index."""
    corpus, built = rights_index

    def build(channels: dict | None = None, **overrides: object) -> Slack:
        data = tmp_path / "rights-data"
        if not data.exists():
            shutil.copytree(built, data)
        slack = make_slack(channels=channels, corpus_dir=corpus, data_dir=data, **overrides)
        api = slack.api
        api.usergroups[GROUP] = [ASKER, COLLEAGUE]
        api.users[GUEST] = {"team_id": OTHER_ORG}
        api.channels[SHARED] = {"is_shared": True, "is_ext_shared": True}
        api.members.update(
            {
                SHARED: [ASKER, GUEST, BOT_USER_ID],
                MIXED: [ASKER, OUTSIDER, BOT_USER_ID],
                GROUP_ROOM: [ASKER, COLLEAGUE, BOT_USER_ID],
                FRONT_DOOR: [OUTSIDER, BOT_USER_ID],
            }
        )
        return slack

    return build


def cited(slack: Slack, text: str) -> dict[str, Access]:
    """The documents a message links to, each with the rights its link was signed for."""
    return {doc: slack.services.links.check(token, doc).access for doc, token in _LINK.findall(text)}


def ask_privately(slack: Slack, question: str, channel: str = CHANNEL, user: str = ASKER, name: str = "ask"):
    url = slack.api.response_url(name)
    assert (
        slack.send.command("/ask", question, user=user, channel=channel, response_url=url).status_code == 200
    )
    [private] = slack.api.wait_for("response_url", where=lambda c: c.path.endswith(f"/{name}"), timeout=90)
    return private


def buttons(message_blocks: list[dict]) -> dict[str, str]:
    return {
        e["action_id"]: e["value"] for b in message_blocks if b["type"] == "actions" for e in b["elements"]
    }


def in_dm(slack: Slack, question: str, user: str = ASKER) -> str:
    dm = f"D0{user[2:]}DM"
    ts = slack.api.add_message(dm, question, user=user)
    assert (
        slack.send.event(message_event(question, ts, channel=dm, channel_type="im", user=user)).status_code
        == 200
    )
    return slack.answer_for(ts, channel=dm).text


# -- people from other organisations -----------------------------------------------------------------


def test_a_guest_where_the_channel_answers_them_is_answered_from_public_documents_only(make):
    slack = make({"channels": {SHARED: {"external": True}}})
    ts = slack.mention(PARTNERS_Q, channel=SHARED, user=GUEST, user_team=OTHER_ORG)
    text = slack.answer_for(ts, channel=SHARED).text
    assert "30 November" not in text and set(cited(slack, text).values()) <= {PUBLIC}

    ts = slack.mention(PUBLIC_Q, channel=SHARED, user=GUEST, user_team=OTHER_ORG)
    assert cited(slack, slack.answer_for(ts, channel=SHARED).text) == {PUBLIC_DOC: PUBLIC}


def test_a_guest_where_the_channel_does_not_answer_them_gets_a_polite_private_note_only(make):
    slack = make()  # external is off by default
    ts = slack.mention(PARTNERS_Q, channel=SHARED, user=GUEST, user_team=OTHER_ORG)
    [note] = slack.api.wait_for("chat.postEphemeral")
    assert (note["user"], note["channel"], note["thread_ts"], note["text"]) == (
        GUEST,
        SHARED,
        ts,
        EXTERNAL_NOTE,
    )

    slack.api.users["U0STRANGER"] = {"is_stranger": True}  # users.info alone says so: /ask names no team
    told = ask_privately(slack, PARTNERS_Q, SHARED, user="U0STRANGER")
    assert told["text"] == EXTERNAL_NOTE and told["response_type"] == "ephemeral"
    slack.api.settle(quiet=1.5)
    assert not slack.api.calls_to("chat.postMessage"), "nothing posted"
    slack.services.log.flush()  # log rows are written behind the answers
    assert not slack.services.db.engine.connect().exec_driver_sql("select id from questions").all()


def test_an_answer_posted_in_a_shared_channel_is_public_only_even_for_a_member(make):
    slack = make()
    ts = slack.mention(PARTNERS_Q, channel=SHARED)
    text = slack.answer_for(ts, channel=SHARED).text
    assert "30 November" not in text and set(cited(slack, text).values()) <= {PUBLIC}

    private = ask_privately(slack, PARTNERS_Q, SHARED)  # only the asker sees it: their own rights
    assert "30 November" in private.text and cited(slack, private.text)[PARTNERS_DOC] == IN_GROUP


def test_a_group_dm_answers_what_all_its_members_may_read(make):
    slack = make()
    slack.api.channels.update({"G0WITHGUEST": {"is_mpim": True}, "G0COLLEAGUES": {"is_mpim": True}})
    slack.api.members.update(
        {"G0WITHGUEST": [ASKER, GUEST, BOT_USER_ID], "G0COLLEAGUES": [ASKER, COLLEAGUE, BOT_USER_ID]}
    )
    ts = slack.mention(PARTNERS_Q, channel="G0WITHGUEST")
    text = slack.answer_for(ts, channel="G0WITHGUEST").text
    assert "30 November" not in text and set(cited(slack, text).values()) <= {PUBLIC}
    ts = slack.mention(INTERNAL_Q, channel="G0COLLEAGUES")
    assert cited(slack, slack.answer_for(ts, channel="G0COLLEAGUES").text) == {INTERNAL_DOC: IN_GROUP}


# -- internal documents ------------------------------------------------------------------------------


def test_an_internal_document_reaches_its_readers_privately_but_not_a_channel_with_others(make):
    slack = make()
    assert cited(slack, in_dm(slack, INTERNAL_Q)) == {INTERNAL_DOC: IN_GROUP}
    assert INTERNAL_DOC in cited(slack, ask_privately(slack, INTERNAL_Q, MIXED).text)

    ts = slack.mention(INTERNAL_Q, channel=MIXED)
    assert INTERNAL_DOC not in cited(slack, slack.answer_for(ts, channel=MIXED).text), "an outsider is there"
    ts = slack.mention(INTERNAL_Q, channel=GROUP_ROOM)
    text = slack.answer_for(ts, channel=GROUP_ROOM).text
    assert cited(slack, text) == {INTERNAL_DOC: IN_GROUP}, "everyone there is in the group"

    assert INTERNAL_DOC not in cited(slack, in_dm(slack, INTERNAL_Q, user=OUTSIDER))


# -- Share, Ask a person, the Home tab ---------------------------------------------------------------


def test_sharing_into_a_channel_posts_only_what_everyone_there_may_read(make):
    slack = make()
    private = ask_privately(slack, PARTNERS_Q, SHARED)
    url = slack.api.response_url("share")
    share = buttons(private["blocks"])[blocks.SHARE]
    slack.send.action(blocks.SHARE, value=share, user=ASKER, channel=SHARED, response_url=url, ephemeral=True)
    [refused] = slack.api.wait_for("response_url", where=lambda c: c.path.endswith("/share"))
    assert refused["text"] == NOT_FOR_EVERYONE and not refused["delete_original"]
    slack.api.settle(quiet=1.5)
    assert not slack.api.calls_to("chat.postMessage"), "nothing posted"

    private = ask_privately(slack, PUBLIC_Q, SHARED, name="public")
    assert cited(slack, private.text) == {PUBLIC_DOC: IN_GROUP}, "signed for the asker"
    share = buttons(private["blocks"])[blocks.SHARE]
    slack.send.action(blocks.SHARE, value=share, user=ASKER, channel=SHARED, response_url=url, ephemeral=True)
    [public] = slack.api.wait_for("chat.postMessage", where=lambda c: c["channel"] == SHARED)
    assert cited(slack, public.text) == {PUBLIC_DOC: PUBLIC}, "signed again, for the channel"


def test_ask_a_person_shows_the_front_door_only_what_everyone_there_may_read(make):
    slack = make(handoff_channel=FRONT_DOOR)

    def hand_off(question: str, name: str):
        value = buttons(ask_privately(slack, question, name=name)["blocks"])[blocks.HANDOFF]
        url = slack.api.response_url(f"{name}-handoff")
        slack.send.action(
            blocks.HANDOFF, value=value, user=ASKER, channel=CHANNEL, response_url=url, ephemeral=True
        )
        slack.api.wait_for("response_url", where=lambda c: c.path.endswith(f"/{name}-handoff"))
        return slack.api.calls_to("chat.postMessage", where=lambda c: c["channel"] == FRONT_DOOR)[-1]

    post = hand_off(INTERNAL_Q, "internal")
    assert INTERNAL_Q in post.text and LEFT_OUT in post.text, "the question, not the reply"
    assert INTERNAL_DOC not in cited(slack, post.text) and "Left out: 1 source" in post.text

    post = hand_off(PARTNERS_Q, "partners")
    assert "30 November" in post.text and LEFT_OUT not in post.text
    assert cited(slack, post.text) == {PARTNERS_DOC: PARTNERS}, "linked for the front door's members"


def test_the_home_tab_counts_what_each_person_may_read_and_signs_their_web_link(make):
    slack = make()
    for user, count, rights in ((ASKER, 3, IN_GROUP), (OUTSIDER, 2, PARTNERS), (GUEST, 1, PUBLIC)):
        view = open_home(slack, user)
        assert f"*{count}* documents" in shown(view), user
        [link] = [b["accessory"]["url"] for b in view["blocks"] if "url" in b.get("accessory", {})]
        assert slack.services.links.check(link.partition("?t=")[2]).access == rights, user
    payload = {
        "type": "block_actions",
        "user": {"id": ASKER, "team_id": TEAM_ID},
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": "1.2.3",
        "view": view,
        "actions": [{"type": "button", "action_id": home.OPEN_WEB, "block_id": "b", "action_ts": "1.2"}],
    }
    assert slack.send.interaction(payload).status_code == 200, "the link's click is acknowledged"


# -- when Slack cannot say ---------------------------------------------------------------------------


def test_when_slack_cannot_say_who_asks_the_answer_fails_closed(make, caplog):
    slack = make()
    slack.api.fail("users.info", status=500, times=2)
    ts = slack.mention(PARTNERS_Q)
    text = slack.answer_for(ts).text
    assert "30 November" not in text and set(cited(slack, text).values()) <= {PUBLIC}
    assert f"answering {ASKER} as the public" in caplog.text

    ts = slack.mention(PARTNERS_Q, user_team=TEAM_ID)  # the event itself names the app's workspace
    text = slack.answer_for(ts).text
    assert "30 November" in text and cited(slack, text)[PARTNERS_DOC] == PARTNERS, "a member, without groups"


def test_rights_read_every_page_of_members_and_keep_what_slack_said(slack_api: SlackAPI):
    people = [f"U0MEMBER{i}" for i in range(5)]
    slack_api.page_size = 2
    slack_api.members["C0BIG"] = [*people, BOT_USER_ID]
    slack_api.usergroups.update({"S0ALL": people, "S0FEW": people[:4]})
    internal = Document("x", "X", "text", visibility="internal", readers=("S0ALL", "S0FEW"))
    services = SimpleNamespace(
        settings=SimpleNamespace(comms_cache_s=300), index=SimpleNamespace(documents=lambda: [(internal, 1)])
    )
    rights = Rights(WebClient(token=slack_api.token, base_url=slack_api.base_url), services)
    context = BoltContext(team_id=TEAM_ID, bot_user_id=BOT_USER_ID)

    assert rights.of_channel("C0BIG", context) == Access(partner=True, groups=frozenset({"S0ALL"}))
    assert len(slack_api.calls_to("conversations.members")) == 3, "every page: one member may be on the last"
    slack_api.fail("usergroups.users.list", status=500, times=10)
    assert rights.of_user("U0MEMBER4", None, context).access.groups == {"S0ALL"}, "kept for comms_cache_s"
    assert len(slack_api.calls_to("users.info")) == 1 and len(slack_api.calls_to("conversations.info")) == 1
