"""`[workers]`: how several `run` workers share one database and one Discord bot.

The shared config.toml is the same file for every worker, so what differs between workers (which
Discord shards each holds) also comes from the environment, which wins over the file:
`BRIEFBOT_DISCORD_SHARDS=0,1` (or `none`: this worker opens no gateway and only posts) and
`BRIEFBOT_DISCORD_SHARD_COUNT=4`. Without shards the bot is one unsharded gateway, which the
leading worker holds (see `bot.run`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import _Reader

SHARDS_ENV = "BRIEFBOT_DISCORD_SHARDS"
SHARD_COUNT_ENV = "BRIEFBOT_DISCORD_SHARD_COUNT"
_NUMBERS = ("feed_lease_seconds", "claim_every_seconds", "leader_check_seconds", "feed_batch")


@dataclass(frozen=True)
class WorkersConfig:
    feed_lease_seconds: float = 600.0  # a worker's hold on the feeds it polls; a dead worker's lapse after it
    feed_batch: int = 25  # feeds taken at a time: small enough that every worker gets a share
    claim_every_seconds: float = 60.0  # how often a worker looks for due feeds (and lapsed leases)
    leader_check_seconds: float = 15.0  # how often a follower tries to become the leader
    discord_shards: tuple[int, ...] | None = None  # None: one unsharded gateway, as a lone worker has
    discord_shard_count: int | None = None


def parse_workers(data: dict[str, Any], r: _Reader, env: dict[str, str] | None) -> WorkersConfig:
    table = r.get(data, "workers", "", dict, {})
    defaults = WorkersConfig()
    numbers: dict[str, Any] = {}
    for key in _NUMBERS:
        default = getattr(defaults, key)
        value = r.get(table, key, "workers.", int if isinstance(default, int) else (int, float), default)
        if value <= 0:
            r.bad(f"workers.{key}", f"must be more than 0, got {value}")
            value = default
        numbers[key] = value
    env = os.environ if env is None else env
    shards = r.get(table, "discord_shards", "workers.", list, None)
    count = r.get(table, "discord_shard_count", "workers.", int, None)
    where_shards, where_count = "workers.discord_shards", "workers.discord_shard_count"
    if env.get(SHARDS_ENV, "").strip():  # set and not empty (compose passes unset variables as "")
        where_shards, raw = SHARDS_ENV, env[SHARDS_ENV].strip()
        try:
            shards = [] if raw.lower() == "none" else [int(part) for part in raw.split(",")]
        except ValueError:
            r.bad(SHARDS_ENV, f"must be shard ids such as 0,1 (or none), got {raw!r}")
            return WorkersConfig(**numbers)
    if env.get(SHARD_COUNT_ENV, "").strip():
        where_count = SHARD_COUNT_ENV
        try:
            count = int(env[SHARD_COUNT_ENV])
        except ValueError:
            r.bad(SHARD_COUNT_ENV, f"must be a whole number of shards, got {env[SHARD_COUNT_ENV]!r}")
            return WorkersConfig(**numbers)
    return WorkersConfig(**numbers, **_shards(shards, count, where_shards, where_count, r))


def _shards(shards: list[Any] | None, count: int | None, where_shards: str, where_count: str,
            r: _Reader) -> dict[str, Any]:
    """Shard ids and count, both or neither, every id below the count and none twice."""
    if shards is None and count is None:
        return {}
    if count is None or count < 1:
        r.bad(where_count, "set the bot's total number of shards (1 or more) with the shard ids"
              if count is None else f"must be 1 or more, got {count}")
        return {}
    if shards is None:
        r.bad(where_shards, "list the shards this worker holds (e.g. 0,1), or none for a worker that only posts")
        return {}
    bad = [s for s in shards if not isinstance(s, int) or isinstance(s, bool) or not 0 <= s < count]
    if bad or len(set(shards)) != len(shards):
        r.bad(where_shards, f"each shard id once, from 0 to {count - 1}, got {shards!r}")
        return {}
    return {"discord_shards": tuple(shards), "discord_shard_count": count}
