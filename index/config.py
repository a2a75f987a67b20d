"""One frozen configuration for retrieval and answering, every knob set by name.

``Library.open(folder, config=SearchConfig(semantic=False))``; ``SearchConfig.from_env()``
reads the settings a deployment changes without code. What shapes the saved index (BM25's
parameters, whether passages have vectors) is part of its key, so changing it rebuilds;
the rest applies to the next question.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from index.bm25 import BM25Params
from index.decision import WITH_MEANING, WORDS_ONLY, DecisionModel
from index.rerank import WEIGHTS, WEIGHTS_WITH_MEANING, Features

SEMANTIC_ENV = "NEWSDESK_SEMANTIC"
_OFF = frozenset({"0", "off", "false", "no"})


@dataclass(frozen=True, slots=True)
class SearchConfig:
    """Ranking parameters, candidate counts, weights and thresholds of ``ask``."""

    bm25: BM25Params = field(default_factory=BM25Params)
    semantic: bool = True  # passage vectors from the sentence model (``index.semantic``)
    # BM25's best this many (or k, if more) are reranked, with the sentence model's best
    # ``dense_candidates``. More BM25 candidates gain little (SQuAD tune hit@1 0.8215 at 10,
    # 0.8229 at 20-30) and each costs a feature computation per question.
    candidates: int = 10
    dense_candidates: int = 10
    # The passages nearest in meaning are found by scanning every vector, which reads
    # 1.5 kB per passage per question: past this many passages the scan would cost more than
    # the rest of a question, and the model's cosine only reranks BM25's candidates.
    scan_limit: int = 50_000
    rerank_weights: Features | None = None  # None: the fitted weights for this mode
    decision_model: DecisionModel | None = None  # None: the fitted model for this mode

    @property
    def weights(self) -> Features:
        """The reranker's weights."""
        if self.rerank_weights is not None:
            return self.rerank_weights
        return WEIGHTS_WITH_MEANING if self.semantic else WEIGHTS

    @property
    def decision(self) -> DecisionModel:
        """The answer decision's model."""
        if self.decision_model is not None:
            return self.decision_model
        return WITH_MEANING if self.semantic else WORDS_ONLY

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> SearchConfig:
        """The defaults, with ``NEWSDESK_SEMANTIC=off`` for machines too small for the model."""
        semantic = environ.get(SEMANTIC_ENV, "on").strip().casefold() not in _OFF
        return cls(semantic=semantic)
