"""Feed health: a feed that keeps failing is reported once to the admin channel, and once when it recovers."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot.config import AdminChannel
from bot.delivery import Backoff, Outbox
from bot.health import FAILING_AFTER, FeedHealth
from bot.platforms.slack import SlackPoster
from bot.supervise import PlatformState
from briefings.store import Store
from tests.support.fake_slack import BOT_TOKEN, FakeSlack


async def test_failing_feed_is_reported_once_then_its_recovery_once(tmp_path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'health.db'}")
    async with FakeSlack() as slack:
        poster = SlackPoster(AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url, retry_handlers=[]))
        health = FeedHealth(store, Outbox(store, {"slack": poster}, Backoff(attempts=2, base=0.01)),
                            AdminChannel("slack", "CADMIN"))
        state = store.feed_state("veille <!channel>", "https://flux.example/rss")
        for failures in range(1, FAILING_AFTER + 3):
            state.failures, state.last_error = failures, "HTTP 503"
            store.save_feed_state(state)
            await health.check()
        assert len(slack.posted("CADMIN")) == 1
        assert "HTTP 503" in str(slack.posted("CADMIN")[0]["blocks"])
        assert slack.pings() == []  # the feed's name is feed text too
        state.failures, state.last_error, state.last_success = 0, None, datetime.now(UTC)
        store.save_feed_state(state)
        await health.check()
        await health.check()
        assert len(slack.posted("CADMIN")) == 2
        assert "works again" in slack.posted("CADMIN")[1]["text"]
    store.close()


async def test_admin_reports_are_in_the_admin_channels_language(tmp_path) -> None:
    """A French admin channel hears of a failing feed in French, and a French fallback (on the other
    platform) of Discord being down in French; the English main channel keeps English."""
    store = Store(f"sqlite:///{tmp_path / 'health.db'}")
    async with FakeSlack() as slack:
        poster = SlackPoster(AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url, retry_handlers=[]))
        outbox = Outbox(store, {"slack": poster}, Backoff(attempts=2, base=0.01))
        french = FeedHealth(store, outbox, AdminChannel("slack", "CADMIN", language="fr"))
        state = store.feed_state("veille", "https://flux.example/rss")
        state.failures, state.last_error = FAILING_AFTER, "HTTP 503"
        store.save_feed_state(state)
        await french.check()
        (report,) = slack.posted("CADMIN")
        assert "Le flux « veille » échoue sans cesse" in report["text"]
        assert "3 échecs consécutifs ; dernière erreur : HTTP 503" in str(report["blocks"])

        english = FeedHealth(store, outbox, AdminChannel("discord", "1", AdminChannel("slack", "CFALLBACK",
                                                                                       language="fr")))
        down = PlatformState("discord", status="retrying", last_error="gateway closed",
                             down_since=datetime(2026, 2, 12, 8, 0, tzinfo=UTC), reported=True)
        await english.report_platform(down)
        (report,) = slack.posted("CFALLBACK")
        assert "Discord : non connecté depuis 2026-02-12 08:00:00 UTC" in report["text"]
        assert "Dernière erreur : gateway closed" in str(report["blocks"])
    store.close()
