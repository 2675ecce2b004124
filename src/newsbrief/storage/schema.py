"""The current table definitions the queries use (the migrations create and evolve them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware.

    SQLite keeps naive ISO strings (which then sort correctly as text); PostgreSQL keeps
    ``timestamptz``. Either way Python sees aware UTC datetimes.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to UTCDateTime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

feeds = sa.Table(
    "feeds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("title", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_fetched_at", UTCDateTime),
    sa.Column("last_error", sa.Text),
    sa.Column("last_status", sa.Text),
)

articles = sa.Table(
    "articles",
    metadata,
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
    # The listing order: the article's own date when known and not in the future, else when
    # stored. Kept as a column so "newest first" and neighbours use one index.
    sa.Column("sort_at", UTCDateTime, nullable=False, index=True),
    # What the full-text index reads (newsbrief.storage.search.search_document): folded words,
    # their stems in the article's language, CJK character pairs. Written with the article.
    sa.Column("search_text", sa.Text),
)

summary_cache = sa.Table(
    "summary_cache",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("length_key", sa.Text, nullable=False),
    sa.Column("format", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),  # JSON
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("content_hash", "method", "length_key", "format", name="uq_summary_key"),
)

feed_items = sa.Table(
    "feed_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("feed_id", sa.Integer, sa.ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="SET NULL")),
    sa.Column("error", sa.Text),
    sa.Column("seen_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("feed_id", "key", name="uq_feed_item"),
)

# --- who may write (migration step 2): secrets are kept only as hashes -----------------------

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    # sha256 (hex) of the token: tokens are 256 random bits, so a fast hash is enough.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    # argon2id (pwdlib), with its parameters and salt: "$argon2id$v=19$m=...".
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # sha256 (hex) of the session cookie's value.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False, index=True),
)

site_keys = sa.Table(
    "site_keys",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    # A random key the server signs with (the CSRF tokens); shared by every worker.
    sa.Column("value", sa.String(128), nullable=False),
)

# --- rate limits shared by every worker (migration step 4) ------------------------------------

rate_limits = sa.Table(
    "rate_limits",
    metadata,
    # "work" (a token bucket) or "login-account" / "login-client" (failed-login counters).
    sa.Column("scope", sa.String(16), primary_key=True),
    # The client's address or the account name tried (hashed when long: storage.limits).
    sa.Column("key", sa.String(80), primary_key=True),
    # A bucket: its theoretical arrival time (GCRA, epoch seconds); a counter: its count.
    sa.Column("level", sa.Float, nullable=False),
    # Epoch seconds after which the row means nothing (a full bucket, an ended window).
    sa.Column("expires", sa.Float, nullable=False, index=True),
    # Whether the bucket's last request got a token.
    sa.Column("granted", sa.Boolean, nullable=False),
)
