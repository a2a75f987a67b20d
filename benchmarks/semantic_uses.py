"""What each use of the sentence model gives on its own: reranking, retrieval, the decision.

Five configurations of the same library (``index.config.SearchConfig``), asked the same
questions through ``Library.ask``:

- words only: the sentence model off (its own index, without vectors);
- (a) rerank: its cosine as a feature of the reranker, over BM25's candidates only;
- (b) retrieve: its nearest passages added to BM25's candidates, the reranker's weights
  and the decision as without the model;
- (c) decide: its cosine in the answer decision only;
- all three (the default).

Question sets: the project's own (``tests/data/*_questions.jsonl`` over the seeds, the third
blind set over its own folder) and SQuAD's report split (never tuned on), where every
question is answerable. Each row: hit@1 as users meet it (a refusal is a miss), the ranking
alone (hit@1 with the decision off), answerable questions refused, and for sets with
unanswerable questions the abstention precision and recall.

Run: ``python -m benchmarks.semantic_uses [--no-squad]`` (``--help``).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from benchmarks.common import OUT, REPO, find_data, finish, markdown_table
from benchmarks.qa_squad import DATASET, FILES, WORK, load, split, write_articles
from index.config import SearchConfig
from index.decision import WORDS_ONLY
from index.evaluate import Case, evaluate, load_questions
from index.library import Library
from index.rerank import WEIGHTS

DATA = REPO / "tests" / "data"
SEEDS = REPO / "seeds"
SETS = {
    "seed": (DATA / "seed_questions.jsonl", SEEDS),
    "held-out 1": (DATA / "heldout_questions.jsonl", SEEDS),
    "held-out 2": (DATA / "heldout2_questions.jsonl", SEEDS),
    "held-out 3 (blind)": (DATA / "heldout3_questions.jsonl", DATA / "heldout3_articles"),
}
_ALL = SearchConfig()
VARIANTS = {
    "words only": SearchConfig(semantic=False),
    "(a) rerank": replace(_ALL, dense_candidates=0, decision_model=WORDS_ONLY),
    "(b) retrieve": replace(_ALL, rerank_weights=WEIGHTS, decision_model=WORDS_ONLY),
    "(c) decide": replace(_ALL, dense_candidates=0, rerank_weights=WEIGHTS),
    "all (default)": _ALL,
}


def open_variant(folder: Path, config: SearchConfig, name: str) -> Library:
    """The library over ``folder``; variants with vectors share one saved index."""
    index = OUT / "semantic-uses" / name / ("meaning" if config.semantic else "words")
    return Library.open(folder, index, config)


def squad_questions() -> tuple[list[Case], Path] | None:
    """SQuAD's report split as a question set over its articles, if the data is here."""
    folder = find_data(DATASET, None, FILES)
    if folder is None:
        return None
    whole = load(folder)
    write_articles(whole, WORK / "articles")
    questions = split(whole, "report").questions
    return [Case(q.text, q.answers) for q in questions], WORK / "articles"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-squad", action="store_true", help="the project's sets only")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    sets = {name: (load_questions(path), folder) for name, (path, folder) in SETS.items()}
    if not args.no_squad and (squad := squad_questions()) is not None:
        sets["SQuAD report split"] = squad
    rows, results = [], {}
    for set_name, (questions, folder) in sets.items():
        for variant, config in VARIANTS.items():
            library = open_variant(folder, config, folder.name)
            r = evaluate(library, questions)
            results[f"{set_name} / {variant}"] = r.to_json()
            unanswerable = r.questions - r.answerable
            rows.append(
                [
                    set_name,
                    variant,
                    f"{r.hit_at_1:.3f}",
                    f"{r.reworded_hit_at_1:.3f}" if r.reworded else "",
                    f"{r.ranking_hit_at_1:.3f}",
                    f"{r.wrongly_abstained}/{r.answerable}",
                    f"{r.abstain_precision:.2f} / {r.abstain_recall:.2f}" if unanswerable else "",
                    f"{r.tentative_answerable} / {r.tentative_unanswerable}",
                ]
            )
    header = [
        "set",
        "configuration",
        "hit@1",
        "reworded hit@1",
        "ranking alone",
        "answerable refused",
        "abstention P / R",
        "may answer (answerable / not)",
    ]
    table = markdown_table(header, rows)
    return finish("semantic-uses", {"results": results, "table": table}, table, started)


if __name__ == "__main__":
    sys.exit(main())
