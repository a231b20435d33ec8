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
from datetime import UTC, datetime

from bot.config import AdminChannel
from bot.delivery import Outbox, Outcome, Render, Target
from bot.platforms import discord_embeds, slack_blocks
from bot.supervise import PlatformState
from bot.wording import say
from briefings.models import FeedState
from briefings.store import Delivery, Store

log = logging.getLogger(__name__)

FAILING_AFTER = 3  # consecutive failed polls before a feed is reported
_PREFIX = "health:"
_FAILED_PREFIX = "failed:"
_PAUSE_PREFIXES = ("paused:", "restored:")
_DOWN_PREFIXES = ("down:", "up:")
_TOKEN_VARIABLE = {"discord": "DISCORD_TOKEN", "slack": "SLACK_BOT_TOKEN"}


def health_key(state: FeedState, failing: bool) -> str:
    """`health:<failing|recovered>:<last success>:<feed name>`: one key per event, the name last so it
    may contain colons."""
    since = state.last_success.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") if state.last_success else "never"
    return f"{_PREFIX}{'failing' if failing else 'recovered'}:{since}:{state.name}"


def message(platform: str, state: FeedState, failing: bool, locale: str = "en") -> dict:
    """The admin report, in the admin channel's platform format (feed values are escaped there) and
    language."""
    if failing:
        title = say(locale, "Feed “{name}” keeps failing", name=state.name)
        lines = [say(locale, "{count} failed polls in a row; last error: {error}", count=state.failures,
                     error=state.last_error or "?"), state.url]
    else:
        title = say(locale, "Feed “{name}” works again", name=state.name)
        lines = [state.url]
    module = slack_blocks if platform == "slack" else discord_embeds
    return module.reply_message(title, list(lines))


def failed_key(delivery: Delivery) -> str:
    """`failed:<delivery id>`: the outbox key of the one admin report about a failed delivery."""
    return f"{_FAILED_PREFIX}{delivery.id}"


def failure_message(platform: str, delivery: Delivery, locale: str = "en") -> dict:
    """The admin report of a delivery that failed for good, in the admin channel's platform format."""
    lines = [say(locale, "Brief: {brief}", brief=delivery.brief_key),
             say(locale, "Reason: {reason}", reason=delivery.last_error or "?"),
             say(locale, "It will not be retried. Fix the channel (or the bot's access to it) in config.toml; "
                         "the next scheduled brief goes out as usual.")]
    module = slack_blocks if platform == "slack" else discord_embeds
    return module.reply_message(say(locale, "A brief could not be posted to {channel}", channel=delivery.channel_key),
                                lines)


def pause_key(platform: str, since: datetime, restored: bool) -> str:
    """`paused:<platform>:<since>` or `restored:<platform>:<since>`: one admin report per event."""
    return f"{'restored' if restored else 'paused'}:{platform}:{since.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def pause_message(admin_platform: str, key: str, locale: str = "en") -> dict:
    """The admin report of a platform whose token is refused (or works again), from its key alone."""
    event, platform, since = key.split(":", 2)
    shown, name = since.replace("T", " ").removesuffix("Z"), platform.capitalize()
    if event == "paused":
        title = say(locale, "{platform}: the bot's token is refused", platform=name)
        lines = [say(locale, "Since {since} UTC every post to {platform} is refused as unauthorised; briefs for its "
                             "channels are kept and will be posted once the token works again.",
                     since=shown, platform=name),
                 say(locale, "Check or renew the token in the environment ({variable}) and restart, or restore the "
                             "app's installation.", variable=_TOKEN_VARIABLE.get(platform, "?"))]
    else:
        title = say(locale, "{platform}: the token works again", platform=name)
        lines = [say(locale, "Posts to {platform} are accepted again (refused since {since} UTC); the pending briefs "
                             "are being posted.", since=shown, platform=name)]
    module = slack_blocks if admin_platform == "slack" else discord_embeds
    return module.reply_message(title, lines)


