"""Article → facts: the one entry point of extraction.

The text is normalised once and split into sentences once; the gazetteer runs once over the title
and once over the body, and every extractor reads those. The title is treated apart: it restates
the lead, so it confirms the body's pledges (as extra evidence) but adds none of its own, and dates
and missions are read from the body only; the title's names and actors still count, because they
are the most telling words of the article for grouping it into a story.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Callable
from functools import cache

from briefings.extract.context import ArticleContext
from briefings.extract.gazetteer import PERSON, PLACE, Gazetteer, Mention
from briefings.extract.pledges import TITLE_PARAGRAPH, extract_pledges
from briefings.extract.text import DATA, Sentence, fold, normalise, sentences
from briefings.models import Article, ArticleFacts

__all__ = ["extract_article"]

log = logging.getLogger(__name__)


def extract_article(article: Article) -> ArticleFacts:
    """Every fact of one article, with the actors, places and names clustering compares."""
    title = normalise(article.title or "").strip()
    text = normalise(article.text or "")
    body = sentences(text)
    gazetteer = Gazetteer.load()
    body_mentions = _by_sentence(body, gazetteer.mentions(text))
    ctx = ArticleContext(article.language, article.published, article.url, title)

    title_mentions = gazetteer.mentions(title) if title else []
    with_title, mentions = body, body_mentions
    if title and not _restates_title(text, title):
        with_title = [Sentence(title, 0, TITLE_PARAGRAPH), *body]
        mentions = [title_mentions, *body_mentions]

    missions, dates, event_date = _other_extractors()
    all_mentions = [m for ms in mentions for m in ms] + (title_mentions if with_title is body else [])
    return ArticleFacts(
        pledges=extract_pledges(with_title, ctx, mentions),
        missions=missions(body, ctx),
        dates=dates(body, ctx),
        actors={m.country if m.kind == PLACE else m.code for m in all_mentions if m.kind != PLACE or m.country},
        places={m.code for m in all_mentions if m.kind == PLACE},
        names=_names(all_mentions, [title, text]),
        event_date=event_date(body, ctx),
    )


def _restates_title(text: str, title: str) -> bool:
    """Whether the body opens with the title (many pages repeat their headline as the first line)."""
    head = fold(title.rstrip("…. ")).strip()
    return bool(head) and fold(text[: len(title) + 40]).lstrip().startswith(head)


def _by_sentence(body: list[Sentence], mentions: list[Mention]) -> list[list[Mention]]:
    """The mentions of the whole text, handed to each sentence with offsets into that sentence."""
    out: list[list[Mention]] = [[] for _ in body]
    index = 0
    for m in mentions:
        while index < len(body) and m.start >= body[index].start + len(body[index].text):
            index += 1
        if index == len(body):
            break
        s = body[index]
        if m.start >= s.start and m.end <= s.start + len(s.text):
            shift = s.start
            out[index].append(Mention(m.code, m.kind, m.start - shift, m.end - shift, m.text, m.country))
    return out


_Extractor = Callable[[list[Sentence], ArticleContext], list]


@cache
def _other_extractors() -> tuple[_Extractor, _Extractor, Callable[[list[Sentence], ArticleContext], str | None]]:
    """Missions and dates are written alongside this module; until they import, extraction runs
    without them (and says so once) rather than stopping the whole pipeline."""
    try:
        from briefings.extract.dates import event_date, extract_dates
        from briefings.extract.missions import extract_missions
    except ImportError as error:  # pragma: no cover - only while the modules are being written
        log.warning("missions/dates extraction unavailable: %s", error)
        return (lambda _s, _c: []), (lambda _s, _c: []), (lambda _s, _c: None)
    return extract_missions, extract_dates, event_date


# Proper names worth comparing across articles: a run of capitalised words not opening a sentence
# ("Eastern Sentry", "Arctic Sentry"), or a code with capitals and digits or hyphens ("IRIS-T",
# "PAC-3", "F-16", "PURL").
_PROPER = re.compile(
    r"(?<=[\w,;:»)\"'] )(?P<run>[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+)"
    r"|(?<![\w-])(?P<code>[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+|[A-Z]{3,6}(?:-\d+)?|[A-Z]-\d+)(?![\w-])"
)
_QUOTED = re.compile(r"[«“\"]\s?(?P<q>[A-Z][\w'-]+(?: [\w'-]+){0,3})\s?[»”\"]")


@cache
def _titles() -> frozenset[str]:
    """Capitalised words of titles and roles ("Defense Secretary"), which are not names."""
    with (DATA / "actors.toml").open("rb") as fh:
        return frozenset(fold(w) for w in tomllib.load(fh).get("titles", {}).get("words", []))


def _names(mentions: list[Mention], texts: list[str]) -> set[str]:
    """Folded surnames of the people named and other proper names and codes of the article."""
    names = {fold(m.text) for m in mentions if m.kind == PERSON}
    coded = {fold(m.text) for m in mentions}
    titles = _titles()
    for text in texts:
        for m in _PROPER.finditer(text):
            if m.group("code"):
                name = fold(m.group("code"))
            else:
                name = " ".join(w for w in fold(m.group("run")).split(" ") if w not in titles)
            if len(name) > 2 and name not in coded:
                names.add(name)
        for m in _QUOTED.finditer(text):
            name = fold(m.group("q"))
            if name not in coded and len(name) > 3:
                names.add(name)
    return names
