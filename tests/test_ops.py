"""Serving readers in production: pre-generated summaries, one computation per key across
processes, health and readiness, Prometheus metrics, the JSON access log."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsbrief import service
from newsbrief.storage import SQLStore, Store
from newsbrief.web.state import AppState
from storage_support import BACKENDS, backend_url
from web_support import Client, csrf, make_app, metric

TEXT = (
    "The council approved a new cycle lane on the bridge on Monday evening.\n"
    "Work starts in March and should end before the summer holidays begin.\n"
    "Shops on the bridge said deliveries would move to the early morning hours.\n"
    "Some owners worried that customers would find it harder to park nearby.\n"
    "The lane will be reviewed after a year, the council said, and could be widened.\n"
    "Cyclists' groups welcomed the plan and asked for more lanes across the city."
)


def state_of(app: Any) -> AppState:
    state = app.state.newsbrief
    assert isinstance(state, AppState)
    return state


def stored_variants(store: Store, state: AppState, article_id: int) -> list[bool]:
    """Return, for each length of the page's button, whether its summary is in the store."""
    stored = store.get_article(article_id)
    return [
        store.get_cached_summary(service.summary_key(stored, options)) is not None
        for options in state.button_variants()
    ]


# --- pre-generation --------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["api", "form"])
def test_adding_an_article_stores_its_summaries(tmp_path: Path, how: str) -> None:
    app, store, client = make_app(tmp_path, pregenerate=True)
    state = state_of(app)
    if how == "api":
        r = client.post("/api/articles", json={"text": TEXT, "title": "Bridge"})
        assert r.status_code == 201
        article_id = r.json()["id"]
    else:
        r = client.post("/add", data={**csrf(client), "text": TEXT, "title": "Bridge"})
        assert r.status_code == 303
        article_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert state.pregenerator is not None
    assert state.pregenerator.join(timeout=30)
    assert stored_variants(store, state, article_id) == [True, True, True]
    # The button's request is answered from the store: nothing is computed on the click.
    for sentences in state.settings.summary_lengths.values():
        url = f"/api/articles/{article_id}/summary?format=bullets&sentences={sentences}"
        assert client.get(url).json()["cached"] is True
    # Adding it again queues nothing new.
    before = state.pregenerator.dropped
    assert client.post("/api/articles", json={"text": TEXT, "title": "Bridge"}).status_code == 200
    assert state.pregenerator.dropped == before
    state.pregenerator.stop()
    store.close()


def test_feed_refresh_stores_new_articles_summaries(tmp_path: Path) -> None:
    from feed_server import FeedServer

    with FeedServer() as server:
        app, store, client = make_app(tmp_path, allow_private_networks=True, pregenerate=True)
        state = state_of(app)
        feed = client.post("/api/feeds", json={"url": server.url("rss.xml")}).json()
        report = client.post(f"/api/feeds/{feed['id']}/refresh").json()
        assert report["new_ids"]
        assert state.pregenerator is not None and state.pregenerator.join(timeout=60)
        for article_id in report["new_ids"]:
            assert stored_variants(store, state, article_id) == [True, True, True]
        state.pregenerator.stop()
        store.close()


def test_pregeneration_can_be_turned_off(tmp_path: Path) -> None:
    app, store, client = make_app(tmp_path, pregenerate=False)
    article_id = client.post("/api/articles", json={"text": TEXT}).json()["id"]
    time.sleep(0.2)
    assert state_of(app).pregenerator is None
    assert stored_variants(store, state_of(app), article_id) == [False, False, False]
    store.close()


def test_pregenerator_queue_is_bounded(tmp_path: Path) -> None:
    from newsbrief.pregenerate import Pregenerator

    app, store, client = make_app(tmp_path, pregenerate=False)
    article_id = client.post("/api/articles", json={"text": TEXT}).json()["id"]
    pre = Pregenerator(store, state_of(app).button_variants(), max_queue=2)
    pre._threads = [(None, False)]  # type: ignore[list-item]  # no worker: the queue only fills
    assert pre.submit([article_id]) == 2
    assert pre.dropped == 1
    store.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_store_lists_articles_missing_summaries_newest_first(backend: str, tmp_path: Path) -> None:
    from newsbrief.models import Article
    from newsbrief.storage import open_store

    store = open_store(backend_url(backend, tmp_path))
    ids = [
        store.add_article(Article(text=f"{TEXT}\nStory number {n}."), source="text")[0].id
        for n in range(4)
    ]
    variants = [("m", "s1", "bullets"), ("m", "s3", "bullets")]
    assert store.articles_missing_summaries(variants, limit=10) == ids[::-1]
    assert store.articles_missing_summaries(variants, limit=2) == ids[:1:-1]
    from newsbrief.storage import SummaryKey

    for n in (1, 3):  # 1 has both, 3 one of the two: only 1 is done
        hash_ = store.get_article(ids[n]).content_hash
        store.put_cached_summary(SummaryKey(hash_, "m", "s1", "bullets"), {"sentences": []})
    store.put_cached_summary(
        SummaryKey(store.get_article(ids[1]).content_hash, "m", "s3", "bullets"), {"x": 1}
    )
    assert store.articles_missing_summaries(variants, limit=10) == [ids[3], ids[2], ids[0]]
    assert store.articles_missing_summaries([], limit=10) == []
    store.close()


