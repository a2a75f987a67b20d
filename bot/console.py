"""Console mode: the bot's commands in a terminal, for trying it without a Discord token.

Replies are the same ``Reply`` objects the Discord features build, rendered as text, so
what you read here is what Discord would say. Lines are read one at a time, from a
keyboard (with line editing and history) or a pipe; the articles folder is re-checked before
each command. Nothing an article holds can drive the terminal: control codes are dropped.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

from bot import render, replies
from bot.settings import Settings
from index import ANSI_BOLD, Retriever, open_retriever, printable, utf8_streams

HINT = (
    "No DISCORD_TOKEN set: answering here instead of on Discord. To connect, put "
    "DISCORD_TOKEN=... in the environment or a .env file (see .env.example). /help lists commands."
)
USAGE = (
    ("/ask question", "the passages that answer it, with citations (or just type the question)"),
    ("/source article", "read a whole article (an id, a title or part of one)"),
    ("/sources", "list the articles"),
    ("/reload", "re-read the articles folder now"),
    ("/help", "this list"),
    ("/quit", "leave (so do Ctrl-D and Ctrl-C)"),
)


class Console:
    """Answer one line at a time from ``library``, writing replies to ``out``."""

    def __init__(
        self, library: Retriever, results: int, out: TextIO, *, ansi: bool = False
    ) -> None:
        self.library = library
        self.results = results
        self.out = out
        self.ansi = ansi
        self.commands: dict[str, Callable[[str], replies.Reply]] = {
            "/ask": self.ask,
            "/source": self.source,
            "/sources": lambda _: replies.catalog(self.library.articles()),
            "/reload": self.reload,
            "/help": lambda _: replies.usage(USAGE),
        }

    def run(self, lines: Iterable[str]) -> None:
        """Answer every line until ``/quit`` or the end of the input."""
        for line in map(str.strip, lines):
            if line == "/quit":
                return
            if line:
                text = render.to_text(self.reply(line), ansi=self.ansi)
                self.out.write(printable(text, keep=ANSI_BOLD) + "\n\n")
                self.out.flush()

    def reply(self, line: str) -> replies.Reply:
        """Run one command (a line without a leading ``/`` is a question)."""
        if self.library.changed():
            self.library = self.library.reload()
        if not line.startswith("/"):
            return self.ask(line)
        name, _, argument = line.partition(" ")
        command = self.commands.get(name.lower())
        if command is None:
            return replies.Reply(
                cards=(replies.Card("Unknown command", f"{name} is not a command; try /help."),)
            )
        return command(argument.strip())

    def ask(self, question: str) -> replies.Reply:
        """Answer like ``/ask``."""
        return replies.answer(self.library.ask(question, self.results), self.library)

    def source(self, ref: str) -> replies.Reply:
        """Show a whole article like ``/source`` (the list, when none is named)."""
        if not ref:
            return replies.catalog(self.library.articles())
        found = self.library.matches(ref)
        if len(found) != 1:
            return replies.unmatched(ref, found, self.library.find(ref, limit=5))
        return replies.article(found[0], self.library.text(found[0]))

    def reload(self, _: str) -> replies.Reply:
        """Re-read the articles folder now, like the owner's ``/reload`` on Discord."""
        self.library = self.library.reload()
        done = replies.reloaded(self.library.report)
        return replies.Reply(cards=(replies.Card("Reloaded", done),))


def typed(prompt: str) -> Iterator[str]:
    """Lines typed at the terminal, with line editing and history (arrow keys, Ctrl-R)."""
    import readline  # noqa: F401  (loading it gives input() its line editing)

    while True:
        try:
            yield input(prompt)
        except EOFError:
            print()
            return


def main(settings: Settings) -> int:
    """Run the console until the input ends; return the exit status."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    utf8_streams()
    print(HINT, file=sys.stderr)
    try:
        console = Console(
            open_retriever(
                settings.index.articles,
                settings.index.index_dir,
                config=settings.search,
                engine=settings.index.engine,
            ),
            settings.results,
            sys.stdout,
            ansi=sys.stdout.isatty(),
        )
        console.run(typed("newsdesk> ") if sys.stdin.isatty() else sys.stdin)
    except KeyboardInterrupt:
        print(file=sys.stderr)
    except BrokenPipeError:  # the reader went away (`| head`): nothing left to say
        sys.stderr.close()
    return 0
