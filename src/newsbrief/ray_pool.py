"""The actors of ``--engine ray``: shards streamed to a pool, and a record that kills its actor.

:func:`run_shards` takes an iterator of shards (``(number, records)``, read lazily by the
driver) and a pool of Ray actors, one CPU each, that load the summarizer once. It keeps at
most :data:`IN_FLIGHT_PER_ACTOR` shards per actor in flight and reads the next shard only
when one comes back, so the driver's memory stays flat whatever the input's size and the first
shard is written as soon as it is summarized. Each actor returns a shard's output lines as
ready-made bytes; the driver only writes them.

Every actor applies the local engine's per-record ceilings (``newsbrief.workers``): a record
past its time ceiling gets a ``record_timeout`` line, one past the memory limit a
``record_memory`` line. An actor that dies anyway (killed for memory, a crash in native code)
is replaced, and each shard it held is run again **one record at a time**, each on an actor
with nothing else to do; the record whose actor dies again gets the local engine's
``worker_crashed`` line, and the run goes on.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from newsbrief.batch import BatchItem, crashed_line, output_line, summarize_items
from newsbrief.errors import BackendError
from newsbrief.models import SummaryOptions

__all__ = ["IN_FLIGHT_PER_ACTOR", "ShardResult", "run_shards"]

#: Shards sent to one actor at a time: one it works on and one waiting, so it never waits for
#: the driver; with more the driver would only hold more of the input.
IN_FLIGHT_PER_ACTOR = 2

#: A record as sent to an actor: BatchItem's fields in order (a tuple pickles smaller and
#: faster than a dataclass or a dict).
Record = tuple[str, int, str | None, str | None, str | None, str | None, str | None]


@dataclass
class ShardResult:
    """A summarized shard: its number, its output lines (UTF-8) and its counts."""

    shard: int
    data: bytes
    done: int
    failed: int


class SummarizeActor:
    """A Ray actor: loads the summarizer once, then turns lists of records into output lines."""

    def __init__(
        self,
        options: SummaryOptions,
        ceiling: float | None,
        memory_bytes: int | None,
        before_shard: Callable[[int], None] | None = None,
    ) -> None:
        from newsbrief import _forkserver_warmup, summarizers  # noqa: F401 (loads the models)
        from newsbrief.workers import init_worker

        summarizers.get(options.method, **dict(options.config))
        # As a local worker: the models are loaded, then the memory limit applies to records.
        init_worker(memory_bytes)
        self.options = options
        self.ceiling = ceiling
        self.before_shard = before_shard

    def summarize(self, shard: int, records: list[Record]) -> tuple[bytes, int, int]:
        """Return the output lines of ``records`` (UTF-8) and how many were done and failed."""
        if self.before_shard is not None:
            self.before_shard(shard)
        items = [BatchItem(*record) for record in records]
        results = summarize_items(items, self.options, ceiling=self.ceiling)
        failed = sum(result["error"] is not None for result in results)
        data = "".join(output_line(result) for result in results).encode("utf-8")
        return data, len(results) - failed, failed


def as_record(item: BatchItem) -> Record:
    """Return ``item`` as the tuple an actor takes."""
    return (item.id, item.line, item.text, item.html, item.url, item.title, item.language)


@dataclass
class _Unit:
    """Work for one actor call: a whole shard, or one record of a shard being isolated."""

    shard: int
    items: list[BatchItem]
    #: Position of a single record in its shard; None for a whole shard.
    position: int | None = None


@dataclass
class _Slot:
    """One actor of the pool and the calls it holds."""

    handle: Any
    in_flight: list[Any] = field(default_factory=list)
    isolating: bool = False


@dataclass
class _Isolated:
    """A shard whose records are being run one at a time: their lines as they come back."""

    parts: list[bytes | None]
    done: int = 0
    failed: int = 0


def run_shards(
    ray: Any,
    shards: Iterator[tuple[int, list[BatchItem]]],
    *,
    actors: int,
    options: SummaryOptions,
    ceiling: float | None,
    memory_bytes: int | None,
    on_shard: Callable[[ShardResult], None],
    before_shard: Callable[[int], None] | None = None,
) -> None:
    """Summarize ``shards`` on ``actors`` Ray actors; call ``on_shard`` as each one is done.

    ``shards`` is read in a thread of its own, at most ``actors`` shards ahead of the
    :data:`IN_FLIGHT_PER_ACTOR` per actor in flight, so finished shards are written while the
    input is slow to come (a pipe, object storage). Shards may finish out of order. The
    actors are killed when this returns or raises.

    Raises:
        BackendError: an actor could not start (its ``__init__`` failed), or a call failed
            for another reason than its actor dying or running out of memory (the shards
            done so far have been passed to ``on_shard``).
    """
    remote = ray.remote(num_cpus=1, max_restarts=0, max_task_retries=0)(SummarizeActor)

    def start() -> Any:
        return remote.remote(options, ceiling, memory_bytes, before_shard)

    # Actors are started as work comes: a run of one shard starts one actor.
    slots: list[_Slot] = []
    pending: dict[Any, tuple[_Unit, _Slot, Any]] = {}
    singles: deque[_Unit] = deque()
    isolated: dict[int, _Isolated] = {}
    reader = _Reader(shards, size=actors)

    def next_shard() -> _Unit | None:
        # Waits for the input only when no actor has anything to return meanwhile.
        got = reader.peek(block=not pending)
        return None if got is None else _Unit(*got)

    def next_unit(slot: _Slot) -> _Unit | None:
        if slot.isolating:
            return None
        if singles:
            # One record alone on an actor: if the actor dies, that record killed it.
            return singles.popleft() if not slot.in_flight else None
        unit = next_shard()
        if unit is not None:
            reader.take()
        return unit

    def fill(slot: _Slot) -> None:
        while len(slot.in_flight) < IN_FLIGHT_PER_ACTOR:
            unit = next_unit(slot)
            if unit is None:
                return
            submit(slot, unit)

    def submit(slot: _Slot, unit: _Unit) -> None:
        records = [as_record(item) for item in unit.items]
        ref = slot.handle.summarize.remote(unit.shard, records)
        slot.in_flight.append(ref)
        slot.isolating = unit.position is not None
        pending[ref] = (unit, slot, slot.handle)

    def finish_part(unit: _Unit, data: bytes, done: int, failed: int) -> None:
        assert unit.position is not None
        shard = isolated[unit.shard]
        shard.parts[unit.position] = data
        shard.done += done
        shard.failed += failed
        if all(part is not None for part in shard.parts):
            del isolated[unit.shard]
            joined = b"".join(part for part in shard.parts if part is not None)
            on_shard(ShardResult(unit.shard, joined, shard.done, shard.failed))

    def suspect(unit: _Unit) -> None:
        """A call whose actor died: run a shard's records one at a time; fail a lone record."""
        if unit.position is None:
            isolated[unit.shard] = _Isolated(parts=[None] * len(unit.items))
            singles.extend(_Unit(unit.shard, [item], k) for k, item in enumerate(unit.items))
        else:
            line = output_line(crashed_line(options, unit.items[0])).encode("utf-8")
            finish_part(unit, line, 0, 1)

    try:
        while True:
            for slot in slots:
                fill(slot)
            while len(slots) < actors and (singles or next_shard() is not None):
                slots.append(_Slot(start()))
                fill(slots[-1])
            if not pending:
                if reader.finished():
                    return
                continue
            # While the input is still coming, look at it again now and then.
            wait = None if reader.finished() else 0.2
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=wait)
            if not ready:
                continue
            ref = ready[0]
            unit, slot, handle = pending.pop(ref)
            slot.in_flight.remove(ref)
            slot.isolating = False
            try:
                data, done, failed = ray.get(ref)
            except ray.exceptions.RayActorError as exc:
                if exc.actor_init_failed:
                    raise BackendError(f"a Ray actor could not start ({_first_line(exc)})") from exc
                if slot.handle is handle:  # its other calls fail too: replace it once
                    slot.handle = start()
                suspect(unit)
                continue
            except ray.exceptions.RayTaskError as exc:
                if not isinstance(exc.cause, MemoryError):
                    raise
                # Out of memory outside any one record (the shard's arguments under the
                # actor's limit): as when an actor dies, its records are run one at a time.
                suspect(unit)
                continue
            if unit.position is None:
                on_shard(ShardResult(unit.shard, data, done, failed))
            else:
                finish_part(unit, data, done, failed)
    finally:
        reader.close()
        for slot in slots:
            ray.kill(slot.handle)


