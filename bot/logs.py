"""Logging set-up that never writes a secret.

Tokens reach the process through the environment; a library that logs a request URL or header
could still echo one. A filter on the root handler replaces every known secret value in every
record before it is written.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.config import DATABASE_URL_ENV, Secrets

REDACTED = "[redacted]"
LOG_FORMAT_ENV = "BRIEFBOT_LOG_FORMAT"  # "json": one JSON object per line, for a log collector


class RedactSecrets(logging.Filter):
    """Replaces secret values in a record's message and arguments."""

    def __init__(self, secrets: list[str]):
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            for secret in self.secrets:
                message = message.replace(secret, REDACTED)
            record.msg, record.args = message, None
        return True


class JsonLines(logging.Formatter):
    """One JSON object per record (time, level, logger, message, exception), for log collectors
    that index fields rather than parse lines."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _database_password() -> list[str]:
    """The password inside BRIEFBOT_DATABASE_URL, if any: a driver's error can quote the URL."""
    url = os.environ.get(DATABASE_URL_ENV)
    if not url:
        return []
    try:
        password = make_url(url).password
    except ArgumentError:
        return []
    return [str(password)] if password else []


def setup_logging(level: int = logging.INFO, *, as_json: bool | None = None) -> None:
    """Log to stderr (stdout carries command output such as the JSON export), as text or, with
    `as_json` or BRIEFBOT_LOG_FORMAT=json, as JSON lines."""
    if as_json is None:
        as_json = os.environ.get(LOG_FORMAT_ENV, "").lower() == "json"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines() if as_json else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets([*Secrets.from_env().values(), *_database_password()]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # apscheduler's executor logs every run of every job twice: with the lead check and the feed claims
    # of several workers that was lines every second; the jobs log what they did themselves.
    for noisy in ("trafilatura", "htmldate", "charset_normalizer", "urllib3", "alembic", "discord.http",
                  "apscheduler.executors"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
