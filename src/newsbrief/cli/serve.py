"""``newsbrief serve``: run the reader site and JSON API under uvicorn."""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Any

import click

from newsbrief.cli.llm_options import backend_configs, llm_cli_options
from newsbrief.cli.params import FiniteFloatRange
from newsbrief.errors import InputError
from newsbrief.models import Length
from newsbrief.pregenerate import DEFAULT_LLM_CONCURRENCY
from newsbrief.settings import (
    DEFAULT_ALLOWED_HOSTS,
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_FETCH_TIMEOUT,
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_FETCHES,
    DEFAULT_RATE_BURST,
    DEFAULT_RATE_PER_MINUTE,
    WORKER_THREADS,
    Settings,
)


def serving_libraries() -> tuple[str, str]:
    """Return the event loop and HTTP parser ``serve`` uses: the fast ones when installed.

    uvicorn's "auto" picks the same; naming them lets ``serve`` say which it got.
    """
    from importlib.util import find_spec

    loop = "uvloop" if find_spec("uvloop") else "asyncio"
    parser = "httptools" if find_spec("httptools") else "h11"
    return loop, parser


def check_listen(host: str, port: int) -> None:
    """Bind (and release) every address uvicorn would listen on for ``host``:``port``.

    uvicorn reports a busy port only after the server has announced its address, as a log
    line and exit status 3; checking first gives one clear error instead. The sockets are
    set up as asyncio's ``create_server`` (which uvicorn calls) sets them up: SO_REUSEADDR,
    and IPv6 sockets IPv6-only.

    Raises:
        InputError: an address cannot be bound (in use, not this machine's, unknown host).
    """

    def fail(reason: str) -> InputError:
        return InputError(f"cannot listen on {host}:{port}: {reason[:1].lower()}{reason[1:]}")

    try:
        addresses = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        raise fail(exc.strerror or str(exc)) from None
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6 and hasattr(socket, "IPPROTO_IPV6"):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                raise fail(exc.strerror or str(exc)) from None


