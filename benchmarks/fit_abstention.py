"""Fit the answer decision (``index.decision``) on SQuAD's tune split, check it on report.

Every question of a split gives up to three examples, each the evidence the decision
weighs (``Library.candidates``, as ``library.ask`` ranks them): answerable, the first
candidate of the whole collection; unanswerable on the same topic, the first candidate
holding none of its answer strings (as if the passages answering it were not there: the
article is, the fact is not); unanswerable on another topic, the first candidate of a
library without its article (one leave-one-out library per article). A logistic regression
(Newton's method, numpy) learns answerable from unanswerable on the tune split, examples
weighted as if ``ANSWERABLE`` of all questions were answerable, as in the project's own
question sets; the same-topic examples are measured, not fitted on (``SHARES`` says why).

It prints the fitted model as the constant ``index/decision.py`` ships (``WITH_MEANING``, or
``WORDS_ONLY`` with ``--no-semantic``), then the errors of the shipped model and of the fit on
both splits: answerable questions refused, abstention precision and recall, and errors per
question at that mix; and how many asks fall in the "may answer" band. The report split is
never fitted on. The band starts where the odds that the passage answers are 1 to 3
(``TENTATIVE_ODDS``): a reader shown it with a caveat finds the answer at least once in four.

Run: ``python -m benchmarks.fit_abstention [--no-semantic] [--reuse-index]`` (``--help``).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import astuple, fields
from pathlib import Path

import numpy as np

from benchmarks.common import finish, markdown_table
from benchmarks.metrics import answer_rank
from benchmarks.qa_squad import Squad, library_without, open_squad, split, squad_parser
from index.decision import DecisionModel, Evidence
from index.library import Library

ANSWERABLE = 0.72  # share of answerable questions the fit and the error figures assume
FEATURES = tuple(f.name for f in fields(Evidence))
TENTATIVE_ODDS = 1 / 3  # where "may answer" starts: the passage answers once in four

log = logging.getLogger("fit_abstention")


# Each example's kind: the question asked with its answer in the collection; without its
# article (the articles are about something else); and without its answer (the article is
# there, the fact is not: what most unanswerable questions about news look like).
ANSWERABLE_KIND, OTHER_TOPIC, SAME_TOPIC = 0, 1, 2
# What each kind weighs in the fit. The same topic is measured, not fitted on: with half the
# unanswerable weight on it, SQuAD's same-topic recall rose (report 0.30 -> 0.32) but the
# held-out sets lost answers (hit@1 0.733 -> 0.667 and 0.867 -> 0.833) and refused no more
# of their unanswerable questions: a passage of the right article that lacks the fact looks,
# to these features, like one that has it.
SHARES = {ANSWERABLE_KIND: ANSWERABLE, OTHER_TOPIC: 1 - ANSWERABLE, SAME_TOPIC: 0.0}


def examples(
    squad: Squad, files: Sequence[Path], library: Library
) -> tuple[np.ndarray, np.ndarray]:
    """Evidence rows and each row's kind, for every question of ``squad``.

    ``library`` holds every article. Answerable: the evidence of the first candidate.
    Without its answer: the evidence of the first candidate holding no answer string, as if
    the passages that answer were not there. Without its article: the first candidate of a
    library of the other articles. Questions with nothing to weigh are left out (they are
    refused whatever the model says).
    """
    rows, kinds = [], []
    for article in sorted({q.article for q in squad.questions}):
        without = library_without(files, article, library)
        for question in (q for q in squad.questions if q.article == article):
            found = library.candidates(question.text)
            silent = (c for c in found if answer_rank([c.citation.text], question.answers) is None)
            elsewhere = without.candidates(question.text)[:1]
            for kind, candidate in (
                (ANSWERABLE_KIND, found[0] if found else None),
                (SAME_TOPIC, next(silent, None)),
                (OTHER_TOPIC, elsewhere[0] if elsewhere else None),
            ):
                if candidate is not None:
                    rows.append(astuple(candidate.evidence))
                    kinds.append(kind)
    return np.array(rows, float), np.array(kinds)


def fit(x: np.ndarray, kinds: np.ndarray) -> tuple[np.ndarray, float]:
    """Weighted logistic regression by Newton's method: weights per feature, and the bias.

    Each kind of example weighs its share in ``SHARES``. Raises ``ValueError`` when the
    examples cannot give a model: one class only, or classes the features separate
    perfectly (the weights would grow without bound).
    """
    y = (kinds == ANSWERABLE_KIND).astype(float)
    if not 0 < y.mean() < 1:
        raise ValueError("the examples must include answerable and unanswerable questions")
    share = np.zeros(len(y))
    for kind, weight in SHARES.items():
        share[kinds == kind] = weight / max(np.mean(kinds == kind), 1e-12)
    x, y, share = x[share > 0], y[share > 0], share[share > 0]
    design = np.hstack([x, np.ones((len(x), 1))])
    beta = np.zeros(design.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(design @ beta, -500, 500)))
        gradient = design.T @ (share * (p - y))
        hessian = (design * (share * p * (1 - p))[:, None]).T @ design
        step = np.linalg.solve(hessian + 1e-9 * np.eye(len(beta)), gradient)
        beta -= step
        if np.abs(step).max() < 1e-10:
            return beta[:-1], float(beta[-1])
    raise ValueError("the fit did not converge: do the features separate the classes?")


def errors(x: np.ndarray, kinds: np.ndarray, model: DecisionModel) -> dict[str, float]:
    """Refusals of answerable questions, abstention precision/recall, errors per question.

    Precision and errors per question at the fit's mix (``SHARES``), recall for each kind of
    unanswerable question; and the share of asks shown as "may answer" (counted as answered
    in the others).
    """
    odds = x @ np.array(astuple(model.weights)) + model.bias
    shown = odds >= model.tentative
    refused = {kind: float(np.mean(~shown[kinds == kind])) for kind in SHARES}
    wrongly = ANSWERABLE * refused[ANSWERABLE_KIND]
    rightly = (1 - ANSWERABLE) * refused[OTHER_TOPIC]
    return {
        "answerable refused": refused[ANSWERABLE_KIND],
        "abstention precision": rightly / (rightly + wrongly) if rightly + wrongly else 0.0,
        "recall, other topic": refused[OTHER_TOPIC],
        "recall, same topic": refused[SAME_TOPIC],
        "errors per question": wrongly + (1 - ANSWERABLE) * (1 - refused[OTHER_TOPIC]),
        "may answer": float(np.mean(shown & (odds < 0))),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = squad_parser(__doc__).parse_args(argv)
    started = time.perf_counter()
    opened = open_squad(args)
    if opened is None:
        return 0
    folder, whole, files, library = opened.folder, opened.squad, opened.files, opened.library
    data = {name: examples(split(whole, name), files, library) for name in ("tune", "report")}
    weights, bias = fit(*data["tune"])
    fitted = DecisionModel(
        Evidence(*(round(float(w), 3) for w in weights)),
        round(float(bias), 3),
        round(float(np.log(TENTATIVE_ODDS)), 3),
    )
    shipped = library.config.decision
    rows = [
        [model, name, len(y), *(f"{v:.3f}" for v in errors(x, y, params).values())]
        for model, params in (("shipped", shipped), ("fitted on tune", fitted))
        for name, (x, y) in data.items()
    ]
    header = ["model", "split", "asks", *errors(*data["tune"], shipped)]
    text = "\n".join(
        [
            f"Fitted on tune ({ANSWERABLE:.0%} answerable):",
            repr(fitted),
            "",
            markdown_table(header, rows),
        ]
    )
    report = {
        "data": str(folder),
        "answerable_share": ANSWERABLE,
        "fitted": {
            "weights": dict(zip(FEATURES, weights.tolist(), strict=True)),
            "bias": bias,
            "tentative": fitted.tentative,
        },
        "table": text,
    }
    return finish("fit-abstention", report, text, started)


if __name__ == "__main__":
    sys.exit(main())