def test_reconcile_queues_what_a_restart_left_undone(tmp_path: Path) -> None:
    from newsbrief.pregenerate import Pregenerator

    app, store, client = make_app(tmp_path, pregenerate=False)
    made = [
        client.post("/api/articles", json={"text": f"{TEXT}\nNumber {n}."}).json()["id"]
        for n in range(3)
    ]
    state = state_of(app)
    assert all(stored_variants(store, state, i) == [False] * 3 for i in made)
    pre = Pregenerator(store, state.button_variants())
    assert pre.reconcile(limit=2) == 2  # the newest two
    assert pre.join(timeout=60)
    assert [any(stored_variants(store, state, i)) for i in made] == [False, True, True]
    assert pre.reconcile() == 1 and pre.join(timeout=60)
    assert all(stored_variants(store, state, i) == [True] * 3 for i in made)
    assert pre.reconcile() == 0  # nothing owed: nothing queued
    pre.stop()
    store.close()


# --- one computation per key, across processes -----------------------------------------------

_WORKER = """
import json, os, sys, time
from newsbrief import service, summarizers
from newsbrief.models import Length, SummaryOptions
from newsbrief.storage import open_store
from newsbrief.summarizers import Output, SummarizerInfo

url, article_id, log, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

class Slow:
    name = kind = "extractive"
    def summarize(self, doc, options):
        with open(log, "a") as f:
            f.write(f"{os.getpid()}\\n")
        time.sleep(1.0)
        return summarizers.get("lead").summarize(doc, options)

summarizers._REGISTRY["test-slow"] = SummarizerInfo("test-slow", Slow, "slow (tests)")
store = open_store(url)
options = SummaryOptions(method="test-slow", length=Length.of(sentences=2), format="bullets")
# Start together: each says it is ready, then waits for all three (however loaded the machine).
open(os.path.join(ready, str(os.getpid())), "w").close()
deadline = time.monotonic() + 120
while len(os.listdir(ready)) < 3 and time.monotonic() < deadline:
    time.sleep(0.01)
print(json.dumps(service.summarize_stored(store, article_id, options)["cached"]))
store.close()
"""


@pytest.mark.slow  # three Python processes start and import newsbrief
@pytest.mark.parametrize("backend", BACKENDS)
def test_processes_on_one_store_compute_a_summary_once(backend: str, tmp_path: Path) -> None:
    from newsbrief.ingest import text_article
    from newsbrief.storage import open_store

    url = backend_url(backend, tmp_path)
    with open_store(url) as store:
        stored, _ = store.add_article(text_article(TEXT, title="Bridge"), source="text")
    log = tmp_path / "computed.log"
    script = tmp_path / "worker.py"
    script.write_text(_WORKER, encoding="utf-8")
    ready = tmp_path / "ready"
    ready.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), url, str(stored.id), str(log), str(ready)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    assert len(list(ready.iterdir())) == 3
    assert len(log.read_text().split()) == 1  # one process computed, the others waited
    assert sorted(results) == [False, True, True]


