"""The slash commands, declared once: each command's name, description and options (type,
description, required, choices, autocomplete source). Discord's command tree
(`bot.platforms.discord.command_installer`) and Slack's text parser and usage help (`parse_text`,
`usage`) are both built from `REGISTRY`, so the two platforms cannot disagree on what a command takes.

Names, descriptions and choice names are English msgids of the bot's catalogs
(`bot/locales/*/LC_MESSAGES/bot.po`): Discord shows them in each user's language through a
Translator over those catalogs; command and option names are translated under the msgctxt
`NAME_CONTEXT` / `OPTION_CONTEXT`, since "missions" the command and "Missions" the title differ.

Adding a command:
1. Declare it in `REGISTRY`: `Command("name", "What it does.", (Option(...), ..., PUBLIC))`. Options
   are `str` (or `bool`, a flag) and Discord wants the required ones first. `autocomplete` names a
   source of `Commands.suggest` ("topics", "actors").
2. A group of subcommands (`/briefbot subscribe …`) is a `Group("briefbot", "…", (Command(...), …))`
   in `REGISTRY`: one `app_commands.Group` on Discord, one slash command on Slack whose first word
   picks the subcommand (`/briefbot subscribe ukraine-aid`). A group with `admin=True` changes the
   channel's settings: Discord registers it for Manage Server by default, each platform checks the
   caller on every call, and `bot.admin_commands.ChannelAdmin` answers it (not `Commands`).
3. Handle it in `Commands.run` (bot/commands.py) under its path, `command_path(...)`: "summary", or
   "briefbot subscribe" for a subcommand; the options arrive as keyword arguments (PUBLIC excepted:
   the platforms use it to answer in the channel). An admin group's subcommand: in `ChannelAdmin.run`.
4. Translate its names (msgctxt "command name" / "option name") and descriptions in
   bot/locales/fr/LC_MESSAGES/bot.po and add them to the English catalog; tests/test_wording.py
   fails until you do.
5. Slack only: create the slash command (`/name`) in the Slack app; the bot answers every command
   of `REGISTRY`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.wording import say, text

NAME_CONTEXT = "command name"
OPTION_CONTEXT = "option name"


@dataclass(frozen=True)
class Choice:
    """A fixed value an option offers; `name` is shown (translated), `value` is what the command gets."""

    name: str
    value: str


@dataclass(frozen=True)
class Option:
    """A command's option. On Slack, options are given by position (in declaration order) or as
    `name:value`; a `rest` option takes every word typed (a free-text query); a `bool` option is a flag
    word at the end (its name or one of its `aliases`)."""

    name: str
    description: str
    kind: type = str
    required: bool = False
    choices: tuple[Choice, ...] = ()
    autocomplete: str | None = None
    rest: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class Group:
    """Subcommands under one name: `/group sub …`. `admin`: only those who may change the channel's
    settings use it (Discord: Manage Server; Slack: workspace admins and owners, `[admin] slack_admins`)."""

    name: str
    description: str
    commands: tuple[Command, ...]
    admin: bool = False


PUBLIC = Option("public", "Post the answer in the channel, not only to you", bool, aliases=("channel",))
_TOPIC = Option("topic", "Topic to brief on (see /topics)", required=True, autocomplete="topics")
_DONOR = Option("donor", "Country or organisation giving the aid", autocomplete="actors")
_RECIPIENT = Option("recipient", "Country or organisation receiving the aid", autocomplete="actors")
_LANGUAGES = (Choice("French", "fr"), Choice("English", "en"), Choice("Both", "both"))

REGISTRY: tuple[Command | Group, ...] = (
    Command("summary", "The newest stories of a topic", (
        _TOPIC,
        Option("lang", "Language of the brief (default: yours)", choices=_LANGUAGES),
        Option("since", "Only stories since: 24h, 7d or a date such as 2026-02-12"),
        PUBLIC)),
    Command("pledges", "Aid pledges, by donor and recipient", (_DONOR, _RECIPIENT, PUBLIC)),
    Command("ledger", "Pledges over time, with totals and a chart", (
        _DONOR, _RECIPIENT, Option("since", "Only pledges since: 30d or a date such as 2026-02-12"), PUBLIC)),
    Command("missions", "Missions and operations in the stories", (PUBLIC,)),
    Command("dates", "Upcoming dates, with a calendar file", (
        Option("topic", "Only the dates of this topic", autocomplete="topics"), PUBLIC)),
    Command("topics", "Topics you can follow", (PUBLIC,)),
    Command("sources", "Where a story or a fact comes from", (
        Option("query", "A story id, or words from a headline or a fact", required=True, rest=True), PUBLIC)),
    Group("briefbot", "Set up this channel's briefs (server admins)", (
        Command("subscribe", "Post a topic's briefs in this channel", (
            Option("topic", "Topic to post here (see /topics)", required=True, autocomplete="topics"),
            Option("schedule", "When, as a crontab line: 0 8 * * * is 08:00 every day"),
            Option("timezone", "Time zone of the schedule, such as Europe/Paris"),
            Option("language", "Language of the briefs", choices=_LANGUAGES))),
        Command("unsubscribe", "Stop a topic (or every brief) in this channel", (
            Option("topic", "Topic to stop (default: all of them)", autocomplete="topics"),)),
        Command("settings", "What this channel gets, when, and where each value comes from"),
        Command("preview", "The next brief as it would read now, shown only to you"),
        Command("mute", "Hold this channel's briefs"),
        Command("resume", "Post this channel's briefs again")), admin=True),
)


def command_path(command: Command, group: Group | None = None) -> str:
    """The name `Commands.run` knows a command by: "summary", or "briefbot subscribe" in a group."""
    return f"{group.name} {command.name}" if group else command.name


def slash_names(registry: tuple[Command | Group, ...] = REGISTRY) -> list[str]:
    """The top-level slash commands: one per command, one per group."""
    return [entry.name for entry in registry]


def paths(registry: tuple[Command | Group, ...] = REGISTRY) -> list[str]:
    """Every command's path, subcommands included."""
    return [command_path(c, entry if isinstance(entry, Group) else None)
            for entry in registry for c in (entry.commands if isinstance(entry, Group) else (entry,))]


