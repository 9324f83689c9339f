"""Library: the one path by which the communications group adds, refreshes and removes documents,
from Slack, the command line and the API alike.

Order of work, so that a failure never leaves the index half-changed:
1. a download is read in a staging folder first: unreadable, it is refused in one sentence and
   nothing is kept;
2. read, it gets a record (pending) and its file under `data/library/<record id>/`, and is shown
   to whoever added it;
3. confirmed, the record is marked indexed (once, however many clicks) and the document indexed
   (one writer across processes; every process sees it within a second). A crash between the two
   is repaired by `resume`, which indexes every indexed record the index lacks.
Removing takes the document out of the index, then marks the record removed; the record stays.
The state store's record is the truth; the index holds what was read from its file.
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import NoReturn

from slack_sdk import WebClient

from bot.announce.access import CommsGroup
from bot.library.fetch import Fetched, FetchError, Limits, fetch_slack_file, fetch_url
from bot.services import Services
from bot.slack import mrkdwn
from bot.slack.client import SLACK_ERRORS, describe, web_client
from bot.state import library as store
from bot.state import record_number
from bot.state.models import LibraryDocument, LibraryStatus, now
from config.errors import CorpusError, PartnerbotError
from corpus.documents import Loaded, build
from corpus.manifest import READER, Entry, slug
from corpus.model import VISIBILITIES

log = logging.getLogger(__name__)
SCHEDULE_EVERY_S = 600.0  # how often the app looks for documents due a refresh
FIRST_LINES = 300  # characters of the text shown in a preview
PREVIEW_TIME = timedelta(days=2)  # a preview not confirmed by then is cancelled


class LibraryError(PartnerbotError):
    """A document cannot be added, changed or removed as asked; `fields` names the bad inputs."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


@dataclass(frozen=True)
class Fields:
    """What the adder may edit before confirming: the fields a corpus manifest gives a document."""

    title: str | None = None  # None: the title the file carries
    author: str | None = None  # searched with the text ("what does X say about…")
    organisation: str | None = None
    published: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    kind: str = "document"
    visibility: str = "partners"
    readers: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()

    def checked(self) -> Fields:
        """The fields stripped and checked, or a LibraryError naming each bad one."""
        values = Fields(
            title=(self.title or "").strip() or None,
            author=(self.author or "").strip() or None,
            organisation=(self.organisation or "").strip() or None,
            published=(self.published or "").strip() or None,
            kind=(self.kind or "").strip() or "document",
            visibility=(self.visibility or "").strip() or "partners",
            readers=tuple(r.strip() for r in self.readers if r.strip()),
            topics=tuple(t.strip() for t in self.topics if t.strip()),
        )
        bad: dict[str, str] = {}
        if values.title and len(values.title) > 300:
            bad["title"] = "at most 300 characters"
        if values.organisation and len(values.organisation) > 200:
            bad["organisation"] = "at most 200 characters"
        if values.author and len(values.author) > 200:
            bad["author"] = "at most 200 characters"
        if len(values.topics) > 20 or any(len(t) > 100 for t in values.topics):
            bad["topics"] = "at most 20 topics of at most 100 characters"
        if len(values.kind) > 50:
            bad["kind"] = "at most 50 characters"
        if values.published and not _is_date(values.published):
            bad["published"] = "a date: 2025-03-14, 2025-03 or 2025"
        if values.visibility not in VISIBILITIES:
            bad["visibility"] = f"one of {', '.join(VISIBILITIES)}"
        elif values.visibility == "internal" and not values.readers:
            bad["readers"] = "an internal document needs the user group or channel ids that may read it"
        if wrong := [r for r in values.readers if not READER.match(r)]:
            bad["readers"] = f"not Slack user group (S…) or channel (C…, G…) ids: {', '.join(wrong)}"
        if bad:
            raise LibraryError("; ".join(f"{k}: {v}" for k, v in bad.items()), bad)
        return values if values.visibility == "internal" else replace(values, readers=())

    def columns(self) -> dict[str, object]:
        """The record's columns for these fields (the title is the one read: the file's own when None)."""
        return {
            "author": self.author,
            "organisation": self.organisation,
            "published": self.published,
            "kind": self.kind,
            "visibility": self.visibility,
            "readers": list(self.readers),
            "topics": list(self.topics),
        }

    @classmethod
    def of(cls, record: LibraryDocument) -> Fields:
        return cls(
            title=record.title,
            author=record.author,
            organisation=record.organisation,
            published=record.published,
            kind=record.kind,
            visibility=record.visibility,
            readers=tuple(record.readers or ()),
            topics=tuple(record.topics or ()),
        )


