"""Feed refresh against a real loopback HTTP server serving saved feeds and pages."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from feed_server import BIG_ITEMS, FeedServer
from newsbrief.errors import InvalidOptions, NotFound
from newsbrief.feeds import (
    FEED_TYPES,
    FeedRefreshReport,
    FeedScheduler,
    entry_text,
    pick_new_items,
    refresh_all,
    refresh_feed,
)
from newsbrief.fetch import fetch
from newsbrief.storage import SQLStore, open_store
from storage_support import BACKENDS, make_store

#: Short per-step timeout so the slow page fails fast (the server waits SLOW_S = 3 s).
FETCH = functools.partial(fetch, timeout=1.0)


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def _clean_server(server: FeedServer) -> None:
    server.hits.clear()
    server.overrides.clear()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLStore]:
    yield from make_store(str(request.param), tmp_path)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SQLStore]:
    yield from make_store("sqlite", tmp_path)


def refresh(store: SQLStore, feed_id: int, **kwargs: object) -> FeedRefreshReport:
    return refresh_feed(
        store,
        feed_id,
        allow_private_networks=True,
        fetcher=FETCH,
        **kwargs,  # type: ignore[arg-type]
    )


def titles(store: SQLStore) -> list[str | None]:
    return [a.article.title for a in store.list_articles(limit=500).items]


RSS_TITLES = [
    "Riverside library opens a repair café",
    "Hill town bakery wins regional bread prize",
    "Night trains return to the coastal line",
    "Ferry timetable changes for the summer",
]


def test_rss_feed(store: SQLStore, server: FeedServer) -> None:
    feed, _ = store.add_feed(server.url("rss.xml"))
    report = refresh(store, feed.id)

    assert report.error is None
    assert report.new == 4
    assert report.from_feed_text == 1  # the ferry item: its page is gone, its content is long
    assert report.duplicates == 1  # gazette-2 appears twice in the feed
    failed = dict(report.failed)
    assert set(failed) == {server.url("missing.html"), server.url("slow/page.html")}
    assert failed[server.url("missing.html")] == (
        f"{server.url('missing.html')}: the server answered 404 Not Found; "
        f"the feed's own text is 35 characters, below the minimum 200"
    )
    assert failed[server.url("slow/page.html")].startswith(
        f"{server.url('slow/page.html')}: no answer within 1 seconds"
    )
    assert report.status == "4 new, 1 already stored, 2 failed"

    assert titles(store) == RSS_TITLES  # newest first, by the items' dates
    recorded = store.get_feed(feed.id)
    assert recorded.title == "The Example Gazette"
    assert recorded.last_status == report.status
    assert recorded.last_error is None
    assert recorded.last_fetched_at is not None

    first = store.list_articles().items[0]
    assert first.source == f"feed:{feed.id}" and first.feed_id == feed.id
    assert first.canonical_url == server.url("page1.html")  # utm_* dropped
    assert "repair café" in first.article.text
    ferry = store.list_articles().items[3]
    assert ferry.article.url == server.url("gone.html")
    assert ferry.article.date == "2024-05-01T09:00:00+00:00"
    assert ferry.article.text.startswith("The island ferry will run every forty minutes")
    # Built from the feed's text, it still gets a language and a site (they were None).
    assert (ferry.article.language, ferry.article.site) == ("en", "The Example Gazette")
    failed_items = store.list_feed_items(feed.id, failed_only=True)
    assert {i.key for i in failed_items} == {"gazette-4", "gazette-5"}


def test_refresh_twice_adds_nothing_and_loses_nothing(store: SQLStore, server: FeedServer) -> None:
    feed, _ = store.add_feed(server.url("rss.xml"))
    first = refresh(store, feed.id)
    before = store.list_articles(limit=50).items
    server.hits.clear()

    second = refresh(store, feed.id)
    assert second.new == 0
    assert second.duplicates == 5  # four ingested items + the repeated one
    assert len(second.failed) == 2  # the failed ones are tried again
    assert store.list_articles(limit=50).items == before
    assert server.hits["/page1.html"] == 0  # ingested pages are not fetched again
    assert server.hits["/missing.html"] == 1
    assert first.new_ids and not second.new_ids


def test_atom_feed(sqlite_store: SQLStore, server: FeedServer) -> None:
    feed, _ = sqlite_store.add_feed(server.url("atom.xml"))
    report = refresh(sqlite_store, feed.id)
    assert (report.new, report.duplicates, report.failed) == (2, 0, [])
    assert titles(sqlite_store) == [
        "School garden harvest feeds a neighbourhood kitchen",
        "City council tests quieter street lights",
    ]
    assert sqlite_store.get_feed(feed.id).title == "Example Gazette: City"


def test_broken_feed_records_the_error(sqlite_store: SQLStore, server: FeedServer) -> None:
    feed, _ = sqlite_store.add_feed(server.url("broken.xml"))
    report = refresh(sqlite_store, feed.id)
    assert report.error == (
        f"{server.url('broken.xml')}: not a readable RSS/Atom feed "
        f"(<unknown>:2:107: not well-formed (invalid token))"
    )
    assert report.status == "refresh failed"
    recorded = sqlite_store.get_feed(feed.id)
    assert recorded.last_error == report.error
    assert recorded.last_status == "refresh failed"
    assert sqlite_store.count_articles() == 0


def test_feed_that_breaks_later_keeps_its_articles(store: SQLStore, server: FeedServer) -> None:
    feed, _ = store.add_feed(server.url("atom.xml"))
    refresh(store, feed.id)
    stored = store.list_articles().items

    server.overrides["/atom.xml"] = ("application/atom+xml", b"<<<&& this is no feed")
    broken = refresh(store, feed.id)
    assert broken.error is not None and "not a readable RSS/Atom feed" in broken.error
    assert store.get_feed(feed.id).last_error == broken.error
    assert store.list_articles().items == stored

    server.overrides.clear()
    healed = refresh(store, feed.id)
    assert healed.error is None and healed.duplicates == 2
    assert store.get_feed(feed.id).last_error is None


@pytest.mark.parametrize(
    ("tail", "new", "warning"),
    [
        (
            "<<",
            1,
            "(<unknown>:15:11: not well-formed (invalid token)); 1 entry could still be read",
        ),
        ("<entry><ti", 1, "(<unknown>:15:17: unclosed token); 2 entries could still be read"),
    ],
    ids=["one-entry", "two-entries"],
)
def test_malformed_feed_with_readable_entries(
    sqlite_store: SQLStore, server: FeedServer, tail: str, new: int, warning: str
) -> None:
    text = (Path(__file__).parent / "fixtures" / "feeds" / "atom.xml").read_text()
    truncated = text.replace("{base}", server.base).split("</entry>")[0] + "</entry>" + tail
    server.overrides["/cut.xml"] = ("application/atom+xml", truncated.encode())
    feed, _ = sqlite_store.add_feed(server.url("cut.xml"))
    report = refresh(sqlite_store, feed.id)
    assert report.error is None and report.new == new
    assert report.warning == f"{server.url('cut.xml')}: the feed's XML is malformed {warning}"
    assert sqlite_store.get_feed(feed.id).last_error == report.warning


def test_big_feed_is_capped_newest_first(sqlite_store: SQLStore, server: FeedServer) -> None:
    feed, _ = sqlite_store.add_feed(server.url("big.xml"))
    report = refresh(sqlite_store, feed.id, max_items=20)
    assert (report.new, report.skipped, report.failed) == (20, BIG_ITEMS - 20, [])
    assert report.status == f"20 new, 0 already stored, {BIG_ITEMS - 20} over the limit"
    expected = [f"Archive item {n}" for n in range(BIG_ITEMS, BIG_ITEMS - 20, -1)]
    assert [t.split(":")[0] for t in titles(sqlite_store) if t] == expected
    assert sum(server.hits[f"/gen/{n}.html"] for n in range(1, BIG_ITEMS + 1)) == 20

    following = refresh(sqlite_store, feed.id, max_items=20)  # the next 20, nothing twice
    assert (following.new, following.duplicates) == (20, 20)
    assert sqlite_store.count_articles() == 40


def test_default_cap(sqlite_store: SQLStore, server: FeedServer) -> None:
    feed, _ = sqlite_store.add_feed(server.url("big.xml"))
    report = refresh(sqlite_store, feed.id)
    assert report.new == 50 and report.skipped == BIG_ITEMS - 50


def test_private_feed_url_is_refused_by_default(store: SQLStore, server: FeedServer) -> None:
    feed, _ = store.add_feed(server.url("rss.xml"))
    report = refresh_feed(store, feed.id, fetcher=FETCH)  # allow_private_networks=False
    assert report.error == (
        f"{server.url('rss.xml')}: 127.0.0.1 is a loopback address; fetching it is refused "
        f"(a server allows it with --allow-private-networks)"
    )
    assert store.get_feed(feed.id).last_error == report.error
    assert sum(server.hits.values()) == 0  # refused before any connection
    assert store.count_articles() == 0


def test_private_item_links_are_refused_by_default(
    sqlite_store: SQLStore, server: FeedServer
) -> None:
    # The feed comes through a fetcher that lets only the feed URL past the guard; its items
    # point at 127.0.0.1 and must be refused like any other private address.
    feed_url = server.url("atom.xml")

    def feed_only(url: str, *, allow_private_networks: bool, **kw: object) -> object:
        return FETCH(url, allow_private_networks=allow_private_networks or url == feed_url, **kw)

    feed, _ = sqlite_store.add_feed(feed_url)
    report = refresh_feed(sqlite_store, feed.id, fetcher=feed_only)
    assert report.new == 0 and len(report.failed) == 2
    assert all("loopback address; fetching it is refused" in e for _, e in report.failed)
    assert server.hits["/page4.html"] == 0


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("nothing-here.xml", "{url}: the server answered 404 Not Found"),
        (
            "image.png",
            "{url}: the content type is image/png, not one of " + ", ".join(sorted(FEED_TYPES)),
        ),
    ],
    ids=["404", "png"],
)
def test_feed_fetch_errors(
    sqlite_store: SQLStore, server: FeedServer, path: str, message: str
) -> None:
    feed, _ = sqlite_store.add_feed(server.url(path))
    report = refresh(sqlite_store, feed.id)
    assert report.error is not None
    assert report.error.startswith(message.format(url=server.url(path)))
    assert sqlite_store.get_feed(feed.id).last_error == report.error


HTML_WITH_FEEDS = (
    '<!DOCTYPE html><html><head><title>Gazette</title><link rel="stylesheet" href="/s.css">'
    '<link rel="alternate" type="application/rss+xml" title="News" href="/rss.xml">'
    '<link rel="alternate" type="application/atom+xml" href="https://feeds.example/city.atom">'
    '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
    "</head><body><p>Front page.</p></body></html>"
)


@pytest.mark.parametrize(
    ("path", "override", "message"),
    [
        (
            "page1.html",
            None,
            "{url}: this is an HTML page, not an RSS/Atom feed; subscribe to the site's feed "
            "(often linked as RSS or Atom) instead",
        ),
        (
            "front.html",
            ("text/html; charset=utf-8", HTML_WITH_FEEDS),
            "{url}: this is an HTML page, not an RSS/Atom feed; the page names its feeds: "
            "{base}/rss.xml, https://feeds.example/city.atom",
        ),
        (
            "front-as-xml",
            ("application/xml", HTML_WITH_FEEDS.split("<link rel")[0]),
            "{url}: this is an HTML page, not an RSS/Atom feed; subscribe to the site's feed "
            "(often linked as RSS or Atom) instead",
        ),
        (
            "notes.txt",
            ("text/plain", "Opening hours: Monday to Friday, 9 to 5.\nClosed on Sundays."),
            "{url}: this is a plain-text page, not an RSS/Atom feed",
        ),
        (
            "broken.xml",
            None,
            "{url}: not a readable RSS/Atom feed (<unknown>:2:107: not well-formed "
            "(invalid token))",
        ),
        (
            "garbage.xml",
            ("application/xml", "<<<&& this is no feed"),
            "{url}: not a readable RSS/Atom feed (<unknown>:2:1: not well-formed (invalid token))",
        ),
    ],
    ids=["html-page", "html-page-naming-feeds", "html-as-xml", "plain-text", "xml", "garbage"],
)
def test_not_a_feed_says_what_it_is(
    sqlite_store: SQLStore,
    server: FeedServer,
    path: str,
    override: tuple[str, str] | None,
    message: str,
) -> None:
    """An HTML or text page is named as such, not by the XML parser's "syntax error"."""
    if override is not None:
        server.overrides[f"/{path}"] = (override[0], override[1].encode())
    feed, _ = sqlite_store.add_feed(server.url(path))
    report = refresh(sqlite_store, feed.id)
    assert report.error == message.format(url=server.url(path), base=server.base)
    assert sqlite_store.get_feed(feed.id).last_error == report.error


