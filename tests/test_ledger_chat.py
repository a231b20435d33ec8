"""`/ledger` on both platforms, over the loopback fakes with the real clients: the answer lists the
ledger and its chart reaches the platform as a file upload — a valid PNG of the chart's size —
attached to the Discord follow-up, and uploaded to Slack in three steps (upload URL, bytes,
completion) into the channel for a public answer or the user's DM for a private one."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from PIL import Image

from bot.commands import Commands
from bot.config import Secrets, Settings
from bot.platforms.discord import BriefClient, command_installer
from bot.web import make_web_app
from briefings.render.chart import CHART_SIZE
from tests.support.chat_stories import stored_reads
from tests.support.discord_client import connected
from tests.support.fake_discord import FakeDiscord
from tests.support.fake_slack import BOT_TOKEN, FakeSlack
from tests.support.loopback import serving
from tests.test_discord_commands import _interaction, _wait_for
from tests.test_ledger import NOW, disputed_story, joint_story
from tests.test_slack_commands import SECRET, _answers, _command, _signed


def _assert_chart(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == CHART_SIZE
    image.verify()  # the whole file decodes: not just a PNG header


@pytest.fixture
def ledger_commands(tmp_path: Path) -> Commands:
    settings = Settings(path=None, secrets=Secrets(slack_bot_token=BOT_TOKEN, slack_signing_secret=SECRET))
    return Commands(settings, stored_reads([disputed_story(), joint_story()], tmp_path), now=lambda: NOW)


@pytest.fixture
async def discord_fake(ledger_commands: Commands) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake, connected(fake, BriefClient(install_commands=command_installer(ledger_commands))):
        yield fake


async def test_discord_ledger_follow_up_carries_one_chart_per_currency(discord_fake: FakeDiscord) -> None:
    payload = _interaction("ledger", [{"name": "donor", "type": 3, "value": "SE"}], locale="fr")
    await discord_fake.send_interaction(payload)
    followup = await _wait_for(discord_fake, "followup", payload["token"], timeout=30)
    description = followup["embeds"][0]["description"]
    assert "Suède" in description and "2,5 milliards" in description  # the disputed figure, beside the other
    uploads = followup["uploads"]
    assert [u["filename"] for u in uploads] == ["ledger-EUR.png", "ledger-SEK.png"]
    assert [a["filename"] for a in followup["attachments"]] == ["ledger-EUR.png", "ledger-SEK.png"]
    for upload in uploads:
        _assert_chart(upload["data"])


@pytest.fixture
async def slack_site(ledger_commands: Commands, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple]:
    async with FakeSlack() as fake:
        monkeypatch.setenv("BRIEFBOT_SLACK_API_URL", fake.api_url)
        async with serving(make_web_app(ledger_commands.settings, ledger_commands)) as base:
            yield fake, f"{base}/slack/events"


async def _files(fake: FakeSlack, count: int, timeout: float = 30.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(fake.files) < count:
        await asyncio.sleep(0.05)
    return fake.files


@pytest.mark.parametrize(("text", "conversation"), [("SE public", "C42"), ("SE", "DU7")])
async def test_slack_ledger_uploads_its_charts_where_the_answer_went(slack_site, text: str,
                                                                      conversation: str) -> None:
    fake, url = slack_site
    body = _command(fake, "ledger", text, "ledger")
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=_signed(body)) as resp:
        assert resp.status == 200
    (answer,) = await _answers(fake, "ledger", timeout=30)
    assert "SEK 2.5 billion" in str(answer["blocks"])
    files = await _files(fake, 2)
    assert [(f["name"], f["channel"]) for f in files] == [("ledger-EUR.png", conversation),
                                                         ("ledger-SEK.png", conversation)]
    for f in files:
        _assert_chart(f["data"])
    assert fake.calls.count("files.getUploadURLExternal") == 2 and "files.completeUploadExternal" in fake.calls
