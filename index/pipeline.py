"""What an index was made with besides the articles: when it changes, the index is rebuilt.

A saved index records this key (``index.library``); opening it with other pipeline code,
other BM25 parameters or the sentence model switched differently builds it again.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from index.bm25 import BM25Params

# Modules whose code decides what the saved index holds (store.py has FORMAT_VERSION).
PIPELINE_MODULES = (
    "analysis.py",
    "articles.py",
    "bm25.py",
    "cleaning/__init__.py",
    "cleaning/blocks.py",
    "cleaning/classify.py",
    "cleaning/headline.py",
    "cleaning/lines.py",
    "cleaning/stretch.py",
    "collection.py",
    "ingest.py",
    "passages.py",
    "semantic.py",
    "sentences.py",
    "text.py",
    "types.py",
    "term_ids.py",
)
# Word lists that shape the index. The others (synonyms.txt, generic.txt) are read per question, so
# editing them needs no rebuild (a 1M-passage build takes minutes words only, hours with the model).
PIPELINE_WORD_LISTS = (
    "abbreviations.txt",
    "interface_lines.txt",
    "section_words.txt",
    "share_cues.txt",
    "share_words.txt",
    "stopwords.txt",
)


@cache
def pipeline_version() -> str:
    """Hash of the code and word lists that shape the index: any change forces a rebuild."""
    digest = hashlib.blake2b(digest_size=8)
    package = Path(__file__).parent
    for name in PIPELINE_MODULES:
        digest.update((package / name).read_bytes())
    for name in PIPELINE_WORD_LISTS:
        digest.update((package / "data" / name).read_bytes())
    return digest.hexdigest()


def pipeline_key(params: BM25Params, semantic: bool) -> str:
    """What an index was made with besides the articles.

    Pipeline code, ranking parameters, and whether it holds passage vectors.
    """
    return f"{pipeline_version()}|{params}|semantic={semantic}"
