"""Hostile input at every door, in figures: inputs tried per entry point, the statuses seen, 5xx.

The same generators as the suite (`tests/support/fuzz.py`) with a bigger budget: schemathesis over the
app's OpenAPI schema (requests that fit it and requests that break it) and signed Slack events, slash
commands and interactions built by hypothesis (broken shapes, huge, RTL, zero-width and combining
text, pings, links, instructions). The real app, model and index; Slack is the local Web API of the
tests, on loopback. Every answer is also checked as the suite checks it: documented, within Slack's
3 seconds, no live ping or link sent on that only the input carried.

Run: `.venv/bin/python bench/hostile.py [--api N] [--slack N]` (N generated inputs per route and
mode, per Slack door). Figures, not a test: it exits 1 when any check failed, and prints those.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient

from bot.services import Services
from bot.state import tokens
from bot.throttle import Throttle
from bot.web.app import create_app
from config.settings import ROOT, load_settings
from retrieval.assistant import Assistant
from retrieval.embed import make_embedder

sys.path.insert(0, str(ROOT))  # the suite's generators and local Slack API (tests/ is not installed)
from tests.support.fuzz import Tally, fuzz_api, fuzz_slack
from tests.support.slack_api import SlackAPI
from tests.support.slack_requests import SlackSender

CORPUS = ROOT.parent / "shared" / "corpus"
SIGNING_SECRET = "bench-hostile-signing-secret"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", type=int, default=200, help="generated requests per API route and mode")
    parser.add_argument("--slack", type=int, default=500, help="generated requests per Slack door")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # each refusal is logged, and bolt suggests a listener per odd input

    folder = Path(tempfile.mkdtemp(prefix="partnerbot-hostile-"))
    try:
        with SlackAPI() as slack:
            settings = load_settings(
                data_dir=folder / "data",
                corpus_dir=CORPUS,
                questions_per_minute=0,  # the limit has its tests; here it would refuse most input
                slack_bot_token=slack.token,
                slack_api_url=slack.base_url,
                slack_signing_secret=SIGNING_SECRET,
                announce_channels={"C0NEWS": "partner-news"},
                comms_user_ids=["U0COMMS"],
                fetch_timeout_s=1,
            )
            services = Services.open(settings, Assistant(settings, embedder=make_embedder(settings)))
            services.index.build_if_empty()
            token = tokens.create(services.db, "hostile", ["ask", "announce", "documents"])
            app = create_app(settings, services)
            app.state.token_failures = Throttle(limit=0)  # bad tokens are part of the input
            tally = Tally()
            with TestClient(app) as client:
                fuzz_api(app, {"Authorization": f"Bearer {token}"}, args.api, tally)
                names = [settings.slack_command, settings.announce_command, settings.documents_command]
                fuzz_slack(SlackSender(client, SIGNING_SECRET), slack, names, args.slack, tally)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"{'entry point':<48} {'inputs':>7} {'2xx':>6} {'4xx':>6} {'5xx':>5}")
    for door in sorted(tally.tried):
        ok, refused, errors = (tally.count(door, kind) for kind in (2, 4, 5))
        print(f"{door:<48} {tally.tried[door]:>7} {ok:>6} {refused:>6} {errors:>5}")
    total = sum(tally.tried.values())
    print(f"{'total':<48} {total:>7}; 5xx: {sum(tally.count(d, 5) for d in tally.tried)}")
    print(f"failed checks: {len(tally.failures)}")
    for failure in tally.failures[:20]:
        print(f"  {failure[:400]}")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
