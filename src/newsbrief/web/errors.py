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
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsbrief.errors import NewsbriefError
from newsbrief.service import server_message

log = logging.getLogger("newsbrief.web")

#: Codes for the HTTP errors Starlette raises itself.
HTTP_CODES: dict[int, str] = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "input_too_large",
    415: "unsupported_content_type",
    421: "unknown_host",
    422: "validation_error",
}


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
    from newsbrief.web.state import state_of

    template = state_of(request).templates.get_template("error.html")
    html = template.render(status=status, code=code, message=message, title=f"Error {status}")
    return HTMLResponse(html, status_code=status)


async def _newsbrief_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NewsbriefError)
    if exc.http_status >= 500:
        log.warning("%s %s: %s: %s", request.method, request.url.path, exc.code, exc)
    return error_response(request, exc.http_status, exc.code, server_message(exc))


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return error_response(request, 422, "validation_error", validation_message(exc.errors()))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    if exc.status_code == 404 and message == "Not Found":
        message = f"no page at {request.url.path}"
    elif exc.status_code == 405 and message == "Method Not Allowed":
        message = f"{request.method} is not allowed on {request.url.path}"
    response = error_response(request, exc.status_code, code, message)
    for name, value in (exc.headers or {}).items():
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
