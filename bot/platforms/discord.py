"""Discord through discord.py: the client (slash commands synced in `setup_hook`) and the Poster.

Mentions are off bot-wide (`AllowedMentions.none()`); the only ping the bot can send is a channel's
configured role, allowed for that one message. Every brief part carries its mark twice: as the
nonce, with `enforce_nonce` (Discord returns the first message for a repeat within a few minutes,
but keeps nonces only that long and does not return them in channel history), and where readers
do not see it and Discord keeps it: the fragment of its first embed's link
(`…/article#briefbot-<mark>~<parts>`; a fragment never reaches the article's site). A message with no link
(a report, "nothing new", a part posted as plain text) carries it in its footer or last line.
`posted_parts` looks for these in the bot's recent messages after a restart.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urldefrag

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.app_commands import locale_str
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.admin_commands import Caller, ChannelAdmin, admin_messages
from bot.command_registry import (
    NAME_CONTEXT,
    OPTION_CONTEXT,
    PUBLIC,
    REGISTRY,
    Command,
    Group,
    command_path,
    flag_value,
)
from bot.commands import Commands
from bot.platforms import Mark, Place, PostError
from bot.platforms.replies import reply_messages, run_command
from bot.safety import discord_escape, discord_plain
from bot.wording import failed, locale_of, text

log = logging.getLogger(__name__)

HISTORY_LIMIT = 100
_TOO_LONG = ("BASE_TYPE_MAX_LENGTH", "or fewer in length", "Embed size exceeds")


def use_api_base(url: str) -> None:
    """Send discord.py's REST calls and gateway connection to `url` (a proxy, or a loopback fake)."""
    base = url.rstrip("/")
    Route.BASE = f"{base}/api/v10"
    gateway = base.replace("https://", "wss://").replace("http://", "ws://") + "/gateway"
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)


class _BriefHooks:
    """What both clients add to discord.py's: a command tree synced in `setup_hook`, mentions off,
    tolerant parsers, and a hook when the gateway is ready (all shards, for a sharded client)."""

    def __init__(self, install_commands: Callable[[app_commands.CommandTree], None] | None = None,
                 on_ready_hook: Callable[[], Awaitable[None]] | None = None, **options: Any) -> None:
        super().__init__(intents=discord.Intents(guilds=True), allowed_mentions=discord.AllowedMentions.none(),
                         **options)
        client: discord.Client = self  # type: ignore[assignment]
        _tolerate_bad_payloads(client._connection.parsers)
        self.tree = app_commands.CommandTree(client)
        self._install_commands = install_commands
        self._on_ready_hook = on_ready_hook

    async def setup_hook(self) -> None:
        if self._install_commands is not None:
            await self.tree.set_translator(CatalogTranslator())
            self._install_commands(self.tree)
            synced = await self.tree.sync()
            log.info("discord: %d application commands synced", len(synced))

    async def on_ready(self) -> None:
        if self._on_ready_hook is not None:
            await self._on_ready_hook()

    async def on_resumed(self) -> None:
        """A resumed session is as connected as a fresh one."""
        await self.on_ready()


class BriefClient(_BriefHooks, discord.Client):
    """discord.py client with a command tree; `install_commands` registers them before the sync."""


class ShardedBriefClient(_BriefHooks, discord.AutoShardedClient):
    """The same, holding only the shards `shard_ids` of `shard_count`: the other shards (the other
    guilds' events and commands) are other workers' (`[workers] discord_shards`)."""


def brief_client(install_commands: Callable[[app_commands.CommandTree], None] | None = None,
                 on_ready_hook: Callable[[], Awaitable[None]] | None = None, *,
                 shard_ids: tuple[int, ...] | None = None, shard_count: int | None = None) -> BriefClient:
    """An unsharded client (one gateway connection, a lone worker's), or a sharded one when the
    worker is given its shards."""
    if shard_ids is None:
        return BriefClient(install_commands, on_ready_hook)
    return ShardedBriefClient(install_commands, on_ready_hook,  # type: ignore[return-value]
                              shard_ids=list(shard_ids), shard_count=shard_count)


