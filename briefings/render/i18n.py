"""gettext catalogs, compiled in memory when first used: the brief's wording here, the chat
wording (`bot/wording.py`) through the same `compiled_catalog`.

The `.po` files (`briefings/locales/`, `bot/locales/`) are the only source: compiling them here
with Babel means no build step and no `.mo` files in the tree.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import BaseLoader, Environment, StrictUndefined

LOCALES = ("fr", "en")


@cache
def compiled_catalog(po: Path, locale: str) -> Translations:
    """The `.po` file `po` of `locale` compiled in memory as gettext Translations (msgctxt included)."""
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def translations(locale: str) -> Translations:
    """The brief catalog of `locale` ("fr" or "en") as gettext Translations."""
    if locale not in LOCALES:
        raise ValueError(f"unsupported locale {locale!r}; expected one of {LOCALES}")
    return compiled_catalog(Path(__file__).resolve().parents[1] / "locales" / locale / "LC_MESSAGES" / "messages.po",
                            locale)


def template_environment(loader: BaseLoader, locale: str) -> Environment:
    """A Jinja2 environment with the catalog of `locale` installed: every output format (text,
    Markdown, and the chat formats in `bot/`) shares these settings, so they all fail loudly on a
    missing value (StrictUndefined) and escape through their own filters, never autoescape."""
    env = Environment(
        loader=loader,
        extensions=["jinja2.ext.i18n"],
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return env
