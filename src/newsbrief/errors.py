"""One exception tree for everything newsbrief raises on purpose.

    NewsbriefError
    ├── InputError                  bad input from the user (HTTP 4xx)
    │   ├── EmptyInput              nothing but whitespace
    │   ├── UndecodableInput        binary or undecodable bytes
    │   ├── InvalidText             text holding code points that are not characters (surrogates)
    │   ├── InputTooLarge           over the size limit (says how to raise it)
    │   ├── NoArticleText           no article text found in the page
    │   ├── UnsupportedContentType  a URL that answered with something other than HTML/text
    │   ├── InvalidOptions          contradictory or out-of-range options
    │   ├── NotAFeed                subscribing to a page that is not an RSS/Atom feed
    │   └── DataFormatError         a malformed line in a JSONL file (carries the line number)
    ├── UnknownSummarizer           a method name that is not registered
    ├── SummaryTimeout              a summary ran past its time limit (newsbrief.limits)
    ├── FetchError                  a URL could not be fetched
    │   ├── FetchTimeout
    │   ├── Unreachable
    │   ├── BlockedAddress          SSRF guard refused a private/loopback address
    │   ├── OriginNotAllowed        the embed endpoint refused a page outside --embed-origin
    │   ├── HTTPStatusError         the server answered 4xx/5xx
    │   └── TooManyFetches          a server's fetch slots are all taken (HTTP 503)
    ├── BackendError                a summarizer backend (LLM endpoint, local model) failed
    │   ├── MissingDependency       an optional extra is not installed
    │   ├── BackendUnreachable      the endpoint cannot be reached (--llm-url)
    │   │   └── BackendTimeout      no answer within --llm-timeout (HTTP 504)
    │   ├── ModelNotFound           the backend does not know the model (--llm-model)
    │   ├── BackendAuthError        the key was rejected (the key's environment variable)
    │   ├── BadBackendResponse      empty, malformed or refused answer
    │   └── PluginError             a summarizer plug-in cannot be loaded or declares a bad kind
    ├── NotFound                    no article/feed/token/user with that id or name
    ├── RateLimited                 a client asked for too much work too fast (HTTP 429)
    ├── Conflict                    an edit would duplicate another stored article (HTTP 409)
    ├── StorageError                the database refused or failed
    └── AuthError                   who may do what (web front end)
        ├── NotAuthenticated        no editor credentials, or bad/revoked ones (HTTP 401)
        ├── Forbidden               refused whoever asks (HTTP 403)
        │   ├── CrossSiteRequest    a state-changing request from another site
        │   └── BadCSRFToken        a form without this site's CSRF token
        └── TooManyAttempts         login attempts over the limit (HTTP 429, Retry-After)

Third-party exceptions are translated at the edge (``raise FetchTimeout(...) from exc``);
front ends catch ``NewsbriefError`` and show ``str(exc)``: the CLI prints
``newsbrief: error: <message>`` and exits 1 (batch documents its own codes), the API answers
``http_status`` with ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations


class NewsbriefError(Exception):
    """Base class of every error newsbrief raises on purpose."""

    #: Stable machine-readable code, used in the API's error shape.
    code: str = "error"
    #: HTTP status a web front end should answer with.
    http_status: int = 500


class InputError(NewsbriefError):
    """The input given by the user cannot be used."""

    code = "bad_input"
    http_status = 400


class EmptyInput(InputError):
    code = "empty_input"
    http_status = 400


class UndecodableInput(InputError):
    code = "undecodable_input"
    http_status = 415


class InvalidText(InputError):
    """Text holding a code point that is not a character: a lone surrogate (U+D800-U+DFFF).

    Such a string cannot be encoded (as UTF-8, for storage or an answer); it comes from a
    JSON ``"\\ud800"`` escape or from bytes decoded with ``surrogateescape``.
    """

    code = "invalid_text"
    http_status = 400


class InputTooLarge(InputError):
    code = "input_too_large"
    http_status = 413

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"{message}; {hint}" if hint else message)
        #: The message without ``hint`` (how to raise the limit from the CLI or in Python),
        #: for a server, which has no such option to offer.
        self.without_hint = message


class NoArticleText(InputError):
    code = "no_article_text"
    http_status = 422


class UnsupportedContentType(InputError):
    code = "unsupported_content_type"
    http_status = 415


class InvalidOptions(InputError):
    code = "invalid_options"
    http_status = 400


class NotAFeed(InputError):
    """A URL given as a feed is a web page (naming no readable feed) or other content."""

    code = "not_a_feed"
    http_status = 422


class DataFormatError(InputError):
    """A record in a data file is malformed; ``line`` is 1-based."""

    code = "data_format"
    http_status = 400

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        where = ""
        if path is not None and line is not None:
            where = f"{path}:{line}: "
        elif line is not None:
            where = f"line {line}: "
        super().__init__(f"{where}{message}")
        self.path = path
        self.line = line


class UnknownSummarizer(NewsbriefError):
    code = "unknown_method"
    http_status = 400


class SummaryTimeout(NewsbriefError):
    """A summary ran past its time limit (``newsbrief.limits``)."""

    code = "summary_timeout"
    http_status = 503


class FetchError(NewsbriefError):
    code = "fetch_failed"
    http_status = 502


class FetchTimeout(FetchError):
    code = "fetch_timeout"
    http_status = 504

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"{message}; {hint}" if hint else message)
        #: The message without ``hint`` (the CLI's option), for a server (see InputTooLarge).
        self.without_hint = message


class Unreachable(FetchError):
    code = "unreachable"
    http_status = 502


class BlockedAddress(FetchError):
    code = "blocked_address"
    http_status = 400


class OriginNotAllowed(FetchError):
    """A page the embeddable button asked for is neither stored nor on an --embed-origin."""

    code = "origin_not_allowed"
    http_status = 403


class HTTPStatusError(FetchError):
    code = "http_status"
    http_status = 502


class TooManyFetches(FetchError):
    """Every fetch slot of a server is taken (``newsbrief serve --max-fetches``)."""

    code = "too_many_fetches"
    http_status = 503


class BackendError(NewsbriefError):
    code = "backend_error"
    http_status = 502


class MissingDependency(BackendError):
    code = "missing_dependency"
    http_status = 501


class BackendUnreachable(BackendError):
    code = "backend_unreachable"
    http_status = 502


class BackendTimeout(BackendUnreachable):
    """The endpoint took longer than ``--llm-timeout`` to answer."""

    code = "backend_timeout"
    http_status = 504


class ModelNotFound(BackendError):
    code = "model_not_found"
    http_status = 502


class BackendAuthError(BackendError):
    code = "backend_auth"
    http_status = 502


class BadBackendResponse(BackendError):
    code = "bad_backend_response"
    http_status = 502


class PluginError(BackendError):
    code = "plugin_error"
    http_status = 500


class NotFound(NewsbriefError):
    code = "not_found"
    http_status = 404


class RateLimited(NewsbriefError):
    """A client spent its allowance of requests that cause work; ``retry_after`` seconds on."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        #: Response headers the web front end adds (as ``AuthError.headers``).
        self.headers = {"Retry-After": str(retry_after)}


class StorageError(NewsbriefError):
    code = "storage_error"
    http_status = 500


class Conflict(NewsbriefError):
    """An edit would make an article a copy of another stored one (same text or URL)."""

    code = "conflict"
    http_status = 409


class AuthError(NewsbriefError):
    """A request the server refuses because of who sent it or how."""

    code = "forbidden"
    http_status = 403
    #: Extra response headers (``WWW-Authenticate``, ``Retry-After``).
    headers: dict[str, str] = {}  # noqa: RUF012  (read-only class default)


class NotAuthenticated(AuthError):
    """No editor credentials, or credentials that are wrong, revoked or expired."""

    code = "unauthorized"
    http_status = 401
    headers = {"WWW-Authenticate": 'Bearer realm="newsbrief"'}  # noqa: RUF012


class Forbidden(AuthError):
    code = "forbidden"
    http_status = 403


class CrossSiteRequest(Forbidden):
    code = "cross_site_request"


class BadCSRFToken(Forbidden):
    code = "csrf_failed"


class TooManyAttempts(AuthError):
    """Too many failed logins for an account or from a client; ``retry_after`` in seconds."""

    code = "too_many_attempts"
    http_status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}
