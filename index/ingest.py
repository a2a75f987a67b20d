"""Ingest: one article file → cleaned text, passages and their terms, ready to index.

This is the per-article part of a build, so it runs in worker processes on large folders
(both cores, articles streamed in order); what it returns is small: the cleaned text, passage
offsets, and each passage's distinct terms with their counts (ids into the article's own
vocabulary; the build maps them to the collection's).
"""

from __future__ import annotations

import logging
import logging.handlers
import multiprocessing
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.analysis import Analyzer
from index.articles import Source, read_article, source_of
from index.cleaning import clean
from index.passages import split_passages

log = logging.getLogger(__name__)

PARALLEL_MIN_FILES = 500  # below this, starting worker processes costs more than it saves
_CHUNK = 256  # files per task sent to a worker

Progress = Callable[[int, int], None]  # called with (files done, files in all)


@dataclass(frozen=True, slots=True)
class Ingested(Source):
    """One article, cleaned, split and analyzed: everything the index keeps of it."""

    text: str  # the cleaned article
    dropped: int  # lines of clutter removed
    spans: np.ndarray  # per passage: start, end, heading start, heading end (-1: none)
    vocabulary: tuple[str, ...]  # the article's distinct terms; ids below index into it
    terms: np.ndarray  # each passage's distinct term ids, passage after passage
    counts: np.ndarray  # how often each of those terms occurs in its passage
    distinct: np.ndarray  # distinct terms per passage (slices ``terms`` and ``counts``)
    lengths: np.ndarray  # terms per passage, repeats included (BM25's document length)


_analyzer: Analyzer | None = None


def ingest(path: Path) -> Ingested | None:
    """Read, clean, split and analyze one file; ``None`` (logged) if it has no article."""
    global _analyzer  # one analyzer per process, so its stem cache serves every file
    _analyzer = _analyzer or Analyzer()
    raw = read_article(path)
    if raw is None:
        return None
    cleaned = clean(raw.body, raw.title, raw.subtitle)
    passages = split_passages(cleaned.text)
    log.info(
        "%s: kept %d passages, dropped %d lines of clutter",
        path.name,
        len(passages),
        len(cleaned.dropped),
    )
    if not passages:
        log.warning("skipped %s: no article text left after cleaning", path.name)
        return None
    vocabulary: dict[str, int] = {}
    terms: list[int] = []
    counts: list[int] = []
    distinct, lengths = [], []
    for p in passages:
        words = _analyzer.terms(f"{p.heading}\n{p.text}" if p.heading else p.text)
        tally = Counter(words)
        terms.extend(vocabulary.setdefault(w, len(vocabulary)) for w in tally)
        counts.extend(tally.values())
        distinct.append(len(tally))
        lengths.append(len(words))
    return Ingested(
        **source_of(raw),
        text=cleaned.text,
        dropped=len(cleaned.dropped),
        spans=np.array(
            [(p.start, p.end, p.heading_start, p.heading_end) for p in passages], np.int32
        ),
        vocabulary=tuple(vocabulary),
        terms=np.array(terms, np.int32),
        counts=np.array(counts, np.int32),
        distinct=np.array(distinct, np.int32),
        lengths=np.array(lengths, np.int32),
    )


def ingest_all(paths: list[Path], progress: Progress | None = None) -> Iterator[Ingested]:
    """Ingest files in order, in worker processes when there are many; skip unusable ones."""
    done = 0

    def counted(results: Iterable[Ingested | None]) -> Iterator[Ingested]:
        nonlocal done
        for result in results:
            done += 1
            if progress:
                progress(done, len(paths))
            if result is not None:
                yield result

    if len(paths) < PARALLEL_MIN_FILES or _workers() < 2:
        yield from counted(map(ingest, paths))
        return
    # Workers are spawned (not forked: the bot builds from a thread) and send their log
    # records back, so warnings about bad files appear once, in this process's log.
    records: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
    listener = logging.handlers.QueueListener(records, _Relay(), respect_handler_level=False)
    listener.start()
    try:
        with ProcessPoolExecutor(
            max_workers=_workers(),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(records, logging.getLogger("index").getEffectiveLevel()),
        ) as pool:
            yield from counted(result for batch in _bounded(pool, paths) for result in batch)
    except (BrokenProcessPool, OSError) as exc:
        # E.g. a program read from stdin cannot be re-imported by spawned workers.
        log.warning("worker processes failed (%s): continuing in this process", exc)
        yield from counted(map(ingest, paths[done:]))
    finally:
        listener.stop()
        records.close()
        records.join_thread()


def _workers() -> int:
    return min(multiprocessing.cpu_count(), 8)


def _bounded(pool: ProcessPoolExecutor, paths: list[Path]) -> Iterator[list[Ingested | None]]:
    """Batches of results in order, with few batches in flight: memory stays bounded.

    (``Executor.map`` would queue every file at once and let finished results pile up.)
    """
    batches = (paths[i : i + _CHUNK] for i in range(0, len(paths), _CHUNK))
    in_flight: deque[Future[list[Ingested | None]]] = deque()
    for batch in batches:
        in_flight.append(pool.submit(_ingest_batch, batch))
        if len(in_flight) >= 2 * _workers():
            yield in_flight.popleft().result()
    while in_flight:
        yield in_flight.popleft().result()


def _ingest_batch(paths: list[Path]) -> list[Ingested | None]:
    return [ingest(path) for path in paths]


def _init_worker(records: multiprocessing.Queue, level: int) -> None:
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(records)]
    logging.getLogger("index").setLevel(level)


class _Relay(logging.Handler):
    """Hands a worker's log record to this process's logger of the same name."""

    def emit(self, record: logging.LogRecord) -> None:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)
