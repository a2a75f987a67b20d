"""Fit the reranker's weights (``index.rerank.Features``) on SQuAD's tune split, check on report.

Each question is asked once through ``Library.candidates``, which returns every candidate (BM25's
best and, with the sentence model, the nearest in meaning) with its features. A candidate is
right when it holds one of the question's answer strings. A weight vector's hit@1 is then a
matrix product per question, so coordinate ascent over a grid of weights (BM25 fixed at 1,
its yardstick) costs seconds. Ties keep the candidates' retrieval order.

It prints the fitted weights as the constant ``index/rerank.py`` ships (``WEIGHTS_WITH_MEANING``,
or ``WEIGHTS`` with ``--no-semantic``), and hit@1 of the shipped and fitted weights on both
splits. The report split is never fitted on.

Run: ``python -m benchmarks.fit_ranking [--no-semantic] [--reuse-index]`` (``--help``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import astuple, fields

import numpy as np

from benchmarks.common import finish, markdown_table
from benchmarks.metrics import answer_rank
from benchmarks.qa_squad import Squad, open_squad, split, squad_parser
from index.library import Library
from index.rerank import Features

GRID = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
ROUNDS = 3
NAMES = tuple(f.name for f in fields(Features))

Candidates = list[tuple[np.ndarray, np.ndarray]]  # per question: features, and which are right


def candidates(squad: Squad, library: Library) -> Candidates:
    """Every question's candidates as a feature matrix and a right/wrong vector."""
    found = []
    for question in squad.questions:
        ranked = library.candidates(question.text)
        if ranked:
            x = np.array([astuple(c.features) for c in ranked], float)
            right = np.array(
                [answer_rank([c.citation.text], question.answers) == 1 for c in ranked]
            )
            found.append((x, right))
    return found


def hit_at_1(data: Candidates, weights: np.ndarray, questions: int) -> float:
    """Share of all ``questions`` whose best-scored candidate is right."""
    return sum(bool(right[int(np.argmax(x @ weights))]) for x, right in data) / questions


def ascend(data: Candidates, start: np.ndarray, questions: int) -> np.ndarray:
    """Coordinate ascent over ``GRID`` for every weight but BM25's, a few rounds."""
    best = start.copy()
    score = hit_at_1(data, best, questions)
    for _ in range(ROUNDS):
        improved = False
        for i, name in enumerate(NAMES):
            if name == "bm25":
                continue
            for value in GRID:
                trial = best.copy()
                trial[i] = value
                trial_score = hit_at_1(data, trial, questions)
                if trial_score > score + 1e-12:
                    best, score, improved = trial, trial_score, True
        if not improved:
            break
    return best


def main(argv: Sequence[str] | None = None) -> int:
    args = squad_parser(__doc__).parse_args(argv)
    started = time.perf_counter()
    opened = open_squad(args)
    if opened is None:
        return 0
    whole, library = opened.squad, opened.library
    splits = {name: split(whole, name) for name in ("tune", "report")}
    data = {name: candidates(squad, library) for name, squad in splits.items()}
    sizes = {name: len(squad.questions) for name, squad in splits.items()}
    shipped = np.array(astuple(library.config.weights), float)
    fitted = ascend(data["tune"], shipped, sizes["tune"])
    rows = [
        [label, *(f"{hit_at_1(data[n], w, sizes[n]):.4f}" for n in splits)]
        for label, w in (("shipped", shipped), ("fitted on tune", fitted))
    ]
    constant = Features(*(float(w) for w in fitted))
    text = "\n".join(
        [
            f"Fitted on tune: {constant!r}",
            "",
            markdown_table(["weights", "tune hit@1", "report hit@1"], rows),
        ]
    )
    report = {
        "semantic": library.config.semantic,
        "fitted": dict(zip(NAMES, fitted.tolist(), strict=True)),
        "table": text,
    }
    return finish("fit-ranking", report, text, started)


if __name__ == "__main__":
    sys.exit(main())
