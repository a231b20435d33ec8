"""Chaos run of delivery: many brief slots on Slack and Discord under random platform faults, then
count what reached each channel. Briefs lost and briefs doubled must both be 0.

The real outbox, the real discord.py and slack_sdk clients and a real SQLite file, against the
loopback fakes of both platforms (tests/support). Each slot, every channel's brief is posted while
one fault, drawn at random, is active (a slot a second; a brief posted more than 0.6 s after its time
is late and must say so): a run of 500s, a refused token for a while (Slack) or once (Discord), a post too long
for Slack's own count, refused block types, 429s, Discord 400s or 5xx. Resumes run between slots as
the scheduler's periodic job would; at the end faults stop and pending rows are resumed until none
is left. Then, per channel and brief: every part must be present once (whole, or all its pieces),
and no part or piece twice.

Usage: python bench/chaos.py [--slots 40] [--seed 7]
Last line: `CHAOS briefs=… sent=… failed=… lost=… doubled=… late=… split=… plainer=… paused=… alerts=… s=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BRIEFBOT_LEASE_SECONDS", "1")

from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from bot.config import AdminChannel, ChannelConfig, DeliveryConfig, Settings  # noqa: E402
from bot.delivery import Backoff  # noqa: E402
from bot.platforms import Mark  # noqa: E402
from bot.platforms.discord import BriefClient, DiscordPoster, use_api_base  # noqa: E402
from bot.platforms.slack import SlackPoster  # noqa: E402
from bot.run import Runtime  # noqa: E402
from briefings.store import Store  # noqa: E402
from tests.support.chat_stories import plain_story, store_stories  # noqa: E402
from tests.support.fake_discord import FakeDiscord  # noqa: E402
from tests.support.fake_slack import BOT_TOKEN, FakeSlack  # noqa: E402

SLACK = "C0CHAOS"
DISCORD = "330000000000000001"
SLACK_ADMIN = "C0CHAOSADMIN"
DISCORD_ADMIN = "330000000000000009"
FAULTS = ("none", "slack_500_run", "slack_auth", "slack_too_long", "slack_refused_blocks", "slack_429",
          "discord_400", "discord_5xx", "discord_429", "discord_401")
_TOKEN = re.compile(r"([0-9a-f]{16})-(\d+)(?:\.(\d+)\.(\d+))?$")


def inject(fault: str, slack: FakeSlack, discord: FakeDiscord, rng: random.Random) -> None:
    path = f"/channels/{DISCORD}/messages"
    if fault == "slack_500_run":
        slack.fail_for("chat.postMessage", rng.uniform(0.3, 2.0), channel=SLACK)
    elif fault == "slack_auth":
        slack.refuse_auth_for(rng.uniform(0.3, 1.5))
    elif fault == "slack_too_long":
        slack.max_message_chars = rng.choice((500, 1000, 2000))
    elif fault == "slack_refused_blocks":
        slack.refused_blocks = {"header", "context"}
    elif fault == "slack_429":
        slack.fail_next("chat.postMessage", 429, retry_after=0.2)
    elif fault == "discord_400":
        for _ in range(rng.randint(1, 2)):
            discord.fail_next(path, 400)
    elif fault == "discord_5xx":
        for _ in range(rng.randint(1, 3)):
            discord.fail_next(path, 503)
    elif fault == "discord_429":
        discord.fail_next(path, 429, retry_after=0.2)
    elif fault == "discord_401":
        discord.fail_next(path, 401)


def clear(slack: FakeSlack) -> None:
    slack.max_message_chars = 40_000
    slack.refused_blocks = set()


def marks(slack: FakeSlack, discord: FakeDiscord) -> dict[str, list[tuple[str, int, int, int]]]:
    """Per channel key: (digest, part, piece, pieces) of every brief message posted there."""
    out: dict[str, list[tuple[str, int, int, int]]] = {f"slack:{SLACK}": [], f"discord:{DISCORD}": []}
    for message in slack.posted(SLACK):
        p = (message.get("metadata") or {}).get("event_payload") or {}
        digest = Mark(p["brief_key"], 1, 1).token.split("-")[0]
        out[f"slack:{SLACK}"].append((digest, p["part"], p.get("piece", 0), p.get("pieces", 0)))
    for message in discord.posted(DISCORD):
        texts = [(e.get("footer") or {}).get("text", "") for e in message["embeds"]] + [message["content"] or ""]
        for text in texts:
            if found := _TOKEN.search(text.rsplit(" ", 1)[-1]):
                out[f"discord:{DISCORD}"].append((found.group(1), int(found.group(2)), int(found.group(3) or 0),
                                                  int(found.group(4) or 0)))
                break
    return out


def complete(posted: list[tuple[str, int, int, int]], digest: str, total: int) -> bool:
    parts = {(part, piece, pieces) for d, part, piece, pieces in posted if d == digest}
    return all(any(piece == pieces for p, piece, pieces in parts if p == n) for n in range(1, total + 1))


async def run(slots: int, seed: int) -> int:
    rng = random.Random(seed)
    started = time.monotonic()
    async with FakeDiscord() as discord, FakeSlack() as slack:
        use_api_base(discord.url)
        client = BriefClient()
        await client.login("discord-test-token")
        with tempfile.TemporaryDirectory(prefix="briefbot-chaos-") as tmp:
            store = Store(f"sqlite:///{Path(tmp) / 'chaos.db'}")
            channels = (ChannelConfig("slack", SLACK, ("ukraine-aid",), language="both"),
                        ChannelConfig("discord", DISCORD, ("ukraine-aid",), language="both"))
            settings = Settings(path=None, channels=channels, delivery=DeliveryConfig(late_after_minutes=0.01),
                                admin=AdminChannel("slack", SLACK_ADMIN, AdminChannel("discord", DISCORD_ADMIN)))
            posters = {"discord": DiscordPoster(client),
                       "slack": SlackPoster(AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url,
                                                           retry_handlers=[]))}
            runtime = Runtime(settings, store, posters, include_backlog=True)
            runtime.mark_late = True
            story_time = datetime.now(UTC)
            store_stories(store, [plain_story(story_time)])
            runtime.outbox.backoff = Backoff(attempts=2, base=0.05, cap=0.5)
            runtime.outbox.retry_later = timedelta(seconds=0.5)
            runtime.outbox.auth_probe = timedelta(seconds=0.5)
            faults: Counter[str] = Counter()
            base = datetime.now(UTC).replace(microsecond=0)
            fires = []
            try:
                for slot in range(slots):
                    fault = rng.choice(FAULTS)
                    faults[fault] += 1
                    inject(fault, slack, discord, rng)
                    fire = base + timedelta(seconds=slot)  # one slot a second, each its own brief key
                    await asyncio.sleep(max(0.0, (fire - datetime.now(UTC)).total_seconds()))
                    fires.append(fire)
                    await asyncio.gather(*(runtime.brief(c, fire) for c in channels))
                    clear(slack)
                    await runtime.resume()  # the scheduler's periodic resume, between slots
                deadline = time.monotonic() + 120
                while store.pending_deliveries() and time.monotonic() < deadline:
                    await asyncio.sleep(0.3)
                    await runtime.resume()
                rows = [store.delivery(c.key, f"brief:{f:%Y-%m-%dT%H:%M:%SZ}") for c in channels for f in fires]
            finally:
                await client.close()
                store.close()
    posted = marks(slack, discord)
    doubled = sum(n - 1 for seen in posted.values() for n in Counter(seen).values() if n > 1)
    lost = 0
    for row in rows:
        digest = Mark(row.brief_key, 1, 1).token.split("-")[0] if row else ""
        total = len((row.platform_message_id or "").split(",")) if row and row.status == "sent" else 0
        if not total or not complete(posted[row.channel_key], digest, total):
            lost += 1
        if row is not None and row.status == "failed":
            print(f"failed: {row.channel_key} {row.brief_key}: {row.last_error}")
    sent = sum(1 for r in rows if r is not None and r.status == "sent")
    failed = sum(1 for r in rows if r is not None and r.status == "failed")
    texts = [str(m) for m in slack.posted(SLACK)] + [str(m) for m in discord.posted(DISCORD)]
    late = sum(1 for t in texts if "Late:" in t)
    split = sum(1 for ms in posted.values() for m in ms if m[3]) if posted else 0
    alerts = len(discord.posted(DISCORD_ADMIN)) + len(slack.posted(SLACK_ADMIN))
    print("refusals: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(slack.refusals).items())))
    print("faults drawn: " + ", ".join(f"{k} {v}" for k, v in sorted(faults.items())))
    print(f"CHAOS briefs={len(rows)} sent={sent} failed={failed} lost={lost} doubled={doubled} late={late} "
          f"pieces={split} plainer={slack.refusals.count('invalid_blocks')} "
          f"paused={slack.refusals.count('invalid_auth')} alerts={alerts} s={time.monotonic() - started:.1f}")
    return 0 if lost == 0 and doubled == 0 else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--slots", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    return asyncio.run(run(args.slots, args.seed))


if __name__ == "__main__":
    sys.exit(main())
