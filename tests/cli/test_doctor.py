"""`partnerbot doctor`: one line per check, exit 1 when any fails, no secret in what it prints."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import app
from config.settings import ROOT
from retrieval.sentences import SENTENCES

pytestmark = pytest.mark.integration


def doctor(monkeypatch: pytest.MonkeyPatch, **env: str):
    for name, value in env.items():
        monkeypatch.setenv(f"PARTNERBOT_{name.upper()}", value)
    return CliRunner().invoke(app, ["doctor"])


def test_a_healthy_deployment_passes_every_check(monkeypatch, built_data_dir: Path, tmp_path: Path):
    data = shutil.copytree(built_data_dir, tmp_path / "data")
    result = doctor(monkeypatch, data_dir=str(data))
    assert result.exit_code == 0, result.output
    assert "7 of 7 checks passed" in result.output
    assert "ok    index: 5 documents" in result.output and "all in step" in result.output


def test_what_is_wrong_is_said_and_no_secret_is_shown(monkeypatch, built_data_dir, tmp_path, slack_api):
    data = shutil.copytree(built_data_dir, tmp_path / "data")
    for sentences in (data / "index" / SENTENCES).glob("*.npz"):
        sentences.unlink()  # lost sentence vectors: ingest repairs them
    slack_api.fail("auth.test", status=200, error="invalid_auth")
    secret = "xoxb-do-not-print-me"
    result = doctor(
        monkeypatch,
        data_dir=str(data),
        slack_bot_token=secret,
        slack_api_url=slack_api.base_url,
        slack_signing_secret="also-secret",
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith("FAIL  index: 5 of 5 documents have no sentence vectors") for line in lines)
    assert any(
        line.startswith("FAIL  Slack: Slack did not accept") and "invalid_auth" in line for line in lines
    )
    assert any(line.startswith("FAIL  public URL") for line in lines)
    assert "4 of 7 checks passed" in result.output
    assert secret not in result.output and "also-secret" not in result.output


def test_an_empty_data_folder_is_told_to_ingest(monkeypatch, tmp_path: Path):
    result = doctor(monkeypatch, data_dir=str(tmp_path / "empty"))
    assert result.exit_code == 1
    assert "FAIL  index: no documents are indexed: run `partnerbot ingest`" in result.output


def test_an_app_installed_without_the_scopes_rights_need_is_told_to_reinstall(
    monkeypatch, built_data_dir, tmp_path, slack_api
):
    slack_api.scopes = "app_mentions:read,chat:write,commands"
    settings = {"slack_bot_token": slack_api.token, "slack_api_url": slack_api.base_url}
    data = shutil.copytree(built_data_dir, tmp_path / "data")
    result = doctor(monkeypatch, data_dir=str(data), slack_signing_secret="s", **settings)
    [line] = [line for line in result.output.splitlines() if line.endswith("public-only)")]
    assert line.startswith("FAIL  Slack: the bot token lacks the scopes ") and "users:read" in line, line
    assert "chat:write," not in line

    manifest = yaml.safe_load((ROOT / "config" / "slack-manifest.yaml").read_text())
    slack_api.scopes = ",".join(manifest["oauth_config"]["scopes"]["bot"])
    result = doctor(monkeypatch, data_dir=str(data), slack_signing_secret="s", **settings)
    assert "ok    Slack: Slack accepts the bot token" in result.output
