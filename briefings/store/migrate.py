"""Bring a database to the newest schema with alembic, from code, at every open.

The Config is built here and points at the packaged `migrations/` folder, so no alembic.ini is
needed wherever briefbot is installed. Upgrading an up-to-date database does nothing, and does not
even import alembic: every command opens the store, and alembic's import alone took a quarter of a
warm poll. `HEAD` names the newest revision (a test holds it to alembic's own answer).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from briefings.store import locks

if TYPE_CHECKING:
    from alembic.config import Config

HEAD = "0007"

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# alembic keeps the running migration context in module globals: two Stores opened at once in two
# threads of one process would trample each other's. Processes take `locks.held` (below).
_UPGRADE_LOCK = threading.Lock()


def alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

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

    Workers started together on one database take turns (an advisory lock on PostgreSQL, a file lock
    beside a SQLite file): the first migrates, the others find the schema current once they get the
    lock. Without it both created the same tables and one exited ("already exists", "database is
    locked").
    """
    if _current(engine, revision):
        return
    from alembic import command

    with _UPGRADE_LOCK, locks.held(engine, "migrate"), engine.connect() as connection:
        if _current(engine, revision):
            return
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


def _current(engine: Engine, revision: str) -> bool:
    return revision in ("head", HEAD) and _stored_revision(engine) == HEAD


def _stored_revision(engine: Engine) -> str | None:
    """The revision alembic recorded, read with one query; None for a new or unversioned database."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_script_config()).get_current_head()


def _script_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config