def down_key(state: PlatformState) -> str:
    """`down:<platform>:<since>` or `up:<platform>:<since>`: one admin report per outage and event."""
    since = state.down_since or state.since
    return f"{'down' if state.reported else 'up'}:{state.name}:{since.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def down_message(admin_platform: str, key: str, error: str | None, locale: str = "en") -> dict:
    """The admin report of a platform not connected for a while (or connected again)."""
    event, platform, since = key.split(":", 2)
    shown, name = since.replace("T", " ").removesuffix("Z"), platform.capitalize()
    if event == "down":
        title = say(locale, "{platform}: not connected since {since} UTC", platform=name, since=shown)
        lines = [say(locale, "Last error: {error}", error=error or "?"),
                 say(locale, "Slash commands on {platform} go unanswered until it reconnects (it is retried with "
                             "backoff); briefs are kept until they can be posted.", platform=name)]
    else:
        title = say(locale, "{platform}: connected again", platform=name)
        lines = [say(locale, "It was not connected from {since} UTC.", since=shown)]
    module = slack_blocks if admin_platform == "slack" else discord_embeds
    return module.reply_message(title, lines)


class FeedHealth:
    def __init__(self, store: Store, outbox: Outbox, admin: AdminChannel | None) -> None:
        self.store = store
        self.outbox = outbox
        self.admin = admin
        self._paused_since: dict[str, datetime] = {}

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
        locale = self.admin.language if self.admin else "en"

        async def build() -> list[dict]:
            return [message(platform, state, failing, locale)]

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

    def _alert_target(self, platform: str) -> tuple[Target, str] | None:
        """Where news about `platform`'s token goes, and in which language: an admin channel on another
        platform, since a report through the refused token cannot arrive; None when there is none (log
        and health only)."""
        for admin in (self.admin, self.admin.fallback if self.admin else None):
            if admin is not None and admin.platform != platform:
                return Target(admin.platform, admin.channel), admin.language
        return None

    async def report_pause(self, platform: str, reason: str | None) -> None:
        """Tell the admin that `platform`'s token is refused (`reason`), or works again (None); the
        outbox's `on_pause`."""
        pause = self.outbox.paused.get(platform)
        since = pause.since if pause is not None else self._paused_since.pop(platform, datetime.now(UTC))
        if pause is not None:
            self._paused_since[platform] = pause.since
        alert = self._alert_target(platform)
        if alert is None:
            log.error("platform %s token %s; no admin channel on another platform to tell", platform,
                      "refused" if reason else "works again")
            return
        target, locale = alert
        key = pause_key(platform, since, restored=reason is None)
        outcome = await self.outbox.deliver(target, key, self._render_pause(target.platform, key, locale))
        log.info("admin told through %s that %s's token %s: %s", target.key, platform,
                 "is refused" if reason else "works again", outcome.value)

    async def report_platform(self, state: PlatformState) -> None:
        """Tell the admin that a platform has not been connected for a while (`state.reported`), or is
        connected again; the supervisor's `on_trouble`."""
        log.warning("platform %s %s", state.name, "down for a while: telling the admin" if state.reported
                    else "connected again")
        alert = self._alert_target(state.name)
        if alert is None:
            return
        (target, locale), key, error = alert, down_key(state), state.last_error

        async def build() -> list[dict]:
            return [down_message(target.platform, key, error, locale)]

        await self.outbox.deliver(target, key, build)

    def _render_pause(self, admin_platform: str, key: str, locale: str) -> Render:
        async def build() -> list[dict]:
            return [pause_message(admin_platform, key, locale)]

        return build

    def _render_failure(self, delivery: Delivery) -> Render:
        platform = self.admin.platform if self.admin else "discord"
        locale = self.admin.language if self.admin else "en"

        async def build() -> list[dict]:
            return [failure_message(platform, delivery, locale)]

        return build

    async def rebuild(self, key: str) -> tuple[Target, Render] | None:
        """Target and message of a pending admin report: a feed's health from its key and the feed's
        current state, a failed delivery from the delivery row its key names."""
        if self.admin is None:
            return None
        if key.startswith(_DOWN_PREFIXES):
            alert = self._alert_target(key.split(":", 2)[1])
            if alert is None:
                return None
            target, locale = alert

            async def build() -> list[dict]:
                return [down_message(target.platform, key, None, locale)]

            return target, build
        if key.startswith(_PAUSE_PREFIXES):
            alert = self._alert_target(key.split(":", 2)[1])
            return (alert[0], self._render_pause(alert[0].platform, key, alert[1])) if alert else None
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

