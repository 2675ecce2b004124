"""A real HTTP server on 127.0.0.1 serving the saved feeds and pages in tests/fixtures/feeds.

Paths:
    /<file>          a fixture file; ``{base}`` in it becomes the server's address
    /slow/...        answers after ``SLOW_S`` seconds (longer than the tests' fetch timeout)
    /big.xml         an RSS feed of ``BIG_ITEMS`` items, /gen/<n>.html each, item n dated n hours
                     after a fixed start (so the highest n is the newest)
    /gen/<n>.html    an article page whose text is unique to n
    /image.png       a PNG content type
    anything else    404 (and ``overrides[path] = (content_type, bytes)`` replaces any path)

``hits[path]`` counts requests, so tests can check what was (not) fetched again.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
SLOW_S = 3.0
BIG_ITEMS = 300
_START = datetime(2024, 1, 1, tzinfo=UTC)

_TYPES = {
    "rss.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml",
    "broken.xml": "application/xml",
}

_TOPICS = [
    "the allotment society's seed swap",
    "a new bench by the canal towpath",
    "the choir's spring rehearsal schedule",
    "repairs to the old clock tower",
    "a lost cat found in the market hall",
]


def generated_page(n: int) -> str:
    """Return the HTML of generated article ``n`` (its text differs from every other n)."""
    topic = _TOPICS[n % len(_TOPICS)]
    paragraphs = [
        f"Archive item {n} is a short report about {topic}, written for the tests.",
        f"Neighbours counted {n * 3} visitors on the day, and the organisers said item {n} "
        f"would be followed by a longer piece once the photographs were sorted.",
        f"The committee meets again in week {n % 52 + 1}, when it will decide whether the "
        f"event becomes a yearly fixture; minutes are posted on the notice board.",
    ]
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Archive item {n}</title></head><body><main><article>"
        f"<h1>Archive item {n}: {topic}</h1>{body}</article></main></body></html>"
    )


def big_feed(base: str, items: int = BIG_ITEMS) -> str:
    """Return an RSS feed of ``items`` items, oldest first in the file."""
    entries = []
    for n in range(1, items + 1):
        date = format_datetime(_START + timedelta(hours=n), usegmt=True)
        entries.append(
            f"<item><title>Archive item {n}</title><link>{base}/gen/{n}.html</link>"
            f"<guid>archive-{n}</guid><pubDate>{date}</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Archive</title><link>{base}/</link><description>Many items</description>"
        + "".join(entries)
        + "</channel></rss>"
    )


class FeedServer:
    """The loopback server; use as a context manager."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.overrides: dict[str, tuple[str, bytes]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output quiet

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                server.hits[path] += 1
                content_type, body, status = server.respond(path)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                # The client may have given up (the timeout tests).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        host, port = self._server.server_address[:2]
        self.base = f"http://{host!s}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def respond(self, path: str) -> tuple[str, bytes, int]:
        if path in self.overrides:
            content_type, body = self.overrides[path]
            return content_type, body, 200
        html = "text/html; charset=utf-8"
        if path.startswith("/slow/"):
            time.sleep(SLOW_S)
            return html, generated_page(0).encode(), 200
        if path == "/big.xml":
            return "application/rss+xml", big_feed(self.base).encode(), 200
        if path.startswith("/gen/") and path.endswith(".html"):
            number = path[len("/gen/") : -len(".html")]
            if number.isdigit():
                return html, generated_page(int(number)).encode(), 200
        if path == "/image.png":
            return "image/png", b"\x89PNG\r\n\x1a\n", 200
        name = path.lstrip("/")
        file = FIXTURES / name
        if name and "/" not in name and file.is_file():
            text = file.read_text(encoding="utf-8").replace("{base}", self.base)
            content_type = _TYPES.get(name, html)
            return content_type, text.encode("utf-8"), 200
        return "text/plain", b"not found", 404

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
