"""Bring a database to the newest schema with alembic, from code, at every open.

The Config is built here and points at the packaged `migrations/` folder, so no alembic.ini is
needed wherever briefbot is installed. Upgrading an up-to-date database does nothing.
"""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# alembic keeps the running migration context in module globals: two Stores opened at once in two
# threads of one process would trample each other's. Processes are independent and need no lock.
_UPGRADE_LOCK = threading.Lock()


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the pending migrations in one connection.

    On SQLite, foreign keys are switched off while tables are rebuilt: batch mode copies a table and
    drops the old one, and with foreign keys on that drop would cascade-delete the rows that refer
    to it (facts of articles, for instance). The pragma only takes effect outside a transaction,
    which is why it is set and committed before alembic begins.
    """
    with _UPGRADE_LOCK, engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            command.upgrade(alembic_config(connection), revision)
            connection.commit()
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_script_config()).get_current_head()


def _script_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config
