"""The engine backend against the embedded index: answers, speed, a dying node, live writes.

Each part starts its own local cluster (``index.engine.cluster``: 2 nodes, each shard on both,
on free loopback ports, under ``benchmarks/out/engine/``) and stops it at the end.

* ``squad``: SQuAD v1.1 dev (10,570 questions, 48 articles) through ``ask`` on both backends:
  hit@1 and hit@5, with and without abstention, and how many answers are identical.
* ``scale``: the synthetic collection of ``scale.py`` (100k or 1M passages) loaded into the
  cluster (2 shards) and into the embedded index; ``ask`` latency p50 / p99 of both, in the
  same run, on the same 1,000 questions, and how often their first passage is the same.
* ``failover``: a stream of questions while one node is killed (SIGKILL) part-way through:
  every question must be answered, and exactly as before the kill.
* ``writes``: two writers add article files and sync them while a reader asks about the
  articles written so far: every citation must quote its passage as the embedded pipeline
  cuts it, and at the end every article must be in the engine, whole.

Run: ``python -m benchmarks.engine squad|scale|failover|writes [--size 100k]``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import qa_squad, synthetic
from benchmarks.common import OUT, find_data, markdown_table, write_json
from benchmarks.metrics import hit_at, mean
from index.engine import cluster
from index.engine.backend import EngineLibrary
from index.library import Library

WORK = OUT / "engine"
K = 10  # passages per question in the latency runs (as scale.py)
SEED = 7  # scale.py's synthetic collection


@contextmanager
def running_cluster(name: str) -> Iterator[tuple[str, Path]]:
    """A fresh 2-node cluster, each shard mirrored on the other node; its URL and folder."""
    folder = WORK / f"cluster-{name}"
    cluster.stop(folder)
    shutil.rmtree(folder, ignore_errors=True)
    url = cluster.start(folder, nodes=2, mirrors=1, port=0)
    try:
        yield url, folder
    finally:
        cluster.stop(folder)


def percentiles(seconds: Sequence[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1000
    return {"p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99))}


def timed(ask: Callable[[str], Any], questions: Sequence[str]) -> tuple[list[Any], list[float]]:
    answers, seconds = [], []
    for q in questions:
        started = time.perf_counter()
        answers.append(ask(q))
        seconds.append(time.perf_counter() - started)
    return answers, seconds


def cited(answer: Any) -> list[tuple[str, int]]:
    return [(c.article, c.passage) for c in answer.results]


# --- SQuAD -------------------------------------------------------------------------------


def squad_articles(args: argparse.Namespace) -> tuple[qa_squad.Squad, Path]:
    """SQuAD and its articles written as files under ``WORK`` (exits when the data is absent)."""
    folder = find_data(qa_squad.DATASET, args.data, qa_squad.FILES)
    if folder is None:
        raise SystemExit(qa_squad.absent_message(qa_squad.DATASET, args.data))
    squad = qa_squad.load(folder)
    articles = WORK / "squad-articles"
    qa_squad.write_articles(squad, articles)
    return squad, articles


def bench_squad(args: argparse.Namespace) -> dict:
    squad, articles = squad_articles(args)
    embedded = Library.open(articles, WORK / "squad-index", force=True)
    report: dict[str, Any] = {"questions": len(squad.questions)}
    with running_cluster("squad") as (url, _):
        engine = EngineLibrary.connect(url, articles)
        report["load_s"] = {"embedded": embedded.report.seconds, "engine": engine.report.seconds}
        for abstain in (True, False):
            runs = {}
            for name, library in (("embedded", embedded), ("engine", engine)):
                answers, seconds = timed(
                    lambda q, lib=library, a=abstain: lib.ask(q, qa_squad.K, a),
                    [q.text for q in squad.questions],
                )
                runs[name] = answers
                ranks = [
                    qa_squad.answer_rank([c.text for c in a.results], q.answers)
                    for q, a in zip(squad.questions, answers, strict=True)
                ]
                mode = "ask" if abstain else "ranking alone"
                report[f"{mode}: {name}"] = {
                    "hit@1": hit_at(ranks, 1),
                    "hit@5": hit_at(ranks, 5),
                    "refused": mean(not a.answered for a in answers),
                    **percentiles(seconds),
                }
            pairs = zip(runs["embedded"], runs["engine"], strict=True)
            same = [a.answered == b.answered and cited(a) == cited(b) for a, b in pairs]
            report[f"{'ask' if abstain else 'ranking alone'}: identical answers"] = mean(same)
    return report


# --- scale -------------------------------------------------------------------------------


def bench_scale(args: argparse.Namespace) -> dict:
    size = {"100k": 100_000, "1m": 1_000_000}[args.size.lower()]
    corpus = synthetic.ensure_corpus(OUT / "synthetic", size, SEED)
    questions = [q["text"] for q in corpus.questions("latency")]
    warm = [q["text"] for q in corpus.questions("batch")][:200]
    embedded = Library.open(corpus.articles_dir, WORK / f"scale-index-{size}")
    report: dict[str, Any] = {"passages": corpus.passages, "questions": len(questions)}
    with running_cluster(f"scale-{size}") as (url, _):
        started = time.perf_counter()
        engine = EngineLibrary.connect(url, corpus.articles_dir)
        report["engine_load_s"] = time.perf_counter() - started
        report["embedded_open_s"] = embedded.report.seconds
        tops = {}
        for name, library in (("embedded", embedded), ("engine", engine)):
            timed(lambda q, lib=library: lib.ask(q, K), warm)
            answers, seconds = timed(lambda q, lib=library: lib.ask(q, K), questions)
            tops[name] = [cited(a)[:1] for a in answers]
            report[name] = percentiles(seconds)
        pairs = zip(tops["embedded"], tops["engine"], strict=True)
        report["same_first_passage"] = mean(a == b for a, b in pairs)
    return report


# --- a node killed while questions run -----------------------------------------------------


def bench_failover(args: argparse.Namespace) -> dict:
    squad, articles = squad_articles(args)
    questions = [q.text for q in random.Random(SEED).sample(squad.questions, args.questions)]
    with running_cluster("failover") as (url, where):
        engine = EngineLibrary.connect(url, articles)
        before = [engine.ask(q).to_json() for q in questions]
        victim = cluster.read_state(where)[0].pid
        failed, changed, seconds = 0, 0, []
        for n, (question, expected) in enumerate(zip(questions, before, strict=True)):
            if n == len(questions) // 3:
                os.kill(victim, signal.SIGKILL)
            started = time.perf_counter()
            try:
                got = engine.ask(question).to_json()
            except Exception:
                failed += 1
                continue
            finally:
                seconds.append(time.perf_counter() - started)
            changed += got != expected
    return {
        "questions": len(questions),
        "killed_after": len(questions) // 3,
        "failed": failed,
        "changed": changed,
        "max_ms": 1000 * max(seconds),
        **percentiles(seconds),
    }


# --- articles written while questions run --------------------------------------------------


def article_text(word: str) -> str:
    """A small article about a made-up word only it uses (so a question finds it alone)."""
    first = (
        f"The {word} bridge opened on Monday after four years of work. Engineers said the "
        f"{word} crossing carries 12,400 vehicles a day and cut travel times by a third."
    )
    second = " ".join(
        f"Residents near the {word} site described traffic, noise and the new bus line {i}."
        for i in range(12)
    )
    return f"---\ntitle: The {word} bridge opens\n---\n{first}\n\n{second}\n"


def bench_writes(args: argparse.Namespace) -> dict:
    folder = WORK / "writes-articles"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    words = [f"zorvex{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(args.articles)]
    written: list[str] = []  # words whose article has been synced by some writer
    lock = threading.Lock()
    stop = threading.Event()
    asked, wrong, errors = 0, [], []
    with running_cluster("writes") as (url, _):
        EngineLibrary.connect(url, folder)

        def writer(mine: list[str]) -> None:
            try:
                for start in range(0, len(mine), 5):
                    batch = mine[start : start + 5]
                    for word in batch:  # written whole, then renamed: never read half-written
                        (folder / f".{word}.tmp").write_text(article_text(word), "utf-8")
                        os.replace(folder / f".{word}.tmp", folder / f"{word}.txt")
                    EngineLibrary.connect(url, folder)
                    with lock:
                        written.extend(batch)
            except Exception as exc:
                errors.append(repr(exc))

        reader_library = EngineLibrary.connect(url, folder.parent / "absent")  # reads only

        seen: list[Any] = []  # every citation read while writing, checked at the end

        def reader() -> None:
            nonlocal asked
            rng = random.Random(SEED)
            while not stop.is_set():
                with lock:
                    word = rng.choice(written) if written else None
                if word is None:
                    time.sleep(0.01)
                    continue
                answer = reader_library.ask(
                    f"How many vehicles a day does the {word} bridge carry?"
                )
                asked += 1
                if not answer.answered or answer.results[0].article != f"the-{word}-bridge-opens":
                    wrong.append(("not found", word))
                seen.extend(answer.results)

        threads = [
            threading.Thread(target=writer, args=(words[0::2],)),
            threading.Thread(target=writer, args=(words[1::2],)),
        ]
        read = threading.Thread(target=reader)
        read.start()
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - started
        stop.set()
        read.join()
        final = EngineLibrary.connect(url, folder)
        embedded = Library.open(folder, WORK / "writes-index", force=True)
        lost = {a.id for a in embedded.articles()} - {a.id for a in final.articles()}
        for c in seen:
            article = embedded.by_id(c.article)
            truth = embedded.passages(article)[c.passage - 1] if article else None
            if truth is None or (truth.text, article.title) != (c.text, c.title):
                wrong.append(("wrong citation", c.article, c.passage))
        whole = all(
            final.passages(a)
            == [
                p.__class__(p.number, p.heading, p.text, 0, len(p.text))
                for p in embedded.passages(embedded.by_id(a.id))
            ]
            for a in final.articles()
        )
    return {
        "articles": len(words),
        "writers": len(threads),
        "write_s": seconds,
        "questions_during_writes": asked,
        "wrong": wrong[:10],
        "wrong_count": len(wrong),
        "writer_errors": errors,
        "lost": sorted(lost),
        "passages_as_embedded": whole,
    }


PARTS: dict[str, Callable[[argparse.Namespace], dict]] = {
    "squad": bench_squad,
    "scale": bench_scale,
    "failover": bench_failover,
    "writes": bench_writes,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("part", choices=PARTS)
    parser.add_argument("--data", type=Path, help="SQuAD's folder, or the one holding it")
    parser.add_argument("--size", default="100k", help="scale: 100k or 1m passages")
    parser.add_argument("--questions", type=int, default=1000, help="failover: stream length")
    parser.add_argument("--articles", type=int, default=100, help="writes: articles to add")
    args = parser.parse_args(argv)
    report = PARTS[args.part](args)
    rows = [[k, v] for k, v in report.items()]
    print(markdown_table(["what", "figure"], rows))
    print("Written:", write_json(f"engine-{args.part}", report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
