"""Build the reader site + JSON API for one set of settings: ``create_app(settings)``.

Nothing is built at import time. The store is opened when the app is created (so in-process
tests need no lifespan); the feed schedule (``refresh_minutes``) runs in the app's lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import jinja2
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from newsbrief import __version__
from newsbrief.errors import NewsbriefError
from newsbrief.settings import Settings
from newsbrief.web import api, auth, embed, limits, login, observe, pages
from newsbrief.web.cache import ResponseCache
from newsbrief.web.errors import install_error_handlers
from newsbrief.web.front import ReadersFront
from newsbrief.web.i18n import labels
from newsbrief.web.limits import Limiter, RateLimiter, SharedRateLimiter
from newsbrief.web.middleware import (
    ASGIApp,
    HeadAsGet,
    SecurityMiddleware,
    SummaryFastPath,
    TrustedHosts,
)
from newsbrief.web.observe import ObserveMiddleware
from newsbrief.web.pagecache import PageCache, PageFastPath
from newsbrief.web.render import SpanCache, lang_tag, safe_url, teaser
from newsbrief.web.state import AppState

if TYPE_CHECKING:
    from newsbrief.storage import Store

log = logging.getLogger("newsbrief.web")


def day(value: datetime) -> str:
    """Return a timestamp's UTC day as ``YYYY-MM-DD`` (what pages show of a date)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d")


