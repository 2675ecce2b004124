"""The server's fetch limits: slots that keep worker threads free, and its own timeout.

The app runs under uvicorn on a loopback port (the worker threads are the real ones); the
pages it fetches come from a slow loopback server started here. Nothing reaches the network.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsbrief.settings import WORKER_THREADS, Settings
from newsbrief.storage import open_store
from newsbrief.web.app import create_app
from web_support import free_port, make_app

PAGE = (Path(__file__).parent / "fixtures" / "feeds" / "page3.html").read_bytes()
#: How long the slow server takes to answer: long enough to hold every slot while we look.
SLOW_SECONDS = 5.0


class Slow(BaseHTTPRequestHandler):
    #: How many requests for /slow have arrived, and a condition notified at each.
    slow_arrivals = 0
    arrived = threading.Condition()

    def do_GET(self) -> None:
        try:
            if self.path == "/slow":
                with Slow.arrived:
                    Slow.slow_arrivals += 1
                    Slow.arrived.notify_all()
                time.sleep(SLOW_SECONDS)
            elif self.path == "/trickle":
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
                for i in range(40):  # one header line every 0.2 s: 8 s in all
                    time.sleep(0.2)
                    self.wfile.write(f"X-Drip-{i}: x\r\n".encode())
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def pages() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The app under uvicorn, two fetch slots, fetching loopback pages; yield its base URL."""
    import uvicorn

    store = open_store(f"sqlite:///{tmp_path / 'site.sqlite3'}")
    port = free_port()
    settings = Settings(port=port, allow_private_networks=True, max_fetches=2)
    app = create_app(settings, store=store)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)
    store.close()


@pytest.mark.slow
def test_slow_fetches_cannot_take_every_worker(served: str, pages: str) -> None:
    """More slow fetches than worker threads: a read still answers at once."""
    requests = WORKER_THREADS + 4
    answered = threading.Semaphore(0)
    before = Slow.slow_arrivals

    def summarize(_: int) -> httpx.Response:
        with httpx.Client(timeout=30) as client:
            answer = client.post(f"{served}/api/summarize", json={"url": f"{pages}/slow"})
        answered.release()
        return answer

    with ThreadPoolExecutor(max_workers=requests) as pool:
        answers = pool.map(summarize, range(requests))
        # Two requests hold the slots, waiting for the slow page; every other one was refused.
        with Slow.arrived:
            assert Slow.arrived.wait_for(lambda: Slow.slow_arrivals == before + 2, timeout=30)
        for _ in range(requests - 2):
            assert answered.acquire(timeout=30), "a request waited instead of being refused"
        start = time.monotonic()
        read = httpx.get(f"{served}/api/articles", timeout=30)
        elapsed = time.monotonic() - start
        statuses = [answer.status_code for answer in answers]
    assert read.status_code == 200
    # Without the slots, 40 threads wait SLOW_SECONDS for the slow page and so does the read.
    assert elapsed < 2.0, f"an ordinary read took {elapsed:.2f} s"
    assert statuses.count(200) == 2
    assert statuses.count(503) == requests - 2


def test_busy_answer(tmp_path: Path, pages: str) -> None:
    """The 503 a request gets when every slot is taken: the one error shape, named limit."""
    _, store, client = make_app(tmp_path, allow_private_networks=True, max_fetches=1)
    state = client.app.state.newsbrief
    with state.fetch_slots.hold("held by the test"):
        answer = client.post("/api/articles", json={"url": f"{pages}/"})
    assert answer.status_code == 503
    assert answer.json() == {
        "error": {
            "code": "too_many_fetches",
            "message": f"{pages}/: not fetched: 1 fetches are already running, the limit "
            "(the server's --max-fetches); try again in a moment",
        }
    }
    # With the slot free again, the same request is served.
    assert client.post("/api/articles", json={"url": f"{pages}/"}).status_code == 201
    store.close()


def test_server_fetch_deadline(tmp_path: Path, pages: str) -> None:
    """A server trickling its headers is cut off at 4x --fetch-timeout, and the message says so."""
    _, store, client = make_app(tmp_path, allow_private_networks=True, fetch_timeout=0.5)
    start = time.monotonic()
    answer = client.post("/api/summarize", json={"url": f"{pages}/trickle"})
    assert time.monotonic() - start < 5  # the page would take 8 s
    assert answer.status_code == 504
    assert answer.json()["error"] == {
        "code": "fetch_timeout",
        "message": f"{pages}/trickle: the fetch took over 2 seconds in all, the limit (the "
        "server's --fetch-timeout; the whole fetch may take 4x that)",
    }
    store.close()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"fetch_timeout": 0}, "fetch timeout must be more than 0 and at most 300 seconds (got 0)"),
        (
            {"fetch_timeout": float("nan")},
            "fetch timeout must be more than 0 and at most 300 seconds (got nan)",
        ),
        (
            {"max_fetches": 0},
            "max fetches must be between 1 and 20 (got 0): fetches must leave most of the 40 "
            "worker threads to other requests",
        ),
        (
            {"max_fetches": 21},
            "max fetches must be between 1 and 20 (got 21): fetches must leave most of the 40 "
            "worker threads to other requests",
        ),
    ],
    ids=["timeout-0", "timeout-nan", "fetches-0", "fetches-21"],
)
def test_settings_check_the_fetch_limits(settings: dict[str, Any], message: str) -> None:
    from newsbrief.errors import InvalidOptions

    with pytest.raises(InvalidOptions) as info:
        Settings(**settings)
    assert str(info.value) == message


FLOAT_SETTINGS = [item.name for item in fields(Settings) if item.type == "float"]


@pytest.mark.parametrize("name", FLOAT_SETTINGS)
@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_every_float_setting_refuses_nan_and_inf(name: str, value: float) -> None:
    # Enumerated from the dataclass, so a setting added later is covered: `rate_per_minute`,
    # `refresh_minutes`, `session_days`... were checked with `< 0`, which nan passes.
    from newsbrief.errors import InvalidOptions

    with pytest.raises(InvalidOptions, match=r"\(got (nan|inf)\)$"):
        Settings(**{name: value})


def test_the_float_settings_are_found() -> None:
    assert {"rate_per_minute", "header_timeout", "session_days"} <= set(FLOAT_SETTINGS)
