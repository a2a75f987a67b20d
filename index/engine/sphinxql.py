r"""A SphinxQL client: the engine's MySQL-protocol query language, over PyMySQL.

PyMySQL is pure Python and small; the engine speaks enough of the MySQL wire protocol for it
(Sphinx 2.2 and Manticore alike). What this module adds is what a cluster needs: a list of
nodes, reads that fail over to the next node when one does not answer, writes to one named
node, and literals escaped the way the engine reads them (it takes ``\\'`` and ``\\\\`` but
turns PyMySQL's ``\\0`` into a plain ``0``, and a raw NUL ends the statement).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urlsplit

import pymysql

log = logging.getLogger(__name__)

SCHEME = "sphinx"
CONNECT_TIMEOUT = 2.0  # seconds: a node that does not accept by then counts as down
READ_TIMEOUT = 30.0  # seconds: a bulk write of a few megabytes, on a busy 2-core machine
ROUNDS = 6  # passes over the nodes before a read fails
PAUSE = 0.05  # seconds between passes, times the pass number (the engine's ping is 0.1 s)
Row = tuple[object, ...]


class EngineError(RuntimeError):
    """No node could run a statement; the message says which nodes were tried and why."""


class PartialResult(EngineError):
    """A shard did not answer a search (its mirror had just died): the rows are incomplete.

    The engine says so only in a warning, with the other shards' rows: taken as they are,
    a question would be answered from half the collection.
    """


@dataclass(frozen=True, slots=True)
class Node:
    """One ``searchd``'s SphinxQL listener."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def parse_url(url: str) -> tuple[Node, ...]:
    """The nodes of ``sphinx://HOST:PORT[,HOST:PORT...]``; ``ValueError`` naming what is wrong."""
    parts = urlsplit(url.strip())
    if parts.scheme != SCHEME or not parts.netloc:
        raise ValueError(f"an engine URL looks like {SCHEME}://127.0.0.1:9306, not {url!r}")
    nodes = []
    for address in parts.netloc.split(","):
        host, _, port = address.strip().rpartition(":")
        if not host or not port.isdecimal() or not 0 < int(port) < 65536:
            raise ValueError(f"{address!r} in {url!r} is not HOST:PORT")
        nodes.append(Node(host, int(port)))
    return tuple(dict.fromkeys(nodes))


def format_url(nodes: Iterable[Node]) -> str:
    """The URL naming ``nodes`` (what ``cluster start`` prints)."""
    return f"{SCHEME}://" + ",".join(map(str, nodes))


def literal(value: str | int | float) -> str:
    r"""A SphinxQL literal: numbers as they are, strings quoted with ``'`` and ``\\`` escaped.

    A NUL cannot be sent at all; it becomes U+FFFD (cleaned articles never hold one).
    """
    if isinstance(value, int | float):
        return repr(value)
    escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace("\0", "\ufffd")
    return f"'{escaped}'"


def values(rows: Iterable[Sequence[str | int | float]]) -> str:
    """``(a, b), (c, d)``: the VALUES list of a multi-row REPLACE."""
    return ", ".join("(" + ", ".join(map(literal, row)) + ")" for row in rows)


class Client:
    """Connections to the nodes of one URL, one per node and thread (PyMySQL's are not shared).

    Reads go to the first node that answers, starting with the last one that did, so a dead
    node costs one failed connect, not one per question. Every node of a mirrored pair serves
    the same distributed index, so any of them answers a read alike.
    """

    def __init__(self, nodes: Sequence[Node]) -> None:
        if not nodes:
            raise ValueError("an engine needs at least one node")
        self.nodes = tuple(nodes)
        self._local = threading.local()
        self._preferred = 0

    def _connection(self, node: Node) -> pymysql.connections.Connection:
        pool: dict[Node, pymysql.connections.Connection] = self._local.__dict__.setdefault(
            "pool", {}
        )
        conn = pool.get(node)
        if conn is None:
            conn = pymysql.connect(
                host=node.host,
                port=node.port,
                charset="utf8mb4",
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT,
                read_timeout=READ_TIMEOUT,
                write_timeout=READ_TIMEOUT,
            )
            pool[node] = conn
        return conn

    def _drop(self, node: Node) -> None:
        conn = self._local.__dict__.get("pool", {}).pop(node, None)
        if conn is not None:
            with suppress(pymysql.err.Error):
                conn.close()

    def run(self, node: Node, *statements: str) -> list[list[Row]]:
        """Run ``statements`` in order on one node, in one session; the rows of each.

        A broken connection is reopened once (the node may have restarted since); an error
        the engine reports for a statement is raised as is.
        """
        for attempt in (1, 2):
            try:
                conn = self._connection(node)
                results = []
                with conn.cursor() as cursor:
                    for statement in statements:
                        cursor.execute(statement)
                        results.append(list(cursor.fetchall()))
                        if cursor.warning_count:
                            _check_warnings(cursor)
                return results
            except pymysql.err.OperationalError:
                self._drop(node)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def read(self, *statements: str) -> list[list[Row]]:
        """Run ``statements`` on the first node that answers, failing over in URL order.

        A node also fails a read when one of its agents (a shard's mirror on a node that
        just died) refuses the connection; the engine then marks that mirror dead and
        queries the live one, so the read is tried again (``ROUNDS`` passes over the nodes).
        """
        errors = []
        count = len(self.nodes)
        for step in range(ROUNDS * count):
            if step and step % count == 0:
                time.sleep(PAUSE * (step // count))
            i = (self._preferred + step) % count
            node = self.nodes[i]
            try:
                results = self.run(node, *statements)
            except (pymysql.err.MySQLError, PartialResult) as exc:
                if not _transient(exc):
                    raise
                errors.append(f"{node}: {exc.args[-1]}")
                log.warning("engine node %s failed a read (%s): trying again", node, exc)
                continue
            self._preferred = i
            return results
        raise EngineError("no engine node answered: " + "; ".join(errors))

    def close(self) -> None:
        """Close this thread's connections."""
        for node in list(self._local.__dict__.get("pool", {})):
            self._drop(node)


def _transient(exc: Exception) -> bool:
    """A node down (no connection) or one of its agents down: another try may succeed."""
    if isinstance(exc, pymysql.err.OperationalError | PartialResult):
        return True
    return "agent " in str(exc.args[-1])


def _check_warnings(cursor: pymysql.cursors.Cursor) -> None:
    """Raise ``PartialResult`` if the last statement's warnings say an agent failed."""
    cursor.execute("SHOW WARNINGS")
    failed = [str(row[-1]) for row in cursor.fetchall() if "agent " in str(row[-1])]
    if failed:
        raise PartialResult("; ".join(failed))
