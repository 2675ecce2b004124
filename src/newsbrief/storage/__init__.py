"""Where articles, feeds and cached summaries are kept: SQLite by default, or PostgreSQL.

    store = open_store()                                   # SQLite file in the data directory
    store = open_store("sqlite:////tmp/news.sqlite3")      # four slashes: an absolute path
    store = open_store("postgresql://newsbrief:pw@localhost/newsbrief")

Both go through one implementation (``SQLStore``, SQLAlchemy Core) behind the ``Store``
protocol, and the schema is migrated when the store opens. See docs/storage.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

from newsbrief.errors import InvalidOptions, MissingDependency, StorageError
from newsbrief.storage import migrations
from newsbrief.storage.base import (
    MAX_ID,
    MAX_OFFSET,
    MAX_PAGE_SIZE,
    Feed,
    FeedItem,
    Page,
    Store,
    StoredArticle,
    SummaryKey,
    canonical_url,
    content_hash,
    length_key,
    registrable_domain,
    search_terms,
)
from newsbrief.storage.sql import SQLStore, postgres_engine, sqlite_engine

__all__ = [
    "DB_FILENAME",
    "MAX_ID",
    "MAX_OFFSET",
    "MAX_PAGE_SIZE",
    "Feed",
    "FeedItem",
    "Page",
    "SQLStore",
    "Store",
    "StoredArticle",
    "SummaryKey",
    "canonical_url",
    "content_hash",
    "default_data_dir",
    "length_key",
    "open_store",
    "registrable_domain",
    "search_terms",
]

#: The SQLite file's name inside the data directory.
DB_FILENAME = "newsbrief.sqlite3"
#: The URLs ``open_store`` takes, for its error messages. SQLAlchemy's rule: what follows
#: ``sqlite:///`` is the path, so an absolute one starts with a fourth slash.
_URL_FORMS = (
    "use sqlite:////absolute/path/file.sqlite3, sqlite:///relative/path/file.sqlite3 or "
    "postgresql://user:password@host/db"
)


def default_data_dir() -> Path:
    """Return ``$NEWSBRIEF_DATA_DIR``, else ``$XDG_DATA_HOME/newsbrief`` (~/.local/share)."""
    if env := os.environ.get("NEWSBRIEF_DATA_DIR"):
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg).expanduser() / "newsbrief"


def open_store(url: str | None = None, *, data_dir: Path | None = None) -> SQLStore:
    """Open (creating and migrating as needed) the store at ``url``.

    Args:
        url: ``None`` for ``<data_dir>/newsbrief.sqlite3``; ``sqlite:////absolute/file.sqlite3``
            or ``sqlite:///relative/file.sqlite3``; or ``postgresql://user:password@host:port/db``
            (needs ``newsbrief[postgres]``). Messages show it as given, password hidden.
        data_dir: the data directory for the default SQLite file (default:
            ``default_data_dir()``).

    Raises:
        InvalidOptions: an unsupported or malformed URL, or an in-memory SQLite URL.
        MissingDependency: a PostgreSQL URL without psycopg installed.
        StorageError: the database cannot be opened, created or migrated.
    """
    if url is None:
        folder = data_dir if data_dir is not None else default_data_dir()
        url = f"sqlite:///{folder / DB_FILENAME}"
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise InvalidOptions(f"not a database URL: {url!r}; {_URL_FORMS}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = parsed.database
        if not path or path == ":memory:" or path.startswith("file:"):
            raise InvalidOptions(
                "in-memory SQLite is not supported (each connection would see its own empty "
                "database); give a file, e.g. sqlite:////tmp/newsbrief.sqlite3 (four slashes: "
                "an absolute path) or sqlite:///newsbrief.sqlite3 (three: relative to the "
                "current folder)"
            )
        try:
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the data directory for {path}: {exc}") from exc
        engine = sqlite_engine(str(Path(path).expanduser()))
    elif backend in ("postgresql", "postgres"):
        try:
            import psycopg  # noqa: F401  (only checks that the driver is installed)
        except ImportError as exc:
            raise MissingDependency(
                "PostgreSQL storage needs psycopg: pip install 'newsbrief[postgres]'"
            ) from exc
        engine = postgres_engine(url.replace("postgres://", "postgresql://", 1))
    else:
        raise InvalidOptions(
            f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}; "
            f"{_URL_FORMS}"
        )
    store = SQLStore(engine, url=url)
    try:
        migrations.migrate(engine)
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        detail = getattr(exc, "orig", None) or exc
        raise StorageError(f"cannot open the database {store.url}: {detail}") from exc
    except BaseException:
        engine.dispose()
        raise
    return store
