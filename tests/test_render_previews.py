"""scripts/render_previews.py: the README's pictures come from the dry run's real messages, with
their markup drawn rather than shown."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("render_previews", ROOT / "scripts" / "render_previews.py")
previews = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(previews)  # type: ignore[union-attr]


def test_markup_becomes_styled_runs() -> None:
    assert previews.discord_runs("**Pledges** \\: [A \\[b\\]](https://x.example) *(en)*") == [
        ("Pledges", "b"), (" : ", ""), ("A [b]", "link"), (" ", ""), ("(en)", "i")]
    assert previews.slack_runs("*Pledges* &amp; <https://x.example|A &lt;b&gt;> _(en)_") == [
        ("Pledges", "b"), (" & ", ""), ("A <b>", "link"), (" ", ""), ("(en)", "i")]


def test_the_dry_run_is_drawn_for_both_platforms(tmp_path: Path) -> None:
    assert previews.main(["--config", str(ROOT / "config.toml"), "--out", str(tmp_path)]) == 0
    for platform in ("discord", "slack"):
        with Image.open(tmp_path / f"brief-{platform}.png") as picture:
            assert picture.width == previews.WIDTH and picture.height > 600  # a whole story in two languages


def test_the_dry_run_output_is_read_back_message_by_message() -> None:
    text = ('=== discord #a (1) — part 1/2 ===\n{"content": "x", "embeds": []}\n'
            "=== slack #b: nothing to post for nato ===\n"
            '=== slack #c (C1) — part 1/1 ===\n{\n  "text": "y",\n  "blocks": []\n}\n')
    assert previews.parse_dry_run(text) == [("discord", {"content": "x", "embeds": []}),
                                            ("slack", {"text": "y", "blocks": []})]
