"""A loopback server that answers like Discord's REST API and gateway, for the real discord.py client.

Point discord.py at it with `bot.platforms.discord.use_api_base(server.url)` (sets `Route.BASE` and
the gateway URL, library configuration only). It keeps what a test needs to judge the bot:

- every message created (`messages`), with its `allowed_mentions`, and which users or roles would
  have been notified by Discord's rules (`pings`);
- nonce enforcement as Discord does it (`enforce_nonce`: a second create with the same nonce in the
  same channel returns the first message instead of posting again);
- Discord's size limits on a created message (content 2,000; 10 embeds; title 256, description
  4,096, 25 fields of name 256 and value 1,024, footer 2,048; 6,000 across a message's embeds),
  refused with 400 and Discord's error shape (code 50035, `BASE_TYPE_MAX_LENGTH`);
- a message history per channel (`GET /channels/{id}/messages`), newest first, without the nonce:
  Discord keeps nonces only a few minutes and does not return them in history;
- injected faults: `fail_next(path_suffix, status, retry_after=…, method="POST")` answers 429 (with `Retry-After`,
  a `Via` header and `retry_after` in the body, like Discord) or 5xx once;
- a gateway that sends what Discord's sends: HELLO, IDENTIFY → READY (the guild unavailable) then
  GUILD_CREATE (channels, roles, members with optional fields missing or null), heartbeats;
  `send_interaction()` delivers an application command, `dispatch()` any event (MESSAGE_CREATE and
  MESSAGE_UPDATE as `message_event()` builds them, with `"poll": null`, `"interaction": null`);
  `drop_connections()` closes every gateway socket; `identifies` counts IDENTIFYs (reconnects).
  Interaction callbacks and follow-ups are recorded. `guild_interaction()` builds a slash command
  typed in the guild's channel as Discord sends it: the `member` with the permissions it has in that
  channel (`permissions`, a bit string), a subcommand's options nested under it;
- sharding as Discord does it: `GET /gateway/bot` recommends `shards`; each IDENTIFY's `shard`
  [id, count] is recorded (`identified_shards`); READY echoes it and lists the guild only on the
  shard that owns it (`(guild_id >> 22) % count`), which alone gets its GUILD_CREATE and its events;
  events without a guild (DMs, DM interactions) go to shard 0.
- multipart requests with files: each `files[n]` part must be declared in `payload_json.attachments`
  (else 400, as Discord answers); the bytes are kept in the recorded follow-up's `uploads`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from tests.support.loopback import LoopbackApp

DISCORD_EPOCH_MS = 1_420_070_400_000
BOT_USER_ID = "900000000000000001"
APPLICATION_ID = "900000000000000002"
GUILD_ID = "900000000000000010"
GUILD_CHANNEL_ID = "900000000000000011"
_MASS = re.compile(r"@(everyone|here)")
_USER = re.compile(r"<@!?(\d+)>")
_ROLE = re.compile(r"<@&(\d+)>")


@dataclass
class Fault:
    method: str
    path_suffix: str
    status: int
    retry_after: float = 0.0


@dataclass
class FakeDiscord(LoopbackApp):
    host: str = "127.0.0.1"
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path) in arrival order
    interaction_responses: list[dict[str, Any]] = field(default_factory=list)
    commands: list[dict[str, Any]] = field(default_factory=list)  # as Discord stores them (ids added)
    command_puts: list[list[dict[str, Any]]] = field(default_factory=list)  # each registration body, as sent
    identified: asyncio.Event = field(default_factory=asyncio.Event)
    identifies: int = 0
    shards: int = 1  # what GET /gateway/bot recommends
    identified_shards: list[tuple[int, int]] = field(default_factory=list)  # (id, count) of each IDENTIFY

    def __post_init__(self) -> None:
        self._increment = itertools.count()
        self._faults: list[Fault] = []
        self._sockets: list[web.WebSocketResponse] = []
        self._shard_of: dict[web.WebSocketResponse, tuple[int, int]] = {}
        self._seq = itertools.count(2)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle ----------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._api)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- test controls --------------------------------------------------------------------------

    def fail_next(self, path_suffix: str, status: int = 429, retry_after: float = 1.0, method: str = "POST") -> None:
        self._faults.append(Fault(method, path_suffix, status, retry_after))

    def posted(self, channel: str) -> list[dict[str, Any]]:
        """Messages created in a channel, oldest first."""
        return list(self.messages[channel])

    def pings(self) -> list[str]:
        """What Discord would have notified, over every message created: `everyone`, `user:ID`, `role:ID`."""
        out: list[str] = []
        for message in itertools.chain.from_iterable(self.messages.values()):
            out += _pings(message.get("content") or "", message.get("allowed_mentions"))
        return out

    async def send_interaction(self, payload: dict[str, Any]) -> None:
        """Dispatch an INTERACTION_CREATE to every connected gateway client."""
        await self.dispatch("INTERACTION_CREATE", payload)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event (op 0), with the next sequence number, to every connection of the
        shard it belongs to: its guild's shard, or shard 0 for an event without a guild."""
        frame = {"op": 0, "t": event, "s": next(self._seq), "d": data}
        guild = data.get("guild_id")
        for ws in list(self._sockets):
            shard, count = self._shard_of.get(ws, (0, 1))
            if shard == (_shard_for(guild, count) if guild else 0):
                await ws.send_str(json.dumps(frame))

    async def drop_connections(self, code: int = 4000) -> None:
        """Close every gateway socket with a close code: 4000 (unknown error) a client resumes after,
        4010-4014 (invalid shard, sharding required, bad intents) it does not recover from by itself."""
        for ws in list(self._sockets):
            await ws.close(code=code, message=b"closed by the fake")

    def message_event(self, content: str, *, edited: bool = False) -> dict[str, Any]:
        """A MESSAGE_CREATE (or MESSAGE_UPDATE) payload as the gateway sends it for a user's message in
        the guild: `member` without the user, optional fields null or missing."""
        message = self._message(GUILD_CHANNEL_ID, {"content": content})
        message.pop("allowed_mentions")
        message.update(guild_id=GUILD_ID, author=_user("700000000000000009", "lectrice"), poll=None,
                       interaction=None, interaction_metadata=None, message_reference=None,
                       member={"roles": [], "joined_at": "2024-01-01T00:00:00+00:00", "nick": None,
                               "premium_since": None, "deaf": False, "mute": False, "flags": 0, "avatar": None,
                               "communication_disabled_until": None})
        if edited:
            message["edited_timestamp"] = datetime.now(UTC).isoformat()
        return message

    def guild_interaction(self, name: str, options: list[dict[str, Any]], *, permissions: int, locale: str = "fr",
                          subcommand: str | None = None, user_id: str = "700000000000000009",
                          username: str = "lectrice") -> dict[str, Any]:
        """An APPLICATION_COMMAND interaction from a member in the guild's text channel. `permissions` are
        the member's in that channel (Discord computes them with the overwrites; MANAGE_GUILD is 1 << 5)."""
        if subcommand is not None:  # a group's subcommand: its options nest under it (type 1, SUB_COMMAND)
            options = [{"name": subcommand, "type": 1, "options": options}]
        channel = {"id": GUILD_CHANNEL_ID, "type": 0, "guild_id": GUILD_ID, "name": "briefs", "position": 0,
                   "permission_overwrites": [], "nsfw": False, "parent_id": None, "flags": 0,
                   "rate_limit_per_user": 0, "topic": None, "last_message_id": None,
                   "permissions": str(permissions)}
        member = {"user": _user(user_id, username), "roles": [], "joined_at": "2024-01-02T00:00:00+00:00",
                  "nick": None, "avatar": None, "premium_since": None, "deaf": False, "mute": False, "flags": 0,
                  "pending": False, "communication_disabled_until": None, "permissions": str(permissions)}
        command = next((c for c in self.commands if c["name"] == name), {"id": "1"})
        return {"id": self._snowflake(), "application_id": APPLICATION_ID, "type": 2,
                "token": f"tok{self._snowflake()}", "version": 1, "locale": locale, "guild_locale": "fr",
                "guild_id": GUILD_ID, "channel_id": GUILD_CHANNEL_ID, "channel": channel, "member": member,
                "data": {"id": command["id"], "name": name, "type": 1, "options": options, "guild_id": GUILD_ID},
                "app_permissions": "1071698660929", "entitlements": [],
                "authorizing_integration_owners": {"0": GUILD_ID}, "context": 0, "attachment_size_limit": 10_485_760}

    def _snowflake(self) -> str:
        """An id like Discord's: milliseconds since the Discord epoch in the high bits, so ids sort by time."""
        millis = int(datetime.now(UTC).timestamp() * 1000) - DISCORD_EPOCH_MS
        return str((millis << 22) + (next(self._increment) % 4096))

    # --- REST ---------------------------------------------------------------------------------------

    def _message(self, channel: str, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self._snowflake(), "channel_id": channel, "type": 0, "tts": False, "pinned": False,
            "content": body.get("content") or "", "embeds": body.get("embeds") or [], "attachments": [],
            "mentions": [], "mention_roles": [], "mention_everyone": False, "components": [],
            "timestamp": datetime.now(UTC).isoformat(), "edited_timestamp": None, "flags": 0,
            "nonce": body.get("nonce"), "allowed_mentions": body.get("allowed_mentions"),
            "author": _bot_user(),
        }

    async def _api(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        self.requests.append((request.method, path))
        for fault in self._faults:
            if request.method == fault.method and path.endswith(fault.path_suffix):
                self._faults.remove(fault)
                if fault.status == 429:
                    body = {"message": "You are being rate limited.", "retry_after": fault.retry_after,
                            "global": False}
                    headers = {"Retry-After": str(fault.retry_after), "Via": "1.1 google",
                               "X-RateLimit-Scope": "user"}
                    return _reply(body, status=429, headers=headers)
                if fault.status < 500:  # Discord's shape of a refused request
                    return _reply({"message": "Invalid Form Body", "code": 50035, "errors": {}}, status=fault.status)
                return _reply({"message": "server error", "code": 0}, status=fault.status)
        by_interaction_token = path.startswith(("/interactions/", "/webhooks/"))  # the token is in the URL
        if not by_interaction_token and request.headers.get("Authorization", "").split(" ")[-1] != "discord-test-token":
            return _reply({"message": "401: Unauthorized", "code": 0}, status=401)
        body, files = await _json(request)
        if files:
            attachments = _attachments(body, files)
            if attachments is None:
                return _reply({"message": "Invalid Form Body", "code": 50035}, status=400)
            body = {**body, "uploads": attachments}
        return await self._route(request.method, path, body, request)

    async def _route(self, method: str, path: str, body: Any, request: web.Request) -> web.StreamResponse:
        if path == "/users/@me":
            return _reply(_bot_user())
        if path == "/oauth2/applications/@me":
            return _reply(_application())
        if path in ("/gateway", "/gateway/bot"):
            return _reply({"url": f"ws://{self.host}:{self.port}/gateway", "shards": self.shards,
                                      "session_start_limit": {"total": 1000, "remaining": 999,
                                                              "reset_after": 0, "max_concurrency": 1}})
        if match := re.fullmatch(r"/applications/(\d+)/commands", path):
            if method == "PUT":
                self.command_puts.append(body)
                self.commands = [dict(c, id=self._snowflake(), application_id=match.group(1), version="1")
                                 for c in body]
            return _reply(self.commands)
        if match := re.fullmatch(r"/channels/(\d+)/messages", path):
            channel = match.group(1)
            if method == "POST":
                if errors := _size_errors(body):
                    return _reply({"message": "Invalid Form Body", "code": 50035, "errors": errors}, status=400)
                return _reply(self._create(channel, body))
            return _reply(self._history(channel, request.query))
        if match := re.fullmatch(r"/channels/(\d+)", path):
            return _reply({"id": match.group(1), "type": 0, "guild_id": "1", "name": "briefs",
                                      "position": 0, "permission_overwrites": [], "nsfw": False})
        if match := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path):
            self.interaction_responses.append({"kind": "callback", "path": path, **body})
            if request.query.get("with_response", "").lower() not in ("1", "true"):
                return web.Response(status=204)
            flags = (body.get("data") or {}).get("flags", 0)
            interaction = {"id": match.group(1), "type": 2, "response_message_loading": body.get("type") == 5,
                           "response_message_ephemeral": bool(flags & 64)}
            return _reply({"interaction": interaction, "resource": {"type": body.get("type")}})
        if match := re.fullmatch(r"/webhooks/(\d+)/([^/]+)(/messages/@original)?", path):
            kind = {"POST": "followup", "DELETE": "delete"}.get(method, "edit")
            self.interaction_responses.append({"kind": kind, "path": path, **(body or {})})
            if method == "DELETE":
                return web.Response(status=204)
            message = self._message("0", body)
            message["attachments"] = [{k: v for k, v in a.items() if k != "data"}
                                      for a in (body or {}).get("uploads", [])]
            return _reply(message)
        return _reply({"message": f"404: Not Found {method} {path}", "code": 0}, status=404)

    def _create(self, channel: str, body: dict[str, Any]) -> dict[str, Any]:
        nonce = body.get("nonce")
        if nonce and body.get("enforce_nonce"):
            for existing in self.messages[channel]:
                if existing.get("nonce") == nonce:
                    return existing
        message = self._message(channel, body)
        self.messages[channel].append(message)
        return message

    def _history(self, channel: str, query: Any) -> list[dict[str, Any]]:
        limit = int(query.get("limit", 50))
        items = list(reversed(self.messages[channel]))
        if "after" in query:
            items = [m for m in items if int(m["id"]) > int(query["after"])]
        if "before" in query:
            items = [m for m in items if int(m["id"]) < int(query["before"])]
        return [{k: v for k, v in m.items() if k != "nonce"} for m in items[:limit]]

    # --- gateway ----------------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 30_000}}))
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                if frame["op"] == 1:
                    await ws.send_str(json.dumps({"op": 11}))
                elif frame["op"] in (2, 6):
                    self.identifies += 1
                    if frame["op"] == 2:  # IDENTIFY names its shard; a RESUME keeps its session's
                        shard, count = frame["d"].get("shard") or (0, 1)
                        self._shard_of[ws] = (shard, count)
                        self.identified_shards.append((shard, count))
                    shard, count = self._shard_of.get(ws, (0, 1))
                    owns = _shard_for(GUILD_ID, count) == shard
                    ready = {"v": 10, "user": _bot_user(),
                             "guilds": [{"id": GUILD_ID, "unavailable": True}] if owns else [],
                             "session_id": "fake-session", "private_channels": [], "relationships": [],
                             "resume_gateway_url": f"ws://{self.host}:{self.port}/gateway",
                             "application": {"id": APPLICATION_ID, "flags": 0}, "shard": [shard, count]}
                    await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": 1, "d": ready}))
                    if owns:
                        await ws.send_str(json.dumps({"op": 0, "t": "GUILD_CREATE", "s": next(self._seq),
                                                      "d": _guild()}))
                    self.identified.set()
        finally:
            self._sockets.remove(ws)
            self._shard_of.pop(ws, None)
        return ws


