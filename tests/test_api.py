"""The JSON API in-process: every endpoint, every error status with the one error shape."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from newsbrief.models import FORMATS, MAX_SENTENCES, MAX_WORDS, Article
from newsbrief.storage import Store
from url_cases import MALFORMED_URLS as ALL_MALFORMED_URLS
from web_support import Client, make_app
from web_support import page_server as serve_pages

TEXT = (
    "The city council approved a new budget for public transport on Tuesday evening.\n"
    "The plan adds twelve bus lines and extends the night service on weekends.\n"
    "Opposition members said the fares should have been frozen for another year.\n"
    "The first new lines will start running in the spring, the transport office said."
)
PARAGRAPHS = [
    "The old bridge over the river reopened this morning after eight months of repair work.",
    "Engineers replaced the rusted cables and laid a new road surface across the whole span.",
    "Drivers had taken a long detour through the town centre while the bridge was closed.",
    "Shop owners near the crossing said business had fallen sharply during the repairs.",
    "The council expects traffic to return to its usual level within a week or two.",
    "A cycle lane on the eastern side will open next month once the railings are fitted.",
]
HTML = (
    "<html><head><title>Bridge reopens</title></head><body><article><h1>Bridge reopens</h1>"
    + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    + "</article></body></html>"
)


@pytest.fixture
def app_store(tmp_path: Path) -> Iterator[tuple[Store, Client]]:
    _, store, client = make_app(tmp_path, demo=True)
    yield store, client
    store.close()


@pytest.fixture
def store(app_store: tuple[Store, Client]) -> Store:
    return app_store[0]


@pytest.fixture
def client(app_store: tuple[Store, Client]) -> Client:
    return app_store[1]


def error_of(response: Any, status: int, code: str) -> str:
    """Assert the one error shape with ``status`` and ``code``; return its message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    message = body["error"]["message"]
    assert isinstance(message, str) and message
    return message


# --- POST /api/summarize ---------------------------------------------------------------------


def test_summarize_text(client: Client) -> None:
    r = client.post("/api/summarize", json={"text": TEXT, "sentences": 2, "method": "lead"})
    assert r.status_code == 200
    body = r.json()
    assert body["method"] == "lead"
    assert body["kind"] == "extractive"
    assert body["length"] == {"sentences": 2}
    assert [s["index"] for s in body["sentences"]] == [0, 1]
    assert body["sentences"][0]["text"].startswith("The city council approved")
    assert body["cached"] is False


def test_summarize_html(client: Client) -> None:
    r = client.post("/api/summarize", json={"html": HTML, "ratio": 0.5})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["article"]["title"] == "Bridge reopens"
    assert len(body["sentences"]) == 3


def test_summarize_words_and_format(client: Client) -> None:
    r = client.post("/api/summarize", json={"text": TEXT, "words": 20, "format": "bullets"})
    assert r.status_code == 200
    assert r.json()["length"] == {"words": 20}


def test_format_bullets_gives_bullets_in_the_summary(client: Client) -> None:
    """``summary`` follows ``format``: bullets are bullets there too, not only in the sentences."""
    r = client.post("/api/summarize", json={"text": TEXT, "sentences": 3, "format": "bullets"})
    body = r.json()
    assert body["summary"] == "\n".join(f"• {s['text']}" for s in body["sentences"])
    stored = client.get("/api/articles/4/summary?sentences=2&format=bullets").json()
    assert stored["summary"] == "\n".join(f"• {s['text']}" for s in stored["sentences"])
    plain = client.get("/api/articles/4/summary?sentences=2").json()
    assert plain["summary"] == " ".join(s["text"] for s in plain["sentences"])


def test_format_headline_is_one_line(client: Client) -> None:
    body = client.post("/api/summarize", json={"text": TEXT, "format": "headline"}).json()
    assert len(body["sentences"]) == 1
    assert "\n" not in body["summary"] and len(body["summary"].split()) <= 21


def test_summarize_nothing_given(client: Client) -> None:
    r = client.post("/api/summarize", json={})
    assert error_of(r, 400, "invalid_options") == "give a url, html or text"


def test_summarize_html_and_text(client: Client) -> None:
    r = client.post("/api/summarize", json={"html": HTML, "text": TEXT})
    assert error_of(r, 400, "invalid_options") == "give only one of html or text (got html, text)"


def test_summarize_two_lengths(client: Client) -> None:
    r = client.post("/api/summarize", json={"text": TEXT, "sentences": 2, "words": 10})
    message = error_of(r, 400, "invalid_options")
    assert message == "give only one of sentences, words or ratio (got sentences, words)"


def test_summarize_unknown_method(client: Client) -> None:
    r = client.post("/api/summarize", json={"text": TEXT, "method": "nope"})
    assert error_of(r, 400, "unknown_method").startswith("Unknown summarizer 'nope'. Available: ")


