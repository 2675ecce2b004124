"""What every store holds and offers: the record types, the ``Store`` protocol, and the
normalisations (canonical URL, content hash, search terms) both backends share."""

from __future__ import annotations

import contextlib
import hashlib
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, NamedTuple, Protocol, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from newsbrief.errors import InvalidOptions
from newsbrief.models import Article, Length
from newsbrief.storage.credentials import CredentialStore
from newsbrief.storage.limits import LimitStore

T = TypeVar("T")

#: Largest page ``list_articles`` serves; a bigger ``limit`` is an InvalidOptions error.
MAX_PAGE_SIZE = 500
#: Largest id a stored article or feed can have. The id columns are ``sa.Integer``: 32-bit
#: on PostgreSQL, 64-bit on SQLite (whose autoincrement would need 2**31 rows to pass this).
MAX_ID = 2**31 - 1
#: Largest ``offset`` ``list_articles`` takes: no table holds more rows than ids; past it the
#: databases fail instead (SQLite: OverflowError beyond 2**63 - 1), so a bigger offset is an
#: InvalidOptions error.
MAX_OFFSET = MAX_ID


@dataclass(frozen=True)
class StoredArticle:
    """An article as stored, with its id and bookkeeping."""

    id: int
    article: Article
    #: sha256 (hex) of the whitespace-normalised, lower-cased text: see ``content_hash``.
    content_hash: str
    canonical_url: str | None
    #: How it arrived: "url", "html", "text", "feed:<id>" or "demo".
    source: str
    feed_id: int | None
    #: When it was stored (UTC).
    created_at: datetime
    #: The article's own date, parsed from ``article.date`` (UTC), when it had one.
    published_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (the article's fields plus the bookkeeping)."""
        return {
            "id": self.id,
            **self.article.to_dict(),
            "content_hash": self.content_hash,
            "canonical_url": self.canonical_url,
            "source": self.source,
            "feed_id": self.feed_id,
            "created_at": self.created_at.isoformat(),
            "published_at": self.published_at.isoformat() if self.published_at else None,
        }


@dataclass(frozen=True)
class Feed:
    """A subscribed RSS/Atom feed and the outcome of its last refresh."""

    id: int
    url: str
    title: str | None
    created_at: datetime
    last_fetched_at: datetime | None
    last_error: str | None
    #: A short account of the last refresh, e.g. "12 new, 3 already stored, 1 failed".
    last_status: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of the feed."""
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "created_at": self.created_at.isoformat(),
            "last_fetched_at": self.last_fetched_at.isoformat() if self.last_fetched_at else None,
            "last_error": self.last_error,
            "last_status": self.last_status,
        }


@dataclass(frozen=True)
class FeedItem:
    """One feed entry seen by a refresh: ingested (``article_id``) or failed (``error``)."""

    feed_id: int
    key: str
    url: str | None
    article_id: int | None
    error: str | None
    seen_at: datetime


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing: its items, the total count, and where it starts."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


class SummaryKey(NamedTuple):
    """The summary cache key: same article text, method, length and format -> same summary."""

    content_hash: str
    method: str
    length_key: str
    format: str


class Store(CredentialStore, LimitStore, Protocol):
    """The storage interface the service layer, feeds and web app use (SQLite or PostgreSQL)."""

    url: str

    def add_article(
        self, article: Article, *, source: str, feed_id: int | None = None
    ) -> tuple[StoredArticle, bool]:
        """Store ``article`` unless its canonical URL or content hash is already stored.

        Returns ``(stored, created)``; ``created`` is False when an existing article was found.
        """
        ...

    def replace_article(self, article_id: int, article: Article) -> StoredArticle:
        """Replace the stored text and metadata of ``article_id`` (its new content hash too).

        Raises NotFound, EmptyInput, or StorageError when another article has that text/URL.
        """
        ...

    def get_article(self, article_id: int) -> StoredArticle:
        """Return the article with ``article_id``; raise NotFound."""
        ...

    def update_article(self, article_id: int, article: Article) -> StoredArticle:
        """Replace an article's fields; raise NotFound, or Conflict (another has its text/URL)."""
        ...

    def delete_article(self, article_id: int) -> None:
        """Delete an article (its feed entry stays remembered); raise NotFound."""
        ...

    def find_article_by_url(self, url: str) -> StoredArticle | None:
        """Return the article whose canonical URL matches ``url``'s, if any."""
        ...

    def list_articles(
        self, *, limit: int = 20, offset: int = 0, query: str | None = None
    ) -> Page[StoredArticle]:
        """Return a page of articles, newest first, optionally matching a full-text ``query``."""
        ...

    def neighbours(self, article_id: int) -> tuple[StoredArticle | None, StoredArticle | None]:
        """Return ``(previous, next)``: the next older and next newer article in list order."""
        ...

    def get_cached_summary(self, key: SummaryKey) -> dict[str, Any] | None:
        """Return the cached summary for ``key``, or None."""
        ...

    def put_cached_summary(
        self,
        key: SummaryKey,
        summary: Mapping[str, Any],
        *,
        max_variants: int | None = None,
        replace: bool = False,
    ) -> dict[str, Any]:
        """Insert ``summary`` under ``key`` unless present; return the stored value.

        With ``max_variants``, a new summary is only inserted while the article text
        (``key.content_hash``) has fewer stored summaries than that; otherwise ``summary`` is
        returned as given, not stored. With ``replace`` a stored value is overwritten.
        """
        ...

    def article_ids(self, *, since: datetime | None = None) -> list[int]:
        """Return the ids of the articles stored at or after ``since``, oldest first."""
        ...

    def articles_missing_summaries(
        self, variants: Sequence[tuple[str, str, str]], *, limit: int
    ) -> list[int]:
        """Return up to ``limit`` ids, newest first, of articles lacking a summary ``variants``
        names (each a key's ``(method, length_key, format)``)."""
        ...

    def summary_lock(self, key: SummaryKey) -> AbstractContextManager[None]:
        """Return a context that holds ``key``'s lock across processes sharing the store."""
        ...

    def ping(self) -> None:
        """Check that the database answers; raise StorageError."""
        ...

    def add_feed(self, url: str, *, title: str | None = None) -> tuple[Feed, bool]:
        """Subscribe to the feed at ``url`` (once); return ``(feed, created)``."""
        ...

    def list_feeds(self) -> list[Feed]:
        """Return every feed, oldest subscription first."""
        ...

    def get_feed(self, feed_id: int) -> Feed:
        """Return the feed with ``feed_id``; raise NotFound."""
        ...

    def delete_feed(self, feed_id: int) -> None:
        """Unsubscribe; the feed's articles stay stored. Raise NotFound."""
        ...

    def record_feed_fetch(
        self, feed_id: int, *, error: str | None, status: str | None, title: str | None = None
    ) -> Feed:
        """Record a refresh's outcome (time, error, status; title when given)."""
        ...

    def feed_item_keys(self, feed_id: int) -> set[str]:
        """Return the keys (guid or link) of the feed's items already ingested."""
        ...

    def record_feed_item(
        self,
        feed_id: int,
        key: str,
        *,
        url: str | None,
        article_id: int | None,
        error: str | None,
    ) -> None:
        """Remember one feed entry's outcome (insert or update by ``(feed_id, key)``)."""
        ...

    def list_feed_items(self, feed_id: int, *, failed_only: bool = False) -> list[FeedItem]:
        """Return the feed's remembered entries, most recently seen first."""
        ...

    def forget_feed_failures(self, feed_id: int, *, keep: Collection[str]) -> int:
        """Forget the failed entries whose key is not in ``keep``; return how many."""
        ...

    def close(self) -> None:
        """Release the connections."""
        ...


# --- normalisation shared by both backends ---------------------------------------------------

#: Query parameters that only track where a click came from; dropped from canonical URLs.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_ga",
        "_hsenc",
        "_hsmi",
        "ref_src",
        "cmpid",
        "ocid",
    }
)
_TRACKING_PREFIXES = ("utm_", "at_", "pk_", "itm_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Return ``url`` normalised for de-duplication.

    Lower-cases scheme and host, drops the default port, the fragment, tracking parameters
    (``utm_*``, ``fbclid``, ...) and a trailing slash; sorts the remaining query parameters.

    Raises:
        InvalidOptions: not an absolute http(s) URL.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:  # an unmatched "[" or "]" in the host
        raise InvalidOptions(f"not a valid URL: {url!r} ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise InvalidOptions(f"not an absolute http(s) URL: {url!r}")
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError as exc:
        raise InvalidOptions(f"bad port in URL {url!r}") from exc
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _TRACKING_PARAMS and not k.lower().startswith(_TRACKING_PREFIXES)
    ]
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def registrable_domain(url: str) -> str | None:
    """Return the registrable domain of ``url``'s host (``news.bbc.co.uk`` -> ``bbc.co.uk``).

    From the public-suffix list the ``tld`` package ships (read from the installed file, never
    downloaded), private suffixes included, so ``alice.github.io`` and ``bob.github.io`` are two
    domains. A host with no listed suffix (an IP address, ``localhost``, an intranet name) is
    its own domain. None when ``url`` is not an http(s) URL with a host.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not host:
        return None
    host = host.rstrip(".")
    # A host IDNA cannot encode is compared as written: the other host must match it exactly.
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    # Imported here: loading the list costs ~0.1 s, which only adding a fetched page pays.
    from tld import get_fld

    domain = get_fld(host, fix_protocol=True, fail_silently=True, search_private=True)
    return str(domain) if domain else host


_WS = re.compile(r"\s+")


def content_hash(text: str) -> str:
    """Return the sha256 hex of ``text`` NFC-normalised, lower-cased, whitespace-collapsed."""
    normalised = _WS.sub(" ", unicodedata.normalize("NFC", text).lower()).strip()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


_WORD = re.compile(r"\w+", re.UNICODE)


def search_terms(query: str) -> list[str]:
    """Return the words of a user's search string (operators and punctuation dropped).

    Both backends search for articles containing every returned word, so no query syntax
    (FTS5's ``NEAR(``, ``"``, ``*``, ``AND (``) ever reaches the database.

    Raises:
        InvalidOptions: the string holds no word at all (e.g. ``"*"``).
    """
    terms = _WORD.findall(unicodedata.normalize("NFC", query))
    if not terms:
        raise InvalidOptions(f"search query {query!r} has no words to search for")
    return terms


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: str | None) -> datetime | None:
    """Parse an article's date string (ISO 8601 as trafilatura and feeds give) to UTC, or None."""
    if not value:
        return None
    text = value.strip()
    if _DATE_ONLY.match(text):
        text += "T00:00:00"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def length_key(length: Length) -> str:
    """Return the cache-key form of a requested length: ``"sentences=3"``, ``"words=60"``, ..."""
    if length.sentences is not None:
        return f"sentences={length.sentences}"
    if length.words is not None:
        return f"words={length.words}"
    # ``:g`` keeps six digits, so 0.1234561 and 0.1234564 shared a key (and a summary that
    # can differ); a ratio it does not spell exactly is written in full.
    ratio = float(length.ratio or 0)
    short = f"{ratio:g}"
    return f"ratio={short if float(short) == ratio else repr(ratio)}"


def utcnow() -> datetime:
    """Return the current time in UTC, to the microsecond."""
    return datetime.now(UTC)
