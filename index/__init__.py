"""Retrieval: article files -> clean passages -> a BM25 index -> cited answers.

This module is the library's one door: the bot imports only from here (a lint rule in
pyproject.toml keeps it so), and so can scripts. ``open_retriever()`` (or
``Library.open(folder)``) then ``ask``, ``articles``, ``article``, ``text``, ``reload``;
answers are ``Answer`` values holding ``Citation``s, and ``answer_text`` lays one out for a
terminal. The submodules are the implementation.

The nouns, each for one thing:

- ``Library``: the public object over one articles folder: keeps its index current, answers,
  lists and reads articles (``EngineLibrary``: the same over an engine cluster).
- ``Retriever``: the protocol the bot is typed against; both libraries implement it.
- ``Collection``: one build as loaded: articles, passages, their ``BM25Index`` and vectors.
- ``BM25Index``: the term statistics: postings with precomputed weights, idf, lengths. In
  it a "doc" is a passage (BM25's own word: ``n_docs``, ``doc_freq``).
- ``TermIds``: an index's term -> id map (``EngineTermIds``: the engine's tokens).
- ``Stored``: a build as saved on disk: metadata, arrays and blobs (``index.store``).
- ``QuestionView`` / ``EngineIndex``: the engine's stand-ins for a collection and its
  index, for one question.
- A term is what the analyzer makes of a word (a stem); a word is as the text writes it.
- ``passage_id``: a passage's place in the collection (``Hit.passage_id``); a passage
  number (``Citation.passage``, "passage 2") counts from 1 within its article.
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
