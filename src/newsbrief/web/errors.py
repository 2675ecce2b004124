"""One error shape for every error: ``{"error": {"code": ..., "message": ...}}``.

API paths (``/api/...``) get that JSON; pages get an HTML error page with the same status and
message. newsbrief's own errors carry their ``code`` and ``http_status``; FastAPI's validation
errors (422) and Starlette's HTTP errors (404, 405, ...) are mapped into the same shape.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from newsbrief.errors import NewsbriefError

log = logging.getLogger("newsbrief.web")

#: Codes for the HTTP errors Starlette raises itself.
HTTP_CODES: dict[int, str] = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "input_too_large",
    415: "unsupported_content_type",
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
    return error_response(request, exc.http_status, exc.code, str(exc))


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


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape."""
    app.add_exception_handler(NewsbriefError, _newsbrief_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
