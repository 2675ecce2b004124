"""The reader site's pages in-process: home, article, summary fallback, add, feeds, XSS."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from html import unescape
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from urllib.parse import urlencode

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
from newsbrief.web.render import lang_tag, safe_url, split_for_display, teaser
from web_support import (
    XSS_TEXT,
    XSS_TITLE,
    Client,
    assert_layout,
    csrf,
    make_app,
    page_server,
    xss_article,
)


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
    store.close()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=3", "no page 3: the 6 articles fill pages 1 to 2"),
        ("page=99", "no page 99: the 6 articles fill pages 1 to 2"),
        ("page=0", "no page 0: the 6 articles fill pages 1 to 2"),
        ("page=-1", "no page “-1”: the 6 articles fill pages 1 to 2"),
        ("page=abc", "no page “abc”: the 6 articles fill pages 1 to 2"),
        ("page=", "no page “”: the 6 articles fill pages 1 to 2"),
        ("page=2147483648", "no page 2147483648: the 6 articles fill pages 1 to 2"),
        (
            "page=99999999999999999999",
            "no page 99999999999999999999: the 6 articles fill pages 1 to 2",
        ),
        ("page=2&q=Wärmepumpen", "no page 2: the 1 article matching “Wärmepumpen” fills page 1"),
        ("page=2&q=zeppelin", "no page 2: no article matches “zeppelin”"),
    ],
    ids=[
        "one-past-last",
        "far-past-last",
        "zero",
        "negative",
        "not-a-number",
        "empty",
        "past-int32",
        "past-int64",
        "search-past-last",
        "search-no-match",
    ],
)
def test_home_page_that_does_not_exist_is_404(tmp_path: Path, query: str, message: str) -> None:
    """Not "Page 99 of 2" with "No articles yet", and never a 500 (OverflowError)."""
    _, store, client = make_app(tmp_path, demo=True, page_size=4)
    r = client.get(f"/?{query}")
    assert r.status_code == 404
    assert f'<p class="error" role="alert">{message}</p>' in r.text
    assert "No articles yet" not in r.text and "Page " not in r.text
    assert_layout(r.text)
    store.close()


@pytest.mark.parametrize(
    ("page", "status", "text"),
    [
        ("1", 200, 'No articles yet. <a href="/add">Add one</a>'),
        ("2", 404, '<p class="error" role="alert">no page 2: there are no articles yet</p>'),
    ],
    ids=["first-page", "second-page"],
)
def test_home_of_an_empty_store(tmp_path: Path, page: str, status: int, text: str) -> None:
    _, store, client = make_app(tmp_path)
    r = client.get(f"/?page={page}")
    assert r.status_code == status
    assert text in r.text
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
    # Counted as text of elements: the page's labels (data-labels, for app.js) name them too.
    assert html.count('<span class="summary-button-q">No time to read?</span>') == 2
    assert html.count('<span class="summary-button-a">Get a summary</span>') == 2
    forms = [a for t, a in tags(html) if t == "form" and a.get("class") == "summary-form"]
    assert [f["action"] for f in forms] == ["/articles/1/summary"] * 2
    assert html.count(">Automatically generated summary</h2>") == 2
    assert html.count("<summary>How was this made?</summary>") == 2
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
    html = client.get("/articles/3").text  # French: its labels are French
    prev = re.search(
        r'rel="prev" href="/articles/(\d+)">\s*<span class="neighbour-label" lang="fr">'
        r"Article précédent</span>\s*<span class=\"neighbour-title\"[^>]*>([^<]+)<",
        html,
    )
    nxt = re.search(
        r'rel="next" href="/articles/(\d+)">\s*<span class="neighbour-label" lang="fr">'
        r"Article suivant</span>\s*<span class=\"neighbour-title\"[^>]*>([^<]+)<",
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


@pytest.mark.parametrize(
    ("article_id", "shown"),
    [
        ("abc", "abc"),
        ("-1", "-1"),
        ("1.5", "1.5"),
        ("+1", "+1"),
        ("0x1", "0x1"),
        ("%20", " "),
        ("%3Cb%3E", "&lt;b&gt;"),
    ],
    ids=["letters", "negative", "decimal", "plus", "hex", "space", "markup"],
)
@pytest.mark.parametrize("suffix", ["", "/summary"], ids=["article", "summary"])
def test_article_page_id_not_a_number_is_html_404(
    client: Client, article_id: str, shown: str, suffix: str
) -> None:
    """A page that names no article is missing like any other (it was a 422 naming
    "path.article_id"); the API keeps its 422 (docs/api.md)."""
    r = client.get(f"/articles/{article_id}{suffix}")
    assert r.status_code == 404
    assert f'<p class="error" role="alert">no article with id {shown}</p>' in r.text
    assert_layout(r.text)


def test_article_page_id_with_leading_zeros(client: Client) -> None:
    assert client.get("/articles/0002").status_code == 200


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


ADDED = (
    '<span class="added" title="The article gives no date; this is when it was added here">'
    'Added <time datetime="{day}">{day}</time></span>'
)


@pytest.mark.parametrize("page", ["/", "/articles/{id}"], ids=["list", "article"])
def test_undated_article_shows_when_it_was_added(client: Client, store: Store, page: str) -> None:
    """Not its storing date dressed as a publication date."""
    stored, _ = store.add_article(
        Article(text="The ferry runs every forty minutes.\nFares stay the same.", title="Ferry"),
        source="text",
    )
    assert stored.published_at is None
    html = client.get(page.format(id=stored.id)).text
    day = stored.created_at.strftime("%Y-%m-%d")
    assert ADDED.format(day=day) in html
    assert html.count("Added <time") == 1


@pytest.mark.parametrize("page", ["/", "/articles/6"], ids=["list", "article"])
def test_dated_article_shows_its_date(client: Client, page: str) -> None:
    html = client.get(page).text
    assert '<time datetime="2025-01-19">2025-01-19</time>' in html
    assert "Added" not in html


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
    r = client.post("/add", data={**csrf(client), "text": text, "title": "Ferry line opens"})
    assert r.status_code == 303
    article_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert store.get_article(article_id).article.title == "Ferry line opens"
    assert "Ferry line opens" in client.get(r.headers["location"]).text


def test_add_nothing_shows_error(client: Client) -> None:
    r = client.post("/add", data=csrf(client))
    assert r.status_code == 400
    assert "Could not add the article: give a URL, or paste the page&#39;s HTML" in r.text


def test_add_url_refuses_loopback(client: Client, store: Store) -> None:
    before = store.list_articles().total
    r = client.post("/add", data={**csrf(client), "url": "http://127.0.0.1:8000/articles/1"})
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
    r = client.post("/add", data={**csrf(client), **form})
    assert r.status_code == 400
    assert f"Could not add the article: {message}</p>" in r.text
    assert store.list_articles().total == before


def field_value(html: str, field_id: str) -> str | None:
    """Return what the add page's field ``field_id`` holds (input value or textarea text)."""
    for tag, attrs in tags(html):
        if tag == "input" and attrs.get("id") == field_id:
            return attrs.get("value")
    match = re.search(rf'<textarea id="{field_id}"[^>]*>([^<]*)</textarea>', html)
    return unescape(match.group(1)) if match else None