async def _json(request: web.Request) -> tuple[Any, list[dict[str, Any]]]:
    """The request's JSON (a multipart request carries it in `payload_json`) and its uploaded files,
    each `{"field", "filename", "content_type", "data"}`, as Discord receives them."""
    if not request.can_read_body:
        return {}, []
    if request.content_type.startswith("multipart/"):
        body: Any = {}
        files: list[dict[str, Any]] = []
        reader = await request.multipart()
        while part := await reader.next():
            name = getattr(part, "name", None)
            if name == "payload_json":
                body = json.loads(await part.text())  # type: ignore[union-attr]
            elif name and name.startswith("files["):
                files.append({"field": name, "filename": part.filename,  # type: ignore[union-attr]
                              "content_type": part.headers.get("Content-Type"),  # type: ignore[union-attr]
                              "data": bytes(await part.read())})  # type: ignore[union-attr]
        return body, files
    text = await request.text()
    return (json.loads(text) if text else {}), []


def _attachments(body: dict[str, Any], files: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The message's attachments as Discord records them, or None when `payload_json.attachments`
    does not describe the uploaded parts (Discord answers 400: each `files[n]` needs its entry)."""
    declared = {str(a.get("id")): a for a in body.get("attachments") or []}
    out = []
    for upload in files:
        index = upload["field"][len("files["):-1]
        entry = declared.get(index)
        if entry is None or entry.get("filename") != upload["filename"]:
            return None
        out.append({"id": index, "filename": upload["filename"], "size": len(upload["data"]),
                    "content_type": upload["content_type"], "data": upload["data"],
                    "url": f"https://cdn.discord.test/attachments/{upload['filename']}"})
    return out


def _shard_for(guild_id: str, count: int) -> int:
    """The shard a guild's events go to, by Discord's formula."""
    return (int(guild_id) >> 22) % count


_LIMITS = {"title": 256, "description": 4096, "footer.text": 2048, "author.name": 256}
_FIELD_LIMITS = {"name": 256, "value": 1024}


def _too_long(limit: int) -> dict[str, Any]:
    return {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": f"Must be {limit} or fewer in length."}]}


def _size_errors(body: dict[str, Any]) -> dict[str, Any]:
    """What Discord refuses in a message create for its size, in Discord's nested error shape."""
    errors: dict[str, Any] = {}
    if len(body.get("content") or "") > 2000:
        errors["content"] = _too_long(2000)
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        errors["embeds"] = _too_long(10)
        return errors
    total = 0
    for i, embed in enumerate(embeds):
        found: dict[str, Any] = {}
        for path, limit in _LIMITS.items():
            outer, _, inner = path.partition(".")
            value = ((embed.get(outer) or {}).get(inner) if inner else embed.get(outer)) or ""
            total += len(value)
            if len(value) > limit:
                found[outer] = {inner: _too_long(limit)} if inner else _too_long(limit)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            found["fields"] = _too_long(25)
        for j, item in enumerate(fields[:25]):
            for key, limit in _FIELD_LIMITS.items():
                total += len(item.get(key) or "")
                if len(item.get(key) or "") > limit:
                    found.setdefault("fields", {}).setdefault(str(j), {})[key] = _too_long(limit)
        if found:
            errors.setdefault("embeds", {})[str(i)] = found
    if total > 6000 and "embeds" not in errors:
        errors["embeds"] = {"0": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH",
                                               "message": "Embed size exceeds maximum size of 6000"}]}}
    return errors


