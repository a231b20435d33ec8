"""Incremental, cross-lingual story clustering with bounded cost per article.

Each new article is compared only with stories that share one of its rarest features and have an
article within a few days of its event day: an inverted index maps feature → day → story ids, so
the work per article depends on how much news there is around that day, never on how much is
stored. Similarity is the cosine between the article's features and the story's centroid, with
IDF over the indexed articles (rare names weigh more than "UA" or "NATO") and a decay with the gap
in days. Wire copies (fingerprints a few bits apart) join their original's story outright.

Story ids come from the first article's canonical URL, so they never change and survive restarts:
`load` rebuilds the index from stored articles and their stored story ids.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from briefings.cluster.features import KINDS, Features, article_features, day_feature, event_day, stated_day
from briefings.cluster.settings import ClusterSettings, default_settings
from briefings.models import Article, ArticleFacts

Loader = Callable[[datetime, datetime], Iterable[tuple[Article, ArticleFacts, str | None]]]


def story_id_for(article: Article) -> str:
    """A story is named after its first article: stable, and the same on every worker."""
    return "s-" + hashlib.sha1(article.url.encode()).hexdigest()[:16]


@dataclass
class _Story:
    id: str
    first_day: int  # ordinal days
    last_day: int
    size: int = 0
    counts: Counter[str] = field(default_factory=Counter)  # feature -> number of its articles with it
    days: set[int] = field(default_factory=set)  # days under which it is indexed
    stated: dict[int, bool] = field(default_factory=dict)  # event days its articles state -> all previews


@dataclass
class AssignStats:
    """What the last `assign` looked at: the scaling tests check these stay bounded."""

    candidates: int = 0  # stories scored
    fingerprints: int = 0  # fingerprints compared for near-duplicates
    best_score: float = 0.0  # the closest candidate's similarity when at least half the threshold


class Clusterer:
    """Groups articles into stories, one article at a time (see the module docstring)."""

    def __init__(self, settings: ClusterSettings | None = None, loader: Loader | None = None) -> None:
        """`loader(start, end)` gives stored (article, facts, story id) published in [start, end].

        With a loader the index fills itself from the store around each article's day the first
        time that stretch of time is needed: after a restart, and for late or old articles too.
        """
        self.settings = settings or default_settings()
        self._loader = loader
        self._loaded_days: set[int] = set()
        self._kind_weight = {prefix: self.settings.weights[kind] for prefix, kind in KINDS.items()}
        self._stories: dict[str, _Story] = {}
        self._index: defaultdict[str, defaultdict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._fingerprints: defaultdict[int, list[tuple[int, str]]] = defaultdict(list)  # day -> (fp, story)
        self._assigned: dict[str, str] = {}  # article URL -> story id
        self._df: Counter[str] = Counter()  # feature -> indexed articles with it
        self._articles = 0
        self._lock = threading.Lock()  # assign may be called from several worker threads
        self.last = AssignStats()

    def __len__(self) -> int:
        """Number of stories in the index."""
        return len(self._stories)

    def assign(self, article: Article, facts: ArticleFacts) -> str:
        """The story this article belongs to, a new one if none is close enough."""
        with self._lock:
            known = self._assigned.get(article.url)
            if known is not None:
                return known
            features, day = self._prepare(article, facts)
            self._load_around(day)
            known = self._assigned.get(article.url)  # the store may know it already
            if known is not None:
                return known
            self.last = AssignStats()
            stated = stated_day(article, facts)
            story_id = self._near_duplicate(article, day) or self._best_story(features, day, stated)
            return self._add(article, features, day, story_id or story_id_for(article), stated)

    def load(self, pairs: Iterable[tuple[Article, ArticleFacts]],
             assigned: Mapping[int, str] | None = None) -> None:
        """Rebuild the index at start-up from stored articles, oldest first.

        Articles whose story is known (`assigned`: article id → story id, from the store) go back
        into that story, so ids never change across a restart; others are assigned as new.
        """
        assigned = assigned or {}
        for article, facts in pairs:
            story_id = assigned.get(article.id) if article.id is not None else None
            if story_id is None:
                self.assign(article, facts)
                continue
            with self._lock:
                if article.url not in self._assigned:
                    self._add(article, *self._prepare(article, facts), story_id, stated_day(article, facts))

    def add_stored(self, items: Iterable[tuple[Article, ArticleFacts, str | None]]) -> int:
        """Index articles other workers stored since this index last looked, with their stories.

        Only those published on a day already loaded are added: any other day is still to be read
        from the store when an article first needs it, and will hold them then. Returns how many
        were added.
        """
        added = 0
        with self._lock:
            for article, facts, story_id in items:
                published = article.published.astimezone(UTC).date().toordinal()
                if story_id is None or article.url in self._assigned or published not in self._loaded_days:
                    continue
                self._add(article, *self._prepare(article, facts), story_id, stated_day(article, facts))
                added += 1
        return added

    def prune(self, before: datetime) -> int:
        """Forget stories whose last article is older than `before`, to bound memory; returns how many."""
        horizon = before.date().toordinal()
        with self._lock:
            old = [s for s in self._stories.values() if s.last_day < horizon]
            for story in old:
                for feature, count in story.counts.items():
                    by_day = self._index[feature]
                    for day in story.days:
                        ids = by_day.get(day)
                        if ids is not None:
                            ids.discard(story.id)
                            if not ids:
                                del by_day[day]
                    if not by_day:
                        del self._index[feature]
                    self._df[feature] -= count
                    if self._df[feature] <= 0:
                        del self._df[feature]
                self._articles -= story.size
                del self._stories[story.id]
            gone = {s.id for s in old}
            self._assigned = {url: sid for url, sid in self._assigned.items() if sid not in gone}
            for day in [d for d in self._fingerprints if d < horizon - self.settings.window_days]:
                del self._fingerprints[day]
            self._loaded_days = {d for d in self._loaded_days if d >= horizon}
            return len(old)

    # --- internals -------------------------------------------------------------------------------

    def _load_around(self, day: int) -> None:
        """Index the stored articles of the days around `day` that were never loaded.

        Stories reach `max_span_days` beyond the candidate window, so that much more is loaded to
        have their whole centroid. Stored articles without a story are left for `assign`.
        """
        if self._loader is None:
            return
        reach = self.settings.window_days + self.settings.max_span_days
        missing = [d for d in range(day - reach, day + reach + 1) if d not in self._loaded_days]
        if not missing:
            return
        start = datetime.combine(date.fromordinal(missing[0]), time.min, UTC)
        end = datetime.combine(date.fromordinal(missing[-1]), time.max, UTC)
        for article, facts, story_id in self._loader(start, end):
            if story_id is not None and article.url not in self._assigned:
                self._add(article, *self._prepare(article, facts), story_id, stated_day(article, facts))
        self._loaded_days.update(range(missing[0], missing[-1] + 1))

    def _prepare(self, article: Article, facts: ArticleFacts) -> tuple[Features, int]:
        day = event_day(article, facts, self.settings)
        return article_features(article, facts, self.settings), day.toordinal()

    def _near_duplicate(self, article: Article, day: int) -> str | None:
        mine = _simhash(article.fingerprint)
        if mine is None:
            return None
        window = self.settings.window_days
        for d in range(day - window, day + window + 1):
            for fingerprint, story_id in self._fingerprints.get(d, ()):
                self.last.fingerprints += 1
                if (mine ^ fingerprint).bit_count() <= self.settings.max_hamming:
                    return story_id
        return None

    def _best_story(self, features: Features, day: int, stated: tuple[int, bool] | None = None) -> str | None:
        weights = {f: w * self._idf(f) for f, w in features.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        if norm == 0:
            return None
        window = self.settings.window_days
        rarest = sorted(weights, key=lambda f: (-weights[f], f))[: self.settings.retrieval_features]
        candidates: set[str] = set()
        for feature in rarest:
            by_day = self._index.get(feature)
            if by_day:
                for d in range(day - window, day + window + 1):
                    candidates |= by_day.get(d, set())
        self.last.candidates = len(candidates)
        idf: dict[str, float] = {}  # memo for this article: N changes with every article
        bounded = sorted(((*self._bound(weights, norm, self._stories[s], day), s) for s in candidates),
                         reverse=True)
        best, best_score = None, 0.0
        for bound, shared_norm, story_id in bounded:
            if bound < max(best_score, self.settings.threshold / 2):
                break  # bounds are sorted: no later candidate can do better
            story = self._stories[story_id]
            score = bound * shared_norm / self._centroid_norm(story, idf) * self._day_factor(story, stated)
            if score > best_score:
                best, best_score = story_id, score
        self.last.best_score = best_score
        return best if best_score >= self.settings.threshold else None

    def _day_factor(self, story: _Story, stated: tuple[int, bool] | None) -> float:
        """Less than 1 when the article and the story state different event days and one of them
        previews its day: a preview of Thursday's meeting is not Wednesday's launch, nor the reverse.
        Reports that disagree on the day (a deal on Sunday, a summit on Wednesday) are not penalised."""
        if stated is None or not story.stated or stated[0] in story.stated:
            return 1.0
        if stated[1] or all(story.stated.values()):
            return self.settings.other_day_factor
        return 1.0

    def _bound(self, weights: Features, norm: float, story: _Story, day: int) -> tuple[float, float]:
        """An upper bound of the similarity from the shared features alone, and the norm it used.

        The centroid's norm is at least its norm over the features it shares with the article, so
        dividing by the latter bounds the cosine without touching the story's other features;
        `bound * shared_norm / centroid_norm` is then the exact score.
        """
        first, last = min(story.first_day, day), max(story.last_day, day)
        if last - first > self.settings.max_span_days:
            return 0.0, 1.0
        shared = [f for f in weights if f in story.counts]
        if not shared or shared == [day_feature(date.fromordinal(day))]:
            return 0.0, 1.0  # the day alone never makes two articles one story
        shares = [(weights[f], story.counts[f] / story.size) for f in shared]
        dot = sum(w * w * share for w, share in shares)
        shared_norm = math.sqrt(sum((w * share) ** 2 for w, share in shares))
        gap = max(story.first_day - day, day - story.last_day, 0)
        return dot / (norm * shared_norm) * 0.5 ** (gap / self.settings.half_life_days), shared_norm

    def _centroid_norm(self, story: _Story, idf: dict[str, float]) -> float:
        total = 0.0
        for feature, count in story.counts.items():
            weight = idf.get(feature)
            if weight is None:
                weight = idf[feature] = self._kind_weight[feature[0]] * self._idf(feature)
            total += (weight * count / story.size) ** 2
        return math.sqrt(total)

    def _idf(self, feature: str) -> float:
        return math.log((self._articles + 1) / (self._df[feature] + 1)) + 1.0

    def _add(self, article: Article, features: Features, day: int, story_id: str,
             stated: tuple[int, bool] | None = None) -> str:
        story = self._stories.get(story_id)
        if story is None:
            story = self._stories[story_id] = _Story(story_id, first_day=day, last_day=day)
        if stated is not None:
            story.stated[stated[0]] = story.stated.get(stated[0], True) and stated[1]
        story.first_day, story.last_day = min(story.first_day, day), max(story.last_day, day)
        story.size += 1
        story.days.add(day)
        for feature in features:
            story.counts[feature] += 1
            self._df[feature] += 1
            self._index[feature][day].add(story_id)
        fingerprint = _simhash(article.fingerprint)
        if fingerprint is not None:
            self._fingerprints[day].append((fingerprint, story_id))
        self._articles += 1
        self._assigned[article.url] = story_id
        return story_id


def _simhash(fingerprint: str) -> int | None:
    """The ingest side's SimHash as an int; None when the text was too short to have one."""
    try:
        return int(fingerprint, 16) if fingerprint else None
    except ValueError:
        return None
