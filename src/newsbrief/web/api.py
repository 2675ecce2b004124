"""The JSON API: thin routes over ``newsbrief.service`` and the store (OpenAPI at /docs).

Every route parses its input, calls one library function, and returns its dict; errors are
raised as newsbrief exceptions and turned into the one error shape by ``web.errors``.
Who may call what is decided by the routers' dependencies (``web.auth``): ``router`` serves
readers (any write put there still needs an editor), ``editor_router`` only editors.
Handlers are plain ``def`` so the synchronous store and summarizers run in the thread pool;
the stored-summary route is ``async`` to answer repeats from memory, and sends computations
to the thread pool itself.
"""

from __future__ import annotations

import functools
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, Security
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt
from starlette.concurrency import run_in_threadpool

from newsbrief import metrics, service
from newsbrief.errors import NotFound
from newsbrief.models import FORMATS, MAX_SENTENCES, MAX_WORDS, Format, Length
from newsbrief.storage import MAX_ID, MAX_OFFSET
from newsbrief.web.auth import api_guard, editor_bearer, require_api_editor
from newsbrief.web.cache import summary_cache_key
from newsbrief.web.errors import documented_errors
from newsbrief.web.limits import Permit
from newsbrief.web.render import teaser
from newsbrief.web.state import AppState, get_state

router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(api_guard)])
#: Routes for editors only (API token, or a logged-in session): every write, and the feeds.
#: ``editor_bearer`` only declares the API token in the schema (the lock and /docs' Authorize
#: button); ``require_api_editor`` decides, as for every route.
editor_router = APIRouter(
    prefix="/api",
    tags=["editors"],
    dependencies=[Depends(require_api_editor), Security(editor_bearer)],
)

State = Annotated[AppState, Depends(get_state)]

#: Largest page of articles the API serves at once.
MAX_LIMIT = 100


def stored_id(kind: str, value: int) -> int:
    """Return ``value`` when a stored ``kind`` ("article", "feed") can have it as its id.

    An id no id column can hold names nothing: the same 404 as any missing id, where the
    database would fail (SQLite: OverflowError past 2**63 - 1; PostgreSQL: "integer out of
    range" past 2**31 - 1), a 500.

    Raises:
        NotFound: ``value`` is outside 1..MAX_ID.
    """
    if not 1 <= value <= MAX_ID:
        raise NotFound(f"no {kind} with id {value}")
    return value


def article_id_path(article_id: Annotated[int, Path()]) -> int:
    """Return the ``{article_id}`` path parameter; NotFound (404) when no article can have it."""
    return stored_id("article", article_id)


def feed_id_path(feed_id: Annotated[int, Path()]) -> int:
    """Return the ``{feed_id}`` path parameter; NotFound (404) when no feed can have it."""
    return stored_id("feed", feed_id)


#: Path parameters of the API's and the site's routes (``/articles/{article_id}``, ...).
ArticleId = Annotated[int, Depends(article_id_path)]
FeedId = Annotated[int, Depends(feed_id_path)]

#: Every error an API route can answer: each status the error handlers produce, with its
#: codes (``web.errors.documented_errors``, read from the exception tree). 409 only comes from
#: edits; 405 and 421 are answered before any route.
_ERROR_SCHEMA = documented_errors(leave_out=(405, 409, 421))


def check_url(url: str | None) -> None:
    """Check a URL a request gives, when it gives one: the check ``fetch`` makes.

    The service looks a URL up in the store before fetching it, so a malformed one must be
    refused here, with the fetcher's message, rather than reach the store's URL parser.

    Raises:
        InputError: not a well-formed http(s) URL (the message says what is wrong).
    """
    if url is not None and url.strip():
        from newsbrief.fetch import parse_url  # imports httpx: on first use only

        parse_url(url.strip())


