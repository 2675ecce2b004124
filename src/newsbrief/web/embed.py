"""The embeddable button's server side: ``/embed.js``, its labels, its endpoint, and CORS.

- ``GET /embed.js``: the ``<newsbrief-summary>`` element (``static/embed.js``), gzipped when
  the browser accepts it, with an ETag.
- ``GET /embed/strings/{lang}.json``: the element's labels in one language (``web.i18n``).
- ``GET /api/embed/summary?url=...&length=short|medium|long``: the summary of a publisher's
  page (``newsbrief.embed.page_summary``), with ``ETag`` and ``Cache-Control: public`` so a
  CDN in front serves most readers; ``If-None-Match`` is answered 304.
- ``EmbedCORS``: CORS on those paths for the ``--embed-origin`` origins only (preflight
  included); any other origin gets no CORS header at all.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from importlib import resources
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from newsbrief import embed, service
from newsbrief.errors import InvalidOptions, NewsbriefError
from newsbrief.storage import canonical_url
from newsbrief.web.api import _ERROR_SCHEMA
from newsbrief.web.cache import RESPONSE_CACHE_BYTES, ByteLRU
from newsbrief.web.i18n import labels
from newsbrief.web.middleware import ASGIApp, Message, Receive, Scope, Send
from newsbrief.web.state import AppState, get_state

__all__ = ["EmbedCORS", "EmbedState", "embed_state", "router"]

router = APIRouter(include_in_schema=True, tags=["embed"])

State = Annotated[AppState, Depends(get_state)]

#: Longest page URL the endpoint takes (browsers and CDNs handle about this much).
MAX_URL_CHARS = 2048
#: Seconds a browser or CDN may keep embed.js and the labels before asking again (ETag).
ASSET_MAX_AGE = 3600
#: Paths that get CORS for the configured origins.
CORS_PREFIXES = ("/api/embed/", "/embed/")
#: How long a browser may keep a preflight's answer.
PREFLIGHT_MAX_AGE = 600


class Answers:
    """Encoded embed answers by (canonical URL, length), each kept until its expiry time
    (monotonic), in a byte-bounded LRU."""

    def __init__(
        self,
        max_bytes: int = RESPONSE_CACHE_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._items: ByteLRU[tuple[str, str], tuple[float, bytes, str]] = ByteLRU(
            max_bytes, size_of=lambda item: len(item[1])
        )

    def get(self, key: tuple[str, str]) -> tuple[bytes, str] | None:
        """Return the answer under ``key`` and its ETag, unless missing or expired."""
        item = self._items.get(key)
        if item is None or item[0] <= self._clock():
            return None
        return item[1], item[2]

    def put(self, key: tuple[str, str], body: bytes, seconds: float) -> None:
        """Keep ``body`` under ``key`` for ``seconds``."""
        self._items.put(key, (self._clock() + seconds, body, etag_of(body)))


@dataclass
class EmbedState:
    """What the embed routes keep between requests.

    ``answers`` maps (canonical URL, length) to an encoded answer for ``embed_max_age``
    seconds; then the store is asked again, so a re-summarized page shows within that.
    ``admit``, when set, is called with the request before work a reader causes (a fetch, an
    uncached summary): the seam for the per-client rate limit.
    """

    answers: Answers = field(default_factory=Answers)
    checks: embed.PageChecks = field(default_factory=embed.PageChecks)
    admit: Callable[[Request], None] | None = None


def embed_state(request: Request) -> EmbedState:
    """Return the embed state of the app serving ``request``."""
    value = request.app.state.embed
    assert isinstance(value, EmbedState)
    return value


def etag_of(body: bytes) -> str:
    """Return a strong ETag for ``body``."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(header: str | None, etag: str) -> bool:
    """Return True when an ``If-None-Match`` header names ``etag`` (or is ``*``)."""
    if not header:
        return False
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def cacheable(request: Request, body: bytes, media_type: str, max_age: int) -> Response:
    """Answer ``body`` with ETag and Cache-Control, or 304 when the client already has it."""
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@functools.cache
def _script() -> tuple[bytes, bytes]:
    raw = (resources.files("newsbrief.web") / "static" / "embed.js").read_bytes()
    return raw, gzip.compress(raw, compresslevel=9, mtime=0)


