"""Console mode: the bot's commands in a terminal, for trying it without a Discord token.

Answers and the article list are laid out as ``python -m index`` prints them (``index``'s
plain-text renderer), so the two terminal faces agree; the other replies (help, an article,
an unknown name) are the ``Reply`` objects the Discord features build, rendered as text, so
they say what Discord would. Lines are read one at a time, from a keyboard (with line editing
and history) or a pipe; the articles folder is re-checked before each command. Nothing an
article holds can drive the terminal: control codes are dropped.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

from bot import render, replies
from bot.settings import Settings
from index import (
    ANSI_BOLD,
    MARKDOWN_BOLD,
    Retriever,
    answer_text,
    article_list,
    open_retriever,
    say,
    utf8_streams,
)

READ = "/source"  # the command that opens an article, offered under answers and lists
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
        self.commands: dict[str, Callable[[str], str]] = {
            "/ask": self.ask,
            "/source": self.source,
            "/sources": lambda _: self.catalog(),
            "/reload": self.reload,
            "/help": lambda _: self.show(replies.usage(USAGE)),
        }

    def run(self, lines: Iterable[str]) -> None:
        """Answer every line until ``/quit`` or the end of the input."""
        for line in map(str.strip, lines):
            if line == "/quit":
                return
            if line:
                say(self.reply(line), self.out, end="\n\n")

    def reply(self, line: str) -> str:
        """Run one command, as text (a line without a leading ``/`` is a question)."""
        if self.library.changed():
            self.library = self.library.reload()
        if not line.startswith("/"):
            return self.ask(line)
        name, _, argument = line.partition(" ")
        command = self.commands.get(name.lower())
        if command is None:
            unknown = replies.Card("Unknown command", f"{name} is not a command; try /help.")
            return self.show(replies.Reply(cards=(unknown,)))
        return command(argument.strip())

    def show(self, reply: replies.Reply) -> str:
        """A reply the Discord features would send, as terminal text."""
        return render.to_text(reply, ansi=self.ansi)

    def ask(self, question: str) -> str:
        """Answer like ``/ask``, quoting the question (piped input is not on the screen)."""
        answer = self.library.ask(question, self.results)
        bold = ANSI_BOLD if self.ansi else MARKDOWN_BOLD
        return answer_text(answer, self.library, bold=bold, read_with=READ, quote_question=True)

    def catalog(self) -> str:
        """List the articles like ``/sources``."""
        return article_list(self.library.articles(), read_with=READ)

    def source(self, ref: str) -> str:
        """Show a whole article like ``/source`` (the list, when none is named)."""
        if not ref:
            return self.catalog()
        found = self.library.matches(ref)
        if len(found) != 1:
            return self.show(replies.unmatched(ref, found, self.library.find(ref, limit=5)))
        return self.show(replies.article(found[0], self.library.text(found[0])))

    def reload(self, _: str) -> str:
        """Re-read the articles folder now, like the owner's ``/reload`` on Discord."""
        self.library = self.library.reload()
        done = replies.reloaded(self.library.report)
        return self.show(replies.Reply(cards=(replies.Card("Reloaded", done),)))


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
