"""Console mode: the bot's commands in a terminal, for trying it without a Discord token.

Replies are the same ``Reply`` objects the Discord features build, rendered as text, so
what you read here is what Discord would say. Lines are read one at a time, from a
keyboard or a pipe; the articles folder is re-checked before each command.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TextIO

from bot import render, replies
from bot.settings import Settings
from index.engine.backend import open_retriever
from index.retriever import Retriever

HINT = (
    "No DISCORD_TOKEN set: answering here instead of on Discord. To connect, put "
    "DISCORD_TOKEN=... in the environment or a .env file (see .env.example). /help lists commands."
)
USAGE = (
    ("/ask question", "the passages that answer it, with citations (or just type the question)"),
    ("/source article", "read a whole article (an id, a title or part of one)"),
    ("/sources", "list the articles"),
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
            "/help": lambda _: replies.usage(USAGE),
        }

    def run(self, lines: TextIO, prompt: str = "") -> None:
        """Answer every line until ``/quit`` or the end of the input."""
        while True:
            self.out.write(prompt)
            self.out.flush()
            line = lines.readline()
            if not line or line.strip() == "/quit":
                return
            if line.strip():
                self.out.write(render.to_text(self.reply(line.strip()), ansi=self.ansi) + "\n\n")

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
        article = self.library.article(ref)
        if article is None:
            return replies.not_found(ref, self.library.find(ref, limit=5))
        return replies.article(article, self.library.text(article))


def main(settings: Settings) -> int:
    """Run the console until the input ends; return the exit status."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    print(HINT, file=sys.stderr)
    interactive = sys.stdin.isatty()
    try:
        console = Console(
            open_retriever(settings.seeds, engine=settings.engine),
            settings.results,
            sys.stdout,
            ansi=sys.stdout.isatty(),
        )
        console.run(sys.stdin, prompt="newsdesk> " if interactive else "")
    except KeyboardInterrupt:
        print(file=sys.stderr)
    except BrokenPipeError:  # the reader went away (`| head`): nothing left to say
        sys.stderr.close()
    return 0
