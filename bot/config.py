"""Settings from config.toml and the environment, validated once at start-up.

Every bad value is reported with its file, key and reason, all at once, so a user fixes a config
in one pass instead of one error per restart. Secrets never live in the file: tokens come only
from environment variables, and a token found in the file is itself reported as an error.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.config_schema import secret_values, unknown_keys
from bot.worker_config import WorkersConfig, parse_workers
from briefings.ingest.addresses import KINDS as ADDRESS_KINDS

DEFAULT_STORAGE_URL = "sqlite:///briefbot.db"
STORAGE_SCHEMES = ("sqlite:///", "postgresql://", "postgresql+psycopg://")
PLATFORMS = ("discord", "slack")
LANGUAGES = ("fr", "en", "both")
NOTHING_NEW = ("silent", "line")
# The database URL can come from the environment and then wins over `[storage] url`: a PostgreSQL URL
# carries a password, which must not sit in config.toml (containers, several workers).
DATABASE_URL_ENV = "BRIEFBOT_DATABASE_URL"
SECRET_ENV = {
    "discord_token": "DISCORD_TOKEN",
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_app_token": "SLACK_APP_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
}


@dataclass(frozen=True)
class Problem:
    """One bad value: where it is and what is wrong with it."""

    file: str
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.reason}"


class ConfigError(Exception):
    """The configuration cannot be used; `problems` lists every reason."""

    def __init__(self, problems: list[Problem], partial: Settings | None = None):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems
        self.partial = partial  # what could be read despite the problems, for reporting more of them


@dataclass(frozen=True)
class FeedConfig:
    name: str
    url: str
    interval_minutes: int = 15
    language: str | None = None  # a hint when neither the feed nor the text says


@dataclass(frozen=True)
class ChannelConfig:
    """A chat channel that receives briefs on a schedule."""

    platform: str
    channel: str
    topics: tuple[str, ...]
    schedule: str = "0 8 * * *"  # crontab, in `timezone`
    timezone: str = "UTC"
    language: str = "both"
    mention_role: str | None = None  # Discord role id to ping, opt-in per channel
    name: str = ""
    nothing_new: str = "silent"  # when a brief has nothing new: "silent", or "line" (one short message)
    # The keys its [[channels]] table sets: the others come from [defaults] or the built-in defaults,
    # which `check-config` and the chat `settings` command name as each value's layer.
    given: tuple[str, ...] = field(default=(), compare=False)

    @property
    def key(self) -> str:
        """The channel's identity in the delivery outbox."""
        return f"{self.platform}:{self.channel}"


@dataclass(frozen=True)
class ChannelDefaults:
    """`[defaults]`: what a channel gets when neither its [[channels]] table nor a chat command says,
    so an instance sets its usual hour, time zone and language once for every channel, chat-made ones
    included."""

    schedule: str = "0 8 * * *"
    timezone: str = "UTC"
    language: str = "both"
    nothing_new: str = "silent"
    given: tuple[str, ...] = field(default=(), compare=False)  # the keys config.toml's [defaults] sets


@dataclass(frozen=True)
class AdminChannel:
    """Where admin reports go; `fallback` (on the other platform) hears when this platform's own
    token is refused, since a report through the failing token cannot arrive."""

    platform: str
    channel: str
    fallback: AdminChannel | None = None
    language: str = "en"  # the reports' language: "fr" or "en"
    slack_admins: tuple[str, ...] = ()  # Slack user ids allowed the admin commands beside workspace admins


@dataclass(frozen=True)
class IngestConfig:
    max_age_hours: float = 48.0  # older items are stored but never posted as news
    timeout_s: float = 20.0
    max_bytes: int = 5_000_000
    concurrency: int = 32
    feed_deadline_s: float = 30.0  # one feed's whole poll, its pages included
    allow_private: tuple[str, ...] = ()  # address kinds any feed's links may reach: private, loopback, link-local


