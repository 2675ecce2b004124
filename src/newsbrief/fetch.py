"""Fetch a web page safely: timeouts, a size limit, checked redirects, and an SSRF guard.

``fetch(url)`` downloads one HTML or text page with httpx and returns a ``FetchedPage``.

- Each network step (connect, each read) waits at most ``timeout`` seconds and the whole
  download at most ``TOTAL_TIMEOUT_FACTOR`` times that, so a server dripping bytes cannot
  hold a worker forever.
- The body is streamed and abandoned past ``max_bytes`` (decompressed size, so a gzip bomb is
  cut short too).
- The URL is parsed before anything else (``parse_url``): a malformed one (an unclosed ``[``,
  a port outside 1-65535, a host name DNS cannot carry or IDNA cannot encode) is an
  ``InputError`` naming what is wrong, never a parser's traceback or a misleading network error.
- Redirects are followed by hand, at most ``max_redirects``, so each hop is checked again; a
  redirect to a URL that ``parse_url`` refuses is the server's fault (``FetchError``).
- Only HTML and text are accepted (``UnsupportedContentType`` otherwise).
- With ``allow_private_networks=False`` (the web app's default) every hop's host is resolved
  first and refused when any of its addresses is loopback, private, link-local, multicast,
  reserved, unspecified or a cloud metadata endpoint; the connection then goes to the very
  address that was checked (the Host header and TLS SNI keep the name), so a DNS answer that
  changes between check and connect cannot slip through. The CLI allows private networks: a
  person's own command fetching their own intranet page is legitimate.

httpx errors are translated here into newsbrief's (``FetchTimeout``, ``Unreachable``,
``HTTPStatusError``, ...), so callers only ever see the one exception tree.
"""

from __future__ import annotations

import ipaddress
import math
import socket
import threading
from collections.abc import Callable, Collection
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import httpx

from newsbrief import __version__
from newsbrief.charset import decode_bytes
from newsbrief.errors import (
    BlockedAddress,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InputError,
    InvalidOptions,
    Unreachable,
    UnsupportedContentType,
)
from newsbrief.extract import DEFAULT_MAX_BYTES, too_large
from newsbrief.netlimits import (
    ACCEPT_ENCODING,
    BadBody,
    BodyDecoder,
    Deadline,
    FetchSlots,
    deadline_transport,
)
from newsbrief.textutil import check_text

__all__ = [
    "DEFAULT_MAX_HEADERS",
    "DEFAULT_MAX_HEADER_BYTES",
    "DEFAULT_MAX_REDIRECTS",
    "DEFAULT_TIMEOUT",
    "USER_AGENT",
    "FetchSlots",
    "FetchedPage",
    "blocked_reason",
    "embedded_ipv4",
    "fetch",
    "parse_url",
]

PROJECT_URL = "https://github.com/newsbrief/newsbrief"
USER_AGENT = f"newsbrief/{__version__} (+{PROJECT_URL})"
#: Seconds for each network step; news sites answer well within it, a dead host fails fast.
DEFAULT_TIMEOUT = 15.0
#: The whole download may take this many times ``timeout``.
TOTAL_TIMEOUT_FACTOR = 4
#: Most header lines and bytes of headers in a response. News sites send 15-40 lines and
#: 1-8 KB (cookies included); browsers and servers cap the block near 64 KB as well.
DEFAULT_MAX_HEADERS = 100
DEFAULT_MAX_HEADER_BYTES = 65_536
#: Browsers allow 20; news links rarely take more than 3 (http -> https -> www -> canonical).
DEFAULT_MAX_REDIRECTS = 5
#: Media types accepted as a page; anything else is refused before its body is read.
ACCEPTED_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
#: Cloud metadata endpoints (AWS, GCP, Azure, ...: 169.254.169.254; AWS IPv6: fd00:ec2::254;
#: Alibaba: 100.100.100.200). Most are also link-local or private; listed so the message says so.
_METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)

