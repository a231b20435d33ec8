"""Persistent state: feeds, articles with facts, stories, the delivery outbox and job runs.

SQLAlchemy 2 on SQLite by default or PostgreSQL by URL; the schema is migrated with alembic at open.
"""

from briefings.store.channel_settings import ChannelSetting, SettingChange
from briefings.store.database import Store
from briefings.store.records import Delivery, StoredStory

__all__ = ["ChannelSetting", "Delivery", "SettingChange", "Store", "StoredStory"]
