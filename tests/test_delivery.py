"""The outbox over the real discord.py and slack_sdk clients, against loopback fakes of both APIs,
with a real SQLite store: once per (channel, brief), 429s waited out, partial posts completed,
one failing channel not holding up another, a channel that cannot exist failed and reported once,
and hostile feed text inert on both platforms."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import AdminChannel, Settings
from bot.delivery import Backoff, Outbox, Outcome, Target
from bot.limits import SLACK_BLOCKS, SLACK_FALLBACK_TEXT
from bot.platforms import Mark, discord_embeds, slack_blocks
from bot.platforms.discord import BriefClient, DiscordPoster, use_api_base
from bot.platforms.slack import SlackPoster
from bot.run import Runtime
from briefings.brief import build_topic_brief, load_topics
from briefings.store import Store
from tests.support.chat_stories import (
    BILINGUAL_EN,
    BILINGUAL_FR,
    HOSTILE_URL,
    SAFE_URL,
    bilingual_story,
    hostile_story,
    now,
    plain_story,
)
from tests.support.fake_discord import FakeDiscord
from tests.support.fake_slack import BOT_TOKEN, FakeSlack

DISCORD_CHANNEL = "111111111111111111"
SLACK_CHANNEL = "C0TEST"
RETRY_LATER = timedelta(seconds=1)


@dataclass
class Rig:
    discord: FakeDiscord
    slack: FakeSlack
    store: Store
    outbox: Outbox


@pytest.fixture
async def rig(tmp_path) -> AsyncIterator[Rig]:
    async with FakeDiscord() as fake_discord, FakeSlack() as fake_slack:
        use_api_base(fake_discord.url)
        client = BriefClient()
        await client.login("discord-test-token")
        store = Store(f"sqlite:///{tmp_path / 'outbox.db'}")
        posters = {"discord": DiscordPoster(client),
                   "slack": SlackPoster(AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url,
                                                       retry_handlers=[]))}
        try:
            outbox = Outbox(store, posters, Backoff(attempts=4, base=0.05), retry_later=RETRY_LATER)
            yield Rig(fake_discord, fake_slack, store, outbox)
        finally:
            await client.close()
            store.close()


def _brief(stories):
    return build_topic_brief(load_topics()["ukraine-aid"], stories, as_of=now())


def _render(platform: str, stories, locales=("fr", "en")):
    module = slack_blocks if platform == "slack" else discord_embeds

    async def build():
        # a part per language, so a brief has several parts to post, check and resume
        return [m for locale in locales for m in module.brief_messages(_brief(stories), (locale,))]

    return build


async def test_each_brief_reaches_each_channel_once(rig: Rig) -> None:
    stories = [plain_story(now())]
    for _ in range(3):
        assert {await rig.outbox.deliver(Target("discord", DISCORD_CHANNEL), "brief:k1", _render("discord", stories)),
                await rig.outbox.deliver(Target("slack", SLACK_CHANNEL), "brief:k1", _render("slack", stories))
                } <= {Outcome.SENT, Outcome.ALREADY_SENT}
    assert len(rig.discord.posted(DISCORD_CHANNEL)) == 2  # fr, en
    assert len(rig.slack.posted(SLACK_CHANNEL)) == 2
    assert rig.store.pending_deliveries() == []
    # The mark is where readers do not see it: the fragment of the title's link; the footer names outlets.
    links = [m["embeds"][0]["url"] for m in rig.discord.posted(DISCORD_CHANNEL)]
    assert links[0].endswith(f"#briefbot-{Mark('brief:k1', 1, 2).token}~2")
    assert links[1].endswith(f"#briefbot-{Mark('brief:k1', 2, 2).token}~2")
    assert all("briefbot" not in m["embeds"][0]["footer"]["text"] for m in rig.discord.posted(DISCORD_CHANNEL))
    metadata = [m["metadata"]["event_payload"] for m in rig.slack.posted(SLACK_CHANNEL)]
    assert [(p["brief_key"], p["part"]) for p in metadata] == [("brief:k1", 1), ("brief:k1", 2)]


async def test_slack_429_retry_after_is_waited_out_and_posted_once(rig: Rig) -> None:
    rig.slack.fail_next("chat.postMessage", 429, retry_after=1)
    started = time.monotonic()
    render = _render("slack", [plain_story(now())], ("fr",))
    outcome = await rig.outbox.deliver(Target("slack", SLACK_CHANNEL), "brief:rl", render)
    assert outcome is Outcome.SENT
    assert time.monotonic() - started >= 1.0
    assert len(rig.slack.posted(SLACK_CHANNEL)) == 1
    assert rig.slack.calls.count("chat.postMessage") == 2  # the refused one, then the one that landed


async def test_discord_429_retry_after_is_waited_out_and_posted_once(rig: Rig) -> None:
    rig.discord.fail_next(f"/channels/{DISCORD_CHANNEL}/messages", 429, retry_after=0.8)
    started = time.monotonic()
    outcome = await rig.outbox.deliver(Target("discord", DISCORD_CHANNEL), "brief:rl",
                                       _render("discord", [plain_story(now())], ("en",)))
    assert outcome is Outcome.SENT
    assert time.monotonic() - started >= 0.8
    assert len(rig.discord.posted(DISCORD_CHANNEL)) == 1
    posts = [r for r in rig.discord.requests if r == ("POST", f"/channels/{DISCORD_CHANNEL}/messages")]
    assert len(posts) == 2  # the refused one, then the one that landed


async def test_pending_row_with_a_part_already_posted_posts_only_the_rest(rig: Rig) -> None:
    """What a restart sees after dying between two parts: the channel check finds part 1."""
    render = _render("slack", [plain_story(now())])
    parts = await render()
    row = rig.store.claim_delivery(f"slack:{SLACK_CHANNEL}", "brief:half")
    assert row is not None
    poster = rig.outbox.posters["slack"]
    await poster.post(SLACK_CHANNEL, parts[0], Mark("brief:half", 1, 2))
    assert await rig.outbox.deliver(Target("slack", SLACK_CHANNEL), "brief:half", render) is Outcome.SENT
    posted = [m["metadata"]["event_payload"]["part"] for m in rig.slack.posted(SLACK_CHANNEL)]
    assert posted == [1, 2]


async def test_discord_nonce_stops_a_repeat_of_the_same_part(rig: Rig) -> None:
    poster = rig.outbox.posters["discord"]
    message = (await _render("discord", [plain_story(now())], ("en",))())[0]
    first = await poster.post(DISCORD_CHANNEL, message, Mark("brief:n", 1, 1))
    second = await poster.post(DISCORD_CHANNEL, message, Mark("brief:n", 1, 1))
    assert first == second and len(rig.discord.posted(DISCORD_CHANNEL)) == 1


async def test_a_failing_channel_does_not_hold_up_another(rig: Rig) -> None:
    for _ in range(4):
        rig.slack.fail_next("chat.postMessage", 500)
    render_slack = _render("slack", [plain_story(now())], ("fr",))
    render_discord = _render("discord", [plain_story(now())], ("fr",))
    slack_task = asyncio.create_task(rig.outbox.deliver(Target("slack", SLACK_CHANNEL), "brief:x", render_slack))
    discord_outcome = await rig.outbox.deliver(Target("discord", DISCORD_CHANNEL), "brief:x", render_discord)
    assert discord_outcome is Outcome.SENT
    assert await slack_task is Outcome.FAILED
    (pending,) = rig.store.pending_deliveries()
    assert pending.channel_key == f"slack:{SLACK_CHANNEL}" and pending.attempts == 4 and "500" in pending.last_error
    # Released, but not taken again before its retry time, not even by the worker that had it.
    assert pending.lease_owner is None and pending.lease_until > datetime.now(UTC)
    assert await rig.outbox.deliver(Target("slack", SLACK_CHANNEL), "brief:x", render_slack) is Outcome.BUSY
    assert rig.store.pending_deliveries(free_at=datetime.now(UTC)) == []
    # Then the next resume takes it, and it lands once.
    await asyncio.sleep((pending.lease_until - datetime.now(UTC)).total_seconds() + 0.05)
    assert rig.store.pending_deliveries(free_at=datetime.now(UTC))
    assert await rig.outbox.deliver(Target("slack", SLACK_CHANNEL), "brief:x", render_slack) is Outcome.SENT
    assert len(rig.slack.posted(SLACK_CHANNEL)) == 1


async def test_a_channel_that_cannot_exist_is_failed_reported_once_and_never_retried(rig: Rig) -> None:
    """channel_not_found: the row is marked failed with its reason, the admin channel hears of it once,
    and neither a later brief job nor a restart's resume asks Slack about it again."""
    rig.slack.unknown_channels.add("CGONE")
    settings = Settings(path=None, admin=AdminChannel("slack", "CADMIN"))
    runtime = Runtime(settings, rig.store, dict(rig.outbox.posters))
    render = _render("slack", [plain_story(now())], ("fr",))
    assert await runtime.outbox.deliver(Target("slack", "CGONE"), "brief:y", render) is Outcome.FAILED
    assert rig.store.pending_deliveries() == []
    failed = rig.store.delivery("slack:CGONE", "brief:y")
    assert failed.status == "failed" and "channel_not_found" in failed.last_error and failed.attempts == 1
    (report,) = rig.slack.posted("CADMIN")
    shown = " ".join(b["text"]["text"] for b in report["blocks"]).replace("\u200b", "")  # escaped, as feed text
    assert "slack:CGONE" in report["text"] and "brief:y" in shown and "channel_not_found" in shown
    calls = len(rig.slack.calls)

    assert await runtime.outbox.deliver(Target("slack", "CGONE"), "brief:y", render) is Outcome.FAILED
    restarted_store = Store(str(rig.store.engine.url))
    try:
        restarted = Runtime(settings, restarted_store, dict(rig.outbox.posters))
        assert await restarted.catch_up(datetime.now(UTC)) == []
    finally:
        restarted_store.close()
    assert len(rig.slack.calls) == calls  # not one more call to Slack, for the channel or the report
    assert len(rig.slack.posted("CADMIN")) == 1


