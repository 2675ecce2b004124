"""The reader site's pages in-process: home, article, summary fallback, add, feeds, XSS."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsbrief import summarizers
from newsbrief.cli import cli
from newsbrief.demo import demo_articles, load_demo, parse_demo
from newsbrief.errors import DataFormatError, InvalidOptions
from newsbrief.models import Article
from newsbrief.pipeline import prepare
from newsbrief.settings import Settings
from newsbrief.storage import Store
from newsbrief.web.render import SpanCache, lang_tag, safe_url, split_for_display, teaser
from web_support import XSS_TEXT, XSS_TITLE, Client, make_app, xss_article


class Tags(HTMLParser):
    """Collect the start tags (name, attributes) of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Store, Client]]:
    _, store, client = make_app(tmp_path, demo=True)
    yield store, client
    store.close()


@pytest.fixture
def store(site: tuple[Store, Client]) -> Store:
    return site[0]


@pytest.fixture
def client(site: tuple[Store, Client]) -> Client:
    return site[1]


# --- home ------------------------------------------------------------------------------------


def test_home_lists_newest_first(client: Client) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    links = re.findall(r'<a href="/articles/(\d+)">', r.text)
    assert links == ["6", "5", "4", "3", "2", "1"]
    assert "Regional rail operator trials quieter night trains" in r.text
    assert '<time datetime="2025-01-19">' in r.text
    assert 'lang="ru"' in r.text


def test_home_pagination(tmp_path: Path) -> None:
    _, store, client = make_app(tmp_path, demo=True, page_size=4)
    first = client.get("/").text
    assert re.findall(r'<a href="/articles/(\d+)">', first) == ["6", "5", "4", "3"]
    assert 'rel="next" href="/?page=2"' in first
    assert "Page 1 of 2" in first
    second = client.get("/?page=2").text
    assert re.findall(r'<a href="/articles/(\d+)">', second) == ["2", "1"]
    assert 'rel="prev" href="/?page=1"' in second
    assert 'rel="next"' not in second
    assert client.get("/?page=0").status_code == 422
    store.close()


def test_home_search(client: Client) -> None:
    r = client.get("/", params={"q": "médiathèque dimanche"})
    assert re.findall(r'<a href="/articles/(\d+)">', r.text) == ["3"]
    assert "Articles matching “médiathèque dimanche”" in r.text
    assert 'value="médiathèque dimanche"' in r.text
    none = client.get("/", params={"q": "zeppelin"})
    assert "No article contains all of these words." in none.text


def test_home_search_without_words_is_400(client: Client) -> None:
    r = client.get("/", params={"q": "***"})
    assert r.status_code == 400
    assert "search query &#39;***&#39; has no words to search for" in r.text


def test_home_empty_store_invites_demo(tmp_path: Path) -> None:
    _, store, client = make_app(tmp_path)
    assert "newsbrief serve --demo" in client.get("/").text
    store.close()


# --- article page ----------------------------------------------------------------------------


def test_article_page_sentence_spans_match_sentence_indices(client: Client, store: Store) -> None:
    stored = store.get_article(1)
    doc = prepare(stored.article)
    html = client.get("/articles/1").text
    spans = dict(re.findall(r'<span class="s" id="s-(\d+)">([^<]*)</span>', html))
    assert len(spans) == len(doc.sentences)
    for s in doc.sentences:
        assert unescape(spans[str(s.index)]) == s.text


