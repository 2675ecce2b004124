"""Rate limits every worker shares: the store's buckets and counters (``storage.limits``), the
web app's ``SharedRateLimiter`` and ``SharedLoginLimiter``, and a real ``serve --workers 2``
whose workers together allow one client what one worker would (tests/test_serve_workers.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsbrief.errors import RateLimited
from newsbrief.storage import SQLStore
from newsbrief.web.limits import SharedRateLimiter
from storage_support import BACKENDS, make_store
from test_rate_limits import get
from web_support import make_app


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLStore]:
    yield from make_store(str(request.param), tmp_path)


# --- the store's buckets and counters -----------------------------------------------------------


def test_bucket_allows_its_burst_then_refills(store: SQLStore) -> None:
    rate = 1 / 60  # one a minute
    take = store.take_token
    assert [take("work", "a", rate=rate, burst=2, now=1000.0) for _ in range(2)] == [0.0, 0.0]
    assert take("work", "a", rate=rate, burst=2, now=1000.0) == pytest.approx(60.0)
    # A refused request spends nothing: half a minute on, half the wait is left.
    assert take("work", "a", rate=rate, burst=2, now=1030.0) == pytest.approx(30.0)
    assert take("work", "a", rate=rate, burst=2, now=1060.0) == 0.0
    assert take("work", "a", rate=rate, burst=2, now=1060.0) == pytest.approx(60.0)
    # Another client, and the same address in another scope, have buckets of their own.
    assert take("work", "b", rate=rate, burst=2, now=1060.0) == 0.0
    assert take("other", "a", rate=rate, burst=2, now=1060.0) == 0.0
    # After long enough the bucket is full again: a whole burst passes.
    assert [take("work", "a", rate=rate, burst=2, now=5000.0) for _ in range(3)][:2] == [0, 0]


def test_concurrent_takes_never_spend_a_token_twice(store: SQLStore) -> None:
    granted: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def hammer() -> None:
        start.wait()
        for _ in range(10):
            wait = store.take_token("work", "client", rate=0.001, burst=25, now=2000.0)
            with lock:
                granted.append(wait)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 80
    assert granted.count(0.0) == 25


def test_failure_counters_have_a_window(store: SQLStore) -> None:
    assert store.failures("login-account", "ana", now=0.0) == (0, 0.0)
    store.count_failure("login-account", "ana", window_s=900, now=100.0)
    store.count_failure("login-account", "ana", window_s=900, now=160.0)
    assert store.failures("login-account", "ana", now=200.0) == (2, pytest.approx(800.0))
    assert store.failures("login-client", "ana", now=200.0) == (0, 0.0)
    # The window opened at the first failure; once it ended, counting starts again.
    assert store.failures("login-account", "ana", now=1000.0) == (0, 0.0)
    store.count_failure("login-account", "ana", window_s=900, now=1001.0)
    assert store.failures("login-account", "ana", now=1001.0) == (1, pytest.approx(900.0))
    store.clear_limit("login-account", "ana")
    assert store.failures("login-account", "ana", now=1001.0) == (0, 0.0)


def test_long_keys_are_kept_hashed_and_apart(store: SQLStore) -> None:
    long_a, long_b = "a" * 5000, "a" * 4999 + "b"
    store.count_failure("login-account", long_a, window_s=60, now=0.0)
    assert store.failures("login-account", long_a, now=1.0)[0] == 1
    assert store.failures("login-account", long_b, now=1.0)[0] == 0


def test_stale_rows_are_expired(store: SQLStore) -> None:
    for n in range(5):
        store.take_token("work", f"10.0.0.{n}", rate=1.0, burst=3, now=100.0)
    store.count_failure("login-client", "10.0.0.9", window_s=900, now=100.0)
    assert store.count_limits() == 6
    # A bucket full again (1 s after its one request) and an ended window mean nothing.
    assert store.expire_limits(now=102.0) == 5
    assert store.count_limits() == 1
    assert store.expire_limits(now=1001.0) == 1
    assert store.count_limits() == 0


def test_shared_limiter_sweeps_now_and_then(store: SQLStore) -> None:
    now = [1000.0]
    limiter = SharedRateLimiter(store, per_minute=60, burst=1, clock=lambda: now[0])
    for n in range(10):
        limiter.check(f"192.0.2.{n}")
    with pytest.raises(RateLimited) as refused:
        limiter.check("192.0.2.1")
    assert refused.value.retry_after == 1
    assert store.count_limits() == 10
    now[0] += 120  # past the sweep period: the next check deletes the full buckets first
    limiter.check("192.0.2.200")
    assert store.count_limits() == 1


# --- two apps on one store: what two workers do ---------------------------------------------------


def test_two_workers_share_one_clients_allowance(tmp_path: Path) -> None:
    app, store, _ = make_app(
        tmp_path, demo=True, public=True, rate_burst=3, rate_per_minute=1, workers=2
    )
    from newsbrief.settings import Settings
    from newsbrief.web.app import create_app

    other = create_app(
        Settings(public=True, rate_burst=3, rate_per_minute=1, workers=2, pregenerate=False),
        store=store,
    )
    article = store.list_articles(limit=1).items[0].id
    url = f"/api/articles/{article}/summary"
    answers = [get(app if n % 2 else other, f"{url}?words={10 + n}").status_code for n in range(6)]
    assert answers == [200, 200, 200, 429, 429, 429]
    # Another client is unaffected, on either worker.
    assert get(other, f"{url}?words=99", client="198.51.100.9").status_code == 200
    store.close()


def test_a_refusal_takes_no_write_lock(tmp_path: Path) -> None:
    """A client past its limit is answered from a read: it never waits for SQLite's writer."""
    import sqlite3
    import time

    from newsbrief.storage import open_store

    path = tmp_path / "locked.sqlite3"
    store = open_store(f"sqlite:///{path}")
    assert store.take_token("work", "abuser", rate=0.01, burst=1, now=100.0) == 0.0
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another worker holds the write lock
    try:
        started = time.monotonic()
        assert store.take_token("work", "abuser", rate=0.01, burst=1, now=101.0) > 0
        assert time.monotonic() - started < 2  # not the 10 s busy timeout
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    store.close()
