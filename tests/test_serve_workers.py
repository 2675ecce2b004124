"""`newsbrief serve --workers N` for real: processes share one port and one store, /metrics
merges them, and a stopping server finishes the requests in flight."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from storage_support import BACKENDS, backend_url
from test_ops import TEXT
from web_support import free_port, metric

pytestmark = pytest.mark.slow  # real server processes


SERVE = [sys.executable, "-c", "from newsbrief.cli import main; main()", "serve"]


def children(pid: int) -> list[str]:
    """Return the command lines of ``pid``'s child processes (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(cmdline)
    return found


def wait_ready(base: str, proc: subprocess.Popen[str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1]
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    pytest.fail("the server did not become ready")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[object]:
    started: list[subprocess.Popen[str]] = []

    def start(*args: str) -> tuple[subprocess.Popen[str], str]:
        port = free_port()
        proc = subprocess.Popen(
            [*SERVE, "--port", str(port), *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        started.append(proc)
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, proc)
        return proc, base

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()


@pytest.mark.parametrize("backend", BACKENDS)
def test_workers_share_one_store(backend: str, tmp_path: Path, serve: object) -> None:
    url = backend_url(backend, tmp_path)
    proc, base = serve(  # type: ignore[operator]
        "--workers", "2", "--database", url, "--no-pregenerate", "--header-timeout", "1"
    )
    workers = [c for c in children(proc.pid) if "multiprocessing" in c]
    assert len(workers) >= 2, children(proc.pid)
    made = httpx.post(f"{base}/api/articles", json={"text": TEXT, "title": "Bridge"}, timeout=30)
    assert made.status_code == 201
    article = made.json()["id"]
    requests = 1
    summaries = set()
    for _ in range(12):  # a new connection each: the kernel hands them to either worker
        page = httpx.get(f"{base}/articles/{article}", timeout=30)
        summary = httpx.get(f"{base}/api/articles/{article}/summary?sentences=2", timeout=30)
        assert page.status_code == summary.status_code == 200
        summaries.add(tuple(s["text"] for s in summary.json()["sentences"]))
        requests += 2
    assert len(summaries) == 1
    text = httpx.get(f"{base}/metrics", timeout=30).text
    counted = metric(text, "newsbrief_http_request_duration_seconds_count")
    # Every worker's requests are in the merged metrics (the /readyz polls too).
    polls = metric(text, "newsbrief_http_request_duration_seconds_count", route="/readyz")
    assert counted - polls == requests
    # The computation happened once, in whichever worker got the first request.
    assert metric(text, "newsbrief_summary_cache_total", result="miss") == 1
    # Each worker's connections have the parent's header deadline (--header-timeout 1).
    port = int(base.rsplit(":", 1)[1])
    for _ in range(2):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
            slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            started = time.monotonic()
            answer = slow.recv(4096)
            assert answer.startswith(b"HTTP/1.1 408"), answer
            assert time.monotonic() - started < 5


def test_stopping_finishes_requests_in_flight(tmp_path: Path, serve: object) -> None:
    from feed_server import FeedServer

    with FeedServer() as feeds:
        proc, base = serve(  # type: ignore[operator]
            "--database", f"sqlite:///{tmp_path / 'db.sqlite3'}", "--allow-private-networks"
        )
        answer: list[httpx.Response] = []

        def add() -> None:  # the page under /slow/ answers after 3 s
            url = feeds.url("slow/story.html")
            answer.append(httpx.post(f"{base}/api/articles", json={"url": url}, timeout=60))

        slow = threading.Thread(target=add)
        started = time.monotonic()
        slow.start()
        deadline = time.monotonic() + 30
        while not feeds.hits["/slow/story.html"]:  # then the server is waiting for the page
            assert time.monotonic() < deadline, "the server never asked for the slow page"
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        slow.join()
        took = time.monotonic() - started
    # uvicorn re-raises the signal once it has shut down cleanly (systemd counts that as a
    # clean stop); a crash would be 1, a forced quit something else.
    assert proc.returncode in (0, -signal.SIGTERM), err
    assert "Application shutdown complete." in err
    assert answer and answer[0].status_code == 201, answer
    assert took >= 2.5  # it was in flight when the signal came, and was answered
    assert answer[0].json()["created"] is True


def served_by_worker(metrics_dir: Path) -> dict[int, int]:
    """Return, per worker pid, how many summary API requests it has answered."""
    from prometheus_client.mmap_dict import MmapedDict

    served: dict[int, int] = {}
    for path in metrics_dir.glob("histogram_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        for key, value, *_ in MmapedDict.read_all_values_from_file(str(path)):
            _metric, sample, labels, _help = json.loads(key)
            if (
                sample == "newsbrief_http_request_duration_seconds_bucket"
                and labels.get("route") == "/api/articles/{article_id}/summary"
            ):
                served[pid] = served.get(pid, 0) + int(value)
    return served


@pytest.mark.parametrize("backend", BACKENDS)
def test_serve_workers_limit_a_burst_at_one_allowance(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, serve: object
) -> None:
    metrics_dir = tmp_path / "metrics"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))
    url = backend_url(backend, tmp_path)
    _, base = serve(  # type: ignore[operator]
        "--workers", "2", "--database", url, "--public", "--demo", "--no-pregenerate",
        "--rate-burst", "3", "--rate-limit", "0.01",
    )  # fmt: skip
    articles = httpx.get(f"{base}/api/articles", timeout=30).json()["items"]
    summary = f"{base}/api/articles/{articles[0]['id']}/summary"
    statuses: list[int] = []
    # A new connection each: the kernel hands them to either worker. Go on until both have
    # answered some (each would grant its own three, were the buckets its own).
    for n in range(60):
        answer = httpx.get(f"{summary}?words={10 + n}", timeout=60)
        statuses.append(answer.status_code)
        served = served_by_worker(metrics_dir)
        if len(served) == 2 and min(served.values()) >= 2 and n >= 6:
            break
    assert len(served) == 2, f"one worker answered everything: {served}"
    assert statuses.count(200) == 3, statuses
    assert set(statuses) == {200, 429}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_started_server_computes_the_summaries_a_stopped_one_owed(
    backend: str, tmp_path: Path, serve: object
) -> None:
    """Articles stored with no summaries (pre-generation off, or a server killed before its
    queue drained) get them when a server starts, without a click."""
    from newsbrief import service
    from newsbrief.models import Article, Length
    from newsbrief.settings import Settings
    from newsbrief.storage import open_store

    url = backend_url(backend, tmp_path)
    with open_store(url) as store:
        ids = [
            store.add_article(Article(text=f"{TEXT}\nStory {n}."), source="text")[0].id
            for n in range(3)
        ]
    settings = Settings()
    variants = [
        settings.summary_options(length=Length(sentences=n), format="bullets")
        for n in settings.summary_lengths.values()
    ]

    def stored(store: Any) -> int:
        return sum(
            store.get_cached_summary(service.summary_key(store.get_article(i), options)) is not None
            for i in ids
            for options in variants
        )

    with open_store(url) as store:
        assert stored(store) == 0
    _, base = serve("--workers", "2", "--database", url)  # type: ignore[operator]
    deadline = time.monotonic() + 60
    with open_store(url) as store:
        while stored(store) < 9 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert stored(store) == 9
    text = httpx.get(f"{base}/metrics", timeout=30).text
    # Both workers reconciled; each summary was computed once, the other worker found it stored.
    assert metric(text, "newsbrief_summary_compute_seconds_count") == 9