Resolver = Callable[[str, int], list[str]]

#: DNS limits (RFC 1035): a label holds at most 63 octets, a name at most 253 as text.
MAX_LABEL = 63
MAX_HOST_NAME = 253
#: ASCII a host name may hold besides letters and digits: the hyphen, the dot, and the
#: underscore (not valid in DNS host names, but some sites use it and resolvers pass it).
_HOST_PUNCTUATION = frozenset("-._")


class _BadURL(ValueError):
    """Why a URL cannot be fetched (turned into InputError, or FetchError for a redirect)."""


def _port_text(netloc: str) -> str:
    hostport = netloc.rpartition("@")[2]
    if hostport.startswith("["):
        return hostport.partition("]")[2].removeprefix(":")
    return hostport.partition(":")[2]


def _a_label_problem(label: str) -> str | None:
    """Return what is wrong with an IDNA A-label (``xn--...``), or None."""
    try:
        decoded = label[4:].encode("ascii").decode("punycode")
    except UnicodeError as exc:
        return f"{label!r} is not valid Punycode ({exc.__cause__ or exc})"
    return None if decoded else f"{label!r} encodes nothing"


def _host_problem(hostname: str, ascii_host: str) -> str | None:
    """Return what is wrong with a host name, or None.

    ``hostname`` is as written (lower-cased), ``ascii_host`` its IDNA encoding: what DNS sees.
    """
    if ":" in ascii_host:  # an IPv6 literal, already checked by urlsplit
        return None
    bad = [c for c in hostname if c.isascii() and not (c.isalnum() or c in _HOST_PUNCTUATION)]
    if bad:
        return f"the host name contains {bad[0]!r}, which no host name can"
    name = ascii_host.removesuffix(".")  # a trailing dot: fully qualified
    if len(name) > MAX_HOST_NAME:
        return f"the host name is {len(name)} characters long; DNS allows at most {MAX_HOST_NAME}"
    for label in name.split("."):
        if not label:
            where = "starts with a dot" if name.startswith(".") else "has two dots in a row"
            return f"the host name {hostname!r} {where}"
        if len(label) > MAX_LABEL:
            return (
                f"a label of the host name is {len(label)} characters long; "
                f"DNS allows at most {MAX_LABEL}"
            )
        if label.lower().startswith("xn--"):
            problem = _a_label_problem(label)
            if problem is not None:
                return f"the host name {hostname!r} is not a valid IDNA name: {problem}"
    return None


