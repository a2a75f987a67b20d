"""Plumbing shared by the public-data benchmarks: where the data is, article files, tables.

The data sets are not part of the repository (licences, size); they sit in a shared folder
beside it, ``../shared/data/<name>/``, or wherever ``--data`` points. Everything generated
goes to ``benchmarks/out/`` (git-ignored).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from rank_bm25 import BM25Okapi

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
SHARED_DATA = REPO.parent / "shared" / "data"


def find_data(name: str, data: Path | None, required: Sequence[str]) -> Path | None:
    """The data set's folder, or ``None`` when it is not there.

    ``--data`` may name the data set's own folder or the folder holding it (like
    ``../shared/data``); it counts only if ``required`` files are all present, so a wrong
    folder reads as "absent" rather than failing half-way through a run.
    """
    base = data if data is not None else SHARED_DATA
    for folder in (base / name, base):
        if all((folder / f).is_file() for f in required):
            return folder
    return None


def absent_message(name: str, data: Path | None) -> str:
    """The one line a script prints when its data set is missing (then it exits 0)."""
    where = data if data is not None else SHARED_DATA
    return f"{name}: data not found in {where} (pass --data DIR); nothing to do."


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` unless the file already holds it; whether it wrote.

    Unchanged files keep their mtime, so ``Library.open`` finds its saved index current
    and a rerun does not rebuild.
    """
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def article_file(article_id: str, title: str, paragraphs: Sequence[str]) -> str:
    """An article file as users write them: ``---`` header, then blank-line paragraphs.

    The ``id`` field fixes the article's id, so results map back to their source exactly
    (titles are not unique in every data set). Paragraph white space is folded to single
    spaces: the cleaner reads one block per line, so a hard line break would cut a paragraph.
    """
    header = f"---\nid: {article_id}\n" + (f"title: {title}\n" if title else "") + "---\n"
    return header + "\n\n".join(" ".join(p.split()) for p in paragraphs) + "\n"


def bm25_top(okapi: BM25Okapi, terms: Sequence[str], k: int) -> list[int]:
    """Plain rank-bm25: ``get_scores`` then the best ``k`` documents with a positive score.

    Documents sharing no term with the query score zero and are not "retrieved"; ties keep
    document order (a stable sort), as the project's engine breaks them.
    """
    scores = okapi.get_scores(list(terms))
    order = np.argsort(-scores, kind="stable")[:k]
    return [int(i) for i in order if scores[i] > 0]


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table; cells are printed with ``str``."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def pct(value: float) -> str:
    """A rate as a table cell."""
    return f"{value:.3f}"


def provenance() -> dict[str, Any]:
    """Machine, library versions and project commit: figures mean little without them."""

    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "rank_bm25": version("rank-bm25"),
        "nltk": version("nltk"),
        "project_commit": _git("rev-parse", "--short", "HEAD"),
        # another change to index/ may be in progress: say whether the code measured is HEAD's
        "project_index_dirty": bool(_git("status", "--porcelain", "--", "index")),
    }


def _git(*args: str) -> str:
    """Output of a read-only git command, or "" outside a work tree."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def finish(stem: str, report: dict[str, Any], text: str, started: float) -> int:
    """Save a run's figures (with provenance and its time), print them; the exit status."""
    total = time.perf_counter() - started
    path = write_json(stem, {"provenance": provenance(), **report, "total_s": total})
    print(text)
    print(f"\nTotal {total:.1f} s. Written: {path}")
    return 0


def write_json(stem: str, report: dict[str, Any]) -> Path:
    """Save a run's report as ``benchmarks/out/<stem>-<timestamp>.json``."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return path