@dataclass(frozen=True)
class Invocation:
    """A Slack command's text read against its declaration."""

    path: str
    args: dict[str, str | None]
    public: bool


class UsageError(ValueError):
    """The text does not fit the command (an unknown subcommand or option); `lines` is the usage help."""

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__(title)
        self.title = title
        self.lines = lines


def parse_text(slash: str, words_typed: str, locale: str = "en",
               registry: tuple[Command | Group, ...] = REGISTRY) -> Invocation:
    """A Slack command's free text as a command path, its arguments and whether to answer in the
    channel: `/summary ukraine-aid fr`, `/pledges GB UA`, `/pledges recipient:UA public`,
    `/sources words…`, `/briefbot subscribe …`; option names in English or in `locale`
    (`donateur:NO`). Raises UsageError (in `locale`) on text that does not fit."""
    name = slash.lstrip("/")
    entry = next((e for e in registry if e.name == name), None)
    if entry is None:
        raise UsageError(say(locale, "Unknown command “{name}”. Commands: {names}", name=name,
                             names=", ".join(f"/{n}" for n in slash_names(registry))), [])
    words = split_words(words_typed)
    group: Group | None = None
    if isinstance(entry, Group):
        group = entry
        wanted = words[0].lower() if words else ""
        command = next((c for c in entry.commands if c.name == wanted), None)
        if command is None:
            raise UsageError(say(locale, "Usage of /{name}", name=entry.name), usage(entry, locale))
        words = words[1:]
    else:
        command = entry
    flags = {word: o for o in command.options if o.kind is bool
             for word in (o.name, f"--{o.name}", option_name(o, locale), *o.aliases)}
    given: set[str] = set()
    while words and words[-1].lower() in flags:
        given.add(flags[words.pop().lower()].name)
    public = PUBLIC.name in given
    switches: dict[str, str | None] = {o.name: flag_value(o.name in given) for o in command.options
                                       if o.kind is bool and o is not PUBLIC}
    valued = [o for o in command.options if o.kind is not bool]
    if any(o.rest for o in valued):
        args = {o.name: " ".join(words) or None for o in valued}
        return Invocation(command_path(command, group), args | switches, public)
    names = {word: o.name for o in valued for word in (o.name, option_name(o, locale))}
    named = {k.lower(): v for k, _, v in (w.partition(":") for w in words if ":" in w and not w.startswith("http"))}
    positional = [w for w in words if ":" not in w or w.startswith("http")]
    if set(named) - set(names):
        raise UsageError(say(locale, "Usage of /{name}", name=entry.name), usage(entry, locale))
    by_name = {names[k]: v for k, v in named.items()}
    args = {o.name: by_name.get(o.name) or (positional[i] if i < len(positional) else None)
            for i, o in enumerate(valued)}
    return Invocation(command_path(command, group), args | switches, public)


