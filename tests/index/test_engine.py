"""The engine backend against a real Sphinx cluster (two nodes, each shard mirrored).

Skipped, saying why, where ``searchd`` is not installed; on CI (``CI`` set) its absence
fails instead, so the backend is never left untested there. Each test starts its own
cluster on free loopback ports (about 0.2 s), so tests never see each other's articles.
"""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from index.analysis import Analyzer
from index.config import SearchConfig
from index.engine import cluster, schema
from index.engine.backend import EngineLibrary, open_retriever
from index.engine.sphinxql import Client, literal, parse_url
from index.engine.view import QuestionView
from index.evaluate import load_questions
from index.library import Library

DATA = Path(__file__).parents[1] / "data"

if shutil.which("searchd") is None:
    if os.environ.get("CI"):
        pytest.fail("searchd is missing on CI: .ci/run installs sphinxsearch", pytrace=False)
    pytest.skip(
        "searchd is not installed (apt-get install sphinxsearch): engine tests skipped",
        allow_module_level=True,
    )


@pytest.fixture
def engine(tmp_path):
    """A fresh 2-node cluster, each shard on both nodes; its URL."""
    folder = tmp_path / "cluster"
    url = cluster.start(folder, nodes=2, mirrors=1, port=0)
    yield url
    cluster.stop(folder)


def answers(library, questions):
    return [library.ask(q).to_json() for q in questions]


def test_the_same_answers_and_citations_as_the_embedded_index(engine, seeds, index_dir):
    questions = [q.question for q in load_questions(DATA / "seed_questions.jsonl")]
    questions += [q.question for q in load_questions(DATA / "heldout2_questions.jsonl")]
    questions += ["How many launchs were there in Octobr?", "", "Oreshnikk missile range"]
    # The engine keeps no passage vectors: it answers as the embedded index does on words alone.
    embedded = Library.open(seeds, index_dir, SearchConfig(semantic=False))
    remote = EngineLibrary.connect(engine, seeds)
    assert remote.report.articles == embedded.report.articles
    assert remote.report.passages == embedded.report.passages
    for mine, theirs in zip(answers(remote, questions), answers(embedded, questions), strict=True):
        for a, b in zip(mine["results"], theirs["results"], strict=True):
            a.pop("score"), b.pop("score")  # see test_scores_are_rank_bm25s
        assert mine == theirs
    assert [a.id for a in remote.articles()] == [a.id for a in embedded.articles()]
    article = remote.article("ramps")
    assert remote.text(article) == embedded.text(embedded.article("ramps"))
    assert remote.passages(article) == [
        p.__class__(p.number, p.heading, p.text, 0, len(p.text))
        for p in embedded.passages(embedded.article("ramps"))
    ]


def test_adding_changing_and_removing_files_updates_the_engine(engine, seeds):
    library = EngineLibrary.connect(engine, seeds)
    assert library.report.reason.startswith("updated, 2 new")
    assert EngineLibrary.connect(engine, seeds).report.reason == "up to date"
    (seeds / "probe.txt").write_text(
        "---\ntitle: Zanzibar ferry\n---\nThe Zanzibar ferry carried 412 passengers.\n"
    )
    assert not library.ask("How many passengers did the Zanzibar ferry carry?").answered
    assert library.changed()
    library = library.reload()
    answer = library.ask("How many passengers did the Zanzibar ferry carry?")
    assert answer.results[0].article == "zanzibar-ferry"
    ramps = next(p for p in seeds.iterdir() if "93190b9e" in p.name)
    before = library.article("ramps").passage_count
    ramps.write_text("---\ntitle: Russia ramps up attacks\n---\nOne short paragraph left.\n")
    (seeds / "probe.txt").unlink()
    library = library.reload()
    assert library.report.reason == "updated, 1 new or changed, 1 removed"
    assert library.article("ramps").passage_count == 1 < before
    assert library.by_id("zanzibar-ferry") is None
    assert not library.ask("How many passengers did the Zanzibar ferry carry?").answered
    client = Client(parse_url(engine))
    [[(count,)]] = client.read(f"SELECT COUNT(*) FROM {schema.PASSAGES}")
    assert count == library.report.passages == 8  # the old passages 2.. are gone too


def test_writes_go_to_their_shard_on_every_copy(engine, seeds):
    library = EngineLibrary.connect(engine, seeds)
    client = Client(parse_url(engine))
    for article in library.articles():
        shard = schema.shard_of(article.file, 2)
        for node in client.nodes:  # both nodes hold both shards
            for s in (0, 1):
                [rows] = client.run(
                    node,
                    f"SELECT COUNT(*) FROM {schema.shard_index(schema.PASSAGES, s)} "
                    f"WHERE id = {schema.row_id(article.file, 1)}",
                )
                assert rows[0][0] == (1 if s == shard else 0)


