"""The Store contract, run against every backend (SQLite always, PostgreSQL when available)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsbrief.errors import (
    EmptyInput,
    InvalidOptions,
    NotFound,
    StorageError,
)
from newsbrief.models import Article
from newsbrief.storage import (
    MAX_OFFSET,
    SQLStore,
    SummaryKey,
    canonical_url,
    content_hash,
    migrations,
    open_store,
    schema,
    search_terms,
)
from storage_support import BACKENDS, backend_url, make_store


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(backend: str, tmp_path: Path) -> Iterator[SQLStore]:
    yield from make_store(backend, tmp_path)


_counter = itertools.count()


def art(text: str | None = None, **fields: str | None) -> Article:
    """Return an article with a unique text unless one is given."""
    if text is None:
        text = f"Paragraph number {next(_counter)} of a test article.\nA second paragraph."
    return Article(text=text, **fields)  # type: ignore[arg-type]


# --- round trip --------------------------------------------------------------------------------

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=0,
    max_size=300,
)
_optional = st.none() | _text


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    body=_text,
    title=_optional,
    author=_optional,
    date=st.none() | st.dates().map(str),
    site=_optional,
    language=st.none() | st.sampled_from(["en", "fr", "de", "zh"]),
    description=_optional,
)
def test_save_load_round_trip(
    store: SQLStore,
    body: str,
    title: str | None,
    author: str | None,
    date: str | None,
    site: str | None,
    language: str | None,
    description: str | None,
) -> None:
    # A unique marker keeps every example a new article (same text would be deduplicated).
    text = f"{body}\nmarker {next(_counter)}"
    url = f"https://example.org/ünïcode/{next(_counter)}?q={body[:20]}"
    article = Article(
        text=text,
        title=title,
        author=author,
        date=date,
        site=site,
        url=url,
        language=language,
        description=description,
    )
    stored, created = store.add_article(article, source="text")
    assert created
    loaded = store.get_article(stored.id)
    assert loaded == stored
    assert loaded.article == article
    assert loaded.content_hash == content_hash(text)
    assert loaded.created_at.tzinfo is not None
    if date is not None:
        assert loaded.published_at == datetime.fromisoformat(date).replace(tzinfo=UTC)


def test_round_trip_keeps_bookkeeping(store: SQLStore) -> None:
    feed, _ = store.add_feed("https://example.com/rss")
    stored, _ = store.add_article(
        art(url="https://example.com/a", date="2024-03-01T12:30:00+02:00"),
        source=f"feed:{feed.id}",
        feed_id=feed.id,
    )
    loaded = store.get_article(stored.id)
    assert loaded.source == f"feed:{feed.id}"
    assert loaded.feed_id == feed.id
    assert loaded.canonical_url == "https://example.com/a"
    assert loaded.published_at == datetime(2024, 3, 1, 10, 30, tzinfo=UTC)
    data = loaded.to_dict()
    assert data["id"] == stored.id and data["published_at"] == "2024-03-01T10:30:00+00:00"


def test_nul_characters_are_dropped_before_storing(store: SQLStore) -> None:
    stored, _ = store.add_article(art("Text with a\x00 NUL.", title="T\x00"), source="text")
    assert stored.article.text == "Text with a NUL."
    assert stored.article.title == "T"


def test_empty_text_is_refused(store: SQLStore) -> None:
    with pytest.raises(EmptyInput, match=r"^the article text is empty$"):
        store.add_article(art(" \n "), source="text")


def test_get_missing_article(store: SQLStore) -> None:
    with pytest.raises(NotFound, match=r"^no article with id 999$"):
        store.get_article(999)


# --- de-duplication ----------------------------------------------------------------------------

BASE_URL = "https://example.com/news/story-1"


@pytest.mark.parametrize(
    "variant",
    [
        "HTTPS://EXAMPLE.com/news/story-1",
        "https://example.com/news/story-1/",
        "https://example.com/news/story-1#comments",
        "https://example.com:443/news/story-1",
        "https://example.com/news/story-1?utm_source=rss&utm_medium=feed",
        "https://example.com/news/story-1?fbclid=abc&gclid=def",
        " https://example.com./news/story-1 ",
    ],
    ids=["case", "slash", "fragment", "port", "utm", "click-ids", "dot-and-space"],
)
def test_dedupe_by_url_variant(store: SQLStore, variant: str) -> None:
    first, created = store.add_article(art(url=BASE_URL), source="url")
    assert created
    again, created = store.add_article(art(url=variant), source="url")
    assert not created
    assert again.id == first.id
    assert store.find_article_by_url(variant) == first


@pytest.mark.parametrize(
    "other",
    [
        "https://example.com/news/story-2",
        "https://example.com/News/story-1",
        "https://example.com/news/story-1?id=2",
        "http://example.org/news/story-1",
    ],
    ids=["path", "path-case", "real-param", "host"],
)
def test_different_urls_are_different_articles(store: SQLStore, other: str) -> None:
    store.add_article(art(url=BASE_URL), source="url")
    _, created = store.add_article(art(url=other), source="url")
    assert created


@pytest.mark.parametrize(
    "variant",
    [
        "Hello  World.\nSecond   paragraph.",
        "hello world. second paragraph.",
        "  HELLO WORLD.\n\nSECOND PARAGRAPH.  ",
    ],
    ids=["spaces", "case-and-newline", "upper-and-blank-lines"],
)
def test_dedupe_by_content_hash(store: SQLStore, variant: str) -> None:
    first, _ = store.add_article(art("Hello world.\nSecond paragraph."), source="text")
    again, created = store.add_article(art(variant, url="https://other.example/x"), source="url")
    assert not created
    assert again.id == first.id
    assert store.count_articles() == 1


def test_canonical_url_rules() -> None:
    assert canonical_url("HTTP://Ex.com:80/a/b/?b=2&a=1&utm_x=1#f") == "http://ex.com/a/b?a=1&b=2"
    assert canonical_url("https://ex.com/") == "https://ex.com"
    assert canonical_url("https://ex.com:8443/a") == "https://ex.com:8443/a"
    with pytest.raises(InvalidOptions, match=r"^not an absolute http\(s\) URL: 'ftp://x/y'$"):
        canonical_url("ftp://x/y")
    with pytest.raises(InvalidOptions, match=r"^not an absolute http\(s\) URL: '/relative'$"):
        canonical_url("/relative")
    with pytest.raises(InvalidOptions, match=r"^not a valid URL: 'http://\[::1/a' \("):
        canonical_url("http://[::1/a")


def test_malformed_url_is_kept_but_not_a_dedupe_key(store: SQLStore) -> None:
    """A feed item's broken link must not stop a refresh: the article is stored without it."""
    stored, created = store.add_article(art(url="http://[::1/a"), source="feed")
    assert created and stored.canonical_url is None
    assert store.find_article_by_url("http://[::1/a") is None


