"""The summarizer registry.

A summarizer is anything with a ``name``, a one-line ``description``, a ``kind``
("extractive" or "abstractive") and a ``summarize(doc, options)`` method returning an
``Output``. Built-ins register themselves at the end of this module (one call each); third-party
packages add theirs through the ``newsbrief.summarizers`` entry-point group, and both go
through the same lookup::

    register("mine", "my_package.mine:MySummarizer", "What it does, in one line.")

Factories are given as ``"module:attribute"`` strings so that nothing heavy is imported until
a method is actually used.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Literal, Protocol, cast, get_args, runtime_checkable

from newsbrief.errors import InvalidOptions, PluginError, UnknownSummarizer
from newsbrief.models import Document, SummaryOptions, SummarySentence

__all__ = [
    "Output",
    "Summarizer",
    "SummarizerInfo",
    "available",
    "describe",
    "get",
    "register",
]

Kind = Literal["extractive", "abstractive"]


@dataclass
class Output:
    """What a summarizer returns: its sentences (article order for extractive) and extra facts."""

    sentences: list[SummarySentence]
    info: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Summarizer(Protocol):
    """The one interface every summarizer implements."""

    name: str
    kind: Kind

    def summarize(self, doc: Document, options: SummaryOptions) -> Output:
        """Summarize ``doc`` within ``options.length``."""
        ...


@dataclass(frozen=True)
class SummarizerInfo:
    name: str
    target: str | Callable[..., Summarizer]
    description: str
    kind: Kind = "extractive"
    #: True for methods that need no network, no extra install and no model file.
    offline: bool = True


_REGISTRY: dict[str, SummarizerInfo] = {}
_ALIASES: dict[str, str] = {}
_entry_points_loaded = False


def register(
    name: str,
    target: str | Callable[..., Summarizer],
    description: str,
    *,
    kind: Kind = "extractive",
    offline: bool = True,
) -> None:
    """Register a summarizer factory under ``name`` (a later registration replaces it)."""
    _REGISTRY[name] = SummarizerInfo(name, target, description, kind, offline)


def alias(name: str, target: str) -> None:
    """Make ``name`` resolve to the registered method ``target`` (used for ``default``)."""
    _ALIASES[name] = target


def _load_entry_points() -> None:
    """Register every ``newsbrief.summarizers`` entry point not already registered.

    A plug-in declares what it is as the built-ins do, on the class (or factory) the entry
    point names: ``kind`` ("extractive" or "abstractive"), optionally ``offline`` (default: True
    for extractive, False for abstractive) and a docstring whose first line describes it. A
    plug-in that cannot be imported, or declares an unknown kind, is still listed, with the
    reason, and raises ``PluginError`` when used.
    """
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in entry_points(group="newsbrief.summarizers"):
        if ep.name not in _REGISTRY:
            _REGISTRY[ep.name] = _plugin_info(ep)


def _plugin_info(ep: EntryPoint) -> SummarizerInfo:
    """Return the registry entry of plug-in ``ep``, from what its target declares."""
    try:
        target = ep.load()
    except Exception as exc:  # any import-time failure of third-party code
        problem = f"cannot be loaded: {type(exc).__name__}: {exc}"
        return SummarizerInfo(ep.name, _broken(ep, problem), f"plug-in from {ep.value} ({problem})")
    kind = getattr(target, "kind", "extractive")
    if kind not in get_args(Kind):
        problem = f"declares kind {kind!r}; a summarizer is one of: {', '.join(get_args(Kind))}"
        return SummarizerInfo(ep.name, _broken(ep, problem), f"plug-in from {ep.value} ({problem})")
    offline = getattr(target, "offline", kind == "extractive")
    doc = (inspect.getdoc(target) or "").strip().splitlines()
    description = doc[0] if doc else f"plug-in from {ep.value}"
    return SummarizerInfo(ep.name, target, description, cast(Kind, kind), bool(offline))


def _broken(ep: EntryPoint, problem: str) -> Callable[..., Summarizer]:
    def fail(**config: Any) -> Summarizer:
        raise PluginError(f"the summarizer plug-in {ep.name!r} ({ep.value}) {problem}")

    return fail


def available() -> list[str]:
    """Return the names of every registered method, ``default`` included."""
    _load_entry_points()
    return sorted({*_REGISTRY, *_ALIASES})


def resolve(name: str) -> str:
    """Return the registered name ``name`` stands for (follows aliases such as ``default``)."""
    _load_entry_points()
    seen = set()
    while name in _ALIASES and name not in seen:
        seen.add(name)
        name = _ALIASES[name]
    if name not in _REGISTRY:
        raise UnknownSummarizer(f"Unknown summarizer {name!r}. Available: {', '.join(available())}")
    return name


def describe(name: str) -> SummarizerInfo:
    """Return the registry entry for ``name`` (aliases resolved)."""
    return _REGISTRY[resolve(name)]


_INSTANCES: dict[tuple[str, tuple[tuple[str, Any], ...]], Summarizer] = {}


def get(name: str, **config: Any) -> Summarizer:
    """Return a ready summarizer for ``name``; instances are cached per (name, config).

    Raises:
        UnknownSummarizer: no method of that name; the message lists the available ones.
        InvalidOptions: a setting the method does not take (``-c KEY=VALUE``, ``config``).
    """
    real = resolve(name)
    key = (real, tuple(sorted(config.items())))
    if key not in _INSTANCES:
        target = _REGISTRY[real].target
        if isinstance(target, str):
            module_name, _, attr = target.partition(":")
            target = getattr(importlib.import_module(module_name), attr)
        _check_settings(real, target, config)
        _INSTANCES[key] = target(**config)
    return _INSTANCES[key]


def _check_settings(name: str, factory: Any, config: dict[str, Any]) -> None:
    """Refuse settings ``factory`` has no parameter for (one taking ``**kwargs`` checks itself)."""
    if not config:
        return
    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):  # a builtin or C callable: let the call tell
        return
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return
    takes = [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    unknown = sorted(set(config) - set(takes))
    if unknown:
        accepted = f"it takes: {', '.join(takes)}" if takes else "it takes none"
        raise InvalidOptions(
            f"unknown setting(s) for the {name!r} summarizer: {', '.join(unknown)} ({accepted})"
        )


# Built-in methods: one line each.
register(
    "lead",
    "newsbrief.summarizers.lead:LeadSummarizer",
    "First N sentences (headings and widget lines skipped): the baseline every method must beat.",
)
register(
    "centrality",
    "newsbrief.summarizers.centrality:CentralitySummarizer",
    "LexRank-style graph centrality over TF-IDF sentence vectors, with a mild lead prior.",
)
register(
    "llm",
    "newsbrief.summarizers.llm:LLMSummarizer",
    "Abstractive summary from any OpenAI-compatible chat endpoint (--llm-url, --llm-model).",
    kind="abstractive",
    offline=False,
)
register(
    "llama-cpp",
    "newsbrief.summarizers.llamacpp:LlamaCppSummarizer",
    "Abstractive summary from a local GGUF model run in-process (newsbrief[llama]).",
    kind="abstractive",
    offline=False,
)
register(
    "transformers",
    "newsbrief.summarizers.hf:HFSummarizer",
    "Abstractive summary from a local seq2seq model directory (BART, PEGASUS, T5).",
    kind="abstractive",
    offline=False,
)
register(
    "trained",
    "newsbrief.summarizers.trained:TrainedSummarizer",
    "Sentences scored by gradient-boosted trees trained on news, with trigram blocking.",
)
alias("default", "trained")