class _Reader:
    """Reads shards from an iterator in a thread, up to ``size`` ahead; passes on its errors."""

    _END = object()

    def __init__(self, shards: Iterator[tuple[int, list[BatchItem]]], *, size: int) -> None:
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=size)
        self._stop = threading.Event()
        self._head: Any = None
        self._done = False
        self._thread = threading.Thread(
            target=self._run, args=(shards,), name="newsbrief-ray-reader", daemon=True
        )
        self._thread.start()

    def _run(self, shards: Iterator[tuple[int, list[BatchItem]]]) -> None:
        try:
            for shard in shards:
                if not self._put(shard):
                    return
        except BaseException as exc:  # handed to the driver's loop, which raises it
            self._put(exc)
            return
        self._put(self._END)

    def _put(self, value: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def peek(self, *, block: bool) -> tuple[int, list[BatchItem]] | None:
        """Return the next shard without taking it; None at the end or, unless ``block``,
        when none is read yet. Raises what reading raised."""
        if self._head is None and not self._done:
            try:
                self._head = self._queue.get(block=block)
            except queue.Empty:
                return None
        if self._head is self._END:
            self._head, self._done = None, True
        if isinstance(self._head, BaseException):
            raise self._head
        head: tuple[int, list[BatchItem]] | None = self._head
        return head

    def take(self) -> None:
        """Drop the shard :meth:`peek` returned."""
        self._head = None

    def finished(self) -> bool:
        """Return True once every shard has been taken."""
        return self._done

    def close(self) -> None:
        """Stop reading (a thread blocked on a slow input ends when its read returns)."""
        self._stop.set()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
