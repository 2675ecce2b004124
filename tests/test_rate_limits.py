"""Rate limits on requests that cause work; who the client is behind a trusted proxy."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsbrief.errors import InvalidOptions, RateLimited
from newsbrief.storage import Store
from newsbrief.web.limits import RateLimiter, client_address, parse_networks
from web_support import make_app


def get(app: Any, url: str, *, client: str = "203.0.113.5", **kwargs: Any) -> httpx.Response:
    """GET ``url`` from ``app`` in-process, as the TCP peer ``client``."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(client, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            return await c.get(url, **kwargs)

    return asyncio.run(go())


def post(app: Any, url: str, *, client: str = "203.0.113.5", **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(client, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            return await c.post(url, **kwargs)

    return asyncio.run(go())


# --- client_address --------------------------------------------------------------------------

TRUST_LOCAL = parse_networks(["127.0.0.0/8", "::1"])


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        pytest.param("203.0.113.5", [], TRUST_LOCAL, "203.0.113.5", id="direct"),
        pytest.param(
            "203.0.113.5", ["198.51.100.1"], TRUST_LOCAL, "203.0.113.5", id="untrusted-peer-spoof"
        ),
        pytest.param("127.0.0.1", ["198.51.100.1"], (), "127.0.0.1", id="no-trusted-proxies"),
        pytest.param("127.0.0.1", ["198.51.100.1"], TRUST_LOCAL, "198.51.100.1", id="proxied"),
        pytest.param(
            "127.0.0.1",
            ["6.6.6.6, 198.51.100.1"],
            TRUST_LOCAL,
            "198.51.100.1",
            id="client-spoofs-left-hop",
        ),
        pytest.param(
            "127.0.0.1",
            ["198.51.100.1", "127.0.0.2"],
            TRUST_LOCAL,
            "198.51.100.1",
            id="two-proxies-two-headers",
        ),
        pytest.param("127.0.0.1", ["127.0.0.3"], TRUST_LOCAL, "127.0.0.3", id="all-trusted"),
        pytest.param("127.0.0.1", [], TRUST_LOCAL, "127.0.0.1", id="proxy-without-header"),
        pytest.param(
            "127.0.0.1", ["not-an-ip, 127.0.0.9"], TRUST_LOCAL, "127.0.0.9", id="malformed-hop"
        ),
        pytest.param("::1", ["[2001:db8::7]:443"], TRUST_LOCAL, "2001:db8::7", id="ipv6-port"),
        pytest.param(
            "::ffff:127.0.0.1", ["198.51.100.4:81"], TRUST_LOCAL, "198.51.100.4", id="v4-mapped"
        ),
    ],
)
def test_client_address(peer: str, forwarded: list[str], trusted: Any, expected: str) -> None:
    assert client_address(peer, forwarded, trusted) == expected


def test_trusted_proxy_values_are_checked() -> None:
    assert parse_networks(["10.0.0.0/8", "127.0.0.1"]) == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("127.0.0.1/32"),
    )
    with pytest.raises(InvalidOptions, match=r"--trusted-proxy 'nginx' is not an IP address"):
        parse_networks(["nginx"])


# --- the token bucket ------------------------------------------------------------------------


def test_bucket_allows_a_burst_then_refills() -> None:
    now = [1000.0]
    limiter = RateLimiter(per_minute=6, burst=3, clock=lambda: now[0])
    for _ in range(3):
        limiter.check("a")
    with pytest.raises(RateLimited) as refused:
        limiter.check("a")
    assert refused.value.retry_after == 10  # 6 a minute: one token each 10 s
    assert "3 at once, then 6 a minute per client" in str(refused.value)
    limiter.check("b")  # another client has its own bucket
    now[0] += 9.9
    with pytest.raises(RateLimited) as again:
        limiter.check("a")
    assert again.value.retry_after == 1
    now[0] += 0.1
    limiter.check("a")
    now[0] += 3600
    for _ in range(3):  # never more than the burst, however long the pause
        limiter.check("a")
    with pytest.raises(RateLimited):
        limiter.check("a")


def test_limiter_off_and_bounded() -> None:
    off = RateLimiter(per_minute=0, burst=1)
    for _ in range(100):
        off.check("a")
    small = RateLimiter(per_minute=60, burst=1, max_clients=10)
    for n in range(50):
        small.check(f"client-{n}")
    assert len(small) == 10
    with pytest.raises(InvalidOptions, match="burst of at least 1"):
        RateLimiter(per_minute=1, burst=0)


# --- the app ---------------------------------------------------------------------------------


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[tuple[Any, Store]]:
    # --public: anonymous requests are readers (on the open one-person tool everyone edits).
    app, store, _ = make_app(tmp_path, demo=True, public=True, rate_burst=2, rate_per_minute=1)
    yield app, store
    store.close()


def first_article(store: Store) -> int:
    return store.list_articles(limit=1).items[0].id


