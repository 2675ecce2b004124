"""Who may do what: every write route and every site form, enumerated, against every caller.

The routes come from ``app.routes`` and the forms from the pages an editor sees, never from a
hand-kept list: a new write route or form that forgets its guard fails here. ``EXAMPLES``
only supplies a valid request per route for the "an editor succeeds" case, and a route
without one fails too.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from newsbrief import auth
from newsbrief.settings import Settings
from newsbrief.storage import Store, open_store
from newsbrief.web.app import create_app
from storage_support import BACKENDS, backend_url
from web_support import Client

PASSWORD = "correct horse battery staple"
TEXT = (
    "The harbour authority opened a new ferry line between the two towns on Monday.\n"
    "Boats will run every forty minutes from June, and fares stay the same for now."
)
FEED_URL = "http://127.0.0.1:9/feed.xml"
SAFE = {"GET", "HEAD", "OPTIONS"}
#: The one write a reader may send: logging in.
READER_WRITES = {("POST", "/login")}


@dataclass
class Site:
    """An app on a copy of the template store, with the credentials made for it."""

    app: FastAPI
    store: Store
    client: Client
    token: str
    session: str
    revoked: str
    feed_id: int
    #: A real feed on a loopback server (subscribing fetches it).
    feed_url: str = ""

    def request(
        self,
        method: str,
        url: str,
        *,
        as_: str = "reader",
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send a request as a "reader", "token", "revoked" (token) or "session" (login)."""
        sent = dict(headers or {})
        if as_ == "token":
            sent["authorization"] = f"Bearer {self.token}"
        elif as_ == "revoked":
            sent["authorization"] = f"Bearer {self.revoked}"
        elif as_ == "session":
            sent["cookie"] = f"newsbrief_session={self.session}"
        return self.client.request(method, url, headers=sent, **kwargs)

    def csrf(self, as_: str) -> str:
        """Return the CSRF token of the forms this caller is shown."""
        page = "/login" if as_ != "session" else "/add"
        match = re.search(
            r'name="csrf_token" value="([0-9a-f]+)"', self.request("GET", page, as_=as_).text
        )
        assert match is not None
        return match.group(1)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the demo articles, a feed and an editor account (argon2 is slow: once)."""
    folder = tmp_path_factory.mktemp("template")
    store = open_store(f"sqlite:///{folder / 'site.sqlite3'}")
    from newsbrief.demo import load_demo

    load_demo(store)
    store.add_feed(FEED_URL, title="Harbour News")
    auth.add_user(store, "ana", PASSWORD)
    store.close()
    return folder / "site.sqlite3"


def open_site(template: Path, tmp_path: Path, **settings: Any) -> Site:
    path = tmp_path / "site.sqlite3"
    shutil.copy(template, path)
    store = open_store(f"sqlite:///{path}")
    token = auth.create_token(store, "cms")
    revoked = auth.create_token(store, "old")
    auth.revoke_token(store, "old")
    user = auth.check_login(store, "ana", PASSWORD)
    from datetime import timedelta

    session = auth.start_session(store, user, lifetime=timedelta(hours=1))
    app = create_app(Settings(**settings), store=store)
    feed_id = store.list_feeds()[0].id
    return Site(app, store, Client(app), token, session, revoked, feed_id)


@pytest.fixture(scope="module")
def feed_server() -> Iterator[Any]:
    from feed_server import FeedServer

    with FeedServer() as server:
        yield server


@pytest.fixture
def site(template: Path, tmp_path: Path, feed_server: Any) -> Iterator[Site]:
    s = open_site(template, tmp_path, public=True, allow_private_networks=True)
    s.feed_url = feed_server.url("rss.xml")
    yield s
    s.store.close()


# --- enumeration -----------------------------------------------------------------------------


def routes_of(app: FastAPI) -> list[Any]:
    """Return every route of ``app``, those of included routers too."""
    try:  # FastAPI >= 0.16x keeps included routers as branches of the tree
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older: include_router copies the routes into app.routes
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def write_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Return (method, path) of every route that may change something (not GET/HEAD)."""
    found = set()
    for route in routes_of(app):
        methods = getattr(route, "methods", None) or set()
        for method in set(methods) - SAFE:
            found.add((method, route.path))
    return sorted(found)