def test_non_http_url_is_kept_but_not_a_dedupe_key(store: SQLStore) -> None:
    stored, _ = store.add_article(art(url="file:///tmp/a.html"), source="html")
    assert stored.canonical_url is None
    assert stored.article.url == "file:///tmp/a.html"
    _, created = store.add_article(art(url="file:///tmp/a.html"), source="html")
    assert created  # different text, and a file URL is no identity


# --- listing, order, neighbours ----------------------------------------------------------------


def test_pagination(store: SQLStore) -> None:
    ids = [store.add_article(art(), source="text")[0].id for _ in range(25)]
    newest_first = list(reversed(ids))
    pages = [store.list_articles(limit=10, offset=off) for off in (0, 10, 20)]
    assert [len(p.items) for p in pages] == [10, 10, 5]
    assert all(p.total == 25 for p in pages)
    assert [a.id for p in pages for a in p.items] == newest_first
    assert pages[0].has_next and not pages[0].has_previous
    assert not pages[2].has_next and pages[2].has_previous
    assert store.list_articles(limit=10, offset=30).items == []


@pytest.mark.parametrize(
    ("limit", "offset", "message"),
    [
        (0, 0, r"^limit must be between 1 and 500 \(got 0\)$"),
        (501, 0, r"^limit must be between 1 and 500 \(got 501\)$"),
        (10, -1, r"^offset must be between 0 and 2147483647 \(got -1\)$"),
        (10, 2**31, r"^offset must be between 0 and 2147483647 \(got 2147483648\)$"),
        (
            10,
            10**20,
            r"^offset must be between 0 and 2147483647 \(got 100000000000000000000\)$",
        ),
    ],
    ids=["limit-0", "limit-501", "offset-negative", "offset-2**31", "offset-past-int64"],
)
def test_bad_page_arguments(store: SQLStore, limit: int, offset: int, message: str) -> None:
    """An offset past what any table holds is refused (SQLite raised OverflowError: a 500)."""
    with pytest.raises(InvalidOptions, match=message):
        store.list_articles(limit=limit, offset=offset)


