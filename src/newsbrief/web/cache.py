"""A small thread-safe LRU for encoded API answers that cannot go stale.

A stored article never changes (its id names one text), and a summary is fixed by the text,
method, length, format and summary language, so ``GET /api/articles/{id}/summary`` answers
can be kept as encoded bytes in memory, in front of the store's summary cache: the hot path
then needs no database query and no JSON encoding.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Hashable
from urllib.parse import parse_qsl

from newsbrief.web.middleware import ASGIApp, Receive, Scope, Send

#: Encoded summaries kept in memory; one is 1-4 KB, so 4096 stay under ~16 MB.
RESPONSE_CACHE_SIZE = 4096


class ResponseCache:
    """Keep the most recently used ``size`` encoded answers."""

    def __init__(self, size: int = RESPONSE_CACHE_SIZE) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        """Return the answer stored under ``key``, or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: bytes) -> None:
        """Store ``value`` under ``key``, dropping the least recently used beyond the size."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


_SUMMARY_PATH = re.compile(r"^/api/articles/([0-9]{1,18})/summary$")
_SUMMARY_PARAMS = frozenset({"method", "sentences", "words", "ratio", "format", "summary_language"})

SummaryCacheKey = tuple[int, str, str | None, str | None, str | None, str, str | None]


def summary_cache_key(article_id: int, query: str, default_method: str) -> SummaryCacheKey | None:
    """Return the memory-cache key of a summary request, from its raw query string.

    The route and the fast path both call this, so they agree on keys. A query with an
    unknown or repeated parameter gets no key (it is never cached, always validated).
    """
    pairs = parse_qsl(query, keep_blank_values=True)
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names) or not _SUMMARY_PARAMS.issuperset(names):
        return None
    params = dict(pairs)
    return (
        article_id,
        params.get("method") or default_method,
        params.get("sentences"),
        params.get("words"),
        params.get("ratio"),
        params.get("format") or "json",
        # Blank is the server's --summary-language, as absent is (the route treats them alike).
        params.get("summary_language") or None,
    )


class SummaryFastPath:
    """Answer ``GET /api/articles/{id}/summary`` from ``cache`` without entering FastAPI.

    Only answers the route itself put in the cache are served, so every one was validated
    once; anything else (a miss, an odd query) goes to the route as usual. Measured in
    docs/benchmarks/load.md: FastAPI's parameter handling costs ~1 ms a request here, this
    path a small fraction of that.
    """

    def __init__(self, app: ASGIApp, *, cache: ResponseCache, default_method: str) -> None:
        self.app = app
        self.cache = cache
        self.default_method = default_method

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            match = _SUMMARY_PATH.match(scope["path"])
            if match:
                query = scope.get("query_string", b"").decode("latin-1")
                key = summary_cache_key(int(match[1]), query, self.default_method)
                body = self.cache.get(key) if key is not None else None
                if body is not None:
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 200,
                            "headers": [
                                (b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                            ],
                        }
                    )
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)
