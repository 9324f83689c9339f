"""The FastAPI app: HTTP API, source viewer, ask page, and the Slack events endpoint."""