FRENCH = (
    "La mairie a annoncé mardi que la piscine municipale rouvrira ses portes au début du mois "
    "de juillet, après huit mois de travaux. Les horaires du soir seront prolongés jusqu'à "
    "vingt-deux heures pendant tout l'été, et l'entrée restera gratuite pour les enfants."
)
GERMAN = (
    "Die Stadtbibliothek öffnet ab nächster Woche auch am Sonntagnachmittag, teilte die "
    "Verwaltung am Dienstag mit. Nach einer Umfrage unter den Lesern sollen die zusätzlichen "
    "Stunden zunächst ein Jahr lang erprobt werden, bevor der Gemeinderat darüber entscheidet."
)
ENGLISH = (
    "The island ferry will run every forty minutes from June instead of every hour, the "
    "harbour authority said, after two new boats joined the fleet this spring. Early crossings "
    "for commuters start half an hour sooner, and fares stay the same until the end of the year."
)


def text_feed(text: str, *, title: str = "", link: str = "") -> bytes:
    """Return an RSS feed of one item that has no link: only its own text can be stored."""
    channel = (f"<title>{title}</title>" if title else "") + (
        f"<link>{link}</link>" if link else ""
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{channel}'
        f"<item><title>Item</title><guid>item-1</guid><description>{text}</description>"
        "</item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("text", "title", "link", "language", "site"),
    [
        (ENGLISH, "Harbour News", "", "en", "Harbour News"),
        (FRENCH, "Le Petit Journal", "", "fr", "Le Petit Journal"),
        (GERMAN, "Stadtanzeiger", "", "de", "Stadtanzeiger"),
        (ENGLISH, "", "https://www.harbour.example/news/", "en", "harbour.example"),
        (ENGLISH, "", "", "en", "{host}"),
    ],
    ids=["en-title", "fr-title", "de-title", "link-host", "feed-url-host"],
)
def test_article_from_feed_text_gets_language_and_site(
    sqlite_store: SQLStore,
    server: FeedServer,
    text: str,
    title: str,
    link: str,
    language: str,
    site: str,
) -> None:
    """As an article extracted from its page would: the text's language, the feed's site."""
    server.overrides["/text.xml"] = ("application/rss+xml", text_feed(text, title=title, link=link))
    feed, _ = sqlite_store.add_feed(server.url("text.xml"))
    report = refresh(sqlite_store, feed.id)
    assert (report.new, report.from_feed_text) == (1, 1)
    stored = sqlite_store.get_article(report.new_ids[0])
    expected_site = site.format(host=server.base.removeprefix("http://"))
    assert (stored.article.language, stored.article.site) == (language, expected_site)


