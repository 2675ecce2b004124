"""Summarize a JSONL file of articles, one output line per input record, crash-safe.

Input: one JSON object per line with an ``id`` (string or integer, unique in the file) and the
article as one of, in this order of precedence:

- ``article``: plain text (paragraphs separated by newlines), summarized as is;
- ``html``: a web page, run through ``newsbrief.extract`` first (``url``, if given, is passed
  along as the page's address for metadata and link resolution).

Optional ``title`` and ``language`` are used when given. A record with only a ``url`` is not
fetched (batch mode does no network I/O); it fails with a message saying so.

Output: one JSON object per input record, **in input order**, written and flushed as soon as
that record (and every record before it) is done, so a crash loses at most the records still
in flight. Each line has ``id``, ``method``, ``language``, ``summary`` (rendered in
``options.format``: text, bullets or markdown; plain text for json), ``sentences``
(``text``/``index``/``score``, and for abstractive methods ``support``/``supported``/
``evidence``), ``words`` and ``error`` (``null``, or ``{"code", "message"}`` when that record
could not be summarized; the run goes on). Abstractive summaries also carry ``kind`` and
``info`` (model, chunks, faithfulness, and ``fallback`` when the extractive summary stood in).

``resume=True`` reads the ids already in the output file and skips them; a truncated last line
(left by a crash mid-write) is cut off first. A malformed input line is reported with its line
number and skipped, or stops the run under ``strict=True``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Generic, TypeVar

from newsbrief import limits
from newsbrief.datasets import Line, iter_lines, parse_object, record_id, text_field
from newsbrief.errors import (
    BackendError,
    DataFormatError,
    InputError,
    InvalidOptions,
    NewsbriefError,
    NoArticleText,
)
from newsbrief.models import Article, SummaryOptions
from newsbrief.workers import init_worker

__all__ = [
    "BatchItem",
    "BatchReport",
    "InputRules",
    "SupervisedWorker",
    "check_options",
    "display_name",
    "in_flight",
    "open_output",
    "ordered_map",
    "output_line",
    "parse_item",
    "read_done_ids",
    "read_items",
    "read_records",
    "run_batch",
    "summarize_item",
    "summarize_items",
]

T = TypeVar("T")
R = TypeVar("R")

#: Records sent to a worker at a time. Inter-process cost is small either way (the parent spent
#: 0.07 CPU-s on 1,000 CNN/DM articles with 2 workers, vs 1.45 s summarizing in-process); 32 keeps
#: both workers busy even on inputs of a few hundred records. Sizes 8/32/128 were within noise
#: on the shared 2-core machine.
CHUNK_SIZE = 32
#: Chunks in flight per worker: keeps every worker busy without reading the whole input ahead.
PENDING_PER_WORKER = 4


@dataclass(frozen=True)
class BatchItem:
    """One valid input record."""

    id: str
    line: int
    text: str | None = None
    html: str | None = None
    url: str | None = None
    title: str | None = None
    language: str | None = None


@dataclass
class BatchReport:
    """What a batch run did; ``bad_lines`` holds the messages of skipped input lines."""

    done: int = 0
    failed: int = 0
    skipped: int = 0
    bad_lines: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Records summarized (or failed) per second."""
        return (self.done + self.failed) / self.seconds if self.seconds > 0 else 0.0

    def describe(self) -> str:
        """Return the one-line summary printed at the end of a run."""
        bad = len(self.bad_lines)
        return (
            f"{self.done} done, {self.skipped} skipped (already in output), "
            f"{self.failed} failed, {bad} bad input {'line' if bad == 1 else 'lines'} "
            f"in {self.seconds:.1f} s ({self.rate:.1f} records/s)"
        )


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _pool_context() -> Any:
    # fork is unsafe once threads exist (a progress bar runs one); forkserver forks workers
    # from a clean process that has already imported newsbrief and loaded its models, so they
    # start warm and safe.
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(
            ["newsbrief.batch", "newsbrief.pipeline", "newsbrief._forkserver_warmup"]
        )
        return ctx
    return multiprocessing.get_context("spawn")


