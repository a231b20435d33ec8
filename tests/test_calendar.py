"""Upcoming dates as a calendar: `/dates` attaches an .ics that icalendar parses back into one event
per listed date, at the date's precision (a day, the whole month, the whole year, marked as such),
with its place, its line in both languages and its sources; the Discord follow-up carries the file;
`bot web` serves the same calendar at `/calendar/<topic>.ics`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from icalendar import Calendar

from bot.commands import Commands, Reply
from bot.config import Secrets, Settings
from bot.platforms.discord import BriefClient, command_installer
from bot.web import make_web_app
from briefings.models import Article, Evidence, KeyDate, Story
from briefings.render.calendar import period
from tests.support.chat_stories import stored_reads
from tests.support.discord_client import connected
from tests.support.fake_discord import FakeDiscord
from tests.support.loopback import serving
from tests.test_discord_commands import _interaction, _wait_for

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
TALKS = "https://agency.example/ministers-talks"
SUMMIT = "https://daily.example/alliance-summit"


def _story(story_id: str, url: str, topic: str, title: dict[str, str], dates: list[KeyDate]) -> Story:
    article = Article(url=url, title=next(iter(title.values())), text="", language="en",
                      published=NOW - timedelta(days=1), feed=url.split("/")[2])
    return Story(id=story_id, title=title, articles=[article], topics=[topic], dates=dates)


def _date(iso: str, event: str, url: str, place: str | None = None, language: str = "en") -> KeyDate:
    return KeyDate(date=iso, event=event, place=place, language=language,
                   evidence=[Evidence(f"Our words: {event} is planned.", url)])


def stories() -> list[Story]:
    talks = _story("story-talks", TALKS, "ukraine-aid",
                   {"en": "Ministers plan more talks on aid", "fr": "Les ministres prévoient d'autres réunions"},
                   [_date("2026-04-07", "ministers' meeting", TALKS, place="The Hague"),
                    _date("2026-12", "réunion des donateurs", TALKS, language="fr"),
                    _date("2027", "reconstruction conference", TALKS),
                    _date("2026-03", "expert talks", TALKS),  # this month: upcoming until it ends
                    _date("2026-03-01", "a meeting already held", TALKS)])
    summit = _story("story-summit", SUMMIT, "nato", {"en": "Alliance summit set for June"},
                    [_date("2026-06-24", "alliance summit", SUMMIT, place="Ankara")])
    return [talks, summit]


@pytest.fixture
def commands(tmp_path: Path) -> Commands:
    return Commands(Settings(path=None), stored_reads(stories(), tmp_path), now=lambda: NOW)


def _events(data: bytes) -> list:
    calendar = Calendar.from_ical(data)
    assert calendar["version"] == "2.0" and calendar["prodid"]
    return sorted(calendar.walk("VEVENT"), key=lambda e: (e.decoded("dtstart"), str(e["summary"])))


def _iso_at_precision(event) -> str:
    """What a calendar client's all-day span says, as an ISO date at its precision."""
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert type(start) is date and type(end) is date  # all-day: dates, not times
    if end - start == timedelta(days=1):
        return start.isoformat()
    if start.day == 1 and end.day == 1 and (end.year * 12 + end.month) - (start.year * 12 + start.month) == 1:
        return start.isoformat()[:7]
    assert (start.month, start.day, end.month, end.day, end.year - start.year) == (1, 1, 1, 1, 1)
    return str(start.year)


def _calendar_of(reply: Reply) -> bytes:
    (attachment,) = reply.files
    assert attachment.mime == "text/calendar" and attachment.filename.endswith(".ics")
    return attachment.data


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_dates_calendar_round_trips_every_date_at_its_precision_and_matches_the_listing(
        commands: Commands, locale: str) -> None:
    reply = commands.run("dates", {"topic": "ukraine-aid"}, locale)
    events = _events(_calendar_of(reply))
    assert [_iso_at_precision(e) for e in events] == ["2026-03", "2026-04-07", "2026-12", "2027"]
    assert [str(e["x-briefbot-precision"]) for e in events] == ["month", "day", "month", "year"]
    # A calendar client's view is the listing: each event opens with the line /dates shows, in order.
    assert [str(e["description"]).split("\n")[0] for e in events] == [str(line) for line in reply.lines]
    by_start = {_iso_at_precision(e): e for e in events}
    meeting, donors, conference = by_start["2026-04-07"], by_start["2026-12"], by_start["2027"]
    assert str(meeting["location"]) == ("La Haye" if locale == "fr" else "The Hague")
    assert str(meeting["summary"]) == "ministers' meeting"  # a known day needs no mark
    expected_mark = "jour pas encore connu" if locale == "fr" else "day not known yet"
    assert expected_mark in str(donors["summary"]) and "réunion des donateurs" in str(donors["summary"])
    # The summary's language is stated only when it has one: French words with an English mark have not.
    assert donors["summary"].params.get("LANGUAGE") == ("fr" if locale == "fr" else None)
    assert meeting["summary"].params["LANGUAGE"] == "en"
    assert ("mois pas encore connu" if locale == "fr" else "month not known yet") in str(conference["summary"])
    # Both languages and the source in every description, whichever the calendar's language.
    for event in events:
        text = str(event["description"])
        assert "Ministers plan more talks on aid" in text and "Les ministres prévoient" in text
        assert TALKS in text and str(event["url"]) == TALKS
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_all_topics_calendar_and_stable_uids(commands: Commands) -> None:
    first = _events(_calendar_of(commands.run("dates", {}, "en")))
    assert {_iso_at_precision(e) for e in first} == {"2026-03", "2026-04-07", "2026-06-24", "2026-12", "2027"}
    again = _events(_calendar_of(commands.run("dates", {}, "fr")))
    assert [str(e["uid"]) for e in again] == [str(e["uid"]) for e in first]  # a subscription updates in place


