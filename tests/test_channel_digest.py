"""What a channel receives, end to end: a loopback feed server whose items appear and change between
briefs, the real pipeline and SQLite store, and briefs posted through the real slack_sdk client to
the loopback Slack.

A channel's first brief says where its topics stand; an article published before a brief but
fetched after it is in the next one; a second brief carries only new or changed facts, marked; a
story matching both of the channel's topics appears once; an edited figure appears once, as
changed; a brief with nothing new is silent, or one short line where the channel asks for it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import ChannelConfig, FeedConfig, Settings
from bot.delivery import Outcome
from bot.platforms.slack import SlackPoster
from bot.run import Runtime
from briefings.store import Store
from tests.support.fake_slack import BOT_TOKEN, FakeSlack, block_texts
from tests.support.feedserver import FeedEntry, FeedServer, rss

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
CHANNEL = ChannelConfig(platform="slack", channel="C0NEWS", topics=("ukraine-aid", "nato"), language="en",
                        schedule="0 * * * *", name="news")
QUIET_LINE = ChannelConfig(platform="slack", channel="C0LINE", topics=("ukraine-aid",), language="en",
                           schedule="0 * * * *", name="line", nothing_new="line")

MEETING = [
    "NATO defence ministers gathered in Warsaw on Thursday to review their backing for Ukraine.",
    "Norway will provide NOK {figure} billion in military aid to Ukraine, its defence minister announced.",
]
JETS = [
    "Denmark will provide 19 F-16 fighter jets to Ukraine, the Danish defence minister announced on Sunday.",
    "The first aircraft are due to arrive within months, Copenhagen said.",
]


def _html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


@dataclass
class Rig:
    server: FeedServer
    slack: FakeSlack
    runtime: Runtime
    feeds: list[FeedConfig]
    last: datetime = EPOCH

    def publish(self, entries: list[FeedEntry]) -> None:
        self.server.set_feed("/news.xml", rss(entries, language="en"))

    async def brief(self, channel: ChannelConfig = CHANNEL) -> tuple[Outcome, str]:
        """The channel's brief scheduled now, and the text it posted (empty when none)."""
        before = len(self.slack.posted(channel.channel))
        fire = max(datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1), self.last + timedelta(seconds=1))
        self.last = fire  # each brief its own scheduled second, however fast the test runs
        outcome = await self.runtime.brief(channel, fire)
        posted = self.slack.posted(channel.channel)[before:]
        return outcome, "\n".join(t for m in posted for t in block_texts(m.get("blocks") or []))


@pytest.fixture
async def rig(tmp_path) -> AsyncIterator[Rig]:
    async with FeedServer() as server, FakeSlack() as slack:
        store = Store(f"sqlite:///{tmp_path / 'digest.db'}")
        feeds = [FeedConfig(name="wire", url=server.url("/news.xml"))]
        settings = Settings(path=None, feeds=tuple(feeds), channels=(CHANNEL, QUIET_LINE))
        poster = SlackPoster(AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url, retry_handlers=[]))
        runtime = Runtime(settings, store, {"slack": poster})
        try:
            yield Rig(server, slack, runtime, feeds)
        finally:
            store.close()


def _meeting(server: FeedServer, published: datetime, figure: str = "2") -> FeedEntry:
    paragraphs = [p.format(figure=figure) for p in MEETING]
    return FeedEntry("NATO ministers meet in Warsaw", server.url("/meeting.html"), summary=paragraphs[0],
                     content_html=_html(paragraphs), published=published)


def _jets(server: FeedServer, published: datetime) -> FeedEntry:
    return FeedEntry("Denmark to send F-16s to Ukraine", server.url("/jets.html"), summary=JETS[0],
                     content_html=_html(JETS), published=published)


async def test_a_channel_is_told_each_fact_once_new_or_changed_and_never_loses_one(rig: Rig) -> None:
    start = datetime.now(UTC)
    rig.publish([_meeting(rig.server, start - timedelta(hours=3))])
    await rig.runtime.poll(rig.feeds)  # a feed's first poll is backlog: stored, not news

    outcome, first = await rig.brief()
    assert outcome is Outcome.SENT
    assert "First brief in this channel" in first, "a new channel's first brief is never empty"
    assert first.count("NOK 2 billion") == 1, "a story matching both topics appears once"
    assert "1 article · Aid to Ukraine and NATO" in first, "the story is tagged with both its topics"

    # Published before the brief we just sent, fetched only now; and the publisher edits a figure.
    rig.publish([_meeting(rig.server, start - timedelta(hours=3), figure="3"),
                 _jets(rig.server, start - timedelta(minutes=5))])
    await rig.runtime.poll(rig.feeds)

    outcome, second = await rig.brief()
    assert outcome is Outcome.SENT
    assert "First brief" not in second
    assert second.count("[new]") >= 1 and "19" in second and "F-16" in second
    assert second.count("NOK 3 billion") == 1 and "[updated] Norway" in second
    assert "NOK 2 billion" not in second
    assert "(update)" in second, "a story told before is marked as an update"

    outcome, third = await rig.brief()
    assert outcome is Outcome.NOTHING and third == "", "nothing new: silence by default"


async def test_nothing_new_can_be_one_short_line(rig: Rig) -> None:
    rig.publish([_meeting(rig.server, datetime.now(UTC) - timedelta(hours=1))])
    await rig.runtime.poll(rig.feeds)
    assert (await rig.brief(QUIET_LINE))[0] is Outcome.SENT
    outcome, text = await rig.brief(QUIET_LINE)
    assert outcome is Outcome.SENT and "Nothing new." in text and "Norway" not in text


async def test_a_failed_brief_leaves_its_facts_for_the_next_one(rig: Rig) -> None:
    rig.publish([_meeting(rig.server, datetime.now(UTC) - timedelta(hours=1))])
    await rig.runtime.poll(rig.feeds)
    rig.slack.unknown_channels.add(CHANNEL.channel)  # channel_not_found: that brief fails for good
    failed, _ = await rig.brief()
    assert failed is Outcome.FAILED
    rig.slack.unknown_channels.discard(CHANNEL.channel)
    outcome, text = await rig.brief()
    assert outcome is Outcome.SENT and text.count("NOK 2 billion") == 1
