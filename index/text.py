"""Text normalizers: what is kept of typed and scraped text, and the forms it is compared in.

Articles are pasted from web pages and questions typed on phones, so both carry characters
nobody sees: soft hyphens and zero-width spaces inside words ("extra\u00adordinary") and,
from hostile or broken pages, terminal escape codes (``ESC ] 0 ; title BEL`` retitles the
window, ``ESC [ 2 J`` clears the screen). The first must not split a word; the second must
never reach a terminal through ``source``, ``search`` or the console.

It also holds what the CLI, the console and the bot share to show text: the paragraph
pattern, bold spans (``emphasize``) and the one pair of terminal escape codes printed.

The folds below look alike but differ on purpose, each for what it compares:

- ``fold``: a typed word as the analyzer reads it (typographic quotes and dashes plain,
  NFKC), accents kept, one character for one so offsets stay valid;
- ``latin_letters``: accents off Latin letters only, for index terms;
- ``clean_question``: a question as meant (controls out, spaces folded, NFC), case kept;
- ``name_key``: a title as typed to find it (``fold``, then case and spaces folded);
- ``title_key``: a line compared with a page's title, quote marks dropped rather than
  straightened (pages quote a headline's words or not);
- ``word_list_form``: lower-case words only, the form the cleaner's word lists are in;
- ``as_compared``: text as the reranker compares phrases (case folded, ``latin_letters``);
- ``answer_key``: an answer string as the quality harness finds it in a passage (NFKC,
  curly quotes straight, case and spaces folded, dashes kept): changing it would change
  every figure measured with it.
"""

from __future__ import annotations

import io
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence

# Soft hyphen, zero-width space / non-joiner / joiner, word joiner, zero-width no-break space
# (a byte-order mark inside text): shown as nothing, so removed, never turned into a space.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_DROP_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))
# An escape sequence whole (OSC up to its terminator, CSI up to its final byte, or a
# two-character one), else any other C0 or C1 control but the line feed and the tab: one
# pattern, so that a sequence kept whole is not then stripped of its ESC as a control.
_CONTROL = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b\[[0-?]*[ -/]*[@-~]?|\x1b.?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]",
    re.S,
)


def utf8_streams() -> None:
    """Read and write UTF-8 whatever the locale says.

    What cannot be decoded or encoded (stray bytes typed or piped in, or from a file name) is
    replaced instead of stopping the run with a traceback mid-answer.
    """
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors="replace")


def replaced(text: str) -> str:
    """``text`` with the bytes that were not UTF-8 as U+FFFD.

    Python keeps such bytes of file names, arguments and streams as lone surrogates, which
    cannot be encoded for output.
    """
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def visible(text: str) -> str:
    """``text`` without its invisible characters (one character fewer for each)."""
    return text.translate(_DROP_INVISIBLE)


def printable(text: str, keep: tuple[str, ...] = ()) -> str:
    """``text`` fit for a terminal: plain line breaks, no escape code nor control character.

    ``keep`` names escape sequences the caller wrote itself (bold on and off) and that stay.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: m.group() if m.group() in keep else "", text)


# Typographic punctuation folded to ASCII, one character for one so that offsets into the
# original text stay valid: "Russia’s" is "Russia's", and "2024—three" is two words.
PUNCTUATION = str.maketrans(
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
    }
)

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_QUOTE_MARKS = re.compile(r"[\"'‘’‚‛“”„‟«»‹›`´]")
_NON_WORD = re.compile(r"[^\w\s]")
# In a question, also the zero-width and direction marks: they only hide what was typed.
_QUESTION_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]"
)


def fold(word: str) -> str:
    """A typed word with its characters as the analyzer reads them, accents kept.

    Typographic quotes and dashes become plain ones, full-width letters normal ones (NFKC).
    For checks on the word itself (is it in the English dictionary?), where "café" must stay
    what it is; the analyzer takes the accents off only for its terms (``latin_letters``).
    """
    return unicodedata.normalize("NFKC", visible(word).translate(PUNCTUATION))


def latin_letters(token: str) -> str:
    """Accents off Latin letters ("Möngke" is "Mongke", "Erdoğan" "Erdogan").

    People type names without their accents, and scraped text may have them or not. Marks on
    other scripts' letters stay (a Cyrillic "й" is not an "и"), as do letters that are not
    an accented form of a plain one ("ø", "ł").
    """
    decomposed = unicodedata.normalize("NFKD", token)
    return unicodedata.normalize("NFC", _NON_ASCII.sub(_marks_after_ascii_off, decomposed))


def _marks_after_ascii_off(run: re.Match[str]) -> str:
    """A run of non-ASCII characters less the combining marks that open it after an ASCII one.

    Only the runs are looked at character by character: the reranker folds whole passages.
    """
    text = run.group()
    if run.start() == 0:
        return text
    marks = 0
    while marks < len(text) and unicodedata.combining(text[marks]):
        marks += 1
    return text[marks:]


def clean_question(question: str) -> str:
    """What the user meant to type: control characters out, whitespace folded.

    Invisible characters (a soft hyphen, a zero-width space) are dropped without splitting
    their word. Characters are composed (NFC), as articles are when read (``index.articles``).
    """
    return " ".join(
        _QUESTION_CONTROL.sub(" ", unicodedata.normalize("NFC", visible(question))).split()
    )


def name_key(name: str) -> str:
    """A title or name as matched: case, typographic quotes and runs of spaces folded.

    People type "Trump's" for a title that has "Trump’s".
    """
    return " ".join(fold(name).casefold().split())


def title_key(text: str) -> str:
    """Compare titles ignoring case, spacing and quote styles."""
    return " ".join(_QUOTE_MARKS.sub("", text).casefold().split())


def word_list_form(text: str) -> str:
    """Lower-case words only: the form word lists are compared in."""
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def as_compared(text: str) -> str:
    """Text as phrases are compared: case folded, accents off Latin letters.

    The analyzer takes accents off too, so "Mongke Khan" typed matches "Möngke Khan" written.
    """
    folded = text.casefold()
    return folded if folded.isascii() else latin_letters(folded)


def answer_key(text: str) -> str:
    """Case-, quote- and space-insensitive form for matching answer strings."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold().split())


# --- text split and marked up, for the CLI, the console and Discord ---------------------------

Span = tuple[int, int]  # a [start, end) range of characters
PARAGRAPH = re.compile(r"[^\n]+(?:\n[^\n]+)*")  # paragraphs are separated by blank lines
ANSI_BOLD = ("\033[1m", "\033[0m")  # the only escape codes the CLI and the console print


def emphasize(
    text: str,
    bold: Sequence[Span],
    *,
    escape: Callable[[str], str] = str,
    mark: tuple[str, str] = ("**", "**"),
) -> str:
    """Wrap the ``bold`` spans of ``text`` in ``mark``, passing every piece through ``escape``.

    Escaping the pieces separately (rather than the whole, then bolding) keeps the bold
    markers themselves from being escaped and the offsets from drifting.
    """
    out: list[str] = []
    position = 0
    for start, end in _tidy(bold, text):
        out += [escape(text[position:start]), mark[0], escape(text[start:end]), mark[1]]
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


def _tidy(spans: Sequence[Span], text: str) -> list[Span]:
    """Sort the spans, trim them to the text and its words, and merge any that touch.

    Discord misreads bold that starts or ends with a space (``** a**``) or that touches
    another bold run (``**a****b**``); a terminal shows the tidied runs the same.
    """
    merged: list[Span] = []
    for s, e in sorted(spans):
        start, end = max(0, s), min(len(text), e)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
