"""The term dictionary: term → id lookups over sorted, memory-mappable arrays.

A dict of a million terms takes seconds to rebuild on every start; a sorted table of UTF-8
terms (one blob plus offsets) is searched in place, straight from the index files.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property, lru_cache

import numpy as np

Buffer = bytes | memoryview


class TermIds:
    """Immutable term → id mapping; terms sorted by their UTF-8 bytes."""

    def __init__(self, blob: Buffer, offsets: np.ndarray, ids: np.ndarray) -> None:
        self.blob = blob  # the sorted terms, concatenated
        self.offsets = offsets  # term i is blob[offsets[i]:offsets[i + 1]]
        self.ids = ids  # the id of the i-th term in sorted order
        self.get = lru_cache(maxsize=1 << 16)(self.find)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, int]) -> TermIds:
        """Freeze a term → id mapping built during indexing."""
        terms = sorted(mapping)  # code point order is UTF-8 byte order
        encoded = [t.encode("utf-8") for t in terms]
        offsets = np.zeros(len(terms) + 1, np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        ids = np.fromiter((mapping[t] for t in terms), np.int32, len(terms))
        return cls(b"".join(encoded), offsets, ids)

    def _term(self, position: int) -> bytes:
        return bytes(self.blob[int(self.offsets[position]) : int(self.offsets[position + 1])])

    def find(self, term: str, lo: int = 0, hi: int | None = None) -> int | None:
        """The term's id, or ``None``: a binary search over the sorted terms (or ``lo:hi``)."""
        key = term.encode("utf-8")
        hi = len(self.ids) if hi is None else hi
        while lo < hi:
            mid = (lo + hi) // 2
            if self._term(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        return int(self.ids[lo]) if lo < len(self.ids) and self._term(lo) == key else None

    def find_many(self, terms: list[str]) -> list[int | None]:
        """Ids of many terms at once (``None`` where unknown), uncached.

        One vectorized search over the terms' first 8 bytes narrows each lookup to the few
        terms sharing them: hundreds of lookups (spelling candidates) in well under a
        millisecond, where one binary search each would take milliseconds.
        """
        keys = np.array([_prefix_key(t.encode("utf-8")) for t in terms], np.uint64)
        starts = np.searchsorted(self._prefix_keys, keys, "left").tolist()
        ends = np.searchsorted(self._prefix_keys, keys, "right").tolist()
        return [
            self.find(t, lo, hi) if lo < hi else None
            for t, lo, hi in zip(terms, starts, ends, strict=True)
        ]

    @cached_property
    def _prefix_keys(self) -> np.ndarray:
        """Each term's first 8 bytes as a big-endian number (zero-padded): sorted like them."""
        blob = np.frombuffer(self.blob, np.uint8)
        starts, lengths = self.offsets[:-1], np.diff(self.offsets)
        keys = np.zeros(len(self.ids), np.uint64)
        for i in range(8):
            byte = blob[np.minimum(starts + i, max(len(blob) - 1, 0))] if len(blob) else 0
            keys |= np.where(lengths > i, byte, 0).astype(np.uint64) << np.uint64(8 * (7 - i))
        return keys

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


def _prefix_key(encoded: bytes) -> int:
    return int.from_bytes(encoded[:8].ljust(8, b"\0"), "big")
