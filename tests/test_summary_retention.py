"""Which summaries the store keeps: canonical lengths always, other variants up to a cap."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from newsbrief import service
from newsbrief.models import Length, SummaryOptions
from newsbrief.storage import SQLStore, SummaryKey
from newsbrief.storage.schema import summary_cache
from storage_support import BACKENDS, make_store

TEXT = "\n".join(
    f"Paragraph {i}: the {word} council met on {day} and approved the plan for the {place}."
    for i, (word, day, place) in enumerate(
        [
            ("city", "Monday", "harbour"),
            ("town", "Tuesday", "station"),
            ("county", "Wednesday", "market"),
            ("district", "Thursday", "bridge"),
            ("regional", "Friday", "library"),
            ("village", "Saturday", "museum"),
            ("borough", "Sunday", "school"),
            ("parish", "Monday", "garden"),
        ]
    )
)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLStore]:
    yield from make_store(request.param, tmp_path)


def stored_count(store: SQLStore) -> int:
    with store._engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(summary_cache)).scalar_one())


def summarize(store: SQLStore, article_id: int, **length: int | float) -> dict[str, object]:
    options = SummaryOptions(method="lead", length=Length(**length), format="text")  # type: ignore[arg-type]
    return service.summarize_stored(store, article_id, options)


def test_variants_past_the_cap_are_answered_but_not_stored(store: SQLStore) -> None:
    stored, _ = service.add_article_from(store, text=TEXT)
    cap = service.MAX_STORED_VARIANTS
    for words in range(10, 10 + cap + 16):
        assert summarize(store, stored.id, words=words)["cached"] is False
    assert stored_count(store) == cap
    # Within the cap: a repeat is read from the store; past it: computed again, still right.
    assert summarize(store, stored.id, words=10)["cached"] is True
    again = summarize(store, stored.id, words=10 + cap + 1)
    assert again["cached"] is False and again["summary"]
    assert stored_count(store) == cap


def test_canonical_lengths_are_stored_past_the_cap(store: SQLStore) -> None:
    stored, _ = service.add_article_from(store, text=TEXT)
    for ratio in range(1, service.MAX_STORED_VARIANTS + 5):
        summarize(store, stored.id, ratio=ratio / 100)
    for sentences in sorted(service.CANONICAL_SENTENCES):
        assert summarize(store, stored.id, sentences=sentences)["cached"] is False
        assert summarize(store, stored.id, sentences=sentences)["cached"] is True
    assert stored_count(store) == service.MAX_STORED_VARIANTS + len(service.CANONICAL_SENTENCES)
    assert not service.is_canonical(SummaryOptions(length=Length(sentences=2)))
    assert service.is_canonical(SummaryOptions())  # the default length: 3 sentences


def test_the_cap_is_per_article_text(store: SQLStore) -> None:
    first, _ = service.add_article_from(store, text=TEXT)
    second, _ = service.add_article_from(store, text=TEXT.replace("council", "committee"))
    for words in range(10, 10 + service.MAX_STORED_VARIANTS):
        summarize(store, first.id, words=words)
    summarize(store, second.id, words=10)
    assert summarize(store, second.id, words=10)["cached"] is True


def test_concurrent_writers_do_not_pass_the_cap(store: SQLStore) -> None:
    summary = {"summary": "x"}
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            key = SummaryKey("h" * 64, "lead", f"words={n}", "text")
            store.put_cached_summary(key, summary, max_variants=5)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert stored_count(store) == 5
