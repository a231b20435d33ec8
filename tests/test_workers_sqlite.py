"""Two `run` workers on one SQLite file: started at the same moment on a new file, both come up (the
schema is migrated once, nobody exits with "database is locked"); one polls, runs the briefs and
holds the Discord gateway (no shards are configured: the gateway goes with the lead), the other
says in its log that it will only deliver, and takes all of that over when the first is killed.
Each worker's health endpoint names it and says whether it leads."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from briefings.store import Store
from tests.support.bot_process import free_port, health, start_bot, stop_bot, wait_until
from tests.support.fake_discord import FakeDiscord
from tests.support.fake_slack import BOT_TOKEN, FakeSlack
from tests.support.feedserver import FeedEntry, FeedServer, article_page, rss

LEADS = "this worker leads"
DELIVERS_ONLY = "will only deliver"


def _config(folder: Path, feeds: FeedServer, db: Path, health_port: int) -> Path:
    lines = [f'[storage]\nurl = "sqlite:///{db}"\n', f"[health]\nport = {health_port}\n",
             '[ingest]\nallow_private = ["loopback"]\n',
             "[workers]\nleader_check_seconds = 0.5\nclaim_every_seconds = 1\n"]
    lines += [f'[[feeds]]\nname = "f{n}"\nurl = "{feeds.url(f"/f{n}.xml")}"\ninterval = 1\n' for n in range(3)]
    lines.append('[[channels]]\nplatform = "slack"\nchannel = "C0SQLITE"\ntopics = ["ukraine-aid"]\n'
                 'schedule = "* * * * *"\n')
    path = folder / f"{db.stem}-{health_port}.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _serve(feeds: FeedServer) -> None:
    for n in range(3):
        link = feeds.url(f"/a/{n}.html")
        feeds.set_feed(f"/f{n}.xml", rss([FeedEntry(f"Bulletin number {n} of the day", link,
                                                    summary=f"Summary {n}.")]))
        feeds.set_page(f"/a/{n}.html", article_page(f"Bulletin number {n} of the day",
                                                    [f"Paragraph {n} of a short test bulletin.", "A second one."]))


def _lines(log: Path, text: str) -> int:
    return log.read_text(errors="replace").count(text) if log.exists() else 0


async def test_two_workers_started_at_once_on_a_new_sqlite_file_share_it(tmp_path: Path) -> None:
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "DISCORD_TOKEN": "discord-test-token"}
    async with FeedServer() as feeds, FakeSlack() as slack, FakeDiscord() as discord:
        _serve(feeds)
        env.update(BRIEFBOT_SLACK_API_URL=slack.api_url, BRIEFBOT_DISCORD_API_URL=discord.url)
        for attempt in range(3):  # the race at start-up is a race: run it a few times, each on a new file
            db = tmp_path / f"shared{attempt}.db"
            ports = [free_port(), free_port()]
            logs = [tmp_path / f"worker{attempt}-{i}.log" for i in range(2)]
            identified = discord.identifies  # the gateways of the attempts before
            workers = await asyncio.gather(*(start_bot(_config(tmp_path, feeds, db, port), log, env)
                                             for port, log in zip(ports, logs, strict=True)))
            try:
                await wait_until(lambda logs=logs: [_said(x) for x in logs] == [1, 1], 60, logs[0],
                                 "each worker said what it does")
                assert sorted(_lines(log, LEADS) for log in logs) == [0, 1], [log.read_text() for log in logs]
                assert all(w.returncode is None for w in workers), [log.read_text() for log in logs]
                leader = next(i for i, log in enumerate(logs) if _lines(log, LEADS))
                follower = 1 - leader
                roles = [(await health(port, "/healthz"))[1]["worker"] for port in ports]
                assert [r["leader"] for r in roles] == [i == leader for i in range(2)], roles
                assert roles[0]["name"] != roles[1]["name"], roles
                await wait_until(lambda db=db: _stored(db) == 3, 30, logs[leader], "the leader polled the feeds")
                await wait_until(lambda n=identified + 1: discord.identifies == n, 30, logs[leader],
                                 "the leader opened the gateway")
                await asyncio.sleep(1)
                assert discord.identifies == identified + 1, "the follower opened a second gateway"
                if attempt < 2:
                    continue
                # The leader dies: the other worker takes the lead, and with it the polls and the briefs.
                workers[leader].send_signal(signal.SIGKILL)
                await workers[leader].wait()
                await wait_until(lambda log=logs[follower]: _lines(log, LEADS) == 1, 30, logs[follower],
                                 "the follower took the lead")
                assert "and polls the feeds" in logs[follower].read_text()
                assert (await health(ports[follower]))[1]["worker"]["leader"] is True
                await wait_until(lambda n=identified + 2: discord.identifies == n and len(discord._sockets) == 1, 30,
                                 logs[follower], "the new leader opened the gateway")
            finally:  # both at once: a follower outliving the leader would take the lead (and the gateway)
                await asyncio.gather(*(stop_bot(w, log) for w, log in zip(workers, logs, strict=True)
                                       if w.returncode is None))
        assert "database is locked" not in "".join(p.read_text() for p in tmp_path.glob("*.log"))


def _said(log: Path) -> int:
    return _lines(log, LEADS) + _lines(log, DELIVERS_ONLY)


def _stored(db: Path) -> int:
    store = Store(f"sqlite:///{db}")
    try:
        with store.engine.connect() as connection:
            return int(connection.exec_driver_sql("SELECT count(*) FROM articles").scalar() or 0)
    finally:
        store.close()
