"""Benchmark of the embeddable button, on loopback only; stops by itself.

1. the size of ``embed.js``, raw and gzipped (as the server sends it);
2. click to bullets in Chromium (Playwright): a publisher's page on one loopback origin embeds
   ``<newsbrief-summary>`` from newsbrief on another; the time from the click to the first
   bullet in the panel, measured in the page (``performance.now``), for a page whose summary
   is stored and for a first-time page (fetched, extracted, summarized and stored on the
   click), ``--clicks`` of each, each on a fresh page;
3. ``GET /api/embed/summary`` of a stored summary under ``--connections`` keep-alive
   connections for ``--seconds`` (the load generator of benchmarks/load.py, in this process).

newsbrief runs in a child process under uvicorn (asyncio + h11, one worker) on a temporary
SQLite store. First-time pages are CNN/DailyMail dev articles when the shared data is there
(served from memory, never copied elsewhere), else variations of a built-in text.

    python benchmarks/embed.py
    python benchmarks/embed.py --clicks 10 --connections 256 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import free_port, hammer, pin, wait_ready

DATA = Path(os.environ.get("NEWSBRIEF_DATA", Path(__file__).resolve().parents[2] / "shared/data"))
CHROMIUM = "/usr/bin/chromium"

FALLBACK = [
    "The harbour board approved a plan to dredge the old canal before the summer season.",
    "Work starts in March and should take eleven weeks, the board said on Tuesday.",
    "Boats will use the northern channel while the dredgers are at work in the canal.",
    "Residents asked for quieter machines at night, and the contractor agreed to that.",
    "The canal was last dredged in 1998, when silt had closed it to larger boats.",
    "A public meeting on the timetable is planned for next month at the town hall.",
]


def texts(n: int) -> list[str]:
    """Return ``n`` distinct article texts (CNN/DM dev when present)."""
    path = DATA / "cnn_dailymail" / "dev.jsonl.gz"
    found: list[str] = []
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                found.append(json.loads(line)["article"])
                if len(found) >= n:
                    return found
    for i in range(len(found), n):
        found.append("\n".join(f"{s[:-1]} (report {i})." for s in FALLBACK))
    return found


def page_html(script: str, text: str) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n") if p.strip())
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Story</title>"
        f"<script src='{script}' defer></script></head><body><article><h1>Story</h1>"
        f"<newsbrief-summary></newsbrief-summary>{paragraphs}</article></body></html>"
    ).encode()


@contextlib.contextmanager
def publisher(pages: dict[str, bytes]) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run_server(port: int, data_dir: str, origin: str) -> None:
    """Serve newsbrief (child process entry point) with ``origin`` as its --embed-origin."""
    import uvicorn

    pin(0)
    from newsbrief.settings import Settings
    from newsbrief.web.app import create_app

    settings = Settings(
        data_dir=Path(data_dir), port=port, embed_origins=(origin,), allow_private_networks=True
    )
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning")


CLICK = """async () => {
  const el = document.querySelector('newsbrief-summary');
  while (!el.shadowRoot || !el.shadowRoot.querySelector('.button')) {
    await new Promise(r => setTimeout(r, 5));
  }
  const root = el.shadowRoot;
  const t0 = performance.now();
  root.querySelector('.button').click();
  await new Promise(resolve => {
    const done = () => root.querySelector('li') ? resolve() : requestAnimationFrame(done);
    done();
  });
  return performance.now() - t0;
}"""


def clicks(browser: Any, urls: list[str]) -> list[float]:
    """Open each URL on a fresh page, click the button, return ms to the first bullet."""
    times = []
    for url in urls:
        page = browser.new_page()
        page.goto(url)
        times.append(float(page.evaluate(CLICK)))
        page.close()
    return times


def describe(name: str, values: list[float]) -> str:
    values = sorted(values)
    return (
        f"{name:<38} n={len(values):<3} median {statistics.median(values):7.1f} ms   "
        f"min {values[0]:7.1f}   max {values[-1]:7.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clicks", type=int, default=5, help="clicks of each kind")
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--max-requests", type=int, default=200_000)
    args = parser.parse_args()

    raw = (resources.files("newsbrief.web") / "static" / "embed.js").read_bytes()
    print(f"embed.js: {len(raw):,} bytes raw, {len(gzip.compress(raw, 9, mtime=0)):,} gzipped")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()}")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    bodies = texts(args.clicks + 1)
    pages = {f"/story/{i}": page_html(base + "/embed.js", t) for i, t in enumerate(bodies)}
    with tempfile.TemporaryDirectory() as data_dir, publisher(pages) as origin:
        child = multiprocessing.get_context("spawn").Process(
            target=run_server, args=(port, data_dir, origin), daemon=True
        )
        child.start()
        try:
            asyncio.run(wait_ready(port))
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
                )
                # The first page warms the server (model load) and is then the stored one.
                warm = clicks(browser, [origin + "/story/0"])
                print(describe("first click after start (model load)", warm))
                stored = clicks(browser, [origin + "/story/0"] * args.clicks)
                print(describe("click -> bullets, stored summary", stored))
                fresh = clicks(browser, [f"{origin}/story/{i}" for i in range(1, args.clicks + 1)])
                print(describe("click -> bullets, first-time page", fresh))
                browser.close()
            from urllib.parse import quote

            path = f"/api/embed/summary?url={quote(origin + '/story/0', safe='')}&length=medium"
            result = asyncio.run(
                hammer(
                    f"embed summary x{args.connections}",
                    port,
                    [path],
                    args.connections,
                    args.seconds,
                    args.max_requests,
                )
            )
            print(result.line())
            print(f"load average after: {os.getloadavg()}")
        finally:
            child.terminate()
            child.join(10)


if __name__ == "__main__":
    main()