def _split(url: str) -> SplitResult:
    """Return ``url`` split, or raise _BadURL saying what is wrong with it."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        # urlsplit checks the brackets of an IPv6 host and what they hold.
        reason = "unmatched '[' or ']' in the host" if str(exc) == "Invalid IPv6 URL" else exc
        raise _BadURL(f"not a valid URL ({reason})") from exc
    if parts.scheme not in ("http", "https"):
        raise _BadURL("only http:// and https:// URLs can be fetched")
    hostname = parts.hostname
    if not hostname:
        raise _BadURL("the URL has no host name")
    try:
        port = parts.port
    except ValueError:  # not a number, or over 65535
        port = 0
    if port is not None and not 1 <= port <= 65535:
        raise _BadURL(
            "not a valid URL (the port must be a number from 1 to 65535, "
            f"got {_port_text(parts.netloc)!r})"
        )
    # The parser the download itself uses: it IDNA-encodes the host, checks IPv4 literals,
    # and decodes an xn-- host (``.host``), so nothing it would refuse later gets past here.
    try:
        parsed = httpx.URL(url)
        parsed.host  # noqa: B018 (evaluated for its check)
        ascii_host = parsed.raw_host.decode("ascii")
    except UnicodeError as exc:  # idna.IDNAError is a UnicodeError
        raise _BadURL(
            f"not a valid URL (the host name {hostname!r} is not a valid IDNA name: {exc})"
        ) from exc
    except (httpx.InvalidURL, ValueError) as exc:
        raise _BadURL(f"not a valid URL ({exc})") from exc
    problem = _host_problem(hostname, ascii_host)
    if problem is not None:
        raise _BadURL(f"not a valid URL ({problem})")
    return parts


def parse_url(url: str) -> SplitResult:
    """Return ``url`` split into its parts when it is an http(s) URL that can be fetched.

    Every front end checks a URL it is given with this (``fetch`` does too), so a malformed
    URL gets the same message wherever it is typed.

    Raises:
        InputError: not http(s), no host, a malformed host or IPv6 literal, a port outside
            1-65535, or a host name that IDNA cannot encode or DNS cannot carry; the message
            starts with the URL and says what is wrong.
        InvalidText: the URL holds a lone surrogate (it could not even be shown).
    """
    check_text(url, "the url")
    try:
        return _split(url)
    except _BadURL as exc:
        raise InputError(f"{url}: {exc}") from exc


@dataclass(frozen=True)
class FetchedPage:
    """A downloaded page: where it was asked for, where it ended up, and its bytes."""

    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    encoding: str

    @property
    def text(self) -> str:
        """Return the body decoded with the detected encoding."""
        return self.body.decode(self.encoding, errors="replace")


def resolve(host: str, port: int) -> list[str]:
    """Return the IP addresses ``host`` resolves to (the system resolver)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


#: The well-known NAT64 prefix (RFC 6052): an IPv4 address in the last 32 bits. (The local-use
#: 64:ff9b:1::/48 of RFC 8215 is never public: Python counts all of ::/8 as reserved.)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
#: IPv4-compatible addresses (RFC 4291, deprecated): ``::a.b.c.d``.
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_ipv4(address: str) -> list[tuple[str, ipaddress.IPv4Address]]:
    """Return the IPv4 addresses an IPv6 address carries, each with the form's name.

    The forms that translate or tunnel to an IPv4 host: IPv4-mapped (``::ffff:a.b.c.d``),
    6to4 (``2002::/16``), well-known NAT64 (``64:ff9b::/96``), Teredo (``2001::/32``: its
    server and its de-obfuscated client) and IPv4-compatible (``::a.b.c.d``). Empty for an
    IPv4 address or any other IPv6 one.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    if ip.ipv4_mapped is not None:
        return [("IPv4-mapped", ip.ipv4_mapped)]
    if ip.sixtofour is not None:
        return [("6to4", ip.sixtofour)]
    if ip.teredo is not None:
        server, client = ip.teredo
        return [("Teredo client", client), ("Teredo server", server)]
    if ip in _NAT64:
        return [("NAT64", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))]
    if ip in _IPV4_COMPATIBLE and int(ip) > 1:  # :: and ::1 are their own addresses
        return [("IPv4-compatible", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))]
    return []


def _own_reason(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    checks = (
        (ip in _METADATA, "cloud metadata"),
        (ip.is_loopback, "loopback"),
        (ip.is_unspecified, "unspecified"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
        # Shared address space (100.64.0.0/10), documentation ranges, 6to4 relays, ...
        (not ip.is_global, "non-public"),
    )
    return next((name for hit, name in checks if hit), None)


def blocked_reason(address: str) -> str | None:
    """Return why ``address`` must not be fetched from a server (e.g. "loopback"), or None.

    An IPv6 address that carries an IPv4 one (``embedded_ipv4``) is refused when that IPv4
    address would be. The translation forms (IPv4-mapped, 6to4, NAT64) reach exactly that
    IPv4 host, so it alone decides; Teredo and IPv4-compatible addresses are also checked as
    the IPv6 addresses they are (neither is public).
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    embedded = embedded_ipv4(address)
    for _, ipv4 in embedded:
        reason = _own_reason(ipv4)
        if reason is not None:
            return reason
    if embedded and embedded[0][0] in ("IPv4-mapped", "6to4", "NAT64"):
        return None
    return _own_reason(ip)


