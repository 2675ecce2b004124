"""Run the app under uvicorn with a deadline for each request's headers.

uvicorn times out idle keep-alive connections, but nothing else: a client that connects and
sends nothing, or trickles its request headers a byte at a time (slowloris), holds its
connection open forever, and a few thousand such clients exhaust the server's file
descriptors. uvicorn has no setting for this (h11's only limit is the headers' size,
``h11_max_incomplete_event_size``), so ``protocol_with_header_timeout`` adds one to uvicorn's
h11 or httptools protocol: from a connection's start, and from the first byte of each later
request, the headers must be complete within ``header_timeout`` seconds. A client that sent
part of a request is answered 408 ``request_timeout`` in the one error shape and disconnected;
one that sent nothing is disconnected. The *body* has its own deadline, ``--body-timeout``,
from the headers' end: it is read by the app, through ``SecurityMiddleware``, which also counts
it against ``--max-body-bytes``.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from newsbrief.settings import DEFAULT_HEADER_TIMEOUT
from newsbrief.web.errors import HTTP_CODES, error_body

log = logging.getLogger("newsbrief.web")


def timeout_answer(seconds: float) -> bytes:
    """Return the raw 408 answer (status line, headers, JSON body) for late headers."""
    message = (
        f"the request's headers did not arrive within {seconds:g} seconds (the server's "
        "--header-timeout)"
    )
    body = json.dumps(error_body(HTTP_CODES[408], message)).encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode() + body


class _HeaderClock:
    """The header deadline both protocols share; ``_waiting_for_headers`` says when it applies."""

    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    client: tuple[str, int] | None
    _header_timer: asyncio.TimerHandle | None = None
    #: Whether the client sent part of a request since the clock started (a 408 is owed).
    _header_bytes = False

    def _waiting_for_headers(self) -> bool:
        raise NotImplementedError

    def _start_header_timer(self) -> None:
        self._stop_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        self._header_bytes = False

    def _headers_late(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or not self._waiting_for_headers():
            return
        if self._header_bytes:
            client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
            log.info("%s: request headers not complete after %gs", client, self.header_timeout)
            self.transport.write(timeout_answer(self.header_timeout))
        self.transport.close()


class HeaderTimeoutProtocol(_HeaderClock, H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers (see the module)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_header_timer()

    def _waiting_for_headers(self) -> bool:
        return self.conn.their_state is h11.IDLE

    def data_received(self, data: bytes) -> None:
        waiting = self._waiting_for_headers()
        if waiting and self._header_timer is None:
            self._start_header_timer()
        self._header_bytes = self._header_bytes or (waiting and bool(data))
        super().data_received(data)
        if not self._waiting_for_headers():
            self._stop_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # The start of a pipelined request may already be buffered: its clock runs now.
        if self._waiting_for_headers() and self.conn.trailing_data[0]:
            self._start_header_timer()
            self._header_bytes = True

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)


def _httptools_protocol() -> type[asyncio.Protocol]:
    """Return uvicorn's httptools protocol with the header deadline (needs ``httptools``)."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class HttpToolsHeaderTimeoutProtocol(_HeaderClock, HttpToolsProtocol):
        """uvicorn's httptools protocol with a deadline for each request's headers."""

        _pending = True

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._start_header_timer()

        def _waiting_for_headers(self) -> bool:
            return self._pending

        def on_message_begin(self) -> None:  # the parser saw a request's first byte
            super().on_message_begin()
            self._pending = True
            if self._header_timer is None:
                self._start_header_timer()
            self._header_bytes = True

        def on_headers_complete(self) -> None:
            self._pending = False
            self._stop_header_timer()
            super().on_headers_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_header_timer()
            super().connection_lost(exc)

    return HttpToolsHeaderTimeoutProtocol


def protocol_with_header_timeout(seconds: float, http: str = "auto") -> type[asyncio.Protocol]:
    """Return the uvicorn ``http`` protocol class whose header deadline is ``seconds``.

    ``http`` is "h11", "httptools" or "auto": httptools when it is installed (``pip install
    'newsbrief[web-fast]'``), as uvicorn's own "auto" chooses, else h11.
    """
    if http == "auto":
        http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    base = _httptools_protocol() if http == "httptools" else HeaderTimeoutProtocol
    return type(base.__name__, (base,), {"header_timeout": seconds})
