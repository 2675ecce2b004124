"""``newsbrief evaluate``: score a method with ROUGE against reference summaries."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from newsbrief.cli.length_options import length_options
from newsbrief.cli.llm_options import config_from_cli, llm_cli_options
from newsbrief.cli.progress import progress_bar
from newsbrief.models import Length, SummaryOptions


@click.command("evaluate")
@click.argument("data", metavar="DATA.jsonl[.gz]")
@click.option(
    "--method",
    "-m",
    default="default",
    show_default=True,
    help="Summarization method (see `newsbrief methods`), or 'oracle' for the extractive ceiling.",
)
@click.option("--limit", "-n", type=int, help="Score only the first N articles.")
@length_options()
@click.option(
    "--language",
    "-l",
    metavar="CODE",
    help="Article language (ISO 639-1); also picks the ROUGE tokenizer. Default: detected.",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option("--workers", "-j", type=int, default=1, show_default=True, help="Worker processes.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@llm_cli_options
def evaluate_cmd(
    data: str,
    method: str,
    limit: int | None,
    sentences: int | None,
    words: int | None,
    ratio: float | None,
    language: str | None,
    fmt: str,
    workers: int,
    quiet: bool,
    **llm: Any,
) -> None:
    """Score METHOD on DATA.jsonl[.gz] with ROUGE-1/2/Lsum and 95% bootstrap intervals.

    DATA holds one JSON object per line with "id", "article" and "summary" (the reference);
    gzip is detected from the content; "-" reads stdin. The abstractive methods (--method llm,
    llama-cpp, transformers) take the same backend options as in `newsbrief batch`. Example:

        newsbrief evaluate ../shared/data/cnn_dailymail/dev.jsonl.gz --method lead --limit 500
    """
    from newsbrief.datasets import count_lines, iter_records
    from newsbrief.evaluate import evaluate, format_report, resolve_method

    options = SummaryOptions(
        method=method,
        length=Length.of(sentences=sentences, words=words, ratio=ratio),
        language=language,
        summary_language=llm["summary_language"],
        config=config_from_cli(method, resolved=resolve_method(method), **llm),
    )
    records = iter_records(data, limit=limit)
    show = not quiet and sys.stderr.isatty()
    total = count_lines(data) if show else None
    if total is not None and limit is not None:
        total = min(total, limit)
    with progress_bar("evaluate", total=total, unit="articles", enabled=show) as bar:
        result = evaluate(
            records,
            options=options,
            language=language,
            workers=workers,
            data=data,
            progress=bar.update,
        )
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_report(result))
