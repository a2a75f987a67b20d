"""Text safe to index and to print: invisible characters out of words, control codes out.

Articles are pasted from web pages and questions typed on phones, so both carry characters
nobody sees: soft hyphens and zero-width spaces inside words ("extra\u00adordinary") and,
from hostile or broken pages, terminal escape codes (``ESC ] 0 ; title BEL`` retitles the
window, ``ESC [ 2 J`` clears the screen). The first must not split a word; the second must
never reach a terminal through ``source``, ``search`` or the console.
"""

from __future__ import annotations

import io
import re
import sys

# Soft hyphen, zero-width space / non-joiner / joiner, word joiner, zero-width no-break space
# (a byte-order mark inside text): shown as nothing, so removed, never turned into a space.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_DROP_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))
# An escape sequence whole (OSC up to its terminator, CSI up to its final byte, or a
# two-character one), then any other C0 or C1 control but the line feed and the tab.
_ESCAPE = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b\[[0-?]*[ -/]*[@-~]?|\x1b.?", re.S)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


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
    text = _ESCAPE.sub(lambda m: m.group() if m.group() in keep else "", text)
    return _CONTROL.sub("", text)
