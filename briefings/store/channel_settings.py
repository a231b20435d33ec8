"""Channel settings made from chat, as the Store keeps them: one row per channel, and a log of changes.

A change and its log row are written in one transaction, so every worker sharing the database learns
of a change by watching one number (the log's newest id), never from another process's memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
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
    """One logged change: which channel, when, who made it and what it was (worded when shown, in
    the reader's language)."""

    id: int
    channel_key: str
    at: datetime
    who: str
    what: dict[str, Any]  # the action and its values: {"action": "subscribe", "topic": "nato", …}


# The stored setting (None: none yet) -> the new setting, and what changed (JSON-able, for the log).
Change = Callable[[ChannelSetting | None], tuple[ChannelSetting, dict[str, Any]]]


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

    def change_channel_setting(self, platform: str, channel: str, change: Change, who: str
                               ) -> tuple[ChannelSetting, SettingChange]:
        """Let `change` turn the channel's stored setting (None: none yet) into the new one and say what
        it did, then store both, in one transaction that holds the channel's row: two admins changing
        one channel at once, on any workers, apply one after the other and neither change is lost.
        `change` may raise to change nothing."""
        key = f"{platform}:{channel}"
        now = datetime.now(UTC)
        with self._session() as session:
            # A blank row first, so there is always a row to hold (it is rolled back if `change` raises).
            self._insert_ignore(session, ChannelSettingRow, {
                "channel_key": key, "platform": platform, "channel": channel, "muted": False, "updated_at": now,
                "updated_by": ""}, ["channel_key"])
            row = session.get(ChannelSettingRow, key, with_for_update=True, populate_existing=True)
            assert row is not None
            setting, what = change(_setting(row) if row.updated_by else None)
            setting = replace(setting, updated_at=now, updated_by=who[:200])
            row.topics = list(setting.topics) if setting.topics is not None else None
            row.schedule, row.timezone, row.language = setting.schedule, setting.timezone, setting.language
            row.muted, row.updated_at, row.updated_by = setting.muted, now, setting.updated_by
            logged = ChannelSettingChangeRow(channel_key=key, at=now, who=who[:200],
                                             what=json.dumps(what, ensure_ascii=False))
            session.add(logged)
            session.flush()
            return setting, _change(logged)

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
    return SettingChange(id=row.id, channel_key=row.channel_key, at=row.at, who=row.who, what=json.loads(row.what))

