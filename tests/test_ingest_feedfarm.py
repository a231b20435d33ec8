"""The shared feed farm's hostile feeds, polled beside good ones: clear errors, quickly, no crash.

Runs /work/shared/bench/feedfarm.py as a subprocess on loopback; skipped when /work/shared is absent.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefings.ingest.fetch import FetchLimits, make_session
from briefings.ingest.poll import poll_feeds
from briefings.models import FeedState
from tests.support.feedserver import LoopbackResolver

FARM = Path(__file__).resolve().parents[2] / "shared" / "bench" / "feedfarm.py"
LIMITS = FetchLimits(timeout_s=3)
EXPECTED_ERRORS = {
    "slow": {"timed out after 3 s"},
    "huge": {"body larger than 5 MB"},
    # the farm builds its 2 GB bomb on first request, which can outlast the deadline
    "gzipbomb": {"body larger than 5 MB", "body larger than 5 MB once decompressed", "timed out after 3 s"},
    "bomb": {"not a feed: XML entity declarations are refused"},
    "loop": {"redirect loop"},
    "error": {"HTTP 500"},
    "html": {"not a feed: HTML page"},
    "empty": {"not a feed: empty body"},
    "hangup": {"server closed the connection"},
}


@pytest.fixture(scope="module")
def farm():
    if not FARM.exists():
        pytest.skip("the shared feed farm is not available")
    proc = subprocess.Popen(
        [sys.executable, str(FARM), "--feeds", "4", "--items", "3", "--hostile"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().split()
        if len(line) < 2 or line[0] != "FARM":
            pytest.skip("the feed farm did not start")
        yield line[1]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def test_hostile_feeds_give_clear_errors_and_good_feeds_all_arrive(farm):
    with urllib.request.urlopen(f"{farm}/feeds.txt", timeout=10) as answer:
        urls = answer.read().decode().split()
    states = [FeedState(name=url.rsplit("/", 1)[1].removesuffix(".xml"), url=url) for url in urls]
    started = time.monotonic()
    async with make_session(LIMITS, resolver=LoopbackResolver()) as session:
        outcomes = {o.feed: o for o in await poll_feeds(states, LIMITS, datetime.now(UTC), session=session)}
    assert time.monotonic() - started < LIMITS.timeout_s + 3

    for kind, allowed in EXPECTED_ERRORS.items():
        assert outcomes[kind].error in allowed, kind
        assert outcomes[kind].articles == [] and outcomes[kind].state.failures == 1
    for name in (f"feed{i:05d}" for i in range(4)):
        outcome = outcomes[name]
        assert outcome.error is None and outcome.page_errors == []
        assert len(outcome.articles) == 3 and all(len(a.text) > 200 for a in outcome.articles)
        assert {a.language for a in outcome.articles} == {"fr" if int(name[-1]) % 2 == 0 else "en"}
    assert outcomes["mentions"].error is None and len(outcomes["mentions"].articles) == 10
    assert outcomes["badenc"].error is None and outcomes["badenc"].articles[0].title == "Sécurité européenne"
