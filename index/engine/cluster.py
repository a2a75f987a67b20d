"""A local engine cluster in one command: ``python -m index cluster start|stop``.

``start --nodes N --mirrors M`` writes one ``searchd`` config per node under its folder,
starts the nodes on 127.0.0.1 only (two ports each, free ones found from ``--port`` on: the
SphinxQL listener and the agent listener the nodes query each other on), waits until each
answers, and prints the ``NEWSDESK_ENGINE`` URL naming every node. ``stop`` ends the nodes
it started, by the PIDs it recorded, and nothing else.

Layout: N shards, one per node; shard ``s`` is held by node ``s`` and mirrored on the next M
nodes (``--nodes 2 --mirrors 1``: each node holds both shards). Every node serves the
distributed indexes over all shards, each shard an agent line listing its mirrors
(``ha_strategy = nodeads``: a dead mirror is skipped), so a question is answered while any
copy of each shard is up, and any node can take it: the client fails over between them.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, suppress
from dataclasses import asdict, dataclass
from pathlib import Path

import pymysql

from index.engine import schema
from index.engine.sphinxql import Node, format_url

HOST = "127.0.0.1"  # loopback only: the cluster is never reachable from another machine
STATE = "cluster.json"
START_TIMEOUT = 30.0  # seconds for every node to answer
STOP_TIMEOUT = 15.0  # seconds for a node to flush its indexes and exit after SIGTERM
DEFAULT_DIR = Path(".engine")
DEFAULT_PORT = 9306


class ClusterError(RuntimeError):
    """The cluster could not be started or stopped; the message says why."""


@dataclass(frozen=True, slots=True)
class NodeSpec:
    """One searchd of the cluster: its ports, the shards it holds and, once started, its PID."""

    sql_port: int
    api_port: int
    shards: tuple[int, ...]
    pid: int = 0


def layout(nodes: int, mirrors: int) -> list[tuple[int, ...]]:
    """The shards each node holds: its own, then the M before it (``layout(2, 1)``: both)."""
    if nodes < 1 or not 0 <= mirrors < nodes:
        raise ClusterError(f"--mirrors must be from 0 to {nodes - 1} with --nodes {nodes}")
    return [tuple((i - j) % nodes for j in range(mirrors + 1)) for i in range(nodes)]


def config(folder: Path, me: NodeSpec, everyone: list[NodeSpec]) -> str:
    """The ``searchd`` config of node ``me``: its shard indexes, the distributed ones, itself."""
    home = folder.resolve() / f"node-{me.sql_port}"
    sections = [
        schema.rt_index(kind, shard, str(home / schema.shard_index(kind, shard)))
        for shard in me.shards
        for kind in (schema.PASSAGES, schema.ARTICLES)
    ]
    for kind in (schema.PASSAGES, schema.ARTICLES):
        agents = []
        for shard in range(len(everyone)):
            mirrors = "|".join(f"{HOST}:{n.api_port}" for n in everyone if shard in n.shards)
            agents.append(f"    agent = {mirrors}:{schema.shard_index(kind, shard)}")
        sections.append(
            "\n".join(
                [
                    f"index {kind}",
                    "{",
                    "    type = distributed",
                    *agents,
                    "    ha_strategy = nodeads",
                    "    agent_connect_timeout = 500",
                    "    agent_query_timeout = 10000",
                    "}",
                ]
            )
        )
    sections.append(
        "\n".join(
            [
                "searchd",
                "{",
                f"    listen = {HOST}:{me.api_port}",
                f"    listen = {HOST}:{me.sql_port}:mysql41",
                f"    log = {home / 'searchd.log'}",
                f"    pid_file = {home / 'searchd.pid'}",
                f"    binlog_path = {home}",  # every write logged: a killed node loses none
                "    workers = threads",
                "    max_packet_size = 32M",
                "    client_timeout = 3600",
                "    agent_retry_count = 2",
                "    ha_ping_interval = 100",  # ms: a dead mirror is known dead quickly
                "    shutdown_timeout = 1",
                "}",
            ]
        )
    )
    return "\n\n".join(sections) + "\n"


def free_ports(count: int, first: int) -> list[int]:
    """``count`` loopback ports nothing listens on, from ``first`` up (0: any the OS gives)."""
    with ExitStack() as held:
        ports: list[int] = []
        candidate = first
        while len(ports) < count:
            sock = held.enter_context(socket.socket())
            try:
                sock.bind((HOST, candidate))
            except OSError:
                candidate += 1
                continue
            ports.append(sock.getsockname()[1])
            candidate = candidate + 1 if first else 0
        return ports


def start(folder: Path, nodes: int, mirrors: int, port: int = DEFAULT_PORT) -> str:
    """Start the cluster under ``folder`` and return its URL (the running one's, if any)."""
    running = read_state(folder)
    if running and all(_alive(n.pid) for n in running):
        return format_url(Node(HOST, n.sql_port) for n in running)
    if running:
        stop(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ports = free_ports(2 * nodes, port)
    specs = [
        NodeSpec(ports[i], ports[nodes + i], shards)
        for i, shards in enumerate(layout(nodes, mirrors))
    ]
    started = []
    try:
        for spec in specs:
            started.append(_launch(folder, spec, specs))
            _write_state(folder, started)
        for spec in started:
            _wait_until_answering(spec)
    except BaseException:
        stop(folder)
        raise
    return format_url(Node(HOST, n.sql_port) for n in started)


def _launch(folder: Path, spec: NodeSpec, everyone: list[NodeSpec]) -> NodeSpec:
    home = folder / f"node-{spec.sql_port}"
    home.mkdir(parents=True, exist_ok=True)
    path = home / "sphinx.conf"
    path.write_text(config(folder, spec, everyone), encoding="utf-8")
    with open(home / "stdout.log", "ab") as out:
        process = subprocess.Popen(
            ["searchd", "--config", str(path.resolve()), "--nodetach"],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # outlives this command; stopped by PID with `stop`
        )
    return NodeSpec(spec.sql_port, spec.api_port, spec.shards, process.pid)


def _wait_until_answering(spec: NodeSpec) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if not _alive(spec.pid):
            raise ClusterError(f"searchd on port {spec.sql_port} exited: see its stdout.log")
        try:
            pymysql.connect(host=HOST, port=spec.sql_port, connect_timeout=1).close()
            return
        except pymysql.err.OperationalError:
            if time.monotonic() > deadline:
                raise ClusterError(f"searchd on port {spec.sql_port} did not answer") from None
            time.sleep(0.1)


def stop(folder: Path) -> int:
    """Stop the nodes started under ``folder`` (SIGTERM, then SIGKILL); how many were running."""
    specs = read_state(folder)
    running = [s for s in specs if _alive(s.pid) and _is_our_searchd(s.pid, folder)]
    for spec in running:
        os.kill(spec.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for spec in running:
        while _alive(spec.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(spec.pid):
            os.kill(spec.pid, signal.SIGKILL)
    (folder / STATE).unlink(missing_ok=True)
    return len(running)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, which a test's own child becomes, does not)."""
    if pid <= 0:
        return False
    with suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our child
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _is_our_searchd(pid: int, folder: Path) -> bool:
    """Whether ``pid`` is a searchd run with a config of ``folder`` (not a reused PID)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    home = str(folder.resolve()).encode()
    return any(a.endswith(b"searchd") for a in argv[:1]) and any(home in a for a in argv)


def read_state(folder: Path) -> list[NodeSpec]:
    """The nodes started under ``folder``, as recorded (none if there is no record)."""
    try:
        raw = json.loads((folder / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [NodeSpec(n["sql_port"], n["api_port"], tuple(n["shards"]), n["pid"]) for n in raw]


def _write_state(folder: Path, specs: list[NodeSpec]) -> None:
    text = json.dumps([asdict(s) for s in specs], indent=1)
    (folder / STATE).write_text(text + "\n", encoding="utf-8")


def add_parser(verbs: argparse._SubParsersAction) -> None:
    """The ``cluster`` verb of ``python -m index``."""
    cluster = verbs.add_parser("cluster", help="start or stop a local engine cluster")
    actions = cluster.add_subparsers(dest="action", required=True, metavar="ACTION")
    begin = actions.add_parser("start", help="start searchd nodes; prints NEWSDESK_ENGINE's URL")
    begin.add_argument("--nodes", type=int, default=2, help="searchd processes = shards (2)")
    begin.add_argument("--mirrors", type=int, default=1, help="extra copies of each shard (1)")
    begin.add_argument("--port", type=int, default=DEFAULT_PORT, help="first port to try")
    end = actions.add_parser("stop", help="stop the nodes started in --dir")
    for action in (begin, end):
        action.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="the cluster's folder")


def main(args: argparse.Namespace) -> int:
    """Run ``cluster start`` or ``cluster stop``; exit status as the CLI's."""
    try:
        if args.action == "start":
            print(start(args.dir, args.nodes, args.mirrors, args.port))
        else:
            print(f"stopped {stop(args.dir)} nodes")
    except (ClusterError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
