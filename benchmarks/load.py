"""Load benchmark of the reader site's API, on loopback only; stops by itself.

Starts ``newsbrief``'s app under uvicorn (one worker) on 127.0.0.1 with a temporary SQLite
store holding the demo articles (plus, when the shared data is there, ``--typical`` articles
from the CNN/DailyMail dev split, loaded into the temporary store only), then measures:

1. cached summaries: ``--connections`` keep-alive connections hammering
   ``GET /api/articles/{id}/summary`` (every answer comes from the summary cache);
2. article pages: the same load on ``GET /articles/{id}`` (sentence spans cached in memory);
3. uncached summaries: one request at a time, each for an article never summarized before
   (the default method and length), so every answer is computed: what a reader waits for
   on the first click.

Each phase is bounded by ``--seconds`` and ``--max-requests``. The load generator is a small
asyncio HTTP/1.1 client in this process; it shares the machine's cores with the server, so
the numbers are a floor for the server alone.

    python benchmarks/load.py                       # asyncio + h11 and uvloop + httptools
    python benchmarks/load.py --servers default --seconds 5

``--mixed`` runs another scenario against ``newsbrief serve --public --workers N`` (each of
``--workers``) on SQLite and PostgreSQL (``--stores``): readers opening article pages and
cached summaries, beside one abusive client asking for uncached variants (a new word count
each time) as fast as ``--abusive-connections`` connections allow. Two measurements per run:

1. throughput (closed loop): ``--connections`` reader connections (half on pages, half on
   cached summaries), each sending its next request as soon as the answer came; req/s and
   latency per class. Debian's ``wrk`` generates the readers' load when it is installed (C,
   so it takes little of the CPUs the server needs); else this process's asyncio client.
   By Little's law the mean latency here is connections / throughput, whatever the server.
2. latency at a fixed offered rate (open loop, ``--rate`` reader requests a second, half
   pages and half summaries, spread over the same connections): each request has a
   scheduled send time and its latency runs from that time, not from when it was sent, so a
   stalled server cannot hide the requests it delayed (coordinated omission, as wrk2
   corrects it). p50/p99/p99.9 per class, errors, 429s, and the rate achieved.

The load generators share the machine's CPUs with the server (nothing is pinned).

    python benchmarks/load.py --mixed --connections 256 --seconds 10 --rate 1000 --typical 30
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(os.environ.get("NEWSBRIEF_DATA", Path(__file__).resolve().parents[2] / "shared/data"))

#: uvicorn (loop, http) implementations compared; "fast" needs uvloop and httptools.
SERVERS = {"default": ("asyncio", "h11"), "fast": ("uvloop", "httptools")}


# --- the server, in a child process ----------------------------------------------------------


def pin(cpu: int) -> None:
    """Keep this process on one CPU (server on CPU 0, load generator on CPU 1)."""
    with contextlib.suppress(AttributeError, OSError):
        if (os.cpu_count() or 1) > cpu:
            os.sched_setaffinity(0, {cpu})


def run_server(
    port: int, data_dir: str, loop: str, http: str, cpu: int | None, page_cache: float
) -> None:
    """Serve the app (child process entry point)."""
    import uvicorn

    if cpu is not None:
        pin(cpu)

    from newsbrief.settings import Settings
    from newsbrief.web.app import create_app

    # No rate limit: the uncached phase measures computations, all from this one client.
    settings = Settings(
        data_dir=Path(data_dir), port=port, page_cache_seconds=page_cache, rate_per_minute=0
    )
    app = create_app(settings)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        loop=loop,
        http=http,
        log_level="warning",
        access_log=False,
    )


def prepare_store(data_dir: Path, typical: int) -> tuple[list[int], list[int]]:
    """Fill a fresh store: demo articles, plus ``typical`` CNN/DM dev articles if present.

    Returns (demo ids, typical ids).
    """
    from newsbrief.demo import load_demo
    from newsbrief.models import Article
    from newsbrief.storage import open_store

    store = open_store(data_dir=data_dir)
    demo_ids = [stored.id for stored, _ in load_demo(store)]
    typical_ids: list[int] = []
    path = DATA / "cnn_dailymail" / "dev.jsonl.gz"
    if typical and path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                stored, created = store.add_article(
                    Article(text=record["article"], language="en"), source="benchmark"
                )
                if created:
                    typical_ids.append(stored.id)
                if len(typical_ids) >= typical:
                    break
    store.close()
    return demo_ids, typical_ids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            conn = await Connection.open(port)
            status, _ = await conn.get("/api/articles?limit=1")
            conn.close()
            if status == 200:
                return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not become ready in {timeout} s")


# --- a minimal keep-alive HTTP/1.1 client ----------------------------------------------------


class Connection:
    """One keep-alive connection speaking just enough HTTP/1.1 for GET + Content-Length."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def get(self, path: str) -> tuple[int, bytes]:
        self.writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n".encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        body = await self.reader.readexactly(length)
        return status, body

    def close(self) -> None:
        self.writer.close()


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0
    statuses: dict[int | str, int] = field(default_factory=dict)
    #: Percentile -> milliseconds and the request count, when another program measured them
    #: (wrk), instead of ``latencies``.
    measured: dict[float, float] | None = None
    count: int | None = None

    def requests(self) -> int:
        return self.count if self.count is not None else len(self.latencies)

    def pct(self, q: float) -> float:
        if self.measured is not None:
            return self.measured.get(q, float("nan"))
        data = sorted(self.latencies)
        if not data:
            return float("nan")
        return data[min(len(data) - 1, round(q / 100 * (len(data) - 1)))] * 1000

    def line(self) -> str:
        n = len(self.latencies)
        rps = n / self.elapsed if self.elapsed else 0.0
        mean = statistics.fmean(self.latencies) * 1000 if n else float("nan")
        return (
            f"{self.name:<34} {n:>7} req {rps:>8.0f} req/s   mean {mean:6.2f}  "
            f"p50 {self.pct(50):6.2f}  p95 {self.pct(95):6.2f}  p99 {self.pct(99):6.2f} ms"
            f"   errors {self.errors}"
        )

    def row(self) -> str:
        """Return a Markdown table row: requests, req/s, p50/p99/p99.9/max, errors, statuses."""
        n = self.requests()
        rps = n / self.elapsed if self.elapsed else 0.0
        statuses = ", ".join(f"{k}: {v:,}" for k, v in sorted(self.statuses.items(), key=str))
        cells = [self.name, f"{n:,}", f"{rps:,.0f}"]
        cells += [f"{self.pct(q):,.1f}" for q in (50, 99, 99.9, 100)]
        cells += [f"{self.errors:,}", statuses]
        return "| " + " | ".join(cells) + " |"


