"""Score a summarization method with ROUGE against reference summaries.

Every article of a JSONL file (see :mod:`newsbrief.datasets`) is summarized through the same
``newsbrief.pipeline.summarize`` the CLI and the web app use, and its sentences are scored
against the reference with :mod:`newsbrief.rouge`. An article that cannot be summarized (no
sentences, empty text, an endpoint that timed out, ...) is counted and reported, not fatal; an
error of the configuration (``CONFIG_ERRORS``: a bad option, a missing model or library) would
fail every article, so it stops the run.

``method="oracle"`` is an evaluation-only reference, not a registered summarizer: the greedy
ROUGE oracle over the article's sentences (it reads the reference), the ceiling for any method
that picks sentences.
"""

from __future__ import annotations

import dataclasses
import functools
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, islice
from typing import Any

from newsbrief.coherence import dangling_count
from newsbrief.datasets import Record
from newsbrief.errors import (
    BackendAuthError,
    InputError,
    InvalidOptions,
    MissingDependency,
    ModelNotFound,
    NewsbriefError,
    UnknownSummarizer,
)
from newsbrief.models import Article, Summary, SummaryOptions, SummarySentence
from newsbrief.rouge import ROUGE_TYPES, Interval, Rouge, bootstrap_ci, greedy_oracle, protocol

__all__ = [
    "ORACLE",
    "ArticleResult",
    "Evaluation",
    "evaluate",
    "format_report",
    "resolve_method",
    "scoring_language",
]

#: The evaluation-only method name for the greedy ROUGE oracle.
ORACLE = "oracle"
#: Articles whose detected language decides the ROUGE tokenizer when none is given; a
#: dataset has one language, and 20 outvote the odd misdetected article.
LANGUAGE_SAMPLE = 20
#: Failures listed by the text report (the JSON report lists them all).
FAILURES_SHOWN = 5
_LABELS = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeLsum": "ROUGE-Lsum"}
#: Errors of the configuration, not of the article: every article would fail the same way, so
#: the first one stops the run (a backend with ``fallback="extractive"`` raises none of them).
CONFIG_ERRORS: tuple[type[NewsbriefError], ...] = (
    InvalidOptions,
    MissingDependency,
    ModelNotFound,
    BackendAuthError,
)


@dataclass(frozen=True)
class ArticleResult:
    """The outcome for one article: its F1 scores, or the error that stopped it."""

    id: str
    line: int
    scores: dict[str, tuple[float, float, float]] | None  # name -> (precision, recall, f1)
    summary_words: int = 0
    reference_words: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    error: str | None = None
    #: The summary's sentences, and how many of them dangle (``coherence.dangling_count``).
    summary_sentences: int = 0
    dangling: int = 0


