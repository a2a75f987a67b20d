"""``python -m index``: search the articles, read them, rebuild the index, evaluate answers.

Output for people by default, ``--json`` for scripts. Exit status: 0 done, 1 not found,
2 bad usage; never a traceback for bad input.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from index.answers import DEFAULT_K, MAX_K
from index.config import (
    ARTICLES_ALIAS_ENV,
    ARTICLES_ENV,
    ENGINE_ENV,
    IndexSettings,
    SearchConfig,
)
from index.engine import cluster
from index.engine.backend import open_retriever
from index.engine.sphinxql import EngineError
from index.ingest import Progress
from index.library import Library
from index.plain import answer_text, article_list, counted, say
from index.text import ANSI_BOLD, replaced, utf8_streams

log = logging.getLogger("index")

PROG = "python -m index"


def _k(value: str) -> int:
    try:
        k = int(value)
    except ValueError:
        k = 0
    if not 1 <= k <= MAX_K:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_K}, not {value!r}")
    return k


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The script's parser, and each verb's (which reports that verb's mistakes)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--articles",
        "--seeds",  # the old name, still accepted
        dest="articles",
        type=Path,
        default=None,
        help=f"articles folder (default: ${ARTICLES_ENV} or ./seeds; --seeds and"
        f" ${ARTICLES_ALIAS_ENV} are old names for the same)",
    )
    common.add_argument("--index-dir", type=Path, default=None, help="where the index is kept")
    common.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    common.add_argument(
        "--no-semantic",
        action="store_true",
        help="words only, without the sentence model (also NEWSDESK_SEMANTIC=off)",
    )
    common.add_argument(
        "--engine",
        metavar="URL",
        default=None,
        help=f"search engine cluster, sphinx://HOST:PORT[,HOST:PORT...] (default: ${ENGINE_ENV};"
        " unset: the embedded index)",
    )

    parser = argparse.ArgumentParser(
        prog=PROG, description=__doc__.split("\n")[0].replace("``", "")
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    search = verbs.add_parser("search", parents=[common], help="answer a question, with citations")
    what = search.add_mutually_exclusive_group(required=True)
    what.add_argument("question", nargs="?", help="the question")
    what.add_argument(
        "--batch",
        metavar="FILE",
        help="one question per line ('-' for stdin); prints one JSON object per line",
    )
    search.add_argument("-k", type=_k, default=DEFAULT_K, help=f"passages to show ({DEFAULT_K})")
    search.add_argument("--json", action="store_true", help="print one JSON object")

    sources = verbs.add_parser("sources", parents=[common], help="list the articles")
    sources.add_argument("--json", action="store_true")

    source = verbs.add_parser("source", parents=[common], help="show one whole article")
    source.add_argument("article", help="article id, or a fragment of its title")
    source.add_argument("--json", action="store_true")

    build = verbs.add_parser(
        "build", parents=[common], help="bring the index up to date now (new and changed files)"
    )
    build.add_argument("--force", action="store_true", help="re-read every article from scratch")
    build.add_argument("--json", action="store_true")

    evaluate = verbs.add_parser("eval", parents=[common], help="score answers on a question set")
    evaluate.add_argument("questions", type=Path, help="JSONL question set (see README)")
    evaluate.add_argument("--json", action="store_true")
    cluster.add_parser(verbs)
    return parser, dict(verbs.choices)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one verb; returns the exit status."""
    utf8_streams()
    parser, verbs = _parser()
    # Unknown options are reported by the verb's parser, so its usage is the one shown.
    args, unknown = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    if unknown:
        verbs[args.verb].error(f"unrecognized arguments: {' '.join(map(replaced, unknown))}")
    for name in ("question", "article"):  # bytes that are not UTF-8 read as U+FFFD
        if getattr(args, name, None):
            setattr(args, name, replaced(getattr(args, name)))
    if args.verb == "cluster":
        return cluster.main(args)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(message)s",
        stream=sys.stderr,
    )
    folders = IndexSettings.from_env()
    articles = args.articles or folders.articles
    if args.articles and not args.articles.is_dir():
        print(f"error: {args.articles} is not a folder", file=sys.stderr)
        return 2
    force = args.verb == "build" and args.force
    try:
        config = SearchConfig.from_env()
        if args.no_semantic:
            config = replace(config, semantic=False)
        library = open_retriever(
            articles,
            args.index_dir,
            config=config,
            engine=args.engine,
            force=force,
            progress=_progress_bar(),
        )
    except (ValueError, EngineError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    verb: Callable[[Library, argparse.Namespace], int] = VERBS[args.verb]
    try:
        return verb(library, args)
    except BrokenPipeError:  # `| head` closed the pipe: not an error
        sys.stderr.close()
        return 0


def _progress_bar() -> Progress | None:
    """A progress bar on the terminal while a build reads files (none when piped)."""
    if not sys.stderr.isatty():
        return None
    bar: tqdm | None = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit=" files", desc="indexing", file=sys.stderr, leave=False)
        bar.update(done - bar.n)
        if done == total:
            bar.close()

    return update