def access_lines(settings: Settings, *, has_editors: bool) -> list[str]:
    """Return what the server says at start-up about who may write."""
    where = "--database/--data-dir as given here"
    if has_editors:
        return ["writes need an editor: an API token or a login at /login"]
    if settings.open_without_editors:
        return [
            "no editor account or API token exists: everyone who can reach this address on "
            "this machine may add, edit and delete (create one to require a login: "
            "newsbrief user add NAME)"
        ]
    return [
        "no editor account or API token exists yet: serving readers only; nobody can add, "
        f"edit or delete until you create one: newsbrief user add NAME, or newsbrief token "
        f"create NAME (with the {where})"
    ]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on.",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    metavar="NAME",
    multiple=True,
    help="A host name requests may give in their Host header, besides the loopback names "
    "and --host (repeatable; *.example.org: its subdomains; *: any). Others get 421.",
)
@click.option(
    "--database",
    metavar="URL",
    help="sqlite:////abs/path.sqlite3 (four slashes: absolute; three: relative) or "
    "postgresql://user:pw@host/db (default: a SQLite file in the data directory).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the default SQLite file (default: $NEWSBRIEF_DATA_DIR, else "
    "$XDG_DATA_HOME/newsbrief, else ~/.local/share/newsbrief).",
)
@click.option(
    "--public",
    is_flag=True,
    help="Every write needs an editor (API token or login), even on loopback; implied by a "
    "non-loopback --host.",
)
@click.option("--demo", is_flag=True, help="Load a few example articles (written for newsbrief).")
@click.option(
    "--refresh-minutes",
    type=FiniteFloatRange(min=0),
    default=0,
    show_default=True,
    help="Refresh every feed this often; 0 refreshes only on demand.",
)
@click.option(
    "--allow-private-networks",
    is_flag=True,
    help="Let the server fetch loopback/private/link-local addresses (off: SSRF guard).",
)
@click.option(
    "--method",
    default="default",
    show_default=True,
    help="Summarization method of the page's summary button (see `newsbrief methods`).",
)
@click.option(
    "--max-body-bytes",
    type=click.IntRange(min=1024),
    default=DEFAULT_MAX_BODY_BYTES,
    show_default=True,
    help="Largest request body accepted (larger ones get 413).",
)
@click.option(
    "--header-timeout",
    type=FiniteFloatRange(min=0, min_open=True, max=300),
    default=DEFAULT_HEADER_TIMEOUT,
    show_default=True,
    help="Seconds a request's headers may take to arrive; a slower client gets 408.",
)
@click.option(
    "--body-timeout",
    type=FiniteFloatRange(min=0, min_open=True, max=3600),
    default=DEFAULT_BODY_TIMEOUT,
    show_default=True,
    help="Seconds a request's body may take to arrive after its headers; a slower client gets 408.",
)
@click.option(
    "--fetch-timeout",
    type=FiniteFloatRange(min=0, min_open=True, max=300),
    default=DEFAULT_FETCH_TIMEOUT,
    show_default=True,
    help="Seconds for each network step of fetching a URL; the whole fetch gets 4x that.",
)
@click.option(
    "--max-fetches",
    type=click.IntRange(min=1, max=WORKER_THREADS // 2),
    default=DEFAULT_MAX_FETCHES,
    show_default=True,
    help="URLs fetched at once; one more request that needs a fetch gets 503.",
)
@click.option(
    "--embed-origin",
    "embed_origins",
    metavar="ORIGIN",
    multiple=True,
    help="A publisher's origin (https://news.example.org) whose pages the embeddable button "
    "may have summarized: fetched on a reader's first click, and given CORS. Repeatable.",
)
@click.option(
    "--rate-limit",
    "rate_per_minute",
    type=FiniteFloatRange(min=0),
    default=DEFAULT_RATE_PER_MINUTE,
    show_default=True,
    help="Requests that cause work (an uncached summary) an anonymous client may make a "
    "minute, after its burst; 0 turns the limit off. Cached summaries are never limited.",
)
@click.option(
    "--rate-burst",
    type=click.IntRange(min=1),
    default=DEFAULT_RATE_BURST,
    show_default=True,
    help="Requests that cause work a client may make at once before --rate-limit applies.",
)
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    metavar="CIDR",
    multiple=True,
    help="A reverse proxy's address or network (repeatable): its X-Forwarded-For names the "
    "client. Without it the header is ignored.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes on the one port, sharing the store (PostgreSQL, or SQLite in WAL "
    "mode on this machine; see docs/deploy.md).",
)
@click.option(
    "--pregenerate/--no-pregenerate",
    default=True,
    show_default=True,
    help="Compute the summary button's lengths of each new article in the background.",
)
@click.option(
    "--access-log",
    type=click.Choice(["text", "json", "off"]),
    default="text",
    show_default=True,
    help="Request log on stderr: uvicorn's text lines, one JSON object a request, or none.",
)
@click.option(
    "--graceful-timeout",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="Seconds a stopping server (SIGTERM, Ctrl-C) waits for requests in flight.",
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
    help="How much the server logs (uvicorn's and newsbrief's messages).",
)
@llm_cli_options
def serve_cmd(
    host: str,
    port: int,
    allowed_hosts: tuple[str, ...],
    database: str | None,
    data_dir: Path | None,
    public: bool,
    demo: bool,
    refresh_minutes: float,
    allow_private_networks: bool,
    method: str,
    max_body_bytes: int,
    header_timeout: float,
    body_timeout: float,
    fetch_timeout: float,
    max_fetches: int,
    embed_origins: tuple[str, ...],
    rate_per_minute: float,
    rate_burst: int,
    trusted_proxies: tuple[str, ...],
    workers: int,
    pregenerate: bool,
    access_log: str,
    graceful_timeout: int,
    log_level: str,
    **llm: Any,
) -> None:
    """Run the reader site and JSON API (OpenAPI docs at /docs).

    Health at /healthz and /readyz, Prometheus metrics at /metrics.

    The abstractive-method options configure the server's backends: --method's for the
    summary button, and each method's for API requests that ask for it.
    """
    import uvicorn

    from newsbrief import summarizers
    from newsbrief.storage import open_store
    from newsbrief.web.app import create_app
    from newsbrief.web.limits import parse_networks
    from newsbrief.web.server import protocol_with_header_timeout
    from newsbrief.web.workers import configure_access_log, workers_environment

    summarizers.resolve(method)  # an unknown method fails now, listing the known ones
    # Any address beyond this machine is public: writes need an editor there.
    public = public or not Settings(host=host).is_loopback
    settings = Settings(
        database_url=database,
        data_dir=data_dir,
        host=host,
        port=port,
        allowed_hosts=DEFAULT_ALLOWED_HOSTS + allowed_hosts,
        public=public,
        allow_private_networks=allow_private_networks,
        refresh_minutes=refresh_minutes,
        max_body_bytes=max_body_bytes,
        header_timeout=header_timeout,
        body_timeout=body_timeout,
        fetch_timeout=fetch_timeout,
        max_fetches=max_fetches,
        default_method=method,
        demo=demo,
        backends=backend_configs(**llm),
        summary_language=llm["summary_language"],
        embed_origins=embed_origins,
        rate_per_minute=rate_per_minute,
        rate_burst=rate_burst,
        trusted_proxies=parse_networks(trusted_proxies),
        pregenerate=pregenerate,
        # Abstractive pre-generation sends at most as many requests as the endpoint takes.
        llm_concurrency=llm["llm_concurrency"] or DEFAULT_LLM_CONCURRENCY,
        json_access_log=access_log == "json",
        workers=workers,
    )
    if summarizers.describe(method).kind == "abstractive":
        # A missing model or setting of the button's backend fails now, not on the first summary.
        options = settings.summary_options(length=Length.of(), format="bullets")
        summarizers.get(options.method, **dict(options.config))
    check_listen(host, port)  # before the store is opened and the address announced
    if workers == 1:
        app: Any = create_app(settings)
        store_url = str(app.state.newsbrief.store.url)
        has_editors = app.state.newsbrief.store.has_editors()
    else:
        # Opened (and migrated) once here, before the workers start and open it each.
        with open_store(settings.database_url, data_dir=settings.data_dir) as store:
            store_url = store.url
            sqlite = store.url.startswith("sqlite")
            has_editors = store.has_editors()
        app = "newsbrief.web.workers:app_from_environment"
        workers_environment(settings)
    store_url = re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", store_url)
    click.echo(f"newsbrief: store {store_url}", err=True)
    if workers > 1:
        click.echo(
            f"newsbrief: {workers} workers"
            + (" (SQLite in WAL mode: one machine, one writer at a time)" if sqlite else ""),
            err=True,
        )
    if access_log == "json":
        configure_access_log()
    for line in access_lines(settings, has_editors=has_editors):
        click.echo(f"newsbrief: {line}", err=True)
    if settings.host in ("0.0.0.0", "::") and not allowed_hosts:
        click.echo(
            "newsbrief: note: only requests that name this machine by a loopback name are "
            "answered; give the name clients use with --allowed-host NAME",
            err=True,
        )
    if settings.embed_origins:
        click.echo(
            f"newsbrief: the summary button may be embedded by {', '.join(settings.embed_origins)}"
            " (newsbrief embed-snippet --server URL prints the HTML)",
            err=True,
        )
    loop, parser = serving_libraries()
    if loop == "uvloop" and parser == "httptools":
        click.echo("newsbrief: serving with uvloop and httptools", err=True)
    else:
        click.echo(
            f"newsbrief: serving with {loop} and {parser}; for about 1.5 times the requests a "
            "second, pip install 'newsbrief[web-fast]' (uvloop and httptools)",
            err=True,
        )
    click.echo(f"newsbrief: open http://{host}:{port}/ (API docs at /docs)", err=True)
    uvicorn.run(
        app,
        loop=loop,
        factory=workers > 1,
        workers=workers,
        host=host,
        port=port,
        log_level=log_level,
        access_log=access_log == "text",
        # X-Forwarded-For is read by newsbrief itself, from --trusted-proxy addresses only.
        proxy_headers=False,
        timeout_graceful_shutdown=graceful_timeout,
        # Workers load the protocol by name: each builds it with the header deadline.
        http=(
            protocol_with_header_timeout(settings.header_timeout)
            if workers == 1
            else "newsbrief.web.workers:WorkerProtocol"
        ),
    )