ADD_FIELDS = ("add-url", "add-title", "add-text", "add-html-url", "add-html")


@pytest.mark.parametrize(
    ("form", "status", "message", "kept"),
    [
        (
            {"url": "http://127.0.0.1:8000/articles/1"},
            400,
            "http://127.0.0.1:8000/articles/1: 127.0.0.1 is a loopback address; fetching it is "
            "refused (a server allows it with --allow-private-networks)</p>",
            {"add-url": "http://127.0.0.1:8000/articles/1"},
        ),
        (
            {"url": "https://news.example/p", "html": "<html><body><p>Hi.</p></body></html>"},
            422,
            "https://news.example/p: no article text found (main text is 3 characters, "
            "below the minimum 200)</p>",
            {
                "add-html-url": "https://news.example/p",
                "add-html": "<html><body><p>Hi.</p></body></html>",
            },
        ),
        (
            {"url": "http://[::1", "html": "<p>Pasted.</p>"},
            400,
            "http://[::1: not a valid URL (unmatched &#39;[&#39; or &#39;]&#39; in the host)</p>",
            {"add-html-url": "http://[::1", "add-html": "<p>Pasted.</p>"},
        ),
        (
            {"title": "Only a title", "text": "   "},
            400,
            "give a URL, or paste the page&#39;s HTML or the article&#39;s text</p>",
            {"add-title": "Only a title", "add-text": "   "},
        ),
    ],
    ids=["url-form", "html-form-no-text", "html-form-bad-url", "text-form-blank"],
)
def test_add_error_keeps_each_forms_own_values(
    client: Client,
    store: Store,
    form: dict[str, str],
    status: int,
    message: str,
    kept: dict[str, str],
) -> None:
    """The HTML form's URL goes back to its own field, not the first form's."""
    before = store.list_articles().total
    r = client.post("/add", data={**csrf(client), **form})
    assert r.status_code == status
    assert f'<p class="error" role="alert">Could not add the article: {message}' in r.text
    for field in ADD_FIELDS:
        assert field_value(r.text, field) == kept.get(field, ""), field
    assert store.list_articles().total == before


