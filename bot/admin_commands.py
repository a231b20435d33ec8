"""The admin command group, the same on Discord and Slack: `/briefbot subscribe | unsubscribe |
settings | preview | mute | resume`, for the channel it is typed in (declared in
`bot.command_registry`, as an `admin` group; worded through `bot.wording`'s catalogs).

This module knows no platform. A platform adapter says who is calling and whether they may (Discord:
Manage Server; Slack: workspace admin or owner, or named in config.toml), and `ChannelAdmin.answer`
runs the command in a worker thread, then lets this worker's `SettingsFollower` re-plan at once.
Values are checked by the same rules as `check-config` (`bot.config`), so a bad schedule or time
zone reads the same, with a suggestion. Each change is stored with who made it and what it was, in
one transaction; every worker re-plans from there, and the admin channel hears one line per change.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from bot.channel_settings import LayeredChannel, layer, layer_words
from bot.command_registry import paths
from bot.config import AdminChannel, Settings, language_problem, schedule_problem, timezone_problem
from bot.delivery import Outbox, Outcome, Render, Target
from bot.metrics import command_timer
from bot.platforms import discord_embeds, slack_blocks
from bot.platforms.replies import COMMAND_TIMEOUT_S
from bot.wording import failed, say
from briefings.brief import load_topics
from briefings.store import ChannelSetting, SettingChange, Store

log = logging.getLogger(__name__)

GROUP = "briefbot"
MAX_PREVIEW_MESSAGES = 4  # an ephemeral preview shows the brief's first messages, and says how many more

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
        self.on_change = on_change  # this worker's SettingsFollower.follow_now: the change is live here at once
        self._now = now

    async def answer(self, action: str, args: Mapping[str, str | None], caller: Caller, locale: str) -> AdminReply:
        """`run` in a worker thread within the commands' time limit; a change is then followed at once
        on this worker (the others follow within FOLLOW_EVERY_S)."""
        try:
            with command_timer(GROUP):
                async with asyncio.timeout(COMMAND_TIMEOUT_S):
                    reply = await asyncio.to_thread(self.run, action, args, caller, locale)
        except TimeoutError:
            # The worker thread is not stopped: a change it was saving may still be saved.
            log.error("/%s %s %r: no answer within %g s", GROUP, action, dict(args), COMMAND_TIMEOUT_S)
            return AdminReply(say(locale, "No answer in time: the change may still be saved. "
                                          "Check with /briefbot settings before trying again."), ok=False)
        if reply.change is not None and self.on_change is not None:
            await self.on_change()
        return reply

    def run(self, action: str, args: Mapping[str, str | None], caller: Caller, locale: str) -> AdminReply:
        """Answer an admin command (`action`: "subscribe"…); never raises. Blocking (the store): call
        it in a worker thread."""
        if not caller.allowed:
            return AdminReply(say(locale, "Only members with the Manage Server permission can change briefbot's "
                                          "settings.") if caller.platform == "discord" else
                              say(locale, "Only workspace admins and owners, or people named in briefbot's "
                                          "config.toml, can change its settings."), ok=False)
        if not caller.channel:
            return AdminReply(say(locale, "Use this command in the channel you want to set up."), ok=False)
        handler = {"subscribe": self.subscribe, "unsubscribe": self.unsubscribe, "settings": self.show,
                   "preview": self.preview, "mute": self.mute, "resume": self.resume}.get(action)
        if handler is None:
            return self._unknown(action, locale)
        try:
            return handler(caller, locale, **{k: v for k, v in args.items() if v not in (None, "")})
        except Refusal as exc:
            return exc.reply
        except TypeError as exc:  # an argument the action does not take
            log.info("/%s %s: bad arguments %r: %s", GROUP, action, dict(args), exc)
            return self._unknown(action, locale)
        except Exception:
            log.exception("/%s %s %r failed", GROUP, action, dict(args))
            return AdminReply(failed(locale), ok=False)

    def _unknown(self, action: str, locale: str) -> AdminReply:
        names = ", ".join(f"/{path}" for path in paths() if path.startswith(f"{GROUP} "))
        typed = f"{GROUP} {action}"
        return AdminReply(say(locale, "Unknown command “{name}”. Commands: {names}", name=typed, names=names), ok=False)

    # --- actions ----------------------------------------------------------------------------------

    def subscribe(self, caller: Caller, locale: str, topic: str | None = None, schedule: str | None = None,
                  timezone: str | None = None, language: str | None = None) -> AdminReply:
        slug = self._topic(topic, locale)
        if schedule is not None:  # copied from the README or a Slack habit into Discord's field: '"0 8 * * *"'
            schedule = schedule.strip().strip('"“”«»').strip() or None
        if timezone is not None and (reason := timezone_problem(timezone)) is not None:
            raise Refusal(say(locale, "Time zone refused: {reason}", reason=reason))
        if language is not None and (reason := language_problem(language)) is not None:
            raise Refusal(say(locale, "Language refused: {reason}", reason=reason))

        def decide(current: LayeredChannel, stored: ChannelSetting) -> tuple[ChannelSetting, dict[str, Any]]:
            zone = timezone or current.channel.timezone
            if schedule is not None and (reason := schedule_problem(schedule, zone)) is not None:
                raise Refusal(say(locale, "Schedule refused: {reason}", reason=reason))
            setting = replace(stored, topics=tuple(dict.fromkeys((*current.channel.topics, slug))),
                              schedule=schedule or stored.schedule, timezone=timezone or stored.timezone,
                              language=language or stored.language)
            after = layer(self.settings, caller.platform, caller.channel, setting).channel
            return setting, {"action": "subscribe", "topic": slug, "schedule": after.schedule,
                             "timezone": after.timezone, "language": after.language}

        return self._change(caller, locale, decide, say(locale, "This channel now receives {topic}", topic=slug))

    def unsubscribe(self, caller: Caller, locale: str, topic: str | None = None) -> AdminReply:
        gone: list[str] = []

        def decide(current: LayeredChannel, stored: ChannelSetting) -> tuple[ChannelSetting, dict[str, Any]]:
            topics = current.channel.topics
            if not topics:
                raise Refusal(say(locale, "This channel receives no brief."))
            if topic is not None and topic.lower() not in topics:
                raise Refusal(say(locale, "This channel does not receive “{topic}”; it receives: {topics}.",
                                  topic=topic, topics=", ".join(topics)))
            gone[:] = [topic.lower()] if topic is not None else topics
            setting = replace(stored, topics=tuple(t for t in topics if t not in gone))
            return setting, {"action": "unsubscribe", "topics": list(gone)}

        reply = self._change(caller, locale, decide, "")
        reply.title = say(locale, "This channel no longer receives {topics}", topics=", ".join(gone))
        return reply

    def mute(self, caller: Caller, locale: str) -> AdminReply:
        return self._set_muted(caller, locale, True)

    def resume(self, caller: Caller, locale: str) -> AdminReply:
        return self._set_muted(caller, locale, False)

    def show(self, caller: Caller, locale: str) -> AdminReply:
        """What this channel gets and when, where each value comes from, and the next brief's time."""
        return AdminReply(say(locale, "briefbot in this channel"), describe(self._current(caller), locale, self._now()))

    def preview(self, caller: Caller, locale: str) -> AdminReply:
        """What the next brief would post if it were due now, built by the brief job's own code and
        recording nothing (the channel is still told it all at its next brief)."""
        current = self._current(caller)
        if not current.channel.topics:
            raise Refusal(say(locale, "This channel receives no brief yet: subscribe it to a topic first."))
        messages = self._preview(current.channel, self._now())
        title = say(locale, "Preview: the next brief as it stands now (only you see this)")
        if not messages:
            nothing = say(locale, "Nothing new for this channel now: the next brief would post nothing.")
            return AdminReply(title, [nothing])
        more = len(messages) - MAX_PREVIEW_MESSAGES
        lines = [say(locale, "…and {count} more message(s) in the brief.", count=more)] if more > 0 else []
        return AdminReply(title, lines, messages[:MAX_PREVIEW_MESSAGES])

    def channel_language(self, platform: str, channel: str) -> str:
        """The channel's brief language as set now (chat over config.toml over the defaults): what a
        command from someone whose own language the platform does not give is answered in."""
        return self._current(Caller(platform, channel, "", "", allowed=False)).channel.language

    # --- helpers ------------------------------------------------------------------------------------

    def _current(self, caller: Caller) -> LayeredChannel:
        """The channel's settings as stored now (not as this worker last planned them: another worker
        may have taken a change since)."""
        key = f"{caller.platform}:{caller.channel}"
        return layer(self.settings, caller.platform, caller.channel, self.store.channel_setting(key))

    def _topic(self, slug: str | None, locale: str) -> str:
        if slug and slug.lower() in self.topics:
            return slug.lower()
        title = say(locale, "Unknown topic “{topic}”.", topic=slug) if slug else say(
            locale, "Say which topic: subscribe <topic> [schedule] [time zone] [fr|en|both].")
        raise Refusal(title, [say(locale, "Known topics: {topics}", topics=", ".join(self.topics))])

    def _set_muted(self, caller: Caller, locale: str, muted: bool) -> AdminReply:
        def decide(current: LayeredChannel, stored: ChannelSetting) -> tuple[ChannelSetting, dict[str, Any]]:
            if not current.channel.topics:
                raise Refusal(say(locale, "This channel receives no brief."))
            return replace(stored, muted=muted), {"action": "mute" if muted else "resume"}

        title = say(locale, "Briefs are muted in this channel") if muted else say(
            locale, "Briefs are back on in this channel")
        return self._change(caller, locale, decide, title)

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
    where = {name: layer_words(which, locale) for name, which in current.layers.items()}
    lines = [say(locale, "Topics: {value} — {layer}", value=", ".join(channel.topics) or say(locale, "none"),
                 layer=where["topics"]),
             say(locale, "Schedule: {value} — {layer}", value=channel.schedule, layer=where["schedule"]),
             say(locale, "Time zone: {value} — {layer}", value=channel.timezone, layer=where["timezone"]),
             say(locale, "Language: {value} — {layer}", value=channel.language, layer=where["language"])]
    upcoming = current.next_brief(now)
    if upcoming is not None:
        when = f"{upcoming:%Y-%m-%d %H:%M} ({channel.timezone})"
        lines.append(say(locale, "Next brief: {when}", when=when))
    else:
        lines.append(say(locale, "Next brief: none (no topic, or muted)."))
    if current.muted:
        lines.append(say(locale, "Muted: no brief is posted until `resume`."))
    stored = current.stored
    if stored is not None and stored.updated_at is not None:
        changed = f"{stored.updated_at.astimezone(UTC):%Y-%m-%d %H:%M}"
        lines.append(say(locale, "Last changed from chat by {who}, {when} UTC.", who=stored.updated_by, when=changed))
    return lines


def change_line(change: SettingChange, locale: str) -> str:
    """The admin channel's line about one change, in its language: who, where, what."""
    what = change.what
    if what["action"] == "subscribe":
        done = say(locale, "subscribed to {topic}; briefs at {schedule} ({timezone}), language {language}",
                   topic=what["topic"], schedule=what["schedule"], timezone=what["timezone"],
                   language=what["language"])
    elif what["action"] == "unsubscribe":
        done = say(locale, "unsubscribed from {topics}", topics=", ".join(what["topics"]))
    else:
        done = say(locale, "muted the briefs") if what["action"] == "mute" else say(locale, "resumed the briefs")
    return say(locale, "{who} in {channel}: {what}", who=change.who, channel=change.channel_key, what=done)


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
        platform, locale = (self.admin.platform, self.admin.language) if self.admin else ("discord", "en")
        module = slack_blocks if platform == "slack" else discord_embeds

        async def build() -> list[dict[str, Any]]:
            return [module.reply_message(say(locale, "Channel settings changed"), [change_line(change, locale)])]

        return build
