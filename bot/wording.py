"""Every sentence the bot says in chat (command replies, notes on briefs, admin reports) and the
names and descriptions of its commands, from one pair of gettext catalogs.

`bot/locales/{en,fr}/LC_MESSAGES/bot.po` hold the wording; the English text is the msgid (standard
gettext), so code reads as what it says and a missing translation falls back to English. They are
compiled with Babel like the brief catalogs (`briefings.render.i18n.compiled_catalog`).
tests/test_wording.py checks that every msgid the code uses has a French translation and that no
catalog entry is unused, so the catalogs cannot drift from the code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.support import Translations

from briefings.render.i18n import LOCALES, compiled_catalog

CATALOGS = Path(__file__).resolve().parent / "locales"


def locale_of(tag: str | None) -> str:
    """A platform's locale tag ("fr", "fr-FR", "en-GB") reduced to a wording language."""
    return "fr" if (tag or "").lower().startswith("fr") else "en"


def catalog(locale: str) -> Translations:
    """The bot's catalog of `locale`; any locale but "fr" reads English."""
    chosen = locale if locale in LOCALES else "en"
    return compiled_catalog(CATALOGS / chosen / "LC_MESSAGES" / "bot.po", chosen)


def text(locale: str, msgid: str, context: str | None = None) -> str:
    """`msgid` in `locale`, under the msgctxt `context` when given (command and option names)."""
    words = catalog(locale)
    return words.pgettext(context, msgid) if context else words.gettext(msgid)


def say(locale: str, msgid: str, **values: Any) -> str:
    """`msgid` in `locale` with its `{name}` placeholders filled: `say("fr", "Unknown topic “{topic}”.",
    topic=slug)`. Values go in as given; each platform's formatter escapes the finished line."""
    return text(locale, msgid).format(**values)


def failed(locale: str) -> str:
    """The one sentence every unexpected failure of a command is answered with."""
    return say(locale, "Something went wrong; the error was logged. Please try again later.")
