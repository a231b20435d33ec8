"""`python -m bot run` as a real process for end-to-end tests: started against loopback fakes with only
the environment a test gives it, stopped with SIGTERM (exit code 0 expected), and waited on."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# Variables a test sets when it means to; inherited from the shell they would change what it tests.
_OWN = ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "BRIEFBOT_CRASH_AT",
        "BRIEFBOT_DISCORD_API_URL", "BRIEFBOT_SLACK_API_URL", "BRIEFBOT_DATABASE_URL", "BRIEFBOT_DISCORD_SHARDS",
        "BRIEFBOT_DISCORD_SHARD_COUNT", "BRIEFBOT_LOG_FORMAT")


async def start_bot(config: Path, log: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    full = {**os.environ, "PYTHONPATH": str(ROOT), "BRIEFBOT_RESTART_BASE_SECONDS": "0.2", **env}
    for name in _OWN:
        if name not in env:
            full.pop(name, None)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config), cwd=str(ROOT), env=full,
        stdout=log.open("ab"), stderr=asyncio.subprocess.STDOUT,
    )


async def stop_bot(bot: asyncio.subprocess.Process, log: Path) -> None:
    if bot.returncode is None:
        bot.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(bot.wait(), timeout=30) == 0, log.read_text()[-3000:]


async def wait_until(check: Callable[[], Any], timeout: float, log: Path, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what} within {timeout} s\n" + log.read_text()[-4000:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def health(port: int, path: str = "/health") -> tuple[int, dict[str, Any]]:
    """A running bot's health endpoint: (status, body), 503 bodies included."""

    def get() -> tuple[int, dict[str, Any]]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    return await asyncio.to_thread(get)
