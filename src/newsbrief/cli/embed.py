"""``newsbrief embed-snippet``: the HTML a publisher adds to show the button on their pages."""

from __future__ import annotations

import click

#: Where ``newsbrief serve`` listens by default.
DEFAULT_SERVER = "http://127.0.0.1:8000"


@click.command("embed-snippet")
@click.option(
    "--server",
    metavar="URL",
    envvar="NEWSBRIEF_SERVER_URL",
    default=DEFAULT_SERVER,
    show_default=True,
    help="The newsbrief server's address as readers' browsers reach it, e.g. "
    "https://summaries.example.org (or $NEWSBRIEF_SERVER_URL).",
)
def embed_snippet_cmd(server: str) -> None:
    """Print the HTML that shows "No time to read? Get a summary" on a publisher's page.

    Start the server with --embed-origin set to the publisher's origin (e.g.
    --embed-origin https://news.example.org) so that it may fetch their pages.
    """
    from newsbrief.embed import embed_snippet

    click.echo(embed_snippet(server), nl=False)
