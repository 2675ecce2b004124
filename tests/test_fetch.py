"""Fetching: limits, redirects, content types and the SSRF guard.

Mocked with httpx.MockTransport, plus a real loopback server (127.0.0.1 only) for timeouts,
size limits and refused connections. No test reaches the network.
"""

from __future__ import annotations

import http.server
import socket
import threading
import time
import zlib
from collections.abc import Iterator

import httpx
import pytest

from newsbrief.errors import (
    BlockedAddress,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InputError,
    InputTooLarge,
    InvalidOptions,
    TooManyFetches,
    Unreachable,
    UnsupportedContentType,
)
from newsbrief.fetch import USER_AGENT, FetchSlots, blocked_reason, fetch, parse_url
from url_cases import MALFORMED_URLS

HTML = b"<html><body><p>Hello</p></body></html>"
PUBLIC = "93.184.216.34"
HOSTS = {
    "news.example": [PUBLIC],
    "intranet.example": ["10.1.2.3"],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": [PUBLIC, "127.0.0.1"],
}


def resolver(host: str, port: int) -> list[str]:
    if host in HOSTS:
        return HOSTS[host]
    if host.replace(".", "").isdigit() or ":" in host:
        return [host]
    raise socket.gaierror(-2, "Name or service not known")


def mock(handler: object) -> httpx.MockTransport:
    return httpx.MockTransport(handler)  # type: ignore[arg-type]


def page(request: httpx.Request) -> httpx.Response:
    routes = {
        "/": httpx.Response(200, headers={"content-type": "text/html"}, content=HTML),
        "/latin": httpx.Response(
            200,
            headers={"content-type": "text/html; charset=iso-8859-1"},
            content="<p>café</p>".encode("latin-1"),
        ),
        "/meta": httpx.Response(
            200,
            headers={"content-type": "text/html"},
            content='<meta charset="windows-1251"><p>Привет</p>'.encode("cp1251"),
        ),
        "/pdf": httpx.Response(200, headers={"content-type": "application/pdf"}, content=b"%PDF"),
        "/missing": httpx.Response(404),
        "/broken": httpx.Response(503),
        "/hop": httpx.Response(302, headers={"location": "/"}),
        "/loop": httpx.Response(301, headers={"location": "/loop"}),
        "/to-intranet": httpx.Response(302, headers={"location": "http://intranet.example/"}),
        "/to-broken": httpx.Response(302, headers={"location": "http://news..example/"}),
        "/to-bad-port": httpx.Response(302, headers={"location": "http://news.example:99999/"}),
        "/big": httpx.Response(200, headers={"content-type": "text/html"}, content=b"x" * 5000),
        "/to-mailto": httpx.Response(302, headers={"location": "mailto:desk@news.example"}),
        "/to-bad-ipv4": httpx.Response(302, headers={"location": "http://256.1.1.1/"}),
        "/to-unclosed": httpx.Response(302, headers={"location": "http://[::1/"}),
        "/to-bad-idna": httpx.Response(302, headers={"location": "http://xn--a/"}),
        "/nowhere": httpx.Response(302),
    }
    return routes[request.url.path]


def get(url: str, **kwargs: object) -> object:
    return fetch(url, transport=mock(page), resolver=resolver, **kwargs)  # type: ignore[arg-type]


def test_fetches_a_page_with_our_user_agent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return page(request)

    result = fetch("http://news.example/", transport=mock(handler), resolver=resolver)
    assert result.body == HTML
    assert result.status == 200
    assert result.encoding == "utf-8"
    assert seen[0].headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("newsbrief/")
    # The guard connects to the address it checked, and keeps the name in the Host header.
    assert seen[0].url.host == PUBLIC
    assert seen[0].headers["host"] == "news.example"


@pytest.mark.parametrize(
    ("path", "encoding", "text"),
    [("/latin", "iso8859-1", "café"), ("/meta", "cp1251", "Привет")],
    ids=["header-charset", "meta-charset"],
)
def test_charset(path: str, encoding: str, text: str) -> None:
    result = get(f"http://news.example{path}")
    assert result.encoding == encoding  # type: ignore[attr-defined]
    assert text in result.text  # type: ignore[attr-defined]


