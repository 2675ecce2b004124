"""RSS/Atom feeds: fetch a feed, ingest its new items, record what happened.

``refresh_feed`` fetches the feed through ``newsbrief.fetch`` (the SSRF guard applies to the
feed and to every item page), parses it with feedparser, takes at most ``max_items`` entries
(newest first), skips entries already ingested or repeated, then fetches and extracts each
item's page. An item whose page fails falls back to the text the feed itself carries when
that is long enough to be an article (its language detected, its site the feed's);
otherwise the failure is recorded and the rest go on. A feed that cannot be fetched or
parsed records its error; no stored article is ever removed (failures of entries the feed
no longer carries are forgotten).

``find_feed`` checks a URL before it is subscribed to: a feed is taken as it is; a web page
that names its feeds (``<link rel="alternate" type="application/rss+xml">``, Atom, JSON Feed)
gives the first of them that reads as a feed, as feed readers do; anything else is refused
with ``NotAFeed``, saying what the page is.

``FeedScheduler`` runs ``refresh_all`` every N minutes in a background thread.
"""

from __future__ import annotations

import calendar
import hashlib
import logging
import threading
import xml.sax
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from io import BytesIO
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from newsbrief.errors import InvalidOptions, NewsbriefError, NotAFeed
from newsbrief.extract import MIN_CHARS, NON_TEXT_TAGS
from newsbrief.models import Article
from newsbrief.service import Fetcher, article_from_page, default_fetcher, server_message
from newsbrief.storage import Store
from newsbrief.textutil import normalize_text

if TYPE_CHECKING:
    from newsbrief.fetch import FetchedPage

__all__ = [
    "DEFAULT_MAX_ITEMS",
    "FEED_TYPES",
    "FeedRefreshReport",
    "FeedScheduler",
    "FoundFeed",
    "entry_text",
    "feed_site",
    "find_feed",
    "not_a_feed",
    "refresh_all",
    "refresh_feed",
]

log = logging.getLogger(__name__)

#: Entries taken per refresh (newest first). News feeds carry 10-100 items; a refresh every
#: 30 minutes never sees more than 50 new ones on the feeds we tried, and a 300-item archive
#: feed is then ingested over several refreshes instead of in one burst of page fetches.
DEFAULT_MAX_ITEMS = 50
#: Item pages fetched at the same time. Small: a refresh should not hammer one site.
FETCH_WORKERS = 4
#: Media types a feed may be served as (text/html too: some servers label feeds wrongly, and
#: feedparser then reports whether it really is a feed).
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/feed+json",
        "text/html",
        "text/plain",
    }
)
#: Longest error text kept per failed item in a report's message.
_ERROR_CHARS = 300


