"""Who may do what on the site and the API: the one place that decides.

Each request gets an ``Actor``: a reader (anonymous), an editor logged in on the site, an API
token, or ``local`` (the one-person tool: loopback, not ``--public``, and no account or token
exists yet). Routes never look at headers or cookies; their router's dependency does:

- ``api_guard`` (every ``/api`` router): reads pass; any other method needs an editor (401 in
  the one error shape) and must not come from another site (403).
- ``site_guard`` (every page router): reads pass; a form post needs an editor (else a redirect
  to the login page), must come from this site, and must carry this site's CSRF token.
- ``require_api_editor`` / ``require_site_editor``: the same, for reads only editors may make
  (the feeds list, the add and edit forms).

So a new write route is guarded by being put in one of these routers; tests/test_auth.py
walks ``app.routes`` and every form and fails for any write an anonymous caller can make.

Other code asks ``is_editor(request)`` (e.g. to exempt editors from rate limits).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.security import HTTPBearer
from starlette.concurrency import run_in_threadpool

from newsbrief import auth
from newsbrief.errors import (
    BadCSRFToken,
    CrossSiteRequest,
    NewsbriefError,
    NotAuthenticated,
)
from newsbrief.web.forms import read_form
from newsbrief.web.state import AppState, get_state, state_of

#: The login session's cookie (HttpOnly, SameSite=Lax; Secure over HTTPS and with --public).
SESSION_COOKIE = "newsbrief_session"
#: The hidden field every state-changing form carries; first in the form, so that a form
#: cut at the body limit still has it.
CSRF_FIELD = "csrf_token"
#: Methods that change nothing (RFC 9110 "safe"): readers may use them.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: How long "does any account or token exist?" is remembered for showing pages (nav links).
#: Guards never use the remembered answer: they ask the store.
EDITORS_CHECK_TTL_S = 2.0

Kind = Literal["reader", "local", "token", "editor"]


@dataclass(frozen=True)
class Actor:
    """Who sent a request: ``kind``, the token's or account's ``name``, and its session."""

    kind: Kind
    name: str | None = None
    #: The session cookie of a logged-in editor (the CSRF token is bound to it).
    session: str | None = field(default=None, repr=False)
    #: Why credentials the request sent were not accepted, for the 401's message.
    refused: str | None = None

    @property
    def is_editor(self) -> bool:
        """Return True when this actor may write."""
        return self.kind != "reader"


@dataclass
class Access:
    """Per-app state of the guards: the login limiter and the remembered editors check."""

    limiter: auth.LoginLimiter | auth.SharedLoginLimiter
    _editors: tuple[float, bool] | None = None
    _csrf_key: bytes | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def has_editors(self, state: AppState, *, exact: bool) -> bool:
        """Return whether an account or token exists (``exact``: ask the store now)."""
        now = time.monotonic()
        remembered = self._editors
        if not exact and remembered is not None and now - remembered[0] < EDITORS_CHECK_TTL_S:
            return remembered[1]
        value = state.store.has_editors()
        self._editors = (now, value)
        return value

    def csrf_key(self, state: AppState) -> bytes:
        """Return the key CSRF tokens are signed with (kept in the store: all workers share it)."""
        with self._lock:
            if self._csrf_key is None:
                self._csrf_key = state.store.site_key("csrf").encode("ascii")
            return self._csrf_key


def access_of(state: AppState) -> Access:
    """Return the app's ``Access`` (made by ``install``)."""
    access = state.extras["access"]
    assert isinstance(access, Access)
    return access


