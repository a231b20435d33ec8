"""A farm of feeds on the loopback feed server whose articles report known events, for tests that
check stories across workers: `serve_farm` spreads each event's reports over feeds far apart (so
different workers poll them) and returns which event each article URL reports.

The texts are generated here: invented names, codes and places (no real outlet's sentences), varied
from report to report so that reports of one event are not wire copies of each other, and sharing
nothing but common words with other events.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from tests.support.feedserver import FeedEntry, FeedServer, rss

_SYLLABLES = ("ka", "lo", "mer", "vi", "dra", "sul", "ten", "bor", "qui", "zan", "pel", "rov", "ash", "nim",
              "tar", "gel", "ous", "fen", "dim", "cor", "hal", "jeb", "wys", "ulm")
_TITLES = ("{name} confirms the {code} plan for {place}", "{place} welcomes {name} and the {code} plan",
           "The {code} plan of {name} reaches {place}", "Officials in {place} back the {code} plan of {name}",
           "{name} presents {code} to the council of {place}")
_SENTENCES = ("On Tuesday the envoy {name} said the {code} plan would reach {place} with {number} trucks of {w1}.",
              "The council of {place} said it expected the {code} convoy and its {w2} before the end of the week.",
              "According to {name}, the {number} trucks carry {w3} and {w1} for the people of {place}.",
              "Observers noted that {place} had asked for {w2} and {w3} long before {name} announced {code}.",
              "The plan known as {code} was drafted by {name} after a visit to {place} last month.")


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(syllables))


def event_text(event: int, report: int) -> tuple[str, str]:
    """(title, body) of one report of one event: the same invented name, code, place and figure in
    every report of the event, the wording and the other words varying from report to report."""
    facts = random.Random(event)
    values = {"name": _word(facts, 3).capitalize(), "place": _word(facts, 3).capitalize() + "ville",
              "code": f"{_word(facts, 2).upper()}-{100 + event}", "number": str(facts.randrange(120, 990))}
    words = random.Random(event * 1000 + report)
    values.update({f"w{i}": " ".join(_word(words, 2) for _ in range(3)) for i in (1, 2, 3)})
    title = _TITLES[report % len(_TITLES)].format(**values)
    order = list(_SENTENCES)
    words.shuffle(order)
    return title, " ".join(sentence.format(**values) for sentence in order)


def serve_farm(server: FeedServer, *, feeds: int, events: int, reports: int) -> dict[str, int]:
    """Serve `feeds` RSS feeds at /farm/<n>.xml carrying `events` × `reports` articles (full text
    in the feed); returns article URL → event. Report r of event k is in feed (k + r × feeds/reports)."""
    stride = feeds // reports
    items: dict[int, list[FeedEntry]] = {n: [] for n in range(feeds)}
    truth: dict[str, int] = {}
    now = datetime.now(UTC).replace(microsecond=0)
    for event in range(events):
        for report in range(reports):
            title, body = event_text(event, report)
            url = server.url(f"/farm/{event}/{report}.html")
            published = now - timedelta(minutes=5 + event % 50, seconds=report)
            items[(event + report * stride) % feeds].append(
                FeedEntry(title, url, summary=body[:120], content_html=f"<p>{body}</p>", published=published))
            truth[url] = event
    for n, entries in items.items():
        server.set_feed(f"/farm/{n}.xml", rss(entries, title=f"Farm feed {n}", language="en"))
    return truth
