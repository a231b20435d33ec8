"""Every fact in both languages, measured on the labelled sets (issue #9, part 1).

The issue's target: on the dev2 and dev3 exports at least 90 % of facts have `text` in French and in
English, and py3langid, restricted to French and English as ingestion uses it, reads each text of
four words or more as the language it is given for. The share is met on both. On dev3 py3langid
reads one correct English line ("France → Ukraine: Bastion armoured personnel carriers": two
country names and a French model name) as French; that part of the target is a strict expected
failure, so it turns into a failure the day it is met. What is left without a language on dev3 is
conditions quoted as whole sentences, a purpose clause and one bare participle ("supprimés"): words
the lexicon cannot say, kept as the source gave them and marked. Skipped when ../shared/eval is absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefings.export import export_json
from briefings.ingest.language import identifier
from tests.support.labelled import labelled_pipeline

TARGET = 0.90
MIN_WORDS = 4
_WORD = re.compile(r"[^\W\d_]")  # a word has a letter: "→", ":" and "4" are not words


def bilingual_figures(export: dict) -> tuple[float, list[tuple[str, str, str]]]:
    """(share of facts with text in both languages, texts py3langid reads as another language)."""
    classify = identifier(("fr", "en"))
    facts = [f for story in export["stories"] for kind in ("pledges", "missions", "dates") for f in story[kind]]
    both = sum(1 for f in facts if {"fr", "en"} <= set(f["text"]))
    misread = [(lang, text, found) for f in facts for lang, text in f["text"].items()
               if sum(1 for w in text.split() if _WORD.search(w)) >= MIN_WORDS
               and (found := classify.classify(text)[0]) != lang]
    return (both / len(facts) if facts else 0.0), misread


def figures(name: str, tmp_path: Path) -> tuple[float, list[tuple[str, str, str]]]:
    with labelled_pipeline(name, tmp_path / "bilingual.db") as pipeline:
        return bilingual_figures(export_json(pipeline.stories()))


# Reached so far: dev2 16 facts of 16, dev3 64 of 70.
@pytest.mark.parametrize(("name", "floor", "misreads"), [("dev2", 1.0, 0), ("dev3", 0.91, 1)])
def test_facts_read_in_both_languages_no_less_than_reached(name: str, floor: float, misreads: int,
                                                           tmp_path: Path) -> None:
    share, misread = figures(name, tmp_path)
    assert share >= floor, f"{share:.0%} of facts have text in both languages"
    assert len(misread) <= misreads, misread


@pytest.mark.parametrize("name", ["dev2", "dev3"])
def test_facts_have_text_in_both_languages_as_the_issue_asks(name: str, tmp_path: Path) -> None:
    share, _ = figures(name, tmp_path)
    assert share >= TARGET, f"{share:.0%} of facts have text in both languages"


@pytest.mark.parametrize("name", [
    "dev2",
    pytest.param("dev3", marks=pytest.mark.xfail(
        strict=True, reason="py3langid reads 'France → Ukraine: Bastion armoured personnel carriers' as French")),
])
def test_each_text_reads_as_its_own_language(name: str, tmp_path: Path) -> None:
    _, misread = figures(name, tmp_path)
    assert not misread, misread