def option_name(option: Option, locale: str) -> str:
    """An option's name in `locale`, as Discord shows it; Slack takes it as well as the English one
    (`/pledges donateur:NO`)."""
    return text(locale, option.name, OPTION_CONTEXT)


# Slack clients type typographic quotes; a quoted phrase is one word all the same.
_QUOTES = str.maketrans({"“": '"', "”": '"', "«": '"', "»": '"'})
_WORD = re.compile(r'"([^"]*)"|(\S+)')


# One field of a crontab line: `*`, `8`, `*/15`, `1-5`, `mon-fri`, `jan,jul`.
_CRON_FIELD = re.compile(r"(?:\*|\d{1,2}|[a-z]{3})(?:[-/,](?:\*|\d{1,2}|[a-z]{3}))*", re.IGNORECASE)
CRON_FIELDS = 5


def split_words(words_typed: str) -> list[str]:
    """The words of a Slack command's text; a phrase in double quotes is one word, so a schedule
    such as `"0 8 * * *"` is one value (an apostrophe, as in "l'Ukraine", is part of its word).

    Five crontab fields typed in a row without quotes are one word too: people type
    `/briefbot subscribe nato 0 8 * * *` and mean one schedule, not five values."""
    found = [(m.group(1), False) if m.group(1) is not None else (m.group(2), True)
             for m in _WORD.finditer(words_typed.translate(_QUOTES))]
    words: list[str] = []
    i = 0
    while i < len(found):
        run = found[i:i + CRON_FIELDS]
        if len(run) == CRON_FIELDS and all(bare and _CRON_FIELD.fullmatch(w) for w, bare in run):
            words.append(" ".join(w for w, _ in run))
            i += CRON_FIELDS
        else:
            words.append(found[i][0])
            i += 1
    return words


def admin_group(path: str, registry: tuple[Command | Group, ...] = REGISTRY) -> Group | None:
    """The admin group a command path ("briefbot subscribe") belongs to, if any."""
    head = path.split(" ", 1)[0]
    return next((e for e in registry if isinstance(e, Group) and e.admin and e.name == head), None)


def flag_value(on: bool) -> str | None:
    """A flag as `Commands.run` gets it, on either platform: "true" when set, else absent."""
    return "true" if on else None


def usage(entry: Command | Group, locale: str) -> list[str]:
    """One line per command (per subcommand of a group): `/summary <topic> [lang] [since] [public] —
    The newest stories of a topic`, in `locale`."""
    group = entry if isinstance(entry, Group) else None
    lines = []
    for command in group.commands if group else (entry,):
        shown = [f"<{option_name(o, locale)}>" if o.required else f"[{option_name(o, locale)}]"
                 for o in command.options]
        head = " ".join([f"/{command_path(command, group)}", *shown])
        lines.append(f"{head} — {text(locale, command.description)}")
    return lines
