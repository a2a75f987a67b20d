#!/usr/bin/env python3
"""Write index/data/wordfreq/frequencies.tsv.gz: how common each index term is in English.

The reranker and the answer decision weigh question words by how much they tell. Weighing
them by the collection's own idf made answers move when unrelated articles joined the folder;
a fixed table of general English frequencies does not. The table is derived from wordfreq's
"large" English list (word -> frequency, pooled from Wikipedia, subtitles, news, books, web
text and more): every word is analyzed with the project's analyzer and the frequencies of
the words that share an index term are summed, so a stem ("elect") counts "election",
"elected" and "elects". Terms rarer than ``MIN_ZIPF`` are left out: the runtime treats them
as that rare.

wordfreq pulls in packages the product does not need, so run this in a throwaway venv that
also holds the project (the analyzer must be the one the product runs):

    python3 -m venv /tmp/wordfreq-venv
    /tmp/wordfreq-venv/bin/pip install wordfreq==3.1.1 -e .
    /tmp/wordfreq-venv/bin/python scripts/export_word_frequencies.py

Rerun it whenever the analyzer changes how it stems or splits words; a test checks that
common words' terms are in the table.
"""

from __future__ import annotations

import gzip
import hashlib
import math
from importlib import metadata
from pathlib import Path

import wordfreq

from index.analysis import Analyzer

MIN_ZIPF = 2.0  # once per 10 million words; keep in step with index.information.RAREST_ZIPF
OUT = Path(__file__).resolve().parent.parent / "index" / "data" / "wordfreq" / "frequencies.tsv.gz"


def term_frequencies() -> dict[str, float]:
    """Index term -> summed frequency (per word of running text) of the words it stands for."""
    analyzer = Analyzer()
    summed: dict[str, float] = {}
    for word, frequency in wordfreq.get_frequency_dict("en", wordlist="large").items():
        for term in set(analyzer.terms(word)):
            summed[term] = summed.get(term, 0.0) + frequency
    return summed


def main() -> None:
    rows = sorted(term_frequencies().items(), key=lambda item: (-item[1], item[0]))
    lines = [
        f"{term}\t{zipf:.2f}\n"
        for term, frequency in rows
        if (zipf := math.log10(frequency) + 9) >= MIN_ZIPF
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # mtime 0: the same table gives the same bytes, so its hash says whether it changed.
    with OUT.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write("".join(lines).encode("utf-8"))
    digest = hashlib.sha256(OUT.read_bytes()).hexdigest()
    version = metadata.version("wordfreq")
    print(f"{OUT}: {len(lines):,} terms from wordfreq {version}, sha256 {digest}")


if __name__ == "__main__":
    main()
