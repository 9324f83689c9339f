"""The command-line tests' fixtures: the local Slack Web API server for `doctor`'s Slack check."""

from tests.support.fixtures import slack_api  # noqa: F401  (a fixture)