@dataclass
class Evaluation:
    """Aggregate ROUGE results of one method on one data file."""

    method: str
    resolved_method: str
    language: str
    length: dict[str, int | float]
    n: int
    f1: dict[str, Interval]
    precision: dict[str, float]
    recall: dict[str, float]
    summary_words: float
    reference_words: float
    summarize_seconds: float
    summarize_cpu_seconds: float
    wall_seconds: float
    protocol: str
    failures: list[ArticleResult] = field(default_factory=list)
    data: str | None = None
    #: Share (0-1) of summary sentences that open with a pronoun or connective while the
    #: article sentence before them is left out (``newsbrief.coherence``).
    dangling: float = 0.0

    @property
    def articles_per_second(self) -> float:
        """Articles summarized per second of summarizing time (one process, scoring excluded)."""
        return self.n / self.summarize_seconds if self.summarize_seconds > 0 else 0.0

    @property
    def articles_per_cpu_second(self) -> float:
        """Articles summarized per CPU-second (steadier than wall time on a busy machine)."""
        cpu = self.summarize_cpu_seconds
        return self.n / cpu if cpu > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON report (ROUGE on a 0-100 scale)."""
        return {
            "data": self.data,
            "method": self.method,
            "resolved_method": self.resolved_method,
            "language": self.language,
            "length": self.length,
            "n": self.n,
            "failed": len(self.failures),
            "rouge": {
                name: {
                    "f1": self.f1[name].to_dict(scale=100),
                    "precision": round(self.precision[name] * 100, 4),
                    "recall": round(self.recall[name] * 100, 4),
                }
                for name in ROUGE_TYPES
            },
            "summary_words": round(self.summary_words, 2),
            "dangling_percent": round(self.dangling * 100, 2),
            "reference_words": round(self.reference_words, 2),
            "articles_per_second": round(self.articles_per_second, 2),
            "articles_per_cpu_second": round(self.articles_per_cpu_second, 2),
            "wall_seconds": round(self.wall_seconds, 3),
            "protocol": self.protocol,
            "failures": [{"id": f.id, "line": f.line, "error": f.error} for f in self.failures],
        }


def format_report(ev: Evaluation) -> str:
    """Return the human-readable report of an evaluation."""
    method = ev.method if ev.method == ev.resolved_method else f"{ev.method} ({ev.resolved_method})"
    length = ", ".join(f"{k} {v}" for k, v in ev.length.items())
    lines = [
        f"method: {method}   data: {ev.data or '-'}",
        f"articles: {ev.n} scored, {len(ev.failures)} failed   language: {ev.language}   "
        f"length: {length}",
        "",
        f"{'':<11}{'F1':>7}   95% CI",
    ]
    for name in ROUGE_TYPES:
        iv = ev.f1[name]
        lines.append(
            f"{_LABELS[name]:<11}{iv.mean * 100:7.2f}   [{iv.low * 100:.2f}, {iv.high * 100:.2f}]"
        )
    lines += [
        "",
        f"mean words: summary {ev.summary_words:.1f}, reference {ev.reference_words:.1f}",
        f"speed: {ev.articles_per_second:.1f} articles/s summarizing (single process), "
        f"{ev.articles_per_cpu_second:.1f} per CPU-second, {ev.wall_seconds:.1f} s wall",
        f"protocol: {ev.protocol}",
    ]
    if ev.failures:
        lines.append("")
        lines.append(f"failed articles ({len(ev.failures)}):")
        for f in ev.failures[:FAILURES_SHOWN]:
            lines.append(f"  line {f.line} id {f.id}: {f.error}")
        if len(ev.failures) > FAILURES_SHOWN:
            lines.append(f"  ... and {len(ev.failures) - FAILURES_SHOWN} more (see --format json)")
    return "\n".join(lines)


def scoring_language(records: Iterable[Record]) -> str:
    """Return the most common language of ``records`` (their ``language`` field, else detected)."""
    from newsbrief.language import DEFAULT_LANGUAGE, detect_language

    votes = Counter(r.language or detect_language(r.article) for r in records)
    return votes.most_common(1)[0][0] if votes else DEFAULT_LANGUAGE


@lru_cache(maxsize=8)
def _rouge(language: str) -> Rouge:
    return Rouge(language)


def _article(record: Record) -> Article:
    from newsbrief.textutil import article_from_text

    article = article_from_text(record.article, title=record.title, url=record.url)
    return dataclasses.replace(article, language=record.language) if record.language else article


def _oracle_summary(record: Record, options: SummaryOptions, language: str) -> Summary:
    from newsbrief.pipeline import prepare

    doc = prepare(_article(record), language=options.language)
    texts = [s.text for s in doc.sentences]
    length = options.length
    picked = greedy_oracle(
        texts,
        record.summary,
        language=language,
        max_sentences=length.max_sentences(len(texts)),
        max_words=length.words,
    )
    return Summary(
        sentences=[SummarySentence(text=texts[i], index=i) for i in picked],
        method=ORACLE,
        language=doc.language,
        article=doc.article,
        length=length,
    )


def evaluate_record(record: Record, options: SummaryOptions, language: str) -> ArticleResult:
    """Summarize one record and score it against its reference.

    An error of the article is returned in the result; a configuration error, which would
    fail every article the same way, is raised.

    Raises:
        InvalidOptions, MissingDependency, ModelNotFound, BackendAuthError: the options, the
            backend's install, its model or its key are wrong (``CONFIG_ERRORS``).
    """
    from newsbrief.pipeline import summarize

    reference_words = len(record.summary.split())
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        if options.method == ORACLE:
            summary = _oracle_summary(record, options, language)
        else:
            summary = summarize(_article(record), options=options)
    except CONFIG_ERRORS:
        raise
    except NewsbriefError as exc:
        return ArticleResult(record.id, record.line, None, error=str(exc))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    scores = _rouge(language).score([s.text for s in summary.sentences], record.summary)
    picked = [(s.index, s.text) for s in summary.sentences if s.index is not None]
    return ArticleResult(
        id=record.id,
        line=record.line,
        scores={k: (v.precision, v.recall, v.fmeasure) for k, v in scores.items()},
        summary_words=summary.n_words,
        reference_words=reference_words,
        seconds=seconds,
        cpu_seconds=cpu,
        summary_sentences=len(picked),
        dangling=dangling_count(picked, summary.language),
    )


def _evaluate_chunk(
    options: SummaryOptions, language: str, records: list[Record]
) -> list[ArticleResult]:
    return [evaluate_record(r, options, language) for r in records]


def resolve_method(method: str) -> str:
    """Return the registered name of ``method``, or ``"oracle"``.

    Raises:
        UnknownSummarizer: neither registered nor ``"oracle"`` (the message lists both).
    """
    from newsbrief import summarizers

    if method == ORACLE:
        return ORACLE
    try:
        return summarizers.resolve(method)
    except UnknownSummarizer as exc:
        raise UnknownSummarizer(f"{exc} (evaluate also accepts {ORACLE!r})") from None


def evaluate(
    records: Iterable[Record],
    *,
    options: SummaryOptions,
    language: str | None = None,
    workers: int = 1,
    data: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Evaluation:
    """Summarize every record with ``options`` and score the summaries with ROUGE.

    ``language`` picks the ROUGE tokenizer (default: ``options.language``, else the most
    common language of the first records). ``progress`` is called with 1 per article.

    A configuration error (a missing or unknown model, a bad setting, a rejected key, a
    backend library not installed) stops the run at once instead of failing every article.

    Raises:
        UnknownSummarizer: the method is neither registered nor ``"oracle"``.
        InvalidOptions, MissingDependency, ModelNotFound, BackendAuthError: the method cannot
            run with these options (``CONFIG_ERRORS``), found before or at the first article.
        InputError: no article could be summarized.
        DataFormatError, EmptyInput: raised by the records' reader.
    """
    from newsbrief import summarizers
    from newsbrief.batch import ordered_map

    resolved = resolve_method(options.method)
    if resolved != ORACLE:
        # As `newsbrief serve` does: the backend's settings fail now, before any article.
        summarizers.get(options.method, **dict(options.config))
    iterator: Iterator[Record] = iter(records)
    head = list(islice(iterator, LANGUAGE_SAMPLE))
    lang = language or options.language or scoring_language(head)

    start = time.perf_counter()
    fn = functools.partial(_evaluate_chunk, options, lang)
    scored: list[ArticleResult] = []
    failures: list[ArticleResult] = []
    for result in ordered_map(fn, chain(head, iterator), workers=workers):
        (scored if result.scores is not None else failures).append(result)
        if progress is not None:
            progress(1)
    wall = time.perf_counter() - start

    if not scored:
        first = f"; first: line {failures[0].line}: {failures[0].error}" if failures else ""
        raise InputError(f"no article could be summarized ({len(failures)} failed{first})")

    def column(name: str, k: int) -> list[float]:
        return [r.scores[name][k] for r in scored if r.scores is not None]

    return Evaluation(
        method=options.method,
        resolved_method=resolved,
        language=lang,
        length=options.length.to_dict(),
        n=len(scored),
        f1={name: bootstrap_ci(column(name, 2)) for name in ROUGE_TYPES},
        precision={name: statistics.fmean(column(name, 0)) for name in ROUGE_TYPES},
        recall={name: statistics.fmean(column(name, 1)) for name in ROUGE_TYPES},
        summary_words=statistics.fmean(r.summary_words for r in scored),
        reference_words=statistics.fmean(r.reference_words for r in scored),
        summarize_seconds=sum(r.seconds for r in scored),
        summarize_cpu_seconds=sum(r.cpu_seconds for r in scored),
        wall_seconds=wall,
        protocol=protocol(lang),
        failures=failures,
        data=data,
        dangling=sum(r.dangling for r in scored) / max(sum(r.summary_sentences for r in scored), 1),
    )
