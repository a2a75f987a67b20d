"""``python -m index`` as users run it: a real process on real files."""

import json
import os
import subprocess
import sys

import pytest


def run(*args, seeds, index_dir, stdin=None, env=None):
    environment = {
        **os.environ,
        "NEWSDESK_SEEDS": str(seeds),
        "NEWSDESK_INDEX_DIR": str(index_dir),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "index", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )


@pytest.fixture
def cli(seeds, index_dir):
    return lambda *args, **kw: run(*args, seeds=seeds, index_dir=index_dir, **kw)


def test_search_prints_cited_passages(cli):
    result = cli("search", "How many launches were there in October?")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("[1] Russia intensifies fighting after Trump’s win — passage")
    assert "2,072 in October" in result.stdout
    source = "\n    Responsible Statecraft, https://responsiblestatecraft.org/russia-fighting-in-kursk/\n"
    assert source in result.stdout
    read = "\n\nRead in full:\n  python -m index source russia-intensifies-fighting-after-trumps\n"
    assert read in result.stdout
    assert "\x1b" not in result.stdout  # no bold when piped
    assert result.stderr == ""


def test_search_json_is_one_object(cli):
    result = cli("search", "How many launches were there in October?", "--json", "-k", "2")
    data = json.loads(result.stdout)
    assert data["answered"] is True
    assert len(data["results"]) == 2
    first = data["results"][0]
    assert first["article"] == "russia-intensifies-fighting-after-trumps"
    assert first["outlet"] == "Responsible Statecraft"
    assert isinstance(first["passage"], int)
    assert isinstance(first["score"], float)


def test_search_says_how_a_typo_was_read_above_the_passages(cli):
    result = cli("search", "How many lanches were there in October?")
    assert result.stdout.startswith("Read “lanches” as “launches”.\n\n[1] Russia intensifies")
    refused = cli("search", "What did Gerasimof eat for breakfast?")
    assert refused.stdout.startswith(
        "Read “Gerasimof” as “Gerasimov”.\n\nThe articles do not answer this.\n"
    )


def test_an_unanswered_question_names_the_closest_articles_and_how_to_read_them(cli):
    result = cli("search", "Who won the election in France?")
    assert result.stdout == (
        "The articles do not answer this.\n"
        "Closest articles:\n"
        "• Russia intensifies fighting after Trump’s win\n\n"
        "Read in full:\n"
        "  python -m index source russia-intensifies-fighting-after-trumps\n"
    )


def test_search_abstains_in_words_and_in_json(cli):
    text = cli("search", "How do I reset my router?")
    assert text.returncode == 0
    assert "do not answer" in text.stdout
    data = json.loads(cli("search", "How do I reset my router?", "--json").stdout)
    assert data == {
        "question": "How do I reset my router?",
        "answered": False,
        "tentative": False,
        "results": [],
        "corrections": [],
    }


