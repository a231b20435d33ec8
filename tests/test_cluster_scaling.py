"""The cost of assigning one article must not grow with the number of articles stored.

This tests the mechanism, not the clock: the number of candidate stories scored (and of
fingerprints compared) per article, as the index grows tenfold at a steady rate of news per day.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from statistics import mean

from briefings.cluster import Clusterer
from briefings.models import Article, ArticleFacts, Pledge

PER_DAY = 20
COMMON_ACTORS = ["UA", "NATO", "US", "EU", "FR", "DE", "GB", "PL"]
COMMON_WORDS = ["Kyiv", "Moscow", "Brussels", "Washington", "Paris", "Berlin", "Warsaw", "London"]


def stream(count: int, seed: int = 7) -> list[tuple[Article, ArticleFacts]]:
    """Articles in publication order, PER_DAY a day; each story has 1 to 4 articles, its own names and
    pledged amount, and shares actors and place words with many others."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    out: list[tuple[Article, ArticleFacts]] = []
    story = 0
    while len(out) < count:
        story += 1
        names = {f"person{story}a", f"person{story}b"}
        actors = set(rng.sample(COMMON_ACTORS, 2))
        pledges = [Pledge(donor=min(actors), recipient="UA", amount=story * 1e6, currency="EUR")]
        for copy in range(rng.randint(1, 4)):
            n = len(out)
            when = start + timedelta(days=n // PER_DAY, minutes=n % PER_DAY)
            words = " ".join(rng.sample(COMMON_WORDS, 3))
            text = f"Reported from {words}, officials named Person{story}a and Person{story}b spoke."
            article = Article(url=f"https://synthetic.example/{n}", title=f"Update {story}.{copy}", text=text,
                              language=rng.choice(["fr", "en"]), published=when,
                              fingerprint=f"{rng.getrandbits(64):016x}")
            out.append((article, ArticleFacts(pledges=pledges, actors=actors, names=names)))
    return out[:count]


def examined(clusterer: Clusterer, articles: list[tuple[Article, ArticleFacts]]) -> tuple[list[int], list[int]]:
    candidates, fingerprints = [], []
    for article, facts in articles:
        clusterer.assign(article, facts)
        candidates.append(clusterer.last.candidates)
        fingerprints.append(clusterer.last.fingerprints)
    return candidates, fingerprints


def test_candidates_examined_stay_bounded_as_the_index_grows_tenfold() -> None:
    articles = stream(2000)
    clusterer = Clusterer()
    examined(clusterer, articles[:150])
    early_candidates, early_fps = examined(clusterer, articles[150:200])
    examined(clusterer, articles[200:1950])
    late_candidates, late_fps = examined(clusterer, articles[1950:2000])

    assert len(clusterer) > 500  # the index really holds many stories
    assert mean(late_candidates) <= 1.5 * mean(early_candidates)
    assert max(late_candidates) <= 1.5 * max(early_candidates)
    assert mean(late_fps) <= 1.5 * mean(early_fps)
    window_articles = (2 * clusterer.settings.window_days + 1) * PER_DAY
    assert max(late_candidates) <= window_articles and max(late_fps) <= window_articles


def test_stories_of_the_synthetic_stream_are_found() -> None:
    """The stream above is clusterable: a check that the scaling test measures real work."""
    articles = stream(200)
    clusterer = Clusterer()
    ids = [clusterer.assign(a, f) for a, f in articles]
    truth = [a.text.split("Person")[1] for a, _ in articles]  # "12a and " names the story
    assert len(set(ids)) == len(set(truth))
    assert all((ids[i] == ids[j]) == (truth[i] == truth[j]) for i in range(200) for j in range(i + 1, 200))
