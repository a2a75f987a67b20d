"""Ingest: one article file → cleaned text, passages and their terms, ready to index.

This is the per-article part of a build, so it runs in worker processes on large folders
(both cores, articles streamed in order); what it returns is small: the cleaned text, passage
offsets, and each passage's distinct terms with their counts (ids into a numbering of terms
the articles of one ingest share and that grows as they come; the build maps it to the
collection's ids once per term).
"""

from __future__ import annotations

import logging
import logging.handlers
import multiprocessing
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np

from index.analysis import Analyzer
from index.articles import Source, display_name, read_article, source_of
from index.cleaning import clean
from index.passages import split_passages

log = logging.getLogger(__name__)

PARALLEL_MIN_FILES = 500  # below this, starting worker processes costs more than it saves
_PARENT_CHECK_SECONDS = 0.5  # how often a worker looks whether the building process is alive
_CHUNK = 256  # files per task sent to a worker

Progress = Callable[[int, int], None]  # called with (files done, files in all)


@dataclass(frozen=True, slots=True)
class Ingested(Source):
    """One article, cleaned, split and analyzed: everything the index keeps of it."""

    text: str  # the cleaned article
    dropped: int  # lines of clutter removed
    spans: np.ndarray  # per passage: start, end, heading start, heading end (-1: none)
    terms_by_id: Sequence[str]  # what the ids below index into: shared by one ingest, growing
    terms: np.ndarray  # each passage's distinct term ids, passage after passage
    counts: np.ndarray  # how often each of those terms occurs in its passage
    distinct: np.ndarray  # distinct terms per passage (slices ``terms`` and ``counts``)
    lengths: np.ndarray  # terms per passage, repeats included (BM25's document length)


class Terms:
    """Terms numbered in the order met, a growing term -> id map: one per ingest (per process).

    Articles of one ingest share it, so the build maps each term to its collection-wide id
    once rather than once per article.
    """

    def __init__(self) -> None:
        self.terms: list[str] = []
        self.ids: dict[str, int] = {}

    def ids_of(self, words: Iterable[str]) -> list[int]:
        """The ids of distinct ``words``, numbering the new ones."""
        words = list(words)
        for word in words:
            if word not in self.ids:
                self.ids[word] = len(self.terms)
                self.terms.append(word)
        return list(map(self.ids.__getitem__, words))


_analyzer: Analyzer | None = None


def ingest(path: Path, numbering: Terms) -> Ingested | None:
    """Read, clean, split and analyze one file; ``None`` (logged) if it has no article."""
    global _analyzer  # one analyzer per process, so its stem cache serves every file
    _analyzer = _analyzer or Analyzer()
    raw = read_article(path)
    if raw is None:
        return None
    cleaned = clean(raw.body, raw.title, raw.subtitle, raw.extracted)
    passages = split_passages(cleaned.text)
    log.info(
        "%s: kept %d passages, dropped %d lines of clutter",
        display_name(path.name),
        len(passages),
        len(cleaned.dropped),
    )
    if not passages:
        log.warning("skipped %s: no article text left after cleaning", display_name(path.name))
        return None
    terms: list[int] = []
    counts: list[int] = []
    distinct, lengths = [], []
    # The headline opens the article: its words count once, with the lede, unless the text
    # opens with them already (a title taken from the first line). The cleaner drops a body
    # line repeating the title. This raised Cranfield's MAP (README, "Measured") and left
    # the seeds and SQuAD unchanged; the title with every passage, or the subtitle too, cost
    # a seed answer.
    headline = _analyzer.terms(raw.title)
    # The outlet's words go with the first passage too, so a question naming the outlet finds
    # the article; they do not lengthen it (metadata, not text that dilutes its words).
    outlet = _analyzer.terms(raw.outlet)
    for number, p in enumerate(passages):
        words = _analyzer.terms(f"{p.heading}\n{p.text}" if p.heading else p.text)
        if number == 0 and words[: len(headline)] != headline:
            words = headline + words
        tally = Counter(words + outlet if number == 0 else words)
        terms.extend(numbering.ids_of(tally))
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
        terms_by_id=numbering.terms,
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

    shared = Terms()
    if len(paths) < PARALLEL_MIN_FILES or _workers() < 2:
        yield from counted(ingest(path, shared) for path in paths)
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
            initargs=(records, logging.getLogger("index").getEffectiveLevel(), os.getpid()),
        ) as pool:
            translated = map(partial(_translate, shared, {}), _bounded(pool, paths))
            yield from counted(result for batch in translated for result in batch)
    except (BrokenProcessPool, OSError) as exc:
        # E.g. a program read from stdin cannot be re-imported by spawned workers.
        log.warning("worker processes failed (%s): continuing in this process", exc)
        yield from counted(ingest(path, shared) for path in paths[done:])
    finally:
        listener.stop()
        records.close()
        records.join_thread()


def _workers() -> int:
    return min(multiprocessing.cpu_count(), 8)


def _bounded(pool: ProcessPoolExecutor, paths: list[Path]) -> Iterator[Batch]:
    """Batches of results in order, with few batches in flight: memory stays bounded.

    (``Executor.map`` would queue every file at once and let finished results pile up.)
    """
    batches = (paths[i : i + _CHUNK] for i in range(0, len(paths), _CHUNK))
    in_flight: deque[Future[Batch]] = deque()
    for batch in batches:
        in_flight.append(pool.submit(_ingest_batch, batch))
        if len(in_flight) >= 2 * _workers():
            yield in_flight.popleft().result()
    while in_flight:
        yield in_flight.popleft().result()


# Workers send their articles in batches, term ids into the worker's own numbering, plus
# the terms the batch added to it; the building process translates the ids into the shared
# numbering, mapping each term once per worker.
Batch = tuple[int, list[str], list[Ingested | None]]  # worker pid, its new terms, articles
_worker_terms = Terms()  # used in worker processes only


def _ingest_batch(paths: list[Path]) -> Batch:
    known = len(_worker_terms.terms)
    items = [ingest(path, _worker_terms) for path in paths]
    items = [item and replace(item, terms_by_id=()) for item in items]  # sent once, below
    return os.getpid(), _worker_terms.terms[known:], items


def _translate(
    shared: Terms, per_worker: dict[int, np.ndarray], batch: Batch
) -> list[Ingested | None]:
    """A worker's batch with term ids into ``shared`` (``per_worker``: each worker's map)."""
    worker, new_terms, items = batch
    added = np.array(shared.ids_of(new_terms), np.int32)
    table = per_worker[worker] = np.concatenate([per_worker.get(worker, added[:0]), added])
    return [
        item and replace(item, terms_by_id=shared.terms, terms=table[item.terms]) for item in items
    ]


def _init_worker(records: multiprocessing.Queue, level: int, parent: int) -> None:
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(records)]
    logging.getLogger("index").setLevel(level)
    # The parent's id as it gave it: killed while this worker started, it is no parent now.
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """End this worker once the building process is gone (``kill -9`` lets it clean nothing).

    A worker waits for files on a queue it also holds the writing end of, so it would wait
    forever, and keep the resource tracker alive with it; the tracker frees the queue's
    semaphores (in ``/dev/shm``) only once every process using them has ended.
    """
    while os.getppid() == parent:
        time.sleep(_PARENT_CHECK_SECONDS)
    os._exit(1)


class _Relay(logging.Handler):
    """Hands a worker's log record to this process's logger of the same name."""

    def emit(self, record: logging.LogRecord) -> None:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)
