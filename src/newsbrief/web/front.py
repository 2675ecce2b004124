"""The readers' front door: cached summaries and kept article pages answered before FastAPI.

Nearly every request of a busy public site is a reader's ``GET`` of an article page or of a
summary already in memory. Through the whole stack such an answer passes FastAPI's own
outer middleware (error, telemetry and body-limit wrappers) and each of ours (metrics,
security headers, trusted hosts, HEAD), each wrapping ``send`` in another closure: about a
third of the server's time for an answer that is a dictionary look-up.

``ReadersFront`` sits outside all of it (``create_app`` puts it there) and answers exactly
those requests as the stack would: the same status, headers (the route's, then the security
headers), body (none for ``HEAD``), the same request metrics and JSON access log line. It
answers only what it can prove is the same: one ``Host`` header that the server answers for,
no request body, and an answer in memory (``SummaryFastPath`` rules for summaries,
``PageFastPath`` rules for pages). Everything else, misses included, goes through the stack
unchanged. A kept page due for a fresh render is rendered through the stack after the
reader's answer went out, marked with ``RENDER_KEY``.
"""

from __future__ import annotations

import time
from typing import Any

from newsbrief import metrics
from newsbrief.metrics import RENDER_KEY
from newsbrief.web.asgi import receive_once
from newsbrief.web.cache import summary_path_id
from newsbrief.web.middleware import (
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    SummaryFastPath,
    TrustedHosts,
    security_headers,
)
from newsbrief.web.observe import ObserveMiddleware
from newsbrief.web.pagecache import ARTICLE_PATH, PRIVATE_HEADERS, PageCache

_SUMMARY_ROUTE = "/api/articles/{article_id}/summary"
_PAGE_ROUTE = "/articles/{article_id}"
_JSON = (b"content-type", b"application/json")
#: Request headers after which only the whole stack may answer (a body to check or limit).
_BODY_HEADERS = (b"content-length", b"transfer-encoding")


class ReadersFront:
    """Answer readers' cached summaries and kept pages from memory, in front of ``app``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        summaries: SummaryFastPath,
        pages: PageCache,
        hosts: TrustedHosts,
        observer: ObserveMiddleware,
    ) -> None:
        self.app = app
        self.summaries = summaries
        self.pages = pages
        self.hosts = hosts
        self.observer = observer
        self.extra = security_headers("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            answered = await self._answer(scope, send)
            if answered:
                return
        await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, send: Send) -> bool:
        """Answer ``scope`` from memory and return True, or return False (the stack answers)."""
        started = time.perf_counter()
        path: str = scope["path"]
        query: bytes = scope.get("query_string", b"")
        hosts: list[bytes] = []
        private = False
        for name, value in scope["headers"]:
            name = name.lower()
            if name == b"host":
                hosts.append(value)
            elif name in _BODY_HEADERS:
                return False
            elif name in PRIVATE_HEADERS:
                private = True
        if len(hosts) != 1 or self.hosts.refusal(hosts) is not None:
            return False
        refresh = False
        article_id = summary_path_id(path)
        if article_id is not None:
            body = self.summaries.lookup(article_id, query)
            if body is None:
                return False
            route = _SUMMARY_ROUTE
            headers = [_JSON, (b"content-length", b"%d" % len(body)), *self.extra]
            metrics.count_cache("hit_memory")
        elif not private and not query and self.pages.ttl > 0 and ARTICLE_PATH.match(path):
            kept = self.pages.lookup(path)
            if kept is None:
                return False
            route, body, refresh = _PAGE_ROUTE, kept.body, kept.refresh
            names = {name for name, _ in self.extra}
            headers = [(k, v) for k, v in kept.headers if k.lower() not in names] + self.extra
        else:
            return False
        head = scope["method"] == "HEAD"
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else body})
        self.observer.record(
            scope, route, 200, 0 if head else len(body), time.perf_counter() - started
        )
        if refresh:
            await self._render(scope)
        return True

    async def _render(self, scope: Scope) -> None:
        """Render the page of ``scope`` afresh for the page cache, through the whole stack."""
        render: dict[str, Any] = {**scope, "method": "GET", RENDER_KEY: True}
        render["state"] = dict(scope.get("state") or {})

        async def nowhere(message: Message) -> None:
            pass

        await self.app(render, receive_once(), nowhere)