def test_burst_gets_429_and_other_clients_cached_reads_are_unaffected(
    limited: tuple[Any, Store],
) -> None:
    app, store = limited
    article = first_article(store)
    url = f"/api/articles/{article}/summary"
    abuser, reader = "203.0.113.66", "198.51.100.7"
    assert get(app, f"{url}?sentences=1", client=abuser).status_code == 200
    assert get(app, f"{url}?sentences=2", client=abuser).status_code == 200
    refused = get(app, f"{url}?sentences=3", client=abuser)
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"]["code"] == "rate_limited"
    retry = refused.headers["retry-after"]
    assert 55 <= int(retry) <= 60  # 1 a minute, less the seconds the test took so far
    assert f"retry in {retry} s" in refused.json()["error"]["message"]
    # Nothing was computed for the refused request.
    assert get(app, f"{url}?sentences=3&format=json", client=abuser).status_code == 429
    # Another client: reads of what is computed are never limited (memory and store cache),
    # and its own first computation is its own bucket.
    for _ in range(10):
        assert get(app, f"{url}?sentences=1", client=reader).json()["cached"] is True
        assert get(app, f"{url}?format=json&sentences=2", client=reader).status_code == 200
    assert get(app, f"{url}?sentences=3", client=reader).json()["cached"] is False
    # The abuser's cached reads are not limited either: only work is.
    assert get(app, f"{url}?sentences=3", client=abuser).status_code == 200
    assert get(app, f"/articles/{article}", client=abuser).status_code == 200


def test_summary_page_is_limited_and_editors_never_are(limited: tuple[Any, Store]) -> None:
    from newsbrief import auth

    app, store = limited
    article = first_article(store)
    for length in ("short", "medium"):
        assert get(app, f"/articles/{article}/summary?length={length}").status_code == 200
    page = get(app, f"/articles/{article}/summary?length=long")
    assert page.status_code == 429
    assert 55 <= int(page.headers["retry-after"]) <= 60
    assert "too many requests" in page.text
    assert get(app, f"/articles/{article}/summary?length=long", client="192.0.2.1").is_success
    # An editor (here with an API token) computes as much as it likes, from any address.
    token = auth.create_token(store, "cms")
    editor = {"Authorization": f"Bearer {token}"}
    url = f"/api/articles/{article}/summary"
    for n in range(1, 6):
        answer = get(app, f"{url}?words={10 * n}", headers=editor)
        assert answer.status_code == 200, answer.text
        assert answer.json()["cached"] is False
    # Readers are still limited.
    assert get(app, f"{url}?words=77").status_code == 429


def test_the_one_person_tool_is_not_limited(tmp_path: Path) -> None:
    app, store, _ = make_app(tmp_path, demo=True, rate_burst=1, rate_per_minute=1)
    url = f"/api/articles/{first_article(store)}/summary"
    for n in range(1, 5):  # its one user is the editor
        assert get(app, f"{url}?sentences={n}", client="127.0.0.1").status_code == 200
    store.close()


def test_forwarded_for_names_the_client_only_behind_a_trusted_proxy(tmp_path: Path) -> None:
    settings: dict[str, Any] = {
        "demo": True,
        "public": True,
        "rate_burst": 1,
        "rate_per_minute": 1,
    }
    for trusted, separate in (((), False), (TRUST_LOCAL, True)):
        app, store, _ = make_app(tmp_path / str(separate), trusted_proxies=trusted, **settings)
        url = f"/api/articles/{first_article(store)}/summary"
        first = get(
            app,
            f"{url}?sentences=1",
            client="127.0.0.1",
            headers={"X-Forwarded-For": "198.51.100.1"},
        )
        assert first.status_code == 200
        other = get(
            app,
            f"{url}?sentences=2",
            client="127.0.0.1",
            headers={"X-Forwarded-For": "198.51.100.2"},
        )
        assert other.status_code == (200 if separate else 429)
        store.close()


def test_the_embed_button_is_limited_for_pages_it_has_no_summary_of(tmp_path: Path) -> None:
    from test_embed import HTML, SENTENCES, page
    from web_support import page_server

    pages = {
        f"/news/{n}": (HTML, page([*SENTENCES, f"This is report number {n} on the canal."]))
        for n in range(3)
    }
    with page_server(pages) as origin:
        app, store, _ = make_app(
            tmp_path,
            embed_origins=(origin,),
            allow_private_networks=True,
            public=True,
            rate_burst=4,  # a new page is two pieces of work: its fetch and its summary
            rate_per_minute=1,
        )
        url = "/api/embed/summary?length=short&url="
        assert get(app, f"{url}{origin}/news/0").status_code == 200
        assert get(app, f"{url}{origin}/news/1").status_code == 200
        refused = get(app, f"{url}{origin}/news/2")
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        # A page already summarized is served to anyone, the limited client included.
        assert get(app, f"{url}{origin}/news/0").status_code == 200
        assert get(app, f"{url}{origin}/news/2", client="192.0.2.9").status_code == 200
        store.close()