async def test_a_channel_that_stays_gone_is_reported_once_per_streak_not_per_brief(rig: Rig) -> None:
    rig.slack.unknown_channels.add("CGONE")
    runtime = Runtime(Settings(path=None, admin=AdminChannel("slack", "CADMIN")), rig.store,
                      dict(rig.outbox.posters))
    render = _render("slack", [plain_story(now())], ("fr",))
    target = Target("slack", "CGONE")
    for key in ("brief:1", "brief:2", "brief:3"):
        assert await runtime.outbox.deliver(target, key, render) is Outcome.FAILED
    assert len(rig.slack.posted("CADMIN")) == 1
    rig.slack.unknown_channels.clear()  # the admin fixed it: the next brief lands
    assert await runtime.outbox.deliver(target, "brief:4", render) is Outcome.SENT
    rig.slack.unknown_channels.add("CGONE")  # and it goes away again: a new streak, a new report
    assert await runtime.outbox.deliver(target, "brief:5", render) is Outcome.FAILED
    reports = [m["text"] for m in rig.slack.posted("CADMIN")]
    assert len(reports) == 2
    assert "brief:5" in " ".join(b["text"]["text"] for b in rig.slack.posted("CADMIN")[1]["blocks"])


async def test_a_failure_of_the_admin_channel_itself_is_only_logged(rig: Rig) -> None:
    rig.slack.unknown_channels.add("CADMIN")
    settings = Settings(path=None, admin=AdminChannel("slack", "CADMIN"))
    runtime = Runtime(settings, rig.store, dict(rig.outbox.posters))
    render = _render("slack", [plain_story(now())], ("fr",))
    assert await runtime.outbox.deliver(Target("slack", "CADMIN"), "brief:z", render) is Outcome.FAILED
    assert rig.store.delivery("slack:CADMIN", "brief:z").status == "failed"
    assert [d.brief_key for d in rig.store.pending_deliveries()] == []


