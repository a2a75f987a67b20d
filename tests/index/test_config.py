from pathlib import Path

from index import IndexSettings
from index.cli import _parser


def test_folder_settings_default_to_seeds_beside_their_index():
    settings = IndexSettings.from_env({})
    assert settings == IndexSettings(Path("seeds"), None, "")
    assert settings.index_for(Path("/x/news")) == Path("/x/.index/news")


def test_the_articles_folder_has_a_name_and_keeps_its_old_one():
    assert IndexSettings.from_env({"NEWSDESK_ARTICLES": "a"}).articles == Path("a")
    assert IndexSettings.from_env({"NEWSDESK_SEEDS": "s"}).articles == Path("s")
    both = {"NEWSDESK_ARTICLES": "a", "NEWSDESK_SEEDS": "s"}
    assert IndexSettings.from_env(both).articles == Path("a")


def test_index_dir_and_engine_are_read_with_the_folder():
    env = {"NEWSDESK_INDEX_DIR": " /i ", "NEWSDESK_ENGINE": " sphinx://h:1 "}
    settings = IndexSettings.from_env(env)
    assert settings.index_dir == Path("/i")
    assert settings.index_for(Path("anything")) == Path("/i")
    assert settings.engine == "sphinx://h:1"


def test_the_cli_takes_articles_or_its_old_name_seeds():
    parser, _ = _parser()
    assert parser.parse_args(["sources", "--articles", "a"]).articles == Path("a")
    assert parser.parse_args(["sources", "--seeds", "s"]).articles == Path("s")