def test_item_page_over_the_size_limit_names_no_cli_option(
    sqlite_store: SQLStore, server: FeedServer
) -> None:
    """A refresh has no --max-bytes: the fetcher's hint about it is not repeated."""
    small = functools.partial(fetch, timeout=1.0, max_bytes=1000)  # the item pages are larger
    feed, _ = sqlite_store.add_feed(server.url("atom.xml"))
    report = refresh_feed(sqlite_store, feed.id, allow_private_networks=True, fetcher=small)
    failed = dict(report.failed)
    page = server.url("page5.html")
    assert failed[page] == (
        f"{page}: the page is 1,192 bytes, over the limit of 1,000 bytes; "
        "the feed's own text is 36 characters, below the minimum 200"
    )


def test_failures_of_entries_gone_from_the_feed_are_forgotten(
    store: SQLStore, server: FeedServer
) -> None:
    feed, _ = store.add_feed(server.url("rss.xml"))
    refresh(store, feed.id)
    failed = {i.key for i in store.list_feed_items(feed.id, failed_only=True)}
    assert failed == {"gazette-4", "gazette-5"}

    text = (Path(__file__).parent / "fixtures" / "feeds" / "rss.xml").read_text()
    items = text.replace("{base}", server.base).split("<item>")
    without_slow = "<item>".join(i for i in items if "gazette-5" not in i)
    server.overrides["/rss.xml"] = ("application/rss+xml", without_slow.encode())
    report = refresh(store, feed.id)
    assert [item for item, _ in report.failed] == [server.url("missing.html")]
    assert [i.key for i in store.list_feed_items(feed.id, failed_only=True)] == ["gazette-4"]
    assert len(store.list_articles().items) == 4  # no article is removed


