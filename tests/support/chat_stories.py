"""Stories for the chat tests, in our own words: one plain, one whose feed text is hostile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from briefings.brief import load_topics, topics_for
from briefings.models import Article, Evidence, KeyDate, Mission, Pledge, Story
from briefings.reads import StoryReads
from briefings.store import Store
from briefings.view import build_view

HOSTILE_BITS = (
    "@everyone @here <@123> <!channel> <@U123> <!subteam^S0123|ops> <https://evil.example|bank> "
    "[x](javascript:alert(1)) **gras** __souligné__ `code` # titre <b>gras</b> <script>x</script>"
)
SAFE_URL = "https://presse.example/aide-nordique"
HOSTILE_URL = "https://hostile.example/piege"


def plain_story(now: datetime) -> Story:
    published = now - timedelta(hours=3)
    article = Article(url=SAFE_URL, title="Les pays nordiques annoncent une aide à l'Ukraine", text="Texte.",
                      language="fr", published=published, feed="presse-nord")
    evidence = [Evidence("La Norvège promet 2 milliards de couronnes à l'Ukraine.", SAFE_URL)]
    return Story(
        id="story-nordic", title={"fr": article.title, "en": "Nordic countries announce aid to Ukraine"},
        articles=[article], topics=["ukraine-aid"],
        pledges=[Pledge(donor="NO", recipient="UA", amount=2e9, currency="NOK", item="aide militaire",
                        language="fr", evidence=evidence)],
        missions=[Mission(name="Baltic Sentry", organisation="NATO", purpose="protéger les câbles", language="fr",
                          evidence=evidence)],
        dates=[KeyDate(date=(now + timedelta(days=40)).date().isoformat(), event="sommet des donateurs",
                       place="Oslo", language="fr", evidence=evidence),
               KeyDate(date=(now - timedelta(days=40)).date().isoformat(), event="réunion passée",
                       language="fr", evidence=evidence)],
    )


def hostile_story(now: datetime) -> Story:
    published = now - timedelta(hours=2)
    article = Article(url=HOSTILE_URL, title=f"Aid to Ukraine {HOSTILE_BITS}", text=HOSTILE_BITS, language="en",
                      published=published, feed=f"feed {HOSTILE_BITS}", summary=HOSTILE_BITS)
    evidence = [Evidence(f"Sentence {HOSTILE_BITS}", HOSTILE_URL)]
    return Story(
        id="story-hostile", title={"en": article.title}, articles=[article], topics=["ukraine-aid"],
        pledges=[Pledge(donor="GB", recipient="UA", amount=5e8, currency="GBP", item=f"drones {HOSTILE_BITS}",
                        language="en", evidence=evidence)],
        missions=[Mission(name=f"Op {HOSTILE_BITS}", organisation="NATO", purpose=HOSTILE_BITS,
                          evidence=evidence)],
        dates=[KeyDate(date=(now + timedelta(days=10)).date().isoformat(), event=f"summit {HOSTILE_BITS}",
                       evidence=evidence)],
    )


BILINGUAL_FR = "https://veilleur.example/aide-arctique"
BILINGUAL_EN = "https://wire.example/arctic-aid"


def bilingual_story(now: datetime) -> Story:
    """A story French and English outlets both report: each language's brief has its own words."""
    published = now - timedelta(hours=2)  # newer than the plain story: first in a brief
    articles = [Article(url=BILINGUAL_FR, title="Le Danemark promet des drones à l'Ukraine", text="Texte.",
                        language="fr", published=published, feed="le-veilleur"),
                Article(url=BILINGUAL_EN, title="Denmark pledges drones to Ukraine", text="Text.", language="en",
                        published=published + timedelta(minutes=30), feed="alliance-wire")]
    evidence = [Evidence("Une phrase à nous.", BILINGUAL_FR), Evidence("A sentence of ours.", BILINGUAL_EN)]
    return Story(
        id="story-arctic", title={"fr": "Danemark : nouvelle aide à l'Ukraine", "en": "Denmark: new aid to Ukraine"},
        articles=articles, topics=["ukraine-aid"],
        pledges=[Pledge(donor="DK", recipient="UA", amount=3e8, currency="EUR", item="drones", language="en",
                        evidence=evidence)],
        missions=[Mission(name="Arctic Watch", organisation="NATO", purpose="surveiller le Grand Nord", language="fr",
                          evidence=evidence[:1])],
        dates=[KeyDate(date=(now + timedelta(days=30)).date().isoformat(), event="next NATO summit", place="Oslo",
                       evidence=evidence[1:])],
    )


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def store_stories(store: Store, stories: list[Story]) -> None:
    """Write these stories' views into a real store, topics matched as the pipeline does."""
    topics = load_topics()
    views = []
    for story in stories:
        story.topics = story.topics or topics_for(story, topics)
        views.append(build_view(story, [], datetime.now(UTC)))
    store.write_views(views)


def stored_reads(stories: list[Story], folder: Path) -> StoryReads:
    """A real SQLite store in `folder` holding these stories' views, and the reads commands make
    over it."""
    store = Store(f"sqlite:///{folder / 'views.db'}")
    store_stories(store, stories)
    return StoryReads(store)