ROW_HEAD = (
    "| class | requests | req/s | p50 ms | p99 ms | p99.9 ms | max ms | errors | statuses |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---|"
)


async def hammer(
    name: str, port: int, paths: list[str], connections: int, seconds: float, max_requests: int
) -> Result:
    """Send GETs for ``paths`` (cycled) over ``connections`` connections; return latencies."""
    result = Result(name)
    deadline = time.perf_counter() + seconds
    counter = 0

    async def worker(k: int) -> None:
        nonlocal counter
        conn = await Connection.open(port)
        i = k
        try:
            while time.perf_counter() < deadline and counter < max_requests:
                counter += 1
                t0 = time.perf_counter()
                status, _ = await conn.get(paths[i % len(paths)])
                result.latencies.append(time.perf_counter() - t0)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if status != 200:
                    result.errors += 1
                i += connections
        finally:
            conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(connections)))
    result.elapsed = time.perf_counter() - start
    return result


async def sequential(
    name: str, port: int, paths: list[str], seconds: float
) -> tuple[Result, dict[str, object]]:
    """Send each path once, one at a time (bounded by ``seconds``); return latencies."""
    result = Result(name)
    conn = await Connection.open(port)
    start = time.perf_counter()
    last: dict[str, object] = {}
    try:
        for path in paths:
            if time.perf_counter() - start > seconds:
                break
            t0 = time.perf_counter()
            status, body = await conn.get(path)
            result.latencies.append(time.perf_counter() - t0)
            if status != 200:
                result.errors += 1
                continue
            last = json.loads(body)
            if last.get("cached"):
                result.errors += 1  # should have been computed
    finally:
        conn.close()
    result.elapsed = time.perf_counter() - start
    return result, last


