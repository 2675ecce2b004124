"""Command-line options for the abstractive methods (``llm``, ``llama-cpp``, ``transformers``).

:func:`llm_cli_options` adds the options to a click command and :func:`config_from_cli` turns
their values into the ``SummaryOptions.config`` pairs the summarizer factories read, so the
``summarize`` command (and any other front end) passes them on without knowing them::

    @llm_cli_options
    def summarize_cmd(..., **llm):
        config = config_from_cli(method, **llm)
        options = SummaryOptions(..., summary_language=llm["summary_language"], config=config)

A front end that serves several methods at once (``newsbrief serve``) takes the same options
and hands each abstractive method its own share with :func:`backend_configs`.

The API key itself never appears on the command line: ``--llm-key-env`` names the environment
variable it is read from, at request time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from newsbrief.cli.params import FiniteFloatRange

F = TypeVar("F", bound=Callable[..., Any])


class _Count(click.IntRange):
    """A whole number of at least 1, whose error for "two" does not say "integer range"."""

    name = "integer"

    def __init__(self) -> None:
        super().__init__(min=1)


#: CLI parameter name -> config key read by the summarizer factories.
CONFIG_KEYS: dict[str, str] = {
    "llm_url": "llm_url",
    "llm_model": "llm_model",
    "llm_key_env": "llm_key_env",
    "llm_timeout": "llm_timeout",
    "llm_concurrency": "max_concurrency",
    "llm_context": "llm_context",
    "model_path": "model_path",
    "threads": "n_threads",
    "strict_faithfulness": "strict_faithfulness",
    "fallback": "fallback",
}

#: Every keyword argument the decorator adds (``summary_language`` goes to SummaryOptions).
PARAMS = (*CONFIG_KEYS, "summary_language")


def llm_cli_options(command: F) -> F:
    """Add the abstractive-summary options to a click command."""
    options = [
        click.option(
            "--llm-url",
            metavar="URL",
            multiple=True,
            help="OpenAI-compatible API base for --method llm, e.g. http://127.0.0.1:11434/v1 "
            "(Ollama; the default, or $NEWSBRIEF_LLM_URL), vLLM, llama.cpp's server, LM Studio, "
            "OpenAI. Repeat it for several endpoints serving the same model: requests are dealt "
            "to them in turn.",
        ),
        click.option(
            "--llm-model",
            metavar="NAME",
            help="Model name the endpoint knows (--method llm; default $NEWSBRIEF_LLM_MODEL).",
        ),
        click.option(
            "--llm-key-env",
            metavar="VAR",
            help="Environment variable holding the API key (default OPENAI_API_KEY).",
        ),
        click.option(
            "--llm-timeout",
            type=FiniteFloatRange(min=0, min_open=True),
            help="Seconds to wait for one LLM answer (default 120).",
        ),
        click.option(
            "--llm-concurrency",
            type=click.IntRange(min=1),
            help="Most requests in flight to one endpoint (default 2).",
        ),
        click.option(
            "--llm-context",
            type=click.IntRange(min=256),
            help="The endpoint model's context window in tokens (default 4096).",
        ),
        click.option(
            "--model-path",
            metavar="PATH",
            help="Local model: a .gguf file (--method llama-cpp) or a seq2seq model directory "
            "(--method transformers). Never downloaded.",
        ),
        click.option(
            "--threads",
            type=_Count(),
            metavar="N",
            help="CPU threads for --method llama-cpp (default: the CPUs this process may use) or "
            "transformers (default: torch's). Each batch or evaluate worker loads its own model "
            "with this many.",
        ),
        click.option(
            "--summary-language",
            metavar="CODE",
            help="Write the summary in this language (ISO 639-1) instead of the article's.",
        ),
        click.option(
            "--strict-faithfulness",
            is_flag=True,
            default=None,
            help="Drop summary sentences the article does not support (extractive summary if "
            "none is left).",
        ),
        click.option(
            "--fallback",
            type=click.Choice(["none", "extractive"]),
            help="What to serve when the model backend fails (default none: an error).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


_SHARED = {"strict_faithfulness", "fallback", "summary_language"}
#: Options each abstractive method reads; the others are refused with a clear message.
ACCEPTS: dict[str, frozenset[str]] = {
    "llm": frozenset(
        {"llm_url", "llm_model", "llm_key_env", "llm_timeout", "llm_concurrency", "llm_context"}
        | _SHARED
    ),
    "llama-cpp": frozenset({"model_path", "threads"} | _SHARED),
    "transformers": frozenset({"model_path", "threads"} | _SHARED),
}


def _given(values: dict[str, Any]) -> dict[str, Any]:
    """Return ``values`` with the repeatable ``--llm-url`` as None, one URL, or a tuple of them."""
    urls = values.get("llm_url")
    if isinstance(urls, (tuple, list)):
        values = {**values, "llm_url": (urls[0] if len(urls) == 1 else tuple(urls)) or None}
    return values


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def config_from_cli(
    method: str, *, resolved: str | None = None, **values: Any
) -> tuple[tuple[str, Any], ...]:
    """Return the config pairs for the options given (None = not given) to ``method``.

    ``resolved`` is ``method``'s real name when the caller has already resolved it, e.g.
    ``evaluate``'s ``oracle``, which is not a registered summarizer and takes no option.

    Raises:
        InvalidOptions: an option was given that ``method`` does not use.
        UnknownSummarizer: ``method`` is not registered (and ``resolved`` not given).
    """
    from newsbrief import summarizers
    from newsbrief.errors import InvalidOptions

    real = resolved if resolved is not None else summarizers.resolve(method)
    values = _given(values)
    given = [n for n in PARAMS if values.get(n) is not None and values.get(n) is not False]
    accepted = ACCEPTS.get(real, frozenset())
    for name in given:
        if name not in accepted:
            users = [m for m, names in ACCEPTS.items() if name in names]
            raise InvalidOptions(
                f"{_flag(name)} is not used by --method {method}; it applies to "
                f"--method {' or '.join(users)}"
            )
    return tuple((CONFIG_KEYS[n], values[n]) for n in given if n in CONFIG_KEYS)


def backend_configs(**values: Any) -> dict[str, tuple[tuple[str, Any], ...]]:
    """Return, for each abstractive method, the config pairs of the options given it reads.

    For a front end where each request picks its method (``newsbrief serve``): an option
    applies to the methods that use it (``--llm-url`` to ``llm``, ``--model-path`` and
    ``--threads`` to ``llama-cpp`` and ``transformers``, ``--fallback`` to all) instead of
    being refused for the others. ``summary_language`` is not a backend setting and
    is left out.
    """
    values = _given(values)
    given = [n for n in CONFIG_KEYS if values.get(n) is not None and values.get(n) is not False]
    configs = {
        method: tuple((CONFIG_KEYS[n], values[n]) for n in given if n in accepted)
        for method, accepted in ACCEPTS.items()
    }
    return {method: pairs for method, pairs in configs.items() if pairs}
