"""Channel settings made from chat, as the Store keeps them: one row per channel, and a log of changes.

A change and its log row are written in one transaction, so every worker sharing the database learns
of a change by watching one number (the log's newest id), never from another process's memory.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from briefings.store.schema import ChannelSettingChangeRow, ChannelSettingRow


@dataclass(frozen=True)
class ChannelSetting:
    """What chat set for a channel. None: not set from chat, the config (or its defaults) decides."""

    platform: str
    channel: str
    topics: tuple[str, ...] | None = None
    schedule: str | None = None
    timezone: str | None = None
    language: str | None = None
    muted: bool = False
    updated_at: datetime | None = None
    updated_by: str = ""

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.channel}"


@dataclass(frozen=True)
class SettingChange:
    """One logged change: which channel, when, who made it and what it was, in words."""

    id: int
    channel_key: str
    at: datetime
    who: str
    what: str


class ChannelSettingsStore:
    """The Store's methods for chat-made channel settings, mixed into `Store` (which provides
    `_session` and `_insert_ignore`), kept apart so the Store's own module stays about the stories."""

    _session: Callable[[], AbstractContextManager[Session]]
    _insert_ignore: Callable[[Session, type, dict[str, Any], list[str]], None]

    def channel_settings(self) -> list[ChannelSetting]:
        """Every channel's chat-made settings (a small table: one row per channel ever set from chat)."""
        with self._session() as session:
            return [_setting(row) for row in session.scalars(select(ChannelSettingRow)
                                                             .order_by(ChannelSettingRow.channel_key))]

    def channel_setting(self, channel_key: str) -> ChannelSetting | None:
        with self._session() as session:
            row = session.get(ChannelSettingRow, channel_key)
            return _setting(row) if row is not None else None

    def save_channel_setting(self, setting: ChannelSetting, who: str, what: str) -> SettingChange:
        """Store `setting` (replacing the channel's row) and log the change, in one transaction."""
        now = datetime.now(UTC)
        values = {"platform": setting.platform, "channel": setting.channel,
                  "topics": list(setting.topics) if setting.topics is not None else None,
                  "schedule": setting.schedule, "timezone": setting.timezone, "language": setting.language,
                  "muted": setting.muted, "updated_at": now, "updated_by": who[:200]}
        with self._session() as session:
            self._insert_ignore(session, ChannelSettingRow, {"channel_key": setting.key, **values}, ["channel_key"])
            row = session.get(ChannelSettingRow, setting.key, with_for_update=True)
            assert row is not None
            for name, value in values.items():
                setattr(row, name, value)
            change = ChannelSettingChangeRow(channel_key=setting.key, at=now, who=who[:200], what=what)
            session.add(change)
            session.flush()
            return _change(change)

    def last_setting_change(self) -> int:
        """The newest change's id (0 when none): what each worker's scheduler compares every few seconds."""
        with self._session() as session:
            return session.scalar(select(func.coalesce(func.max(ChannelSettingChangeRow.id), 0))) or 0

    def setting_changes(self, *, after: int = 0, since: datetime | None = None) -> list[SettingChange]:
        """Changes with an id above `after` (and at or after `since`, when given), oldest first."""
        query = select(ChannelSettingChangeRow).where(ChannelSettingChangeRow.id > after)
        if since is not None:
            query = query.where(ChannelSettingChangeRow.at >= since)
        with self._session() as session:
            return [_change(row) for row in session.scalars(query.order_by(ChannelSettingChangeRow.id))]

    def setting_change(self, change_id: int) -> SettingChange | None:
        with self._session() as session:
            row = session.get(ChannelSettingChangeRow, change_id)
            return _change(row) if row is not None else None


def _setting(row: ChannelSettingRow) -> ChannelSetting:
    return ChannelSetting(platform=row.platform, channel=row.channel,
                          topics=tuple(row.topics) if row.topics is not None else None, schedule=row.schedule,
                          timezone=row.timezone, language=row.language, muted=row.muted,
                          updated_at=row.updated_at, updated_by=row.updated_by)


def _change(row: ChannelSettingChangeRow) -> SettingChange:
    return SettingChange(id=row.id, channel_key=row.channel_key, at=row.at, who=row.who, what=row.what)

