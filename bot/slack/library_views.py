"""Block Kit for the communications group's documents (`/partnerbot`, a file shared with the bot):
the preview shown before anything is indexed, the edit modal, and what the adder is told afterwards.

No Slack calls here. Every title, name, address and line of a document passes through
`mrkdwn.escape` (a heading `<!channel>` must not ping anyone), and each piece is cut to Slack's
limits: 3,000 characters a section, 75 a button or option, 24 a modal title, 150 a field error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.library.service import Fields, Refreshed
from bot.slack import mrkdwn
from bot.slack.blocks import context, input_block, plain, section
from bot.state import record_number
from bot.state.models import LibraryDocument

CONFIRM = "library_confirm"
EDIT = "library_edit"
CANCEL = "library_cancel"
REMOVE = "library_remove"
EDIT_FORM = "library_edit_form"
FIELDS = (
    "title",
    "author",
    "organisation",
    "published",
    "kind",
    "topics",
    "visibility",
    "readers",
)  # block ids of the modal
VISIBILITY = {
    "public": "Public: anyone, people of other organisations too",
    "partners": "Partners: every member of this workspace",
    "internal": "Internal: only the user groups or channels named below",
}
LISTED = 40  # records in one listing: a message holds at most 50 blocks
_CHANNEL = re.compile(r"[CG][A-Z0-9]{2,}")


def usage(command: str) -> str:
    return (
        f"`{command} add https://…` fetches a page or file and shows it before adding; share a file with "
        f"me in a direct message (or `@partnerbot add` with a file) to add it. `{command} list` shows "
        f"what was added, `{command} refresh ID` fetches an address again, `{command} remove ID` takes "
        "a document out."
    )


# -- the preview ------------------------------------------------------------------------------------


def preview(record: LibraryDocument) -> tuple[str, list[dict[str, Any]]]:
    """A pending record as its adder sees it before confirming: nothing is answered from it yet."""
    title = mrkdwn.escape(mrkdwn.shorten(record.title, 300))
    facts = " · ".join(
        [
            mrkdwn.escape(record.organisation) if record.organisation else "no organisation",
            mrkdwn.escape(record.published) if record.published else "no date",
            mrkdwn.escape(record.kind),
            *([f"by {mrkdwn.escape(record.author)}"] if record.author else []),
            *([f"about {mrkdwn.escape(', '.join(record.topics))}"] if record.topics else []),
        ]
    )
    where = f"from {mrkdwn.link(record.url, mrkdwn.shorten(record.url, 200))}" if record.url else "uploaded"
    head = (
        f"*{title}*\n{facts}\nWho may read it: {readers_text(record.visibility, record.readers)}\n"
        f"{record.passages} passage{'s' if record.passages != 1 else ''}, {where} "
        f"(`{mrkdwn.escape(record.file_name)}`)"
    )
    blocks: list[dict[str, Any]] = [section(head)]
    if lines := quoted(record.first_lines):
        blocks.append(section(lines))
    note = "Nothing is answered from it until you confirm."
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    value = str(record.id)
    blocks.append(
        {
            "type": "actions",
            "block_id": "library_preview",
            "elements": [
                {
                    "type": "button",
                    "text": plain("Confirm"),
                    "style": "primary",
                    "action_id": CONFIRM,
                    "value": value,
                },
                {"type": "button", "text": plain("Edit"), "action_id": EDIT, "value": value},
                {"type": "button", "text": plain("Cancel"), "action_id": CANCEL, "value": value},
            ],
        }
    )
    return f"Read {mrkdwn.escape(mrkdwn.shorten(record.title, 150))}: confirm to add it.", blocks


def quoted(text: str, limit: int = 600) -> str:
    """The first lines of a document as a mrkdwn quote, escaped (each line starts `>` of our own)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    body = "\n".join(f">{mrkdwn.escape(line)}" for line in lines[:8])
    return mrkdwn.shorten(body, limit) if body else ""


def readers_text(visibility: str, readers: Sequence[str] | None) -> str:
    if visibility == "public":
        return "anyone, people of other organisations too (public)"
    if visibility == "internal":
        named = ", ".join(
            f"<#{r}>" if _CHANNEL.fullmatch(r) else f"`{mrkdwn.escape(r)}`" for r in readers or ()
        )
        return f"only the members of {named or 'nobody yet'} (internal)"
    return "every member of this workspace (partners)"


