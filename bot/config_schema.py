"""The shape config.toml may take: which tables and keys exist, and how a stray one is reported.

A typo must never pass quietly: `shedule` left the default schedule in place, `[[channel]]` made
a channel vanish, `[admn]` dropped every admin report. Every key of every table is checked against
this schema, and an unknown one is an error naming the closest known key ("did you mean
`schedule`?"). Values that look like chat tokens are refused wherever they appear, under any key,
and the message never repeats the value.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

# Keys each table may hold. `topics` maps slugs (free) to topic tables (TOPIC_KEYS).
TOP_LEVEL = ("storage", "ingest", "feeds", "topics", "defaults", "channels", "admin", "delivery", "health",
             "workers", "public_url")
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "storage": ("url", "retention_days"),
    "ingest": ("max_age_hours", "timeout_s", "max_bytes", "concurrency", "feed_deadline_s", "allow_private"),
    "feeds": ("name", "url", "interval", "language"),
    "channels": ("name", "platform", "channel", "topics", "schedule", "timezone", "language", "mention_role",
                 "nothing_new"),
    "defaults": ("schedule", "timezone", "language", "nothing_new"),
    "admin": ("platform", "channel", "fallback", "language", "slack_admins"),
    "delivery": ("max_stories", "max_messages", "late_after_minutes", "give_up_after_hours"),
    "health": ("host", "port", "alert_after_minutes"),
    "workers": ("feed_lease_seconds", "feed_batch", "claim_every_seconds", "leader_check_seconds", "discord_shards",
                "discord_shard_count"),
}
TOPIC_KEYS = ("names", "fr", "en", "actors")
LIST_TABLES = ("feeds", "channels")  # arrays of tables: [[feeds]], [[channels]]

# Shapes of the tokens briefbot uses: Slack bot/app/user tokens and a Discord bot token.
_SECRET_VALUE = re.compile(r"^(xox[abposr]-|xapp-)[A-Za-z0-9-]{6,}|^[\w-]{23,28}\.[\w-]{6}\.[\w-]{27,}$")


def suggestion(key: str, known: tuple[str, ...] | list[str]) -> str:
    """` (did you mean `schedule`?)` for the closest known key, or a list of the known keys."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    return f"known keys: {', '.join(known)}"


def unknown_keys(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, reason) for every key the schema does not know, in file order."""
    for key, value in data.items():
        if key not in TOP_LEVEL:
            kind = "table" if isinstance(value, dict | list) else "key"
            yield key, f"unknown {kind} `{key}`; {suggestion(key, TOP_LEVEL)}"
            continue
        if key == "topics" and isinstance(value, dict):
            for slug, table in value.items():
                if isinstance(table, dict):
                    yield from _stray(table, TOPIC_KEYS, f"topics.{slug}.")
        elif key in LIST_TABLES and isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    yield from _stray(item, TABLE_KEYS[key], f"{key}[{i}].")
        elif isinstance(value, dict):
            yield from _stray(value, TABLE_KEYS[key], f"{key}.")
            if key == "admin" and isinstance(value.get("fallback"), dict):
                yield from _stray(value["fallback"], ("platform", "channel", "language"), "admin.fallback.")


def _stray(table: dict[str, Any], known: tuple[str, ...], where: str) -> Iterator[tuple[str, str]]:
    for key in table:
        if key not in known:
            yield f"{where}{key}", f"unknown key `{key}`; {suggestion(key, known)}"


def secret_values(data: Any, where: str = "") -> Iterator[str]:
    """Where a value shaped like a Slack or Discord token sits in the parsed file."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from secret_values(value, f"{where}{key}" if not where else f"{where}.{key}")
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from secret_values(item, f"{where}[{i}]")
    elif isinstance(data, str) and _SECRET_VALUE.match(data.strip()):
        yield where
