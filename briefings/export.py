"""The JSON export: every story with its articles and merged facts, in the evaluation contract's shape.

The contract (shared/eval/README.md) fixes the keys; values are the language-neutral ones the
pipeline stores, so the export is a plain projection of `Story` objects; `text` gives each fact's
line as the French and the English brief say it (a language is left out when its line would keep
words of the other).
"""

from __future__ import annotations

from typing import Any

from briefings.models import Evidence, KeyDate, Mission, Pledge, Story
from briefings.render.context import fact_texts


def _sources(evidence: list[Evidence]) -> list[str]:
    return list(dict.fromkeys(e.url for e in evidence))


def _pledge(p: Pledge) -> dict[str, Any]:
    return {"donor": p.donor, "recipient": p.recipient, "amount": p.amount, "currency": p.currency,
            "quantity": p.quantity, "item": p.item, "condition": p.condition, "qualifier": p.qualifier,
            "converted": [{"amount": a, "currency": c} for a, c in p.converted], "period": p.period,
            "text": fact_texts(p), "sources": _sources(p.evidence)}


def _mission(m: Mission) -> dict[str, Any]:
    return {"name": m.name, "organisation": m.organisation, "launched": m.launched, "purpose": m.purpose,
            "aliases": m.aliases, "text": fact_texts(m), "sources": _sources(m.evidence)}


def _date(d: KeyDate) -> dict[str, Any]:
    return {"date": d.date, "event": d.event, "place": d.place, "text": fact_texts(d), "sources": _sources(d.evidence)}


def story_json(story: Story) -> dict[str, Any]:
    return {
        "id": story.id,
        "title": story.title,
        "topics": story.topics,
        "articles": [{"url": a.url, "title": a.title, "language": a.language, "feed": a.feed,
                      "published": a.published.isoformat()} for a in story.articles],
        "pledges": [_pledge(p) for p in story.pledges],
        "missions": [_mission(m) for m in story.missions],
        "dates": [_date(d) for d in story.dates],
        "conflicts": [[_pledge(p) for p in group] for group in story.conflicts],
    }


def export_json(stories: list[Story]) -> dict[str, Any]:
    """Every date that was upcoming when its article appeared is exported, passed or not."""
    return {"stories": [story_json(s) for s in stories]}
