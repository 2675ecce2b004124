"""Rate limits every worker shares: token buckets and failed-login counters in the store.

With ``newsbrief serve --workers N`` each worker is its own process; limits kept in a
worker's memory would give a client N times its allowance. ``LimitsMixin`` keeps them in one
``rate_limits`` table instead, each change a single atomic statement (``INSERT ... ON CONFLICT
DO UPDATE ... RETURNING``: PostgreSQL, and SQLite from 3.35), so concurrent workers never both
spend the last token.

A bucket is kept as its *theoretical arrival time* (GCRA, the token bucket's one-number form):
``burst`` tokens refilled at ``rate`` a second means each request pushes ``tat`` on by
``1/rate`` seconds, and a request is refused when that would put ``tat`` more than
``burst/rate`` seconds ahead of now. A bucket whose ``tat`` is past is full, so its row can
go: ``expire_limits`` deletes every row past its ``expires`` time, and the web app calls it
now and then, which bounds the table by the clients seen in the last minute or so.

Times are the callers' epoch seconds (``time.time()``): workers on one machine share its
clock; PostgreSQL workers on several machines need their clocks in sync (NTP).
"""

from __future__ import annotations

import hashlib
from contextlib import AbstractContextManager
from typing import Any, Protocol

import sqlalchemy as sa

from newsbrief.storage.schema import rate_limits

#: Longest key kept as is; a longer one (a made-up account name) is stored as its hash.
MAX_KEY_CHARS = 80
#: Slack in comparisons of float seconds (a request exactly on time is let through).
_EPSILON = 1e-6


class LimitStore(Protocol):
    """The store's side of rate limits that every worker shares (``web.limits`` uses it)."""

    def take_token(self, scope: str, key: str, *, rate: float, burst: int, now: float) -> float:
        """Spend one token of the bucket ``(scope, key)``; return 0.0, or seconds to wait."""
        ...

    def count_failure(self, scope: str, key: str, *, window_s: float, now: float) -> None:
        """Count one failure of ``(scope, key)`` in its window (a new one when it ended)."""
        ...

    def failures(self, scope: str, key: str, *, now: float) -> tuple[int, float]:
        """Return ``(failures in the current window, seconds until the window ends)``."""
        ...

    def clear_limit(self, scope: str, key: str) -> None:
        """Forget the bucket or counter ``(scope, key)``."""
        ...

    def expire_limits(self, *, now: float) -> int:
        """Delete the buckets and counters that mean nothing at ``now``; return how many."""
        ...

    def count_limits(self) -> int:
        """Return how many buckets and counters are kept."""
        ...


class _Connections(Protocol):
    """What the mixin needs of ``SQLStore``."""

    def _read(self) -> AbstractContextManager[sa.Connection]: ...

    def _write(self) -> AbstractContextManager[sa.Connection]: ...

    def _insert(self, table: sa.Table) -> Any: ...


def limit_key(key: str) -> str:
    """Return what is stored for ``key``: itself, or ``#`` and its sha256 when too long."""
    if len(key) <= MAX_KEY_CHARS:
        return key
    return "#" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:64]


class LimitsMixin:
    """``LimitStore`` over SQLAlchemy Core (mixed into ``SQLStore``)."""

    def take_token(
        self: _Connections, scope: str, key: str, *, rate: float, burst: int, now: float
    ) -> float:
        """Spend one token of the bucket ``(scope, key)``: ``burst`` tokens, ``rate`` a second.

        Returns:
            0.0 when a token was spent; else the seconds until one is there (nothing spent).
        """
        step = 1.0 / rate
        ahead = burst * step  # how far ahead of now the bucket may run
        t = rate_limits.c
        key = limit_key(key)
        # A refusal changes nothing, so an empty bucket is answered from a read: a client
        # hammering past its limit takes no write lock. (A read can only be older than the
        # truth, and a bucket only fills with time: a refusal read here is right.)
        with self._read() as conn:
            level = conn.execute(sa.select(t.level).where(t.scope == scope, t.key == key)).scalar()
        if level is not None and max(float(level), now) + step - now > ahead + _EPSILON:
            return max(0.0, float(level) + step - ahead - now)
        start = sa.case((t.level > now, t.level), else_=sa.literal(now, sa.Float))
        ok = start + step - now <= ahead + _EPSILON
        insert = self._insert(rate_limits).values(
            scope=scope, key=key, level=now + step, expires=now + step, granted=True
        )
        # SET's right-hand sides all read the row as it was (both databases): ``ok`` is
        # decided once, on the old time.
        stmt = insert.on_conflict_do_update(
            index_elements=["scope", "key"],
            set_={
                "level": sa.case((ok, start + step), else_=t.level),
                "expires": sa.case((ok, start + step), else_=t.level),
                "granted": ok,
            },
        ).returning(t.level, t.granted)
        with self._write() as conn:
            level, granted = conn.execute(stmt).one()
        if granted:
            return 0.0
        return max(0.0, float(level) + step - ahead - now)

    def count_failure(
        self: _Connections, scope: str, key: str, *, window_s: float, now: float
    ) -> None:
        """Count one failure of ``(scope, key)``; the first one opens a ``window_s`` window."""
        t = rate_limits.c
        ended = t.expires <= now
        insert = self._insert(rate_limits).values(
            scope=scope, key=limit_key(key), level=1.0, expires=now + window_s, granted=False
        )
        stmt = insert.on_conflict_do_update(
            index_elements=["scope", "key"],
            set_={
                "level": sa.case((ended, 1.0), else_=t.level + 1),
                "expires": sa.case((ended, now + window_s), else_=t.expires),
            },
        )
        with self._write() as conn:
            conn.execute(stmt)

    def failures(self: _Connections, scope: str, key: str, *, now: float) -> tuple[int, float]:
        """Return ``(failures in the current window, seconds until it ends)``; (0, 0.0) if none."""
        t = rate_limits.c
        with self._read() as conn:
            row = conn.execute(
                sa.select(t.level, t.expires).where(
                    t.scope == scope, t.key == limit_key(key), t.expires > now
                )
            ).first()
        if row is None:
            return 0, 0.0
        return int(row.level), float(row.expires) - now

    def clear_limit(self: _Connections, scope: str, key: str) -> None:
        """Forget the bucket or counter ``(scope, key)``."""
        t = rate_limits.c
        with self._write() as conn:
            conn.execute(rate_limits.delete().where(t.scope == scope, t.key == limit_key(key)))

    def expire_limits(self: _Connections, *, now: float) -> int:
        """Delete the buckets and counters that mean nothing at ``now``; return how many."""
        with self._write() as conn:
            deleted = conn.execute(rate_limits.delete().where(rate_limits.c.expires <= now))
        return int(deleted.rowcount)

    def count_limits(self: _Connections) -> int:
        """Return how many buckets and counters are kept."""
        with self._read() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(rate_limits))
            return int(count.scalar_one())
