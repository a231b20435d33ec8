"""The admin command group, the same on Discord and Slack: `/briefbot subscribe | unsubscribe |
settings | preview | mute | resume`, for the channel it is typed in.

This module knows no platform. A platform adapter says who is calling and whether they may (Discord:
Manage Server; Slack: workspace admin or owner, or named in config.toml), runs `ChannelAdmin.run` in a
worker thread, then lets the worker's `SettingsFollower` re-plan at once. Values are checked by the
same rules as `check-config` (`bot.config`), so a bad schedule or time zone reads the same, with a
suggestion. Each change is stored with who made it and what it was, in one transaction; every worker
re-plans from there, and the admin channel hears one line per change.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shlex
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from bot.channel_settings import FIELDS, LayeredChannel, layer
from bot.commands import LANGUAGES, say
from bot.config import AdminChannel, Settings, language_problem, schedule_problem, timezone_problem
from bot.delivery import Outbox, Outcome, Render, Target
from bot.health import report_wording
from bot.metrics import command_timer
from bot.platforms import discord_embeds, slack_blocks
from bot.platforms.replies import COMMAND_TIMEOUT_S
from briefings.brief import load_topics
from briefings.store import ChannelSetting, SettingChange, Store

log = logging.getLogger(__name__)

GROUP = "briefbot"
ACTIONS = ("subscribe", "unsubscribe", "settings", "preview", "mute", "resume")
CHANGES = ("subscribe", "unsubscribe", "mute", "resume")
MAX_PREVIEW_MESSAGES = 4  # an ephemeral preview shows the brief's first messages, and says how many more
# Slack clients turn typed quotes into typographic ones; the schedule's quotes must still group it.
_QUOTES = str.maketrans({"“": '"', "”": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})
_ZONE_LIKE = re.compile(r"^(UTC|GMT|[A-Za-z][\w+-]*(/[\w+-]+)+)$")

Preview = Callable[[Any, datetime], list[dict[str, Any]]]  # (ChannelConfig, now) -> the brief's messages
# (the channel's settings as they stand, its stored row) -> (the new row, what changed); raises Refusal
Decide = Callable[[LayeredChannel, ChannelSetting], tuple[ChannelSetting, dict[str, Any]]]


@dataclass(frozen=True)
class Caller:
    """Who typed the command, where, and whether their platform lets them change settings."""

    platform: str
    channel: str
    user_id: str
    user_name: str
    allowed: bool

    @property
    def who(self) -> str:
        return f"{self.user_name} ({self.user_id})" if self.user_name else self.user_id


@dataclass
class AdminReply:
    """A reply to an admin command: a title and lines, and for `preview` the brief's own messages in
    the channel's platform format. `change` is the stored change, when the command made one."""

    title: str
    lines: list[str] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    ok: bool = True
    change: SettingChange | None = None


class Refusal(ValueError):
    """A value or request the command cannot take; the reply says why."""

    def __init__(self, title: str, lines: list[str] | None = None) -> None:
        super().__init__(title)
        self.reply = AdminReply(title, lines or [], ok=False)


def parse_admin_text(text: str) -> tuple[str, dict[str, str | None]]:
    """A Slack `/briefbot` command's text as (action, arguments).

    `subscribe ukraine-aid "0 8 * * *" Europe/Paris fr`, also with the five cron fields unquoted
    (`subscribe nato 30 7 * * 1-5 Europe/Brussels`); schedule, time zone and language are optional
    and told apart by position and shape: a last `fr`/`en`/`both` is the language, and a time zone
    follows a whole schedule (one quoted word or five fields) or stands alone.
    """
    cleaned = text.translate(_QUOTES)
    try:
        words = shlex.split(cleaned)
    except ValueError:  # an unbalanced quote: take the words as they are, the checks say what is wrong
        words = cleaned.split()
    action = words[0].lower() if words else ""
    rest = words[1:]
    if action == "unsubscribe":
        return action, {"topic": rest[0] if rest else None}
    if action != "subscribe":
        return action, {}
    topic, rest = (rest[0], rest[1:]) if rest else (None, [])
    language = rest.pop() if rest and rest[-1].lower() in LANGUAGES else None
    timezone = None
    if len(rest) in (2, 6) or (len(rest) == 1 and _ZONE_LIKE.match(rest[0])):
        timezone = rest.pop()
    return action, {"topic": topic, "schedule": " ".join(rest) or None, "timezone": timezone,
                    "language": language.lower() if language else None}


