"""/partnerbot and files shared with the bot: the communications group keeps the documents current.

`/partnerbot add URL|list|refresh ID|remove ID`; a file shared in a DM (or `@partnerbot add` with a
file in a channel) is read and shown, and only Confirm indexes it. This module parses Slack, calls
`Library` (the one path that adds, refreshes and removes, shared with the CLI and the API) and
renders what happened (`library_views`). Every step, each click and the modal's submission check
membership again; a refusal is private and audited by `Library.authorise`, and nothing is fetched.

A file reaches this module before anything treats it as a question: its `FilesFirst` middleware is
registered before bolt's Assistant middleware (which takes every DM thread reply, files included, in
front of all listeners) and so before the mention and message listeners too.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltRequest, BoltResponse, Respond
from slack_bolt.listener.custom_listener import CustomListener
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.announce.access import CommsGroup
from bot.library.service import Library, LibraryError
from bot.slack import library_views as views
from bot.slack import mrkdwn
from bot.slack.client import SLACK_ERRORS, describe
from bot.slack.context import SlackBot
from bot.slack.questions import clean, mentions
from bot.state import record_number
from bot.state.models import LibraryStatus

log = logging.getLogger(__name__)
MAX_FILES = 5  # files read from one message; the others are named, not read
_LINK = re.compile(r"^<([^|>]+)(?:\|[^>]*)?>$")


@dataclass
class Reply:
    """Where the person who acted is answered privately: the response URL of their command or click
    (replacing the message clicked, when asked), else an ephemeral message where they are, else a DM."""

    client: WebClient
    user: str | None
    channel: str | None = None
    respond: Respond | None = None
    thread_ts: str | None = None
    in_dm: bool = False  # a DM: a plain message there is private already

    def __call__(
        self, text: str, blocks: list[dict[str, Any]] | None = None, *, replace: bool = False
    ) -> None:
        blocks = blocks or views.notice(text)[1]
        if self.respond is not None and self.respond.response_url:
            try:
                sent = self.respond(
                    text=text, blocks=blocks, response_type="ephemeral", replace_original=replace
                )
                if sent.status_code == 200:
                    return
                log.warning("the response URL refused a reply to %s: HTTP %s", self.user, sent.status_code)
            except Exception as exc:  # the response URL is plain HTTP: anything can go wrong
                log.warning("the response URL failed for %s: %s", self.user, exc)
        attempts: list[Callable[[], object]] = []
        if self.channel and self.in_dm:
            attempts.append(
                lambda: self.client.chat_postMessage(
                    channel=str(self.channel), text=text, blocks=blocks, thread_ts=self.thread_ts
                )
            )
        elif self.channel and self.user:
            attempts.append(
                lambda: self.client.chat_postEphemeral(
                    channel=str(self.channel),
                    user=str(self.user),
                    text=text,
                    blocks=blocks,
                    thread_ts=self.thread_ts,
                )
            )
        if self.user:
            attempts.append(
                lambda: self.client.chat_postMessage(channel=str(self.user), text=text, blocks=blocks)
            )
        for attempt in attempts:
            try:
                attempt()
                return
            except SLACK_ERRORS as exc:  # e.g. the app is not in that channel
                log.info("a private reply to %s failed (%s); trying another way", self.user, describe(exc))
        log.warning("could not tell %s: %s", self.user, text[:200])


class LibraryFlow:
    def __init__(self, bot: SlackBot, library: Library) -> None:
        self.bot = bot
        self.library = library
        self.command_name = bot.settings.documents_command

    # -- the slash command ---------------------------------------------------------------------

    def command(self, ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        """Acknowledged at once (refused, a listing, a removal to confirm, or "Fetching…"); an add or
        a refresh is then done and its outcome replaces that note."""
        user = command.get("user_id")
        words = (command.get("text") or "").split()
        action = words[0].lower() if words else "help"
        argument = _unwrap(" ".join(words[1:])) if len(words) > 1 else ""
        reply = Reply(client, user, command.get("channel_id"), respond)
        if action not in ("add", "list", "remove", "refresh") or (action != "list" and not argument):
            ack(text=views.usage(self.command_name))
            return
        try:
            self.library.authorise(action, user, target=argument[:200] or None)
        except LibraryError as exc:
            ack(text=_sentence(exc))  # the reply to a slash command is seen only by whoever typed it
            return
        except Exception:
            log.exception("checking %s for %s failed", user, self.command_name)
            ack(text=_failed("checking who you are"))
            return
        if action == "list":
            text, blocks = self._guarded(lambda: views.listing(self.library.records(), self.command_name))
            ack(text=text, blocks=blocks)
        elif action == "remove":
            text, blocks = self._guarded(lambda: views.remove_prompt(self.library.find(argument)))
            ack(text=text, blocks=blocks)
        elif action == "refresh":
            ack(text=f"Fetching `{mrkdwn.escape(argument)}` again…")
            self._do(
                reply, f"refreshing {argument}", lambda: self._refresh(argument, user or "?"), replace=True
            )
        else:
            ack(text=f"Fetching {mrkdwn.escape(argument)}…")
            key = f"slack:command:{command.get('trigger_id') or uuid.uuid4().hex}"[:128]
            self._do(
                reply,
                "reading that address",
                lambda: views.preview(
                    self.library.preview_url(argument, actor=user or "?", source="slack", key=key).record
                ),
                replace=True,
            )

    def _refresh(self, ref: str, user: str) -> tuple[str, list[dict[str, Any]]]:
        return views.refreshed(self.library.refresh(ref, actor=user, source="slack"), self.command_name)

    # -- files shared with the bot ---------------------------------------------------------------

    def files_shared(self, ack: Ack, event: dict[str, Any], client: WebClient) -> None:
        """Each file (at most MAX_FILES) read into a pending record and shown to whoever shared it."""
        ack()
        channel, ts, user = event.get("channel", ""), event.get("ts", ""), event.get("user")
        if not self.bot.seen.add(channel, ts):  # Slack sends a mention twice, and retries
            return
        in_dm = event.get("channel_type") == "im"
        reply = Reply(client, user, channel, None, event.get("thread_ts") or ts, in_dm)
        files = [f for f in event.get("files") or [] if f.get("id")]
        try:
            self.library.authorise("add", user, target=",".join(f["id"] for f in files)[:200])
        except LibraryError as exc:
            reply(_sentence(exc))
            return
        except Exception:
            log.exception("checking %s before reading their files failed", user)
            reply(_failed("checking who you are"))
            return
        for file in files[:MAX_FILES]:
            name = str(file.get("name") or file["id"])
            read = functools.partial(self._preview_file, client, str(file["id"]), ts, user or "?")
            self._do(reply, f"reading {name}", read, label=name)
        if len(files) > MAX_FILES:
            skipped = ", ".join(mrkdwn.escape(str(f.get("name") or f["id"])) for f in files[MAX_FILES:])
            reply(f"I read {MAX_FILES} files of a message at most: share {skipped} again in another message.")

    def _preview_file(
        self, client: WebClient, file_id: str, ts: str, user: str
    ) -> tuple[str, list[dict[str, Any]]]:
        """Keyed by the file and the message sharing it: Slack's retry is the same record, the same
        file shared again later a new one."""
        added = self.library.preview_slack_file(client, file_id, actor=user, key=f"slack:{file_id}:{ts}")
        record = added.record
        if added.created or record.status == LibraryStatus.PENDING:
            return views.preview(record)
        return views.notice(f"*{mrkdwn.escape(record.title)}* was {record.status} already.")

    # -- the preview's buttons -----------------------------------------------------------------------

    def confirm_clicked(
        self, ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        ack()
        user, reply, record_id = self._click(body, respond, client)
        if record_id is None or not self._allowed(reply, "confirm", user, str(record_id)):
            return

        def confirm() -> tuple[str, list[dict[str, Any]]]:
            record = self.library.confirm(record_id, actor=user, source="slack")
            access = self.bot.rights.of_user(user, (body.get("user") or {}).get("team_id"), context).access
            return views.added(record, self.bot.services.links.document(record.doc_id, access))

        self._do(reply, "adding the document", confirm, replace=True)

    def cancel_clicked(self, ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        user, reply, record_id = self._click(body, respond, client)
        if record_id is None or not self._allowed(reply, "cancel", user, str(record_id)):
            return
        self._do(
            reply,
            "cancelling",
            lambda: views.cancelled(self.library.cancel(record_id, actor=user, source="slack")),
            replace=True,
        )

    def edit_clicked(self, ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        user, reply, record_id = self._click(body, respond, client)
        if record_id is None or not self._allowed(reply, "edit", user, str(record_id)):
            return
        try:
            record = self.library.get(record_id)
        except LibraryError as exc:
            reply(_sentence(exc))
            return
        if record.status != LibraryStatus.PENDING:
            reply(f"That document was {record.status}: it can no longer be edited.")
            return
        container = body.get("container") or {}
        where = {
            "response_url": body.get("response_url"),
            "channel": container.get("channel_id") or (body.get("channel") or {}).get("id"),
            "ts": None if container.get("is_ephemeral") else container.get("message_ts"),
        }
        try:
            client.views_open(trigger_id=body["trigger_id"], view=views.edit_view(record, where))
        except SLACK_ERRORS as exc:  # e.g. the trigger expired (3 s)
            log.warning("could not open the edit form for %s: %s", user, describe(exc))
            reply("Slack did not open the form in time: click Edit again.")

    def remove_clicked(self, ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        user, reply, _ = self._click(body, respond, client)
        doc_id = str(((body.get("actions") or [{}])[0]).get("value") or "")
        if not doc_id or not self._allowed(reply, "remove", user, doc_id):
            return
        self._do(
            reply,
            f"removing {doc_id}",
            lambda: views.removed(self.library.remove(doc_id, actor=user, source="slack")),
            replace=True,
        )

    # -- the edit modal ------------------------------------------------------------------------------

    def edit_submitted(self, ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = (body.get("user") or {}).get("id")
        record_id, where = views.reply_of(view.get("private_metadata"))
        try:
            if record_id is None:
                raise LibraryError("this form names no document: share the file again")
            self.library.authorise("edit", user, target=str(record_id))
            fields = views.read_form((view.get("state") or {}).get("values") or {}).checked()
        except LibraryError as exc:
            ack(response_action="errors", errors=views.field_errors(exc.fields or {"title": str(exc)}))
            return
        except Exception:
            log.exception("checking the fields of document record %s failed", record_id)
            ack(response_action="errors", errors={"title": _failed("saving the fields")[:150]})
            return
        ack()  # within Slack's 3 s: reading the file again with the new fields may take longer
        try:
            text, blocks = views.preview(
                self.library.edit(record_id, fields, actor=user or "?", source="slack")
            )
        except LibraryError as exc:
            text, blocks = views.notice(_sentence(exc))
        except Exception:
            log.exception("editing document record %s failed", record_id)
            text, blocks = views.notice(_failed("saving the fields"))
        self._replace(client, user, where, text, blocks)

    # -- helpers -------------------------------------------------------------------------------------

    def _click(
        self, body: dict[str, Any], respond: Respond, client: WebClient
    ) -> tuple[str, Reply, int | None]:
        """Who clicked, how to answer them, and the record id the button carries."""
        user = str((body.get("user") or {}).get("id") or "?")
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        reply = Reply(
            client, user, channel, respond, container.get("thread_ts"), str(channel).startswith("D")
        )
        value = str(((body.get("actions") or [{}])[0]).get("value") or "")
        return user, reply, record_number(value)

    def _allowed(self, reply: Reply, action: str, user: str, target: str) -> bool:
        """Membership again (it may have changed since the preview); a refusal is told, not raised."""
        try:
            self.library.authorise(action, user, target=target)
        except LibraryError as exc:
            reply(_sentence(exc))
            return False
        except Exception:
            log.exception("checking %s for %s failed", user, action)
            reply(_failed("checking who you are"))
            return False
        return True

    def _do(
        self,
        reply: Reply,
        doing: str,
        work: Callable[[], tuple[str, list[dict[str, Any]]]],
        *,
        replace: bool = False,
        label: str | None = None,
    ) -> None:
        """Run one step and tell its outcome: the Library's refusal in its own sentence, anything else
        logged and told as a failure that changed nothing."""
        try:
            text, blocks = work()
        except LibraryError as exc:
            text = _sentence(exc, label)
            blocks = views.notice(text)[1]
        except Exception:
            log.exception("%s failed", doing)
            text = _failed(doing)
            blocks = views.notice(text)[1]
        reply(text, blocks, replace=replace)

    def _guarded(
        self, work: Callable[[], tuple[str, list[dict[str, Any]]]]
    ) -> tuple[str, list[dict[str, Any]]]:
        try:
            return work()
        except LibraryError as exc:
            return views.notice(_sentence(exc))
        except Exception:
            log.exception("%s failed", self.command_name)
            return views.notice(_failed("reading the documents"))

    def _replace(
        self,
        client: WebClient,
        user: str | None,
        where: dict[str, str],
        text: str,
        blocks: list[dict[str, Any]],
    ) -> None:
        """The preview the modal was opened from, shown again with its new fields."""
        if url := where.get("response_url"):
            try:
                sent = WebhookClient(url).send(
                    text=text, blocks=blocks, response_type="ephemeral", replace_original=True
                )
                if sent.status_code == 200:
                    return
                log.warning("the response URL refused the edited preview: HTTP %s", sent.status_code)
            except Exception as exc:  # plain HTTP: anything can go wrong
                log.warning("the response URL failed for the edited preview: %s", exc)
        if where.get("channel") and where.get("ts"):
            try:
                client.chat_update(channel=where["channel"], ts=where["ts"], text=text, blocks=blocks)
                return
            except SLACK_ERRORS as exc:
                log.warning("could not update the preview in %s: %s", where["channel"], describe(exc))
        Reply(client, user)(text, blocks)


class FilesFirst(Middleware):
    """Runs `listener` for a message or mention that shares files with the bot, before anything takes
    it as a question: bolt's Assistant middleware would answer a DM thread reply that carries a file,
    and listeners come after every middleware. Bolt gives middleware its listener runner for this."""

    def __init__(self, listener: CustomListener, bot_user_id: Callable[[BoltRequest], str | None]) -> None:
        self.listener = listener
        self.bot_user_id = bot_user_id

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        event = req.body.get("event") if req.body.get("type") == "event_callback" else None
        if event and shares_files(event, self.bot_user_id(req)):
            return req.context.listener_runner.run(
                request=req, response=resp, listener_name="library_files", listener=self.listener
            )
        return next()


def shares_files(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """A person's files for the library: any file in a DM; in a channel, `@partnerbot add` with files
    (Slack sends that message as `app_mention` and as `message`; both are taken, one is read)."""
    if not event.get("user") or not any(f.get("id") for f in event.get("files") or []):
        return False
    if event.get("type") == "message":
        if event.get("subtype") not in (None, "file_share"):
            return False
        if event.get("channel_type") == "im":
            return True
        return mentions(event.get("text", ""), bot_user_id) and _asks_to_add(event, bot_user_id)
    return event.get("type") == "app_mention" and _asks_to_add(event, bot_user_id)


def _asks_to_add(event: dict[str, Any], bot_user_id: str | None) -> bool:
    words = clean(event.get("text", ""), bot_user_id).split()
    return bool(words) and words[0].lower() == "add"


def _unwrap(text: str) -> str:
    """A URL as a slash command carries it: `<https://…>` or `<https://…|label>`, entities encoded."""
    text = text.strip()
    if match := _LINK.match(text):
        text = match.group(1)
    return html.unescape(text)


def _sentence(exc: Exception, label: str | None = None) -> str:
    """A Library refusal as one private sentence, escaped (it may quote a title or an address);
    `label` (a file's name) goes in front unless the sentence names it already."""
    text = str(exc).strip() or "that could not be done"
    if label and label.lower() not in text.lower():
        text = f"{label}: {text}"
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower():  # "no added document…", not "x.pdf" or an address
        text = text[0].upper() + text[1:]
    return mrkdwn.escape(text if text.endswith((".", "?", "!")) else text + ".")


def _failed(doing: str) -> str:
    return f"Something went wrong while {mrkdwn.escape(doing)}; nothing was changed. Please try again."


def register(app: App, bot: SlackBot) -> None:
    # the app's own client (its 429s waited out): a page that has gone is reported with it
    library = Library(bot.services, client=app.client, group=CommsGroup(bot.settings, app.client))
    flow = LibraryFlow(bot, library)
    files = CustomListener(
        app_name=app.name,
        ack_function=flow.files_shared,
        lazy_functions=[],
        matchers=[],
        middleware=[],
        auto_acknowledgement=True,
    )
    app.use(FilesFirst(files, lambda req: req.context.bot_user_id))
    app.command(bot.settings.documents_command)(flow.command)
    app.action(views.CONFIRM)(flow.confirm_clicked)
    app.action(views.EDIT)(flow.edit_clicked)
    app.action(views.CANCEL)(flow.cancel_clicked)
    app.action(views.REMOVE)(flow.remove_clicked)
    app.view(views.EDIT_FORM)(flow.edit_submitted)
