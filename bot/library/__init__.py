"""The documents the communications group adds, refreshes and removes from Slack, the CLI and the API."""
