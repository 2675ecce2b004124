"""``newsbrief resummarize``: recompute stored articles' summaries after a model change."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from newsbrief.cli.llm_options import backend_configs, llm_cli_options
from newsbrief.cli.progress import progress_bar
from newsbrief.errors import InvalidOptions
from newsbrief.models import Length

#: Exit status when some summaries could not be recomputed (the others were).
EXIT_PARTIAL = 3


def parse_since(value: str) -> datetime:
    """Return ``--since``'s value (``YYYY-MM-DD`` or an ISO 8601 time) as a UTC time.

    Raises:
        InvalidOptions: not a date.
    """
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidOptions(
            f"--since {value!r} is not a date; give YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)"
        ) from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


@click.command("resummarize")
@click.option(
    "--method",
    default="default",
    show_default=True,
    help="The summary button's method, as given to `newsbrief serve --method`.",
)
@click.option(
    "--since",
    metavar="DATE",
    help="Only articles stored on or after DATE (YYYY-MM-DD, UTC); default: all.",
)
@click.option(
    "--database",
    metavar="URL",
    help="The store `newsbrief serve` uses (default: the SQLite file in the data directory).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the default SQLite file (as for `newsbrief serve`).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@llm_cli_options
def resummarize_cmd(
    method: str,
    since: str | None,
    database: str | None,
    data_dir: Path | None,
    quiet: bool,
    **llm: Any,
) -> None:
    """Recompute the summary button's summaries of stored articles and store them.

    Run it after a model change (new weights, another --llm-model), with the options the
    server runs with, so the stored summaries are the ones it would compute. Abstractive
    methods send at most --llm-concurrency requests at once. Running servers keep answers
    they already gave in memory until they restart.
    """
    from newsbrief import summarizers
    from newsbrief.pregenerate import DEFAULT_LLM_CONCURRENCY, resummarize
    from newsbrief.settings import Settings
    from newsbrief.storage import open_store

    summarizers.resolve(method)  # an unknown method fails now, listing the known ones
    after = parse_since(since) if since else None
    settings = Settings(
        database_url=database,
        data_dir=data_dir,
        default_method=method,
        backends=backend_configs(**llm),
        summary_language=llm["summary_language"],
    )
    variants = [
        settings.summary_options(length=Length(sentences=n), format="bullets")
        for n in settings.summary_lengths.values()
    ]
    with (
        open_store(settings.database_url, data_dir=settings.data_dir) as store,
        progress_bar("resummarize", total=None, unit="articles", enabled=not quiet) as bar,
    ):
        report = resummarize(
            store,
            variants,
            since=after,
            llm_concurrency=llm["llm_concurrency"] or DEFAULT_LLM_CONCURRENCY,
            on_total=bar.set_total,
            on_article=lambda _: bar.update(),
        )
    for article_id, error in report.failed:
        click.echo(f"newsbrief: article {article_id}: {error}", err=True)
    click.echo(
        f"newsbrief: {report.computed} summaries of {report.articles} articles recomputed"
        + (f", {len(report.failed)} failed" if report.failed else ""),
        err=True,
    )
    if report.failed:
        raise SystemExit(EXIT_PARTIAL)
