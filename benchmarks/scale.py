"""Scale benchmark: the project's index against rank-bm25 and bm25s, 10k to 1M passages.

Run by hand (not in CI), from the repository root with the virtualenv active::

    python -m benchmarks.scale                  # 10k and 100k passages
    python -m benchmarks.scale --million        # and 1M (about 10+ minutes more)
    python -m benchmarks.scale --sizes 10k --profile 100k

It prints the machine, a markdown table (one row per size and system), the ratios, a parity
check, and writes everything to ``benchmarks/out/scale-<timestamp>.json``.

Every measurement that involves loading an index or building one runs in its own fresh
process, started through a tiny launcher (see ``LAUNCHER``), so peak memory is the
measured process's own and a build's garbage never leaks into the next measurement.
See benchmarks/README.md for what each column means.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import synthetic

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

DEFAULT_SIZES = (10_000, 100_000)
MILLION = 1_000_000
SEED = 7
K = 10
LOOP_BUDGET_S = 60.0  # a question loop estimated to take longer is cut here (partial)
ESTIMATE_AFTER = 5  # timed questions before the loop's total is estimated
WARMUP_QUESTIONS, WARMUP_BUDGET_S = 20, 5.0
COLD_RUNS = 3
BM25_PARAMS = {"k1": 1.5, "b": 0.75, "epsilon": 0.25}  # rank-bm25's and the project's defaults

# Runs a command and reports its wall time, CPU time and peak memory. Memory is the larger of
# (a) ru_maxrss from wait4, the biggest single process (the command or a reaped child), and
# (b) the sum of RSS over the command's whole process tree, sampled every 50 ms, which is
# what a build with worker processes really holds at once. Why a launcher at all: a child
# spawned straight from this (large) process would inherit our peak in ru_maxrss, since
# Linux carries the pre-exec high-water mark across exec and subprocess uses vfork.
LAUNCHER = """
import json, os, subprocess, sys, time
import psutil
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
root = psutil.Process(child.pid)
tree_peak = 0
while True:
    pid, status, usage = os.wait4(child.pid, os.WNOHANG)
    if pid:
        break
    total = 0
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        procs = []
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            pass
    tree_peak = max(tree_peak, total)
    time.sleep(0.05)
child.returncode = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as fh:
    json.dump({"wall": time.perf_counter() - started, "maxrss_kb": usage.ru_maxrss,
               "tree_peak_bytes": tree_peak, "cpu": usage.ru_utime + usage.ru_stime,
               "rc": child.returncode}, fh)
sys.exit(child.returncode)
"""


# --- running things ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    """A finished subprocess: wall and CPU time, peak memory (see LAUNCHER) and its output."""

    wall: float
    cpu: float
    peak_rss_mb: float
    single_process_peak_mb: float
    tree_peak_mb: float
    stdout: str
    stderr: str


class RunFailed(RuntimeError):
    """A measured command exited non-zero (its stderr is in the message)."""


def _env() -> dict[str, str]:
    """Our environment without the project's folder overrides, so flags decide everything."""
    folders = ("NEWSDESK_SEEDS", "NEWSDESK_ARTICLES", "NEWSDESK_INDEX_DIR")
    env = {k: v for k, v in os.environ.items() if k not in folders}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run(cmd: Sequence[str | Path]) -> Run:
    """Run ``cmd`` through the launcher: wall time, CPU time and peak memory of it alone."""
    with tempfile.TemporaryDirectory() as tmp:
        report, out, err = Path(tmp, "report.json"), Path(tmp, "out"), Path(tmp, "err")
        with out.open("wb") as stdout, err.open("wb") as stderr:
            proc = subprocess.run(
                [sys.executable, "-c", LAUNCHER, str(report), *map(str, cmd)],
                stdout=stdout,
                stderr=stderr,
                env=_env(),
                cwd=REPO,
                check=False,
            )
        stdout_text, stderr_text = (
            out.read_text("utf-8", "replace"),
            err.read_text("utf-8", "replace"),
        )
        if proc.returncode != 0 or not report.exists():
            raise RunFailed(
                f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{stderr_text[-3000:]}"
            )
        figures = json.loads(report.read_text())
    single, tree = figures["maxrss_kb"] / 1024, figures["tree_peak_bytes"] / 2**20
    return Run(
        figures["wall"], figures["cpu"], max(single, tree), single, tree, stdout_text, stderr_text
    )


