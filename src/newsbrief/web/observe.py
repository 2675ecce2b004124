"""What operators watch: ``/healthz``, ``/readyz``, ``/metrics`` and the JSON access log.

``ObserveMiddleware`` (plain ASGI, outermost) times every request and records it in the
Prometheus histogram by route template (``/api/articles/{article_id}``, never the raw path,
so the number of series stays bounded), method and status; with ``access_log="json"`` it also
writes one JSON line per request to the ``newsbrief.access`` logger. The log carries the path
without its query string and the client address as ``--trusted-proxy`` resolves it; it never
carries headers, cookies or bodies.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from newsbrief import metrics
from newsbrief.errors import NewsbriefError
from newsbrief.metrics import RENDER_KEY, ROUTE_KEY
from newsbrief.web.limits import client_address
from newsbrief.web.middleware import ASGIApp, Message, Receive, Scope, Send
from newsbrief.web.state import get_state

access_log = logging.getLogger("newsbrief.access")

#: Route label of requests no route matched (404s of unknown paths): one series for them all.
UNMATCHED = "<unmatched>"

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> JSONResponse:
    """Answer 200 while the process serves requests (liveness)."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Answer 200 when the store answers and the button's summarizer is loaded, else 503."""
    state = await get_state(request)
    checks: dict[str, str] = {}

    def check_store() -> None:
        state.store.ping()

    def check_model() -> None:
        from newsbrief import summarizers

        options = state.button_variants()[0]
        summarizers.get(options.method, **dict(options.config))

    ready = True
    for name, check in (("store", check_store), ("model", check_model)):
        try:
            await run_in_threadpool(check)
            checks[name] = "ok"
        except NewsbriefError as exc:
            checks[name] = f"{exc.code}: {exc}"
            ready = False
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get("/metrics")
async def prometheus_metrics() -> Response:
    """Return the Prometheus metrics (every worker's, merged, under ``--workers N``)."""
    body, content_type = await run_in_threadpool(metrics.exposition)
    return Response(body, media_type=content_type)


def route_of(scope: Scope) -> str:
    """Return the route template that served ``scope`` (``UNMATCHED`` when none did)."""
    if ROUTE_KEY in scope:
        return str(scope[ROUTE_KEY])
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else UNMATCHED


class ObserveMiddleware:
    """Record each request's latency by route and status; optionally log it as JSON."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        json_log: bool,
        trusted_proxies: Any = (),
    ) -> None:
        self.app = app
        self.json_log = json_log
        self.trusted_proxies = tuple(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or RENDER_KEY in scope:
            # A page rendered for the page cache alone is no client's request.
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        sent = 0
        # When the client had the whole answer: what it waited (a fast path may go on
        # working after it, e.g. rendering an article page afresh for the next readers).
        answered: float | None = None

        async def observed_send(message: Message) -> None:
            nonlocal status, sent, answered
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
                if not message.get("more_body", False):
                    await send(message)
                    answered = time.perf_counter()
                    return
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            self.record(
                scope, route_of(scope), status, sent, (answered or time.perf_counter()) - started
            )

    def record(self, scope: Scope, route: str, status: int, sent: int, seconds: float) -> None:
        """Record one answered request: the metrics, and the JSON log line when it is on."""
        metrics.observe_request(route, scope["method"], status, seconds)
        if self.json_log:
            self._log(scope, route, status, sent, seconds)

    def _log(self, scope: Scope, route: str, status: int, sent: int, seconds: float) -> None:
        peer = scope.get("client")
        forwarded = [
            v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"x-forwarded-for"
        ]
        record = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "client": client_address(peer[0] if peer else None, forwarded, self.trusted_proxies),
            "method": scope["method"],
            "path": scope.get("path", ""),
            "route": route,
            "status": status,
            "bytes": sent,
            "duration_ms": round(seconds * 1000, 2),
        }
        access_log.info(json.dumps(record, ensure_ascii=False))
