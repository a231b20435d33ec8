"""Poll progress: a bar on a terminal, a log line per batch elsewhere."""

from __future__ import annotations

import io
import logging

import pytest

from bot.progress import LOG_EVERY, absorb_progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_that_reaches_the_total() -> None:
    out = Terminal()
    step = absorb_progress(out)
    for done in range(1, 121):
        step(done, 120)
    assert "absorbing articles" in out.getvalue() and "120/120" in out.getvalue()


def test_a_log_gets_one_line_per_batch(caplog: pytest.LogCaptureFixture) -> None:
    step = absorb_progress(io.StringIO())
    total = 2 * LOG_EVERY + 7
    with caplog.at_level(logging.INFO, logger="bot.progress"):
        for done in range(1, total + 1):
            step(done, total)
    assert [r.getMessage() for r in caplog.records] == [
        f"absorbed {LOG_EVERY} of {total} articles", f"absorbed {2 * LOG_EVERY} of {total} articles",
        f"absorbed {total} of {total} articles"]
