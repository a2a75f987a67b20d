import re
from pathlib import Path

import pytest
from dotenv import dotenv_values

from bot import settings as settings_module
from bot.settings import Settings, SettingsError, load_settings

REPO = Path(__file__).parents[2]
SETTINGS_SOURCE = Path(settings_module.__file__)

TOKEN = "MTA5NzY1NDMyMTA5ODc2NTQzMg.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


def test_defaults():
    assert load_settings({}) == Settings()
    assert Settings().token == ""
    assert not Settings().reads_messages


def test_every_setting_is_read():
    settings = load_settings(
        {
            "DISCORD_TOKEN": f" {TOKEN} ",
            "DISCORD_GUILD_IDS": "123, 456,123",
            "DISCORD_ANSWER_CHANNEL_IDS": "789",
            "NEWSDESK_SEEDS": "articles",
            "NEWSDESK_RESULTS": "5",
            "NEWSDESK_ASK_BURST": "2",
            "NEWSDESK_ASK_COOLDOWN": "2.5",
            "NEWSDESK_QUEUE_WAIT": "10",
            "NEWSDESK_WATCH_INTERVAL": "0",
            "NEWSDESK_PAGE_TIMEOUT": "60",
        }
    )
    assert settings == Settings(
        token=TOKEN,
        guild_ids=(123, 456),
        answer_channel_ids=frozenset({789}),
        seeds=Path("articles"),
        results=5,
        ask_burst=2,
        ask_cooldown=2.5,
        queue_wait=10,
        watch_interval=0,
        page_timeout=60,
    )
    assert settings.reads_messages


BAD = [
    ("DISCORD_TOKEN", "Bot " + TOKEN, "DISCORD_TOKEN does not look like a bot token"),
    ("DISCORD_TOKEN", "hunter2", "DISCORD_TOKEN does not look like a bot token"),
    ("DISCORD_GUILD_IDS", "123,abc", "DISCORD_GUILD_IDS must be comma-separated numeric ids"),
    ("DISCORD_ANSWER_CHANNEL_IDS", "-5", "DISCORD_ANSWER_CHANNEL_IDS must be comma-separated"),
    ("NEWSDESK_RESULTS", "0", "NEWSDESK_RESULTS must be a whole number from 1 to 10, not '0'"),
    ("NEWSDESK_RESULTS", "11", "NEWSDESK_RESULTS must be a whole number from 1 to 10"),
    ("NEWSDESK_RESULTS", "three", "NEWSDESK_RESULTS must be a whole number"),
    ("NEWSDESK_ASK_COOLDOWN", "-1", "NEWSDESK_ASK_COOLDOWN must be a number of seconds"),
    ("NEWSDESK_ASK_BURST", "0", "NEWSDESK_ASK_BURST must be a whole number from 1 to 100"),
    ("NEWSDESK_QUEUE_WAIT", "0", "NEWSDESK_QUEUE_WAIT must be a number of seconds from 0.1"),
    ("NEWSDESK_WATCH_INTERVAL", "nan", "NEWSDESK_WATCH_INTERVAL must be a number of seconds"),
    ("NEWSDESK_PAGE_TIMEOUT", "3600", "NEWSDESK_PAGE_TIMEOUT must be a number of seconds from 1"),
    ("NEWSDESK_SEMANTIC", "of", "NEWSDESK_SEMANTIC must be on or off, not 'of'"),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD)
def test_a_bad_value_is_named(name, value, message):
    with pytest.raises(SettingsError, match=f"^{message}"):
        load_settings({name: value})


def test_the_token_is_never_echoed():
    with pytest.raises(SettingsError) as caught:
        load_settings({"DISCORD_TOKEN": "secret-but-mistyped"})
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize(("name", "value", "message"), [BAD[1], BAD[2], BAD[4]])
def test_bad_settings_stop_the_bot_with_one_line_and_status_2(run_bot, name, value, message):
    done = run_bot({name: value})
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {message}")
    assert done.stderr.count("\n") == 1
    assert done.stdout == ""


def test_a_dotenv_file_is_read_but_the_environment_wins(run_bot, tmp_path):
    (tmp_path / "cwd" / ".env").write_text("NEWSDESK_RESULTS=50\nNEWSDESK_ASK_COOLDOWN=-1\n")
    done = run_bot({"NEWSDESK_RESULTS": "2"})
    assert done.returncode == 2
    assert done.stderr.startswith("error: NEWSDESK_ASK_COOLDOWN")


def test_env_example_documents_every_setting_with_usable_values():
    example = REPO / ".env.example"
    names_read = set(re.findall(r'"((?:DISCORD|NEWSDESK)_[A-Z_]+)"', SETTINGS_SOURCE.read_text()))
    documented = set(re.findall(r"^#? ?([A-Z_]+)=", example.read_text(), re.MULTILINE))
    assert names_read <= documented
    values = {name: value or "" for name, value in dotenv_values(example).items()}
    assert load_settings(values).token == ""


def test_the_folder_settings_are_the_index_s_own():
    from index import IndexSettings

    settings = load_settings({"NEWSDESK_ARTICLES": "news", "NEWSDESK_INDEX_DIR": "/idx"})
    assert settings.index == IndexSettings(Path("news"), Path("/idx"), "")
    assert Settings(seeds=Path("old")).index.articles == Path("old")  # the old keyword
