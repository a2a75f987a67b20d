"""Persistence: save and load a built index safely, without pickle, memory-mapped.

Each build is written to its own folder under ``<root>/builds/`` (arrays as ``.npy``, text
as plain files, every file's size and checksums in ``manifest.json``, written last), and
becomes current by atomically replacing ``<root>/CURRENT``. A crash mid-build leaves the
previous build current. Files are opened as memory maps, so loading costs no copying and
processes that open the same index share its pages.

Checking: every file's size always (a half-written file is caught); small files are hashed
whole at each load, large ones by a sample of blocks spread over the file, which keeps a
million-passage index loading in a fraction of a second.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mmap
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

FORMAT_VERSION = 4
MANIFEST = "manifest.json"
FULL_CHECK_BYTES = 32 << 20  # files up to this size are hashed whole at load
_SAMPLE_BLOCKS = 256
_BLOCK = 4096
_STALE_SECONDS = 3600  # a build folder untouched this long is left over from a crash
_LOAD_ATTEMPTS = 3  # builds replaced by other processes' saves while we open them, at most

Blob = bytes | bytearray | mmap.mmap


class CorruptIndex(Exception):
    """The persisted index cannot be trusted (damaged, half-written or foreign)."""


@dataclass(frozen=True, slots=True)
class Stored:
    """What a build persists: JSON-able metadata, named arrays and named byte blobs."""

    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]
    blobs: dict[str, Blob]


def digest(path: Path, size: int) -> str:
    """The file's checksum: whole for small files, sampled blocks for large ones."""
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        if size <= FULL_CHECK_BYTES:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        else:
            step = (size - _BLOCK) // (_SAMPLE_BLOCKS - 1)
            for i in range(_SAMPLE_BLOCKS):
                fh.seek(i * step)
                h.update(fh.read(_BLOCK))
    return h.hexdigest()


def save(root: Path, stored: Stored) -> Path:
    """Write a build and make it current; returns the build folder."""
    builds = root / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    build_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
    tmp = builds / f"{build_id}.tmp"
    tmp.mkdir()
    for name, array in stored.arrays.items():
        with open(tmp / f"{name}.npy", "wb") as fh:
            np.save(fh, np.ascontiguousarray(array), allow_pickle=False)
            _sync(fh)
    for name, blob in stored.blobs.items():
        with open(tmp / name, "wb") as fh:
            fh.write(blob)
            _sync(fh)
    files = {}
    for path in tmp.iterdir():
        size = path.stat().st_size
        files[path.name] = {"bytes": size, "digest": digest(path, size)}
    manifest = {"format": FORMAT_VERSION, "files": files, "meta": stored.meta}
    with open(tmp / MANIFEST, "wb") as fh:
        fh.write(json.dumps(manifest, ensure_ascii=False).encode())
        _sync(fh)
    tmp.rename(builds / build_id)
    pointer = root / f"CURRENT.{uuid.uuid4().hex[:8]}.tmp"
    with open(pointer, "w") as fh:
        fh.write(build_id)
        _sync(fh)
    superseded = _current_id(root)
    os.replace(pointer, root / "CURRENT")
    _remove_old_builds(builds, keep=build_id, superseded=superseded)
    return builds / build_id


def _sync(fh: Any) -> None:
    fh.flush()
    os.fsync(fh.fileno())


def _read_current(root: Path) -> str | None:
    """The build ``CURRENT`` names; ``None`` with no index; ``CorruptIndex`` if unreadable."""
    try:
        return (root / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise CorruptIndex(f"unreadable CURRENT pointer: {exc}") from exc


def _current_id(root: Path) -> str | None:
    """``_read_current`` for saving, where an unreadable pointer is about to be replaced."""
    try:
        return _read_current(root)
    except CorruptIndex:
        return None


def _remove_old_builds(builds: Path, keep: str, superseded: str | None) -> None:
    """Delete the build ours replaced, and folders left by crashes (open memory maps stay valid).

    Another process may be saving into the same folder: its temp folder, or its finished build
    about to become current, is recent and neither ours nor the one we replaced, so it stays.
    The build ``CURRENT`` names now stays too: another process may have switched after us.
    """
    current = _current_id(builds.parent) or keep
    now = time.time()
    for entry in builds.iterdir():
        if entry.name in (keep, current):
            continue
        try:
            left_over = now - entry.stat().st_mtime > _STALE_SECONDS
        except OSError:
            continue  # removed meanwhile by another process
        if entry.name == superseded or left_over:
            shutil.rmtree(entry, ignore_errors=True)


def load(root: Path) -> Stored | None:
    """The current build, checked; ``None`` if there is none; ``CorruptIndex`` if damaged.

    A build that fails to open because another process's save replaced it meanwhile (its
    folder gone, or half removed) is no damage: ``CURRENT`` then names the newer build, which
    is read instead, a few times at most.
    """
    attempt = 1
    while True:
        build_id = _read_current(root)
        if build_id is None:
            return None
        folder = root / "builds" / build_id
        try:
            if not build_id or "/" in build_id or not folder.is_dir():
                raise CorruptIndex(f"CURRENT names a missing build {build_id!r}")
            return load_build(folder)
        except CorruptIndex:
            if attempt == _LOAD_ATTEMPTS or _current_id(root) == build_id:
                raise
            attempt += 1


def load_build(folder: Path) -> Stored:
    """One build folder, checked (``CorruptIndex`` if damaged), whether current or not."""
    try:
        manifest = json.loads((folder / MANIFEST).read_bytes())
        if manifest.get("format") != FORMAT_VERSION:
            raise CorruptIndex(f"written in format {manifest.get('format')}, not {FORMAT_VERSION}")
        files: dict[str, dict[str, Any]] = manifest["files"]
        if any("/" in name or name.startswith(".") for name in files):
            raise CorruptIndex("the manifest names files outside its build")
        arrays: dict[str, np.ndarray] = {}
        blobs: dict[str, Blob] = {}
        for name, expected in files.items():
            _check(folder / name, expected)
            if name.endswith(".npy"):
                arrays[name.removesuffix(".npy")] = _open_array(folder / name)
            else:
                blobs[name] = _open_blob(folder / name)
        return Stored(manifest["meta"], arrays, blobs)
    except CorruptIndex:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CorruptIndex(f"bad build {folder.name}: {exc}") from exc


def _check(path: Path, expected: dict[str, Any]) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CorruptIndex(f"cannot read {path.name}: {exc.strerror}") from exc
    if size != expected["bytes"]:
        raise CorruptIndex(f"{path.name} has {size} bytes, not {expected['bytes']}")
    if digest(path, size) != expected["digest"]:
        raise CorruptIndex(f"{path.name} is damaged (checksum mismatch)")


def _open_array(path: Path) -> np.ndarray:
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError as exc:  # object arrays would need pickle: refused
        raise CorruptIndex(f"{path.name} is not a plain array: {exc}") from exc


def _open_blob(path: Path) -> Blob:
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return b""
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
