"""How much a question word tells: the same in every collection.

The reranker and the answer decision weigh a question's words: "Rutte" says far more about
where the answer is than "said". Taking those weights from the collection's own idf made
answers about one article move when unrelated articles joined the folder (their words
changed every idf). The weights here come from general English instead: wordfreq's large
English list, summed by index term (``data/wordfreq/``, made by
``scripts/export_word_frequencies.py``; CC-BY-SA 4.0, notice beside it).

A word's information is how surprising it is to find in a passage: ``-ln P(a passage of
PASSAGE_TERMS index terms has it)``, which behaves like an idf over a very large news
collection. BM25's own first stage keeps the collection's idf (rank-bm25's scores, exactly).
"""

from __future__ import annotations

import gzip
import math
from functools import cache
from importlib import resources

PASSAGE_TERMS = 60  # index terms in a typical news passage (the seeds' passages: ~70 words)
RAREST_ZIPF = 2.0  # the table's cut (once per 10 million words): rarer words count as this


@cache
def zipf_values() -> dict[str, float]:
    """Index term -> Zipf value (log10 of its frequency per billion words), for common terms."""
    data = resources.files("index").joinpath("data/wordfreq/frequencies.tsv.gz").read_bytes()
    rows = (line.split("\t") for line in gzip.decompress(data).decode("utf-8").splitlines())
    return {term: float(zipf) for term, zipf in rows}


def information(term: str) -> float:
    """How much finding ``term`` tells: higher for rarer words: 1.8 for "one", 12 for "Rutte"."""
    zipf = zipf_values().get(term, RAREST_ZIPF)
    per_word = 10 ** (zipf - 9)
    return -math.log(-math.expm1(-PASSAGE_TERMS * per_word))