def _reply(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON with Discord's exact content type: discord.py parses a body only for `application/json`."""
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})


def _bot_user() -> dict[str, Any]:
    return {"id": BOT_USER_ID, "username": "briefbot", "discriminator": "0", "global_name": None,
            "avatar": None, "bot": True}


def _user(user_id: str, name: str) -> dict[str, Any]:
    """A user as the gateway sends it: `global_name` null, no `banner`, `accent_color` or `bot`."""
    return {"id": user_id, "username": name, "discriminator": "0", "global_name": None, "avatar": None,
            "public_flags": 0}


def _guild() -> dict[str, Any]:
    """A GUILD_CREATE payload: one text channel, the @everyone role, the bot and a user as members
    (a member's optional `nick`, `avatar`, `premium_since` null or missing, as Discord sends them)."""
    everyone = {"id": GUILD_ID, "name": "@everyone", "color": 0, "hoist": False, "position": 0,
                "permissions": "1071698660929", "managed": False, "mentionable": False, "flags": 0,
                "icon": None, "unicode_emoji": None}
    members = [
        {"user": _bot_user(), "roles": [], "joined_at": "2024-01-01T00:00:00+00:00", "deaf": False, "mute": False,
         "flags": 0},
        {"user": _user("700000000000000009", "lectrice"), "nick": None, "avatar": None, "roles": [],
         "joined_at": "2024-01-02T00:00:00+00:00", "premium_since": None, "deaf": False, "mute": False,
         "flags": 0, "pending": False, "communication_disabled_until": None},
    ]
    channel = {"id": GUILD_CHANNEL_ID, "type": 0, "guild_id": GUILD_ID, "name": "briefs", "position": 0,
               "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None,
               "last_message_id": None, "rate_limit_per_user": 0}
    return {"id": GUILD_ID, "name": "fake guild", "icon": None, "splash": None, "discovery_splash": None,
            "owner_id": "900000000000000003", "afk_channel_id": None, "afk_timeout": 300, "verification_level": 0,
            "default_message_notifications": 0, "explicit_content_filter": 0, "roles": [everyone], "emojis": [],
            "features": [], "mfa_level": 0, "application_id": None, "system_channel_id": None,
            "system_channel_flags": 0, "rules_channel_id": None, "vanity_url_code": None, "description": None,
            "banner": None, "premium_tier": 0, "preferred_locale": "fr", "public_updates_channel_id": None,
            "nsfw_level": 0, "stickers": [], "premium_progress_bar_enabled": False, "joined_at":
            "2024-01-01T00:00:00+00:00", "large": False, "unavailable": False, "member_count": 2,
            "voice_states": [], "members": members, "channels": [channel], "threads": [], "presences": [],
            "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": []}


def _application() -> dict[str, Any]:
    return {"id": APPLICATION_ID, "name": "briefbot", "description": "", "icon": None, "bot_public": False,
            "bot_require_code_grant": False, "verify_key": "0" * 64, "flags": 0,
            "owner": {"id": "900000000000000003", "username": "owner", "discriminator": "0", "avatar": None}}


def _pings(content: str, allowed: dict[str, Any] | None) -> list[str]:
    """Discord's notification rules: mentions in content notify only what `allowed_mentions` permits
    (everything when it is absent); embeds never notify."""
    parse = set(allowed.get("parse", [])) if allowed is not None else {"everyone", "users", "roles"}
    users = {str(u) for u in allowed.get("users", [])} if allowed else set()
    roles = {str(r) for r in allowed.get("roles", [])} if allowed else set()
    out: list[str] = []
    if _MASS.search(content) and "everyone" in parse:
        out.append("everyone")
    out += [f"user:{u}" for u in _USER.findall(content) if "users" in parse or u in users]
    out += [f"role:{r}" for r in _ROLE.findall(content) if "roles" in parse or r in roles]
    return out
