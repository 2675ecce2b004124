"""The one ``Store`` implementation: SQLAlchemy Core over SQLite (default) or PostgreSQL.

SQLite runs in WAL mode with foreign keys on and a busy timeout; every write transaction
starts with ``BEGIN IMMEDIATE`` so a read-then-write (de-duplication, cache fill) never
deadlocks against another writer. PostgreSQL goes through psycopg 3; races between writers
there surface as unique-key conflicts, which are resolved by reading the winner's row.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

from newsbrief.errors import Conflict, EmptyInput, InvalidOptions, NotFound, StorageError
from newsbrief.models import Article
from newsbrief.storage.base import (
    MAX_OFFSET,
    MAX_PAGE_SIZE,
    Feed,
    FeedItem,
    Page,
    StoredArticle,
    SummaryKey,
    canonical_url,
    content_hash,
    parse_date,
    utcnow,
)
from newsbrief.storage.credentials import CredentialsMixin
from newsbrief.storage.limits import LimitsMixin
from newsbrief.storage.schema import articles, feed_items, feeds, summary_cache
from newsbrief.storage.search import query_groups, search_document

#: Seconds a SQLite writer waits for another writer's lock before failing. Writes here are
#: single-row and take milliseconds; 10 s only matters under a burst of feed ingestion.
SQLITE_BUSY_TIMEOUT_S = 10.0
#: Connections kept per engine (and extra ones allowed under load). The web app serves sync
#: routes from a 40-thread pool; 10 + 30 lets all of them hold a connection at once.
POOL_SIZE = 10
POOL_OVERFLOW = 30
#: Keys deleted per statement (SQLite allows 32766 parameters; older builds 999).
_DELETE_SLICE = 500


def _new_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _article_values(article: Article, now: datetime) -> dict[str, Any]:
    """Return the ``articles`` columns that follow from an article's own fields.

    Raises:
        EmptyInput: the article text is empty.
    """
    # PostgreSQL text cannot hold NUL; both backends drop it so they store the same.
    article = Article(
        **{k: v.replace("\x00", "") if v else v for k, v in dataclasses.asdict(article).items()}
    )
    if not article.text.strip():
        raise EmptyInput("the article text is empty")
    published = parse_date(article.date)
    return {
        "content_hash": content_hash(article.text),
        "canonical_url": _safe_canonical(article.url),
        "url": article.url,
        "title": article.title,
        "author": article.author,
        "date": article.date,
        "site": article.site,
        "language": article.language,
        "description": article.description,
        "text": article.text,
        "published_at": published,
        "sort_at": published if published is not None and published <= now else now,
        "search_text": search_document(
            [article.title, article.description, article.text], article.language
        ),
    }


def _safe_canonical(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return canonical_url(url)
    except InvalidOptions:
        return None  # a non-http(s) or malformed URL is kept as metadata, not a dedupe key


class SQLStore(CredentialsMixin, LimitsMixin):
    """A store on a SQLAlchemy engine (build it with ``newsbrief.storage.open_store``)."""

    def __init__(self, engine: sa.Engine, *, url: str | None = None) -> None:
        """Wrap ``engine``; ``url`` is the URL the user gave, shown in messages and logs.

        Without ``url`` the engine's own is shown (``postgresql+psycopg://...``: the driver
        name is SQLAlchemy's, not the user's). Either way the password is hidden.
        """
        self._engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        shown = sa.make_url(url) if url is not None else engine.url
        #: The database URL with any password hidden, for messages and logs.
        self.url = shown.render_as_string(hide_password=True)
        self._lock_fd: int | None = None
        self._guard = threading.Lock()

    # --- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _translate(self) -> Iterator[None]:
        try:
            yield
        except sa.exc.IntegrityError:
            raise  # callers resolve unique-key races themselves
        except sa.exc.SQLAlchemyError as exc:
            detail = getattr(exc, "orig", None) or exc
            raise StorageError(f"database error on {self.url}: {detail}") from exc

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self._translate(), self._engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        with self._translate(), self._engine.connect() as conn:
            if self._sqlite:
                conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    def _insert(self, table: sa.Table) -> Any:
        dialect = sqlite_dialect if self._sqlite else pg_dialect
        return dialect.insert(table)

    # --- articles ---------------------------------------------------------------------------

    @staticmethod
    def _article(row: sa.Row[Any]) -> StoredArticle:
        m = row._mapping
        return StoredArticle(
            id=m["id"],
            article=Article(
                text=m["text"],
                title=m["title"],
                author=m["author"],
                date=m["date"],
                site=m["site"],
                url=m["url"],
                language=m["language"],
                description=m["description"],
            ),
            content_hash=m["content_hash"],
            canonical_url=m["canonical_url"],
            source=m["source"],
            feed_id=m["feed_id"],
            created_at=m["created_at"],
            published_at=m["published_at"],
        )

    def _find_existing(
        self, conn: sa.Connection, digest: str, canonical: str | None
    ) -> StoredArticle | None:
        if canonical is not None:
            row = conn.execute(
                sa.select(articles).where(articles.c.canonical_url == canonical)
            ).first()
            if row is not None:
                return self._article(row)
        row = conn.execute(sa.select(articles).where(articles.c.content_hash == digest)).first()
        return self._article(row) if row is not None else None

    def add_article(
        self, article: Article, *, source: str, feed_id: int | None = None
    ) -> tuple[StoredArticle, bool]:
        """Store ``article`` unless its canonical URL or content hash is already stored.

        Returns ``(stored, created)``; ``created`` is False when an existing one was found.

        Raises:
            EmptyInput: the article text is empty.
        """
        now = utcnow()
        values = {
            **_article_values(article, now),
            "source": source,
            "feed_id": feed_id,
            "created_at": now,
        }
        digest, canonical = values["content_hash"], values["canonical_url"]
        try:
            with self._write() as conn:
                existing = self._find_existing(conn, digest, canonical)
                if existing is not None:
                    return existing, False
                new_id = _new_id(conn.execute(articles.insert().values(**values)))
        except sa.exc.IntegrityError:
            # Another writer stored the same URL or text between our check and insert.
            with self._read() as conn:
                winner = self._find_existing(conn, digest, canonical)
            if winner is None:
                raise StorageError(f"could not store the article in {self.url}") from None
            return winner, False
        return self.get_article(new_id), True

    def replace_article(self, article_id: int, article: Article) -> StoredArticle:
        """Replace the text and metadata of article ``article_id`` with ``article``'s.

        The id, source, feed and time stored stay; the content hash follows the new text, so
        summaries cached for the old text are no longer found (they are computed afresh).

        Raises:
            NotFound: no such article.
            EmptyInput: the new text is empty.
            StorageError: another stored article already has this text or canonical URL.
        """
        values = _article_values(article, utcnow())
        if values["published_at"] is None:
            del values["sort_at"]  # an undated article keeps its place in the listing
        try:
            with self._write() as conn:
                result = conn.execute(
                    articles.update().where(articles.c.id == article_id).values(**values)
                )
        except sa.exc.IntegrityError:
            raise StorageError(
                f"article {article_id}: another stored article has the same text or URL"
            ) from None
        if result.rowcount == 0:
            raise NotFound(f"no article with id {article_id}")
        return self.get_article(article_id)

    def update_article(self, article_id: int, article: Article) -> StoredArticle:
        """Replace a stored article's fields with ``article``'s (an editor's edit).

        Unlike ``replace_article`` (a re-fetched page), another article with the new text or
        URL is the editor's mistake to correct: a Conflict naming it. The content hash,
        canonical URL, search text and dates follow the new fields; the id, source, feed and
        creation time stay, and an undated article keeps its place in the listing. Summaries
        cached for the old text are dropped.

        Raises:
            EmptyInput: the new text is empty.
            NotFound: no such article.
            Conflict: another stored article has the new text or URL.
        """
        old = self.get_article(article_id)
        values = _article_values(article, utcnow())
        if values["published_at"] is None:
            del values["sort_at"]
        digest, canonical = values["content_hash"], values["canonical_url"]
        same = articles.c.content_hash == digest
        if canonical is not None:
            same = sa.or_(same, articles.c.canonical_url == canonical)
        try:
            with self._write() as conn:
                other = conn.execute(
                    sa.select(articles.c.id).where(same, articles.c.id != article_id).limit(1)
                ).scalar()
                if other is not None:
                    raise Conflict(
                        f"article {other} already has this text or URL; "
                        "edit or delete that one instead"
                    )
                updated = conn.execute(
                    articles.update().where(articles.c.id == article_id).values(**values)
                ).rowcount
                if updated and digest != old.content_hash:
                    conn.execute(
                        summary_cache.delete().where(
                            summary_cache.c.content_hash == old.content_hash
                        )
                    )
        except sa.exc.IntegrityError:
            raise Conflict("another article was stored with this text or URL meanwhile") from None
        if not updated:
            raise NotFound(f"no article with id {article_id}")
        return self.get_article(article_id)

    def delete_article(self, article_id: int) -> None:
        """Delete a stored article and its cached summaries.

        A feed entry that brought it in stays remembered, so the next refresh does not
        bring it back.

        Raises:
            NotFound: no such article.
        """
        with self._write() as conn:
            digest = conn.execute(
                sa.select(articles.c.content_hash).where(articles.c.id == article_id)
            ).scalar()
            if digest is None:
                raise NotFound(f"no article with id {article_id}")
            conn.execute(
                feed_items.update()
                .where(feed_items.c.article_id == article_id)
                .values(article_id=None, error=None)
            )
            conn.execute(articles.delete().where(articles.c.id == article_id))
            conn.execute(summary_cache.delete().where(summary_cache.c.content_hash == digest))

    def get_article(self, article_id: int) -> StoredArticle:
        """Return the article with ``article_id``.

        Raises:
            NotFound: no such article.
        """
        with self._read() as conn:
            row = conn.execute(sa.select(articles).where(articles.c.id == article_id)).first()
        if row is None:
            raise NotFound(f"no article with id {article_id}")
        return self._article(row)

    def find_article_by_url(self, url: str) -> StoredArticle | None:
        """Return the article whose canonical URL matches ``url``'s, if any."""
        canonical = _safe_canonical(url)
        if canonical is None:
            return None
        with self._read() as conn:
            row = conn.execute(
                sa.select(articles).where(articles.c.canonical_url == canonical)
            ).first()
        return self._article(row) if row is not None else None

    def _search_condition(self, query: str) -> sa.ColumnElement[bool]:
        with self._read() as conn:
            languages = conn.execute(sa.select(articles.c.language).distinct()).scalars().all()
        # Tokens are letters and digits only (newsbrief.storage.search): no syntax reaches
        # the database; each is quoted all the same.
        groups = query_groups(query, languages)
        if self._sqlite:
            match = " AND ".join(
                "(" + " OR ".join(f'"{token}"' for token in group) + ")" for group in groups
            )
            matching: sa.Select[Any] = sa.select(sa.literal_column("rowid")).select_from(
                sa.text("articles_fts WHERE articles_fts MATCH :fts").bindparams(fts=match)
            )
            return articles.c.id.in_(matching)
        tsquery = " & ".join(
            "(" + " | ".join(f"'{token}'" for token in group) + ")" for group in groups
        )
        return sa.literal_column("articles.search").bool_op("@@")(
            sa.func.to_tsquery("simple", tsquery)
        )

    def list_articles(
        self, *, limit: int = 20, offset: int = 0, query: str | None = None
    ) -> Page[StoredArticle]:
        """Return a page of articles, newest first, optionally matching a full-text ``query``.

        ``query`` keeps only its words (no search syntax); every word must occur.

        Raises:
            InvalidOptions: ``limit`` outside 1..MAX_PAGE_SIZE, ``offset`` outside
                0..MAX_OFFSET, or a query with no words in it.
        """
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidOptions(f"limit must be between 1 and {MAX_PAGE_SIZE} (got {limit})")
        if not 0 <= offset <= MAX_OFFSET:
            raise InvalidOptions(f"offset must be between 0 and {MAX_OFFSET} (got {offset})")
        condition: sa.ColumnElement[bool] = sa.true()
        if query is not None and query.strip():
            condition = self._search_condition(query)
        with self._read() as conn:
            total = conn.execute(
                sa.select(sa.func.count()).select_from(articles).where(condition)
            ).scalar_one()
            rows = conn.execute(
                sa.select(articles)
                .where(condition)
                .order_by(articles.c.sort_at.desc(), articles.c.id.desc())
                .limit(limit)
                .offset(offset)
            ).all()
        return Page(
            items=[self._article(r) for r in rows], total=int(total), limit=limit, offset=offset
        )

    def neighbours(self, article_id: int) -> tuple[StoredArticle | None, StoredArticle | None]:
        """Return ``(previous, next)``: the next older and next newer article in list order.

        Raises:
            NotFound: no such article.
        """
        with self._read() as conn:
            row = conn.execute(
                sa.select(articles.c.sort_at, articles.c.id).where(articles.c.id == article_id)
            ).first()
            if row is None:
                raise NotFound(f"no article with id {article_id}")
            at, ident = row
            sort_at, art_id = articles.c.sort_at, articles.c.id
            older = conn.execute(
                sa.select(articles)
                .where(sa.or_(sort_at < at, sa.and_(sort_at == at, art_id < ident)))
                .order_by(sort_at.desc(), art_id.desc())
                .limit(1)
            ).first()
            newer = conn.execute(
                sa.select(articles)
                .where(sa.or_(sort_at > at, sa.and_(sort_at == at, art_id > ident)))
                .order_by(sort_at.asc(), art_id.asc())
                .limit(1)
            ).first()
        return (
            self._article(older) if older is not None else None,
            self._article(newer) if newer is not None else None,
        )

    def article_ids(self, *, since: datetime | None = None) -> list[int]:
        """Return the ids of the articles stored at or after ``since`` (all: None), oldest first."""
        query = sa.select(articles.c.id).order_by(articles.c.id)
        if since is not None:
            query = query.where(articles.c.created_at >= since)
        with self._read() as conn:
            return [int(row[0]) for row in conn.execute(query)]

    def articles_missing_summaries(
        self, variants: Sequence[tuple[str, str, str]], *, limit: int
    ) -> list[int]:
        """Return up to ``limit`` ids, newest first, of articles lacking a summary ``variants``
        names (each a key's ``(method, length_key, format)``): what pre-generation still owes.

        Each check is a lookup in the summary cache's unique index.
        """
        if not variants or limit < 1:
            return []
        c = summary_cache.c
        missing = [
            ~sa.exists().where(
                c.content_hash == articles.c.content_hash,
                c.method == method,
                c.length_key == length,
                c.format == format,
            )
            for method, length, format in variants
        ]
        query = (
            sa.select(articles.c.id)
            .where(sa.or_(*missing))
            .order_by(articles.c.sort_at.desc(), articles.c.id.desc())
            .limit(limit)
        )
        with self._read() as conn:
            return [int(row[0]) for row in conn.execute(query)]

    def count_articles(self) -> int:
        """Return how many articles are stored."""
        with self._read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(articles)).scalar_one())

    # --- summary cache ----------------------------------------------------------------------

    @staticmethod
    def _key_condition(key: SummaryKey) -> sa.ColumnElement[bool]:
        c = summary_cache.c
        return sa.and_(
            c.content_hash == key.content_hash,
            c.method == key.method,
            c.length_key == key.length_key,
            c.format == key.format,
        )

    def get_cached_summary(self, key: SummaryKey) -> dict[str, Any] | None:
        """Return the cached summary for ``key``, or None."""
        with self._read() as conn:
            value = conn.execute(
                sa.select(summary_cache.c.summary).where(self._key_condition(key))
            ).scalar()
        return None if value is None else dict(json.loads(value))

    def put_cached_summary(
        self,
        key: SummaryKey,
        summary: Mapping[str, Any],
        *,
        max_variants: int | None = None,
        replace: bool = False,
    ) -> dict[str, Any]:
        """Insert ``summary`` under ``key`` unless one is there; return the stored value.

        Concurrent writers of one key all get back the first writer's value. With
        ``max_variants``, nothing is inserted once the text has that many stored summaries
        (counted in the write transaction, under a lock, so concurrent writers cannot pass it); the
        value under ``key`` is returned if there is one, else ``summary`` as given. With
        ``replace`` a stored value is overwritten (``newsbrief resummarize`` after a model change).
        """
        if max_variants is not None and not replace:
            with self._write() as conn:
                if not self._sqlite:
                    # SQLite's write transaction is exclusive; PostgreSQL's is not, so writers
                    # of one text take its lock until commit before they count.
                    conn.execute(
                        sa.text("SELECT pg_advisory_xact_lock(hashtext(:text))"),
                        {"text": key.content_hash},
                    )
                held = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(summary_cache)
                    .where(summary_cache.c.content_hash == key.content_hash)
                ).scalar_one()
                if held >= max_variants:
                    value = conn.execute(
                        sa.select(summary_cache.c.summary).where(self._key_condition(key))
                    ).scalar()
                    return dict(summary) if value is None else dict(json.loads(value))
                return self._insert_summary(conn, key, summary)
        with self._write() as conn:
            return self._insert_summary(conn, key, summary, replace=replace)

    def _insert_summary(
        self,
        conn: sa.Connection,
        key: SummaryKey,
        summary: Mapping[str, Any],
        *,
        replace: bool = False,
    ) -> dict[str, Any]:
        insert = self._insert(summary_cache).values(
            **key._asdict(), summary=json.dumps(summary), created_at=utcnow()
        )
        columns = ["content_hash", "method", "length_key", "format"]
        if replace:
            stmt = insert.on_conflict_do_update(
                index_elements=columns,
                set_={"summary": insert.excluded.summary, "created_at": insert.excluded.created_at},
            )
        else:
            stmt = insert.on_conflict_do_nothing(index_elements=columns)
        conn.execute(stmt)
        value = conn.execute(
            sa.select(summary_cache.c.summary).where(self._key_condition(key))
        ).scalar_one()
        return dict(json.loads(value))

    @contextmanager
    def summary_lock(self, key: SummaryKey) -> Iterator[None]:
        """Hold the lock of ``key`` across processes while its summary is computed.

        PostgreSQL: a transaction-level advisory lock (``pg_advisory_xact_lock``) on a
        connection kept for the duration, so workers on any machine wait for one computation;
        it ends with the transaction, even if the process dies. SQLite: a POSIX record lock
        (``lockf``) on one byte of ``<database>-summary.lock`` beside the database, so
        processes on this machine wait; the kernel drops it when a process dies. Record locks
        belong to the process, so callers serialize threads themselves (the service's keyed
        locks do); two keys on one byte (1 in 2**31) only cost a duplicate computation.
        """
        digest = hashlib.sha256("\x1f".join(key).encode()).digest()
        number = int.from_bytes(digest[:8], "big", signed=True)
        if not self._sqlite:
            with self._translate(), self._engine.connect() as conn, conn.begin():
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(number)))
                yield
            return
        fd = self._lock_file()
        if fd is None:
            yield
            return
        import fcntl

        offset = number & 0x7FFFFFFF
        fcntl.lockf(fd, fcntl.LOCK_EX, 1, offset)
        try:
            yield
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, offset)

    def _lock_file(self) -> int | None:
        """Return the descriptor of the SQLite summary lock file (opened once), or None."""
        if self._lock_fd is None:
            try:
                import fcntl  # noqa: F401  (POSIX only: elsewhere locks stay in-process)
            except ImportError:
                return None
            database = self._engine.url.database
            assert database is not None
            with self._guard:
                if self._lock_fd is None:
                    self._lock_fd = os.open(
                        f"{database}-summary.lock", os.O_RDWR | os.O_CREAT, 0o600
                    )
        return self._lock_fd

    def ping(self) -> None:
        """Run a trivial query.

        Raises:
            StorageError: the database cannot be reached.
        """
        with self._read() as conn:
            conn.execute(sa.select(1))

    # --- feeds ------------------------------------------------------------------------------

    @staticmethod
    def _feed(row: sa.Row[Any]) -> Feed:
        m = row._mapping
        return Feed(
            id=m["id"],
            url=m["url"],
            title=m["title"],
            created_at=m["created_at"],
            last_fetched_at=m["last_fetched_at"],
            last_error=m["last_error"],
            last_status=m["last_status"],
        )

    def add_feed(self, url: str, *, title: str | None = None) -> tuple[Feed, bool]:
        """Subscribe to the feed at ``url``; an already subscribed URL returns its feed.

        URLs that differ only as ``canonical_url`` ignores (case of the host, tracking
        parameters, a trailing slash) are the same feed.

        Raises:
            InvalidOptions: not an absolute http(s) URL.
        """
        url = url.strip()
        canonical = canonical_url(url)
        for feed in self.list_feeds():
            if canonical_url(feed.url) == canonical:
                return feed, False
        try:
            with self._write() as conn:
                new_id = _new_id(
                    conn.execute(feeds.insert().values(url=url, title=title, created_at=utcnow()))
                )
        except sa.exc.IntegrityError:
            with self._read() as conn:
                row = conn.execute(sa.select(feeds).where(feeds.c.url == url)).first()
            if row is None:
                raise StorageError(f"could not store the feed in {self.url}") from None
            return self._feed(row), False
        return self.get_feed(new_id), True

    def list_feeds(self) -> list[Feed]:
        """Return every feed, oldest subscription first."""
        with self._read() as conn:
            rows = conn.execute(sa.select(feeds).order_by(feeds.c.id)).all()
        return [self._feed(r) for r in rows]

    def get_feed(self, feed_id: int) -> Feed:
        """Return the feed with ``feed_id``.

        Raises:
            NotFound: no such feed.
        """
        with self._read() as conn:
            row = conn.execute(sa.select(feeds).where(feeds.c.id == feed_id)).first()
        if row is None:
            raise NotFound(f"no feed with id {feed_id}")
        return self._feed(row)

    def delete_feed(self, feed_id: int) -> None:
        """Unsubscribe from a feed; its articles stay stored.

        Raises:
            NotFound: no such feed.
        """
        with self._write() as conn:
            deleted = conn.execute(feeds.delete().where(feeds.c.id == feed_id)).rowcount
        if not deleted:
            raise NotFound(f"no feed with id {feed_id}")

    def record_feed_fetch(
        self, feed_id: int, *, error: str | None, status: str | None, title: str | None = None
    ) -> Feed:
        """Record a refresh: the time, its error (None when it worked), status, and title.

        Raises:
            NotFound: no such feed.
        """
        values: dict[str, Any] = {
            "last_fetched_at": utcnow(),
            "last_error": error,
            "last_status": status,
        }
        if title is not None:
            values["title"] = title
        with self._write() as conn:
            updated = conn.execute(
                feeds.update().where(feeds.c.id == feed_id).values(**values)
            ).rowcount
        if not updated:
            raise NotFound(f"no feed with id {feed_id}")
        return self.get_feed(feed_id)

    def feed_item_keys(self, feed_id: int) -> set[str]:
        """Return the keys (guid or link) of the feed's entries already ingested.

        An entry whose article an editor deleted counts as ingested (no error, no article):
        a refresh does not bring the article back.
        """
        with self._read() as conn:
            rows = conn.execute(
                sa.select(feed_items.c.key).where(
                    feed_items.c.feed_id == feed_id, feed_items.c.error.is_(None)
                )
            ).all()
        return {r[0] for r in rows}

    def record_feed_item(
        self,
        feed_id: int,
        key: str,
        *,
        url: str | None,
        article_id: int | None,
        error: str | None,
    ) -> None:
        """Remember one feed entry's outcome (insert, or update the entry with that key).

        Raises:
            NotFound: no such feed (e.g. it was removed while a refresh ran).
        """
        fields = {"url": url, "article_id": article_id, "error": error, "seen_at": utcnow()}
        stmt = (
            self._insert(feed_items)
            .values(feed_id=feed_id, key=key, **fields)
            .on_conflict_do_update(index_elements=["feed_id", "key"], set_=fields)
        )
        try:
            with self._write() as conn:
                conn.execute(stmt)
        except sa.exc.IntegrityError as exc:
            # The upsert cannot conflict on (feed_id, key): only a foreign key can fail.
            raise NotFound(f"no feed with id {feed_id}") from exc

    def forget_feed_failures(self, feed_id: int, *, keep: Collection[str]) -> int:
        """Forget the failed entries whose key is not in ``keep`` (gone from the feed).

        Ingested entries are kept (they stop a later refresh from fetching them again), so
        ``list_feed_items(failed_only=True)`` lists the failures of entries the feed still has.

        Returns:
            How many entries were forgotten.
        """
        with self._read() as conn:
            failed = conn.execute(
                sa.select(feed_items.c.key).where(
                    feed_items.c.feed_id == feed_id, feed_items.c.error.is_not(None)
                )
            ).all()
        stale = sorted({r[0] for r in failed} - set(keep))
        forgotten = 0
        # In slices: SQLite caps the parameters of one statement.
        for start in range(0, len(stale), _DELETE_SLICE):
            keys = stale[start : start + _DELETE_SLICE]
            with self._write() as conn:
                forgotten += conn.execute(
                    feed_items.delete().where(
                        feed_items.c.feed_id == feed_id,
                        feed_items.c.key.in_(keys),
                        feed_items.c.error.is_not(None),
                    )
                ).rowcount
        return forgotten

    def list_feed_items(self, feed_id: int, *, failed_only: bool = False) -> list[FeedItem]:
        """Return the feed's remembered entries, most recently seen first."""
        query = sa.select(feed_items).where(feed_items.c.feed_id == feed_id)
        if failed_only:
            query = query.where(feed_items.c.error.is_not(None))
        with self._read() as conn:
            rows = conn.execute(
                query.order_by(feed_items.c.seen_at.desc(), feed_items.c.id.desc())
            ).all()
        return [
            FeedItem(
                feed_id=r.feed_id,
                key=r.key,
                url=r.url,
                article_id=r.article_id,
                error=r.error,
                seen_at=r.seen_at,
            )
            for r in rows
        ]

    def close(self) -> None:
        """Release the connections (and the SQLite summary lock file)."""
        self._engine.dispose()
        with self._guard:
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None

    def __enter__(self) -> SQLStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLStore({self.url!r})"


def _enable_wal(cursor: Any) -> None:
    """Switch the database to WAL (a persistent setting) unless it already is.

    Switching needs an exclusive lock and SQLite does not always wait for it through the busy
    handler: two processes opening a new database together can get "database is locked" at
    once. So the switch is retried until the busy timeout, and skipped once done.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    delay = 0.005
    while True:
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def sqlite_engine(path: str) -> sa.Engine:
    """Return an engine on the SQLite file at ``path`` (WAL, foreign keys, busy timeout)."""
    engine = sa.create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module: we emit BEGIN ourselves below.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        _enable_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def postgres_engine(url: str) -> sa.Engine:
    """Return an engine on PostgreSQL through psycopg 3 (``postgresql://`` URLs)."""
    sa_url = sa.make_url(url).set(drivername="postgresql+psycopg")
    return sa.create_engine(
        sa_url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, pool_pre_ping=True
    )