def test_periods_end_where_the_next_one_starts() -> None:
    assert period("2026-12") == (date(2026, 12, 1), date(2027, 1, 1), "month")
    assert period("2026-02-28") == (date(2026, 2, 28), date(2026, 3, 1), "day")
    assert period("2030") == (date(2030, 1, 1), date(2031, 1, 1), "year")
    with pytest.raises(ValueError):
        period("soon")


def test_no_upcoming_date_sends_no_file_and_unknown_topic_lists_topics(tmp_path: Path) -> None:
    commands = Commands(Settings(path=None), stored_reads(stories(), tmp_path), now=lambda: NOW + timedelta(days=800))
    empty = commands.run("dates", {"topic": "ukraine-aid"}, "en")
    assert empty.ok and empty.files == [] and [str(x) for x in empty.lines] == ["No upcoming date."]
    unknown = commands.run("dates", {"topic": "atlantis"}, "en")
    assert not unknown.ok and "atlantis" in unknown.title and "ukraine-aid" in str(unknown.lines[0])


async def test_discord_dates_follow_up_carries_the_calendar(tmp_path: Path) -> None:
    commands = Commands(Settings(path=None), stored_reads(stories(), tmp_path), now=lambda: NOW)
    async with FakeDiscord() as fake, connected(fake, BriefClient(install_commands=command_installer(commands))):
        payload = _interaction("dates", [{"name": "topic", "type": 3, "value": "nato"}], locale="en-GB")
        await fake.send_interaction(payload)
        followup = await _wait_for(fake, "followup", payload["token"], timeout=20)
    (upload,) = followup["uploads"]
    assert upload["filename"] == "nato.ics"
    (event,) = _events(upload["data"])
    assert _iso_at_precision(event) == "2026-06-24" and str(event["location"]) == "Ankara"
    assert "alliance summit" in followup["embeds"][0]["description"]


@pytest.fixture
async def web_url(commands: Commands) -> AsyncIterator[str]:
    settings = Settings(path=None, secrets=Secrets(slack_bot_token="xoxb-unused", slack_signing_secret="unused"))
    async with serving(make_web_app(settings, commands)) as base:
        yield base


async def test_web_serves_a_topics_calendar_for_subscription(web_url: str, commands: Commands) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{web_url}/calendar/ukraine-aid.ics?lang=fr") as resp:
            assert resp.status == 200 and resp.content_type == "text/calendar"
            served = _events(await resp.read())
        async with session.get(f"{web_url}/calendar/atlantis.ics") as resp:
            assert resp.status == 404
            assert "atlantis" in await resp.text() and "ukraine-aid" in await resp.text()
    listed = commands.run("dates", {"topic": "ukraine-aid"}, "fr")
    assert [str(e["description"]).split("\n")[0] for e in served] == [str(line) for line in listed.lines]


async def test_slack_public_dates_share_the_calendar_in_the_channel(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    from tests.support.fake_slack import BOT_TOKEN, FakeSlack
    from tests.test_ledger_chat import _files
    from tests.test_slack_commands import SECRET, _answers, _command, _signed

    settings = Settings(path=None, secrets=Secrets(slack_bot_token=BOT_TOKEN, slack_signing_secret=SECRET))
    commands = Commands(settings, stored_reads(stories(), tmp_path), now=lambda: NOW)
    async with FakeSlack() as fake:
        monkeypatch.setenv("BRIEFBOT_SLACK_API_URL", fake.api_url)
        async with serving(make_web_app(settings, commands)) as base:
            url = f"{base}/slack/events"
            body = _command(fake, "dates", "nato public", "dates")
            async with aiohttp.ClientSession() as session, session.post(url, data=body,
                                                                        headers=_signed(body)) as resp:
                assert resp.status == 200
            (answer,) = await _answers(fake, "dates", timeout=20)
            (shared,) = await _files(fake, 1)
    assert answer["response_type"] == "in_channel" and "alliance summit" in str(answer["blocks"])
    assert (shared["name"], shared["channel"]) == ("nato.ics", "C42")
    (event,) = _events(shared["data"])
    assert _iso_at_precision(event) == "2026-06-24"


def test_the_calendar_keeps_the_dates_a_long_listing_cuts(tmp_path: Path) -> None:
    days = [(NOW + timedelta(days=n)).date().isoformat() for n in range(2, 47)]
    busy = _story("story-busy", TALKS, "ukraine-aid", {"en": "A busy spring of meetings"},
                  [_date(day, f"meeting number {n}", TALKS) for n, day in enumerate(days)])
    commands = Commands(Settings(path=None), stored_reads([busy], tmp_path), now=lambda: NOW)
    reply = commands.run("dates", {"topic": "ukraine-aid"}, "en")
    assert len(reply.lines) == 41 and str(reply.lines[-1]) == "…and 5 more."
    events = _events(_calendar_of(reply))
    assert [_iso_at_precision(e) for e in events] == days
    assert [str(e["description"]).split("\n")[0] for e in events][:40] == [str(x) for x in reply.lines[:40]]