#: The schema's message for a format outside newsbrief.models.FORMATS: the allowed values.
FORMAT_CHOICES = "Input should be 'text', 'bullets', 'markdown', 'json' or 'headline'"


def test_format_choices_are_the_models_formats() -> None:
    assert FORMAT_CHOICES.count("'") == 2 * len(FORMATS)
    assert all(f"'{fmt}'" in FORMAT_CHOICES for fmt in FORMATS)


@pytest.mark.parametrize("fmt", ["xml", "pdf", "JSON", 1, None], ids=str)
def test_summarize_unknown_format_is_422(client: Client, fmt: object) -> None:
    r = client.post("/api/summarize", json={"text": TEXT, "format": fmt})
    assert error_of(r, 422, "validation_error") == f"format: {FORMAT_CHOICES}"


def test_summarize_empty_text(client: Client) -> None:
    r = client.post("/api/summarize", json={"text": "   "})
    assert error_of(r, 400, "empty_input") == "the input is only whitespace"


def test_summarize_out_of_range_is_422(client: Client) -> None:
    r = client.post("/api/summarize", json={"text": TEXT, "sentences": 0})
    message = error_of(r, 422, "validation_error")
    assert message == "sentences: Input should be greater than or equal to 1"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sentences", "2", "sentences: Input should be a valid integer"),
        ("sentences", True, "sentences: Input should be a valid integer"),
        ("sentences", 2.0, "sentences: Input should be a valid integer"),
        ("words", "20", "words: Input should be a valid integer"),
        ("words", False, "words: Input should be a valid integer"),
        ("ratio", "0.5", "ratio: Input should be a valid number"),
        ("ratio", True, "ratio: Input should be a valid number"),
        (
            "sentences",
            MAX_SENTENCES + 1,
            f"sentences: Input should be less than or equal to {MAX_SENTENCES}",
        ),
        ("words", MAX_WORDS + 1, f"words: Input should be less than or equal to {MAX_WORDS}"),
    ],
    ids=[
        "sentences-string",
        "sentences-bool",
        "sentences-float",
        "words-string",
        "words-bool",
        "ratio-string",
        "ratio-bool",
        "sentences-over-max",
        "words-over-max",
    ],
)
def test_summarize_bad_length_is_422(
    client: Client, field: str, value: object, message: str
) -> None:
    r = client.post("/api/summarize", json={"text": TEXT, field: value})
    assert error_of(r, 422, "validation_error") == message


@pytest.mark.parametrize(
    ("length", "expected"),
    [
        ({"sentences": MAX_SENTENCES}, {"sentences": MAX_SENTENCES}),
        ({"words": MAX_WORDS}, {"words": MAX_WORDS}),
        ({"ratio": 1}, {"ratio": 1.0}),
    ],
    ids=["most-sentences", "most-words", "int-ratio"],
)
def test_summarize_length_at_limits(
    client: Client, length: dict[str, int], expected: dict[str, float]
) -> None:
    r = client.post("/api/summarize", json={"text": TEXT, "method": "lead", **length})
    assert r.status_code == 200, r.text
    assert r.json()["length"] == expected


def test_summarize_unknown_field_is_422(client: Client) -> None:
    r = client.post("/api/summarize", json={"text": TEXT, "sentence": 2})
    assert error_of(r, 422, "validation_error") == "sentence: Extra inputs are not permitted"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"text": ', "request body is not valid JSON (at character 9: Expecting value)"),
        (
            b'{"text": "x",}',
            "request body is not valid JSON "
            "(at character 13: Expecting property name enclosed in double quotes)",
        ),
        (
            b"{'text': 'x'}",
            "request body is not valid JSON "
            "(at character 1: Expecting property name enclosed in double quotes)",
        ),
    ],
    ids=["truncated", "trailing-comma", "single-quotes"],
)
def test_summarize_malformed_json_is_422(client: Client, body: bytes, message: str) -> None:
    r = client.post("/api/summarize", content=body, headers={"content-type": "application/json"})
    assert error_of(r, 422, "validation_error") == message


def test_summarize_form_body_is_415(client: Client) -> None:
    r = client.post("/api/summarize", data={"text": TEXT})
    message = error_of(r, 415, "unsupported_content_type")
    assert message == (
        "send the request body as JSON with Content-Type: application/json "
        "(got 'application/x-www-form-urlencoded')"
    )


def test_summarize_declared_body_too_large_is_413(tmp_path: Path) -> None:
    _, store, client = make_app(tmp_path, max_body_bytes=4096)
    r = client.post("/api/summarize", json={"text": "word " * 2000})
    message = error_of(r, 413, "input_too_large")
    assert message == (
        "request body is larger than the limit of 4,096 bytes "
        "(start the server with a larger --max-body-bytes to raise it)"
    )
    store.close()