def test_article_page_has_two_summary_buttons_with_no_js_fallback(client: Client) -> None:
    html = client.get("/articles/1").text
    buttons = [a for t, a in tags(html) if t == "button" and "summary-button" in (a["class"] or "")]
    assert [b["aria-controls"] for b in buttons] == ["summary-top", "summary-bottom"]
    assert all(b["aria-expanded"] == "false" and b["type"] == "submit" for b in buttons)
    assert html.count("No time to read?") == 2 and html.count("Get a summary") == 2
    forms = [a for t, a in tags(html) if t == "form" and a.get("class") == "summary-form"]
    assert [f["action"] for f in forms] == ["/articles/1/summary"] * 2
    assert html.count("Automatically generated summary") == 2
    assert html.count("How was this made?") == 2
    # The text sits between the two buttons.
    top, text, bottom = (
        html.index(k) for k in ('id="summary-top"', 'id="s-0"', 'id="summary-bottom"')
    )
    assert top < text < bottom


def test_article_page_language_and_metadata(client: Client) -> None:
    html = client.get("/articles/4").text
    assert '<h1 lang="de">Stadtwerke testen Wärmepumpen in unsanierten Altbauten</h1>' in html
    assert '<div class="article-text" lang="de">' in html
    assert "newsbrief demo" in html


def test_article_page_previous_and_next(client: Client) -> None:
    html = client.get("/articles/3").text
    prev = re.search(
        r'rel="prev" href="/articles/(\d+)">\s*<span class="neighbour-label">'
        r'Previous Article</span>\s*<span class="neighbour-title"[^>]*>([^<]+)<',
        html,
    )
    nxt = re.search(
        r'rel="next" href="/articles/(\d+)">\s*<span class="neighbour-label">'
        r'Next Article</span>\s*<span class="neighbour-title"[^>]*>([^<]+)<',
        html,
    )
    assert prev and prev.groups() == (
        "2",
        "Cómo funciona la regularización de cuotas de los autónomos",
    )
    assert nxt and nxt.groups() == ("4", "Stadtwerke testen Wärmepumpen in unsanierten Altbauten")


def test_oldest_article_has_no_previous(client: Client) -> None:
    html = client.get("/articles/1").text
    assert "Previous Article" not in html
    assert 'rel="next" href="/articles/2"' in html


def test_article_page_not_found_is_html_404(client: Client) -> None:
    r = client.get("/articles/999")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "no article with id 999" in r.text


@pytest.mark.parametrize("article_id", ["2147483648", "99999999999999999999999"])
@pytest.mark.parametrize("suffix", ["", "/summary", "/summary?length=short"])
def test_article_page_id_out_of_range_is_html_404(
    client: Client, article_id: str, suffix: str
) -> None:
    """An id no database can hold is missing like any other (it was a 500: OverflowError)."""
    r = client.get(f"/articles/{article_id}{suffix}")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert f'<p class="error" role="alert">no article with id {article_id}</p>' in r.text


def test_article_page_security_headers(client: Client) -> None:
    r = client.get("/articles/1")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_templates_have_no_inline_script_or_safe_filter() -> None:
    folder = resources.files("newsbrief.web") / "templates"
    for template in folder.iterdir():
        source = template.read_text(encoding="utf-8")
        assert "|safe" not in source.replace(" ", ""), template.name
        for script in re.findall(r"<script[^>]*>", source):
            assert "src=" in script, f"inline script in {template.name}"
        assert not re.search(r"\son[a-z]+=", source), f"inline handler in {template.name}"


def test_span_cache_renders_once(client: Client, site: tuple[Store, Client]) -> None:
    state = client.app.state.newsbrief
    client.get("/articles/1")
    client.get("/articles/1")
    client.get("/articles/2")
    assert len(state.spans) == 2


# --- no-JS summary page ----------------------------------------------------------------------


def test_summary_page_without_js(client: Client, store: Store) -> None:
    r = client.get("/articles/1/summary?length=medium")
    assert r.status_code == 200
    html = r.text
    assert '<h1 id="summary-title">Automatically generated summary</h1>' in html
    links = re.findall(r'<li><a href="/articles/1#s-(\d+)">([^<]+)</a></li>', html)
    assert len(links) == 3
    doc = prepare(store.get_article(1).article)
    for index, text in links:
        assert doc.sentences[int(index)].text == unescape(text)
    info = summarizers.describe("default")
    assert f"Method: <strong>{info.name}</strong> ({info.kind})" in html
    assert '<strong aria-current="page">Medium</strong>' in html
    assert 'href="/articles/1/summary?length=short"' in html


