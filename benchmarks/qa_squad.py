"""SQuAD v1.1 dev through the project's whole pipeline, with plain rank-bm25 beside it.

Why SQuAD: 10,570 natural-language questions whose answer strings are known, over 48
Wikipedia articles: enough to measure answer quality and abstention with small error bars,
which the project's own question sets (tens of questions) cannot. It is not news, and its
questions were written looking at the paragraph (heavy word overlap), so absolute figures
flatter any lexical ranker; the comparison with plain BM25 is the point.

1. The 48 articles are written as article files (``---`` header, paragraphs separated by
   blank lines) and indexed by ``Library.open``: cleaning, passage splitting, analysis,
   ranking and abstention run exactly as for any article. Every question goes through
   ``library.ask(q, k=20)``. A hit is a returned passage containing one of the question's
   answer strings; paragraph hits map passages back to the SQuAD paragraph they came from.
2. The reference: rank-bm25's ``BM25Okapi`` over SQuAD's own paragraphs, tokenized with the
   project's analyzer, top 20 by ``get_scores``, scored with the same rules.
3. Abstention: a seeded sample of questions is asked of the collection without the
   question's own article (one leave-one-out library per article in the sample), where the
   right reply is "not in the articles", and of the full collection, where it is not.

Splits: the articles in title order alternate between ``tune`` (even positions), where the
reranker's weights and the abstention rule were chosen, and ``report`` (odd positions),
never used to choose anything. ``--split`` asks only one split's questions (the collection
always holds all 48 articles); the default is all of them.

Run: ``python -m benchmarks.qa_squad [--split report]`` (about a minute on 2 cores; ``--help``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import shutil
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from rank_bm25 import BM25Okapi

from benchmarks.common import (
    OUT,
    absent_message,
    article_file,
    bm25_top,
    find_data,
    markdown_table,
    pct,
    provenance,
    write_if_changed,
    write_json,
)
from benchmarks.metrics import answer_rank, hit_at, mean
from index.analysis import Analyzer
from index.config import SearchConfig
from index.library import Library

DATASET = "squad-v1.1-dev-retrieval"
FILES = ("corpus.jsonl", "queries.jsonl", "qrels/dev.tsv")
K = 20
DEPTHS = (1, 5, 20)
SAMPLE, SEED = 500, 13
SPLITS = ("all", "tune", "report")
EXAMPLES = 40  # misses of each kind kept in the JSON for reading
WORK = OUT / "squad"
MISS_KINDS = (
    "abstained",
    "answer in no passage",
    "source paragraph, answer split off",
    "other paragraph, same article",
    "other article",
)
H2H = {
    (True, True): "both",
    (True, False): "project only",
    (False, True): "rank-bm25 only",
    (False, False): "neither",
}

log = logging.getLogger("qa_squad")


# --- the data ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One SQuAD paragraph; ``id`` is ``<article>_<paragraph>``, both counted from 0."""

    id: str
    article: int
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Question:
    """One question, its answer strings, and the paragraph it was written about (qrels)."""

    id: str
    text: str
    answers: tuple[str, ...]
    article: int
    paragraph: str


@dataclass(frozen=True, slots=True)
class Squad:
    """The articles (paragraphs in order, in dev-set article order) and the questions."""

    articles: list[list[Paragraph]]
    questions: list[Question]

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [p for article in self.articles for p in article]

    def title(self, article: int) -> str:
        return self.articles[article][0].title


def load(folder: Path) -> Squad:
    """Parse the BEIR-style files; questions are tied to their paragraph through the qrels."""
    paragraphs = [
        json.loads(line) for line in (folder / "corpus.jsonl").read_text("utf-8").splitlines()
    ]
    grouped: dict[int, list[Paragraph]] = defaultdict(list)
    for p in paragraphs:
        article = int(p["_id"].split("_")[0])
        grouped[article].append(Paragraph(p["_id"], article, p["title"], p["text"]))
    articles = [sorted(grouped[a], key=lambda p: int(p.id.split("_")[1])) for a in sorted(grouped)]
    qrels = dict(
        line.split("\t")[:2]
        for line in (folder / "qrels" / "dev.tsv").read_text("utf-8").splitlines()[1:]
        if line.strip()
    )
    questions = []
    for line in (folder / "queries.jsonl").read_text("utf-8").splitlines():
        q = json.loads(line)
        paragraph = qrels[q["_id"]]
        article = int(paragraph.split("_")[0])
        questions.append(Question(q["_id"], q["text"], tuple(q["answers"]), article, paragraph))
    return Squad(articles, questions)


