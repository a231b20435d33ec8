"""The stored story view against the articles it is built from: on the labelled sets (read from
../shared/eval, skipped when absent) and on the bundled demo, `export` from the view is exactly the
export rebuilt by merging the articles again, and `reindex` after the view is deleted gives it back.
Facts keep their first sighting across re-merges and show a change when a figure is edited."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.demo import demo_feeds, serve_demo_files
from briefings.export import export_json
from briefings.models import Article
from briefings.pipeline import Pipeline
from briefings.store import Store
from tests.support.labelled import labelled_articles, labelled_pipeline

ROOT = Path(__file__).resolve().parents[1]


def _rebuilt(pipeline: Pipeline) -> dict:
    """The export as it was before views: every story merged again from its stored articles."""
    return export_json([pipeline.story_of(stored) for stored in pipeline.store.stories()])


def _assert_view_is_faithful(pipeline: Pipeline) -> None:
    from_view = export_json(pipeline.stories())
    assert from_view == _rebuilt(pipeline)
    assert from_view["stories"], "the set produced stories"
    pipeline.store.drop_views()
    pipeline.reindex()
    assert export_json(pipeline.stories()) == from_view


@pytest.mark.parametrize("name", ["dev", "dev2", "dev3"])
def test_view_export_equals_the_articles_merged_again(name: str, tmp_path: Path) -> None:
    with labelled_pipeline(name, tmp_path / "view.db") as pipeline:
        _assert_view_is_faithful(pipeline)


def test_reindex_and_export_from_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    with labelled_pipeline("dev", db) as pipeline:
        expected = export_json(pipeline.stories())
        pipeline.store.drop_views()
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    run = [sys.executable, "-m", "bot"]
    done = subprocess.run([*run, "reindex", "--config", str(config)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "story views rebuilt from the articles: 1" in done.stderr, done.stderr
    done = subprocess.run([*run, "export", "--config", str(config)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert json.loads(done.stdout) == expected


async def test_view_export_equals_the_articles_merged_again_on_the_demo(tmp_path: Path) -> None:
    runner, base = await serve_demo_files()
    store = Store(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        pipeline = Pipeline(store)
        await pipeline.poll(demo_feeds(base))
        _assert_view_is_faithful(pipeline)
    finally:
        store.close()
        await runner.cleanup()


ARTICLE = Article(
    url="https://wire.example/warsaw", title="Ministers meet in Warsaw", language="en",
    text="Norway will provide NOK 2 billion in military aid to Ukraine, its defence minister announced. "
         "The next NATO summit will be held in Ankara in July 2026.",
    published=datetime(2026, 3, 5, 15, tzinfo=UTC), feed="wire",
)


def test_a_fact_keeps_its_first_sighting_and_shows_when_it_changed(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'times.db'}")
    try:
        pipeline = Pipeline(store)
        pipeline.absorb([replace(ARTICLE)])
        [story_id] = store.story_ids_with_articles()
        t0 = datetime(2026, 3, 5, 16, tzinfo=UTC)
        store.drop_views()
        pipeline.refresh_views([story_id], now=t0)  # as if first learnt at t0
        [before] = store.views(story_ids=[story_id])
        assert before.times_of(before.story.pledges[0]).first_seen == t0

        pipeline.refresh_views([story_id], now=t0 + timedelta(hours=2))  # nothing new: times unchanged
        [same] = store.views(story_ids=[story_id])
        assert same.times_of(same.story.pledges[0]).changed == t0

        pipeline.absorb([replace(ARTICLE, text=ARTICLE.text.replace("NOK 2 billion", "NOK 3 billion"))])
        [after] = store.views(story_ids=[story_id])
        pledge = after.story.pledges[0]
        assert pledge.amount == 3e9 and len(after.story.pledges) == 1
        assert after.key_of(pledge) == before.key_of(before.story.pledges[0])
        assert after.times_of(pledge).first_seen == t0 < after.times_of(pledge).changed
        assert after.times_of(after.story.dates[0]).changed == t0, "the unchanged date did not change"
    finally:
        store.close()


def test_one_address_twice_in_a_batch_keeps_each_texts_own_facts(tmp_path: Path) -> None:
    """Facts are extracted before the batch is stored: each text must get its own, not the last one's."""
    store = Store(f"sqlite:///{tmp_path / 'twice.db'}")
    try:
        earlier = replace(ARTICLE)
        later = replace(ARTICLE, published=ARTICLE.published + timedelta(hours=1),
                        text="Germany will provide 500 million euros in military aid to Ukraine, its minister said.")
        Pipeline(store).absorb([later, earlier])
        [view] = store.views(story_ids=store.story_ids_with_articles())
        assert [(p.donor, p.currency) for p in view.story.pledges] == [("DE", "EUR")]  # the stored text's
    finally:
        store.close()


def test_a_large_batch_extracted_on_every_core_gives_what_one_core_gives(tmp_path: Path) -> None:
    exports = []
    for name, parallel_from in (("one-core", 10_000), ("every-core", 1)):
        seen: list[tuple[int, int]] = []
        with labelled_pipeline("dev3", tmp_path / f"{name}.db", parallel_from=parallel_from,
                               progress=lambda *step, seen=seen: seen.append(step)) as pipeline:
            exports.append(export_json(pipeline.stories()))
            assert seen[-1][0] == seen[-1][1] == len(labelled_articles("dev3"))
    assert exports[0] == exports[1]


def test_retention_prunes_old_articles_and_keeps_what_was_posted(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'retention.db'}")
    try:
        pipeline = Pipeline(store)
        old = replace(ARTICLE, published=datetime(2025, 1, 10, 12, tzinfo=UTC))
        pipeline.absorb([old])
        before = export_json(pipeline.stories())
        assert pipeline.prune(timedelta(days=30), now=datetime(2026, 3, 1, tzinfo=UTC)) == 1
        assert store.find_article(url=ARTICLE.url) is None
        assert export_json(pipeline.stories()) == before, "the story's view keeps what it said"
        assert pipeline.prune(timedelta(days=30), now=datetime(2026, 3, 1, tzinfo=UTC)) == 0
    finally:
        store.close()