def ordered_map(
    fn: Callable[[list[T]], list[R]],
    items: Iterable[T],
    *,
    workers: int = 1,
    chunk_size: int = CHUNK_SIZE,
    on_crash: Callable[[T], R] | None = None,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[R]:
    """Yield ``fn``'s results for ``items`` in input order, computed by ``workers`` processes.

    ``fn`` takes a list of items and returns one result per item; it must be picklable (a
    module-level function or a ``functools.partial`` of one). ``workers=1`` runs in-process.
    Worker processes run ``initializer(*initargs)`` first.

    When a worker process dies (killed for memory, a crash in native code), or a task fails
    with ``MemoryError`` outside ``fn``'s own handling, and ``on_crash`` is given, the items that
    were in flight are run again one at a time in a process of their own; an item that fails so
    again yields ``on_crash(item)``, and the rest of the input goes on in a new pool.

    Raises:
        InvalidOptions: ``workers`` is below 1.
        BackendError: a worker process died, and no ``on_crash`` was given.
    """
    _check_workers(workers)
    if workers == 1:
        for item in items:
            yield from fn([item])
        return
    context = _pool_context()
    rest = iter(items)
    while True:
        # [chunk, future]: the chunk is recorded before it is submitted, so a pool that
        # breaks inside submit() does not lose it.
        pending: deque[list[Any]] = deque()
        try:
            with ProcessPoolExecutor(
                max_workers=workers,
                mp_context=context,
                initializer=initializer,
                initargs=initargs,
            ) as pool:
                try:
                    for chunk in _chunks(rest, chunk_size):
                        entry: list[Any] = [chunk, None]
                        pending.append(entry)
                        entry[1] = pool.submit(fn, chunk)
                        if len(pending) >= workers * PENDING_PER_WORKER:
                            yield from pending[0][1].result()
                            pending.popleft()
                    while pending:
                        yield from pending[0][1].result()
                        pending.popleft()
                finally:
                    # On an error (or the caller stopping early) the pool's shutdown would
                    # still run every chunk not yet started; they are of no use now.
                    for _, future in pending:
                        if future is not None:
                            future.cancel()
            return
        except (BrokenProcessPool, MemoryError) as exc:
            # A MemoryError here was raised in a worker outside any one record (unpickling a
            # chunk, pickling its results) under the worker's memory limit: like a worker
            # killed for memory, the chunks in flight are run again one record at a time.
            if on_crash is None:
                # Killed for memory, or a crash in native code: say so instead of a traceback.
                raise BackendError(f"a worker process died ({exc or type(exc).__name__})") from exc
            suspects = [item for chunk, _ in pending for item in chunk]
        yield from _one_at_a_time(fn, suspects, on_crash, context, initializer, initargs)


def _one_at_a_time(
    fn: Callable[[list[T]], list[R]],
    items: list[T],
    on_crash: Callable[[T], R],
    context: Any,
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
) -> Iterator[R]:
    """Run each item alone in a one-worker pool; an item that kills it yields ``on_crash``."""
    pool: ProcessPoolExecutor | None = None
    try:
        for item in items:
            if pool is None:
                pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=context, initializer=initializer, initargs=initargs
                )
            try:
                results = pool.submit(fn, [item]).result()
            except (BrokenProcessPool, MemoryError):
                pool.shutdown(wait=True)
                pool = None
                yield on_crash(item)
                continue
            yield from results
    finally:
        if pool is not None:
            pool.shutdown(wait=True)