class Source(BaseModel):
    """Where an article comes from: a url to fetch, or pasted html (url optional) or text."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, description="Fetch and extract this page (http/https).")
    html: str | None = Field(None, description="Extract this HTML (``url`` says where it was).")
    text: str | None = Field(None, description="Use this plain text, one paragraph per line.")
    title: str | None = Field(None, description="Title for plain text.")

    def given(self) -> dict[str, Any]:
        """Return the source fields as keyword arguments (the service checks how they combine).

        Raises:
            InputError: ``url`` is not a well-formed http(s) URL (``newsbrief.fetch.parse_url``).
        """
        check_url(self.url)
        return {"url": self.url, "html": self.html, "text": self.text, "title": self.title}


class SummarizeRequest(Source):
    method: str | None = Field(
        None, description="Summarization method (GET /api/methods); the server's by default."
    )
    # Strict: "2" or true is a 422 naming the field, not a length of 2 or 1 sentences.
    sentences: StrictInt | None = Field(None, ge=1, le=MAX_SENTENCES)
    words: StrictInt | None = Field(None, ge=1, le=MAX_WORDS)
    ratio: StrictFloat | None = Field(None, gt=0, le=1, description="An int or float, 0 < r <= 1.")
    format: Format = Field("json", description=f"One of: {', '.join(FORMATS)}.")
    language: str | None = Field(None, description="Force the article's language (ISO 639-1).")
    summary_language: str | None = Field(
        None,
        description="Abstractive methods: write the summary in this language (ISO 639-1); "
        "the server's --summary-language, else the article's, by default.",
    )


class FeedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(..., description="The RSS/Atom feed's URL.")
    title: str | None = None


def article_json(stored: Any, *, with_text: bool = True) -> dict[str, Any]:
    """Return a stored article as the API shows it (text only when ``with_text``)."""
    data: dict[str, Any] = stored.to_dict()
    data["teaser"] = teaser(stored.article)
    if not with_text:
        data.pop("text", None)
    return data


@editor_router.post("/summarize", responses=_ERROR_SCHEMA)
def summarize(body: SummarizeRequest, state: State) -> dict[str, Any]:
    """Summarize an article given by URL, HTML or text, without storing it.

    Anonymous clients are rate-limited (429 with Retry-After). Abstractive methods use the
    server's backend (``newsbrief serve --llm-url ...``).
    """
    options = state.settings.summary_options(
        method=body.method,
        length=Length.of(sentences=body.sentences, words=body.words, ratio=body.ratio),
        format=body.format,
        language=body.language,
        summary_language=body.summary_language,
    )
    return service.summarize_source(
        **body.given(),
        options=options,
        allow_private_networks=state.settings.allow_private_networks,
        fetcher=state.fetch,
    )


@router.get("/articles", responses=_ERROR_SCHEMA)
def list_articles(
    state: State,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    q: Annotated[str | None, Query(description="Full-text search: every word must occur.")] = None,
) -> dict[str, Any]:
    """List stored articles, newest first, optionally matching a search."""
    page = state.store.list_articles(limit=limit, offset=offset, query=q or None)
    return {
        "items": [article_json(a, with_text=False) for a in page.items],
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
    }


@editor_router.post(
    "/articles",
    status_code=201,
    responses={200: {"description": "The article was already stored"}, **_ERROR_SCHEMA},
)
def add_article(body: Source, state: State, response: Response) -> dict[str, Any]:
    """Store an article from a URL, HTML or text (201), or return the stored copy (200).

    A new article's summaries (the site button's lengths) are computed in the background.
    """
    stored, created = service.add_article_from(
        state.store,
        **body.given(),
        allow_private_networks=state.settings.allow_private_networks,
        fetcher=state.fetch,
    )
    response.status_code = 201 if created else 200
    if created:
        state.articles_added([stored.id])
    return {**article_json(stored), "created": created}


class ArticleEdit(BaseModel):
    """The fields of a stored article to change; a field left out keeps its value."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    text: str | None = Field(None, description="The new text, one paragraph per line.")
    author: str | None = None
    date: str | None = Field(None, description="ISO 8601 date (YYYY-MM-DD or a timestamp).")
    url: str | None = Field(None, description="Where the article is published (http/https).")
    description: str | None = None
    language: str | None = Field(None, description="ISO 639-1 code.")


_EDIT_ERRORS = documented_errors(leave_out=(405, 421))


@editor_router.patch("/articles/{article_id}", responses=_EDIT_ERRORS)
def edit_article(article_id: ArticleId, body: ArticleEdit, state: State) -> dict[str, Any]:
    """Change a stored article's fields (editors); its summaries are made again from the edit."""
    stored = service.edit_article(state.store, article_id, body.model_dump(exclude_unset=True))
    state.forget_article(article_id)
    return article_json(stored)


@editor_router.delete(
    "/articles/{article_id}",
    status_code=204,
    response_class=Response,
    responses=_ERROR_SCHEMA,
)
def delete_article(article_id: ArticleId, state: State) -> Response:
    """Delete a stored article and its cached summaries (editors); 204."""
    service.delete_article(state.store, article_id)
    state.forget_article(article_id)
    return Response(status_code=204)


@router.get("/articles/{article_id}", responses=_ERROR_SCHEMA)
def get_article(article_id: ArticleId, state: State) -> dict[str, Any]:
    """Return one stored article with its text."""
    return article_json(state.store.get_article(article_id))


