"""Prometheus metrics of a newsbrief server (prometheus-client), built on first use.

    newsbrief_http_request_duration_seconds{route,method,status}   histogram (and _count)
    newsbrief_summary_cache_total{result}                          hit_memory | hit_store | miss
    newsbrief_summary_compute_seconds{method}                      histogram of computations
    newsbrief_llm_errors_total{method,code}                        failed abstractive backends
    newsbrief_pregenerate_queue_depth                              summaries waiting (gauge)

Nothing is created at import: prometheus-client picks its single- or multi-process storage
when the first metric is built, from ``PROMETHEUS_MULTIPROC_DIR``, which ``newsbrief serve
--workers N`` sets before any worker starts. ``exposition()`` then merges every worker's files,
so ``/metrics`` on any worker reports the whole server.

The library records through the functions below; they cost a dictionary look-up and a lock
when metrics are on, and nothing is imported from prometheus-client until a metric is built.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

#: Latency buckets (seconds) of requests: the cached paths answer in well under 5 ms.
REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: Latency buckets (seconds) of summary computations: extractive ~5-50 ms, an LLM seconds.
COMPUTE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: ASGI scope key where a middleware that answers by itself names its route template, for
#: the request metrics (``newsbrief.web.observe``).
ROUTE_KEY = "newsbrief.route"
#: ASGI scope key of a request made by the server itself to render an article page for the
#: page cache (``newsbrief.web.pagecache``): no client waits for it, so it is not counted.
RENDER_KEY = "newsbrief.render"


@dataclass(frozen=True)
class _Metrics:
    requests: Any
    cache: Any
    compute: Any
    llm_errors: Any
    queue_depth: Any


_built: _Metrics | None = None
_guard = threading.Lock()


def _metrics() -> _Metrics:
    global _built
    if _built is None:
        with _guard:
            if _built is None:
                from prometheus_client import Counter, Gauge, Histogram

                _built = _Metrics(
                    requests=Histogram(
                        "newsbrief_http_request_duration_seconds",
                        "HTTP requests by route template, method and status, with latency.",
                        ["route", "method", "status"],
                        buckets=REQUEST_BUCKETS,
                    ),
                    cache=Counter(
                        "newsbrief_summary_cache",
                        "Summary requests by where the answer came from: hit_memory (the "
                        "worker's memory), hit_store (the database), miss (computed).",
                        ["result"],
                    ),
                    compute=Histogram(
                        "newsbrief_summary_compute_seconds",
                        "Summaries computed, by method, with the time each took.",
                        ["method"],
                        buckets=COMPUTE_BUCKETS,
                    ),
                    llm_errors=Counter(
                        "newsbrief_llm_errors",
                        "Abstractive backend failures (answered with an error or a fallback).",
                        ["method", "code"],
                    ),
                    queue_depth=Gauge(
                        "newsbrief_pregenerate_queue_depth",
                        "Summaries waiting to be pre-generated (all workers together).",
                        multiprocess_mode="livesum",
                    ),
                )
    return _built


#: The request histogram's children by (route, method, status): ``labels()`` validates and
#: locks on every call, a dictionary look-up does not. Routes are templates and methods and
#: statuses few, so this stays small.
_request_series: dict[tuple[str, str, int], Any] = {}


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    """Record one HTTP request."""
    key = (route, method, status)
    series = _request_series.get(key)
    if series is None:
        series = _request_series[key] = _metrics().requests.labels(route, method, str(status))
    series.observe(seconds)


_cache_series: dict[str, Any] = {}


def count_cache(result: str) -> None:
    """Record where a summary came from: "hit_memory", "hit_store" or "miss"."""
    series = _cache_series.get(result)
    if series is None:
        series = _cache_series[result] = _metrics().cache.labels(result)
    series.inc()


def observe_compute(method: str, seconds: float) -> None:
    """Record one summary computation by ``method`` (the method the options named)."""
    _metrics().compute.labels(method).observe(seconds)


def count_llm_error(method: str, code: str) -> None:
    """Record a failed abstractive backend (``code``: the error's code)."""
    _metrics().llm_errors.labels(method, code).inc()


def add_queue_depth(change: int) -> None:
    """Move the pre-generation queue gauge by ``change``."""
    _metrics().queue_depth.inc(change)


def exposition() -> tuple[bytes, str]:
    """Return the metrics in Prometheus' text format, and its content type.

    In multi-process mode (``PROMETHEUS_MULTIPROC_DIR`` set) every worker's values are merged.
    """
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    _metrics()  # every metric shows, with no samples, before anything happened
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # untyped upstream
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
