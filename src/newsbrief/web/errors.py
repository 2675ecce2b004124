"""One error shape for every error: ``{"error": {"code": ..., "message": ...}}``.

API paths (``/api/...``) get that JSON; pages get an HTML error page with the same status and
message. newsbrief's own errors carry their ``code`` and ``http_status``; FastAPI's validation
errors (422) and Starlette's HTTP errors (404, 405, ...) are mapped into the same shape, and
any other exception (a bug) becomes a 500 ``internal_error``, logged once with its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsbrief.errors import NewsbriefError
from newsbrief.service import server_message
from newsbrief.web.state import state_of

log = logging.getLogger("newsbrief.web")

#: Codes for the HTTP errors Starlette raises itself.
HTTP_CODES: dict[int, str] = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "input_too_large",
    415: "unsupported_content_type",
    421: "unknown_host",
    422: "validation_error",
}


#: Scope key under which ``middleware.HeadAsGet`` keeps a HEAD request's own method.
ORIGINAL_METHOD = "newsbrief.method"


#: What each error status means, for the API's documented responses (``documented_errors``).
_STATUS_MEANING: dict[int, str] = {
    400: "Bad options or input",
    401: "Needs an editor: Authorization: Bearer <token>, or a login",
    403: "Not allowed: sent by another site's page, or a page not on an --embed-origin",
    404: "No such article, feed or page",
    405: "Method not allowed (the Allow header lists those the path takes)",
    408: "The request's headers or body arrived too slowly (--header-timeout, --body-timeout)",
    409: "Another stored article has this text or URL",
    413: "Request body or fetched page over the limit",
    415: "Body or fetched page is not of a type taken",
    421: "The Host header names a host this server does not serve (--allowed-host)",
    422: "Request does not match the schema, or the page has no article text",
    429: "Too many requests that cause work, or failed logins (see the Retry-After header)",
    500: "Internal or storage error (the server log has the details)",
    501: "The summarizer needs a package that is not installed",
    502: "The URL could not be fetched, or the summarizer backend failed",
    503: "Busy: every fetch slot taken, or the summary took too long; retry later",
    504: "The URL, or the summarizer backend (backend_timeout), timed out",
}


def error_codes() -> dict[int, list[str]]:
    """Return every status an error answer can have, with the codes each comes with.

    Read from the handlers' sources, not kept by hand: every ``NewsbriefError`` class (its
    ``http_status`` and ``code``), the codes of Starlette's own HTTP errors (``HTTP_CODES``),
    validation errors, and the 500 of an unexpected error.
    """
    found: dict[int, list[str]] = {}

    def add(status: int, code: str) -> None:
        codes = found.setdefault(status, [])
        if code not in codes:
            codes.append(code)

    pending: list[type[NewsbriefError]] = [NewsbriefError]
    while pending:
        kind = pending.pop(0)
        pending.extend(kind.__subclasses__())
        if kind is not NewsbriefError:
            add(kind.http_status, kind.code)
    for status, code in HTTP_CODES.items():
        add(status, code)
    add(422, "validation_error")
    add(500, "internal_error")
    return dict(sorted(found.items()))


def documented_errors(*, leave_out: Sequence[int] = ()) -> dict[int | str, dict[str, Any]]:
    """Return the OpenAPI ``responses`` of every error status (``error_codes``) but ``leave_out``.

    Each status is described with its codes and an example per code, in the one error shape.
    """
    responses: dict[int | str, dict[str, Any]] = {}
    for status, codes in error_codes().items():
        if status in leave_out:
            continue
        meaning = _STATUS_MEANING.get(status, "Error")
        examples = {
            code: {"value": error_body(code, "what went wrong and how to fix it")} for code in codes
        }
        responses[status] = {
            "description": f"{meaning} (code: {', '.join(codes)})",
            "content": {"application/json": {"examples": examples}},
        }
    return responses


def error_body(code: str, message: str) -> dict[str, Any]:
    """Return the API's error shape."""
    return {"error": {"code": code, "message": message}}


def is_api(path: str) -> bool:
    """Return True when ``path`` belongs to the JSON API (which answers errors in JSON)."""
    return path == "/api" or path.startswith("/api/")


def validation_message(errors: Sequence[Any]) -> str:
    """Return FastAPI validation errors as one readable line: ``body.sentences: ... ; ...``."""
    parts = []
    for err in errors:
        if err.get("type") == "json_invalid":
            # FastAPI puts the decoder's offset in ``loc`` and its reason in ``ctx``.
            position = [p for p in err.get("loc", ()) if isinstance(p, int)]
            reason = (err.get("ctx") or {}).get("error") or err.get("msg", "")
            where = f"at character {position[0]}: " if position else ""
            parts.append(f"request body is not valid JSON ({where}{reason})")
            continue
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{loc}: {err.get('msg', 'invalid value')}")
    return "; ".join(parts) or "invalid request"


