"""One Settings class: environment (PARTNERBOT_*) over the config file over defaults.

Built once per process by `load_settings()`, which turns validation failures into one readable
`ConfigError` line instead of a pydantic traceback.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from config.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config" / "defaults.yaml"
_PATH_KEYS = (
    "corpus_dir",
    "data_dir",
    "slack_channels_file",
    "glossary_file",
    "places_file",
    "model_cache_dir",
)


# Settings that hold secrets: each may also be read from a file named by PARTNERBOT_<NAME>_FILE
# (Docker and Kubernetes secrets), so that it need not sit in the environment.
SECRETS = (
    "slack_bot_token",
    "slack_signing_secret",
    "slack_app_token",
    "user_hash_key",
    "link_secret",
    "database_url",
)


class _SecretFiles(PydanticBaseSettingsSource):
    """PARTNERBOT_<NAME>_FILE for each of SECRETS; the variable itself, when set, wins."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # __call__ does the work

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in SECRETS:
            variable = f"PARTNERBOT_{name.upper()}_FILE"
            path = os.environ.get(variable)
            if not path:
                continue
            try:
                values[name] = Path(path).read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
                raise ConfigError(f"{variable}: cannot read {path} ({reason})") from None
            if not values[name]:
                raise ConfigError(f"{variable}: {path} is empty")
        return values


