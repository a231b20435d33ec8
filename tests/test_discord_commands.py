"""Discord slash commands end to end: the real discord.py client logs in to a loopback fake of Discord,
syncs its commands in `setup_hook`, connects to the fake gateway and answers interactions it receives
there: deferred within Discord's 3 seconds, then followed up; autocomplete for topics and donors."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.command_registry import PUBLIC, REGISTRY, Command, Group, Option
from bot.commands import Commands
from bot.config import Settings
from bot.platforms.discord import BriefClient, command_installer
from tests.support.chat_stories import hostile_story, now, plain_story, stored_reads
from tests.support.discord_client import connected
from tests.support.fake_discord import APPLICATION_ID, FakeDiscord

_ids = itertools.count(800000000000000000)
EPHEMERAL = 64


@asynccontextmanager
async def _running(tmp_path: Path, registry: tuple[Command | Group, ...] = REGISTRY) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        moment = now()
        commands = Commands(Settings(path=None), stored_reads([plain_story(moment), hostile_story(moment)], tmp_path),
                            now=lambda: moment)
        client = BriefClient(install_commands=command_installer(commands, registry))
        async with connected(fake, client):
            await asyncio.wait_for(fake.identified.wait(), timeout=10)
            yield fake


@pytest.fixture
async def discord_bot(tmp_path: Path) -> AsyncIterator[FakeDiscord]:
    async with _running(tmp_path) as fake:
        yield fake


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


async def test_registration_names_and_describes_everything_in_french_and_english(discord_bot: FakeDiscord) -> None:
    """The body of the registration PUT, as discord.py sends it: every command, option and choice
    has name (and description) localizations for fr, en-US and en-GB, and every option a description."""
    locales = {"fr", "en-US", "en-GB"}
    (body,) = discord_bot.command_puts
    options = [o for command in body for o in command["options"]]
    assert len(body) == 7 and len(options) >= 15
    for item in [*body, *options]:
        assert set(item["name_localizations"]) == locales, item["name"]
        assert set(item["description_localizations"]) == locales, item["name"]
        assert item["description"] and "…" not in item["description"] and " / " not in item["description"]
    for choice in [c for o in options for c in o.get("choices", [])]:
        assert set(choice["name_localizations"]) == locales
    summary = next(c for c in body if c["name"] == "summary")
    assert summary["name_localizations"] == {"fr": "résumé", "en-US": "summary", "en-GB": "summary"}
    assert summary["description_localizations"]["fr"] == "Les sujets les plus récents d'un thème"
    lang = next(o for o in summary["options"] if o["name"] == "lang")
    assert lang["name_localizations"]["fr"] == "langue"
    assert [(c["value"], c["name_localizations"]["fr"]) for c in lang["choices"]] == [
        ("fr", "Français"), ("en", "Anglais"), ("both", "Les deux")]


@pytest.mark.parametrize(("locale", "expected"), [("fr", "Thème inconnu « atlantide »."),
                                                  ("en-GB", "Unknown topic “atlantide”."),
                                                  ("de", "Unknown topic “atlantide”.")])
async def test_a_reply_is_in_the_interactions_language(discord_bot: FakeDiscord, locale: str, expected: str) -> None:
    payload = _interaction("summary", [{"name": "topic", "type": 3, "value": "atlantide"}], locale=locale)
    await discord_bot.send_interaction(payload)
    followup = await _wait_for(discord_bot, "followup", payload["token"])
    assert followup["embeds"][0]["title"].replace("\\", "") == expected  # Discord markdown escapes the "."


async def test_a_command_group_is_one_command_with_subcommands(tmp_path: Path) -> None:
    """A Group of the registry becomes one Discord command whose subcommands are options of type 1,
    and an interaction with a subcommand reaches `Commands.run` under "group sub" (this one has no
    handler, so it answers that it does not know it, by that name)."""
    group = Group("briefbot", "The bot's settings", (
        Command("mute", "Pause the briefs", (Option("hours", "For how many hours"), PUBLIC)),))
    async with _running(tmp_path, (*REGISTRY, group)) as fake:
        (body,) = fake.command_puts
        registered = next(c for c in body if c["name"] == "briefbot")
        (mute,) = registered["options"]
        assert mute["type"] == 1 and mute["name"] == "mute"
        assert [(o["name"], o["type"]) for o in mute["options"]] == [("hours", 3), ("public", 5)]
        payload = _interaction("briefbot", [{"name": "mute", "type": 1,
                                             "options": [{"name": "hours", "type": 3, "value": "2"}]}])
        await fake.send_interaction(payload)
        followup = await _wait_for(fake, "followup", payload["token"])
        assert followup["embeds"][0]["title"].startswith("Commande inconnue « briefbot mute »")


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