def test_summarize_streamed_body_too_large_is_413(tmp_path: Path) -> None:
    """A chunked body with no Content-Length is counted as it arrives."""
    _, store, client = make_app(tmp_path, max_body_bytes=4096)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    r = client.post(
        "/api/summarize", content=chunks(), headers={"content-type": "application/json"}
    )
    assert error_of(r, 413, "input_too_large").startswith("request body is larger than the limit")
    store.close()


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1/article", "loopback"),
        ("http://10.1.2.3/article", "private"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
    ],
    ids=["loopback", "private", "metadata"],
)
def test_summarize_url_refuses_private_networks(client: Client, url: str, kind: str) -> None:
    r = client.post("/api/summarize", json={"url": url})
    message = error_of(r, 400, "blocked_address")
    assert message.startswith(f"{url}: ")
    assert kind in message
    assert "--allow-private-networks" in message


#: Malformed URLs: 400 bad_input with the fetcher's message, never a 500 or a network error.
MALFORMED_URLS = [
    case
    for case in ALL_MALFORMED_URLS
    if case.id in {"ipv6-unclosed", "idna-empty-a-label", "host-too-long", "port-too-large"}
]


@pytest.mark.parametrize(("url", "message"), MALFORMED_URLS)
@pytest.mark.parametrize("allow_private_networks", [False, True], ids=["guard", "no-guard"])
def test_summarize_malformed_url_is_400(
    tmp_path: Path, url: str, message: str, allow_private_networks: bool
) -> None:
    _, store, client = make_app(tmp_path, allow_private_networks=allow_private_networks)
    r = client.post("/api/summarize", json={"url": url})
    assert r.json() == {"error": {"code": "bad_input", "message": message}}
    assert r.status_code == 400
    store.close()


@pytest.mark.parametrize(("url", "message"), MALFORMED_URLS)
@pytest.mark.parametrize(
    "body",
    [{}, {"text": TEXT}, {"html": HTML}],
    ids=["url-alone", "url-of-text", "url-of-html"],
)
def test_add_article_malformed_url_is_400(
    client: Client, store: Store, url: str, message: str, body: dict[str, str]
) -> None:
    """Refused before the store looks the URL up (its parser raised ValueError: a 500)."""
    before = store.list_articles().total
    r = client.post("/api/articles", json={**body, "url": url})
    assert r.json() == {"error": {"code": "bad_input", "message": message}}
    assert r.status_code == 400
    assert store.list_articles().total == before


# --- articles --------------------------------------------------------------------------------


def test_list_articles_newest_first(client: Client) -> None:
    r = client.get("/api/articles")
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 6
    dates = [item["date"] for item in body["items"]]
    assert dates == sorted(dates, reverse=True)
    assert "text" not in body["items"][0]
    assert body["items"][0]["teaser"]


def test_list_articles_pagination(client: Client) -> None:
    first = client.get("/api/articles?limit=4").json()
    second = client.get("/api/articles?limit=4&offset=4").json()
    assert (first["limit"], first["offset"], second["offset"]) == (4, 0, 4)
    ids = [a["id"] for a in first["items"]] + [a["id"] for a in second["items"]]
    assert len(ids) == 6 and len(set(ids)) == 6


def test_list_articles_search(client: Client) -> None:
    body = client.get("/api/articles", params={"q": "Wärmepumpen Altbauten"}).json()
    assert body["total"] == 1
    assert body["items"][0]["language"] == "de"
    assert client.get("/api/articles", params={"q": "zeppelin"}).json()["total"] == 0


def test_list_articles_search_without_words(client: Client) -> None:
    r = client.get("/api/articles", params={"q": "*"})
    assert error_of(r, 400, "invalid_options") == "search query '*' has no words to search for"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=0", "query.limit: Input should be greater than or equal to 1"),
        ("limit=1000", "query.limit: Input should be less than or equal to 100"),
        ("offset=-1", "query.offset: Input should be greater than or equal to 0"),
        (
            "offset=2147483648",
            "query.offset: Input should be less than or equal to 2147483647",
        ),
        (
            "offset=99999999999999999999",
            "query.offset: Input should be less than or equal to 2147483647",
        ),
        (
            "limit=ten",
            "query.limit: Input should be a valid integer, unable to parse string as an integer",
        ),
    ],
    ids=[
        "limit-0",
        "limit-over-max",
        "offset-negative",
        "offset-past-int32",
        "offset-past-int64",
        "limit-not-a-number",
    ],
)
def test_list_articles_bad_paging_is_422(client: Client, query: str, message: str) -> None:
    """An offset no store can reach is a 422 (past 2**63 it was a 500: OverflowError)."""
    assert error_of(client.get(f"/api/articles?{query}"), 422, "validation_error") == message