@dataclass(frozen=True)
class DeliveryConfig:
    """Ceilings per channel slot (one scheduled brief of one channel), and when a brief is late."""

    max_stories: int = 12  # across the channel's topics; the rest is named in a note
    max_messages: int = 12  # across topics; Discord takes one per story (both languages); the rest is named in a note
    late_after_minutes: float = 10.0  # a brief posted later than this after its time says it is late
    give_up_after_hours: float = 6.0  # a brief still not posted after this is failed and the admin told


@dataclass(frozen=True)
class HealthConfig:
    """Where `run` serves its health endpoint (GET /health); no port, no endpoint (state is logged)."""

    host: str = "127.0.0.1"
    port: int | None = None
    alert_after_minutes: float = 5.0  # a platform down this long is reported to the admin (and when back)


@dataclass(frozen=True)
class Secrets:
    """Chat tokens, read from the environment only. `repr` never shows them."""

    discord_token: str | None = field(default=None, repr=False)
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Secrets:
        env = os.environ if env is None else env
        return cls(**{attr: env.get(var) or None for attr, var in SECRET_ENV.items()})

    def values(self) -> list[str]:
        """Every secret that is set, so loggers can redact them."""
        return [v for v in (getattr(self, attr) for attr in SECRET_ENV) if v]


@dataclass(frozen=True)
class Settings:
    path: Path | None
    storage_url: str = DEFAULT_STORAGE_URL
    retention_days: int | None = None  # articles older than this are pruned; None keeps everything
    feeds: tuple[FeedConfig, ...] = ()
    topics: dict[str, dict[str, Any]] = field(default_factory=dict)  # overrides of the default topics
    channels: tuple[ChannelConfig, ...] = ()
    defaults: ChannelDefaults = ChannelDefaults()
    admin: AdminChannel | None = None
    ingest: IngestConfig = IngestConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    health: HealthConfig = HealthConfig()
    workers: WorkersConfig = field(default_factory=WorkersConfig)
    secrets: Secrets = Secrets()
    public_url: str | None = None  # where `bot web`'s pages are reachable: chat briefs link each story there


_INTERVAL = re.compile(r"^\s*(\d+)\s*(m|min|h|d)?\s*$")


