"""The reader site's HTML pages: home, article, summary (no-JS fallback); and the editors'
pages: add, edit and delete articles, feeds.

Templates autoescape everything; article data is never marked safe. Who may see and post
what is decided by the routers' dependencies (``web.auth``): ``router`` serves readers (a
form post put there still needs an editor), ``editor_router`` only editors; every form
carries the CSRF token ``viewer.csrf_token`` as its first field.
A page that names nothing (an article id that is not a number, a page number past the last)
is a 404 page, as a missing article is; the API answers 422 for a malformed id instead.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from newsbrief import service, summarizers
from newsbrief.errors import InvalidOptions, NewsbriefError, NotFound
from newsbrief.storage import MAX_OFFSET, FeedItem
from newsbrief.web.api import check_url, stored_id
from newsbrief.web.auth import CurrentActor, Form, require_site_editor, site_guard, viewer
from newsbrief.web.forms import FormTooLarge
from newsbrief.web.limits import Permit
from newsbrief.web.render import safe_url
from newsbrief.web.state import AppState, get_state

router = APIRouter(include_in_schema=False, dependencies=[Depends(site_guard)])
#: Pages for editors only: others are sent to the login page.
editor_router = APIRouter(include_in_schema=False, dependencies=[Depends(require_site_editor)])

State = Annotated[AppState, Depends(get_state)]


async def page_viewer(state: State, actor: CurrentActor) -> dict[str, Any]:
    """Return what the page's templates know of the viewer (editor or not, CSRF token)."""
    return viewer(state, actor)


Viewer = Annotated[dict[str, Any], Depends(page_viewer)]

#: A number in a page's address: ASCII digits, at most 10 (more is past any id or page).
_NUMBER = re.compile(r"[0-9]{1,10}")
#: Failed feed entries listed under a feed; the rest are counted.
MAX_FAILURES_SHOWN = 20


def _site_id(kind: str, raw: str) -> int:
    # Not a number, or a number no id column holds: missing like any other id (a 404 page,
    # not the API's 422 "path.article_id: Input should be a valid integer").
    if not _NUMBER.fullmatch(raw):
        raise NotFound(f"no {kind} with id {raw}")
    return stored_id(kind, int(raw))


def site_article_id(article_id: Annotated[str, Path()]) -> int:
    """Return the ``{article_id}`` of a page's path; NotFound (404) unless it can be an id."""
    return _site_id("article", article_id)


def site_feed_id(feed_id: Annotated[str, Path()]) -> int:
    """Return the ``{feed_id}`` of a page's path; NotFound (404) unless it can be an id."""
    return _site_id("feed", feed_id)


SiteArticleId = Annotated[int, Depends(site_article_id)]
SiteFeedId = Annotated[int, Depends(site_feed_id)]


def render(
    state: AppState, name: str, status: int = 200, *, viewer: dict[str, Any], **context: Any
) -> HTMLResponse:
    """Render template ``name`` with ``context`` (autoescaped) into a response."""
    html = state.templates.get_template(name).render(
        settings=state.settings, viewer=viewer, **context
    )
    return HTMLResponse(html, status_code=status)


def method_note(method: str) -> dict[str, str]:
    """Return the name, kind and description the "How was this made?" note shows."""
    info = summarizers.describe(method)
    return {"name": info.name, "kind": info.kind, "description": info.description}


def shown_method(summary: dict[str, Any]) -> str:
    """Return the method whose sentences a summary shows: the fallback's, if one stood in."""
    fallback = (summary.get("info") or {}).get("fallback") or {}
    return str(fallback.get("method") or summary["method"])