class SupervisedWorker(Generic[T, R]):
    """One worker process, kept across calls, whose crash costs only the record that caused it.

    The process comes from :func:`_pool_context` and runs ``initializer(*initargs)`` first, as
    :func:`ordered_map`'s workers do. :meth:`run` sends it a list of items; when the process
    dies (killed for memory, a crash in native code) or the call fails with ``MemoryError``
    outside ``fn``'s own handling, the items are run again one at a time in fresh processes
    (:func:`_one_at_a_time`) and the one that fails so again gets ``on_crash(item)``; the
    next call starts a new process. The Ray engine's actors use one each, so a record that
    kills its process never takes the actor with it.
    """

    def __init__(
        self,
        fn: Callable[[list[T]], list[R]],
        *,
        on_crash: Callable[[T], R],
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        self._fn = fn
        self._on_crash = on_crash
        self._initializer = initializer
        self._initargs = initargs
        self._context = _pool_context()
        self._pool: ProcessPoolExecutor | None = None

    def run(self, items: list[T]) -> list[R]:
        """Return ``fn(items)``, computed in the worker process (see the class for crashes)."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=self._context,
                initializer=self._initializer,
                initargs=self._initargs,
            )
        try:
            return self._pool.submit(self._fn, items).result()
        except (BrokenProcessPool, MemoryError):
            self.close()
        return list(
            _one_at_a_time(
                self._fn, items, self._on_crash, self._context, self._initializer, self._initargs
            )
        )

    def close(self) -> None:
        """Stop the worker process (the next :meth:`run` starts a new one)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


def _check_workers(workers: int) -> None:
    if workers < 1:
        raise InvalidOptions(f"workers must be at least 1 (got {workers})")


def check_options(*, options: SummaryOptions, workers: int = 1) -> None:
    """Refuse options that would stop a run, before any file is opened.

    Raises:
        UnknownSummarizer: ``options.method`` is not registered.
        InvalidOptions: ``workers`` is below 1, or a setting the method does not take.
        NewsbriefError: the method's backend cannot be set up (no ``--llm-model``, a model
            file that is not there) and ``--fallback extractive`` was not asked for; every
            record would fail the same way.
    """
    from newsbrief import summarizers

    _check_workers(workers)
    # Backends load their models lazily, so building one here is cheap (and it is cached).
    summarizers.get(options.method, **dict(options.config))


def parse_item(line: Line, *, path: str | Path) -> BatchItem:
    """Validate one input line as a batch record.

    Raises:
        DataFormatError: not a JSON object, no usable ``id``, no ``article``/``html``/``url``,
            or a field of the wrong type.
    """
    obj = parse_object(line, path=path)
    n = line.number
    rid = record_id(obj, path=path, line=n)
    values = {
        name: text_field(obj, name, path=path, line=n, required=False)
        for name in ("article", "html", "url", "title", "language")
    }
    if values["article"] is None and values["html"] is None and values["url"] is None:
        where = "<stdin>" if str(path) == "-" else str(path)
        raise DataFormatError(
            "needs one of the fields 'article', 'html' or 'url'", path=where, line=n
        )
    return BatchItem(
        id=rid,
        line=n,
        text=values["article"],
        html=values["html"],
        url=values["url"],
        title=values["title"],
        language=values["language"],
    )


def _article(item: BatchItem) -> Article:
    from newsbrief.textutil import article_from_text, check_text

    fields = ("article", item.text), ("html", item.html), ("url", item.url), ("title", item.title)
    for name, value in (*fields, ("language", item.language)):
        if value is not None:
            check_text(value, f"field {name!r}")
    if item.text is not None:
        article = article_from_text(item.text, title=item.title, url=item.url)
    elif item.html is not None:
        from newsbrief import extract

        article = extract(item.html, url=item.url)
        if item.title is not None:
            article = dataclasses.replace(article, title=item.title)
    else:
        raise NoArticleText(
            f"record {item.id!r} has only a url; batch mode does not fetch pages: "
            "give its text as 'article' or its page as 'html'"
        )
    if item.language is not None:
        article = dataclasses.replace(article, language=item.language)
    return article


def summarize_item(
    item: BatchItem, options: SummaryOptions, *, ceiling: float | None = None
) -> dict[str, Any]:
    """Summarize one record and return its output line (an ``error`` line if it fails).

    ``ceiling`` stops the record after that many seconds (``workers.record_time_limit``:
    batch workers pass their summary's time limit plus ``limits.BATCH_RECORD_GRACE``).
    Whatever goes wrong with one record becomes its error line; the run goes on.
    """
    from newsbrief.formatting import render
    from newsbrief.pipeline import summarize
    from newsbrief.workers import RecordTimeout, record_time_limit

    try:
        with record_time_limit(ceiling):
            summary = summarize(_article(item), options=options)
    except NewsbriefError as exc:
        return error_line(item, options, exc.code, str(exc))
    except RecordTimeout:
        return error_line(
            item, options, "record_timeout", f"stopped after {ceiling:g} s (the batch's ceiling)"
        )
    except MemoryError:
        return error_line(
            item,
            options,
            "record_memory",
            f"needed more memory than a batch worker may hold ({limits.BATCH_WORKER_MEMORY:,} "
            "bytes)",
        )
    except Exception as exc:
        return error_line(item, options, "internal_error", f"{type(exc).__name__}: {exc}")
    line = {
        "id": item.id,
        "method": summary.method,
        "language": summary.language,
        # The sentences carry ``supported``: the text has no faithfulness marks.
        "summary": summary.text
        if options.format == "json"
        else render(summary, options.format, mark_unsupported=False),
        "sentences": [s.to_dict() for s in summary.sentences],
        "words": summary.n_words,
        "error": None,
    }
    if summary.kind == "abstractive":
        line.update(kind=summary.kind, info=summary.info)
    elif "cut" in summary.info:  # the record was longer than a summary reads (limits.py)
        line.update(info={"cut": summary.info["cut"]})
    return line


def error_line(item: BatchItem, options: SummaryOptions, code: str, message: str) -> dict[str, Any]:
    """Return the output line of a record that could not be summarized."""
    from newsbrief.summarizers import resolve

    return {
        "id": item.id,
        "method": resolve(options.method),
        "language": None,
        "summary": None,
        "sentences": [],
        "words": 0,
        "error": {"code": code, "message": message},
    }


def crashed_line(options: SummaryOptions, item: BatchItem) -> dict[str, Any]:
    """Return the error line of a record whose worker process died while summarizing it."""
    return error_line(
        item,
        options,
        "worker_crashed",
        "the worker process died while summarizing this record (killed for memory, or a "
        "crash in native code); the run went on without it",
    )


def output_line(result: dict[str, Any]) -> str:
    """Return a record's line as every engine writes it (JSON, non-ASCII as is, newline)."""
    return json.dumps(result, ensure_ascii=False) + "\n"


def read_records(
    input_path: str | Path, *, stream: IO[bytes] | None = None
) -> Iterator[BatchItem | DataFormatError]:
    """Yield each record of ``input_path`` as a ``BatchItem``, or its line's error, in order.

    This is the check of one line on its own (valid UTF-8, under the line cap, a JSON object
    with a usable ``id`` and an article); the rules across lines (repeated ids, ``--resume``,
    ``--strict``) are :class:`InputRules`'. ``stream`` is ``input_path`` already opened by
    the caller (a file on a pyarrow filesystem); ``input_path`` then only names it.

    Raises:
        InputError, EmptyInput: the input cannot be read.
    """
    # Lines that are not UTF-8 (or not a record at all: over datasets.MAX_LINE_BYTES) are
    # handed over by iter_lines as it meets them, before the next good line.
    unreadable: list[DataFormatError] = []
    for line in iter_lines(input_path, stream=stream, on_bad_line=unreadable.append):
        while unreadable:
            yield unreadable.pop(0)
        try:
            yield parse_item(line, path=input_path)
        except DataFormatError as exc:
            yield exc
    yield from unreadable


@dataclass
class InputRules:
    """The rules every batch engine applies to the records it reads, in input order.

    A malformed line or a repeated id is counted in ``report.bad_lines`` and passed to
    ``on_bad_line`` (or, under ``strict``, appended to ``stop``, which ends the run); an
    id in ``done_ids`` is counted in ``report.skipped``; ``progress`` gets 1 for each of
    these. ``seen`` maps each id read to its (input, line), across every input of a run.
    """

    report: BatchReport
    done_ids: set[str] | frozenset[str]
    strict: bool
    stop: list[DataFormatError]
    seen: dict[str, tuple[str, int]] = field(default_factory=dict)
    on_bad_line: Callable[[str], None] | None = None
    progress: Callable[[int], None] | None = None

    def refuse(self, exc: DataFormatError) -> bool:
        """Count a bad line; return True when it ends the run (``strict``)."""
        if self.strict:
            self.stop.append(exc)
            return True
        self.report.bad_lines.append(str(exc))
        if self.on_bad_line is not None:
            self.on_bad_line(str(exc))
        if self.progress is not None:
            self.progress(1)
        return False

    def admit(self, record_id: str, *, where: str, line: int) -> bool:
        """Return True for a record to summarize; False for one skipped or refused.

        A repeated id is refused (:meth:`refuse`: check ``stop`` after a False); an id in
        ``done_ids`` is skipped.
        """
        if record_id in self.seen:
            first_in, first_line = self.seen[record_id]
            first = "" if first_in == where else f" in {first_in}"
            self.refuse(
                DataFormatError(
                    f"duplicate id {record_id!r} (first{first} on line {first_line})",
                    path=where,
                    line=line,
                )
            )
            return False
        self.seen[record_id] = (where, line)
        if record_id in self.done_ids:
            self.report.skipped += 1
            if self.progress is not None:
                self.progress(1)
            return False
        return True


def display_name(input_path: str | Path) -> str:
    """Return how messages name an input (``<stdin>`` for ``-``)."""
    return "<stdin>" if str(input_path) == "-" else str(input_path)


def read_items(
    input_path: str | Path,
    *,
    report: BatchReport,
    done_ids: set[str],
    strict: bool,
    stop: list[DataFormatError],
    seen: dict[str, tuple[str, int]] | None = None,
    on_bad_line: Callable[[str], None] | None = None,
    progress: Callable[[int], None] | None = None,
    stream: IO[bytes] | None = None,
) -> Iterator[BatchItem]:
    """Yield the records of ``input_path`` to summarize: :func:`read_records` under
    :class:`InputRules` (see there for the arguments). Pass one ``seen`` dict for every
    input of a run to find ids repeated across files.
    """
    rules = InputRules(
        report=report,
        done_ids=done_ids,
        strict=strict,
        stop=stop,
        seen={} if seen is None else seen,
        on_bad_line=on_bad_line,
        progress=progress,
    )
    where = display_name(input_path)
    for got in read_records(input_path, stream=stream):
        if isinstance(got, DataFormatError):
            if rules.refuse(got):
                return
        elif rules.admit(got.id, where=where, line=got.line):
            yield got
        elif stop:
            return


def in_flight(options: SummaryOptions) -> int:
    """Return how many records one process summarizes at once: the backend's request limit.

    For ``llm`` that is ``--llm-concurrency`` times the number of ``--llm-url`` endpoints (the
    records wait on the endpoints, not on this CPU); 1 for every method that computes locally.
    """
    from newsbrief import summarizers

    try:
        summarizer = summarizers.get(options.method, **dict(options.config))
    except NewsbriefError:  # every record will fail the same way; no reason to overlap them
        return 1
    return max(1, int(getattr(summarizer, "parallel", 1)))


def summarize_items(
    items: list[BatchItem], options: SummaryOptions, *, ceiling: float | None = None
) -> list[dict[str, Any]]:
    """Summarize records and return their output lines in order, :func:`in_flight` at a time.

    ``ceiling`` is ``summarize_item``'s; it applies when records run one at a time (the
    ``SIGALRM`` it uses reaches the main thread only).
    """
    parallel = min(in_flight(options), len(items))
    if parallel <= 1:
        return [summarize_item(item, options, ceiling=ceiling) for item in items]
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(functools.partial(summarize_item, options=options), items))