def _search(library: Library, args: argparse.Namespace) -> int:
    if args.batch is not None:
        return _batch(library, args.batch, args.k)
    answer = library.ask(args.question, args.k)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        bold = ANSI_BOLD if sys.stdout.isatty() else None
        say(answer_text(answer, library, bold=bold, read_with=f"{PROG} source"))
    return 0


def _batch(library: Library, source: str, k: int) -> int:
    try:
        stream = sys.stdin if source == "-" else open(source, encoding="utf-8", errors="replace")  # noqa: SIM115
    except OSError as exc:
        print(f"error: cannot read {source}: {exc.strerror}", file=sys.stderr)
        return 2
    with stream:
        for line in _lines(stream):
            sys.stdout.write(json.dumps(library.ask(line, k).to_json(), ensure_ascii=False) + "\n")
    return 0


def _lines(stream: TextIO) -> Iterator[str]:
    for line in stream:
        yield line.rstrip("\r\n")


def _sources(library: Library, args: argparse.Namespace) -> int:
    articles = library.articles()
    if args.json:
        rows = [
            {
                "id": a.id,
                "title": a.title,
                "outlet": a.outlet,
                "url": a.url,
                "passages": a.passage_count,
            }
            for a in articles
        ]
        print(json.dumps(rows, ensure_ascii=False))
    else:
        say(article_list(articles, folder=str(library.articles_dir)))
    return 0


def _source(library: Library, args: argparse.Namespace) -> int:
    found = library.matches(args.article)
    if len(found) > 1:
        named = "".join(f"\n  {a.id}: {a.title}" for a in found)
        say(f"{args.article!r} is ambiguous: it matches {len(found)} articles:{named}", sys.stderr)
        return 1
    if not found:
        close = [a.id for a in library.find(args.article, limit=5)]
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        say(f"No article matches {args.article!r}.{hint}", sys.stderr)
        return 1
    article = found[0]
    text = library.text(article)
    if args.json:
        print(
            json.dumps(
                {
                    "id": article.id,
                    "title": article.title,
                    "subtitle": article.subtitle,
                    "outlet": article.outlet,
                    "url": article.url,
                    "text": text,
                },
                ensure_ascii=False,
            )
        )
    else:
        header = [
            article.title,
            article.subtitle,
            ", ".join(x for x in (article.outlet, article.url) if x),
        ]
        say("\n".join(h for h in header if h) + "\n\n" + text)
    return 0


def _build(library: Library, args: argparse.Namespace) -> int:
    r = library.report
    figures = {
        "articles": r.articles,
        "passages": r.passages,
        "dropped_lines": r.dropped_lines,
        "seconds": round(r.seconds, 3),
        "reason": r.reason,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        say(
            f"Indexed {counted(r.articles, 'article')} into {counted(r.passages, 'passage')} "
            f"({counted(r.dropped_lines, 'line')} of clutter dropped) in {r.seconds:.2f} s: "
            f"{r.reason}."
        )
    return 0


def _eval(library: Library, args: argparse.Namespace) -> int:
    from index.evaluate import evaluate, load_questions, render_report

    try:
        questions = load_questions(args.questions)
    except (OSError, ValueError) as exc:
        print(f"error: {args.questions}: {exc}", file=sys.stderr)
        return 2
    report = evaluate(library, questions)
    print(json.dumps(report.to_json()) if args.json else render_report(report))
    return 0


VERBS: dict[str, Callable[[Library, argparse.Namespace], int]] = {
    "search": _search,
    "sources": _sources,
    "source": _source,
    "build": _build,
    "eval": _eval,
}
