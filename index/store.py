"""Persistence: save and load a built index safely, without pickle, memory-mapped.

Each build is written to its own folder under ``<root>/builds/`` (arrays as ``.npy``, text
as plain files, every file's size and checksums in ``manifest.json``, written last), and
becomes current by atomically replacing ``<root>/CURRENT``. A crash mid-build leaves the
previous build current. Files are opened as memory maps, so loading costs no copying and
processes that open the same index share its pages.

Checking, at every load: each file's size, on the opened file and again on its memory map
(a file cut short is never mapped: reading past its end would kill the process with
SIGBUS), and a CRC-32 of every byte: a sample of blocks lets a flipped byte through, and a
damaged text crashes ``source``. Checking a whole index costs about what reading it from the
page cache does (the figures: README.md, "Measured"; the runs: docs/experiments.md).
"""

from __future__ import annotations

import io
import json
import logging
import mmap
import os
import shutil
import time
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

FORMAT_VERSION = 5
MANIFEST = "manifest.json"
_NPY_HEADER_MAX = 1 << 16  # a .npy header is read from at most this many leading bytes
_STALE_SECONDS = 3600  # a build folder untouched this long is left over from a crash
_STALE_POINTER_SECONDS = 60  # a CURRENT.*.tmp lives for one write and fsync unless killed
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


def digest(data: Blob) -> str:
    """The checksum of every byte of ``data`` (CRC-32: damage, not tampering, is the risk)."""
    return f"{zlib.crc32(data):08x}"


def file_digest(path: Path) -> str:
    """``digest`` of a file's bytes, read a megabyte at a time (builds can be gigabytes)."""
    crc = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            crc = zlib.crc32(chunk, crc)
    return f"{crc:08x}"


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
        files[path.name] = {"bytes": path.stat().st_size, "digest": file_digest(path)}
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


def _remove_stale_pointers(root: Path) -> None:
    """Delete the ``CURRENT.*.tmp`` files of saves killed before they could replace ``CURRENT``.

    Another process's save in progress holds its own for milliseconds: only old ones go.
    """
    now = time.time()
    for pointer in root.glob("CURRENT.*.tmp"):
        try:
            if now - pointer.stat().st_mtime > _STALE_POINTER_SECONDS:
                pointer.unlink()
        except OSError:
            continue  # removed meanwhile by another process


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
    is read instead, a few times at most. Pointers left by killed saves are removed first.
    """
    _remove_stale_pointers(root)
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
            blob = _open_checked(folder / name, expected)
            if name.endswith(".npy"):
                arrays[name.removesuffix(".npy")] = _array(name, blob)
            else:
                blobs[name] = blob
        return Stored(manifest["meta"], arrays, blobs)
    except CorruptIndex:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CorruptIndex(f"bad build {folder.name}: {exc}") from exc


def _open_checked(path: Path, expected: dict[str, Any]) -> Blob:
    """The file memory-mapped, once its size (before and after mapping) and checksum match.

    The size is checked on the opened file and on the map itself, so a file truncated in
    place by an outside writer, even between two checks, is refused rather than mapped.
    """
    size = expected["bytes"]
    try:
        with open(path, "rb") as fh:
            actual = os.fstat(fh.fileno()).st_size
            if actual != size:
                raise CorruptIndex(f"{path.name} has {actual} bytes, not {size}")
            blob: Blob = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
    except OSError as exc:
        raise CorruptIndex(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if len(blob) != size or (isinstance(blob, mmap.mmap) and blob.size() != size):
        raise CorruptIndex(f"{path.name} changed size while it was opened")
    if digest(blob) != expected["digest"]:
        raise CorruptIndex(f"{path.name} is damaged (checksum mismatch)")
    return blob


def _array(name: str, blob: Blob) -> np.ndarray:
    """A read-only array over a checked ``.npy`` map (no copy; object arrays refused)."""
    header = io.BytesIO(bytes(blob[:_NPY_HEADER_MAX]))
    version = np.lib.format.read_magic(header)
    read = (
        np.lib.format.read_array_header_1_0
        if version == (1, 0)
        else np.lib.format.read_array_header_2_0
    )
    shape, fortran, dtype = read(header)
    if dtype.hasobject:  # would need pickle: refused
        raise CorruptIndex(f"{name} is not a plain array")
    order = "F" if fortran else "C"
    return np.ndarray(shape, dtype, buffer=blob, offset=header.tell(), order=order)