async def measure(
    port: int, demo: list[int], typical: list[int], args: argparse.Namespace
) -> list[Result]:
    await wait_ready(port)
    results = []
    q = f"?method={args.method}" if args.method else ""
    summary_paths = [f"/api/articles/{i}/summary{q}" for i in demo]
    # Warm-up: fill the cache for the demo articles, load every sentence model.
    await sequential("warm-up", port, summary_paths, 60)
    results.append(
        await hammer(
            f"cached summary x{args.connections}",
            port,
            summary_paths,
            args.connections,
            args.seconds,
            args.max_requests,
        )
    )
    results.append(
        await hammer(
            f"article page x{args.connections}",
            port,
            [f"/articles/{i}" for i in demo],
            args.connections,
            args.seconds,
            args.max_requests,
        )
    )
    if typical:
        # One article is summarized first so that no timing below includes loading a model.
        await sequential("warm-up", port, [f"/api/articles/{typical[0]}/summary{q}"], 60)
        paths = [f"/api/articles/{i}/summary{q}" for i in typical[1:]]
        label = "uncached summary, CNN/DM x1"
    else:
        sep = "&" if q else "?"
        paths = [
            f"/api/articles/{i}/summary{q}{sep}words={w}" for w in range(20, 400) for i in demo
        ]
        label = "uncached summary, demo x1"
    uncached, sample = await sequential(label, port, paths, args.seconds * 3)
    results.append(uncached)
    method = sample.get("method", "?")
    print(f"uncached summaries used method {method!r}", file=sys.stderr)
    return results


# --- mixed traffic: readers and one abusive client, against `newsbrief serve --workers N` ----


def prepare_mixed_store(url: str, typical: int) -> list[int]:
    """Fill the store at ``url`` and compute the readers' summaries; return the article ids.

    A PostgreSQL store's summary cache is emptied first, so the abusive client's variants are
    uncached there too (its articles are kept: adding them again is a no-op).
    """
    import sqlalchemy as sa

    from newsbrief import service
    from newsbrief.demo import load_demo
    from newsbrief.models import Article, Length, SummaryOptions
    from newsbrief.storage import open_store

    store = open_store(url)
    if not url.startswith("sqlite"):
        with store._engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM summary_cache"))
    ids = [stored.id for stored, _ in load_demo(store)]
    path = DATA / "cnn_dailymail" / "dev.jsonl.gz"
    if typical and path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                stored, _ = store.add_article(
                    Article(text=record["article"], language="en"), source="benchmark"
                )
                ids.append(stored.id)
                if len(ids) >= typical:
                    break
    # What the button reads (pre-generated on add in production): bullets, 3 sentences.
    options = SummaryOptions(method="default", length=Length(sentences=3), format="bullets")
    for article_id in ids:
        service.summarize_stored(store, article_id, options)
    store.close()
    return ids


async def abuse(
    port: int, ids: list[int], connections: int, seconds: float, max_requests: int
) -> Result:
    """Ask for uncached variants (a new word count each) as fast as ``connections`` allow."""
    result = Result(f"abusive client x{connections}")
    deadline = time.perf_counter() + seconds
    counter = 0

    async def worker(k: int) -> None:
        nonlocal counter
        conn = await Connection.open(port)
        try:
            while time.perf_counter() < deadline and counter < max_requests:
                counter += 1
                words = 20 + (counter * 7919 + k) % 4900
                path = f"/api/articles/{ids[counter % len(ids)]}/summary?words={words}"
                t0 = time.perf_counter()
                status, _ = await conn.get(path)
                result.latencies.append(time.perf_counter() - t0)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if status not in (200, 429):
                    result.errors += 1
        finally:
            conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(connections)))
    result.elapsed = time.perf_counter() - start
    return result


#: wrk's Lua script for the readers: cycle over the paths given after ``--``, then print
#: wrk's own summary as one JSON line (latencies in microseconds).
WRK_SCRIPT = r"""
local paths = {}
local i = 0
function init(args)
  for _, path in ipairs(args) do paths[#paths + 1] = path end
  i = math.random(#paths) - 1
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50": %d, "p99": %d, "p99.9": %d, "max": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
"""


