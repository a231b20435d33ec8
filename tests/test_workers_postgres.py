"""Three `python -m bot run` workers on one PostgreSQL database, over 200 loopback feeds whose
articles report 60 known events, with loopback Slack and Discord (the Discord bot in two shards, one
per worker, the third worker posting only):

- every article is stored once and every event is one story, although the reports of each event are
  in feeds far apart, polled by different workers;
- a worker killed (SIGKILL) while it holds feeds: another polls them once their lease lapses, and
  nothing is lost;
- the leader killed: another worker takes the lead and the next briefs are posted by it;
- every brief is posted once (each part of each brief once per channel), minute after minute.

Leases and intervals are shortened through `[workers]` so this runs in a couple of minutes.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import signal
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.platforms import Mark
from bot.scheduler import brief_key
from tests.conftest import POSTGRES_URL, blank_postgres
from tests.support.bot_process import start_bot, stop_bot, wait_until
from tests.support.fake_discord import FakeDiscord
from tests.support.fake_slack import BOT_TOKEN, FakeSlack
from tests.support.feedserver import FeedServer
from tests.support.news_farm import serve_farm

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="BRIEFBOT_TEST_POSTGRES_URL is not set")

FEEDS, EVENTS, REPORTS = 200, 60, 5
LEASE_S, CLAIM_S = 6, 1
SLACK_CHANNEL, DISCORD_CHANNEL = "C0SCALE", "320000000000000001"
SHARDS = ("0", "1", "none")  # BRIEFBOT_DISCORD_SHARDS of each worker, of 2 shards
FOOTER = re.compile(r"· (\d+)/(\d+) · ([0-9a-f]{16})-(\d+)$")
LEADS = "this worker leads"


def _config(folder: Path, feeds: FeedServer) -> Path:
    lines = ['[ingest]\nallow_private = ["loopback"]\n',
             f"[workers]\nfeed_lease_seconds = {LEASE_S}\nfeed_batch = 8\nclaim_every_seconds = {CLAIM_S}\n"
             "leader_check_seconds = 1\n"]
    lines += [f'[[feeds]]\nname = "farm{n}"\nurl = "{feeds.url(f"/farm/{n}.xml")}"\ninterval = "1h"\n'
              for n in range(FEEDS)]
    for platform, channel in (("slack", SLACK_CHANNEL), ("discord", DISCORD_CHANNEL)):
        lines.append(f'[[channels]]\nplatform = "{platform}"\nchannel = "{channel}"\ntopics = ["ukraine-aid"]\n'
                     'schedule = "* * * * *"\nnothing_new = "line"\n')
    path = folder / "config.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


class Database:
    """What the workers wrote, read by the test as an operator would."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)

    async def rows(self, sql: str) -> list[tuple]:
        def read() -> list[tuple]:
            with self.engine.connect() as connection:
                return [tuple(r) for r in connection.execute(text(sql))]

        return await asyncio.to_thread(read)


def _pid(lease_owner: str) -> int:
    return int(lease_owner.split(":")[-2])  # host:pid:random, see bot.leader.worker_name