def test_largest_offset_is_an_empty_page(store: SQLStore) -> None:
    store.add_article(art(), source="text")
    page = store.list_articles(limit=10, offset=MAX_OFFSET)
    assert (page.items, page.total, page.offset) == ([], 1, 2**31 - 1)


def test_newest_first_by_article_date(store: SQLStore) -> None:
    old = store.add_article(art(date="2020-01-01"), source="text")[0]
    mid = store.add_article(art(date="2023-06-15T08:00:00Z"), source="text")[0]
    undated = store.add_article(art(), source="text")[0]  # listed at its storing time: now
    older_added_later = store.add_article(art(date="2021-05-05"), source="text")[0]
    future = (datetime.now(UTC) + timedelta(days=365)).date().isoformat()
    in_future = store.add_article(art(date=future), source="text")[0]  # not above "now"
    order = [a.id for a in store.list_articles(limit=50).items]
    assert order == [in_future.id, undated.id, mid.id, older_added_later.id, old.id]


def test_neighbours(store: SQLStore) -> None:
    a, b, c = (store.add_article(art(), source="text")[0] for _ in range(3))
    # List order is newest first: c, b, a. Previous = older, next = newer.
    assert store.neighbours(b.id) == (a, c)
    assert store.neighbours(a.id) == (None, b)
    assert store.neighbours(c.id) == (b, None)
    with pytest.raises(NotFound, match=r"^no article with id 12345$"):
        store.neighbours(12345)


def test_neighbours_with_equal_dates(store: SQLStore) -> None:
    same = [store.add_article(art(date="2024-01-01"), source="text")[0] for _ in range(3)]
    ids = [a.id for a in store.list_articles().items]
    assert ids == [s.id for s in reversed(same)]
    previous, following = store.neighbours(same[1].id)
    assert previous == same[0] and following == same[2]


# --- full-text search --------------------------------------------------------------------------


@pytest.fixture
def searchable(store: SQLStore) -> SQLStore:
    store.add_article(
        art("The harbour ferry runs every hour.\nTickets cost two euros.", title="Ferry news"),
        source="text",
    )
    store.add_article(
        art("A bakery in Zürich won a prize for sourdough bread.", title="Bread prize"),
        source="text",
    )
    store.add_article(
        art("Night trains return.", title="Rail", description="Sleeping cars to the harbour"),
        source="text",
    )
    return store


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("harbour", {"Ferry news", "Rail"}),
        ("HARBOUR ferry", {"Ferry news"}),
        ("sourdough", {"Bread prize"}),
        ("Zürich", {"Bread prize"}),
        ("prize", {"Bread prize"}),
        ("sleeping", {"Rail"}),
        ("submarine", set()),
        ("harbour submarine", set()),
        ("   ", {"Ferry news", "Bread prize", "Rail"}),
    ],
)
def test_full_text_search(searchable: SQLStore, query: str, titles: set[str]) -> None:
    page = searchable.list_articles(query=query)
    assert {a.article.title for a in page.items} == titles
    assert page.total == len(titles)


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "AND (",
        "*",
        "NEAR(",
        "NEAR(harbour ferry, 2)",
        "title:ferry",
        "-harbour",
        "harbour OR",
        "'; DROP TABLE articles; --",
        "ferry*",
        "^ferry",
        '"unterminated phrase',
        ")",
        "a & b | !c",
        "\\",
        "col:",
        "{ferry}",
    ],
)
def test_hostile_search_never_fails_unexpectedly(searchable: SQLStore, query: str) -> None:
    try:
        page = searchable.list_articles(query=query)
    except InvalidOptions as exc:
        assert str(exc) == f"search query {query!r} has no words to search for"
        assert not any(ch.isalnum() for ch in query)
    else:
        assert page.total == len(page.items)
    assert searchable.count_articles() == 3


