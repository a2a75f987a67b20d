"""Sentence splitting with nltk's Punkt, given abbreviations instead of downloaded data.

Punkt's pretrained English model is an nltk data package (not available offline), so the
tokenizer is built from parameters shipped here: the abbreviations news text uses.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer


def abbreviations() -> frozenset[str]:
    """The shipped list of abbreviations (``data/abbreviations.txt``)."""
    text = resources.files("index").joinpath("data/abbreviations.txt").read_text("utf-8")
    return frozenset(
        word for line in text.splitlines() if not line.startswith("#") for word in line.split()
    )


@cache
def _tokenizer() -> PunktSentenceTokenizer:
    params = PunktParameters()
    params.abbrev_types = set(abbreviations())
    return PunktSentenceTokenizer(params)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of one paragraph, in order."""
    return list(_tokenizer().span_tokenize(text))
