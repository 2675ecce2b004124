"""The editors' login page, login and logout.

``POST /login`` is the one write anyone may send (``login_router``): it still has to come
from this site with its CSRF token, and failed attempts are throttled per account and per
client (``auth.LoginLimiter``). Logging out is an editor's write like any other.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from newsbrief import auth
from newsbrief.errors import NotAuthenticated, TooManyAttempts
from newsbrief.web.auth import (
    SESSION_COOKIE,
    CurrentActor,
    Form,
    access_of,
    check_csrf,
    check_same_site,
    safe_next,
    set_session_cookie,
    site_guard,
)
from newsbrief.web.limits import request_client
from newsbrief.web.pages import State, Viewer, render
from newsbrief.web.state import AppState, get_state

router = APIRouter(include_in_schema=False, dependencies=[Depends(site_guard)])


async def login_guard(
    request: Request,
    actor: CurrentActor,
    form: Form,
    state: Annotated[AppState, Depends(get_state)],
) -> None:
    """Dependency of the login form: anyone may post it, from this site, with its token."""
    if request.method in ("GET", "HEAD"):
        return
    check_same_site(request)
    check_csrf(state, actor, form)


#: The login form: the only route where a reader may write (tests/test_auth.py knows it).
login_router = APIRouter(include_in_schema=False, dependencies=[Depends(login_guard)])


def _login_page(
    state: AppState, viewer: dict[str, Any], *, status: int = 200, **context: Any
) -> HTMLResponse:
    context.setdefault("next", "/")
    context.setdefault("account", "")
    return render(state, "login.html", status=status, title="Log in", viewer=viewer, **context)


@login_router.get("/login", response_class=HTMLResponse)
def login_form(
    state: State, viewer: Viewer, next: Annotated[str, Query(max_length=2000)] = "/"
) -> HTMLResponse:
    """Show the login form (or who is logged in, with a logout button)."""
    return _login_page(state, viewer, next=safe_next(next))


@login_router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request, state: State, viewer: Viewer, form: Form) -> Response:
    """Log in: a session cookie and a redirect on success; the form again, 401 or 429, not."""
    name = form.fields.get("name", "").strip()
    password = form.fields.get("password", "")
    target = safe_next(form.fields.get("next"))
    # Behind a --trusted-proxy the client is the one its X-Forwarded-For names, as for the
    # rate limits: else every login through the proxy would count against one address.
    client = request_client(request, state.settings.trusted_proxies)
    limiter = access_of(state).limiter
    try:
        # In a worker thread: with several workers the counts are in the store.
        await run_in_threadpool(functools.partial(limiter.check, account=name, client=client))
        user = await run_in_threadpool(auth.check_login, state.store, name, password)
    except TooManyAttempts as exc:
        page = _login_page(state, viewer, status=429, error=str(exc), account=name, next=target)
        page.headers.update(exc.headers)
        return page
    except NotAuthenticated as exc:
        await run_in_threadpool(functools.partial(limiter.failed, account=name, client=client))
        return _login_page(state, viewer, status=401, error=str(exc), account=name, next=target)
    await run_in_threadpool(functools.partial(limiter.succeeded, account=name))
    lifetime = timedelta(days=state.settings.session_days)
    cookie = await run_in_threadpool(auth.start_session, state.store, user, lifetime=lifetime)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, state, cookie)
    return response


@router.post("/logout", response_class=HTMLResponse)
def logout(state: State, actor: CurrentActor) -> Response:
    """End the session and go to the home page."""
    if actor.session:
        auth.end_session(state.store, actor.session)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response
