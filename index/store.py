"""Persistence: save and load a built index safely, without pickle.

Each build is written to its own folder under ``<root>/builds/`` (arrays as ``.npy``, the rest
as JSON/text, every file with its checksum in ``manifest.json``, written last), and becomes
current by atomically replacing ``<root>/CURRENT``. A crash mid-build leaves the previous
build current; a damaged file fails its checksum and the caller rebuilds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_STALE_TMP_SECONDS = 3600


class CorruptIndex(Exception):
    """The persisted index cannot be trusted (damaged, half-written or foreign)."""


@dataclass(frozen=True, slots=True)
class Stored:
    """What a build persists: JSON-able metadata, named arrays and named text blobs."""

    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]
    blobs: dict[str, bytes]


def _checksum(data: bytes | memoryview) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _npy_bytes(array: np.ndarray) -> bytes:
    buf = BytesIO()
    np.save(buf, np.ascontiguousarray(array), allow_pickle=False)
    return buf.getvalue()


def save(root: Path, stored: Stored) -> Path:
    """Write a build and make it current; returns the build folder."""
    builds = root / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    build_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
    tmp = builds / f"{build_id}.tmp"
    tmp.mkdir()
    files: dict[str, str] = {}
    for name, array in stored.arrays.items():
        data = _npy_bytes(array)
        _write(tmp / f"{name}.npy", data)
        files[f"{name}.npy"] = _checksum(data)
    for name, blob in stored.blobs.items():
        _write(tmp / name, blob)
        files[name] = _checksum(blob)
    manifest = {"format": FORMAT_VERSION, "files": files, "meta": stored.meta}
    _write(tmp / MANIFEST, json.dumps(manifest, ensure_ascii=False).encode())
    final = builds / build_id
    tmp.rename(final)
    pointer = root / f"CURRENT.{uuid.uuid4().hex[:8]}.tmp"
    _write(pointer, build_id.encode())
    os.replace(pointer, root / "CURRENT")
    _remove_old_builds(builds, keep=build_id)
    return final


def _remove_old_builds(builds: Path, keep: str) -> None:
    """Delete superseded builds (open memory maps stay valid) and abandoned temp folders."""
    now = time.time()
    for entry in builds.iterdir():
        if entry.name == keep:
            continue
        abandoned = entry.name.endswith(".tmp") and now - entry.stat().st_mtime > _STALE_TMP_SECONDS
        if not entry.name.endswith(".tmp") or abandoned:
            shutil.rmtree(entry, ignore_errors=True)


def load(root: Path) -> Stored | None:
    """The current build, verified; ``None`` if there is none; ``CorruptIndex`` if damaged."""
    try:
        build_id = (root / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise CorruptIndex(f"unreadable CURRENT pointer: {exc}") from exc
    folder = root / "builds" / build_id
    if not build_id or "/" in build_id or not folder.is_dir():
        raise CorruptIndex(f"CURRENT names a missing build {build_id!r}")
    try:
        manifest = json.loads((folder / MANIFEST).read_bytes())
        files: dict[str, str] = manifest["files"]
        if manifest.get("format") != FORMAT_VERSION:
            raise CorruptIndex(f"format {manifest.get('format')} is not {FORMAT_VERSION}")
    except CorruptIndex:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CorruptIndex(f"bad manifest in {folder.name}: {exc}") from exc
    arrays: dict[str, np.ndarray] = {}
    blobs: dict[str, bytes] = {}
    for name, expected in files.items():
        path = folder / name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CorruptIndex(f"cannot read {name}: {exc}") from exc
        if _checksum(data) != expected:
            raise CorruptIndex(f"{name} is damaged (checksum mismatch)")
        if name.endswith(".npy"):
            try:
                arrays[name.removesuffix(".npy")] = np.load(path, mmap_mode="r", allow_pickle=False)
            except ValueError as exc:  # object arrays would need pickle: refused
                raise CorruptIndex(f"{name} is not a plain array: {exc}") from exc
        else:
            blobs[name] = data
    return Stored(manifest["meta"], arrays, blobs)
