"""The emulator as tests use it.

The server's lifecycle, pointing discord.py at it, running a client for a block, and
waiting for what the client sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .interactions import Interactions
from .model import GatewayFrame, InjectedInteraction, RecordedRequest

if TYPE_CHECKING:
    import discord


class _ScaledSleepAsyncio:
    """Stands in for the ``asyncio`` module inside discord.py's HTTP modules.

    Only ``sleep`` differs: retry back-offs (1 s, 3 s, 5 s, ...) are scaled down so a test
    that injects five 500s finishes in milliseconds instead of 25 seconds.
    """

    def __init__(self, scale: float) -> None:
        self._scale = scale

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, delay: float, result: Any = None) -> Any:
        return await asyncio.sleep(delay * self._scale, result)


class DiscordEmulator(Interactions):
    """A fake Discord (REST + gateway) on 127.0.0.1 for driving a real discord.py client.

    Use ``async with DiscordEmulator() as emu`` (start + patch discord.py, undone on exit),
    or ``await emu.start()`` / ``with emu.patch_discord():`` / ``await emu.stop()`` to control
    the steps separately.
    """

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Start listening on a random free loopback port."""
        if self._runner is not None:
            return
        app = web.Application()
        app.router.add_get("/", self._handle_gateway)
        app.router.add_get("/resume", self._handle_gateway)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._handle_cdn)
        app.router.add_route("*", "/{tail:.*}", self._handle_rest)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock)
        await site.start()

    async def stop(self) -> None:
        """Close open gateway connections and stop the server."""
        for conn in self.gateway_connections:
            if conn._ws is not None and not conn._ws.closed:
                await conn._ws.close(code=1001, message=b"emulator stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        await self.start()
        self._patch_stack.enter_context(self.patch_discord())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._patch_stack.close()
        await self.stop()
        if self.internal_errors and exc_info[0] is None:
            raise RuntimeError(f"emulator handler errors: {self.internal_errors!r}")

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[None]:
        """Point discord.py's REST base and default gateway here; restore on exit.

        The non-sharded client never asks ``/gateway/bot``: it connects to
        ``DiscordWebSocket.DEFAULT_GATEWAY`` with ``?v=10&encoding=json&compress=zlib-stream``
        appended, and reconnects to READY's ``resume_gateway_url``.
        """
        import discord.gateway
        import discord.http
        import discord.webhook.async_
        import yarl

        if not self.port:
            raise RuntimeError("start() the emulator before patching discord.py")
        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        old_http_asyncio = discord.http.asyncio
        old_webhook_asyncio = discord.webhook.async_.asyncio
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        if self.retry_sleep_scale is not None:
            shim: Any = _ScaledSleepAsyncio(self.retry_sleep_scale)
            discord.http.asyncio = shim
            discord.webhook.async_.asyncio = shim
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
            discord.http.asyncio = old_http_asyncio
            discord.webhook.async_.asyncio = old_webhook_asyncio

    @contextlib.asynccontextmanager
    async def running(
        self,
        client: discord.Client,
        *,
        token: str | None = None,
        timeout: float = 5.0,
        wait_client_ready: bool = True,
    ) -> AsyncIterator[discord.Client]:
        """Run ``client.start(token)`` in a task for the block, then close it cleanly.

        Waits until READY and the GUILD_CREATEs were sent and, with ``wait_client_ready``,
        for the client's own ``on_ready`` (which discord.py delays by the client's
        ``guild_ready_timeout``, 2 s unless the bot is built with a small one). An exception
        from ``start`` (e.g. ``LoginFailure``) is raised instead of waiting for the timeout.
        """
        task = asyncio.create_task(client.start(token or self.token), name="discord-client")
        try:
            await self._until(task, self.wait_until_ready(timeout), timeout)
            if wait_client_ready:
                await self._until(task, client.wait_until_ready(), timeout)
            yield client
        finally:
            body_failed = _exception_in_flight()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(client.close(), timeout)
            done, _ = await asyncio.wait({task}, timeout=timeout)
            if not done:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                if not body_failed:
                    raise RuntimeError("the client did not stop within the timeout after close()")
            elif not task.cancelled() and task.exception() is not None and not body_failed:
                raise task.exception()  # type: ignore[misc]

    @staticmethod
    async def _until(task: asyncio.Task[Any], awaitable: Awaitable[Any], timeout: float) -> None:
        """Await ``awaitable`` but fail fast with the task's exception if the task ends first."""
        waiter = asyncio.ensure_future(awaitable)
        try:
            done, _ = await asyncio.wait(
                {task, waiter}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            if not waiter.done():
                waiter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await waiter
        if waiter in done:
            waiter.result()
            return
        if task in done:
            exc = task.exception()
            if exc is not None:
                raise exc
            raise RuntimeError("the client stopped before it was ready")
        raise TimeoutError(f"client not ready within {timeout}s")

    def find_requests(
        self, method: str | None = None, path_regex: str | None = None
    ) -> list[RecordedRequest]:
        """Return every recorded request matching method and ``re.search(path_regex, path)``."""
        return [r for r in self.requests if self._matches(r, method, path_regex)]

    @staticmethod
    def _matches(r: RecordedRequest, method: str | None, path_regex: str | None) -> bool:
        if method is not None and r.method != method.upper():
            return False
        return path_regex is None or re.search(path_regex, r.path) is not None

    async def wait_for_requests(
        self,
        method: str | None,
        path_regex: str | None,
        count: int,
        timeout: float = 5.0,
        *,
        predicate: Callable[[RecordedRequest], bool] | None = None,
    ) -> list[RecordedRequest]:
        """Wait for ``count`` matching requests not returned by an earlier wait, oldest first."""
        found: list[RecordedRequest] = []
        try:
            async with asyncio.timeout(timeout):
                while True:
                    for r in self.requests:
                        if len(found) == count:
                            break
                        if r._consumed or not r.completed or r in found:
                            continue
                        if not self._matches(r, method, path_regex):
                            continue
                        if predicate is None or predicate(r):
                            found.append(r)
                    if len(found) == count:
                        for r in found:
                            r._consumed = True
                        return found
                    await self._changed()
        except TimeoutError:
            raise TimeoutError(
                f"got {len(found)}/{count} {method} {path_regex!r} requests within {timeout}s; "
                + self._describe_state()
            ) from None

    async def wait_for_request(
        self,
        method: str | None,
        path_regex: str | None,
        timeout: float = 5.0,
        *,
        predicate: Callable[[RecordedRequest], bool] | None = None,
    ) -> RecordedRequest:
        """Wait for the earliest matching request not returned by an earlier wait."""
        (found,) = await self.wait_for_requests(method, path_regex, 1, timeout, predicate=predicate)
        return found

    async def wait_for_callback(
        self, inter: InjectedInteraction, timeout: float = 5.0
    ) -> RecordedRequest:
        """Wait for the interaction's initial response (POST .../callback)."""
        return await self.wait_for_request("POST", re.escape(inter.callback_path) + "$", timeout)

    async def wait_for_followup(
        self, inter: InjectedInteraction, timeout: float = 5.0
    ) -> RecordedRequest:
        """Wait for a follow-up message (POST /webhooks/{app}/{token})."""
        return await self.wait_for_request("POST", re.escape(inter.webhook_path) + "$", timeout)

    async def wait_for_original_edit(
        self, inter: InjectedInteraction, timeout: float = 5.0
    ) -> RecordedRequest:
        """Wait for an edit of the original response (PATCH .../messages/@original)."""
        path = re.escape(inter.webhook_path + "/messages/@original") + "$"
        return await self.wait_for_request("PATCH", path, timeout)

    async def wait_for_gateway_op(self, op: int, timeout: float = 5.0) -> GatewayFrame:
        """Wait for the earliest client gateway payload with this opcode not yet returned."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    for frame in self.gateway_frames:
                        if not frame._consumed and frame.op == op:
                            frame._consumed = True
                            return frame
                    await self._changed()
        except TimeoutError:
            ops = [f.op for f in self.gateway_frames]
            raise TimeoutError(f"no gateway op {op} within {timeout}s; got ops {ops}") from None

    async def wait_until_ready(self, timeout: float = 5.0) -> None:
        """Wait until IDENTIFY was answered with READY and every GUILD_CREATE."""
        try:
            async with asyncio.timeout(timeout):
                await self._ready.wait()
        except TimeoutError:
            raise TimeoutError(
                f"no IDENTIFY/READY within {timeout}s; {self._describe_state()}"
            ) from None

    @staticmethod
    async def leftover_tasks(grace: float = 2.0) -> list[asyncio.Task[Any]]:
        """Return tasks (other than the caller) still pending after up to ``grace`` seconds.

        After ``client.close()`` this should be empty; anything left is what asyncio would
        report as "Task was destroyed but it is pending" (e.g. un-stopped View timeouts).
        """
        deadline = time.monotonic() + grace
        while True:
            current = asyncio.current_task()
            others = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
            if not others or time.monotonic() >= deadline:
                return others
            await asyncio.sleep(0.01)


def _exception_in_flight() -> bool:
    return sys.exc_info()[0] is not None