def test_list_articles_largest_offset_is_an_empty_page(client: Client) -> None:
    r = client.get("/api/articles?offset=2147483647")
    assert r.status_code == 200
    assert r.json() == {"items": [], "total": 6, "limit": 20, "offset": 2147483647}


def test_add_article_text_201_then_200(client: Client) -> None:
    r = client.post("/api/articles", json={"text": TEXT, "title": "Budget approved"})
    assert r.status_code == 201
    created = r.json()
    assert created["created"] is True
    assert created["title"] == "Budget approved"
    assert created["source"] == "text"
    again = client.post("/api/articles", json={"text": TEXT, "title": "Budget approved"})
    assert again.status_code == 200
    assert again.json()["id"] == created["id"]
    assert again.json()["created"] is False


def test_add_article_html(client: Client) -> None:
    r = client.post("/api/articles", json={"html": HTML, "url": "https://news.example/bridge"})
    assert r.status_code == 201, r.text
    assert r.json()["url"] == "https://news.example/bridge"
    assert r.json()["source"] == "html"


def test_add_article_url_ssrf_refused(client: Client, store: Store) -> None:
    before = store.list_articles().total
    r = client.post("/api/articles", json={"url": "http://127.0.0.1:9/private"})
    assert error_of(r, 400, "blocked_address").startswith("http://127.0.0.1:9/private: 127.0.0.1")
    assert store.list_articles().total == before


def test_add_article_no_source(client: Client) -> None:
    r = client.post("/api/articles", json={"title": "only a title"})
    assert error_of(r, 400, "invalid_options") == "give a url, html or text"


def test_add_article_html_without_text(client: Client) -> None:
    r = client.post("/api/articles", json={"html": "<html><body><p>Hi.</p></body></html>"})
    error_of(r, 422, "no_article_text")


def test_get_article(client: Client) -> None:
    r = client.get("/api/articles/1")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == 1
    assert body["text"].startswith("More than two hundred volunteers spent")
    assert body["source"] == "demo"


def test_get_article_not_found(client: Client) -> None:
    r = client.get("/api/articles/999")
    assert error_of(r, 404, "not_found") == "no article with id 999"


#: Ids no id column can hold (PostgreSQL's INTEGER ends at 2**31 - 1, SQLite's at 2**63 - 1).
OUT_OF_RANGE_IDS = ["2147483648", "9223372036854775808", "99999999999999999999999"]


@pytest.mark.parametrize("article_id", OUT_OF_RANGE_IDS)
@pytest.mark.parametrize("suffix", ["", "/summary", "/summary?sentences=2"])
def test_article_id_out_of_range_is_404(client: Client, article_id: str, suffix: str) -> None:
    r = client.get(f"/api/articles/{article_id}{suffix}")
    assert r.json() == {
        "error": {"code": "not_found", "message": f"no article with id {article_id}"}
    }
    assert r.status_code == 404


def test_get_article_bad_id_is_422(client: Client) -> None:
    r = client.get("/api/articles/abc")
    message = error_of(r, 422, "validation_error")
    assert message.startswith("path.article_id: Input should be a valid integer")


# --- GET /api/articles/{id}/summary ----------------------------------------------------------


def test_article_summary_is_cached(client: Client) -> None:
    first = client.get("/api/articles/2/summary?sentences=2")
    assert first.status_code == 200
    assert first.json()["cached"] is False
    assert first.json()["article_id"] == 2
    second = client.get("/api/articles/2/summary?sentences=2")
    assert second.json()["cached"] is True
    strip = ("cached", "timings")
    assert {k: v for k, v in first.json().items() if k not in strip} == {
        k: v for k, v in second.json().items() if k not in strip
    }


def test_article_summary_indices_point_at_article_sentences(client: Client) -> None:
    from newsbrief.pipeline import prepare

    article = client.get("/api/articles/3").json()
    doc = prepare(Article(text=article["text"], language=article["language"]))
    summary = client.get("/api/articles/3/summary?sentences=3").json()
    for s in summary["sentences"]:
        assert doc.sentences[s["index"]].text == s["text"]


def test_article_summary_memory_fast_path(client: Client) -> None:
    """The second answer comes from memory, with the same body and the security headers."""
    first = client.get("/api/articles/4/summary?sentences=2&format=bullets").json()
    state = client.app.state.newsbrief
    assert len(state.summaries) == 1
    second = client.get("/api/articles/4/summary?sentences=2&format=bullets")
    assert second.headers["content-type"] == "application/json"
    assert "script-src 'self'" in second.headers["content-security-policy"]
    assert second.json() == {**first, "cached": True}
    # Parameter order does not matter; a new length is a new key.
    assert client.get("/api/articles/4/summary?format=bullets&sentences=2").json()["cached"]
    assert client.get("/api/articles/4/summary?sentences=3").json()["cached"] is False


