"""Cranfield 1400: plain rank-bm25, the project's ranking engine and its whole pipeline.

Why Cranfield: its judgements are meant to be exhaustive and graded, so it measures ranking
(MAP, nDCG) where SQuAD measures answers. Three systems, one analyzer
(``index.analysis.Analyzer().terms``), the same 1,400 abstracts:

(a) rank-bm25 ``BM25Okapi`` over whole abstracts (the ``.W`` field, which repeats the title),
    ranked by ``get_scores``;
(b) the project's engine on the same token lists: ``BM25Index.build`` and
    ``index.top(index.query(terms), 1000)`` (abstention means nothing for ranking);
(c) the whole pipeline: every abstract an article file (title from ``.T``), indexed by
    ``Library.open`` and asked with ``library.ask(q, k=100)``; passages map back to their
    document, which counts at its best passage's rank. An abstention is an empty ranking.
    Two diagnostics beside it: (c0) the engine alone over the same index, (c1) ``ask`` with
    abstention off.

Judgements (``cranqrel.readme``): queries are numbered by their POSITION in ``cran.qry``
(1-225), not by their ``.I`` number. Codes: 1 complete answer, 2 high relevance, 3 useful
background, 4 minimum interest; -1 (one line per query, undocumented) is not relevant.
MAP counts codes 1-4 as relevant; nDCG@10 uses graded gains 1->4, 2->3, 3->2, 4->1.

Run: ``python -m benchmarks.ir_cranfield`` (under a minute on 2 cores; ``--help``).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
    provenance,
    write_if_changed,
    write_json,
)
from benchmarks.metrics import average_precision, first_occurrences, mean, ndcg_at
from index.analysis import Analyzer
from index.bm25 import BM25Index
from index.library import Library

DATASET = "cranfield"
FILES = ("cran.all.1400", "cran.qry", "cranqrel")
DEPTH = 1000  # ranking depth for (a) and (b)
ASK_K = 100
CUT = 20  # MAP is also given with every ranking cut here: ``ask`` returns at most 20 passages
NDCG_K = 10
GAINS = {1: 4.0, 2: 3.0, 3: 2.0, 4: 1.0}  # cranqrel code -> gain; other codes are 0
FIELDS = (".T", ".A", ".B", ".W")
WORK = OUT / "cranfield"
ABSTENTION_OFF = "(c1) project pipeline, abstention off: `ask(q, k=100, abstain=False)`"
PIPELINE = "(c) project pipeline, `library.ask(q, k=100)`"

log = logging.getLogger("ir_cranfield")


# --- the data ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Doc:
    """One abstract; ``text`` is the ``.W`` field with its line breaks."""

    number: int
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Query:
    """A query: ``position`` (1-225) is what cranqrel uses, ``number`` is its ``.I``."""

    position: int
    number: int
    text: str


@dataclass(frozen=True, slots=True)
class Cranfield:
    """Documents, queries, and judgements as query position -> document -> code."""

    docs: list[Doc]
    queries: list[Query]
    qrels: dict[int, dict[int, int]]

    def gains(self, query: Query) -> dict[int, float]:
        """Graded gains of the query's judged documents (codes 1-4)."""
        judged = self.qrels.get(query.position, {})
        return {doc: GAINS[code] for doc, code in judged.items() if code in GAINS}


def records(text: str) -> list[tuple[int, dict[str, str]]]:
    """SMART records as ``(n, {".T": text, ...})`` in file order, line breaks kept.

    A record starts at ``.I <n>``; each field marker stands on its own line, its text on the
    lines after it.
    """
    out: list[tuple[int, dict[str, list[str]]]] = []
    field = ""
    for line in text.splitlines():
        if line.startswith(".I "):
            out.append((int(line.split()[1]), {}))
            field = ""
        elif line.strip() in FIELDS and out:
            field = line.strip()
            out[-1][1][field] = []
        elif field:
            out[-1][1][field].append(line)
    return [(n, {k: "\n".join(v).strip() for k, v in fields.items()}) for n, fields in out]