def _tolerate_bad_payloads(parsers: dict[str, Callable[[Any], None]]) -> None:
    """Keep the gateway loop alive through payloads discord.py cannot parse.

    discord.py's gateway loop ends with an exception when one event handler raises, and it raises on
    payloads Discord really sends (`"poll": null` in MESSAGE_CREATE breaks discord.py 2.7): every slash
    command then failed until a restart. Each parser is wrapped: an event that fails is parsed again
    without its null fields (null means "absent" in Discord's payloads), and one that still fails is
    dropped with a log line naming the event, never the whole connection. The parsers live in
    discord.py's ConnectionState (`Client._connection.parsers`), the one place every event goes through.
    """
    for event, parser in list(parsers.items()):
        parsers[event] = _tolerant(event, parser)


def _tolerant(event: str, parser: Callable[[Any], None]) -> Callable[[Any], None]:
    def parse(data: Any) -> None:
        try:
            parser(data)
            return
        except Exception as exc:
            if not isinstance(data, dict) or None not in data.values():
                log.warning("discord: dropped a %s event discord.py cannot parse: %r", event, exc)
                return
        try:
            parser({k: v for k, v in data.items() if v is not None})
        except Exception as exc:
            log.warning("discord: dropped a %s event discord.py cannot parse: %r", event, exc)

    return parse


MARK_FRAGMENT = "briefbot-"


def footer_text(mark: Mark) -> str:
    return f"briefbot · {mark.part}/{mark.total} · {mark.token}"


def marked_embeds(embeds: list[dict[str, Any]], mark: Mark) -> list[dict[str, Any]]:
    """The embeds with `mark` in the fragment of the first one's link, or, when none links, at the end
    of the last one's footer."""
    out = [dict(e) for e in embeds]
    linked = next((e for e in out if e.get("url")), None)
    if linked is not None:
        linked["url"] = f"{urldefrag(linked['url']).url}#{MARK_FRAGMENT}{mark.token}~{mark.total}"
    elif out:
        footer = (out[-1].get("footer") or {}).get("text")
        out[-1]["footer"] = {"text": f"{footer} · {mark.token}" if footer else footer_text(mark)}
    return out


def mark_tokens(message: discord.Message) -> list[str]:
    """Where a posted message may carry its mark: link fragments, then the footers' and the text's last word."""
    fragments = [urldefrag(e.url).fragment for e in message.embeds if e.url]
    tokens = [f[len(MARK_FRAGMENT):].split("~")[0] for f in fragments if f.startswith(MARK_FRAGMENT)]
    texts = [embed.footer.text or "" for embed in message.embeds] + [message.content or ""]
    return tokens + [text.rsplit(" ", 1)[-1] for text in texts]


class DiscordPoster:
    """Posts brief parts to Discord channels through a logged-in discord.py client."""

    platform = "discord"

    def __init__(self, client: discord.Client) -> None:
        self.client = client
        self.login_refused: str | None = None  # why the last login was refused (a bad or revoked token)

    async def post(self, channel: str, message: dict[str, Any], mark: Mark | None = None,
                   mention_role: str | None = None) -> str:
        self._logged_in()
        data = message.get("embeds", [])
        embeds = [discord.Embed.from_dict(e) for e in (marked_embeds(data, mark) if mark is not None else data)]
        content = message.get("content")
        if mark is not None and not embeds:  # plain text: the mark goes on a small last line
            content = f"{content or ''}\n-# {discord_plain(footer_text(mark))}"
        allowed = discord.AllowedMentions.none()
        if mention_role:  # opt-in per channel, from config only, never from feed text
            content = f"<@&{int(mention_role)}>" + (f"\n{content}" if content else "")
            allowed = discord.AllowedMentions(everyone=False, users=False,
                                              roles=[discord.Object(int(mention_role))])
        target = self.client.get_partial_messageable(int(channel))
        sent = await _call(target.send(content=content, embeds=embeds, allowed_mentions=allowed,
                                       nonce=mark.token if mark else None))
        return str(sent.id)

    def _logged_in(self) -> None:
        """Posting before the REST login has succeeded would be refused as unauthorised, which is
        permanent; not logged in *yet* is worth a retry, so the brief stays pending instead. A token
        the login itself refused pauses Discord like a refused post does (the admin is told)."""
        if self.login_refused is not None:
            raise PostError(f"discord: the token was refused at login: {self.login_refused}", kind="auth")
        if self.client.http.token is None or self.client.is_closed():
            raise PostError("discord: not logged in yet")

    async def posted_parts(self, channel: str, brief_key: str, since: datetime) -> dict[Place, str]:
        self._logged_in()
        me = self.client.user.id if self.client.user else None
        target = self.client.get_partial_messageable(int(channel))
        found: dict[Place, str] = {}

        async def scan() -> None:
            after = discord.Object(discord.utils.time_snowflake(since))
            async for msg in target.history(limit=HISTORY_LIMIT, after=after):
                if msg.author.id != me:
                    continue
                for token in mark_tokens(msg):
                    place = Mark.place_in(brief_key, token)
                    if place is not None:
                        found[place] = str(msg.id)

        await _call(scan())
        return found