@pytest.mark.parametrize(("length", "n"), [("short", 1), ("long", 5)])
def test_summary_page_lengths(client: Client, length: str, n: int) -> None:
    html = client.get(f"/articles/2/summary?length={length}").text
    assert len(re.findall(r'<li><a href="/articles/2#s-\d+">', html)) == n


def test_summary_page_unknown_length(client: Client) -> None:
    r = client.get("/articles/1/summary?length=huge")
    assert r.status_code == 400
    assert "unknown summary length &#39;huge&#39;; choose one of: short, medium, long" in r.text


# --- untrusted article data is escaped everywhere ----------------------------------------------


@pytest.fixture
def xss_id(store: Store) -> int:
    stored, _ = store.add_article(xss_article(), source="html")
    return stored.id


def assert_inert(html: str) -> None:
    """No markup from the article survives as markup."""
    for tag, attrs in tags(html):
        assert tag != "img", attrs
        if tag == "script":
            assert attrs.get("src") == "/static/app.js"
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, attrs)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, attrs)
    assert "<script>alert" not in html
    assert "<b>evil</b>" not in html


def test_xss_article_page_is_escaped(client: Client, xss_id: int) -> None:
    html = client.get(f"/articles/{xss_id}").text
    assert_inert(html)
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; Breaking &lt;img src=x onerror=alert(1)&gt;" in html
    )
    assert "&lt;a href=&#34;javascript:alert(3)&#34;&gt;click here&lt;/a&gt;" in html
    assert "&lt;b&gt;evil&lt;/b&gt;" in html
    assert "original page" not in html  # a javascript: URL is never linked


def test_xss_home_and_summary_are_escaped(client: Client, xss_id: int) -> None:
    assert_inert(client.get("/").text)
    summary = client.get(f"/articles/{xss_id}/summary?length=long").text
    assert_inert(summary)
    assert "&lt;script&gt;alert(&#39;text&#39;)&lt;/script&gt;" in summary


def test_xss_neighbour_title_is_escaped(client: Client, xss_id: int) -> None:
    html = client.get(f"/articles/{xss_id - 1}").text
    assert_inert(html)
    assert f'rel="next" href="/articles/{xss_id}"' in html


def test_xss_api_returns_data_as_json(client: Client, xss_id: int) -> None:
    body = client.get(f"/api/articles/{xss_id}").json()
    assert body["title"] == XSS_TITLE and body["text"] == XSS_TEXT


# --- add and feeds pages ---------------------------------------------------------------------


def test_add_page_form(client: Client) -> None:
    html = client.get("/add").text
    for field in ("add-url", "add-text", "add-title", "add-html"):
        assert f'<label for="{field}">' in html
        assert f'id="{field}"' in html


def test_add_text_redirects_to_article(client: Client, store: Store) -> None:
    text = "A new ferry line links the two harbours.\nIt runs every hour from May to September."
    r = client.post("/add", data={"text": text, "title": "Ferry line opens"})
    assert r.status_code == 303
    article_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert store.get_article(article_id).article.title == "Ferry line opens"
    assert "Ferry line opens" in client.get(r.headers["location"]).text


def test_add_nothing_shows_error(client: Client) -> None:
    r = client.post("/add", data={})
    assert r.status_code == 400
    assert "Could not add the article: give a URL, or paste the page&#39;s HTML" in r.text