def test_follows_redirects_and_reports_final_url() -> None:
    result = get("http://news.example/hop")
    assert result.url == "http://news.example/hop"  # type: ignore[attr-defined]
    assert result.final_url == "http://news.example/"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("url", "kwargs", "error", "message"),
    [
        pytest.param(
            "http://news.example/pdf",
            {},
            UnsupportedContentType,
            "http://news.example/pdf: the content type is application/pdf, "
            "not an HTML page or text",
            id="pdf",
        ),
        pytest.param(
            "http://news.example/missing",
            {},
            HTTPStatusError,
            "http://news.example/missing: the server answered 404 Not Found",
            id="404",
        ),
        pytest.param(
            "http://news.example/broken",
            {},
            HTTPStatusError,
            "http://news.example/broken: the server answered 503 Service Unavailable",
            id="503",
        ),
        pytest.param(
            "http://news.example/loop",
            {"max_redirects": 3},
            FetchError,
            "http://news.example/loop: more than 3 redirects; giving up at http://news.example/loop",
            id="redirect-loop",
        ),
        pytest.param(
            "http://news.example/big",
            {"max_bytes": 1000},
            InputTooLarge,
            "http://news.example/big: the page is 5,000 bytes, over the limit of 1,000 bytes; "
            "raise it with --max-bytes (max_bytes= in Python)",
            id="too-large",
        ),
        pytest.param(
            "ftp://news.example/",
            {},
            InputError,
            "ftp://news.example/: only http:// and https:// URLs can be fetched",
            id="ftp",
        ),
        pytest.param(
            "http://nowhere.example/",
            {},
            Unreachable,
            "http://nowhere.example/: cannot resolve host 'nowhere.example'",
            id="unresolvable",
        ),
    ],
)
def test_fetch_errors(
    url: str, kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        get(url, **kwargs)
    assert str(info.value) == message


def never(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no request expected, got {request.url}")


def no_lookup(host: str, port: int) -> list[str]:
    raise AssertionError(f"no lookup expected, got {host}")


@pytest.mark.parametrize(("url", "message"), MALFORMED_URLS)
@pytest.mark.parametrize("allow_private_networks", [False, True], ids=["guard", "no-guard"])
def test_malformed_url_is_input_error(url: str, message: str, allow_private_networks: bool) -> None:
    """Refused up front, guard or not: no parser traceback, no misleading network error."""
    with pytest.raises(InputError) as info:
        fetch(
            url,
            transport=mock(never),
            resolver=no_lookup,
            allow_private_networks=allow_private_networks,
        )
    assert type(info.value) is InputError
    assert str(info.value) == message


@pytest.mark.parametrize(("url", "message"), MALFORMED_URLS)
def test_parse_url_refuses(url: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_url(url)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("url", "host", "port"),
    [
        ("http://news.example/", "news.example", None),
        ("HTTPS://News.Example:8443/a?b=c", "news.example", 8443),
        ("http://news.example./", "news.example.", None),  # fully qualified
        ("http://bücher.example/", "bücher.example", None),
        ("http://xn--bcher-kva.example/", "xn--bcher-kva.example", None),
        ("http://xn--fa-hia.de/", "xn--fa-hia.de", None),  # faß.de: IDNA 2008 only
        ("http://my_host.example/", "my_host.example", None),
        ("http://[::1]:65535/", "::1", 65535),
        ("http://user:secret@127.0.0.1:1/", "127.0.0.1", 1),
        (f"http://{'c' * 63}.example/", f"{'c' * 63}.example", None),
    ],
    ids=[
        "plain",
        "case-and-port",
        "trailing-dot",
        "unicode-host",
        "a-label",
        "idna2008-a-label",
        "underscore",
        "ipv6-highest-port",
        "userinfo-lowest-port",
        "label-of-63",
    ],
)
def test_parse_url_accepts(url: str, host: str, port: int | None) -> None:
    parts = parse_url(url)
    assert (parts.hostname, parts.port) == (host, port)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "/to-broken",
            "http://news.example/to-broken: the server redirected to http://news..example/: "
            "not a valid URL (the host name 'news..example' has two dots in a row)",
        ),
        (
            "/to-bad-port",
            "http://news.example/to-bad-port: the server redirected to "
            "http://news.example:99999/: not a valid URL (the port must be a number from 1 to "
            "65535, got '99999')",
        ),
        (
            "/to-mailto",
            "http://news.example/to-mailto: the server redirected to mailto:desk@news.example: "
            "only http:// and https:// URLs can be fetched",
        ),
        (
            "/to-bad-ipv4",
            "http://news.example/to-bad-ipv4: the server redirected to http://256.1.1.1/: "
            "not a valid URL (Invalid IPv4 address: '256.1.1.1')",
        ),
        (
            "/to-unclosed",
            "http://news.example/to-unclosed: the server redirected to http://[::1/: "
            "not a valid URL (unmatched '[' or ']' in the host)",
        ),
        (
            "/to-bad-idna",
            "http://news.example/to-bad-idna: the server redirected to http://xn--a/: "
            "not a valid URL (the host name 'xn--a' is not a valid IDNA name: Codepoint U+0080 "
            "at position 1 of '\\x80' not allowed)",
        ),
        (
            "/nowhere",
            "http://news.example/nowhere: the server answered 302 (a redirect) without saying "
            "where to (no Location header)",
        ),
    ],
    ids=["two-dots", "bad-port", "mailto", "bad-ipv4", "unclosed-bracket", "bad-idna", "none"],
)
def test_redirect_to_malformed_url_is_the_servers_fault(path: str, message: str) -> None:
    with pytest.raises(FetchError) as info:
        get(f"http://news.example{path}")
    assert type(info.value) is FetchError
    assert str(info.value) == message


