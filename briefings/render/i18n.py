"""gettext catalogs for the brief's wording, compiled in memory when first used.

The `.po` files under `briefings/locales/` are the only source: compiling them here with Babel means
no build step and no `.mo` files in the tree.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("fr", "en")


@cache
def translations(locale: str) -> Translations:
    """The catalog of `locale` ("fr" or "en") as gettext Translations."""
    if locale not in LOCALES:
        raise ValueError(f"unsupported locale {locale!r}; expected one of {LOCALES}")
    po = Path(__file__).resolve().parents[1] / "locales" / locale / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)