def split(squad: Squad, name: str) -> Squad:
    """The questions of one split, about articles alternating in title order (all articles).

    Even positions are ``tune``, odd ones ``report``: both halves mix topics (titles run from
    "Amazon rainforest" to "Yuan dynasty"), and a question's article decides its half, so no
    article informs both.
    """
    if name == "all":
        return squad
    order = sorted(range(len(squad.articles)), key=squad.title)
    kept = set(order[{"tune": 0, "report": 1}[name] :: 2])
    return replace(squad, questions=[q for q in squad.questions if q.article in kept])


def article_id(article: int) -> str:
    """The id written into an article's header, so citations map back to it."""
    return f"squad-{article:02d}"


def write_articles(squad: Squad, folder: Path) -> list[Path]:
    """One article file per SQuAD article (cached: unchanged files are not rewritten)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, paragraphs in enumerate(squad.articles):
        path = folder / f"{number:02d}.txt"
        texts = [p.text for p in paragraphs]
        write_if_changed(path, article_file(article_id(number), paragraphs[0].title, texts))
        paths.append(path)
    for stray in set(folder.glob("*.txt")) - set(paths):
        stray.unlink()
    return paths


def paragraph_ids(passage: str, paragraphs: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """The ids of the paragraphs a passage's text came from, in order.

    ``paragraphs`` are ``(id, text)`` pairs with white space folded, as the article files
    were written. The cleaned text joins paragraphs with blank lines, and a passage is
    whole paragraphs and/or sentences of one, so each blank-line-separated piece of it lies
    inside one paragraph.
    """
    found: list[str] = []
    for piece in passage.split("\n\n"):
        piece = " ".join(piece.split())
        source = next((pid for pid, text in paragraphs if piece and piece in text), "")
        if source and source not in found:
            found.append(source)
    return tuple(found)


def folded_paragraphs(article: Sequence[Paragraph]) -> list[tuple[str, str]]:
    """An article's paragraphs as ``paragraph_ids`` takes them."""
    return [(p.id, " ".join(p.text.split())) for p in article]


# --- asking --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one system did with one question."""

    answered: bool
    answer_rank: int | None  # first result containing an answer string
    paragraph_rank: int | None  # first result drawn from the question's source paragraph
    top_paragraphs: tuple[str, ...]  # source paragraphs of the first result
    top_article: int | None


def score(q: Question, answered: bool, texts: list[str], sources: list[tuple[str, ...]]) -> Outcome:
    """Score one ranked list of passages (texts, and the paragraphs each came from)."""
    top = sources[0] if sources else ()
    return Outcome(
        answered,
        answer_rank(texts, q.answers),
        next((r for r, s in enumerate(sources, 1) if q.paragraph in s), None),
        top,
        int(top[0].split("_")[0]) if top else None,
    )


@dataclass(frozen=True, slots=True)
class Piece:
    """One of the project's passages, and the SQuAD paragraphs its text came from."""

    article: int
    number: int
    heading: str
    text: str
    sources: tuple[str, ...]


def project_passages(library: Library, squad: Squad) -> list[Piece]:
    """Every passage the library serves, mapped back to its SQuAD paragraphs."""
    pieces = []
    for article in library.articles():
        number = int(article.id.removeprefix("squad-"))
        paragraphs = folded_paragraphs(squad.articles[number])
        pieces += [
            Piece(number, p.number, p.heading, p.text, paragraph_ids(p.text, paragraphs))
            for p in library.passages(article)
        ]
    return pieces


def reachable(squad: Squad, pieces: Sequence[Piece]) -> list[bool]:
    """Per question: whether an answer string lies inside some passage of its article.

    An answer the cleaner dropped, or that a split cut in two, can never be a hit.
    """
    texts: dict[int, list[str]] = defaultdict(list)
    for piece in pieces:
        texts[piece.article].append(piece.text)
    return [answer_rank(texts[q.article], q.answers) is not None for q in squad.questions]


