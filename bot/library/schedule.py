"""The documents schedule of a server (the web app, Socket Mode): confirmed documents the index lacks
are indexed again, and those added by address fetched again when due."""

from __future__ import annotations

import logging
import threading

from bot.library.service import Library
from bot.services import Services

log = logging.getLogger(__name__)


class Schedule:
    """`Library.run_schedule` in a daemon thread of a server (the web app, Socket Mode): documents
    added by address are fetched again when due. Every worker and replica runs one; each due
    document is claimed first, so it is fetched once."""

    def __init__(self, services: Services) -> None:
        self.stop_event = threading.Event()
        self.thread = threading.Thread(
            target=Library.from_settings(services).run_schedule,
            args=(self.stop_event,),
            name="partnerbot-documents-schedule",
            daemon=True,  # a fetch under way does not keep the process from exiting
        )

    @classmethod
    def start(cls, services: Services) -> Schedule:
        """A running schedule (with PARTNERBOT_REFRESH_HOURS at 0 it only repairs, then ends)."""
        schedule = cls(services)
        schedule.thread.start()
        return schedule

    def stop(self, timeout_s: float = 30.0) -> None:
        """Ask the thread to end and wait for it (a refresh under way finishes first)."""
        self.stop_event.set()
        self.thread.join(timeout_s)
        if self.thread.is_alive():
            log.warning("the documents schedule is still refreshing after %.0f s; leaving it", timeout_s)
