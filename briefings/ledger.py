"""The pledge ledger: what each donor has pledged over time, read from the stored story views.

A row is one merged pledge of one story, dated by the first article that stated it. When outlets
disagree on a figure (the story's conflicts), the row counts one figure and lists the others beside
it, so a disputed pledge is never summed twice; the counted one is the figure most sources give,
the lower on a tie (a ledger should not claim more than was reported). Joint donors ("DK+NO+SE")
stay one row and one total: splitting a joint gift would invent each country's share. Totals are
per currency and never converted: the articles' own conversions stay with their row.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO

from briefings.brief import story_brief
from briefings.models import Pledge, Story


@dataclass(frozen=True)
class LedgerEntry:
    """One pledge in the ledger: the figure counted, other outlets' figures, where it was read."""

    day: date  # when the first article stating it was published
    pledge: Pledge  # the figure counted in the totals
    others: tuple[tuple[Pledge, int], ...]  # figures other outlets give for the same pledge, with source counts
    sources: tuple[str, ...]  # article URLs, first stated first
    story_id: str

    @property
    def donor(self) -> str:
        """The donor code, joint donors kept joint; "" when the text does not say."""
        return self.pledge.donor or ""


def ledger_entries(stories: Iterable[Story], *, donor: str | None = None, recipient: str | None = None,
                   since: date | None = None) -> list[LedgerEntry]:
    """Every pledge of these stories by `donor` (alone or jointly) to `recipient` dated from `since`
    on, oldest first; each disagreement between outlets is one entry."""
    out = []
    for story in stories:
        published = {a.url: a.published for a in story.articles}
        first = min(published.values(), default=None)
        for entry in story_brief(story, first or datetime.now(UTC)).pledges:
            versions = [(entry.pledge, entry.sources), *entry.conflicting]
            counted = min(versions, key=lambda v: (-v[1], v[0].amount or 0.0))[0]
            others = tuple(v for v in versions if v[0] is not counted)
            if not _involves(counted, donor, recipient):
                continue
            urls = sorted({e.url for p, _ in versions for e in p.evidence},
                          key=lambda u: (published.get(u) or first or datetime.max, u))
            stated = [published[u] for u in urls if u in published]
            moment = min(stated) if stated else first
            if moment is None:
                continue
            day = moment.date()
            if since is not None and day < since:
                continue
            out.append(LedgerEntry(day, counted, others, tuple(urls), story.id))
    out.sort(key=lambda e: (e.day, e.donor, e.story_id))
    return out


def _involves(pledge: Pledge, donor: str | None, recipient: str | None) -> bool:
    if donor and donor not in (pledge.donor or "").split("+"):
        return False
    return not (recipient and recipient not in (pledge.recipient or "").split("+"))


def totals(entries: Iterable[LedgerEntry]) -> dict[tuple[str, str], float]:
    """(donor, currency) → sum of the counted figures; pledges counted in items have no total."""
    out: dict[tuple[str, str], float] = defaultdict(float)
    for entry in entries:
        if entry.pledge.amount is not None and entry.pledge.currency:
            out[(entry.donor, entry.pledge.currency)] += entry.pledge.amount
    return dict(sorted(out.items()))


def cumulative(entries: Iterable[LedgerEntry], currency: str) -> dict[str, list[tuple[date, float]]]:
    """Per donor, (day, running total) in `currency` after each of its pledges: what the chart draws."""
    series: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: e.day):
        if entry.pledge.currency != currency or entry.pledge.amount is None:
            continue
        points = series[entry.donor]
        running = (points[-1][1] if points else 0.0) + entry.pledge.amount
        if points and points[-1][0] == entry.day:
            points[-1] = (entry.day, running)
        else:
            points.append((entry.day, running))
    return dict(series)


def currencies(entries: Iterable[LedgerEntry]) -> list[str]:
    """The currencies pledged in, the one with most pledges first (one chart each)."""
    counts: dict[str, int] = defaultdict(int)
    for entry in entries:
        if entry.pledge.amount is not None and entry.pledge.currency:
            counts[entry.pledge.currency] += 1
    return sorted(counts, key=lambda c: (-counts[c], c))


CSV_COLUMNS = ("row", "date", "donor", "recipient", "amount", "currency", "quantity", "item", "condition",
               "qualifier", "converted", "other_figures", "sources", "story")


def write_csv(entries: list[LedgerEntry], out: IO[str]) -> None:
    """The ledger as CSV: a "pledge" row per entry, then a "total" row per donor and currency.

    Values are the stored, language-neutral ones (codes, ISO dates, plain numbers), so a
    spreadsheet can sum and filter them; other outlets' figures sit in `other_figures`."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        p = e.pledge
        writer.writerow([
            "pledge", e.day.isoformat(), e.donor, p.recipient or "", _number(p.amount), p.currency or "",
            "" if p.quantity is None else p.quantity, p.item or "", p.condition or "", p.qualifier or "",
            "; ".join(f"{_number(a)} {c}" for a, c in p.converted),
            "; ".join(_figure(o) for o, _ in e.others), " ".join(e.sources), e.story_id,
        ])
    for (donor, currency), amount in totals(entries).items():
        writer.writerow(["total", "", donor, "", _number(amount), currency, *[""] * (len(CSV_COLUMNS) - 6)])


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(value)


def _figure(pledge: Pledge) -> str:
    if pledge.amount is not None:
        return f"{_number(pledge.amount)} {pledge.currency or ''}".strip()
    return f"{pledge.quantity if pledge.quantity is not None else ''} {pledge.item or ''}".strip()
