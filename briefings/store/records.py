"""What the store hands back beyond the shared models: stories with their articles, outbox rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from briefings.models import Article, ArticleFacts


@dataclass
class StoredStory:
    """A story as stored: its id, its title per language and its articles, oldest first."""

    id: str
    title: dict[str, str]
    created: datetime
    updated: datetime
    articles: list[tuple[Article, ArticleFacts]] = field(default_factory=list)


@dataclass
class Delivery:
    """One brief for one channel in the outbox: written before posting, completed after.

    `lease_owner` / `lease_until`: which worker holds the row while posting, and until when; a row
    left by a crashed worker is free again once `lease_until` has passed.
    """

    id: int
    channel_key: str
    brief_key: str
    status: str  # "pending" | "sent" | "failed" (never postable; `last_error` says why)
    created: datetime
    sent_at: datetime | None = None
    platform_message_id: str | None = None
    attempts: int = 0
    last_error: str | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None