@pytest.mark.parametrize("backend", BACKENDS)
def test_summary_lock_excludes_other_holders(backend: str, tmp_path: Path) -> None:
    import threading

    from newsbrief.storage import SummaryKey, open_store

    url = backend_url(backend, tmp_path)
    key = SummaryKey("abc", "lead", "s2", "bullets")
    other = SummaryKey("abd", "lead", "s2", "bullets")

    # Two stores stand for two processes (SQLite's record locks are per process, so its
    # holders are checked from a child; PostgreSQL's per connection, so two stores do).
    def contend(store: Any, wanted: SummaryKey) -> tuple[threading.Event, threading.Thread]:
        """Take ``wanted`` in a thread; the event is set once it is held."""
        entered = threading.Event()

        def take() -> None:
            with store.summary_lock(wanted):
                entered.set()

        thread = threading.Thread(target=take, daemon=True)
        thread.start()
        return entered, thread

    with open_store(url) as first:
        if backend == "sqlite":
            holder = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "import sys\n"
                    "from newsbrief.storage import open_store, SummaryKey\n"
                    "store = open_store(sys.argv[1])\n"
                    "with store.summary_lock(SummaryKey('abc', 'lead', 's2', 'bullets')):\n"
                    "    print('held', flush=True); sys.stdin.readline()\n",
                    url,
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
            )
            assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
            free, thread = contend(first, other)
            assert free.wait(10)  # another key is not held
            thread.join(timeout=10)
            taken, waiter = contend(first, key)
            assert not taken.wait(0.5)  # the child holds it
            holder.communicate("release\n", timeout=10)
            assert taken.wait(10)
            waiter.join(timeout=10)
            return
        second = open_store(url)
        with first.summary_lock(key):
            taken, waiter = contend(second, key)
            free, thread = contend(second, other)
            assert free.wait(10)  # another key is not held
            thread.join(timeout=10)
            assert not taken.wait(0.5)  # the first store holds it
        assert taken.wait(10)
        waiter.join(timeout=10)
        second.close()


# --- health, readiness, metrics, access log --------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Any, SQLStore, Client]]:
    app, store, client = make_app(tmp_path, demo=True)
    assert isinstance(store, SQLStore)
    yield app, store, client
    store.close()


def test_healthz_and_readyz(served: tuple[Any, SQLStore, Client]) -> None:
    _, _store, client = served
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"store": "ok", "model": "ok"}}


def test_readyz_is_503_when_the_store_is_gone(tmp_path: Path) -> None:
    from newsbrief.errors import StorageError

    _app, store, client = make_app(tmp_path)

    def down() -> None:
        raise StorageError("database error on sqlite:///x: unable to open database file")

    store.ping = down  # type: ignore[method-assign]
    ready = client.get("/readyz")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["store"].startswith("storage_error: database error")
    assert body["checks"]["model"] == "ok"
    store.close()


def test_metrics_count_requests_cache_and_computations(
    served: tuple[Any, SQLStore, Client],
) -> None:
    _, store, client = served
    article = store.list_articles(limit=1).items[0].id
    before = client.get("/metrics")
    assert before.status_code == 200
    assert before.headers["content-type"].startswith("text/plain")
    route = "/api/articles/{article_id}/summary"
    count = "newsbrief_http_request_duration_seconds_count"
    b = before.text
    url = f"/api/articles/{article}/summary?sentences=2&format=text"
    client.get(url)  # computed
    client.get(url)  # from memory (the fast path)
    client.get(f"/articles/{article}")
    client.get("/no/such/page")
    after = client.get("/metrics").text

    def grew(name: str, **labels: str) -> float:
        return metric(after, name, **labels) - metric(b, name, **labels)

    assert grew(count, route=route, method="GET", status="200") == 2
    assert grew(count, route="/articles/{article_id}", method="GET", status="200") == 1
    assert grew(count, route="<unmatched>", method="GET", status="404") == 1
    assert grew("newsbrief_summary_cache_total", result="miss") == 1
    assert grew("newsbrief_summary_cache_total", result="hit_memory") == 1
    assert grew("newsbrief_summary_compute_seconds_count", method="default") == 1
    assert "newsbrief_pregenerate_queue_depth" in after
    assert "newsbrief_llm_errors_total" in after or "# TYPE newsbrief_llm_errors" in after


def test_json_access_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _app, store, client = make_app(tmp_path, demo=True, json_access_log=True)
    article = store.list_articles(limit=1).items[0].id
    with caplog.at_level(logging.INFO, logger="newsbrief.access"):
        client.get(f"/articles/{article}?secret=hunter2")
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "newsbrief.access"]
    assert len(records) == 1
    record = records[0]
    assert record["method"] == "GET"
    assert record["path"] == f"/articles/{article}"
    assert record["route"] == "/articles/{article_id}"
    assert record["status"] == 200
    assert record["bytes"] > 0
    assert record["duration_ms"] >= 0
    assert record["client"] == "127.0.0.1"
    assert "hunter2" not in caplog.text
    store.close()


# --- newsbrief resummarize -------------------------------------------------------------------


def button_keys(store: Store, article_id: int, method: str = "default") -> list[Any]:
    """Return the summary keys of the page button's lengths (what a server stores)."""
    from newsbrief.models import Length
    from newsbrief.settings import Settings

    settings = Settings(default_method=method)
    stored = store.get_article(article_id)
    return [
        service.summary_key(
            stored, settings.summary_options(length=Length(sentences=n), format="bullets")
        )
        for n in settings.summary_lengths.values()
    ]


