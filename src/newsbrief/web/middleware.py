"""Small ASGI middleware in front of every route: security headers, the request-body limit,
JSON-only API bodies, the trusted ``Host`` names, HEAD as GET, and the cached-summary path.

Written as plain ASGI (not ``BaseHTTPMiddleware``) because it sits in front of every request,
including the cached-summary endpoint the load benchmark hammers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

from newsbrief import metrics
from newsbrief.errors import InvalidOptions
from newsbrief.settings import DEFAULT_BODY_TIMEOUT, host_name
from newsbrief.web.cache import ResponseCache, summary_cache_key, summary_path_id
from newsbrief.web.errors import HTTP_CODES, ORIGINAL_METHOD, error_response, is_api

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Article text is untrusted, so no inline script may ever run: scripts come from /static only.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: The /docs page (Swagger UI, served from our own /docs-static) starts with one inline script;
#: it shows no article data, so it gets this looser policy.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_DOCS_PATHS = ("/docs",)

_BODY_METHODS = {"POST", "PUT", "PATCH"}
#: ``Host`` values whose verdict ``TrustedHosts`` remembers (then it starts again).
_MAX_VERDICTS = 1024


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    """Return the security headers every answer for ``path`` carries."""
    csp = DOCS_CSP if path in _DOCS_PATHS else PAGE_CSP
    return [
        (b"content-security-policy", csp.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
    ]


def _too_large(limit: int) -> str:
    return (
        f"request body is larger than the limit of {limit:,} bytes "
        "(start the server with a larger --max-body-bytes to raise it)"
    )


class SecurityMiddleware:
    """Add security headers to every response; refuse oversized bodies (413) and non-JSON API
    bodies (415).

    A body that declares a length over ``max_body_bytes`` is refused before it is read, except
    on ``form_paths``: pages whose handler answers an oversized form itself (the add form,
    shown again with what could be kept). Those, like any body without a declared length,
    are counted as they arrive: the first ``max_body_bytes`` bytes are passed on, and reading
    more raises a 413 ``HTTPException``, which a handler may catch.

    The whole body must arrive within ``body_timeout`` seconds of the request reaching the app
    (its headers complete: ``web.server`` times those): a client that trickles it a byte a
    second would hold a connection and a worker's slot as long as it liked. A read past the
    deadline raises a 408 ``HTTPException`` with ``Connection: close``, answered in the one
    error shape, and the connection is closed.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        form_paths: Collection[str] = (),
        body_timeout: float = DEFAULT_BODY_TIMEOUT,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout = body_timeout
        self.form_paths = frozenset(form_paths)
        # Built once: every answer gets one of these two lists.
        self._page_headers = security_headers("/")
        self._docs_headers = security_headers(_DOCS_PATHS[0])
        self._names = frozenset(name for name, _ in self._page_headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        extra = self._docs_headers if path in _DOCS_PATHS else self._page_headers
        names = self._names

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = headers + extra
            await send(message)

        # The three request headers this reads (the last one given wins, as in a dict).
        declared: str | None = None
        chunked = False
        content_type = ""
        for name, value in scope["headers"]:
            name = name.lower()
            if name == b"content-length":
                declared = value.decode("latin-1")
            elif name == b"transfer-encoding":
                chunked = True
            elif name == b"content-type":
                content_type = value.decode("latin-1")
        if declared is None and not chunked:
            # No body at all (nearly every GET): nothing to limit or check.
            await self.app(scope, receive, send_with_headers)
            return
        method = scope.get("method", "GET")
        limit = self.max_body_bytes
        too_long = declared is not None and declared.isdigit() and int(declared) > limit
        if too_long and path not in self.form_paths:
            await _refuse(scope, receive, send_with_headers, 413, _too_large(limit))
            return
        has_body = declared != "0" or chunked
        if is_api(path) and method in _BODY_METHODS and has_body:
            ctype = content_type.split(";")[0].strip().lower()
            if not (ctype == "application/json" or ctype.endswith("+json")):
                message = (
                    f"send the request body as JSON with Content-Type: application/json "
                    f"(got {ctype or 'no content type'!r})"
                )
                await _refuse(scope, receive, send_with_headers, 415, message)
                return

        received = 0
        over = False
        complete = False
        timeout = self.body_timeout
        deadline = asyncio.get_running_loop().time() + timeout

        async def limited_receive() -> Message:
            nonlocal received, over, complete
            if over:
                # A Starlette HTTPException passes FastAPI's body parsing untouched and
                # reaches our handler, which answers in the one error shape.
                raise HTTPException(413, detail=_too_large(limit))
            if complete:  # only a disconnect is left to wait for: no deadline
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise HTTPException(
                    408, detail=_body_late(timeout), headers={"Connection": "close"}
                ) from None
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            if message["type"] == "http.request":
                body = message.get("body", b"")
                if received + len(body) > limit:
                    # Pass on what fits and refuse at the next read, so that a form page can
                    # keep the fields that arrived whole.
                    over = True
                    body = body[: limit - received]
                    message = {**message, "body": body, "more_body": True}
                received += len(body)
            return message

        await self.app(scope, limited_receive, send_with_headers)


def _body_late(seconds: float) -> str:
    return (
        f"the request's body did not arrive within {seconds:g} seconds (the server's "
        "--body-timeout)"
    )


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
    """Answer an error before the app sees the request: the one shape, pages in the layout."""
    response = error_response(Request(scope), status, HTTP_CODES[status], message)
    await response(scope, receive, send)


def request_host(value: str) -> str | None:
    """Return the host name of a ``Host`` header value (port dropped, normalised), or None.

    None means the value is not a host (empty, a bare IPv6 address without brackets, junk).
    """
    value = value.strip()
    if value.startswith("["):
        host, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not (rest[:1] == ":" and _is_port(rest[1:]))):
            return None
    else:
        host, colon, port = value.partition(":")
        if colon and not _is_port(port):
            return None
    try:
        return host_name(host)
    except InvalidOptions:
        return None