# -- the edit modal ---------------------------------------------------------------------------------


def edit_view(record: LibraryDocument, reply: dict[str, str | None]) -> dict[str, Any]:
    """The fields of a pending record; `reply` (response_url, or channel and ts) says which preview
    the submission replaces."""
    metadata = {"id": record.id, **{k: v for k, v in reply.items() if v}}
    options = [{"text": plain(label[:75]), "value": v} for v, label in VISIBILITY.items()]
    current = next((o for o in options if o["value"] == record.visibility), options[1])
    return {
        "type": "modal",
        "callback_id": EDIT_FORM,
        "private_metadata": json.dumps(metadata)[:3000],
        "title": plain("Edit the document"),
        "submit": plain("Save"),
        "close": plain("Back"),
        "blocks": [
            input_block(
                "title", "Title", _text(record.title, 300), hint="Empty: the title the document gives"
            ),
            input_block("author", "Author", _text(record.author, 200), optional=True),
            input_block("organisation", "Organisation", _text(record.organisation, 200), optional=True),
            input_block(
                "published",
                "Date",
                _text(record.published, 10, placeholder="2025-03-14, 2025-03 or 2025"),
                optional=True,
            ),
            input_block(
                "kind", "Kind", _text(record.kind, 50, placeholder="strategy, report, blog…"), optional=True
            ),
            input_block(
                "topics",
                "Topics",
                _text(", ".join(record.topics or ()), 500, placeholder="NHS trials, funding"),
                optional=True,
                hint="Separated by commas",
            ),
            input_block(
                "visibility",
                "Who may read it",
                {"type": "static_select", "options": options, "initial_option": current},
            ),
            input_block(
                "readers",
                "Readers (internal only)",
                _text(", ".join(record.readers or ()), 500, placeholder="S0123ABCD, C0456EFGH"),
                optional=True,
                hint="User group (S…) or channel (C…, G…) ids, separated by commas",
            ),
        ],
    }


def read_form(values: dict[str, Any]) -> Fields:
    """The submitted modal as Fields (checked by the Library, not here)."""

    def value(block: str) -> str:
        element = values.get(block, {}).get("value", {})
        if element.get("type") == "static_select":
            return str((element.get("selected_option") or {}).get("value") or "")
        return str(element.get("value") or "")

    return Fields(
        title=value("title") or None,
        author=value("author") or None,
        organisation=value("organisation") or None,
        published=value("published") or None,
        kind=value("kind") or "document",
        visibility=value("visibility") or "partners",
        readers=tuple(r for r in re.split(r"[,\s]+", value("readers")) if r),
        topics=tuple(t.strip() for t in value("topics").split(",") if t.strip()),
    )


def field_errors(fields: dict[str, str]) -> dict[str, str]:
    """LibraryError.fields as response_action=errors wants them: by block id, under each field."""
    errors = {k: v[:150] for k, v in fields.items() if k in FIELDS}
    if not errors and fields:
        errors["title"] = "; ".join(fields.values())[:150]
    return errors


def reply_of(metadata: str | None) -> tuple[int | None, dict[str, str]]:
    """(record id, where to reply) from an edit modal's private_metadata."""
    try:
        data = json.loads(metadata or "{}")
    except ValueError:
        return None, {}
    record_id = data.pop("id", None)
    return record_number(record_id), {k: str(v) for k, v in data.items()}


# -- after the fact ---------------------------------------------------------------------------------


def added(record: LibraryDocument, link: str) -> tuple[str, list[dict[str, Any]]]:
    text = f"Added *{_title(record)}*: answerable now. {mrkdwn.link(link, 'View it')}"
    return text, [section(text)]


def cancelled(record: LibraryDocument) -> tuple[str, list[dict[str, Any]]]:
    if record.status == "cancelled":
        text = f"Cancelled: nothing was added (*{_title(record)}*)."
    else:
        text = f"*{_title(record)}* was {record.status} already: nothing was cancelled."
    return text, [section(text)]


