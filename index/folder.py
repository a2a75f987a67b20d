"""The articles folder as the index saw it: each file's name, size, time and content hash.

Compared at every open to tell whether the saved index is current and, when it is not, which
files an update must read again. Kept as arrays rather than JSON: a folder of 100,000 files
has to be checked in a fraction of a second, so the check is one listing and one ``stat``
per file, and content is hashed only for files whose size or time changed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISDIR, S_ISLNK, S_ISREG

import numpy as np

from index.articles import (
    LINK_NOT_FOLLOWED,
    UNREADABLE,
    display_name,
    fingerprint_file,
    is_article_name,
)

log = logging.getLogger(__name__)

_SEPARATOR = "\0"  # the one character a file name cannot contain


@dataclass(frozen=True, slots=True)
class Listing:
    """Article file names (sorted: the order they are indexed in) and their stats.

    ``skipped`` holds the entries with an article's name that are not regular files (links,
    folders, FIFOs), with the reason, so that the library can say once why they are ignored.
    """

    names: list[str]
    stats: np.ndarray  # int64, one row per file: size in bytes, mtime in ns
    skipped: tuple[tuple[str, str], ...] = ()

    @classmethod
    def read(cls, folder: Path) -> Listing:
        """One listing, then one ``lstat`` per file relative to the open folder.

        Vanished or unreadable files are left out (the build reports them if they are still
        there); a missing folder lists nothing. Links are not followed (see
        ``open_article_file``).
        """
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return cls([], np.zeros((0, 2), np.int64))
        names, stats, skipped = [], [], []
        try:
            for name in sorted(n for n in os.listdir(fd) if is_article_name(n)):
                try:
                    stat = os.stat(name, dir_fd=fd, follow_symlinks=False)
                except OSError:
                    continue
                if S_ISREG(stat.st_mode):
                    names.append(name)
                    stats.append((stat.st_size, stat.st_mtime_ns))
                else:
                    skipped.append((name, _kind(stat.st_mode)))
        finally:
            os.close(fd)
        return cls(names, np.array(stats, np.int64).reshape(-1, 2), tuple(skipped))

    def warn_skipped(self) -> None:
        """One warning per entry that looks like an article but is not a regular file."""
        for name, kind in self.skipped:
            log.warning("skipped %s: %s", display_name(name), kind)

    def versions(self) -> list[tuple[str, tuple[int, int]]]:
        """(name, (size, mtime)) per file: what identifies a file's version without reading it."""
        return list(zip(self.names, map(tuple, self.stats.tolist()), strict=True))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Listing)
            and self.names == other.names
            and np.array_equal(self.stats, other.stats)
            and self.skipped == other.skipped
        )


@dataclass(frozen=True, slots=True)
class FolderState:
    """A listing plus each file's content hash (or a marker if it cannot be read)."""

    listing: Listing
    hashes: list[str]

    @classmethod
    def read(cls, folder: Path, previous: FolderState | None = None) -> FolderState:
        """The folder now; files whose size and time match ``previous`` are not read."""
        listing = Listing.read(folder)
        if (
            previous is not None
            and listing == previous.listing
            and UNREADABLE not in previous.hashes
        ):
            return cls(listing, previous.hashes)
        known = {}
        if previous is not None:
            now = set(listing.versions())
            pairs = zip(previous.listing.versions(), previous.hashes, strict=True)
            # A file that could not be read is tried again: it may be readable now.
            known = {v[0]: digest for v, digest in pairs if v in now and digest != UNREADABLE}
        return cls.of(folder, listing, known)

    @classmethod
    def of(cls, folder: Path, listing: Listing, known: Mapping[str, str]) -> FolderState:
        """``listing`` with the hashes ``known`` by file name; other files are hashed now.

        After a build the articles' own hashes (taken from the bytes they were read from)
        are known, so only the files that gave no article are read again; on an open, those
        of the files whose size and time are unchanged.
        """
        return cls(listing, [known.get(n) or fingerprint_file(folder / n) for n in listing.names])

    def same_contents(self, other: FolderState) -> bool:
        """Same files with the same bytes (times may differ: a ``touch`` changes nothing)."""
        return self.listing.names == other.listing.names and self.hashes == other.hashes

    def changed_since(self, other: FolderState) -> set[str]:
        """Files that are new, or whose content differs from ``other``'s."""
        before = dict(zip(other.listing.names, other.hashes, strict=True))
        now = zip(self.listing.names, self.hashes, strict=True)
        return {name for name, digest in now if before.get(name) != digest}

    def to_stored(self) -> tuple[dict[str, np.ndarray], dict[str, bytes]]:
        """Arrays and blobs for ``index.store``."""
        blobs = {
            "folder_names.txt": _SEPARATOR.join(self.listing.names).encode(
                "utf-8", "surrogateescape"
            ),
            "folder_hashes.txt": _SEPARATOR.join(self.hashes).encode(),
        }
        return {"folder_stats": self.listing.stats}, blobs

    @classmethod
    def from_stored(cls, arrays: dict[str, np.ndarray], blobs: dict) -> FolderState:
        """The state saved with an index; ``KeyError``/``ValueError`` if it is incomplete."""
        names = _split(bytes(blobs["folder_names.txt"]).decode("utf-8", "surrogateescape"))
        hashes = _split(bytes(blobs["folder_hashes.txt"]).decode())
        stats = np.asarray(arrays["folder_stats"], np.int64)
        if not len(names) == len(hashes) == len(stats):
            raise ValueError("the saved folder listing is inconsistent")
        return cls(Listing(names, stats.reshape(-1, 2)), hashes)


def _kind(mode: int) -> str:
    """Why an entry named like an article is not read."""
    if S_ISLNK(mode):
        return LINK_NOT_FOLLOWED
    if S_ISDIR(mode):
        return "a folder, not a file"
    return "not a regular file"


def _split(text: str) -> list[str]:
    return text.split(_SEPARATOR) if text else []
