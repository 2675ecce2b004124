"""Summaries ready before the click: compute new articles' summaries in the background.

When an article is added (API, form, feed refresh) the server hands its id to a
``Pregenerator``, which computes the summary button's lengths with the button's method and
stores them in the summary cache; the button then reads from the store. Extractive summaries
(milliseconds each) go through one thread; abstractive ones through a bounded queue served by
``llm_concurrency`` threads, so a burst of new articles never sends more than that many calls
to the model at once. An abstractive method falls back as its backend is configured
(``--llm-fallback``); a fallback that stands in for a failed backend is not stored (see
``service.is_lasting``), so the click tries the model again.

``resummarize`` recomputes stored articles' summaries and overwrites the cache: what
``newsbrief resummarize`` runs after a model change.

The queue is kept in memory, and made durable by reconciliation: when a server starts it
asks the store which articles still lack one of the button's summaries (``reconcile``:
newest first, at most ``RECONCILE_LIMIT``) and queues them, so a restart or a crash before
the queue drained loses no summary. With ``--workers N`` each worker reconciles; the store's
summary locks make the second computation of a summary a wait and a cache read.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newsbrief import metrics, summarizers
from newsbrief.errors import InvalidOptions, NewsbriefError
from newsbrief.models import SummaryOptions
from newsbrief.storage import Store

log = logging.getLogger("newsbrief.pregenerate")

#: Summaries waiting per queue; past it new ones are dropped (and computed on the click).
#: 10,000 is ~3,000 articles of three lengths: more than any feed refresh brings at once.
MAX_QUEUE = 10_000
#: Abstractive summaries computed at once by default (``--llm-concurrency``).
DEFAULT_LLM_CONCURRENCY = 2

#: Articles queued by one reconciliation at start-up, newest first. 1,000 articles of three
#: lengths are 3,000 summaries: well inside ``MAX_QUEUE``, and ~5 s of extractive work.
RECONCILE_LIMIT = 1_000

_STOP = None


def is_abstractive(options: SummaryOptions) -> bool:
    """Return True when ``options`` ask for an abstractive (model-written) summary."""
    return summarizers.describe(options.method).kind == "abstractive"


class Pregenerator:
    """Background threads that store the summaries ``variants`` of each submitted article."""

    def __init__(
        self,
        store: Store,
        variants: Sequence[SummaryOptions],
        *,
        llm_concurrency: int = DEFAULT_LLM_CONCURRENCY,
        max_queue: int = MAX_QUEUE,
    ) -> None:
        if llm_concurrency < 1:
            raise InvalidOptions(f"--llm-concurrency must be at least 1 (got {llm_concurrency})")
        self.store = store
        self.variants = tuple(variants)
        self.llm_concurrency = llm_concurrency
        self._queues: dict[bool, queue.Queue[tuple[int, SummaryOptions] | None]] = {
            False: queue.Queue(max_queue),
            True: queue.Queue(max_queue),
        }
        self._threads: list[tuple[threading.Thread, bool]] = []
        self._start_lock = threading.Lock()
        self._pending = 0
        self._idle = threading.Condition()
        self.dropped = 0

    def start(self) -> None:
        """Start the threads: one for extractive summaries, ``llm_concurrency`` for the rest.

        ``submit`` starts them when first called, so an app that never adds an article never
        starts a thread.
        """
        with self._start_lock:
            if self._threads:
                return
            kinds = {is_abstractive(v) for v in self.variants}
            for abstractive in sorted(kinds):
                for n in range(self.llm_concurrency if abstractive else 1):
                    name = f"pregenerate-{'llm' if abstractive else 'extractive'}-{n}"
                    thread = threading.Thread(
                        target=self._work,
                        args=(self._queues[abstractive],),
                        name=name,
                        daemon=True,
                    )
                    thread.start()
                    self._threads.append((thread, abstractive))

    def submit(self, article_ids: Iterable[int]) -> int:
        """Queue the summaries of ``article_ids``; return how many were queued.

        A full queue drops the rest (logged): they are computed on the click instead.
        """
        self.start()
        queued = 0
        for article_id in article_ids:
            for options in self.variants:
                target = self._queues[is_abstractive(options)]
                with self._idle:
                    self._pending += 1
                try:
                    target.put_nowait((article_id, options))
                except queue.Full:
                    self._done()
                    self.dropped += 1
                    log.warning(
                        "pre-generation queue full (%d waiting): article %d's summary will be "
                        "computed on the first click",
                        target.qsize(),
                        article_id,
                    )
                    continue
                metrics.add_queue_depth(1)
                queued += 1
        return queued

    def reconcile(self, *, limit: int = RECONCILE_LIMIT) -> int:
        """Queue the stored articles that lack one of the summaries; return how many articles.

        Newest first, at most ``limit``: what a restart left undone (the queue lives in
        memory), or what was added while pre-generation was off.

        Raises:
            StorageError: the database failed.
            UnknownSummarizer, InvalidOptions, BackendError: a variant's method is unusable.
        """
        from newsbrief import service

        variants = list(dict.fromkeys(service.variant_key(v) for v in self.variants))
        ids = self.store.articles_missing_summaries(variants, limit=limit)
        if ids:
            log.info("pre-generating the summaries of %d stored articles that lack some", len(ids))
            self.submit(ids)
        return len(ids)

    def join(self, timeout: float | None = None) -> bool:
        """Wait until every queued summary is done; return False on ``timeout``."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def stop(self, timeout: float | None = 10.0) -> None:
        """Drop what is still queued and stop the threads after their current summary."""
        for q in self._queues.values():
            while True:
                try:
                    item = q.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    metrics.add_queue_depth(-1)
                    self._done()
        with self._start_lock:
            for _, abstractive in self._threads:
                self._queues[abstractive].put(_STOP)
            for thread, _ in self._threads:
                thread.join(timeout)
            self._threads = []

    def _done(self) -> None:
        with self._idle:
            self._pending -= 1
            if self._pending == 0:
                self._idle.notify_all()

    def _work(self, jobs: queue.Queue[tuple[int, SummaryOptions] | None]) -> None:
        from newsbrief import service

        while True:
            job = jobs.get()
            if job is _STOP:
                return
            assert job is not None
            article_id, options = job
            metrics.add_queue_depth(-1)
            try:
                service.summarize_stored(self.store, article_id, options)
            except NewsbriefError as exc:  # deleted meanwhile, no text, backend down, ...
                log.warning("pre-generating article %d's summary failed: %s", article_id, exc)
            except Exception:  # a bug: logged, and the next summary still runs
                log.exception("pre-generating article %d's summary failed", article_id)
            finally:
                self._done()


