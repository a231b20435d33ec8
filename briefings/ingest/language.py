"""The language of an article, among the languages briefbot supports.

py3langid is restricted to the supported languages (a data file), because a brief is only ever
French or English and an unrestricted classifier wanders off to Catalan or Latin on short texts
full of names. When the text is too short to judge, or the classifier hesitates, the page's
`<html lang>` and then the feed's `<language>` decide.
"""

from __future__ import annotations

import re
import threading
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

_DATA = Path(__file__).resolve().parents[1] / "data" / "ingest_languages.toml"
_LETTER = re.compile(r"[^\W\d_]")
_lock = threading.Lock()
_SAMPLE = 1200  # characters classified: plenty to tell French from English, and it bounds the cost


@dataclass(frozen=True)
class LanguageSettings:
    """Supported languages and when a declared language beats the classifier."""

    supported: tuple[str, ...]
    min_letters: int
    min_confidence: float


@cache
def settings() -> LanguageSettings:
    """The settings from `data/ingest_languages.toml`, read once."""
    raw = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    return LanguageSettings(tuple(raw["supported"]), int(raw["min_letters"]), float(raw["min_confidence"]))


@cache
def _identifier(supported: tuple[str, ...]) -> LanguageIdentifier:
    # Imported on first use: py3langid brings numpy, and a poll with nothing new identifies nothing.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(supported))
    return identifier


def identifier(supported: tuple[str, ...]) -> LanguageIdentifier:
    """A classifier restricted to `supported`, loaded once (loading takes most of a second)."""
    with _lock:
        return _identifier(supported)


def normalise_code(code: str | None, supported: tuple[str, ...] | None = None) -> str | None:
    """ "fr-FR", "FR", "en_GB" → "fr" / "en"; None when absent or not among `supported`."""
    if not code:
        return None
    base = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    wanted = supported if supported is not None else settings().supported
    return base if base in wanted else None


def detect_language(text: str, *hints: str | None) -> str:
    """The language of `text`, one of the supported codes.

    `hints` are declared languages in order of trust (the page's `lang`, then the feed's); the
    first supported one is used when the text is too short or the classifier is unsure.
    """
    cfg = settings()
    hint = next((code for h in hints if (code := normalise_code(h, cfg.supported))), None)
    if hint and len(_LETTER.findall(text[:2000])) < cfg.min_letters:
        return hint
    language, confidence = identifier(cfg.supported).classify(text[:_SAMPLE])
    if hint and confidence < cfg.min_confidence:
        return hint
    return language