def removed(record: LibraryDocument) -> tuple[str, list[dict[str, Any]]]:
    text = f"Removed *{_title(record)}*: no longer answered or shown; its record stays."
    return text, [section(text)]


def remove_prompt(record: LibraryDocument) -> tuple[str, list[dict[str, Any]]]:
    """Removing asks first: a danger button with Slack's own confirmation dialog."""
    text = (
        f"Remove *{_title(record)}* (`{mrkdwn.escape(record.doc_id)}`)? It is no longer answered or shown "
        "in the viewer; its record stays."
    )
    button = {
        "type": "button",
        "text": plain("Remove"),
        "style": "danger",
        "action_id": REMOVE,
        "value": record.doc_id,
        "confirm": {
            "title": plain("Remove this document?"),
            "text": plain(mrkdwn.shorten(f"{record.title} is no longer answered or shown.", 300)),
            "confirm": plain("Remove"),
            "deny": plain("Keep it"),
        },
    }
    return text, [section(text), {"type": "actions", "elements": [button]}]


def refreshed(result: Refreshed, command: str) -> tuple[str, list[dict[str, Any]]]:
    """One line on a refresh: unchanged, changed, gone or failed (the last copy is kept)."""
    record, title = result.record, _title(result.record)
    problem = mrkdwn.escape(result.problem or "")
    if result.outcome == "unchanged":
        text = f"*{title}* is unchanged: nothing was read again."
    elif result.outcome == "changed":
        text = f"*{title}* changed: the new text ({record.passages} passages) is answerable now."
    elif result.outcome == "gone":
        text = (
            f":warning: *{title}* could not be fetched: {problem}. The copy read before is still "
            f"answered: `{command} remove {mrkdwn.escape(record.doc_id)}` takes it out."
        )
    else:
        text = f":warning: *{title}* could not be fetched again ({problem}); the copy read before is kept."
    return text, [section(mrkdwn.shorten(text, mrkdwn.SECTION_LIMIT))]


def listing(records: Sequence[LibraryDocument], command: str) -> tuple[str, list[dict[str, Any]]]:
    """The documents added, newest first: id, title, who added them and when, how refreshes went."""
    if not records:
        text = f"No documents were added yet: `{command} add https://…` or share a file with me."
        return text, [section(text)]
    lines = [listing_line(r) for r in records[:LISTED]]
    if len(records) > LISTED:
        lines.append(f"…and {len(records) - LISTED} older ones.")
    blocks = [section(piece) for piece in mrkdwn.split("\n".join(lines))][:45]
    text = f"{len(records)} document{'s' if len(records) != 1 else ''} added"
    return text, [
        *blocks,
        context(f"`{command} refresh ID` fetches one again, `{command} remove ID` takes it out."),
    ]


def listing_line(record: LibraryDocument) -> str:
    by = record.added_by
    who = f"<@{by}>" if re.fullmatch(r"[UW][A-Z0-9]{2,}", by) else mrkdwn.escape(by)
    line = (
        f"`{mrkdwn.escape(record.doc_id)}` *{mrkdwn.escape(mrkdwn.shorten(record.title, 120))}* · "
        f"added by {who} on {_day(record.added_at)}"
    )
    if record.url:
        line += f" · refreshed {_day(record.refreshed_at) if record.refreshed_at else 'never'}"
    if record.gone_at:
        line += f"\n    :warning: gone since {_day(record.gone_at)}: {mrkdwn.escape(record.problem or '')}"
    elif record.problem:
        line += f"\n    :warning: last refresh failed: {mrkdwn.escape(record.problem)}"
    return line


def notice(text: str) -> tuple[str, list[dict[str, Any]]]:
    """A plain private sentence (a refusal, a failure); `text` is already mrkdwn-safe."""
    return text, [section(text)]


# -- helpers ----------------------------------------------------------------------------------------


def _title(record: LibraryDocument) -> str:
    return mrkdwn.escape(mrkdwn.shorten(record.title, 300))


def _day(when: datetime | None) -> str:
    return f"{when.day} {when:%b %Y}" if when else "?"


def _text(initial: str | None, max_length: int, placeholder: str = "") -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "max_length": max_length}
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return element
