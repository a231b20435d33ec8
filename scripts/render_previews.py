"""Pictures of what a channel receives, for the README: the dry run's Discord embeds and Slack blocks
drawn as PNG images.

It runs `python -m bot run --dry-run` on a config (every channel of it in both languages, the look
this shows), reads the messages it prints, and draws each platform's first message roughly as its
client shows it: Discord's dark theme with embeds (colour bar, linked title, fields, footer and
time), Slack's blocks (header, context, sections, dividers). Markup is drawn, not shown: bold,
italic, links, Discord's escapes and Slack's entities.

    .venv/bin/python scripts/render_previews.py [--config config.toml] [--out docs]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import io
import json
import re
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import matplotlib
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import load_settings  # noqa: E402
from bot.run import dry_run_once  # noqa: E402

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
WIDTH = 760
_HEADER = re.compile(r"^=== (discord|slack) .*===$")
Run = tuple[str, str]  # (text, style): style is "", "b", "i", "bi" or "link"


def dry_run_messages(config: Path) -> list[tuple[str, dict[str, Any]]]:
    """(platform, message) for every message the dry run of `config` prints, every channel in both languages."""
    settings = load_settings(config)
    settings = replace(settings, channels=tuple(replace(c, language="both") for c in settings.channels))
    out = io.StringIO()
    asyncio.run(dry_run_once(settings, out))
    return parse_dry_run(out.getvalue())


def parse_dry_run(text: str) -> list[tuple[str, dict[str, Any]]]:
    """The dry run's output read back: each `=== <platform> … ===` line followed by a message's JSON."""
    found: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if match := _HEADER.match(line):
            found.append((match.group(1), []))
        elif found:
            found[-1][1].append(line)
    return [(platform, json.loads("\n".join(body))) for platform, body in found if "".join(body).strip()]


# --- markup into styled runs -------------------------------------------------------------------------

_DISCORD_TOKEN = re.compile(r"\\(.)|\*\*(.+?)\*\*|\*(.+?)\*|\[((?:\\.|[^\]])+)\]\([^)]*\)")
_SLACK_TOKEN = re.compile(r"<[^|>]+\|([^>]+)>|\*([^*\n]+)\*|_([^_\n]+)_")


def discord_runs(text: str, style: str = "") -> list[Run]:
    """Discord markdown as runs: escapes dropped, **bold**, *italic*, [links](…)."""
    runs: list[Run] = []
    position = 0
    for match in _DISCORD_TOKEN.finditer(text):
        runs.append((text[position:match.start()], style))
        escaped, bold, italic, label = match.groups()
        if escaped is not None:
            runs.append((escaped, style))
        elif bold is not None:
            runs += discord_runs(bold, "b" + style.replace("b", ""))
        elif italic is not None:
            runs += discord_runs(italic, style.replace("i", "") + "i")
        else:
            runs += [(t, "link") for t, _ in discord_runs(label)]
        position = match.end()
    runs.append((text[position:], style))
    return _joined(runs)


def _joined(runs: list[Run]) -> list[Run]:
    """Neighbouring runs of one style as one run, empty ones dropped."""
    out: list[Run] = []
    for text, style in runs:
        if out and out[-1][1] == style:
            out[-1] = (out[-1][0] + text, style)
        elif text:
            out.append((text, style))
    return out


def slack_runs(text: str) -> list[Run]:
    """Slack mrkdwn as runs: <url|links>, *bold*, _italic_, entities decoded."""
    runs: list[Run] = []
    position = 0
    for match in _SLACK_TOKEN.finditer(text):
        runs.append((html.unescape(text[position:match.start()]), ""))
        label, bold, italic = match.groups()
        runs.append((html.unescape(label or bold or italic), "link" if label else "b" if bold else "i"))
        position = match.end()
    runs.append((html.unescape(text[position:]), ""))
    return _joined([(t.replace("\u200b", "").replace("\u2060", ""), s) for t, s in runs])


# --- drawing -----------------------------------------------------------------------------------------


class Canvas:
    """Lays styled text out in lines of a given width, then draws it; height is known after layout."""

    def __init__(self, background: str, palette: dict[str, str]) -> None:
        self.background = background
        self.palette = palette
        self.ops: list[tuple[str, Any]] = []
        self.y = 0

    @staticmethod
    def font(style: str, size: int) -> ImageFont.FreeTypeFont:
        name = {"": "DejaVuSans", "link": "DejaVuSans", "b": "DejaVuSans-Bold", "i": "DejaVuSans-Oblique",
                "bi": "DejaVuSans-BoldOblique"}[style]
        return ImageFont.truetype(str(FONTS / f"{name}.ttf"), size)

    def text(self, runs: list[Run], x: int, width: int, size: int = 15, colour: str = "text") -> None:
        """Runs wrapped into `width` from `x`, one line per text line, advancing `y`."""
        line_height = int(size * 1.45)
        for paragraph in _lines(runs):
            cursor = x
            for text, style in paragraph:
                font = self.font(style, size)
                for word in re.findall(r"\S+\s*|\s+", text):
                    length = font.getlength(word)
                    if cursor + length > x + width and cursor > x:
                        self.y += line_height
                        cursor = x
                        word = word.lstrip()
                        length = font.getlength(word)
                    fill = self.palette["link"] if style == "link" else self.palette[colour]
                    self.ops.append(("text", (cursor, self.y, word, font, fill)))
                    cursor += length
            self.y += line_height

    def box(self, x: int, top: int, width: int, fill: str, bar: str | None = None) -> None:
        self.ops.insert(0, ("box", (x, top, width, self.y - top, fill, bar)))

    def line(self, x: int, width: int, colour: str) -> None:
        self.ops.append(("line", (x, self.y, width, colour)))

    def image(self) -> Image.Image:
        picture = Image.new("RGB", (WIDTH, self.y + 16), self.background)
        draw = ImageDraw.Draw(picture)
        for kind, args in self.ops:
            if kind == "box":
                x, top, width, height, fill, bar = args
                draw.rounded_rectangle((x, top, x + width, top + height), radius=4, fill=fill)
                if bar:
                    draw.rectangle((x, top, x + 3, top + height), fill=bar)
            elif kind == "line":
                x, y, width, colour = args
                draw.line((x, y, x + width, y), fill=colour, width=1)
            else:
                x, y, word, font, fill = args
                draw.text((x, y), word, font=font, fill=fill)
        return picture


def _lines(runs: list[Run]) -> list[list[Run]]:
    """Runs cut at newlines into lines."""
    lines: list[list[Run]] = [[]]
    for text, style in runs:
        for i, part in enumerate(text.split("\n")):
            if i:
                lines.append([])
            if part:
                lines[-1].append((part, style))
    return lines


def _sender(canvas: Canvas, name: str, tag: str, when: str, avatar: str) -> None:
    canvas.ops.append(("box", (16, canvas.y + 4, 40, 40, avatar, None)))
    canvas.text([(name, "b"), ("  ", ""), (tag, "b"), ("  " + when, "")], 72, WIDTH - 90, size=15)


def discord_picture(message: dict[str, Any]) -> Image.Image:
    """One Discord message in the dark theme: content, then each embed."""
    canvas = Canvas("#313338", {"text": "#dbdee1", "link": "#00a8fc", "muted": "#949ba4", "strong": "#f2f3f5"})
    canvas.y = 16
    _sender(canvas, "briefbot", "BOT", "Today", "#5865f2")
    if message.get("content"):
        canvas.text(discord_runs(message["content"]), 72, WIDTH - 100)
    for embed in message.get("embeds", []):
        canvas.y += 8
        top = canvas.y
        canvas.y += 10
        inner, width = 88, WIDTH - 130
        if embed.get("title"):
            style = "link" if embed.get("url") else "b"
            canvas.text([(t, style if s == "" else s) for t, s in discord_runs(embed["title"])], inner, width,
                        size=16, colour="strong")
        if embed.get("description"):
            canvas.text(discord_runs(embed["description"]), inner, width, size=14)
        for field in embed.get("fields", []):
            canvas.y += 4
            canvas.text(discord_runs(field["name"], "b"), inner, width, size=14, colour="strong")
            canvas.text(discord_runs(field["value"]), inner, width, size=14)
        footer = (embed.get("footer") or {}).get("text")
        when = embed.get("timestamp")
        if footer or when:
            day = datetime.fromisoformat(when).strftime("%d/%m/%Y %H:%M") if when else ""
            canvas.y += 4
            canvas.text([(" • ".join(p for p in (footer, day) if p), "")], inner, width, size=12, colour="muted")
        canvas.y += 8
        canvas.box(72, top, WIDTH - 100, "#2b2d31", bar=f"#{embed.get('color', 0x1e1f22):06x}")
    return canvas.image()


def slack_picture(message: dict[str, Any]) -> Image.Image:
    """One Slack message in the light theme: its blocks in order."""
    canvas = Canvas("#ffffff", {"text": "#1d1c1d", "link": "#1264a3", "muted": "#616061", "strong": "#1d1c1d"})
    canvas.y = 16
    _sender(canvas, "briefbot", "APP", "9:00 AM", "#4a154b")
    x, width = 72, WIDTH - 100
    for block in message.get("blocks", []):
        kind = block["type"]
        if kind == "header":
            canvas.y += 4
            canvas.text([(html.unescape(block["text"]["text"]), "b")], x, width, size=19)
        elif kind == "context":
            runs: list[Run] = []
            for i, element in enumerate(block["elements"]):
                runs += ([("   ", "")] if i else []) + slack_runs(element.get("text", ""))
            canvas.text(runs, x, width, size=12, colour="muted")
        elif kind == "section":
            canvas.y += 4
            canvas.text(slack_runs(block["text"]["text"]), x, width, size=14)
        elif kind == "divider":
            canvas.y += 6
            canvas.line(x, width, "#dddddd")
            canvas.y += 6
    return canvas.image()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config.toml")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args(argv)
    messages = dry_run_messages(args.config)
    draw = {"discord": discord_picture, "slack": slack_picture}
    for platform, picture in draw.items():
        message = next((m for p, m in messages if p == platform), None)
        if message is None:
            print(f"the dry run posts nothing on {platform}: no picture", file=sys.stderr)
            continue
        path = args.out / f"brief-{platform}.png"
        picture(message).save(path, optimize=True)
        print(f"{platform}: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