def test_unknown_feed(sqlite_store: SQLStore) -> None:
    with pytest.raises(NotFound, match=r"^no feed with id 5$"):
        refresh(sqlite_store, 5)


def test_refresh_all_goes_on_after_a_broken_feed(
    sqlite_store: SQLStore, server: FeedServer
) -> None:
    broken, _ = sqlite_store.add_feed(server.url("broken.xml"))
    good, _ = sqlite_store.add_feed(server.url("atom.xml"))
    reports = refresh_all(sqlite_store, allow_private_networks=True, fetcher=FETCH)
    assert [r.feed_id for r in reports] == [broken.id, good.id]
    assert reports[0].error is not None and reports[1].new == 2
    assert reports[1].to_dict()["status"] == "2 new, 0 already stored"


def test_scheduler_refreshes_until_stopped(tmp_path: Path, server: FeedServer) -> None:
    url = f"sqlite:///{tmp_path / 'sched.sqlite3'}"
    with open_store(url) as setup:
        setup.add_feed(server.url("atom.xml"))
    rounds: list[list[FeedRefreshReport]] = []
    two_rounds = threading.Event()

    def on_round(reports: list[FeedRefreshReport]) -> None:
        rounds.append(reports)
        if len(rounds) >= 2:
            two_rounds.set()

    scheduler = FeedScheduler(
        lambda: open_store(url),
        minutes=0.002,  # 0.12 s
        allow_private_networks=True,
        fetcher=FETCH,
        on_round=on_round,
    )
    scheduler.start()
    assert two_rounds.wait(30)
    scheduler.stop()
    assert not scheduler.running
    assert rounds[0][0].new == 2 and rounds[1][0].new == 0
    with open_store(url) as check:
        assert check.count_articles() == 2


