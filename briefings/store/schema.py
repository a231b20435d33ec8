"""The tables, as typed SQLAlchemy 2 ORM classes.

The migrations under `migrations/versions/` create exactly these tables (a test compares the two),
so a new column means a new revision, never an edit of an old one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every engine.

    SQLite keeps no offset, so values are stored as naive UTC there and marked UTC again on the way
    out; PostgreSQL gets `timestamptz`. Callers always see aware UTC datetimes, as models.py requires.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store only takes timezone-aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    # Named constraints, so a later migration can alter them on SQLite (batch mode needs names).
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class FeedRow(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    seeded: Mapped[bool] = mapped_column(default=False)
    failures: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt: Mapped[datetime | None]
    last_success: Mapped[datetime | None]
    health_reported: Mapped[bool] = mapped_column(default=False)
    lease_owner: Mapped[str | None] = mapped_column(String(200))  # the worker polling it now, if any
    lease_until: Mapped[datetime | None]  # no other worker takes the feed before this
    polled_at: Mapped[datetime | None]  # when a worker last finished polling it: due again an interval later


class StoryRow(Base):
    __tablename__ = "stories"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created: Mapped[datetime]
    updated: Mapped[datetime]
    title_en: Mapped[str | None] = mapped_column(Text)
    title_fr: Mapped[str | None] = mapped_column(Text)


class ArticleRow(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    guid: Mapped[str | None] = mapped_column(String(2048), index=True)
    feed: Mapped[str] = mapped_column(String(200), default="", index=True)
    item_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8))
    published: Mapped[datetime] = mapped_column(index=True)
    fetched_at: Mapped[datetime]
    fingerprint: Mapped[str] = mapped_column(String(128), default="", index=True)
    backlog: Mapped[bool] = mapped_column(default=False)
    story_id: Mapped[str | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"), index=True)


class FactRow(Base):
    __tablename__ = "facts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "pledge" | "mission" | "date"
    payload: Mapped[dict[str, Any]]


class FeatureRow(Base):
    __tablename__ = "article_features"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    payload: Mapped[dict[str, Any]]


class DeliveryRow(Base):
    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("channel_key", "brief_key", name="uq_deliveries_channel_brief"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_key: Mapped[str] = mapped_column(String(200))
    brief_key: Mapped[str] = mapped_column(String(200))
    # "pending" | "sent" | "failed" (never postable)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    created: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    platform_message_id: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(200))  # the worker posting it now, if any
    lease_until: Mapped[datetime | None]  # nobody else may take the row before this


class JobRunRow(Base):
    __tablename__ = "job_runs"

    job_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    last_run: Mapped[datetime]


class StoryViewRow(Base):
    """A story as readers see it, written whenever one of its articles is absorbed: the merged
    facts, titles and topics (`payload`), so reads never merge articles again."""

    __tablename__ = "story_views"

    story_id: Mapped[str] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)
    payload: Mapped[dict[str, Any]]
    topics: Mapped[str] = mapped_column(Text, default="")  # ",ukraine-aid,nato," for LIKE look-ups
    article_count: Mapped[int] = mapped_column(default=0)
    first_published: Mapped[datetime]
    last_published: Mapped[datetime] = mapped_column(index=True)
    learned: Mapped[datetime] = mapped_column(index=True)  # when the bot last learnt something of it
    search: Mapped[str] = mapped_column(Text, default="")  # titles and facts, folded, for `/sources`


class ViewFactRow(Base):
    """One merged fact of a story view: when the bot first saw it and last saw it change, indexed by
    kind and story recency, and by day for the upcoming dates (donors and recipients: view_actors)."""

    __tablename__ = "view_facts"
    __table_args__ = (
        Index("ix_view_facts_kind_published", "kind", "last_published"),
        Index("ix_view_facts_kind_on_date", "kind", "on_date"),
        Index("ix_view_facts_changed", "changed"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[str] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "pledge" | "mission" | "date"
    fact_key: Mapped[str] = mapped_column(String(400))
    signature: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime]
    changed: Mapped[datetime]
    last_published: Mapped[datetime]  # the story's newest article, for "newest first" listings
    on_date: Mapped[str | None] = mapped_column(String(10))  # ISO date at its precision


class ChannelSentRow(Base):
    """What a channel was told: each fact (and each story's headline) with the signature it had,
    so the next brief carries only what is new or changed for that channel."""

    __tablename__ = "channel_sent"

    channel_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    story_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    fact_key: Mapped[str] = mapped_column(String(400), primary_key=True)
    signature: Mapped[str] = mapped_column(String(64))
    brief_key: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime] = mapped_column(index=True)


class MetaRow(Base):
    """Small named values: the version of the rules the story views were built with."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ViewActorRow(Base):
    """Who gives and who receives in a story's pledges, one row per actor (joint donors split), so a
    donor's pledges are an index range, newest first, however long the history."""

    __tablename__ = "view_actors"
    __table_args__ = (Index("ix_view_actors_side_code_published", "side", "code", "last_published"),)

    story_id: Mapped[str] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)
    side: Mapped[str] = mapped_column(String(16), primary_key=True)  # "donor" | "recipient"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_published: Mapped[datetime]


class ViewTermRow(Base):
    """The words of a story's titles and facts, folded, so `/sources` finds a story by an index
    look-up instead of scanning every story's text."""

    __tablename__ = "view_terms"
    __table_args__ = (Index("ix_view_terms_story_id", "story_id"),)

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    story_id: Mapped[str] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)


class ChannelSettingRow(Base):
    """What chat admins set for a channel, layered over config.toml: a null value is inherited from
    the channel's [[channels]] table or the instance defaults; `topics` set (even empty) replaces the
    config's list, so an unsubscribed config channel stays unsubscribed across restarts."""

    __tablename__ = "channel_settings"

    channel_key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "slack:C0123"
    platform: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(200))
    topics: Mapped[list[str] | None] = mapped_column(JSON)
    schedule: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))
    muted: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(200))


class ChannelSettingChangeRow(Base):
    """One change of a channel's settings (who, what), written in the same transaction as the change:
    every worker's scheduler watches this table's newest id to re-plan the channel's brief job, and
    the admin channel hears one line per row."""

    __tablename__ = "channel_setting_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[datetime]
    who: Mapped[str] = mapped_column(String(200))
    what: Mapped[str] = mapped_column(Text)  # JSON: the action and its values, worded when shown
