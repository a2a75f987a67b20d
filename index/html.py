"""Saved web pages: the article and its header fields, read by trafilatura.

A page saved with "Save page as" has markup to go on, so a dedicated extractor does better
than any reading of its visible text (on the article-extraction benchmark, where the
pasted-text cleaner is measured too: ``benchmarks/extraction.py``, figures in README.md). Its
paragraphs and headings come out one per line, the form the cleaner and the passage splitter
read.
"""

from __future__ import annotations

import logging

HTML_SUFFIXES = (".html", ".htm")


def read_html(page: str) -> tuple[dict[str, str], str]:
    """The page's header fields (title, outlet, url, author, date) and its article text.

    Comments are left out: readers' comments are not the article. Fields the page does not
    give are absent; the text is empty when no article was found.
    """
    import trafilatura  # imported here: 0.15 s a process that reads no saved page should not pay

    # trafilatura logs every page it finds hard as an error; the reader's one warning is enough
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    document = trafilatura.bare_extraction(page, include_comments=False, with_metadata=True)
    if document is None:
        return {}, ""
    fields = {
        "title": document.title,
        "outlet": document.sitename,
        "url": document.url,
        "author": document.author,
        "date": document.date,
    }
    return {key: " ".join(value.split()) for key, value in fields.items() if value}, (
        document.text or ""
    )