def test_add_url_refuses_loopback(client: Client, store: Store) -> None:
    before = store.list_articles().total
    r = client.post("/add", data={"url": "http://127.0.0.1:8000/articles/1"})
    assert r.status_code == 400
    assert "127.0.0.1 is a loopback address; fetching it is refused" in r.text
    assert 'value="http://127.0.0.1:8000/articles/1"' in r.text
    assert store.list_articles().total == before


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"url": "http://[::1"},
            "http://[::1: not a valid URL (unmatched &#39;[&#39; or &#39;]&#39; in the host)",
        ),
        (
            {"url": "http://xn--/", "html": "<p>Pasted.</p>"},
            "http://xn--/: not a valid URL (the host name &#39;xn--&#39; is not a valid IDNA "
            "name: Malformed A-label, no Punycode eligible content found)",
        ),
        (
            {"url": "http://127.0.0.1:99999/"},
            "http://127.0.0.1:99999/: not a valid URL (the port must be a number from 1 to "
            "65535, got &#39;99999&#39;)",
        ),
    ],
    ids=["ipv6-unclosed", "idna-with-html", "port-out-of-range"],
)
def test_add_malformed_url_shows_error(
    client: Client, store: Store, form: dict[str, str], message: str
) -> None:
    before = store.list_articles().total
    r = client.post("/add", data=form)
    assert r.status_code == 400
    assert f"Could not add the article: {message}</p>" in r.text
    assert store.list_articles().total == before


def test_feeds_page_subscribe_and_refresh(client: Client, store: Store) -> None:
    r = client.post("/feeds", data={"url": "http://127.0.0.1:9/feed.xml"})
    assert r.status_code == 303
    feed = store.list_feeds()[0]
    assert feed.last_fetched_at is not None and "loopback" in (feed.last_error or "")
    html = client.get("/feeds").text
    assert f'id="feed-{feed.id}"' in html
    assert "Last error" in html and "loopback" in html
    assert f'action="/feeds/{feed.id}/refresh"' in html
    again = client.post(f"/feeds/{feed.id}/refresh")
    assert again.status_code == 303
    assert store.get_feed(feed.id).last_fetched_at >= feed.last_fetched_at  # type: ignore[operator]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a url: only http:// and https:// URLs can be fetched"),
        (
            "http://[::1",
            "http://[::1: not a valid URL (unmatched &#39;[&#39; or &#39;]&#39; in the host)",
        ),
    ],
    ids=["no-scheme", "ipv6-unclosed"],
)
def test_feeds_page_bad_url(client: Client, store: Store, url: str, message: str) -> None:
    r = client.post("/feeds", data={"url": url})
    assert r.status_code == 400
    assert f"Could not subscribe: {message}</p>" in r.text
    assert store.list_feeds() == []


@pytest.mark.parametrize("feed_id", ["77", "99999999999999999999999"])
def test_feeds_refresh_unknown_is_404(client: Client, feed_id: str) -> None:
    r = client.post(f"/feeds/{feed_id}/refresh")
    assert r.status_code == 404
    assert f"no feed with id {feed_id}" in r.text


def test_static_assets(client: Client) -> None:
    js = client.get("/static/app.js")
    assert js.status_code == 200 and "textContent" in js.text and "innerHTML" not in js.text
    assert client.get("/static/style.css").status_code == 200


# --- render helpers --------------------------------------------------------------------------


def test_split_for_display_keeps_every_character() -> None:
    article = Article(text="First one. Second one here!\nThird, alone.", language="en")
    rendered = split_for_display(article)
    joined = ["".join(seg.text for seg in para) for para in rendered.paragraphs]
    assert joined == ["First one. Second one here!", "Third, alone."]
    assert [seg.index for para in rendered.paragraphs for seg in para if seg.index is not None] == [
        0,
        1,
        2,
    ]


