"""Render a Brief for a locale and an output format.

`context()` does all the wording (gettext catalogs, Babel); a Jinja2 template per format only lays
the lines out and marks them up: `templates/<format>/brief.j2` (a heading and each story, also
rendered one by one for a brief in both languages). A new format (Slack, Discord) adds a
template, or builds its own payload from `context()`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader

from briefings.brief import Brief
from briefings.render.context import Line, Segment, context
from briefings.render.formatting import PACKAGE_DIR
from briefings.render.i18n import LOCALES, template_environment

__all__ = ["FORMATS", "LOCALES", "Line", "Segment", "context", "render", "render_bilingual"]

FORMATS = ("text", "markdown")

_MD_SPECIAL = re.compile(r"([\\`*_~|\[\]<>#])")
_BILINGUAL_SEPARATOR = {"text": "\n\n" + "─" * 40 + "\n\n", "markdown": "\n\n---\n\n"}


def markdown_escape(text: str) -> str:
    """Escape Markdown syntax in feed text, so a title cannot open a link, a heading or emphasis."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def markdown_url(url: str) -> str:
    """A URL safe inside `(…)` of a Markdown link."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unsupported format {fmt!r}; expected one of {FORMATS}")


@cache
def _environment(locale: str) -> Environment:
    env = template_environment(FileSystemLoader(PACKAGE_DIR / "templates"), locale)
    env.filters["md"] = markdown_escape
    env.filters["md_url"] = markdown_url
    return env


def render(brief: Brief, *, locale: str, fmt: str) -> str:
    """The brief in one language ("fr" | "en") and format ("text" | "markdown")."""
    _check_format(fmt)
    template = _environment(locale).get_template(f"{fmt}/brief.j2")
    return template.render(**context(brief, locale)).strip() + "\n"


def render_bilingual(brief: Brief, fmt: str, langs: Sequence[str] = ("fr", "en")) -> str:
    """The brief in each language, read as one brief: the heading in each language, then each
    story in each language in turn, a rule between stories. A brief with no story is each
    language's whole brief in turn (its "Nothing new.")."""
    _check_format(fmt)
    if len(langs) == 1 or not brief.stories:
        parts = [render(brief, locale=lang, fmt=fmt).strip() for lang in langs]
        return _BILINGUAL_SEPARATOR[fmt].join(parts) + "\n"
    contexts = {lang: context(brief, lang) for lang in langs}
    heading = "\n".join(_part(fmt, "heading.j2", lang, contexts[lang]) for lang in langs).strip()
    stories = ["\n\n".join(_part(fmt, "story.j2", lang, {**contexts[lang], "story": contexts[lang]["stories"][i]})
                           for lang in langs) for i in range(len(brief.stories))]
    body = _BILINGUAL_SEPARATOR[fmt].join(stories)
    return (f"{heading}\n\n{body}" if heading else body) + "\n"


def _part(fmt: str, name: str, locale: str, values: dict[str, Any]) -> str:
    return _environment(locale).get_template(f"{fmt}/{name}").render(**values).strip()
