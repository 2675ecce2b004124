"""Storage micro-benchmark: the store calls the reader site makes, per backend.

    python benchmarks/storage.py                       # SQLite in a temporary directory
    python benchmarks/storage.py --postgres URL        # and PostgreSQL (tables are dropped!)

Adds ``--articles`` generated articles (written here, no news text), then times: adding,
a cache hit (``get_cached_summary``), a cache insert, the home page (``list_articles``), a
full-text search, ``neighbours`` and ``get_article``. Prints median and p99 per call.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from newsbrief.models import Article
from newsbrief.storage import SQLStore, SummaryKey, open_store

WORDS = [
    *("harbour", "council", "bakery", "library", "train", "ferry", "garden", "lamp"),
    *("bridge", "market", "choir", "school", "festival", "river", "museum", "orchard"),
    *("bicycle", "tower", "meeting", "report", "winter", "summer"),
]
TABLES = "feed_items, summary_cache, articles, feeds, schema_version"


def make_article(i: int) -> Article:
    words = [WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(120)]
    paragraphs = [" ".join(words[j : j + 30]) + f" item {i}." for j in range(0, 120, 30)]
    return Article(text="\n".join(paragraphs), title=f"Item {i}", url=f"https://ex.org/{i}")


def timed(fn: Callable[[int], object], n: int) -> tuple[float, float]:
    samples = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - t0)
    samples.sort()
    return statistics.median(samples) * 1000, samples[int(0.99 * (len(samples) - 1))] * 1000


def run(store: SQLStore, n_articles: int, n_calls: int) -> list[tuple[str, float, float]]:
    rows = []
    rows.append(
        (
            "add_article",
            *timed(lambda i: store.add_article(make_article(i), source="text"), n_articles),
        )
    )
    first = store.list_articles(limit=1).items[0]
    key = SummaryKey(first.content_hash, "lead", "sentences=3", "bullets")
    summary = {
        "summary": "x" * 600,
        "sentences": [{"text": "x" * 200, "index": i} for i in range(3)],
    }
    store.put_cached_summary(key, summary)
    ids = [a.id for a in store.list_articles(limit=500).items]
    rows.append(
        ("get_cached_summary (hit)", *timed(lambda i: store.get_cached_summary(key), n_calls))
    )
    rows.append(
        (
            "put_cached_summary (new key)",
            *timed(
                lambda i: store.put_cached_summary(key._replace(length_key=f"k{i}"), summary),
                n_calls,
            ),
        )
    )
    rows.append(
        ("list_articles (page 1)", *timed(lambda i: store.list_articles(limit=20), n_calls))
    )
    rows.append(
        (
            "list_articles (search)",
            *timed(lambda i: store.list_articles(query="harbour ferry"), n_calls),
        )
    )
    rows.append(("neighbours", *timed(lambda i: store.neighbours(ids[i % len(ids)]), n_calls)))
    rows.append(("get_article", *timed(lambda i: store.get_article(ids[i % len(ids)]), n_calls)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument(
        "--postgres", help="PostgreSQL URL to benchmark too (its tables are dropped)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")]
        if args.postgres:
            engine = sa.create_engine(
                sa.make_url(args.postgres).set(drivername="postgresql+psycopg")
            )
            with engine.begin() as conn:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLES} CASCADE")
            engine.dispose()
            targets.append(("postgresql", args.postgres))
        print(
            f"{args.articles} articles, {args.calls} calls per operation; milliseconds per call\n"
        )
        print(f"{'backend':<11} {'operation':<30} {'median':>8} {'p99':>8}")
        for name, url in targets:
            with open_store(url) as store:
                for op, median, p99 in run(store, args.articles, args.calls):
                    print(f"{name:<11} {op:<30} {median:8.3f} {p99:8.3f}")


if __name__ == "__main__":
    main()