def _is_port(text: str) -> bool:
    # RFC 3986 allows an empty port ("localhost:"); digits are ASCII only.
    return text == "" or (text.isascii() and text.isdigit())


def host_allowed(host: str, trusted: Collection[str]) -> bool:
    """Return True when ``host`` (normalised) is one of ``trusted`` or matches a ``*.`` pattern."""
    if host in trusted or "*" in trusted:
        return True
    return any(p.startswith("*.") and host.endswith(p[1:]) for p in trusted)


class TrustedHosts:
    """Refuse a request whose ``Host`` is not one the server answers for (DNS rebinding).

    A page on ``evil.example`` whose DNS name is re-pointed at 127.0.0.1 makes the browser send
    its requests, writes included, to this server with ``Host: evil.example``; they are
    answered 421 ``unknown_host`` before any route runs. A request without a usable ``Host``
    (HTTP/1.0 without one, a malformed value) is a 400 ``bad_request``.
    """

    def __init__(self, app: ASGIApp, *, trusted: Collection[str]) -> None:
        self.app = app
        self.trusted = frozenset(trusted)
        # Host value -> refusal (status, message), or None when it is answered: clients send
        # the same few names on every request, and parsing one costs ~10 us. Bounded: a
        # client that invents names empties it now and then.
        self._verdicts: dict[bytes, tuple[int, str] | None] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.refusal([v for k, v in scope["headers"] if k.lower() == b"host"])
        if refusal is None:
            await self.app(scope, receive, send)
        else:
            await _refuse(scope, receive, send, *refusal)

    def refusal(self, values: list[bytes]) -> tuple[int, str] | None:
        """Return why a request with these ``Host`` values is refused (status, message), or
        None when it is answered."""
        if len(values) != 1:
            return self._judge(values)
        try:
            return self._verdicts[values[0]]
        except KeyError:
            refusal = self._verdicts[values[0]] = self._judge(values)
            if len(self._verdicts) > _MAX_VERDICTS:
                self._verdicts.clear()
            return refusal

    def _judge(self, values: list[bytes]) -> tuple[int, str] | None:
        """Return why the request's ``Host`` headers are refused (status, message), or None."""
        raw = values[0].decode("latin-1") if len(values) == 1 else None
        host = request_host(raw) if raw is not None else None
        if host is None:
            if raw is not None:
                message = f"the request's Host header {raw!r} is not a host name or an address"
            else:
                count = "no Host header" if not values else "more than one Host header"
                message = f"the request has {count}; send this server's name, e.g. Host: localhost"
            return 400, message
        if not host_allowed(host, self.trusted):
            message = (
                f"this server does not answer for the host name {host!r}; if it should, start "
                f"it with: newsbrief serve --allowed-host {host}"
            )
            return 421, message
        return None


class HeadAsGet:
    """Answer ``HEAD`` wherever ``GET`` is answered: run the GET, send its headers, no body.

    FastAPI routes take only the methods they declare, so every page and API ``GET`` answered
    ``HEAD`` with 405. The status and headers (``Content-Length`` included) are the GET's, as
    RFC 9110 asks; the request keeps its own method under ``ORIGINAL_METHOD`` for messages.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        as_get = {**scope, "method": "GET", ORIGINAL_METHOD: "HEAD"}
        try:
            await self.app(as_get, receive, send_headers_only)
        finally:
            # The route that answered, for the request metrics of the HEAD (ObserveMiddleware
            # reads the scope it passed on, not this copy).
            for key in (metrics.ROUTE_KEY, "route"):
                if key in as_get:
                    scope[key] = as_get[key]


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
        # Raw query string -> the options part of its cache key (None: never cached), so
        # the query of a repeated request is parsed once. Bounded like TrustedHosts'.
        self._options: dict[bytes, tuple[str, str, str, str | None] | None] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            article_id = summary_path_id(scope["path"])
            if article_id is not None:
                body = self.lookup(article_id, scope.get("query_string", b""))
                if body is not None:
                    scope[metrics.ROUTE_KEY] = "/api/articles/{article_id}/summary"
                    metrics.count_cache("hit_memory")
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 200,
                            "headers": [
                                (b"content-type", b"application/json"),
                                (b"content-length", b"%d" % len(body)),
                            ],
                        }
                    )
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)

    def lookup(self, article_id: int, query: bytes) -> bytes | None:
        """Return the kept answer for the article and raw query string, else None."""
        try:
            options = self._options[query]
        except KeyError:
            key = summary_cache_key(article_id, query.decode("latin-1"), self.default_method)
            options = None if key is None else key[1:]
            if len(self._options) >= _MAX_VERDICTS:
                self._options.clear()
            self._options[query] = options
        if options is None:
            return None
        return self.cache.get((article_id, *options))
