"""The service layer: adding articles from url/html/text, and cached summaries of stored ones."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsbrief import service, summarizers
from newsbrief.errors import (
    BlockedAddress,
    EmptyInput,
    InvalidOptions,
    NotAFeed,
    NotFound,
    UnknownSummarizer,
)
from newsbrief.extract import too_large
from newsbrief.fetch import fetch
from newsbrief.models import Document, Length, SummaryOptions, SummarySentence
from newsbrief.service import add_article_from, summarize_stored, summary_key
from newsbrief.storage import SQLStore, SummaryKey, open_store
from newsbrief.summarizers import Output, SummarizerInfo
from storage_support import BACKENDS, backend_url, make_store

PAGE = (Path(__file__).parent / "fixtures" / "feeds" / "page3.html").read_text(encoding="utf-8")
TEXT = (
    "The council approved a new cycle lane on the bridge. Work starts in March.\n"
    "Shops on the bridge said deliveries would move to the early morning. Some owners worried.\n"
    "The lane will be reviewed after a year, the council said, and could be widened."
)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(backend: str, tmp_path: Path) -> Iterator[SQLStore]:
    yield from make_store(backend, tmp_path)


class CountingSummarizer:
    """Takes the first N sentences, slowly, and counts its calls (thread-safe)."""

    name = "test-counting"
    kind = "extractive"

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def summarize(self, doc: Document, options: SummaryOptions) -> Output:
        with self._lock:
            self.calls += 1
        time.sleep(0.2)  # wide enough for every thread to miss the cache together
        n = options.length.max_sentences(len(doc.sentences))
        return Output([SummarySentence(s.text, index=s.index) for s in doc.sentences[:n]])


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> CountingSummarizer:
    instance = CountingSummarizer()
    info = SummarizerInfo("test-counting", lambda: instance, "Counts its calls (tests).")
    monkeypatch.setitem(summarizers._REGISTRY, "test-counting", info)
    monkeypatch.setattr(summarizers, "_INSTANCES", {})
    return instance


def options(method: str = "test-counting", **length: Any) -> SummaryOptions:
    return SummaryOptions(method=method, length=Length.of(**length), format="bullets")


# --- summarize_stored ----------------------------------------------------------------------------


def test_second_request_comes_from_the_cache(store: SQLStore, counting: CountingSummarizer) -> None:
    stored, _ = add_article_from(store, text=TEXT)
    first = summarize_stored(store, stored.id, options(sentences=2))
    second = summarize_stored(store, stored.id, options(sentences=2))
    assert first["cached"] is False and second["cached"] is True
    assert {**first, "cached": True} == second
    assert first["article_id"] == stored.id
    assert first["method"] == "test-counting"
    assert [s["index"] for s in first["sentences"]] == [0, 1]
    assert counting.calls == 1


def test_concurrent_misses_compute_once(
    backend: str, tmp_path: Path, counting: CountingSummarizer
) -> None:
    url = backend_url(backend, tmp_path)
    with open_store(url) as setup:
        stored, _ = add_article_from(setup, text=TEXT)
    store = open_store(url)
    barrier = threading.Barrier(8)
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        barrier.wait()
        try:
            results.append(summarize_stored(store, stored.id, options(sentences=3)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()
    assert errors == []
    assert counting.calls == 1
    assert sorted(r["cached"] for r in results) == [False] + [True] * 7
    summaries = [{k: v for k, v in r.items() if k != "cached"} for r in results]
    assert all(s == summaries[0] for s in summaries)
    assert len(service._SUMMARY_LOCKS) == 0  # per-key locks are released


def test_each_length_and_format_is_cached_separately(
    store: SQLStore, counting: CountingSummarizer
) -> None:
    stored, _ = add_article_from(store, text=TEXT)
    summarize_stored(store, stored.id, options(sentences=1))
    summarize_stored(store, stored.id, options(sentences=2))
    summarize_stored(store, stored.id, options(words=20))
    text_format = SummaryOptions(method="test-counting", length=Length.of(sentences=1))
    assert summarize_stored(store, stored.id, text_format)["cached"] is False
    assert counting.calls == 4


def test_same_text_shares_the_cache(store: SQLStore, counting: CountingSummarizer) -> None:
    # Two stored copies cannot exist (dedupe), but the key is the content hash, not the id.
    stored, _ = add_article_from(store, text=TEXT)
    summarize_stored(store, stored.id, options())
    key = summary_key(stored, options())
    assert key == SummaryKey(stored.content_hash, "test-counting", "sentences=3", "bullets")
    assert store.get_cached_summary(key) is not None


def test_summary_key_resolves_aliases_and_notes_settings(store: SQLStore) -> None:
    stored, _ = add_article_from(store, text=TEXT)
    default = summary_key(stored, SummaryOptions())
    assert default.method == summarizers.resolve("default")
    assert default.length_key == "sentences=3" and default.format == "text"
    french = summary_key(stored, SummaryOptions(language="fr", summary_language="en"))
    assert french.method == f"{summarizers.resolve('default')};language=fr;summary_language=en"
    ratio = summary_key(stored, SummaryOptions(length=Length(ratio=0.25)))
    assert ratio.length_key == "ratio=0.25"


def test_summarize_missing_article(store: SQLStore) -> None:
    with pytest.raises(NotFound, match=r"^no article with id 404$"):
        summarize_stored(store, 404, SummaryOptions())


def test_summarize_with_unknown_method(store: SQLStore) -> None:
    stored, _ = add_article_from(store, text=TEXT)
    with pytest.raises(UnknownSummarizer, match=r"^Unknown summarizer 'nope'\. Available: "):
        summarize_stored(store, stored.id, SummaryOptions(method="nope"))


def test_default_method_end_to_end(store: SQLStore) -> None:
    stored, _ = add_article_from(store, text=TEXT)
    result = summarize_stored(store, stored.id, SummaryOptions(length=Length.of(sentences=2)))
    assert result["cached"] is False and len(result["sentences"]) == 2
    assert summarize_stored(store, stored.id, SummaryOptions(length=Length.of(sentences=2)))[
        "cached"
    ]


# --- add_article_from ----------------------------------------------------------------------------


def mock_fetcher(pages: dict[str, str], calls: list[str]) -> service.Fetcher:
    """A fetch through httpx.MockTransport; every host resolves to a public address."""

    def handler(request: httpx.Request) -> httpx.Response:
        url = f"{request.url.scheme}://{request.headers['host']}{request.url.raw_path.decode()}"
        calls.append(url)
        if url in pages:
            return httpx.Response(200, text=pages[url], headers={"content-type": "text/html"})
        return httpx.Response(404, text="not found")

    return functools.partial(
        fetch,
        transport=httpx.MockTransport(handler),
        resolver=lambda host, port: ["93.184.216.34"],
    )


def test_add_from_url(store: SQLStore) -> None:
    calls: list[str] = []
    fetcher = mock_fetcher({"https://news.example/trains": PAGE}, calls)
    stored, created = add_article_from(store, url="https://news.example/trains", fetcher=fetcher)
    assert created and stored.source == "url"
    assert stored.article.title == "Night trains return to the coastal line"
    assert stored.canonical_url == "https://news.example/trains"
    assert "sleeping cars" in stored.article.text

    again, created = add_article_from(
        store, url="https://NEWS.example/trains/?utm_source=x", fetcher=fetcher
    )
    assert not created and again.id == stored.id
    assert calls == ["https://news.example/trains"]  # the stored URL was not fetched again


def test_add_from_html_and_text(store: SQLStore) -> None:
    from_html, created = add_article_from(store, html=PAGE, url="https://news.example/t")
    assert created and from_html.source == "html"
    assert from_html.canonical_url == "https://news.example/t"
    # The same page pasted again (no URL this time) is found by its text.
    again, created = add_article_from(store, html=PAGE)
    assert not created and again.id == from_html.id

    from_text, created = add_article_from(store, text=TEXT, title="Bridge lane")
    assert created and from_text.source == "text"
    assert from_text.article.title == "Bridge lane"
    assert from_text.article.text.startswith("The council approved a new cycle lane")


def _claiming(page: str, head: str) -> str:
    """Return ``page`` with ``head`` (a canonical link, a <base>...) added to its <head>."""
    assert "<head>" in page
    return page.replace("<head>", f"<head>{head}", 1)


@pytest.mark.parametrize(
    "head",
    [
        '<link rel="canonical" href="https://news.example/trains">',
        '<meta property="og:url" content="https://news.example/trains">',
        '<base href="https://news.example/"><link rel="canonical" href="/trains">',
    ],
    ids=["canonical", "og-url", "base-href"],
)
def test_pasted_html_cannot_claim_a_url(store: SQLStore, head: str) -> None:
    forged = _claiming(PAGE.replace("sleeping cars", "forged cars"), head)
    stored, created = add_article_from(store, html=forged)
    assert created and stored.article.url is None and stored.canonical_url is None
    # Pasted with a URL of the user's own, that URL is the article's, not the page's claim.
    other, _ = add_article_from(store, html=forged + " ", url="https://mine.example/copy")
    assert other.id == stored.id  # the same text: found by its hash
    # The real story is fetched, not answered with the forgery.
    calls: list[str] = []
    fetcher = mock_fetcher({"https://news.example/trains": PAGE}, calls)
    real, created = add_article_from(store, url="https://news.example/trains", fetcher=fetcher)
    assert created and calls == ["https://news.example/trains"]
    assert "sleeping cars" in real.article.text and "forged cars" not in real.article.text
    assert real.canonical_url == "https://news.example/trains"


def test_pasted_html_keeps_the_url_given() -> None:
    head = '<link rel="canonical" href="https://news.example/trains">'
    article, _ = service.article_from(html=_claiming(PAGE, head), url=" https://mine.example/a ")
    assert article.url == "https://mine.example/a"


def test_fetched_page_cannot_claim_another_sites_url(store: SQLStore) -> None:
    forged = _claiming(
        PAGE.replace("sleeping cars", "forged cars"),
        '<link rel="canonical" href="https://news.example/trains">',
    )
    calls: list[str] = []
    fetcher = mock_fetcher(
        {"https://attacker.example/trains": forged, "https://news.example/trains": PAGE}, calls
    )
    fake, _ = add_article_from(store, url="https://attacker.example/trains", fetcher=fetcher)
    assert fake.article.url == "https://attacker.example/trains"
    assert fake.canonical_url == "https://attacker.example/trains"
    real, created = add_article_from(store, url="https://news.example/trains", fetcher=fetcher)
    assert created and real.id != fake.id and "forged cars" not in real.article.text
    assert calls == ["https://attacker.example/trains", "https://news.example/trains"]


@pytest.mark.parametrize(
    ("fetched", "claimed", "key"),
    [
        # The same registrable domain: the page's canonical URL is its key.
        (
            "https://m.news.example.com/a?utm_source=x",
            "https://www.news.example.com/a",
            "https://www.news.example.com/a",
        ),
        (
            "https://www.bbc.co.uk/news/amp/1",
            "https://bbc.co.uk/news/1",
            "https://bbc.co.uk/news/1",
        ),
        ("http://127.0.0.1:8000/a", "http://127.0.0.1:8000/b", "http://127.0.0.1:8000/b"),
        # Another registrable domain, by the public-suffix list (private suffixes included).
        ("https://www.evil.co.uk/a", "https://www.bbc.co.uk/news/1", "https://www.evil.co.uk/a"),
        ("https://alice.github.io/a", "https://bob.github.io/a", "https://alice.github.io/a"),
        ("https://example.com/a", "https://example.com.evil.net/a", "https://example.com/a"),
        ("http://127.0.0.1/a", "http://127.0.0.2/a", "http://127.0.0.1/a"),
        ("http://intranet/a", "http://other/a", "http://intranet/a"),
        # Not an http(s) URL, or none at all.
        ("https://news.example.com/a", "javascript:alert(1)", "https://news.example.com/a"),
        ("https://news.example.com/a", "//news.example.com/b", "https://news.example.com/a"),
        ("https://news.example.com/a", None, "https://news.example.com/a"),
    ],
)
def test_page_key_url(fetched: str, claimed: str | None, key: str) -> None:
    assert service.page_key_url(claimed, fetched) == key


def test_add_from_private_url_is_refused(store: SQLStore) -> None:
    with pytest.raises(
        BlockedAddress, match=r"^http://127\.0\.0\.1:9/x: 127\.0\.0\.1 is a loopback"
    ):
        add_article_from(store, url="http://127.0.0.1:9/x")
    assert store.count_articles() == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({}, InvalidOptions, r"^give a url, html or text$"),
        ({"url": "  "}, InvalidOptions, r"^give a url, html or text$"),
        (
            {"html": "<p>x</p>", "text": "x"},
            InvalidOptions,
            r"^give only one of html or text \(got html, text\)$",
        ),
        ({"html": "   "}, EmptyInput, r"^the HTML is only whitespace$"),
        ({"html": ""}, EmptyInput, r"^the HTML is empty$"),
        ({"text": ""}, EmptyInput, r"^the input is empty$"),
    ],
    ids=["nothing", "blank-url", "html-and-text", "blank-html", "empty-html", "empty-text"],
)
def test_add_bad_input(
    store: SQLStore, kwargs: dict[str, str], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        add_article_from(store, **kwargs)


def test_summarize_source_does_not_store(store: SQLStore) -> None:
    result = service.summarize_source(text=TEXT, options=SummaryOptions())
    assert result["cached"] is False and result["sentences"]
    assert store.count_articles() == 0


RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour News</title>'
    b"<item><title>Ferry</title><link>https://news.example/ferry</link></item></channel></rss>"
)
#: What the fake fetcher serves: URL -> (content type, body).
SITE = {
    "https://news.example/rss": ("application/rss+xml", RSS),
    "https://news.example/rss/": ("application/rss+xml", RSS),
    "https://news.example/": (
        "text/html",
        b'<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" '
        b'href="/rss"></head><body><p>Front page</p></body></html>',
    ),
    "https://news.example/about": (
        "text/html",
        b"<!DOCTYPE html><html><head><title>About</title></head><body>Us</body></html>",
    ),
}


def site_fetcher(url: str, **_: Any) -> Any:
    from newsbrief.fetch import FetchedPage

    content_type, body = SITE[url]
    return FetchedPage(url, url, 200, content_type, body, "utf-8")


def test_subscribe(store: SQLStore) -> None:
    done = service.subscribe(
        store, " https://news.example/rss ", title="  News ", fetcher=site_fetcher
    )
    assert done.created and done.feed.url == "https://news.example/rss"
    assert done.feed.title == "News" and done.notice() is None
    again = service.subscribe(store, "https://news.example/rss/", fetcher=site_fetcher)
    assert again.created is False
    with pytest.raises(InvalidOptions, match=r"^give the feed's URL$"):
        service.subscribe(store, " ", fetcher=site_fetcher)


def test_subscribing_a_page_takes_the_feed_it_names(store: SQLStore) -> None:
    done = service.subscribe(store, "https://news.example/", fetcher=site_fetcher)
    assert (done.feed.url, done.feed.title, done.page) == (
        "https://news.example/rss",
        "Harbour News",
        "https://news.example/",
    )
    assert done.notice() == (
        "https://news.example/ is a web page; subscribed to the feed it names: "
        "https://news.example/rss"
    )


def test_subscribing_a_page_without_a_feed_is_refused(store: SQLStore) -> None:
    with pytest.raises(NotAFeed) as caught:
        service.subscribe(store, "https://news.example/about", fetcher=site_fetcher)
    assert str(caught.value) == (
        "https://news.example/about: this is an HTML page, not an RSS/Atom feed; subscribe "
        "to the site's feed (often linked as RSS or Atom) instead"
    )
    assert caught.value.http_status == 422
    assert store.list_feeds() == []


def test_unsubscribe_keeps_the_articles(store: SQLStore) -> None:
    feed = service.subscribe(store, "https://news.example/rss", fetcher=site_fetcher).feed
    stored, _ = store.add_article(
        service.article_from(text=TEXT)[0], source=f"feed:{feed.id}", feed_id=feed.id
    )
    service.unsubscribe(store, feed.id)
    assert store.list_feeds() == []
    assert store.get_article(stored.id).feed_id is None
    with pytest.raises(NotFound, match=rf"^no feed with id {feed.id}$"):
        service.unsubscribe(store, feed.id)


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            too_large("http://x/a: the page", 10_000_000, 20_000_000),
            "http://x/a: the page is 20,000,000 bytes, over the limit of 10,000,000 bytes",
        ),
        (
            too_large("http://x/a: the page", 10_000_000),
            "http://x/a: the page is over the limit of 10,000,000 bytes",
        ),
        (InvalidOptions("give a url, html or text"), "give a url, html or text"),
        (
            InvalidOptions("raise it with --max-bytes (max_bytes= in Python) first"),
            "raise it with --max-bytes (max_bytes= in Python) first",
        ),
    ],
    ids=["size-known", "size-unknown", "other-error", "hint-not-at-the-end"],
)
def test_server_message_drops_the_cli_size_hint(error: Exception, message: str) -> None:
    """A server has no --max-bytes: the hint extract.too_large adds is not shown there."""
    assert service.server_message(error) == message