def error_response(request: Request, status: int, code: str, message: str) -> Response:
    """Answer an error: JSON for the API, the HTML error page for the site."""
    if is_api(request.url.path):
        return JSONResponse(error_body(code, message), status_code=status)
    template = state_of(request).templates.get_template("error.html")
    html = template.render(status=status, code=code, message=message, title=f"Error {status}")
    return HTMLResponse(html, status_code=status)


async def _newsbrief_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NewsbriefError)
    if exc.http_status >= 500:
        log.warning("%s %s: %s: %s", request.method, request.url.path, exc.code, exc)
    response = error_response(request, exc.http_status, exc.code, server_message(exc))
    for name, value in getattr(exc, "headers", {}).items():  # AuthError: WWW-Authenticate, ...
        response.headers[name] = value
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return error_response(request, 422, "validation_error", validation_message(exc.errors()))


#: Methods a route can have; a 405's ``Allow`` lists those the path takes.
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Return the methods some route takes at the request's path (HEAD with GET), or ``[]``.

    Starlette's 405 names the methods of the first route that matched the path only (``Allow:
    GET`` on ``/api/articles``, which takes POST too); this asks every route, for each method.
    A mount (static files) answers 405 itself, with its own ``Allow``: it is left out.
    """
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        for route in request.app.router.routes:
            if isinstance(route, Mount):
                continue
            match, _ = route.matches(scope)
            if match is Match.FULL:
                allowed.append(method)
                break
    if "GET" in allowed:
        allowed.insert(1, "HEAD")
    return allowed


def body_error(exc: StarletteHTTPException) -> tuple[int, str, str] | None:
    """Return (status, code, message) for a JSON body FastAPI could not decode, else None.

    FastAPI answers 400 "There was an error parsing the body" for every decoding failure
    other than malformed JSON text; the two a client can cause are named here.
    """
    cause = exc.__cause__
    if isinstance(cause, UnicodeDecodeError):
        return (
            422,
            "validation_error",
            f"request body is not valid JSON (not UTF-8: {cause.reason} "
            f"0x{cause.object[cause.start]:02x} at byte {cause.start})",
        )
    if isinstance(cause, RecursionError):
        return (
            422,
            "validation_error",
            # Python's decoder recurses once a level and stops near the interpreter's
            # recursion limit (1,000); no body of this API nests more than two levels.
            "request body nests arrays or objects too deeply to be decoded (this API's "
            "bodies are one object of strings and numbers)",
        )
    return None


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = HTTP_CODES.get(status, f"http_{status}")
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    headers = dict(exc.headers or {})
    # A HEAD request is answered as its GET (middleware.HeadAsGet): name the method sent.
    method = request.scope.get(ORIGINAL_METHOD, request.method)
    if status == 404 and message == "Not Found":
        message = f"no page at {request.url.path}"
    elif status == 405 and message == "Method Not Allowed":
        message = f"{method} is not allowed on {request.url.path}"
        allowed = allowed_methods(request)
        if allowed:
            headers["Allow"] = ", ".join(allowed)
            message += f" (it takes {', '.join(allowed)})"
    elif status == 400 and (named := body_error(exc)) is not None:
        status, code, message = named
    response = error_response(request, status, code, message)
    for name, value in headers.items():
        response.headers[name] = value
    return response


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        request, 500, "internal_error", "internal error; the server log has the details"
    )


class UnexpectedErrors:
    """Answer an exception no handler took (a bug) with the 500 error shape, logged once.

    Starlette runs the handler registered for ``Exception`` in its outermost middleware,
    which re-raises after answering so that the server logs the traceback too: every 500
    was logged twice (ours, then uvicorn's "Exception in ASGI application"). This ASGI
    middleware sits inside that one, logs with the method and path, answers, and does not
    re-raise. An exception after the response has started cannot be answered; it goes on to
    the server, which logs it and drops the connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_noting_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_noting_start)
        except Exception as exc:
            if started:
                raise
            response = await _unexpected_error(Request(scope), exc)
            await response(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape.

    Call it before adding other middleware, so that ``UnexpectedErrors`` sits innermost,
    right around the routes.
    """
    app.add_exception_handler(NewsbriefError, _newsbrief_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(UnexpectedErrors)
    # A bug in the middleware around it still gets the one shape (logged twice, as above).
    app.add_exception_handler(Exception, _unexpected_error)