def test_scheduler_interval_must_be_positive() -> None:
    with pytest.raises(
        InvalidOptions, match=r"^the refresh interval must be positive \(got 0 minutes\)$"
    ):
        FeedScheduler(lambda: open_store("sqlite:///unused"), minutes=0)


def test_entry_text_strips_markup() -> None:
    entry = {
        "summary": "short",
        "content": [
            {"value": "<p>First <b>bold</b> line.</p><script>alert(1)</script><p>Second.</p>"}
        ],
    }
    assert entry_text(entry) == "First bold line.\nSecond."


def test_feed_in_stacked_codings_is_refused(sqlite_store: SQLStore) -> None:
    """A feed fetch has the same limits as a page fetch: stacked codings are refused unread."""
    import gzip

    import httpx

    bomb = gzip.compress(gzip.compress(b"\0" * 10_000_000))

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "application/rss+xml", "content-encoding": "gzip, gzip"}
        return httpx.Response(200, headers=headers, content=bomb)

    fetcher = functools.partial(
        fetch, transport=httpx.MockTransport(handler), resolver=lambda host, port: ["93.184.216.34"]
    )
    feed, _ = sqlite_store.add_feed("https://news.example/rss.xml")
    report = refresh_feed(sqlite_store, feed.id, fetcher=fetcher)
    assert report.error == (
        "https://news.example/rss.xml: the server sent the page in stacked content codings "
        "(gzip, gzip); newsbrief decodes one at most"
    )
    assert sqlite_store.get_feed(feed.id).last_error == report.error


# --- picking the entries to ingest, alone (no server, no store) -------------------------------


def _entry(key: str, link: str | None = None) -> dict[str, str]:
    return {"id": key, "link": link} if link else {"id": key}


def test_pick_new_items_skips_repeats_seen_and_stored_entries_and_caps() -> None:
    entries = [
        _entry("a", "https://n.example/a"),
        _entry("a", "https://n.example/a2"),  # same key again
        _entry("b", "https://n.example/a"),  # same link again
        _entry("c", "https://n.example/c"),  # recorded by an earlier refresh
        _entry("d", "https://n.example/d"),  # its page is an article already stored
        _entry("e"),
        _entry("f", "https://n.example/f"),  # over the cap
    ]
    picked = pick_new_items(
        entries,
        already={"c"},
        stored_article={"https://n.example/d": 7}.get,
        max_items=2,
    )
    assert [(i.key, i.link) for i in picked.todo] == [("a", "https://n.example/a"), ("e", None)]
    assert picked.linked == [("d", "https://n.example/d", 7)]
    assert (picked.duplicates, picked.skipped) == (4, 1)


def test_pick_new_items_of_an_empty_or_all_known_feed() -> None:
    assert pick_new_items([], already=set(), stored_article=lambda _: None, max_items=5).todo == []
    known = pick_new_items(
        [_entry("x"), _entry("y")], already={"x", "y"}, stored_article=lambda _: 1, max_items=5
    )
    assert (known.todo, known.duplicates, known.skipped) == ([], 2, 0)