async def test_hostile_feed_text_is_inert_on_both_platforms(rig: Rig) -> None:
    stories = [hostile_story(now()), plain_story(now())]
    role = "222222222222222222"
    target = Target("discord", DISCORD_CHANNEL, mention_role=role)
    await rig.outbox.deliver(target, "brief:h", _render("discord", stories))
    await rig.outbox.deliver(Target("slack", SLACK_CHANNEL), "brief:h", _render("slack", stories))
    # Discord: only the configured role is pinged, once; nothing from the feed.
    assert rig.discord.pings() == [f"role:{role}"]
    messages = rig.discord.posted(DISCORD_CHANNEL)
    assert all(m["allowed_mentions"]["parse"] == [] for m in messages)
    for message in messages:
        for embed in message["embeds"]:
            text = embed["title"] + embed["description"]
            assert "javascript" not in text.replace("javascript\\:", "")  # never a link target
            assert "](" not in text.replace(f"]({SAFE_URL})", "").replace(f"]({HOSTILE_URL})", "")
            for raw in ("<@", "<!", "<#", "@everyone", "@here", "**gras", "`code`", "<b>", "<script>", "[x]"):
                assert not re.search(r"(?<!\\)" + re.escape(raw), text), raw  # only backslash-escaped
    # Slack: no special mention, and the only links are the articles'.
    assert rig.slack.pings() == []
    assert {url for url, _ in rig.slack.links()} <= {SAFE_URL, HOSTILE_URL}
    for text in rig.slack._texts():
        for raw in ("<!", "<@", "<https://evil", "@everyone", "@here", "<b>", "<script"):
            assert raw not in text, raw
        # Slack cannot escape formatting characters: each one from the feed has a zero-width space before it.
        for raw in ("*gras", "`code`", "_souligné"):
            assert not re.search("(?<!\u200b)" + re.escape(raw), text), raw


