"""Fixtures shared by the test modules: a store on each database the suite can reach."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from briefings.store import Store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "brief.db"


POSTGRES_URL = os.environ.get("BRIEFBOT_TEST_POSTGRES_URL")


def blank_postgres(url: str) -> str:
    """Empty the test database's public schema (a blank database for every test); returns `url`."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, db_path: Path):
    if request.param == "sqlite":
        url = f"sqlite:///{db_path}"
    elif POSTGRES_URL:
        url = blank_postgres(POSTGRES_URL)
    else:
        pytest.skip("BRIEFBOT_TEST_POSTGRES_URL is not set")
    store = Store(url)
    yield store
    store.close()