async def wrk_readers(
    name: str, port: int, paths: list[str], connections: int, seconds: float
) -> Result:
    """Run ``wrk`` (one thread) on ``paths`` over ``connections`` connections."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT)
    try:
        proc = await asyncio.create_subprocess_exec(
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            f.name,
            f"http://127.0.0.1:{port}",
            "--",
            *paths,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate()
    finally:
        os.unlink(f.name)
    lines = [line for line in out.decode().splitlines() if line.startswith("WRK ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {err.decode()}{out.decode()}")
    w = json.loads(lines[-1][4:])
    socket_errors = w["connect"] + w["read"] + w["write"] + w["timeout"]
    statuses: dict[int | str, int] = {"2xx/3xx": w["requests"] - w["status"]}
    if w["status"]:
        statuses["other"] = w["status"]
    if socket_errors:
        statuses["socket errors"] = socket_errors
    return Result(
        name,
        errors=w["status"] + socket_errors,
        elapsed=w["duration_us"] / 1e6,
        statuses=statuses,
        measured={q: w[k] / 1000 for q, k in ((50, "p50"), (99, "p99"), (99.9, "p99.9"))}
        | {100: w["max"] / 1000},
        count=w["requests"],
    )


async def open_loop(
    name: str, port: int, paths: list[str], connections: int, rate: float, seconds: float
) -> Result:
    """Send ``rate`` requests a second, spread over ``connections``; time from the schedule.

    Request ``n`` is due at ``n / rate`` seconds and goes on connection ``n % connections``;
    a connection still waiting for its previous answer sends late, and the latency of every
    request runs from when it was due (wrk2's correction for coordinated omission).
    """
    result = Result(name)
    conns = list(await asyncio.gather(*(Connection.open(port) for _ in range(connections))))
    start = time.perf_counter() + 0.05
    total = int(rate * seconds)
    last = start

    async def worker(k: int) -> None:
        nonlocal last
        for n in range(k, total, connections):
            due = start + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                status, _ = await conns[k].get(paths[n % len(paths)])
            except (OSError, asyncio.IncompleteReadError):
                status = 0
                conns[k].close()
                conns[k] = await Connection.open(port)
            now = time.perf_counter()
            last = max(last, now)
            result.latencies.append(now - due)
            key: int | str = status or "connection error"
            result.statuses[key] = result.statuses.get(key, 0) + 1
            if status != 200:
                result.errors += 1

    try:
        await asyncio.gather(*(worker(k) for k in range(connections)))
    finally:
        for conn in conns:
            conn.close()
    result.elapsed = last - start
    return result


async def mixed_round(
    port: int, ids: list[int], args: argparse.Namespace
) -> list[tuple[str, list[Result]]]:
    """Readers (pages and cached summaries, half the connections each) beside the abuser:
    a closed-loop throughput phase, then (``--rate``) an open-loop latency phase."""
    await wait_ready(port, timeout=120)
    half = max(1, args.connections // 2)
    pages = [f"/articles/{i}" for i in ids]
    summaries = [f"/api/articles/{i}/summary?format=bullets&sentences=3" for i in ids]
    # Every page once: the server's first render of each is not what readers see all day.
    await hammer("warm-up", port, pages + summaries, 4, 5, len(pages) * 4)
    use_wrk = args.generator == "wrk" or (args.generator == "auto" and shutil.which("wrk"))
    rounds = []
    if use_wrk:
        readers = [
            wrk_readers(f"reader: article page x{half}", port, pages, half, args.seconds),
            wrk_readers(f"reader: cached summary x{half}", port, summaries, half, args.seconds),
        ]
        generator = "wrk, one thread per class"
    else:
        readers = [
            hammer(f"reader: article page x{half}", port, pages, half, args.seconds, 10**7),
            hammer(f"reader: cached summary x{half}", port, summaries, half, args.seconds, 10**7),
        ]
        generator = "this process's asyncio client"
    results = await asyncio.gather(
        *readers, abuse(port, ids, args.abusive_connections, args.seconds, 10**7)
    )
    rounds.append(
        (f"throughput: closed loop, {args.connections} reader connections ({generator})", results)
    )
    if args.rate > 0:
        rate = args.rate / 2
        results = await asyncio.gather(
            open_loop(f"reader: article page x{half}", port, pages, half, rate, args.seconds),
            open_loop(f"reader: cached summary x{half}", port, summaries, half, rate, args.seconds),
            abuse(port, ids, args.abusive_connections, args.seconds, 10**7),
        )
        rounds.append(
            (
                f"latency: open loop, {args.rate:g} reader requests/s offered over "
                f"{args.connections} connections (this process's asyncio client), latency "
                "from each request's scheduled time",
                results,
            )
        )
    return rounds


def run_async(coroutine: Any) -> Any:
    """Run ``coroutine`` on uvloop when it is installed (a cheaper load generator)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def mixed(args: argparse.Namespace) -> None:
    """Run ``mixed_round`` for each store and worker count; print one table per run."""
    stores = []
    for name in args.stores.split(","):
        if name == "sqlite":
            stores.append(("SQLite", None))
        elif name == "postgresql":
            url = args.postgres_url or os.environ.get("NEWSBRIEF_TEST_POSTGRES_URL")
            if not url:
                print("skipping PostgreSQL: give --postgres-url (bash scripts/start_postgres.sh)")
                continue
            stores.append(("PostgreSQL", url))
    for label, url in stores:
        for workers in [int(w) for w in args.workers.split(",")]:
            with tempfile.TemporaryDirectory(prefix="newsbrief-load-") as tmp:
                store_url = url or f"sqlite:///{tmp}/load.sqlite3"
                ids = prepare_mixed_store(store_url, args.typical)
                port = free_port()
                command = [sys.executable, "-c", "from newsbrief.cli import main; main()"]
                command += ["serve", "--port", str(port), "--database", store_url]
                command += ["--workers", str(workers), "--access-log", "off"]
                command += ["--log-level", "warning", "--no-pregenerate"]
                # A public deployment: every client is an anonymous reader, so the rate limits
                # apply (on the one-person tool, no account yet, everyone may write and is not
                # throttled, and the abuser would never see a 429).
                command += ["--public"]
                child = subprocess.Popen(command)
                try:
                    rounds = run_async(mixed_round(port, ids, args))
                finally:
                    child.terminate()
                    try:
                        child.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        child.kill()
            print(
                f"\n{label}, newsbrief serve --public --workers {workers} (default rate limits); "
                f"{len(ids)} articles; load average now {os.getloadavg()[0]:.1f}"
            )
            for title, results in rounds:
                print(f"\n{title}, {args.seconds:g} s:\n{ROW_HEAD}")
                for r in results:
                    print(r.row())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--max-requests", type=int, default=100_000, help="cap per phase")
    parser.add_argument("--typical", type=int, default=200, help="CNN/DM articles to add")
    parser.add_argument("--servers", default="default,fast", help="comma list of: default, fast")
    parser.add_argument("--method", default="", help="summary method (default: the server's)")
    parser.add_argument(
        "--no-pin",
        action="store_true",
        help="let server and load generator share every CPU (default: one CPU each)",
    )
    parser.add_argument(
        "--mixed",
        action="store_true",
        help="readers and one abusive client together, against `newsbrief serve --workers N`",
    )
    parser.add_argument("--workers", default="1,2", help="--mixed: comma list of worker counts")
    parser.add_argument("--stores", default="sqlite,postgresql", help="--mixed: comma list")
    parser.add_argument("--postgres-url", help="--mixed: a PostgreSQL store to use")
    parser.add_argument(
        "--abusive-connections", type=int, default=4, help="--mixed: the abuser's connections"
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=1000.0,
        help="--mixed: reader requests a second offered in the open-loop phase (0: skip it)",
    )
    parser.add_argument(
        "--generator",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="--mixed: the closed-loop readers' load generator (auto: wrk when installed)",
    )
    parser.add_argument(
        "--page-cache-seconds",
        type=float,
        default=2.0,
        help="how long the server keeps rendered article pages (0: render every time)",
    )
    parser.add_argument(
        "--serve",
        nargs=6,
        metavar=("PORT", "DIR", "LOOP", "HTTP", "CPU", "PAGE_CACHE"),
        help=argparse.SUPPRESS,
    )
    args = parser.parse_args()
    if args.serve:
        port, data_dir, loop, http, cpu, page_cache = args.serve
        run_server(
            int(port), data_dir, loop, http, None if cpu == "-" else int(cpu), float(page_cache)
        )
        return
    if args.mixed:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"python {platform.python_version()} on {platform.machine()}; server and load "
            f"generator share {os.cpu_count()} CPUs; load average before the run {load:.1f}"
        )
        mixed(args)
        return
    if not args.no_pin:
        pin(1)

    sharing = "shared by" if args.no_pin else "server pinned to CPU 0, load generator to CPU 1 of"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"python {platform.python_version()} on {platform.machine()}; {sharing} "
        f"{os.cpu_count()} CPUs; load average before the run {load:.1f}"
    )
    for name in args.servers.split(","):
        loop, http = SERVERS[name]
        if name == "fast":
            try:
                import httptools  # noqa: F401
                import uvloop  # noqa: F401
            except ImportError:
                print("skipping uvloop + httptools: not installed (pip install uvloop httptools)")
                continue
        with tempfile.TemporaryDirectory(prefix="newsbrief-load-") as tmp:
            demo, typical = prepare_store(Path(tmp), args.typical)
            port = free_port()
            child = subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--serve",
                    str(port),
                    tmp,
                    loop,
                    http,
                    "-" if args.no_pin else "0",
                    str(args.page_cache_seconds),
                ],
            )
            try:
                results = asyncio.run(measure(port, demo, typical, args))
            finally:
                child.terminate()
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
        print(
            f"\nuvicorn, 1 worker, loop={loop}, http={http}, page cache "
            f"{args.page_cache_seconds:g} s; "
            f"{len(demo)} demo + {len(typical)} CNN/DM articles"
        )
        for r in results:
            print(r.line())


if __name__ == "__main__":
    main()