def _blocked_message(url: str, host: str, address: str, reason: str) -> str:
    what = address if host == address else f"{host} resolves to {address}, which"
    article = "an" if reason[:1] in "aeiou" else "a"
    carried = next(
        (f"{form} for {v4}" for form, v4 in embedded_ipv4(address) if _own_reason(v4)), ""
    )
    via = f" ({carried})" if carried else ""
    return (
        f"{url}: {what} is {article} {reason} address{via}; fetching it is refused "
        f"(a server allows it with --allow-private-networks)"
    )


@dataclass(frozen=True)
class _Hop:
    url: str
    request_url: str
    headers: dict[str, str]
    extensions: dict[str, Any]


def _redirect(current: str, location: str) -> tuple[str, SplitResult]:
    """Return the URL a redirect from ``current`` to ``location`` leads to, and its parts.

    Raises:
        FetchError: the target is not a URL that can be fetched (the server's fault).
    """
    try:
        target = urljoin(current, location)
    except ValueError:
        target = location  # _split says what is wrong with it
    try:
        return target, _split(target)
    except _BadURL as exc:
        raise FetchError(f"{current}: the server redirected to {target}: {exc}") from exc


def _resolve_by(
    deadline: Deadline, resolver: Resolver, url: str, host: str, port: int
) -> list[str]:
    """Return ``resolver(host, port)``, or raise FetchTimeout once the deadline passes.

    The lookup runs in a thread of its own: a name server that answers slowly (a hostile
    domain's own) must not hold the fetch past its deadline. An abandoned lookup ends by
    itself when the system resolver's own timeouts run out.
    """
    result: list[list[str]] = []
    failure: list[BaseException] = []

    def look_up() -> None:
        try:
            result.append(resolver(host, port))
        except BaseException as exc:  # handed to the fetching thread
            failure.append(exc)

    thread = threading.Thread(target=look_up, name="newsbrief-resolve", daemon=True)
    thread.start()
    thread.join(deadline.left())
    if thread.is_alive():
        raise FetchTimeout(
            f"{url}: looking up {host!r} took over the fetch's {deadline.seconds:g} seconds",
            hint=f"raise the limit with --timeout (the whole fetch may take "
            f"{TOTAL_TIMEOUT_FACTOR}x that)",
        )
    if failure:
        raise failure[0]
    return result[0]


def _prepare(
    url: str, parts: SplitResult, *, guard: bool, resolver: Resolver, deadline: Deadline
) -> _Hop:
    host = parts.hostname
    assert host  # parse_url checked it
    if not guard:
        return _Hop(url, url, {}, {})
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = _resolve_by(deadline, resolver, url, host, port)
    except (OSError, UnicodeError) as exc:
        raise Unreachable(f"{url}: cannot resolve host {host!r}") from exc
    if not addresses:
        raise Unreachable(f"{url}: cannot resolve host {host!r}")
    for address in addresses:
        reason = blocked_reason(address)
        if reason is not None:
            raise BlockedAddress(_blocked_message(url, host, address, reason))
    # Connect to the address just checked; the name travels in the Host header and SNI.
    ip = addresses[0]
    netloc = f"[{ip}]" if ":" in ip else ip
    if parts.port:
        netloc += f":{parts.port}"
    request_url = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = parts.netloc.rpartition("@")[2]
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return _Hop(url, request_url, {"Host": host_header}, extensions)


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _reason(exc: Exception) -> str:
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "nodename" in text or "getaddrinfo" in text:
        return "cannot resolve host"
    if "unreachable" in text:
        return "network unreachable"
    return str(exc) or type(exc).__name__


class _Redirected(Exception):
    """Raised by the response hook for a redirect, before httpx parses its Location."""

    def __init__(self, status: int, location: str | None) -> None:
        super().__init__(location)
        self.status = status
        self.location = location