def no_page(raw: str, *, total: int, size: int, query: str) -> NotFound:
    """Return the 404 for page ``raw`` of a listing of ``total`` articles, ``size`` a page."""
    shown = raw if len(raw) <= 24 else raw[:23] + "…"
    label = shown if raw.isascii() and raw.isdigit() else f"“{shown}”"
    if total == 0:
        where = f"no article matches “{query}”" if query else "there are no articles yet"
        return NotFound(f"no page {label}: {where}")
    pages = math.ceil(total / size)
    span = "page 1" if pages == 1 else f"pages 1 to {pages}"
    matching = f" matching “{query}”" if query else ""
    noun, verb = ("article", "fills") if total == 1 else ("articles", "fill")
    return NotFound(f"no page {label}: the {total} {noun}{matching} {verb} {span}")


@router.get("/", response_class=HTMLResponse)
def home(
    state: State,
    viewer: Viewer,
    page: Annotated[str, Query()] = "1",
    q: Annotated[str, Query(max_length=200)] = "",
    deleted: str | None = None,
) -> HTMLResponse:
    """Show the stored articles, newest first, with search and pagination.

    A page that does not exist (past the last, 0, not a number) is a 404 page; page 1 of an
    empty store is the page that says how to add articles.
    """
    size = state.settings.page_size
    query = q.strip()
    number = int(page) if _NUMBER.fullmatch(page) else 0
    offset = (number - 1) * size
    if number >= 1 and offset <= MAX_OFFSET:
        listing = state.store.list_articles(limit=size, offset=offset, query=query or None)
        pages = max(1, math.ceil(listing.total / size))
        if number <= pages:
            return render(
                state,
                "home.html",
                listing=listing,
                page=number,
                pages=pages,
                q=query,
                title="Articles",
                viewer=viewer,
                deleted=deleted is not None,
            )
        total = listing.total
    else:
        total = state.store.list_articles(limit=1, query=query or None).total
    raise no_page(page, total=total, size=size, query=query)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(article_id: SiteArticleId, state: State, viewer: Viewer) -> HTMLResponse:
    """Show one article with its sentences as linkable spans and the summary buttons."""
    stored = state.store.get_article(article_id)
    rendered = state.spans.get(stored.content_hash, stored.article)
    previous, following = state.store.neighbours(article_id)
    return render(
        state,
        "article.html",
        stored=stored,
        article=stored.article,
        rendered=rendered,
        previous=previous,
        next=following,
        note=method_note(state.settings.default_method),
        title=stored.article.title or f"Article {stored.id}",
        viewer=viewer,
    )


@router.get("/articles/{article_id}/summary", response_class=HTMLResponse)
def summary_page(
    article_id: SiteArticleId,
    state: State,
    viewer: Viewer,
    permit: Permit,
    length: str | None = None,
) -> HTMLResponse:
    """Show an article's summary on its own page: what the button does without JavaScript."""
    length = length or state.settings.default_length
    if length not in state.settings.summary_lengths:
        raise InvalidOptions(
            f"unknown summary length {length!r}; "
            f"choose one of: {', '.join(state.settings.summary_lengths)}"
        )
    stored = state.store.get_article(article_id)
    summary = service.summarize_stored(
        state.store, article_id, state.page_options(length), on_miss=permit.charge
    )
    return render(
        state,
        "summary.html",
        stored=stored,
        article=stored.article,
        summary=summary,
        length=length,
        note=method_note(shown_method(summary)),
        title=f"Summary: {stored.article.title or f'Article {stored.id}'}",
        viewer=viewer,
    )


def add_form_of(names: set[str]) -> str:
    """Return which of the add page's forms sent fields ``names``: "url", "text" or "html".

    Each form keeps its own values when the page is shown again (the HTML form has a URL
    field too, which must not reappear in the first form's).
    """
    if names & {"text", "title"}:
        return "text"
    if "html" in names:
        return "html"
    return "url"


def _add_page(
    state: AppState, viewer: dict[str, Any], *, status: int = 200, **context: Any
) -> HTMLResponse:
    context.setdefault("values", {})
    return render(
        state, "add.html", status=status, title="Add an article", viewer=viewer, **context
    )


@editor_router.get("/add", response_class=HTMLResponse)
def add_form(state: State, viewer: Viewer) -> HTMLResponse:
    """Show the forms that add an article by URL or by pasted HTML/text."""
    return _add_page(state, viewer)