GUARD = "fetching it is refused (a server allows it with --allow-private-networks)"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1/", f"http://127.0.0.1/: 127.0.0.1 is a loopback address; {GUARD}"),
        ("http://[::1]:8080/", f"http://[::1]:8080/: ::1 is a loopback address; {GUARD}"),
        (
            "http://intranet.example/",
            f"http://intranet.example/: intranet.example resolves to 10.1.2.3, which is a "
            f"private address; {GUARD}",
        ),
        (
            "http://metadata.example/latest/meta-data/",
            "http://metadata.example/latest/meta-data/: metadata.example resolves to "
            f"169.254.169.254, which is a cloud metadata address; {GUARD}",
        ),
        (
            "http://mixed.example/",
            f"http://mixed.example/: mixed.example resolves to 127.0.0.1, which is a loopback "
            f"address; {GUARD}",
        ),
        (
            "http://news.example/to-intranet",
            f"http://intranet.example/: intranet.example resolves to 10.1.2.3, which is a "
            f"private address; {GUARD}",
        ),
    ],
    ids=["loopback", "loopback-v6", "private", "metadata", "any-address", "redirect-hop"],
)
def test_ssrf_guard(url: str, message: str) -> None:
    with pytest.raises(BlockedAddress) as info:
        get(url)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.1.1", "link-local"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),
        ("100.64.0.1", "non-public"),
        ("240.0.0.1", "private"),
        ("93.184.216.34", None),
        ("2606:2800:220:1:248:1893:25c8:1946", None),
        # IPv6 forms that carry an IPv4 address are checked as that address.
        ("2002:7f00:1::", "loopback"),  # 6to4
        ("2002:a9fe:a9fe::", "cloud metadata"),
        ("2002:a00:1::", "private"),
        ("2002:6440:1::", "non-public"),
        ("2002:808:808::", None),
        ("64:ff9b::7f00:1", "loopback"),  # NAT64
        ("64:ff9b::a9fe:a9fe", "cloud metadata"),
        ("64:ff9b::c0a8:101", "private"),
        ("64:ff9b::808:808", None),
        ("64:ff9b:1::7f00:1", "reserved"),  # local-use NAT64: never public
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"),  # Teredo, client obfuscated
        ("2001:0:a9fe:a9fe:8000:63bf:f7f7:f7f7", "cloud metadata"),  # Teredo server
        ("2001:0:4136:e378:8000:63bf:f7f7:f7f7", "private"),  # public IPv4s: Teredo itself
        ("::7f00:1", "loopback"),  # IPv4-compatible
        ("::a9fe:a9fe", "cloud metadata"),
        ("::808:808", "reserved"),
        ("::ffff:a9fe:a9fe", "cloud metadata"),  # IPv4-mapped
        ("::ffff:8.8.8.8", None),
        ("::1", "loopback"),
    ],
)
def test_blocked_reason(address: str, reason: str | None) -> None:
    assert blocked_reason(address) == reason