@dataclass(frozen=True, slots=True)
class Run:
    """One system's outcomes and costs."""

    outcomes: list[Outcome]
    build_s: float
    ask_s: float
    passage_words: float
    reachable: list[bool]  # per question: an answer string lies inside one of its units


@dataclass(frozen=True, slots=True)
class ProjectRun(Run):
    """The project's run, with what its pipeline made of the articles."""

    pieces: list[Piece]
    dropped_lines: int


def open_library(
    articles: Path, index_dir: Path, config: SearchConfig, reuse: bool = False
) -> Library:
    """A fresh build (``force``), so every run measures the build time, unless ``reuse``."""
    return Library.open(articles, index_dir, config, force=not reuse)


def add_library_options(parser: argparse.ArgumentParser) -> None:
    """The options that choose how the library is built and opened."""
    parser.add_argument(
        "--no-semantic", action="store_true", help="without the sentence model (words only)"
    )
    parser.add_argument(
        "--reuse-index",
        action="store_true",
        help="open the saved index if current (build time then measures only the check)",
    )


def squad_parser(doc: str) -> argparse.ArgumentParser:
    """The options every SQuAD script takes: where the data is, how the library is built."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--data", type=Path, help="the data set's folder, or the one holding it")
    add_library_options(parser)
    return parser


@dataclass(frozen=True, slots=True)
class Opened:
    """SQuAD as the scripts use it: where it was found, its articles as files, their library."""

    folder: Path
    squad: Squad  # every question, of both splits
    files: list[Path]
    library: Library


def open_squad(args: argparse.Namespace) -> Opened | None:
    """The data set and its library, or ``None`` (saying so) when the data is not here."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    folder = find_data(DATASET, args.data, FILES)
    if folder is None:
        print(absent_message(DATASET, args.data))
        return None
    whole = load(folder)
    files = write_articles(whole, WORK / "articles")
    return Opened(folder, whole, files, library_from(args, WORK / "articles"))


def library_from(args: argparse.Namespace, articles: Path) -> Library:
    """The library the options ask for, over ``articles``, kept in ``WORK``."""
    config = SearchConfig(semantic=not args.no_semantic)
    name = "index-words" if args.no_semantic else "index"
    return open_library(articles, WORK / name, config, args.reuse_index)


def run_project(squad: Squad, library: Library, abstain: bool = True) -> ProjectRun:
    """Ask every question of the library (abstaining or not)."""
    pieces = project_passages(library, squad)
    sources = {(article_id(p.article), p.number): p.sources for p in pieces}
    log.info("asking %d questions with library.ask(k=%d) ...", len(squad.questions), K)
    started = time.perf_counter()
    answers = [library.ask(q.text, K, abstain) for q in squad.questions]
    ask_s = time.perf_counter() - started
    outcomes = [
        score(
            q,
            a.answered,
            [c.text for c in a.results],
            [sources[(c.article, c.passage)] for c in a.results],
        )
        for q, a in zip(squad.questions, answers, strict=True)
    ]
    return ProjectRun(
        outcomes=outcomes,
        build_s=library.report.seconds,
        ask_s=ask_s,
        passage_words=mean(len(p.text.split()) for p in pieces),
        pieces=pieces,
        reachable=reachable(squad, pieces),
        dropped_lines=library.report.dropped_lines,
    )


def run_engine(squad: Squad, library: Library, project: ProjectRun) -> Run:
    """The project's ranking engine alone over the library's own index.

    Same passages and terms as ``library.ask``, but no related-word expansion, reranking or
    abstention: set beside ``ask`` and plain BM25 over whole paragraphs, it tells what the
    passage split costs and what the rest of ``ask`` adds.
    """
    sources = {(p.article, p.number): p for p in project.pieces}
    log.info("asking %d questions with the engine alone ...", len(squad.questions))
    started = time.perf_counter()
    tops = [library.bm25(q.text, K) for q in squad.questions]
    ask_s = time.perf_counter() - started
    outcomes = []
    for q, top in zip(squad.questions, tops, strict=True):
        pieces = [sources[(int(c.article.removeprefix("squad-")), c.passage)] for c in top]
        outcomes.append(score(q, True, [p.text for p in pieces], [p.sources for p in pieces]))
    return Run(outcomes, project.build_s, ask_s, project.passage_words, project.reachable)


