"""A loopback server that answers like Slack's Web API, for the real slack_sdk / slack-bolt clients.

Clients reach it with `base_url=server.api_url` (or `BRIEFBOT_SLACK_API_URL`). It keeps:

- every `chat.postMessage` (`messages[channel]`, with blocks and metadata), each with a `ts`;
- `conversations.history` newest first, with metadata only when `include_all_metadata` is asked;
- `response_url` posts from slash-command answers (`responses`), at `server.response_url(name)`;
- injected faults: `fail_next(method, status, retry_after=…)` answers once with 429 and a
  `Retry-After` header (Slack's rate limit) or another status; `fail_for(method, seconds, status)`
  answers a run of them (500s for a minute); `refuse_auth_for(seconds)` answers every call with
  `invalid_auth` as a revoked token does; `max_message_chars` refuses longer posts with
  `msg_too_long`; `refused_blocks` refuses posts holding those block types with `invalid_blocks`;
- `pings()` / `links()`: what Slack would turn into a notification or a link in the posted mrkdwn;
- `unknown_channels`: channels that answer `channel_not_found` (a channel deleted or never joined);
- file uploads as `files_upload_v2` makes them: `files.getUploadURLExternal` (filename, length) hands
  out a loopback upload URL, the bytes are POSTed there, `files.completeUploadExternal` shares the
  uploaded files in `channel_id` (or keeps them private without one); a file whose bytes did not
  arrive, or not at the declared length, fails the completion. Completed files are in `files`
  (with their bytes and the conversation they went to); `conversations.open` gives a user's DM;
- `users.info`: a member's admin and owner flags from `user_flags` (id -> `is_admin`, `is_owner`,
  `name`…), false when not set; an id it knows nothing of answers `user_not_found`;
- Socket Mode: `apps.connections.open` (with the app token) hands out `ws://…/link`, where the fake
  greets each connection with `hello` as Slack does; `slash_command(…)` then sends a `slash_commands`
  envelope to the newest connection and `ack_delay(envelope_id)` says how long its ack took.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.support.loopback import LoopbackApp

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
_SPECIAL = re.compile(r"<(!channel|!here|!everyone|!subteam\^[^>]*|@[UW][A-Z0-9]+)[^>]*>")
_LINK = re.compile(r"<(https?://[^|>]+)(?:\|([^>]*))?>")


@dataclass
class FakeSlack(LoopbackApp):
    host: str = "127.0.0.1"
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    responses: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    calls: list[str] = field(default_factory=list)
    unknown_channels: set[str] = field(default_factory=set)
    envelopes: dict[str, float] = field(default_factory=dict)  # envelope id -> when it was sent (monotonic)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)  # envelope id -> the client's ack
    max_message_chars: int = 40_000  # Slack's msg_too_long bound, over text and block texts
    refused_blocks: set[str] = field(default_factory=set)  # block types answered with invalid_blocks
    refusals: list[str] = field(default_factory=list)  # every error answered, in order
    files: list[dict[str, Any]] = field(default_factory=list)  # completed uploads, with their bytes
    user_locales: dict[str, str] = field(default_factory=dict)  # user id -> Slack locale ("fr-FR"); others: none
    users: set[str] = field(default_factory=lambda: {"U7"})  # users.info knows these (and those with a locale)
    user_flags: dict[str, dict[str, Any]] = field(default_factory=dict)  # user id -> is_admin, is_owner, name…
    # The bot token's scopes, reported as Slack does in every Web API answer's x-oauth-scopes header.
    scopes: tuple[str, ...] = ("chat:write", "channels:history", "groups:history", "commands", "users:read",
                               "files:write", "im:write")

    def __post_init__(self) -> None:
        self._faults: list[tuple[str, int, float]] = []
        self._runs: list[tuple[str, int, float, str | None]] = []  # (method, status, until, channel)
        self._auth_refused_until = 0.0
        self._clock = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._acked: dict[str, float] = {}
        self._connected = asyncio.Event()
        self._pending: dict[str, dict[str, Any]] = {}  # file id -> upload started, bytes when sent
        self.port = 0

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link", self._socket)

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}/api/"

    def response_url(self, name: str) -> str:
        return f"http://{self.host}:{self.port}/respond/{name}"

    async def socket_connected(self, timeout: float = 30.0) -> None:
        """Wait until a Socket Mode client has connected and been greeted."""
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def slash_command(self, command: str, text: str, response: str, *, channel: str = "C42",
                            user: str = "U7") -> str:
        """Send a slash command over the newest socket, as Slack does; returns its envelope id."""
        envelope_id = str(uuid.uuid4())
        payload = {"token": "legacy", "team_id": "T1", "team_domain": "fake", "channel_id": channel,
                   "channel_name": "general", "user_id": user, "user_name": "someone", "command": command,
                   "text": text, "api_app_id": "A1", "is_enterprise_install": "false",
                   "response_url": self.response_url(response), "trigger_id": "1.2.3"}
        self.envelopes[envelope_id] = time.monotonic()
        await self._sockets[-1].send_json({"envelope_id": envelope_id, "type": "slash_commands",
                                           "payload": payload, "accepts_response_payload": True})
        return envelope_id

    async def ack_delay(self, envelope_id: str, timeout: float = 10.0) -> float | None:
        """Seconds from sending the envelope to the client's ack; None when no ack came within `timeout`."""
        deadline = time.monotonic() + timeout
        while envelope_id not in self._acked and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        acked = self._acked.get(envelope_id)
        return None if acked is None else acked - self.envelopes[envelope_id]

    def fail_next(self, method: str, status: int = 429, retry_after: float = 1.0) -> None:
        self._faults.append((method, status, retry_after))

    def fail_for(self, method: str, seconds: float, status: int = 500, channel: str | None = None) -> None:
        """Answer every call of `method` (about `channel`, when given) with `status` for the next `seconds`."""
        self._runs.append((method, status, time.monotonic() + seconds, channel))

    def refuse_auth_for(self, seconds: float) -> None:
        """Answer every call with `invalid_auth` for the next `seconds`, as a revoked token is."""
        self._auth_refused_until = time.monotonic() + seconds

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
            out += block_texts(body.get("blocks") or [])
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
        params = await _params(request)
        for run in self._runs:
            if run[0] == method and time.monotonic() < run[2] and run[3] in (None, params.get("channel")):
                self.refusals.append(f"{run[1]}")
                return web.json_response({"ok": False, "error": "internal_error"}, status=run[1])
        token = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN  # Slack keeps the two apart
        if request.headers.get("Authorization") != f"Bearer {token}" or time.monotonic() < self._auth_refused_until:
            self.refusals.append("invalid_auth")
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if method == "apps.connections.open":
            return web.json_response({"ok": True, "url": f"ws://{self.host}:{self.port}/link"})
        if method == "auth.test":
            return web.json_response({"ok": True, "url": "https://fake.slack/", "team": "T", "user": "briefbot",
                                      "team_id": "T1", "user_id": "UBOT", "bot_id": "BBOT"},
                                     headers={"x-oauth-scopes": ",".join(self.scopes)})
        if method == "chat.postMessage":
            return web.json_response(self._post(params))
        if method == "conversations.history":
            return web.json_response(self._history(params))
        if method == "conversations.open":
            users = str(params.get("users") or "")
            if not users or "," in users:
                return web.json_response({"ok": False, "error": "users_list_not_supplied"})
            return web.json_response({"ok": True, "channel": {"id": f"D{users}", "is_im": True}})
        if method == "users.info":
            return web.json_response(self._user_info(params))
        if method == "files.getUploadURLExternal":
            return web.json_response(self._upload_url(params))
        if method == "files.completeUploadExternal":
            return web.json_response(self._complete(params))
        return web.json_response({"ok": False, "error": "unknown_method"})

    def _post(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if not channel or channel in self.unknown_channels:
            return {"ok": False, "error": "channel_not_found"}
        blocks = _decoded(params.get("blocks")) or []
        if any(b.get("type") in self.refused_blocks for b in blocks):
            self.refusals.append("invalid_blocks")
            return {"ok": False, "error": "invalid_blocks"}
        if len(params.get("text") or "") + sum(len(t) for t in block_texts(blocks)) > self.max_message_chars:
            self.refusals.append("msg_too_long")
            return {"ok": False, "error": "msg_too_long"}
        ts = f"{int(time.time())}.{next(self._clock):06d}"
        message = {"ts": ts, "channel": channel, "user": "UBOT", "bot_id": "BBOT", "text": params.get("text", ""),
                   "blocks": _decoded(params.get("blocks")) or [], "metadata": _decoded(params.get("metadata"))}
        self.messages[channel].append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _user_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """users.info: the user object, with `locale` only when asked (`include_locale`) and known."""
        user = str(params.get("user") or "")
        if user not in self.users and user not in self.user_locales and user not in self.user_flags:
            return {"ok": False, "error": "user_not_found"}
        known = self.user_flags.get(user, {})
        flags = {flag: bool(known.get(flag)) for flag in ("is_admin", "is_owner", "is_primary_owner", "is_restricted",
                                                         "is_ultra_restricted")}
        found: dict[str, Any] = {"id": user, "team_id": "T1", "name": known.get("name", f"user-{user.lower()}"),
                                 "deleted": False, "is_bot": False, "tz": "Europe/Paris", **flags}
        if str(params.get("include_locale", "")).lower() in ("1", "true") and user in self.user_locales:
            found["locale"] = self.user_locales[user]
        return {"ok": True, "user": found}

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel", "")
        if channel in self.unknown_channels:
            return {"ok": False, "error": "channel_not_found"}
        oldest = float(params.get("oldest") or 0)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        items = [dict(m) for m in reversed(self.messages[channel]) if float(m["ts"]) >= oldest]
        for item in items:
            if not with_metadata or not item.get("metadata"):
                item.pop("metadata", None)
        limit = int(params.get("limit") or 100)
        return {"ok": True, "messages": items[:limit], "has_more": len(items) > limit}

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """One Socket Mode connection: `hello` first, then record each ack (a message naming an envelope)."""
        socket = web.WebSocketResponse()  # answers the client's pings, as Slack does
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_json({"type": "hello", "num_connections": len(self._sockets),
                                "connection_info": {"app_id": "A1"},
                                "debug_info": {"host": "fake-slack", "approximate_connection_time": 3600}})
        self._connected.set()
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    data = json.loads(message.data)
                    if "envelope_id" in data:
                        self._acked[data["envelope_id"]] = time.monotonic()
                        self.acks[data["envelope_id"]] = data
        finally:
            self._sockets.remove(socket)
        return socket

    def _upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        filename, length = params.get("filename"), str(params.get("length") or "")
        if not filename or not length.isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._clock):08d}"
        self._pending[file_id] = {"filename": filename, "length": int(length), "data": None}
        return {"ok": True, "file_id": file_id, "upload_url": f"http://{self.host}:{self.port}/upload/{file_id}"}

    async def _upload(self, request: web.Request) -> web.Response:
        pending = self._pending.get(request.match_info["file_id"])
        if pending is None:
            return web.Response(status=404, text="unknown upload")
        pending["data"] = await request.read()
        return web.Response(text=f"OK - {len(pending['data'])}")

    def _complete(self, params: dict[str, Any]) -> dict[str, Any]:
        listed = _decoded(params.get("files")) or []
        channel = params.get("channel_id") or None
        if channel in self.unknown_channels:
            return {"ok": False, "error": "channel_not_found"}
        done = []
        for item in listed:
            pending = self._pending.get(item.get("id", ""))
            if pending is None or pending["data"] is None or len(pending["data"]) != pending["length"]:
                return {"ok": False, "error": "file_not_found"}
            done.append({"id": item["id"], "title": item.get("title") or pending["filename"],
                         "name": pending["filename"], "size": pending["length"]})
        for item in done:
            pending = self._pending.pop(item["id"])
            self.files.append({**item, "data": pending["data"], "channel": channel,
                               "initial_comment": params.get("initial_comment")})
        return {"ok": True, "files": done}

    async def _respond(self, request: web.Request) -> web.Response:
        for fault in self._faults:
            if fault[0] == "respond":  # fail_next("respond", 500): the next response_url post fails
                self._faults.remove(fault)
                return web.Response(status=fault[1], text="internal_error")
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


def block_texts(blocks: list[dict[str, Any]]) -> list[str]:
    out = []
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict):
            out.append(text.get("text", ""))
        for element in block.get("elements", []) + block.get("fields", []):
            if isinstance(element, dict) and "text" in element:
                out.append(element["text"] if isinstance(element["text"], str) else element["text"].get("text", ""))
    return out
