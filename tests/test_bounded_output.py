"""Bounded output: feed text capped at ingest, a ceiling on stories and messages per channel slot, and
a note saying what was cut. Real feeds over a loopback feed server, the real pipeline and outbox,
posts to the loopback Slack fake."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from slack_sdk.web.async_client import AsyncWebClient

from bot import ceiling
from bot.config import ChannelConfig, DeliveryConfig, FeedConfig, IngestConfig, Settings
from bot.delivery import Outcome
from bot.limits import DISCORD_EMBED_DESCRIPTION, SLACK_BLOCKS, SLACK_SECTION_TEXT
from bot.platforms.slack import SlackPoster
from bot.run import Runtime
from briefings.ingest.caps import DEFAULT_CAPS, cap, cap_evidence
from briefings.ingest.parse import parse_feed
from briefings.models import ArticleFacts, Evidence, Pledge
from briefings.store import Store
from tests.support.fake_slack import BOT_TOKEN, FakeSlack
from tests.support.feedserver import FeedEntry, FeedServer, rss

SLACK_CHANNEL = "C0BOUND"
EVENTS = [("Le Portugal", "frégates", "Lisbonne"), ("La Grèce", "obus", "Athènes"), ("Le Japon", "radars", "Tokyo"),
          ("Le Canada", "drones", "Ottawa"), ("L'Australie", "camions", "Canberra"),
          ("La Corée du Sud", "munitions", "Séoul"), ("Le Chili", "hélicoptères", "Santiago"),
          ("Le Maroc", "ambulances", "Rabat")]


def test_cap_cuts_at_a_word_and_says_so() -> None:
    text = "aide militaire " * 40
    capped = cap(text, 100)
    assert len(capped) <= 100 and capped.endswith(("militaire…", "aide…"))
    assert cap("court", 100) == "court"


def test_a_5mb_title_is_capped_when_the_feed_is_parsed() -> None:
    huge = "Aide à l'Ukraine " * 300_000  # 5.1 MB
    body = rss([FeedEntry(huge, "https://presse.example/1", summary="résumé " * 2_000,
                          content_html="<p>" + "texte " * 100_000 + "</p>")]).encode()
    (item,) = parse_feed(body, "https://presse.example/feed.xml").items
    assert len(item.title) <= DEFAULT_CAPS.title and item.title.endswith("…")
    assert len(item.summary) <= DEFAULT_CAPS.summary and item.summary.endswith("…")
    assert len(item.content) <= DEFAULT_CAPS.text and item.content.endswith("…")


def test_evidence_sentences_are_capped() -> None:
    long = Evidence("La Suède promet " + "des blindés " * 500, "https://presse.example/1")
    facts = cap_evidence(ArticleFacts(pledges=[Pledge(donor="SE", recipient="UA", evidence=[long])]))
    (evidence,) = facts.pledges[0].evidence
    assert len(evidence.sentence) <= DEFAULT_CAPS.sentence and evidence.sentence.endswith("…")


def test_stories_beyond_the_slot_ceiling_are_named_in_a_note() -> None:
    kept, cut = ceiling.take(list("abcdef"), 4)
    assert kept == list("abcd") and cut == 2
    message = {"content": None, "embeds": [{"title": "Aid", "description": "story"}]}
    noted = ceiling.with_note(message, ceiling.stories_note(("en",), cut, "ukraine-aid"), "discord")
    assert "2 more stories" in noted["embeds"][0]["description"]
    assert message["embeds"][0]["description"] == "story"  # the original message is left as it was


def test_a_slot_over_its_message_ceiling_keeps_the_first_and_says_what_was_cut() -> None:
    messages = [{"text": str(i), "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": str(i)}}]}
                for i in range(10)]
    kept = ceiling.cap_messages(messages, 3, "slack", ("fr", "en"))
    assert [m["text"] for m in kept] == ["0", "1", "2"]
    note = kept[-1]["blocks"][-1]["elements"][0]["text"]
    assert "7 message(s) de ce point non publié(s)" in note and "7 more message(s)" in note
    embed = {"title": "t", "description": "x" * DISCORD_EMBED_DESCRIPTION}
    (kept_discord,) = ceiling.cap_messages([{"embeds": [embed]}, {"embeds": [embed]}], 1, "discord", ("en",))
    description = kept_discord["embeds"][0]["description"]
    assert len(description) <= DISCORD_EMBED_DESCRIPTION and "1 more message" in description


async def test_a_5mb_title_and_a_busy_day_make_a_brief_within_the_ceiling(tmp_path: Path, monkeypatch) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    async with FeedServer() as server, FakeSlack() as slack:
        huge_title = "La Suède envoie des blindés à l'Ukraine " * 130_000  # 5.2 MB
        entries = [FeedEntry(huge_title, server.url("/enorme"), published=now - timedelta(hours=1),
                             content_html="<p>La Suède envoie des blindés à l'Ukraine, a annoncé le gouvernement.</p>")]
        for i, (country, item, city) in enumerate(EVENTS):
            entries.append(FeedEntry(
                f"{country} livre des {item} à Kiev depuis {city}", server.url(f"/{i}"),
                published=now - timedelta(days=i % 2, hours=2 + i),
                content_html=f"<p>{country} a annoncé à {city} l'envoi de {item}, une aide militaire à l'Ukraine "
                             f"d'un montant de {i + 2} cents millions d'euros.</p>"))
        server.set_feed("/fr.xml", rss(entries, language="fr"))
        monkeypatch.setenv("BRIEFBOT_SLACK_API_URL", slack.api_url)
        channel = ChannelConfig(platform="slack", channel=SLACK_CHANNEL, topics=("ukraine-aid",), language="both")
        settings = Settings(path=None, channels=(channel,), ingest=replace(IngestConfig(), max_bytes=20_000_000),
                            delivery=DeliveryConfig(max_stories=4, max_messages=1))
        store = Store(f"sqlite:///{tmp_path / 'bound.db'}")
        poster = SlackPoster(AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url, retry_handlers=[]))
        try:
            runtime = Runtime(settings, store, {"slack": poster}, include_backlog=True)
            await runtime.poll([FeedConfig(name="presse", url=server.url("/fr.xml"))])
            assert await runtime.brief(channel, now) is Outcome.SENT
            titles = [a.title for s in runtime.pipeline.stories() for a in s.articles]
        finally:
            store.close()
    assert max(len(t) for t in titles) <= DEFAULT_CAPS.title
    posted = slack.posted(SLACK_CHANNEL)
    assert len(posted) == 1  # the day's story in French and English, in one message
    for message in posted:
        assert len(message["blocks"]) <= SLACK_BLOCKS
        assert all(len(b["text"]["text"]) <= SLACK_SECTION_TEXT for b in message["blocks"] if b["type"] == "section")
        assert len(json.dumps(message)) < 60_000
    text = json.dumps(posted, ensure_ascii=False)
    assert "*Engagements*" in text and "*Pledges*" in text and text.count('"type": "header"') == 1
