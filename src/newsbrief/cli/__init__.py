"""The ``newsbrief`` command line: a thin front end over the library.

Each command lives in its own module and is imported only when it runs, so ``newsbrief --help``
stays fast. Errors from newsbrief are printed as ``newsbrief: error: <message>`` with exit
code 1 (click's own usage errors exit 2); never a traceback for a user's mistake.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from newsbrief import __version__
from newsbrief.errors import NewsbriefError

#: command name -> ("module:attribute", one-line help shown by `newsbrief --help`).
COMMANDS: dict[str, tuple[str, str]] = {
    "summarize": (
        "newsbrief.cli.summarize:summarize_cmd",
        "Summarize an article from a URL, a file or stdin.",
    ),
    "extract": ("newsbrief.cli.summarize:extract_cmd", "Print the article extracted from a page."),
    "methods": ("newsbrief.cli.summarize:methods_cmd", "List the available summarization methods."),
    "evaluate": (
        "newsbrief.cli.evaluate:evaluate_cmd",
        "Score a method with ROUGE against reference summaries.",
    ),
    "batch": ("newsbrief.cli.batch:batch_cmd", "Summarize a JSONL file of articles, line by line."),
    "serve": ("newsbrief.cli.serve:serve_cmd", "Run the reader site and JSON API."),
    "embed-snippet": (
        "newsbrief.cli.embed:embed_snippet_cmd",
        "Print the HTML that puts the summary button on a publisher's page.",
    ),
    "resummarize": (
        "newsbrief.cli.resummarize:resummarize_cmd",
        "Recompute stored articles' summaries (after a model change).",
    ),
    "token": ("newsbrief.cli.editors:token_cmd", "Create, list and revoke API tokens."),
    "user": ("newsbrief.cli.editors:user_cmd", "Manage editor accounts (site logins)."),
    "train": (
        "newsbrief.cli.train:train_cmd",
        "Rebuild the shipped summarizer weights from training data.",
    ),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, _, attr = COMMANDS[cmd_name][0].partition(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsbriefError as exc:
            click.echo(f"newsbrief: error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsbrief")
def cli() -> None:
    """newsbrief: No time to read? Get a summary.

    Extract news articles from web pages and summarize them offline, in the article's
    language. Run `newsbrief COMMAND --help` for a command's options.
    """


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``newsbrief`` console script."""
    # Summaries multiply small matrices (tens of sentences); BLAS worker threads only add
    # contention there: per article, centrality took 5-7 ms with OpenBLAS's default threads
    # against 1.3-1.9 ms with one thread on the 2-core dev box. Set before numpy is imported;
    # a user's explicit setting wins; batch worker processes inherit it. Only numpy's OpenBLAS
    # is limited: torch (transformers backend) keeps its own OpenMP threads.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="newsbrief")
