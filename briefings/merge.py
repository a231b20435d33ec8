"""Merge the facts of a story's articles: one fact, several sources.

Five outlets repeating one pledge must read as one pledge with five sources, and a French and an
English name of one mission as one mission. Figures that disagree are not averaged or dropped:
they stay side by side and are flagged, so a reader sees that the sources differ.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from briefings.extract.missions import canonical_mission, same_mission
from briefings.extract.text import fold
from briefings.models import Article, ArticleFacts, Evidence, KeyDate, Mission, Pledge

DATA = Path(__file__).resolve().parent / "data"

# Collective donors that name the same group of countries in different words.
COLLECTIVE = {"NATO", "UDCG", "ALLIES"}
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_STOP = frozenset(json.loads((DATA / "item_stopwords.json").read_text(encoding="utf-8")))


def donor_group(donor: str | None) -> str:
    """Donors compared as groups: "NATO", "UDCG" and "allies" pledge for the same allies."""
    parts = sorted({"ALLIES" if p in COLLECTIVE else p for p in (donor or "").split("+") if p})
    return "+".join(parts)


def item_words(text: str | None) -> set[str]:
    """Content words of an item description, to tell whether two pledges give the same thing."""
    return {w for w in _WORD.findall(fold(text or "")) if w not in _STOP and (len(w) > 2 or w[0].isdigit())}


def _same_value(a: Pledge, b: Pledge) -> bool:
    if a.amount is not None or b.amount is not None:
        if a.amount is None or b.amount is None or (a.currency or "") != (b.currency or ""):
            return False
        return abs(a.amount - b.amount) <= 0.01 * max(a.amount, b.amount)
    if a.quantity != b.quantity:
        return False
    return bool(item_words(a.item) & item_words(b.item))


def same_pledge(a: Pledge, b: Pledge) -> bool:
    """One pledge reported twice: same donors, same recipient (when both say) and the same value."""
    if donor_group(a.donor) != donor_group(b.donor):
        return False
    if a.recipient and b.recipient and a.recipient != b.recipient:
        return False
    return _same_value(a, b)


def _union(target: list[Evidence], extra: Iterable[Evidence]) -> None:
    seen = {(e.url, e.sentence) for e in target}
    for evidence in extra:
        if (evidence.url, evidence.sentence) not in seen:
            target.append(evidence)
            seen.add((evidence.url, evidence.sentence))


def wordings_by_language(facts: Sequence[Pledge | Mission | KeyDate], *names: str) -> dict[str, dict[str, str]]:
    """Each language's own words for a merged fact: per language, each field as the first source in
    that language that states it words it. A brief quotes these, so a fact French and English
    sources both state reads in French in the French brief and in English in the English one."""
    out: dict[str, dict[str, str]] = {}
    for fact in facts:
        words = out.setdefault(fact.language, {})
        for name in names:
            value = getattr(fact, name)
            if value and name not in words:
                words[name] = value
    return {language: words for language, words in out.items() if words}


def _merge_pledge_group(group: list[Pledge]) -> Pledge:
    """The most frequently stated donor and wording win; a condition or a qualifier any source
    gives is kept, since a source that omits it does not contradict it."""
    donors = Counter(p.donor for p in group if p.donor)
    first = group[0]
    worded = next((p for p in group if p.item), first)  # item and condition keep their language
    merged = Pledge(
        donor=donors.most_common(1)[0][0] if donors else first.donor,
        recipient=next((p.recipient for p in group if p.recipient), None),
        amount=first.amount,
        currency=first.currency,
        quantity=first.quantity,
        item=worded.item,
        condition=worded.condition or next((p.condition for p in group if p.condition), None),
        qualifier=next((p.qualifier for p in group if p.qualifier), None),
        converted=next((list(p.converted) for p in group if p.converted), []),
        period=next((p.period for p in group if p.period), None),
        language=worded.language,
        wordings=wordings_by_language(group, "item", "condition"),
        evidence=[],
        confidence=max(p.confidence for p in group),  # more sources do not lower it
    )
    for pledge in group:
        _union(merged.evidence, pledge.evidence)
    return merged


def merge_pledges(pledges: list[Pledge]) -> list[Pledge]:
    """Group pledges that are one pledge reported several times, in order of first mention."""
    groups: list[list[Pledge]] = []
    for pledge in pledges:
        for group in groups:
            if same_pledge(group[0], pledge):
                group.append(pledge)
                break
        else:
            groups.append([pledge])
    return [_merge_pledge_group(group) for group in groups]


def find_conflicts(pledges: list[Pledge]) -> list[list[Pledge]]:
    """Figures that disagree: one donor, one thing given, different values in different sources.

    Two values one article states together are two pledges (a package and a second gift), not a
    disagreement; only values no single source states together are flagged, and only when their
    items could be the same thing (shared words, or one says no more than "military aid").
    """
    conflicts: list[list[Pledge]] = []
    for i, a in enumerate(pledges):
        for b in pledges[i + 1:]:
            if donor_group(a.donor) != donor_group(b.donor) or donor_group(a.donor) == "ALLIES":
                continue
            if {e.url for e in a.evidence} & {e.url for e in b.evidence}:
                continue
            words_a, words_b = item_words(a.item), item_words(b.item)
            if (a.amount is None) != (b.amount is None) or (words_a and words_b and not words_a & words_b):
                continue  # a figure for something else: two pledges, not two versions of one
            conflicts.append([a, b])
    return conflicts


def merge_missions(missions: list[Mission]) -> list[Mission]:
    """One mission per operation, whatever language named it; evidence from every source."""
    groups: list[list[Mission]] = []
    for mission in missions:
        for group in groups:
            if any(same_mission(member, mission) for member in group):
                group.append(mission)
                break
        else:
            groups.append([mission])
    merged = []
    for group in groups:
        mission = canonical_mission(group)
        evidence: list[Evidence] = []
        for member in group:
            _union(evidence, member.evidence)
        mission.evidence = evidence
        mission.wordings = wordings_by_language(group, "purpose")
        merged.append(mission)
    return merged


def merge_dates(dates: list[KeyDate]) -> list[KeyDate]:
    """One entry per date and place; a source that names no place joins one that does."""
    merged: list[KeyDate] = []
    groups: dict[int, list[KeyDate]] = {}  # the dates each merged entry stands for
    for key_date in dates:
        for existing in merged:
            if existing.date == key_date.date and (
                existing.place == key_date.place or not existing.place or not key_date.place
            ):
                existing.place = existing.place or key_date.place
                existing.event = existing.event or key_date.event
                existing.confidence = max(existing.confidence, key_date.confidence)
                _union(existing.evidence, key_date.evidence)
                groups[id(existing)].append(key_date)
                break
        else:
            entry = KeyDate(key_date.date, key_date.event, key_date.place, key_date.language,
                            evidence=list(key_date.evidence), confidence=key_date.confidence)
            merged.append(entry)
            groups[id(entry)] = [key_date]
    for entry in merged:
        entry.wordings = wordings_by_language(groups[id(entry)], "event")
    return merged


def merge_story_facts(items: list[tuple[Article, ArticleFacts]]) -> tuple[
    list[Pledge], list[Mission], list[KeyDate], list[list[Pledge]]
]:
    """Facts of a story's articles, in publication order, merged across articles."""
    pledges = [p for _, facts in items for p in facts.pledges]
    missions = [m for _, facts in items for m in facts.missions]
    dates = [d for _, facts in items for d in facts.dates]
    merged_pledges = merge_pledges(pledges)
    return merged_pledges, merge_missions(missions), merge_dates(dates), find_conflicts(merged_pledges)
