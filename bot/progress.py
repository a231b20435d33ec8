"""Progress of a long poll: a bar on a terminal, one log line per batch of articles otherwise.

A first start or a backfill absorbs thousands of articles and takes minutes; a user at a terminal
should see it move, and a log (a container, CI) should get a line now and then, not a bar redrawn
into it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TextIO

from tqdm import tqdm

log = logging.getLogger(__name__)

LOG_EVERY = 500  # articles per log line when not on a terminal
BAR_FROM = 50  # smaller batches finish before a bar is worth drawing


def absorb_progress(stream: TextIO | None = None) -> Callable[[int, int], None]:
    """A `Pipeline.progress` callback for `poll`: called with (articles absorbed, batch size)."""
    out = stream or sys.stderr
    bar: tqdm | None = None

    def on_terminal(done: int, total: int) -> None:
        nonlocal bar
        if total < BAR_FROM:
            return
        if bar is None:
            bar = tqdm(total=total, desc="absorbing articles", unit="article", file=out)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()
            bar = None

    def in_log(done: int, total: int) -> None:
        if done % LOG_EVERY == 0 or (done == total and total >= LOG_EVERY):
            log.info("absorbed %d of %d articles", done, total)

    return on_terminal if out.isatty() else in_log
