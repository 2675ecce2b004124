"""Schema migrations: a ``schema_version`` table and ordered steps, run when a store opens.

Each step is a function ``(connection) -> None`` that takes the schema from version N-1 to N.
``migrate`` runs the missing steps in one transaction that first takes a lock (SQLite:
``BEGIN IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock), then reads the version,
so two processes opening the same database at once apply each step exactly once.

Steps are frozen once released: a later schema change is a new step (``ALTER TABLE ...``),
never an edit of an old one, and ``schema.py`` is updated alongside. The tests check that a
freshly migrated database has exactly the columns ``schema.py`` declares.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from newsbrief.errors import StorageError
from newsbrief.storage.schema import UTCDateTime

#: Arbitrary constant identifying newsbrief's migration lock among PostgreSQL advisory locks.
_PG_LOCK_ID = 0x6E657773  # "news"


def _v1_tables(md: sa.MetaData) -> None:
    sa.Table("schema_version", md, sa.Column("version", sa.Integer, nullable=False))
    sa.Table(
        "feeds",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("title", sa.Text),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_fetched_at", UTCDateTime),
        sa.Column("last_error", sa.Text),
        sa.Column("last_status", sa.Text),
    )
    sa.Table(
        "articles",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("canonical_url", sa.Text, unique=True),
        sa.Column("url", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("author", sa.Text),
        sa.Column("date", sa.Text),
        sa.Column("site", sa.Text),
        sa.Column("language", sa.Text),
        sa.Column("description", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("feed_id", sa.Integer, sa.ForeignKey("feeds.id", ondelete="SET NULL")),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("published_at", UTCDateTime),
        sa.Column("sort_at", UTCDateTime, nullable=False, index=True),
    )
    sa.Table(
        "summary_cache",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("length_key", sa.Text, nullable=False),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint(
            "content_hash", "method", "length_key", "format", name="uq_summary_key"
        ),
    )
    sa.Table(
        "feed_items",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "feed_id", sa.Integer, sa.ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="SET NULL")),
        sa.Column("error", sa.Text),
        sa.Column("seen_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("feed_id", "key", name="uq_feed_item"),
    )


_SQLITE_FTS = [
    # External-content FTS5 index over the articles table, kept in sync by triggers.
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, description, text,
        content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, description, text)
        VALUES (new.id, new.title, new.description, new.text);
    END""",
    """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, description, text)
        VALUES ('delete', old.id, old.title, old.description, old.text);
    END""",
    """CREATE TRIGGER articles_fts_update AFTER UPDATE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, description, text)
        VALUES ('delete', old.id, old.title, old.description, old.text);
        INSERT INTO articles_fts(rowid, title, description, text)
        VALUES (new.id, new.title, new.description, new.text);
    END""",
]

_POSTGRES_FTS = [
    # A stored generated tsvector with the language-neutral 'simple' configuration (articles
    # come in many languages), and a GIN index over it.
    """ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
        to_tsvector('simple',
            coalesce(title, '') || ' ' || coalesce(description, '') || ' ' || text)
    ) STORED""",
    "CREATE INDEX ix_articles_search ON articles USING GIN (search)",
]


def _step_1_initial(conn: sa.Connection) -> None:
    """Create feeds, articles (+ full-text index), summary_cache and feed_items."""
    md = sa.MetaData()
    _v1_tables(md)
    md.create_all(conn, tables=[t for name, t in md.tables.items() if name != "schema_version"])
    statements = _SQLITE_FTS if conn.dialect.name == "sqlite" else _POSTGRES_FTS
    for statement in statements:
        conn.exec_driver_sql(statement)


_SQLITE_SEARCH = [
    "DROP TRIGGER articles_fts_insert",
    "DROP TRIGGER articles_fts_delete",
    "DROP TRIGGER articles_fts_update",
    "DROP TABLE articles_fts",
    # The index reads the analysed text (newsbrief.storage.search): folded words, their stems
    # in the article's language, CJK character pairs.
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
        search_text, content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER articles_fts_update AFTER UPDATE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO articles_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
]

_POSTGRES_SEARCH = [
    "DROP INDEX ix_articles_search",
    "ALTER TABLE articles DROP COLUMN search",
    """ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', coalesce(search_text, ''))) STORED""",
    "CREATE INDEX ix_articles_search ON articles USING GIN (search)",
]


def _step_2_search_text(conn: sa.Connection) -> None:
    """Index analysed text (accents folded, stems, CJK pairs) instead of the raw columns."""
    from newsbrief.storage.search import search_document

    conn.exec_driver_sql("ALTER TABLE articles ADD COLUMN search_text TEXT")
    rows = conn.execute(
        sa.text("SELECT id, title, description, text, language FROM articles")
    ).all()
    for row in rows:
        conn.execute(
            sa.text("UPDATE articles SET search_text = :s WHERE id = :id"),
            {
                "s": search_document([row.title, row.description, row.text], row.language),
                "id": row.id,
            },
        )
    statements = _SQLITE_SEARCH if conn.dialect.name == "sqlite" else _POSTGRES_SEARCH
    for statement in statements:
        conn.exec_driver_sql(statement)


def _step_3_editors(conn: sa.Connection) -> None:
    """Create api_tokens, users, sessions and site_keys (who may write; secrets hashed)."""
    md = sa.MetaData()
    sa.Table(
        "api_tokens",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    sa.Table(
        "users",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    sa.Table(
        "sessions",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False, index=True),
    )
    sa.Table(
        "site_keys",
        md,
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(128), nullable=False),
    )
    md.create_all(conn)


def _step_4_rate_limits(conn: sa.Connection) -> None:
    """Create rate_limits: token buckets and failed-login counters every worker shares."""
    md = sa.MetaData()
    sa.Table(
        "rate_limits",
        md,
        sa.Column("scope", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("level", sa.Float, nullable=False),
        sa.Column("expires", sa.Float, nullable=False, index=True),
        sa.Column("granted", sa.Boolean, nullable=False),
    )
    md.create_all(conn)


#: The ordered migration steps: STEPS[i] takes the schema to version i + 1.
STEPS: list[Callable[[sa.Connection], None]] = [
    _step_1_initial,
    _step_2_search_text,
    _step_3_editors,
    _step_4_rate_limits,
]

#: The schema version this code expects.
LATEST = len(STEPS)


def current_version(conn: sa.Connection) -> int:
    """Return the schema version recorded in the database (0 when it has none)."""
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    value = conn.execute(sa.text("SELECT max(version) FROM schema_version")).scalar()
    return int(value or 0)


def migrate(engine: sa.Engine) -> int:
    """Bring the database up to ``LATEST``; return how many steps ran (0 when up to date)."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # The store's "begin" hook emits BEGIN IMMEDIATE for this option: the write lock is
            # taken before the version is read, so a second process waits, then sees the result.
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
            conn.exec_driver_sql(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
            )
            version = current_version(conn)
            if version > LATEST:
                raise StorageError(
                    f"the database schema is version {version}, newer than this newsbrief "
                    f"understands ({LATEST}); upgrade newsbrief"
                )
            for number in range(version + 1, LATEST + 1):
                STEPS[number - 1](conn)
                conn.execute(sa.text("DELETE FROM schema_version"))
                conn.execute(
                    sa.text("INSERT INTO schema_version (version) VALUES (:v)"), {"v": number}
                )
            return LATEST - version