def run_reference(squad: Squad) -> Run:
    """BM25Okapi over the paragraphs' analyzer terms; question analysis is timed too."""
    analyzer = Analyzer()
    paragraphs = squad.paragraphs
    started = time.perf_counter()
    okapi = BM25Okapi([analyzer.terms(p.text) for p in paragraphs])
    build_s = time.perf_counter() - started
    log.info("asking %d questions with rank-bm25 ...", len(squad.questions))
    started = time.perf_counter()
    tops = [bm25_top(okapi, analyzer.terms(q.text), K) for q in squad.questions]
    ask_s = time.perf_counter() - started
    outcomes = [
        score(q, True, [paragraphs[i].text for i in top], [(paragraphs[i].id,) for i in top])
        for q, top in zip(squad.questions, tops, strict=True)
    ]
    words = mean(len(p.text.split()) for p in paragraphs)
    # every answer string occurs verbatim in its paragraph (README.txt), so all are reachable
    return Run(outcomes, build_s, ask_s, words, [True] * len(outcomes))


def miss_kind(q: Question, o: Outcome, reachable: bool = True) -> str | None:
    """Why the first result does not hold the answer (``None``: it does).

    "Answer split off" means the first result is a piece of the right paragraph that the
    passage splitter cut away from the sentence holding the answer.
    """
    if o.answer_rank == 1:
        return None
    if not o.answered:
        return "abstained"
    if not reachable:
        return "answer in no passage"
    if q.paragraph in o.top_paragraphs:
        return "source paragraph, answer split off"
    if o.top_article == q.article:
        return "other paragraph, same article"
    return "other article"


# --- abstention ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeldOut:
    """A sampled question asked without its own article."""

    question: str
    article: int
    abstained: bool
    answer_hit: bool  # answered, and an answer string is in the first passage anyway


def library_without(files: Sequence[Path], article: int, full: Library) -> Library:
    """The library of every article but one, updated from ``full``'s saved index.

    An update carries the other articles over, passage vectors included, so the sentence
    model encodes nothing: a fresh build per article would re-encode the whole collection.
    The articles are hard links (the library reads no symbolic link) and the index a copy
    made of hard links (builds are never written in place, only replaced).
    """
    folder = WORK / "leave-one-out" / f"without-{article:02d}"
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "articles").mkdir(parents=True)
    for path in (f for i, f in enumerate(files) if i != article):
        os.link(path, folder / "articles" / path.name)
    shutil.copytree(full.index_dir, folder / "index", copy_function=os.link)
    return Library.open(folder / "articles", folder / "index", full.config)


def leave_one_out(
    squad: Squad, files: Sequence[Path], sample: Sequence[Question], full: Library
) -> tuple[list[HeldOut], list[float]]:
    """Ask each sampled question of a library without its article; update times too."""
    by_article: dict[int, list[Question]] = defaultdict(list)
    for q in sample:
        by_article[q.article].append(q)
    held_out, builds = [], []
    for article, questions in sorted(by_article.items()):
        library = library_without(files, article, full)
        builds.append(library.report.seconds)
        for q in questions:
            answer = library.ask(q.text, K)
            hit = answer.answered and answer_rank([answer.results[0].text], q.answers) == 1
            held_out.append(HeldOut(q.id, article, not answer.answered, hit))
    return held_out, builds