def _json_bytes(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@router.get(
    "/articles/{article_id}/summary",
    responses={200: {"content": {"application/json": {}}}, **_ERROR_SCHEMA},
    response_class=JSONResponse,
)
async def article_summary(
    article_id: ArticleId,
    state: State,
    request: Request,
    permit: Permit,
    method: str | None = None,
    sentences: Annotated[int | None, Query(ge=1, le=MAX_SENTENCES)] = None,
    words: Annotated[int | None, Query(ge=1, le=MAX_WORDS)] = None,
    ratio: Annotated[float | None, Query(gt=0, le=1)] = None,
    format: Annotated[Format, Query(description=f"One of: {', '.join(FORMATS)}.")] = "json",
    summary_language: Annotated[
        str | None,
        Query(
            description="Abstractive methods: write the summary in this language (ISO 639-1); "
            "the server's --summary-language, else the article's, by default."
        ),
    ] = None,
) -> Response:
    """Summarize a stored article; the result is cached, so the second request is instant.

    A summary that must be computed counts against an anonymous client's rate limit (429
    with Retry-After); one already computed never does.

    Answers already given are served from memory (``state.summaries``); others go through
    ``service.summarize_stored`` (the store's summary cache, or a computation) in a worker
    thread, so a slow summary never blocks the event loop.
    """
    default = state.settings.default_method
    key = summary_cache_key(article_id, request.url.query, default)
    hit = state.summaries.get(key) if key is not None else None
    if hit is not None:
        metrics.count_cache("hit_memory")
        return Response(hit, media_type="application/json")
    options = state.settings.summary_options(
        method=method,
        length=Length.of(sentences=sentences, words=words, ratio=ratio),
        format=format,
        summary_language=summary_language,
    )
    result = await run_in_threadpool(
        functools.partial(service.summarize_stored, on_miss=permit.charge),
        state.store,
        article_id,
        options,
    )
    if key is not None and service.is_lasting(result):
        state.summaries.put(key, _json_bytes({**result, "cached": True}))
    return Response(_json_bytes(result), media_type="application/json")


@editor_router.get("/feeds", responses=_ERROR_SCHEMA)
def list_feeds(state: State) -> dict[str, Any]:
    """List subscribed feeds with their last refresh's time, status and error."""
    return {"items": [f.to_dict() for f in state.store.list_feeds()]}


@editor_router.post(
    "/feeds",
    status_code=201,
    responses={200: {"description": "Already subscribed"}, **_ERROR_SCHEMA},
)
def add_feed(body: FeedRequest, state: State, response: Response) -> dict[str, Any]:
    """Subscribe to an RSS/Atom feed (201), or return the existing subscription (200).

    The URL is fetched first: a web page that names its feed gives that feed (``notice``
    says so); a page or file that is not a feed is refused (422 ``not_a_feed``).
    """
    check_url(body.url)
    done = service.subscribe(
        state.store,
        body.url,
        title=body.title,
        allow_private_networks=state.settings.allow_private_networks,
        fetcher=state.fetch,
    )
    response.status_code = 201 if done.created else 200
    return {**done.feed.to_dict(), "created": done.created, "notice": done.notice()}


@editor_router.delete(
    "/feeds/{feed_id}",
    status_code=204,
    response_class=Response,
    responses=_ERROR_SCHEMA,
)
def delete_feed(feed_id: FeedId, state: State) -> Response:
    """Unsubscribe from a feed (204); the articles it brought in stay stored."""
    service.unsubscribe(state.store, feed_id)
    return Response(status_code=204)


@editor_router.post("/feeds/{feed_id}/refresh", responses=_ERROR_SCHEMA)
def refresh_feed(feed_id: FeedId, state: State) -> dict[str, Any]:
    """Fetch a feed now and ingest its new items; the report says what happened."""
    from newsbrief import feeds

    report = feeds.refresh_feed(
        state.store,
        feed_id,
        allow_private_networks=state.settings.allow_private_networks,
        fetcher=state.fetch_for_feeds,
    )
    state.articles_added(report.new_ids)
    return {"feed": state.store.get_feed(feed_id).to_dict(), **report.to_dict()}


@router.get("/methods", responses=_ERROR_SCHEMA)
def methods() -> dict[str, Any]:
    """List the summarization methods this server knows."""
    from newsbrief import summarizers

    items = []
    for name in summarizers.available():
        info = summarizers.describe(name)
        items.append(
            {
                "name": name,
                "resolves_to": info.name,
                "kind": info.kind,
                "description": info.description,
                "offline": info.offline,
            }
        )
    return {"items": items}