#: Written for the tests: one article per language, each with the words the search must find
#: in another form (plural, accents, no spaces between words).
MULTILINGUAL = [
    art(
        "Volunteers counted every street tree before the town replanted the avenues.",
        title="Street trees",
        language="en",
    ),
    art(
        "Los trabajadores autónomos regularizan sus cuotas con Hacienda este año.",
        title="Cuotas",
        language="es",
    ),
    art(
        "上海的老旧小区改造今年开始，居民说电梯终于来了。",
        title="小区改造",
        language="zh",
    ),
    art("東京の図書館は来月から夜九時まで開館する。", title="図書館", language="ja"),
    art("서울에서 새 도서관이 문을 열었다.", title="도서관", language="ko"),
    art("Die Stadtbibliothek öffnet künftig auch sonntags.", title="Bibliothek", language="de"),
]


@pytest.fixture
def multilingual(store: SQLStore) -> SQLStore:
    for article in MULTILINGUAL:
        store.add_article(article, source="text")
    return store


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        pytest.param("volunteer", {"Street trees"}, id="en-stem-singular-finds-plural"),
        pytest.param("Volunteers", {"Street trees"}, id="en-exact"),
        pytest.param("counting trees", {"Street trees"}, id="en-stems"),
        pytest.param("autonomos", {"Cuotas"}, id="es-without-accent"),
        pytest.param("autónomo", {"Cuotas"}, id="es-stem-with-accent"),
        pytest.param("cuota", {"Cuotas"}, id="es-stem-singular"),
        pytest.param("上海", {"小区改造"}, id="zh-two-characters"),
        pytest.param("老旧小区", {"小区改造"}, id="zh-four-characters"),
        pytest.param("上海 电梯", {"小区改造"}, id="zh-two-words"),
        pytest.param("北京", set(), id="zh-absent"),
        pytest.param("図書館", {"図書館"}, id="ja"),
        pytest.param("서울", {"도서관"}, id="ko-particle-attached"),
        pytest.param("offnet", {"Bibliothek"}, id="de-umlaut-folded"),
        pytest.param("Sonntag", {"Bibliothek"}, id="de-stem"),
        pytest.param("Montag", set(), id="de-absent"),
    ],
)
def test_search_folds_accents_stems_and_reads_cjk(
    multilingual: SQLStore, query: str, titles: set[str]
) -> None:
    """One contract on both stores: stems per article language, accents folded, CJK found."""
    page = multilingual.list_articles(query=query)
    assert {a.article.title for a in page.items} == titles
    assert page.total == len(titles)


def test_search_ignores_operators(searchable: SQLStore) -> None:
    # The words survive, the syntax does not: "ferry*" searches the word "ferry".
    assert {a.article.title for a in searchable.list_articles(query="ferry*").items} == {
        "Ferry news"
    }
    assert searchable.list_articles(query="harbour OR").total == 0  # "or" is a word too


def test_search_stays_in_sync_with_stored_articles(store: SQLStore) -> None:
    store.add_article(art("Penguins march across the ice."), source="text")
    assert store.list_articles(query="penguins").total == 1
    store.add_article(art("More penguins arrive."), source="text")
    assert store.list_articles(query="penguins").total == 2


def test_replace_article_keeps_id_and_place_and_follows_the_new_text(store: SQLStore) -> None:
    url = "https://news.example.org/a"
    old, _ = store.add_article(art("Penguins march across the ice.", url=url), source="embed")
    new = store.replace_article(
        old.id, art("Walruses rest on the ice floe.", url=url, title="Walruses")
    )
    assert (new.id, new.source, new.created_at) == (old.id, old.source, old.created_at)
    assert new.content_hash == content_hash("Walruses rest on the ice floe.")
    assert new.article.title == "Walruses"
    assert store.find_article_by_url(url) == new
    assert store.list_articles(query="walruses").total == 1  # the search index follows
    assert store.list_articles(query="penguins").total == 0


def test_replace_article_refusals(store: SQLStore) -> None:
    first, _ = store.add_article(art("Penguins march across the ice."), source="text")
    store.add_article(art("Walruses rest on the ice floe."), source="text")
    with pytest.raises(NotFound, match="no article with id 999"):
        store.replace_article(999, art())
    with pytest.raises(EmptyInput):
        store.replace_article(first.id, art(" \n "))
    with pytest.raises(StorageError, match="another stored article has the same text or URL"):
        store.replace_article(first.id, art("Walruses rest on the ice floe."))
    assert store.get_article(first.id) == first


def test_search_paginates(store: SQLStore) -> None:
    for _ in range(7):
        store.add_article(art(), source="text")
    page = store.list_articles(query="paragraph", limit=3, offset=3)
    assert page.total == 7 and len(page.items) == 3