def abstention(
    squad: Squad, project: ProjectRun, sample: Sequence[Question], held: Sequence[HeldOut]
) -> dict[str, Any]:
    """Abstention figures: each sampled question once answerable, once not."""
    outcome = dict(zip((q.id for q in squad.questions), project.outcomes, strict=True))
    right = sum(h.abstained for h in held)  # abstained without the article: correct
    wrong = sum(not outcome[q.id].answered for q in sample)  # abstained with it: wrong
    total_wrong = sum(not o.answered for o in project.outcomes)
    return {
        "sample": len(sample),
        "sample_articles": len({q.article for q in sample}),
        "all_questions_abstained": total_wrong,
        "all_questions_abstention_rate": total_wrong / len(project.outcomes),
        "answerable_abstained": wrong,
        "answerable_abstention_rate": wrong / len(sample),
        "unanswerable_abstained": right,
        "unanswerable_answered": len(held) - right,
        "unanswerable_answered_with_answer_string": sum(h.answer_hit for h in held),
        "abstention_recall": right / len(held) if held else 0.0,
        "abstention_precision": right / (right + wrong) if right + wrong else 0.0,
    }


# --- report ---------------------------------------------------------------------------------

ASK = "project: `library.ask(q, k=20)`"
ABSTENTION_OFF = "project, abstention off: `ask(q, k=20, abstain=False)`"
ENGINE = "project passages, engine only"
PLAIN = "rank-bm25 BM25Okapi, SQuAD paragraphs"


def system_row(name: str, run: Run) -> list[object]:
    """One row of the main table."""
    answer = [o.answer_rank for o in run.outcomes]
    paragraph = [o.paragraph_rank for o in run.outcomes]
    return [
        name,
        *(pct(hit_at(answer, k)) for k in DEPTHS),
        *(pct(hit_at(paragraph, k)) for k in DEPTHS),
        pct(mean(not o.answered for o in run.outcomes)),
        f"{run.passage_words:.1f}",
        f"{1000 * run.ask_s / len(run.outcomes):.2f}",
    ]


def miss_table(squad: Squad, runs: dict[str, Run]) -> list[list[object]]:
    """hit@1 misses by kind, one column per system."""
    counts = [
        Counter(
            miss_kind(q, o, r)
            for q, o, r in zip(squad.questions, run.outcomes, run.reachable, strict=True)
        )
        for run in runs.values()
    ]
    n = len(squad.questions)
    return [[kind, *(f"{c[kind]} ({c[kind] / n:.1%})" for c in counts)] for kind in MISS_KINDS]


def head_to_head(project: Run, reference: Run) -> dict[str, int]:
    """Who gets the answer first (hit@1): both, only one of them, neither."""
    pairs = zip(project.outcomes, reference.outcomes, strict=True)
    tally = Counter(H2H[(p.answer_rank == 1, r.answer_rank == 1)] for p, r in pairs)
    return {label: tally[label] for label in H2H.values()}


def answered_subset(project: Run, runs: dict[str, Run]) -> dict[str, float]:
    """hit@1 of every system on the questions the project answered.

    Separates ranking from abstention: on this subset no system loses to a refusal.
    """
    kept = [i for i, o in enumerate(project.outcomes) if o.answered]
    return {
        name: hit_at([run.outcomes[i].answer_rank for i in kept], 1) for name, run in runs.items()
    } | {"questions": len(kept)}


def collection_stats(squad: Squad, project: ProjectRun) -> dict[str, Any]:
    """What the project's pipeline made of the articles (a check that nothing was lost)."""
    mapped = {pid for piece in project.pieces for pid in piece.sources}
    return {
        "articles": len(squad.articles),
        "paragraphs": len(squad.paragraphs),
        "questions": len(squad.questions),
        "question_articles": len({q.article for q in squad.questions}),
        "project_passages": len(project.pieces),
        "project_build_s": project.build_s,
        "dropped_lines": project.dropped_lines,
        "passages_with_heading": sum(bool(p.heading) for p in project.pieces),
        "passages_in_no_paragraph": sum(not p.sources for p in project.pieces),
        "passages_spanning_paragraphs": sum(len(p.sources) > 1 for p in project.pieces),
        "paragraphs_split": sum(
            n > 1 for n in Counter(pid for p in project.pieces for pid in p.sources).values()
        ),
        "paragraphs_in_no_passage": [p.id for p in squad.paragraphs if p.id not in mapped],
        "questions_answer_in_no_passage": sum(not r for r in project.reachable),
    }


