"""What every request handler reaches through ``request.app.state.newsbrief``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request

from newsbrief.models import Length, SummaryOptions
from newsbrief.settings import Settings
from newsbrief.web.render import SpanCache

if TYPE_CHECKING:
    import jinja2

    from newsbrief.storage import Store


@dataclass
class AppState:
    """The app's settings, its store, the sentence-span cache and the template environment."""

    settings: Settings
    store: Store
    spans: SpanCache
    templates: jinja2.Environment

    def page_options(self, length_name: str) -> SummaryOptions:
        """Return the summary options of the page's button for a length name (short/...)."""
        sentences = self.settings.summary_lengths[length_name]
        return SummaryOptions(
            method=self.settings.default_method,
            length=Length(sentences=sentences),
            format="bullets",
        )


def get_state(request: Request) -> AppState:
    """Return the app state of the app serving ``request``."""
    state = request.app.state.newsbrief
    assert isinstance(state, AppState)
    return state
