"""Console mode, run as users run it: ``python -m bot`` without a token, stdin piped."""

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]


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
    assert (
        "\n\n[1] Russia intensifies fighting after Trump’s win — passage 1\n"
        "    Responsible Statecraft, https://responsiblestatecraft.org/russia-fighting-in-kursk/\n"
        "    After a more than two-month pause, **Russia** has begun"
    ) in out
    assert "\n\nRead in full:\n  /source russia-intensifies-fighting-after-trumps\n" in out
    assert (
        "russia-ramps-up-attacks-on: Russia ramps up attacks on Ukraine amid political shifts in"
        " the US (The Voice), 8 passages\n\n2 articles: read one with /source ID.\n\n"
    ) in out
    assert "**Rising Casualties and Territorial Gains**" in out
    assert "> How many launches were there in October?" in out
    assert "2,072 in **October**" in out
    assert "/frobnicate is not a command; try /help." in out


def test_a_word_read_as_another_is_said(console):
    out = console("What did Valery Gerasimof say?\n").stdout
    assert "> What did Valery Gerasimof say?\n\nRead “Gerasimof” as “Gerasimov”." in out


def test_a_question_the_articles_cannot_answer(console):
    out = console("Who won the election in France?\n").stdout
    assert out == (
        "> Who won the election in France?\n\n"
        "The articles do not answer this.\n"
        "Closest articles:\n"
        "• Russia intensifies fighting after Trump’s win\n\n"
        "Read in full:\n"
        "  /source russia-intensifies-fighting-after-trumps\n\n"
    )


def test_unknown_article_gets_suggestions(console):
    out = console("/source russia intensifes\n").stdout
    assert out == (
        "**Article not found**\n"
        "No article matches “russia intensifes”. Did you mean:\n"
        "• **Russia intensifies fighting after Trump’s win**\n\n"
        "Read in full:\n"
        "  /source russia-intensifies-fighting-after-trumps\n\n"
    )


def test_help_and_quit(console):
    done = console("/help\n/quit\n/sources\n")
    assert "**/ask question**" in done.stdout
    assert "2 articles" not in done.stdout  # nothing after /quit
    assert done.returncode == 0


def test_empty_input_exits_cleanly(console):
    done = console("")
    assert done.returncode == 0
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1  # just the hint


def test_reload_is_a_command(console):
    out = console("/reload\n").stdout
    assert "**Reloaded**\nNothing new: 2 articles, 15 passages." in out


def test_an_ambiguous_name_lists_the_articles(console):
    out = console("/source russia\n").stdout
    assert "“russia” is in 2 articles. Which one?" in out
    assert "• **Russia ramps up attacks on Ukraine" in out


def test_escape_codes_never_reach_the_terminal(console, seeds):
    # Issue 14, defect 5: from an article, a question or a command name.
    (seeds / "evil.txt").write_text(
        "---\ntitle: Harbour \x1b]0;owned\x07floods\n---\nFloods closed the harbour of "
        "Portmere\x1b[2J on Sunday, stranding fourteen fishing boats.\n",
        encoding="utf-8",
    )
    out = console(
        "/source harbour floods\nHow many boats\x1b[2J were stranded in Portmere?\n"
        "/frob\x1b]0;owned\x07nicate\n"
    ).stdout
    assert "fourteen fishing boats" in out
    assert "/frobnicate is not a command" in out
    assert "\x1b" not in out
    assert "\x07" not in out


def read_until(fd, marker, timeout=30):
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the terminal closed
                break
            seen += chunk
    return seen


def test_typed_lines_can_be_edited_and_recalled(seeds, index_dir, tmp_path):
    # Readline: Ctrl-A goes to the start of the line, the up arrow recalls the last one.
    primary, secondary = os.openpty()
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(REPO),
        "TERM": "xterm",
        "NEWSDESK_SEEDS": str(seeds),
        "NEWSDESK_INDEX_DIR": str(index_dir),
    }
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        cwd=tmp_path,
        env=env,
    )
    os.close(secondary)
    try:
        output = read_until(primary, b"newsdesk> ")
        for keys in (b"sources\x01/\r", b"\x1b[A\r"):
            os.write(primary, keys)
            output += read_until(primary, b"newsdesk> ")
        os.write(primary, b"/quit\r")
        output += read_until(primary, b"\n", timeout=5)
        assert bot.wait(timeout=30) == 0
    finally:
        bot.kill()
        os.close(primary)
    assert output.count(b"2 articles") == 2, output
