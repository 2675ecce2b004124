"""``newsbrief batch``: summarize a JSONL file of articles into a JSONL file of summaries."""

from __future__ import annotations

import sys
from typing import Any

import click

from newsbrief.cli.length_options import length_options
from newsbrief.cli.llm_options import config_from_cli, llm_cli_options
from newsbrief.cli.progress import progress_bar
from newsbrief.models import Length, SummaryOptions

#: Exit status when the run finished but some records failed or input lines were skipped.
EXIT_PARTIAL = 3


@click.command("batch")
@click.argument("input_path", metavar="IN.jsonl[.gz]")
@click.option(
    "--output",
    "-o",
    required=True,
    metavar="OUT.jsonl",
    help="Where to write one JSON line per record (in input order).",
)
@click.option("--method", "-m", default="default", show_default=True, help="Summarization method.")
@length_options()
@click.option("--language", "-l", help="Force the articles' language (ISO 639-1).")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "bullets", "markdown", "headline"]),
    default="text",
    show_default=True,
    help="How the 'summary' field is rendered (the output is JSON lines either way); "
    "headline asks abstractive methods for one line.",
)
@click.option("--workers", "-j", type=int, default=1, show_default=True, help="Worker processes.")
@click.option("--resume", is_flag=True, help="Skip the ids already in OUT and append the rest.")
@click.option("--overwrite", is_flag=True, help="Replace OUT if it already holds results.")
@click.option("--strict", is_flag=True, help="Stop (exit 1) at the first malformed input line.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no end-of-run summary.")
@llm_cli_options
def batch_cmd(
    input_path: str,
    output: str,
    method: str,
    sentences: int | None,
    words: int | None,
    ratio: float | None,
    language: str | None,
    fmt: str,
    workers: int,
    resume: bool,
    overwrite: bool,
    strict: bool,
    quiet: bool,
    **llm: Any,
) -> None:
    """Summarize every record of IN.jsonl[.gz] ("-" for stdin) into OUT.jsonl.

    Each input line is a JSON object with "id" and the article as "article" (plain text) or
    "html" (a web page; "url" optional); "title" and "language" are optional. Each output line
    has "id", "method", "language", "summary", "sentences", "words" and "error" (null, or
    {"code", "message"} for a record that could not be summarized); abstractive methods
    (--method llm, llama-cpp, transformers) add "kind" and "info".

    Exit status: 0 all records summarized; 3 finished, but some records failed or malformed
    input lines were skipped; 1 an error stopped the run (e.g. a bad line under --strict).
    """
    from newsbrief.batch import check_options, open_output, run_batch
    from newsbrief.datasets import count_lines

    options = SummaryOptions(
        method=method,
        length=Length.of(sentences=sentences, words=words, ratio=ratio),
        format=fmt,
        language=language,
        summary_language=llm["summary_language"],
        config=config_from_cli(method, **llm),
    )
    # Every option and the input are checked before OUT is created or truncated.
    check_options(options=options, workers=workers)
    fh, done = open_output(output, resume=resume, overwrite=overwrite, input_path=input_path)
    show = not quiet and sys.stderr.isatty()
    total = count_lines(input_path) if show else None
    with fh, progress_bar("batch", total=total, unit="records", enabled=show) as bar:

        def bad_line(message: str) -> None:
            bar.write(f"newsbrief: skipped: {message}")

        report = run_batch(
            input_path,
            fh,
            options=options,
            workers=workers,
            done_ids=done,
            strict=strict,
            on_bad_line=bad_line,
            progress=bar.update,
        )
    if not quiet:
        click.echo(f"newsbrief: {report.describe()}", err=True)
    if report.failed or report.bad_lines:
        sys.exit(EXIT_PARTIAL)