def run_wall(cmd: Sequence[str | Path]) -> tuple[float, str]:
    """Run ``cmd`` directly (no launcher in between) for an honest cold-start wall time."""
    started = time.perf_counter()
    proc = subprocess.run(
        list(map(str, cmd)), capture_output=True, text=True, env=_env(), cwd=REPO, check=False
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RunFailed(
            f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{proc.stderr[-3000:]}"
        )
    return wall, proc.stdout


def worker_cmd(name: str, **kwargs: Any) -> list[str]:
    return [sys.executable, "-m", "benchmarks.scale", "--worker", name, json.dumps(kwargs)]


def run_worker(name: str, **kwargs: Any) -> tuple[Run, dict]:
    """A worker in a fresh process (through the launcher); its JSON result."""
    result = run(worker_cmd(name, **kwargs))
    return result, json.loads(result.stdout.strip().splitlines()[-1])


def last_json(stdout: str) -> dict:
    """The last line of a command's output that parses as a JSON object."""
    for line in reversed(stdout.strip().splitlines()):
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return {}


def rss_mb() -> float:
    """This process's resident memory now (from /proc: no import needed in a cold worker)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def disk_mb(path: Path) -> float:
    """Bytes under a file or folder, in MB."""
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def project_cmd(verb: str, seeds: Path, index_dir: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "index",
        verb,
        "--seeds",
        str(seeds),
        "--index-dir",
        str(index_dir),
        *args,
    ]


# --- question loops (inside workers) -------------------------------------------------------


@dataclass
class Loop:
    """Per-question times of one loop, and whether the time budget cut it short."""

    seconds: list[float] = field(default_factory=list)
    asked: int = 0
    partial: bool = False
    estimated_total_s: float | None = None

    def summary(self) -> dict:
        ms = np.asarray(self.seconds) * 1000
        return {
            "n": len(self.seconds),
            "asked": self.asked,
            "partial": self.partial,
            "estimated_total_s": self.estimated_total_s,
            "p50_ms": float(np.percentile(ms, 50)) if len(ms) else None,
            "p99_ms": float(np.percentile(ms, 99)) if len(ms) else None,
            "mean_ms": float(ms.mean()) if len(ms) else None,
            "qps": float(len(ms) / (ms.sum() / 1000)) if len(ms) and ms.sum() else None,
        }


def timed_loop(fn: Callable[[Any], Any], items: Sequence[Any], keep: list | None = None) -> Loop:
    """Time ``fn`` on each item; cut at LOOP_BUDGET_S if the first few say it would take longer.

    Why cut: plain rank-bm25 scores every passage in Python, so 1,000 questions at 1M
    passages would take many minutes; the figures come from the questions measured.
    """
    loop = Loop(asked=len(items))
    over_budget = False
    started = time.perf_counter()
    for i, item in enumerate(items):
        t0 = time.perf_counter()
        result = fn(item)
        loop.seconds.append(time.perf_counter() - t0)
        if keep is not None:
            keep.append(result)
        if i + 1 == ESTIMATE_AFTER:
            loop.estimated_total_s = float(np.mean(loop.seconds) * len(items))
            over_budget = loop.estimated_total_s > LOOP_BUDGET_S
        if over_budget and time.perf_counter() - started > LOOP_BUDGET_S:
            break
    loop.partial = len(loop.seconds) < len(items)
    return loop


def warm_up(fn: Callable[[Any], Any], items: Sequence[Any]) -> None:
    """A few questions first (from the batch set, not the timed latency set), so lazily built
    state and first-touch page faults do not count as latency."""
    started = time.perf_counter()
    for item in items[:WARMUP_QUESTIONS]:
        fn(item)
        if time.perf_counter() - started > WARMUP_BUDGET_S:
            break


def unique_terms(analyzer: Any, text: str) -> list[str]:
    """Question terms, each once: the project's ``BM25Index.query`` counts a term once too."""
    return list(dict.fromkeys(analyzer.terms(text)))


def top_k(scores: np.ndarray, k: int = K) -> tuple[list[int], list[float]]:
    """Best ``k`` passages, ties by passage order (as the project breaks them).

    Every passage tied with the k-th score is a candidate before sorting, so which of a tied
    group makes the cut does not depend on argpartition's internal order.
    """
    k = min(k, len(scores))
    kth = np.partition(scores, len(scores) - k)[len(scores) - k]
    top = np.flatnonzero(scores >= kth)
    top = top[np.lexsort((top, -scores[top]))][:k]
    return top.tolist(), scores[top].astype(float).tolist()


# --- workers: each runs in its own process and prints one JSON object ----------------------


def w_build_rank(tokens: str, out: str) -> dict:
    """rank-bm25 from the cached token lists; pickled, since that is how one persists it."""
    import pickle

    from rank_bm25 import BM25Okapi

    docs = synthetic.load_tokens(Path(tokens)).lists()
    rss_before = rss_mb()
    started = time.perf_counter()
    okapi = BM25Okapi(docs, **BM25_PARAMS)
    build_s = time.perf_counter() - started
    rss_built = rss_mb()
    del docs
    started = time.perf_counter()
    with open(out, "wb") as fh:
        pickle.dump(okapi, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return {
        "build_s": build_s,
        "save_s": time.perf_counter() - started,
        "rss_before_mb": rss_before,
        "rss_built_mb": rss_built,
    }


def _bm25s_retriever() -> Any:
    import bm25s

    # "robertson" is BM25Okapi's formula; its idf floors at 0 where rank-bm25 uses
    # epsilon * mean idf, which only matters for terms in more than half the passages.
    return bm25s.BM25(method="robertson", k1=BM25_PARAMS["k1"], b=BM25_PARAMS["b"])


def w_build_bm25s(tokens: str, out: str) -> dict:
    """bm25s from the same token lists (it maps strings to ids itself), saved with save()."""
    docs = synthetic.load_tokens(Path(tokens)).lists()
    rss_before = rss_mb()
    retriever = _bm25s_retriever()
    started = time.perf_counter()
    retriever.index(docs, show_progress=False)
    build_s = time.perf_counter() - started
    rss_built = rss_mb()
    del docs
    started = time.perf_counter()
    retriever.save(out, show_progress=False)
    return {
        "build_s": build_s,
        "save_s": time.perf_counter() - started,
        "rss_before_mb": rss_before,
        "rss_built_mb": rss_built,
    }


def _load_rank(path: str) -> Any:
    import pickle

    with open(path, "rb") as fh:
        return pickle.load(fh)


def _load_bm25s(path: str) -> Any:
    import bm25s

    return bm25s.BM25.load(path, show_progress=False)


def _rank_search(okapi: Any) -> Callable[[list[str]], tuple[list[int], list[float]]]:
    return lambda terms: top_k(okapi.get_scores(terms))


def _bm25s_search(retriever: Any) -> Callable[[list[str]], tuple[list[int], list[float]]]:
    def search(terms: list[str]) -> tuple[list[int], list[float]]:
        docs, scores = retriever.retrieve([terms], k=K, show_progress=False, n_threads=0)
        return docs[0].tolist(), scores[0].astype(float).tolist()

    return search


BASELINES: dict[str, tuple[Callable[[str], Any], Callable[[Any], Callable]]] = {
    "rank-bm25": (_load_rank, _rank_search),
    "bm25s": (_load_bm25s, _bm25s_search),
}


def w_cold_baseline(system: str, path: str, question: str) -> dict:
    """Load a persisted baseline and answer one question: what a fresh process pays."""
    from index.analysis import Analyzer

    load, searcher = BASELINES[system]
    started = time.perf_counter()
    search = searcher(load(path))
    load_s = time.perf_counter() - started
    rss_loaded = rss_mb()
    started = time.perf_counter()
    search(unique_terms(Analyzer(), question))
    return {"load_s": load_s, "first_s": time.perf_counter() - started, "rss_loaded_mb": rss_loaded}


def w_serve_baseline(system: str, path: str, corpus: str) -> dict:
    """Latency (pre-analyzed questions) and a batch loop (analysis included) on one baseline."""
    from index.analysis import Analyzer

    load, searcher = BASELINES[system]
    search = searcher(load(path))
    rss_loaded = rss_mb()
    analyzer = Analyzer()
    data = synthetic.Corpus.at(Path(corpus))
    latency_q = [unique_terms(analyzer, q["text"]) for q in data.questions("latency")]
    batch_q = [q["text"] for q in data.questions("batch")]
    warm_up(lambda text: search(unique_terms(analyzer, text)), batch_q)
    results: list = []
    latency = timed_loop(search, latency_q, results)
    batch = timed_loop(lambda text: search(unique_terms(analyzer, text)), batch_q)
    return {
        "rss_loaded_mb": rss_loaded,
        "rss_after_mb": rss_mb(),
        "latency": latency.summary(),
        "batch": batch.summary(),
        "top": results,
    }


def _engine(library: Any) -> Any:
    """The library's BM25 component itself (``index.bm25.BM25Index``).

    Compared with rank-bm25 and bm25s on the very same term lists and passage numbering,
    which the parity check needs; ``library.ask`` is timed through the API beside it.
    """
    return library.collection.index


def w_cold_project(seeds: str, index_dir: str, question: str) -> dict:
    """The project's load (Library.open on a current index) and first answer, measured inside."""
    from index.config import SearchConfig
    from index.library import Library

    started = time.perf_counter()
    library = Library.open(Path(seeds), Path(index_dir), SearchConfig.from_env())
    load_s = time.perf_counter() - started
    rss_loaded = rss_mb()
    started = time.perf_counter()
    library.ask(question, k=K)
    return {
        "load_s": load_s,
        "first_s": time.perf_counter() - started,
        "rss_loaded_mb": rss_loaded,
        "rebuilt": library.report.rebuilt,
    }


def w_serve_project(seeds: str, index_dir: str, corpus: str) -> dict:
    """``library.ask`` latency, the raw engine path's latency, and an engine batch loop."""
    from index.analysis import Analyzer
    from index.config import SearchConfig
    from index.library import Library

    library = Library.open(Path(seeds), Path(index_dir), SearchConfig.from_env())
    rss_loaded = rss_mb()
    engine = _engine(library)
    analyzer = Analyzer()
    data = synthetic.Corpus.at(Path(corpus))
    texts = [q["text"] for q in data.questions("latency")]
    terms = [analyzer.terms(t) for t in texts]
    batch_q = [q["text"] for q in data.questions("batch")]

    def engine_search(question_terms: list[str]) -> tuple[list[int], list[float]]:
        hits = engine.top(engine.query(question_terms), K)
        return [h.passage_id for h in hits], [h.score for h in hits]

    warm_up(lambda t: library.ask(t, k=K), batch_q)
    warm_up(lambda t: engine_search(analyzer.terms(t)), batch_q)
    ask = timed_loop(lambda t: library.ask(t, k=K), texts)
    results: list = []
    raw = timed_loop(engine_search, terms, results)
    batch = timed_loop(lambda text: engine_search(analyzer.terms(text)), batch_q)
    doc_len = np.asarray(engine.doc_len, np.int64)
    return {
        "rss_loaded_mb": rss_loaded,
        "rss_after_mb": rss_mb(),
        "ask": ask.summary(),
        "engine": raw.summary(),
        "engine_batch": batch.summary(),
        "top": results,
        "passages": len(doc_len),
        "doc_len_hash": hashlib.blake2b(doc_len.tobytes(), digest_size=8).hexdigest(),
        "rebuilt": library.report.rebuilt,
    }


WORKERS: dict[str, Callable[..., dict]] = {
    "build-rank": w_build_rank,
    "build-bm25s": w_build_bm25s,
    "cold-baseline": w_cold_baseline,
    "serve-baseline": w_serve_baseline,
    "cold-project": w_cold_project,
    "serve-project": w_serve_project,
}


# --- one size, three systems --------------------------------------------------------------


@dataclass
class SizeRun:
    """Where one size's collection and indexes live."""

    corpus: synthetic.Corpus
    tokens: Path
    work: Path

    @property
    def project_index(self) -> Path:
        return self.work / "project-index"

    @property
    def rank_pickle(self) -> Path:
        return self.work / "rank-bm25.pkl"

    @property
    def bm25s_dir(self) -> Path:
        return self.work / "bm25s"


def run_name(size: int, args: argparse.Namespace) -> str:
    """The work folder of one size: the index with vectors and the one without kept apart."""
    return f"run-{size}-seed{args.seed}" + ("-words" if args.no_semantic else "")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cold_walls(cmd: list[str]) -> list[float]:
    """Wall times of COLD_RUNS fresh processes (page cache warm: nothing is dropped)."""
    return [run_wall(cmd)[0] for _ in range(COLD_RUNS)]


def bench_project(s: SizeRun, question: str) -> dict:
    """Build from the files with the CLI, then cold start, latency and ``search --batch``."""
    seeds, index_dir = s.corpus.articles_dir, s.project_index
    log("  project: build (python -m index build --force) ...")
    built = run(project_cmd("build", seeds, index_dir, "--force", "--json"))
    report = last_json(built.stdout)
    log(
        f"    {built.wall:.1f} s ({built.cpu:.1f} s CPU), peak {built.peak_rss_mb:.0f} MB, {report}"
    )
    updates = measure_updates(seeds, index_dir)
    walls = cold_walls(project_cmd("search", seeds, index_dir, question, "--json", "-k", str(K)))
    _, cold = run_worker(
        "cold-project", seeds=str(seeds), index_dir=str(index_dir), question=question
    )
    log("  project: latency (ask and engine) ...")
    _, serve = run_worker(
        "serve-project", seeds=str(seeds), index_dir=str(index_dir), corpus=str(s.corpus.root)
    )
    batch_file = s.corpus.question_file("batch")
    questions = len(batch_file.read_text("utf-8").splitlines())
    batch = run(project_cmd("search", seeds, index_dir, "--batch", str(batch_file), "-k", str(K)))
    startup = statistics.median(walls)
    return {
        "build_wall_s": built.wall,
        "build_cpu_s": built.cpu,
        "build_report": report,
        "build_peak_rss_mb": built.peak_rss_mb,
        "updates": updates,
        "build_single_process_peak_mb": built.single_process_peak_mb,
        "build_tree_peak_mb": built.tree_peak_mb,
        "disk_mb": disk_mb(index_dir),
        "disk_files_mb": {
            f.name: round(f.stat().st_size / 2**20, 2) for f in index_dir.rglob("*") if f.is_file()
        },
        "cold_start_s": walls,
        "cold": cold,
        "serve": serve,
        "batch_cli": {
            "questions": questions,
            "wall_s": batch.wall,
            "peak_rss_mb": batch.peak_rss_mb,
            "qps_wall": questions / batch.wall,
            "qps_net": questions / max(batch.wall - startup, 1e-9),
        },
    }


def measure_updates(seeds: Path, index_dir: Path) -> dict:
    """``python -m index build`` after adding one article, then after removing it again."""
    first = min(seeds.glob("*.txt"))
    added = seeds / "zz-one-more-article.txt"
    shutil.copyfile(first, added)
    figures = {}
    try:
        figures["add_one"] = _update_figures(run(project_cmd("build", seeds, index_dir, "--json")))
    finally:
        added.unlink()
    figures["remove_one"] = _update_figures(run(project_cmd("build", seeds, index_dir, "--json")))
    add, remove = figures["add_one"], figures["remove_one"]
    log(
        f"    update: one article added {add['wall_s']:.1f} s (peak {add['peak_rss_mb']:.0f} MB),"
        f" removed {remove['wall_s']:.1f} s; {add['reason']}"
    )
    return figures


def _update_figures(done: Run) -> dict:
    return {
        "wall_s": done.wall,
        "peak_rss_mb": done.peak_rss_mb,
        "reason": last_json(done.stdout).get("reason", ""),
    }


def bench_baseline(system: str, s: SizeRun, question: str) -> dict:
    """Build from the token lists, persist, then cold start, latency and a batch loop."""
    path = s.rank_pickle if system == "rank-bm25" else s.bm25s_dir
    worker = "build-rank" if system == "rank-bm25" else "build-bm25s"
    log(f"  {system}: build ...")
    built, figures = run_worker(worker, tokens=str(s.tokens), out=str(path))
    log(f"    {figures['build_s']:.1f} s, peak {built.peak_rss_mb:.0f} MB")
    walls = cold_walls(
        worker_cmd("cold-baseline", system=system, path=str(path), question=question)
    )
    _, cold = run_worker("cold-baseline", system=system, path=str(path), question=question)
    log(f"  {system}: latency and batch loop ...")
    _, serve = run_worker(
        "serve-baseline", system=system, path=str(path), corpus=str(s.corpus.root)
    )
    return {
        "build": figures,
        "build_cpu_s": built.cpu,
        "build_peak_rss_mb": built.peak_rss_mb,
        "disk_mb": disk_mb(path),
        "cold_start_s": walls,
        "cold": cold,
        "serve": serve,
    }


# --- comparing answers ----------------------------------------------------------------------


def compare_tops(ours: list, reference: list, scale: float = 1.0) -> dict:
    """Top-10 agreement with a reference, over the questions both measured.

    Only passages with a positive reference score count: rank-bm25 ranks every passage,
    including the zero-score ones the project never returns. Scores are compared rank by
    rank (after ``scale``: bm25s leaves out BM25Okapi's constant factor k1 + 1), so a tie
    broken the other way is "same ranking up to ties", not a score difference.
    """
    exact = same_set = equivalent = compared = 0
    worst = 0.0
    for (docs, scores), (ref_docs, ref_scores) in zip(ours, reference, strict=False):
        keep = [i for i, v in enumerate(ref_scores) if v > 1e-9]
        ref_docs = [ref_docs[i] for i in keep]
        ref = np.asarray([ref_scores[i] for i in keep])
        docs = docs[: len(ref_docs)]
        got = np.asarray(scores[: len(ref_docs)]) * scale
        compared += 1
        exact += docs == ref_docs
        same_set += set(docs) == set(ref_docs)
        if len(got) != len(ref):
            worst = max(worst, 1.0)
            continue
        diff = float(np.max(np.abs(got - ref) / np.abs(ref))) if len(ref) else 0.0
        worst = max(worst, diff)
        equivalent += diff <= 1e-6
    return {
        "questions": compared,
        "identical_top10": exact,
        "same_top10_set": same_set,
        "same_ranking_up_to_ties": equivalent,
        "max_rel_score_diff": worst,
    }


def hit_rate(top: list, corpus: synthetic.Corpus) -> float | None:
    """Share of on-topic questions whose source passage is in the top 10 (a sanity check)."""
    sources = [q["source"] for q in corpus.questions("latency")][: len(top)]
    pairs = [(docs, src) for (docs, _), src in zip(top, sources, strict=True) if src >= 0]
    return sum(src in docs for docs, src in pairs) / len(pairs) if pairs else None


def parity(size: int, s: SizeRun, results: dict) -> dict:
    """Project engine and bm25s against rank-bm25's get_scores, on the same passages."""
    tokens = synthetic.load_tokens(s.tokens)
    lengths = tokens.lengths().astype(np.int64)
    ours = results["project"]["serve"]
    aligned = (
        ours["passages"] == len(lengths)
        and ours["doc_len_hash"] == hashlib.blake2b(lengths.tobytes(), digest_size=8).hexdigest()
    )
    reference = results["rank-bm25"]["serve"]["top"]
    return {
        "size": size,
        "passages_aligned": aligned,
        "project_engine_vs_rank_bm25": compare_tops(ours["top"], reference),
        "bm25s_vs_rank_bm25": compare_tops(
            results["bm25s"]["serve"]["top"], reference, scale=1 + BM25_PARAMS["k1"]
        ),
    }


# --- the report -----------------------------------------------------------------------------


def machine() -> dict:
    """CPU, cores, memory and library versions: figures mean little without them."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "rank_bm25": version("rank-bm25"),
        "bm25s": version("bm25s"),
        "nltk": version("nltk"),
        "project_commit": _git("rev-parse", "--short", "HEAD"),
        "project_index_dirty": bool(_git("status", "--porcelain", "--", "index")),
        "project_index_source": _source_hash(REPO / "index"),
    }


def _source_hash(folder: Path) -> str:
    """Hash of the project's code as measured: index/ may hold uncommitted changes."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".txt"):
            digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def _git(*args: str) -> str:
    """Read-only git queries, for the record of which code was measured."""
    try:
        proc = subprocess.run(["git", *args], capture_output=True, text=True, cwd=REPO, check=False)
    except OSError:
        return ""
    return proc.stdout.strip()


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table; ``None`` prints as a dash."""

    size: int
    system: str
    build_s: float | None = None
    passages_per_s: float | None = None
    peak_mb: float | None = None
    disk_mb: float | None = None
    cold_s: float | None = None
    load_s: float | None = None
    rss_mb: float | None = None
    rss_after_mb: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    qps: float | None = None
    hit10: float | None = None
    notes: str = ""


def _cut_note(name: str, summary: dict) -> str:
    """'partial' only when the loop was really cut short (older reports flagged estimates)."""
    if summary.get("n", 0) < summary.get("asked", 0):
        return f"{name} partial: {summary['n']}/{summary['asked']} questions"
    return ""


def rows_for(size: int, results: dict) -> list[Row]:
    rows: list[Row] = []
    corpus_size = results["passages"]
    tokens_s = results["tokens_seconds"]
    for system in ("rank-bm25", "bm25s"):
        r = results.get(system)
        if not r:
            continue
        serve = r["serve"]
        notes = [f"+{tokens_s:.1f} s analysis not included"]
        notes += [_cut_note("latency", serve["latency"]), _cut_note("batch", serve["batch"])]
        rows.append(
            Row(
                size,
                system,
                r["build"]["build_s"],
                corpus_size / r["build"]["build_s"],
                r["build_peak_rss_mb"],
                r["disk_mb"],
                statistics.median(r["cold_start_s"]),
                r["cold"]["load_s"],
                r["cold"]["rss_loaded_mb"],
                serve["rss_after_mb"],
                serve["latency"]["p50_ms"],
                serve["latency"]["p99_ms"],
                serve["batch"]["qps"],
                results["hit10"].get(system),
                "; ".join(n for n in notes if n),
            )
        )
    p = results.get("project")
    if p:
        build_s = p["build_wall_s"]
        serve = p["serve"]
        files = p.get("disk_files_mb", {})
        biggest = max(files, key=files.get, default="")
        update = p.get("updates", {}).get("add_one")
        notes = [
            f"files to index end to end, {p['build_cpu_s']:.1f} s CPU",
            f"one added article: update in {update['wall_s']:.1f} s" if update else "",
            f"disk: {biggest} {files.get(biggest, 0):.0f} MB" if biggest else "",
            "batch: `search --batch`, startup subtracted",
        ]
        if p["cold"].get("rebuilt") or serve.get("rebuilt"):
            notes.append("REBUILT at load: the project's code changed mid-run?")
        rows.append(
            Row(
                size,
                "project: ask",
                build_s,
                corpus_size / build_s,
                p["build_peak_rss_mb"],
                p["disk_mb"],
                statistics.median(p["cold_start_s"]),
                p["cold"]["load_s"],
                p["cold"]["rss_loaded_mb"],
                serve["rss_after_mb"],
                serve["ask"]["p50_ms"],
                serve["ask"]["p99_ms"],
                p["batch_cli"]["qps_net"],
                None,
                "; ".join(n for n in notes if n),
            )
        )
        rows.append(
            Row(
                size,
                "project: engine",
                p50_ms=serve["engine"]["p50_ms"],
                p99_ms=serve["engine"]["p99_ms"],
                qps=serve["engine_batch"]["qps"],
                hit10=results["hit10"].get("project"),
                notes="BM25Index.top(query(terms), 10); batch loop includes analysis",
            )
        )
    return rows


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    if digits == 0 or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def markdown_table(rows: list[Row]) -> str:
    header = (
        "| passages | system | build s | passages/s | peak build RSS MB | disk MB | cold start s "
        "| load s | RSS loaded MB | RSS after queries MB | p50 ms | p99 ms | batch q/s | hit@10 "
        "| notes |"
    )
    lines = [header, "|" + "---|" * 15]
    for r in rows:
        cells = [
            f"{r.size:,}",
            r.system,
            _fmt(r.build_s, 2),
            _fmt(r.passages_per_s, 0),
            _fmt(r.peak_mb, 0),
            _fmt(r.disk_mb, 1),
            _fmt(r.cold_s, 2),
            _fmt(r.load_s, 3),
            _fmt(r.rss_mb, 0),
            _fmt(r.rss_after_mb, 0),
            _fmt(r.p50_ms, 2),
            _fmt(r.p99_ms, 2),
            _fmt(r.qps, 0),
            "–" if r.hit10 is None else f"{r.hit10:.2f}",
            r.notes,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ratios(rows: list[Row]) -> list[dict]:
    """Project ÷ baseline per size: below 1 the project is faster or smaller."""
    out = []
    for size in sorted({r.size for r in rows}):
        by = {r.system: r for r in rows if r.size == size}
        ask, engine = by.get("project: ask"), by.get("project: engine")
        if not ask or not engine:
            continue
        for base in ("rank-bm25", "bm25s"):
            b = by.get(base)
            if not b:
                continue
            out.append(
                {
                    "size": size,
                    "baseline": base,
                    "p50_ask": _ratio(ask.p50_ms, b.p50_ms),
                    "p50_engine": _ratio(engine.p50_ms, b.p50_ms),
                    "load_s": _ratio(ask.load_s, b.load_s),
                    "cold_start": _ratio(ask.cold_s, b.cold_s),
                    "rss_loaded": _ratio(ask.rss_mb, b.rss_mb),
                    "rss_after": _ratio(ask.rss_after_mb, b.rss_after_mb),
                }
            )
    return out


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def ratio_table(items: list[dict]) -> str:
    lines = [
        "| passages | project ÷ | p50 (ask) | p50 (engine) | load s | cold start | RSS loaded "
        "| RSS after queries |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for x in items:
        keys = ("p50_ask", "p50_engine", "load_s", "cold_start", "rss_loaded", "rss_after")
        cells = [_x(x.get(k)) for k in keys]
        lines.append(f"| {x['size']:,} | {x['baseline']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _x(value: float | None) -> str:
    return "–" if value is None else f"×{value:.2f}" if value >= 0.1 else f"×{value:.3f}"


def parity_text(p: dict) -> str:
    def line(name: str, x: dict) -> str:
        n = x["questions"]
        return (
            f"- {name}: identical top {K} (passages and order) for {x['identical_top10']}/{n} "
            f"questions, same set {x['same_top10_set']}/{n}, same scores rank by rank "
            f"{x['same_ranking_up_to_ties']}/{n}; max relative score difference "
            f"{x['max_rel_score_diff']:.1e}"
        )

    return "\n".join(
        [
            f"Parity at {p['size']:,} passages (top {K}, rank-bm25 get_scores as reference):",
            "- same passages indexed (count and token lengths): "
            + ("yes" if p["passages_aligned"] else "NO"),
            line("project engine", p["project_engine_vs_rank_bm25"]),
            line("bm25s (robertson, scores × (k1 + 1))", p["bm25s_vs_rank_bm25"]),
        ]
    )


# --- profiling --------------------------------------------------------------------------

# Imported at start-up by every Python process of a profiled run (as ``sitecustomize``),
# including the worker processes a build may spawn: a profile of the parent alone would show
# the build waiting on its workers. Each process writes its own stats; they are merged.
PROFILE_HOOK = """
import atexit, cProfile, os
if os.environ.get("SCALE_PROFILE_DIR"):
    _profile = cProfile.Profile()
    _profile.enable()

    def _dump():
        _profile.disable()
        _profile.dump_stats(os.path.join(os.environ["SCALE_PROFILE_DIR"], f"{os.getpid()}.prof"))

    atexit.register(_dump)
"""


# Functions in which a process is blocked rather than working (the build's parent waiting for
# its workers, workers waiting for tasks, multiprocessing's resource tracker): left out of the
# top lists and of the "busy" total, kept in the listings.
WAITING = (
    "<method 'acquire' of '_thread.lock' objects>",
    "<built-in method posix.read>",
    "<built-in method posix.waitpid>",
    "<built-in method select.select>",
    "<method 'poll' of 'select.poll' objects>",
    "<built-in method time.sleep>",
)


def _waiting(path: str, func: str) -> bool:
    return func in WAITING or path.endswith("resource_tracker.py")


def profiled(cmd: list[str], name: str, out: Path, top: int = 25) -> dict:
    """Run ``cmd`` with every process under cProfile; the merged top functions."""
    import pstats

    folder = out / f"profile-{name}"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "hook").mkdir(parents=True)
    (folder / "hook" / "sitecustomize.py").write_text(PROFILE_HOOK)
    env = _env()
    env["SCALE_PROFILE_DIR"] = str(folder)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder / "hook"), env.get("PYTHONPATH")]))
    started = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=REPO, check=True, capture_output=True)
    wall = time.perf_counter() - started
    files = sorted(str(f) for f in folder.glob("*.prof"))
    stats = pstats.Stats(*files)
    text = out / f"profile-{name}.txt"
    with text.open("w") as fh:
        for key in ("tottime", "cumulative"):
            pstats.Stats(*files, stream=fh).sort_stats(key).print_stats(top * 2)
    rows, waited = [], 0.0
    for (path, line, func), (_, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        if _waiting(path, func):
            waited += tottime
            continue
        rows.append(
            {
                "function": f"{Path(path).name}:{line}({func})",
                "calls": calls,
                "tottime_s": round(tottime, 3),
                "cumtime_s": round(cumtime, 3),
            }
        )
    return {
        "command": " ".join(cmd),
        "wall_s_under_profiler": wall,
        "processes": len(files),
        "busy_s": stats.total_tt - waited,  # type: ignore[attr-defined]
        "waiting_s": waited,
        "text_file": str(text),
        "by_tottime": sorted(rows, key=lambda r: -r["tottime_s"])[:top],
        "by_cumtime": sorted(rows, key=lambda r: -r["cumtime_s"])[:top],
    }


def profile_project(s: SizeRun, out: Path, question: str) -> dict:
    """Where the project's build time and load time go, at one size."""
    index_dir = s.work / "profile-index"
    seeds = s.corpus.articles_dir
    size = s.corpus.passages
    log(f"profiling the project's build and load at {size:,} passages ...")
    build = profiled(project_cmd("build", seeds, index_dir, "--json"), f"build-{size}", out)
    load = profiled(
        project_cmd("search", seeds, index_dir, question, "--json"), f"load-{size}", out
    )
    return {"size": size, "build": build, "load": load}


def profile_text(p: dict, top: int = 15) -> str:
    lines: list[str] = []
    for what in ("build", "load"):
        x = p[what]
        lines += [
            f"Project {what} at {p['size']:,} passages under cProfile: "
            f"{x['wall_s_under_profiler']:.1f} s wall, {x['busy_s']:.1f} s busy "
            f"(+{x['waiting_s']:.1f} s blocked) in {x['processes']} process(es); "
            f"full listing: {x['text_file']}",
            "",
            "| function | calls | own s | cumulative s |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {r['function']} | {r['calls']:,} | {r['tottime_s']:.2f} | {r['cumtime_s']:.2f} |"
            for r in x["by_tottime"][:top]
        ]
        lines.append("")
    return "\n".join(lines).rstrip()


# --- main ---------------------------------------------------------------------------------------


def parse_size(text: str) -> int:
    """'10k', '100000', '1m' -> passages."""
    text = text.strip().lower().replace("_", "").replace(",", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def bench_size(size: int, args: argparse.Namespace) -> tuple[SizeRun, dict]:
    corpus = synthetic.ensure_corpus(args.out, size, args.seed, log)
    tokens = synthetic.ensure_tokens(corpus, log)
    s = SizeRun(corpus, synthetic.tokens_path(corpus), args.out / run_name(size, args))
    s.work.mkdir(parents=True, exist_ok=True)
    question = corpus.questions("latency")[0]["text"]
    results: dict[str, Any] = {
        "passages": corpus.passages,
        "articles": corpus.articles,
        "corpus": corpus.manifest(),
        "terms": int(tokens.offsets[-1]),
        "distinct_terms": len(tokens.vocabulary),
        "tokens_seconds": tokens.seconds,
    }
    del tokens
    for system in args.systems:
        log(f"[{size:,}] {system}")
        if system == "project":
            results[system] = bench_project(s, question)
        else:
            results[system] = bench_baseline(system, s, question)
    results["hit10"] = {
        name: hit_rate(results[name]["serve"]["top"], corpus)
        for name in args.systems
        if name in results
    }
    if {"project", "rank-bm25", "bm25s"} <= results.keys():
        results["parity"] = parity(size, s, results)
    return s, results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="e.g. 10k,100k")
    parser.add_argument("--million", action="store_true", help="add 1M passages")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument(
        "--systems", default="rank-bm25,bm25s,project", help="which systems to measure"
    )
    parser.add_argument("--profile", metavar="SIZE", help="also cProfile the project's build")
    parser.add_argument(
        "--no-semantic", action="store_true", help="the project without the sentence model"
    )
    parser.add_argument("--render", type=Path, metavar="JSON", help="reprint a saved report")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("worker_args", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(WORKERS[args.worker](**json.loads(args.worker_args))))
        return 0
    if args.render:
        saved = json.loads(args.render.read_text())
        rows = [
            row for size, results in saved["sizes"].items() for row in rows_for(int(size), results)
        ]
        saved["ratios"] = ratios(rows)
        print(render(saved, rows))
        return 0

    if args.no_semantic:
        os.environ["NEWSDESK_SEMANTIC"] = "off"  # the project's processes inherit it
    sizes = [parse_size(x) for x in args.sizes.split(",") if x.strip()]
    if args.million and MILLION not in sizes:
        sizes.append(MILLION)
    args.systems = [x.strip() for x in args.systems.split(",") if x.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": machine(),
        "settings": {
            "seed": args.seed,
            "k": K,
            "loop_budget_s": LOOP_BUDGET_S,
            "bm25": BM25_PARAMS,
        },
        "sizes": {},
    }
    rows: list[Row] = []
    for size in sizes:
        _, results = bench_size(size, args)
        report["sizes"][str(size)] = results
        rows += rows_for(size, results)
    if args.profile:
        size = parse_size(args.profile)
        corpus = synthetic.ensure_corpus(args.out, size, args.seed, log)
        s = SizeRun(corpus, synthetic.tokens_path(corpus), args.out / run_name(size, args))
        s.work.mkdir(parents=True, exist_ok=True)
        question = corpus.questions("latency")[0]["text"]
        report["profile"] = profile_project(s, args.out, question)
    report["ratios"] = ratios(rows)
    report["table"] = [asdict(r) for r in rows]

    path = args.out / f"scale-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=1, default=float))
    print(render(report, rows))
    print(f"\nWritten: {path}")
    return 0


def render(report: dict, rows: list[Row]) -> str:
    m = report["machine"]
    parts = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM; Python {m['python']}, "
        f"numpy {m['numpy']}, rank-bm25 {m['rank_bm25']}, bm25s {m['bm25s']}; project "
        f"{m['project_commit']}{' (index/ modified)' if m['project_index_dirty'] else ''}",
        "",
        markdown_table(rows),
        "",
        ratio_table(report["ratios"]),
    ]
    for results in report["sizes"].values():
        if "parity" in results:
            parts += ["", parity_text(results["parity"])]
    if "busy_s" in report.get("profile", {}).get("build", {}):  # older reports: other format
        parts += ["", profile_text(report["profile"])]
    return "\n".join(parts)


if __name__ == "__main__":
    sys.exit(main())
