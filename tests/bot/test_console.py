"""Console mode, run as users run it: ``python -m bot`` without a token, stdin piped."""

import pytest


@pytest.fixture
def console(run_bot, seeds, index_dir):
    def run(stdin: str):
        env = {"NEWSDESK_SEEDS": str(seeds), "NEWSDESK_INDEX_DIR": str(index_dir)}
        return run_bot(env, stdin)

    return run


def test_commands_are_answered_until_the_input_ends(console):
    done = console(
        "/ask How many missiles and drones did Russia send toward Kyiv?\n"
        "/sources\n"
        "/source russia-ramps\n"
        "How many launches were there in October?\n"
        "/frobnicate\n"
    )
    assert done.returncode == 0
    assert "No DISCORD_TOKEN set" in done.stderr
    out = done.stdout
    assert "> How many missiles and drones did Russia send toward Kyiv?" in out
    assert "96 **missiles** and **drones**" in out
    assert "— Responsible Statecraft · passage 1 · https://responsiblestatecraft.org/" in out
    assert "Read in full: /source russia-intensifies-fighting-after-trumps" in out
    assert "**2 articles**" in out
    assert "**Rising Casualties and Territorial Gains**" in out
    assert "> How many launches were there in October?" in out
    assert "2,072 in **October**" in out
    assert "/frobnicate is not a command; try /help." in out


def test_a_word_read_as_another_is_said(console):
    out = console("What did Valery Gerasimof say?\n").stdout
    assert "> What did Valery Gerasimof say?\n\nRead “Gerasimof” as “Gerasimov”." in out


def test_a_question_the_articles_cannot_answer(console):
    out = console("Who won the last election in France?\n").stdout
    assert "**Not in the articles**\nThe articles do not answer this." in out


def test_unknown_article_gets_suggestions(console):
    out = console("/source russia intensifes\n").stdout
    assert "No article matches “russia intensifes”. Did you mean:" in out


def test_help_and_quit(console):
    done = console("/help\n/quit\n/sources\n")
    assert "**/ask question**" in done.stdout
    assert "articles**" not in done.stdout  # nothing after /quit
    assert done.returncode == 0


def test_empty_input_exits_cleanly(console):
    done = console("")
    assert done.returncode == 0
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1  # just the hint