def test_search_terms() -> None:
    assert search_terms('NEAR("a" b*) AND c') == ["NEAR", "a", "b", "AND", "c"]
    with pytest.raises(InvalidOptions, match=r"^search query '\*' has no words to search for$"):
        search_terms("*")


# --- summary cache -----------------------------------------------------------------------------


def test_cache_insert_or_ignore(store: SQLStore) -> None:
    key = SummaryKey("ab" * 32, "lead", "sentences=3", "bullets")
    assert store.get_cached_summary(key) is None
    first = store.put_cached_summary(key, {"summary": "first", "n": [1, 2]})
    assert first == {"summary": "first", "n": [1, 2]}
    second = store.put_cached_summary(key, {"summary": "second"})
    assert second == first
    assert store.get_cached_summary(key) == first


@pytest.mark.parametrize("field", ["content_hash", "method", "length_key", "format"])
def test_cache_key_parts_are_distinct(store: SQLStore, field: str) -> None:
    key = SummaryKey("ab" * 32, "lead", "sentences=3", "bullets")
    store.put_cached_summary(key, {"v": 1})
    other = key._replace(**{field: "x" * 64 if field == "content_hash" else "other"})
    assert store.get_cached_summary(other) is None
    assert store.put_cached_summary(other, {"v": 2}) == {"v": 2}
    assert store.get_cached_summary(key) == {"v": 1}


def test_cache_concurrent_writers_agree(backend: str, tmp_path: Path) -> None:
    url = backend_url(backend, tmp_path)
    stores = [open_store(url) for _ in range(4)]
    key = SummaryKey("cd" * 32, "lead", "words=40", "text")
    barrier = threading.Barrier(8)
    results: list[dict[str, object]] = []

    def write(i: int) -> None:
        barrier.wait()
        results.append(stores[i % 4].put_cached_summary(key, {"writer": i}))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert len(results) == 8
    assert all(r == results[0] for r in results)


# --- migrations --------------------------------------------------------------------------------


def test_migrations_are_idempotent(backend: str, tmp_path: Path) -> None:
    url = backend_url(backend, tmp_path)
    first = open_store(url)
    stored, _ = first.add_article(art(), source="text")
    first.close()
    second = open_store(url)  # runs migrate again: nothing to do, nothing lost
    assert second.get_article(stored.id) == stored
    engine = second._engine
    assert migrations.migrate(engine) == 0
    with engine.connect() as conn:
        assert migrations.current_version(conn) == migrations.LATEST
        rows = conn.execute(sa.text("SELECT version FROM schema_version")).all()
    assert rows == [(migrations.LATEST,)]
    second.close()


def test_migrated_schema_matches_schema_module(store: SQLStore) -> None:
    inspector = sa.inspect(store._engine)
    for name, table in schema.metadata.tables.items():
        columns = {c["name"] for c in inspector.get_columns(name)}
        expected = {c.name for c in table.columns}
        # PostgreSQL's generated search column is not part of the query-side table.
        assert columns - {"search"} == expected, name


def test_concurrent_first_open_migrates_once(backend: str, tmp_path: Path) -> None:
    url = backend_url(backend, tmp_path)
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []
    stores: list[SQLStore] = []

    def opener() -> None:
        barrier.wait()
        try:
            stores.append(open_store(url))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with stores[0]._engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT version FROM schema_version")).all()
    assert rows == [(migrations.LATEST,)]
    for s in stores:
        s.close()