@pytest.mark.parametrize(
    ("address", "carried"),
    [
        ("2002:7f00:1::", "6to4 for 127.0.0.1"),
        ("64:ff9b::a9fe:a9fe", "NAT64 for 169.254.169.254"),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo client for 127.0.0.1"),
        ("::7f00:1", "IPv4-compatible for 127.0.0.1"),
        ("::ffff:10.0.0.1", "IPv4-mapped for 10.0.0.1"),
    ],
)
def test_ssrf_guard_names_the_embedded_ipv4(address: str, carried: str) -> None:
    HOSTS["embedded.example"] = [address]
    try:
        with pytest.raises(BlockedAddress) as info:
            get("http://embedded.example/")
    finally:
        del HOSTS["embedded.example"]
    reason = blocked_reason(address)
    assert reason is not None
    article = "an" if reason[0] in "aeiou" else "a"
    assert str(info.value) == (
        f"http://embedded.example/: embedded.example resolves to {address}, which is "
        f"{article} {reason} address ({carried}); {GUARD}"
    )


def test_private_networks_allowed_when_asked() -> None:
    result = fetch(
        "http://intranet.example/",
        transport=mock(page),
        resolver=resolver,
        allow_private_networks=True,
    )
    assert result.body == HTML


# --- a real server on 127.0.0.1 ------------------------------------------------------------


class Handler(http.server.BaseHTTPRequestHandler):
    #: How many requests for /slow have arrived, and a condition notified at each.
    slow_arrivals = 0
    arrived = threading.Condition()

    def do_GET(self) -> None:
        if self.path == "/slow":
            with Handler.arrived:
                Handler.slow_arrivals += 1
                Handler.arrived.notify_all()
            time.sleep(2)
        if self.path == "/endless":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(10_000):
                    self.wfile.write(b"<p>" + b"x" * 1021)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(HTML)))
            self.end_headers()
            self.wfile.write(HTML)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (the timeout test)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_loopback_page(server: str) -> None:
    assert fetch(f"{server}/", allow_private_networks=True).body == HTML


def test_loopback_refused_by_default(server: str) -> None:
    with pytest.raises(BlockedAddress):
        fetch(f"{server}/")


def test_loopback_timeout(server: str) -> None:
    with pytest.raises(FetchTimeout) as info:
        fetch(f"{server}/slow", timeout=0.3, allow_private_networks=True)
    assert str(info.value) == (
        f"{server}/slow: no answer within 0.3 seconds; raise the limit with --timeout"
    )


def test_loopback_size_limit_while_streaming(server: str) -> None:
    with pytest.raises(InputTooLarge) as info:
        fetch(f"{server}/endless", max_bytes=100_000, allow_private_networks=True)
    assert str(info.value) == (
        f"{server}/endless: the page is over the limit of 100,000 bytes; "
        "raise it with --max-bytes (max_bytes= in Python)"
    )


def test_fetch_slots(server: str) -> None:
    slots = FetchSlots(2)
    slow: list[object] = []

    def hold_one() -> None:
        slow.append(fetch(f"{server}/slow", slots=slots, allow_private_networks=True).body)

    threads = [threading.Thread(target=hold_one) for _ in range(2)]
    before = Handler.slow_arrivals
    for thread in threads:
        thread.start()
    # Both are now waiting for /slow (2 s), each holding a slot (taken before the request).
    with Handler.arrived:
        assert Handler.arrived.wait_for(lambda: Handler.slow_arrivals == before + 2, timeout=30)
    start = time.monotonic()
    with pytest.raises(TooManyFetches) as info:
        fetch(f"{server}/", slots=slots, allow_private_networks=True)
    assert time.monotonic() - start < 0.5  # refused at once, not queued
    assert str(info.value) == (
        f"{server}/: not fetched: 2 fetches are already running, the limit (the server's "
        "--max-fetches); try again in a moment"
    )
    # One that may wait gets the first slot set free.
    assert fetch(f"{server}/", slots=slots, slot_wait=10, allow_private_networks=True).body == HTML
    for thread in threads:
        thread.join()
    assert slow == [HTML, HTML]
    # Every slot was given back, failures included.
    with pytest.raises(BlockedAddress):
        fetch(f"{server}/", slots=slots)
    for _ in range(3):
        assert fetch(f"{server}/", slots=slots, allow_private_networks=True).body == HTML


