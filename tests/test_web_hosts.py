"""Trusted host names: a request naming any other host is refused on every route (DNS rebinding)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newsbrief.cli import cli
from newsbrief.errors import InvalidOptions
from newsbrief.settings import DEFAULT_ALLOWED_HOSTS, Settings
from newsbrief.storage import Store
from newsbrief.web.middleware import host_allowed, request_host
from web_support import Client, every_route, make_app


@pytest.fixture
def app_store(tmp_path: Path) -> Iterator[tuple[Any, Store, Client]]:
    app, store, client = make_app(tmp_path, demo=True)
    yield app, store, client
    store.close()


def test_every_route_is_listed(app_store: tuple[Any, Store, Client]) -> None:
    routes = every_route(app_store[0])
    # The walk reaches the API, the pages, the docs and the static files, writes included.
    for expected in [
        ("POST", "/api/articles"),
        ("DELETE", "/api/feeds/1"),
        ("POST", "/add"),
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
        ("GET", "/static/style.css"),
        ("GET", "/docs-static/style.css"),
    ]:
        assert expected in routes


def test_a_foreign_host_is_refused_on_every_route(app_store: tuple[Any, Store, Client]) -> None:
    app, store, client = app_store
    before = store.list_articles(limit=1).total
    routes = every_route(app)
    for method, path in routes:
        r = client.request(
            method,
            path,
            headers={"host": "rebind.evil.example:8000"},
            json={"text": "A story that must not be stored. " * 20},
        )
        assert r.status_code == 421, (method, path, r.status_code)
        message = (
            "this server does not answer for the host name 'rebind.evil.example'; if it "
            "should, start it with: newsbrief serve --allowed-host rebind.evil.example"
        )
        if method == "HEAD":
            assert r.content == b""
        elif path.startswith("/api/"):
            assert r.json() == {"error": {"code": "unknown_host", "message": message}}
        else:
            assert r.headers["content-type"].startswith("text/html")
            assert message.replace("'", "&#39;") in r.text
        assert r.headers["x-frame-options"] == "DENY"  # the security headers still apply
    assert store.list_articles(limit=1).total == before  # no write got through
    assert store.list_feeds() == []


def test_the_fast_path_is_behind_the_host_check(app_store: tuple[Any, Store, Client]) -> None:
    _, _, client = app_store
    assert client.get("/api/articles/1/summary").status_code == 200  # now in memory
    r = client.get("/api/articles/1/summary", headers={"host": "evil.example"})
    assert r.status_code == 421


@pytest.mark.parametrize(
    "host",
    ["localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST.", "localhost:"],
)
def test_loopback_names_are_served_by_default(
    app_store: tuple[Any, Store, Client], host: str
) -> None:
    r = app_store[2].get("/api/articles", headers={"host": host})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ([], "the request has no Host header; send this server's name, e.g. Host: localhost"),
        (
            [("host", "localhost"), ("host", "evil.example")],
            "the request has more than one Host header; send this server's name, "
            "e.g. Host: localhost",
        ),
        ([("host", "::1")], "the request's Host header '::1' is not a host name or an address"),
        (
            [("host", "localhost:80x")],
            "the request's Host header 'localhost:80x' is not a host name or an address",
        ),
        ([("host", "a b")], "the request's Host header 'a b' is not a host name or an address"),
    ],
    ids=["none", "two", "bare-ipv6", "bad-port", "space"],
)
def test_a_missing_or_malformed_host_is_400(
    app_store: tuple[Any, Store, Client], headers: list[tuple[str, str]], message: str
) -> None:
    """Sent as raw ASGI: httpx always adds one Host header of its own."""
    import asyncio

    app = app_store[0]
    answer: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        else:
            answer["body"] = answer.get("body", b"") + message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.0",
        "method": "GET",
        "scheme": "http",
        "path": "/api/articles",
        "raw_path": b"/api/articles",
        "query_string": b"",
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in headers],
        "client": ("127.0.0.1", 1234),
        "server": ("127.0.0.1", 8000),
    }
    asyncio.run(app(scope, receive, send))
    import json

    assert answer["status"] == 400
    assert json.loads(answer["body"]) == {"error": {"code": "bad_request", "message": message}}


def test_allowed_hosts_and_a_specific_listen_address(tmp_path: Path) -> None:
    _, store, client = make_app(
        tmp_path,
        host="192.0.2.7",
        allowed_hosts=(*DEFAULT_ALLOWED_HOSTS, "News.Example.org.", "*.cdn.example"),
    )
    try:
        for host in ["news.example.org", "192.0.2.7:8000", "a.cdn.example", "b.a.cdn.example"]:
            assert client.get("/api/articles", headers={"host": host}).status_code == 200, host
        # A pattern names subdomains only; a name is not its subdomains; 0.0.0.0 is no name.
        for host in ["cdn.example", "x.news.example.org", "evilcdn.example", "0.0.0.0"]:
            assert client.get("/api/articles", headers={"host": host}).status_code == 421, host
    finally:
        store.close()


def test_a_wildcard_listen_address_is_not_a_trusted_name() -> None:
    assert Settings(host="0.0.0.0").trusted_hosts == {"localhost", "127.0.0.1", "::1"}
    assert Settings(host="::", allowed_hosts=("*",)).trusted_hosts == {"*"}


@pytest.mark.parametrize(
    "name", ["", "exa mple.org", "*x.org", "a..b", "-x.org", "x" * 64 + ".org"]
)
def test_a_malformed_allowed_host_is_refused(name: str) -> None:
    with pytest.raises(InvalidOptions, match="is not a host name or an IP address"):
        Settings(allowed_hosts=(name,))


def test_request_host_and_patterns() -> None:
    assert request_host("[::1]:8000") == "::1"
    assert request_host("[0:0::1]") == "::1"
    assert request_host("Example.ORG:443") == "example.org"
    assert request_host("[::1") is None
    assert request_host("localhost:８０") is None  # non-ASCII digits are no port
    assert host_allowed("a.example.org", {"*.example.org"})
    assert not host_allowed("example.org", {"*.example.org"})
    assert host_allowed("anything", {"*"})


def test_serve_allowed_host_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    apps: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: apps.append(app))
    database = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    args = ["serve", "--port", "0", "--database", database]
    result = CliRunner().invoke(
        cli, [*args, "--allowed-host", "news.example.org", "--allowed-host", "*.example.net"]
    )
    assert result.exit_code == 0, result.stderr
    app = apps.pop()
    try:
        assert app.state.newsbrief.settings.trusted_hosts == {
            "localhost", "127.0.0.1", "::1", "news.example.org", "*.example.net",
        }  # fmt: skip
        client = Client(app)
        assert client.get("/api/articles", headers={"host": "news.example.org"}).status_code == 200
        assert client.get("/api/articles", headers={"host": "evil.example"}).status_code == 421
    finally:
        app.state.newsbrief.store.close()
    result = CliRunner().invoke(cli, [*args, "--allowed-host", "bad name"])
    assert result.exit_code == 1
    assert result.stderr == (
        "newsbrief: error: allowed host 'bad name' is not a host name or an IP address (give a "
        "name such as news.example.org, *.example.org for its subdomains, or an address)\n"
    )


def test_a_public_listen_address_notes_the_host_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from newsbrief.cli import serve

    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: app.state.newsbrief.store.close())
    monkeypatch.setattr(serve, "check_listen", lambda host, port: None)
    database = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--database", database])
    assert result.exit_code == 0, result.stderr
    assert (
        "newsbrief: note: only requests that name this machine by a loopback name are "
        "answered; give the name clients use with --allowed-host NAME\n"
    ) in result.stderr
