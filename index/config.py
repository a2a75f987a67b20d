"""One frozen configuration for retrieval and answering, every knob set by name.

``Library.open(folder, config=SearchConfig(semantic=False))``; ``SearchConfig.from_env()``
reads the settings a deployment changes without code. What shapes the saved index (BM25's
parameters, whether passages have vectors) is part of its key, so changing it rebuilds;
the rest applies to the next question.

``IndexSettings.from_env()`` is the one reader of the folder settings (the articles folder,
the index folder, the engine URL): the CLI and the bot both start from it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from index.bm25 import BM25Params
from index.decision import WITH_MEANING, WORDS_ONLY, DecisionModel
from index.rerank import WEIGHTS, WEIGHTS_WITH_MEANING, Features

SEMANTIC_ENV = "NEWSDESK_SEMANTIC"
ARTICLES_ENV = "NEWSDESK_ARTICLES"
# The articles folder's first name, from when it held only the seed articles: still read.
ARTICLES_ALIAS_ENV = "NEWSDESK_SEEDS"
INDEX_DIR_ENV = "NEWSDESK_INDEX_DIR"
ENGINE_ENV = "NEWSDESK_ENGINE"
DEFAULT_ARTICLES = Path("seeds")
_ON = frozenset({"1", "on", "true", "yes"})
_OFF = frozenset({"0", "off", "false", "no"})


@dataclass(frozen=True, slots=True)
class SearchConfig:
    """Ranking parameters, candidate counts, weights and thresholds of ``ask``."""

    bm25: BM25Params = field(default_factory=BM25Params)
    semantic: bool = True  # passage vectors from the sentence model (``index.semantic``)
    # BM25's best this many (or k, if more) are reranked, with the sentence model's best
    # ``dense_candidates``. More BM25 candidates gain little on SQuAD (docs/experiments.md)
    # and each costs a feature computation per question.
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
        """The defaults, with ``NEWSDESK_SEMANTIC=off`` for machines too small for the model.

        ``ValueError`` names the setting when it is neither on nor off: a typo must not
        silently rebuild the index the other way.
        """
        raw = environ.get(SEMANTIC_ENV, "").strip().casefold() or "on"
        if raw not in _ON | _OFF:
            raise ValueError(f"{SEMANTIC_ENV} must be on or off, not {raw!r}")
        return cls(semantic=raw in _ON)


@dataclass(frozen=True, slots=True)
class IndexSettings:
    """Where the articles are, where their index is kept, and which engine (if any) serves it."""

    articles: Path = DEFAULT_ARTICLES  # the articles folder
    index_dir: Path | None = None  # None: ``.index/<folder name>`` beside the articles folder
    engine: str = ""  # a search engine cluster's URL ("": the embedded index)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> IndexSettings:
        """The folder settings from the environment; unset or blank ones take the defaults.

        ``NEWSDESK_ARTICLES`` (or its old name ``NEWSDESK_SEEDS``, read when it is unset),
        ``NEWSDESK_INDEX_DIR`` and ``NEWSDESK_ENGINE``.
        """
        articles = (
            environ.get(ARTICLES_ENV, "").strip() or environ.get(ARTICLES_ALIAS_ENV, "").strip()
        )
        index_dir = environ.get(INDEX_DIR_ENV, "").strip()
        return cls(
            articles=Path(articles) if articles else DEFAULT_ARTICLES,
            index_dir=Path(index_dir) if index_dir else None,
            engine=environ.get(ENGINE_ENV, "").strip(),
        )

    def index_for(self, articles: Path) -> Path:
        """Where the index of ``articles`` is kept: ``index_dir``, else beside that folder."""
        if self.index_dir is not None:
            return self.index_dir
        articles = articles.resolve()
        return articles.parent / ".index" / articles.name
