"""The term dictionary: term → id lookups over sorted, memory-mappable arrays.

A dict of a million terms takes seconds to rebuild on every start; a sorted table of UTF-8
terms (one blob plus offsets) is searched in place, straight from the index files.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache

import numpy as np

Buffer = bytes | memoryview


class Vocabulary:
    """Immutable term → id mapping; terms sorted by their UTF-8 bytes."""

    def __init__(self, blob: Buffer, offsets: np.ndarray, ids: np.ndarray) -> None:
        self.blob = blob  # the sorted terms, concatenated
        self.offsets = offsets  # term i is blob[offsets[i]:offsets[i + 1]]
        self.ids = ids  # the id of the i-th term in sorted order
        self.get = lru_cache(maxsize=1 << 16)(self._find)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, int]) -> Vocabulary:
        """Freeze a term → id mapping built during indexing."""
        terms = sorted(mapping)  # code point order is UTF-8 byte order
        encoded = [t.encode("utf-8") for t in terms]
        offsets = np.zeros(len(terms) + 1, np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        ids = np.fromiter((mapping[t] for t in terms), np.int32, len(terms))
        return cls(b"".join(encoded), offsets, ids)

    def _term(self, position: int) -> bytes:
        return bytes(self.blob[int(self.offsets[position]) : int(self.offsets[position + 1])])

    def _find(self, term: str) -> int | None:
        """The term's id, or ``None``: a binary search over the sorted terms."""
        key = term.encode("utf-8")
        lo, hi = 0, len(self.ids)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._term(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        return int(self.ids[lo]) if lo < len(self.ids) and self._term(lo) == key else None

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.get(term) is not None

    def __getitem__(self, term: str) -> int:
        found = self.get(term)
        if found is None:
            raise KeyError(term)
        return found

    def items(self) -> Iterator[tuple[str, int]]:
        """Every (term, id), in term order."""
        blob, offsets = bytes(self.blob), self.offsets.tolist()
        for position, term_id in enumerate(self.ids.tolist()):
            yield blob[offsets[position] : offsets[position + 1]].decode("utf-8"), term_id