def test_version_1_database_is_reindexed_for_search(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Step 2 fills search_text for the articles a version-1 database already holds."""
    url = backend_url(backend, tmp_path)
    with monkeypatch.context() as patch:
        patch.setattr(migrations, "STEPS", migrations.STEPS[:1])
        patch.setattr(migrations, "LATEST", 1)
        if backend == "sqlite":
            engine = sa.create_engine(url)
        else:
            engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"))
        migrations.migrate(engine)
        now = datetime.now(UTC)
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO articles (content_hash, title, language, text, source, "
                    "created_at, sort_at) VALUES ('h', 'Trees', 'en', :text, 'text', :t, :t)"
                ),
                {"text": "Volunteers counted the trees of Zürich.", "t": now},
            )
        engine.dispose()
    store = open_store(url)
    try:
        assert {a.article.title for a in store.list_articles(query="volunteer zurich").items} == {
            "Trees"
        }
    finally:
        store.close()


def test_newer_schema_is_refused(backend: str, tmp_path: Path) -> None:
    url = backend_url(backend, tmp_path)
    store = open_store(url)
    with store._engine.begin() as conn:
        conn.execute(sa.text("UPDATE schema_version SET version = 99"))
    store.close()
    with pytest.raises(StorageError, match=r"^the database schema is version 99, newer than"):
        open_store(url)


# --- feeds -------------------------------------------------------------------------------------


def test_feeds(store: SQLStore) -> None:
    feed, created = store.add_feed("https://example.com/rss.xml", title="Example")
    assert created and feed.title == "Example" and feed.last_fetched_at is None
    same, created = store.add_feed("HTTPS://EXAMPLE.COM/rss.xml?utm_source=x")
    assert not created and same.id == feed.id
    other, _ = store.add_feed("https://example.com/atom.xml")
    assert [f.id for f in store.list_feeds()] == [feed.id, other.id]
    updated = store.record_feed_fetch(feed.id, error=None, status="2 new", title="Renamed")
    assert updated.last_status == "2 new" and updated.title == "Renamed"
    assert updated.last_fetched_at is not None and updated.last_error is None
    failed = store.record_feed_fetch(feed.id, error="boom", status="refresh failed")
    assert failed.last_error == "boom" and failed.title == "Renamed"
    assert store.get_feed(feed.id) == failed
    assert failed.to_dict()["last_error"] == "boom"


@pytest.mark.parametrize("url", ["ftp://example.com/feed", "example.com/feed", ""])
def test_feed_url_must_be_http(store: SQLStore, url: str) -> None:
    with pytest.raises(InvalidOptions, match=r"^not an absolute http\(s\) URL: "):
        store.add_feed(url)


def test_missing_feed(store: SQLStore) -> None:
    with pytest.raises(NotFound, match=r"^no feed with id 77$"):
        store.get_feed(77)
    with pytest.raises(NotFound, match=r"^no feed with id 77$"):
        store.record_feed_fetch(77, error=None, status=None)
    with pytest.raises(NotFound, match=r"^no feed with id 77$"):
        store.delete_feed(77)


def test_feed_item_of_a_removed_feed_is_not_found(store: SQLStore) -> None:
    """A refresh recording an entry after its feed was removed gets NotFound, not a raw
    IntegrityError (which reached the web app as a 500)."""
    feed, _ = store.add_feed("https://example.com/rss.xml")
    store.delete_feed(feed.id)
    with pytest.raises(NotFound) as info:
        store.record_feed_item(feed.id, "guid-1", url=None, article_id=None, error="404")
    assert str(info.value) == f"no feed with id {feed.id}"


def test_forget_feed_failures_keeps_current_and_ingested(store: SQLStore) -> None:
    feed, _ = store.add_feed("https://example.com/rss.xml")
    other, _ = store.add_feed("https://example.com/other.xml")
    stored, _ = store.add_article(art(), source="text")
    store.record_feed_item(feed.id, "gone-ok", url=None, article_id=stored.id, error=None)
    store.record_feed_item(feed.id, "gone-failed", url=None, article_id=None, error="404")
    store.record_feed_item(feed.id, "here-failed", url=None, article_id=None, error="timeout")
    store.record_feed_item(other.id, "gone-failed", url=None, article_id=None, error="404")
    assert store.forget_feed_failures(feed.id, keep={"here-failed"}) == 1
    assert {i.key for i in store.list_feed_items(feed.id)} == {"gone-ok", "here-failed"}
    assert [i.key for i in store.list_feed_items(other.id)] == ["gone-failed"]
    assert store.forget_feed_failures(feed.id, keep={"here-failed"}) == 0


def test_forget_many_feed_failures(store: SQLStore) -> None:
    """More stale keys than one statement may bind on old SQLite builds (999)."""
    feed, _ = store.add_feed("https://example.com/rss.xml")
    for n in range(1200):
        store.record_feed_item(feed.id, f"k{n}", url=None, article_id=None, error="404")
    assert store.forget_feed_failures(feed.id, keep={"k7"}) == 1199
    assert [i.key for i in store.list_feed_items(feed.id)] == ["k7"]


def test_feed_items_and_delete_keeps_articles(store: SQLStore) -> None:
    feed, _ = store.add_feed("https://example.com/rss.xml")
    stored, _ = store.add_article(art(), source=f"feed:{feed.id}", feed_id=feed.id)
    store.record_feed_item(feed.id, "guid-1", url="https://x/1", article_id=None, error="404")
    assert store.feed_item_keys(feed.id) == set()
    store.record_feed_item(feed.id, "guid-1", url="https://x/1", article_id=stored.id, error=None)
    store.record_feed_item(feed.id, "guid-2", url=None, article_id=None, error="timeout")
    assert store.feed_item_keys(feed.id) == {"guid-1"}
    assert [i.key for i in store.list_feed_items(feed.id, failed_only=True)] == ["guid-2"]
    assert len(store.list_feed_items(feed.id)) == 2
    store.delete_feed(feed.id)
    assert store.list_feeds() == []
    assert store.list_feed_items(feed.id) == []
    kept = store.get_article(stored.id)
    assert kept.feed_id is None and kept.source == f"feed:{feed.id}"


# --- opening -----------------------------------------------------------------------------------


def test_default_location_is_in_the_data_dir(tmp_path: Path) -> None:
    store = open_store(data_dir=tmp_path / "data")
    try:
        assert (tmp_path / "data" / "newsbrief.sqlite3").exists()
        with store._engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
    finally:
        store.close()


def test_data_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBRIEF_DATA_DIR", str(tmp_path / "env"))
    open_store().close()
    assert (tmp_path / "env" / "newsbrief.sqlite3").exists()


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"NEWSBRIEF_DATA_DIR": "nb", "XDG_DATA_HOME": "xdg"}, "nb"),
        ({"XDG_DATA_HOME": "xdg"}, "xdg/newsbrief"),
        ({}, "home/.local/share/newsbrief"),
    ],
    ids=["newsbrief-data-dir", "xdg-data-home", "home"],
)
def test_default_data_dir_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: str
) -> None:
    """The order docs/web.md, docs/storage.md and `serve --help` give."""
    from newsbrief.storage import default_data_dir

    monkeypatch.delenv("NEWSBRIEF_DATA_DIR", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name, value in environment.items():
        monkeypatch.setenv(name, str(tmp_path / value))
    assert default_data_dir() == tmp_path / expected


#: What the open errors say the URLs look like (SQLAlchemy: four slashes = absolute path).
URL_FORMS = (
    "use sqlite:////absolute/path/file.sqlite3, sqlite:///relative/path/file.sqlite3 or "
    "postgresql://user:password@host/db"
)
IN_MEMORY = (
    "in-memory SQLite is not supported (each connection would see its own empty database); "
    "give a file, e.g. sqlite:////tmp/newsbrief.sqlite3 (four slashes: an absolute path) or "
    "sqlite:///newsbrief.sqlite3 (three: relative to the current folder)"
)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", f"unsupported database URL 'mysql://u@h/db'; {URL_FORMS}"),
        ("mysql://u:secret@h/db", f"unsupported database URL 'mysql://u:***@h/db'; {URL_FORMS}"),
        ("sqlite://", IN_MEMORY),
        ("sqlite:///:memory:", IN_MEMORY),
        ("not a url", f"not a database URL: 'not a url'; {URL_FORMS}"),
    ],
    ids=["mysql", "mysql-password-hidden", "memory", "memory-named", "garbage"],
)
def test_open_url_errors(url: str, message: str) -> None:
    with pytest.raises(InvalidOptions) as info:
        open_store(url)
    assert str(info.value) == message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://nobody:secret@127.0.0.1:1/nothing",
        "postgres://nobody:secret@127.0.0.1:1/nothing",
        "postgresql://nobody:secret@127.0.0.1:1/nothing?connect_timeout=5",
    ],
    ids=["postgresql", "postgres-scheme", "with-query"],
)
def test_open_connection_error_shows_the_url_given(url: str) -> None:
    """The URL as the user wrote it, password hidden, not SQLAlchemy's postgresql+psycopg://."""
    with pytest.raises(StorageError) as info:
        open_store(url)
    shown = url.replace(":secret@", ":***@")
    assert str(info.value).startswith(f"cannot open the database {shown}: ")
    assert "secret" not in str(info.value) and "psycopg://" not in str(info.value)


def test_store_url_is_the_url_given(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'given.sqlite3'}"
    with open_store(url) as store:
        assert store.url == url


def test_unwritable_sqlite_location(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StorageError, match=r"^cannot create the data directory for "):
        open_store(f"sqlite:///{blocker}/sub/db.sqlite3")
