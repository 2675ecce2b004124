"""The limits of one fetch that httpx does not enforce by itself, and the fetch slots.

- ``Deadline``: one clock for the whole fetch. ``deadline_transport`` hands httpx a network
  backend whose every connect, TLS handshake, read and write waits at most what is left of
  it, so a server sending one header line every few seconds is cut off at the deadline
  instead of resetting a per-read timeout forever.
- ``BodyDecoder``: the body's content coding undone here, not by httpx, with every output
  bounded by what is left of the byte budget (httpx inflates a whole network chunk at once:
  64 KB of gzip can become 64 MB). Stacked codings (``gzip, gzip``: ~2 KB on the wire, 2 GB
  after the second layer) and codings that were not asked for are refused.
- ``FetchSlots``: at most so many fetches at once in a server; one more is refused at once
  (``TooManyFetches``) instead of waiting, since a waiting fetch holds a worker thread too.

Imported by ``newsbrief.fetch`` (it needs httpcore, which httpx brings).
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

from newsbrief.errors import InvalidOptions, TooManyFetches

__all__ = [
    "ACCEPT_ENCODING",
    "BadBody",
    "BodyDecoder",
    "Deadline",
    "FetchSlots",
    "deadline_transport",
]

#: The codings newsbrief asks for and decodes itself (zlib ships with Python).
ACCEPT_ENCODING = "gzip, deflate"
_DECODED = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class Deadline:
    """A point in time a fetch must be done by; ``seconds`` is how long it was given."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._at = time.monotonic() + seconds

    @property
    def expired(self) -> bool:
        """Return True once the deadline has passed."""
        return time.monotonic() >= self._at

    def left(self) -> float:
        """Return the seconds left (0 once the deadline has passed)."""
        return max(0.0, self._at - time.monotonic())

    def clamp(self, timeout: float | None, error: type[Exception]) -> float:
        """Return ``timeout`` cut to what is left; raise ``error`` when nothing is left."""
        left = self._at - time.monotonic()
        if left <= 0:
            raise error(f"the fetch took over {self.seconds:g} seconds in all")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every step waits at most what is left of the deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        # CPython bounds the whole handshake by the socket timeout, not each of its reads.
        wait = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        tls = self._stream.start_tls(ssl_context, server_hostname, wait)
        return _DeadlineStream(tls, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's socket backend, with every stream held to one ``Deadline``."""

    def __init__(self, deadline: Deadline) -> None:
        self._backend = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        wait = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, wait, local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:  # pragma: no cover (fetch never uses a Unix socket)
        wait = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_unix_socket(path, wait, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:  # pragma: no cover (retries are off)
        self._backend.sleep(seconds)


def deadline_transport(deadline: Deadline, *, trust_env: bool) -> httpx.HTTPTransport:
    """Return httpx's own transport, its connections held to ``deadline``.

    httpx takes no network backend, so the connection pool it built is replaced by the same
    pool on the deadline backend (``tests/test_fetch.py`` trickles headers through it, so a
    change of httpx's internals fails a test rather than silently dropping the deadline).
    """
    transport = httpx.HTTPTransport(trust_env=trust_env)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=trust_env),
        network_backend=_DeadlineBackend(deadline),
    )
    return transport


class BadBody(Exception):
    """The body's coding cannot be decoded (the message says why); fetch names the URL."""


class BodyDecoder:
    """Undo the one content coding of a body, never producing more than asked for.

    ``feed(raw, room)`` returns the decoded pieces of ``raw``, at most ``room + 1`` bytes in
    all: one byte over the budget is enough to say the body is too large.
    """

    def __init__(self, content_encoding: Iterable[str]) -> None:
        codings = [c.strip().lower() for c in content_encoding]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1:
            raise BadBody(
                f"the server sent the page in stacked content codings ({', '.join(codings)}); "
                "newsbrief decodes one at most"
            )
        self.coding = codings[0] if codings else None
        if self.coding is not None and self.coding not in _DECODED:
            raise BadBody(
                f"the server sent the page in content coding {self.coding!r}, which was not "
                f"asked for (Accept-Encoding: {ACCEPT_ENCODING})"
            )
        self._inflater = self._new(_DECODED[self.coding]) if self.coding else None
        self._started = False

    @staticmethod
    def _new(wbits: int) -> Any:
        return zlib.decompressobj(wbits)

    def feed(self, raw: bytes, room: int) -> list[bytes]:
        """Return ``raw`` decoded: pieces of at most ``room + 1`` bytes in all."""
        if self._inflater is None:
            return [raw]
        try:
            return self._inflate(raw, room)
        except zlib.error as exc:
            if self.coding == "deflate" and not self._started:
                # Some servers send raw deflate for "deflate" (browsers accept both).
                self._inflater = self._new(-zlib.MAX_WBITS)
                try:
                    return self._inflate(raw, room)
                except zlib.error:
                    pass
            raise BadBody(f"the {self.coding} body is corrupt ({exc})") from exc

    def _inflate(self, data: bytes, room: int) -> list[bytes]:
        inflater: Any = self._inflater
        pieces: list[bytes] = []
        while data and not inflater.eof:
            piece = inflater.decompress(data, max(room, 0) + 1)
            self._started = True
            pieces.append(piece)
            room -= len(piece)
            if room < 0:
                break
            data = inflater.unconsumed_tail
        return pieces

    def finish(self) -> bytes:
        """Return what the decoder still holds at the end of the body (a few bytes at most)."""
        if self._inflater is None:
            return b""
        try:
            return bytes(self._inflater.flush())
        except zlib.error as exc:  # pragma: no cover (flush only reports a truncated stream)
            raise BadBody(f"the {self.coding} body is corrupt ({exc})") from exc


class FetchSlots:
    """At most ``limit`` fetches at once (a server's ``--max-fetches``).

    A fetch beyond the limit waits ``wait`` seconds for a slot (0: not at all) and is then
    refused with ``TooManyFetches``: in a server each waiting fetch holds a worker thread,
    which is what the limit keeps free for everything else.
    """

    def __init__(self, limit: int, *, option: str = "--max-fetches") -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidOptions(f"the fetch slot limit must be a whole number >= 1 ({limit!r})")
        self.limit = limit
        self._option = option
        self._semaphore = threading.BoundedSemaphore(limit)

    @contextmanager
    def hold(self, url: str, *, wait: float = 0.0) -> Iterator[None]:
        """Hold one slot while the block runs.

        Raises:
            TooManyFetches: every slot stayed taken for ``wait`` seconds.
        """
        got = self._semaphore.acquire(timeout=wait) if wait > 0 else self._semaphore.acquire(False)
        if not got:
            raise TooManyFetches(
                f"{url}: not fetched: {self.limit} fetches are already running, the limit "
                f"(the server's {self._option}); try again in a moment"
            )
        try:
            yield
        finally:
            self._semaphore.release()
