"""What a hostile page server costs one fetch: seconds and peak memory, per attack.

A loopback server (a child process, so its memory is not counted) answers each attack; each
fetch runs in a fresh interpreter that prints the error it got, the wall time of the call and
how much its peak RSS grew during it (``resource.getrusage``). ``--code DIR`` measures another
checkout's ``src`` (e.g. the commit before the limits) the same way.

    python benchmarks/fetch_limits.py
    python benchmarks/fetch_limits.py --code /tmp/before/src
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

#: Zeros behind the compression bombs: ~200 KB gzipped once, ~500 bytes twice.
BOMB_BYTES = 200_000_000
#: The trickling server: one header line every DRIP_S seconds, DRIP_LINES of them.
DRIP_S = 0.5
DRIP_LINES = 40
#: The per-step timeout the fetches get (the whole fetch: 4x).
TIMEOUT = 1.0

CASES = {
    "/trickle-headers": f"one header line every {DRIP_S} s ({DRIP_LINES} lines)",
    "/stacked-gzip": "Content-Encoding: gzip, gzip (200 MB of zeros)",
    "/gzip-bomb": "Content-Encoding: gzip (200 MB of zeros)",
    "/many-headers": "150 header lines",
}

MEASURE = """
import resource, sys, time
from newsbrief.errors import NewsbriefError
from newsbrief.fetch import fetch
url, timeout = sys.argv[1], float(sys.argv[3])
fetch(url + "/ok", allow_private_networks=True)  # imports and first connection, not counted
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.monotonic()
try:
    fetch(url + sys.argv[2], timeout=timeout, allow_private_networks=True)
    outcome = "fetched"
except NewsbriefError as exc:
    outcome = type(exc).__name__
seconds = time.monotonic() - start
grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(outcome, f"{seconds:.2f}", grew // 1024)
"""


class Hostile(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    bomb = b""

    def _send(self, raw: bytes) -> None:
        try:
            self.wfile.write(raw)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
        page = b"<html><body><p>ok</p></body></html>"
        if self.path == "/trickle-headers":
            self._send(head)
            for i in range(DRIP_LINES):
                time.sleep(DRIP_S)
                self._send(b"X-Drip-%d: x\r\n" % i)
            self._send(b"\r\n" + page)
        elif self.path in ("/stacked-gzip", "/gzip-bomb"):
            stacked = self.path == "/stacked-gzip"
            body = gzip.compress(self.bomb) if stacked else self.bomb
            coding = b"gzip, gzip" if stacked else b"gzip"
            self._send(
                head + b"Content-Encoding: " + coding + b"\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body) + body
            )
        elif self.path == "/many-headers":
            lines = b"".join(b"X-H-%d: v\r\n" % i for i in range(150))
            self._send(head + lines + b"\r\n" + page)
        else:
            self._send(head + b"\r\n" + page)

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(port_out: multiprocessing.connection.Connection) -> None:
    Hostile.bomb = gzip.compress(b"\0" * BOMB_BYTES, compresslevel=9)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    httpd.daemon_threads = True
    port_out.send(httpd.server_address[1])
    httpd.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--code", type=Path, help="the src folder to measure (default: this one)")
    args = parser.parse_args()
    code = args.code or Path(__file__).resolve().parents[1] / "src"
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=serve, args=(send,), daemon=True)
    server.start()
    try:
        base = f"http://127.0.0.1:{receive.recv()}"
        env = {**os.environ, "PYTHONPATH": str(code)}
        print(f"code: {code}; per-step timeout {TIMEOUT:g} s; load: {os.getloadavg()[0]:.1f}")
        print("| attack | outcome | seconds | peak RSS growth, MB |")
        print("|---|---|---:|---:|")
        for path, what in CASES.items():
            out = subprocess.run(
                [sys.executable, "-c", MEASURE, base, path, str(TIMEOUT)],
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
                check=True,
            ).stdout.split()
            print(f"| {what} | {out[0]} | {out[1]} | {out[2]} |")
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()
