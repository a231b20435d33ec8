"""Server-side time of the slash commands and of a scheduled brief, against the stored story view.

Seeds a SQLite store with story views directly (no extraction): `--articles` articles over
`--days` days, grouped into stories of 1–6 articles, each story with the kinds of facts real news
carries (pledges between a few dozen donors, missions, upcoming dates) and its topics. Then times
`/summary`, `/pledges` and `/ledger` (with its charts) with and without a donor, `/missions`, `/dates`
(with its .ics) with and without a topic, `/sources` and both autocompletes (`--calls` calls each,
through `Commands.run` as a platform calls it), and the brief
of a channel following three topics (digest and Slack rendering). The same is measured on a small
store (`--baseline` articles) in the same process, so the ratio says how the cost grows with
history whatever the machine's speed.

    .venv/bin/python bench/commands.py                       # 50,000 vs 1,000 articles
    .venv/bin/python bench/commands.py --articles 5000 --calls 50
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from comparison import Timings, compare  # bench/comparison.py

from bot.commands import Commands
from bot.config import ChannelConfig, Settings
from bot.run import Runtime
from bot.wiring import settle_heap
from briefings.models import Article, Evidence, KeyDate, Mission, Pledge, Story
from briefings.reads import StoryReads
from briefings.store import Store
from briefings.view import build_view

DONORS = ["DE", "GB", "FR", "US", "NO", "DK", "NL", "PL", "SE", "FI", "CA", "IT", "ES", "BE", "CZ", "EE", "LT",
          "LV", "JP", "AU", "PT", "RO", "SK", "HU", "AT", "IE", "GR", "HR", "SI", "BG", "EU", "NATO"]
ITEMS = ["military aid", "air defence systems", "artillery shells", "armoured vehicles", "drones", "humanitarian aid"]
PLACES = ["Brussels", "Ramstein", "Vilnius", "Washington", "The Hague", "Ankara", "Kyiv", "Warsaw"]
TOPIC_SETS = [["ukraine-aid"], ["ukraine-aid", "nato"], ["nato"], ["nato", "arctic"], ["defence-spending"],
              ["ukraine-aid", "defence-spending"], []]
CHANNEL = ChannelConfig(platform="slack", channel="CBENCH", topics=("ukraine-aid", "nato", "arctic"),
                        language="both", name="bench")


def _story(rng: random.Random, number: int, size: int, newest: datetime) -> Story:
    published = newest - timedelta(minutes=rng.uniform(0, 60 * 24 * 90))
    articles = [Article(url=f"https://news{rng.randint(1, 40)}.example/{number}/{i}",
                        title=f"Story {number} report {i}: ministers discuss support", text="",
                        language=rng.choice(("fr", "en")), published=published + timedelta(minutes=15 * i),
                        feed=f"outlet-{rng.randint(1, 40)}") for i in range(size)]

    def evidence() -> list[Evidence]:
        return [Evidence(f"Sentence of story {number}.", a.url) for a in rng.sample(articles, rng.randint(1, size))]

    pledges = [Pledge(donor=rng.choice(DONORS), recipient="UA", amount=float(rng.randint(1, 900)) * 1e6,
                      currency=rng.choice(("EUR", "USD", "GBP")), item=rng.choice(ITEMS), evidence=evidence())
               for _ in range(rng.choice((0, 0, 1, 1, 2, 3)))]
    missions = [Mission(name=f"Sentry {number % 97}", organisation="NATO", launched=published.date().isoformat(),
                        purpose="watch the sea lanes", evidence=evidence())] if rng.random() < 0.05 else []
    dates = [KeyDate(date=(published + timedelta(days=rng.randint(5, 400))).date().isoformat(),
                     event="defence ministers' meeting", place=rng.choice(PLACES), evidence=evidence())
             for _ in range(rng.choice((0, 0, 0, 1)))]
    title = {"en": f"Ministers meet on support ({number})", "fr": f"Réunion des ministres ({number})"}
    return Story(id=f"s-{number:08d}", title=title, articles=articles, topics=rng.choice(TOPIC_SETS),
                 pledges=pledges, missions=missions, dates=dates)


def seed(store: Store, articles: int, rng: random.Random, newest: datetime) -> int:
    """Write views of stories totalling about `articles` articles; returns how many stories."""
    count = total = 0
    batch = []
    while total < articles:
        size = rng.choice((1, 1, 1, 2, 2, 3, 4, 6))
        story = _story(rng, count, size, newest)
        batch.append(build_view(story, [], story.articles[-1].published + timedelta(minutes=5)))
        count, total = count + 1, total + size
        if len(batch) == 500:
            store.write_views(batch)
            batch = []
    store.write_views(batch)
    return count


def _time(call: Callable[[], object], calls: int) -> list[float]:
    out = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        out.append(time.perf_counter() - start)
    return out


def measure(articles: int, calls: int, folder: Path) -> Timings:
    """Seconds per call of each command on a store of `articles` articles."""
    rng = random.Random(articles)
    newest = datetime.now(UTC)
    store = Store(f"sqlite:///{folder / f'bench-{articles}.db'}")
    settings = Settings(path=None, channels=(CHANNEL,))
    runtime = Runtime(settings, store, {})  # builds nothing: the store has no articles, only views
    start = time.perf_counter()
    stories = seed(store, articles, rng, newest)
    print(f"  seeded {articles} articles in {stories} stories in {time.perf_counter() - start:.1f} s", flush=True)
    commands = Commands(settings, StoryReads(store))
    cases: dict[str, Callable[[], object]] = {
        "/summary ukraine-aid": lambda: commands.run("summary", {"topic": "ukraine-aid"}, "en"),
        "/pledges": lambda: commands.run("pledges", {}, "en"),
        "/pledges donor": lambda: commands.run("pledges", {"donor": rng.choice(DONORS[:20])}, "fr"),
        "/missions": lambda: commands.run("missions", {}, "en"),
        "/dates": lambda: commands.run("dates", {}, "en"),
        "/dates topic": lambda: commands.run("dates", {"topic": "ukraine-aid"}, "fr"),
        "/ledger": lambda: commands.run("ledger", {}, "en"),
        "/ledger donor": lambda: commands.run("ledger", {"donor": rng.choice(DONORS[:20])}, "fr"),
        "/sources": lambda: commands.run("sources", {"query": f"({rng.randint(0, stories - 1)})"}, "en"),
        "autocomplete topic": lambda: commands.topic_choices("uk", "en"),
        "autocomplete donor": lambda: commands.donor_choices(rng.choice(("ger", "fr", "no", "")), "en"),
    }
    for name, call in cases.items():
        assert getattr(call(), "ok", True), name
    settle_heap()  # as `run` and `web` do once started
    results = {name: _time(call, calls) for name, call in cases.items()}
    fire = newest + timedelta(minutes=1)
    results["brief (3 topics)"] = _time(lambda: runtime.channel_messages(CHANNEL, runtime.digest(CHANNEL, fire)),
                                        max(5, calls // 20))
    store.close()
    return results


def main() -> int:
    return compare(measure, __doc__ or "")


if __name__ == "__main__":
    raise SystemExit(main())
