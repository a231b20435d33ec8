"""What an article is about, as language-neutral features for clustering.

French and English reports of one event share few words but many values: country and
organisation codes, place names, people's names, amounts, dates, and the capitalised names,
acronyms, codes and numbers in their titles and leads ("Rutte", "IRIS-T", "PAC-3", "2035"). Each
feature is a string with a kind prefix; its weight is the kind's weight from cluster.toml (IDF is
applied later, over the articles in the index).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import date, timedelta
from functools import lru_cache

from briefings.cluster.settings import ClusterSettings
from briefings.extract.gazetteer import PERSON, Gazetteer
from briefings.models import Article, ArticleFacts

Features = dict[str, float]  # feature -> weight of its kind

KINDS = {"a": "actor", "p": "place", "n": "name", "m": "mission", "$": "amount", "d": "date", "t": "token"}

_TOKEN = re.compile(r"\w+(?:[-.,]\w+)*")
_NUMBER = re.compile(r"[\d.,]+")
_DIGIT = re.compile(r"\d")
_SENTENCE_END = ".!?…\n"
_OPENERS = " \t«»“”\"'‘’([-–—"


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower case without accents: "Pogačar" and "pogacar" are one name (cached: words recur)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def article_features(article: Article, facts: ArticleFacts, settings: ClusterSettings) -> Features:
    """Every feature of the article, present or absent (a feature said twice is no more telling)."""
    keys = fact_features(facts, settings.aliases) | token_features(article, settings)
    # The day the article is anchored on, stated or not: a short report that states no day ("five
    # countries confirm $1bn") shares it with the longer ones that do.
    keys.add(day_feature(event_day(article, facts, settings)))
    return {key: settings.weights[KINDS[key[0]]] for key in keys}


def fact_features(facts: ArticleFacts, aliases: dict[str, str]) -> set[str]:
    """The extractor's normalised values: the same whatever the article's language."""
    keys = {f"a:{code.upper()}" for code in facts.actors}
    keys |= {f"p:{fold(place)}" for place in facts.places}
    keys |= {f"n:{_word(name, aliases)}" for name in facts.names}
    keys |= {f"m:{fold(mission.name)}" for mission in facts.missions}
    for pledge in facts.pledges:
        amounts = [(pledge.amount, pledge.currency), *pledge.converted]
        keys |= {f"$:{amount:.3g}{currency}" for amount, currency in amounts if amount and currency}
    keys |= {f"d:{key_date.date}" for key_date in facts.dates}
    if facts.event_date:
        keys.add(f"d:{facts.event_date}")
    return keys


def token_features(article: Article, settings: ClusterSettings) -> set[str]:
    """Capitalised words (not opening a sentence), acronyms, codes and numbers of title and lead."""
    body = (article.text or article.summary)[: settings.lead_chars]
    openers: Counter[str] = Counter()
    keys = _tokens(article.title, settings, names=not _title_case(article.title, settings), openers=openers)
    keys |= _tokens(body, settings, names=True, openers=openers)
    # A word that opens several sentences is their subject, not a capitalised function word (those are
    # stop words): "Nvidia pulvérise…" / "Nvidia a publié…" name the company without a mid-sentence capital.
    return keys | {f"t:{word}" for word, count in openers.items() if count >= 2}


def event_day(article: Article, facts: ArticleFacts, settings: ClusterSettings) -> date:
    """The day the story happened: the extracted event date when it is a plausible day, else publication.

    Reports of one event appear over several days; anchoring on the event day keeps a late report
    next to the early ones. An event date far from publication is more likely a misreading (an
    anniversary, an upcoming summit) than the event itself, so it is not trusted.
    """
    published = article.published.date()
    if facts.event_date and len(facts.event_date) == 10:
        try:
            day = date.fromisoformat(facts.event_date)
        except ValueError:
            return published
        earliest = published - timedelta(days=settings.event_date_max_lag_days)
        if earliest <= day <= published + timedelta(days=settings.event_date_max_lead_days):
            return day
    return published


def day_feature(day: date) -> str:
    """The feature of a day, the same for a stated event date and for the day an article is anchored on."""
    return f"d:{day.isoformat()}"


def stated_day(article: Article, facts: ArticleFacts) -> tuple[int, bool] | None:
    """The event day the article states (ordinal) and whether it lies ahead of publication (a preview)."""
    if not facts.event_date or len(facts.event_date) != 10:
        return None
    try:
        day = date.fromisoformat(facts.event_date)
    except ValueError:
        return None
    return day.toordinal(), day > article.published.date()


def _tokens(text: str, settings: ClusterSettings, names: bool, openers: Counter[str] | None = None) -> set[str]:
    """Codes, acronyms, numbers and (with `names`) capitalised words; capitalised words that open a
    sentence are counted in `openers` instead.

    Countries, places and organisations the gazetteer knows count as their code, whatever the
    language or the form: "Nouvelle-Zélande" and "New Zealand", "américaines" and "American",
    "OTAN" and "NATO" are one token each (people keep their surname: it is the same in both)."""
    keys: set[str] = set()
    named: list[tuple[int, int]] = []
    for mention in Gazetteer.load().mentions(text):
        if mention.kind != PERSON:
            keys.add(f"t:{mention.code}")
            named.append((mention.start, mention.end))
    for match in _TOKEN.finditer(text):
        if any(start <= match.start() < end for start, end in named):
            continue
        token = match.group()
        if token[0].isdigit():
            number = _NUMBER.match(token)
            digits = re.sub(r"[.,]", "", number.group()).lstrip("0") if number else ""
            if digits:
                keys.add(f"t:{digits}")
            continue
        word = fold(token).replace(".", "")
        if len(word) < settings.min_token_length or word in settings.stop_words:
            continue
        word = settings.aliases.get(word, word)
        if _DIGIT.search(token) or (token.isupper() and len(token) > 1):
            keys.add(f"t:{word}")  # a code or an acronym: "f-16", "iris-t", "nato"
        elif names and token[0].isupper():
            if not _opens_sentence(text, match.start()):
                keys.add(f"t:{word}")
            elif openers is not None:
                openers[word] += 1
    return keys


def _word(text: str, aliases: dict[str, str]) -> str:
    word = fold(text)
    return aliases.get(word, word)


def _opens_sentence(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


def _title_case(title: str, settings: ClusterSettings) -> bool:
    """English headlines often capitalise every word; then capitals say nothing about names."""
    words = [w for w in _TOKEN.findall(title) if len(w) > 3 and w[0].isalpha()]
    if len(words) < 4:  # too short to tell "Summit in The Hague" from Title Case
        return False
    return sum(w[0].isupper() for w in words) / len(words) >= settings.title_case_share
