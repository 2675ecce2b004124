"""Rate limits for anonymous requests that cause work, and who the client is.

A request that makes the server compute (an uncached summary length or method, a page the
embeddable button has no summary of yet) spends one token of its client's
bucket (``TokenBucket``: ``burst`` tokens, refilled at ``per_minute``). An empty bucket is a
429 ``rate_limited`` answer with ``Retry-After``. Reads served from a cache never spend a
token, and editors are never limited (``web.auth`` says who is one: a token, a login, or
anyone on the one-person tool that has no accounts yet).

Routes do not look at addresses or headers themselves: they depend on ``work_permit`` (charge
later, once the route knows the work is needed) or ``limit_work`` (charge now):

    @router.get("/embed/{article_id}", dependencies=[Depends(limit_work)])

The client is the TCP peer, unless the peer is one of ``--trusted-proxy`` networks: then
``X-Forwarded-For`` is read from the right, skipping trusted hops, and the first untrusted
address is the client (``client_address``). A header from anyone else is ignored, so a
client cannot pick a fresh bucket by sending a made-up address.

With one worker the buckets live in its memory (``RateLimiter``). With ``--workers N`` they
live in the store (``SharedRateLimiter``: one atomic statement a request, in the
``rate_limits`` table), so a client that spreads its requests over the workers still gets
one allowance. Only requests that cause work pay that write; cached reads never reach it.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from newsbrief.errors import InvalidOptions, RateLimited

if TYPE_CHECKING:
    from newsbrief.storage.limits import LimitStore

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Clients whose buckets are kept; past it the least recently seen is forgotten (a full
#: bucket again). 100,000 buckets take ~20 MB.
MAX_CLIENTS = 100_000
#: Seconds between a worker's sweeps of the shared buckets that are full again (their rows
#: go): the table holds about the clients that caused work in the last minute or two.
EXPIRE_EVERY_S = 60.0


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Return the networks of ``--trusted-proxy`` values (``10.0.0.0/8``, ``127.0.0.1``, ...).

    Raises:
        InvalidOptions: a value is not an address or a CIDR network.
    """
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise InvalidOptions(
                f"--trusted-proxy {value!r} is not an IP address or network "
                "(e.g. 127.0.0.1, 10.0.0.0/8 or ::1)"
            ) from None
    return tuple(networks)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, nets: Sequence[Network]
) -> bool:
    return any(address.version == net.version and address in net for net in nets)


def client_address(
    peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[Network]
) -> str:
    """Return the address of the client behind a request.

    Args:
        peer: the TCP peer's address (None when the server does not know it).
        forwarded_for: the ``X-Forwarded-For`` header values, in order.
        trusted: the ``--trusted-proxy`` networks.

    Returns:
        ``peer`` unless it is trusted; then the rightmost ``X-Forwarded-For`` hop that is not
        a trusted proxy (the leftmost, if all are). A malformed hop ends the walk at the last
        trusted address: no trusted proxy vouched for anything further left.
    """
    if peer is None:
        return "unknown"
    current = _address(peer)
    if current is None or not trusted or not _trusted(current, trusted):
        return str(current) if current is not None else peer
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        current = address
        if not _trusted(address, trusted):
            break
    return str(current)


