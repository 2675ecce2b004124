"""Summaries for the embeddable button: a publisher's page summarized by its URL.

The ``<newsbrief-summary>`` element on a publisher's page asks for the summary of that page's
URL. ``page_summary`` answers from the store when the article is known (pushed by a CMS, added
by an editor or a feed); otherwise it fetches the page, but only when the URL's origin is one
the server was started with (``newsbrief serve --embed-origin``): a reader can never make the
server fetch any other host. Concurrent first requests for one URL cause one fetch.

An article the element brought in (source ``embed``) is fetched again once it has not been
checked for ``recheck_seconds``: a page whose text changed (a new content hash) replaces the
stored text, so its summary is computed afresh; an unchanged page keeps its summaries.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection
from typing import Any
from urllib.parse import urlsplit

from newsbrief import service
from newsbrief.errors import (
    FetchError,
    InputError,
    InvalidOptions,
    NewsbriefError,
    OriginNotAllowed,
)
from newsbrief.models import SummaryOptions
from newsbrief.storage import Store, StoredArticle, canonical_url, content_hash

__all__ = [
    "EMBED_SOURCE",
    "PageChecks",
    "embed_snippet",
    "origin_of",
    "page_summary",
    "parse_origin",
]

log = logging.getLogger("newsbrief.embed")

#: The ``source`` of an article stored because an embedded button asked for it.
EMBED_SOURCE = "embed"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(scheme: str, host: str, port: int | None) -> str:
    host = host.lower().rstrip(".")
    # Browsers send IDN hosts as punycode; an IPv6 literal or an odd name stays as given.
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    if ":" in host:
        host = f"[{host}]"
    default = _DEFAULT_PORTS.get(scheme)
    return f"{scheme}://{host}" if port in (None, default) else f"{scheme}://{host}:{port}"


def origin_of(url: str) -> str:
    """Return the origin of an http(s) URL as a browser writes it: ``https://host[:port]``.

    Raises:
        InputError: not a well-formed http(s) URL (``newsbrief.fetch.parse_url``).
    """
    from newsbrief.fetch import parse_url

    parts = parse_url(url.strip())
    assert parts.hostname is not None  # parse_url refuses a URL without a host
    return _origin(parts.scheme.lower(), parts.hostname, parts.port)


def parse_origin(value: str) -> str:
    """Return an ``--embed-origin`` value as an origin (``https://news.example.org``).

    Raises:
        InvalidOptions: not ``http(s)://host[:port]`` (a path, query or user name is refused:
            an origin is a scheme, a host and a port, nothing else).
    """
    text = value.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidOptions(f"--embed-origin {value!r}: not a valid origin ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise InvalidOptions(
            f"--embed-origin {value!r}: give the publisher's origin as "
            "http(s)://host[:port], e.g. https://news.example.org"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise InvalidOptions(
            f"--embed-origin {value!r}: an origin has no path, query or user name; "
            f"give {_origin(scheme, parts.hostname, port)}"
        )
    return _origin(scheme, parts.hostname, port)


def embed_snippet(server_url: str) -> str:
    """Return the HTML a publisher adds to an article template for a server at ``server_url``.

    Raises:
        InvalidOptions: ``server_url`` is not an http(s) URL.
    """
    parts = urlsplit(server_url.strip())
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.netloc:
        raise InvalidOptions(
            f"the server's URL must be http(s)://host[:port] (got {server_url!r}), "
            "e.g. https://summaries.example.org"
        )
    base = server_url.strip().rstrip("/")
    return (
        "<!-- once per page, e.g. in <head> -->\n"
        f'<script src="{base}/embed.js" defer></script>\n'
        "<!-- where the button goes: above the article, below it, or both -->\n"
        "<newsbrief-summary></newsbrief-summary>\n"
    )


class PageChecks:
    """When each embed-fetched URL was last fetched by this process (an LRU of timestamps).

    A process that starts again checks each page once more, which costs one fetch per page.
    """

    def __init__(self, size: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._size = size
        self._clock = clock
        self._items: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def due(self, key: str, every: float) -> bool:
        """Return True when ``key`` was not checked within the last ``every`` seconds."""
        with self._lock:
            last = self._items.get(key)
        return last is None or self._clock() - last >= every

    def checked(self, key: str) -> None:
        """Record that ``key`` was fetched now."""
        with self._lock:
            self._items[key] = self._clock()
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_FETCH_LOCKS = service.KeyedLocks()


def _allowed(url: str, origins: Collection[str]) -> bool:
    return origin_of(url) in origins


def _refused(url: str, origins: Collection[str]) -> OriginNotAllowed:
    where = ", ".join(sorted(origins)) if origins else "none are configured"
    return OriginNotAllowed(
        f"{url}: newsbrief has no summary of this page, and fetches pages only from the "
        f"origins given with --embed-origin ({where})"
    )


def _fetch_article(
    url: str,
    *,
    origins: Collection[str],
    allow_private_networks: bool,
    fetcher: service.Fetcher | None,
) -> Any:
    fetch = fetcher or service.default_fetcher()
    page = fetch(url, allow_private_networks=allow_private_networks)
    final = page.final_url or page.url
    if not _allowed(final, origins):
        # A redirect off the publisher's site: never store another host's page under it.
        raise _refused(final, origins)
    return service.article_from_page(page)


def page_summary(
    store: Store,
    url: str,
    options: SummaryOptions,
    *,
    origins: Collection[str],
    allow_private_networks: bool = False,
    fetcher: service.Fetcher | None = None,
    checks: PageChecks | None = None,
    recheck_seconds: float = 0,
    admit: Callable[[], None] | None = None,
    replaced: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Return the summary of the page at ``url`` for the embeddable button.

    A stored article (its canonical URL matches) is answered from the store, whatever its
    origin. An unknown URL is fetched, extracted and stored only when its origin, and the
    origin it redirects to, is one of ``origins``. With ``checks`` and ``recheck_seconds``,
    an article this function stored is fetched again when it has not been checked for that
    long, and its text replaced when it changed. ``admit`` is called before any work a
    reader causes (a fetch or an uncached summary), so a rate limit can refuse it by
    raising a NewsbriefError; an answer from the store's summary cache never calls it.
    ``replaced`` is called with the article's id when a re-fetch replaced its text.

    Returns:
        ``Summary.to_dict()`` plus ``article_id`` and ``cached`` (as ``summarize_stored``).

    Raises:
        InputError: ``url`` is not a well-formed http(s) URL.
        OriginNotAllowed: the page is not stored and its origin is not in ``origins``.
        FetchError, NoArticleText, ...: the page could not be fetched or has no article.
        The errors of ``service.summarize_stored`` and of ``admit``.
    """
    origin_of(url)  # refuses a malformed URL with the fetcher's message
    key = canonical_url(url)
    stored = store.find_article_by_url(url)
    if stored is None:
        if not _allowed(url, origins):
            raise _refused(url, origins)
        with _FETCH_LOCKS.hold(key):
            # Whoever held the lock before us may have stored it: one fetch per URL.
            stored = store.find_article_by_url(url)
            if stored is None:
                if admit is not None:
                    admit()
                article = _fetch_article(
                    url,
                    origins=origins,
                    allow_private_networks=allow_private_networks,
                    fetcher=fetcher,
                )
                stored, _ = store.add_article(article, source=EMBED_SOURCE)
                if checks is not None:
                    checks.checked(key)
    elif (
        checks is not None
        and recheck_seconds > 0
        and stored.source == EMBED_SOURCE
        and _allowed(url, origins)
        and checks.due(key, recheck_seconds)
    ):
        before = stored.content_hash
        stored = _recheck(
            store,
            stored,
            url,
            key,
            origins=origins,
            allow_private_networks=allow_private_networks,
            fetcher=fetcher,
            checks=checks,
            recheck_seconds=recheck_seconds,
            admit=admit,
        )
        if replaced is not None and stored.content_hash != before:
            replaced(stored.id)
    if admit is not None and store.get_cached_summary(service.summary_key(stored, options)) is None:
        admit()
    return service.summarize_stored(store, stored.id, options)


def _recheck(
    store: Store,
    stored: StoredArticle,
    url: str,
    key: str,
    *,
    origins: Collection[str],
    allow_private_networks: bool,
    fetcher: service.Fetcher | None,
    checks: PageChecks,
    recheck_seconds: float,
    admit: Callable[[], None] | None,
) -> StoredArticle:
    """Fetch a stored embed page again; store its new text when it changed."""
    with _FETCH_LOCKS.hold(key):
        if not checks.due(key, recheck_seconds):  # another request just checked it
            return store.get_article(stored.id)
        try:
            if admit is not None:
                admit()
            article = _fetch_article(
                url,
                origins=origins,
                allow_private_networks=allow_private_networks,
                fetcher=fetcher,
            )
        except NewsbriefError as exc:
            # The stored summary still answers; the page is tried again after the interval
            # (or, when a rate limit refused the work, on the next request).
            if not isinstance(exc, (FetchError, InputError)):
                return stored
            log.warning("re-checking %s failed: %s: %s", url, exc.code, exc)
            checks.checked(key)
            return stored
        checks.checked(key)
        if content_hash(article.text) == stored.content_hash:
            return stored
        return store.replace_article(stored.id, article)
