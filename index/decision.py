"""The answer decision: the best passage answers, may answer, or the articles are silent.

A small logistic model weighs the evidence about the first (reranked) passage: how much of
the question's information it covers (each word weighed by how much it tells, and most where
the passage's article never mentions it), how long the question is (two words are easily
matched by chance, twelve are not), the share of its phrases and word pairs found, and how
close the passage is to the question in meaning (the sentence model's cosine). No other
article in the folder can move any of these. Three outcomes, because a reader shown the
right passage with a caveat is better served than by a refusal: at even odds or better the
passages answer; down to ``DecisionModel.tentative`` they are shown as the closest, that may
not answer; below it, "not in the articles".

The weights are fitted by ``python -m benchmarks.fit_abstention`` on SQuAD's tune split, each
question asked once with its article and once without; the script prints them as below.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from index.linear import weighted_sum


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the decision weighs about the first passage; also the shape of its weights."""

    coverage: float  # share of the question's information it covers
    log_words: float  # ln of the question's distinct terms
    phrases: float  # the reranker's features: the question's phrases...
    bigrams: float  # ...and word pairs, found in the passage
    similarity: float  # cosine of question and passage vectors (0 without the sentence model)


class Verdict(Enum):
    """What the reply says of its passages."""

    ANSWERS = "answers"
    MAY_ANSWER = "may answer"  # the closest passages, shown with a caveat
    SILENT = "not in the articles"


@dataclass(frozen=True, slots=True)
class DecisionModel:
    """Logistic weights over ``Evidence`` and where each outcome starts, in log-odds."""

    weights: Evidence
    bias: float
    tentative: float  # log-odds from which passages are shown as "may answer"

    def log_odds(self, evidence: Evidence) -> float:
        """The model's log-odds that the passage answers."""
        return weighted_sum(evidence, self.weights) + self.bias

    def verdict(self, evidence: Evidence) -> Verdict:
        """Answers at even odds or better; may answer down to ``tentative``; else silent."""
        odds = self.log_odds(evidence)
        if odds >= 0:
            return Verdict.ANSWERS
        return Verdict.MAY_ANSWER if odds >= self.tentative else Verdict.SILENT


# Fitted with the sentence model on (``python -m benchmarks.fit_abstention``, which prints
# these and their errors on SQuAD's report split; figures in README.md, "Measured"). Its
# cosine weighs most: a passage close in meaning needs less of the question's wording.
WITH_MEANING = DecisionModel(
    Evidence(coverage=7.384, log_words=-0.397, phrases=3.16, bigrams=1.351, similarity=11.959),
    bias=-8.671,
    tentative=-1.099,
)
# Fitted with it off (``--no-semantic``): the lexical evidence alone, no middle band.
WORDS_ONLY = DecisionModel(
    Evidence(coverage=9.935, log_words=0.981, phrases=3.750, bigrams=1.573, similarity=0.0),
    bias=-7.470,
    tentative=0.0,
)