# --- the native look of a brief in both languages (issue #9) -------------------------------------------


def _both(platform: str, stories):
    module = slack_blocks if platform == "slack" else discord_embeds

    async def build():
        return module.brief_messages(_brief(stories), ("fr", "en"))

    return build


async def test_discord_posts_a_story_per_message_with_an_embed_per_language(rig: Rig) -> None:
    """Through discord.py to the fake, which refuses what Discord refuses for size: each story is one
    message, French then English embeds, titles linking each language's article, fields, a timestamp
    and the outlets in the footer; the mark rides in the link, and is found in the history again."""
    stories = [bilingual_story(now()), plain_story(now())]
    assert await rig.outbox.deliver(Target("discord", DISCORD_CHANNEL), "brief:look", _both("discord", stories)
                                    ) is Outcome.SENT
    first, second = rig.discord.posted(DISCORD_CHANNEL)
    assert first["content"].startswith("**Aide à l'Ukraine** · au ") and "\n**Aid to Ukraine** · as of " in first[
        "content"]
    fr, en = first["embeds"]
    assert (fr["title"], en["title"]) == ("Danemark \\: nouvelle aide à l'Ukraine", "Denmark\\: new aid to Ukraine")
    assert fr["url"] == f"{BILINGUAL_FR}#briefbot-{Mark('brief:look', 1, 2).token}~2"  # readers do not see it
    assert en["url"] == BILINGUAL_EN
    assert [f["name"] for f in fr["fields"]] == ["Engagements", "Missions", "À venir", "Sources"]
    assert [f["name"] for f in en["fields"]] == ["Pledges", "Missions", "Upcoming dates", "Sources"]
    assert "surveiller le Grand Nord" in fr["fields"][1]["value"] and "(fr)" in en["fields"][1]["value"]
    assert datetime.fromisoformat(fr["timestamp"]) == stories[0].articles[1].published
    assert fr["footer"] == en["footer"] == {"text": "le-veilleur · alliance-wire"}
    assert len(second["embeds"]) == 2 and second["content"] == ""
    # The history Discord gives back has no nonce: the link's fragment is what finds the parts.
    assert all("nonce" not in m for m in rig.discord._history(DISCORD_CHANNEL, {}))
    posted = await rig.outbox.posters["discord"].posted_parts(DISCORD_CHANNEL, "brief:look", now() - timedelta(hours=1))
    assert set(posted) == {(1, 0, 0), (2, 0, 0)}
    assert await rig.outbox.deliver(Target("discord", DISCORD_CHANNEL), "brief:look", _both("discord", stories)
                                    ) is Outcome.ALREADY_SENT