class _YamlFile(PydanticBaseSettingsSource):
    """Reads the config file; its relative paths are taken from the project folder."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls)
        self.path = path

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # __call__ does the work

    def __call__(self) -> dict[str, Any]:
        try:
            data = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
        except FileNotFoundError as exc:
            raise ConfigError(f"config file {self.path} does not exist") from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"config file {self.path} is not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise ConfigError(f"config file {self.path} must hold a mapping of settings")
        for key in _PATH_KEYS:
            if isinstance(data.get(key), str) and not Path(data[key]).is_absolute():
                data[key] = str((ROOT / data[key]).resolve())
        return {k: v for k, v in data.items() if v is not None}


# What the assistant view offers a new thread: questions the reference corpus answers well (a test
# asks each one).
SUGGESTED_PROMPTS = (
    "What are the goals of the West Yorkshire healthtech strategy?",
    "Who signed the Leeds City Region healthtech MoU?",
    "What share of the region's healthtech businesses are in Leeds City Region?",
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARTNERBOT_", extra="forbid")

    corpus_dir: Path = ROOT.parent / "shared" / "corpus"
    data_dir: Path = ROOT / "data"

    chroma_url: str | None = None
    embedding_model: str | None = None
    embedding_backend: Literal["onnx", "torch"] = "onnx"  # the same vectors; onnx starts in <1 s
    model_cache_dir: Path | None = None  # where the ONNX export is kept (default ~/.cache/partnerbot)
    top_k: int = Field(8, ge=1, le=50)
    answer_words: int = Field(80, ge=10, le=1000)
    max_sources: int = Field(5, ge=1, le=20)
    max_question_chars: int = Field(2000, ge=10)
    questions_per_minute: int = Field(20, ge=0)  # per Slack user or web address; 0: no limit
    max_file_bytes: int = Field(20_000_000, ge=1)
    glossary_file: Path | None = ROOT / "config" / "glossary.yaml"  # short forms partners use
    places_file: Path | None = ROOT / "config" / "places.yaml"  # places a question may name in lower case

    chat_model: str | None = None
    chat_timeout_s: float = Field(20.0, gt=0)

    public_base_url: str = "http://127.0.0.1:8000"
    # Who may read the web surface (docs/web.md): private by default, each citation link signed for
    # whom the answer is for; public opens the pages and API to anyone, for `public` documents.
    web_public: bool = False
    link_secret: SecretStr | None = None  # same on every replica; else a key file in the data folder
    link_days: int = Field(7, ge=1, le=366)  # how long a signed link or a web session lasts

    # Slack
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_channels_file: Path | None = None
    slack_command: str = "/ask"
    slack_ignore_bots: bool = True  # other bots' messages are not questions (the bot's own never are)
    announce_command: str = "/announce"
    front_door: str = "the cluster's front door channel, #healthtech-front-door"
    home: str = "West Yorkshire"  # where "where do I start?" seeks a way in when the question names no place
    handoff_channel: str | None = None  # a channel id: "Ask a person" posts questions there; none hides it
    slack_suggested_prompts: Annotated[list[str], NoDecode] = list(SUGGESTED_PROMPTS)
    slack_stream_mentions: bool = False  # stream mention answers too (assistant threads always stream)
    slack_group_dms: bool = False  # group DMs (message.mpim) answered like DMs; needs mpim:history

    # State (votes, question log, announcements): SQLite in the data folder unless a URL is given.
    database_url: str | None = None
    db_connect_timeout_s: int = Field(5, ge=1)  # PostgreSQL: a silent host fails in seconds
    db_statement_timeout_s: float = Field(10.0, gt=0)
    question_retention_days: int = Field(365, ge=0)  # 0 keeps the question log forever
    audit_retention_days: int = Field(730, ge=0)  # 0 keeps the audit log forever (up to AUDIT_ROWS_KEPT)
    user_hash_key: SecretStr | None = None  # same on every replica; else a key file in the data folder

    # Announcements (docs/announcements.md): who may post, where, and the API's bearer token.
    announce_channels: Annotated[dict[str, str], NoDecode] = {}  # "C01:partner-news,C02:events" or JSON
    comms_user_ids: Annotated[list[str], NoDecode] = []  # "U01,U02" or JSON
    comms_usergroup: str | None = None  # a Slack user group id (S…), read with usergroups.users.list
    comms_cache_s: float = Field(300.0, ge=0)
    comms_channel: str | None = None  # where the weekly digest is posted
    announce_api_token_sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")

    # Documents the communications group adds from Slack, the CLI and the API (docs/documents.md).
    documents_command: str = "/partnerbot"
    refresh_hours: float = Field(24.0, ge=0)  # documents added by address are fetched again; 0: never
    fetch_timeout_s: float = Field(20.0, gt=0)  # the whole download of one address or file
    fetch_max_redirects: int = Field(5, ge=0, le=20)
    fetch_private: bool = False  # allow loopback and private addresses (tests, an intranet)

    @field_validator("slack_suggested_prompts", mode="before")
    @classmethod
    def _prompts(cls, value: Any) -> Any:
        """One prompt a line (or a JSON list): prompts hold commas."""
        if isinstance(value, str):
            if value.strip().startswith("["):
                try:
                    return json.loads(value)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"not valid JSON: {exc}") from None
            return [line.strip() for line in value.splitlines() if line.strip()]
        return value

    @field_validator("slack_suggested_prompts")
    @classmethod
    def _at_most_four(cls, value: list[str]) -> list[str]:
        if len(value) > 4 or any(not p.strip() or len(p) > 150 for p in value):
            raise ValueError("Slack takes at most 4 suggested prompts, each 1 to 150 characters")
        return value

    @field_validator("announce_channels", "comms_user_ids", mode="before")
    @classmethod
    def _id_list(cls, value: Any, info: ValidationInfo) -> Any:
        """Comma-separated ids (channels as id:name) or JSON, so env variables stay easy to write."""
        if isinstance(value, list) and info.field_name == "announce_channels":
            return {str(v): str(v) for v in value}
        if not isinstance(value, str):
            return value
        if value.strip().startswith(("{", "[")):
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not valid JSON: {exc}") from None
        items = [item.strip() for item in value.split(",") if item.strip()]
        if info.field_name == "announce_channels":
            return {i.partition(":")[0].strip(): i.partition(":")[2].strip() or i for i in items}
        return items

    @field_validator("public_base_url", "slack_api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, got {value!r}")
        return value.rstrip("/") + ("/" if value.endswith("/") else "")

    @model_validator(mode="after")
    def _commands_differ(self) -> Settings:
        """Slack sends a command to one listener: two features under one name would lose one."""
        names = [self.slack_command, self.announce_command, self.documents_command]
        if len(set(names)) < len(names):
            raise ValueError(
                "the slash commands PARTNERBOT_SLACK_COMMAND, PARTNERBOT_ANNOUNCE_COMMAND and "
                f"PARTNERBOT_DOCUMENTS_COMMAND must differ, got {', '.join(names)}"
            )
        return self

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'partnerbot.db'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config = Path(os.environ.get("PARTNERBOT_CONFIG", DEFAULT_CONFIG))
        return (init_settings, env_settings, _SecretFiles(settings_cls), _YamlFile(settings_cls, config))


def load_settings(**overrides: Any) -> Settings:
    """Build settings, or raise one ConfigError line naming the bad setting."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'PARTNERBOT_' + str(err['loc'][0]).upper() if err['loc'] else 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"bad setting: {problems}") from None
