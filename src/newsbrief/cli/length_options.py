"""The summary-length options, defined once for every command that summarizes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from newsbrief.cli.params import FiniteFloatRange

F = TypeVar("F", bound=Callable[..., Any])

SENTENCES_HELP = "Summary length in sentences (default 3; trained may pick fewer)."


def length_options(
    *, sentence_flags: tuple[str, ...] = ("-s",), sentences_note: str = ""
) -> Callable[[F], F]:
    """Add ``--sentences``, ``--words`` and ``--ratio`` (one of them at most) to a command.

    ``sentence_flags`` are the short flags of ``--sentences``; ``sentences_note`` ends its help.
    """
    options = [
        click.option(
            "--sentences",
            *sentence_flags,
            type=int,
            help=f"{SENTENCES_HELP} {sentences_note}".strip(),
        ),
        click.option(
            "--words",
            "-w",
            type=int,
            help="Summary length in words: at most that many, but the best sentence is always "
            "kept.",
        ),
        click.option(
            "--ratio",
            "-r",
            type=FiniteFloatRange(),
            help="Summary length as a fraction of the sentences.",
        ),
    ]

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate
