"""Text analysis: one analyzer turns passages and questions into the same index terms.

Offline by design: only nltk's data-free parts (the Snowball stemmer) and a shipped
stopword list, since nltk's data packages cannot be downloaded where this runs.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

from nltk.stem.snowball import SnowballStemmer

# Bump when the analyzer's output changes: persisted indexes built by another version are rebuilt.
ANALYZER_VERSION = "1"

# Typographic punctuation folded to ASCII so "Russia’s" and "Russia's" are the same word, and
# dashes become spaces so "2024—three" is two words.
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": " ",
        "\u2014": " ",
        "\u2015": " ",
        "\u2212": "-",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
    }
)

# A number (with thousands separators, decimals and an optional percent sign), or a word made
# of letters, possibly joined by apostrophes or hyphens ("don't", "cease-fire").
_TOKEN = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)*)(?P<pct>\s?%)?"
    r"|(?P<acronym>(?:[^\W\d_]\.){2,})"
    r"|(?P<word>[^\W\d_]+(?:['-][^\W\d_]+)*)"
)
# Upper-case words this short are acronyms ("US", "UN", "WHO"), never stopwords.
_ACRONYM_MAX = 5
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")
PERCENT = "percent"


@cache
def stopwords() -> frozenset[str]:
    """The shipped English stopword list (apostrophes removed, as the analyzer does)."""
    text = resources.files("index").joinpath("data/stopwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _number(raw: str) -> str:
    """'2,072' and '2072' are the same number; '64.1' keeps its decimals."""
    if _THOUSANDS.match(raw):
        return raw.replace(",", "")
    return raw.replace(",", ".") if raw.count(",") == 1 and "." not in raw else raw


class Analyzer:
    """Question and passage text → index terms (stemmed, stopwords removed).

    Stems are cached per surface word: news text repeats its vocabulary, so the cache
    turns most of the Snowball cost into a dict lookup.
    """

    def __init__(self) -> None:
        self._stemmer = SnowballStemmer("english")
        self._stop = stopwords()
        self._cache: dict[str, tuple[str, ...]] = {}

    def terms(self, text: str) -> list[str]:
        """All index terms of ``text``, in order, repeats included."""
        out: list[str] = []
        for _, terms in self.spans(text):
            out.extend(terms)
        return out

    def spans(self, text: str) -> list[tuple[tuple[int, int], tuple[str, ...]]]:
        """Each word's character span in ``text`` with the terms it yields (for highlighting).

        Offsets refer to ``text`` itself: folding keeps lengths for the characters that matter,
        so spans are computed on a length-preserving normalisation.
        """
        folded = _fold_same_length(text)
        result: list[tuple[tuple[int, int], tuple[str, ...]]] = []
        for match in _TOKEN.finditer(folded):
            num = match.group("num")
            if num is not None:
                terms: tuple[str, ...] = (_number(num),)
                if match.group("pct"):
                    terms += (PERCENT,)
            elif match.group("acronym"):
                terms = (match.group("acronym").replace(".", ""),)
            else:
                word = match.group("word")
                start, end = match.span()
                if end - start <= _ACRONYM_MAX and text[start:end].isupper() and end - start > 1:
                    terms = (word,)
                else:
                    terms = self._word_terms(word)
            if terms:
                result.append((match.span(), terms))
        return result

    def _word_terms(self, word: str) -> tuple[str, ...]:
        cached = self._cache.get(word)
        if cached is None:
            cached = self._cache[word] = self._analyze_word(word)
        return cached

    def _analyze_word(self, word: str) -> tuple[str, ...]:
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


def _fold_same_length(text: str) -> str:
    """Normalize (NFKC), case-fold and fold typographic punctuation, keeping every offset.

    Highlight spans are offsets into the original text, so when normalization would change
    the length (ligatures, 'ß'), the characters are folded one by one and the ones whose
    folding changes length are only lower-cased.
    """
    if text.isascii():
        return text.lower()
    folded = unicodedata.normalize("NFKC", text.translate(_FOLD_1TO1)).casefold()
    if len(folded) == len(text):
        return folded
    out = []
    for ch in text.translate(_FOLD_1TO1):
        one = unicodedata.normalize("NFKC", ch).casefold()
        out.append(one if len(one) == 1 else ch.lower()[:1] or ch)
    return "".join(out)


# Length-preserving variant of _FOLD: dashes become spaces, deletions become spaces.
_FOLD_1TO1 = {k: (v if v is not None else " ") for k, v in _FOLD.items()}
