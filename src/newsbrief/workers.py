"""Batch worker processes: a ceiling per record, and an exit when the parent dies.

A worker process (``newsbrief batch --workers N``, N > 1) is started with :func:`init_worker`:

- it exits as soon as the process that started it dies (a ``kill -9`` of the batch left its
  workers, forkserver and resource tracker running for ever: ~330 MB);
- its memory is limited (``resource.RLIMIT_DATA``, ``newsbrief.limits.BATCH_WORKER_MEMORY``),
  so a record that needs more gets a ``MemoryError`` -- an error line -- instead of the kernel's
  OOM killer taking the whole worker;
- :func:`record_time_limit` stops a record that runs past its summary's time limit plus
  ``BATCH_RECORD_GRACE`` (``SIGALRM`` in the worker's main thread).

A worker that dies anyway (a crash in native code) is handled by ``batch.ordered_map``: the
records it held are run again one at a time, and the one that kills its process gets an error
line (``worker_crashed``).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["RecordTimeout", "init_worker", "record_time_limit"]


class RecordTimeout(Exception):
    """A batch record ran past its ceiling (raised in the worker by ``SIGALRM``)."""


def _exit_with_parent() -> None:
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    parent.join()  # returns when the parent's end of the pipe closes: it has exited or died
    os._exit(1)


def init_worker(memory_bytes: int | None) -> None:
    """Set up a batch worker process: watch the parent, limit memory (None: no limit)."""
    threading.Thread(target=_exit_with_parent, name="exit-with-parent", daemon=True).start()
    if memory_bytes is not None:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        if hard != resource.RLIM_INFINITY:
            memory_bytes = min(memory_bytes, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (memory_bytes, hard))


def _raise_timeout(signum: int, frame: FrameType | None) -> None:
    raise RecordTimeout()


@contextmanager
def record_time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ``RecordTimeout`` in the block after ``seconds`` (main thread only; else no limit).

    Python code is stopped between two bytecodes; a native call (a regular expression, a
    matrix product) is stopped when it returns.
    """
    if seconds is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
