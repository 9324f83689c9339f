"""Settings: environment over the config file over defaults, and one clear line when one is bad."""

import pytest

from config.errors import ConfigError
from config.settings import ROOT, load_settings

pytestmark = pytest.mark.unit


def test_defaults_point_at_the_shared_corpus_and_a_local_data_folder():
    settings = load_settings()
    assert settings.corpus_dir == (ROOT.parent / "shared" / "corpus").resolve()
    assert settings.data_dir == ROOT / "data"
    assert settings.db_url == f"sqlite:///{ROOT / 'data' / 'partnerbot.db'}"


def test_config_file_overrides_defaults_and_environment_overrides_both(tmp_path, monkeypatch):
    config = tmp_path / "partnerbot.yaml"
    config.write_text("answer_words: 60\ntop_k: 4\ndata_dir: /srv/partnerbot\n")
    monkeypatch.setenv("PARTNERBOT_CONFIG", str(config))
    monkeypatch.setenv("PARTNERBOT_TOP_K", "3")
    settings = load_settings()
    assert settings.answer_words == 60
    assert settings.top_k == 3
    assert str(settings.data_dir) == "/srv/partnerbot"


def test_relative_paths_in_the_config_file_are_taken_from_the_project_folder(tmp_path, monkeypatch):
    config = tmp_path / "partnerbot.yaml"
    config.write_text("corpus_dir: docs/corpus\n")
    monkeypatch.setenv("PARTNERBOT_CONFIG", str(config))
    assert load_settings().corpus_dir == ROOT / "docs" / "corpus"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PARTNERBOT_TOP_K", "many", "PARTNERBOT_TOP_K"),
        ("PARTNERBOT_ANSWER_WORDS", "0", "PARTNERBOT_ANSWER_WORDS"),
        ("PARTNERBOT_PUBLIC_BASE_URL", "ftp://example", "PARTNERBOT_PUBLIC_BASE_URL"),
        ("PARTNERBOT_SLACK_SUGGESTED_PROMPTS", "a\nb\nc\nd\ne", "at most 4 suggested prompts"),
        ("PARTNERBOT_SLACK_SUGGESTED_PROMPTS", "x" * 151, "1 to 150 characters"),
        ("PARTNERBOT_SLACK_SUGGESTED_PROMPTS", '["unclosed', "not valid JSON"),
    ],
)
def test_bad_environment_value_is_one_line_naming_it(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_unknown_key_in_the_config_file_is_an_error(tmp_path, monkeypatch):
    config = tmp_path / "partnerbot.yaml"
    config.write_text("anwser_words: 60\n")
    monkeypatch.setenv("PARTNERBOT_CONFIG", str(config))
    with pytest.raises(ConfigError, match="ANWSER_WORDS"):
        load_settings()


@pytest.mark.parametrize("text", ["- just\n- a list\n", "answer_words: [unclosed\n"])
def test_malformed_config_file_is_an_error(tmp_path, monkeypatch, text):
    config = tmp_path / "partnerbot.yaml"
    config.write_text(text)
    monkeypatch.setenv("PARTNERBOT_CONFIG", str(config))
    with pytest.raises(ConfigError, match=r"partnerbot\.yaml"):
        load_settings()


def test_missing_config_file_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PARTNERBOT_CONFIG", str(tmp_path / "absent.yaml"))
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings()


def test_secrets_can_be_read_from_files_and_the_variable_itself_wins(tmp_path, monkeypatch):
    token = tmp_path / "bot-token"
    token.write_text("xoxb-from-a-file\n")
    monkeypatch.setenv("PARTNERBOT_SLACK_BOT_TOKEN_FILE", str(token))
    monkeypatch.setenv("PARTNERBOT_USER_HASH_KEY_FILE", str(token))
    settings = load_settings()
    assert settings.slack_bot_token == "xoxb-from-a-file"
    assert (
        settings.user_hash_key is not None and settings.user_hash_key.get_secret_value() == "xoxb-from-a-file"
    )
    monkeypatch.setenv("PARTNERBOT_SLACK_BOT_TOKEN", "xoxb-from-the-environment")
    assert load_settings().slack_bot_token == "xoxb-from-the-environment"


@pytest.mark.parametrize("content", [None, "  \n"])
def test_a_secret_file_that_is_missing_or_empty_is_named_not_shown(tmp_path, monkeypatch, content):
    path = tmp_path / "secret"
    if content is not None:
        path.write_text(content)
    monkeypatch.setenv("PARTNERBOT_SLACK_SIGNING_SECRET_FILE", str(path))
    with pytest.raises(ConfigError, match=f"PARTNERBOT_SLACK_SIGNING_SECRET_FILE: .*{path.name}"):
        load_settings()


def test_suggested_prompts_are_one_a_line_or_a_json_list(monkeypatch):
    monkeypatch.setenv("PARTNERBOT_SLACK_SUGGESTED_PROMPTS", "Who signed it, and when?\n\n What is BEIC? ")
    assert load_settings().slack_suggested_prompts == ["Who signed it, and when?", "What is BEIC?"]
    monkeypatch.setenv("PARTNERBOT_SLACK_SUGGESTED_PROMPTS", '["a, b", "c"]')
    assert load_settings().slack_suggested_prompts == ["a, b", "c"]
    monkeypatch.setenv("PARTNERBOT_SLACK_SUGGESTED_PROMPTS", "")
    assert load_settings().slack_suggested_prompts == []


def test_two_features_cannot_share_a_slash_command(monkeypatch):
    monkeypatch.setenv("PARTNERBOT_SLACK_COMMAND", "/partnerbot")  # the documents command's default
    with pytest.raises(ConfigError, match="must differ, got /partnerbot, /announce, /partnerbot"):
        load_settings()
