"""Alembic environment: runs on the connection the Store hands over (see `briefings/store/migrate.py`).

There is no alembic.ini: the Store builds the Config in code, so the packaged migrations run wherever
the package is installed. To write a new revision, open a Store on a scratch database, then call
`alembic.command.revision(config, autogenerate=True)` with `migrate.alembic_config(connection)`.
"""

from alembic import context

from briefings.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
