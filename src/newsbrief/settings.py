"""Settings of the reader site and API: one frozen object built by ``newsbrief serve``.

``create_app(settings)`` reads nothing else: no environment look-ups or globals inside the web
package, so tests build an app per temporary store.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from newsbrief.errors import InvalidOptions, UnknownSummarizer
from newsbrief.models import Length, SummaryOptions

#: Largest request body the app reads (pasted HTML included). 2 MB holds any real news page
#: (the 85 pages of the extraction benchmark are 30-900 KB) with room to spare.
DEFAULT_MAX_BODY_BYTES = 2_000_000

#: Host names the site answers for unless told others (``--allowed-host``): the loopback names.
#: A request naming any other host (DNS rebinding: a page on evil.example whose name now
#: resolves to 127.0.0.1) is refused before it reaches a route.
DEFAULT_ALLOWED_HOSTS: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
#: How long a CDN may serve an embed answer before asking again: readers of a new article
#: then share one computation per CDN node and length for five minutes.
DEFAULT_EMBED_MAX_AGE = 300
#: How often a page the embed endpoint fetched itself is fetched again to see if it changed.
DEFAULT_EMBED_RECHECK_MINUTES = 60.0

#: Seconds for each network step of a fetch; the whole fetch may take 4x that (as
#: ``newsbrief.fetch.DEFAULT_TIMEOUT``, not imported: it would load httpx with the settings).
DEFAULT_FETCH_TIMEOUT = 15.0
#: Threads Starlette runs synchronous routes on (anyio's default thread limiter). Fetches may
#: hold at most ``max_fetches`` of them; the rest stay free for reads.
WORKER_THREADS = 40
#: Fetches at once by default: a page fetch is one slow request among 40 worker threads.
DEFAULT_MAX_FETCHES = 8

#: Seconds a request's headers may take (``newsbrief serve --header-timeout``; see
#: ``web.server``). Browsers and proxies send a request's headers in one packet; 10 s leaves
#: room for a slow mobile link.
DEFAULT_HEADER_TIMEOUT = 10.0
#: Seconds a request's body may take once its headers are in (``--body-timeout``;
#: ``web.middleware.SecurityMiddleware``). The largest body taken (``--max-body-bytes``, 2 MB)
#: needs ~550 kbit/s to arrive in 30 s: a slow mobile link, not a trickle.
DEFAULT_BODY_TIMEOUT = 30.0

#: Anonymous requests that cause work (an uncached summary): a client may make this many at
#: once, then this many a minute (docs/web.md, "Rate limits"). A reader opening the three
#: lengths of a dozen articles stays well inside; a script asking for every variant does not.
DEFAULT_RATE_BURST = 20
DEFAULT_RATE_PER_MINUTE = 30.0

#: Page length choices of the summary button -> number of sentences.
SUMMARY_LENGTHS: dict[str, int] = {"short": 1, "medium": 3, "long": 5}


@dataclass(frozen=True)
class Settings:
    """Everything the web app needs to know; defaults are the safe local ones.

    ``database_url`` None means the SQLite file under ``data_dir`` (see ``open_store``).
    ``refresh_minutes`` 0 turns the feed schedule off. ``rate_per_minute`` (0: off) and
    ``rate_burst`` limit each anonymous client's requests that cause work; ``trusted_proxies``
    are the networks whose ``X-Forwarded-For`` names the client (``newsbrief.web.limits``).
    ``pregenerate`` computes the button's summaries of each new article in the background,
    ``llm_concurrency`` abstractive ones at a time (``newsbrief.pregenerate``).
    ``json_access_log`` logs each request as one JSON line (``newsbrief.web.observe``).
    ``page_cache_seconds`` keeps anonymous readers' article pages rendered that long (0: off;
    ``newsbrief.web.pagecache``).

    ``allowed_hosts`` are the names a request's ``Host`` may give (port aside): exact names,
    ``*.example.org`` for any subdomain of example.org, or ``*`` for any name (only behind a
    proxy that checks it). ``host``, the listening address, is allowed too when it is a specific
    address (not ``0.0.0.0`` or ``::``); see ``trusted_hosts``.

    ``backends`` holds the backend settings of the abstractive methods, by method name: the
    ``SummaryOptions.config`` pairs each one gets, e.g. ``{"llm": (("llm_url", URL),
    ("llm_model", NAME))}``. They are server configuration: a request chooses a method, never
    an endpoint, model or key. ``summary_language`` is the language abstractive summaries are
    written in (None: the article's) unless a request asks for another.

    ``fetch_timeout`` is each network step of a fetch (the whole fetch gets 4x that);
    ``max_fetches`` how many fetches may run at once (``AppState.fetch``).
    """

    database_url: str | None = None
    data_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    allow_private_networks: bool = False
    refresh_minutes: float = 0
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    default_method: str = "default"
    default_length: str = "medium"
    page_size: int = 20
    demo: bool = False
    summary_lengths: dict[str, int] = field(default_factory=lambda: dict(SUMMARY_LENGTHS))
    backends: dict[str, tuple[tuple[str, Any], ...]] = field(default_factory=dict)
    summary_language: str | None = None
    allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS
    fetch_timeout: float = DEFAULT_FETCH_TIMEOUT
    max_fetches: int = DEFAULT_MAX_FETCHES
    #: Memory for encoded summary answers and for rendered article pages (byte-bounded LRUs).
    summary_memory_bytes: int = 16_000_000
    page_memory_bytes: int = 32_000_000
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    #: Origins whose pages the embed endpoint may fetch, and which get CORS (--embed-origin).
    embed_origins: tuple[str, ...] = ()
    #: Seconds a CDN or browser may serve an embed answer without asking again.
    embed_max_age: int = DEFAULT_EMBED_MAX_AGE
    #: Minutes after which a page the embed endpoint fetched is fetched again (0: never).
    embed_recheck_minutes: float = DEFAULT_EMBED_RECHECK_MINUTES
    #: Every write needs an editor (token or login), whatever the address (``serve --public``,
    #: implied by a non-loopback host). See docs/web.md, "Who may do what".
    public: bool = False
    #: How long a login lasts, and the failed logins allowed per account and per client
    #: address within ``login_window_s`` before further attempts get 429.
    session_days: float = 7
    login_failures_per_account: int = 5
    login_failures_per_client: int = 20
    login_window_s: float = 900
    rate_per_minute: float = DEFAULT_RATE_PER_MINUTE
    rate_burst: int = DEFAULT_RATE_BURST
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    pregenerate: bool = True
    llm_concurrency: int = 2
    json_access_log: bool = False
    page_cache_seconds: float = 2.0
    #: Server processes sharing the store (``serve --workers``): with more than one, rate
    #: limits and login counters are kept in the store, so every worker counts the same.
    workers: int = 1

    def __post_init__(self) -> None:
        from newsbrief.embed import parse_origin

        # Normalised here, once, so every comparison sees what a browser's Origin header says.
        object.__setattr__(
            self, "embed_origins", tuple(dict.fromkeys(parse_origin(o) for o in self.embed_origins))
        )
        if self.embed_max_age < 0 or self.embed_recheck_minutes < 0:
            raise InvalidOptions(
                "embed max age and recheck minutes must be 0 or more "
                f"(got {self.embed_max_age} and {self.embed_recheck_minutes})"
            )
        if not (0 < self.header_timeout <= 300):  # False for nan too
            raise InvalidOptions(
                f"header timeout must be more than 0 and at most 300 seconds "
                f"(got {self.header_timeout})"
            )
        if not (0 < self.body_timeout <= 3600):  # False for nan too
            raise InvalidOptions(
                f"body timeout must be more than 0 and at most 3600 seconds "
                f"(got {self.body_timeout})"
            )
        if not (0 < self.fetch_timeout <= 300):  # False for nan too
            raise InvalidOptions(
                f"fetch timeout must be more than 0 and at most 300 seconds "
                f"(got {self.fetch_timeout})"
            )
        if not (1 <= self.max_fetches <= WORKER_THREADS // 2):
            raise InvalidOptions(
                f"max fetches must be between 1 and {WORKER_THREADS // 2} (got "
                f"{self.max_fetches}): fetches must leave most of the {WORKER_THREADS} worker "
                "threads to other requests"
            )
        if not (0 <= self.port <= 65535):
            raise InvalidOptions(f"port must be between 0 and 65535 (got {self.port})")
        if self.refresh_minutes < 0:
            raise InvalidOptions(
                f"refresh minutes must be 0 (off) or more (got {self.refresh_minutes})"
            )
        if self.max_body_bytes < 1024:
            raise InvalidOptions(
                f"max body size must be at least 1024 bytes (got {self.max_body_bytes})"
            )
        if self.rate_per_minute < 0 or self.rate_burst < 1:
            raise InvalidOptions(
                f"rate limit must be 0 (off) or more a minute, with a burst of at least 1 "
                f"(got {self.rate_per_minute:g} a minute, burst {self.rate_burst})"
            )
        if self.page_cache_seconds < 0:
            raise InvalidOptions(
                f"page cache seconds must be 0 (off) or more (got {self.page_cache_seconds})"
            )
        if self.llm_concurrency < 1:
            raise InvalidOptions(f"LLM concurrency must be at least 1 (got {self.llm_concurrency})")
        if self.workers < 1:
            raise InvalidOptions(f"workers must be at least 1 (got {self.workers})")
        if not (1 <= self.page_size <= 100):
            raise InvalidOptions(f"page size must be between 1 and 100 (got {self.page_size})")
        if self.default_length not in self.summary_lengths:
            raise InvalidOptions(
                f"unknown summary length {self.default_length!r}; "
                f"choose one of: {', '.join(self.summary_lengths)}"
            )
        # Last, so each setting's own check names its range first: nan passes every
        # comparison, and no setting means anything at infinity.
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, float) and not math.isfinite(value):
                label = item.name.replace("_", " ")
                raise InvalidOptions(f"{label} must be a finite number (got {value})")
        for name in self.allowed_hosts:
            host_name(name, wildcard=True)  # raises InvalidOptions for a malformed one
        from newsbrief import summarizers

        for name in self.backends:
            try:
                real = summarizers.resolve(name)
            except UnknownSummarizer:
                real = None
            if real != name or summarizers.describe(name).kind != "abstractive":
                raise InvalidOptions(
                    f"backend settings for {name!r}: not an abstractive method; "
                    f"give them for one of: {', '.join(abstractive_methods())}"
                )

    def summary_options(
        self,
        *,
        length: Length,
        format: str,
        method: str | None = None,
        language: str | None = None,
        summary_language: str | None = None,
    ) -> SummaryOptions:
        """Return the options of a summary the site or the API computes.

        ``method`` defaults to ``default_method``. An abstractive method gets its backend
        settings from ``backends`` and writes in ``summary_language`` (the request's, else the
        server's); an extractive one gets neither.

        Raises:
            UnknownSummarizer: ``method`` is not registered.
            InvalidOptions: ``summary_language`` asked of an extractive method.
        """
        from newsbrief import summarizers

        chosen = method or self.default_method
        info = summarizers.describe(chosen)
        if info.kind != "abstractive":
            if summary_language:
                raise InvalidOptions(
                    f"summary_language is not used by method {chosen!r}: it picks sentences "
                    f"from the article; ask one of: {', '.join(abstractive_methods())}"
                )
            return SummaryOptions(method=chosen, length=length, format=format, language=language)
        return SummaryOptions(
            method=chosen,
            length=length,
            format=format,
            language=language,
            summary_language=summary_language or self.summary_language,
            config=self.backends.get(info.name, ()),
        )

    @property
    def trusted_hosts(self) -> frozenset[str]:
        """Return the host names requests may give: ``allowed_hosts`` and a specific ``host``.

        Names are normalised by ``host_name`` (lower case, no trailing dot, IPv6 without
        brackets), as the request's ``Host`` is before it is compared.
        """
        names = {host_name(n, wildcard=True) for n in self.allowed_hosts}
        listen = host_name(self.host) if self.host else ""
        if listen and listen not in ("0.0.0.0", "::"):
            names.add(listen)
        return frozenset(names)

    @property
    def open_without_editors(self) -> bool:
        """Return True when a store with no accounts or tokens lets every caller write.

        The one-person tool: loopback only and not ``public``. Once an account or token
        exists, writes need one here too.
        """
        return self.is_loopback and not self.public

    @property
    def is_loopback(self) -> bool:
        """Return True when the site listens on a loopback address only."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


_HOST_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?")


def host_name(name: str, *, wildcard: bool = False) -> str:
    """Return a host name as requests are compared on: lower case, no trailing dot, no brackets.

    With ``wildcard``, ``*`` and ``*.example.org`` are accepted too (an allowed-host pattern).

    Raises:
        InvalidOptions: ``name`` is neither a DNS name nor an IP address.
    """
    raw = name.strip().lower()
    if wildcard and raw == "*":
        return raw
    bare = raw[1:-1] if raw.startswith("[") and raw.endswith("]") else raw
    with contextlib.suppress(ValueError):
        return str(ipaddress.ip_address(bare))
    bare = bare.removesuffix(".")
    labels = bare.split(".")
    if wildcard and labels[0] == "*" and len(labels) > 1:
        labels = labels[1:]
    if bare and len(bare) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in labels):
        return bare
    raise InvalidOptions(
        f"allowed host {name!r} is not a host name or an IP address "
        "(give a name such as news.example.org, *.example.org for its subdomains, or an address)"
    )


def abstractive_methods() -> list[str]:
    """Return the registered abstractive methods (those ``Settings.backends`` configures)."""
    from newsbrief import summarizers

    names = summarizers.available()
    return [
        n
        for n in names
        if summarizers.describe(n).kind == "abstractive" and n == summarizers.resolve(n)
    ]
