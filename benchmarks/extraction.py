"""Article extraction: how much of a real news page's article the project keeps, and only that.

Scores both ways a page reaches the project, on ``../shared/data/article-extraction`` (121
pages with their true article bodies, Scrapinghub's benchmark; its README gives the metric):

- **html**: the saved page read by the project's reader (trafilatura, ``index/html.py``);
- **pasted**: the page's visible text as a reader pastes it (``html-text``, block elements on
  their own lines), saved as ``.txt`` and read by the reader and the cleaner.

The body F1 scores the cleaned text against the true body (which leaves out the headline);
"F1 with title" scores it as ``python -m index source`` shows it, the title line first (as
issue 13 measured the cleaner), less the outlet and url line. Title accuracy compares
the title the reader found with the page's own headline (its ``h1``, ``og:title`` or
``<title>``, read here for the evaluation only). Pages are split by sorted id: even positions
are the ones rules may be tuned on, odd ones are only reported.

    python -m benchmarks.extraction [--data DIR] [--show N] [--pages tune|report|all]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import OUT, absent_message, find_data, markdown_table, pct
from index.articles import read_article
from index.cleaning import clean

NAME = "article-extraction"
_TOKEN = re.compile(r"\w+")
_TITLE_PARTS = re.compile(r"\s+[|–—-]\s+|\s*[|»]\s*")


@dataclass(frozen=True, slots=True)
class Score:
    """One page's shingle counts, normalised to sum 1 (the benchmark's per-page weight)."""

    tp: float
    fp: float
    fn: float


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Runs of ``n`` consecutive word tokens, counted."""
    tokens = _TOKEN.findall(text)
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def score(true: str, predicted: str) -> Score:
    """The benchmark's page score: a page where both are empty counts as right."""
    want, got = shingles(true), shingles(predicted)
    tp = sum((want & got).values())
    fp = sum(got.values()) - tp
    fn = sum(want.values()) - tp
    total = tp + fp + fn
    return Score(1.0, 0.0, 0.0) if total == 0 else Score(tp / total, fp / total, fn / total)


def summary(scores: list[Score]) -> dict[str, float]:
    """Precision and recall from the pages' summed normalised counts, and their F1."""
    tp = sum(s.tp for s in scores)
    precision = tp / (tp + sum(s.fp for s in scores) or 1)
    recall = tp / (tp + sum(s.fn for s in scores) or 1)
    f1 = 2 * precision * recall / (precision + recall or 1)
    return {"f1": f1, "precision": precision, "recall": recall, "pages": len(scores)}


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text.casefold())


def headlines(html: str) -> list[str]:
    """The page's own headline as its markup gives it: h1, og:title, <title>, and their parts."""
    import lxml.html  # a trafilatura dependency

    tree = lxml.html.fromstring(html)
    found = [" ".join(h.text_content().split()) for h in tree.xpath("//h1")[:3]]
    found += tree.xpath("//meta[@property='og:title']/@content")
    found += [t.text_content() for t in tree.xpath("//title")[:1]]
    parts = [p for text in found for p in _TITLE_PARTS.split(text)]
    return [t for t in found + parts if len(_words(t)) >= 2]


def title_right(title: str, candidates: list[str]) -> bool:
    """Right if equal to a headline (words only), or one holds the other with most of its words.

    E.g. "Opinion | Republicans Are Following Trump" holds the h1 "Republicans Are Following
    Trump"; a first sentence that merely starts like the headline does not count.
    """
    got = " ".join(_words(title))
    for candidate in candidates:
        want = " ".join(_words(candidate))
        if not want or not got:
            continue
        short, long = sorted((got, want), key=len)
        if f" {short} " in f" {long} " and len(short.split()) >= 0.6 * len(long.split()):
            return True
    return False


def render(path: Path) -> tuple[str, str]:
    """One file's title line(s) and cleaned text, as ``python -m index source`` shows them."""
    raw = read_article(path)
    if raw is None:
        return "", ""
    cleaned = clean(raw.body, raw.title, raw.subtitle, raw.extracted)
    return "\n".join(h for h in (raw.title, raw.subtitle) if h), cleaned.text


def prepare(folder: Path, work: Path) -> list[tuple[str, str, Path, Path, list[str]]]:
    """Per page: id, true body, saved .html, pasted .txt (rendered once, cached), headlines."""
    import html_text

    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        html = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes()).decode()
        html_path, txt_path = work / f"{page_id}.html", work / f"{page_id}.txt"
        if not txt_path.exists():
            work.mkdir(parents=True, exist_ok=True)
            html_path.write_text(html, encoding="utf-8")
            txt_path.write_text(html_text.extract_text(html, guess_layout=True), encoding="utf-8")
        pages.append((page_id, truth[page_id]["articleBody"], html_path, txt_path, headlines(html)))
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--show", type=int, default=0, help="list the N worst pages per path")
    parser.add_argument("--pages", choices=("tune", "report", "all"), default="all")
    parser.add_argument("--paths", default="html,pasted")
    args = parser.parse_args()
    folder = find_data(NAME, args.data, ["ground-truth.json", "README.md"])
    if folder is None:
        print(absent_message(NAME, args.data))
        return 0
    pages = prepare(folder, OUT / "extraction")
    halves = {"tune": pages[0::2], "report": pages[1::2]}
    chosen = {"all": pages, **halves}[args.pages]
    chosen_ids = {p[0] for p in chosen}
    rows, report = [], {}
    for path_name in args.paths.split(","):
        per_page = {}
        started = time.perf_counter()
        for page_id, truth, html_path, txt_path, heads in chosen:
            file = html_path if path_name == "html" else txt_path
            title, text = render(file)
            shown = score(truth, f"{title}\n\n{text}")
            per_page[page_id] = (score(truth, text), title_right(title, heads), title, heads, shown)
        seconds = time.perf_counter() - started
        for half in ("tune", "report", "all"):
            ids = [p[0] for p in {"all": pages, **halves}[half] if p[0] in chosen_ids]
            if not ids:
                continue
            s = summary([per_page[i][0] for i in ids])
            shown = summary([per_page[i][4] for i in ids])["f1"]
            titles = sum(per_page[i][1] for i in ids) / len(ids)
            report[f"{path_name}/{half}"] = {**s, "f1_with_title": shown, "title_right": titles}
            figures = [s["f1"], s["precision"], s["recall"], shown, titles]
            rows.append([path_name, half, len(ids), *map(pct, figures)])
        print(f"{path_name}: {seconds / len(chosen) * 1000:.1f} ms per page", file=sys.stderr)
        worst = sorted(per_page.items(), key=lambda kv: kv[1][0].tp)[: args.show]
        for page_id, (sc, _, title, _, _) in worst:
            counts = f"tp {sc.tp:.2f} fp {sc.fp:.2f} fn {sc.fn:.2f}"
            print(f"  {path_name} {page_id[:12]} {counts}: {title}")
        wrong = [(i, v) for i, v in per_page.items() if not v[1]][: args.show]
        for page_id, (_, _, title, heads, _) in wrong:
            print(f"  {path_name} title {page_id[:12]}: {title!r} vs {heads[:2]!r}")
    header = ["path", "pages", "n", "body F1", "precision", "recall", "F1 with title", "title"]
    print(markdown_table(header, rows))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "extraction.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
