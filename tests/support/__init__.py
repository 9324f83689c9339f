"""Reusable test harness: a local Slack Web API (`slack_api`), Slack-signed requests (`slack_requests`).

See tests/support/fixtures.py for ready-made pytest fixtures; import them into a conftest.py.
"""
