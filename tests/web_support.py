"""Helpers for the web tests: an in-process client, an app on a temporary SQLite store, a
check of the site layout, and a loopback page server."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from starlette.routing import Mount, Route

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
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
                return await c.request(method, url, **kwargs)

        return asyncio.run(go())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)


_CSRF = re.compile(r'<input type="hidden" name="csrf_token" value="([0-9a-f]+)">')


def csrf(client: Client, page: str = "/add") -> dict[str, str]:
    """Return ``{"csrf_token": ...}``: the field the site's forms carry, read from ``page``.

    In the one-person mode every form has the same token, so it is read once per client.
    """
    token = getattr(client, "csrf_token", None)
    if token is None:
        match = _CSRF.search(client.get(page).text)
        assert match is not None, f"no CSRF field on {page}"
        token = match.group(1)
        client.csrf_token = token  # type: ignore[attr-defined]
    return {"csrf_token": token}


#: Marks of the site layout (base.html) that every page, error pages included, carries.
LAYOUT_MARKS = (
    '<a class="skip-link" href="#main">Skip to content</a>',
    '<nav aria-label="Site">',
    '<footer class="site-footer">',
    '<link rel="stylesheet" href="/static/style.css">',
)


def assert_layout(html: str) -> None:
    """Assert that ``html`` is a page in the site layout (not a bare page)."""
    for mark in LAYOUT_MARKS:
        assert mark in html, mark


@contextlib.contextmanager
def page_server(pages: dict[str, tuple[dict[str, str], bytes]]) -> Iterator[str]:
    """Serve ``pages`` (path -> (headers, body)) on a loopback port; yield its base URL.

    The headers are sent as given, so a page can declare a Content-Length its body lacks.
    """
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path not in pages:
                self.send_error(404)
                return
            headers, body = pages[self.path]
            self.send_response(200)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def make_app(tmp_path: Path, **settings: Any) -> tuple[Any, Store, Client]:
    """Return ``(app, store, client)`` on a fresh SQLite store under ``tmp_path``.

    Pre-generation is off unless asked for (``pregenerate=True``): its threads would go on
    computing after the test, and a test that asks for a summary expects to cause it.
    """
    settings.setdefault("pregenerate", False)
    store = open_store(f"sqlite:///{tmp_path / 'web.sqlite3'}")
    app = create_app(Settings(**settings), store=store)
    return app, store, Client(app)


def routes_of(routes: list[Any]) -> Iterator[Any]:
    """Yield the routes and mounts of a route list, those of included routers too."""
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's include_router
        yield from routes_of(included.routes) if included is not None else [route]


def every_route(app: Any) -> list[tuple[str, str]]:
    """Return (method, path) for every route and mount of ``app``, path parameters filled in."""
    found = []
    for route in routes_of(app.routes):
        if isinstance(route, Mount):
            found.append(("GET", f"{route.path}/style.css"))
        elif isinstance(route, Route):
            path = route.path.replace("{article_id}", "1").replace("{feed_id}", "1")
            found.extend((method, path) for method in sorted(route.methods or ()))
    return found


# --- real servers and Chromium, for the tests that drive them -----------------------------------

#: Debian's Chromium, driven by Playwright (the browser tests skip, or fail under CI, without it).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def metric(text: str, name: str, **labels: str) -> float:
    """Return the sum of samples ``name`` with ``labels`` in Prometheus text ``text``."""
    from prometheus_client.parser import text_string_to_metric_families

    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def uvicorn_server(app: Any, port: int, **config: Any) -> Iterator[str]:
    """Run ``app`` under uvicorn on loopback ``port`` in a thread; yield its base URL."""
    import uvicorn

    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **config)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def playwright_api() -> Any:
    """Return ``playwright.sync_api``, skipping the test when Chromium or Playwright is missing."""
    import pytest

    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright import sync_api
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright)")
    return sync_api


@contextlib.contextmanager
def chromium(sync_api: Any) -> Iterator[Any]:
    """Launch headless Chromium with the project's flags; yield the browser."""
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
