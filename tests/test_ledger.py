"""The pledge ledger over real stored views: a disputed figure is listed once with both figures and
counted once, joint donors stay joint, totals are per currency; on the labelled sets (../shared/eval,
skipped when absent) the CLI's CSV totals equal the totals worked out from `export`'s pledges."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.commands import Commands
from bot.config import Settings
from briefings.export import export_json
from briefings.ledger import ledger_entries, totals, write_csv
from briefings.models import Article, Evidence, Pledge, Story
from briefings.store import Store
from tests.support.chat_stories import stored_reads
from tests.support.labelled import labelled_pipeline

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
FIRST = "https://first.example/nordic-package"
SECOND = "https://second.example/nordic-package"
THIRD = "https://third.example/nordic-package"


def _article(url: str, days_ago: int, language: str = "en") -> Article:
    return Article(url=url, title=f"Aid package reported by {url.split('/')[2]}", text="", language=language,
                   published=NOW - timedelta(days=days_ago), feed=url.split("/")[2])


def disputed_story() -> Story:
    """Three outlets on one Swedish package: two say SEK 3 billion, one says SEK 2.5 billion."""
    high = Pledge(donor="SE", recipient="UA", amount=3e9, currency="SEK", item="air defence", language="en",
                  evidence=[Evidence("Our words: Sweden gives three billion crowns.", FIRST),
                            Evidence("Our words: three billion crowns from Stockholm.", SECOND)])
    low = Pledge(donor="SE", recipient="UA", amount=2.5e9, currency="SEK", item="air defence", language="en",
                 evidence=[Evidence("Our words: Sweden gives 2.5 billion crowns.", THIRD)])
    return Story(id="story-disputed", title={"en": "Sweden's air defence package"},
                 articles=[_article(FIRST, 10), _article(SECOND, 9), _article(THIRD, 12)], topics=["ukraine-aid"],
                 pledges=[high, low], conflicts=[[high, low]])


def joint_story() -> Story:
    url = "https://wire.example/joint-nordic"
    joint = Pledge(donor="DK+NO+SE", recipient="UA", amount=5e8, currency="EUR", item="ammunition", language="en",
                   evidence=[Evidence("Our words: three Nordic states jointly fund shells.", url)])
    counted = Pledge(donor="SE", recipient="UA", quantity=12, item="howitzers", language="en",
                     evidence=[Evidence("Our words: Sweden adds twelve howitzers.", url)])
    return Story(id="story-joint", title={"en": "Nordic states fund shells together"},
                 articles=[_article(url, 3)], topics=["ukraine-aid"], pledges=[joint, counted])


@pytest.fixture
def commands(tmp_path: Path) -> Commands:
    return Commands(Settings(path=None), stored_reads([disputed_story(), joint_story()], tmp_path), now=lambda: NOW)


def test_a_disputed_figure_is_listed_once_with_both_figures_and_counted_once(commands: Commands) -> None:
    reply = commands.run("ledger", {"donor": "Sweden"}, "en")
    text = [str(line) for line in reply.lines]
    disputed = [t for t in text if "air defence" in t]
    assert len(disputed) == 1, text
    (differ,) = [t for t in text if t.startswith("⚠")]
    assert "SEK 3 billion (2 sources)" in differ and "SEK 2.5 billion (1 source)" in differ
    assert "Total Sweden: SEK 3 billion" in text  # the figure two outlets give, not 5.5 billion
    # Sweden's ledger shows the joint pledge it is part of, under the joint donors, and its howitzers.
    assert "Total Denmark, Norway, and Sweden: €500 million" in text
    assert any("12 howitzers" in t for t in text)
    assert text.index(disputed[0]) < text.index(next(t for t in text if "howitzers" in t))  # oldest first


def test_a_tie_counts_the_lower_figure_and_the_csv_lists_the_other_beside_it() -> None:
    story = disputed_story()
    story.pledges[0].evidence = story.pledges[0].evidence[:1]  # now one source each
    entries = ledger_entries([story])
    assert totals(entries) == {("SE", "SEK"): 2.5e9}
    out = io.StringIO()
    write_csv(entries, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    (pledge,) = [r for r in rows if r["row"] == "pledge"]
    assert (pledge["amount"], pledge["other_figures"], pledge["date"]) == ("2500000000", "3000000000 SEK",
                                                                           "2026-03-08")
    assert pledge["sources"].split() == [THIRD, FIRST]  # first stated first
    assert [(r["donor"], r["amount"], r["currency"]) for r in rows if r["row"] == "total"] == [
        ("SE", "2500000000", "SEK")]


def test_joint_donors_stay_joint_and_since_filters_by_first_report(commands: Commands) -> None:
    reply = commands.run("ledger", {"donor": "NO", "since": "5d"}, "fr")
    text = [str(line) for line in reply.lines]
    assert reply.title == "Registre des engagements (Norvège → …)"
    assert "Total Danemark, Norvège et Suède\u00a0: 500 millions d’euros" in text or any(
        t.startswith("Total Danemark, Norvège et Suède") for t in text), text
    assert not any("air defence" in t for t in text)  # Sweden's package alone, and older than 5 days


def test_bad_arguments_get_a_clear_reply(commands: Commands) -> None:
    unknown = commands.run("ledger", {"donor": "Atlantis"}, "en")
    assert not unknown.ok and "Atlantis" in unknown.title and "Sweden" in str(unknown.lines[0])
    bad = commands.run("ledger", {"since": "last spring"}, "en")
    assert not bad.ok and "last spring" in bad.title
    empty = commands.run("ledger", {"donor": "DK", "since": "2026-03-19"}, "en")
    assert empty.ok and empty.files == [] and [str(x) for x in empty.lines] == ["No pledge found."]


def _export_totals(export: dict) -> dict[tuple[str, str], float]:
    """Totals worked out from the export alone: every priced pledge once, and of each group of
    figures that disagree only the one most sources give (the lower on a tie)."""
    out: dict[tuple[str, str], float] = defaultdict(float)
    for story in export["stories"]:
        key = lambda p: json.dumps(p, sort_keys=True)  # noqa: E731
        components: list[dict[str, dict]] = []
        for group in story["conflicts"]:
            members = {key(p): p for p in group}
            for other in [c for c in components if c.keys() & members.keys()]:
                components.remove(other)
                members |= other
            components.append(members)
        disputed = {k for c in components for k in c}
        counted = [p for p in story["pledges"] if key(p) not in disputed]
        counted += [min(c.values(), key=lambda p: (-len(p["sources"]), p["amount"] or 0.0)) for c in components]
        for p in counted:
            if p["amount"] is not None and p["currency"]:
                out[(p["donor"] or "", p["currency"])] += p["amount"]
    return dict(out)


@pytest.mark.parametrize("name", ["dev2", "dev3"])
def test_cli_csv_totals_match_the_exports_pledges(name: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "ledger.db"
    with labelled_pipeline(name, db) as pipeline:
        export = export_json(pipeline.stories())
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    sheet = tmp_path / "ledger.csv"
    assert main(["ledger", "--config", str(config), "--csv", str(sheet)]) == 0
    rows = list(csv.DictReader(sheet.open(encoding="utf-8")))
    from_csv = {(r["donor"], r["currency"]): float(r["amount"]) for r in rows if r["row"] == "total"}
    expected = _export_totals(export)
    assert from_csv.keys() == expected.keys()
    for pair, amount in expected.items():
        assert from_csv[pair] == pytest.approx(amount, rel=1e-9), pair
    assert len(from_csv) > 3, "the set has pledges by several donors"
    # Each pledge row's figure is one of the export's; a disputed pledge is one row.
    figures = {(p["donor"] or "", p["currency"] or "", p["amount"]) for s in export["stories"]
               for p in [*s["pledges"], *[m for g in s["conflicts"] for m in g]]}
    for r in (r for r in rows if r["row"] == "pledge" and r["amount"]):
        assert (r["donor"], r["currency"], float(r["amount"])) in figures, r
    printed = capsys.readouterr().out
    assert printed.count("\nTotal ") == len({donor for donor, _ in from_csv})  # a line per donor


def test_cli_rejects_an_unknown_donor_and_a_bad_date(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    store = Store(f"sqlite:///{tmp_path / 'views.db'}")
    store.close()
    stored_reads([disputed_story()], tmp_path).store.close()
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{tmp_path / "views.db"}"\n', encoding="utf-8")
    assert main(["ledger", "--config", str(config), "--donor", "Atlantis"]) == 2
    assert "Atlantis" in capsys.readouterr().err
    assert main(["ledger", "--config", str(config), "--since", "spring"]) == 2
    assert "spring" in capsys.readouterr().err
    assert main(["ledger", "--config", str(config), "--since", date(2026, 3, 1).isoformat()]) == 0
    assert "Total Sweden: SEK 3 billion" in capsys.readouterr().out


async def test_demo_writes_the_readme_chart(tmp_path: Path) -> None:
    from PIL import Image

    from bot.demo import run_demo
    from briefings.render.chart import CHART_SIZE

    chart = tmp_path / "ledger-demo.png"
    assert await run_demo(langs=("en",), out=io.StringIO(), chart=chart) == 0
    image = Image.open(chart)
    assert image.format == "PNG" and image.size == CHART_SIZE


def test_a_ledger_without_donor_says_when_its_read_was_bounded(commands: Commands,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("briefings.reads.LEDGER_STORIES", 1)
    text = [str(line) for line in commands.run("ledger", {}, "en").lines]
    assert "Totals over the 1 newest stories with pledges; name a donor for its whole ledger." in text
    assert not any("Total Sweden: SEK" in t for t in text)  # the older story's pledge is outside the read
    full = [str(line) for line in commands.run("ledger", {"donor": "SE"}, "en").lines]
    assert "Total Sweden: SEK 3 billion" in full and not any(t.startswith("Totals over") for t in full)
