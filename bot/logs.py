"""Logging set-up that never writes a secret.

Tokens reach the process through the environment; a library that logs a request URL or header
could still echo one. A filter on the root handler replaces every known secret value in every
record before it is written.
"""

from __future__ import annotations

import logging
import sys

from bot.config import Secrets

REDACTED = "[redacted]"


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


def setup_logging(level: int = logging.INFO) -> None:
    """Log to stderr (stdout carries command output such as the JSON export)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(Secrets.from_env().values()))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("trafilatura", "htmldate", "charset_normalizer", "urllib3", "alembic", "discord.http"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
