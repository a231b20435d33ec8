"""Reports to the admin channel: feed health (once when a feed keeps failing, once when it recovers)
and briefs that can never be posted (once per failed delivery).

The "already reported" flag of a feed lives in the store, so a restart does not report again; the
report itself goes through the outbox under a key naming the event (feed, state, last success), so a
crash between posting and setting the flag cannot post it twice either. A failed delivery is reported
under `failed:<delivery id>`, which the outbox posts once however often the failure is seen, and
only when it starts a streak of failures of its channel.
"""

from __future__ import annotations

import asyncio
import logging
import tomllib
from datetime import UTC
from functools import cache
from importlib import resources

from bot.commands import say
from bot.config import AdminChannel
from bot.delivery import Outbox, Outcome, Render, Target
from bot.platforms import discord_embeds, slack_blocks
from briefings.models import FeedState
from briefings.store import Delivery, Store

log = logging.getLogger(__name__)

FAILING_AFTER = 3  # consecutive failed polls before a feed is reported
_PREFIX = "health:"
_FAILED_PREFIX = "failed:"


def health_key(state: FeedState, failing: bool) -> str:
    """`health:<failing|recovered>:<last success>:<feed name>`: one key per event, the name last so it
    may contain colons."""
    since = state.last_success.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") if state.last_success else "never"
    return f"{_PREFIX}{'failing' if failing else 'recovered'}:{since}:{state.name}"


def message(platform: str, state: FeedState, failing: bool) -> dict:
    """The admin report, in the admin channel's platform format (feed values are escaped there)."""
    if failing:
        title = say("en", "feed_failing", name=state.name)
        lines = [say("en", "feed_failures", count=state.failures, error=state.last_error or "?"), state.url]
    else:
        title = say("en", "feed_recovered", name=state.name)
        lines = [state.url]
    module = slack_blocks if platform == "slack" else discord_embeds
    return module.reply_message(title, list(lines))


def failed_key(delivery: Delivery) -> str:
    """`failed:<delivery id>`: the outbox key of the one admin report about a failed delivery."""
    return f"{_FAILED_PREFIX}{delivery.id}"


@cache
def _report_wording() -> dict[str, str]:
    text = resources.files("bot").joinpath("templates/admin_reports.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["en"]


def failure_message(platform: str, delivery: Delivery) -> dict:
    """The admin report of a delivery that failed for good, in the admin channel's platform format."""
    words = _report_wording()
    lines = [words["delivery_failed_brief"].format(brief=delivery.brief_key),
             words["delivery_failed_reason"].format(reason=delivery.last_error or "?"),
             words["delivery_failed_next"]]
    module = slack_blocks if platform == "slack" else discord_embeds
    return module.reply_message(words["delivery_failed"].format(channel=delivery.channel_key), lines)


class FeedHealth:
    def __init__(self, store: Store, outbox: Outbox, admin: AdminChannel | None) -> None:
        self.store = store
        self.outbox = outbox
        self.admin = admin

    async def check(self) -> list[str]:
        """Report feeds that crossed the failing threshold or recovered; returns the keys handled."""
        handled = []
        for state in await asyncio.to_thread(self.store.feed_states):
            reported = await asyncio.to_thread(self.store.feed_health_reported, state.name)
            if state.failures >= FAILING_AFTER and not reported:
                failing = True
            elif state.failures == 0 and reported:
                failing = False
            else:
                continue
            key = health_key(state, failing)
            if await self._report(state, failing, key):
                await asyncio.to_thread(self.store.set_feed_health_reported, state.name, failing)
                handled.append(key)
        return handled

    async def _report(self, state: FeedState, failing: bool, key: str) -> bool:
        log.warning("feed %r %s", state.name, "keeps failing" if failing else "recovered")
        if self.admin is None:
            return True
        outcome = await self.outbox.deliver(Target(self.admin.platform, self.admin.channel), key,
                                            self.render(state, failing))
        return outcome in (Outcome.SENT, Outcome.ALREADY_SENT, Outcome.NO_PLATFORM)

    def render(self, state: FeedState, failing: bool) -> Render:
        platform = self.admin.platform if self.admin else "discord"

        async def build() -> list[dict]:
            return [message(platform, state, failing)]

        return build

    async def report_failed_delivery(self, target: Target, delivery: Delivery) -> None:
        """Tell the admin channel, once, that a brief will never reach `target` (`Outbox.on_failed`).

        A channel that stays gone fails every scheduled brief for the same reason: only the first
        failure after a success (or ever) is reported, not each brief. A failure of the admin channel
        itself is only logged: reporting it there cannot work.
        """
        if self.admin is None or target.key == self._admin_target().key:
            return
        earlier = await asyncio.to_thread(self.store.previous_delivery, delivery.id)
        if earlier and earlier.status == "failed" and earlier.last_error == delivery.last_error:
            log.info("failed delivery %s to %s: already reported with %s", delivery.brief_key,
                     delivery.channel_key, earlier.brief_key)
            return
        outcome = await self.outbox.deliver(self._admin_target(), failed_key(delivery),
                                            self._render_failure(delivery))
        log.info("failed delivery %s to %s reported to the admin channel: %s", delivery.brief_key,
                 delivery.channel_key, outcome.value)

    def _admin_target(self) -> Target:
        assert self.admin is not None
        return Target(self.admin.platform, self.admin.channel)

    def _render_failure(self, delivery: Delivery) -> Render:
        platform = self.admin.platform if self.admin else "discord"

        async def build() -> list[dict]:
            return [failure_message(platform, delivery)]

        return build

    async def rebuild(self, key: str) -> tuple[Target, Render] | None:
        """Target and message of a pending admin report: a feed's health from its key and the feed's
        current state, a failed delivery from the delivery row its key names."""
        if self.admin is None:
            return None
        if key.startswith(_FAILED_PREFIX):
            number = key[len(_FAILED_PREFIX):]
            failed = await asyncio.to_thread(self.store.delivery_by_id, int(number)) if number.isdigit() \
                else None
            return (self._admin_target(), self._render_failure(failed)) if failed else None
        if not key.startswith(_PREFIX):
            return None
        event, _since, name = key[len(_PREFIX):].split(":", 2)
        failing = event == "failing"
        states = {s.name: s for s in await asyncio.to_thread(self.store.feed_states)}
        if name not in states:
            return None
        return self._admin_target(), self.render(states[name], failing)

