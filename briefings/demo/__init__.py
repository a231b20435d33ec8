"""Bundled demo feeds: a few RSS files and article pages written for briefbot's demo.

The files name their host as the placeholder `{{BASE}}`; a loopback server replaces it with its own
address when serving them (`render_with_base`). Serve each file at `{{BASE}}/<path relative to this
folder>`: `feeds/<outlet>.xml`, `pages/<article>.html`. Links under `{{BASE}}/articles/` are the
canonical addresses of items whose full text is in the feed (content:encoded); nothing is served there.
"""

from __future__ import annotations

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
BASE_PLACEHOLDER = "{{BASE}}"


def feed_files() -> list[Path]:
    """The demo RSS feeds, one per outlet, in a stable order."""
    return sorted((DEMO_DIR / "feeds").glob("*.xml"))


def page_files() -> list[Path]:
    """The article pages that feed items link to when the feed carries only a summary."""
    return sorted((DEMO_DIR / "pages").glob("*.html"))


def render_with_base(path: Path | str, base: str) -> bytes:
    """A demo file's bytes with `{{BASE}}` replaced by `base` (e.g. "http://127.0.0.1:8123").

    A relative `path` is taken inside the demo folder; paths outside it are refused, since a server
    passes request paths here.
    """
    full = (DEMO_DIR / path).resolve()
    if not full.is_relative_to(DEMO_DIR) or not full.is_file():
        raise FileNotFoundError(f"no demo file {path}")
    return full.read_bytes().replace(BASE_PLACEHOLDER.encode(), base.rstrip("/").encode())
