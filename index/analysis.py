"""Text analysis: one analyzer turns passages and questions into the same index terms.

Offline by design: only nltk's data-free parts (the Snowball stemmer) and a shipped
stopword list, since nltk's data packages cannot be downloaded where this runs.

Fast by design: text is split with one regular expression, and everything else (Unicode
normalization, case folding, stopwords, stemming) is done once per distinct token and cached,
since news text repeats its vocabulary.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

from nltk.stem.snowball import SnowballStemmer

from index.text import INVISIBLE, PUNCTUATION, latin_letters, visible

# A number (thousands separators, decimals, an optional percent sign), a dotted acronym
# ("U.S."), or a word of letters possibly joined by apostrophes or hyphens ("cease-fire").
# Invisible characters inside a word (a soft hyphen, a zero-width space) belong to it and are
# dropped from its terms: "extra\u00adordinary" is "extraordinary", not two words.
_TOKEN = re.compile(
    r"\d+(?:[.,]\d+)*(?:\s?%)?"
    r"|(?:[^\W\d_]\.){2,}"
    rf"|[^\W\d_]+(?:[{INVISIBLE}]+[^\W\d_]+|['-][^\W\d_]+)*"
)
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")
_ACRONYM_MAX = 5  # an upper-case word this short is an acronym ("US", "WHO"), never a stopword
PERCENT = "percent"
CACHE_LIMIT = 1_000_000  # distinct tokens remembered (about 150 MB at most)


@cache
def stopwords() -> frozenset[str]:
    """The shipped English stopword list (apostrophes removed, as the analyzer does)."""
    text = resources.files("index").joinpath("data/stopwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _number(token: str) -> tuple[str, ...]:
    """'2,072' and '2072' are one number; '64.1%' is 64.1 and 'percent'."""
    raw = token.rstrip("%").rstrip()
    if _THOUSANDS.match(raw):
        raw = raw.replace(",", "")
    elif raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")  # a decimal comma
    return (raw, PERCENT) if token.endswith("%") else (raw,)


class Analyzer:
    """Question and passage text → index terms (stemmed, stopwords removed)."""

    def __init__(self) -> None:
        self._stemmer = SnowballStemmer("english")
        self._stop = stopwords()
        self._cache: dict[str, tuple[str, ...]] = {}
        # A question's candidate passages are analyzed to rerank them, then the cited ones
        # again to highlight them: the second time is a lookup.
        self.spans = lru_cache(maxsize=64)(self._spans)

    def terms(self, text: str) -> list[str]:
        """All index terms of ``text``, in order, repeats included."""
        if not text.isascii():
            text = text.translate(PUNCTUATION)
        cache_get, out = self._cache.get, []
        for token in _TOKEN.findall(text):
            terms = cache_get(token)
            if terms is None:
                terms = self._analyze(token)
            out.extend(terms)
        return out

    def _spans(self, text: str) -> tuple[tuple[tuple[int, int], tuple[str, ...]], ...]:
        """Each word's character span in ``text`` with the terms it yields (for highlighting)."""
        folded = text if text.isascii() else text.translate(PUNCTUATION)
        result = []
        for match in _TOKEN.finditer(folded):
            token = match.group()
            terms = self._cache.get(token)
            if terms is None:
                terms = self._analyze(token)
            if terms:
                result.append((match.span(), terms))
        return tuple(result)  # cached and shared: immutable

    def _analyze(self, token: str) -> tuple[str, ...]:
        """Analyze a token not in the cache, and cache it (a bot runs for months: bounded)."""
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        terms = self._cache[token] = self._token_terms(token)
        return terms

    def _token_terms(self, token: str) -> tuple[str, ...]:
        if not token.isascii():
            token = latin_letters(visible(token))
        if token[0].isdigit():
            return _number(token)
        if "." in token:
            return (token.replace(".", "").casefold(),)
        if 1 < len(token) <= _ACRONYM_MAX and token.isupper():
            return (token.casefold(),)
        word = token.casefold()  # already NFKC-normal: latin_letters normalized a non-ASCII one
        word = word.removesuffix("'s").replace("'", "")
        if "-" not in word:
            return self._stem(word)
        parts = [p for p in word.split("-") if p]
        joined = self._stem("".join(parts))
        return tuple(t for p in parts for t in self._stem(p)) + joined

    def _stem(self, word: str) -> tuple[str, ...]:
        if word in self._stop or len(word) < 2:
            return ()
        return (self._stemmer.stem(word),)
