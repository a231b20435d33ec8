"""Bounds on feed text, applied once at ingest so nothing downstream meets a 5 MB headline.

A feed is untrusted: one item with a 5 MB title was stored and rendered in full, one brief became
70 Slack messages. Every text taken from a feed or a page is cut here to a size no real article
needs (a headline of 300 characters, a teaser of 2,000, an article of 100,000), at a word boundary
when there is one, and ends with "…" so a reader sees it was cut. The same cut serves the evidence
sentences facts carry, which are quoted in briefs and replies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from briefings.models import ArticleFacts

ELLIPSIS = "…"
_WORD_BACKTRACK = 40  # look this far back for a space to cut at


@dataclass(frozen=True)
class TextCaps:
    """Maximum characters kept of each kind of feed text."""

    title: int = 300
    summary: int = 2_000
    text: int = 100_000
    sentence: int = 600


DEFAULT_CAPS = TextCaps()


def cap(text: str, limit: int) -> str:
    """`text` when it fits in `limit` characters, else its start (ended at a space when one is near)
    and an ellipsis, `limit` characters in all."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ", max(0, len(head) - _WORD_BACKTRACK))
    if space > 0:
        head = head[:space]
    return head.rstrip() + ELLIPSIS


def cap_evidence(facts: ArticleFacts, limit: int = DEFAULT_CAPS.sentence) -> ArticleFacts:
    """`facts` with every evidence sentence capped (in place: the lists are the extractor's own)."""
    for fact in (*facts.pledges, *facts.missions, *facts.dates):
        fact.evidence[:] = [e if len(e.sentence) <= limit else replace(e, sentence=cap(e.sentence, limit))
                            for e in fact.evidence]
    return facts
