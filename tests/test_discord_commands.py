"""Discord slash commands end to end: the real discord.py client logs in to a loopback fake of Discord,
syncs its commands in `setup_hook`, connects to the fake gateway and answers interactions it receives
there: deferred within Discord's 3 seconds, then followed up; autocomplete for topics and donors."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.commands import Commands
from bot.config import Settings
from bot.platforms.discord import BriefClient, command_installer, use_api_base
from tests.support.chat_stories import hostile_story, now, plain_story, stored_reads
from tests.support.fake_discord import APPLICATION_ID, FakeDiscord

_ids = itertools.count(800000000000000000)
EPHEMERAL = 64


@pytest.fixture
async def discord_bot(tmp_path: Path) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        use_api_base(fake.url)
        moment = now()
        commands = Commands(Settings(path=None), stored_reads([plain_story(moment), hostile_story(moment)], tmp_path),
                            now=lambda: moment)
        client = BriefClient(install_commands=command_installer(commands))
        await client.login("discord-test-token")
        gateway = asyncio.create_task(client.connect())
        await asyncio.wait_for(fake.identified.wait(), timeout=10)
        await asyncio.wait_for(client.wait_until_ready(), timeout=10)
        try:
            yield fake
        finally:
            await client.close()
            gateway.cancel()


def _interaction(name: str, options: list[dict[str, Any]], *, kind: int = 2, locale: str = "fr") -> dict[str, Any]:
    return {
        "id": str(next(_ids)), "application_id": APPLICATION_ID, "type": kind, "token": f"tok{next(_ids)}",
        "version": 1, "locale": locale, "channel_id": "700000000000000001",
        "channel": {"id": "700000000000000001", "type": 1},
        "user": {"id": "700000000000000002", "username": "lectrice", "discriminator": "0", "avatar": None},
        "data": {"id": "1", "name": name, "type": 1, "options": options},
        "app_permissions": "0", "entitlements": [], "authorizing_integration_owners": {}, "context": 1,
        "attachment_size_limit": 10_485_760,
    }


async def _wait_for(fake: FakeDiscord, kind: str, token: str, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for response in fake.interaction_responses:
            if response["kind"] == kind and token in response["path"]:
                return response
        await asyncio.sleep(0.02)
    raise AssertionError(f"no {kind} for {token}: {fake.interaction_responses}")


async def test_commands_are_synced_at_login(discord_bot: FakeDiscord) -> None:
    names = {c["name"] for c in discord_bot.commands}
    assert names == {"summary", "pledges", "missions", "dates", "topics", "sources", "ledger"}
    summary = next(c for c in discord_bot.commands if c["name"] == "summary")
    topic = next(o for o in summary["options"] if o["name"] == "topic")
    assert topic["autocomplete"] is True


async def test_summary_is_deferred_within_3s_then_followed_up(discord_bot: FakeDiscord) -> None:
    payload = _interaction("summary", [{"name": "topic", "type": 3, "value": "ukraine-aid"}])
    started = time.monotonic()
    await discord_bot.send_interaction(payload)
    deferred = await _wait_for(discord_bot, "callback", payload["token"])
    assert time.monotonic() - started < 3.0
    assert deferred["type"] == 5 and deferred["data"]["flags"] == EPHEMERAL
    followup = await _wait_for(discord_bot, "followup", payload["token"])
    heading, *stories = followup["embeds"]  # the heading, then the stories, in the user's locale
    assert heading["description"].startswith("**Aide à l'Ukraine** · au ")
    assert any("Norvège" in field["value"] for embed in stories for field in embed["fields"])
    assert followup["allowed_mentions"] == {"parse": []}


async def test_unknown_topic_answers_with_the_known_topics(discord_bot: FakeDiscord) -> None:
    payload = _interaction("summary", [{"name": "topic", "type": 3, "value": "atlantide"}], locale="en-GB")
    await discord_bot.send_interaction(payload)
    followup = await _wait_for(discord_bot, "followup", payload["token"])
    (embed,) = followup["embeds"]
    assert "atlantide" in embed["title"] and "ukraine\\-aid" in embed["description"]
    assert followup["flags"] & EPHEMERAL


async def test_public_option_posts_in_the_channel(discord_bot: FakeDiscord) -> None:
    payload = _interaction("dates", [{"name": "public", "type": 5, "value": True}], locale="en-US")
    await discord_bot.send_interaction(payload)
    deferred = await _wait_for(discord_bot, "callback", payload["token"])
    assert deferred["type"] == 5 and not deferred.get("data", {}).get("flags", 0) & EPHEMERAL
    followup = await _wait_for(discord_bot, "followup", payload["token"])
    assert "sommet des donateurs" in followup["embeds"][0]["description"]


async def test_autocomplete_offers_topics_and_donors(discord_bot: FakeDiscord) -> None:
    topics = _interaction("summary", [{"name": "topic", "type": 3, "value": "ukr", "focused": True}], kind=4)
    await discord_bot.send_interaction(topics)
    answer = await _wait_for(discord_bot, "callback", topics["token"])
    assert answer["type"] == 8
    assert [c["value"] for c in answer["data"]["choices"]] == ["ukraine-aid"]
    donors = _interaction("pledges", [{"name": "donor", "type": 3, "value": "nor", "focused": True}], kind=4)
    await discord_bot.send_interaction(donors)
    answer = await _wait_for(discord_bot, "callback", donors["token"])
    assert [c["value"] for c in answer["data"]["choices"]] == ["NO"]


async def test_hostile_feed_text_in_answers_neither_pings_nor_links(discord_bot: FakeDiscord) -> None:
    for name, options in [("summary", [{"name": "topic", "type": 3, "value": "ukraine-aid"}]),
                          ("pledges", []), ("missions", []), ("ledger", []),
                          ("sources", [{"name": "query", "type": 3, "value": "drones"}])]:
        payload = _interaction(name, options, locale="en-US")
        await discord_bot.send_interaction(payload)
        # /ledger draws its charts (matplotlib loads on the first): on a busy machine that takes seconds
        followup = await _wait_for(discord_bot, "followup", payload["token"], timeout=30)
        assert followup["allowed_mentions"] == {"parse": []}
        # Footers render no markdown nor links: feed text shows there as it is, with mentions made inert.
        footers = json.dumps([e.pop("footer", None) for e in followup["embeds"]], ensure_ascii=False)
        text = json.dumps(followup["embeds"], ensure_ascii=False)
        for raw in ("<@123>", "<!channel>", "](javascript", "@everyone", "@here", "`code`", "<b>"):
            assert raw not in text, (name, raw)
        for raw in ("<@123>", "<!channel>", "@everyone", "@here"):
            assert raw not in footers, (name, raw)


async def test_messages_with_null_optional_fields_leave_the_gateway_up(discord_bot: FakeDiscord) -> None:
    """What the real gateway sends for users' messages (`"poll": null`, a member without its user,
    `nick` null) is parsed without ending the gateway loop: the same session answers afterwards."""
    await discord_bot.dispatch("MESSAGE_CREATE", discord_bot.message_event("bonjour"))
    await discord_bot.dispatch("MESSAGE_UPDATE", discord_bot.message_event("bonjour !", edited=True))
    payload = _interaction("topics", [], locale="fr")
    await discord_bot.send_interaction(payload)
    await _wait_for(discord_bot, "followup", payload["token"])
    assert discord_bot.identifies == 1


async def test_an_error_in_the_follow_up_ends_in_an_ephemeral_error_reply(discord_bot: FakeDiscord) -> None:
    payload = _interaction("dates", [{"name": "public", "type": 5, "value": True}], locale="en-US")
    discord_bot.fail_next(payload["token"], status=400)  # the follow-up is refused
    await discord_bot.send_interaction(payload)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not [r for r in discord_bot.interaction_responses
                                                if r["kind"] == "followup" and payload["token"] in r["path"]]:
        await asyncio.sleep(0.05)
    kinds = [r["kind"] for r in discord_bot.interaction_responses if payload["token"] in r["path"]]
    assert kinds == ["callback", "delete", "followup"], kinds  # the public placeholder is withdrawn first
    followup = await _wait_for(discord_bot, "followup", payload["token"])
    assert followup["flags"] & EPHEMERAL
    assert "went wrong" in followup["embeds"][0]["description"]


async def test_an_error_reply_to_a_public_request_is_ephemeral(discord_bot: FakeDiscord) -> None:
    payload = _interaction("summary", [{"name": "topic", "type": 3, "value": "atlantide"},
                                       {"name": "public", "type": 5, "value": True}], locale="en-GB")
    await discord_bot.send_interaction(payload)
    followup = await _wait_for(discord_bot, "followup", payload["token"])
    assert followup["flags"] & EPHEMERAL and "atlantide" in followup["embeds"][0]["title"]
    kinds = [r["kind"] for r in discord_bot.interaction_responses if payload["token"] in r["path"]]
    assert kinds == ["callback", "delete", "followup"], kinds
