"""What every extractor knows about the article it reads, besides its sentences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ArticleContext:
    """Language decides which grammar applies; the publication time anchors relative dates
    ("la veille", "next month"); the URL is what every fact's evidence points back to."""

    language: str
    published: datetime
    url: str
    title: str = ""