async def _call(coro: Awaitable[Any]) -> Any:
    """Await a discord.py call, turning its errors into PostError (discord.py already waited out
    429s up to its own limit; a longer one surfaces as RateLimited with the wait)."""
    try:
        return await coro
    except discord.RateLimited as exc:
        raise PostError(f"discord rate limited for {exc.retry_after:.1f}s", retry_after=exc.retry_after) from exc
    except discord.HTTPException as exc:
        raise PostError(f"discord HTTP {exc.status}: {exc.text}", kind=_kind(exc)) from exc
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise PostError(f"discord unreachable: {exc!r}") from exc


async def _go_private(interaction: discord.Interaction) -> bool:
    """Make the rest of a public request's answer private: the first follow-up after a public defer
    replaces the public "thinking…" message, so that message is deleted first. Returns `public`."""
    try:
        await interaction.delete_original_response()
    except discord.HTTPException:
        log.warning("discord: could not withdraw the public placeholder of an interaction")
        return True
    return False


async def _answer_error(interaction: discord.Interaction, public: bool, locale: str) -> None:
    """The one-sentence error reply, ephemeral (the public placeholder withdrawn first)."""
    if public:
        await _go_private(interaction)
    embed = discord.Embed(description=discord_escape(failed(locale)))
    try:
        await interaction.followup.send(embeds=[embed], ephemeral=True, allowed_mentions=discord.AllowedMentions.none())
    except Exception:
        log.exception("discord: the error reply could not be sent either")


def _kind(exc: discord.HTTPException) -> str:
    """What a refusal means for a retry: 401 the token, 403/404 the channel, 400/413 the payload."""
    if exc.status == 401:
        return "auth"
    if exc.status in (403, 404):
        return "permanent"
    if exc.status == 413 or (exc.status == 400 and any(m in (exc.text or "") for m in _TOO_LONG)):
        return "too_long"
    if exc.status == 400:
        return "rejected"
    return "transient"


