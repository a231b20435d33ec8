"""Slack through slack_sdk / slack-bolt: the Web API client, the Poster, and the bolt app.

Each brief part is posted with message metadata carrying its brief key and part number; after a
restart `posted_parts` reads the channel's recent history (with metadata) to see what is already
there. The client posting briefs has no automatic retries: a retry is the outbox's decision, taken
after checking the channel, so a post that reached Slack before the connection dropped is not repeated.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.admin_commands import Caller, ChannelAdmin, admin_messages
from bot.command_registry import REGISTRY, Command, Group, UsageError, admin_group, parse_text, slash_names
from bot.commands import Commands, Reply
from bot.config import Settings
from bot.platforms import SLACK_API_URL_ENV, Mark, Place, PostError, api_url
from bot.platforms.replies import reply_messages, run_command
from bot.platforms.slack_files import upload_files
from bot.wording import failed, locale_of

log = logging.getLogger(__name__)

METADATA_EVENT = "briefbot_brief"
HISTORY_LIMIT = 200
# What each refusal means for a retry (https://api.slack.com/methods/chat.postMessage#errors).
_ERROR_KINDS = {
    "channel_not_found": "permanent", "not_in_channel": "permanent", "is_archived": "permanent",
    "missing_scope": "permanent", "restricted_action": "permanent",
    "invalid_auth": "auth", "not_authed": "auth", "account_inactive": "auth", "token_revoked": "auth",
    "token_expired": "auth",
    "msg_too_long": "too_long", "msg_blocks_too_long": "too_long",
    "invalid_blocks": "rejected", "invalid_blocks_format": "rejected", "invalid_arguments": "rejected",
    "invalid_metadata_format": "rejected", "invalid_metadata_schema": "rejected", "no_text": "rejected",
}


def web_client(token: str, *, retries: bool = True) -> AsyncWebClient:
    """An AsyncWebClient on Slack (or on BRIEFBOT_SLACK_API_URL). `retries=False` for posting briefs."""
    kwargs: dict[str, Any] = {"token": token}
    if base := api_url(SLACK_API_URL_ENV):
        kwargs["base_url"] = base.rstrip("/") + "/"
    if not retries:
        kwargs["retry_handlers"] = []
    return AsyncWebClient(**kwargs)


class SlackPoster:
    platform = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(self, channel: str, message: dict[str, Any], mark: Mark | None = None,
                   mention_role: str | None = None) -> str:
        kwargs: dict[str, Any] = {"channel": channel, "text": message["text"], "blocks": message.get("blocks") or None,
                                  "unfurl_links": False, "unfurl_media": False}
        if mark is not None:
            payload = {"brief_key": mark.brief_key, "part": mark.part, "total": mark.total}
            if mark.pieces:
                payload |= {"piece": mark.piece, "pieces": mark.pieces}
            kwargs["metadata"] = {"event_type": METADATA_EVENT, "event_payload": payload}
        response = await _call(self.client.chat_postMessage(**kwargs))
        return str(response["ts"])

    async def posted_parts(self, channel: str, brief_key: str, since: datetime) -> dict[Place, str]:
        response = await _call(self.client.conversations_history(
            channel=channel, oldest=f"{since.timestamp():.6f}", include_all_metadata=True, limit=HISTORY_LIMIT,
        ))
        found: dict[Place, str] = {}
        for msg in response.get("messages", []):
            metadata = msg.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == METADATA_EVENT and payload.get("brief_key") == brief_key:
                place = (int(payload.get("part", 1)), int(payload.get("piece", 0)), int(payload.get("pieces", 0)))
                found[place] = str(msg["ts"])
        return found


async def _call(coro: Any) -> Any:
    try:
        return await coro
    except SlackApiError as exc:
        response = exc.response
        error = response.get("error", "") if isinstance(response.data, dict) else ""
        if response.status_code == 429:
            retry_after = float(response.headers.get("Retry-After", response.headers.get("retry-after", 1)))
            raise PostError("slack rate limited", retry_after=retry_after) from exc
        kind = _ERROR_KINDS.get(error) or ("rejected" if response.status_code == 400 else "transient")
        raise PostError(f"slack {response.status_code} {error}", kind=kind) from exc
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise PostError(f"slack unreachable: {exc!r}") from exc


class UserLocales:
    """Slack users' languages, from `users.info` with `include_locale` (the user's Slack language,
    "fr-FR"), kept for `ttl_s` and for at most `size` users. A user Slack gives no locale for (or a
    failed look-up: a missing `users:read` scope) is remembered as unknown too, so it costs one call
    per TTL, not one per command; the channel's language is used then."""

    def __init__(self, client: AsyncWebClient, ttl_s: float = 3600.0, size: int = 1000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.ttl_s = ttl_s
        self.size = size
        self._clock = clock
        self._known: OrderedDict[str, tuple[float, str | None]] = OrderedDict()

    async def get(self, user: str | None) -> str | None:
        """"fr" or "en" for `user`, or None when Slack does not say."""
        if not user:
            return None
        now = self._clock()
        cached = self._known.get(user)
        if cached is not None and now - cached[0] < self.ttl_s:
            self._known.move_to_end(user)
            return cached[1]
        try:
            response = await self.client.users_info(user=user, include_locale=True)
            tag = (response.get("user") or {}).get("locale")
        except (SlackApiError, TimeoutError, aiohttp.ClientError, OSError) as exc:
            log.info("slack: no locale for user %s: %r", user, exc)
            tag = None
        locale = locale_of(tag) if tag else None
        self._known[user] = (now, locale)
        self._known.move_to_end(user)
        while len(self._known) > self.size:
            self._known.popitem(last=False)
        return locale


def build_app(settings: Settings, commands: Commands, client: AsyncWebClient,
              registry: tuple[Command | Group, ...] = REGISTRY, *, admin: ChannelAdmin | None = None) -> AsyncApp:
    """The bolt app answering the slash commands of `registry`: ack at once, then answer through
    response_url, in the user's Slack language (else the channel's). An admin group is answered by
    `admin` (and not served without it), privately, to those `may_administer` lets through.

    The same app serves Socket Mode (`python -m bot run` with SLACK_APP_TOKEN) and HTTP
    (`python -m bot web`, requests verified with SLACK_SIGNING_SECRET).
    """
    app = AsyncApp(client=client, signing_secret=settings.secrets.slack_signing_secret or "",
                   request_verification_enabled=bool(settings.secrets.slack_signing_secret))
    french = {c.channel for c in settings.channels if c.platform == "slack" and c.language == "fr"}
    locales = UserLocales(client)

    async def channel_locale(channel: str) -> str:
        """The channel's language: as set now, chat-made settings included, where the admin group
        (and with it the store) is served; else as config.toml says."""
        if admin is not None:
            return locale_of(await asyncio.to_thread(admin.channel_language, "slack", channel))
        return "fr" if channel in french else "en"

    async def answer(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()  # within Slack's 3 seconds, before any work
        name = command["command"].lstrip("/")
        locale = "fr" if command.get("channel_id") in french else "en"
        try:
            locale = await locales.get(command.get("user_id")) or await channel_locale(command.get("channel_id") or "")
            try:
                invocation = parse_text(name, command.get("text") or "", locale, registry)
            except UsageError as exc:
                reply, public = Reply(exc.title, list(exc.lines), ok=False, locales=(locale,)), False
            else:
                if admin_group(invocation.path, registry) is not None and admin is not None:
                    await _answer_admin(admin, settings, client, command, invocation.path, invocation.args,
                                        locale, respond)
                    return
                reply = await run_command(commands, invocation.path, invocation.args, locale)
                public = invocation.public
            for message in reply_messages("slack", reply):
                sent = await respond(text=message["text"], blocks=message["blocks"], replace_original=False,
                                     response_type="in_channel" if public and reply.ok else "ephemeral")
                if sent.status_code != 200:
                    raise RuntimeError(f"response_url answered {sent.status_code}: {sent.body[:200]}")
            await upload_files(client, reply.files, user=command.get("user_id"),
                               channel=command.get("channel_id") if public and reply.ok else None)
        except Exception:  # any failure ends in a private answer, never in silence
            log.exception("slack: /%s failed while answering", name)
            try:
                await respond(text=failed(locale), replace_original=False, response_type="ephemeral")
            except Exception:
                log.exception("slack: the error reply could not be sent either")

    served = [e.name for e in registry if admin is not None or not (isinstance(e, Group) and e.admin)]
    for name in slash_names(registry):
        if name in served:
            app.command(f"/{name}")(answer)
    return app


async def _answer_admin(admin: ChannelAdmin, settings: Settings, client: AsyncWebClient, command: dict[str, Any],
                        path: str, args: dict[str, str | None], locale: str, respond: AsyncRespond) -> None:
    """An admin subcommand, answered privately. Slack has no per-command permission: who may is
    decided here, on every call."""
    user = command.get("user_id") or ""
    caller = Caller("slack", command.get("channel_id") or "", user, command.get("user_name") or "",
                    await may_administer(settings, client, user))
    reply = await admin.answer(path.split(" ", 1)[1], args, caller, locale)
    for message in admin_messages("slack", reply):
        sent = await respond(text=message["text"], blocks=message["blocks"], replace_original=False,
                             response_type="ephemeral")
        if sent.status_code != 200:
            raise RuntimeError(f"response_url answered {sent.status_code}: {sent.body[:200]}")


async def may_administer(settings: Settings, client: AsyncWebClient, user: str) -> bool:
    """Whether `user` may change channels' settings: named in config.toml's `[admin] slack_admins`, or
    an admin or owner of the workspace as `users.info` says now (scope `users:read`); a failed look-up
    is a no."""
    if settings.admin is not None and user in settings.admin.slack_admins:
        return True
    try:
        found = (await client.users_info(user=user)).get("user") or {}
    except (SlackApiError, TimeoutError, aiohttp.ClientError, OSError) as exc:
        log.warning("slack: users.info for %s failed (%r): treated as not an admin", user, exc)
        return False
    return bool(found.get("is_admin") or found.get("is_owner"))
