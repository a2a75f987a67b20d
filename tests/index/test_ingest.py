"""Ingest: what one article file contributes to the index."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index import ingest as ingest_module
from index.ingest import Terms, ingest
from index.library import Library

PARAGRAPHS = (
    "The airship took off from Friedrichshafen on Sunday morning with twelve passengers aboard,"
    " the first commercial flight over the lake in three years after a long repair of its gas"
    " cells, a hangar fire and a winter of waiting for spare parts from abroad.",
    "Tickets for the two-hour tour sell for 995 euros, and the operator says the summer season is"
    " already fully booked, with more flights planned for the autumn if the weather allows it and"
    " the crew of four can be trained in time for the longer days.",
    "Residents of the towns along the shore gathered on the piers to watch the slow climb over"
    " the harbour, and the local museum, which keeps an older craft's gondola, says visits have"
    " doubled since the return was announced in the spring by the company.",
)
ARTICLE = (
    "---\ntitle: Zeppelin returns to Lake Constance\nurl: https://example.org/airship\n---\n"
    + "\n\n".join(PARAGRAPHS * 2)
)


def passage_terms(path):
    numbering = Terms()
    article = ingest(path, numbering)
    assert article is not None
    out, start = [], 0
    for n in article.distinct:
        out.append({numbering.terms[t] for t in article.terms[start : start + n]})
        start += n
    return out


def test_the_title_is_indexed_with_the_first_passage_only(tmp_path):
    """The headline opens the article, so its words count once, with the lede."""
    (tmp_path / "airship.txt").write_text(ARTICLE, "utf-8")
    passages = passage_terms(tmp_path / "airship.txt")
    assert len(passages) > 1
    assert "zeppelin" in passages[0]
    assert all("zeppelin" not in terms for terms in passages[1:])


def test_a_word_only_the_title_has_finds_the_article(tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "airship.txt").write_text(ARTICLE, "utf-8")
    library = Library.open(tmp_path / "seeds", tmp_path / "index")
    answer = library.ask("Is the Zeppelin back at Lake Constance?")
    assert answer.answered
    assert answer.results[0].passage == 1


def test_a_title_taken_from_the_first_line_is_not_counted_twice(tmp_path):
    # Too long for a title: the title is its first words, and the line stays in the text.
    opening = (
        "Zeppelin returns to Lake Constance this week after years of repairs and many delays "
        "for the whole fleet of airships."
    )
    (tmp_path / "plain.txt").write_text(f"{opening}\n\n" + "\n\n".join(PARAGRAPHS), "utf-8")
    numbering = Terms()
    article = ingest(tmp_path / "plain.txt", numbering)
    assert article is not None
    assert article.title.startswith("Zeppelin returns")
    first = article.distinct[0]
    terms = [numbering.terms[t] for t in article.terms[:first]]
    counts = dict(zip(terms, article.counts[:first].tolist(), strict=True))
    assert counts["zeppelin"] == 1


def children(pid):
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir() or os.cpu_count() < 2, reason="Linux, 2 cores")
def test_build_workers_end_when_the_building_process_is_killed(tmp_path):
    # Orphaned workers would wait for work forever, keeping the resource tracker and the
    # queue's semaphores in /dev/shm (issue 14, defect 7).
    for n in range(ingest_module.PARALLEL_MIN_FILES):
        (tmp_path / f"{n:04}.txt").write_text(f"Harbour report {n}\n\nFloods closed it.\n")
    script = (
        "import sys, time\nfrom pathlib import Path\nfrom index.ingest import ingest_all\n"
        "for _ in ingest_all(sorted(Path(sys.argv[1]).glob('*.txt'))):\n    time.sleep(1)\n"
    )
    builder = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)])
    try:
        deadline = time.monotonic() + 60
        while len(children(builder.pid)) < 3 and time.monotonic() < deadline:  # 2 + tracker
            time.sleep(0.1)
        spawned = children(builder.pid)
        assert len(spawned) >= 3
    finally:
        builder.kill()
        builder.wait()
    deadline = time.monotonic() + 10
    while any(map(alive, spawned)) and time.monotonic() < deadline:
        time.sleep(0.1)
    leftover = [pid for pid in spawned if alive(pid)]
    for pid in leftover:
        os.kill(pid, signal.SIGKILL)
    assert not leftover
