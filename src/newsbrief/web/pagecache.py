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

Readers do not wait for the re-render either. A page is rendered again once it is
``REFRESH_AT`` of its ``ttl`` old: the first reader to ask then is answered from memory at
once, and the same request renders the page afresh after its answer was sent (as a Starlette
background task would), while every other reader keeps getting the kept copy. A page nobody
has asked for yet, or one past its ``ttl``, is rendered by one request while the others
asking for it wait for that render (one render per page, not one per reader that came
meanwhile).
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsbrief.metrics import RENDER_KEY, ROUTE_KEY
from newsbrief.web.asgi import receive_once

#: Seconds a rendered page is served from memory. 2 s keeps nearly every read of a busy page
#: in memory (at 1,000 reads a second, one render per 1,000 reads) while an edit shows
#: everywhere within a blink.
PAGE_TTL_S = 2.0
#: Pages kept; one is 10-40 KB, so 1,024 stay under ~40 MB.
PAGE_CACHE_SIZE = 1024
#: A kept page is rendered again once this share of ``ttl`` has passed since its render
#: started, so that a busy page never expires under its readers. Later means fewer renders
#: (one per page per 1.5 s and worker at the default ``ttl``); the rest (0.5 s) is the time
#: a render may take before readers would have to wait for the next one. On a loaded 2-core
#: machine a render took 0.4 s on average in the threads' queue (3-15 ms of CPU).
REFRESH_AT = 0.75

#: The paths of article pages.
ARTICLE_PATH = re.compile(r"^/articles/([0-9]{1,10})$")
#: Request headers that make a page the viewer's own (an editor's): never a kept one.
PRIVATE_HEADERS = (b"cookie", b"authorization")
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
_ROUTE = "/articles/{article_id}"

Headers = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class KeptPage:
    """A page in memory: the route's headers and body, and whether to render it again now."""

    headers: Headers
    body: bytes
    #: True for exactly one caller once the page is due for a fresh render.
    refresh: bool


class PageCache:
    """The most recently used ``size`` pages, each for ``ttl`` seconds. Thread-safe.

    ``clear`` starts a new generation: a render that began before it (and so may show what a
    write just changed) is not kept.
    """

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
        # path -> (render started, headers, body)
        self._items: OrderedDict[str, tuple[float, Headers, bytes]] = OrderedDict()
        self._refreshing: set[str] = set()
        self._generation = 0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Return the cache's clock (when a render starts, for ``put``)."""
        return self._clock()

    @property
    def generation(self) -> int:
        """Return the number of ``clear`` calls so far (pass it to ``put``)."""
        return self._generation

    def get(self, path: str) -> tuple[Headers, bytes] | None:
        """Return the headers and body kept for ``path`` while they are fresh, else None."""
        kept = self.lookup(path, claim=False)
        return None if kept is None else (kept.headers, kept.body)

    def lookup(self, path: str, *, claim: bool = True) -> KeptPage | None:
        """Return the page kept for ``path`` while it is fresh, else None.

        With ``claim``, the first caller after the page is ``REFRESH_AT`` of its ``ttl`` old
        gets ``refresh=True`` and must render it again (``put``) or give up (``release``).
        """
        with self._lock:
            item = self._items.get(path)
            if item is None:
                return None
            started, headers, body = item
            age = self._clock() - started
            if age >= self.ttl:
                del self._items[path]
                return None
            self._items.move_to_end(path)
            refresh = claim and age >= self.ttl * REFRESH_AT and path not in self._refreshing
            if refresh:
                self._refreshing.add(path)
            return KeptPage(headers, body, refresh)

    def put(
        self,
        path: str,
        headers: Headers,
        body: bytes,
        *,
        started: float | None = None,
        generation: int | None = None,
    ) -> None:
        """Keep ``body`` for ``path`` for ``ttl`` seconds from ``started`` (default: now).

        A render that started before the last ``clear`` (``generation`` is older) is dropped.
        """
        with self._lock:
            self._refreshing.discard(path)
            if generation is not None and generation != self._generation:
                return
            self._items[path] = (self._clock() if started is None else started, headers, body)
            self._items.move_to_end(path)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def release(self, path: str, *, drop: bool = False) -> None:
        """End a refresh of ``path`` that kept nothing; with ``drop``, forget the page too."""
        with self._lock:
            self._refreshing.discard(path)
            if drop:
                self._items.pop(path, None)

    def clear(self) -> None:
        """Forget every page (an article was added, edited or deleted here)."""
        with self._lock:
            self._items.clear()
            self._generation += 1

    def __len__(self) -> int:
        return len(self._items)


class PageFastPath:
    """Answer anonymous ``GET /articles/{id}`` from ``cache``; keep the route's 200 pages."""

    def __init__(self, app: ASGIApp, *, cache: PageCache) -> None:
        self.app = app
        self.cache = cache
        # Paths being rendered for the cache by a reader's request, and the event the other
        # readers of that path wait on (one render per page, not one per waiting reader).
        self._rendering: dict[str, asyncio.Event] = {}

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
            or not ARTICLE_PATH.match(scope["path"])
            or any(name in PRIVATE_HEADERS for name, _ in scope["headers"])
        ):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if scope.get(RENDER_KEY):
            # The readers' front answered a reader from memory and asks for a fresh render.
            await self._refresh(scope, path)
            return
        kept = self.cache.lookup(path)
        if kept is None:
            pending = self._rendering.get(path)
            if pending is not None:
                # Another reader's request is rendering this page: wait for it, not render.
                await pending.wait()
                kept = self.cache.lookup(path)
        if kept is not None:
            scope[ROUTE_KEY] = _ROUTE
            await send({"type": "http.response.start", "status": 200, "headers": kept.headers})
            await send({"type": "http.response.body", "body": kept.body})
            if kept.refresh:
                # The reader has its answer; render the page afresh for the next ones.
                await self._refresh(scope, path)
            return
        done = self._rendering.setdefault(path, asyncio.Event())
        try:
            await self._render(scope, receive, send, path)
        finally:
            if self._rendering.get(path) is done:
                del self._rendering[path]
            done.set()

    async def _render(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        """Answer through the route and keep its answer when a reader may get it too."""
        started_at, generation = self.cache.now(), self.cache.generation
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
                    if _cacheable(start["status"], headers):
                        self.cache.put(
                            path,
                            headers,
                            b"".join(chunks),
                            started=started_at,
                            generation=generation,
                        )
            await send(message)

        await self.app(scope, receive, keeping_send)

    async def _refresh(self, scope: Scope, path: str) -> None:
        """Render ``path`` for the cache alone (its answer goes to no client)."""
        fresh_scope = {**scope, "state": dict(scope.get("state") or {})}
        fresh_scope.pop(ROUTE_KEY, None)
        fresh_scope.pop(RENDER_KEY, None)
        started_at, generation = self.cache.now(), self.cache.generation
        start: Message | None = None
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        kept = False
        try:
            await self.app(fresh_scope, receive_once(), collect)
            if start is not None:
                headers = list(start.get("headers", []))
                if _cacheable(start["status"], headers):
                    self.cache.put(
                        path, headers, b"".join(chunks), started=started_at, generation=generation
                    )
                    kept = True
        finally:
            if not kept:
                # The article is gone (404) or the render failed: readers get the route.
                self.cache.release(path, drop=True)


def _cacheable(status: int, headers: Headers) -> bool:
    return status == 200 and not any(name.lower() == b"set-cookie" for name, _ in headers)
