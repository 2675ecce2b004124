"""What every request handler reaches through ``request.app.state.newsbrief``.

The web package's modules import each other in one direction: ``cache`` (no web imports)
<- ``render`` <- ``state`` <- ``errors`` <- ``middleware`` <- ``api``/``pages`` <- ``app``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request

from newsbrief.models import Length, SummaryOptions
from newsbrief.settings import Settings
from newsbrief.web.cache import ResponseCache
from newsbrief.web.limits import Limiter, RateLimiter
from newsbrief.web.pagecache import PageCache
from newsbrief.web.render import SpanCache

if TYPE_CHECKING:
    import jinja2

    from newsbrief.fetch import FetchedPage
    from newsbrief.netlimits import FetchSlots
    from newsbrief.pregenerate import Pregenerator
    from newsbrief.storage import Store


@dataclass
class AppState:
    """The app's settings, its store, its in-memory caches and the template environment."""

    settings: Settings
    store: Store
    spans: SpanCache
    templates: jinja2.Environment
    summaries: ResponseCache
    #: What other parts of the app keep here by name (``"access"``: web.auth's guards).
    extras: dict[str, Any] = field(default_factory=dict)
    #: Shared by every fetch of this app (``settings.max_fetches`` slots).
    fetch_slots: FetchSlots = field(init=False)
    limiter: Limiter = field(default_factory=lambda: RateLimiter(per_minute=0, burst=1))
    pregenerator: Pregenerator | None = None
    pages: PageCache = field(default_factory=PageCache)

    def button_variants(self) -> list[SummaryOptions]:
        """Return the options of every length of the page's summary button."""
        return [self.page_options(name) for name in self.settings.summary_lengths]

    def articles_added(self, article_ids: Iterable[int]) -> None:
        """Queue the button's summaries of newly added articles (when pre-generation is on)."""
        if self.pregenerator is not None:
            self.pregenerator.submit(article_ids)

    def __post_init__(self) -> None:
        from newsbrief.netlimits import FetchSlots

        self.fetch_slots = FetchSlots(self.settings.max_fetches)

    def fetch(self, url: str, **kwargs: Any) -> FetchedPage:
        """Fetch for a request (a ``service.Fetcher``): refused at once when no slot is free.

        A request waiting for a slot would hold a worker thread too, which is what the slots
        keep free for everything else; the client gets 503 ``too_many_fetches`` instead.
        """
        return self._fetch(url, slot_wait=0.0, **kwargs)

    def fetch_for_feeds(self, url: str, **kwargs: Any) -> FetchedPage:
        """Fetch for a feed refresh: waits for a slot (up to one fetch's deadline).

        A refresh fetches many pages, some at once (``feeds.FETCH_WORKERS``); refusing them
        would record spurious failures, and their threads are the refresh's own.
        """
        return self._fetch(url, slot_wait=self.settings.fetch_timeout * 4, **kwargs)

    def _fetch(self, url: str, *, slot_wait: float, **kwargs: Any) -> FetchedPage:
        from newsbrief.errors import FetchTimeout
        from newsbrief.fetch import fetch

        try:
            return fetch(
                url,
                timeout=self.settings.fetch_timeout,
                slots=self.fetch_slots,
                slot_wait=slot_wait,
                **kwargs,
            )
        except FetchTimeout as exc:
            # The CLI's --timeout hint is dropped (server_message); the server's option is named.
            raise FetchTimeout(
                f"{exc.without_hint} (the server's --fetch-timeout; the whole fetch may take "
                "4x that)"
            ) from exc

    def forget_article(self, article_id: int) -> None:
        """Drop what this process remembers of an article that was edited or deleted."""
        self.summaries.discard(lambda key: isinstance(key, tuple) and key[0] == article_id)

    def page_options(self, length_name: str) -> SummaryOptions:
        """Return the summary options of the page's button for a length name (short/...)."""
        sentences = self.settings.summary_lengths[length_name]
        return self.settings.summary_options(length=Length(sentences=sentences), format="bullets")


def state_of(request: Request) -> AppState:
    """Return the app state of the app serving ``request``."""
    state = request.app.state.newsbrief
    assert isinstance(state, AppState)
    return state


async def get_state(request: Request) -> AppState:
    """Return the app state (the route dependency; async so it costs no worker thread)."""
    return state_of(request)
