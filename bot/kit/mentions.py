"""Discord mention markup (``<@id>``, ``<@&role>``, ``<#channel>``, ``@everyone``) in text.

People write mentions into questions, but they are addressed to people, not to the
articles: searched as words they only make a question look less answerable.
"""

from __future__ import annotations

import re

_MARKUP = re.compile(r"<(?:@[!&]?|#)\d+>|(?<!\S)@(?:everyone|here)\b")


def strip_mentions(text: str) -> str:
    """Remove every mention from ``text``, leaving the words around them."""
    return " ".join(_MARKUP.sub(" ", text).split())
