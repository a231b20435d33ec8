"""Text normalisation and sentence splitting shared by every extractor.

Extractors work sentence by sentence: a fact's evidence is one sentence, and most grammar rules
(who pledged what) hold inside a sentence. Typography varies between outlets (curly apostrophes,
no-break spaces, guillemets), so text is normalised once here and every rule sees one form.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"

_SPACES = re.compile(r"[\u00a0\u202f\u2009\u2007\t ]+")
_TRANSLATE = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "‐": "-", "‑": "-", "–": "-", "—": "-"})


def normalise(text: str) -> str:
    """One typographic form: straight apostrophes, plain hyphens and spaces, NFC."""
    text = unicodedata.normalize("NFC", text).translate(_TRANSLATE)
    return _SPACES.sub(" ", text)


def fold(text: str) -> str:
    """Lower case without accents, for matching words whatever their accents or case.

    The result has the same length as `text`, so a match's offsets point into the original.
    """
    return text.translate(_FOLD_TABLE)


class _FoldTable(dict):
    """str.translate table filled on first sight of each character (translate runs in C)."""

    def __missing__(self, codepoint: int) -> str:
        self[codepoint] = folded = _fold_char(chr(codepoint))
        return folded


_FOLD_TABLE = _FoldTable()


@cache
def _fold_char(char: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)).lower()
    return base if len(base) == 1 else char.lower()[:1] or char


def comparable(text: str) -> str:
    """The form in which two spellings of the same words compare equal ("l’OTAN" and "l'otan"):
    for matching keywords and names typed by a user, where offsets do not matter."""
    return fold(normalise(text))


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article and where it starts, so evidence can be quoted as written."""

    text: str
    start: int
    paragraph: int


@cache
def _abbreviations() -> frozenset[str]:
    with (DATA / "abbreviations.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return frozenset(word for words in data.values() for word in words)


# A sentence ends at . ! ? … (possibly followed by a closing quote or bracket) before white space
# and an upper-case letter, a digit, or an opening quote.
_BOUNDARY = re.compile(r"""([.!?…]+["»”)\]]*)\s+(?=["«“(\[]?\s?[A-ZÀ-ÖØ-Þ0-9])""")


def sentences(text: str) -> list[Sentence]:
    """Split normalised text into sentences; paragraph breaks ("\\n") always end a sentence."""
    out: list[Sentence] = []
    offset = 0
    for index, paragraph in enumerate(text.split("\n")):
        start = 0
        for match in _BOUNDARY.finditer(paragraph):
            end = match.end(1)
            before = paragraph[start:end]
            last_word = re.search(r"([\w.\-É°]+)[.]+[\"»”)\]]*$", before)
            if last_word and (last_word.group(1) in _abbreviations() or len(last_word.group(1)) == 1):
                continue
            _append(out, paragraph[start:end], offset + start, index)
            start = match.end()
        _append(out, paragraph[start:], offset + start, index)
        offset += len(paragraph) + 1
    return out


def _append(out: list[Sentence], chunk: str, start: int, paragraph: int) -> None:
    stripped = chunk.strip()
    if stripped:
        out.append(Sentence(stripped, start + chunk.index(stripped[0]), paragraph))