async def test_three_workers_share_the_feeds_tell_every_story_once_and_survive_kills(tmp_path: Path) -> None:
    url = blank_postgres(POSTGRES_URL or "")
    db = Database(url)
    async with FeedServer() as feeds, FakeSlack() as slack, FakeDiscord(shards=2) as discord:
        truth = serve_farm(feeds, feeds=FEEDS, events=EVENTS, reports=REPORTS)
        config = _config(tmp_path, feeds)
        logs = [tmp_path / f"worker{i}.log" for i in range(3)]
        env = {"BRIEFBOT_DATABASE_URL": url, "SLACK_BOT_TOKEN": BOT_TOKEN, "BRIEFBOT_SLACK_API_URL": slack.api_url,
               "DISCORD_TOKEN": "discord-test-token", "BRIEFBOT_DISCORD_API_URL": discord.url,
               "BRIEFBOT_DISCORD_SHARD_COUNT": "2", "BRIEFBOT_LEASE_SECONDS": "3"}
        workers = [await start_bot(config, log, {**env, "BRIEFBOT_DISCORD_SHARDS": shards})
                   for log, shards in zip(logs, SHARDS, strict=True)]
        everything = tmp_path / "all.log"

        def all_logs() -> Path:
            everything.write_text("\n".join(f"--- worker {i}\n{log.read_text(errors='replace')[-3000:]}"
                                            for i, log in enumerate(logs)))
            return everything

        try:
            await wait_until(lambda: sum(LEADS in log.read_text() for log in logs if log.exists()) == 1, 60,
                             all_logs(), "one worker leads")
            leader = next(i for i, log in enumerate(logs) if LEADS in log.read_text())

            # A follower killed while it holds feeds: another polls them once the lease lapses.
            pids = {w.pid: i for i, w in enumerate(workers)}
            held: list[str] = []
            while not held:
                leased = await db.rows("SELECT name, lease_owner FROM feeds WHERE lease_owner IS NOT NULL")
                victims = {_pid(owner) for _, owner in leased if pids.get(_pid(owner), leader) != leader}
                if victims:
                    victim = pids[min(victims)]
                    workers[victim].send_signal(signal.SIGKILL)
                    killed_at = datetime.now(UTC)
                    held = [name for name, owner in leased if _pid(owner) == workers[victim].pid]
                else:
                    assert await db.rows("SELECT count(*) FROM articles") != [(EVENTS * REPORTS,)], \
                        "the poll ended before a follower could be caught holding feeds"
                    await asyncio.sleep(0.02)
            await workers[victim].wait()

            async def taken_over() -> bool:
                names = ",".join(f"'{n}'" for n in held)
                rows = await db.rows(f"SELECT polled_at, lease_owner FROM feeds WHERE name IN ({names})")
                return all(p is not None and p > killed_at and owner is None for p, owner in rows)

            started = time.monotonic()
            await wait_until(taken_over, LEASE_S + 60, all_logs(), "another worker polled the dead worker's feeds")
            assert time.monotonic() - started < LEASE_S + 30  # the lease, the next claim, and one poll

            await wait_until(lambda: _all_stored(db), 180, all_logs(), "every article was stored")

            # The leader killed after a brief: the last worker takes the lead and posts the next ones.
            await wait_until(lambda: slack.posted(SLACK_CHANNEL), 90, all_logs(), "a first brief was posted")
            workers[leader].send_signal(signal.SIGKILL)
            await workers[leader].wait()
            leader_killed = datetime.now(UTC)
            last = next(i for i in range(3) if i not in (victim, leader))
            await wait_until(lambda: LEADS in logs[last].read_text(), 30, all_logs(), "the last worker leads")
            await wait_until(lambda: any(_fire(k) > leader_killed for k in _slack_briefs(slack)), 100, all_logs(),
                             "a brief after the leader died")
            await wait_until(lambda: any(_fire(k) > leader_killed for k in _discord_briefs(discord)), 30,
                             all_logs(), "a Discord brief after the leader died")
            await asyncio.sleep(1)  # a brief posted twice would have arrived by now
            await stop_bot(workers[last], logs[last])
        finally:
            for worker in workers:
                if worker.returncode is None:
                    worker.kill()
                    await worker.wait()
            db.engine.dispose()

        # Every article once, every event one story and every story one event.
        stored = await db.rows("SELECT url, story_id FROM articles")
        assert sorted(u for u, _ in stored) == sorted(truth)
        stories: dict[str, set[int]] = defaultdict(set)
        events: dict[int, set[str]] = defaultdict(set)
        for article_url, story in stored:
            stories[story].add(truth[article_url])
            events[truth[article_url]].add(story)
        assert [e for e, s in events.items() if len(s) > 1] == [], "an event split into several stories"
        assert [s for s, e in stories.items() if len(e) > 1] == [], "a story mixing events"
        assert len(stories) == EVENTS

        # Every brief once, in both channels, each minute from the first to the last.
        for briefs in (_slack_briefs(slack), _discord_briefs(discord)):
            assert briefs and max(briefs.values()) == 1, briefs
            minutes = sorted({_fire(k) for k, _ in briefs})
            assert [(b - a).total_seconds() for a, b in itertools.pairwise(minutes)] == \
                [60.0] * (len(minutes) - 1), minutes
        # Each shard was held by the one worker given it.
        assert Counter(discord.identified_shards) == {(0, 2): 1, (1, 2): 1}


async def _all_stored(db: Database) -> bool:
    return await db.rows("SELECT count(*) FROM articles") == [(EVENTS * REPORTS,)]


def _fire(key: str | tuple[str, int]) -> datetime:
    brief = key[0] if isinstance(key, tuple) else key
    return datetime.strptime(brief, "brief:%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _slack_briefs(slack: FakeSlack) -> Counter[tuple[str, int]]:
    payloads = [m["metadata"]["event_payload"] for m in slack.posted(SLACK_CHANNEL) if m.get("metadata")]
    return Counter((p["brief_key"], p["part"]) for p in payloads if p["brief_key"].startswith("brief:"))


def _discord_briefs(discord: FakeDiscord) -> Counter[tuple[str, int]]:
    """(brief key, part) of each Discord brief message, from the mark in its footer (a digest of the
    brief key, matched against the keys of the minutes around the test)."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    minutes = (brief_key(now - timedelta(minutes=m)) for m in range(-2, 30))
    keys = {Mark(k, 1, 1).token.split("-")[0]: k for k in minutes}
    seen: Counter[tuple[str, int]] = Counter()
    for message in discord.posted(DISCORD_CHANNEL):
        texts = [e.get("footer", {}).get("text", "") for e in message.get("embeds") or []] + [message["content"]]
        mark = next((m for m in (FOOTER.search(t) for t in texts) if m), None)
        assert mark is not None and mark.group(3) in keys, message
        seen[(keys[mark.group(3)], int(mark.group(4)))] += 1
    return seen
