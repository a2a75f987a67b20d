"""Articles: read the files users drop into the articles folder.

A file may start with a small front-matter header (``---`` / ``key: value`` lines / ``---``)
giving its title, outlet and address; without one the title is inferred from the text.
The scraped text below the header is kept exactly as collected; cleaning happens later.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from stat import S_ISREG
from typing import BinaryIO

from index.cleaning import read_page
from index.html import HTML_SUFFIXES, read_html
from index.text import printable, replaced, visible
from index.types import Source

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".txt", ".md", *HTML_SUFFIXES)
# far beyond any news article, or a saved page of one (the largest of 121 benchmark pages,
# inline scripts and styles included, is 1.4 MB); larger files are skipped
MAX_ARTICLE_BYTES = 5 * 1024 * 1024
HEADER_KEYS = ("id", "title", "subtitle", "outlet", "url")
_SLUG_WORDS = 5
UNREADABLE = "unreadable"  # the content hash of a file that could not be read
MAX_ID_CHARS = 64  # ids travel in Discord custom ids and choice values (100 characters at most)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}[ \t]+", re.M)
LINK_NOT_FOLLOWED = "a symbolic link (links are not followed: copy the file in)"


def source_of(article: Source) -> dict[str, str]:
    """The ``Source`` fields of any of its forms, to build the next form from."""
    return {f.name: getattr(article, f.name) for f in fields(Source)}


@dataclass(frozen=True, slots=True)
class RawArticle(Source):
    """One article file as read from disk, before cleaning."""

    body: str
    encoding: str
    extracted: bool = False  # the body is a saved page's article, as trafilatura found it


def is_article_name(name: str) -> bool:
    """A ``.txt``, ``.md``, ``.html`` or ``.htm`` file that is not hidden."""
    return name.lower().endswith(ARTICLE_SUFFIXES) and not name.startswith(".")


def fingerprint_bytes(data: bytes) -> str:
    """A short content hash, used to tell whether the index is stale."""
    return hashlib.blake2b(data, digest_size=12).hexdigest()


class Unusable(Exception):
    """A file in the articles folder that is not read, and why (said in one warning)."""


@contextmanager
def open_article_file(path: Path) -> Iterator[tuple[BinaryIO, int]]:
    """A regular file of the articles folder, opened for reading, and its size.

    Links are never followed: a link could put any file the bot can read (``../.env``,
    a shell history) into a public reply, and copying an article into the folder costs the
    user nothing. The type is checked on the opened file itself, so a FIFO or device swapped
    in after the folder was listed is refused instead of blocking the open or the read.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Unusable(LINK_NOT_FOLLOWED) from exc
        raise Unusable(exc.strerror or str(exc)) from exc
    with os.fdopen(fd, "rb") as fh:
        stat = os.fstat(fd)
        if not S_ISREG(stat.st_mode):
            raise Unusable("not a regular file")
        yield fh, stat.st_size


def display_name(name: str) -> str:
    """A file name fit to print: undecodable bytes as U+FFFD, control characters dropped.

    Names come from the folder listing, where bytes that are not UTF-8 are kept as lone
    surrogates (so the file can still be opened); those cannot be encoded for output.
    """
    return "".join(ch for ch in replaced(name) if unicodedata.category(ch) != "Cc")


def _too_large(size: int) -> str:
    return f"{size / 2**20:.1f} MB is over the {MAX_ARTICLE_BYTES >> 20} MB limit for an article"


def fingerprint_file(path: Path) -> str:
    """The file's content hash, read in chunks; a marker when it cannot be read.

    Files too large to be articles are not read at all: they are skipped by the build, and
    their size and time (part of the staleness check) say enough.
    """
    try:
        with open_article_file(path) as (fh, size):
            if size > MAX_ARTICLE_BYTES:
                return "too-large"
            digest = hashlib.blake2b(digest_size=12)
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
            return digest.hexdigest()
    except (OSError, Unusable):
        return UNREADABLE


def decode(data: bytes) -> tuple[str, str] | None:
    """Decode article bytes: UTF-8 (or UTF-16 with a BOM), else cp1252; ``None`` if binary."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return None
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    return None if _looks_binary(text) else (text, "cp1252")


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    odd = sum(
        1
        for ch in sample
        if unicodedata.category(ch) in ("Cc", "Co", "Cn", "So") and ch not in "\n\r\t\f"
    )
    return odd / len(sample) > 0.1 or sample.count("\ufffd") / len(sample) > 0.05


def split_header(text: str) -> tuple[dict[str, str], str]:
    """Separate an optional ``---`` front-matter header from the article body."""
    match = re.match(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", text, re.S)
    if not match:
        return {}, text
    header: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key in HEADER_KEYS:
            header[key] = value.strip()
    return header, text[match.end() :]


def slugify(text: str, max_words: int = _SLUG_WORDS) -> str:
    """A short readable id: the first few words of the title, lower-case, ascii."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower().replace("'", ""))
    return "-".join(words[:max_words]) or "article"


def read_article(path: Path) -> RawArticle | None:
    """Read one article file; ``None`` (with one warning line) when it cannot be used."""
    name = display_name(path.name)
    try:
        with open_article_file(path) as (fh, size):
            if size > MAX_ARTICLE_BYTES:
                raise Unusable(_too_large(size))
            data = fh.read(MAX_ARTICLE_BYTES + 1)  # it may have grown since
            if len(data) > MAX_ARTICLE_BYTES:
                raise Unusable(_too_large(len(data)))
    except OSError as exc:
        log.warning("skipped %s: %s", name, exc.strerror or exc)
        return None
    except Unusable as exc:
        log.warning("skipped %s: %s", name, exc)
        return None
    decoded = decode(data)
    if decoded is None:
        log.warning("skipped %s: binary data, not text", name)
        return None
    text, encoding = decoded
    if encoding not in ("utf-8", "utf-16"):
        log.warning("%s is not UTF-8: read it as %s", name, encoding)
    # Composed characters: in decomposed text (saved on macOS, from some sites) "ö" is "o" and
    # a combining mark, which splits "Möngke" into two words, since words are runs of letters.
    # Invisible characters and control codes go too: they would be quoted back to readers.
    text = unicodedata.normalize("NFC", printable(visible(text)))
    header, body = split_header(text)
    suffix = path.suffix.lower()
    if suffix == ".md":
        body = _MARKDOWN_HEADING.sub("", body)  # "## Section" is a heading line like any other
    elif suffix in HTML_SUFFIXES:
        page_fields, body = read_html(body)
        header = {**page_fields, **header}  # the file's own header wins, as for text
    if not body.strip():
        log.warning("skipped %s: no text", name)
        return None
    if not {"title", "outlet", "url"} <= header.keys():
        page = read_page(body)
        header = {"title": page.headline, "outlet": page.outlet, "url": page.url} | {
            key: value for key, value in header.items() if value
        }
    title = header["title"] or "Untitled"
    return RawArticle(
        id=(header.get("id") or slugify(title))[:MAX_ID_CHARS],
        title=title,
        subtitle=header.get("subtitle", ""),
        outlet=header.get("outlet", ""),
        url=header.get("url", ""),
        file=path.name,
        fingerprint=fingerprint_bytes(data),
        body=body,
        encoding=encoding,
        extracted=suffix in HTML_SUFFIXES,
    )


def unique_id(article_id: str, taken: set[str]) -> str:
    """``article_id``, or with ``-2``, ``-3``… when another article has it; records it."""
    unique, n = article_id, 1
    while unique in taken:
        n += 1
        unique = f"{article_id}-{n}"
    taken.add(unique)
    return unique