@dataclass
class Refreshed:
    record: LibraryDocument
    outcome: str  # "unchanged", "changed", "gone", "failed"
    problem: str | None = None


@dataclass
class Added:
    record: LibraryDocument
    created: bool = True  # False: the same request was made before (an Idempotency-Key, a Slack retry)


class Library:
    def __init__(self, services: Services, client: WebClient | None = None, group: CommsGroup | None = None):
        self.services = services
        self.settings = services.settings
        self.db = services.db
        self.client = client
        self.group = group or CommsGroup(services.settings, client)
        self.folder = self.settings.data_dir / "library"

    @classmethod
    def from_settings(cls, services: Services) -> Library:
        """A Library that reports to Slack when a bot token is configured (the CLI, the API, the schedule)."""
        client = (
            web_client(services.settings, retry_connections=False)
            if services.settings.slack_bot_token
            else None
        )
        return cls(services, client)

    @property
    def limits(self) -> Limits:
        return Limits(
            max_bytes=self.settings.max_file_bytes,
            timeout_s=self.settings.fetch_timeout_s,
            max_redirects=self.settings.fetch_max_redirects,
            allow_private=self.settings.fetch_private,
        )

    # -- who may ------------------------------------------------------------------------------

    def authorise(self, action: str, user_id: str | None, *, target: str | None = None) -> None:
        """Raise (and audit) when a Slack user is not in the communications group."""
        if reason := self.group.check(user_id):
            self.services.audit(
                action, user_id or "?", "slack", allowed=False, reason=reason, document=target
            )
            raise LibraryError(
                "Only the communications group can add, refresh or remove documents. Send the document "
                "to them, or ask to join their Slack user group."
            )

    # -- adding -------------------------------------------------------------------------------

    def preview_url(self, url: str, *, actor: str, source: str, key: str, fields: Fields = Fields()) -> Added:
        """Fetch an address and read it into a pending record, shown to the adder before it is indexed."""
        if existing := self._before(key, fields, actor=actor, source=source, target=url):
            return existing
        try:
            fetched = fetch_url(url.strip(), self.limits)
        except FetchError as exc:
            self._refused("add", actor, source, url, str(exc))
        # the address asked for is fetched again on refresh (a "latest report" link keeps working)
        return self._stage(fetched, actor=actor, source=source, key=key, fields=fields, url=url.strip())

    def preview_slack_file(
        self, client: WebClient, file_id: str, *, actor: str, key: str, fields: Fields = Fields()
    ) -> Added:
        """Download a file shared with the bot (files.info, url_private) into a pending record."""
        if existing := self._before(key, fields, actor=actor, source="slack", target=file_id):
            return existing
        try:
            fetched = fetch_slack_file(client, file_id, self.limits)
        except FetchError as exc:
            self._refused("add", actor, "slack", file_id, str(exc))
        return self._stage(fetched, actor=actor, source="slack", key=key, fields=fields, url=None)

    def preview_bytes(
        self, name: str, data: bytes, *, actor: str, source: str, key: str, fields: Fields = Fields()
    ) -> Added:
        """A file handed over directly (the CLI, an API upload) into a pending record."""
        if existing := self._before(key, fields, actor=actor, source=source, target=name):
            return existing
        if len(data) > self.settings.max_file_bytes:
            self._refused(
                "add",
                actor,
                source,
                name,
                f"{name} is larger than the {self.settings.max_file_bytes:,}-byte limit "
                "(PARTNERBOT_MAX_FILE_BYTES)",
            )
        fetched = Fetched(name=_safe_name(name), data=data, url=None, content_type=None)
        return self._stage(fetched, actor=actor, source=source, key=key, fields=fields, url=None)

    def _before(self, key: str, fields: Fields, *, actor: str, source: str, target: str) -> Added | None:
        """Before downloading anything: the record of a request made before with the same key (a
        retry must not fetch again, nor fail where the first succeeded), or None once the fields
        are known to be good."""
        if existing := store.by_key(self.db, key):
            return Added(existing, created=False)
        try:
            fields.checked()
        except LibraryError as exc:
            self._refused("add", actor, source, target, str(exc), exc.fields)
        return None

    def _stage(
        self, fetched: Fetched, *, actor: str, source: str, key: str, fields: Fields, url: str | None
    ) -> Added:
        fields = fields.checked()
        staging = self.folder / ".staging" / uuid.uuid4().hex
        staging.mkdir(parents=True)
        try:
            path = staging / fetched.name
            path.write_bytes(fetched.data)
            try:
                loaded = self._read(path, "staged", fields)
            except LibraryError as exc:
                self._refused("add", actor, source, url or fetched.name, str(exc))
            doc_id = self._free_id(slug(loaded.document.title)[:80].strip("-") or "document")
            record, created = store.create(
                self.db,
                key=key,
                doc_id=doc_id,
                status=LibraryStatus.PENDING,
                source=source,
                added_by=actor,
                url=url,
                file_name=fetched.name,
                content_hash="",
                title=loaded.document.title[:300],
                **fields.columns(),
                passages=len(loaded.chunks),
                first_lines=loaded.document.text[:FIRST_LINES],
            )
            if created:
                home = self._home(record)
                shutil.rmtree(home, ignore_errors=True)
                home.parent.mkdir(parents=True, exist_ok=True)
                staging.rename(home)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self.services.audit(
            "add", actor, source, allowed=True, reason="read, waiting for confirmation", document=doc_id
        )
        return Added(record, created=created)

    def edit(self, record_id: int, fields: Fields, *, actor: str, source: str) -> LibraryDocument:
        """Change a pending document's fields; it is read again with them (the title shown may change)."""
        record = self._pending(record_id)
        fields = fields.checked()
        loaded = self._read(self._file(record), record.doc_id, fields)
        if not store.update_record(
            self.db,
            record.id,
            only_from=LibraryStatus.PENDING,
            title=loaded.document.title[:300],
            **fields.columns(),
        ):
            raise LibraryError(f"{record.title} was {self.get(record.id).status} meanwhile: not changed")
        self.services.audit("edit", actor, source, allowed=True, document=record.doc_id)
        return self.get(record.id)

    def confirm(self, record_id: int, *, actor: str, source: str) -> LibraryDocument:
        """Index a pending document; a second confirmation (a double click) changes nothing."""
        record = self.get(record_id)
        if not store.update_record(
            self.db,
            record.id,
            only_from=LibraryStatus.PENDING,
            status=LibraryStatus.INDEXED,
            refreshed_at=now(),
            checked_at=now(),  # just read: not due a refresh for PARTNERBOT_REFRESH_HOURS,
        ):
            record = self.get(record_id)  # as it is now: another click may have confirmed it meanwhile
            if record.status == LibraryStatus.INDEXED:
                return record
            raise LibraryError(f"{record.title} was {record.status}, not waiting to be added")
        try:
            if (held := self.services.index.document(record.doc_id)) and held[0].origin != "library":
                record.doc_id = self._free_id(record.doc_id)  # taken since the preview: another id
                store.update_record(self.db, record.id, doc_id=record.doc_id)
            loaded = self._index(record)
        except Exception:
            store.update_record(self.db, record.id, status=LibraryStatus.PENDING)  # confirm can be retried
            raise
        store.update_record(self.db, record.id, content_hash=loaded.document.content_hash)
        self.services.audit("confirm", actor, source, allowed=True, document=record.doc_id)
        return self.get(record.id)

    def cancel(self, record_id: int, *, actor: str, source: str) -> LibraryDocument:
        record = self.get(record_id)
        if store.update_record(
            self.db, record.id, only_from=LibraryStatus.PENDING, status=LibraryStatus.CANCELLED
        ):
            shutil.rmtree(self._home(record), ignore_errors=True)
            self.services.audit("cancel", actor, source, allowed=True, document=record.doc_id)
        return self.get(record.id)

    def add_url(self, url: str, *, actor: str, source: str, key: str, fields: Fields = Fields()) -> Added:
        """Fetch, read and index at once (the API and the CLI, whose caller has seen what they add)."""
        added = self.preview_url(url, actor=actor, source=source, key=key, fields=fields)
        return Added(self.confirm(added.record.id, actor=actor, source=source), created=added.created)

    def add_bytes(
        self, name: str, data: bytes, *, actor: str, source: str, key: str, fields: Fields = Fields()
    ) -> Added:
        added = self.preview_bytes(name, data, actor=actor, source=source, key=key, fields=fields)
        return Added(self.confirm(added.record.id, actor=actor, source=source), created=added.created)

    # -- reading what is there ----------------------------------------------------------------

    def records(self, *, removed: bool = False) -> list[LibraryDocument]:
        """The documents added, newest first (with the removed ones, when asked)."""
        statuses = (LibraryStatus.INDEXED, LibraryStatus.REMOVED) if removed else (LibraryStatus.INDEXED,)
        return store.listing(self.db, statuses=statuses)

    def find(self, ref: str) -> LibraryDocument:
        """An indexed added document by its doc id (as in its viewer address; never all digits) or
        record number. A pending one is confirmed or cancelled, not removed or refreshed."""
        ref = ref.strip()
        record = store.active(self.db, ref)
        number = record_number(ref)
        if record is None and number is not None:
            record = store.get(self.db, number)
        if record is None or record.status != LibraryStatus.INDEXED:
            raise LibraryError(
                f"no added document is called {ref!r}: the list shows their ids (documents of the corpus "
                "folder are changed there)"
            )
        return record

    # -- removing and refreshing --------------------------------------------------------------

    def remove(self, ref: str | LibraryDocument, *, actor: str, source: str) -> LibraryDocument:
        """Out of the index and the viewer at once; the record stays, marked removed. The record is
        marked first, so a refresh under way does not index it again."""
        record = self.find(ref) if isinstance(ref, str) else ref
        if not store.update_record(
            self.db,
            record.id,
            only_from=LibraryStatus.INDEXED,
            status=LibraryStatus.REMOVED,
            removed_at=now(),
            removed_by=actor[:200],
        ):
            return self.get(record.id)  # removed already (a second click)
        self.services.index.remove_document(record.doc_id)
        shutil.rmtree(self._home(record), ignore_errors=True)
        self.services.audit("remove", actor, source, allowed=True, document=record.doc_id)
        return self.get(record.id)

    def refresh(self, ref: str | LibraryDocument, *, actor: str, source: str) -> Refreshed:
        """Fetch an address again: unchanged content costs nothing, changed content replaces the
        document; a page that has gone is reported to the group, and the last copy kept. The new
        copy is indexed before the old one is let go, so any failure leaves the document as it was."""
        record = self.find(ref) if isinstance(ref, str) else ref
        if not record.url:
            raise LibraryError(
                f"{record.title} was uploaded, not added by address: upload the new version to replace it"
            )
        store.update_record(self.db, record.id, checked_at=now())
        staging = self._home(record) / f".refresh-{uuid.uuid4().hex}"  # one per refresh: they may overlap
        try:
            fetched = fetch_url(record.url, self.limits)
            staging.mkdir(parents=True)
            path = staging / fetched.name
            path.write_bytes(fetched.data)
            loaded = self._read(path, record.doc_id, Fields.of(record), record.url)
            outcome = "unchanged" if loaded.document.content_hash == record.content_hash else "changed"
            if outcome == "changed":
                self._replace(record, loaded, path)
        except (FetchError, LibraryError) as exc:
            return self._failed(record, exc, actor=actor, source=source)
        except Exception as exc:  # Chroma, the disk: told as a failed refresh, the old copy kept
            log.exception("refreshing %s failed", record.doc_id)
            return self._failed(record, exc, actor=actor, source=source)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        store.update_record(self.db, record.id, refreshed_at=now(), problem=None, gone_at=None)
        self.services.audit("refresh", actor, source, allowed=True, reason=outcome, document=record.doc_id)
        return Refreshed(self.get(record.id), outcome)

    def _replace(self, record: LibraryDocument, loaded: Loaded, path: Path) -> None:
        """Index the new copy, then keep its file in place of the old one; not for a record removed
        meanwhile."""
        final = self._file(record).with_name(path.name)
        if self.get(record.id).status != LibraryStatus.INDEXED:
            raise LibraryError(f"{record.title} was removed while it was fetched: not indexed again")
        self.services.index.add_document(Loaded(replace(loaded.document, path=str(final)), loaded.chunks))
        old = self._file(record)
        path.replace(final)
        if old != final:
            old.unlink(missing_ok=True)
        store.update_record(
            self.db,
            record.id,
            file_name=final.name,
            content_hash=loaded.document.content_hash,
            passages=len(loaded.chunks),
            first_lines=loaded.document.text[:FIRST_LINES],
        )

    def refresh_due(self, *, actor: str = "schedule", source: str = "schedule") -> list[Refreshed]:
        """Every document added by address and not fetched for PARTNERBOT_REFRESH_HOURS; each is
        claimed first, so replicas and a cron line never fetch the same one twice."""
        if not self.settings.refresh_hours:
            return []
        cutoff = now() - timedelta(hours=self.settings.refresh_hours)
        done = []
        for record_id in store.due(self.db, cutoff):
            if store.claim(self.db, record_id, cutoff, now()) and (record := store.get(self.db, record_id)):
                done.append(self.refresh(record, actor=actor, source=source))
        return done

    def resume(self) -> list[str]:
        """Index every confirmed document the index lacks (a crash after confirming, an index
        rebuilt in a new data folder); the doc ids it indexed."""
        indexed = []
        for record in self.records():
            if record.doc_id in self.services.index.registry:
                continue
            try:
                self._index(record)
            except (LibraryError, OSError) as exc:
                log.warning("cannot index %s again from %s: %s", record.doc_id, self._home(record), exc)
                continue
            indexed.append(record.doc_id)
        return indexed

    def expire_previews(self) -> list[int]:
        """Cancel previews left unconfirmed for PREVIEW_TIME (a Slack preview ignored, a prompt left),
        so their files and ids are let go; the record numbers cancelled."""
        cancelled = []
        for record in store.listing(self.db, statuses=(LibraryStatus.PENDING,)):
            if record.added_at.replace(tzinfo=record.added_at.tzinfo or UTC) < now() - PREVIEW_TIME:
                self.cancel(record.id, actor="schedule", source="schedule")
                cancelled.append(record.id)
        return cancelled

    def run_schedule(self, stop: threading.Event) -> None:
        """`resume`, then refresh what is due every SCHEDULE_EVERY_S until `stop` is set (a thread
        of the server; with PARTNERBOT_REFRESH_HOURS at 0, `resume` alone). A failure is logged and
        tried again next time, never raised."""
        while True:
            try:
                self.expire_previews()
                for doc_id in self.resume():
                    log.warning("%s was confirmed but not in the index: indexed it again", doc_id)
                for refreshed in self.refresh_due():
                    log.info("refreshed %s: %s", refreshed.record.doc_id, refreshed.outcome)
            except Exception:  # a background task must log, not die silently
                log.exception("refreshing added documents failed; tried again in %.0f s", SCHEDULE_EVERY_S)
            if not self.settings.refresh_hours or stop.wait(SCHEDULE_EVERY_S):
                return

    # -- helpers ------------------------------------------------------------------------------

    def _read(self, path: Path, doc_id: str, fields: Fields, url: str | None = None) -> Loaded:
        """The file read as the corpus reads its own, with the record's fields; `url`, the page it
        came from, is what answers cite beside the viewer."""
        entry = Entry(
            doc_id=doc_id,
            source_url=url,
            title=fields.title,
            kind=fields.kind,
            author=fields.author,
            topics=fields.topics,
            organisation=fields.organisation,
            published=fields.published,
            visibility=fields.visibility,
            readers=fields.readers,
        )
        try:
            return build(path, entry, max_bytes=self.settings.max_file_bytes, origin="library")
        except CorpusError as exc:  # about the file as its adder named it, not the server's folders
            raise LibraryError(str(exc).replace(str(path), path.name)) from exc
        except FileNotFoundError as exc:
            raise LibraryError(f"the stored copy of {path.name} is missing: add the document again") from exc

    def _index(self, record: LibraryDocument) -> Loaded:
        loaded = self._read(self._file(record), record.doc_id, Fields.of(record), record.url)
        self.services.index.add_document(loaded)
        return loaded

    def _failed(self, record: LibraryDocument, exc: Exception, *, actor: str, source: str) -> Refreshed:
        problem = str(exc)
        gone = isinstance(exc, FetchError) and exc.gone
        newly_gone = gone and record.gone_at is None
        store.update_record(
            self.db, record.id, problem=problem[:500], gone_at=record.gone_at or (now() if gone else None)
        )
        self.services.audit("refresh", actor, source, allowed=True, reason=problem, document=record.doc_id)
        if newly_gone:
            read = record.refreshed_at or record.added_at
            self._report(
                record,
                f":warning: *{mrkdwn.escape(record.title)}* has gone from "
                f"{mrkdwn.link(record.url or '', mrkdwn.shorten(record.url or '', 200))} "
                f"({mrkdwn.escape(problem)}). partnerbot still answers from the copy it read on "
                f"{read:%d %b %Y}: `{self.settings.documents_command} remove {record.doc_id}` takes it out.",
            )
        return Refreshed(self.get(record.id), "gone" if gone else "failed", problem)

    def _report(self, record: LibraryDocument, text: str) -> None:
        """To the communications channel (PARTNERBOT_COMMS_CHANNEL), else to whoever added it."""
        target = self.settings.comms_channel or (record.added_by if record.added_by.startswith("U") else None)
        if self.client is None or target is None:
            log.warning("%s (no Slack channel to report it in)", re.sub(r"[*:`]", "", text))
            return
        try:
            self.client.chat_postMessage(channel=target, text=text, unfurl_links=False)
        except SLACK_ERRORS as exc:
            log.warning("could not report to %s: %s", target, describe(exc))

    def _refused(
        self,
        action: str,
        actor: str,
        source: str,
        target: str,
        reason: str,
        fields: dict[str, str] | None = None,
    ) -> NoReturn:
        """Audit an attempt that failed on its input, and raise its one-sentence reason."""
        self.services.audit(
            action, actor, source, allowed=True, reason=f"refused: {reason}", document=target[:200]
        )
        raise LibraryError(reason, fields)

    def _free_id(self, base: str) -> str:
        """`base`, or `base-2`, `base-3`…: an id no indexed document nor pending record holds."""
        base = f"document-{base}" if base.isdigit() else base  # never taken for a record number
        candidate, n = base, 1
        self.services.index.refresh()  # another process may have added it
        while candidate in self.services.index.registry or store.active(self.db, candidate):
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def _home(self, record: LibraryDocument) -> Path:
        return self.folder / str(record.id)

    def _file(self, record: LibraryDocument) -> Path:
        return self._home(record) / record.file_name

    def get(self, record_id: int) -> LibraryDocument:
        """A record by its number (the id a Slack button carries), whatever its status."""
        record = store.get(self.db, record_id)
        if record is None:
            raise LibraryError(f"there is no added document {record_id}")
        return record

    def _pending(self, record_id: int) -> LibraryDocument:
        record = self.get(record_id)
        if record.status != LibraryStatus.PENDING:
            raise LibraryError(f"{record.title} was {record.status}: it can no longer be edited")
        return record


def _is_date(value: str) -> bool:
    """YYYY, YYYY-MM or YYYY-MM-DD, and a real date."""
    if not re.fullmatch(r"\d{4}(-\d{2}){0,2}", value):
        return False
    try:
        date.fromisoformat((value + "-01-01")[:10])
    except ValueError:
        return False
    return True


def _safe_name(name: str) -> str:
    """A file name safe to write: no folders, no dots in front, letters, digits, `._-` only."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).name).lstrip(".-")[:100]
    return base or "document.txt"