def _summarize_chunk(
    options: SummaryOptions, ceiling: float | None, items: list[BatchItem]
) -> list[dict[str, Any]]:
    return summarize_items(items, options, ceiling=ceiling)


def record_ceiling(options: SummaryOptions) -> float:
    """Return the seconds a batch worker gives one record: its summary's limit plus a grace."""
    from newsbrief import limits, summarizers

    try:
        abstractive = summarizers.describe(options.method).kind == "abstractive"
    except NewsbriefError:
        abstractive = False
    limit = limits.ABSTRACTIVE_TIME_LIMIT if abstractive else limits.SUMMARY_TIME_LIMIT
    return limit + limits.BATCH_RECORD_GRACE


def read_done_ids(path: str | Path) -> set[str]:
    """Return the ids already written to an output file, repairing a truncated last line.

    A crash can leave the last line cut short; that line is removed from the file (its record
    will be summarized again). A bad line anywhere else means the file is not ours to append to.

    Raises:
        DataFormatError: a line other than the last is not a JSON object with an ``id``.
        InputError: the file cannot be read.
    """
    p = Path(path)
    if not p.exists():
        return set()
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror})") from None
    lines = data.split(b"\n")  # the last piece is b"" when the file ends with "\n"
    done: set[str] = set()
    offset = 0
    for number, raw in enumerate(lines, start=1):
        terminated = number < len(lines)
        if raw.strip():
            try:
                obj = json.loads(raw)
            except ValueError:
                obj = None
            if not isinstance(obj, dict) or "id" not in obj:
                if any(rest.strip() for rest in lines[number:]):
                    raise DataFormatError(
                        "cannot resume: this line of the output file is not a JSON object with "
                        "an 'id' (is it a newsbrief batch output?)",
                        path=str(p),
                        line=number,
                    )
                with p.open("r+b") as fh:  # the crash's half-written last line
                    fh.truncate(offset)
                break
            done.add(str(obj["id"]))
            if not terminated:  # complete but unterminated: end it so appends start afresh
                with p.open("ab") as fh:
                    fh.write(b"\n")
        offset += len(raw) + 1
    return done