class TokenBucket:
    """``burst`` tokens at most, refilled at ``rate`` tokens a second."""

    __slots__ = ("_stamp", "_tokens", "burst", "rate")

    def __init__(self, *, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._stamp = now

    def take(self, now: float) -> float:
        """Spend one token; return 0.0, or the seconds until one is there (nothing spent)."""
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self.rate

    def full(self, now: float) -> bool:
        """Return True when the bucket would be full at ``now`` (forgetting it loses nothing)."""
        return self._tokens + (now - self._stamp) * self.rate >= self.burst


class Limiter:
    """The rule both limiters apply: ``burst`` requests at once, ``per_minute`` sustained.

    ``per_minute`` 0 turns limiting off. ``RateLimiter`` keeps the buckets in this worker's
    memory, ``SharedRateLimiter`` in the store; routes charge either through ``check``.
    """

    def __init__(self, *, per_minute: float, burst: int) -> None:
        if per_minute < 0 or burst < 1:
            raise InvalidOptions(
                f"rate limit must be 0 (off) or more a minute with a burst of at least 1 "
                f"(got {per_minute} a minute, burst {burst})"
            )
        self.per_minute = per_minute
        self.burst = burst
        self._rate = per_minute / 60

    @property
    def enabled(self) -> bool:
        """Return False when limiting is off (``per_minute`` 0)."""
        return self._rate > 0

    def check(self, client: str) -> None:
        """Spend one of ``client``'s tokens, or raise RateLimited."""
        raise NotImplementedError


class RateLimiter(Limiter):
    """Token buckets per client: ``burst`` requests at once, ``per_minute`` sustained.

    ``per_minute`` 0 turns limiting off. Thread-safe; ``clock`` is for tests.
    """

    def __init__(
        self,
        *,
        per_minute: float,
        burst: int,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(per_minute=per_minute, burst=burst)
        self._max = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        """Spend one of ``client``'s tokens.

        Raises:
            RateLimited: the bucket is empty; ``retry_after`` says when a token is back.
        """
        if not self.enabled:
            return
        with self._lock:
            now = self._clock()
            bucket = self._buckets.get(client)
            if bucket is None:
                bucket = self._buckets[client] = TokenBucket(
                    rate=self._rate, burst=self.burst, now=now
                )
            self._buckets.move_to_end(client)
            wait = bucket.take(now)
            while len(self._buckets) > self._max:
                self._buckets.popitem(last=False)
        if wait > 0:
            raise _refusal(self, wait)

    def __len__(self) -> int:
        return len(self._buckets)


def _refusal(limiter: Limiter, wait: float) -> RateLimited:
    seconds = max(1, math.ceil(wait))
    return RateLimited(
        f"too many requests that need a summary computed: {limiter.burst} at once, then "
        f"{limiter.per_minute:g} a minute per client; retry in {seconds} s (summaries "
        "already computed are never limited)",
        retry_after=seconds,
    )


class SharedRateLimiter(Limiter):
    """``RateLimiter``'s buckets kept in the store, so every worker spends from the same ones.

    Each ``check`` is one atomic statement (``LimitStore.take_token``); it blocks, so call it
    from a worker thread. Every ``EXPIRE_EVERY_S`` one check also deletes the buckets that are
    full again. ``clock`` is wall-clock time (workers compare it), for tests.
    """

    SCOPE = "work"

    def __init__(
        self,
        store: LimitStore,
        *,
        per_minute: float,
        burst: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(per_minute=per_minute, burst=burst)
        self.store = store
        self._clock = clock
        self._next_sweep = 0.0
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        """Spend one of ``client``'s tokens in the store.

        Raises:
            RateLimited: the bucket is empty; ``retry_after`` says when a token is back.
            StorageError: the store failed.
        """
        if not self.enabled:
            return
        now = self._clock()
        with self._lock:
            sweep = now >= self._next_sweep
            if sweep:
                self._next_sweep = now + EXPIRE_EVERY_S
        if sweep:
            self.store.expire_limits(now=now)
        wait = self.store.take_token(self.SCOPE, client, rate=self._rate, burst=self.burst, now=now)
        if wait > 0:
            raise _refusal(self, wait)


def editor_sent(request: Request) -> bool:
    """Return True when an editor (token, login, or the open one-person tool) sent ``request``.

    Synchronous (it may read the store): for code running in a worker thread. Routes use
    ``work_permit``, which asks ``web.auth`` once per request.
    """
    from newsbrief.web import auth
    from newsbrief.web.state import state_of

    actor = getattr(request.state, "newsbrief_actor", None)
    if not isinstance(actor, auth.Actor):
        actor = auth.resolve_actor(state_of(request), request, exact=False)
    return actor.is_editor


def request_client(request: Request, trusted: Sequence[Network]) -> str:
    """Return the client address of ``request`` (see ``client_address``)."""
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.getlist("x-forwarded-for"), trusted)


def charge(request: Request) -> None:
    """Spend one of the request's client's tokens now (nothing for an editor).

    The plain-function form of ``limit_work``, for code that is handed a check to call (the
    embed endpoint's ``admit`` seam).

    Raises:
        RateLimited: the client's bucket is empty.
    """
    from newsbrief.web.state import state_of

    if not editor_sent(request):
        state = state_of(request)
        state.limiter.check(request_client(request, state.settings.trusted_proxies))


@dataclass(frozen=True)
class WorkPermit:
    """What a route that may cause work holds: ``charge()`` once it knows it must compute."""

    limiter: Limiter
    client: str
    exempt: bool

    def charge(self) -> None:
        """Spend one of the client's tokens (nothing for an editor).

        Raises:
            RateLimited: the client's bucket is empty.
        """
        if not self.exempt:
            self.limiter.check(self.client)


async def work_permit(request: Request) -> WorkPermit:
    """Return the request's ``WorkPermit`` (the dependency of routes that may cause work)."""
    from newsbrief.web.auth import is_editor
    from newsbrief.web.state import state_of

    state = state_of(request)
    client = request_client(request, state.settings.trusted_proxies)
    return WorkPermit(state.limiter, client, await is_editor(request))


async def limit_work(permit: Annotated[WorkPermit, Depends(work_permit)]) -> None:
    """Charge the request's client at once (the dependency of routes that always cause work)."""
    await run_in_threadpool(permit.charge)  # the shared limiter writes to the store


Permit = Annotated[WorkPermit, Depends(work_permit)]
