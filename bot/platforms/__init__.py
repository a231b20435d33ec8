"""The small interface between delivery and the chat platforms, and which platforms can start.

Delivery only knows `Poster`: post one message part (marked with its brief key) and list which parts
of a brief a channel already shows. Each platform implements it with its own client (discord.py,
slack_sdk) and its own way of marking a message where readers do not see it (Discord: nonce and
the fragment of the title's link; Slack: message metadata), so a restart can check the channel
before posting again.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.config import Settings

# Point the clients at another API root (a proxy, or the loopback fakes in tests). Unset in production.
SLACK_API_URL_ENV = "BRIEFBOT_SLACK_API_URL"
DISCORD_API_URL_ENV = "BRIEFBOT_DISCORD_API_URL"


@dataclass(frozen=True)
class Mark:
    """Which part of which brief a message is, so the platform itself can tell us it was posted.

    A part the platform found too long is posted in `pieces` pieces (`piece` 1…pieces); the part
    counts as posted once its last piece is, since pieces go out in order, and a restart skips the
    pieces already there (the split is deterministic).
    """

    brief_key: str
    part: int  # 1-based
    total: int
    piece: int = 0  # 0: the whole part
    pieces: int = 0

    @property
    def token(self) -> str:
        """Short, stable, opaque: fits Discord's 25-character nonce and a link's fragment."""
        tail = f".{self.piece}.{self.pieces}" if self.pieces else ""
        return f"{_digest(self.brief_key)}-{self.part}{tail}"

    def of_piece(self, piece: int, pieces: int) -> Mark:
        return Mark(self.brief_key, self.part, self.total, piece, pieces)

    @staticmethod
    def place_in(brief_key: str, token: str) -> tuple[int, int, int] | None:
        """(part, piece, pieces) when `token` marks a message of `brief_key` ((part, 0, 0) for a whole
        part), else None."""
        prefix = _digest(brief_key) + "-"
        if not token.startswith(prefix):
            return None
        numbers = token[len(prefix):].split(".")
        if not all(n.isdigit() for n in numbers) or len(numbers) not in (1, 3):
            return None
        part, piece, pieces = (int(n) for n in (numbers if len(numbers) == 3 else [*numbers, "0", "0"]))
        return part, piece, pieces


Place = tuple[int, int, int]  # (part, piece, pieces) of a posted message; (part, 0, 0) for a whole part


def complete_parts(posted: dict[Place, str]) -> dict[int, str]:
    """Parts posted whole, or down to their last piece (pieces go out in order): part → message id."""
    return {part: ident for (part, piece, pieces), ident in posted.items() if piece == pieces}


def _digest(brief_key: str) -> str:
    return hashlib.sha256(brief_key.encode()).hexdigest()[:16]


class PostError(Exception):
    """A post failed, and what retrying can do about it.

    `kind`: "transient" (retry later), "rate" (retry after `retry_after` seconds), "too_long" (split
    the message), "rejected" (the payload was refused: post it plainer), "auth" (the token is
    refused: pause the platform), "permanent" (unknown channel, lost permission: give up).
    """

    KINDS = ("transient", "rate", "too_long", "rejected", "auth", "permanent")

    def __init__(self, message: str, *, retry_after: float | None = None, kind: str | None = None):
        super().__init__(message)
        self.retry_after = retry_after
        self.kind = kind or ("rate" if retry_after is not None else "transient")
        if self.kind not in self.KINDS:
            raise ValueError(f"unknown kind of post error {self.kind!r}")


class Poster(Protocol):
    platform: str

    async def post(self, channel: str, message: dict[str, Any], mark: Mark | None = None,
                   mention_role: str | None = None) -> str:
        """Post one message; returns the platform's message id. Raises PostError."""

    async def posted_parts(self, channel: str, brief_key: str, since: datetime) -> dict[Place, str]:
        """Messages of `brief_key` this bot already posted in `channel` since `since`: (part, piece,
        pieces) → message id."""


def describe_startup(settings: Settings) -> list[str]:
    """One line per platform: whether `python -m bot run` will start it, and why not."""
    s = settings.secrets
    lines = []
    discord_channels = [c for c in settings.channels if c.platform == "discord"]
    slack_channels = [c for c in settings.channels if c.platform == "slack"]
    if s.discord_token:
        lines.append(f"discord: will start ({len(discord_channels)} channel(s), slash commands over the gateway)")
    else:
        unserved = f" ({len(discord_channels)} configured channel(s) will get nothing)" if discord_channels else ""
        lines.append("discord: will not start: DISCORD_TOKEN is not set" + unserved)
    if not s.slack_bot_token:
        lines.append("slack: will not start: SLACK_BOT_TOKEN is not set"
                     + (f" ({len(slack_channels)} configured channel(s) will get nothing)" if slack_channels else ""))
    elif s.slack_app_token:
        lines.append(f"slack: will start in Socket Mode ({len(slack_channels)} channel(s))")
    elif s.slack_signing_secret:
        lines.append(f"slack: will post briefs ({len(slack_channels)} channel(s)); slash commands need "
                     "`python -m bot web` (SLACK_SIGNING_SECRET set, no SLACK_APP_TOKEN for Socket Mode)")
    else:
        lines.append("slack: will post briefs only: set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET "
                     "(`python -m bot web`) for slash commands")
    if settings.admin and settings.admin.platform not in active_platforms(settings):
        lines.append(f"admin channel: {settings.admin.platform} is not starting, feed health reports will be dropped")
    return lines


def active_platforms(settings: Settings) -> list[str]:
    """Platforms that can post: Discord with its token, Slack with its bot token."""
    out = []
    if settings.secrets.discord_token:
        out.append("discord")
    if settings.secrets.slack_bot_token:
        out.append("slack")
    return out


def api_url(env_name: str) -> str | None:
    return os.environ.get(env_name) or None
