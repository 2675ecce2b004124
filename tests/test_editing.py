"""Editors edit and delete articles: the API, the site's forms, and what a store remembers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsbrief.models import Article
from newsbrief.storage import Store
from web_support import Client, csrf, make_app

TEXT = (
    "The harbour authority opened a new ferry line between the two towns on Monday.\n"
    "Boats will run every forty minutes from June, and fares stay the same for now.\n"
    "The mayor said the line would cut the drive around the bay by half an hour."
)
NEW_TEXT = (
    "The ferry line between the two towns will open in July, a month late.\n"
    "The second boat failed its sea trials, the harbour authority said on Friday."
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Store, Client]]:
    _, store, client = make_app(tmp_path, demo=True)
    yield store, client
    store.close()


def test_api_edits_an_article_and_its_summary_follows(site: tuple[Store, Client]) -> None:
    store, client = site
    added = client.post("/api/articles", json={"text": TEXT, "title": "Ferry"}).json()
    url = f"/api/articles/{added['id']}"
    before = client.get(f"{url}/summary?sentences=1").json()
    assert before["sentences"][0]["text"] in TEXT
    r = client.request("PATCH", url, json={"title": "Ferry delayed", "text": NEW_TEXT})
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "Ferry delayed" and r.json()["text"] == NEW_TEXT
    assert r.json()["content_hash"] != added["content_hash"]
    # The same request again: not the answer remembered for the old text.
    after = client.get(f"{url}/summary?sentences=1").json()
    assert after["sentences"][0]["text"] in NEW_TEXT
    assert store.get_article(added["id"]).article.title == "Ferry delayed"


def test_api_edit_errors(site: tuple[Store, Client]) -> None:
    store, client = site
    one = client.post("/api/articles", json={"text": TEXT}).json()["id"]
    two = client.post("/api/articles", json={"text": NEW_TEXT}).json()["id"]
    r = client.request("PATCH", f"/api/articles/{two}", json={"text": TEXT})
    assert r.status_code == 409
    assert r.json()["error"] == {
        "code": "conflict",
        "message": f"article {one} already has this text or URL; edit or delete that one instead",
    }
    r = client.request("PATCH", f"/api/articles/{two}", json={"text": "  "})
    assert r.status_code == 400 and r.json()["error"]["code"] == "empty_input"
    r = client.request("PATCH", f"/api/articles/{two}", json={"url": "ftp://x/y"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_options"
    r = client.request("PATCH", f"/api/articles/{two}", json={"source": "x"})
    assert r.status_code == 422
    r = client.request("PATCH", "/api/articles/999", json={"title": "x"})
    assert r.status_code == 404
    assert store.get_article(two).article.text == NEW_TEXT


def test_api_deletes_an_article(site: tuple[Store, Client]) -> None:
    store, client = site
    total = store.list_articles().total
    assert client.get("/api/articles/1/summary").status_code == 200  # remembered in memory
    r = client.delete("/api/articles/1")
    assert r.status_code == 204 and r.content == b""
    assert client.get("/api/articles/1").status_code == 404
    assert client.get("/api/articles/1/summary").status_code == 404
    assert store.list_articles().total == total - 1
    assert client.delete("/api/articles/1").status_code == 404


def test_site_edit_and_delete(site: tuple[Store, Client]) -> None:
    store, client = site
    page = client.get("/articles/2")
    assert '<a class="edit-link" href="/articles/2/edit">Edit or delete</a>' in page.text
    form = client.get("/articles/2/edit")
    assert form.status_code == 200 and 'action="/articles/2/delete"' in form.text
    r = client.post(
        "/articles/2/edit",
        data={**csrf(client), "title": "Edited title", "text": NEW_TEXT.replace("\n", "\r\n")},
    )
    assert r.status_code == 303 and r.headers["location"] == "/articles/2"
    assert store.get_article(2).article.text == NEW_TEXT
    assert "Edited title" in client.get("/articles/2").text
    bad = client.post("/articles/2/edit", data={**csrf(client), "title": "x", "text": " "})
    assert bad.status_code == 400
    assert "Could not save the edit: the article text is empty" in bad.text
    assert 'value="x"' in bad.text
    r = client.post("/articles/2/delete", data=csrf(client))
    assert r.status_code == 303 and r.headers["location"] == "/?deleted=1"
    assert "Article deleted." in client.get("/?deleted=1").text
    assert client.get("/articles/2").status_code == 404


def test_a_deleted_feed_article_is_not_brought_back(site: tuple[Store, Client]) -> None:
    store, _ = site
    feed, _ = store.add_feed("https://news.example/feed.xml")
    stored, _ = store.add_article(Article(text=TEXT), source=f"feed:{feed.id}", feed_id=feed.id)
    store.record_feed_item(feed.id, "guid-1", url=None, article_id=stored.id, error=None)
    store.record_feed_item(feed.id, "guid-2", url=None, article_id=None, error="no text")
    store.delete_article(stored.id)
    assert store.feed_item_keys(feed.id) == {"guid-1"}
    assert [i.key for i in store.list_feed_items(feed.id, failed_only=True)] == ["guid-2"]


def test_search_follows_an_edit(site: tuple[Store, Client]) -> None:
    _, client = site
    added = client.post("/api/articles", json={"text": TEXT, "title": "Ferry"}).json()

    def found(words: str) -> bool:
        items = client.get(f"/api/articles?q={words}").json()["items"]
        return added["id"] in [a["id"] for a in items]

    assert found("mayor drive bay") and not found("sea trials")
    client.request("PATCH", f"/api/articles/{added['id']}", json={"text": NEW_TEXT})
    assert found("sea trials") and not found("mayor drive bay")
