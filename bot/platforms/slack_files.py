"""A reply's files on Slack: uploaded with `files_upload_v2` where the reader will see them.

A slash command's answer goes through its response_url, which carries text only, so files take the
Web API's upload (get an upload URL, send the bytes, complete the upload into a conversation). An
ephemeral answer must not put the file in the channel for everyone: it goes to the user's direct
conversation with the bot instead (`conversations.open`); a public answer shares it in the channel.
Needs the `files:write` and `im:write` scopes.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import Attachment

log = logging.getLogger(__name__)


async def upload_files(client: AsyncWebClient, files: list[Attachment], *, user: str | None,
                       channel: str | None) -> str | None:
    """Share `files` in `channel`, or privately with `user` when no channel is given; returns the
    conversation they went to, None when Slack refused (logged: the text answer stands alone)."""
    if not files:
        return None
    try:
        target = channel
        if target is None:
            if not user:
                return None
            opened = await client.conversations_open(users=user)
            target = opened["channel"]["id"]
        await client.files_upload_v2(
            channel=target,
            file_uploads=[{"content": f.data, "filename": f.filename, "title": f.filename} for f in files],
        )
        return target
    except SlackApiError as exc:
        log.warning("slack: files %s not shared: %s", [f.filename for f in files], exc.response.get("error"))
        return None