def _bearer(request: Request) -> str | None:
    value = request.headers.get("authorization")
    if value is None:
        return None
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def resolve_actor(state: AppState, request: Request, *, exact: bool) -> Actor:
    """Return who sent ``request`` (reads the store: call it in a worker thread).

    A request that sends a token or a session cookie is judged by it alone; one that sends
    neither is a reader, or ``local`` where the one-person tool is open (see Settings).
    """
    token = _bearer(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    refused = None
    if token is not None:
        found = auth.token_owner(state.store, token) if token else None
        if found is not None:
            return Actor("token", found.name)
        refused = (
            "the API token was not accepted: it is revoked, mistyped, or not a newsbrief "
            "token (send Authorization: Bearer <token>; see newsbrief token create NAME)"
        )
    elif cookie:
        user = auth.session_user(state.store, cookie)
        if user is not None:
            return Actor("editor", user.name, session=cookie)
        refused = "your login session has ended: log in again"
    if state.settings.open_without_editors and not access_of(state).has_editors(state, exact=exact):
        return Actor("local")
    return Actor("reader", refused=refused)


async def current_actor(request: Request) -> Actor:
    """Return who sent the request, resolved once per request (a dependency)."""
    cached = getattr(request.state, "newsbrief_actor", None)
    if isinstance(cached, Actor):
        return cached
    state = state_of(request)
    if (
        "authorization" not in request.headers
        and SESSION_COOKIE not in request.cookies
        and not state.settings.open_without_editors
    ):
        actor = Actor("reader")  # the public site's readers cost no query
    else:
        exact = request.method not in SAFE_METHODS
        actor = await run_in_threadpool(resolve_actor, state, request, exact=exact)
    request.state.newsbrief_actor = actor
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


async def is_editor(request: Request) -> bool:
    """Return True when the request comes from someone who may write (token, login, local)."""
    return (await current_actor(request)).is_editor


def check_same_site(request: Request) -> None:
    """Refuse a request another site's page made (``Sec-Fetch-Site``, else ``Origin``).

    ``Sec-Fetch-Site`` (which no page can set) decides when the browser sends it: only
    ``same-origin`` and ``none`` (typed by the user) pass. Without it, a real ``Origin`` must
    name the host the request was sent to (its ``Host``, scheme aside: behind a proxy that
    ends HTTPS the app sees http). ``Origin: null`` is what a browser sends for the site's own
    forms under ``Referrer-Policy: no-referrer``, so alone it decides nothing: the form's
    CSRF token does. Clients that send neither header (curl, a CMS) are not browsers and
    pass: they carry no visitor's cookies.

    Raises:
        CrossSiteRequest: the browser says another site sent it.
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        if fetch_site.lower() not in ("same-origin", "none"):
            raise CrossSiteRequest(
                f"refused: a {fetch_site} request cannot change anything here "
                "(send it from this site's own pages, or without a browser)"
            )
        return
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return
    host = (request.headers.get("host") or "").lower()
    try:
        origin_host = urlsplit(origin).netloc.lower()
    except ValueError:
        origin_host = ""
    if origin_host != host:
        raise CrossSiteRequest(
            f"refused: a request from {origin!r} cannot change anything on {host or 'this site'}"
        )


def csrf_token(state: AppState, actor: Actor) -> str:
    """Return the CSRF token this actor's forms carry (bound to its login session)."""
    binding = auth.hash_secret(actor.session) if actor.session else "-"
    key = access_of(state).csrf_key(state)
    return hmac.new(key, f"csrf:{binding}".encode("ascii"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SiteForm:
    """A site form's fields, or why they could not be read (the handler shows it)."""

    fields: dict[str, str]
    error: NewsbriefError | None = None


async def site_form(request: Request) -> SiteForm:
    """Read the request's form once (the guard checks its CSRF token, the handler uses it)."""
    if request.method in SAFE_METHODS:
        return SiteForm({})
    from newsbrief.web.forms import FormTooLarge

    state = state_of(request)
    try:
        return SiteForm(await read_form(request, max_bytes=state.settings.max_body_bytes))
    except FormTooLarge as exc:
        return SiteForm(dict(exc.kept), error=exc)
    except NewsbriefError as exc:
        return SiteForm({}, error=exc)


Form = Annotated[SiteForm, Depends(site_form)]


class LoginRequired(Exception):
    """A page only editors may use: answered with a redirect to the login page."""

    def __init__(self, next_path: str | None) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def _not_editor(actor: Actor) -> NotAuthenticated:
    return NotAuthenticated(
        actor.refused
        or "this needs an editor: send Authorization: Bearer <token> "
        "(newsbrief token create NAME), or log in on the site"
    )


def check_csrf(state: AppState, actor: Actor, form: SiteForm) -> None:
    """Raise BadCSRFToken unless the form carries the token of this actor's pages.

    A form that could not be read is refused with its own error (400, 413), unless it was
    only cut at the body limit after its token (the page then shows what it kept).
    """
    from newsbrief.web.forms import FormTooLarge

    cut_after_token = isinstance(form.error, FormTooLarge) and CSRF_FIELD in form.fields
    if form.error is not None and not cut_after_token:
        raise form.error
    sent = form.fields.get(CSRF_FIELD, "")
    if not hmac.compare_digest(sent.encode("utf-8", "replace"), csrf_token(state, actor).encode()):
        raise BadCSRFToken(
            "the form's security token is missing or out of date (you may have logged in or "
            "out since the page was shown): reload the page and send it again"
        )


async def api_guard(request: Request, actor: CurrentActor) -> None:
    """Dependency of the API's routers: writes need an editor and this site (or no browser)."""
    if request.method in SAFE_METHODS:
        return
    check_same_site(request)
    if not actor.is_editor:
        raise _not_editor(actor)


#: The API token as OpenAPI declares it (``Authorization: Bearer nb_...``), on the editors'
#: routes only. ``auto_error=False``: it never refuses anything itself.
editor_bearer = HTTPBearer(
    scheme_name="apiToken",
    description="An editor's API token (newsbrief token create NAME); or log in on the site.",
    auto_error=False,
)


async def require_api_editor(request: Request, actor: CurrentActor) -> None:
    """Dependency of API routes only editors may use, reads included."""
    if request.method not in SAFE_METHODS:
        check_same_site(request)
    if not actor.is_editor:
        raise _not_editor(actor)


async def site_guard(
    request: Request,
    actor: CurrentActor,
    form: Form,
    state: Annotated[AppState, Depends(get_state)],
) -> None:
    """Dependency of the site's routers: a form post needs an editor, this site, its token."""
    if request.method in SAFE_METHODS:
        return
    check_same_site(request)
    if not actor.is_editor:
        raise LoginRequired(None)
    check_csrf(state, actor, form)


async def require_site_editor(
    request: Request,
    actor: CurrentActor,
    form: Form,
    state: Annotated[AppState, Depends(get_state)],
) -> None:
    """Dependency of pages only editors may see (and post): others go to the login page."""
    if not actor.is_editor:
        path = request.url.path if request.method in SAFE_METHODS else None
        raise LoginRequired(path)
    if request.method not in SAFE_METHODS:
        check_same_site(request)
        check_csrf(state, actor, form)


def safe_next(value: str | None) -> str:
    """Return where to go after logging in: a path on this site, else the home page."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(c) < 0x20 for c in value):
        return "/"
    return value


async def _login_redirect(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    target = "/login"
    if exc.next_path:
        target += "?next=" + quote(exc.next_path, safe="/")
    return RedirectResponse(target, status_code=303)


def set_session_cookie(response: Response, request: Request, state: AppState, cookie: str) -> None:
    """Set the login cookie: HttpOnly, SameSite=Lax, Secure over HTTPS or with --public."""
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=int(timedelta(days=state.settings.session_days).total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https" or state.settings.public,
    )


def install(app: FastAPI, state: AppState) -> None:
    """Give ``app`` its guards' state and the login redirect."""
    s = state.settings
    # Several workers count failed logins in the store, or each would allow its own share.
    limiter = (
        auth.SharedLoginLimiter(
            state.store,
            per_account=s.login_failures_per_account,
            per_client=s.login_failures_per_client,
            window_s=s.login_window_s,
        )
        if s.workers > 1
        else auth.LoginLimiter(
            per_account=s.login_failures_per_account,
            per_client=s.login_failures_per_client,
            window_s=s.login_window_s,
        )
    )
    state.extras["access"] = Access(limiter=limiter)
    app.add_exception_handler(LoginRequired, _login_redirect)


def viewer(state: AppState, actor: Actor) -> dict[str, Any]:
    """Return what every page's template knows of its viewer: editor or not, CSRF token."""
    return {
        "editor": actor.is_editor,
        "editor_name": actor.name,
        "logged_in": actor.kind == "editor",
        "csrf_token": csrf_token(state, actor),
    }
