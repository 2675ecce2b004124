"""Helpers for the web tests: an in-process client and an app on a temporary SQLite store."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from newsbrief.models import Article
from newsbrief.settings import Settings
from newsbrief.storage import Store, open_store
from newsbrief.web.app import create_app

#: Markup that must never run in our pages: in a title, in the text and in the URL.
XSS_TITLE = "<script>alert(1)</script> Breaking <img src=x onerror=alert(1)>"
XSS_TEXT = (
    "Officials said the plan <script>alert('text')</script> would start next week.\n"
    'A photo <img src=x onerror="alert(2)"> showed the new bridge over the river.\n'
    'Readers can <a href="javascript:alert(3)">click here</a> for more on the project today.\n'
    "The mayor said the work would end before the winter and cost less than planned."
)
XSS_URL = "javascript:alert(4)"


def xss_article() -> Article:
    """Return an article whose title, text and URL carry script injections."""
    return Article(
        text=XSS_TEXT,
        title=XSS_TITLE,
        url=XSS_URL,
        site="<b>evil</b>",
        language="en",
        date="2025-01-20",
    )


class Client:
    """A synchronous client calling the ASGI app in-process (httpx ASGITransport)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                return await c.request(method, url, **kwargs)

        return asyncio.run(go())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)


def make_app(tmp_path: Path, **settings: Any) -> tuple[Any, Store, Client]:
    """Return ``(app, store, client)`` on a fresh SQLite store under ``tmp_path``."""
    store = open_store(f"sqlite:///{tmp_path / 'web.sqlite3'}")
    app = create_app(Settings(**settings), store=store)
    return app, store, Client(app)