class ChannelAdmin:
    """Admin commands over the stored channel settings. `preview(channel, now)` builds the messages
    the channel's next brief would post (the running bot's own digest and rendering)."""

    def __init__(self, settings: Settings, store: Store, preview: Preview,
                 on_change: Callable[[], Awaitable[object]] | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.settings = settings
        self.store = store
        self.topics = load_topics(settings.topics)
        self._preview = preview
        self.on_change = on_change  # this worker's SettingsFollower.follow: the change is live here at once
        self._now = now

    async def answer(self, action: str, args: Mapping[str, str | None], caller: Caller,
                     locale: str | None) -> AdminReply:
        """`run` in a worker thread within the commands' time limit; a change is then followed at once
        on this worker (the others follow within FOLLOW_EVERY_S)."""
        try:
            with command_timer(GROUP):
                async with asyncio.timeout(COMMAND_TIMEOUT_S):
                    reply = await asyncio.to_thread(self.run, action, args, caller, locale)
        except TimeoutError:
            log.error("/%s %s %r: no answer within %g s", GROUP, action, dict(args), COMMAND_TIMEOUT_S)
            return AdminReply(say(locale or "en", "failed"), ok=False)
        if reply.change is not None and self.on_change is not None:
            await self.on_change()
        return reply

    def run(self, action: str, args: Mapping[str, str | None], caller: Caller, locale: str | None) -> AdminReply:
        """Answer an admin command; never raises. Blocking (the store): call it in a worker thread.
        `locale` None (Slack sends none): the channel's language, English unless it is French."""
        if locale is None:
            try:
                locale = "fr" if self._current(caller).channel.language == "fr" else "en"
            except Exception:
                log.exception("/%s: the settings of %s:%s could not be read", GROUP, caller.platform, caller.channel)
                locale = "en"
        if not caller.allowed:
            return AdminReply(say(locale, f"admin_refused_{caller.platform}"), ok=False)
        if not caller.channel:
            return AdminReply(say(locale, "admin_not_here"), ok=False)
        handler = {"subscribe": self.subscribe, "unsubscribe": self.unsubscribe, "settings": self.show,
                   "preview": self.preview, "mute": self.mute, "resume": self.resume}.get(action)
        if handler is None:
            return AdminReply(say(locale, "admin_unknown_action", action=action), ok=False)
        try:
            return handler(caller, locale, **{k: v for k, v in args.items() if v not in (None, "")})
        except Refusal as exc:
            return exc.reply
        except TypeError as exc:  # an argument the action does not take
            log.info("/%s %s: bad arguments %r: %s", GROUP, action, dict(args), exc)
            return AdminReply(say(locale, "admin_unknown_action", action=action), ok=False)
        except Exception:
            log.exception("/%s %s %r failed", GROUP, action, dict(args))
            return AdminReply(say(locale, "failed"), ok=False)

    # --- actions ----------------------------------------------------------------------------------

    def subscribe(self, caller: Caller, locale: str, topic: str | None = None, schedule: str | None = None,
                  timezone: str | None = None, language: str | None = None) -> AdminReply:
        slug = self._topic(topic, locale)
        if timezone is not None and (reason := timezone_problem(timezone)) is not None:
            raise Refusal(say(locale, "admin_bad_timezone", reason=reason))
        if language is not None and (reason := language_problem(language)) is not None:
            raise Refusal(say(locale, "admin_bad_language", reason=reason))

        def decide(current: LayeredChannel, stored: ChannelSetting) -> tuple[ChannelSetting, dict[str, Any]]:
            zone = timezone or current.channel.timezone
            if schedule is not None and (reason := schedule_problem(schedule, zone)) is not None:
                raise Refusal(say(locale, "admin_bad_schedule", reason=reason))
            setting = replace(stored, topics=tuple(dict.fromkeys((*current.channel.topics, slug))),
                              schedule=schedule or stored.schedule, timezone=timezone or stored.timezone,
                              language=language or stored.language)
            after = layer(self.settings, caller.platform, caller.channel, setting).channel
            return setting, {"action": "subscribe", "topic": slug, "schedule": after.schedule,
                             "timezone": after.timezone, "language": after.language}

        return self._change(caller, locale, decide, say(locale, "admin_subscribed_title", topic=slug))

    def unsubscribe(self, caller: Caller, locale: str, topic: str | None = None) -> AdminReply:
        gone: list[str] = []

        def decide(current: LayeredChannel, stored: ChannelSetting) -> tuple[ChannelSetting, dict[str, Any]]:
            topics = current.channel.topics
            if not topics:
                raise Refusal(say(locale, "admin_nothing_subscribed"))
            if topic is not None and topic.lower() not in topics:
                raise Refusal(say(locale, "admin_not_subscribed", topic=topic, topics=", ".join(topics)))
            gone[:] = [topic.lower()] if topic is not None else topics
            setting = replace(stored, topics=tuple(t for t in topics if t not in gone))
            return setting, {"action": "unsubscribe", "topics": list(gone)}

        reply = self._change(caller, locale, decide, "")
        reply.title = say(locale, "admin_unsubscribed_title", topics=", ".join(gone))
        return reply

    def mute(self, caller: Caller, locale: str) -> AdminReply:
        return self._set_muted(caller, locale, True)

    def resume(self, caller: Caller, locale: str) -> AdminReply:
        return self._set_muted(caller, locale, False)

    def show(self, caller: Caller, locale: str) -> AdminReply:
        """What this channel gets and when, where each value comes from, and the next brief's time."""
        return AdminReply(say(locale, "admin_settings_title"), describe(self._current(caller), locale, self._now()))

    def preview(self, caller: Caller, locale: str) -> AdminReply:
        """What the next brief would post if it were due now, built by the brief job's own code and
        recording nothing (the channel is still told it all at its next brief)."""
        current = self._current(caller)
        if not current.channel.topics:
            raise Refusal(say(locale, "admin_preview_unsubscribed"))
        messages = self._preview(current.channel, self._now())
        if not messages:
            return AdminReply(say(locale, "admin_preview_title"), [say(locale, "admin_preview_nothing")])
        lines = [say(locale, "admin_preview_more", count=len(messages) - MAX_PREVIEW_MESSAGES)
                 ] if len(messages) > MAX_PREVIEW_MESSAGES else []
        return AdminReply(say(locale, "admin_preview_title"), lines, messages[:MAX_PREVIEW_MESSAGES])

    # --- helpers ------------------------------------------------------------------------------------

    def _current(self, caller: Caller) -> LayeredChannel:
        """The channel's settings as stored now (not as this worker last planned them: another worker
        may have taken a change since)."""
        key = f"{caller.platform}:{caller.channel}"
        return layer(self.settings, caller.platform, caller.channel, self.store.channel_setting(key))

    def _topic(self, slug: str | None, locale: str) -> str:
        if slug and slug.lower() in self.topics:
            return slug.lower()
        title = say(locale, "unknown_topic", topic=slug) if slug else say(locale, "admin_missing_topic")
        raise Refusal(title, [say(locale, "known_topics", topics=", ".join(self.topics))])

    def _set_muted(self, caller: Caller, locale: str, muted: bool) -> AdminReply:
        def decide(current: LayeredChannel, stored: ChannelSetting) -> tuple[ChannelSetting, dict[str, Any]]:
            if not current.channel.topics:
                raise Refusal(say(locale, "admin_nothing_subscribed"))
            return replace(stored, muted=muted), {"action": "mute" if muted else "resume"}

        return self._change(caller, locale, decide, say(locale, "admin_muted_title" if muted
                                                        else "admin_resumed_title"))

    def _change(self, caller: Caller, locale: str, decide: Decide, title: str) -> AdminReply:
        """Apply `decide` to the channel's stored settings, holding them while it decides, so two
        admins changing one channel at once (on any workers) apply one after the other."""

        def apply(stored: ChannelSetting | None) -> tuple[ChannelSetting, dict[str, Any]]:
            current = layer(self.settings, caller.platform, caller.channel, stored)
            return decide(current, stored or ChannelSetting(caller.platform, caller.channel))

        setting, change = self.store.change_channel_setting(caller.platform, caller.channel, apply, caller.who)
        log.info("settings of %s changed by %s: %s", setting.key, caller.who, change.what)
        after = layer(self.settings, caller.platform, caller.channel, setting)
        return AdminReply(title, describe(after, locale, self._now()), change=change)


def admin_messages(platform: str, reply: AdminReply) -> list[dict[str, Any]]:
    """The reply as messages of `platform`: its title and lines, then a preview's brief messages."""
    module = slack_blocks if platform == "slack" else discord_embeds
    return [module.reply_message(reply.title, list(reply.lines)), *reply.messages]


def describe(current: LayeredChannel, locale: str, now: datetime) -> list[str]:
    """The channel's settings, one line each with the layer it comes from, then the next brief."""
    channel = current.channel
    values = {"topics": ", ".join(channel.topics) or say(locale, "admin_no_topic"), "schedule": channel.schedule,
              "timezone": channel.timezone, "language": channel.language}
    lines = [say(locale, f"admin_line_{name}", value=values[name], layer=say(locale, f"layer_{current.layers[name]}"))
             for name in FIELDS]
    upcoming = current.next_brief(now)
    lines.append(say(locale, "admin_line_next", when=f"{upcoming:%Y-%m-%d %H:%M} ({channel.timezone})")
                 if upcoming else say(locale, "admin_line_no_next"))
    if current.muted:
        lines.append(say(locale, "admin_line_muted"))
    stored = current.stored
    if stored is not None and stored.updated_at is not None:
        lines.append(say(locale, "admin_line_changed", who=stored.updated_by,
                         when=f"{stored.updated_at.astimezone(UTC):%Y-%m-%d %H:%M}"))
    return lines


def change_line(change: SettingChange) -> str:
    """The admin channel's line about one change: who, where, what."""
    what = dict(change.what)
    words = report_wording()
    action = {"subscribe": "settings_subscribed", "unsubscribe": "settings_unsubscribed", "mute": "settings_muted",
              "resume": "settings_resumed"}[what.pop("action")]
    if "topics" in what:
        what["topics"] = ", ".join(what["topics"])
    return words["settings_line"].format(who=change.who, channel=change.channel_key,
                                         what=words[action].format(**what))


class ChangeLog:
    """Tells the admin channel of each settings change, one line each, through the outbox under the
    key `settings:<change id>`: every worker announces the changes it sees, and the outbox posts each
    once; a line that could not be posted yet is rebuilt from the stored change by the resume."""

    PREFIX = "settings:"

    def __init__(self, outbox: Outbox, admin: AdminChannel | None, store: Store) -> None:
        self.outbox = outbox
        self.admin = admin
        self.store = store

    async def announce(self, change: SettingChange) -> Outcome | None:
        if self.admin is None:
            return None
        target = Target(self.admin.platform, self.admin.channel)
        return await self.outbox.deliver(target, f"{self.PREFIX}{change.id}", self._render(change))

    async def rebuild(self, key: str) -> tuple[Target, Render] | None:
        """Target and message of a pending `settings:<id>` row; None for other keys."""
        number = key.removeprefix(self.PREFIX)
        if self.admin is None or not key.startswith(self.PREFIX) or not number.isdigit():
            return None
        change = await asyncio.to_thread(self.store.setting_change, int(number))
        if change is None:
            return None
        return Target(self.admin.platform, self.admin.channel), self._render(change)

    def _render(self, change: SettingChange) -> Render:
        platform = self.admin.platform if self.admin else "discord"
        module = slack_blocks if platform == "slack" else discord_embeds

        async def build() -> list[dict[str, Any]]:
            return [module.reply_message(report_wording()["settings_changed"], [change_line(change)])]

        return build