@editor_router.post("/add", response_class=HTMLResponse)
async def add_submit(state: State, viewer: Viewer, form: Form) -> Response:
    """Add an article and go to its page; on error show the form again with the message.

    Fields may fill the whole request body (``--max-body-bytes``); a body over it is a 413
    page with the form again, holding the fields that arrived whole.
    """
    exc = form.error
    if isinstance(exc, FormTooLarge):
        names = set(exc.kept) | ({exc.cut} if exc.cut else set())
        values = {**exc.kept, "form": add_form_of(names)}
        return _add_page(state, viewer, status=exc.http_status, values=values, error=str(exc))
    if exc is not None:
        return _add_page(state, viewer, status=exc.http_status, error=service.server_message(exc))
    return await run_in_threadpool(_add, state, viewer, form.fields)


def _add(state: AppState, viewer: dict[str, Any], fields: dict[str, str]) -> Response:
    url, html, text, title = (fields.get(k, "") for k in ("url", "html", "text", "title"))
    values = {**fields, "form": add_form_of(set(fields))}
    try:
        if not (text.strip() or html.strip() or url.strip()):
            raise InvalidOptions("give a URL, or paste the page's HTML or the article's text")
        # Each form sends one kind of source; text wins over html over a lone URL.
        given_url = None if text.strip() else (url.strip() or None)
        check_url(given_url)
        stored, created = service.add_article_from(
            state.store,
            url=given_url,
            html=html if html.strip() and not text.strip() else None,
            text=text if text.strip() else None,
            title=title.strip() or None,
            allow_private_networks=state.settings.allow_private_networks,
            fetcher=state.fetch,
        )
    except NewsbriefError as exc:
        return _add_page(
            state,
            viewer,
            status=exc.http_status,
            values=values,
            error=service.server_message(exc),
        )
    if created:
        state.articles_added([stored.id])
    return RedirectResponse(f"/articles/{stored.id}", status_code=303)


def failure_reason(item: FeedItem) -> str:
    """Return why a feed entry failed, without the entry's link the message starts with."""
    error = item.error or "could not be ingested"
    if item.url and error.startswith(f"{item.url}: "):
        return error[len(item.url) + 2 :]
    return error


def _failures(items: list[FeedItem]) -> dict[str, Any]:
    shown = [
        {"link": safe_url(i.url), "label": i.url or i.key, "reason": failure_reason(i)}
        for i in items[:MAX_FAILURES_SHOWN]
    ]
    return {"items": shown, "more": max(0, len(items) - MAX_FAILURES_SHOWN)}


def _feeds_page(
    state: AppState, viewer: dict[str, Any], status: int = 200, **context: Any
) -> HTMLResponse:
    feeds = state.store.list_feeds()
    failures = {f.id: _failures(state.store.list_feed_items(f.id, failed_only=True)) for f in feeds}
    return render(
        state,
        "feeds.html",
        status=status,
        feeds=feeds,
        failures=failures,
        title="Feeds",
        viewer=viewer,
        **context,
    )


@editor_router.get("/feeds", response_class=HTMLResponse)
def feeds_page(
    state: State, viewer: Viewer, removed: str | None = None, found_on: str | None = None
) -> HTMLResponse:
    """List the subscribed feeds: last refresh, failed entries, Refresh and Remove buttons."""
    return _feeds_page(state, viewer, removed=removed is not None, found_on=found_on)


@editor_router.post("/feeds", response_class=HTMLResponse)
async def subscribe(state: State, viewer: Viewer, form: Form) -> Response:
    """Subscribe to a feed and fetch it once; the list shows how that went."""
    exc = form.error
    if isinstance(exc, FormTooLarge):
        url = exc.kept.get("url", "")
        return await run_in_threadpool(
            _feeds_page, state, viewer, status=exc.http_status, error=str(exc), value=url
        )
    if exc is not None:
        return await run_in_threadpool(
            _feeds_page, state, viewer, status=exc.http_status, error=service.server_message(exc)
        )
    return await run_in_threadpool(_subscribe, state, viewer, form.fields.get("url", ""))


