"""Run the app under uvicorn with a deadline for each request's headers.

uvicorn times out idle keep-alive connections, but nothing else: a client that connects and
sends nothing, or trickles its request headers a byte at a time (slowloris), holds its
connection open forever, and a few thousand such clients exhaust the server's file
descriptors. uvicorn has no setting for this (h11's only limit is the headers' size,
``h11_max_incomplete_event_size``), so ``HeaderTimeoutProtocol`` adds one to uvicorn's h11
protocol: from a connection's start, and from the first byte of each later request, the
headers must be complete within ``header_timeout`` seconds. A client that sent part of a
request is answered 408 ``request_timeout`` in the one error shape and disconnected; one that
sent nothing is disconnected. A slow *body* is not affected: it is read by the app, counted
against ``--max-body-bytes``.
"""

from __future__ import annotations

import asyncio
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


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers (see the module)."""

    header_timeout: float = DEFAULT_HEADER_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._header_bytes = False
        self._start_header_timer()

    def data_received(self, data: bytes) -> None:
        waiting = self.conn.their_state is h11.IDLE
        if waiting and self._header_timer is None:
            self._start_header_timer()
        self._header_bytes = self._header_bytes or (waiting and bool(data))
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._stop_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # The start of a pipelined request may already be buffered: its clock runs now.
        if self.conn.their_state is h11.IDLE and self.conn.trailing_data[0]:
            self._header_bytes = True
            self._start_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

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
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self._header_bytes:
            client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
            log.info("%s: request headers not complete after %gs", client, self.header_timeout)
            self.transport.write(timeout_answer(self.header_timeout))
        self.transport.close()


def protocol_with_header_timeout(seconds: float) -> type[HeaderTimeoutProtocol]:
    """Return the uvicorn ``http`` protocol class whose header deadline is ``seconds``."""
    return type("HeaderTimeoutProtocol", (HeaderTimeoutProtocol,), {"header_timeout": seconds})
