"""Restatements of one pledge within an article, merged into its first statement.

The same pledge is often said several times (title, lead, quote): it must be listed once, with the
body's wording first and the fullest details any statement gives. A figure and its conversion
("500 millions de livres (570 millions d'euros)" and later "570 millions d'euros") are one pledge.
Apart from `pledges` because it runs after every sentence is read and compares whole pledges,
not words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefings.extract.donors import ALLIES
from briefings.extract.text import fold
from briefings.models import Pledge


@dataclass
class Statement:
    """One statement of a pledge, with what merging needs to know about where it was said."""

    pledge: Pledge
    title_only: bool
    currency_before: str | None  # the currency of the article's figures so far: "146 millions" after dollars
    anaphoric: bool = False  # its donor was read from a pronoun or a speaker, not a name


def _group(donor: str | None) -> str:
    parts = sorted({ALLIES if p in ("NATO", "UDCG", "OTAN", ALLIES) else p for p in (donor or "").split("+")})
    return "+".join(parts)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.01 * max(a, b)


def _same(a: Pledge, b: Pledge, any_donor: bool = False) -> bool:
    """Two statements of one pledge: same donor group (unless `any_donor`) and the same figure (a
    conversion counts, a missing currency matches any), or the same count of the same items."""
    if not any_donor and _group(a.donor) != _group(b.donor):
        return False
    if a.amount is not None and b.amount is not None:
        if _close(a.amount, b.amount) and (a.currency == b.currency or not a.currency or not b.currency):
            return True
        for x, y in ((a, b), (b, a)):
            if y.currency and any(_close(v, y.amount) and c == y.currency for v, c in x.converted):
                return True
        return False
    if a.amount is None and b.amount is None:
        # "30 avions F-16" and later "livrer des F-16": the count is said once, the items twice.
        counts_agree = a.quantity == b.quantity or a.quantity is None or b.quantity is None
        return counts_agree and bool(_tokens(a.item) & _tokens(b.item))
    return False


def _tokens(text: str | None) -> set[str]:
    """Item words as the scorer compares them: folded, three letters or more, or with a digit."""
    words = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", fold(text or ""))
    return {t for t in words if len(t) >= 3 or any(c.isdigit() for c in t)}


def _richness(p: Pledge) -> int:
    """Which statement of a pledge to keep: the one with its currency and conversions stated."""
    return (2 if p.currency else 0) + len(p.converted) + (1 if p.quantity else 0)


def merge_restatements(found: list[Statement]) -> list[Pledge]:
    """The pledges of an article, each restatement merged into its first statement; the title's
    own pledges dropped (it confirms the body's, never adds its own)."""
    out: list[Statement] = []
    for f in found:
        twin = next((o for o in out if _same(o.pledge, f.pledge)), None)
        if twin is None and f.anaphoric:
            # « ce sont 50 milliards », a déclaré un responsable américain: a figure restated by a speaker
            # (or "they") is the pledge already named, whoever the anaphor resolves to.
            twin = next((o for o in out if o.pledge.currency and _same(o.pledge, f.pledge, any_donor=True)), None)
        if twin is None:
            out.append(f)
            continue
        base, other = (twin.pledge, f.pledge)
        # The body's wording is the better quote: a title's evidence goes after it.
        first, then = (other, base) if twin.title_only and not f.title_only else (base, other)
        evidence = [*first.evidence, *then.evidence]
        if _richness(other) > _richness(base):
            base, other = other, base
            twin.pledge = base
        for field_name in ("item", "condition", "qualifier", "period", "quantity"):
            if getattr(base, field_name) is None and getattr(other, field_name) is not None:
                setattr(base, field_name, getattr(other, field_name))
        if base.recipient is None:
            base.recipient = other.recipient
        base.evidence = [e for i, e in enumerate(evidence) if e.sentence not in {x.sentence for x in evidence[:i]}]
        twin.title_only = twin.title_only and f.title_only
    kept = [f for f in out if not f.title_only]
    for f in kept:
        if f.pledge.amount is not None and f.pledge.currency is None:
            f.pledge.currency = f.currency_before
    return [f.pledge for f in kept]
