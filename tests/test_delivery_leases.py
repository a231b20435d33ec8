"""Outbox leases: of several workers sharing one database (each with its own engine), exactly one
takes a row and posts it; a worker that dies holding a row leaves it to another once the lease
lapses, and a worker that lost its lease stops. Real SQLite files (and PostgreSQL when
BRIEFBOT_TEST_POSTGRES_URL names a scratch database), the real slack_sdk client against the fake."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import create_engine, text

from bot.delivery import Backoff, Outbox, Outcome, Target
from bot.platforms import Mark, slack_blocks
from bot.platforms.slack import SlackPoster
from briefings.brief import build_topic_brief, load_topics
from briefings.store import Store
from tests.support.chat_stories import now, plain_story
from tests.support.fake_slack import BOT_TOKEN, FakeSlack

POSTGRES_URL = os.environ.get("BRIEFBOT_TEST_POSTGRES_URL")
CHANNEL = "C0RACE"
WORKERS = 4


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A blank database, its schema created once (as the first worker to start would)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.db'}"
    elif POSTGRES_URL:
        url = POSTGRES_URL
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        pytest.skip("BRIEFBOT_TEST_POSTGRES_URL is not set")
    Store(url).close()
    yield url


def _messages(locales: tuple[str, ...] = ("fr", "en")) -> list[dict]:
    brief = build_topic_brief(load_topics()["ukraine-aid"], [plain_story(now())], as_of=now())
    return slack_blocks.brief_messages(brief, locales)


def test_of_many_workers_leasing_one_row_exactly_one_wins(db_url: str) -> None:
    stores = [Store(db_url) for _ in range(WORKERS)]
    try:
        for round_ in range(10):
            start = threading.Barrier(WORKERS)

            def lease(index: int, key: str = f"brief:{round_}", start: threading.Barrier = start) -> bool:
                start.wait()
                held = stores[index].lease_delivery("slack:C1", key, f"worker-{index}", timedelta(minutes=1))
                return held is not None

            with ThreadPoolExecutor(WORKERS) as pool:
                won = list(pool.map(lease, range(WORKERS)))
            assert won.count(True) == 1, (round_, won)
    finally:
        for store in stores:
            store.close()


def test_a_lapsed_lease_goes_to_another_worker_and_the_old_holder_cannot_renew(db_url: str) -> None:
    store = Store(db_url)
    try:
        first = store.lease_delivery("slack:C1", "brief:a", "crashed", timedelta(seconds=0.3))
        assert first is not None and first.lease_owner == "crashed"
        assert store.lease_delivery("slack:C1", "brief:a", "other", timedelta(minutes=1)) is None
        again = store.lease_delivery("slack:C1", "brief:a", "crashed", timedelta(seconds=0.3))
        assert again is not None and again.id == first.id  # a worker may take again what it holds
        time.sleep(0.4)
        taken = store.lease_delivery("slack:C1", "brief:a", "other", timedelta(minutes=1))
        assert taken is not None and taken.id == first.id and taken.lease_owner == "other"
        assert store.renew_lease(first.id, "crashed", timedelta(minutes=1)) is False
        assert store.renew_lease(first.id, "other", timedelta(minutes=1)) is True
        store.complete_delivery(first.id, "1.1")
        assert store.lease_delivery("slack:C1", "brief:a", "other", timedelta(minutes=1)) is None
        assert store.renew_lease(first.id, "other", timedelta(minutes=1)) is False
    finally:
        store.close()


def _worker(store: Store, api_url: str, keys: list[str], start: threading.Barrier) -> list[Outcome]:
    """One bot process in miniature: its own event loop, engine, Slack client and outbox."""

    async def run() -> list[Outcome]:
        poster = SlackPoster(AsyncWebClient(token=BOT_TOKEN, base_url=api_url, retry_handlers=[]))
        outbox = Outbox(store, {"slack": poster}, Backoff(attempts=2, base=0.01))

        async def render() -> list[dict]:
            return await asyncio.to_thread(_messages)

        outcomes = []
        for key in keys:
            await asyncio.to_thread(start.wait)
            outcomes.append(await outbox.deliver(Target("slack", CHANNEL), key, render))
        return outcomes

    return asyncio.run(run())


async def test_workers_racing_to_deliver_one_brief_post_it_once(db_url: str) -> None:
    keys = [f"brief:race-{n}" for n in range(8)]
    start = threading.Barrier(2, timeout=30)  # a worker that fails breaks it, instead of leaving the other waiting
    stores = [Store(db_url), Store(db_url)]  # opened one after the other: alembic's migration context is global
    try:
        async with FakeSlack() as slack:
            runs = [asyncio.to_thread(_worker, store, slack.api_url, keys, start) for store in stores]
            first, second = await asyncio.gather(*runs)
    finally:
        for store in stores:
            store.close()
        parts = len(_messages())
        seen = Counter((m["metadata"]["event_payload"]["brief_key"], m["metadata"]["event_payload"]["part"])
                       for m in slack.posted(CHANNEL))
    assert seen == Counter({(key, part): 1 for key in keys for part in range(1, parts + 1)})
    for a, b in zip(first, second, strict=True):
        assert sorted([a.name, b.name]) in (["ALREADY_SENT", "SENT"], ["BUSY", "SENT"]), (a, b)


async def test_a_dead_workers_row_is_resumed_once_its_lease_lapses(tmp_path: Path) -> None:
    """A worker posted part 1 and died holding the row: another worker leaves it alone while the lease
    runs, then takes it, finds part 1 in the channel and posts only part 2."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    messages = _messages()
    async with FakeSlack() as slack:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url, retry_handlers=[])
        dead = Store(url)
        row = dead.lease_delivery(f"slack:{CHANNEL}", "brief:dead", "dead-worker", timedelta(seconds=0.5))
        assert row is not None
        await SlackPoster(client).post(CHANNEL, messages[0], Mark("brief:dead", 1, len(messages)))
        dead.close()

        store = Store(url)
        outbox = Outbox(store, {"slack": SlackPoster(client)}, Backoff(attempts=2, base=0.01))

        async def render() -> list[dict]:
            return messages

        async def rebuild(_delivery):
            return Target("slack", CHANNEL), render

        try:
            assert await outbox.resume(rebuild) == []  # still held
            assert await outbox.deliver(Target("slack", CHANNEL), "brief:dead", render) is Outcome.BUSY
            await asyncio.sleep(0.6)
            assert await outbox.resume(rebuild) == [Outcome.SENT]
            assert await outbox.resume(rebuild) == []
        finally:
            store.close()
    parts = [m["metadata"]["event_payload"]["part"] for m in slack.posted(CHANNEL)]
    assert parts == list(range(1, len(messages) + 1))


async def test_a_worker_that_lost_its_lease_during_a_backoff_stops_posting(tmp_path: Path) -> None:
    """Rate limited for longer than its lease, a worker finds another holding the row and leaves it."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    async with FakeSlack() as slack:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url, retry_handlers=[])
        store, other = Store(url), Store(url)
        slow = Outbox(store, {"slack": SlackPoster(client)}, Backoff(attempts=3),
                      lease=timedelta(seconds=0.3))
        slack.fail_next("conversations.history", 429, retry_after=1)

        async def render() -> list[dict]:
            return _messages(("fr",))

        try:
            task = asyncio.create_task(slow.deliver(Target("slack", CHANNEL), "brief:slow", render))
            await asyncio.sleep(0.6)  # the slow worker waits out Retry-After; its lease lapses meanwhile
            taken = other.lease_delivery(f"slack:{CHANNEL}", "brief:slow", "other", timedelta(minutes=1))
            assert taken is not None
            assert await task is Outcome.BUSY
        finally:
            store.close()
            other.close()
    assert slack.posted(CHANNEL) == []  # the new holder posts it; the old one did not