@dataclass
class FeedRefreshReport:
    """What one refresh of one feed did."""

    feed_id: int
    url: str
    title: str | None = None
    #: Articles stored by this refresh.
    new: int = 0
    #: Entries already stored (same guid/link, same canonical URL or same text) or repeated.
    duplicates: int = 0
    #: Entries beyond ``max_items``, left for a later refresh.
    skipped: int = 0
    #: Of the new articles, how many were taken from the feed's own text (page fetch failed).
    from_feed_text: int = 0
    #: ``(item link or key, error message)`` for each entry that could not be ingested.
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: Ids of the articles stored by this refresh.
    new_ids: list[int] = field(default_factory=list)
    #: Why the feed itself could not be fetched or parsed (None when it was).
    error: str | None = None
    #: A problem that did not stop the refresh (malformed XML read leniently); it is
    #: recorded as the feed's ``last_error`` so it shows, while the items still count.
    warning: str | None = None

    @property
    def status(self) -> str:
        """Return the one-line account shown next to the feed, e.g. "3 new, 1 failed"."""
        if self.error is not None:
            return "refresh failed"
        parts = [f"{self.new} new", f"{self.duplicates} already stored"]
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.skipped:
            parts.append(f"{self.skipped} over the limit")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of the report."""
        return {
            "feed_id": self.feed_id,
            "url": self.url,
            "title": self.title,
            "new": self.new,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "from_feed_text": self.from_feed_text,
            "failed": [{"item": item, "error": error} for item, error in self.failed],
            "new_ids": self.new_ids,
            "error": self.error,
            "warning": self.warning,
            "status": self.status,
        }


class _TextFromHTML(HTMLParser):
    """Collects the text of an HTML fragment, one block element per line."""

    _BLOCKS = frozenset(
        {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "pre"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in NON_TEXT_TAGS:
            self._skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in NON_TEXT_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data.replace("\n", " "))


def entry_text(entry: Any) -> str:
    """Return the longest text a feed entry carries (content or summary), HTML stripped."""
    candidates = [c.get("value", "") for c in entry.get("content", []) or []]
    candidates.append(entry.get("summary", "") or "")
    best = ""
    for value in candidates:
        parser = _TextFromHTML()
        parser.feed(value)
        parser.close()
        text = normalize_text("".join(parser.parts))
        if len(text) > len(best):
            best = text
    return best


def _entry_time(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)


def _entry_key(entry: Any) -> str:
    key = entry.get("id") or entry.get("link")
    if key:
        return str(key)
    blob = f"{entry.get('title', '')}\n{entry.get('summary', '')}"
    return "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _newest_first(entries: Iterable[Any]) -> list[Any]:
    # Dated entries newest first; undated ones after them, in the feed's own order.
    numbered = list(enumerate(entries))
    dated = [(t, i, e) for i, e in numbered if (t := _entry_time(e)) is not None]
    dated.sort(key=lambda item: (-item[0].timestamp(), item[1]))
    undated = [e for _, e in numbered if _entry_time(e) is None]
    return [e for _, _, e in dated] + undated


def _short(exc: BaseException | str) -> str:
    text = (server_message(exc) if isinstance(exc, BaseException) else exc) or type(exc).__name__
    return text if len(text) <= _ERROR_CHARS else text[: _ERROR_CHARS - 1] + "…"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def feed_site(parsed_feed: Any, url: str) -> str | None:
    """Return the name of the site a feed belongs to: its title, else its link's host.

    Articles built from a feed entry's own text get it as their ``site``, as extracted
    pages get their site's name (or host).
    """
    title = (parsed_feed.get("title") or "").strip()
    if title:
        return title
    for link in (parsed_feed.get("link"), url):
        host = _host(link)
        if host:
            return host
    return None


def _host(url: Any) -> str | None:
    # As trafilatura names a page's site when it has no name: the host, "www." dropped.
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    host = host.removeprefix("www.")
    return f"{host}:{port}" if port else host


class _FeedLinks(HTMLParser):
    """Collects the feeds an HTML page names: ``<link rel="alternate" type="…rss+xml">``."""

    _TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/feed+json"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {k: (v or "") for k, v in attrs}
        rel = values.get("rel", "").lower().split()
        kind = values.get("type", "").split(";")[0].strip().lower()
        if "alternate" in rel and kind in self._TYPES and values.get("href", "").strip():
            self.hrefs.append(values["href"].strip())


#: Bytes of a page looked at to tell what it is (the feed links sit in the <head>).
_SNIFF_BYTES = 65536


def _page_kind(page: FetchedPage) -> tuple[str, str]:
    """Return what ``page`` starts as ("xml", "html" or "other") and the text of its start."""
    head = page.body[:_SNIFF_BYTES].decode("utf-8", "replace")
    start = head.lstrip("\ufeff \t\r\n")[:256].lower()
    media = (page.content_type or "").split(";")[0].strip().lower()
    if start.startswith(("<?xml", "<rss", "<feed", "<rdf")):
        return "xml", head
    if start.startswith(("<!doctype html", "<html")) or (
        media == "text/html" and "<html" in head[:4096].lower()
    ):
        return "html", head
    return "other", head


def _advertised_feeds(page: FetchedPage, head: str) -> list[str]:
    """Return the http(s) feed URLs an HTML page names in its <link rel="alternate">s."""
    links = _FeedLinks()
    links.feed(head)
    base = page.final_url or page.url
    return [
        link
        for link in dict.fromkeys(urljoin(base, href) for href in links.hrefs)
        if link.lower().startswith(("http://", "https://"))
    ]


def not_a_feed(page: FetchedPage, url: str, reason: str) -> str:
    """Return why ``page`` (which feedparser could not read) is not a feed, for its owner.

    An HTML page or a plain-text page is named as such (with the feeds an HTML page links
    to, when it names any); anything else gets feedparser's ``reason``.
    """
    media = (page.content_type or "").split(";")[0].strip().lower()
    kind, head = _page_kind(page)
    if kind == "html":
        found = _advertised_feeds(page, head)
        message = f"{url}: this is an HTML page, not an RSS/Atom feed"
        if found:
            named = "its feed" if len(found) == 1 else "its feeds"
            return f"{message}; the page names {named}: {', '.join(found[:3])}"
        return f"{message}; subscribe to the site's feed (often linked as RSS or Atom) instead"
    if kind == "other" and media == "text/plain":
        return f"{url}: this is a plain-text page, not an RSS/Atom feed"
    return f"{url}: not a readable RSS/Atom feed ({reason})"


@dataclass(frozen=True)
class FoundFeed:
    """The feed to subscribe to, found by ``find_feed``."""

    url: str
    #: The feed's own title, when it has one.
    title: str | None = None
    #: The web page that named the feed, when the URL given was a page and not the feed.
    page: str | None = None


def _parse(page: FetchedPage) -> Any:
    import feedparser

    return feedparser.parse(
        BytesIO(page.body),
        response_headers={
            "content-location": page.final_url,
            "content-type": page.content_type or "application/xml",
        },
    )


def _unreadable(parsed: Any) -> bool:
    """Return True when feedparser could not read a feed (refresh and subscribe agree)."""
    return bool(parsed.get("bozo")) and not parsed.entries


def find_feed(
    url: str, *, allow_private_networks: bool = False, fetcher: Fetcher | None = None
) -> FoundFeed:
    """Fetch ``url`` and return the feed to subscribe to.

    A feed is taken as it is. A web page that names its feeds in ``<link rel="alternate">``
    gives the first of them (at most three are tried) that fetches and reads as a feed, as
    feed readers do; ``FoundFeed.page`` then says which page named it.

    Raises:
        NotAFeed: the URL is a web page that names no readable feed, or other content (the
            message says which, and lists the feeds a page names).
        FetchError: the URL could not be fetched (or the SSRF guard refused it).
    """
    fetch = fetcher or default_fetcher()
    page = fetch(url, allow_private_networks=allow_private_networks, content_types=FEED_TYPES)
    parsed = _parse(page)
    if not _unreadable(parsed):
        return FoundFeed(url=url, title=(parsed.feed.get("title") or "").strip() or None)
    kind, head = _page_kind(page)
    if kind == "html":
        for link in _advertised_feeds(page, head)[:3]:
            try:
                named = fetch(
                    link, allow_private_networks=allow_private_networks, content_types=FEED_TYPES
                )
            except NewsbriefError:
                continue
            found = _parse(named)
            if not _unreadable(found):
                title = (found.feed.get("title") or "").strip() or None
                return FoundFeed(url=link, title=title, page=url)
    reason = _short(parsed.get("bozo_exception") or "no entries")
    raise NotAFeed(not_a_feed(page, url, reason))


@dataclass
class _Item:
    key: str
    link: str | None
    entry: Any
    article: Article | None = None
    error: str | None = None
    from_feed_text: bool = False


def _ingest_item(
    item: _Item, fetch: Fetcher, allow_private_networks: bool, site: str | None
) -> _Item:
    """Fetch and extract one entry's page, falling back to the feed's own text.

    ``site`` (the feed's, see ``feed_site``) names the site of an article built from the
    feed's text, and of an extracted one whose page did not name it.
    """
    entry = item.entry
    page_error: str | None = None
    if item.link and item.link.lower().startswith(("http://", "https://")):
        try:
            page = fetch(item.link, allow_private_networks=allow_private_networks)
            item.article = article_from_page(page)
        except NewsbriefError as exc:
            page_error = _short(exc)
        except Exception as exc:  # one broken page must not stop the feed; logged for a fix
            log.exception("unexpected error ingesting %s", item.link)
            page_error = f"unexpected error: {_short(exc)}"
    else:
        page_error = "the entry has no http(s) link"
    if item.article is None:
        text = entry_text(entry)
        if len(text) >= MIN_CHARS:
            # Imported here: it loads numpy, which importing newsbrief should not pay for.
            from newsbrief.language import detect_language

            # The language and site an extracted page would have had: detected, the feed's.
            item.article = Article(
                text=text, url=item.link, language=detect_language(text), site=site
            )
            item.from_feed_text = True
        else:
            item.error = (
                f"{page_error}; the feed's own text is {len(text)} characters, "
                f"below the minimum {MIN_CHARS}"
            )
            return item
    published = _entry_time(entry)
    article = item.article
    item.article = Article(
        text=article.text,
        title=article.title or (entry.get("title") or None),
        author=article.author or (entry.get("author") or None),
        date=article.date or (published.isoformat() if published else None),
        site=article.site or site,
        url=article.url or item.link,
        language=article.language,
        description=article.description,
    )
    return item


def refresh_feed(
    store: Store,
    feed_id: int,
    *,
    allow_private_networks: bool = False,
    fetcher: Fetcher | None = None,
    max_items: int = DEFAULT_MAX_ITEMS,
) -> FeedRefreshReport:
    """Fetch one feed and store its new items; record the outcome on the feed.

    The steps, each its own function: fetch and parse the feed (``_read_feed``), pick the
    entries not stored yet (``pick_new_items``), fetch and extract their pages in parallel
    (``_ingest_items``), store the articles (``_store_items``). Problems with the feed
    (unreachable, refused by the SSRF guard, not a feed) and with its items are recorded in the
    report and on the feed, never raised.

    Raises:
        NotFound: no feed with that id.
        StorageError: the database failed.
    """
    feed = store.get_feed(feed_id)
    report = FeedRefreshReport(feed_id=feed.id, url=feed.url, title=feed.title)
    fetch = fetcher or default_fetcher()
    try:
        page, parsed = _read_feed(feed.url, fetch, allow_private_networks)
    except NewsbriefError as exc:
        report.error = _short(exc)
        store.record_feed_fetch(feed.id, error=report.error, status=report.status)
        return report
    report.title = (parsed.feed.get("title") or "").strip() or feed.title
    site = feed_site(parsed.feed, page.final_url or feed.url)

    entries = _newest_first(parsed.entries)
    picked = pick_new_items(
        entries,
        already=store.feed_item_keys(feed.id),
        stored_article=lambda link: _stored_article_id(store, link),
        max_items=max_items,
    )
    report.duplicates += picked.duplicates
    report.skipped += picked.skipped
    for key, link, article_id in picked.linked:
        store.record_feed_item(feed.id, key, url=link, article_id=article_id, error=None)
    done = _ingest_items(picked.todo, fetch, allow_private_networks, site)
    _store_items(store, feed.id, done, report)
    report.warning = _malformed_warning(parsed, feed.url)
    # Failures of entries the feed no longer carries can never be retried: forget them, so
    # the failures listed are those of the feed as it is now.
    store.forget_feed_failures(feed.id, keep={_entry_key(e) for e in entries})
    store.record_feed_fetch(feed.id, error=report.warning, status=report.status, title=report.title)
    return report


def _read_feed(url: str, fetch: Fetcher, allow_private_networks: bool) -> tuple[FetchedPage, Any]:
    """Fetch the feed at ``url`` and parse it; return the page and feedparser's result.

    Raises:
        NewsbriefError: the fetch failed, or the answer is not a readable feed.
    """
    page = fetch(url, allow_private_networks=allow_private_networks, content_types=FEED_TYPES)
    parsed = _parse(page)
    if _unreadable(parsed):
        reason = _short(parsed.get("bozo_exception") or "no entries")
        raise NotAFeed(not_a_feed(page, url, reason))
    return page, parsed


def _malformed_warning(parsed: Any, url: str) -> str | None:
    """Return the warning for a feed whose XML is malformed but still had entries, else None."""
    if not isinstance(parsed.get("bozo_exception"), xml.sax.SAXException):
        return None
    # feedparser's lenient parser still found entries in malformed XML: use them, say so.
    readable = _plural(len(parsed.entries), "entry", "entries")
    return (
        f"{url}: the feed's XML is malformed ({_short(parsed['bozo_exception'])}); "
        f"{readable} could still be read"
    )


@dataclass
class PickedItems:
    """Which entries of a feed to ingest (``pick_new_items``)."""

    #: Entries to fetch and store, newest first, at most ``max_items``.
    todo: list[_Item] = field(default_factory=list)
    #: ``(key, link, article id)`` of entries whose link is an article already stored.
    linked: list[tuple[str, str, int]] = field(default_factory=list)
    #: Entries repeated in the feed, seen in an earlier refresh, or already stored.
    duplicates: int = 0
    #: New entries beyond ``max_items``, left for a later refresh.
    skipped: int = 0


def pick_new_items(
    entries: list[Any],
    *,
    already: set[str],
    stored_article: Callable[[str], int | None],
    max_items: int,
) -> PickedItems:
    """Return the entries to ingest: not repeated, not seen before, not stored, within the cap.

    ``already`` holds the keys of entries an earlier refresh recorded; ``stored_article`` gives
    the id of a stored article with that URL (or None). An entry repeated in the feed (same key
    or same link) counts once.
    """
    out = PickedItems()
    seen_keys: set[str] = set()
    seen_links: set[str] = set()
    for entry in entries:
        key = _entry_key(entry)
        link = (entry.get("link") or "").strip() or None
        if key in seen_keys or (link is not None and link in seen_links):
            out.duplicates += 1  # the same item twice in one feed
            continue
        seen_keys.add(key)
        if link is not None:
            seen_links.add(link)
        if key in already:
            out.duplicates += 1
            continue
        article_id = stored_article(link) if link else None
        if link is not None and article_id is not None:
            out.linked.append((key, link, article_id))
            out.duplicates += 1
            continue
        if len(out.todo) >= max_items:
            out.skipped += 1
            continue
        out.todo.append(_Item(key=key, link=link, entry=entry))
    return out


def _stored_article_id(store: Store, url: str) -> int | None:
    existing = store.find_article_by_url(url)
    return existing.id if existing is not None else None


def _ingest_items(
    todo: list[_Item], fetch: Fetcher, allow_private_networks: bool, site: str | None
) -> list[_Item]:
    """Fetch and extract every item's page, ``FETCH_WORKERS`` at a time (``_ingest_item``)."""
    with ThreadPoolExecutor(max_workers=FETCH_WORKERS, thread_name_prefix="feed") as pool:
        return list(
            pool.map(lambda item: _ingest_item(item, fetch, allow_private_networks, site), todo)
        )


def _store_items(store: Store, feed_id: int, done: list[_Item], report: FeedRefreshReport) -> None:
    """Store the articles of ingested items and record every item's outcome on the feed."""
    for item in done:
        if item.article is None:
            error = item.error or "could not be ingested"
            report.failed.append((item.link or item.key, error))
            store.record_feed_item(feed_id, item.key, url=item.link, article_id=None, error=error)
            continue
        try:
            stored, created = store.add_article(
                item.article, source=f"feed:{feed_id}", feed_id=feed_id
            )
        except NewsbriefError as exc:
            error = _short(exc)
            report.failed.append((item.link or item.key, error))
            store.record_feed_item(feed_id, item.key, url=item.link, article_id=None, error=error)
            continue
        store.record_feed_item(feed_id, item.key, url=item.link, article_id=stored.id, error=None)
        if created:
            report.new += 1
            report.new_ids.append(stored.id)
            report.from_feed_text += item.from_feed_text
        else:
            report.duplicates += 1


def refresh_all(
    store: Store,
    *,
    allow_private_networks: bool = False,
    fetcher: Fetcher | None = None,
    max_items: int = DEFAULT_MAX_ITEMS,
) -> list[FeedRefreshReport]:
    """Refresh every subscribed feed, one after another; one feed's failure stops no other."""
    reports = []
    for feed in store.list_feeds():
        try:
            reports.append(
                refresh_feed(
                    store,
                    feed.id,
                    allow_private_networks=allow_private_networks,
                    fetcher=fetcher,
                    max_items=max_items,
                )
            )
        except NewsbriefError as exc:  # e.g. the feed was deleted meanwhile, a storage hiccup
            log.warning("refreshing feed %s failed: %s", feed.url, exc)
            reports.append(FeedRefreshReport(feed_id=feed.id, url=feed.url, error=_short(exc)))
    return reports


class FeedScheduler:
    """Refresh all feeds every ``minutes`` in a daemon thread, until ``stop()``.

    ``store_factory`` is called once per round and the store closed after it, so the thread
    never shares connections with the caller (pass e.g. ``lambda: open_store(url)``).
    """

    def __init__(
        self,
        store_factory: Callable[[], Store],
        minutes: float,
        *,
        allow_private_networks: bool = False,
        fetcher: Fetcher | None = None,
        max_items: int = DEFAULT_MAX_ITEMS,
        run_at_start: bool = True,
        on_round: Callable[[list[FeedRefreshReport]], None] | None = None,
    ) -> None:
        if minutes <= 0:
            raise InvalidOptions(f"the refresh interval must be positive (got {minutes} minutes)")
        self.interval_s = minutes * 60.0
        self._factory = store_factory
        self._kwargs: dict[str, Any] = {
            "allow_private_networks": allow_private_networks,
            "fetcher": fetcher,
            "max_items": max_items,
        }
        self._run_at_start = run_at_start
        self._on_round = on_round
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: Completed rounds (for status pages and tests).
        self.rounds = 0

    def run_once(self) -> list[FeedRefreshReport]:
        """Run one round now, in the calling thread."""
        store = self._factory()
        try:
            reports = refresh_all(store, **self._kwargs)
        finally:
            store.close()
        self.rounds += 1
        if self._on_round is not None:
            self._on_round(reports)
        return reports

    def _loop(self) -> None:
        if not self._run_at_start and self._stop.wait(self.interval_s):
            return
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # one bad round (database down...) must not end the schedule
                log.exception("scheduled feed refresh failed")
            if self._stop.wait(self.interval_s):
                return

    def start(self) -> None:
        """Start the background thread (once)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="feed-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 30.0) -> None:
        """Ask the thread to stop and wait for it (a round in progress finishes first)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