@router.get("/embed.js", include_in_schema=False)
async def embed_script(request: Request) -> Response:
    """Serve the ``<newsbrief-summary>`` element (gzipped when accepted)."""
    raw, packed = _script()
    accepts = request.headers.get("accept-encoding", "")
    gzipped = "gzip" in accepts.lower()
    response = cacheable(request, raw, "text/javascript; charset=utf-8", ASSET_MAX_AGE)
    response.headers["Vary"] = "Accept-Encoding"
    if gzipped and response.status_code == 200:
        response.body = packed
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Content-Length"] = str(len(packed))
    return response


@router.get("/embed/strings/{name}", include_in_schema=False)
async def embed_strings(name: Annotated[str, Path(max_length=40)], request: Request) -> Response:
    """Serve the element's labels for a language (``es.json``; English when unknown)."""
    table = labels(name.removesuffix(".json"))
    body = json.dumps(
        {"lang": table.language, **table.as_dict()}, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    return cacheable(request, body, "application/json", ASSET_MAX_AGE)


def _length(state: AppState, value: str) -> str:
    if value not in state.settings.summary_lengths:
        raise InvalidOptions(
            f"length must be one of {', '.join(state.settings.summary_lengths)} (got {value!r})"
        )
    return value


@router.get(
    "/api/embed/summary",
    responses={
        200: {"content": {"application/json": {}}},
        304: {"description": "Not modified (If-None-Match)"},
        403: {"description": "origin_not_allowed: not stored, and not on an --embed-origin"},
        # A malformed URL or length (400); a page too large, not HTML, unreachable, ...
        **{k: v for k, v in _ERROR_SCHEMA.items() if k not in (403, 404)},
    },
)
async def embed_summary(
    state: State,
    request: Request,
    url: Annotated[
        str, Query(max_length=MAX_URL_CHARS, description="The page's URL (the article's).")
    ],
    length: Annotated[str, Query(description="short, medium or long.")] = "medium",
) -> Response:
    """Summarize a publisher's page by its URL, for the embeddable button.

    Answers from the store when the article is known; otherwise fetches the page, only if
    its origin is one of ``--embed-origin``, and stores it. The answer is the summary object
    (bullets; without ``cached``, which would differ between readers) with an ETag and
    ``Cache-Control: public, max-age=--embed-max-age``.
    """
    settings = state.settings
    name = _length(state, length)
    url = url.strip()
    embed.origin_of(url)  # a malformed URL: 400 with the fetcher's message
    extra = embed_state(request)
    key = (canonical_url(url), name)
    hit = extra.answers.get(key)  # EmbedFastPath answers these before FastAPI; kept for HEAD
    if hit is not None:
        return cacheable(request, hit[0], "application/json", settings.embed_max_age)

    admit = None
    if extra.admit is not None:
        check = extra.admit
        admit = functools.partial(check, request)

    def replaced(article_id: int) -> None:
        # The article page's summaries are cached by article id: drop the old text's.
        state.summaries.discard(lambda cached: cached[0] == article_id)

    result = await run_in_threadpool(
        functools.partial(
            embed.page_summary,
            state.store,
            url,
            state.page_options(name),
            origins=settings.embed_origins,
            allow_private_networks=settings.allow_private_networks,
            fetcher=state.fetch,  # the server's fetch slots and --fetch-timeout
            checks=extra.checks,
            recheck_seconds=settings.embed_recheck_minutes * 60,
            admit=admit,
            replaced=replaced,
        )
    )
    result.pop("cached", None)
    body = json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if service.is_lasting(result) and settings.embed_max_age > 0:
        extra.answers.put(key, body, settings.embed_max_age)
    return cacheable(request, body, "application/json", settings.embed_max_age)


class EmbedCORS:
    """CORS for the embed paths, for ``origins`` only; no CORS header for any other origin.

    A preflight (``OPTIONS`` with ``Access-Control-Request-Method: GET``) from a listed origin
    is answered 204 here; one from another origin, or for another method, goes on to the app
    (405, no CORS headers). Every answer on these paths varies by ``Origin``, so a CDN keeps
    one copy per origin and never hands one origin's CORS answer to another.
    """

    def __init__(self, app: ASGIApp, *, origins: Collection[str]) -> None:
        self.app = app
        self.origins = frozenset(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(CORS_PREFIXES):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        origin = headers.get("origin")
        allowed = origin is not None and origin in self.origins
        requested = headers.get("access-control-request-method", "").upper()
        if allowed and scope["method"] == "OPTIONS" and requested in ("GET", "HEAD"):
            assert origin is not None
            await _send_preflight(send, origin)
            return
        if scope["method"] == "OPTIONS" and requested:
            allowed = False  # a preflight for another method: refused, no CORS at all

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"vary", b"Origin")]
                if allowed:
                    assert origin is not None
                    extra.append((b"access-control-allow-origin", origin.encode("latin-1")))
                kept = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if not k.lower().startswith(b"access-control-")
                ]
                message["headers"] = _merge_vary(kept, extra)
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _merge_vary(
    headers: list[tuple[bytes, bytes]], extra: list[tuple[bytes, bytes]]
) -> list[tuple[bytes, bytes]]:
    """Add ``extra`` to ``headers``, joining ``Vary`` values into one header."""
    vary = [v.decode("latin-1") for k, v in headers if k.lower() == b"vary"]
    rest = [(k, v) for k, v in headers if k.lower() != b"vary"]
    for k, v in extra:
        if k == b"vary":
            vary.append(v.decode("latin-1"))
        else:
            rest.append((k, v))
    names = dict.fromkeys(n.strip() for value in vary for n in value.split(",") if n.strip())
    if names:
        rest.append((b"vary", ", ".join(names).encode("latin-1")))
    return rest


