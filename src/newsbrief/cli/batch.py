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
@click.argument("inputs", metavar="IN.jsonl[.gz]...", nargs=-1, required=True)
@click.option(
    "--output",
    "-o",
    required=True,
    metavar="OUT",
    help="Where to write one JSON line per record (in input order): a file, or with "
    "--engine ray a directory of part-*.jsonl shards and a manifest.",
)
@click.option("--method", "-m", default="default", show_default=True, help="Summarization method.")
@length_options()
@click.option("--language", "-l", metavar="CODE", help="Force the articles' language (ISO 639-1).")
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
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="local: worker processes on this machine; ray: Ray Data (read tasks and actors) on "
    "a local Ray runtime or a cluster (pip install 'newsbrief[ray]').",
)
@click.option(
    "--workers",
    "-j",
    type=int,
    default=None,
    help="Worker processes of --engine local [default: 1].",
)
@click.option(
    "--address",
    metavar="ADDR",
    help="--engine ray: the Ray cluster to run on (auto, ray://HOST:10001); default: start a "
    "local Ray runtime.",
)
@click.option(
    "--num-cpus",
    type=click.IntRange(min=1),
    metavar="N",
    help="--engine ray: actors to run, one CPU each [default, and at most: every CPU of the "
    "runtime].",
)
@click.option("--resume", is_flag=True, help="Skip the ids already in OUT and append the rest.")
@click.option("--overwrite", is_flag=True, help="Replace OUT if it already holds results.")
@click.option("--strict", is_flag=True, help="Stop (exit 1) at the first malformed input line.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no end-of-run summary.")
@llm_cli_options
def batch_cmd(
    inputs: tuple[str, ...],
    output: str,
    method: str,
    sentences: int | None,
    words: int | None,
    ratio: float | None,
    language: str | None,
    fmt: str,
    engine: str,
    workers: int | None,
    address: str | None,
    num_cpus: int | None,
    resume: bool,
    overwrite: bool,
    strict: bool,
    quiet: bool,
    **llm: Any,
) -> None:
    """Summarize every record of IN.jsonl[.gz] ("-" for stdin) into OUT.

    IN may be several files or globs, read one after the other. With --engine ray they may
    also be on a filesystem pyarrow reads by URI (s3://, gs://, ...), but not "-" (a named
    pipe works), and OUT is a directory of part-*.jsonl shards.

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
    from newsbrief.errors import InvalidOptions

    options = SummaryOptions(
        method=method,
        length=Length.of(sentences=sentences, words=words, ratio=ratio),
        format=fmt,
        language=language,
        summary_language=llm["summary_language"],
        config=config_from_cli(method, **llm),
    )
    for flag, value, needs in [
        ("--workers", workers, "local"),
        ("--address", address, "ray"),
        ("--num-cpus", num_cpus, "ray"),
    ]:
        if value is not None and engine != needs:
            other = "; use --num-cpus" if flag == "--workers" else ""
            raise InvalidOptions(f"{flag} applies to --engine {needs}{other}")
    if engine == "ray":
        _run_ray(inputs, output, options, address, num_cpus, resume, overwrite, strict, quiet)
        return
    from newsbrief.batch_ray import expand_inputs, is_uri

    input_path = expand_inputs(inputs)
    for source in input_path:
        if is_uri(source):
            raise InvalidOptions(
                f"{source}: --engine local reads local files and stdin; use --engine ray "
                "for files on other filesystems"
            )
    workers = 1 if workers is None else workers
    # Every option and the input are checked before OUT is created or truncated.
    check_options(options=options, workers=workers)
    fh, done = open_output(output, resume=resume, overwrite=overwrite, input_path=input_path)
    show = not quiet and sys.stderr.isatty()
    counts = [count_lines(one) for one in input_path] if show else [None]
    total = None if None in counts else sum(c for c in counts if c is not None)
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


def _run_ray(
    patterns: tuple[str, ...],
    output: str,
    options: SummaryOptions,
    address: str | None,
    num_cpus: int | None,
    resume: bool,
    overwrite: bool,
    strict: bool,
    quiet: bool,
) -> None:
    from newsbrief.batch import check_options
    from newsbrief.batch_ray import (
        expand_inputs,
        import_ray,
        is_uri,
        open_output_dir,
        run_ray_batch,
    )
    from newsbrief.datasets import count_lines

    import_ray()  # the install hint before anything else
    check_options(options=options)
    inputs = expand_inputs(patterns)
    state = open_output_dir(output, inputs=inputs, resume=resume, overwrite=overwrite)

    show = not quiet and sys.stderr.isatty()
    counts = [None if is_uri(one) else count_lines(one) for one in inputs] if show else [None]
    total = None if None in counts else sum(c for c in counts if c is not None)
    with progress_bar("batch", total=total, unit="records", enabled=show) as bar:

        def bad_line(message: str) -> None:
            bar.write(f"newsbrief: skipped: {message}")

        report = run_ray_batch(
            inputs,
            output,
            options=options,
            state=state,
            address=address,
            num_cpus=num_cpus,
            strict=strict,
            on_bad_line=bad_line,
            progress=bar.update,
            on_message=None if quiet else lambda line: bar.write(f"newsbrief: {line}"),
        )
    if not quiet:
        click.echo(f"newsbrief: {report.describe()}", err=True)
    if report.failed or report.bad_lines:
        sys.exit(EXIT_PARTIAL)
