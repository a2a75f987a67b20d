"""Retrieval: article files -> clean passages -> a BM25 index -> cited answers.

The API the CLI and the bot use: ``Library.open(folder)`` then ``ask``, ``articles``,
``article``, ``text``, ``reload``; answers are ``Answer`` values holding ``Citation``s.
"""

from index.answers import Answer, Citation
from index.config import SearchConfig
from index.library import Library
from index.retriever import Retriever

__all__ = ["Answer", "Citation", "Library", "Retriever", "SearchConfig"]
