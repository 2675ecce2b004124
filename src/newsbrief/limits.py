"""Limits on what one summary may cost, whatever the input: the one place they are defined.

A request body or a file is limited in bytes where it is read (``extract.DEFAULT_MAX_BYTES``,
``settings.DEFAULT_MAX_BODY_BYTES``); these limits bound the work done on what was read:

- ``MAX_ARTICLE_CHARS``: characters of article text that are split into sentences and
  summarized. Longer text is cut at the last paragraph break (else the last space) before the
  limit, and the summary's ``info["cut"]`` says so; the article itself is stored whole.
- ``MAX_ARTICLE_SENTENCES``: sentences a summarizer reads. The extractive methods compare
  every sentence with every other (similarity graph, redundancy with the lead), so their cost
  grows with the square of this number; past it the cost stays flat.
- ``SUMMARY_TIME_LIMIT`` (extractive methods) and ``ABSTRACTIVE_TIME_LIMIT`` (model-backed
  ones): seconds one ``newsbrief.summarize`` call may take before it raises ``SummaryTimeout``.
  The clock is checked between stages (extraction, splitting, features, scoring, each model
  call), so a call stops at the first check past its deadline; with the two size limits above
  no stage of an extractive summary takes more than about a second.

Every figure is in docs/benchmarks.md ("Cost of one summary"), measured with
``benchmarks/cost.py``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from newsbrief.errors import InvalidOptions, SummaryTimeout

__all__ = [
    "ABSTRACTIVE_TIME_LIMIT",
    "BATCH_RECORD_GRACE",
    "BATCH_WORKER_MEMORY",
    "MAX_ARTICLE_CHARS",
    "MAX_ARTICLE_SENTENCES",
    "SUMMARY_TIME_LIMIT",
    "check_deadline",
    "check_time_limit",
    "deadline",
]

#: 100,000 characters is ~16,000 English words, five times the longest article of the
#: evaluation sets (XSum: 63,937 characters; CNN/DM 11,981; BBC 18,355; OrangeSum 7,529), so
#: no real article is cut and the quality tables do not move.
MAX_ARTICLE_CHARS = 100_000
#: 2,000 sentences is above the longest article of the evaluation sets (an XSum page of
#: listings, 1,309 sentences; CNN/DM's longest has 166), and bounds each dense sentence x
#: sentence matrix at 32 MB (docs/benchmarks.md, "Cost of one summary").
MAX_ARTICLE_SENTENCES = 2_000
#: Seconds an extractive summary may take: ~100x what the worst input within the limits above
#: takes on one loaded core, so only a stalled machine reaches it.
SUMMARY_TIME_LIMIT = 30.0
#: Seconds an abstractive summary may take (every map-reduce call included); each model call
#: has its own timeout too (``--llm-timeout``).
ABSTRACTIVE_TIME_LIMIT = 600.0

#: Memory one batch worker process may hold (``resource.RLIMIT_DATA``: heap and anonymous
#: mappings) while it summarizes a record: ~8x the most any record within the limits above
#: needs (~260 MB, docs/benchmarks.md). A record past it gets an error line
#: (``record_memory``) and the run goes on.
BATCH_WORKER_MEMORY = 2_000_000_000
#: Seconds a batch record may take beyond its summary's time limit before its worker stops it
#: (``record_timeout``): the summary's own limit is checked between stages, this one stops a
#: stage that never returns to them.
BATCH_RECORD_GRACE = 30.0

_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("newsbrief_deadline", default=None)


def check_time_limit(value: object, name: str = "time_limit") -> float | None:
    """Return ``value`` as a time limit in seconds (None: no limit).

    Raises:
        InvalidOptions: not a positive, finite number.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidOptions(f"{name} must be a number of seconds or None (got {value!r})")
    seconds = float(value)
    if not math.isfinite(seconds) or seconds <= 0:
        raise InvalidOptions(f"{name} must be a positive, finite number of seconds (got {value})")
    return seconds


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Run the block under a deadline of ``seconds`` that ``check_deadline`` enforces.

    A deadline already in force (an outer call) is kept when it is the earlier one.
    """
    if seconds is None:
        yield
        return
    end = time.monotonic() + seconds
    outer = _DEADLINE.get()
    if outer is not None and outer[0] <= end:
        yield
        return
    token = _DEADLINE.set((end, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check_deadline(stage: str) -> None:
    """Raise ``SummaryTimeout`` when the current deadline (if any) has passed.

    ``stage`` names the step that was reached, for the message.
    """
    current = _DEADLINE.get()
    if current is not None and time.monotonic() > current[0]:
        raise SummaryTimeout(
            f"the summary took longer than its time limit of {current[1]:g} s "
            f"(stopped at: {stage}); a shorter article or a lighter method is faster"
        )
