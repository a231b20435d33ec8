"""The bot's catalogs against the code: every msgid the bot says (`say(locale, "…")` anywhere under
bot/) and every name, description and choice of the command registry has a French translation, the
English catalog holds the same entries, and no entry is left that nothing uses. Also the limits
Discord puts on command names and descriptions, in every language the Translator gives."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.command_registry import NAME_CONTEXT, OPTION_CONTEXT, REGISTRY, Group
from bot.wording import failed, say, text

BOT = Path(__file__).resolve().parents[1] / "bot"
_NAME = re.compile(r"^[-_\w]{1,32}$")  # Discord: letters, digits, - and _, lowercase where the script has case


def _said() -> set[tuple[str | None, str]]:
    found = extract_from_dir(str(BOT), [("**.py", "python")], keywords={"say": (2,)})
    return {(None, msg) for _, _, msg, _, _ in found}


def _declared() -> set[tuple[str | None, str]]:
    out: set[tuple[str | None, str]] = set()
    for entry in REGISTRY:
        out |= {(NAME_CONTEXT, entry.name), (None, entry.description)}
        for command in entry.commands if isinstance(entry, Group) else (entry,):
            out |= {(NAME_CONTEXT, command.name), (None, command.description)}
            for option in command.options:
                out |= {(OPTION_CONTEXT, option.name), (None, option.description)}
                out |= {(None, choice.name) for choice in option.choices}
    return out


def _catalog(locale: str) -> Catalog:
    with (BOT / "locales" / locale / "LC_MESSAGES" / "bot.po").open("rb") as fp:
        return read_po(fp, locale=locale)


def _entries(catalog: Catalog) -> dict[tuple[str | None, str], str]:
    return {(m.context, m.id): m.string for m in catalog if m.id}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_every_msgid_in_use_is_translated_and_none_is_stale(locale: str) -> None:
    used = _said() | _declared()
    assert (None, "Unknown topic “{topic}”.") in used and (NAME_CONTEXT, "summary") in used
    entries = _entries(_catalog(locale))
    assert {key for key, value in entries.items() if value} >= used, "missing or empty translations"
    assert set(entries) - used == set(), "stale catalog entries"


def test_translations_keep_the_placeholders() -> None:
    for (_, msgid), french in _entries(_catalog("fr")).items():
        assert _fields(french) == _fields(msgid), msgid


def test_names_and_descriptions_fit_discord_in_every_language() -> None:
    for context, msgid in _declared():
        for locale in ("fr", "en"):
            shown = text(locale, msgid, context)
            if context is None:
                assert 1 <= len(shown) <= 100, shown
            else:
                assert _NAME.match(shown) and shown == shown.lower(), shown


def test_say_fills_placeholders_in_the_asked_language() -> None:
    assert say("fr", "Unknown topic “{topic}”.", topic="atlantide") == "Thème inconnu « atlantide »."
    assert say("en-GB", "Unknown topic “{topic}”.", topic="atlantide") == "Unknown topic “atlantide”."
    assert failed("de").startswith("Something went wrong")  # a language without a catalog reads English
