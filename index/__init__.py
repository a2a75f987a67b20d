"""Retrieval: article files -> clean passages -> a BM25 index -> cited answers.

This module is the library's one door: the bot imports only from here (a lint rule in
pyproject.toml keeps it so), and so can scripts. ``open_retriever()`` (or
``Library.open(folder)``) then ``ask``, ``articles``, ``article``, ``text``, ``reload``;
answers are ``Answer`` values holding ``Citation``s. The submodules are the implementation.
"""

from index.config import (
    ARTICLES_ALIAS_ENV,
    ARTICLES_ENV,
    ENGINE_ENV,
    INDEX_DIR_ENV,
    IndexSettings,
    SearchConfig,
)
from index.engine.backend import open_retriever
from index.engine.sphinxql import EngineError, parse_url
from index.library import Library
from index.passages import heading_spans
from index.plain import MARKDOWN_BOLD, answer_text, article_list, read_in_full, say
from index.retriever import Retriever
from index.sentences import sentence_spans
from index.text import ANSI_BOLD, PARAGRAPH, Span, emphasize, printable, utf8_streams
from index.types import (
    DEFAULT_K,
    MAX_K,
    MAX_QUESTION_CHARS,
    Answer,
    Article,
    BuildReport,
    Citation,
    Correction,
    Source,
)

__all__ = [
    "ANSI_BOLD",
    "ARTICLES_ALIAS_ENV",
    "ARTICLES_ENV",
    "DEFAULT_K",
    "ENGINE_ENV",
    "INDEX_DIR_ENV",
    "MARKDOWN_BOLD",
    "MAX_K",
    "MAX_QUESTION_CHARS",
    "PARAGRAPH",
    "Answer",
    "Article",
    "BuildReport",
    "Citation",
    "Correction",
    "EngineError",
    "IndexSettings",
    "Library",
    "Retriever",
    "SearchConfig",
    "Source",
    "Span",
    "answer_text",
    "article_list",
    "emphasize",
    "heading_spans",
    "open_retriever",
    "parse_url",
    "printable",
    "read_in_full",
    "say",
    "sentence_spans",
    "utf8_streams",
]
