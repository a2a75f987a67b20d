"""Fit the answer decision (``index.decision``) on SQuAD's tune split, check it on report.

Every question of a split is asked twice with ``library.ask`` (k = 3, what the bot asks): of
the whole collection, where its article answers it, and of a library without its article
(one leave-one-out library per article), where "not in the articles" is the right reply.
Each ask's ``Answer.evidence`` is one example. A logistic regression (Newton's method,
numpy) learns answerable from unanswerable on the tune split, with examples weighted as if
``ANSWERABLE`` of all questions were answerable, as in the project's own question sets.

It prints the fitted model as the constant ``index/decision.py`` ships (``WITH_MEANING``, or
``WORDS_ONLY`` with ``--no-semantic``), then the errors of the shipped model and of the fit on
both splits: answerable questions refused, abstention precision and recall, and errors per
question at that mix; and how many asks fall in the "may answer" band. The report split is
never fitted on. The band starts where the odds that the passage answers are 1 to 3
(``TENTATIVE_ODDS``): a reader shown it with a caveat finds the answer at least once in four.

Run: ``python benchmarks/fit_abstention.py [--no-semantic] [--reuse-index]`` (``--help``).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import astuple, fields
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # `common` and `qa_squad` beside this file

from common import absent_message, find_data, markdown_table, provenance, write_json  # noqa: E402
from qa_squad import (  # noqa: E402
    DATASET,
    FILES,
    WORK,
    Squad,
    add_library_options,
    library_from,
    library_without,
    load,
    split,
    write_articles,
)

from index.decision import DecisionModel, Evidence  # noqa: E402
from index.library import Library  # noqa: E402

ANSWERABLE = 0.72  # share of answerable questions the fit and the error figures assume
FEATURES = tuple(f.name for f in fields(Evidence))
TENTATIVE_ODDS = 1 / 3  # where "may answer" starts: the passage answers once in four

log = logging.getLogger("fit_abstention")


def examples(
    squad: Squad, files: Sequence[Path], library: Library
) -> tuple[np.ndarray, np.ndarray]:
    """Evidence rows and labels (1: answerable) for every question, with and without its article.

    ``library`` holds every article. Questions the pipeline has nothing to weigh
    for (no evidence) are left out: they are refused whatever the model says.
    """
    rows, labels = [], []
    for article in sorted({q.article for q in squad.questions}):
        without = library_without(files, article, library)
        for question in (q for q in squad.questions if q.article == article):
            for asked, answerable in ((library, 1), (without, 0)):
                evidence = asked.ask(question.text).evidence
                if evidence is not None:
                    rows.append(astuple(evidence))
                    labels.append(answerable)
    return np.array(rows, float), np.array(labels, float)


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Weighted logistic regression by Newton's method: weights per feature, and the bias.

    Raises ``ValueError`` when the examples cannot give a model: one class only, or classes
    the features separate perfectly (the weights would grow without bound).
    """
    if not 0 < y.mean() < 1:
        raise ValueError("the examples must include answerable and unanswerable questions")
    share = np.where(y == 1, ANSWERABLE / y.mean(), (1 - ANSWERABLE) / (1 - y.mean()))
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


def errors(x: np.ndarray, y: np.ndarray, model: DecisionModel) -> dict[str, float]:
    """Refusals of answerable questions, abstention precision/recall, errors per question.

    Also the share of asks shown as "may answer" (counted as answered in the others).
    """
    odds = x @ np.array(astuple(model.weights)) + model.bias
    answers = odds >= model.tentative
    answerable = y == 1
    refused_wrongly = float(np.mean(~answers[answerable]))
    recall = float(np.mean(~answers[~answerable]))
    refused_rightly = int(np.sum(~answers & ~answerable))
    refused = int(np.sum(~answers))
    return {
        "answerable refused": refused_wrongly,
        "abstention precision": refused_rightly / refused if refused else 0.0,
        "abstention recall": recall,
        "errors per question": ANSWERABLE * refused_wrongly + (1 - ANSWERABLE) * (1 - recall),
        "may answer": float(np.mean((odds >= model.tentative) & (odds < 0))),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, help="the data set's folder, or the one holding it")
    add_library_options(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    folder = find_data(DATASET, args.data, FILES)
    if folder is None:
        print(absent_message(DATASET, args.data))
        return 0
    started = time.perf_counter()
    whole = load(folder)
    files = write_articles(whole, WORK / "articles")
    library = library_from(args, WORK / "articles")
    data = {name: examples(split(whole, name), files, library) for name in ("tune", "report")}
    weights, bias = fit(*data["tune"])
    fitted = DecisionModel(
        Evidence(*(round(w, 3) for w in weights)),
        round(bias, 3),
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
    path = write_json(
        "fit-abstention",
        {
            "provenance": provenance(),
            "data": str(folder),
            "answerable_share": ANSWERABLE,
            "fitted": {
                "weights": dict(zip(FEATURES, weights.tolist(), strict=True)),
                "bias": bias,
                "tentative": fitted.tentative,
            },
            "table": text,
            "total_s": time.perf_counter() - started,
        },
    )
    print(text)
    print(f"\nTotal {time.perf_counter() - started:.1f} s. Written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