def command_installer(commands: Commands, registry: tuple[Command | Group, ...] = REGISTRY, *,
                      admin: ChannelAdmin | None = None) -> Callable[[app_commands.CommandTree], None]:
    """Registers the commands of `registry` on a tree, with names and descriptions as `locale_str`
    for `CatalogTranslator` (an admin group only given `admin`, which answers it). Each one defers at
    once (ephemeral unless `public`), does the work in a thread, then follows up: Discord's 3-second
    window is met by the defer."""

    async def respond(interaction: discord.Interaction, name: str, args: dict[str, str | None],
                      public: bool) -> None:
        locale = locale_of(str(interaction.locale))
        await interaction.response.defer(ephemeral=not public, thinking=True)
        try:
            reply = await run_command(commands, name, args, locale)
            if public and not reply.ok:
                public = await _go_private(interaction)
            messages = reply_messages("discord", reply)
            for i, message in enumerate(messages):
                # The reply's files (a chart, a calendar) go with its last message.
                files = [discord.File(io.BytesIO(f.data), filename=f.filename) for f in reply.files
                         ] if i == len(messages) - 1 else []
                await interaction.followup.send(embeds=[discord.Embed.from_dict(e) for e in message["embeds"]],
                                                ephemeral=not public, allowed_mentions=discord.AllowedMentions.none(),
                                                **({"files": files} if files else {}))
        except Exception:  # any failure after the defer ends in an answer, never "thinking…" forever
            log.exception("discord: /%s failed while answering", name)
            await _answer_error(interaction, public, locale)

    async def respond_admin(interaction: discord.Interaction, action: str, args: dict[str, str | None]) -> None:
        """An admin subcommand, always private. Discord hides the group from members without Manage
        Server by default, but a server can open it to anyone: the caller's permissions in this
        channel are checked again on every call."""
        locale = locale_of(str(interaction.locale))
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            assert admin is not None
            allowed = interaction.guild_id is not None and interaction.permissions.manage_guild
            caller = Caller("discord", str(interaction.channel_id or ""), str(interaction.user.id),
                            interaction.user.name, allowed)
            reply = await admin.answer(action, args, caller, locale)
            for message in admin_messages("discord", reply):
                await interaction.followup.send(embeds=[discord.Embed.from_dict(e) for e in message["embeds"]],
                                                content=message.get("content"), ephemeral=True,
                                                allowed_mentions=discord.AllowedMentions.none())
        except Exception:  # any failure after the defer ends in an answer, never "thinking…" forever
            log.exception("discord: /%s failed while answering", action)
            await _answer_error(interaction, False, locale)

    def suggester(source: str) -> Callable[..., Awaitable[list[app_commands.Choice[str]]]]:
        async def suggest(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            pairs = await asyncio.to_thread(commands.suggest, source, current, locale_of(str(interaction.locale)))
            return [app_commands.Choice(name=label[:100], value=value) for label, value in pairs]

        return suggest

    def callback(command: Command, group: Group | None) -> Callable[..., Awaitable[None]]:
        """A callback whose signature declares the command's options, as discord.py reads them."""
        path = command_path(command, group)

        async def run(interaction: discord.Interaction, **values: Any) -> None:
            public = bool(values.pop(PUBLIC.name, False))
            args = {k: flag_value(v) if isinstance(v, bool) else v for k, v in values.items()}
            if group is not None and group.admin:
                await respond_admin(interaction, command.name, args)
            else:
                await respond(interaction, path, args, public)

        params = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                    annotation=discord.Interaction)]
        for option in command.options:
            kind = bool if option.kind is bool else str if option.required else str | None
            default = inspect.Parameter.empty if option.required else False if option.kind is bool else None
            params.append(inspect.Parameter(option.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=kind,
                                            default=default))
        run.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        options = command.options
        app_commands.rename(**{o.name: locale_str(o.name, context=OPTION_CONTEXT) for o in options})(run)
        app_commands.describe(**{o.name: locale_str(o.description) for o in options})(run)
        app_commands.choices(**{o.name: [app_commands.Choice(name=locale_str(c.name), value=c.value)
                                         for c in o.choices] for o in options if o.choices})(run)
        app_commands.autocomplete(**{o.name: suggester(o.autocomplete) for o in options if o.autocomplete})(run)
        return run

    def build(command: Command, group: Group | None, parent: app_commands.Group | None) -> app_commands.Command:
        return app_commands.Command(name=locale_str(command.name, context=NAME_CONTEXT),
                                    description=locale_str(command.description),
                                    callback=callback(command, group), parent=parent)

    def install(tree: app_commands.CommandTree) -> None:
        for entry in registry:
            if isinstance(entry, Group) and entry.admin and admin is None:
                continue  # nothing here could answer it
            if isinstance(entry, Group):  # a login after a restart adds them again: override
                manage = discord.Permissions(manage_guild=True) if entry.admin else None
                group = app_commands.Group(name=locale_str(entry.name, context=NAME_CONTEXT),
                                           description=locale_str(entry.description), guild_only=entry.admin,
                                           default_permissions=manage)
                for command in entry.commands:
                    group.add_command(build(command, entry, group))
                tree.add_command(group, override=True)
            else:
                tree.add_command(build(entry, None, None), override=True)

    return install


class CatalogTranslator(app_commands.Translator):
    """Command names, descriptions and choices in the user's language, from the bot's catalogs: the
    registry's English text is the msgid, and names carry their msgctxt in the locale_str's extras."""

    LOCALES: ClassVar[dict[discord.Locale, str]] = {
        discord.Locale.french: "fr", discord.Locale.american_english: "en", discord.Locale.british_english: "en"}

    async def translate(self, string: locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        language = self.LOCALES.get(locale)
        return None if language is None else text(language, string.message, string.extras.get("context"))
