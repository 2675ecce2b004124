"""The embeddable button's server side: origins, the endpoint, CORS, caching, single flight,
re-checking changed pages, embed.js and its labels, and ``newsbrief embed-snippet``.

Pages are served from a loopback server (the app is started with ``allow_private_networks``
so that it may fetch it) or handed over by a fake fetcher; nothing leaves the machine.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newsbrief import embed
from newsbrief.cli import cli
from newsbrief.errors import InvalidOptions, OriginNotAllowed, TooManyFetches
from newsbrief.fetch import FetchedPage
from newsbrief.models import Article
from newsbrief.settings import Settings
from newsbrief.storage import open_store
from newsbrief.web import i18n
from web_support import make_app, page_server

SENTENCES = [
    "The harbour board approved a plan to dredge the old canal before the summer season.",
    "Work starts in March and should take eleven weeks, the board said on Tuesday.",
    "Boats will use the northern channel while the dredgers are at work in the canal.",
    "Residents asked for quieter machines at night, and the contractor agreed to that.",
    "The canal was last dredged in 1998, when silt had closed it to larger boats.",
    "A public meeting on the timetable is planned for next month at the town hall.",
]
CHANGED = [*SENTENCES[:5], "The board has now moved the start of the work to April."]


def page(sentences: list[str], title: str = "Harbour board approves canal dredging") -> bytes:
    paragraphs = "".join(f"<p>{s}</p>" for s in sentences)
    return (
        f"<!doctype html><html lang='en'><head><title>{title}</title></head><body>"
        f"<article><h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode()


HTML = {"content-type": "text/html; charset=utf-8"}


@pytest.fixture
def publisher() -> Iterator[str]:
    with page_server({"/news/canal": (HTML, page(SENTENCES))}) as base:
        yield base


def app_for(tmp_path: Path, *origins: str, **settings: Any) -> tuple[Any, Any, Any]:
    return make_app(tmp_path, embed_origins=origins, allow_private_networks=True, **settings)


# --- origins ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "origin"),
    [
        ("https://News.Example.org", "https://news.example.org"),
        ("https://news.example.org/", "https://news.example.org"),
        ("https://news.example.org:443", "https://news.example.org"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("http://[::1]:8000", "http://[::1]:8000"),
    ],
    ids=["case", "slash", "default-port", "port", "idn", "ipv6"],
)
def test_origins_are_normalised_as_browsers_send_them(given: str, origin: str) -> None:
    assert embed.parse_origin(given) == origin
    assert Settings(embed_origins=(given,)).embed_origins == (origin,)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("news.example.org", "give the publisher's origin as http(s)://host[:port]"),
        ("ftp://news.example.org", "give the publisher's origin as http(s)://host[:port]"),
        (
            "https://news.example.org/politics",
            "an origin has no path, query or user name; give https://news.example.org",
        ),
        ("https://news.example.org?x=1", "an origin has no path, query or user name"),
        ("https://news.example.org:99999", "not a valid origin"),
    ],
    ids=["no-scheme", "ftp", "path", "query", "port"],
)
def test_a_bad_origin_is_refused_with_what_to_give(given: str, message: str) -> None:
    with pytest.raises(InvalidOptions, match=re.escape(message)):
        Settings(embed_origins=(given,))


def test_origin_of_a_page_url() -> None:
    assert embed.origin_of("https://News.example.org:443/a/b?c#d") == "https://news.example.org"
    assert embed.origin_of("http://127.0.0.1:8001/x") == "http://127.0.0.1:8001"


# --- the endpoint ----------------------------------------------------------------------------


def test_a_stored_article_is_answered_by_url_with_cache_headers(tmp_path: Path) -> None:
    _, store, client = app_for(tmp_path)
    url = "https://news.example.org/news/canal"
    store.add_article(Article(text="\n".join(SENTENCES), url=url, language="en"), source="api")
    # Tracking parameters and a fragment name the same page.
    answer = client.get("/api/embed/summary", params={"url": url + "?utm_source=x#top"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert len(body["sentences"]) == 3
    assert all(s["text"] in SENTENCES for s in body["sentences"])
    assert "cached" not in body  # the same bytes for every reader
    assert answer.headers["cache-control"] == "public, max-age=300"
    etag = answer.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    short = client.get("/api/embed/summary", params={"url": url, "length": "short"})
    assert len(short.json()["sentences"]) == 1
    assert short.headers["etag"] != etag
    again = client.get("/api/embed/summary", params={"url": url}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    assert again.content == b""


def test_an_unlisted_origin_is_never_fetched(tmp_path: Path) -> None:
    requests: list[str] = []
    with page_server({"/news/canal": (HTML, page(SENTENCES))}) as other:
        _, store, client = app_for(tmp_path, "https://news.example.org")

        def spy(url: str, **_: Any) -> FetchedPage:  # pragma: no cover - must not run
            requests.append(url)
            raise AssertionError("fetched")

        answer = client.get("/api/embed/summary", params={"url": other + "/news/canal"})
    assert answer.status_code == 403
    error = answer.json()["error"]
    assert error["code"] == "origin_not_allowed"
    assert error["message"] == (
        f"{other}/news/canal: newsbrief has no summary of this page, and fetches pages only "
        "from the origins given with --embed-origin (https://news.example.org)"
    )
    assert requests == []
    assert store.list_articles().total == 0


def test_a_listed_origin_is_fetched_stored_and_summarized(tmp_path: Path, publisher: str) -> None:
    _, store, client = app_for(tmp_path, publisher)
    answer = client.get("/api/embed/summary", params={"url": publisher + "/news/canal"})
    assert answer.status_code == 200, answer.text
    texts = [s["text"] for s in answer.json()["sentences"]]
    assert texts and all(t in SENTENCES for t in texts)
    stored = store.find_article_by_url(publisher + "/news/canal")
    assert stored is not None and stored.source == "embed"
    assert stored.article.title == "Harbour board approves canal dredging"


def test_a_malformed_url_or_length_is_refused(tmp_path: Path) -> None:
    _, _, client = app_for(tmp_path)
    answer = client.get("/api/embed/summary", params={"url": "javascript:alert(1)"})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "bad_input"
    answer = client.get("/api/embed/summary", params={"url": "https://a.example/", "length": "x"})
    assert answer.status_code == 400
    assert (
        answer.json()["error"]["message"] == "length must be one of short, medium, long (got 'x')"
    )


def test_a_redirect_off_the_publishers_origin_is_not_stored(tmp_path: Path) -> None:
    def redirected(url: str, **_: Any) -> FetchedPage:
        return FetchedPage(
            url, "https://elsewhere.example/x", 200, "text/html", page(SENTENCES), "utf-8"
        )

    store = open_store(f"sqlite:///{tmp_path / 's.sqlite3'}")
    options = Settings().summary_options(length=embed_length(), format="bullets")
    with pytest.raises(OriginNotAllowed, match=r"elsewhere\.example"):
        embed.page_summary(
            store,
            "https://news.example.org/a",
            options,
            origins=("https://news.example.org",),
            fetcher=redirected,
        )
    assert store.list_articles().total == 0
    store.close()


def embed_length() -> Any:
    from newsbrief.models import Length

    return Length(sentences=3)


# --- single flight, re-checks, the work hook -------------------------------------------------


class SlowPages:
    """A fetcher that serves ``pages`` (url -> sentences), slowly, counting its calls."""

    def __init__(self, pages: dict[str, list[str]], delay: float = 0.2) -> None:
        self.pages = pages
        self.delay = delay
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, url: str, **_: Any) -> FetchedPage:
        with self._lock:
            self.calls += 1
        time.sleep(self.delay)
        return FetchedPage(url, url, 200, "text/html", page(self.pages[url]), "utf-8")


def test_concurrent_first_requests_cause_one_fetch(tmp_path: Path) -> None:
    url = "https://news.example.org/news/canal"
    pages = SlowPages({url: SENTENCES})
    store = open_store(f"sqlite:///{tmp_path / 's.sqlite3'}")
    options = Settings().summary_options(length=embed_length(), format="bullets")
    barrier = threading.Barrier(8)
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def reader() -> None:
        barrier.wait()
        try:
            results.append(
                embed.page_summary(
                    store, url, options, origins=("https://news.example.org",), fetcher=pages
                )
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.close()
    assert errors == []
    assert pages.calls == 1
    assert len({r["article_id"] for r in results}) == 1
    assert len(embed._FETCH_LOCKS) == 0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_changed_page_is_resummarized_and_an_unchanged_one_is_not(tmp_path: Path) -> None:
    url = "https://news.example.org/news/canal"
    pages = SlowPages({url: SENTENCES}, delay=0)
    clock = Clock()
    checks = embed.PageChecks(clock=clock)
    store = open_store(f"sqlite:///{tmp_path / 's.sqlite3'}")
    options = Settings().summary_options(length=embed_length(), format="bullets")
    replaced: list[int] = []

    def ask() -> dict[str, Any]:
        return embed.page_summary(
            store,
            url,
            options,
            origins=("https://news.example.org",),
            fetcher=pages,
            checks=checks,
            recheck_seconds=60,
            replaced=replaced.append,
        )

    first = ask()
    assert (pages.calls, first["cached"]) == (1, False)
    clock.now += 30  # not due yet: no fetch
    assert ask()["cached"] is True
    assert pages.calls == 1
    clock.now += 31  # due, page unchanged: fetched, not re-summarized
    unchanged = ask()
    assert (pages.calls, unchanged["cached"]) == (2, True)
    assert replaced == []
    pages.pages[url] = CHANGED
    clock.now += 61  # due, page changed: new text, new summary
    changed = ask()
    assert pages.calls == 3
    assert changed["cached"] is False
    assert replaced == [first["article_id"]]
    assert changed["article_id"] == first["article_id"]
    stored = store.get_article(first["article_id"])
    assert "moved the start of the work to April" in stored.article.text
    store.close()


def test_a_failed_recheck_still_answers_from_the_store(tmp_path: Path) -> None:
    url = "https://news.example.org/news/canal"
    pages = SlowPages({url: SENTENCES}, delay=0)
    clock = Clock()
    checks = embed.PageChecks(clock=clock)
    store = open_store(f"sqlite:///{tmp_path / 's.sqlite3'}")
    options = Settings().summary_options(length=embed_length(), format="bullets")
    kwargs: dict[str, Any] = {
        "origins": ("https://news.example.org",),
        "checks": checks,
        "recheck_seconds": 60,
    }
    first = embed.page_summary(store, url, options, fetcher=pages, **kwargs)

    def down(url: str, **_: Any) -> FetchedPage:
        from newsbrief.errors import Unreachable

        raise Unreachable(f"{url}: connection refused")

    clock.now += 61
    again = embed.page_summary(store, url, options, fetcher=down, **kwargs)
    assert again["sentences"] == first["sentences"]
    assert again["cached"] is True
    store.close()


#: What a refusing ``admit`` raises here. The rate limit will raise its own error; a subclass
#: defined in a test would be taken for a code the server answers (test_web_protocol).
Refused = TooManyFetches


def test_admit_is_asked_before_work_and_never_for_a_cached_summary(tmp_path: Path) -> None:
    url = "https://news.example.org/news/canal"
    pages = SlowPages({url: SENTENCES}, delay=0)
    store = open_store(f"sqlite:///{tmp_path / 's.sqlite3'}")
    options = Settings().summary_options(length=embed_length(), format="bullets")
    asked: list[str] = []

    def refuse() -> None:
        asked.append("refuse")
        raise Refused("slow down")

    kwargs: dict[str, Any] = {"origins": ("https://news.example.org",), "fetcher": pages}
    with pytest.raises(Refused):
        embed.page_summary(store, url, options, admit=refuse, **kwargs)
    assert pages.calls == 0  # refused before the fetch
    embed.page_summary(store, url, options, admit=lambda: asked.append("ok"), **kwargs)
    assert asked == ["refuse", "ok", "ok"]  # the fetch, then the uncached summary
    embed.page_summary(store, url, options, admit=refuse, **kwargs)  # cached: not asked
    assert asked == ["refuse", "ok", "ok"]
    store.close()


def test_the_endpoint_calls_the_admit_seam(tmp_path: Path, publisher: str) -> None:
    app, _, client = app_for(tmp_path, publisher)
    seen: list[str] = []

    def limit(request: Any) -> None:
        seen.append(request.url.path)
        raise Refused("slow down")

    app.state.embed.admit = limit
    answer = client.get("/api/embed/summary", params={"url": publisher + "/news/canal"})
    assert answer.status_code == 503
    assert answer.json()["error"] == {"code": "too_many_fetches", "message": "slow down"}
    assert seen == ["/api/embed/summary"]


# --- CORS ------------------------------------------------------------------------------------

LISTED = "https://news.example.org"


@pytest.mark.parametrize("path", ["/api/embed/summary?url=x", "/embed/strings/es.json"])
def test_cors_only_for_listed_origins(tmp_path: Path, path: str) -> None:
    _, _, client = app_for(tmp_path, LISTED)
    listed = client.get(path, headers={"Origin": LISTED})
    assert listed.headers["access-control-allow-origin"] == LISTED
    assert "Origin" in listed.headers["vary"]
    other = client.get(path, headers={"Origin": "https://evil.example"})
    assert not [h for h in other.headers if h.startswith("access-control-")]
    assert "Origin" in other.headers["vary"]  # a CDN keeps the origins apart


def test_preflight_from_a_listed_origin(tmp_path: Path) -> None:
    _, _, client = app_for(tmp_path, LISTED)
    answer = client.request(
        "OPTIONS",
        "/api/embed/summary?url=x",
        headers={"Origin": LISTED, "Access-Control-Request-Method": "GET"},
    )
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == LISTED
    assert answer.headers["access-control-allow-methods"] == "GET, HEAD"
    assert answer.headers["access-control-max-age"] == "600"


@pytest.mark.parametrize(
    ("origin", "method"),
    [("https://evil.example", "GET"), (LISTED, "POST"), (LISTED, "DELETE")],
    ids=["other-origin", "post", "delete"],
)
def test_preflight_refused_gets_no_cors(tmp_path: Path, origin: str, method: str) -> None:
    _, _, client = app_for(tmp_path, LISTED)
    answer = client.request(
        "OPTIONS",
        "/api/embed/summary?url=x",
        headers={"Origin": origin, "Access-Control-Request-Method": method},
    )
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "method_not_allowed"
    assert not [h for h in answer.headers if h.startswith("access-control-")]


def test_other_paths_get_no_cors_and_keep_frame_ancestors_none(tmp_path: Path) -> None:
    _, _, client = app_for(tmp_path, LISTED)
    for path in ("/", "/api/articles", "/embed.js"):
        answer = client.get(path, headers={"Origin": LISTED})
        assert "access-control-allow-origin" not in answer.headers, path
    home = client.get("/")
    assert "frame-ancestors 'none'" in home.headers["content-security-policy"]
    assert home.headers["x-frame-options"] == "DENY"


# --- embed.js and its labels -----------------------------------------------------------------

#: The element's size budget (gzipped), from the issue: one small file.
MAX_GZIPPED = 15_000


def test_embed_js_is_small_cached_and_gzipped(tmp_path: Path) -> None:
    _, _, client = app_for(tmp_path)
    plain = client.get("/embed.js", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert plain.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "customElements.define" in plain.text
    packed = client.get("/embed.js", headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == plain.content  # httpx decoded it
    assert int(packed.headers["content-length"]) == len(gzip.compress(plain.content, 9, mtime=0))
    assert int(packed.headers["content-length"]) < MAX_GZIPPED
    assert "Accept-Encoding" in packed.headers["vary"]
    etag = plain.headers["etag"]
    assert client.get("/embed.js", headers={"If-None-Match": etag}).status_code == 304


def test_embed_js_loads_nothing_but_its_own_server() -> None:
    from importlib import resources

    source = (resources.files("newsbrief.web") / "static" / "embed.js").read_text("utf-8")
    assert not re.search(r"https?://", source)  # every URL is built from the script's own
    assert "innerHTML" not in source and "eval(" not in source


@pytest.mark.parametrize(
    ("name", "language", "get"),
    [
        ("es.json", "es", "Obtén un resumen"),
        ("pt-BR.json", "pt", "Veja um resumo"),
        ("ar.json", "ar", "اعرض ملخصًا"),
        ("xx.json", "en", "Get a summary"),
    ],
)
def test_labels_by_language(tmp_path: Path, name: str, language: str, get: str) -> None:
    _, _, client = app_for(tmp_path)
    answer = client.get(f"/embed/strings/{name}")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["lang"], body["get"]) == (language, get)
    assert answer.headers["cache-control"] == "public, max-age=3600"


# --- the string table ------------------------------------------------------------------------

#: The 20 most-read languages of online news, and Hebrew (the issue's list).
REQUIRED = frozenset(
    [
        "en",
        "es",
        "pt",
        "fr",
        "de",
        "it",
        "ru",
        "uk",
        "pl",
        "nl",
        "tr",
        "ar",
        "fa",
        "hi",
        "id",
        "ja",
        "ko",
        "zh",
        "vi",
        "sv",
        "he",
    ]
)


def test_every_language_has_every_label_with_the_same_placeholders() -> None:
    table = i18n.strings()
    assert set(REQUIRED) <= set(table)
    english = table["en"]
    for language, labels in table.items():
        assert labels.keys() == english.keys(), language
        for key, text in labels.items():
            assert text.strip(), (language, key)
            assert i18n.placeholders(text) == i18n.placeholders(english[key]), (language, key)
        assert labels["dir"] == ("rtl" if language in i18n.RTL_LANGUAGES else "ltr"), language
        if language != "en":
            # A label left in English is a label not translated (names such as "Long" aside).
            same = [k for k in english if k != "dir" and labels[k] == english[k]]
            assert len(same) <= 2, (language, same)


def test_the_element_knows_the_english_labels_it_falls_back_to() -> None:
    from importlib import resources

    source = (resources.files("newsbrief.web") / "static" / "embed.js").read_text("utf-8")
    for key, text in i18n.strings()["en"].items():
        if key in ("previous", "next", "back"):
            continue  # the site's own pages only
        flat = re.sub(r'"\s*\+\s*"', "", source)
        assert f'{key}: "{text}"' in flat, key


@pytest.mark.parametrize(
    ("tag", "language"),
    [("es-MX", "es"), ("zh-Hant-TW", "zh"), ("iw", "he"), ("EN", "en"), ("", "en"), ("x", "en")],
)
def test_match_language(tag: str, language: str) -> None:
    assert i18n.match_language(tag) == language


# --- the CLI ---------------------------------------------------------------------------------


def test_embed_snippet_prints_the_snippet_for_the_server() -> None:
    result = CliRunner().invoke(cli, ["embed-snippet", "--server", "https://s.example.org/"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "<!-- once per page, e.g. in <head> -->\n"
        '<script src="https://s.example.org/embed.js" defer></script>\n'
        "<!-- where the button goes: above the article, below it, or both -->\n"
        "<newsbrief-summary></newsbrief-summary>\n"
    )


def test_embed_snippet_refuses_a_bad_server_url() -> None:
    result = CliRunner().invoke(cli, ["embed-snippet", "--server", "summaries.example.org"])
    assert result.exit_code == 1
    assert result.output == (
        "newsbrief: error: the server's URL must be http(s)://host[:port] "
        "(got 'summaries.example.org'), e.g. https://summaries.example.org\n"
    )


def test_serve_refuses_a_bad_embed_origin() -> None:
    result = CliRunner().invoke(cli, ["serve", "--embed-origin", "https://a.example/path"])
    assert result.exit_code == 1
    assert "--embed-origin 'https://a.example/path': an origin has no path" in result.output


def test_discard_drops_a_replaced_articles_answers_and_their_bytes() -> None:
    from newsbrief.web.cache import ResponseCache

    cache = ResponseCache(max_bytes=1_000_000)
    cache.put((1, "trained", "3", "bullets", None), b"x" * 100)
    cache.put((1, "trained", "5", "bullets", None), b"x" * 100)
    cache.put((2, "trained", "3", "bullets", None), b"y" * 100)
    kept = cache.nbytes // 3
    assert cache.discard(lambda key: key[0] == 1) == 2
    assert len(cache) == 1 and cache.nbytes == kept
    assert cache.get((2, "trained", "3", "bullets", None)) == b"y" * 100


# --- the reader site speaks the article's language -------------------------------------------


def site_with(tmp_path: Path, language: str) -> tuple[Any, int]:
    _, store, client = app_for(tmp_path)
    stored, _ = store.add_article(
        Article(text="\n".join(SENTENCES), title="Canal", language=language), source="text"
    )
    return client, stored.id


@pytest.mark.parametrize("language", ["es", "ar", "ja"])
def test_article_page_labels_in_the_articles_language(tmp_path: Path, language: str) -> None:
    client, article_id = site_with(tmp_path, language)
    t = i18n.labels(language)
    html = client.get(f"/articles/{article_id}").text
    box = f'<div class="summary-box summary-box-top" lang="{language}" dir="{t.dir}">'
    assert box in html
    assert f'<span class="summary-button-q">{t("question")}</span>' in html
    assert f'<span class="summary-button-a">{t("get")}</span>' in html
    assert f">{t('heading')}</h2>" in html
    assert f'aria-label="{t("lengths")}"' in html
    for name in ("short", "medium", "long"):
        assert f">{t(name)}</button>" in html
    assert f"<summary>{t('how')}</summary>" in html
    assert t("how_extractive").replace("'", "&#39;") in html
    # app.js takes its own labels from the page.
    carried = re.search(r'data-labels="([^"]*)"', html)
    assert carried is not None
    labels = json.loads(unescape(carried[1]))
    assert (labels["lang"], labels["hide"], labels["loading"]) == (
        language,
        t("hide"),
        t("loading"),
    )
    summary = client.get(f"/articles/{article_id}/summary?length=short").text
    assert f'<h1 id="summary-title">{t("heading")}</h1>' in summary
    assert f'<strong aria-current="page">{t("short")}</strong>' in summary


def test_a_language_without_labels_gets_english(tmp_path: Path) -> None:
    client, article_id = site_with(tmp_path, "hr")
    html = client.get(f"/articles/{article_id}").text
    assert '<div class="summary-box summary-box-top" lang="en" dir="ltr">' in html
    assert '<span class="summary-button-a">Get a summary</span>' in html


def test_the_fast_path_serves_kept_answers_and_passes_the_rest_on(tmp_path: Path) -> None:
    import asyncio

    from newsbrief.web.embed import EmbedFastPath, EmbedState

    state = EmbedState()
    url = "https://news.example.org/a"
    state.answers.put((url, "medium"), b'{"sentences":[]}', 60)
    passed: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        passed.append(scope["query_string"].decode())

    fast = EmbedFastPath(app, embed=state, max_age=300)

    def get(query: str, headers: list[tuple[bytes, bytes]] | None = None) -> list[Any]:
        sent: list[Any] = []

        async def send(message: Any) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "GET",
            "path": "/api/embed/summary",
            "query_string": query.encode(),
            "headers": headers or [],
        }
        asyncio.run(fast(scope, None, send))
        return sent

    hit = get(f"url={url}?utm_source=x")  # the canonical URL's answer, length medium
    assert hit[0]["status"] == 200 and hit[1]["body"] == b'{"sentences":[]}'
    headers = dict(hit[0]["headers"])
    assert headers[b"cache-control"] == b"public, max-age=300"
    etag = headers[b"etag"]
    assert get(f"url={url}", [(b"if-none-match", etag)])[0]["status"] == 304
    for odd in (f"url={url}&length=long", f"url={url}&url={url}", f"url={url}&x=1", "url=::"):
        assert get(odd) == []
    assert passed == [f"url={url}&length=long", f"url={url}&url={url}", f"url={url}&x=1", "url=::"]


def test_a_repeated_answer_is_the_same_bytes_and_headers(tmp_path: Path) -> None:
    _, store, client = app_for(tmp_path, LISTED)
    url = LISTED + "/news/canal"
    store.add_article(Article(text="\n".join(SENTENCES), url=url, language="en"), source="api")
    first = client.get("/api/embed/summary", params={"url": url}, headers={"Origin": LISTED})
    again = client.get("/api/embed/summary", params={"url": url}, headers={"Origin": LISTED})
    assert again.content == first.content
    for name in ("etag", "cache-control", "access-control-allow-origin", "vary", "content-type"):
        assert again.headers[name] == first.headers[name], name
    assert "frame-ancestors" in again.headers["content-security-policy"]