#: A text of about 1.5 MB: over python-multipart's 1 MB default per field, under the 2 MB body.
BIG_TEXT = "\n".join(
    f"Paragraph {n}: the harbour authority said the new ferry line would run every forty "
    f"minutes from June, after two boats joined the fleet."
    for n in range(12_000)
)


def test_add_text_over_one_megabyte_is_accepted(client: Client, store: Store) -> None:
    """It was a bare "Error 400 – Field exceeded maximum size of 1024KB." page."""
    assert 1_100_000 < len(BIG_TEXT.encode()) < 2_000_000 - 10_000
    r = client.post("/add", data={**csrf(client), "title": "Ferry", "text": BIG_TEXT})
    assert r.status_code == 303, r.text[:500]
    article_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert store.get_article(article_id).article.text == BIG_TEXT


async def _chunks(body: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def _too_large(what: str) -> str:
    return (
        f"Could not add the article: the form is larger than the limit of 4,096 bytes, so "
        f"{what}; paste less, or start the server with a larger --max-body-bytes</p>"
    )


@pytest.mark.parametrize(
    ("fields", "message", "kept"),
    [
        (
            {"title": "Ferry line opens", "text": "word " * 2000},
            _too_large("the pasted text could not be kept"),
            {"add-title": "Ferry line opens"},
        ),
        (
            {"url": "https://news.example/ferry", "html": "<p>word</p>" * 1000},
            _too_large("the pasted HTML could not be kept"),
            {"add-html-url": "https://news.example/ferry"},
        ),
        (
            {"url": "https://news.example/" + "a" * 5000},
            _too_large("the URL could not be kept"),
            {},
        ),
    ],
    ids=["text-form", "html-form", "url-form"],
)
@pytest.mark.parametrize("sent", ["declared-length", "chunked"])
def test_add_over_the_body_limit_is_413_with_the_form(
    tmp_path: Path,
    fields: dict[str, str],
    message: str,
    kept: dict[str, str],
    sent: str,
) -> None:
    """The add page again, in the layout, with the limit and the fields that arrived whole."""
    _, store, client = make_app(tmp_path, max_body_bytes=4096)
    body = urlencode({**csrf(client), **fields}).encode()
    headers = {"content-type": "application/x-www-form-urlencoded"}
    if sent == "chunked":
        r = client.post("/add", content=_chunks(body), headers=headers)
    else:
        r = client.post("/add", content=body, headers=headers)
    assert r.status_code == 413
    assert message in r.text
    assert_layout(r.text)
    for field in ADD_FIELDS:
        assert field_value(r.text, field) == kept.get(field, ""), field
    assert store.list_articles().total == 0
    store.close()


def test_add_multipart_over_the_body_limit_is_413(tmp_path: Path) -> None:
    _, store, client = make_app(tmp_path, max_body_bytes=4096)
    r = client.post(
        "/add", data={**csrf(client), "title": "Ferry"}, files={"text": ("a.txt", b"x" * 5000)}
    )
    # Only a urlencoded form (what the site's forms send) keeps its whole fields, the CSRF
    # token among them; a cut multipart form is refused with the error page.
    assert r.status_code == 413
    message = _too_large("it could not be read").removeprefix("Could not add the article: ")
    assert f'role="alert">{message}' in r.text
    assert_layout(r.text)
    store.close()


def test_add_form_with_too_many_fields_is_400(client: Client) -> None:
    """A form that cannot be read is refused before its CSRF token could be checked."""
    r = client.post(
        "/add",
        content="&".join(f"f{n}=x" for n in range(30)).encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400
    assert (
        'role="alert">the form could not be read: Too many fields. '
        "Maximum number of fields is 20.</p>"
    ) in r.text


def test_add_page_over_the_fetch_limit_names_no_missing_option(tmp_path: Path) -> None:
    """The site has no --max-bytes (the CLI's): the message stops at the limit."""
    big = {"Content-Type": "text/html", "Content-Length": "20000000"}
    with page_server({"/big.html": (big, b"<html>")}) as base:
        _, store, client = make_app(tmp_path, allow_private_networks=True)
        r = client.post("/add", data={**csrf(client), "url": f"{base}/big.html"})
        store.close()
    assert r.status_code == 413
    assert (
        f'<p class="error" role="alert">Could not add the article: {base}/big.html: the page '
        "is 20,000,000 bytes, over the limit of 10,000,000 bytes</p>"
    ) in r.text
    assert "--max-bytes" not in r.text


def test_feeds_page_subscribe_and_refresh(client: Client, store: Store) -> None:
    r = client.post("/feeds", data={**csrf(client), "url": "http://127.0.0.1:9/feed.xml"})
    assert r.status_code == 400  # refused at once: a loopback address, not allowed here
    assert "Could not subscribe: http://127.0.0.1:9/feed.xml" in r.text and "loopback" in r.text
    assert store.list_feeds() == []
    feed, _ = store.add_feed("http://127.0.0.1:9/feed.xml")
    assert client.post(f"/feeds/{feed.id}/refresh", data=csrf(client)).status_code == 303
    feed = store.list_feeds()[0]
    assert feed.last_fetched_at is not None and "loopback" in (feed.last_error or "")
    html = client.get("/feeds").text
    assert f'id="feed-{feed.id}"' in html
    assert "Last error" in html and "loopback" in html
    assert f'action="/feeds/{feed.id}/refresh"' in html
    again = client.post(f"/feeds/{feed.id}/refresh", data=csrf(client))
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
    r = client.post("/feeds", data={**csrf(client), "url": url})
    assert r.status_code == 400
    assert f"Could not subscribe: {message}</p>" in r.text
    assert store.list_feeds() == []


@pytest.mark.parametrize("feed_id", ["77", "99999999999999999999999", "abc"])
@pytest.mark.parametrize("action", ["refresh", "remove"])
def test_feeds_action_on_unknown_feed_is_404(client: Client, feed_id: str, action: str) -> None:
    r = client.post(f"/feeds/{feed_id}/{action}", data=csrf(client))
    assert r.status_code == 404
    assert f'<p class="error" role="alert">no feed with id {feed_id}</p>' in r.text
    assert_layout(r.text)


def test_feeds_page_remove_keeps_the_articles(client: Client, store: Store) -> None:
    feed, _ = store.add_feed("https://news.example/feed.xml", title="Harbour News")
    stored, _ = store.add_article(
        Article(text="The ferry runs every forty minutes from June.\nFares stay the same."),
        source=f"feed:{feed.id}",
        feed_id=feed.id,
    )
    html = client.get("/feeds").text
    forms = [a["action"] for t, a in tags(html) if t == "form"]
    assert forms == ["/feeds", f"/feeds/{feed.id}/refresh", f"/feeds/{feed.id}/remove"]
    assert '<button type="submit" class="remove" aria-label="Remove Harbour News">' in html

    r = client.post(f"/feeds/{feed.id}/remove", data=csrf(client))
    assert r.status_code == 303
    assert r.headers["location"] == "/feeds?removed=1"
    after = client.get(r.headers["location"]).text
    assert (
        '<p class="notice" role="status">Feed removed; the articles it brought in stay.</p>'
        in after
    )
    assert "<p>No feeds yet.</p>" in after
    assert store.list_feeds() == []
    kept = store.get_article(stored.id)
    assert kept.feed_id is None and kept.source == f"feed:{feed.id}"
    assert "Feed removed" not in client.get("/feeds").text


def item_feed(link: str | None) -> bytes:
    """Return an RSS feed of one item, linked to ``link``, whose own text is too short."""
    link_tag = f"<link>{link}</link>" if link is not None else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Harbour News</title>"
        f'<item><title>Ferry</title>{link_tag}<guid isPermaLink="false">ferry-1</guid>'
        "<description>Short teaser.</description></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("link", "shown"),
    [
        (
            "{base}/missing.html",
            '<a href="{base}/missing.html" rel="noopener noreferrer nofollow">{base}/missing.html'
            '</a>: <span class="reason">the server answered 404 Not Found; the feed&#39;s own '
            "text is 13 characters, below the minimum 200</span>",
        ),
        (
            None,
            'ferry-1: <span class="reason">the entry has no http(s) link; the feed&#39;s own '
            "text is 13 characters, below the minimum 200</span>",
        ),
        (
            "javascript:alert(1)",
            'javascript:alert(1): <span class="reason">the entry has no http(s) link; the '
            "feed&#39;s own text is 13 characters, below the minimum 200</span>",
        ),
    ],
    ids=["page-404", "no-link", "javascript-link"],
)
def test_feeds_page_lists_failed_items(tmp_path: Path, link: str | None, shown: str) -> None:
    """After a refresh the page says which items failed and why, not only "1 failed"."""
    from feed_server import FeedServer

    with FeedServer() as server:
        resolved = link.format(base=server.base) if link else None
        server.overrides["/one.xml"] = ("application/rss+xml", item_feed(resolved))
        _, store, client = make_app(tmp_path, allow_private_networks=True)
        r = client.post("/feeds", data={**csrf(client), "url": server.url("one.xml")})
        assert r.status_code == 303
        html = client.get("/feeds").text
        store.close()
    assert "<dt>Status</dt><dd>0 new, 0 already stored, 1 failed</dd>" in html
    assert "<dt>Failed items</dt>" in html
    assert f"<li>{shown.format(base=server.base)}</li>" in html
    assert_inert(html)


@pytest.mark.parametrize("named", [True, False], ids=["page-naming-its-feed", "plain-page"])
def test_feeds_page_subscribing_a_page(tmp_path: Path, named: bool) -> None:
    """A web page given as a feed: its feed is subscribed to (the page says so), or refused."""
    from feed_server import FeedServer

    link = '<link rel="alternate" type="application/atom+xml" href="/atom.xml">' if named else ""
    page = f"<!DOCTYPE html><html><head>{link}</head><body><p>Front page.</p></body></html>"
    with FeedServer() as server:
        server.overrides["/front.html"] = ("text/html", page.encode())
        _, store, client = make_app(tmp_path, allow_private_networks=True)
        url = server.url("front.html")
        r = client.post("/feeds", data={**csrf(client), "url": url})
        html = client.get(r.headers["location"]).text if r.status_code == 303 else r.text
        feeds = store.list_feeds()
        store.close()
    if named:
        assert r.status_code == 303
        assert [f.url for f in feeds] == [server.url("atom.xml")]
        assert (
            f'<p class="notice" role="status">{url} is a web page, not a feed: subscribed to '
            "the feed it names instead.</p>"
        ) in html
    else:
        assert r.status_code == 422
        assert (
            f"Could not subscribe: {url}: this is an HTML page, not an RSS/Atom feed; subscribe "
            "to the site&#39;s feed (often linked as RSS or Atom) instead</p>"
        ) in html
        assert feeds == []


def test_feeds_page_counts_failures_past_twenty(client: Client, store: Store) -> None:
    feed, _ = store.add_feed("https://news.example/feed.xml")
    for n in range(25):
        url = f"https://news.example/{n}.html"
        store.record_feed_item(feed.id, f"k{n}", url=url, article_id=None, error=f"{url}: 404")
    html = client.get("/feeds").text
    assert html.count('<span class="reason">404</span>') == 20
    assert "<li>… and 5 more</li>" in html


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status", "message"),
    [
        (
            "GET",
            "/?q=***",
            {},
            400,
            "search query &#39;***&#39; has no words to search for",
        ),
        ("GET", "/nothing/here", {}, 404, "no page at /nothing/here"),
        ("DELETE", "/add", {}, 405, "DELETE is not allowed on /add (it takes GET, HEAD, POST)"),
        (
            "POST",
            "/feeds/1/refresh",
            {"content": b"x" * 5000},
            413,
            "request body is larger than the limit of 4,096 bytes (start the server with a "
            "larger --max-body-bytes to raise it)",
        ),
        (
            "POST",
            "/feeds",
            {"data": {"url": "https://news.example/" + "a" * 5000}},
            413,
            # Without the form's CSRF token among the fields that arrived: the error page.
            "the form is larger than the limit of 4,096 bytes, so the URL "
            "could not be kept; paste less, or start the server with a larger --max-body-bytes",
        ),
        (
            "GET",
            "/?q=" + "a" * 201,
            {},
            422,
            "query.q: String should have at most 200 characters",
        ),
        (
            "GET",
            "/articles/1/summary?length=huge",
            {},
            400,
            "unknown summary length &#39;huge&#39;; choose one of: short, medium, long",
        ),
    ],
    ids=["400", "404", "405", "413", "413-form", "422", "400-summary"],
)
def test_site_error_pages_use_the_layout(
    tmp_path: Path,
    method: str,
    url: str,
    kwargs: dict[str, object],
    status: int,
    message: str,
) -> None:
    """Every error page is a page of the site (the 413 was a bare one)."""
    _, store, client = make_app(tmp_path, demo=True, max_body_bytes=4096)
    r = client.request(method, url, **kwargs)
    assert r.status_code == status
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert f'role="alert">{message}</p>' in r.text
    assert_layout(r.text)
    assert "script-src 'self';" in r.headers["content-security-policy"]
    store.close()


def test_site_500_uses_the_layout(
    client: Client, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(store, "list_articles", broken)
    r = client.get("/")
    assert r.status_code == 500
    assert "<h1>Error 500</h1>" in r.text
    assert (
        '<p class="error" role="alert">internal error; the server log has the details</p>' in r.text
    )
    assert_layout(r.text)


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


def test_serve_help_gives_the_data_dir_order() -> None:
    """As docs/web.md and docs/storage.md: $XDG_DATA_HOME was missing."""
    result = CliRunner().invoke(cli, ["serve", "--help"])
    help_text = " ".join(result.output.split())
    assert (
        "Folder of the default SQLite file (default: $NEWSBRIEF_DATA_DIR, else "
        "$XDG_DATA_HOME/newsbrief, else ~/.local/share/newsbrief)." in help_text
    )
    web_md = (Path(__file__).parents[1] / "docs" / "web.md").read_text(encoding="utf-8")
    assert (
        "`$NEWSBRIEF_DATA_DIR`, else `$XDG_DATA_HOME/newsbrief`, else `~/.local/share/newsbrief`"
        in web_md
    )


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