async def test_discord_refuses_an_embed_past_its_limits_and_the_part_is_posted_in_pieces(rig: Rig) -> None:
    """The fake answers an over-long embed as Discord does (400, BASE_TYPE_MAX_LENGTH): the outbox
    splits the part between its fields and posts every piece, marked."""
    field = {"name": "Pledges", "value": "x" * 1000, "inline": False}
    message = {"content": None, "embeds": [{"title": "Too big", "url": SAFE_URL, "fields": [field] * 7}]}

    async def build():
        return [message]

    assert await rig.outbox.deliver(Target("discord", DISCORD_CHANNEL), "brief:big", build) is Outcome.SENT
    pieces = rig.discord.posted(DISCORD_CHANNEL)
    assert len(pieces) == 2 and sum(len(p["embeds"][0]["fields"]) for p in pieces) == 7
    assert pieces[0]["embeds"][0]["url"].endswith("~1") and "briefbot" in pieces[1]["embeds"][0]["footer"]["text"]


async def test_slack_posts_header_sections_per_language_and_a_context_of_sources(rig: Rig) -> None:
    stories = [bilingual_story(now()), plain_story(now())]
    assert await rig.outbox.deliver(Target("slack", SLACK_CHANNEL), "brief:look", _both("slack", stories)
                                    ) is Outcome.SENT
    (message,) = rig.slack.posted(SLACK_CHANNEL)
    blocks = message["blocks"]
    assert [b["type"] for b in blocks] == ["header", "context", "section", "section", "context", "divider",
                                           "section", "section", "context"]
    assert blocks[0]["text"]["text"] == "Aide à l'Ukraine · Aid to Ukraine"
    fr, en = blocks[2]["text"]["text"], blocks[3]["text"]["text"]
    assert fr.startswith("*Danemark : nouvelle aide à l'Ukraine*") and "*Engagements*" in fr
    assert en.startswith("*Denmark: new aid to Ukraine*") and "*Pledges*" in en
    sources = [e["text"] for e in blocks[4]["elements"]]
    assert sources == [f"le-veilleur — <{BILINGUAL_FR}|Le Danemark promet des drones à l'Ukraine>",
                       f"alliance-wire — <{BILINGUAL_EN}|Denmark pledges drones to Ukraine> _(en)_"]
    assert message["text"].startswith("Aide à l'Ukraine · Aid to Ukraine — ")
    assert "• Danemark : nouvelle aide à l'Ukraine / Denmark: new aid to Ukraine" in message["text"]
    assert len(message["text"]) <= SLACK_FALLBACK_TEXT and len(blocks) <= SLACK_BLOCKS
    assert message["metadata"]["event_payload"] == {"brief_key": "brief:look", "part": 1, "total": 1}


async def test_a_pending_row_with_nothing_left_to_say_is_settled(rig: Rig) -> None:
    """A worker died holding a brief; the next brief told its stories; resuming the old row renders
    nothing. The row is settled, not rendered again at every resume for ever."""
    assert rig.store.claim_delivery(f"slack:{SLACK_CHANNEL}", "brief:old") is not None

    async def nothing():
        return []

    assert await rig.outbox.deliver(Target("slack", SLACK_CHANNEL), "brief:old", nothing) is Outcome.NOTHING
    assert rig.store.pending_deliveries() == []
    assert rig.store.delivery(f"slack:{SLACK_CHANNEL}", "brief:old").status == "sent"
    assert await rig.outbox.deliver(Target("slack", SLACK_CHANNEL), "brief:none", nothing) is Outcome.NOTHING
    assert rig.store.delivery(f"slack:{SLACK_CHANNEL}", "brief:none") is None  # no row for a brief with nothing
    assert rig.slack.posted(SLACK_CHANNEL) == []
