"""The surfaces: command line, web (FastAPI) and Slack (bolt). Each renders retrieval's Answer."""