class _Refused(Exception):
    """The response breaks a limit of ``fetch`` (the message says which)."""


def _header_hook(max_headers: int, max_header_bytes: int) -> Callable[[httpx.Response], None]:
    """Return the httpx response hook that checks the headers and stops at a redirect.

    It runs before httpx looks at a redirect's Location (httpx builds the next request even
    when not following, and blames a malformed Location on the request), so a redirect is
    handed to ``fetch`` as it was sent.
    """

    def check(response: httpx.Response) -> None:
        raw = response.headers.raw
        size = sum(len(name) + len(value) + 4 for name, value in raw)  # "name: value\r\n"
        if len(raw) > max_headers:
            raise _Refused(
                f"the server sent {len(raw)} header lines, over the limit of {max_headers} "
                "(max_headers= in Python)"
            )
        if size > max_header_bytes:
            raise _Refused(
                f"the server sent {size:,} bytes of headers, over the limit of "
                f"{max_header_bytes:,} bytes (max_header_bytes= in Python)"
            )
        if response.status_code in _REDIRECTS:
            raise _Redirected(response.status_code, response.headers.get("location"))

    return check


def fetch(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    total_timeout: float | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    max_headers: int = DEFAULT_MAX_HEADERS,
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES,
    allow_private_networks: bool = False,
    slots: FetchSlots | None = None,
    slot_wait: float = 0.0,
    transport: httpx.BaseTransport | None = None,
    resolver: Resolver | None = None,
    content_types: Collection[str] = ACCEPTED_TYPES,
) -> FetchedPage:
    """Download the HTML or text page at ``url``.

    Args:
        timeout: seconds allowed for each network step (connect, each read).
        total_timeout: seconds for the whole fetch: every hop's connection, headers and body
            (``TOTAL_TIMEOUT_FACTOR`` times ``timeout`` by default).
        max_bytes: largest body accepted, on the wire and after decompression.
        max_redirects: most redirects followed.
        max_headers, max_header_bytes: most header lines, and bytes of headers, a response
            may have.
        allow_private_networks: skip the SSRF guard (loopback, private, link-local... hosts).
        slots: a server's ``FetchSlots``: the fetch holds one while it runs, waiting at most
            ``slot_wait`` seconds for it.
        transport: an httpx transport to use instead of the network (tests pass
            ``httpx.MockTransport``); the total deadline is then checked between body chunks.
        resolver: ``(host, port) -> addresses`` used by the SSRF guard; the system resolver
            by default.
        content_types: media types accepted (HTML and text by default; feeds pass
            ``newsbrief.feeds.FEED_TYPES``).

    Raises:
        InputError: not an http(s) URL, or a malformed one (see ``parse_url``).
        InvalidOptions: a limit that is not a usable number (NaN, negative, not an int...).
        TooManyFetches: every one of ``slots`` stayed taken for ``slot_wait`` seconds.
        BlockedAddress: the guard refused a hop's address.
        Unreachable: the host cannot be resolved or connected to.
        FetchTimeout: a step or the whole fetch took too long.
        HTTPStatusError: the server answered 4xx or 5xx.
        FetchError: too many redirects, a redirect to a malformed URL or none, headers over
            their limits, a stacked, unrequested or corrupt content coding.
        UnsupportedContentType: the page is not HTML or text.
        InputTooLarge: the body is over ``max_bytes``.
        UndecodableInput: the body is binary.
    """
    _check_limits(
        timeout=timeout,
        total_timeout=total_timeout,
        max_bytes=max_bytes,
        max_redirects=max_redirects,
        max_headers=max_headers,
        max_header_bytes=max_header_bytes,
        slot_wait=slot_wait,
    )
    parts = parse_url(url)
    with slots.hold(url, wait=slot_wait) if slots is not None else nullcontext():
        return _fetch(
            url,
            parts,
            timeout=timeout,
            deadline=Deadline(
                timeout * TOTAL_TIMEOUT_FACTOR if total_timeout is None else total_timeout
            ),
            max_bytes=max_bytes,
            max_redirects=max_redirects,
            hook=_header_hook(max_headers, max_header_bytes),
            max_header_bytes=max_header_bytes,
            guard=not allow_private_networks,
            transport=transport,
            resolver=resolver or resolve,
            content_types=content_types,
        )