async def _send_preflight(send: Send, origin: str) -> None:
    headers: list[tuple[bytes, bytes]] = [
        (b"access-control-allow-origin", origin.encode("latin-1")),
        (b"access-control-allow-methods", b"GET, HEAD"),
        (b"access-control-max-age", str(PREFLIGHT_MAX_AGE).encode()),
        (b"vary", b"Origin"),
        (b"content-length", b"0"),
    ]
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


_SUMMARY_PATH = "/api/embed/summary"


class EmbedFastPath:
    """Answer ``GET /api/embed/summary`` from the embed answers in memory, before FastAPI.

    Only answers the route itself kept are served (so every one was validated once), with
    the route's headers; a miss, an expired answer or an odd query (another parameter, one
    given twice) goes on to the route. Inside ``EmbedCORS``, so CORS applies as to the route.
    """

    def __init__(self, app: ASGIApp, *, embed: EmbedState, max_age: int) -> None:
        self.app = app
        self.embed = embed
        self.cache_control = f"public, max-age={max_age}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == _SUMMARY_PATH:
            hit = self._lookup(scope.get("query_string", b"").decode("latin-1"))
            if hit is not None:
                body, etag = hit
                headers = [(b"etag", etag.encode()), (b"cache-control", self.cache_control)]
                inm = next((v for k, v in scope["headers"] if k == b"if-none-match"), None)
                if etag_matches(inm.decode("latin-1") if inm else None, etag):
                    await send({"type": "http.response.start", "status": 304, "headers": headers})
                    await send({"type": "http.response.body", "body": b""})
                    return
                headers += [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ]
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    def _lookup(self, query: str) -> tuple[bytes, str] | None:
        pairs = parse_qsl(query, keep_blank_values=True)
        params = dict(pairs)
        if len(params) != len(pairs) or not {"url"} <= params.keys() <= {"url", "length"}:
            return None
        try:
            key = (canonical_url(params["url"].strip()), params.get("length", "medium"))
        except NewsbriefError:
            return None
        return self.embed.answers.get(key)


def install(app: Any, state: AppState) -> None:
    """Add the embed routes, state, fast path and CORS to ``app`` (called by ``create_app``)."""
    app.state.embed = EmbedState()
    app.include_router(router)
    app.add_middleware(EmbedFastPath, embed=app.state.embed, max_age=state.settings.embed_max_age)
    app.add_middleware(EmbedCORS, origins=state.settings.embed_origins)
