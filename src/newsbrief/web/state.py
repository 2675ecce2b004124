"""What every request handler reaches through ``request.app.state.newsbrief``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import Request

from newsbrief.models import Length, SummaryOptions
from newsbrief.settings import Settings
from newsbrief.web.cache import ResponseCache
from newsbrief.web.render import SpanCache

if TYPE_CHECKING:
    import jinja2

    from newsbrief.storage import Store


@dataclass
class AppState:
    """The app's settings, its store, its in-memory caches and the template environment."""

    settings: Settings
    store: Store
    spans: SpanCache
    templates: jinja2.Environment
    summaries: ResponseCache = field(default_factory=ResponseCache)

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