def _check_limits(
    *,
    timeout: float,
    total_timeout: float | None,
    max_bytes: int,
    max_redirects: int,
    max_headers: int,
    max_header_bytes: int,
    slot_wait: float,
) -> None:
    """Raise InvalidOptions for a limit of ``fetch`` it cannot use.

    A NaN timeout compares false with everything (no deadline at all), and a negative or
    infinite one fails every socket call with an unrelated error.
    """
    seconds = {"timeout": timeout, "total_timeout": total_timeout, "slot_wait": slot_wait}
    for name, value in seconds.items():
        if value is None and name == "total_timeout":
            continue
        least = 0.0 if name == "slot_wait" else None  # the others must be above 0
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or value < 0
            or (value == 0 and least is None)
        ):
            what = "0 or more" if least is not None else "above 0"
            raise InvalidOptions(f"fetch: {name} must be a finite number {what} (got {value!r})")
    counts = {
        "max_bytes": (max_bytes, 1),
        "max_redirects": (max_redirects, 0),
        "max_headers": (max_headers, 1),
        "max_header_bytes": (max_header_bytes, 1),
    }
    for name, (count, least) in counts.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < least:
            raise InvalidOptions(f"fetch: {name} must be a whole number >= {least} (got {count!r})")


def _fetch(
    url: str,
    parts: SplitResult,
    *,
    timeout: float,
    deadline: Deadline,
    max_bytes: int,
    max_redirects: int,
    hook: Callable[[httpx.Response], None],
    max_header_bytes: int,
    guard: bool,
    transport: httpx.BaseTransport | None,
    resolver: Resolver,
    content_types: Collection[str],
) -> FetchedPage:
    client = httpx.Client(
        # Proxies from the environment would bypass the address check; with the guard off
        # (the CLI), a user's proxy settings apply as usual.
        transport=transport or deadline_transport(deadline, trust_env=not guard),
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=not guard,
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1"
            if content_types is ACCEPTED_TYPES
            else ",".join(sorted(content_types)) + ",*/*;q=0.1",
            # Decoded here, within the byte budget (netlimits.BodyDecoder), not by httpx.
            "Accept-Encoding": ACCEPT_ENCODING,
        },
        event_hooks={"response": [hook]},
    )
    current = url
    with client:
        for _ in range(max_redirects + 1):
            hop = _prepare(current, parts, guard=guard, resolver=resolver, deadline=deadline)
            try:
                page = _get(
                    client,
                    hop,
                    url=url,
                    max_bytes=max_bytes,
                    deadline=deadline,
                    content_types=content_types,
                )
            except httpx.TimeoutException as exc:
                raise _timeout(current, timeout, deadline) from exc
            except httpx.ConnectError as exc:
                host = urlsplit(current).netloc.rpartition("@")[2]
                raise Unreachable(f"{current}: cannot connect to {host} ({_reason(exc)})") from exc
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise InputError(f"{current}: not a valid URL ({exc})") from exc
            except httpx.RemoteProtocolError as exc:
                if "Receive buffer too long" in str(exc):  # h11's own cap on the header block
                    raise FetchError(
                        f"{current}: the server sent over {max_header_bytes:,} bytes of "
                        "headers, the limit (max_header_bytes= in Python)"
                    ) from exc
                raise Unreachable(f"{current}: the connection failed ({_reason(exc)})") from exc
            except httpx.TransportError as exc:
                raise Unreachable(f"{current}: the connection failed ({_reason(exc)})") from exc
            except _Refused as exc:
                raise FetchError(f"{current}: {exc}") from None
            except _Redirected as exc:
                if not exc.location:
                    raise FetchError(
                        f"{current}: the server answered {exc.status} (a redirect) without "
                        "saying where to (no Location header)"
                    ) from None
                current, parts = _redirect(current, exc.location)
                continue
            return page
    raise FetchError(f"{url}: more than {max_redirects} redirects; giving up at {current}")