def test_resummarize_replaces_stored_summaries(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from newsbrief.cli import cli
    from newsbrief.ingest import text_article
    from newsbrief.storage import open_store

    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    with open_store(url) as store:
        stored, _ = store.add_article(text_article(TEXT, title="Bridge"), source="text")
        keys = button_keys(store, stored.id)
        for key in keys:  # what an older model left
            store.put_cached_summary(key, {"summary": "stale", "sentences": []})
    result = CliRunner().invoke(cli, ["resummarize", "--database", url, "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "newsbrief: 3 summaries of 1 articles recomputed\n"
    with open_store(url) as store:
        for key in keys:
            summary = store.get_cached_summary(key)
            assert summary is not None and summary["summary"] != "stale"
            assert summary["sentences"][0]["text"] in TEXT
    later = CliRunner().invoke(cli, ["resummarize", "--database", url, "--since", "2999-01-01"])
    assert later.exit_code == 0
    assert later.stderr.endswith("newsbrief: 0 summaries of 0 articles recomputed\n")


def test_resummarize_refuses_a_bad_date(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from newsbrief.cli import cli

    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    result = CliRunner().invoke(cli, ["resummarize", "--database", url, "--since", "yesterday"])
    assert result.exit_code == 1
    assert result.stderr == (
        "newsbrief: error: --since 'yesterday' is not a date; "
        "give YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)\n"
    )


def test_resummarize_keeps_the_old_summary_when_the_backend_fails(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from newsbrief.cli import cli
    from newsbrief.ingest import text_article
    from newsbrief.storage import open_store

    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    with open_store(url) as store:
        stored, _ = store.add_article(text_article(TEXT, title="Bridge"), source="text")
    with socket_nobody_listens() as port:
        args = ["resummarize", "--database", url, "--quiet", "--method", "llm"]
        args += ["--llm-url", f"http://127.0.0.1:{port}/v1", "--llm-model", "m"]
        args += ["--llm-timeout", "2"]
        result = CliRunner().invoke(cli, args)
    assert result.exit_code == 3, result.output
    assert f"newsbrief: article {stored.id}: llm:" in result.stderr
    assert result.stderr.endswith("0 summaries of 1 articles recomputed, 3 failed\n")


@contextlib.contextmanager
def socket_nobody_listens() -> Iterator[int]:
    """Yield a loopback port that refuses connections."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    yield port


# --- article pages kept for anonymous readers ------------------------------------------------


def test_page_cache_expires_and_is_bounded() -> None:
    from newsbrief.web.pagecache import PageCache

    now = [100.0]
    cache = PageCache(ttl=2.0, size=2, clock=lambda: now[0])
    cache.put("/articles/1", [], b"one")
    assert cache.get("/articles/1") == ([], b"one")
    now[0] += 1.99
    assert cache.get("/articles/1") == ([], b"one")
    now[0] += 0.01
    assert cache.get("/articles/1") is None
    for n in range(3):
        cache.put(f"/articles/{n}", [], b"x")
    assert len(cache) == 2
    assert cache.get("/articles/0") is None


def test_article_pages_are_kept_for_readers_and_forgotten_on_writes(tmp_path: Path) -> None:
    from newsbrief.ingest import text_article

    _app, store, client = make_app(tmp_path, page_cache_seconds=60)
    first = client.post("/api/articles", json={"text": TEXT, "title": "First"}).json()["id"]
    page = f"/articles/{first}"
    assert 'rel="next"' not in client.get(page).text
    newer = text_article(TEXT.replace("bridge", "tunnel"), title="Second")
    store.add_article(newer, source="text")  # behind the app's back: its page is kept
    kept = client.get(page)
    assert kept.status_code == 200
    assert 'rel="next"' not in kept.text
    assert kept.headers["content-security-policy"].startswith("default-src 'self'")
    # A request with a cookie (an editor's session) or a query is never served a kept page.
    assert 'rel="next"' in client.get(page, headers={"Cookie": "a=b"}).text
    assert 'rel="next"' in client.get(f"{page}?x=1").text
    # Any write through this worker forgets the kept pages.
    client.post("/api/articles", json={"text": "too short"})
    assert 'rel="next"' in client.get(page).text
    store.close()


def test_page_cache_off(tmp_path: Path) -> None:
    from newsbrief.ingest import text_article

    _app, store, client = make_app(tmp_path, page_cache_seconds=0)
    first = client.post("/api/articles", json={"text": TEXT, "title": "First"}).json()["id"]
    assert 'rel="next"' not in client.get(f"/articles/{first}").text
    store.add_article(text_article(TEXT.replace("bridge", "tunnel")), source="text")
    assert 'rel="next"' in client.get(f"/articles/{first}").text
    store.close()
