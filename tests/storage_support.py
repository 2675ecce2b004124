"""Store backends for the contract tests: SQLite always, PostgreSQL when a server is given.

PostgreSQL runs when ``NEWSBRIEF_TEST_POSTGRES_URL`` is set (``scripts/start_postgres.sh``
prints one; ``scripts/test.sh`` sets it), and is skipped with that reason otherwise. Each test
gets an empty database: the tables are dropped before the store opens (and migrates).

Under pytest-xdist (``-n``) every worker has a database of its own on the same server, named
after the URL's with the worker's id (``newsbrief_test_gw0``, ...), dropped and created afresh
when the worker first needs it: two workers emptying one database would delete each other's
rows mid-test. The URL's role must be allowed to create databases (``start_postgres.sh``
grants it).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from newsbrief.storage import SQLStore, migrations, open_store

POSTGRES_ENV = "NEWSBRIEF_TEST_POSTGRES_URL"

#: pytest params for a backend fixture: ``@pytest.fixture(params=BACKENDS)``.
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

_TABLES = (
    "rate_limits",
    "sessions",
    "users",
    "api_tokens",
    "site_keys",
    "feed_items",
    "summary_cache",
    "articles",
    "feeds",
    "schema_version",
)


def postgres_url() -> str:
    """Return the test server's URL, or skip the test saying how to get one."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (bash scripts/start_postgres.sh)")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return worker_database(url, worker) if worker else url


@functools.cache
def worker_database(url: str, worker: str) -> str:
    """Create (afresh) the xdist ``worker``'s own database on ``url``'s server; return its URL."""
    base = sa.make_url(url).set(drivername="postgresql+psycopg")
    name = f"{base.database}_{worker}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")  # CREATE DATABASE needs it
    try:
        with engine.connect() as conn:
            quoted = conn.dialect.identifier_preparer.quote(name)
            # FORCE: a connection a killed earlier run left open must not keep the old one.
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
            try:
                conn.exec_driver_sql(f"CREATE DATABASE {quoted}")
            except sa.exc.ProgrammingError as exc:
                raise RuntimeError(
                    f"the parallel tests (-n) need a database per worker, and {base.username!r} "
                    f"could not create {name!r} ({exc.orig}): ALTER ROLE {base.username} CREATEDB, "
                    "or run without -n"
                ) from exc
    finally:
        engine.dispose()
    return sa.make_url(url).set(database=name).render_as_string(hide_password=False)


def reset_postgres(url: str, *, drop: bool) -> None:
    """Empty newsbrief's tables (``drop``: remove them, so the next open migrates afresh)."""
    engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"))
    try:
        with engine.begin() as conn:
            current = migrations.current_version(conn)
            if drop or current != migrations.LATEST:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {', '.join(_TABLES)} CASCADE")
            else:  # much faster than dropping and migrating again for every test
                data_tables = ", ".join(t for t in _TABLES if t != "schema_version")
                conn.exec_driver_sql(f"TRUNCATE {data_tables} RESTART IDENTITY CASCADE")
    finally:
        engine.dispose()


def backend_url(backend: str, tmp_path: Path, *, fresh: bool = True) -> str:
    """Return the URL of an empty database for ``backend`` ("sqlite" or "postgresql").

    ``fresh``: no tables at all (PostgreSQL; a new SQLite file always is), else empty tables.
    """
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    url = postgres_url()
    reset_postgres(url, drop=fresh)
    return url


def make_store(backend: str, tmp_path: Path) -> Iterator[SQLStore]:
    """Yield an open store on an empty (migrated) database, closing it afterwards."""
    store = open_store(backend_url(backend, tmp_path, fresh=False))
    try:
        yield store
    finally:
        store.close()
