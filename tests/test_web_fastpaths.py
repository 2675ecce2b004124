"""The readers' hot paths: article pages kept in memory (rendered again before they expire,
one render per page), cached summaries, and what every answer from them still carries
(security headers, the request metrics, the trusted-host check)."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from newsbrief.web.pagecache import REFRESH_AT, PageCache, PageFastPath
from web_support import make_app, metric

TEXT = (
    "The council approved a new cycle lane on the bridge on Monday evening.\n"
    "Work starts in March and should end before the summer holidays begin.\n"
    "Shops on the bridge said deliveries would move to the early morning hours.\n"
    "Some owners worried that customers would find it harder to park nearby.\n"
    "The lane will be reviewed after a year, the council said, and could be widened.\n"
    "Cyclists' groups welcomed the plan and asked for more lanes across the city."
)


# --- the page cache on its own ---------------------------------------------------------------


def test_a_page_is_rendered_again_by_one_reader_before_it_expires() -> None:
    now = [100.0]
    cache = PageCache(ttl=2.0, clock=lambda: now[0])
    cache.put("/articles/1", [], b"one")
    now[0] += 2.0 * REFRESH_AT - 0.01
    kept = cache.lookup("/articles/1")
    assert kept is not None and kept.body == b"one" and not kept.refresh
    now[0] += 0.01
    first, second = cache.lookup("/articles/1"), cache.lookup("/articles/1")
    assert first is not None and first.refresh  # this one renders it again...
    assert second is not None and second.body == b"one" and not second.refresh  # ...not this
    cache.put("/articles/1", [], b"two")
    kept = cache.lookup("/articles/1")
    assert kept is not None and kept.body == b"two" and not kept.refresh


def test_a_page_kept_from_a_render_started_before_a_write_is_dropped() -> None:
    cache = PageCache(ttl=2.0)
    started, generation = cache.now(), cache.generation
    cache.clear()  # a write happened while the page was being rendered
    cache.put("/articles/1", [], b"old", started=started, generation=generation)
    assert cache.get("/articles/1") is None


def test_a_page_expires_from_when_its_render_started() -> None:
    now = [100.0]
    cache = PageCache(ttl=2.0, clock=lambda: now[0])
    started = cache.now()
    now[0] += 1.5  # a slow render
    cache.put("/articles/1", [], b"one", started=started)
    now[0] += 0.5
    assert cache.get("/articles/1") is None


# --- PageFastPath in front of a route --------------------------------------------------------


class Route:
    """An ASGI app standing in for the article page route: counts its renders."""

    def __init__(self, status: int = 200, delay: float = 0.0) -> None:
        self.renders = 0
        self.status = status
        self.delay = delay

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.renders += 1
        body = f"render {self.renders}".encode()
        await asyncio.sleep(self.delay)
        headers = [(b"content-type", b"text/html"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def get(app: Any, path: str = "/articles/1", method: str = "GET") -> tuple[int, bytes]:
    """Send one request through ``app``; return the status and body it answered."""
    scope = {"type": "http", "method": method, "path": path, "query_string": b"", "headers": []}
    answer: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        else:
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], answer["body"]


def test_readers_asking_for_a_page_nobody_has_yet_wait_for_one_render() -> None:
    route = Route(delay=0.05)
    app = PageFastPath(route, cache=PageCache(ttl=60))

    async def main() -> list[tuple[int, bytes]]:
        return list(await asyncio.gather(*(get(app) for _ in range(20))))

    answers = asyncio.run(main())
    assert route.renders == 1
    assert answers == [(200, b"render 1")] * 20


def test_a_reader_of_a_page_due_for_a_render_is_answered_from_memory_then_it_is_rendered() -> None:
    now = [100.0]
    route = Route()
    app = PageFastPath(route, cache=PageCache(ttl=2.0, clock=lambda: now[0]))

    async def main() -> list[tuple[int, bytes]]:
        answers = [await get(app)]
        now[0] += 2.0 * REFRESH_AT
        answers.append(await get(app))  # answered from memory, then renders again
        answers.append(await get(app))
        return answers

    assert asyncio.run(main()) == [(200, b"render 1"), (200, b"render 1"), (200, b"render 2")]
    assert route.renders == 2


def test_a_page_whose_render_again_fails_is_forgotten() -> None:
    now = [100.0]
    route = Route()
    app = PageFastPath(route, cache=PageCache(ttl=2.0, clock=lambda: now[0]))

    async def main() -> list[tuple[int, bytes]]:
        answers = [await get(app)]
        route.status = 404  # the article was deleted through another worker
        now[0] += 2.0 * REFRESH_AT
        answers.append(await get(app))
        answers.append(await get(app))
        return answers

    assert asyncio.run(main()) == [(200, b"render 1"), (200, b"render 1"), (404, b"render 3")]


def test_a_write_while_a_page_renders_again_keeps_the_old_render_out() -> None:
    now = [100.0]
    route = Route()
    cache = PageCache(ttl=2.0, clock=lambda: now[0])
    app = PageFastPath(route, cache=cache)

    async def main() -> list[tuple[int, bytes]]:
        answers = [await get(app)]
        now[0] += 2.0 * REFRESH_AT
        route.delay = 0.05
        refreshing = asyncio.create_task(get(app))
        await asyncio.sleep(0.01)  # the refresh is rendering now
        route.delay = 0.0
        answers.append(await get(app, method="POST"))  # a write: every page is forgotten
        answers.append(await refreshing)
        answers.append(await get(app))
        return answers

    answers = asyncio.run(main())
    # The reader of the refresh had the kept page; the render it started (before the write)
    # was not kept, so the next reader got a page rendered after the write.
    assert answers == [
        (200, b"render 1"),
        (200, b"render 3"),
        (200, b"render 1"),
        (200, b"render 4"),
    ]


# --- the whole app -----------------------------------------------------------------------------


def test_kept_pages_carry_the_security_headers_and_are_counted_in_the_metrics(
    tmp_path: Path,
) -> None:
    _app, store, client = make_app(tmp_path, page_cache_seconds=60)
    first = client.post("/api/articles", json={"text": TEXT, "title": "First"}).json()["id"]
    before = client.get("/metrics").text
    rendered, kept = client.get(f"/articles/{first}"), client.get(f"/articles/{first}")
    head = client.request("HEAD", f"/articles/{first}")
    after = client.get("/metrics").text
    assert rendered.text == kept.text
    for answer in (kept, head):
        assert answer.status_code == 200
        assert answer.headers["content-security-policy"].startswith("default-src 'self'")
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["content-length"] == str(len(rendered.content))
    assert head.content == b""
    name = "newsbrief_http_request_duration_seconds_count"
    route = "/articles/{article_id}"

    def grew(method: str) -> float:
        return metric(after, name, route=route, method=method, status="200") - metric(
            before, name, route=route, method=method, status="200"
        )

    assert (grew("GET"), grew("HEAD")) == (2, 1)
    store.close()


def test_cached_summaries_are_kept_per_article_whatever_the_query(tmp_path: Path) -> None:
    _app, store, client = make_app(tmp_path)
    one = client.post("/api/articles", json={"text": TEXT, "title": "One"}).json()["id"]
    other = TEXT.replace("bridge", "tunnel").replace("council", "mayor")
    two = client.post("/api/articles", json={"text": other, "title": "Two"}).json()["id"]
    query = "?sentences=2&format=text"
    computed = [client.get(f"/api/articles/{i}/summary{query}").json() for i in (one, two)]
    kept = [client.get(f"/api/articles/{i}/summary{query}").json() for i in (one, two)]
    assert [k["summary"] for k in kept] == [c["summary"] for c in computed]
    assert kept[0]["summary"] != kept[1]["summary"]
    assert [k["article_id"] for k in kept] == [one, two]
    store.close()


def test_a_host_is_judged_the_same_every_time(tmp_path: Path) -> None:
    _app, store, client = make_app(tmp_path)
    for _ in range(3):
        assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 421
        assert client.get("/healthz", headers={"Host": "local:host:1"}).status_code == 400
        assert client.get("/healthz", headers={"Host": "localhost:8000"}).status_code == 200
    store.close()


# --- the readers' front (answers from memory before FastAPI) ----------------------------------


def test_a_kept_page_due_for_a_render_is_rendered_again_through_the_whole_app(
    tmp_path: Path,
) -> None:
    from newsbrief.ingest import text_article

    app, store, client = make_app(tmp_path, page_cache_seconds=2)
    pages = app.state.newsbrief.pages
    now = [1000.0]
    pages._clock = lambda: now[0]  # the cache's clock, moved by hand
    first = client.post("/api/articles", json={"text": TEXT, "title": "First"}).json()["id"]
    page = f"/articles/{first}"
    assert 'rel="next"' not in client.get(page).text
    store.add_article(text_article(TEXT.replace("bridge", "tunnel")), source="text")
    before = client.get("/metrics").text
    now[0] += 2.0 * REFRESH_AT
    due = client.get(page)  # answered from memory, then the page is rendered again
    fresh = client.get(page)
    after = client.get("/metrics").text
    assert 'rel="next"' not in due.text
    assert 'rel="next"' in fresh.text
    assert fresh.headers["x-frame-options"] == "DENY"
    name = "newsbrief_http_request_duration_seconds_count"
    labels = {"route": "/articles/{article_id}", "method": "GET", "status": "200"}
    # Two readers' requests; the render for the cache is nobody's request.
    assert metric(after, name, **labels) - metric(before, name, **labels) == 2
    store.close()


def test_answers_in_memory_still_refuse_a_foreign_host_and_an_oversized_body(
    tmp_path: Path,
) -> None:
    _app, store, client = make_app(tmp_path, page_cache_seconds=60, max_body_bytes=2000)
    first = client.post("/api/articles", json={"text": TEXT, "title": "First"}).json()["id"]
    paths = [f"/articles/{first}", f"/api/articles/{first}/summary?sentences=2"]
    for path in paths:
        assert client.get(path).status_code == 200
        assert client.get(path).status_code == 200  # now in memory
        assert client.get(path, headers={"Host": "evil.example"}).status_code == 421
        too_large = client.request("GET", path, headers={"Content-Length": "5000"}, content=b"")
        assert too_large.status_code == 413
        # An editor's page is never the readers' kept one.
        assert client.get(path, headers={"Cookie": "a=b"}).status_code == 200
    store.close()


def test_summaries_in_memory_carry_the_security_headers_and_answer_head(tmp_path: Path) -> None:
    _app, store, client = make_app(tmp_path)
    first = client.post("/api/articles", json={"text": TEXT, "title": "First"}).json()["id"]
    path = f"/api/articles/{first}/summary?sentences=2"
    computed = client.get(path)
    kept, head = client.get(path), client.request("HEAD", path)
    assert kept.json() == {**computed.json(), "cached": True}
    for answer in (kept, head):
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json"
        assert answer.headers["content-length"] == str(len(kept.content))
        assert answer.headers["content-security-policy"].startswith("default-src 'self'")
        assert answer.headers["referrer-policy"] == "no-referrer"
    assert head.content == b""
    store.close()


def test_answers_in_memory_are_in_the_json_access_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _app, store, client = make_app(tmp_path, json_access_log=True, page_cache_seconds=60)
    first = client.post("/api/articles", json={"text": TEXT, "title": "First"}).json()["id"]
    paths = [f"/articles/{first}", f"/api/articles/{first}/summary"]
    for path in paths:
        client.get(path)
    with caplog.at_level(logging.INFO, logger="newsbrief.access"):
        sizes = [len(client.get(path).content) for path in paths]
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "newsbrief.access"]
    assert [(r["path"], r["route"], r["status"], r["bytes"]) for r in records] == [
        (paths[0], "/articles/{article_id}", 200, sizes[0]),
        (f"/api/articles/{first}/summary", "/api/articles/{article_id}/summary", 200, sizes[1]),
    ]
    store.close()