def _timeout(current: str, timeout: float, deadline: Deadline) -> FetchTimeout:
    if deadline.expired:
        return FetchTimeout(
            f"{current}: the fetch took over {deadline.seconds:g} seconds in all, the limit",
            hint=f"raise it with --timeout (the whole fetch may take {TOTAL_TIMEOUT_FACTOR}x "
            "that; total_timeout= in Python)",
        )
    return FetchTimeout(
        f"{current}: no answer within {timeout:g} seconds", hint="raise the limit with --timeout"
    )


def _get(
    client: httpx.Client,
    hop: _Hop,
    *,
    url: str,
    max_bytes: int,
    deadline: Deadline,
    content_types: Collection[str] = ACCEPTED_TYPES,
) -> FetchedPage:
    """Fetch one hop (a redirect raises _Redirected from the response hook)."""
    with client.stream(
        "GET", hop.request_url, headers=hop.headers, extensions=hop.extensions
    ) as response:
        if response.status_code >= 400:
            raise HTTPStatusError(
                f"{hop.url}: the server answered {response.status_code} "
                f"{response.reason_phrase}".rstrip()
            )
        content_type = response.headers.get("content-type", "")
        media = _media_type(content_type)
        if media and media not in content_types:
            wanted = (
                "an HTML page or text"
                if content_types is ACCEPTED_TYPES
                else "one of " + ", ".join(sorted(content_types))
            )
            raise UnsupportedContentType(f"{hop.url}: the content type is {media}, not {wanted}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise too_large(f"{hop.url}: the page", max_bytes, int(declared))
        try:
            decoder = BodyDecoder(response.headers.get_list("content-encoding", split_commas=True))
            body = _read_body(response, decoder, hop.url, max_bytes, deadline)
        except BadBody as exc:
            raise FetchError(f"{hop.url}: {exc}") from None
        encoding = decode_bytes(body, content_type=content_type)[1] if body else "utf-8"
        return FetchedPage(
            url=url,
            final_url=hop.url,
            status=response.status_code,
            content_type=content_type,
            body=body,
            encoding=encoding,
        )


def _read_body(
    response: httpx.Response, decoder: BodyDecoder, url: str, max_bytes: int, deadline: Deadline
) -> bytes:
    """Return the body decoded, stopping as soon as the wire or decoded size passes the limit."""
    chunks: list[bytes] = []
    wire = size = 0
    stream = response.stream
    assert isinstance(stream, httpx.SyncByteStream)
    # The stream itself, not iter_raw(): a mock transport's response was already read
    # (and decoded) by httpx when built; its stream still yields the bytes as sent.
    for raw in stream:
        wire += len(raw)
        if wire > max_bytes:
            raise too_large(f"{url}: the page", max_bytes)
        for piece in decoder.feed(raw, max_bytes - size):
            size += len(piece)
            if size > max_bytes:
                what = f"the page (decoded from {decoder.coding})" if decoder.coding else "the page"
                raise too_large(f"{url}: {what}", max_bytes)
            chunks.append(piece)
        if deadline.expired:  # a transport without the deadline backend (a test's mock)
            raise httpx.ReadTimeout("the fetch took too long")
    tail = decoder.finish()
    if size + len(tail) > max_bytes:
        raise too_large(f"{url}: the page", max_bytes)
    chunks.append(tail)
    return b"".join(chunks)
