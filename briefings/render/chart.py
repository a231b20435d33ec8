"""The ledger's chart: cumulative pledges per donor over time, one currency per chart, as a PNG.

matplotlib draws through its Agg backend on a `Figure` of our own, never through pyplot: commands
run in worker threads, and pyplot's global figure state is not safe there. The size is fixed
(`CHART_SIZE` pixels) so chat clients lay it out the same way every time. Donors are named in the
reader's language; the axes' figures are written the way the brief writes them.
"""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

from babel.dates import format_date

from briefings.ledger import LedgerEntry, cumulative
from briefings.render.formatting import actors_name, format_money, format_number
from briefings.render.i18n import translations

CHART_SIZE = (960, 540)  # pixels: 16:9, readable inline on Discord and Slack
_DPI = 120
MIN_SPAN = timedelta(days=14)  # a single day's pledges still read as a jump on a time axis
MAX_DONORS = 8  # the donors with the largest totals get a line; more would be unreadable


def ledger_chart(entries: list[LedgerEntry], currency: str, locale: str) -> bytes:
    """A PNG of each donor's running total in `currency` (step lines: a pledge is a jump)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # imported on first chart: matplotlib is slow to load
    from matplotlib.dates import AutoDateLocator, num2date
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    t = translations(locale)
    series = cumulative(entries, currency)
    ranked = sorted(series, key=lambda d: -series[d][-1][1])[:MAX_DONORS]
    figure = Figure(figsize=(CHART_SIZE[0] / _DPI, CHART_SIZE[1] / _DPI), dpi=_DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    first = min((points[0][0] for points in series.values()), default=date.today())
    last = max((points[-1][0] for points in series.values()), default=first)
    start, end = first - timedelta(days=1), max(last + timedelta(days=1), first + MIN_SPAN)
    for donor in ranked:
        points = series[donor]
        days = [start, *[d for d, _ in points], end]
        values = [0.0, *[v for _, v in points], points[-1][1]]
        name = actors_name(donor, locale) if donor else t.gettext("donor not stated")
        axes.step(days, values, where="post", linewidth=2,
                  label=f"{name} — {format_money(points[-1][1], currency, locale)}")
    axes.set_title(t.gettext("Cumulative pledges in %(currency)s") % {"currency": currency})
    axes.set_ylabel(currency)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: format_number(value, locale)))
    axes.set_ylim(bottom=0)
    axes.set_xlim(start, end)
    axes.xaxis.set_major_locator(AutoDateLocator(maxticks=8))
    axes.xaxis.set_major_formatter(FuncFormatter(
        lambda value, _pos: format_date(num2date(value).date(), "d MMM yyyy", locale=locale)))
    axes.grid(True, alpha=0.3)
    if ranked:
        axes.legend(loc="lower right", fontsize="small")  # lines rise to the upper left: keep clear of them
    else:
        axes.text(0.5, 0.5, t.gettext("No pledge in this currency."), ha="center", va="center",
                  transform=axes.transAxes)
    figure.autofmt_xdate()
    figure.tight_layout()
    out = BytesIO()
    figure.savefig(out, format="png", dpi=_DPI)
    return out.getvalue()
