"""The pipeline end to end over a loopback feed server: the CLI a user runs, a real SQLite file.

One event reported in French (full content in the feed) and in English (summary only: the page is
fetched), a broken feed beside them, an unrelated story, then a second poll answered with 304s.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.support.feedserver import FeedEntry, FeedServer, article_page, rss

ROOT = Path(__file__).resolve().parents[1]
DAY = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)

FRENCH = [
    "Réunis jeudi 5 mars à Varsovie, les ministres de la Défense de l'OTAN ont fait le point sur le soutien "
    "à l'Ukraine.",
    "Le ministre norvégien de la Défense a annoncé que la Norvège allait fournir 2 milliards de couronnes "
    "norvégiennes d'aide militaire à l'Ukraine.",
    "Le prochain sommet de l'OTAN se tiendra en juillet à Ankara.",
]
ENGLISH = [
    "NATO defence ministers met in Warsaw on Thursday to take stock of support for Ukraine.",
    "Norway will provide NOK 2 billion in military aid to Ukraine, its defence minister announced.",
]
SPORT = [
    "Le club de Lens a battu Lille deux buts à un samedi soir au stade Bollaert.",
    "L'attaquant a marqué dans les dernières minutes devant quarante mille supporters.",
]


def feeds(server: FeedServer) -> None:
    fr_link, en_link, sport_link = server.url("/fr/1.html"), server.url("/en/1.html"), server.url("/fr/2.html")
    server.set_feed("/fr.xml", rss([
        FeedEntry("L'OTAN réunie à Varsovie", fr_link, summary=FRENCH[0],
                  content_html="".join(f"<p>{p}</p>" for p in FRENCH), published=DAY),
        FeedEntry("Lens bat Lille", sport_link, summary=SPORT[0],
                  content_html="".join(f"<p>{p}</p>" for p in SPORT), published=DAY),
    ], language="fr"))
    server.set_feed("/en.xml", rss([FeedEntry("NATO ministers meet in Warsaw", en_link, summary=ENGLISH[0][:60],
                                              published=DAY)], language="en"))
    server.set_page("/en/1.html", article_page("NATO ministers meet in Warsaw", ENGLISH, lang="en",
                                               nav="Home · World · Sign in", footer="© Example Wire"))
    server.fail("/broken.xml", 500)


async def cli(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args, cwd=ROOT,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    return proc.returncode or 0, out.decode(), err.decode()


async def test_poll_and_export_over_loopback(tmp_path):
    async with FeedServer() as server:
        feeds(server)
        config = tmp_path / "config.toml"
        config.write_text(
            f'[storage]\nurl = "sqlite:///{tmp_path}/e2e.db"\n\n'
            + "".join(f'[[feeds]]\nname = "{n}"\nurl = "{server.url(p)}"\n\n'
                      for n, p in (("broken", "/broken.xml"), ("le-fil", "/fr.xml"), ("the-wire", "/en.xml")))
        )
        code, _, err = await cli("poll", "--once", "--config", str(config))
        assert code == 0, err
        assert "feed 'broken' failed: HTTP 500" in err
        assert server.hits["/en/1.html"] == 1  # the summary-only item's page was fetched

        code, out, err = await cli("export", "--format", "json", "--config", str(config))
        assert code == 0, err
        stories = json.loads(out)["stories"]
        by_url = {a["url"]: s for s in stories for a in s["articles"]}
        assert len(by_url) == 3
        event = by_url[server.url("/fr/1.html")]
        assert by_url[server.url("/en/1.html")]["id"] == event["id"]  # French and English: one story
        assert by_url[server.url("/fr/2.html")]["id"] != event["id"]  # the football match stays apart
        english = next(a for a in event["articles"] if a["language"] == "en")
        assert english["published"].startswith("2026-03-05")

        pledge = next(p for p in event["pledges"] if p["currency"] == "NOK")
        assert (pledge["donor"], pledge["recipient"], pledge["amount"]) == ("NO", "UA", 2e9)
        assert len(pledge["sources"]) == 2  # one fact, stated by both articles
        assert [(d["date"], d["place"]) for d in event["dates"]] == [("2026-07", "Ankara")]

        # The brief of a topic shows upcoming dates only: July 2026 is upcoming in March, not in August.
        code, out, err = await cli("brief", "--topic", "ukraine-aid", "--lang", "fr", "--as-of", "2026-03-06",
                                   "--config", str(config))
        assert code == 0, err
        assert "2 milliards de couronnes norvégiennes" in out and "juillet 2026" in out and "Ankara" in out
        code, out, _ = await cli("brief", "--topic", "ukraine-aid", "--lang", "en", "--as-of", "2026-08-01",
                                 "--config", str(config))
        assert "NOK 2 billion" in out and "July 2026" not in out
        code, out, err = await cli("brief", "--topic", "cricket", "--config", str(config))
        assert code == 2 and "unknown topic 'cricket'" in err and "ukraine-aid" in err

        # A second poll: every good feed answers 304, nothing is added or changed, and the broken
        # feed is left alone while it backs off.
        code, _, err = await cli("poll", "--once", "--config", str(config))
        assert code == 0, err
        assert server.not_modified["/fr.xml"] == 1 and server.not_modified["/en.xml"] == 1
        assert "0 new articles" in err and "1 feeds backing off" in err
        assert server.hits["/broken.xml"] == 1
        code, out, _ = await cli("export", "--format", "json", "--config", str(config))
        assert json.loads(out)["stories"] == stories

        # The English feed gains an item and the French publisher edits its figure: the new item's
        # page is fetched, the unchanged page is not fetched again, the edit is an update, and the
        # two outlets now disagree, which the story keeps side by side and flags.
        new_link = server.url("/en/2.html")
        server.set_feed("/en.xml", rss([
            FeedEntry("NATO ministers meet in Warsaw", server.url("/en/1.html"), summary=ENGLISH[0][:60],
                      published=DAY),
            FeedEntry("Sweden adds air defence funds", new_link, summary="Sweden will add funds.", published=DAY),
        ], language="en"))
        server.set_page("/en/2.html", article_page("Sweden adds air defence funds", [
            "Sweden will provide SEK 1 billion for air defence to Ukraine, its government said on Thursday."]))
        server.set_feed("/fr.xml", server.resources["/fr.xml"].body.replace(
            b"2 milliards", b"3 milliards"))
        code, _, err = await cli("poll", "--once", "--config", str(config))
        assert code == 0, err
        assert "1 new articles" in err and "1 updated" in err, err
        assert server.hits["/en/1.html"] == 1 and server.hits["/en/2.html"] == 1
        code, out, _ = await cli("export", "--format", "json", "--config", str(config))
        stories = json.loads(out)["stories"]
        event = next(s for s in stories if s["id"] == event["id"])
        assert {(p["currency"], p["amount"]) for p in event["pledges"]} == {("NOK", 2e9), ("NOK", 3e9)}
        assert [sorted(p["amount"] for p in group) for group in event["conflicts"]] == [[2e9, 3e9]]
        assert any(p["currency"] == "SEK" and p["donor"] == "SE" for s in stories for p in s["pledges"])
