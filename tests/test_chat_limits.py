"""Platform limits and splitting: every message of a long brief fits, nothing is lost, order is kept."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from bot import limits, reshape
from bot.platforms import discord_embeds, slack_blocks
from briefings.brief import build_topic_brief, load_topics
from briefings.models import Article, Evidence, Pledge, Story


def _stories(count: int) -> list[Story]:
    out = []
    for i in range(count):
        url = f"https://presse.example/{i}"
        article = Article(
            url=url, title=f"Article {i:03d} sur l'aide à l'Ukraine, un titre assez long " + "x" * 80,
            text="texte", language="fr", published=datetime(2026, 3, 1, 8 + i // 60, i % 60, tzinfo=UTC), feed="Presse",
        )
        pledges = [
            Pledge(donor="FR", recipient="UA", amount=1e6 * (j + 1), currency="EUR", item=f"lot {j} " + "y" * 60,
                   language="fr", evidence=[Evidence("phrase", url)])
            for j in range(6)
        ]
        out.append(Story(id=f"s{i:03d}", title={"fr": article.title}, articles=[article], topics=["ukraine-aid"],
                         pledges=pledges))
    return out


def _order(words: list[str]) -> list[str]:
    """Story numbers in order of first appearance (each headline also appears in its sources)."""
    return list(dict.fromkeys(w for w in words if len(w) == 3 and w.isdigit()))


def _expected(count: int) -> list[str]:
    return [f"{i:03d}" for i in reversed(range(count))]  # newest first


def _brief(count: int):
    return build_topic_brief(load_topics()["ukraine-aid"], _stories(count), as_of=datetime(2026, 3, 2, tzinfo=UTC))


def test_split_text_respects_limit_and_keeps_every_line() -> None:
    text = "\n".join(f"ligne {i} " + "z" * (i % 50) for i in range(400))
    pieces = limits.split_text(text, 500)
    assert all(len(p) <= 500 for p in pieces)
    assert "\n".join(pieces).split("\n") == text.split("\n")


def test_overlong_line_is_cut_without_splitting_an_escape() -> None:
    line = "a" * 9 + "\\*" + "b" * 20
    pieces = limits.split_text(line, 10)
    assert pieces[0] == "a" * 9 and pieces[1].startswith("\\*")
    entity = "c" * 8 + "&amp;" + "d" * 5
    assert limits.split_text(entity, 10)[0] == "c" * 8


def test_long_brief_splits_into_slack_messages_within_limits() -> None:
    messages = slack_blocks.brief_messages(_brief(120), ("fr",))
    assert len(messages) > 1
    headlines = []
    for i, message in enumerate(messages, start=1):
        blocks = message["blocks"]
        assert len(blocks) <= limits.SLACK_BLOCKS
        assert blocks[0]["type"] == "header" and len(blocks[0]["text"]["text"]) <= limits.SLACK_HEADER_TEXT
        assert blocks[0]["text"]["text"].endswith(f"({i}/{len(messages)})")
        assert 0 < len(message["text"]) <= limits.SLACK_FALLBACK_TEXT
        for block in blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= limits.SLACK_SECTION_TEXT
                headlines += block["text"]["text"].split()
            if block["type"] == "context":
                assert len(block["elements"]) <= limits.SLACK_CONTEXT_ELEMENTS
    assert _order(headlines) == _expected(120)


def _embed_words(embed: dict) -> list[str]:
    fields = [f"{f['name']} {f['value']}" for f in embed.get("fields", [])]
    return " ".join([embed.get("title") or "", embed.get("description") or "", *fields]).split()


def assert_discord_limits(message: dict) -> None:
    """Every limit Discord puts on a message with embeds (bot/limits.py)."""
    assert len(message.get("content") or "") <= limits.DISCORD_CONTENT
    embeds = message["embeds"]
    assert len(embeds) <= limits.DISCORD_EMBEDS_PER_MESSAGE
    assert sum(limits.embed_size(e) for e in embeds) <= limits.DISCORD_MESSAGE_TOTAL - limits.DISCORD_RESERVE
    for embed in embeds:
        assert len(embed.get("title") or "") <= limits.DISCORD_EMBED_TITLE
        assert len(embed.get("description") or "") <= limits.DISCORD_EMBED_DESCRIPTION
        assert len(embed.get("fields", [])) <= limits.DISCORD_EMBED_FIELDS
        assert all(len(f["name"]) <= limits.DISCORD_FIELD_NAME and 0 < len(f["value"]) <= limits.DISCORD_FIELD_VALUE
                   for f in embed.get("fields", []))
        assert len((embed.get("footer") or {}).get("text") or "") <= limits.DISCORD_FOOTER


def test_long_brief_is_a_discord_message_per_story_within_limits() -> None:
    messages = discord_embeds.brief_messages(_brief(120), ("fr", "en"))
    assert len(messages) == 120  # one per story, its two languages together
    seen = []
    for message in messages:
        assert_discord_limits(message)
        fr, en = message["embeds"]
        assert fr["fields"][0]["name"] == "Engagements" and en["fields"][0]["name"] == "Pledges"
        assert fr["timestamp"] == en["timestamp"] and fr["footer"] == en["footer"] == {"text": "Presse"}
        assert fr["url"].startswith("https://presse.example/") and "url" not in en  # one link: shown once
        seen += _embed_words(fr)
    assert _order(seen) == _expected(120)


def test_a_story_longer_than_a_message_continues_in_further_embeds_and_messages() -> None:
    """A story with 400 pledges: fields of at most 1,024 characters, 25 per embed, 6,000 per message."""
    story = _stories(1)[0]
    story.pledges = [Pledge(donor="FR", recipient="UA", amount=1e6 * (j + 1), currency="EUR",
                            item=f"lot {j:03d} " + "y" * 60, language="fr",
                            evidence=[Evidence("phrase", story.articles[0].url)]) for j in range(400)]
    brief = build_topic_brief(load_topics()["ukraine-aid"], [story], as_of=datetime(2026, 3, 2, tzinfo=UTC))
    messages = discord_embeds.brief_messages(brief, ("fr", "en"))
    assert len(messages) > 2
    for message in messages:
        assert_discord_limits(message)
    fields = [f for m in messages for e in m["embeds"] for f in e.get("fields", [])]
    values = "\n".join(f["value"] for f in fields)
    assert re.findall(r"lot (\d{3})", values) == [f"{j:03d}" for j in range(400)]  # every pledge, in order
    assert values.count("€") == 400  # and again in English, after the French (its item is French words: left out)
    names = [f["name"].split(" (")[0] for f in fields]
    assert names.index("Engagements") < names.index("Pledges") and fields[0]["name"].startswith("Engagements (1/")


def test_one_story_brief_is_one_message() -> None:
    assert len(slack_blocks.brief_messages(_brief(1), ("fr", "en"))) == 1
    assert len(discord_embeds.brief_messages(_brief(1), ("fr",))) == 1


def test_a_refused_or_too_long_story_message_keeps_every_field_in_its_smaller_forms() -> None:
    """What the outbox posts when Discord refuses a story message (bot.reshape): split between the
    fields, then fields written into the embed's text, then plain text; nothing of the story is lost."""
    (message,) = discord_embeds.brief_messages(_brief(1), ("fr", "en"))
    text = json.dumps(message, ensure_ascii=False)
    one = {**message, "embeds": message["embeds"][:1]}
    halves = reshape.split(one, "discord")
    assert halves is not None and [len(h["embeds"][0]["fields"]) for h in halves] == [1, 1]
    assert halves[0]["embeds"][0]["title"] == one["embeds"][0]["title"] and "title" not in halves[1]["embeds"][0]
    (fewer,) = reshape.plainer(message, "discord", 1)
    assert all("fields" not in e for e in fewer["embeds"]) and "Engagements" in fewer["embeds"][0]["description"]
    (plain,) = reshape.plainer(message, "discord", 2)
    for line in ("lot 5", "Pledges", "Engagements", "Sources"):
        assert line in text and line in plain["content"]
