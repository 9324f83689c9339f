"""Bolt listeners, one job per module, each wired by `register(app, bot)`."""