@pytest.mark.parametrize("limit", [0, -1, 1.5, True])
def test_fetch_slots_limit_checked(limit: object) -> None:
    with pytest.raises(InvalidOptions, match="the fetch slot limit must be a whole number >= 1"):
        FetchSlots(limit)  # type: ignore[arg-type]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable() -> None:
    port = closed_port()
    with pytest.raises(Unreachable) as info:
        fetch(f"http://127.0.0.1:{port}/", allow_private_networks=True)
    assert str(info.value) == (
        f"http://127.0.0.1:{port}/: cannot connect to 127.0.0.1:{port} (connection refused)"
    )


# --- hostile servers on 127.0.0.1: one deadline, one byte budget -----------------------------

#: 200 MB of zeros gzipped: ~200 KB on the wire. Built once per module.
BOMB_SIZE = 200_000_000


def _gzip(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data, compresslevel=9)


class Hostile(http.server.BaseHTTPRequestHandler):
    """Answers that break a limit; each path is one attack."""

    bomb = b""
    protocol_version = "HTTP/1.0"

    def _send(self, raw: bytes) -> None:
        try:
            self.wfile.write(raw)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
        if self.path == "/trickle-headers":
            # One header line every 0.2 s: each read is quick, the whole never ends.
            self._send(head)
            for i in range(100):
                time.sleep(0.2)
                self._send(f"X-Drip-{i}: x\r\n".encode())
        elif self.path == "/trickle-body":
            self._send(head + b"\r\n")
            for _ in range(100):
                time.sleep(0.2)
                self._send(b"<p>x</p>")
        elif self.path == "/many-headers":
            lines = b"".join(b"X-H-%d: v\r\n" % i for i in range(150))
            self._send(head + lines + b"\r\n" + HTML)
        elif self.path == "/big-headers":
            lines = b"".join(b"X-H-%d: %s\r\n" % (i, b"v" * 1000) for i in range(70))
            self._send(head + lines + b"\r\n" + HTML)
        elif self.path == "/huge-headers":
            lines = b"".join(b"X-H-%d: %s\r\n" % (i, b"v" * 4000) for i in range(40))
            self._send(head + lines + b"\r\n" + HTML)
        elif self.path in ("/gzip-bomb", "/stacked-gzip", "/br", "/corrupt-gzip", "/gzip"):
            codings = {
                "/gzip-bomb": (b"gzip", self.bomb),
                "/stacked-gzip": (b"gzip, gzip", _gzip(self.bomb)),
                "/br": (b"br", b"\x1b\x03"),
                # After the 10-byte gzip header, 0xff starts a deflate block of type 3: invalid.
                "/corrupt-gzip": (b"gzip", _gzip(HTML)[:10] + b"\xff" * 50),
                "/gzip": (b"gzip", _gzip(HTML)),
            }
            coding, body = codings[self.path]
            self._send(
                head
                + b"Content-Encoding: " + coding + b"\r\n"
                + b"Content-Length: %d\r\n\r\n" % len(body)
                + body
            )  # fmt: skip
        elif self.path.startswith("/redirect-"):
            targets = {
                "/redirect-mailto": b"Location: mailto:desk@news.example\r\n",
                "/redirect-bad-ipv4": b"Location: http://256.1.1.1/\r\n",
                "/redirect-none": b"",
                "/redirect-ok": b"Location: /gzip\r\n",
            }
            self._send(
                b"HTTP/1.1 302 Found\r\nConnection: close\r\n" + targets[self.path] + b"\r\n"
            )
        elif self.path == "/deflate-raw":
            raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
            body = raw.compress(HTML) + raw.flush()
            self._send(head + b"Content-Encoding: deflate\r\n\r\n" + body)
        else:
            self.send_error(404)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def hostile() -> Iterator[str]:
    Hostile.bomb = _gzip(b"\0" * BOMB_SIZE)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("path", ["/trickle-headers", "/trickle-body"])
