"""The reader site's HTML pages: home, article, summary (no-JS fallback), add, feeds.

Templates autoescape everything; article data is never marked safe. Forms post to the same
app (no CSRF token: the site is meant for a single local user on 127.0.0.1; see docs/web.md).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from newsbrief import service, summarizers
from newsbrief.errors import InvalidOptions, NewsbriefError
from newsbrief.web.api import ArticleId, FeedId, check_url
from newsbrief.web.state import AppState, get_state

router = APIRouter(include_in_schema=False)

State = Annotated[AppState, Depends(get_state)]


def render(state: AppState, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render template ``name`` with ``context`` (autoescaped) into a response."""
    html = state.templates.get_template(name).render(settings=state.settings, **context)
    return HTMLResponse(html, status_code=status)


def method_note(method: str) -> dict[str, str]:
    """Return the name, kind and description the "How was this made?" note shows."""
    info = summarizers.describe(method)
    return {"name": info.name, "kind": info.kind, "description": info.description}


def shown_method(summary: dict[str, Any]) -> str:
    """Return the method whose sentences a summary shows: the fallback's, if one stood in."""
    fallback = (summary.get("info") or {}).get("fallback") or {}
    return str(fallback.get("method") or summary["method"])


@router.get("/", response_class=HTMLResponse)
def home(
    state: State,
    page: Annotated[int, Query(ge=1)] = 1,
    q: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """Show the stored articles, newest first, with search and pagination."""
    size = state.settings.page_size
    query = q.strip()
    listing = state.store.list_articles(limit=size, offset=(page - 1) * size, query=query or None)
    pages = max(1, math.ceil(listing.total / size))
    return render(
        state, "home.html", listing=listing, page=page, pages=pages, q=query, title="Articles"
    )


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(article_id: ArticleId, state: State) -> HTMLResponse:
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
    )


@router.get("/articles/{article_id}/summary", response_class=HTMLResponse)
def summary_page(article_id: ArticleId, state: State, length: str | None = None) -> HTMLResponse:
    """Show an article's summary on its own page: what the button does without JavaScript."""
    length = length or state.settings.default_length
    if length not in state.settings.summary_lengths:
        raise InvalidOptions(
            f"unknown summary length {length!r}; "
            f"choose one of: {', '.join(state.settings.summary_lengths)}"
        )
    stored = state.store.get_article(article_id)
    summary = service.summarize_stored(state.store, article_id, state.page_options(length))
    return render(
        state,
        "summary.html",
        stored=stored,
        article=stored.article,
        summary=summary,
        length=length,
        note=method_note(shown_method(summary)),
        title=f"Summary: {stored.article.title or f'Article {stored.id}'}",
    )


@router.get("/add", response_class=HTMLResponse)
def add_form(state: State) -> HTMLResponse:
    """Show the forms that add an article by URL or by pasted HTML/text."""
    return render(state, "add.html", title="Add an article", values={})


@router.post("/add", response_class=HTMLResponse)
def add_submit(
    state: State,
    url: Annotated[str, Form()] = "",
    html: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
) -> Response:
    """Add an article and go to its page; on error show the form again with the message."""
    values = {"url": url, "html": html, "text": text, "title": title}
    try:
        if not (text.strip() or html.strip() or url.strip()):
            raise InvalidOptions("give a URL, or paste the page's HTML or the article's text")
        # Each form sends one kind of source; text wins over html over a lone URL.
        given_url = None if text.strip() else (url.strip() or None)
        check_url(given_url)
        stored, _ = service.add_article_from(
            state.store,
            url=given_url,
            html=html if html.strip() and not text.strip() else None,
            text=text if text.strip() else None,
            title=title.strip() or None,
            allow_private_networks=state.settings.allow_private_networks,
        )
    except NewsbriefError as exc:
        return render(
            state,
            "add.html",
            status=exc.http_status,
            title="Add an article",
            values=values,
            error=str(exc),
        )
    return RedirectResponse(f"/articles/{stored.id}", status_code=303)


def _feeds_page(state: AppState, status: int = 200, **context: Any) -> HTMLResponse:
    return render(
        state,
        "feeds.html",
        status=status,
        feeds=state.store.list_feeds(),
        title="Feeds",
        **context,
    )


@router.get("/feeds", response_class=HTMLResponse)
def feeds_page(state: State) -> HTMLResponse:
    """List the subscribed feeds with their last refresh and a form to subscribe."""
    return _feeds_page(state)


@router.post("/feeds", response_class=HTMLResponse)
def subscribe(state: State, url: Annotated[str, Form()] = "") -> Response:
    """Subscribe to a feed and fetch it once; the list shows how that went."""
    try:
        check_url(url)
        feed, _ = service.subscribe(state.store, url)
    except NewsbriefError as exc:
        return _feeds_page(state, status=exc.http_status, error=str(exc), value=url)
    _refresh(state, feed.id)
    return RedirectResponse(f"/feeds#feed-{feed.id}", status_code=303)


def _refresh(state: AppState, feed_id: int) -> None:
    from newsbrief import feeds

    # A broken feed or page is recorded on the feed (its last error), not raised.
    feeds.refresh_feed(
        state.store, feed_id, allow_private_networks=state.settings.allow_private_networks
    )


@router.post("/feeds/{feed_id}/refresh", response_class=HTMLResponse)
def refresh(feed_id: FeedId, state: State) -> Response:
    """Refresh one feed now and go back to the list."""
    state.store.get_feed(feed_id)
    _refresh(state, feed_id)
    return RedirectResponse(f"/feeds#feed-{feed_id}", status_code=303)