def load(folder: Path) -> Cranfield:
    """Parse the three files; queries are keyed for the qrels by their position."""
    docs = [
        Doc(n, " ".join(f.get(".T", "").split()), f.get(".W", ""))
        for n, f in records((folder / "cran.all.1400").read_text("ascii"))
    ]
    queries = [
        Query(position, n, " ".join(f.get(".W", "").split()))
        for position, (n, f) in enumerate(records((folder / "cran.qry").read_text("ascii")), 1)
    ]
    qrels: dict[int, dict[int, int]] = {}
    for line in (folder / "cranqrel").read_text("ascii").splitlines():
        if line.strip():
            position, doc, code = (int(x) for x in line.split())
            qrels.setdefault(position, {})[doc] = code
    return Cranfield(docs, queries, qrels)


def paragraphs(text: str) -> list[str]:
    """The ``.W`` text as paragraphs: an indented line starts a new one.

    The first "paragraph" is the title the abstract repeats; lines are joined because the
    project's cleaner reads one block per line.
    """
    out: list[list[str]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if not out or line[:1].isspace():
            out.append([])
        out[-1].append(line.strip())
    return [" ".join(lines) for lines in out]


def write_articles(data: Cranfield, folder: Path) -> int:
    """One article file per abstract with text (cached); how many were written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = set()
    for doc in data.docs:
        if not doc.text.strip():
            continue  # records 471 and 995 are empty: the project would skip them anyway
        path = folder / f"{doc.number:04d}.txt"
        write_if_changed(path, article_file(doc_id(doc.number), doc.title, paragraphs(doc.text)))
        paths.add(path)
    for stray in set(folder.glob("*.txt")) - paths:
        stray.unlink()
    return len(paths)


def doc_id(number: int) -> str:
    """The article id written into a document's header, so citations map back to it."""
    return f"cran-{number:04d}"


# --- systems ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    """One system: a ranking of document numbers per query (in query order), and costs."""

    rankings: list[list[int]]
    build_s: float
    query_s: float
    notes: dict[str, Any]


def timed_rankings(
    queries: Sequence[Query], rank: Callable[[str], list[int]]
) -> tuple[list[list[int]], float]:
    """Rank every query; the seconds it took (query analysis included)."""
    started = time.perf_counter()
    rankings = [rank(q.text) for q in queries]
    return rankings, time.perf_counter() - started


def run_rank_bm25(data: Cranfield, tokens: list[list[str]], analyzer: Analyzer) -> Run:
    """(a) Plain rank-bm25 over the abstracts' analyzer terms."""
    started = time.perf_counter()
    okapi = BM25Okapi(tokens)
    build_s = time.perf_counter() - started
    numbers = [d.number for d in data.docs]
    rankings, query_s = timed_rankings(
        data.queries,
        lambda text: [numbers[i] for i in bm25_top(okapi, analyzer.terms(text), DEPTH)],
    )
    return Run(rankings, build_s, query_s, {})


def run_engine(data: Cranfield, tokens: list[list[str]], analyzer: Analyzer) -> Run:
    """(b) The project's engine on the very same token lists."""
    started = time.perf_counter()
    index = BM25Index.build(tokens)
    build_s = time.perf_counter() - started
    numbers = [d.number for d in data.docs]

    def rank(text: str) -> list[int]:
        return [numbers[h.passage_id] for h in index.top(index.query(analyzer.terms(text)), DEPTH)]

    rankings, query_s = timed_rankings(data.queries, rank)
    return Run(rankings, build_s, query_s, {})


def pipeline_library(data: Cranfield) -> tuple[Library, int]:
    """Write the article files and index them (a fresh build); how many files there are."""
    written = write_articles(data, WORK / "articles")
    return Library.open(WORK / "articles", WORK / "index", force=True), written


def document(article_id: str) -> int:
    """The Cranfield document number of an article id (``cran-0042`` -> 42)."""
    return int(article_id.removeprefix("cran-"))


def run_pipeline(data: Cranfield, library: Library, files: int, abstain: bool = True) -> Run:
    """(c), or (c1) with ``abstain=False``: passages mapped to documents, each at its best rank."""
    answers = []

    def rank(text: str) -> list[int]:
        answer = library.ask(text, ASK_K, abstain)
        answers.append(answer)
        return first_occurrences(document(c.article) for c in answer.results)

    rankings, query_s = timed_rankings(data.queries, rank)
    articles = library.articles()
    passages = [p for a in articles for p in library.passages(a)]
    notes = {
        "article_files": files,
        "articles_indexed": len(articles),
        "passages": len(passages),
        "words_per_passage": mean(len(p.text.split()) for p in passages),
        "lines_dropped_by_cleaner": library.report.dropped_lines,
        "titles_not_in_text": titles_not_in_text(data, library),
        "abstained": sum(not a.answered for a in answers),
        "max_passages_returned": max((len(a.results) for a in answers), default=0),
        "mean_documents_returned": mean(len(r) for r in rankings),
    }
    return Run(rankings, library.report.seconds, query_s, notes)


def titles_not_in_text(data: Cranfield, library: Library) -> int:
    """Articles whose title no longer appears in their indexed text.

    ``.W`` repeats the title; the cleaner drops a line repeating the title (as on scraped
    news pages). The index has the title's words anyway: with the article's first passage.
    """
    titles = {doc_id(d.number): d.title for d in data.docs}
    return sum(
        " ".join(titles[a.id].split()) not in " ".join(library.text(a).split())
        for a in library.articles()
    )


def run_passage_engine(data: Cranfield, library: Library) -> Run:
    """(c0) The engine alone over the pipeline's index: no expansion, reranking, abstention or cap.

    A diagnostic between (b) and (c): it separates what the pipeline's passages cost or gain
    (split abstracts, the title indexed with the first passage) from what ``ask`` adds
    (related words, the reranker, abstention, at most 20 passages).
    """

    def rank(text: str) -> list[int]:
        return first_occurrences(document(c.article) for c in library.bm25(text, DEPTH))

    rankings, query_s = timed_rankings(data.queries, rank)
    return Run(rankings, library.report.seconds, query_s, {})


# --- scoring and report ------------------------------------------------------------------------


def evaluate(data: Cranfield, run: Run) -> dict[str, Any]:
    """MAP, MAP on rankings cut at ``CUT``, nDCG@10 and P@10, with per-query values."""
    ap, ap_cut, ndcg, p10 = [], [], [], []
    for query, ranking in zip(data.queries, run.rankings, strict=True):
        gains = data.gains(query)
        ap.append(average_precision(ranking, gains))
        ap_cut.append(average_precision(ranking[:CUT], gains))
        ndcg.append(ndcg_at(ranking, gains, NDCG_K))
        p10.append(sum(doc in gains for doc in ranking[:10]) / 10)
    return {
        "MAP": mean(ap),
        f"MAP (top {CUT})": mean(ap_cut),
        f"nDCG@{NDCG_K}": mean(ndcg),
        "P@10": mean(p10),
        "queries_without_results": sum(not r for r in run.rankings),
        "build_s": run.build_s,
        "ms_per_query": 1000 * run.query_s / len(data.queries),
        "notes": run.notes,
        "per_query": {"AP": ap, f"nDCG@{NDCG_K}": ndcg},
        "rankings": [r[:CUT] for r in run.rankings],
    }


def answered_subset(scores: dict[str, dict[str, Any]], pipeline: str) -> dict[str, Any]:
    """MAP and nDCG@10 of every system on the queries (c) did not abstain on.

    Separates ranking from abstention: there (c) loses nothing to a refusal.
    """
    answered = [i for i, ranking in enumerate(scores[pipeline]["rankings"]) if ranking]
    out: dict[str, Any] = {"queries": len(answered)}
    for name, s in scores.items():
        per_query = s["per_query"]
        out[name] = {
            "MAP": mean(per_query["AP"][i] for i in answered),
            f"nDCG@{NDCG_K}": mean(per_query[f"nDCG@{NDCG_K}"][i] for i in answered),
        }
    return out


def render(data: Cranfield, scores: dict[str, dict[str, Any]], pipeline: str) -> str:
    """The markdown table and the notes the run prints."""
    metrics = ["MAP", f"MAP (top {CUT})", f"nDCG@{NDCG_K}", "P@10"]
    rows = [
        [
            name,
            *(f"{s[m]:.3f}" for m in metrics),
            s["queries_without_results"],
            f"{s['build_s']:.2f}",
            f"{s['ms_per_query']:.2f}",
        ]
        for name, s in scores.items()
    ]
    header = ["system", *metrics, "queries w/o results", "build s", "ms/query"]
    notes = scores[pipeline]["notes"]
    subset = answered_subset(scores, pipeline)
    judged = sum(len(data.gains(q)) for q in data.queries)
    return "\n".join(
        [
            f"Cranfield: {len(data.docs):,} documents, {len(data.queries)} queries, {judged:,} "
            f"relevant pairs (codes 1-4; cranqrel keyed by query position).",
            "",
            markdown_table(header, rows),
            "",
            f"MAP: codes 1-4 relevant, whole ranking (a, b, c0: top {DEPTH}); MAP (top {CUT}): "
            f"every ranking cut at {CUT} documents, the most (c) can return. nDCG@{NDCG_K}: "
            "linear gains 1->4, 2->3, 3->2, 4->1 (-1 and unjudged: 0), ideal from all judged "
            "documents. (c0), (c1), (c): a document counts at its best passage's rank; (c) "
            "abstentions are empty rankings (they score 0). build s: (a), (b) from token lists; "
            "the others `Library.open` from the files (one index).",
            "",
            f"(c): {notes['articles_indexed']} articles ({len(data.docs) - notes['article_files']}"
            f" empty records skipped), {notes['passages']:,} passages of "
            f"{notes['words_per_passage']:.1f} words; the cleaner dropped "
            f"{notes['lines_dropped_by_cleaner']} lines, and {notes['titles_not_in_text']} "
            "articles' title lines (repeated at the top of .W) are no longer in the text (the "
            "index has the title's words with the first passage); "
            f"abstained on {notes['abstained']} of {len(data.queries)} queries; "
            f"ask(k={ASK_K}) returned at most {notes['max_passages_returned']} passages, "
            f"{notes['mean_documents_returned']:.1f} documents on average.",
            "",
            f"On the {subset['queries']} queries (c) answered: "
            + "; ".join(
                f"{name.split(')')[0]}) MAP {v['MAP']:.3f}, nDCG@{NDCG_K} {v[f'nDCG@{NDCG_K}']:.3f}"
                for name, v in subset.items()
                if name != "queries"
            ),
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, help="the data set's folder, or the one holding it")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    folder = find_data(DATASET, args.data, FILES)
    if folder is None:
        print(absent_message(DATASET, args.data))
        return 0
    started = time.perf_counter()
    data = load(folder)
    analyzer = Analyzer()
    tokens = [analyzer.terms(d.text) for d in data.docs]
    library, files = pipeline_library(data)
    runs = {
        "(a) rank-bm25 BM25Okapi, abstracts": run_rank_bm25(data, tokens, analyzer),
        "(b) project engine, same tokens": run_engine(data, tokens, analyzer),
        "(c0) project engine, pipeline's passages": run_passage_engine(data, library),
        ABSTENTION_OFF: run_pipeline(data, library, files, abstain=False),
        PIPELINE: run_pipeline(data, library, files),
    }
    scores = {name: evaluate(data, run) for name, run in runs.items()}
    text = render(data, scores, PIPELINE)
    report = {
        "provenance": provenance(),
        "data": str(folder),
        "settings": {"depth": DEPTH, "ask_k": ASK_K, "cut": CUT, "gains": GAINS},
        "systems": scores,
        "table": text,
        "total_s": time.perf_counter() - started,
    }
    path = write_json("ir-cranfield", report)
    print(text)
    print(f"\nTotal {report['total_s']:.1f} s. Written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