@dataclass
class ResummarizeReport:
    """What ``resummarize`` did."""

    articles: int = 0
    computed: int = 0
    #: ``(article id, "method: error")`` for each summary that could not be recomputed.
    failed: list[tuple[int, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of the report."""
        return {
            "articles": self.articles,
            "computed": self.computed,
            "failed": [{"article_id": i, "error": e} for i, e in self.failed],
        }


def resummarize(
    store: Store,
    variants: Sequence[SummaryOptions],
    *,
    since: datetime | None = None,
    llm_concurrency: int = DEFAULT_LLM_CONCURRENCY,
    on_article: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> ResummarizeReport:
    """Recompute ``variants`` of every stored article (added at or after ``since``).

    Each summary is computed afresh and overwrites the cached one (a fallback standing in for
    a failed backend is not stored, and counts as failed). Abstractive variants run
    ``llm_concurrency`` at a time. ``on_total`` gets the number of articles first, then
    ``on_article`` each article's id as it finishes (a progress bar).

    Raises:
        StorageError: the database failed.
    """
    from newsbrief import service
    from newsbrief.formatting import summary_dict
    from newsbrief.pipeline import summarize

    ids = store.article_ids(since=since)
    if on_total is not None:
        on_total(len(ids))
    report = ResummarizeReport(articles=len(ids))
    lock = threading.Lock()

    def one(article_id: int) -> None:
        for options in variants:
            try:
                stored = store.get_article(article_id)
                key = service.summary_key(stored, options)
                computed = summary_dict(summarize(stored.article, options=options), options.format)
                if not service.is_lasting(computed):
                    error = computed["info"]["fallback"]["error"]
                    raise NewsbriefError(f"the backend failed ({error}); kept the old summary")
                store.put_cached_summary(key, computed, replace=True)
            except NewsbriefError as exc:
                with lock:
                    report.failed.append((article_id, f"{options.method}: {exc}"))
                continue
            with lock:
                report.computed += 1
        if on_article is not None:
            on_article(article_id)

    workers = llm_concurrency if any(is_abstractive(v) for v in variants) else 1
    if workers == 1:
        for article_id in ids:
            one(article_id)
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="resummarize") as pool:
            list(pool.map(one, ids))
    return report
