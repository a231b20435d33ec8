"""The Discord client sharded across workers: each worker's real discord.py client holds the shards
it was given, the fake gateway (Discord's rules: a guild's events go to shard `(guild_id >> 22) %
count`, DMs to shard 0) sees each shard identified once, and a command is answered by the one
worker whose shard it arrived on."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path
from typing import Any

import pytest

from bot.commands import Commands
from bot.config import ConfigError, Settings, load_settings
from bot.platforms.discord import BriefClient, ShardedBriefClient, brief_client, command_installer, use_api_base
from tests.support.chat_stories import now, plain_story, stored_reads
from tests.support.fake_discord import APPLICATION_ID, GUILD_CHANNEL_ID, GUILD_ID, FakeDiscord

_ids = itertools.count(810000000000000000)
_USER = {"id": "700000000000000002", "username": "lectrice", "discriminator": "0", "avatar": None}


def _topics_command(guild: str | None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(next(_ids)), "application_id": APPLICATION_ID, "type": 2, "token": f"tok{next(_ids)}",
        "version": 1, "locale": "en", "channel_id": "700000000000000001",
        "data": {"id": "1", "name": "topics", "type": 1, "options": []},
        "app_permissions": "0", "entitlements": [], "authorizing_integration_owners": {},
        "attachment_size_limit": 10_485_760,
    }
    if guild is None:  # a DM: Discord sends it on shard 0
        payload.update(channel={"id": "700000000000000001", "type": 1}, user=_USER, context=1)
    else:
        channel = {"id": GUILD_CHANNEL_ID, "type": 0, "guild_id": guild, "name": "briefs", "position": 0,
                   "permission_overwrites": [], "nsfw": False, "parent_id": None}
        payload.update(guild_id=guild, channel_id=GUILD_CHANNEL_ID, channel=channel,
                       member={"user": _USER, "roles": [], "joined_at": "2024-01-02T00:00:00+00:00",
                               "permissions": "0", "deaf": False, "mute": False, "flags": 0}, context=0)
    return payload


async def _answered_by(fake: FakeDiscord, token: str, timeout: float = 10.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        callbacks = [r for r in fake.interaction_responses if r["kind"] == "callback" and token in r["path"]]
        if callbacks:
            await asyncio.sleep(0.3)  # a second worker answering too would have done so by now
            return [r for r in fake.interaction_responses if r["kind"] == "callback" and token in r["path"]]
        await asyncio.sleep(0.02)
    raise AssertionError(f"nobody answered {token}")


async def test_two_workers_hold_one_shard_each_and_each_command_is_answered_once(tmp_path: Path) -> None:
    moment = now()
    commands = Commands(Settings(path=None), stored_reads([plain_story(moment)], tmp_path), now=lambda: moment)
    async with FakeDiscord(shards=2) as fake:
        use_api_base(fake.url)
        clients = [brief_client(command_installer(commands), shard_ids=(shard,), shard_count=2) for shard in (0, 1)]
        assert all(isinstance(c, ShardedBriefClient) for c in clients)
        gateways = []
        for client in clients:
            await client.login("discord-test-token")
            gateways.append(asyncio.create_task(client.connect()))
        try:
            for client in clients:
                await asyncio.wait_for(client.wait_until_ready(), timeout=15)
            assert sorted(fake.identified_shards) == [(0, 2), (1, 2)]  # each shard once, by its worker
            owner = (int(GUILD_ID) >> 22) % 2
            assert [c.get_guild(int(GUILD_ID)) is not None for c in clients] == [i == owner for i in (0, 1)]

            for guild in (GUILD_ID, None):
                payload = _topics_command(guild)
                await fake.send_interaction(payload)
                assert len(await _answered_by(fake, payload["token"])) == 1
        finally:
            for client in clients:
                await client.close()
            for gateway in gateways:
                gateway.cancel()


def test_an_unsharded_worker_keeps_one_plain_client() -> None:
    assert type(brief_client()) is BriefClient


@pytest.mark.parametrize(("env", "expected"), [
    ({"BRIEFBOT_DISCORD_SHARDS": "0,2", "BRIEFBOT_DISCORD_SHARD_COUNT": "3"}, ((0, 2), 3)),
    ({"BRIEFBOT_DISCORD_SHARDS": "none", "BRIEFBOT_DISCORD_SHARD_COUNT": "2"}, ((), 2)),
    ({}, (None, None)),
])
def test_shards_come_from_the_environment(tmp_path: Path, env: dict[str, str], expected: tuple) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[workers]\ndiscord_shards = [1]\ndiscord_shard_count = 2\n" if not env else "", encoding="utf-8")
    workers = load_settings(path, env=env).workers
    assert (workers.discord_shards, workers.discord_shard_count) == (expected if env else ((1,), 2))


@pytest.mark.parametrize(("text", "env", "where"), [
    ("[workers]\ndiscord_shards = [0, 2]\ndiscord_shard_count = 2\n", {}, "workers.discord_shards"),
    ("[workers]\ndiscord_shards = [0, 0]\ndiscord_shard_count = 2\n", {}, "workers.discord_shards"),
    ("[workers]\ndiscord_shards = [0]\n", {}, "workers.discord_shard_count"),
    ("", {"BRIEFBOT_DISCORD_SHARD_COUNT": "2"}, "workers.discord_shards"),
    ("", {"BRIEFBOT_DISCORD_SHARDS": "a,b", "BRIEFBOT_DISCORD_SHARD_COUNT": "2"}, "BRIEFBOT_DISCORD_SHARDS"),
    ("[workers]\nfeed_batch = 0\n", {}, "workers.feed_batch"),
    ("[workers]\nfeed_lease = 60\n", {}, "workers.feed_lease"),
])
def test_bad_worker_settings_are_named(tmp_path: Path, text: str, env: dict[str, str], where: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(path, env=env)
    assert [p.key for p in error.value.problems] == [where]