def _subscribe(state: AppState, viewer: dict[str, Any], url: str) -> Response:
    try:
        check_url(url)
        done = service.subscribe(
            state.store,
            url,
            allow_private_networks=state.settings.allow_private_networks,
            fetcher=state.fetch,
        )
    except NewsbriefError as exc:
        message = service.server_message(exc)
        return _feeds_page(state, viewer, status=exc.http_status, error=message, value=url)
    _refresh(state, done.feed.id)
    # The page given was not the feed: the list says which feed it named.
    found = f"?found_on={quote(done.page, safe='')}" if done.page else ""
    return RedirectResponse(f"/feeds{found}#feed-{done.feed.id}", status_code=303)


def _refresh(state: AppState, feed_id: int) -> None:
    from newsbrief import feeds

    # A broken feed or page is recorded on the feed (its last error), not raised.
    report = feeds.refresh_feed(
        state.store,
        feed_id,
        allow_private_networks=state.settings.allow_private_networks,
        fetcher=state.fetch_for_feeds,
    )
    state.articles_added(report.new_ids)


@editor_router.post("/feeds/{feed_id}/refresh", response_class=HTMLResponse)
def refresh(feed_id: SiteFeedId, state: State) -> Response:
    """Refresh one feed now and go back to the list."""
    state.store.get_feed(feed_id)
    _refresh(state, feed_id)
    return RedirectResponse(f"/feeds#feed-{feed_id}", status_code=303)


@editor_router.post("/feeds/{feed_id}/remove", response_class=HTMLResponse)
def remove(feed_id: SiteFeedId, state: State) -> Response:
    """Unsubscribe from a feed (its articles stay) and go back to the list.

    A POST: HTML forms cannot send the API's ``DELETE /api/feeds/{id}``.
    """
    service.unsubscribe(state.store, feed_id)
    return RedirectResponse("/feeds?removed=1", status_code=303)


# --- editing and deleting articles -------------------------------------------------------------


def _edit_page(
    state: AppState, viewer: dict[str, Any], article_id: int, status: int = 200, **context: Any
) -> HTMLResponse:
    stored = state.store.get_article(article_id)
    context.setdefault("values", {k: getattr(stored.article, k) or "" for k in EDITED})
    return render(
        state,
        "edit.html",
        status=status,
        stored=stored,
        title=f"Edit: {stored.article.title or f'Article {stored.id}'}",
        viewer=viewer,
        **context,
    )


#: The fields the edit form shows (the API may change the others too).
EDITED = ("title", "author", "date", "url", "text")


@editor_router.get("/articles/{article_id}/edit", response_class=HTMLResponse)
def edit_form(article_id: SiteArticleId, state: State, viewer: Viewer) -> HTMLResponse:
    """Show the form that edits an article, with the button that deletes it."""
    return _edit_page(state, viewer, article_id)


@editor_router.post("/articles/{article_id}/edit", response_class=HTMLResponse)
def edit_submit(article_id: SiteArticleId, state: State, viewer: Viewer, form: Form) -> Response:
    """Save an edit and go to the article; on error show the form again with the message."""
    values = {k: form.fields.get(k, "") for k in EDITED}
    try:
        if form.error is not None:
            raise form.error
        service.edit_article(state.store, article_id, values)
    except NewsbriefError as exc:
        message = service.server_message(exc)
        return _edit_page(
            state, viewer, article_id, status=exc.http_status, values=values, error=message
        )
    state.forget_article(article_id)
    return RedirectResponse(f"/articles/{article_id}", status_code=303)


@editor_router.post("/articles/{article_id}/delete", response_class=HTMLResponse)
def delete(article_id: SiteArticleId, state: State) -> Response:
    """Delete an article and go to the home page, which says so."""
    service.delete_article(state.store, article_id)
    state.forget_article(article_id)
    return RedirectResponse("/?deleted=1", status_code=303)