def test_one_deadline_for_the_whole_fetch(hostile: str, path: str) -> None:
    start = time.monotonic()
    with pytest.raises(FetchTimeout) as info:
        fetch(f"{hostile}{path}", timeout=1.0, total_timeout=1.5, allow_private_networks=True)
    elapsed = time.monotonic() - start
    # Each line comes within the 1 s step timeout; 100 of them would take 20 s.
    assert elapsed < 6, elapsed
    assert str(info.value) == (
        f"{hostile}{path}: the fetch took over 1.5 seconds in all, the limit; raise it with "
        "--timeout (the whole fetch may take 4x that; total_timeout= in Python)"
    )
    assert info.value.without_hint == (  # what a server shows
        f"{hostile}{path}: the fetch took over 1.5 seconds in all, the limit"
    )


def test_total_deadline_defaults_to_four_steps(hostile: str) -> None:
    start = time.monotonic()
    with pytest.raises(FetchTimeout, match="took over 2 seconds in all"):
        fetch(f"{hostile}/trickle-headers", timeout=0.5, allow_private_networks=True)
    assert time.monotonic() - start < 6


@pytest.mark.parametrize(
    ("path", "kwargs", "message"),
    [
        (
            "/many-headers",
            {},
            "the server sent 152 header lines, over the limit of 100 (max_headers= in Python)",
        ),
        (
            "/big-headers",
            {},
            "the server sent 70,734 bytes of headers, over the limit of 65,536 bytes "
            "(max_header_bytes= in Python)",
        ),
        (
            "/huge-headers",  # past h11's own cap (100 KiB): refused while reading them
            {},
            "the server sent over 65,536 bytes of headers, the limit (max_header_bytes= in Python)",
        ),
        (
            "/many-headers",
            {"max_headers": 10},
            "the server sent 152 header lines, over the limit of 10 (max_headers= in Python)",
        ),
    ],
    ids=["count", "size", "over-h11-cap", "count-option"],
)
def test_header_limits(hostile: str, path: str, kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(FetchError) as info:
        fetch(f"{hostile}{path}", allow_private_networks=True, **kwargs)  # type: ignore[arg-type]
    assert type(info.value) is FetchError
    assert str(info.value) == f"{hostile}{path}: {message}"


def test_header_limits_let_a_page_through(hostile: str) -> None:
    page = fetch(f"{hostile}/many-headers", max_headers=200, allow_private_networks=True)
    assert page.body == HTML


@pytest.mark.parametrize(
    ("path", "error", "message"),
    [
        (
            "/gzip-bomb",
            InputTooLarge,
            "the page (decoded from gzip) is over the limit of 1,000,000 bytes; "
            "raise it with --max-bytes (max_bytes= in Python)",
        ),
        (
            "/stacked-gzip",
            FetchError,
            "the server sent the page in stacked content codings (gzip, gzip); "
            "newsbrief decodes one at most",
        ),
        (
            "/br",
            FetchError,
            "the server sent the page in content coding 'br', which was not asked for "
            "(Accept-Encoding: gzip, deflate)",
        ),
        (
            "/corrupt-gzip",
            FetchError,
            "the gzip body is corrupt (Error -3 while decompressing data: invalid block type)",
        ),
    ],
    ids=["bomb", "stacked", "unrequested", "corrupt"],
)
def test_content_codings(hostile: str, path: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        fetch(f"{hostile}{path}", max_bytes=1_000_000, allow_private_networks=True)
    assert type(info.value) is error
    assert str(info.value) == f"{hostile}{path}: {message}"


@pytest.mark.parametrize("path", ["/gzip", "/deflate-raw"])
def test_content_codings_decoded(hostile: str, path: str) -> None:
    assert fetch(f"{hostile}{path}", allow_private_networks=True).body == HTML


#: Fetches the bomb in a fresh interpreter and prints how much its peak memory grew (KiB).
_MEASURE = """
import resource, sys
from newsbrief.errors import FetchError, InputTooLarge
from newsbrief.fetch import fetch
fetch(sys.argv[1] + "/gzip", allow_private_networks=True)  # warm: imports, first connection
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    fetch(sys.argv[1] + sys.argv[2], max_bytes=1_000_000, allow_private_networks=True)
except (InputTooLarge, FetchError) as exc:
    print(type(exc).__name__, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


@pytest.mark.parametrize("path", ["/gzip-bomb", "/stacked-gzip"])
def test_compression_bomb_memory(hostile: str, path: str) -> None:
    """Peak memory stays near the byte budget.

    Before the fix the stacked body (~500 bytes) grew the fetching process by ~160 MB. The
    single layer's growth depended on how much of the body one network read held (httpx
    inflated each read whole), from nothing to ~130 MB.
    """
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, hostile, path],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    assert out[0] in ("InputTooLarge", "FetchError"), out
    # 1 MB allowed; httpx alone inflated a whole 64 KB network chunk at once (~64 MB here).
    assert int(out[1]) < 16_000, f"peak memory grew {int(out[1]):,} KiB"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "/redirect-mailto",
            "the server redirected to mailto:desk@news.example: only http:// and https:// URLs "
            "can be fetched",
        ),
        (
            "/redirect-bad-ipv4",
            "the server redirected to http://256.1.1.1/: not a valid URL (Invalid IPv4 "
            "address: '256.1.1.1')",
        ),
        ("/redirect-none", "the server answered 302 (a redirect) without saying where to (no "
         "Location header)"),
    ],
)  # fmt: skip
def test_loopback_redirect_to_malformed_location(hostile: str, path: str, message: str) -> None:
    with pytest.raises(FetchError) as info:
        fetch(f"{hostile}{path}", allow_private_networks=True)
    assert type(info.value) is FetchError  # not Unreachable, not InputError (the user's URL)
    assert str(info.value) == f"{hostile}{path}: {message}"


def test_loopback_redirect_followed(hostile: str) -> None:
    page = fetch(f"{hostile}/redirect-ok", allow_private_networks=True)
    assert (page.body, page.final_url) == (HTML, f"{hostile}/gzip")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timeout": float("nan")}, "fetch: timeout must be a finite number above 0 (got nan)"),
        ({"timeout": 0}, "fetch: timeout must be a finite number above 0 (got 0)"),
        ({"timeout": -1.0}, "fetch: timeout must be a finite number above 0 (got -1.0)"),
        (
            {"total_timeout": float("inf")},
            "fetch: total_timeout must be a finite number above 0 (got inf)",
        ),
        ({"timeout": "5"}, "fetch: timeout must be a finite number above 0 (got '5')"),
        ({"slot_wait": -1}, "fetch: slot_wait must be a finite number 0 or more (got -1)"),
        ({"max_bytes": 0}, "fetch: max_bytes must be a whole number >= 1 (got 0)"),
        ({"max_redirects": -1}, "fetch: max_redirects must be a whole number >= 0 (got -1)"),
        ({"max_headers": 1.5}, "fetch: max_headers must be a whole number >= 1 (got 1.5)"),
        (
            {"max_header_bytes": True},
            "fetch: max_header_bytes must be a whole number >= 1 (got True)",
        ),
    ],
)
def test_fetch_limits_checked(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidOptions) as info:
        fetch("http://news.example/", transport=mock(never), **kwargs)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_slow_dns_answer_is_held_to_the_deadline() -> None:
    """The guard's lookup counts against the deadline (a hostile domain's slow name server)."""
    release = threading.Event()

    def slow_resolver(host: str, port: int) -> list[str]:
        release.wait(10)
        return [PUBLIC]

    start = time.monotonic()
    try:
        with pytest.raises(FetchTimeout) as info:
            fetch(
                "http://slow-dns.example/",
                transport=mock(never),
                resolver=slow_resolver,
                total_timeout=0.5,
            )
    finally:
        release.set()
    assert time.monotonic() - start < 3
    assert str(info.value) == (
        "http://slow-dns.example/: looking up 'slow-dns.example' took over the fetch's 0.5 "
        "seconds; raise the limit with --timeout (the whole fetch may take 4x that)"
    )
