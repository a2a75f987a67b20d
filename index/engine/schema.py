"""What the engine stores, and where: index definitions, row ids, shards, term tokens.

Two real-time indexes per shard: ``passages_<s>`` (one row per passage, with every citation
field) and ``articles_<s>`` (one row per article file: what the sync compares with the
folder, and the whole cleaned text for ``source``). Each node also serves the distributed
indexes ``passages`` and ``articles`` over every shard, so any node answers a read.

The engine is given the project's own analysis, not its own: a passage's ``body`` is the
space-separated terms the project's analyzer made of it (stems, folded numbers, acronyms),
each encoded as a token of ``[a-z0-9_]`` that the engine's charset keeps whole. So the
engine matches exactly the terms the embedded index matches, and a question is searched
with the same terms. ``bag`` keeps the same tokens as a string attribute: the client reads
each candidate's term frequencies and length from it to score exactly as rank-bm25 does.
"""

from __future__ import annotations

import hashlib
import re

PASSAGES = "passages"
ARTICLES = "articles"
_PLAIN = re.compile(r"[a-z0-9]{1,40}")  # kept as is; anything else is hashed
_SHARD_NAME = re.compile(rf"({PASSAGES}|{ARTICLES})_(\d+)")

# Column order of the REPLACE statements below; the config declares the same names.
PASSAGE_COLUMNS = (
    "id",
    "body",
    "bag",
    "file",
    "article",
    "number",
    "heading",
    "text",
    "title",
    "outlet",
    "url",
    "dl",
)
ARTICLE_COLUMNS = (
    "id",
    "body",
    "file",
    "article",
    "base",
    "title",
    "subtitle",
    "outlet",
    "url",
    "fingerprint",
    "size",
    "mtime",
    "passages",
    "dropped",
    "text",
)
_UINTS = {"number", "dl", "passages", "dropped"}
_BIGINTS = {"size", "mtime"}
_FIELDS = {"body"}


def token(term: str) -> str:
    """The engine token for an analyzer term: the term itself when plain, else a hash.

    Plain terms have no ``_``, hashed ones start ``x_``, so the two never collide; a term
    with other characters (``64.1%``, a word in another script) or too long for the
    engine's 42-byte words is hashed, 80 bits, so two terms never share a token in practice.
    """
    if _PLAIN.fullmatch(term):
        return term
    return "x_" + hashlib.blake2b(term.encode("utf-8"), digest_size=10).hexdigest()


def row_id(file: str, number: int) -> int:
    """The engine document id of passage ``number`` of ``file`` (0: the article's own row).

    Derived from the file name, so replacing an article rewrites the same ids and deleting
    it needs only its passage count. 62 bits and never 0: the engine's ids are positive.
    """
    digest = hashlib.blake2b(f"{file}\0{number}".encode("utf-8", "surrogatepass"), digest_size=8)
    return (int.from_bytes(digest.digest(), "big") >> 2) or 1


def shard_of(file: str, shards: int) -> int:
    """The shard an article file lives on: a hash of its name, so every writer agrees."""
    digest = hashlib.blake2b(file.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def shard_index(kind: str, shard: int) -> str:
    """The real-time index holding shard ``shard`` of ``kind`` (``passages`` or ``articles``)."""
    return f"{kind}_{shard}"


def parse_shard(name: str) -> tuple[str, int] | None:
    """``("passages", 1)`` for ``passages_1``; ``None`` for any other index name."""
    match = _SHARD_NAME.fullmatch(name)
    return (match[1], int(match[2])) if match else None


def rt_index(kind: str, shard: int, path: str) -> str:
    """The config section of one real-time shard index, stored under ``path``."""
    columns = PASSAGE_COLUMNS if kind == PASSAGES else ARTICLE_COLUMNS
    lines = [f"index {shard_index(kind, shard)}", "{", "    type = rt", f"    path = {path}"]
    for column in columns[1:]:
        if column in _FIELDS:
            lines.append(f"    rt_field = {column}")
        elif column in _UINTS:
            lines.append(f"    rt_attr_uint = {column}")
        elif column in _BIGINTS:
            lines.append(f"    rt_attr_bigint = {column}")
        else:
            lines.append(f"    rt_attr_string = {column}")
    lines += [
        "    charset_table = 0..9, a..z, _",  # the tokens above, nothing else
        "    min_word_len = 1",
        "    dict = keywords",
        "    rt_mem_limit = 256M",
        "}",
    ]
    return "\n".join(lines)
