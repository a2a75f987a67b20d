"""Answer quality on a question set: does the first passage answer, and does it keep quiet.

Questions are JSONL: ``{"question": ..., "answers": ["text a right passage contains", ...]}``
or ``{"question": ..., "unanswerable": true}``; optional ``"reworded": true`` marks questions
written to share few words with the text, reported separately. The questions go through
``Library.ask`` exactly as ``search`` does.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from index.library import Library
from index.text import answer_key as fold  # the answer-matching rule

DEPTH = 10


@dataclass(frozen=True, slots=True)
class Case:
    """One line of a question set: a question and the answer strings that count as found."""

    question: str
    answers: tuple[str, ...]  # empty: the articles cannot answer it
    reworded: bool = False


@dataclass(frozen=True, slots=True)
class Report:
    """The figures ``eval`` prints; rates are fractions in [0, 1]."""

    questions: int
    answerable: int
    hit_at_1: float
    hit_at_3: float
    hit_at_10: float
    mrr_at_10: float
    reworded: int
    reworded_hit_at_1: float
    abstain_precision: float
    abstain_recall: float
    wrongly_abstained: int  # answerable questions the library refused
    wrongly_answered: int  # unanswerable questions the library answered
    tentative_answerable: int  # answerable questions shown passages with "may not answer"
    tentative_unanswerable: int  # unanswerable ones shown passages with that caveat
    ranking_hit_at_1: float  # hit@1 with the answer decision off: the ranking alone
    mean_passage_words: float
    max_passage_words: int
    ms_per_question: float
    misses: tuple[str, ...]  # answerable questions whose first passage was wrong

    def to_json(self) -> dict[str, Any]:
        """Everything, for ``--json``."""
        return asdict(self)


def load_questions(path: Path) -> list[Case]:
    """Parse a JSONL question set; ``ValueError`` names the bad line."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            questions.append(_question(json.loads(line)))
        except ValueError as exc:
            raise ValueError(f"line {number}: {exc}") from exc
    return questions


def _question(item: object) -> Case:
    """One parsed line, checked: a question string and a list of answer strings, or neither."""
    if not isinstance(item, dict) or not isinstance(item.get("question"), str):
        raise ValueError('expected an object with a "question" string')
    if item.get("unanswerable"):
        return Case(item["question"], ())
    answers = item.get("answers")
    if not isinstance(answers, list) or not answers or not all(isinstance(a, str) for a in answers):
        raise ValueError('expected "answers": a list of strings, or "unanswerable": true')
    return Case(item["question"], tuple(answers), bool(item.get("reworded")))


def _rank(passages: list[str], answers: tuple[str, ...]) -> int | None:
    wanted = [fold(a) for a in answers]
    for rank, text in enumerate(passages, 1):
        folded = fold(text)
        if any(w in folded for w in wanted):
            return rank
    return None


def _rate(count: int, total: int) -> float:
    return count / total if total else 0.0


def evaluate(library: Library, questions: list[Case]) -> Report:
    """Ask every question and score the answers."""
    ranks: list[int | None] = []
    reworded_ranks: list[int | None] = []
    misses: list[str] = []
    abstained_right = abstained_wrong = answered_wrong = 0
    tentative = {True: 0, False: 0}  # by whether the question is answerable
    ranked_first = 0
    elapsed = 0.0  # in the asks with the decision on, as users ask
    for q in questions:
        started = time.perf_counter()
        answer = library.ask(q.question, DEPTH)
        elapsed += time.perf_counter() - started
        tentative[bool(q.answers)] += answer.tentative
        if not q.answers:
            abstained_right += not answer.answered
            answered_wrong += answer.answered
            continue
        ranking = library.ask(q.question, DEPTH, abstain=False)
        ranked_first += _rank([c.text for c in ranking.results[:1]], q.answers) == 1
        abstained_wrong += not answer.answered
        rank = _rank([c.text for c in answer.results], q.answers)
        ranks.append(rank)
        if q.reworded:
            reworded_ranks.append(rank)
        if rank != 1:
            misses.append(q.question)
    lengths = [len(p.text.split()) for a in library.articles() for p in library.passages(a)]
    unanswerable = len(questions) - len(ranks)
    return Report(
        questions=len(questions),
        answerable=len(ranks),
        hit_at_1=_rate(sum(r == 1 for r in ranks), len(ranks)),
        hit_at_3=_rate(sum(r is not None and r <= 3 for r in ranks), len(ranks)),
        hit_at_10=_rate(sum(r is not None for r in ranks), len(ranks)),
        mrr_at_10=_rate(sum(1 / r for r in ranks if r), len(ranks)),
        reworded=len(reworded_ranks),
        reworded_hit_at_1=_rate(sum(r == 1 for r in reworded_ranks), len(reworded_ranks)),
        abstain_precision=_rate(abstained_right, abstained_right + abstained_wrong),
        abstain_recall=_rate(abstained_right, unanswerable),
        wrongly_abstained=abstained_wrong,
        wrongly_answered=answered_wrong,
        tentative_answerable=tentative[True],
        tentative_unanswerable=tentative[False],
        ranking_hit_at_1=_rate(ranked_first, len(ranks)),
        mean_passage_words=statistics.fmean(lengths) if lengths else 0.0,
        max_passage_words=max(lengths, default=0),
        ms_per_question=1000 * elapsed / max(len(questions), 1),
        misses=tuple(misses),
    )


def render_report(report: Report) -> str:
    """The report as an aligned table."""
    r = report
    rows = [
        (
            "questions (answerable / not)",
            f"{r.questions} ({r.answerable} / {r.questions - r.answerable})",
        ),
        ("hit@1", f"{r.hit_at_1:.3f}"),
        ("hit@3", f"{r.hit_at_3:.3f}"),
        ("hit@10", f"{r.hit_at_10:.3f}"),
        ("MRR@10", f"{r.mrr_at_10:.3f}"),
        (f"reworded hit@1 ({r.reworded})", f"{r.reworded_hit_at_1:.3f}"),
        ("abstention precision", f"{r.abstain_precision:.3f}"),
        ("abstention recall", f"{r.abstain_recall:.3f}"),
        ("abstained wrongly", str(r.wrongly_abstained)),
        ("answered wrongly", str(r.wrongly_answered)),
        (
            "shown as 'may not answer' (answerable / not)",
            f"{r.tentative_answerable} / {r.tentative_unanswerable}",
        ),
        ("hit@1 with the answer decision off", f"{r.ranking_hit_at_1:.3f}"),
        ("passage words mean / max", f"{r.mean_passage_words:.1f} / {r.max_passage_words}"),
        ("ms per question", f"{r.ms_per_question:.2f}"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    lines += [f"miss: {q}" for q in r.misses]
    return "\n".join(lines)