def examples(
    squad: Squad, project: Run, reference: Run, seed: int
) -> dict[str, list[dict[str, Any]]]:
    """Seeded samples of the questions one system gets at rank 1 and the other does not."""
    paragraphs = {p.id: p.text for p in squad.paragraphs}
    lost, won = [], []
    for i, (p, r) in enumerate(zip(project.outcomes, reference.outcomes, strict=True)):
        if (p.answer_rank == 1) != (r.answer_rank == 1):
            (won if p.answer_rank == 1 else lost).append(i)
    rng = random.Random(seed)

    def describe(i: int) -> dict[str, Any]:
        q, p, r = squad.questions[i], project.outcomes[i], reference.outcomes[i]
        return {
            "question": q.text,
            "answers": list(dict.fromkeys(q.answers)),
            "title": squad.title(q.article),
            "source_paragraph": q.paragraph,
            "project_miss": miss_kind(q, p, project.reachable[i]),
            "project": asdict(p),
            "rank_bm25": asdict(r),
            "source_text": paragraphs[q.paragraph],
        }

    return {
        "project_misses_rank_bm25_hits": [
            describe(i) for i in sorted(rng.sample(lost, min(EXAMPLES, len(lost))))
        ],
        "project_hits_rank_bm25_misses": [
            describe(i) for i in sorted(rng.sample(won, min(EXAMPLES, len(won))))
        ],
    }


def abstention_table(a: dict[str, Any], questions: int) -> str:
    """Abstention on answerable and on unanswerable questions."""
    rows = [
        [
            "all questions, full collection",
            questions,
            a["all_questions_abstained"],
            pct(a["all_questions_abstention_rate"]),
            "answer",
        ],
        [
            "sample, full collection",
            a["sample"],
            a["answerable_abstained"],
            pct(a["answerable_abstention_rate"]),
            "answer",
        ],
        [
            "sample, own article removed",
            a["sample"],
            a["unanswerable_abstained"],
            pct(a["abstention_recall"]),
            "abstain",
        ],
    ]
    return markdown_table(["question set", "questions", "abstained", "rate", "right reply"], rows)


