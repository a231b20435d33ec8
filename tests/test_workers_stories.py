"""Two workers' pipelines on one store: each has its own in-memory story index, and still no story
is split and no article stored twice, on SQLite and PostgreSQL.

A worker's index loads a stretch of days from the store once; articles another worker stores there
afterwards would be invisible to it, and its next article of the same event would start a second
story. Assigning under the store's "stories" lock, after adding what others stored since its
high-water mark, keeps each worker's decisions those of one worker that saw every article.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from briefings.models import Article
from briefings.pipeline import Pipeline
from briefings.store import Store
from tests.test_cluster import CYCLING_FR, DRONES_EN, DRONES_FR, NATO_SAME_DAY


def _story_of(store: Store, article: Article) -> str:
    found = store.find_article(url=article.url)
    assert found is not None and found.id is not None
    return store.story_ids([found.id])[found.id]


def test_a_worker_with_a_stale_index_joins_the_story_another_worker_started(store: Store) -> None:
    first, second = Pipeline(store), Pipeline(store)
    second.absorb([replace(CYCLING_FR[0])])  # the second worker's index now holds those days
    first.absorb([replace(DRONES_FR[0]), replace(NATO_SAME_DAY[0])])  # the first starts the drones story there
    report = second.absorb([replace(DRONES_EN[0])])

    assert report.new == 1
    assert _story_of(store, DRONES_EN[0]) == _story_of(store, DRONES_FR[0])
    # What one worker decides over the same articles in the same order.
    assert len({_story_of(store, a) for a, _ in (DRONES_FR, NATO_SAME_DAY, CYCLING_FR)}) == 3


def test_two_workers_storing_one_article_at_once_store_it_once(store: Store) -> None:
    workers = [Pipeline(store), Pipeline(store)]
    start = threading.Barrier(2)
    reports = []

    def absorb(pipeline: Pipeline) -> None:
        start.wait()
        reports.append(pipeline.absorb([replace(DRONES_FR[0])]))

    threads = [threading.Thread(target=absorb, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted((r.new, r.unchanged) for r in reports) == [(0, 1), (1, 0)]
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM articles").scalar() == 1


def test_workers_starting_together_rebuild_stale_views_once(store: Store) -> None:
    """After an upgrade that changes the views' rules, every worker starts by finding them stale:
    one rebuilds them, the others wait for it and find them current (two rebuilding at once wrote
    the same view rows twice and one worker failed)."""
    Pipeline(store).absorb([replace(a) for a, _ in (DRONES_FR, DRONES_EN, CYCLING_FR, NATO_SAME_DAY)])
    store.set_meta("story_view_version", "older rules")
    workers = [Pipeline(store) for _ in range(3)]
    start = threading.Barrier(len(workers))
    rebuilt: list[int] = []

    def start_up(pipeline: Pipeline) -> None:
        start.wait()
        rebuilt.append(pipeline.ensure_views())

    threads = [threading.Thread(target=start_up, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(rebuilt) == [0, 0, 3]
    assert len(store.all_views()) == 3