def _app_for_collection() -> FastAPI:
    import tempfile

    folder = tempfile.mkdtemp(prefix="newsbrief-routes-")
    store = open_store(f"sqlite:///{folder}/routes.sqlite3")
    app = create_app(Settings(), store=store)
    store.close()
    shutil.rmtree(folder, ignore_errors=True)
    return app


WRITE_ROUTES = write_routes(_app_for_collection())

#: A request an editor may send to each write route, by (method, path): body and success code.
EXAMPLES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/summarize"): {"json": {"text": TEXT}},
    ("POST", "/api/articles"): {"json": {"text": TEXT, "title": "Ferry"}},
    ("PATCH", "/api/articles/{article_id}"): {"json": {"title": "Edited"}},
    ("DELETE", "/api/articles/{article_id}"): {},
    ("POST", "/api/feeds"): {"json": {"url": "{feed}"}},
    ("DELETE", "/api/feeds/{feed_id}"): {},
    ("POST", "/api/feeds/{feed_id}/refresh"): {},
    ("POST", "/add"): {"data": {"text": TEXT, "title": "Ferry"}},
    ("POST", "/feeds"): {"data": {"url": "{feed}"}},
    ("POST", "/feeds/{feed_id}/refresh"): {"data": {}},
    ("POST", "/feeds/{feed_id}/remove"): {"data": {}},
    ("POST", "/articles/{article_id}/edit"): {"data": {"title": "Edited", "text": TEXT}},
    ("POST", "/articles/{article_id}/delete"): {"data": {}},
    ("POST", "/logout"): {"data": {}},
    ("POST", "/login"): {"data": {"name": "ana", "password": PASSWORD}},
}


def concrete(site: Site, path: str) -> str:
    return path.replace("{article_id}", "1").replace("{feed_id}", str(site.feed_id))


def is_api(path: str) -> bool:
    return path.startswith("/api/")


#: The writes a reader must be refused (logging in is the one write a reader makes).
GUARDED_WRITES = [w for w in WRITE_ROUTES if w not in READER_WRITES]
#: The writes of the JSON API (a site form is not an API call).
API_WRITES = [w for w in WRITE_ROUTES if is_api(w[1])]


def send(site: Site, method: str, path: str, as_: str, **extra: Any) -> httpx.Response:
    """Send the route's example as ``as_``, forms with that caller's own CSRF token."""
    example = {
        key: {k: (site.feed_url if v == "{feed}" else v) for k, v in value.items()}
        for key, value in EXAMPLES[(method, path)].items()
    }
    if "data" in example:
        example["data"] = {"csrf_token": site.csrf(as_), **example["data"]}
    return site.request(method, concrete(site, path), as_=as_, **example, **extra)


def refused_anonymous(response: httpx.Response, path: str) -> bool:
    """Return True when a reader's write was refused: 401 in the error shape, or to login."""
    if is_api(path):
        body = (
            response.json()
            if response.headers.get("content-type", "").startswith("application/json")
            else {}
        )
        return response.status_code == 401 and body.get("error", {}).get("code") == "unauthorized"
    return response.status_code == 303 and response.headers["location"].startswith("/login")


def unguarded_writes(site: Site) -> list[str]:
    """Return the write routes of ``site.app`` that a reader's request gets through."""
    leaks = []
    for method, path in write_routes(site.app):
        if (method, path) in READER_WRITES:
            continue
        url = concrete(site, path)
        kwargs: dict[str, Any] = {"json": {}} if is_api(path) else {"data": {}}
        if not refused_anonymous(site.request(method, url, **kwargs), path):
            leaks.append(f"{method} {path}")
    return leaks


def test_the_routes_are_enumerated() -> None:
    """The walk finds the writes it must (a broken walk would make every case vacuous)."""
    assert ("POST", "/api/articles") in WRITE_ROUTES
    assert ("POST", "/add") in WRITE_ROUTES
    assert ("DELETE", "/api/articles/{article_id}") in WRITE_ROUTES
    assert len(WRITE_ROUTES) >= 14
    assert len(GUARDED_WRITES) == len(WRITE_ROUTES) - 1 and len(API_WRITES) >= 5


