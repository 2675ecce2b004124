"""The two Ray Data stages of ``--engine ray``: reading the inputs, and summarizing in actors.

- :class:`InputDatasource` is a Ray Data datasource with one read task per input file. The
  task runs the local engine's line checks (:func:`newsbrief.batch.read_records`: not UTF-8,
  over the 32 MB line cap, not a record, gzip by its magic bytes) and yields a block of rows
  every ``block_rows`` lines as it reads, so memory stays flat and summarizing starts with
  the first block. A row is a record (``kind`` :data:`ITEM`, its fields pickled), a record
  whose id an earlier run already wrote (:data:`SKIP`, no fields: ``--resume`` never ships
  or summarizes it again) or a bad line (:data:`BAD`, its error pickled).
- :class:`SummarizeBatches` is the callable class ``map_batches`` runs in each actor. It is a
  supervisor: the records are summarized in one worker process of its own
  (:class:`newsbrief.batch.SupervisedWorker`: the local engine's worker, with its memory
  limit and per-record time ceiling), and a record that kills that process is run again
  alone and gets the local engine's ``worker_crashed`` line, so a poison record never kills
  the actor. Each row comes back with its output line, ready to write.

Rows hold only ints, a validated id and bytes: a record's text may hold a lone surrogate,
which an Arrow string column cannot.
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import ray
from ray.data import DataContext, Datasource, ReadTask
from ray.data.block import BlockMetadata

from newsbrief.batch import (
    BatchItem,
    SupervisedWorker,
    crashed_line,
    output_line,
    read_records,
    summarize_items,
)
from newsbrief.batch_ray import _open, is_uri
from newsbrief.errors import DataFormatError
from newsbrief.models import SummaryOptions
from newsbrief.workers import init_worker

__all__ = [
    "ACTOR_CPU",
    "BAD",
    "ITEM",
    "READ_CPU",
    "SKIP",
    "InputDatasource",
    "SummarizeBatches",
]

#: Row kinds.
ITEM, SKIP, BAD = 0, 1, 2
#: CPU a read task reserves. An actor reserves the rest of its CPU (:data:`ACTOR_CPU`), so a
#: node full of actors still has room for read tasks (with whole CPUs a 1-CPU runtime's one
#: actor left none, and the run waited for ever). Reading and checking costs ~2 % of what
#: summarizing does per record (benchmarks/scale.py prints both rates).
READ_CPU = 0.05
ACTOR_CPU = 1 - READ_CPU
#: Bytes of rows after which a read task hands on a block, whatever its rows. It is also the
#: run's DataContext.target_max_block_size: Ray Data's read operator holds a task's blocks
#: until they add up to that (128 MiB by default: a pipe's rows reached an actor only at its
#: end). Small blocks keep every actor busy once Ray Data no longer cuts each read task's
#: blocks into 200 (its default parallelism; the run asks for ``max(inputs, actors)``): with
#: that cut, 1 MiB blocks cost the read task ~0.3 CPU-s each, and at 32 MiB (~8,000
#: articles) a block went to one actor while the other waited. 50,000 records on 2 actors,
#: quiet machine: 383 records/s at 32 MiB, 535 at 1 MiB without the cut (docs/benchmarks.md).
BLOCK_BYTES = 1 * 2**20


def _rows_table(
    files: list[int],
    lines: list[int],
    kinds: list[int],
    ids: list[str | None],
    payloads: list[bytes],
) -> Any:
    import pyarrow as pa

    return pa.table(
        {
            "file": pa.array(files, pa.int32()),
            "line": pa.array(lines, pa.int64()),
            "kind": pa.array(kinds, pa.int8()),
            "id": pa.array(ids, pa.string()),
            "payload": pa.array(payloads, pa.large_binary()),
        }
    )


def _read(index: int, source: str, done: Any, block_rows: int, block_bytes: int) -> Iterator[Any]:
    """Yield the rows of input ``index`` (``source``) in blocks of ``block_rows`` rows or
    ``block_bytes`` bytes of records, whichever comes first."""
    done_ids: frozenset[str] = ray.get(done) if done is not None else frozenset()
    files: list[int] = []
    lines: list[int] = []
    kinds: list[int] = []
    ids: list[str | None] = []
    payloads: list[bytes] = []
    size = 0
    for got in read_records(source, stream=_open(source)):
        files.append(index)
        if isinstance(got, DataFormatError):
            lines.append(got.line or 0)
            kinds.append(BAD)
            ids.append(None)
            payloads.append(pickle.dumps(got))
        else:
            lines.append(got.line)
            ids.append(got.id)
            if got.id in done_ids:
                kinds.append(SKIP)
                payloads.append(b"")
            else:
                kinds.append(ITEM)
                fields = (got.text, got.html, got.url, got.title, got.language)
                payloads.append(pickle.dumps(fields, protocol=pickle.HIGHEST_PROTOCOL))
        size += len(payloads[-1])
        if len(files) >= block_rows or size >= block_bytes:
            yield _rows_table(files, lines, kinds, ids, payloads)
            files, lines, kinds, ids, payloads, size = [], [], [], [], [], 0
    if files:
        yield _rows_table(files, lines, kinds, ids, payloads)


class InputDatasource(Datasource):
    """The inputs of a run, one read task per file, read in blocks of rows as they are read.

    Local paths are read on the driver's node (``supports_distributed_reads`` is False
    then, as for Ray's own ``local://`` paths: Ray schedules the read tasks there); when
    every input is a URI, read tasks run on any node.
    """

    def __init__(
        self, inputs: Sequence[str], *, done: Any, block_rows: int, block_bytes: int = BLOCK_BYTES
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Ray leaves it unannotated
        self._inputs = list(inputs)
        #: An object reference to the ids to skip (put once, read by each task), or None.
        self._done = done
        self._block_rows = block_rows
        self._block_bytes = block_bytes

    @property
    def supports_distributed_reads(self) -> bool:
        return all(is_uri(source) for source in self._inputs)

    def get_name(self) -> str:
        return "NewsbriefInputs"

    def estimate_inmemory_data_size(self) -> int | None:
        return None

    def get_read_tasks(
        self,
        parallelism: int,
        per_task_row_limit: int | None = None,
        data_context: DataContext | None = None,
    ) -> list[ReadTask]:
        # One task per input, whatever the parallelism asked for: a file is read in order.
        return [
            ReadTask(
                functools.partial(
                    _read, index, source, self._done, self._block_rows, self._block_bytes
                ),
                BlockMetadata(num_rows=None, size_bytes=None, exec_stats=None, input_files=None),
                per_task_row_limit=per_task_row_limit,
            )
            for index, source in enumerate(self._inputs)
        ]


def _lines(
    options: SummaryOptions, ceiling: float | None, hook: bytes | None, items: list[BatchItem]
) -> list[tuple[bytes, bool]]:
    """Summarize ``items`` (in the worker process): each one's output line and whether it failed.

    ``hook`` is a pickled function called with the items first (fault-injection tests).
    """
    if hook is not None:
        from ray import cloudpickle

        cloudpickle.loads(hook)(items)
    results = summarize_items(items, options, ceiling=ceiling)
    return [(output_line(r).encode("utf-8"), r["error"] is not None) for r in results]


def _crashed(options: SummaryOptions, item: BatchItem) -> tuple[bytes, bool]:
    return output_line(crashed_line(options, item)).encode("utf-8"), True


class SummarizeBatches:
    """``map_batches``' callable class: summarizes a batch of rows in a supervised worker.

    ``in_worker`` (pickled with cloudpickle) is called in the worker process with each list of
    records it is given, ``in_actor`` in the actor with each batch's records: hooks for
    fault-injection tests.
    """

    def __init__(
        self,
        options: SummaryOptions,
        ceiling: float | None,
        memory_bytes: int | None,
        in_worker: bytes | None = None,
        in_actor: Callable[[list[BatchItem]], None] | None = None,
    ) -> None:
        self._worker: SupervisedWorker[BatchItem, tuple[bytes, bool]] = SupervisedWorker(
            functools.partial(_lines, options, ceiling, in_worker),
            on_crash=functools.partial(_crashed, options),
            initializer=init_worker,
            initargs=(memory_bytes,),
        )
        self._in_actor = in_actor
        # The worker process (and the forkserver it comes from, which loads the models) is
        # started with the actor, not on its first batch.
        self._worker.run([])

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        kinds = batch.column("kind").to_pylist()
        ids = batch.column("id").to_pylist()
        lines = batch.column("line").to_pylist()
        payloads = batch.column("payload").to_pylist()
        items = [
            BatchItem(ids[k], lines[k], *pickle.loads(payloads[k]))
            for k, kind in enumerate(kinds)
            if kind == ITEM
        ]
        if self._in_actor is not None:
            self._in_actor(items)
        results = iter(self._worker.run(items) if items else [])
        data: list[bytes] = []
        failed: list[bool] = []
        for kind, payload in zip(kinds, payloads, strict=True):
            if kind == ITEM:
                line, bad = next(results)
                data.append(line)
                failed.append(bad)
            else:  # a bad line's error goes on to the driver, which reports it
                data.append(payload if kind == BAD else b"")
                failed.append(False)
        out = batch.select(["file", "line", "kind", "id"])
        out = out.append_column("data", pa.array(data, pa.large_binary()))
        return out.append_column("failed", pa.array(failed, pa.bool_()))
