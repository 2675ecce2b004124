"""``newsbrief summarize``, ``newsbrief extract`` and ``newsbrief methods``: parse, call, print."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import click

from newsbrief import summarizers
from newsbrief.cli.length_options import length_options
from newsbrief.cli.llm_options import config_from_cli, llm_cli_options
from newsbrief.cli.params import FiniteFloatRange
from newsbrief.errors import InvalidOptions
from newsbrief.extract import DEFAULT_MAX_BYTES
from newsbrief.models import FORMATS, Length, SummaryOptions

#: Mirrors newsbrief.fetch.DEFAULT_TIMEOUT without importing httpx for `--help`.
DEFAULT_TIMEOUT = 15.0

_SOURCE_HELP = "SOURCE is an http(s) URL, a file (HTML or plain text), or - for standard input."


F = TypeVar("F", bound=Callable[..., Any])


def _input_options(command: F) -> F:
    """Add the options every command reading an article shares."""
    for option in reversed(
        [
            click.option(
                "--language",
                "-l",
                metavar="CODE",
                help="The article's language (ISO 639-1, e.g. en, fr); detected when omitted.",
            ),
            click.option(
                "--max-bytes",
                type=click.IntRange(min=1),
                default=DEFAULT_MAX_BYTES,
                show_default=True,
                help="Largest page or file accepted.",
            ),
            click.option(
                "--timeout",
                type=FiniteFloatRange(min=0, min_open=True),
                default=DEFAULT_TIMEOUT,
                show_default=True,
                help="Seconds to wait for each network step when SOURCE is a URL.",
            ),
        ]
    ):
        command = option(command)
    return command


def _config(pairs: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    out = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidOptions(f"--config expects KEY=VALUE (got {pair!r})")
        out.append((key.strip().replace("-", "_"), value))
    return tuple(out)


@click.command(epilog=_SOURCE_HELP)
@click.argument("source")
@click.option(
    "--method",
    "-m",
    default="default",
    show_default=True,
    help="Summarizer (see `newsbrief methods`).",
)
@length_options(
    sentence_flags=("-s", "-n"), sentences_note="-s as in batch and evaluate; -n still works."
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--config",
    "-c",
    "config",
    multiple=True,
    metavar="KEY=VALUE",
    help="A setting for the method's backend (repeatable), e.g. -c model=NAME.",
)
@_input_options
@llm_cli_options
def summarize_cmd(
    source: str,
    method: str,
    sentences: int | None,
    words: int | None,
    ratio: float | None,
    fmt: str,
    config: tuple[str, ...],
    language: str | None,
    max_bytes: int,
    timeout: float,
    **llm: Any,
) -> None:
    """Summarize an article from a URL, a file or standard input."""
    from newsbrief.formatting import render
    from newsbrief.ingest import load_source
    from newsbrief.pipeline import summarize

    options = SummaryOptions(
        method=method,
        length=Length.of(sentences=sentences, words=words, ratio=ratio),
        format=fmt,
        language=language,
        summary_language=llm["summary_language"],
        config=_config(config) + config_from_cli(method, **llm),
    )
    # An unknown method or setting fails before any download (the instance is cached for later).
    summarizers.get(method, **dict(options.config))
    t0 = time.perf_counter()
    article = load_source(
        source,
        language=language,
        max_bytes=max_bytes,
        timeout=timeout,
    )
    load_s = time.perf_counter() - t0
    summary = summarize(article, options=options)
    summary.timings = {"load_s": load_s, **summary.timings}
    click.echo(render(summary, fmt))


@click.command(epilog=_SOURCE_HELP)
@click.argument("source")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: title and paragraphs; json: text and metadata.",
)
@_input_options
def extract_cmd(
    source: str, fmt: str, language: str | None, max_bytes: int, timeout: float
) -> None:
    """Print the article extracted from a page (or a plain-text file)."""
    from newsbrief.formatting import render_article
    from newsbrief.ingest import load_source

    article = load_source(
        source,
        language=language,
        max_bytes=max_bytes,
        timeout=timeout,
    )
    click.echo(render_article(article, fmt))


@click.command()
def methods_cmd() -> None:
    """List the available summarization methods, one per line."""
    names = summarizers.available()
    width = max(len(name) for name in names)
    default = summarizers.resolve("default")
    for name in names:
        info = summarizers.describe(name)
        if info.name != name:
            click.echo(f"{name:<{width}}  alias of {info.name}")
            continue
        mark = " (default)" if name == default else ""
        needs = "" if info.offline else " [needs a backend]"
        click.echo(f"{name:<{width}}  {info.kind:<11}  {info.description}{mark}{needs}")
