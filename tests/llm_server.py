"""A tiny OpenAI-compatible chat-completions server on 127.0.0.1 for the client tests.

It speaks just enough of ``POST /v1/chat/completions`` to exercise the real HTTP path: each
request is recorded, and the reply comes from a queue of scripted :class:`Reply` objects (a
status, a body, headers, a delay), or, when the queue is empty, from ``default`` — by default
a model that "summarizes" by echoing the first sentences of the text it was given.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer: ``body`` is JSON-encoded unless it is already a string."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def completion(content: str | None, *, model: str = "fake", finish: str = "stop") -> dict[str, Any]:
    """Return a chat-completions response body carrying ``content``."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish,
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


_TEXT_START = re.compile(r"\n\n(?:Title: [^\n]*\n\n)?(?:Article:|Notes:)?\n?")


def echo_model(request: dict[str, Any]) -> Reply:
    """Reply with the first two sentences of the text the prompt carries, as a summary."""
    user = request["messages"][-1]["content"]
    match = _TEXT_START.search(user)
    text = user[match.end() :] if match else user
    sentences = re.split(r"(?<=[.!?])\s+", text.replace("\n", " ").strip())
    return Reply(body=completion(" ".join(sentences[:2]), model=request.get("model", "fake")))


class FakeLLM:
    """The server's state: scripted replies, the default model, and every request seen."""

    def __init__(self, default: Callable[[dict[str, Any]], Reply] = echo_model) -> None:
        self.replies: deque[Reply] = deque()
        self.default = default
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.models: set[str] | None = None  # None: any model name is known
        self.key: str | None = None  # when set, "Bearer <key>" is required
        self.url = ""
        self._lock = threading.Lock()

    def script(self, *replies: Reply) -> None:
        """Queue replies to give, in order, before falling back to ``default``."""
        self.replies.extend(replies)

    def handle(self, request: dict[str, Any], headers: dict[str, str]) -> Reply:
        with self._lock:
            self.requests.append(request)
            self.headers.append(headers)
            if self.replies:
                return self.replies.popleft()
        if self.key is not None and headers.get("authorization") != f"Bearer {self.key}":
            return Reply(401, {"error": {"message": "Incorrect API key provided"}})
        if self.models is not None and request.get("model") not in self.models:
            model = request.get("model")
            return Reply(404, {"error": {"message": f"model '{model}' not found"}})
        return self.default(request)


def _handler(state: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # silence stderr
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            raw = self.rfile.read(length)
            if self.path != "/v1/chat/completions":
                self._send(Reply(404, "404 page not found"))
                return
            request = json.loads(raw)
            headers = {k.lower(): v for k, v in self.headers.items()}
            self._send(state.handle(request, headers))

        def _send(self, reply: Reply) -> None:
            if reply.delay:
                time.sleep(reply.delay)
            body = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
            data = body.encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout tests)

    return Handler


class CountingLLM(FakeLLM):
    """A fake endpoint that takes its time and counts the requests it is answering at once.

    ``gather``: hold the first requests until that many are in flight at once (or
    ``gather_s`` has passed), so a client that keeps that many in flight is seen doing so
    however slowly a loaded machine starts its threads; one that never does is seen too.
    """

    def __init__(self, delay: float = 0.15, *, gather: int = 0, gather_s: float = 10) -> None:
        super().__init__(default=self.slow_echo)
        self.delay = delay
        self.gather = gather
        self.gather_s = gather_s
        self.in_flight = 0
        self.most = 0
        self._count = threading.Condition()

    def slow_echo(self, request: dict[str, Any]) -> Reply:
        with self._count:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            self._count.notify_all()
            self._count.wait_for(lambda: self.most >= self.gather, timeout=self.gather_s)
        time.sleep(self.delay)
        with self._count:
            self.in_flight -= 1
        return echo_model(request)


@contextmanager
def serve(state: FakeLLM | None = None) -> Iterator[FakeLLM]:
    """Run a fake LLM server on 127.0.0.1 (a free port); ``state.url`` ends in ``/v1``."""
    state = state or FakeLLM()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
