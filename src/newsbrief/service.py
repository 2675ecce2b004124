"""The library calls the web app (and CLI) make on stored articles.

``add_article_from`` turns a URL, pasted HTML or pasted text into a stored article;
``summarize_stored`` summarizes a stored article through the summary cache, computing each
uncached summary once even when many requests ask for it at the same moment.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from newsbrief import metrics, summarizers
from newsbrief.errors import BackendError, EmptyInput, FetchTimeout, InputTooLarge, InvalidOptions
from newsbrief.models import DEFAULT_SENTENCES, Article, SummaryOptions
from newsbrief.settings import SUMMARY_LENGTHS
from newsbrief.storage import (
    Feed,
    Store,
    StoredArticle,
    SummaryKey,
    length_key,
    registrable_domain,
)
from newsbrief.textutil import check_text

if TYPE_CHECKING:
    from newsbrief.fetch import FetchedPage

__all__ = [
    "Fetcher",
    "KeyedLocks",
    "add_article_from",
    "article_from",
    "article_from_page",
    "default_fetcher",
    "delete_article",
    "edit_article",
    "is_lasting",
    "page_key_url",
    "server_message",
    "subscribe",
    "summarize_source",
    "summarize_stored",
    "summary_key",
    "unsubscribe",
]


#: Something that fetches like ``newsbrief.fetch.fetch``: called as
#: ``fetcher(url, allow_private_networks=..., [content_types=...])``, returning a FetchedPage.
#: Tests pass e.g. ``functools.partial(fetch, timeout=1.0)``.
Fetcher = Callable[..., "FetchedPage"]


def default_fetcher() -> Fetcher:
    """Return ``newsbrief.fetch.fetch`` (imported on first use: it pulls in httpx)."""
    from newsbrief.fetch import fetch

    return fetch


# --- adding articles -------------------------------------------------------------------------


def page_key_url(claimed: str | None, fetched: str) -> str:
    """Return the URL a fetched page is stored under: the URL it claims, if it may claim it.

    A page names its own URL (``<link rel="canonical">``, ``og:url``), which merges the
    copies of one story reached through tracking links, AMP or mobile hosts. It may only
    claim a URL on the registrable domain it was fetched from (``registrable_domain``): a
    page on ``attacker.example`` naming ``news.example/story`` would otherwise be stored
    under that story's URL, and adding the real URL later would return the forgery.
    """
    if not claimed or claimed == fetched:
        return fetched
    domain = registrable_domain(fetched)
    if domain is None or registrable_domain(claimed) != domain:
        return fetched
    return claimed


def article_from_page(page: FetchedPage) -> Article:
    """Extract the article from a fetched page, stored under ``page_key_url``.

    Its URL is the page's final URL (after redirects), or the canonical URL the page names
    when that is on the same registrable domain.

    Raises:
        NoArticleText, EmptyInput, UndecodableInput, InputTooLarge: not an article page.
    """
    from newsbrief.extract import extract

    fetched = page.final_url or page.url
    article = extract(page.body, url=fetched, content_type=page.content_type)
    url = page_key_url(article.url, fetched)
    return article if url == article.url else dataclasses.replace(article, url=url)


def _check_source(url: str | None, html: str | None, text: str | None) -> str:
    for name, value in (("url", url), ("html", html), ("text", text)):
        if isinstance(value, str):
            check_text(value, f"the {name}")
    given = [name for name, value in (("html", html), ("text", text)) if value is not None]
    if len(given) > 1:
        raise InvalidOptions("give only one of html or text (got html, text)")
    if given:
        return given[0]
    if url is None or not url.strip():
        raise InvalidOptions("give a url, html or text")
    return "url"


def article_from(
    *,
    url: str | None = None,
    html: str | None = None,
    text: str | None = None,
    title: str | None = None,
    allow_private_networks: bool = False,
    fetcher: Fetcher | None = None,
) -> tuple[Article, str]:
    """Build the Article a user handed over: fetched ``url``, pasted ``html`` or ``text``.

    With ``html`` or ``text``, ``url`` only says where it came from (no fetch). ``title``
    names a pasted text, and overrides an extracted title.

    Returns:
        ``(article, source)`` with source "url", "html" or "text".

    Raises:
        InvalidOptions: neither or both of ``html``/``text``, and no ``url``.
        EmptyInput: the pasted HTML or text is empty.
        InvalidText: a field holds a lone surrogate (a code point that is not a character).
        FetchError (and subclasses such as BlockedAddress): the URL could not be fetched.
        NoArticleText, UnsupportedContentType, InputTooLarge: the page is not an article.
    """
    source = _check_source(url, html, text)
    if title is not None:
        check_text(title, "the title")
    if text is not None:
        from newsbrief.ingest import text_article

        # The same cleaning as the CLI: furniture lines dropped, a headline line split off.
        article = text_article(text, title=title, url=url.strip() if url else None)
    elif html is not None:
        if not html.strip():
            raise EmptyInput("the HTML is empty" if not html else "the HTML is only whitespace")
        from newsbrief.extract import extract

        given = url.strip() if url else None
        article = extract(html, url=given)
        # The URL a pasted page names (its canonical link, og:url, what its <base href> makes
        # of them) is unverified: only the URL the user gave, if any, is the article's.
        if article.url != given:
            article = dataclasses.replace(article, url=given)
    else:
        assert url is not None
        fetch = fetcher or default_fetcher()
        article = article_from_page(
            fetch(url.strip(), allow_private_networks=allow_private_networks)
        )
    if title and article.title != title:
        article = dataclasses.replace(article, title=title)
    return article, source


def add_article_from(
    store: Store,
    *,
    url: str | None = None,
    html: str | None = None,
    text: str | None = None,
    title: str | None = None,
    allow_private_networks: bool = False,
    fetcher: Fetcher | None = None,
) -> tuple[StoredArticle, bool]:
    """Store the article given by ``url`` (fetched), ``html`` or ``text`` (see ``article_from``).

    A ``url`` whose canonical form is already stored is not fetched again.

    Returns:
        ``(stored, created)``; ``created`` is False when the article was already stored
        (same canonical URL or same text).

    Raises:
        The errors of ``article_from``.
    """
    if _check_source(url, html, text) == "url":
        assert url is not None
        existing = store.find_article_by_url(url.strip())
        if existing is not None:
            return existing, False
    article, source = article_from(
        url=url,
        html=html,
        text=text,
        title=title,
        allow_private_networks=allow_private_networks,
        fetcher=fetcher,
    )
    return store.add_article(article, source=source)


def summarize_source(
    *,
    url: str | None = None,
    html: str | None = None,
    text: str | None = None,
    title: str | None = None,
    options: SummaryOptions,
    allow_private_networks: bool = False,
    fetcher: Fetcher | None = None,
) -> dict[str, Any]:
    """Summarize an article given by ``url``, ``html`` or ``text`` without storing it.

    Returns ``Summary.to_dict()`` plus ``cached: False``.

    Raises:
        The errors of ``article_from`` and of ``newsbrief.pipeline.summarize``.
    """
    from newsbrief.formatting import summary_dict
    from newsbrief.pipeline import summarize

    article, _ = article_from(
        url=url,
        html=html,
        text=text,
        title=title,
        allow_private_networks=allow_private_networks,
        fetcher=fetcher,
    )
    return {**summary_dict(summarize(article, options=options), options.format), "cached": False}


#: The fields of a stored article an editor may change (``edit_article``).
EDITABLE_FIELDS = ("title", "text", "author", "date", "url", "description", "language")


def edit_article(store: Store, article_id: int, changes: Mapping[str, str | None]) -> StoredArticle:
    """Change the fields ``changes`` names of a stored article (an editor's edit).

    A field not named keeps its value; a blank one (other than the text) is cleared. The
    article's summaries are computed again from the new text when next asked for.

    Raises:
        InvalidOptions: a field that cannot be edited, or a URL that is not http(s).
        EmptyInput: the new text is empty.
        NotFound: no such article.
        Conflict: another stored article has the new text or URL.
    """
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidOptions(
            f"cannot edit {', '.join(unknown)}; editable fields: {', '.join(EDITABLE_FIELDS)}"
        )
    # A browser's textarea sends CRLF line ends; stored text has one paragraph per "\n" line.
    cleaned = {
        k: (v.replace("\r\n", "\n").strip() if v is not None else None) for k, v in changes.items()
    }
    fields: dict[str, Any] = {k: (v or None) for k, v in cleaned.items() if k != "text"}
    if "text" in cleaned:
        fields["text"] = cleaned["text"] or ""
    if fields.get("url"):
        from newsbrief.storage import canonical_url

        canonical_url(str(fields["url"]))  # InvalidOptions unless an absolute http(s) URL
    stored = store.get_article(article_id)
    return store.update_article(article_id, dataclasses.replace(stored.article, **fields))


def delete_article(store: Store, article_id: int) -> None:
    """Delete a stored article and its cached summaries.

    Raises:
        NotFound: no such article.
    """
    store.delete_article(article_id)


def unsubscribe(store: Store, feed_id: int) -> None:
    """Remove the feed ``feed_id``; the articles it brought in stay stored.

    Raises:
        NotFound: no feed with that id.
    """
    store.delete_feed(feed_id)


@dataclasses.dataclass(frozen=True)
class Subscription:
    """The outcome of ``subscribe``."""

    feed: Feed
    #: False when the feed was already subscribed to.
    created: bool
    #: The web page given, when the feed subscribed to is the one that page names.
    page: str | None = None

    def notice(self) -> str | None:
        """Return what to tell the user when the URL given was a page and not its feed."""
        if self.page is None:
            return None
        return f"{self.page} is a web page; subscribed to the feed it names: {self.feed.url}"


def subscribe(
    store: Store,
    url: str,
    *,
    title: str | None = None,
    allow_private_networks: bool = False,
    fetcher: Fetcher | None = None,
) -> Subscription:
    """Subscribe to the RSS/Atom feed at ``url`` (its items arrive on the next refresh).

    The URL is fetched first (``newsbrief.feeds.find_feed``): a feed is subscribed to; a web
    page that names its feed gives that feed instead; anything else is refused, so no
    subscription is left failing on every refresh.

    Raises:
        InvalidOptions: not an absolute http(s) URL.
        InvalidText: the URL or title holds a lone surrogate.
        NotAFeed: a page that names no readable feed, or other content.
        FetchError: the URL could not be fetched (or the SSRF guard refused it).
    """
    from newsbrief.feeds import find_feed

    if not url.strip():
        raise InvalidOptions("give the feed's URL")
    check_text(url, "the url")
    if title is not None:
        check_text(title, "the title")
    found = find_feed(url.strip(), allow_private_networks=allow_private_networks, fetcher=fetcher)
    name = title.strip() if title and title.strip() else None
    feed, created = store.add_feed(found.url, title=name or found.title)
    return Subscription(feed=feed, created=created, page=found.page)


def server_message(exc: BaseException) -> str:
    """Return ``str(exc)`` as a server shows it: without hints to options it does not have.

    A size limit's hint (``--max-bytes``, ``max_bytes=``) and a fetch timeout's (``--timeout``)
    are true of the CLI and the Python functions; a server (the site, the API, a feed refresh)
    has no such option (its body limit, --max-body-bytes, is another limit; its fetch time
    limit is --fetch-timeout).
    """
    if isinstance(exc, (InputTooLarge, FetchTimeout)):
        return exc.without_hint
    return str(exc)


# --- summarizing stored articles -------------------------------------------------------------


class KeyedLocks:
    """One lock per key, created on demand and dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[Any, tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, key: Any) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        with self._guard:
            return len(self._locks)


_SUMMARY_LOCKS = KeyedLocks()


def summary_key(stored: StoredArticle, options: SummaryOptions) -> SummaryKey:
    """Return the cache key of ``stored`` summarized with ``options`` (see ``variant_key``).

    Raises:
        UnknownSummarizer: the method is not registered.
        InvalidOptions, BackendError: an abstractive method's backend cannot be set up.
    """
    return SummaryKey(stored.content_hash, *variant_key(options))


def variant_key(options: SummaryOptions) -> tuple[str, str, str]:
    """Return the part of a summary's cache key ``options`` decide: ``(method, length, format)``.

    The method part is the resolved method name (``default`` -> the method it stands for),
    extended with any language or backend settings, since those change the summary too, and,
    for an abstractive method, with its model's identity (endpoint and model name, or model
    path) however it was chosen: an environment variable such as ``NEWSBRIEF_LLM_MODEL`` too.

    Raises:
        UnknownSummarizer: the method is not registered.
        InvalidOptions, BackendError: an abstractive method's backend cannot be set up.
    """
    method = summarizers.resolve(options.method)
    extras = []
    if summarizers.describe(method).kind == "abstractive":
        # Building the backend reads no model and calls no endpoint; instances are kept.
        backend = summarizers.get(method, **dict(options.config))
        identity = getattr(backend, "model_identity", None)
        if identity:
            extras.append("model=" + hashlib.sha256(str(identity).encode()).hexdigest()[:16])
    if options.language:
        extras.append(f"language={options.language}")
    if options.summary_language:
        extras.append(f"summary_language={options.summary_language}")
    if options.config:
        config = json.dumps(sorted(options.config), default=str)
        extras.append("config=" + hashlib.sha256(config.encode()).hexdigest()[:16])
    if extras:
        method = ";".join([method, *extras])
    return method, length_key(options.length), options.format


def is_lasting(summary: dict[str, Any]) -> bool:
    """Return False for a summary that stands in for a backend that failed, else True.

    Such a summary (``info.fallback.error``) is not cached: the backend may answer next time.
    """
    fallback = (summary.get("info") or {}).get("fallback")
    return not (isinstance(fallback, dict) and fallback.get("error"))


#: Lengths of the summaries the site and the API ask for by default (the button's short,
#: medium and long; the API's 3 sentences). Those are always stored.
CANONICAL_SENTENCES = frozenset({*SUMMARY_LENGTHS.values(), DEFAULT_SENTENCES})
#: Stored summaries per article text past which no other variant is stored: any ``words=``,
#: ``ratio=`` or other sentence count is computed and answered, but not kept (see
#: docs/storage.md for what that bounds).
MAX_STORED_VARIANTS = 24


def is_canonical(options: SummaryOptions) -> bool:
    """Return True for a summary length that is always stored (``CANONICAL_SENTENCES``)."""
    length = options.length
    return length.words is None and length.ratio is None and length.sentences in CANONICAL_SENTENCES


def summarize_stored(
    store: Store,
    article_id: int,
    options: SummaryOptions,
    *,
    on_miss: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Return the summary of a stored article, from the cache when it holds one.

    On a miss the summary is computed with ``newsbrief.pipeline.summarize`` and cached (unless
    it is an extractive fallback for a failed backend: see ``is_lasting``; and a length that is
    not canonical only while the text has fewer than ``MAX_STORED_VARIANTS`` summaries stored,
    so no one can fill the store with variants of one article); concurrent misses for the same
    key wait for the first one instead of computing again: in this process, and in other
    processes on the same store as far as ``Store.summary_lock`` reaches. The
    result is ``Summary.to_dict()`` plus ``article_id`` and ``cached`` (True when this call did
    not compute it).

    ``on_miss`` is called when the cache holds no such summary, before anything is computed
    or waited for: a server charges the client's rate limit there, and what it raises
    (``RateLimited``) propagates.

    Raises:
        NotFound: no article with that id.
        UnknownSummarizer, InvalidOptions: bad options.
        NoArticleText, BackendError: the article cannot be summarized by that method.
    """
    stored = store.get_article(article_id)
    key = summary_key(stored, options)
    cached = store.get_cached_summary(key)
    if cached is None:
        if on_miss is not None:
            on_miss()
        with _SUMMARY_LOCKS.hold(key), store.summary_lock(key):
            cached = store.get_cached_summary(key)
            if cached is None:
                computed = _compute(stored.article, options)
                if is_lasting(computed):
                    limit = None if is_canonical(options) else MAX_STORED_VARIANTS
                    computed = store.put_cached_summary(key, computed, max_variants=limit)
                return {**computed, "article_id": stored.id, "cached": False}
    metrics.count_cache("hit_store")
    return {**cached, "article_id": stored.id, "cached": True}


def _compute(article: Article, options: SummaryOptions) -> dict[str, Any]:
    """Summarize ``article`` (a cache miss), recording the time and any backend failure."""
    from newsbrief.formatting import summary_dict
    from newsbrief.pipeline import summarize

    metrics.count_cache("miss")
    started = time.perf_counter()
    try:
        computed = summary_dict(summarize(article, options=options), options.format)
    except BackendError as exc:
        metrics.count_llm_error(options.method, exc.code)
        raise
    metrics.observe_compute(options.method, time.perf_counter() - started)
    fallback = (computed.get("info") or {}).get("fallback")
    if isinstance(fallback, dict) and fallback.get("error"):
        metrics.count_llm_error(options.method, str(fallback["error"]))
    return computed
