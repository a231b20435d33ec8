"""Clustering settings, read once from `briefings/data/cluster.toml`.

They are data, not code, so the threshold and the weights can be tuned (and overridden in tests)
without touching the algorithm.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data" / "cluster.toml"


@dataclass(frozen=True)
class ClusterSettings:
    threshold: float
    window_days: int
    max_span_days: int
    half_life_days: float
    event_date_max_lag_days: int
    event_date_max_lead_days: int
    other_day_factor: float
    retrieval_features: int
    max_hamming: int
    weights: dict[str, float]
    lead_chars: int
    title_case_share: float
    min_token_length: int
    stop_words: frozenset[str]
    aliases: dict[str, str]  # folded French word -> folded English word

    @classmethod
    def from_toml(cls, raw: dict[str, Any]) -> ClusterSettings:
        window, tokens = raw["window"], raw["tokens"]
        return cls(
            threshold=float(raw["threshold"]),
            window_days=int(window["days"]),
            max_span_days=int(window["max_span_days"]),
            half_life_days=float(window["half_life_days"]),
            event_date_max_lag_days=int(window["event_date_max_lag_days"]),
            event_date_max_lead_days=int(window["event_date_max_lead_days"]),
            other_day_factor=float(window["other_day_factor"]),
            retrieval_features=int(raw["retrieval"]["features"]),
            max_hamming=int(raw["near_duplicate"]["max_hamming"]),
            weights={kind: float(w) for kind, w in raw["weights"].items()},
            lead_chars=int(tokens["lead_chars"]),
            title_case_share=float(tokens["title_case_share"]),
            min_token_length=int(tokens["min_length"]),
            stop_words=frozenset(tokens["stop_words"]),
            aliases=dict(raw.get("aliases", {})),
        )


@cache
def default_settings() -> ClusterSettings:
    with DATA.open("rb") as fh:
        return ClusterSettings.from_toml(tomllib.load(fh))
