"""The app under real uvicorn: a client trickling its request headers, or its body, is cut off at
the deadline, while ordinary requests on other connections are answered at once."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from newsbrief.cli import cli
from newsbrief.settings import Settings
from newsbrief.storage import open_store
from newsbrief.web.app import create_app
from newsbrief.web.server import protocol_with_header_timeout
from web_support import free_port

#: The deadline the tests serve with: long enough for a loaded machine to parse a request.
TIMEOUT = 1.5
#: The body's deadline: longer than the headers', so a test shows each clock is its own.
BODY_TIMEOUT = 3 * TIMEOUT
#: How much earlier than the deadline a client may see it: the server's clock starts when it
#: accepts the connection, before ``create_connection`` returns to the client, and asyncio
#: runs a timer up to its clock resolution early.
EARLY = 0.1


@pytest.fixture(scope="module", params=["h11", "httptools"])
def base(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, int]]:
    """Serve a demo app under uvicorn with the header deadline (each HTTP parser uvicorn has);
    yield (base URL, port)."""
    import uvicorn

    if request.param == "httptools":
        pytest.importorskip("httptools", reason="pip install httptools (newsbrief[web-fast])")
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('server') / 'site.sqlite3'}")
    port = free_port()
    app = create_app(
        Settings(port=port, demo=True, header_timeout=TIMEOUT, body_timeout=BODY_TIMEOUT),
        store=store,
    )
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        http=protocol_with_header_timeout(TIMEOUT, request.param),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", port
    server.should_exit = True
    thread.join(timeout=10)
    store.close()


def read_all(sock: socket.socket, limit: float) -> bytes:
    """Read until the server closes the connection (or ``limit`` seconds pass)."""
    sock.settimeout(limit)
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except TimeoutError:
        chunks.append(b"<still open>")
    return b"".join(chunks)


def send_slowly(sock: socket.socket, pieces: Iterable[bytes]) -> None:
    """Send ``pieces`` one every 0.1 s, until they run out or the server answers or closes."""
    for piece in pieces:
        try:
            sock.sendall(piece)
        except OSError:
            return
        time.sleep(0.1)
        sock.setblocking(False)
        try:
            if sock.recv(1, socket.MSG_PEEK):
                return
        except BlockingIOError:
            pass
        finally:
            sock.setblocking(True)


def test_trickled_headers_get_408_while_others_are_served(base: tuple[str, int]) -> None:
    url, port = base
    answer: dict[str, Any] = {}

    def trickle() -> None:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            start = time.monotonic()
            sock.sendall(b"GET /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            # One header line every 0.1 s: never complete within 4 s.
            send_slowly(sock, (f"X-Slow-{i}: a\r\n".encode() for i in range(40)))
            answer["raw"] = read_all(sock, 5)
            answer["after"] = time.monotonic() - start

    slow = threading.Thread(target=trickle)
    slow.start()
    time.sleep(0.3)
    with httpx.Client(base_url=url) as client:
        begun = time.monotonic()
        ordinary = client.get("/api/articles")
        took = time.monotonic() - begun
    slow.join(timeout=15)
    assert ordinary.status_code == 200 and took < TIMEOUT  # not held up by the slow client
    raw = answer["raw"]
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), raw
    assert b"connection: close" in head
    assert json.loads(body) == {
        "error": {
            "code": "request_timeout",
            "message": "the request's headers did not arrive within 1.5 seconds (the "
            "server's --header-timeout)",
        }
    }
    assert TIMEOUT - EARLY <= answer["after"] < TIMEOUT + 2


def test_a_trickled_body_gets_408_and_the_connection_closes(base: tuple[str, int]) -> None:
    url, port = base
    answer: dict[str, Any] = {}
    body = json.dumps({"text": "A body that arrives one byte at a time. " * 3}).encode()

    def trickle() -> None:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(
                b"POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
            )
            start = time.monotonic()  # the headers are complete: the body's clock runs
            # One byte every 0.1 s: 9 s for 90 of them.
            send_slowly(sock, (bytes([byte]) for byte in body[:90]))
            answer["raw"] = read_all(sock, 5)
            answer["after"] = time.monotonic() - start

    slow = threading.Thread(target=trickle)
    slow.start()
    time.sleep(0.3)
    with httpx.Client(base_url=url) as client:
        begun = time.monotonic()
        ordinary = client.get("/api/articles")
        took = time.monotonic() - begun
    slow.join(timeout=15)
    assert ordinary.status_code == 200 and took < TIMEOUT
    raw = answer["raw"]
    assert len(body) > 90 and not raw.endswith(b"<still open>"), (
        raw
    )  # the server closed the connection
    head, _, rest = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), raw
    assert b"connection: close" in head.lower()
    assert json.loads(rest) == {
        "error": {
            "code": "request_timeout",
            "message": "the request's body did not arrive within 4.5 seconds (the "
            "server's --body-timeout)",
        }
    }
    assert BODY_TIMEOUT - EARLY <= answer["after"] < BODY_TIMEOUT + 2


def test_a_body_sent_in_time_is_taken(base: tuple[str, int]) -> None:
    url, _ = base
    with httpx.Client(base_url=url) as client:
        made = client.post("/api/articles", json={"text": "The ferry runs every hour. " * 5})
    assert made.status_code == 201, made.text


def test_a_silent_connection_is_closed_without_an_answer(base: tuple[str, int]) -> None:
    with socket.create_connection(("127.0.0.1", base[1])) as sock:
        start = time.monotonic()
        assert read_all(sock, TIMEOUT + 3) == b""
        assert TIMEOUT - EARLY <= time.monotonic() - start < TIMEOUT + 2


def test_a_slow_body_after_prompt_headers_is_still_read(base: tuple[str, int]) -> None:
    """The header deadline is for headers only: the body has its own (and a size limit)."""
    body = json.dumps({"text": "The council met on Tuesday and approved the budget plan."})
    with socket.create_connection(("127.0.0.1", base[1])) as sock:
        sock.sendall(
            b"POST /api/summarize HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body[:10].encode()
        )
        time.sleep(TIMEOUT + 0.5)
        sock.sendall(body[10:].encode())
        raw = read_all(sock, 10)
    assert raw.startswith(b"HTTP/1.1 200 OK\r\n"), raw[:200]


def test_keep_alive_requests_each_get_the_deadline(base: tuple[str, int]) -> None:
    """The clock restarts with each request: a connection that lives longer is fine."""
    with socket.create_connection(("127.0.0.1", base[1])) as sock:
        sock.settimeout(10)
        for _ in range(3):
            time.sleep(TIMEOUT / 2)
            sock.sendall(b"GET /api/methods HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            reply = b""
            while b"\r\n\r\n" not in reply:
                reply += sock.recv(65536)
            head, _, rest = reply.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200 OK"), head
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            while len(rest) < length:
                rest += sock.recv(65536)


def test_serve_passes_the_header_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    apps: list[Any] = []

    def run(app: Any, **kwargs: Any) -> None:
        calls.append(kwargs)
        apps.append(app)
        app.state.newsbrief.store.close()

    monkeypatch.setattr(uvicorn, "run", run)
    database = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    args = ["serve", "--port", "0", "--database", database]
    result = CliRunner().invoke(cli, [*args, "--header-timeout", "2.5"])
    assert result.exit_code == 0, result.stderr
    assert calls[0]["http"].header_timeout == 2.5
    assert calls[0]["http"].__name__ == (
        "HttpToolsHeaderTimeoutProtocol" if find_spec("httptools") else "HeaderTimeoutProtocol"
    )
    # uvloop and httptools whenever they are installed, and the operator is told which.
    assert calls[0]["loop"] == ("uvloop" if find_spec("uvloop") else "asyncio")
    if find_spec("uvloop") and find_spec("httptools"):
        assert "newsbrief: serving with uvloop and httptools\n" in result.stderr
    else:
        assert "pip install 'newsbrief[web-fast]' (uvloop and httptools)" in result.stderr
    result = CliRunner().invoke(cli, [*args, "--body-timeout", "7"])
    assert result.exit_code == 0, result.stderr
    assert apps[-1].state.newsbrief.settings.body_timeout == 7
    # nan is a usage error of the option itself (every float option: test_hostile_text).
    result = CliRunner().invoke(cli, [*args, "--header-timeout", "nan"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--header-timeout': 'nan' is not a finite number."
    )