def render(report: dict[str, Any], runs: dict[str, Run]) -> str:
    """The markdown tables the run prints."""
    c, a, loo = report["collection"], report["abstention"], report["leave_one_out"]
    header = [
        "system",
        *(f"hit@{k}" for k in DEPTHS),
        *(f"para hit@{k}" for k in DEPTHS),
        "abstained",
        "words/passage",
        "ms/question",
    ]
    subset = report["answered_subset_hit1"]
    return "\n".join(
        [
            f"SQuAD v1.1 dev: {c['articles']} articles, {c['paragraphs']:,} paragraphs, "
            f"{c['questions']:,} questions asked (split {report['settings']['split']}: about "
            f"{c['question_articles']} articles). Project: {c['project_passages']:,} passages, "
            f"built in {c['project_build_s']:.2f} s; the cleaner dropped {c['dropped_lines']} "
            f"lines; {c['paragraphs_split']} paragraphs were split over several passages and "
            f"{c['passages_spanning_paragraphs']} passages join paragraphs; "
            f"{c['questions_answer_in_no_passage']} answers lie in no single passage.",
            "",
            markdown_table(header, [system_row(name, run) for name, run in runs.items()]),
            "",
            "hit@k: a result among the first k contains an answer string (case-, quote- and "
            "space-insensitive); para hit@k: a result comes from the question's source "
            "paragraph; abstentions count as misses. Engine only: `library.bm25`, BM25 over the "
            "library's index, without related-word expansion, reranking or abstention.",
            "",
            f"hit@1 on the {subset['questions']:,} questions the project answered: "
            + ", ".join(f"{name} {subset[name]:.3f}" for name in runs),
            "",
            f"Head to head at hit@1 (project ask vs rank-bm25): {report['head_to_head_hit1']}",
            "",
            markdown_table(["hit@1 miss", *runs], report["miss_kinds_hit1"]),
            "",
            f"Abstention: {a['sample']} questions sampled with seed {loo['seed']} from "
            f"{a['sample_articles']} articles; {loo['libraries']} leave-one-out libraries "
            f"updated from the full index in {loo['build_s_total']:.1f} s "
            f"({loo['build_s_mean']:.2f} s each).",
            "",
            abstention_table(a, c["questions"]),
            "",
            f"Combined ({2 * a['sample']} asks, each sampled question once with and once "
            f"without its article): abstention precision {a['abstention_precision']:.3f}, "
            f"recall {a['abstention_recall']:.3f}. Of the {a['unanswerable_answered']} "
            "held-out questions answered anyway, "
            f"{a['unanswerable_answered_with_answer_string']} had an answer string in the "
            "first passage (another article may really answer those).",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = squad_parser(__doc__)
    parser.add_argument("--sample", type=int, default=SAMPLE, help="abstention sample size")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--split", choices=SPLITS, default="all", help="whose questions: tune, report or all"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="say what it is doing")
    args = parser.parse_args(argv)
    log.setLevel(logging.INFO if args.verbose else logging.WARNING)
    started = time.perf_counter()
    opened = open_squad(args)
    if opened is None:
        return 0
    folder, files, library = opened.folder, opened.files, opened.library
    squad = split(opened.squad, args.split)
    project = run_project(squad, library)
    runs = {
        ASK: project,
        ABSTENTION_OFF: run_project(squad, library, abstain=False),
        ENGINE: run_engine(squad, library, project),
        PLAIN: run_reference(squad),
    }
    rng = random.Random(args.seed)
    sample = rng.sample(squad.questions, min(args.sample, len(squad.questions)))
    log.info("leave-one-out libraries for %d sampled questions ...", len(sample))
    held, builds = leave_one_out(squad, files, sample, library)
    report: dict[str, Any] = {
        "provenance": provenance(),
        "data": str(folder),
        "settings": {
            "k": K,
            "depths": DEPTHS,
            "sample": args.sample,
            "seed": args.seed,
            "split": args.split,
        },
        "collection": collection_stats(squad, project),
        "timing_s": {
            **{f"{name}: build": run.build_s for name, run in runs.items()},
            **{f"{name}: questions": run.ask_s for name, run in runs.items()},
            "leave-one-out builds": builds,
        },
        "systems": {
            name: {f"hit@{k}": hit_at([o.answer_rank for o in run.outcomes], k) for k in DEPTHS}
            | {
                f"paragraph hit@{k}": hit_at([o.paragraph_rank for o in run.outcomes], k)
                for k in DEPTHS
            }
            | {
                "abstained": mean(not o.answered for o in run.outcomes),
                "words_per_passage": run.passage_words,
                "ms_per_question": 1000 * run.ask_s / len(run.outcomes),
            }
            for name, run in runs.items()
        },
        "answered_subset_hit1": answered_subset(project, runs),
        "head_to_head_hit1": head_to_head(project, runs[PLAIN]),
        "miss_kinds_hit1": miss_table(squad, runs),
        "abstention": abstention(squad, project, sample, held),
        "leave_one_out": {
            "seed": args.seed,
            "libraries": len(builds),
            "build_s_total": sum(builds),
            "build_s_mean": mean(builds),
            "questions": [asdict(h) for h in held],
        },
        "examples": examples(squad, project, runs[PLAIN], args.seed),
        "per_question": per_question(squad, runs),
    }
    text = render(report, runs)
    report["table"] = text
    report["timing_s"]["total"] = time.perf_counter() - started
    path = write_json("qa-squad", report)
    print(text)
    print(f"\nTotal {report['timing_s']['total']:.1f} s. Written: {path}")
    return 0


def per_question(squad: Squad, runs: dict[str, Run]) -> dict[str, Any]:
    """Compact per-question outcomes, for comparing runs without rerunning them."""
    what = ("answered", "answer rank", "paragraph rank")
    fields = ["id", *(f"{name}: {w}" for name in runs for w in what)]
    rows = [
        [q.id, *(x for run in runs.values() for x in cells(run.outcomes[i]))]
        for i, q in enumerate(squad.questions)
    ]
    return {"fields": fields, "rows": rows}


def cells(o: Outcome) -> tuple[bool, int | None, int | None]:
    return o.answered, o.answer_rank, o.paragraph_rank


if __name__ == "__main__":
    sys.exit(main())