@pytest.mark.parametrize(
    ("method", "path"), WRITE_ROUTES, ids=[f"{m} {p}" for m, p in WRITE_ROUTES]
)
def test_every_write_has_an_example(method: str, path: str) -> None:
    assert (method, path) in EXAMPLES, "add an editor's request for the new route to EXAMPLES"


@pytest.mark.parametrize(
    ("method", "path"), GUARDED_WRITES, ids=[f"{m} {p}" for m, p in GUARDED_WRITES]
)
def test_a_reader_cannot_write(site: Site, method: str, path: str) -> None:
    before = site.store.list_articles().total, len(site.store.list_feeds())
    r = send(site, method, path, "reader")
    assert refused_anonymous(r, path), (r.status_code, r.text[:300])
    assert (site.store.list_articles().total, len(site.store.list_feeds())) == before


@pytest.mark.parametrize(
    ("method", "path"), GUARDED_WRITES, ids=[f"{m} {p}" for m, p in GUARDED_WRITES]
)
def test_a_revoked_token_cannot_write(site: Site, method: str, path: str) -> None:
    r = send(site, method, path, "revoked")
    assert refused_anonymous(r, path), (r.status_code, r.text[:300])
    if is_api(path):
        assert "revoked" in r.json()["error"]["message"]
        assert r.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "http://evil.example"},
        {"origin": "http://127.0.0.1:9999"},
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site", "origin": "null"},
    ],
    ids=["origin", "other-port", "sec-fetch-site", "same-site-null-origin"],
)
@pytest.mark.parametrize(
    ("method", "path"), WRITE_ROUTES, ids=[f"{m} {p}" for m, p in WRITE_ROUTES]
)
def test_a_cross_site_write_is_refused(
    site: Site, method: str, path: str, headers: dict[str, str]
) -> None:
    """Even with an editor's credentials (and the form's own CSRF token)."""
    as_ = "token" if is_api(path) else "session"
    before = site.store.list_articles().total, len(site.store.list_feeds())
    r = send(site, method, path, as_, headers=headers)
    assert r.status_code == 403, r.text[:300]
    if is_api(path):
        assert r.json()["error"]["code"] == "cross_site_request"
    assert (site.store.list_articles().total, len(site.store.list_feeds())) == before


@pytest.mark.parametrize(
    ("method", "path"), WRITE_ROUTES, ids=[f"{m} {p}" for m, p in WRITE_ROUTES]
)
def test_an_editor_can_write(site: Site, method: str, path: str) -> None:
    as_ = "token" if is_api(path) else ("reader" if (method, path) in READER_WRITES else "session")
    same_site = {"origin": "http://127.0.0.1", "sec-fetch-site": "same-origin"}
    r = send(site, method, path, as_, headers=same_site)
    assert r.status_code < 400, r.text[:300]
    if not is_api(path):
        assert r.status_code == 303 and not r.headers["location"].startswith("/login")


@pytest.mark.parametrize(("method", "path"), API_WRITES, ids=[f"{m} {p}" for m, p in API_WRITES])
def test_a_logged_in_editor_can_use_the_api_too(site: Site, method: str, path: str) -> None:
    """The site's session works on the API (same site only, as every write)."""
    r = send(site, method, path, "session", headers={"origin": "http://127.0.0.1"})
    assert r.status_code < 400, r.text[:300]


def test_a_route_that_forgets_its_guard_is_found(site: Site) -> None:
    """A write added outside the guarded routers is reported by the enumeration."""
    assert unguarded_writes(site) == []

    @site.app.post("/api/oops")
    def oops() -> dict[str, str]:
        return {"done": "by anyone"}

    @site.app.post("/oops-form")
    def oops_form() -> dict[str, str]:
        return {"done": "by anyone"}

    assert unguarded_writes(site) == ["POST /api/oops", "POST /oops-form"]


def test_a_write_put_in_the_readers_router_is_still_guarded(template: Path, tmp_path: Path) -> None:
    """The readers' routers refuse any write method by default."""
    from fastapi import APIRouter, Depends

    from newsbrief.web.auth import api_guard

    s = open_site(template, tmp_path, public=True)
    extra = APIRouter(prefix="/api", dependencies=[Depends(api_guard)])

    @extra.post("/careless")
    def careless() -> dict[str, str]:
        return {"done": "yes"}

    s.app.include_router(extra)
    assert unguarded_writes(s) == []
    s.store.close()


