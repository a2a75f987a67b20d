"""``python -m bot``: settings first, then Discord if there is a token, else the console.

Exit status: 0 after a normal stop, 1 when Discord cannot be used (rejected token,
unreachable, refusing to start), 2 for bad settings; then one line on stderr, no traceback.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

import aiohttp
import discord
from dotenv import load_dotenv

from bot import console
from bot.client import serve
from bot.settings import SettingsError, load_settings
from index import EngineError

_FRESH_TOKEN = "copy a fresh one from the Developer Portal (your application, Bot, Reset Token)"
_AUTHENTICATION_FAILED = 4004  # gateway close code


def main() -> int:
    """Start the bot; return the exit status."""
    load_dotenv(Path.cwd() / ".env", override=False)  # the real environment wins
    try:
        settings = load_settings(os.environ)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not settings.token:
        return console.main(settings)
    discord.utils.setup_logging()
    logging.getLogger("index").setLevel(logging.WARNING)  # not a line per article at start
    try:
        asyncio.run(serve(settings))
    except discord.LoginFailure:
        print(f"error: Discord rejected DISCORD_TOKEN; {_FRESH_TOKEN}", file=sys.stderr)
        return 1
    except discord.ConnectionClosed as error:
        if error.code == _AUTHENTICATION_FAILED:  # the token was reset or revoked meanwhile
            print(
                f"error: Discord no longer accepts DISCORD_TOKEN (it was reset or revoked); "
                f"{_FRESH_TOKEN}",
                file=sys.stderr,
            )
        else:
            print(f"error: Discord closed the connection ({error})", file=sys.stderr)
        return 1
    except (aiohttp.ClientError, discord.HTTPException, discord.GatewayNotFound) as error:
        print(f"error: could not start on Discord ({error})", file=sys.stderr)
        return 1
    except EngineError as error:  # NEWSDESK_ENGINE names a cluster that does not answer
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