def test_article_summary_repeated_parameter_is_never_fast_pathed(client: Client) -> None:
    client.get("/api/articles/4/summary?sentences=2")
    r = client.get("/api/articles/4/summary?sentences=2&sentences=0")
    assert error_of(r, 422, "validation_error").startswith("query.sentences: ")
    assert len(client.app.state.newsbrief.summaries) == 1  # only sentences=2's answer


def test_article_summary_not_found(client: Client) -> None:
    r = client.get("/api/articles/999/summary")
    assert error_of(r, 404, "not_found") == "no article with id 999"


def test_article_summary_unknown_method(client: Client) -> None:
    r = client.get("/api/articles/1/summary?method=nope")
    assert error_of(r, 400, "unknown_method").startswith("Unknown summarizer 'nope'.")


def test_article_summary_two_lengths(client: Client) -> None:
    r = client.get("/api/articles/1/summary?sentences=2&ratio=0.5")
    assert error_of(r, 400, "invalid_options") == (
        "give only one of sentences, words or ratio (got sentences, ratio)"
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("format=xml", f"query.format: {FORMAT_CHOICES}"),
        (
            f"sentences={MAX_SENTENCES + 1}",
            f"query.sentences: Input should be less than or equal to {MAX_SENTENCES}",
        ),
        (
            f"words={MAX_WORDS + 1}",
            f"query.words: Input should be less than or equal to {MAX_WORDS}",
        ),
    ],
    ids=["format", "sentences", "words"],
)
def test_article_summary_bad_query_is_422(client: Client, query: str, message: str) -> None:
    r = client.get(f"/api/articles/1/summary?{query}")
    assert error_of(r, 422, "validation_error") == message


def test_article_summary_ratio_out_of_range_is_422(client: Client) -> None:
    r = client.get("/api/articles/1/summary?ratio=2")
    assert (
        error_of(r, 422, "validation_error")
        == "query.ratio: Input should be less than or equal to 1"
    )


# --- feeds -----------------------------------------------------------------------------------


def test_feeds_subscribe_list(tmp_path: Path) -> None:
    from feed_server import FeedServer

    with FeedServer() as server:
        _, store, client = make_app(tmp_path, allow_private_networks=True)
        assert client.get("/api/feeds").json() == {"items": []}
        url = server.url("rss.xml")
        r = client.post("/api/feeds", json={"url": url, "title": "News"})
        assert r.status_code == 201, r.text
        feed = r.json()
        assert (feed["url"], feed["title"], feed["created"], feed["notice"]) == (
            url,
            "News",
            True,
            None,
        )
        again = client.post("/api/feeds", json={"url": url.replace("http://", "HTTP://")})
        items = client.get("/api/feeds").json()["items"]
        store.close()
    assert again.status_code == 200, again.text
    assert again.json()["id"] == feed["id"]
    assert [f["id"] for f in items] == [feed["id"]]
    assert items[0]["last_fetched_at"] is None


HTML_NAMING_A_FEED = (
    '<!DOCTYPE html><html><head><title>Harbour News</title><link rel="alternate" '
    'type="application/rss+xml" href="/rss.xml"></head><body><p>Front page.</p></body></html>'
)


@pytest.mark.parametrize(
    ("page", "status", "expected"),
    [
        pytest.param(HTML_NAMING_A_FEED, 201, "{base}/rss.xml", id="page-naming-its-feed"),
        pytest.param(
            "<!DOCTYPE html><html><head><title>About</title></head><body>Us</body></html>",
            422,
            "{url}: this is an HTML page, not an RSS/Atom feed; subscribe to the site's feed "
            "(often linked as RSS or Atom) instead",
            id="page-without-a-feed",
        ),
    ],
)
def test_subscribing_a_page(tmp_path: Path, page: str, status: int, expected: str) -> None:
    """A web page is not subscribed to: the feed it names is, or it is refused (not_a_feed)."""
    from feed_server import FeedServer

    with FeedServer() as server:
        server.overrides["/front.html"] = ("text/html; charset=utf-8", page.encode())
        _, store, client = make_app(tmp_path, allow_private_networks=True)
        url = server.url("front.html")
        r = client.post("/api/feeds", json={"url": url})
        feeds = store.list_feeds()
        store.close()
    wanted = expected.format(base=server.base, url=url)
    if status == 201:
        assert r.status_code == 201, r.text
        assert r.json()["url"] == wanted
        assert r.json()["notice"] == (
            f"{url} is a web page; subscribed to the feed it names: {wanted}"
        )
        assert [f.url for f in feeds] == [wanted]
    else:
        assert error_of(r, status, "not_a_feed") == wanted
        assert feeds == []


