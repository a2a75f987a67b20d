"""Linear models over dataclasses of float features (the reranker's and the decision's)."""

from __future__ import annotations

from dataclasses import fields
from typing import TypeVar

Shape = TypeVar("Shape")  # a dataclass of float fields: features, or their weights


def weighted_sum(values: Shape, weights: Shape) -> float:
    """Each field of ``values`` times the same field of ``weights`` (dataclasses of one shape)."""
    return sum(getattr(values, f.name) * getattr(weights, f.name) for f in fields(values))