@pytest.mark.parametrize("question", ["", "   ", "x" * 10_000, "🎉🎉", "\x07\x1b"])
def test_bad_questions_exit_cleanly(cli, question):
    result = cli("search", question, "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["answered"] is False
    assert "Traceback" not in result.stderr


def test_batch_answers_each_line_in_order(cli):
    questions = [
        "How many launches were there in October?",
        "",
        "How do I reset my router?",
        "Who is Demetries Andrew Grimes?",
    ] * 250
    result = cli("search", "--batch", "-", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1000
    objects = [json.loads(line) for line in lines]
    assert [o["question"] for o in objects] == questions
    assert [o["answered"] for o in objects[:4]] == [True, False, False, True]


def test_batch_reads_a_file(cli, tmp_path):
    path = tmp_path / "q.txt"
    path.write_text("How many launches were there in October?\n", encoding="utf-8")
    result = cli("search", "--batch", str(path))
    assert json.loads(result.stdout)["answered"] is True
    missing = cli("search", "--batch", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr


def test_sources_lists_articles(cli):
    result = cli("sources")
    assert result.stdout.splitlines() == [
        "russia-intensifies-fighting-after-trumps: Russia intensifies fighting after Trump’s win"
        " (Responsible Statecraft), 7 passages",
        "russia-ramps-up-attacks-on: Russia ramps up attacks on Ukraine amid political shifts in"
        " the US (The Voice), 8 passages",
    ]
    rows = json.loads(cli("sources", "--json").stdout)
    assert [r["passages"] for r in rows] == [7, 8]


def test_source_by_id_or_title_fragment(cli):
    by_id = cli("source", "russia-ramps-up-attacks-on")
    by_title = cli("source", "ramps up attacks")
    assert by_id.returncode == by_title.returncode == 0
    assert by_id.stdout == by_title.stdout
    assert "Rising Casualties and Territorial Gains" in by_id.stdout
    data = json.loads(cli("source", "intensifies", "--json").stdout)
    assert data["text"].startswith("After a more than two-month pause")
    assert "keep reading" not in data["text"]


def test_unknown_source_suggests_close_matches(cli):
    result = cli("source", "rusia ramps")
    assert result.returncode == 1
    assert "russia-ramps-up-attacks-on" in result.stderr
    nothing = cli("source", "zzzz")
    assert nothing.returncode == 1
    assert "No article matches" in nothing.stderr


def test_build_reports_figures_and_updates_unless_forced(cli):
    data = json.loads(cli("build", "--json").stdout)
    assert (data["articles"], data["passages"], data["dropped_lines"]) == (2, 15, 35)
    assert json.loads(cli("build", "--json").stdout)["reason"] == "up to date"
    assert json.loads(cli("build", "--force", "--json").stdout)["reason"] == "forced"


def test_seeds_option_points_at_another_folder(cli, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.md").write_text(
        "# Harbour news\n\nFloods closed the harbour of Portmere on "
        "Sunday, stranding fourteen fishing boats.\n",
        encoding="utf-8",
    )
    result = cli("sources", "--json", "--seeds", str(other))
    assert [r["title"] for r in json.loads(result.stdout)] == ["Harbour news"]


def test_bad_usage_exits_2(cli, tmp_path):
    assert cli("search").returncode == 2
    assert cli("search", "q", "-k", "0").returncode == 2
    missing = cli("sources", "--seeds", str(tmp_path / "missing"))
    assert missing.returncode == 2
    assert "not a folder" in missing.stderr


def test_a_bad_article_file_is_one_warning_and_the_rest_is_served(cli, seeds):
    (seeds / "broken.txt").write_bytes(b"\x00\x01\x02" * 1000)
    result = cli("search", "How many launches were there in October?", "--json")
    assert json.loads(result.stdout)["answered"] is True
    assert result.stderr.count("\n") == 1
    assert "broken.txt" in result.stderr


def test_bytes_that_are_not_utf8_are_replaced_and_the_run_goes_on(seeds, index_dir):
    # Issue 14, defect 4: in an argument and on the batch's stdin, with UTF-8 forced out.
    environment = {
        **os.environ,
        "NEWSDESK_SEEDS": str(seeds),
        "NEWSDESK_INDEX_DIR": str(index_dir),
        "PYTHONIOENCODING": "utf-8",
    }
    command = [sys.executable, "-m", "index", "search"]
    argument = subprocess.run(
        [*command, "--json", b"missiles \xff"], capture_output=True, env=environment, timeout=120
    )
    assert argument.returncode == 0, argument.stderr
    assert json.loads(argument.stdout.decode("utf-8"))["question"] == "missiles \ufffd"
    batch = subprocess.run(
        [*command, "--batch", "-"],
        input=b"missiles \xff\nHow many launches were there in October?\n",
        capture_output=True,
        env=environment,
        timeout=120,
    )
    assert batch.returncode == 0, batch.stderr
    answers = [json.loads(line) for line in batch.stdout.decode("utf-8").splitlines()]
    assert [a["answered"] for a in answers] == [True, True]


def test_terminal_escapes_in_an_article_are_never_printed(cli, seeds):
    # Issue 14, defect 5: a window title, a screen clear and a bell in an article.
    (seeds / "evil.txt").write_text(
        "---\ntitle: Harbour \x1b]0;owned\x07floods\x1b[2J\n---\n"
        "Floods closed the harbour of Portmere\x1b[2J on Sunday, stranding fourteen\x07 "
        "fishing boats.\n",
        encoding="utf-8",
    )
    outputs = [
        cli("sources"),
        cli("source", "harbour floods"),
        cli("search", "How many fishing boats were stranded in Portmere?"),
    ]
    for result in outputs:
        assert result.returncode == 0, result.stderr
        assert "Portmere" in result.stdout or "Harbour floods" in result.stdout
        assert not any(ch in result.stdout for ch in "\x1b\x07"), result.stdout


def test_usage_mistakes_are_explained_by_the_verb(cli):
    bogus = cli("search", "hi", "--bogus")
    assert bogus.returncode == 2
    assert bogus.stderr.startswith("usage: python -m index search")
    assert "unrecognized arguments: --bogus" in bogus.stderr
    k = cli("search", "hi", "-k", "abc")
    assert "argument -k: must be a whole number from 1 to 20, not 'abc'" in k.stderr
    assert "`" not in cli("-h").stdout


def test_build_line_counts_in_words(cli, tmp_path):
    one = tmp_path / "one"
    one.mkdir()
    (one / "a.txt").write_text("# Harbour news\n\nFloods closed the harbour.\n", encoding="utf-8")
    line = cli("build", "--seeds", str(one)).stdout
    assert line.startswith("Indexed 1 article into 1 passage (1 line of clutter dropped)")


def test_source_names_match_with_straight_quotes_and_say_when_ambiguous(cli):
    typed = cli("source", "Trump's win")  # the title has a typographic apostrophe
    assert typed.returncode == 0, typed.stderr
    assert typed.stdout.startswith("Russia intensifies fighting after Trump’s win\n")
    both = cli("source", "russia")
    assert both.returncode == 1
    assert both.stderr.startswith("'russia' is ambiguous: it matches 2 articles:")
    assert "russia-intensifies-fighting-after-trumps" in both.stderr
    assert "russia-ramps-up-attacks-on" in both.stderr