def test_a_killed_node_changes_no_answer(engine, seeds, tmp_path):
    questions = [q.question for q in load_questions(DATA / "seed_questions.jsonl")][:12]
    library = EngineLibrary.connect(engine, seeds)
    before = answers(library, questions)
    first = cluster.read_state(tmp_path / "cluster")[0]
    os.kill(first.pid, signal.SIGKILL)
    assert answers(library, questions) == before
    assert answers(EngineLibrary.connect(engine, seeds.parent / "absent"), questions) == before


def test_the_cli_starts_and_stops_a_cluster(tmp_path, seeds):
    folder = tmp_path / "c"
    run = [sys.executable, "-m", "index", "cluster"]
    started = subprocess.run(
        [*run, "start", "--nodes", "2", "--mirrors", "1", "--dir", folder, "--port", "0"],
        capture_output=True,
        text=True,
        check=True,
    )
    url = started.stdout.strip()
    nodes = parse_url(url)
    assert len(nodes) == 2
    assert all(n.host == "127.0.0.1" for n in nodes)
    env = {**os.environ, "NEWSDESK_ENGINE": url}
    search = subprocess.run(
        [sys.executable, "-m", "index", "search", "How many launches in October?", "--json",
         "--seeds", seeds],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    assert json.loads(search.stdout)["results"][0]["passage"] == 2
    pids = [n.pid for n in cluster.read_state(folder)]
    stopped = subprocess.run([*run, "stop", "--dir", folder], capture_output=True, text=True)
    assert stopped.stdout.strip() == "stopped 2 nodes"
    assert not any(cluster._alive(pid) for pid in pids)


def test_a_bad_engine_url_is_refused_in_words(seeds):
    with pytest.raises(ValueError, match="HOST:PORT"):
        open_retriever(seeds, engine="sphinx://127.0.0.1")
    with pytest.raises(ValueError, match="sphinx://"):
        parse_url("mysql://127.0.0.1:9306")
    assert parse_url("sphinx://127.0.0.1:9306,127.0.0.1:9307")[1].port == 9307


def test_strings_travel_to_the_engine_and_back_unchanged(engine):
    client = Client(parse_url(engine))
    text = "it's a \\back\\slash\n“quote” 🙂 é\ttab"
    index = schema.shard_index(schema.ARTICLES, 0)
    client.run(client.nodes[0], f"REPLACE INTO {index} (id, text) VALUES (7, {literal(text)})")
    [[(back,)]] = client.run(client.nodes[0], f"SELECT text FROM {index} WHERE id = 7")
    assert back == text


def test_terms_become_engine_tokens_that_never_collide():
    assert schema.token("launch") == "launch"
    assert schema.token("64.1%").startswith("x_")
    assert schema.token("москва") != schema.token("москв")
    assert len(schema.token("a" * 60)) < 42


def test_scores_are_rank_bm25s(engine, tmp_path, index_dir):
    """Where no question word is in most passages, the first stage scores as the embedded one."""
    words = [f"w{chr(97 + i // 26)}{chr(97 + i % 26)}zzle" for i in range(200)]
    rng = random.Random(7)
    folder = tmp_path / "synthetic"
    folder.mkdir()
    for n in range(40):
        body = " ".join(rng.choices(words, k=rng.randint(20, 90)))
        (folder / f"a{n:02}.txt").write_text(f"---\ntitle: Article {n}\n---\n{body}.\n")
    embedded = Library.open(folder, index_dir)
    remote = EngineLibrary.connect(engine, folder)
    analyzer = Analyzer()
    for _ in range(20):
        terms = analyzer.terms(" ".join(rng.sample(words, 3)))
        theirs = embedded.collection.index
        expected = theirs.top(theirs.query(terms), 10)
        view = QuestionView(remote.store.client, remote.store.stats(), remote.config.bm25)
        got = view.index.top(view.index.query(terms), 10)
        assert [view.passage(h.passage_id)[0].file for h in got] == [
            embedded.collection.passage(h.passage_id)[0].file for h in expected
        ]
        assert [h.score for h in got] == pytest.approx([h.score for h in expected], rel=1e-9)


def test_a_process_without_the_folder_only_reads_and_sees_other_writers(engine, seeds, tmp_path):
    reader = EngineLibrary.connect(engine, tmp_path / "absent")
    assert reader.articles() == []
    assert not reader.ask("How many launches were there in October?").answered
    assert not reader.changed()
    EngineLibrary.connect(engine, seeds)
    assert reader.changed()
    reader = reader.reload()
    assert len(reader.articles()) == 2
    assert reader.ask("How many launches were there in October?").answered
    assert reader.report.reason.startswith("serving the engine's articles")
