"""docs/deploy.md for real: its nginx configuration, with Debian's nginx, in front of
newsbrief started with its systemd unit's options, all on loopback.

The clients connect from other loopback addresses (127.0.0.2, ...), so nginx sees a
different reader per address, and newsbrief sees only nginx (127.0.0.1, its trusted proxy).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from test_serve_workers import SERVE, free_port, wait_ready

pytestmark = pytest.mark.slow  # real nginx and newsbrief processes

DEPLOY = Path(__file__).parents[1] / "docs" / "deploy.md"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "news.example.org"


def fenced(language: str) -> str:
    """Return the first ```language block of docs/deploy.md."""
    doc = DEPLOY.read_text(encoding="utf-8")
    match = re.search(rf"```{language}\n(.*?)```", doc, re.S)
    assert match, f"docs/deploy.md has no {language} block"
    return match.group(1)


def unit_serve_options() -> list[str]:
    """Return the options of ``newsbrief serve`` in the systemd unit's ExecStart."""
    unit = fenced("ini").replace("\\\n", " ")
    line = next(x for x in unit.splitlines() if x.startswith("ExecStart="))
    words = shlex.split(line.removeprefix("ExecStart="))
    assert words[1] == "serve"
    return words[2:]


def with_option(options: list[str], name: str, value: str) -> list[str]:
    """Return ``options`` with ``name``'s value replaced (the option must be there)."""
    index = options.index(name)
    return [*options[: index + 1], value, *options[index + 2 :]]


def serve_supports(option: str) -> bool:
    from click.testing import CliRunner

    from newsbrief.cli import cli

    return option in CliRunner().invoke(cli, ["serve", "--help"]).output


def nginx_conf(tmp: Path, *, app_port: int, http_port: int, https_port: int) -> str:
    """Return a whole nginx.conf around docs/deploy.md's site, moved to loopback ports."""
    site = fenced("nginx")
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
    site = "\n".join(line for line in site.splitlines() if "[::]" not in line)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = re.sub(r"listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl", site)
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {tmp / 'cert.pem'};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {tmp / 'key.pem'};", site)
    assert str(app_port) in site and str(https_port) in site
    temp = "\n".join(
        f"    {kind}_temp_path {tmp / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
daemon off;
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
{temp}
{site}
}}
"""


@dataclass
class Deployment:
    base: str  # https://127.0.0.1:PORT (nginx)
    http: str  # http://127.0.0.1:PORT (nginx's redirect)
    app: str  # http://127.0.0.1:PORT (newsbrief itself)
    article: int
    log: Path

    def get(self, url: str, *, source: str, **kwargs: object) -> httpx.Response:
        """GET ``url`` from the loopback address ``source`` with Host: news.example.org."""
        transport = httpx.HTTPTransport(local_address=source, verify=False)
        with httpx.Client(transport=transport, timeout=30) as client:
            headers = {"Host": HOST, **kwargs.pop("headers", {})}  # type: ignore[dict-item]
            return client.get(url, headers=headers, **kwargs)  # type: ignore[arg-type]

    def access_records(self) -> list[dict[str, object]]:
        return [json.loads(x) for x in self.log.read_text().splitlines() if x.startswith("{")]


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    if not Path(NGINX).exists() or not shutil.which("openssl"):
        pytest.skip("needs Debian's nginx and openssl (apt-get install nginx; scripts/test.sh)")
    from newsbrief.ingest import text_article
    from newsbrief.storage import open_store
    from test_ops import TEXT

    database = f"sqlite:///{tmp_path / 'news.sqlite3'}"
    with open_store(database) as store:
        article = store.add_article(text_article(TEXT, title="Bridge"), source="text")[0].id
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", f"/CN={HOST}", "-keyout", str(tmp_path / "key.pem")),
            *("-out", str(tmp_path / "cert.pem")),
        ],
        check=True,
        capture_output=True,
    )
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    options = unit_serve_options()
    options = with_option(options, "--port", str(app_port))
    options = with_option(options, "--database", database)
    options = with_option(options, "--allowed-host", HOST)
    if not serve_supports("--public"):  # the editors' side (issue #11) adds it
        options.remove("--public")
    # Small allowances, so a few requests show the limit.
    options += ["--rate-burst", "2", "--rate-limit", "1", "--no-pregenerate"]
    log = tmp_path / "newsbrief.log"
    with log.open("w") as err:
        server = subprocess.Popen(
            [*SERVE, *options], stdout=subprocess.DEVNULL, stderr=err, text=True
        )
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        nginx_conf(tmp_path, app_port=app_port, http_port=http_port, https_port=https_port)
    )
    nginx = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_ready(f"http://127.0.0.1:{app_port}", server)
        deadline = time.monotonic() + 30
        while True:
            assert nginx.poll() is None, nginx.communicate()[1]
            try:
                httpx.get(f"https://127.0.0.1:{https_port}/healthz", verify=False, timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.2)
        yield Deployment(
            base=f"https://127.0.0.1:{https_port}",
            http=f"http://127.0.0.1:{http_port}",
            app=f"http://127.0.0.1:{app_port}",
            article=article,
            log=log,
        )
    finally:
        for proc in (nginx, server):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM if proc is server else signal.SIGQUIT)
                try:
                    proc.communicate(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.communicate()


def test_nginx_in_front_of_newsbrief_as_documented(deployment: Deployment) -> None:
    d = deployment
    summary = f"{d.base}/api/articles/{d.article}/summary"
    # HTTP is redirected to HTTPS.
    redirect = d.get(f"{d.http}/articles/{d.article}", source="127.0.0.2")
    assert redirect.status_code == 301
    assert redirect.headers["location"] == f"https://{HOST}/articles/{d.article}"
    # The reader's address reaches newsbrief (its JSON access log names it, not nginx's).
    page = d.get(f"{d.base}/articles/{d.article}", source="127.0.0.2")
    assert page.status_code == 200
    assert "Bridge" in page.text
    # Rate limits apply per reader behind the one proxy address.
    assert d.get(f"{summary}?sentences=1", source="127.0.0.2").status_code == 200
    assert d.get(f"{summary}?sentences=2", source="127.0.0.2").status_code == 200
    limited = d.get(f"{summary}?sentences=3", source="127.0.0.2")
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    # ... whatever the reader writes in X-Forwarded-For: nginx appends the real address.
    spoofed = d.get(
        f"{summary}?sentences=3", source="127.0.0.2", headers={"X-Forwarded-For": "203.0.113.9"}
    )
    assert spoofed.status_code == 429
    # Another reader has its own allowance; cached summaries are never limited.
    assert d.get(f"{summary}?sentences=3", source="127.0.0.3").status_code == 200
    assert d.get(f"{summary}?sentences=1", source="127.0.0.2").status_code == 200
    # Metrics are not served to the world.
    assert d.get(f"{d.base}/metrics", source="127.0.0.2").status_code == 404
    # Straight to newsbrief from an address that is not the trusted proxy: the header is
    # ignored (it names the connection's own address).
    direct = d.get(
        f"{d.app}/articles/{d.article}",
        source="127.0.0.5",
        headers={"X-Forwarded-For": "198.51.100.9"},
    )
    assert direct.status_code == 200
    expected = {
        (f"/articles/{d.article}", "127.0.0.2", 200),
        (f"/api/articles/{d.article}/summary", "127.0.0.2", 429),
        (f"/api/articles/{d.article}/summary", "127.0.0.3", 200),
        (f"/articles/{d.article}", "127.0.0.5", 200),
    }
    deadline = time.monotonic() + 30
    while True:  # the log lines are written as the answers go out
        records = d.access_records()
        clients = {(r["path"], r["client"], r["status"]) for r in records}
        if expected <= clients or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert expected <= clients, expected - clients
    assert not any(r["client"] in ("203.0.113.9", "198.51.100.9") for r in records)
    assert sys.platform.startswith("linux")  # 127.0.0.x sources: Linux loopback
