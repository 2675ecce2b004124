"""Article pages for anonymous readers, kept rendered for a few seconds (a micro-cache).

An article page costs a store read, the neighbours query and a template render (~3 ms);
readers ask for the same few pages thousands of times a minute. ``PageFastPath`` keeps each
page, as the route rendered it for a reader with no cookie and no credentials, for ``ttl``
seconds, and answers repeats from memory without entering FastAPI. What a page shows that can
change (the "next article" link when one is added, an edited or deleted article) is at most
``ttl`` seconds old: the worker that handles a write request forgets all its pages when the
request is done; other workers' copies expire. A request with a cookie or an
``Authorization`` header (an editor, whose page may differ), or with a query string, always
goes to the route.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsbrief.metrics import ROUTE_KEY

#: Seconds a rendered page is served from memory. 2 s keeps nearly every read of a busy page
#: in memory (at 1,000 reads a second, one render per 2,000 reads) while an edit shows
#: everywhere within a blink.
PAGE_TTL_S = 2.0
#: Pages kept; one is 10-40 KB, so 1,024 stay under ~40 MB.
PAGE_CACHE_SIZE = 1024

_ARTICLE_PATH = re.compile(r"^/articles/([0-9]{1,10})$")
_PRIVATE = (b"cookie", b"authorization")
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

Headers = list[tuple[bytes, bytes]]


class PageCache:
    """The most recently used ``size`` pages, each for ``ttl`` seconds. Thread-safe."""

    def __init__(
        self,
        *,
        ttl: float = PAGE_TTL_S,
        size: int = PAGE_CACHE_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self._size = size
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, Headers, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: str) -> tuple[Headers, bytes] | None:
        """Return the headers and body kept for ``path`` while they are fresh, else None."""
        with self._lock:
            item = self._items.get(path)
            if item is None:
                return None
            if item[0] <= self._clock():
                del self._items[path]
                return None
            self._items.move_to_end(path)
            return item[1], item[2]

    def put(self, path: str, headers: Headers, body: bytes) -> None:
        """Keep ``body`` for ``path`` for ``ttl`` seconds."""
        with self._lock:
            self._items[path] = (self._clock() + self.ttl, headers, body)
            self._items.move_to_end(path)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget every page (an article was added, edited or deleted here)."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class PageFastPath:
    """Answer anonymous ``GET /articles/{id}`` from ``cache``; keep the route's 200 pages."""

    def __init__(self, app: ASGIApp, *, cache: PageCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in _SAFE:
            # Any write here (an article added, edited or deleted, by whatever route) may
            # change any page: forget them all once it is done.
            try:
                await self.app(scope, receive, send)
            finally:
                self.cache.clear()
            return
        if (
            self.cache.ttl <= 0
            or scope["type"] != "http"
            or scope["method"] != "GET"
            or scope.get("query_string")
            or not _ARTICLE_PATH.match(scope["path"])
            or any(name in _PRIVATE for name, _ in scope["headers"])
        ):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        hit = self.cache.get(path)
        if hit is not None:
            scope[ROUTE_KEY] = "/articles/{article_id}"
            headers, body = hit
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def keeping_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    headers = list(start.get("headers", []))
                    cacheable = start["status"] == 200 and not any(
                        name.lower() == b"set-cookie" for name, _ in headers
                    )
                    if cacheable:
                        self.cache.put(path, headers, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, keeping_send)