def _interval_minutes(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value > 0 else None
    match = _INTERVAL.match(str(value))
    if not match or int(match.group(1)) <= 0:
        return None
    return int(match.group(1)) * {"h": 60, "d": 1440}.get(match.group(2) or "m", 1)


class _Reader:
    """Collects problems while reading typed values out of the parsed TOML."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def bad(self, key: str, reason: str) -> None:
        self.problems.append(Problem(self.file, key, reason))

    def get(self, table: dict, key: str, where: str, kind: type | tuple, default: Any = None) -> Any:
        if key not in table:
            return default
        value = table[key]
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            self.bad(f"{where}{key}", f"expected {names}, got {type(value).__name__} {value!r}")
            return default
        return value


def load_settings(path: str | Path | None, env: dict[str, str] | None = None) -> Settings:
    """Read and validate `path` (None: embedded defaults). Raises ConfigError listing every problem."""
    if path is None:
        env_url = (os.environ if env is None else env).get(DATABASE_URL_ENV)
        if env_url and not env_url.startswith(STORAGE_SCHEMES):
            raise ConfigError([Problem(DATABASE_URL_ENV, "-", "use a sqlite:///path or postgresql+psycopg://… URL")])
        return Settings(path=None, storage_url=env_url or DEFAULT_STORAGE_URL, secrets=Secrets.from_env(env))
    path = Path(path)
    file = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([Problem(file, "-", "file not found")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(file, "-", f"not valid TOML: {exc}")]) from None
    reader = _Reader(file)
    settings = _parse(data, path, reader, env)
    if reader.problems:
        raise ConfigError(reader.problems, settings)
    return settings


def _parse(data: dict, path: Path, r: _Reader, env: dict[str, str] | None) -> Settings:
    for where, reason in unknown_keys(data):
        r.bad(where, reason)
    named = set()
    for attr, var in SECRET_ENV.items():
        for where, table in _tables(data):
            if attr in table or var in table or var.lower() in table:
                named.add(f"{where}{next(k for k in (attr, var, var.lower()) if k in table)}")
                r.bad(f"{where}{attr}", f"secrets do not belong in the config file; set {var} in the environment")
    for where in secret_values(data):
        if where not in named:
            r.bad(where, "this value looks like a chat token; secrets do not belong in the config file, set "
                         "DISCORD_TOKEN, SLACK_BOT_TOKEN or SLACK_APP_TOKEN in the environment")
    storage = r.get(data, "storage", "", dict, {})
    storage_url = r.get(storage, "url", "storage.", str, DEFAULT_STORAGE_URL)
    if not storage_url.startswith(STORAGE_SCHEMES):
        r.bad("storage.url", f"use a sqlite:///path or postgresql+psycopg://… URL, got {storage_url.split(':')[0]!r}")
        storage_url = DEFAULT_STORAGE_URL
    env_url = (os.environ if env is None else env).get(DATABASE_URL_ENV)
    if env_url:
        if env_url.startswith(STORAGE_SCHEMES):
            storage_url = env_url
        else:
            scheme = env_url.split(":")[0]
            r.bad(DATABASE_URL_ENV, f"use a sqlite:///path or postgresql+psycopg://… URL, got {scheme!r}")
    retention_days = r.get(storage, "retention_days", "storage.", int, None)
    if retention_days is not None and retention_days < 1:
        r.bad("storage.retention_days", f"must be a whole number of days, 1 or more, got {retention_days!r}")
        retention_days = None
    ingest_table = r.get(data, "ingest", "", dict, {})
    ingest = IngestConfig(
        max_age_hours=float(r.get(ingest_table, "max_age_hours", "ingest.", (int, float), 48.0)),
        timeout_s=float(r.get(ingest_table, "timeout_s", "ingest.", (int, float), 20.0)),
        max_bytes=r.get(ingest_table, "max_bytes", "ingest.", int, 5_000_000),
        concurrency=r.get(ingest_table, "concurrency", "ingest.", int, 32),
        feed_deadline_s=float(r.get(ingest_table, "feed_deadline_s", "ingest.", (int, float), 30.0)),
        allow_private=tuple(r.get(ingest_table, "allow_private", "ingest.", list, [])),
    )
    for kind in ingest.allow_private:
        if kind not in ADDRESS_KINDS:
            r.bad("ingest.allow_private", f"unknown address kind {kind!r}; use {', '.join(ADDRESS_KINDS)}")
    feeds = _feeds(r.get(data, "feeds", "", list, []), r)
    topics = r.get(data, "topics", "", dict, {})
    defaults = _defaults(r.get(data, "defaults", "", dict, {}), r)
    channels = _channels(r.get(data, "channels", "", list, []), r, _known_topics(topics), defaults)
    admin = None
    admin_table = r.get(data, "admin", "", dict, None)
    if admin_table is not None:
        admin = _admin(admin_table, "admin.", r)
        fallback_table = r.get(admin_table, "fallback", "admin.", dict, None)
        if admin is not None and fallback_table is not None:
            fallback = _admin(fallback_table, "admin.fallback.", r)
            if fallback is not None and fallback.platform == admin.platform:
                r.bad("admin.fallback.platform", "must be the other platform: it hears when the admin "
                                                 f"platform's own token is refused, got {fallback.platform!r}")
            elif fallback is not None:
                admin = AdminChannel(admin.platform, admin.channel, fallback, admin.language)
        slack_admins = r.get(admin_table, "slack_admins", "admin.", list, [])
        if any(not isinstance(u, str) or not re.fullmatch(r"[UW][A-Z0-9]{2,}", u) for u in slack_admins):
            r.bad("admin.slack_admins", f"list Slack user ids such as 'U0123ABCD', got {slack_admins!r}")
        elif admin is not None:
            admin = replace(admin, slack_admins=tuple(slack_admins))
    delivery_table = r.get(data, "delivery", "", dict, {})
    delivery = DeliveryConfig(**{
        key: r.get(delivery_table, key, "delivery.", (int, float) if isinstance(default, float) else int, default)
        for key, default in vars(DeliveryConfig()).items()})
    for key, value in vars(delivery).items():
        if value <= 0:
            r.bad(f"delivery.{key}", f"must be more than 0, got {value}")
    health_table = r.get(data, "health", "", dict, {})
    health = HealthConfig(host=r.get(health_table, "host", "health.", str, "127.0.0.1"),
                          port=r.get(health_table, "port", "health.", int, None),
                          alert_after_minutes=r.get(health_table, "alert_after_minutes", "health.", (int, float), 5.0))
    if health.port is not None and not 0 < health.port < 65536:
        r.bad("health.port", f"must be a TCP port (1-65535), got {health.port}")
        health = HealthConfig(health.host, alert_after_minutes=health.alert_after_minutes)
    return Settings(
        path=path, storage_url=_resolve_sqlite(storage_url, path.parent), retention_days=retention_days,
        feeds=tuple(feeds), topics=topics, channels=tuple(channels), defaults=defaults, admin=admin, ingest=ingest,
        delivery=delivery, health=health, workers=parse_workers(data, r, env), secrets=Secrets.from_env(env),
        public_url=_public_url(r.get(data, "public_url", "", str, None), r),
    )


def _admin(table: dict, where: str, r: _Reader) -> AdminChannel | None:
    platform = r.get(table, "platform", where, str, "")
    channel = r.get(table, "channel", where, (str, int), "")
    if platform not in PLATFORMS:
        r.bad(f"{where}platform", f"must be one of {', '.join(PLATFORMS)}, got {platform!r}")
    elif not str(channel):
        r.bad(f"{where}channel", "missing channel id")
    elif (language := r.get(table, "language", where, str, "en")) not in ("fr", "en"):
        r.bad(f"{where}language", f"must be 'fr' or 'en', got {language!r}")
    else:
        return AdminChannel(platform, str(channel), language=language)
    return None


def _public_url(value: str | None, r: _Reader) -> str | None:
    """The pages' base URL without its trailing slash; only http(s) with a host, since chat messages
    link to it."""
    if value is None:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        r.bad("public_url", f"must be an http(s) URL such as https://briefs.example.org, got {value!r}")
        return None
    return value.strip().rstrip("/")


def _tables(data: dict, where: str = ""):
    yield where, data
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _tables(value, f"{where}{key}.")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    yield from _tables(item, f"{where}{key}[{i}].")


def _resolve_sqlite(url: str, base: Path) -> str:
    """A relative SQLite path is relative to the config file, not to wherever the bot was started."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str((base / url[len(prefix):]).resolve())
    return url


def _feeds(items: list, r: _Reader) -> list[FeedConfig]:
    feeds, names = [], set()
    for i, item in enumerate(items):
        where = f"feeds[{i}]."
        if not isinstance(item, dict):
            r.bad(f"feeds[{i}]", "each feed is a table with name and url")
            continue
        url = r.get(item, "url", where, str, "")
        name = r.get(item, "name", where, str, "") or url
        if not re.match(r"^https?://[^\s/]+", url):
            r.bad(f"{where}url", f"must be an http(s) URL, got {url!r}")
            continue
        if name in names:
            r.bad(f"{where}name", f"duplicate feed name {name!r}")
            continue
        names.add(name)
        interval = _interval_minutes(item.get("interval", 15))
        if interval is None:
            r.bad(f"{where}interval",
                  f"must be minutes (15) or a duration like '30m' or '2h', got {item['interval']!r}")
            interval = 15
        language = r.get(item, "language", where, str, None)
        if language is not None and language not in ("fr", "en"):
            r.bad(f"{where}language", f"must be 'fr' or 'en', got {language!r}")
            language = None
        feeds.append(FeedConfig(name=name, url=url, interval_minutes=interval, language=language))
    return feeds


def _known_topics(overrides: dict) -> set[str]:
    from briefings.brief import load_topics

    return set(load_topics(overrides))


def _defaults(table: dict, r: _Reader) -> ChannelDefaults:
    """`[defaults]`, checked by the same rules as a channel's own values."""
    built_in = ChannelDefaults()
    timezone = r.get(table, "timezone", "defaults.", str, built_in.timezone)
    if (reason := timezone_problem(timezone)) is not None:
        r.bad("defaults.timezone", reason)
        timezone = built_in.timezone
    schedule = r.get(table, "schedule", "defaults.", str, built_in.schedule)
    if (reason := schedule_problem(schedule, timezone)) is not None:
        r.bad("defaults.schedule", reason)
        schedule = built_in.schedule
    language = r.get(table, "language", "defaults.", str, built_in.language)
    if (reason := language_problem(language)) is not None:
        r.bad("defaults.language", reason)
        language = built_in.language
    nothing_new = r.get(table, "nothing_new", "defaults.", str, built_in.nothing_new)
    if nothing_new not in NOTHING_NEW:
        r.bad("defaults.nothing_new", f"must be one of {', '.join(NOTHING_NEW)}, got {nothing_new!r}")
        nothing_new = built_in.nothing_new
    return ChannelDefaults(schedule, timezone, language, nothing_new, given=tuple(k for k in table
                                                                                  if hasattr(built_in, k)))


def timezone_problem(timezone: str) -> str | None:
    """Why `timezone` is not a time zone, with the closest IANA name when one is near; None when it is.
    `check-config` and the chat admin commands both say this."""
    try:
        ZoneInfo(timezone)
        return None
    except (ZoneInfoNotFoundError, ValueError):
        pass
    reason = f"unknown time zone {timezone!r} (use an IANA name such as 'Europe/Paris')"
    if close := _closest_zone(timezone):
        reason += f"; did you mean {close!r}?"
    return reason


def _closest_zone(typed: str) -> str | None:
    by_folded = {name.casefold(): name for name in available_timezones()}
    folded = typed.strip().replace(" ", "_").casefold()
    if folded in by_folded:
        return by_folded[folded]
    tails = {name.rsplit("/", 1)[-1].casefold(): name for name in by_folded.values() if "/" in name}
    if folded in tails:  # "paris" → Europe/Paris
        return tails[folded]
    close = difflib.get_close_matches(folded, list(by_folded), n=1, cutoff=0.75)
    return by_folded[close[0]] if close else None


_CLOCK = re.compile(r"^\s*(\d{1,2})\s*[:h.]\s*(\d{2})\s*$")
CRON_HELP = ("a schedule is a crontab line of five fields, minute hour day month weekday: "
             "'0 8 * * *' is 08:00 every day, '30 7 * * 1-5' 07:30 on weekdays")


def schedule_problem(schedule: str, timezone: str) -> str | None:
    """Why `schedule` is not a crontab line that fires in `timezone`, with a suggestion; None when it is.
    `check-config` and the chat admin commands both say this."""
    from apscheduler.triggers.cron import CronTrigger

    try:
        cron = CronTrigger.from_crontab(schedule, timezone=timezone if timezone_problem(timezone) is None else "UTC")
    except ValueError as exc:
        clock = _CLOCK.match(schedule)
        if clock and int(clock.group(1)) < 24 and int(clock.group(2)) < 60:
            hint = f"for {schedule.strip()} every day write '{int(clock.group(2))} {int(clock.group(1))} * * *'"
        else:
            hint = CRON_HELP
        return f"not a crontab expression ({exc}): {schedule!r}; {hint}"
    if cron.get_next_fire_time(None, datetime.now(UTC)) is None:
        return f"{schedule!r} never fires (no such date); check the day and month"
    return None


def language_problem(language: str) -> str | None:
    return None if language in LANGUAGES else f"must be one of {', '.join(LANGUAGES)}, got {language!r}"


def _channels(items: list, r: _Reader, known_topics: set[str], defaults: ChannelDefaults) -> list[ChannelConfig]:
    channels = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        where = f"channels[{i}]."
        if not isinstance(item, dict):
            r.bad(f"channels[{i}]", "each channel is a table with platform, channel and topics")
            continue
        platform = r.get(item, "platform", where, str, "")
        if platform not in PLATFORMS:
            r.bad(f"{where}platform", f"must be one of {', '.join(PLATFORMS)}, got {platform!r}")
        channel = str(r.get(item, "channel", where, (str, int), ""))
        if not channel:
            r.bad(f"{where}channel", "missing channel id")
        elif f"{platform}:{channel}" in seen:
            r.bad(f"{where}channel", f"duplicate channel id {channel!r}: channels[{seen[f'{platform}:{channel}']}] "
                                     "already posts there; list every topic of that channel in one table")
        else:
            seen[f"{platform}:{channel}"] = i
        topics = r.get(item, "topics", where, list, [])
        for topic in topics:
            if topic not in known_topics:
                r.bad(f"{where}topics", f"unknown topic {topic!r}; known topics: {', '.join(sorted(known_topics))}")
        if not topics:
            r.bad(f"{where}topics", "list at least one topic")
        timezone = r.get(item, "timezone", where, str, defaults.timezone)
        if (reason := timezone_problem(timezone)) is not None:
            r.bad(f"{where}timezone", reason)
            timezone = "UTC"
        schedule = r.get(item, "schedule", where, str, defaults.schedule)
        if (reason := schedule_problem(schedule, timezone)) is not None:
            r.bad(f"{where}schedule", reason)
        language = r.get(item, "language", where, str, defaults.language)
        if (reason := language_problem(language)) is not None:
            r.bad(f"{where}language", reason)
        nothing_new = r.get(item, "nothing_new", where, str, defaults.nothing_new)
        if nothing_new not in NOTHING_NEW:
            r.bad(f"{where}nothing_new", f"must be one of {', '.join(NOTHING_NEW)}, got {nothing_new!r}")
            nothing_new = "silent"
        role = item.get("mention_role")
        if role is not None and platform != "discord":
            r.bad(f"{where}mention_role", "role pings exist on Discord only")
        channels.append(ChannelConfig(
            platform=platform, channel=channel, topics=tuple(str(t) for t in topics), schedule=schedule,
            timezone=timezone, language=language, mention_role=str(role) if role is not None else None,
            name=r.get(item, "name", where, str, "") or f"{platform}:{channel}", nothing_new=nothing_new,
            given=tuple(k for k in item if k in ("topics", "schedule", "timezone", "language", "nothing_new")),
        ))
    return channels


def missing_tokens(settings: Settings) -> list[Problem]:
    """One problem per platform that a channel or the admin channel uses but whose tokens are unset."""
    used: dict[str, str] = {}
    for channel in settings.channels:
        used.setdefault(channel.platform, channel.name)
    if settings.admin:
        used.setdefault(settings.admin.platform, "admin")
    problems = []
    secrets = settings.secrets
    if "discord" in used and not secrets.discord_token:
        problems.append(Problem("environment", "DISCORD_TOKEN", f"not set, but {used['discord']} is a Discord channel"))
    if "slack" in used and not secrets.slack_bot_token:
        problems.append(Problem("environment", "SLACK_BOT_TOKEN", f"not set, but {used['slack']} is a Slack channel"))
    return problems
