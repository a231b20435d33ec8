"""The ledger as localised lines: one per pledge, disputed figures beside it, totals per donor.

Rows reuse the brief's wording of a pledge (figure, item, condition, source count), so a pledge
reads the same in `/ledger` as in a brief; the date leads, since the ledger is read over time.
"""

from __future__ import annotations

from briefings.ledger import LedgerEntry, totals
from briefings.render.context import Line, Part, _Wording, compose, concat
from briefings.render.formatting import actors_name, format_money, format_partial_date, join_list


def ledger_lines(entries: list[LedgerEntry], locale: str) -> list[list[Line]]:
    """Each entry's lines: the pledge, and a "figures differ" line under a disputed one (kept
    together, so a listing cut to length never shows a dispute without its pledge)."""
    wording = _Wording(locale)
    out: list[list[Line]] = []
    for entry in entries:
        lines: list[Line] = []
        p = entry.pledge
        who = wording.who(p)
        what = concat(wording.figure(p), wording.condition(p))
        text = wording.with_sources(wording.labelled(who, what) if who else what, len(entry.sources))
        lines.append(compose(wording.t.gettext("%(date)s · %(text)s"),
                             date=format_partial_date(entry.day.isoformat(), locale), text=text))
        if entry.others:
            versions = [(p, len({e.url for e in p.evidence})), *entry.others]
            figures: list[Part] = []
            for i, (version, count) in enumerate(versions):
                figure = wording.amount(version) or wording.figure(version)
                figures += [" / " if i else None, figure, f" ({wording.sources(count)})" if count else None]
            lines.append(compose(wording.t.gettext("⚠ figures differ: %(figures)s"), figures=concat(*figures)))
        out.append(lines)
    return out


def total_lines(entries: list[LedgerEntry], locale: str) -> list[Line]:
    """ "Total Norway: NOK 2 billion and €5 million", a line per donor, currencies never converted."""
    wording = _Wording(locale)
    by_donor: dict[str, list[str]] = {}
    for (donor, currency), amount in totals(entries).items():
        by_donor.setdefault(donor, []).append(format_money(amount, currency, locale))
    unknown = wording.t.gettext("donor not stated")
    return [compose(wording.t.gettext("Total %(donor)s: %(amounts)s"),
                    donor=actors_name(donor, locale) if donor else unknown, amounts=join_list(amounts, locale))
            for donor, amounts in by_donor.items()]