def format_time(value: datetime | None) -> str:
    """Return a UTC timestamp as ``YYYY-MM-DD HH:MM UTC`` (or "never")."""
    if value is None:
        return "never"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def template_environment() -> jinja2.Environment:
    """Return the Jinja2 environment: package templates, autoescape on for every template."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("newsbrief.web", "templates"),
        autoescape=True,  # every template, whatever its extension: article data is untrusted
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates ship in the package and do not change while it runs: without this,
        # every render stats each template file it uses.
        auto_reload=False,
    )
    env.globals.update(
        safe_url=safe_url,
        lang_tag=lang_tag,
        labels=labels,
        teaser=teaser,
        day=day,
        format_time=format_time,
        version=__version__,
    )
    return env


async def _refresh_loop(state: AppState) -> None:
    """Refresh every feed each ``refresh_minutes``, forever (cancelled at shutdown)."""
    from newsbrief import feeds

    period = state.settings.refresh_minutes * 60
    while True:
        await asyncio.sleep(period)
        try:
            reports = await run_in_threadpool(
                feeds.refresh_all,
                state.store,
                allow_private_networks=state.settings.allow_private_networks,
                fetcher=state.fetch_for_feeds,
            )
            state.articles_added(i for report in reports for i in report.new_ids)
            state.pages.clear()  # their neighbours' "next" links changed
        except Exception:  # one bad round must not stop the schedule
            log.exception("scheduled feed refresh failed")


def _install_offline_docs(app: FastAPI) -> None:
    """Serve Swagger UI at /docs from the files fastapi-offline ships (no CDN).

    FastAPI writes OpenAPI 3.1, which Swagger UI reads from version 5 on; fastapi-offline
    (MIT) vendors a Swagger UI 5 build (swagger-ui-bundle.js, swagger-ui.css, a favicon).
    """
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse

    app.mount(
        "/docs-static",
        StaticFiles(packages=[("fastapi_offline", "static")]),
        name="docs-static",
    )

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="newsbrief API",
            swagger_js_url="/docs-static/swagger-ui-bundle.js",
            swagger_css_url="/docs-static/swagger-ui.css",
            swagger_favicon_url="/docs-static/favicon.png",
        )


def _work_limiter(settings: Settings, store: Store) -> Limiter:
    """Return the rate limiter of work: in memory for one worker, in the store for several."""
    if settings.workers > 1:
        return SharedRateLimiter(
            store, per_minute=settings.rate_per_minute, burst=settings.rate_burst
        )
    return RateLimiter(per_minute=settings.rate_per_minute, burst=settings.rate_burst)


class NewsbriefApp(FastAPI):
    """FastAPI with ``ReadersFront`` outside its whole middleware stack (``front``)."""

    front: Callable[[ASGIApp], ASGIApp] | None = None

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        return stack if self.front is None else self.front(stack)


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """Build the FastAPI app for ``settings`` (the store is opened from them unless given).

    A store passed in stays open when the app shuts down (its owner closes it).
    """
    settings = settings or Settings()
    own_store = store is None
    if store is None:
        from newsbrief.storage import open_store

        store = open_store(settings.database_url, data_dir=settings.data_dir)
    if settings.demo:
        from newsbrief.demo import load_demo

        load_demo(store)
    state = AppState(
        settings=settings,
        store=store,
        spans=SpanCache(settings.page_memory_bytes),
        templates=template_environment(),
        summaries=ResponseCache(settings.summary_memory_bytes),
        limiter=_work_limiter(settings, store),
        pages=PageCache(ttl=settings.page_cache_seconds),
    )
    if settings.pregenerate:
        from newsbrief.pregenerate import Pregenerator

        state.pregenerator = Pregenerator(
            store, state.button_variants(), llm_concurrency=settings.llm_concurrency
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = None
        if settings.refresh_minutes > 0:
            task = asyncio.create_task(_refresh_loop(state))
        if state.pregenerator is not None:
            # The queue lives in memory: what a restart or crash left undone is queued again.
            try:
                await run_in_threadpool(state.pregenerator.reconcile)
            except NewsbriefError as exc:  # the store or the method is down: serve anyway
                log.warning("pre-generation could not look for missing summaries: %s", exc)
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if state.pregenerator is not None:
                await run_in_threadpool(state.pregenerator.stop)
            if own_store:
                state.store.close()

    app = NewsbriefApp(
        title="newsbrief",
        version=__version__,
        summary="No time to read? Get a summary: the reader site's JSON API.",
        lifespan=lifespan,
        # FastAPI's own /docs and /redoc load Swagger UI from a CDN; ours serves the copy that
        # the fastapi-offline package ships, so the API docs work offline.
        docs_url=None,
        redoc_url=None,
    )
    app.state.newsbrief = state
    _install_offline_docs(app)
    install_error_handlers(app)
    auth.install(app, state)
    app.include_router(api.router)
    app.include_router(api.editor_router)
    app.include_router(pages.router)
    app.include_router(pages.editor_router)
    app.include_router(login.router)
    app.include_router(login.login_router)
    embed.install(app, state)
    # A page the button has no summary of yet is fetched and summarized: that is work.
    app.state.embed.admit = limits.charge
    app.include_router(observe.router)
    app.mount("/static", StaticFiles(packages=[("newsbrief.web", "static")]), name="static")
    # Added last = outermost: the security headers cover the fast path's answers too.
    app.add_middleware(PageFastPath, cache=state.pages)
    app.add_middleware(
        SummaryFastPath,
        cache=state.summaries,
        default_method=settings.default_method,
    )
    # Around the fast path too: a HEAD of a cached summary is answered from memory as well.
    app.add_middleware(HeadAsGet)
    # Before anything reads the request: a foreign Host is refused whatever it asks.
    app.add_middleware(TrustedHosts, trusted=settings.trusted_hosts)
    # The form pages answer an oversized form themselves: the form again, with what it kept.
    app.add_middleware(
        SecurityMiddleware,
        max_body_bytes=settings.max_body_bytes,
        form_paths=("/add", "/feeds"),
        body_timeout=settings.body_timeout,
    )
    # Outermost: times everything, the fast path's answers and refused bodies included.
    app.add_middleware(
        ObserveMiddleware,
        json_log=settings.json_access_log,
        trusted_proxies=settings.trusted_proxies,
    )
    # In front of FastAPI's own middleware too: readers' answers from memory, given exactly
    # as the stack above would give them (newsbrief.web.front).
    app.front = lambda stack: ReadersFront(
        stack,
        summaries=SummaryFastPath(
            stack, cache=state.summaries, default_method=settings.default_method
        ),
        pages=state.pages,
        hosts=TrustedHosts(stack, trusted=settings.trusted_hosts),
        observer=ObserveMiddleware(
            stack, json_log=settings.json_access_log, trusted_proxies=settings.trusted_proxies
        ),
    )
    return app
