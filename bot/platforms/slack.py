"""Slack through slack_sdk / slack-bolt: the Web API client, the Poster, and the bolt app.

Each brief part is posted with message metadata carrying its brief key and part number; after a
restart `posted_parts` reads the channel's recent history (with metadata) to see what is already
there. The client posting briefs has no automatic retries: a retry is the outbox's decision, taken
after checking the channel, so a post that reached Slack before the connection dropped is not repeated.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import COMMANDS, Commands, parse_slack_text
from bot.config import Settings
from bot.platforms import SLACK_API_URL_ENV, Mark, PostError, api_url
from bot.platforms.replies import reply_messages
from bot.platforms.slack_files import upload_files

METADATA_EVENT = "briefbot_brief"
HISTORY_LIMIT = 200
_PERMANENT_ERRORS = {
    "channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "account_inactive", "token_revoked",
    "missing_scope", "msg_too_long", "invalid_blocks", "no_text", "restricted_action", "not_authed",
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
        kwargs: dict[str, Any] = {"channel": channel, "text": message["text"], "blocks": message["blocks"],
                                  "unfurl_links": False, "unfurl_media": False}
        if mark is not None:
            kwargs["metadata"] = {"event_type": METADATA_EVENT,
                                  "event_payload": {"brief_key": mark.brief_key, "part": mark.part,
                                                    "total": mark.total}}
        response = await _call(self.client.chat_postMessage(**kwargs))
        return str(response["ts"])

    async def posted_parts(self, channel: str, brief_key: str, since: datetime) -> dict[int, str]:
        response = await _call(self.client.conversations_history(
            channel=channel, oldest=f"{since.timestamp():.6f}", include_all_metadata=True, limit=HISTORY_LIMIT,
        ))
        found: dict[int, str] = {}
        for msg in response.get("messages", []):
            metadata = msg.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == METADATA_EVENT and payload.get("brief_key") == brief_key:
                found[int(payload.get("part", 1))] = str(msg["ts"])
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
        raise PostError(f"slack {response.status_code} {error}", permanent=error in _PERMANENT_ERRORS) from exc
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise PostError(f"slack unreachable: {exc!r}") from exc


def build_app(settings: Settings, commands: Commands, client: AsyncWebClient) -> AsyncApp:
    """The bolt app answering the slash commands: ack at once, then answer through response_url.

    The same app serves Socket Mode (`python -m bot run` with SLACK_APP_TOKEN) and HTTP
    (`python -m bot web`, requests verified with SLACK_SIGNING_SECRET).
    """
    app = AsyncApp(client=client, signing_secret=settings.secrets.slack_signing_secret or "",
                   request_verification_enabled=bool(settings.secrets.slack_signing_secret))
    french = {c.channel for c in settings.channels if c.platform == "slack" and c.language == "fr"}

    async def answer(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()  # within Slack's 3 seconds, before any work
        name = command["command"].lstrip("/")
        args, public = parse_slack_text(name, command.get("text") or "")
        locale = "fr" if command.get("channel_id") in french else "en"
        reply = await asyncio.to_thread(commands.run, name, args, locale)
        for message in reply_messages("slack", reply):
            await respond(text=message["text"], blocks=message["blocks"], replace_original=False,
                          response_type="in_channel" if public and reply.ok else "ephemeral")
        await upload_files(client, reply.files, user=command.get("user_id"),
                           channel=command.get("channel_id") if public and reply.ok else None)

    for name in COMMANDS:
        app.command(f"/{name}")(answer)
    return app
