"""A loopback server that answers like Slack's Web API, for the real slack_sdk / slack-bolt clients.

Clients reach it with `base_url=server.api_url` (or `BRIEFBOT_SLACK_API_URL`). It keeps:

- every `chat.postMessage` (`messages[channel]`, with blocks and metadata), each with a `ts`;
- `conversations.history` newest first, with metadata only when `include_all_metadata` is asked;
- `response_url` posts from slash-command answers (`responses`), at `server.response_url(name)`;
- injected faults: `fail_next(method, status, retry_after=…)` answers once with 429 and a
  `Retry-After` header (Slack's rate limit) or another status;
- `pings()` / `links()`: what Slack would turn into a notification or a link in the posted mrkdwn.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_TOKEN = "xoxb-test-token"
_SPECIAL = re.compile(r"<(!channel|!here|!everyone|!subteam\^[^>]*|@[UW][A-Z0-9]+)[^>]*>")
_LINK = re.compile(r"<(https?://[^|>]+)(?:\|([^>]*))?>")


@dataclass
class FakeSlack:
    host: str = "127.0.0.1"
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    responses: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    calls: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._faults: list[tuple[str, int, float]] = []
        self._clock = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def __aenter__(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}/api/"

    def response_url(self, name: str) -> str:
        return f"http://{self.host}:{self.port}/respond/{name}"

    def fail_next(self, method: str, status: int = 429, retry_after: float = 1.0) -> None:
        self._faults.append((method, status, retry_after))

    def posted(self, channel: str) -> list[dict[str, Any]]:
        return list(self.messages[channel])

    def pings(self) -> list[str]:
        """Special mentions Slack would notify for, in every posted or responded text."""
        return [m.group(1) for text in self._texts() for m in _SPECIAL.finditer(text)]

    def links(self) -> list[tuple[str, str]]:
        """(url, label) of every `<url|label>` link Slack would render."""
        return [(m.group(1), m.group(2) or "") for text in self._texts() for m in _LINK.finditer(text)]

    def _texts(self) -> list[str]:
        out = []
        bodies = [*itertools.chain.from_iterable(self.messages.values()),
                  *itertools.chain.from_iterable(self.responses.values())]
        for body in bodies:
            out.append(body.get("text") or "")
            out += _block_texts(body.get("blocks") or [])
        return out

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls.append(method)
        for fault in self._faults:
            if fault[0] == method:
                self._faults.remove(fault)
                headers = {"Retry-After": str(int(fault[2]))} if fault[1] == 429 else {}
                error = "ratelimited" if fault[1] == 429 else "internal_error"
                return web.json_response({"ok": False, "error": error}, status=fault[1], headers=headers)
        if request.headers.get("Authorization") != f"Bearer {BOT_TOKEN}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        params = await _params(request)
        if method == "auth.test":
            return web.json_response({"ok": True, "url": "https://fake.slack/", "team": "T", "user": "briefbot",
                                      "team_id": "T1", "user_id": "UBOT", "bot_id": "BBOT"})
        if method == "chat.postMessage":
            return web.json_response(self._post(params))
        if method == "conversations.history":
            return web.json_response(self._history(params))
        return web.json_response({"ok": False, "error": "unknown_method"})

    def _post(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        ts = f"{int(time.time())}.{next(self._clock):06d}"
        message = {"ts": ts, "channel": channel, "user": "UBOT", "bot_id": "BBOT", "text": params.get("text", ""),
                   "blocks": _decoded(params.get("blocks")) or [], "metadata": _decoded(params.get("metadata"))}
        self.messages[channel].append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel", "")
        oldest = float(params.get("oldest") or 0)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        items = [dict(m) for m in reversed(self.messages[channel]) if float(m["ts"]) >= oldest]
        for item in items:
            if not with_metadata or not item.get("metadata"):
                item.pop("metadata", None)
        limit = int(params.get("limit") or 100)
        return {"ok": True, "messages": items[:limit], "has_more": len(items) > limit}

    async def _respond(self, request: web.Request) -> web.Response:
        self.responses[request.match_info["name"]].append(await request.json())
        return web.Response(text="ok")


async def _params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            params.update(await request.json())
        else:
            params.update(await request.post())
    return params


def _decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) and value else value


def _block_texts(blocks: list[dict[str, Any]]) -> list[str]:
    out = []
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict):
            out.append(text.get("text", ""))
        for element in block.get("elements", []) + block.get("fields", []):
            if isinstance(element, dict) and "text" in element:
                out.append(element["text"] if isinstance(element["text"], str) else element["text"].get("text", ""))
    return out