def test_subscribing_a_private_address_is_refused(client: Client) -> None:
    """Without --allow-private-networks a loopback feed is refused at once, not on refresh."""
    r = client.post("/api/feeds", json={"url": "http://127.0.0.1:9/feed.xml"})
    assert "loopback" in error_of(r, 400, "blocked_address")
    assert client.get("/api/feeds").json() == {"items": []}


def test_feeds_subscribe_bad_url(client: Client) -> None:
    r = client.post("/api/feeds", json={"url": "file:///etc/passwd"})
    assert error_of(r, 400, "bad_input") == (
        "file:///etc/passwd: only http:// and https:// URLs can be fetched"
    )


@pytest.mark.parametrize(("url", "message"), MALFORMED_URLS)
def test_feeds_subscribe_malformed_url_is_400(client: Client, url: str, message: str) -> None:
    r = client.post("/api/feeds", json={"url": url})
    assert r.json() == {"error": {"code": "bad_input", "message": message}}
    assert r.status_code == 400
    assert client.get("/api/feeds").json() == {"items": []}


def test_feeds_subscribe_missing_url_is_422(client: Client) -> None:
    assert error_of(client.post("/api/feeds", json={}), 422, "validation_error") == (
        "url: Field required"
    )


def test_feed_refresh_private_address_is_recorded(client: Client, store: Store) -> None:
    """Refreshing a loopback feed without --allow-private-networks records the refusal."""
    feed = store.add_feed("http://127.0.0.1:9/feed.xml")[0].to_dict()
    r = client.post(f"/api/feeds/{feed['id']}/refresh")
    assert r.status_code == 200, r.text
    body = r.json()
    assert "loopback" in body["error"]
    assert body["feed"]["last_error"] == body["error"]
    assert body["feed"]["last_fetched_at"] is not None


def test_feed_refresh_not_found(client: Client) -> None:
    r = client.post("/api/feeds/42/refresh")
    assert error_of(r, 404, "not_found") == "no feed with id 42"


@pytest.mark.parametrize("feed_id", OUT_OF_RANGE_IDS)
def test_feed_refresh_id_out_of_range_is_404(client: Client, feed_id: str) -> None:
    r = client.post(f"/api/feeds/{feed_id}/refresh")
    assert r.json() == {"error": {"code": "not_found", "message": f"no feed with id {feed_id}"}}
    assert r.status_code == 404


def test_delete_feed_is_204_and_keeps_its_articles(client: Client, store: Store) -> None:
    feed = store.add_feed("https://news.example/feed.xml")[0].to_dict()
    stored, _ = store.add_article(
        Article(text=TEXT, url="https://news.example/a"),
        source=f"feed:{feed['id']}",
        feed_id=feed["id"],
    )
    r = client.delete(f"/api/feeds/{feed['id']}")
    assert r.status_code == 204
    assert r.content == b""
    assert client.get("/api/feeds").json() == {"items": []}
    kept = client.get(f"/api/articles/{stored.id}").json()
    assert (kept["feed_id"], kept["source"]) == (None, f"feed:{feed['id']}")
    again = client.delete(f"/api/feeds/{feed['id']}")
    assert error_of(again, 404, "not_found") == f"no feed with id {feed['id']}"


@pytest.mark.parametrize("feed_id", ["77", *OUT_OF_RANGE_IDS])
def test_delete_unknown_feed_is_404(client: Client, feed_id: str) -> None:
    r = client.delete(f"/api/feeds/{feed_id}")
    assert r.json() == {"error": {"code": "not_found", "message": f"no feed with id {feed_id}"}}
    assert r.status_code == 404


def test_delete_feed_bad_id_is_422(client: Client) -> None:
    message = error_of(client.delete("/api/feeds/abc"), 422, "validation_error")
    assert message.startswith("path.feed_id: Input should be a valid integer")


def refresh_doc_example() -> dict[str, Any]:
    """Return the example answer of POST /api/feeds/{id}/refresh in docs/api.md."""
    doc = (Path(__file__).parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    section = doc.split("### `POST /api/feeds/{id}/refresh`", 1)[1]
    block = section.split("```json", 1)[1].split("```", 1)[0]
    example: dict[str, Any] = json.loads(block)
    return example


def test_feed_refresh_reports_failed_items(tmp_path: Path) -> None:
    """``failed`` holds {"item", "error"} objects, as docs/api.md shows."""
    from feed_server import FeedServer

    feed_xml = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
        "<item><title>Gone</title><link>{base}/missing.html</link><guid>a</guid>"
        "<description>Short teaser.</description></item></channel></rss>"
    )
    with FeedServer() as server:
        server.overrides["/f.xml"] = (
            "application/rss+xml",
            feed_xml.format(base=server.base).encode(),
        )
        _, store, allowed = make_app(tmp_path / "private", allow_private_networks=True)
        feed = allowed.post("/api/feeds", json={"url": server.url("f.xml")}).json()
        r = allowed.post(f"/api/feeds/{feed['id']}/refresh")
        store.close()
    assert r.status_code == 200, r.text
    body = r.json()
    missing = server.url("missing.html")
    assert body["failed"] == [
        {
            "item": missing,
            "error": f"{missing}: the server answered 404 Not Found; the feed's own text is 13 "
            "characters, below the minimum 200",
        }
    ]
    assert body["status"] == "0 new, 0 already stored, 1 failed"
    example = refresh_doc_example()
    assert set(example) == set(body)
    assert set(example["failed"][0]) == set(body["failed"][0])