def test_span_cache_evicts_oldest() -> None:
    cache = SpanCache(size=2)
    for key in ("a", "b", "c"):
        cache.get(key, Article(text=f"Text {key}. More text.", language="en"))
    assert len(cache) == 2


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example/a", "https://news.example/a"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("//evil.example/x", None),
        (None, None),
    ],
)
def test_safe_url(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_lang_tag_and_teaser() -> None:
    assert lang_tag("pt-BR") == "pt-BR"
    assert lang_tag('en" onmouseover="x') is None
    short = teaser(Article(text="word " * 100), limit=30)
    assert short.endswith("…") and len(short) <= 31


# --- settings, demo, serve -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"port": 70000}, "port must be between 0 and 65535 (got 70000)"),
        ({"refresh_minutes": -1}, "refresh minutes must be 0 (off) or more (got -1)"),
        ({"max_body_bytes": 10}, "max body size must be at least 1024 bytes (got 10)"),
        ({"page_size": 0}, "page size must be between 1 and 100 (got 0)"),
        (
            {"default_length": "tiny"},
            "unknown summary length 'tiny'; choose one of: short, medium, long",
        ),
    ],
)
def test_settings_validation(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidOptions) as info:
        Settings(**kwargs)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_settings_loopback() -> None:
    assert Settings().is_loopback
    assert Settings(host="::1").is_loopback
    assert not Settings(host="0.0.0.0").is_loopback


def test_demo_articles_are_multilingual_and_splittable() -> None:
    articles = demo_articles()
    assert {a.language for a in articles} == {"en", "es", "fr", "de", "ru"}
    for a in articles:
        assert a.title and a.site == "newsbrief demo"
        assert len(prepare(a).sentences) >= 8


def test_load_demo_is_idempotent(store: Store) -> None:
    again = load_demo(store)
    assert [created for _, created in again] == [False] * 6
    assert store.list_articles().total == 6


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Title: x\nno body", "x.txt: no blank line between the headers and the text"),
        ("Title: x\nColour: red\n\nBody.", "x.txt:2: expected a header 'Key: value'"),
    ],
)
def test_parse_demo_errors(text: str, message: str) -> None:
    with pytest.raises(DataFormatError) as info:
        parse_demo(text, name="x.txt")
    assert str(info.value).startswith(message)


def test_serve_unknown_method_fails_before_starting(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--data-dir", str(tmp_path), "--method", "nope"])
    assert result.exit_code == 1
    assert result.output.startswith("newsbrief: error: Unknown summarizer 'nope'. Available: ")


def test_serve_help_lists_options() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for option in (
        "--host",
        "--port",
        "--database",
        "--demo",
        "--refresh-minutes",
        "--allow-private-networks",
    ):
        assert option in result.output


def test_feed_schedule_refreshes_in_the_background(tmp_path: Path) -> None:
    """With refresh_minutes set, the app's lifespan refreshes every feed on a timer."""
    import asyncio

    app, store, _ = make_app(tmp_path, refresh_minutes=0.002)  # every 0.12 s
    feed, _ = store.add_feed("http://127.0.0.1:9/feed.xml")

    async def run() -> None:
        async with app.router.lifespan_context(app):
            for _ in range(100):
                await asyncio.sleep(0.05)
                if store.get_feed(feed.id).last_fetched_at is not None:
                    return

    asyncio.run(run())
    refreshed = store.get_feed(feed.id)
    assert refreshed.last_fetched_at is not None
    assert "loopback" in (refreshed.last_error or "")
    store.close()


@pytest.mark.slow
def test_newsbrief_serve_runs_the_site(tmp_path: Path) -> None:
    """The real command: `newsbrief serve --demo` answers on loopback, then stops on SIGTERM."""
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-c", "from newsbrief.cli import main; main()", "serve"]
    args = ["--demo", "--data-dir", str(tmp_path), "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(command + args, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/articles?limit=1", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        assert r.json()["total"] == 6
        home = httpx.get(f"http://127.0.0.1:{port}/").text
        assert "Volunteers count every street tree before the town replants" in home
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    assert f"newsbrief: store sqlite:///{tmp_path}/newsbrief.sqlite3" in err
    assert f"newsbrief: open http://127.0.0.1:{port}/ (API docs at /docs)" in err