# --- forms found in the pages ------------------------------------------------------------------


class Forms(HTMLParser):
    """Collect the forms of a page: method, action and their fields in order."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "method": (a.get("method") or "get").upper(),
                    "action": a.get("action"),
                    "fields": [],
                }
            )
        elif tag in ("input", "textarea") and self.forms and a.get("name"):
            self.forms[-1]["fields"].append((a["name"], a.get("value") or ""))


def page_forms(site: Site, as_: str) -> dict[str, list[tuple[str, str]]]:
    """Return every post form (action -> fields) on the pages this caller can open."""
    pages = [
        "/",
        "/articles/1",
        "/articles/1/summary",
        "/add",
        "/feeds",
        "/articles/1/edit",
        "/login",
    ]
    found: dict[str, list[tuple[str, str]]] = {}
    for page in pages:
        r = site.request("GET", page, as_=as_)
        parser = Forms()
        parser.feed(r.text)
        for form in parser.forms:
            if form["method"] == "POST":
                found.setdefault(form["action"], form["fields"])
    return found


def test_every_form_carries_the_csrf_token_first(site: Site) -> None:
    forms = page_forms(site, "session")
    assert {"/add", "/feeds", "/logout", f"/feeds/{site.feed_id}/refresh"} <= set(forms)
    assert "/articles/1/delete" in forms and "/articles/1/edit" in forms
    token = site.csrf("session")
    for action, fields in forms.items():
        assert fields[0] == ("csrf_token", token), action
    login = page_forms(site, "reader")
    assert set(login) == {"/login"}, "a reader is shown no write form but the login"


def test_every_form_refuses_readers_and_other_sites(site: Site) -> None:
    """Each form the pages show, sent as shown: refused without a login or from elsewhere."""
    forms = page_forms(site, "session")
    routes = {re.sub(r"\{[a-z_]+\}", "[0-9]+", p) for m, p in WRITE_ROUTES if m == "POST"}
    for action, fields in forms.items():
        assert any(re.fullmatch(p, action) for p in routes), action
        data = dict(fields)
        anonymous = site.request("POST", action, data=data)
        assert anonymous.status_code == 303, action
        assert anonymous.headers["location"].startswith("/login"), action
        crossed = site.request(
            "POST", action, as_="session", data=data, headers={"origin": "http://127.0.0.2:8000"}
        )
        assert crossed.status_code == 403, action
        other_token = {**data, "csrf_token": site.csrf("reader")}
        forged = site.request("POST", action, as_="session", data=other_token)
        assert forged.status_code == 403, action
        assert "security token" in forged.text
        missing = site.request(
            "POST", action, as_="session", data={k: v for k, v in data.items() if k != "csrf_token"}
        )
        assert missing.status_code == 403, action


# --- modes -------------------------------------------------------------------------------------


def test_loopback_without_editors_is_the_one_person_tool(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'one.sqlite3'}")
    client = Client(create_app(Settings(), store=store))
    r = client.post("/api/articles", json={"text": TEXT})
    assert r.status_code == 201
    assert '<a href="/add">Add</a>' in client.get("/").text
    # Once an account or token exists, loopback needs a login too.
    token = auth.create_token(store, "cms")
    r = client.post("/api/articles", json={"text": TEXT + " Again."})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"
    assert client.get("/add").status_code == 303
    r = client.post(
        "/api/articles",
        json={"text": TEXT + " Again."},
        headers={"authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201
    store.close()


@pytest.mark.parametrize("settings", [{"public": True}, {"host": "0.0.0.0"}], ids=["public", "lan"])
def test_public_without_editors_serves_readers_only(
    tmp_path: Path, settings: dict[str, Any]
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'pub.sqlite3'}")
    client = Client(create_app(Settings(demo=True, **settings), store=store))
    assert client.get("/").status_code == 200
    assert client.get("/articles/1").status_code == 200
    assert client.get("/api/articles/1/summary").status_code == 200
    assert client.get("/api/articles?q=tree").status_code == 200
    home = client.get("/").text
    assert '<a href="/add">Add</a>' not in home and 'href="/login"' in home
    assert "Edit or delete" not in client.get("/articles/1").text
    assert client.post("/api/articles", json={"text": TEXT}).status_code == 401
    assert client.get("/api/feeds").status_code == 401
    for page in ("/add", "/feeds", "/articles/1/edit"):
        r = client.get(page)
        assert r.status_code == 303 and r.headers["location"] == f"/login?next={page}"
    store.close()


def test_serve_says_how_to_create_an_editor() -> None:
    from newsbrief.cli.serve import access_lines

    (line,) = access_lines(Settings(public=True), has_editors=False)
    assert "serving readers only" in line and "newsbrief user add NAME" in line
    assert "newsbrief token create NAME" in line
    (line,) = access_lines(Settings(), has_editors=False)
    assert "everyone who can reach this address on this machine may add" in line
    (line,) = access_lines(Settings(host="0.0.0.0"), has_editors=True)
    assert line == "writes need an editor: an API token or a login at /login"


# --- login, sessions, logout -------------------------------------------------------------------


def login(site: Site, name: str = "ana", password: str = PASSWORD, **extra: Any) -> httpx.Response:
    data = {"csrf_token": site.csrf("reader"), "name": name, "password": password, **extra}
    return site.request("POST", "/login", data=data)


def session_of(response: httpx.Response) -> str:
    match = re.search(r"newsbrief_session=([^;]+)", response.headers["set-cookie"])
    assert match is not None
    return match.group(1)


def test_login_sets_a_strict_cookie_and_logout_ends_it(site: Site) -> None:
    r = login(site, next="/add")
    assert r.status_code == 303 and r.headers["location"] == "/add"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" in cookie  # --public: served behind HTTPS
    site.session = session_of(r)
    page = site.request("GET", "/add", as_="session")
    assert page.status_code == 200 and "Log out ana" in page.text
    out = site.request("POST", "/logout", as_="session", data={"csrf_token": site.csrf("session")})
    assert out.status_code == 303
    assert 'newsbrief_session=""' in out.headers["set-cookie"]
    # The old cookie is dead on the server, not only deleted in the browser.
    assert site.request("GET", "/add", as_="session").status_code == 303
    r = site.request("POST", "/api/articles", as_="session", json={"text": TEXT})
    assert r.status_code == 401
    assert r.json()["error"]["message"] == "your login session has ended: log in again"


def test_cookie_is_not_secure_on_plain_http_loopback(template: Path, tmp_path: Path) -> None:
    s = open_site(template, tmp_path)
    r = login(s)
    assert r.status_code == 303 and "Secure" not in r.headers["set-cookie"]
    s.store.close()


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil", "x"])
def test_login_never_redirects_off_the_site(site: Site, target: str) -> None:
    r = login(site, next=target)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_a_wrong_password_is_401_and_names_nothing(site: Site) -> None:
    wrong = login(site, password="not the password at all")
    nobody = login(site, name="nobody", password="not the password at all")
    for r in (wrong, nobody):
        assert r.status_code == 401
        assert "wrong account name or password" in r.text
        assert "set-cookie" not in r.headers
        assert "not the password at all" not in r.text


def test_logins_are_throttled_per_account(template: Path, tmp_path: Path) -> None:
    s = open_site(template, tmp_path, public=True, login_failures_per_account=3)
    for _ in range(3):
        assert login(s, password="wrong password 123").status_code == 401
    r = login(s)  # the right password, but the account is locked for the window
    assert r.status_code == 429
    assert 1 <= int(r.headers["retry-after"]) <= 900
    assert "too many failed logins for this account" in r.text
    s.store.close()


def test_logins_are_throttled_per_client(template: Path, tmp_path: Path) -> None:
    s = open_site(template, tmp_path, public=True, login_failures_per_client=4)
    for n in range(4):
        assert login(s, name=f"guess{n}", password="wrong password 123").status_code == 401
    r = login(s)
    assert r.status_code == 429 and "for this client" in r.text
    s.store.close()


def test_failed_logins_count_across_workers(template: Path, tmp_path: Path) -> None:
    # Two apps on one store are two workers of `serve --workers 2`: the kernel hands each
    # connection to either, so an attacker's guesses land on both.
    s = open_site(template, tmp_path, public=True, workers=2, login_failures_per_account=3)
    other_app = create_app(
        Settings(public=True, workers=2, login_failures_per_account=3), store=s.store
    )
    other = Site(other_app, s.store, Client(other_app), s.token, s.session, s.revoked, 0)
    for site in (s, other, s):
        assert login(site, password="wrong password 123").status_code == 401
    for site in (other, s):
        r = login(site)
        assert r.status_code == 429 and "for this account" in r.text
    s.store.close()


def test_logins_behind_a_trusted_proxy_count_per_forwarded_client(
    template: Path, tmp_path: Path
) -> None:
    from newsbrief.web.limits import parse_networks

    s = open_site(
        template,
        tmp_path,
        public=True,
        login_failures_per_client=2,
        trusted_proxies=parse_networks(["127.0.0.1"]),
    )

    def login_from(client: str, n: int) -> httpx.Response:
        data = {"csrf_token": s.csrf("reader"), "name": f"guess{n}", "password": "wrong 12345"}
        return s.request("POST", "/login", data=data, headers={"x-forwarded-for": client})

    assert [login_from("203.0.113.1", n).status_code for n in range(3)] == [401, 401, 429]
    # Another reader behind the same proxy is not locked out by the first one's guesses.
    assert login_from("203.0.113.2", 9).status_code == 401
    s.store.close()


def test_limiter_window_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    # The limiter's own clock, moved by hand: a real 50 ms window could pass between two
    # lines on a loaded machine (the parallel suite), and the refusal would go unseen.
    now = [1000.0]
    monkeypatch.setattr(auth, "time", SimpleNamespace(monotonic=lambda: now[0]))
    limiter = auth.LoginLimiter(per_account=1, per_client=10, window_s=60)
    limiter.failed(account="ana", client="1.2.3.4")
    now[0] += 59.9
    with pytest.raises(auth.TooManyAttempts, match="too many failed logins") as info:
        limiter.check(account="ana", client="1.2.3.4")
    assert info.value.retry_after == 1
    now[0] += 0.1  # the failure leaves the window
    limiter.check(account="ana", client="1.2.3.4")


def test_changing_the_password_ends_sessions(site: Site) -> None:
    assert site.request("GET", "/add", as_="session").status_code == 200
    auth.set_password(site.store, "ana", "a brand new password")
    assert site.request("GET", "/add", as_="session").status_code == 303


# --- secrets never leak ------------------------------------------------------------------------


def test_tokens_and_passwords_never_appear_in_logs_answers_or_the_store(
    template: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    s = open_site(template, tmp_path, public=True)
    secrets_ = [s.token, s.revoked, PASSWORD, s.session]
    answers = [
        s.request("POST", "/api/articles", as_="token", json={"text": TEXT}),
        s.request("POST", "/api/articles", as_="revoked", json={"text": TEXT}),
        s.request("GET", "/api/feeds", as_="token"),
        s.request("GET", "/add", as_="session"),
        login(s),
        login(s, password=PASSWORD + "x"),
        s.request("GET", "/openapi.json"),
    ]
    fresh = session_of(answers[4])
    secrets_.append(fresh)
    texts = []
    for r in answers:
        headers = {k: v for k, v in r.headers.items() if k != "set-cookie"}
        texts.append(r.text + repr(headers))
    texts.append(answers[4].headers["set-cookie"].replace(f"newsbrief_session={fresh}", ""))
    texts.append(caplog.text)
    s.store.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    for secret in secrets_:
        for text in texts:
            assert secret not in text
        assert secret.encode() not in stored
    # The search looked in the right place: the store holds the live token's hash.
    assert auth.hash_secret(s.token).encode() in stored
    assert PASSWORD[:12].encode() not in stored


# --- the command line --------------------------------------------------------------------------


def run_cli(args: list[str], input: str | None = None) -> Any:
    from click.testing import CliRunner

    from newsbrief.cli import cli

    return CliRunner().invoke(cli, args, input=input)


def test_token_commands(tmp_path: Path) -> None:
    db = ["--database", f"sqlite:///{tmp_path / 'cli.sqlite3'}"]
    created = run_cli(["token", "create", "cms", *db])
    assert created.exit_code == 0, created.output
    token = created.output.splitlines()[-1]
    assert re.fullmatch(r"nb_[A-Za-z0-9_-]{43}", token)
    listed = run_cli(["token", "list", *db])
    assert listed.output.startswith("cms\tcreated ") and token not in listed.output
    again = run_cli(["token", "create", "cms", *db])
    assert again.exit_code == 1
    assert "newsbrief: error: an API token called 'cms' already exists" in again.output
    store = open_store(db[1])
    assert auth.token_owner(store, token) is not None
    revoked = run_cli(["token", "revoke", "cms", *db])
    assert revoked.exit_code == 0 and revoked.output == "Revoked API token 'cms'.\n"
    assert auth.token_owner(store, token) is None
    store.close()
    missing = run_cli(["token", "revoke", "cms", *db])
    assert (
        missing.exit_code == 1 and "newsbrief: error: no API token called 'cms'" in missing.output
    )
    bad = run_cli(["token", "create", "a b", *db])
    assert bad.exit_code == 1 and "token name 'a b' is not allowed" in bad.output
    assert run_cli(["token", "list", *db]).output.startswith("No API tokens.")


def test_user_commands(tmp_path: Path) -> None:
    db = ["--database", f"sqlite:///{tmp_path / 'cli.sqlite3'}"]
    added = run_cli(["user", "add", "ana", *db], input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert PASSWORD not in added.output
    store = open_store(db[1])
    assert auth.check_login(store, "ana", PASSWORD).name == "ana"
    short = run_cli(["user", "add", "bo", *db], input="short\n")
    assert short.exit_code == 1
    assert "newsbrief: error: the password is too short: use at least 10 characters" in short.output
    empty = run_cli(["user", "add", "bo", *db], input="")
    assert empty.exit_code == 1 and "no password given" in empty.output
    assert run_cli(["user", "list", *db]).output.startswith("ana\tcreated ")
    changed = run_cli(["user", "passwd", "ana", *db], input="another long password\n")
    assert changed.exit_code == 0
    assert auth.check_login(store, "ana", "another long password").name == "ana"
    removed = run_cli(["user", "remove", "ana", *db])
    assert removed.exit_code == 0 and store.list_users() == []
    store.close()
    gone = run_cli(["user", "remove", "ana", *db])
    assert gone.exit_code == 1 and "no editor account called 'ana'" in gone.output


# --- the store's side, on every backend --------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    store = open_store(backend_url(request.param, tmp_path))
    yield store
    store.close()


def test_credentials_contract(any_store: Store) -> None:
    from datetime import timedelta

    from newsbrief.errors import Conflict, NotFound

    store = any_store
    assert not store.has_editors()
    token = auth.create_token(store, "cms")
    assert store.has_editors()
    assert [t.name for t in store.list_tokens()] == ["cms"]
    assert auth.token_owner(store, token) is not None
    assert auth.token_owner(store, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    with pytest.raises(Conflict):
        auth.create_token(store, "cms")
    auth.revoke_token(store, "cms")
    assert auth.token_owner(store, token) is None and not store.has_editors()
    with pytest.raises(NotFound):
        auth.revoke_token(store, "cms")
    # A hash that is cheap to compute keeps the test fast; the contract is the store's.
    user = store.add_user("ana", "$argon2id$stand-in")
    with pytest.raises(Conflict):
        store.add_user("ana", "$argon2id$other")
    cookie = auth.start_session(store, user, lifetime=timedelta(hours=1))
    assert auth.session_user(store, cookie) == user
    expired = auth.start_session(store, user, lifetime=timedelta(seconds=-1))
    assert auth.session_user(store, expired) is None
    store.set_password_hash("ana", "$argon2id$new")
    assert auth.session_user(store, cookie) is None
    assert store.password_hash("ana") == (user, "$argon2id$new")
    cookie = auth.start_session(store, user, lifetime=timedelta(hours=1))
    auth.end_session(store, cookie)
    assert auth.session_user(store, cookie) is None
    cookie = auth.start_session(store, user, lifetime=timedelta(hours=1))
    store.delete_user("ana")
    assert auth.session_user(store, cookie) is None and store.list_users() == []
    key = store.site_key("csrf")
    assert len(key) == 64 and store.site_key("csrf") == key