def test_fetched_page_over_the_limit_names_no_missing_option(tmp_path: Path) -> None:
    """The server has no --max-bytes (the CLI's): the 413 message stops at the limit."""
    big = {"Content-Type": "text/html", "Content-Length": "20000000"}
    with serve_pages({"/big.html": (big, b"<html>")}) as base:
        _, store, client = make_app(tmp_path, allow_private_networks=True)
        r = client.post("/api/articles", json={"url": f"{base}/big.html"})
        store.close()
    assert r.json() == {
        "error": {
            "code": "input_too_large",
            "message": f"{base}/big.html: the page is 20,000,000 bytes, over the limit of "
            "10,000,000 bytes",
        }
    }
    assert r.status_code == 413


# --- one shape for routing errors, headers, docs ---------------------------------------------


def test_unknown_api_path_is_404(client: Client) -> None:
    assert error_of(client.get("/api/nothing"), 404, "not_found") == "no page at /api/nothing"


def test_wrong_method_is_405(client: Client) -> None:
    r = client.request("DELETE", "/api/articles")
    assert error_of(r, 405, "method_not_allowed") == (
        "DELETE is not allowed on /api/articles (it takes GET, HEAD, POST)"
    )
    assert "GET" in r.headers["allow"]


def test_unexpected_error_is_500_logged_once(
    client: Client, store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug answers the one shape and is logged once, by us: the exception is not re-raised
    to the server (which logged it a second time), so the in-process client gets the answer."""

    def broken(article_id: int) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(store, "get_article", broken)
    with caplog.at_level("ERROR"):
        r = client.get("/api/articles/1")
    assert r.json() == {
        "error": {
            "code": "internal_error",
            "message": "internal error; the server log has the details",
        }
    }
    assert r.status_code == 500
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert [(rec.name, rec.getMessage()) for rec in caplog.records] == [
        ("newsbrief.web", "unexpected error on GET /api/articles/1")
    ]
    assert caplog.records[0].exc_info is not None


def test_security_headers_on_api(client: Client) -> None:
    r = client.get("/api/articles")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_methods_endpoint(client: Client) -> None:
    items = {m["name"]: m for m in client.get("/api/methods").json()["items"]}
    assert items["lead"]["kind"] == "extractive"
    assert items["default"]["resolves_to"]


def test_openapi_lists_every_endpoint(client: Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) >= {
        "/api/summarize",
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/articles/{article_id}/summary",
        "/api/feeds",
        "/api/feeds/{feed_id}",
        "/api/feeds/{feed_id}/refresh",
    }
    assert set(paths["/api/feeds/{feed_id}"]) == {"delete"}
    assert "/" not in paths  # pages stay out of the API schema
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_api_docs_work_offline(client: Client) -> None:
    """/docs loads Swagger UI from our own server, never from a CDN (no internet is assumed)."""
    docs = client.get("/docs")
    assert "cdn." not in docs.text and "https://" not in docs.text
    for asset in ("/docs-static/swagger-ui-bundle.js", "/docs-static/swagger-ui.css"):
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 10_000, asset
    assert client.get("/docs-static/favicon.png").status_code == 200


def test_api_docs_renderer_reads_the_schema_version(client: Client) -> None:
    """The served Swagger UI reads OpenAPI 3.1 (version 5 on); 4.x showed "Unable to render"."""
    import re

    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
    bundle = client.get("/docs-static/swagger-ui-bundle.js").text
    version = re.search(r'PACKAGE_VERSION:"(\d+)\.(\d+)\.(\d+)"', bundle)
    assert version is not None
    assert int(version.group(1)) >= 5, version.group(0)
    assert "isOAS31" in bundle


def test_concurrent_first_requests_compute_once(client: Client) -> None:
    """Eight simultaneous requests for one uncached summary: one computes, seven wait for it."""
    import asyncio

    import httpx

    async def burst() -> list[dict[str, Any]]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            answers = await asyncio.gather(
                *(c.get("/api/articles/5/summary?sentences=4") for _ in range(8))
            )
        return [a.json() for a in answers]

    answers = asyncio.run(burst())
    assert sorted(a["cached"] for a in answers) == [False] + [True] * 7
    assert len({tuple(s["index"] for s in a["sentences"]) for a in answers}) == 1


@pytest.fixture
def page_server() -> Iterator[str]:
    """Serve HTML on a loopback port (a private address the SSRF guard refuses by default)."""
    body = HTML.encode()
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))}
    with serve_pages({"/bridge": (headers, body)}) as base:
        yield f"{base}/bridge"


def test_allow_private_networks_setting_reaches_the_fetcher(
    tmp_path: Path, page_server: str
) -> None:
    _, store, refused = make_app(tmp_path / "a")
    assert refused.post("/api/articles", json={"url": page_server}).status_code == 400
    store.close()
    _, store, allowed = make_app(tmp_path / "b", allow_private_networks=True)
    r = allowed.post("/api/articles", json={"url": page_server})
    assert r.status_code == 201, r.text
    assert r.json()["title"] == "Bridge reopens"
    summary = allowed.post("/api/summarize", json={"url": page_server, "sentences": 2})
    assert summary.status_code == 200
    assert len(summary.json()["sentences"]) == 2
    store.close()


def test_pasted_html_cannot_poison_a_url(tmp_path: Path, page_server: str) -> None:
    """A pasted page naming the real story as its canonical URL is not stored under it."""
    _, store, client = make_app(tmp_path, allow_private_networks=True)
    forged = HTML.replace("<head>", f'<head><link rel="canonical" href="{page_server}">').replace(
        "reopened this morning", "collapsed this morning"
    )
    pasted = client.post("/api/articles", json={"html": forged})
    assert pasted.status_code == 201, pasted.text
    assert pasted.json()["url"] is None
    # Adding the real URL fetches the real page: a new article, not the forgery.
    real = client.post("/api/articles", json={"url": page_server})
    assert real.status_code == 201, real.text
    assert "reopened this morning" in real.json()["text"]
    assert real.json()["id"] != pasted.json()["id"]
    store.close()


# --- the schema: who may call what, and every error an operation can answer ----------------------

WRITES = {"post", "put", "patch", "delete"}


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_editor_operations_declare_the_bearer_token_and_reads_do_not(client: Client) -> None:
    schema = client.get("/openapi.json").json()
    scheme = schema["components"]["securitySchemes"]["apiToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    locked = {(p, m) for p, m, op in operations(schema) if op.get("security")}
    for path, method, operation in operations(schema):
        editors_only = "editors" in operation["tags"]
        if method in WRITES:
            assert editors_only, f"{method} {path}: a write outside the editors' router"
        assert ((path, method) in locked) is editors_only, (path, method)
        if editors_only:
            assert operation["security"] == [{"apiToken": []}]
    # Editors' reads carry it too (the feeds), readers' reads never.
    assert ("/api/feeds", "get") in locked
    assert ("/api/articles", "get") not in locked
    assert ("/api/articles/{article_id}/summary", "get") not in locked


def answered_errors() -> dict[int, set[str]]:
    """Every (status, code) an error handler can answer with: the exception tree, walked here."""
    from newsbrief.errors import NewsbriefError
    from newsbrief.web.errors import HTTP_CODES

    found: dict[int, set[str]] = {}
    stack = list(NewsbriefError.__subclasses__())
    while stack:
        kind = stack.pop()
        stack.extend(kind.__subclasses__())
        found.setdefault(kind.http_status, set()).add(kind.code)
    for status, code in [*HTTP_CODES.items(), (500, "internal_error")]:
        found.setdefault(status, set()).add(code)
    return found


#: Answered before any route is chosen (the method, the Host header): not an operation's.
BEFORE_ROUTING = {405, 421}
#: What an operation cannot answer, by the reason the route states.
CANNOT = {
    ("/api/articles/{article_id}", "patch"): set(),
    ("/api/embed/summary", "get"): {404, 409},  # a missing page is the fetch's 502
}


def test_every_operation_documents_every_error_it_can_answer(client: Client) -> None:
    schema = client.get("/openapi.json").json()
    answered = answered_errors()
    assert 503 in answered and {"too_many_fetches", "summary_timeout"} <= answered[503]
    for path, method, operation in operations(schema):
        documented = {int(s) for s in operation["responses"] if int(s) >= 400}
        cannot = CANNOT.get((path, method), {409})  # only an edit meets another article
        expected = set(answered) - BEFORE_ROUTING - cannot
        assert documented == expected, f"{method} {path}: {sorted(documented ^ expected)}"
        for status in documented:
            response = operation["responses"][str(status)]
            examples = response.get("content", {}).get("application/json", {}).get("examples")
            if examples is None:  # a route's own description of one status (embed's 403)
                continue
            assert set(examples) == answered[status], (path, method, status)
