"""Facts to JSON and back, faithfully.

Facts are stored as the dataclass as a dict (`dataclasses.asdict`), one row per fact, so a new
optional field in models.py needs no migration: old rows load with the field's default, and keys
the running code does not know are ignored rather than crashing an older binary.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from briefings.models import ArticleFacts, Evidence, KeyDate, Mission, Pledge

Fact = Pledge | Mission | KeyDate

KINDS: dict[str, type[Fact]] = {"pledge": Pledge, "mission": Mission, "date": KeyDate}


def fact_rows(facts: ArticleFacts) -> list[tuple[str, dict[str, Any]]]:
    """(kind, payload) for every fact, in the extractor's order (the row id keeps it)."""
    rows: list[tuple[str, dict[str, Any]]] = [("pledge", plain(asdict(p))) for p in facts.pledges]
    rows += [("mission", plain(asdict(m))) for m in facts.missions]
    rows += [("date", plain(asdict(d))) for d in facts.dates]
    return rows


def fact_from_row(kind: str, payload: dict[str, Any]) -> Fact:
    cls = KINDS[kind]
    known = {f.name for f in fields(cls)}
    values = {k: v for k, v in payload.items() if k in known}
    values["evidence"] = [Evidence(**e) for e in values.get("evidence", [])]
    if cls is Pledge:
        values["converted"] = [(float(amount), str(cur)) for amount, cur in values.get("converted", [])]
    return cls(**values)


def features_payload(facts: ArticleFacts) -> dict[str, Any]:
    """The clustering signals of ArticleFacts; sets become sorted lists so the JSON is stable."""
    return {
        "actors": sorted(facts.actors),
        "places": sorted(facts.places),
        "names": sorted(facts.names),
        "event_date": facts.event_date,
    }


def assemble_facts(features: dict[str, Any] | None, facts: list[Fact]) -> ArticleFacts:
    features = features or {}
    return ArticleFacts(
        pledges=[f for f in facts if isinstance(f, Pledge)],
        missions=[f for f in facts if isinstance(f, Mission)],
        dates=[f for f in facts if isinstance(f, KeyDate)],
        actors=set(features.get("actors", [])),
        places=set(features.get("places", [])),
        names=set(features.get("names", [])),
        event_date=features.get("event_date"),
    )


def plain(value: Any) -> Any:
    """Tuples to lists, recursively, so what is stored is exactly what JSON gives back."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value