def _paths(input_path: str | Path | Sequence[str | Path]) -> list[str | Path]:
    return [input_path] if isinstance(input_path, (str, Path)) else list(input_path)


def run_batch(
    input_path: str | Path | Sequence[str | Path],
    output: IO[str],
    *,
    options: SummaryOptions,
    workers: int = 1,
    done_ids: set[str] | None = None,
    strict: bool = False,
    on_bad_line: Callable[[str], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> BatchReport:
    """Summarize every record of ``input_path`` into ``output`` (one JSON line each, in order).

    ``input_path`` may be several files, read one after the other (an id repeated in a later
    file is a malformed line). Records whose id is in ``done_ids`` are skipped
    (``--resume``). ``on_bad_line`` is called with the message of each malformed input line;
    ``progress`` with 1 per record handled.

    Raises:
        DataFormatError: a malformed input line under ``strict`` (lines before it are written).
        InputError, EmptyInput: the input cannot be read.
        UnknownSummarizer, InvalidOptions: bad options (checked before any work).
    """
    check_options(options=options, workers=workers)
    report = BatchReport()
    stop: list[DataFormatError] = []
    seen: dict[str, tuple[str, int]] = {}

    def items() -> Iterator[BatchItem]:
        for path in _paths(input_path):
            yield from read_items(
                path,
                report=report,
                done_ids=done_ids or set(),
                strict=strict,
                stop=stop,
                seen=seen,
                on_bad_line=on_bad_line,
                progress=progress,
            )
            if stop:
                return

    start = time.perf_counter()
    # Workers stop a record at its ceiling, limit their memory and exit with this process;
    # a record that kills its worker anyway gets an error line (ordered_map's on_crash).
    fn = functools.partial(
        _summarize_chunk, options, record_ceiling(options) if workers > 1 else None
    )
    try:
        for result in ordered_map(
            fn,
            items(),
            workers=workers,
            on_crash=functools.partial(crashed_line, options),
            initializer=init_worker,
            initargs=(limits.BATCH_WORKER_MEMORY,),
        ):
            output.write(output_line(result))
            output.flush()
            if result["error"] is None:
                report.done += 1
            else:
                report.failed += 1
            if progress is not None:
                progress(1)
    finally:
        report.seconds = time.perf_counter() - start
    if stop:
        raise stop[0]
    return report


def _same_file(input_path: str | Path, output: Path) -> bool:
    try:
        if str(input_path) == "-":  # stdin redirected from the output file: `< out.jsonl`
            return os.path.samestat(os.fstat(sys.stdin.fileno()), output.stat())
        if Path(input_path).resolve() == output.resolve():
            return True
        return os.path.samefile(input_path, output)  # a hard link
    except (OSError, ValueError):  # no such file, or a stdin without a file descriptor
        return False


def open_output(
    path: str | Path,
    *,
    resume: bool,
    overwrite: bool,
    input_path: str | Path | Sequence[str | Path] | None = None,
) -> tuple[IO[str], set[str]]:
    """Open the output file for a run and return it with the ids it already holds.

    Every check comes before the file is created, truncated or repaired, so a refused run
    leaves it as it was. With ``input_path`` (the run's input), an input that cannot be read,
    or that is the output file itself, is refused too.

    Raises:
        InvalidOptions: both ``resume`` and ``overwrite``.
        InputError: the path is a directory or the input file; the file exists and holds
            results, and neither ``resume`` nor ``overwrite`` was asked for; the file cannot be
            opened; or the input cannot be read.
        EmptyInput: the input holds no record.
        DataFormatError: ``resume`` on a file that is not a batch output.
    """
    p = Path(path)
    if resume and overwrite:
        raise InvalidOptions("give only one of --resume and --overwrite")
    if p.is_dir():
        raise InputError(f"{p} is a directory; pass a file path for -o")
    for one in _paths(input_path) if input_path is not None else []:
        if str(one) != "-":
            # A missing, unreadable or empty input fails now, not after OUT is truncated.
            lines = iter_lines(one)
            try:
                next(lines)
            finally:
                if isinstance(lines, Generator):
                    lines.close()  # closes the file now
        if _same_file(one, p):
            where = "<stdin>" if str(one) == "-" else str(one)
            raise InputError(
                f"the output {p} is the same file as the input {where}; pass another path for -o"
            )
    exists = p.exists() and p.stat().st_size > 0
    if exists and not (resume or overwrite):
        raise InputError(
            f"{p} already exists; pass --resume to continue it or --overwrite to replace it"
        )
    done = read_done_ids(p) if resume else set()
    try:
        fh = p.open("a" if resume else "w", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{p}: cannot write ({exc.strerror})") from None
    return fh, done
