"""``newsbrief batch --engine ray``: the batch job on Ray actors, from a laptop to a cluster.

The records, the output lines and every rule about them are the local engine's
(:mod:`newsbrief.batch`): the same reader (bad lines, duplicate ids, ``--resume``, ``--strict``),
the same "summarize one record" and the same line format, so both engines write byte-identical
records. What differs is where the work runs and where it lands:

- **Inputs**: one or many JSONL / JSONL.gz files or globs, on local disk or on any filesystem
  pyarrow opens by URI (``s3://``, ``gs://``, ``abfs://``, ``hdfs://``, ``file://``).
- **Output**: ``OUT`` is a directory of shards ``part-000000.jsonl``, ``part-000001.jsonl``...
  (each :data:`SHARD_SIZE` records, in input order) and ``manifest.json`` (inputs, options,
  counts, versions, one entry per run).
- **Work**: a Ray Data pipeline (:mod:`newsbrief.ray_data`). A datasource reads and checks
  the inputs, one read task per file (local paths on the driver's node, URIs anywhere),
  yielding blocks of rows as it reads; ``map_batches`` runs them through a pool of actors,
  one CPU each, whose callable class summarizes each batch in a worker process of its own.
  The driver goes through the summarized rows in input order (``preserve_order``): it
  reports bad lines, drops repeated ids and writes every :data:`SHARD_SIZE` records as a
  shard, to a temporary name renamed into place. Its memory stays flat for any input size.

**Exactly once.** A shard file is complete or absent (temporary name, fsync, rename). A record
that fails gets an error line, as in the local engine, and so does a record past the local
engine's per-record time or memory ceiling (``record_timeout``, ``record_memory``). A record
that kills its worker process is run again alone and gets a ``worker_crashed`` line, as in
the local engine; the actor lives on. An actor that dies (a lost node, ``ray.kill``) is
restarted by Ray Data and its batch run again; the driver writes each row once, in input
order. A run that stops keeps the shards already written, and ``--resume`` reads their ids
and skips them (the read tasks leave their fields out), so every input id ends up in
exactly one shard line.
"""

from __future__ import annotations

import dataclasses
import datetime
import fnmatch
import glob
import json
import logging
import os
import pickle
import platform
import re
import stat
import time
import uuid
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from newsbrief import limits
from newsbrief.batch import (
    BatchItem,
    BatchReport,
    InputRules,
    check_options,
    display_name,
    record_ceiling,
)
from newsbrief.datasets import iter_lines
from newsbrief.errors import (
    BackendError,
    DataFormatError,
    InputError,
    InvalidOptions,
    MissingDependency,
)
from newsbrief.models import SummaryOptions

__all__ = [
    "MANIFEST",
    "SHARD_SIZE",
    "ShardState",
    "expand_inputs",
    "import_ray",
    "is_uri",
    "open_output_dir",
    "read_shards",
    "run_ray_batch",
]

INSTALL_HINT = "--engine ray needs Ray: pip install 'newsbrief[ray]'"
#: Records per shard (output file).
SHARD_SIZE = 256
#: Rows per read block and per actor call (map_batches' batch_size).
BATCH_SIZE = 256
MANIFEST = "manifest.json"
_BLAS = "OPENBLAS_NUM_THREADS"
_PART = re.compile(r"^part-(\d{6,})\.jsonl$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_GLOB = re.compile(r"[*?\[]")


@dataclass
class ShardState:
    """What an output directory already holds."""

    done_ids: set[str] = field(default_factory=set)
    shards: int = 0
    records: int = 0
    failed: int = 0
    next_index: int = 0


@dataclass
class RayBatchReport(BatchReport):
    """A batch report plus where the output went and how many shards this run wrote."""

    output: str = ""
    shards: int = 0
    #: Seconds to connect to (or start) Ray.
    start_seconds: float = 0.0
    #: Seconds from the start of the run to the first shard written (reading goes on meanwhile).
    first_shard_seconds: float = 0.0

    def describe(self) -> str:
        """Return the one-line summary printed at the end of a run."""
        return (
            f"{super().describe()}; {self.shards} "
            f"{'shard' if self.shards == 1 else 'shards'} written to {self.output}"
        )


def import_ray() -> Any:
    """Return the ``ray`` module.

    Raises:
        MissingDependency: Ray is not installed (the message says how to install it).
    """
    try:
        import ray
    except ImportError as exc:
        raise MissingDependency(INSTALL_HINT) from exc
    return ray


# --- inputs


def is_uri(path: str) -> bool:
    """Return True for a URI with a scheme (``s3://...``), read through pyarrow."""
    return bool(_URI.match(path))


def _matches(names: list[str], pattern: list[str]) -> bool:
    """Match path segments as glob.glob(recursive=True) does: ``**`` spans any directories."""
    if not pattern:
        return not names
    if pattern[0] == "**":
        return any(_matches(names[k:], pattern[1:]) for k in range(len(names) + 1))
    return (
        bool(names)
        and fnmatch.fnmatchcase(names[0], pattern[0])
        and _matches(names[1:], pattern[1:])
    )


def _glob_uri(pattern: str) -> list[str]:
    import pyarrow.fs

    scheme_end = pattern.index("://") + 3
    parts = pattern[scheme_end:].split("/")
    first = next(i for i, part in enumerate(parts) if _GLOB.search(part))
    base = pattern[:scheme_end] + "/".join(parts[:first])
    rest = "/".join(parts[first:])
    try:
        fs, root = pyarrow.fs.FileSystem.from_uri(base)
        infos = fs.get_file_info(pyarrow.fs.FileSelector(root, recursive="/" in rest))
    except (OSError, ValueError) as exc:
        raise InputError(f"{pattern}: cannot list ({exc})") from None
    matches = []
    for info in infos:
        relative = info.path[len(root.rstrip("/")) :].lstrip("/")
        if info.type == pyarrow.fs.FileType.File and _matches(relative.split("/"), parts[first:]):
            matches.append(base.rstrip("/") + "/" + relative)
    return sorted(matches)


def expand_inputs(patterns: Sequence[str]) -> list[str]:
    """Return the input files ``patterns`` name, in order: globs expanded (sorted), repeats dropped.

    A pattern is a local path or glob (``**`` recurses), ``-`` for stdin, or a URI a pyarrow
    filesystem opens (``s3://bucket/crawl/*.jsonl.gz``).

    Raises:
        InputError: a glob matches no file, or a URI's directory cannot be listed.
    """
    files: list[str] = []
    for pattern in patterns:
        if pattern != "-" and _GLOB.search(pattern):
            if is_uri(pattern):
                found = _glob_uri(pattern)
            else:
                found = sorted(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p))
            if not found:
                raise InputError(f"{pattern}: no file matches")
            files.extend(found)
        else:
            files.append(pattern)
    return list(dict.fromkeys(files))


def _open(source: str) -> IO[bytes] | None:
    """Open a file on a pyarrow filesystem (None for a local path or stdin: read as usual)."""
    if not is_uri(source):
        return None
    import pyarrow.fs

    try:
        fs, path = pyarrow.fs.FileSystem.from_uri(source)
        # Compression is detected from the data (gzip's magic number), as for local files.
        stream: IO[bytes] = fs.open_input_stream(path, compression=None)
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{source}: cannot open ({exc})") from None
    return stream


def _check_readable(source: str) -> None:
    if source == "-" or _is_pipe(source):
        return  # what a check reads from a pipe would be lost to the run
    lines = iter_lines(source, stream=_open(source))
    try:
        next(lines)
    finally:
        if isinstance(lines, Generator):
            lines.close()


def _refuse_stdin(inputs: Sequence[str]) -> None:
    if "-" in inputs:
        raise InvalidOptions(
            "--engine ray cannot read stdin (-): its inputs are read by Ray tasks in "
            "processes of their own; write it to a file (a named pipe works too), or use "
            "--engine local"
        )


def _is_pipe(source: str) -> bool:
    if is_uri(source):
        return False
    try:
        return stat.S_ISFIFO(os.stat(source).st_mode)
    except OSError:
        return False


# --- the output directory


def _part_name(index: int) -> str:
    return f"part-{index:06d}.jsonl"


def read_shards(out_dir: str | Path) -> ShardState:
    """Return the ids, counts and next shard number of the shards in ``out_dir``.

    Raises:
        DataFormatError: a shard holds a line that is not a JSON object with an ``id`` (shards
            are renamed into place only when complete, so it was not written by newsbrief).
    """
    state = ShardState()
    root = Path(out_dir)
    if not root.is_dir():
        return state
    for path in sorted(root.iterdir()):
        match = _PART.match(path.name)
        if not match:
            continue
        state.shards += 1
        state.next_index = max(state.next_index, int(match.group(1)) + 1)
        with path.open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                try:
                    obj = json.loads(raw)
                except ValueError:
                    obj = None
                if not isinstance(obj, dict) or "id" not in obj:
                    raise DataFormatError(
                        "cannot resume: this line of a shard is not a JSON object with an 'id' "
                        "(is the directory a newsbrief batch output?)",
                        path=str(path),
                        line=number,
                    )
                state.done_ids.add(str(obj["id"]))
                state.records += 1
                state.failed += obj.get("error") is not None
    return state


def _ours(path: Path) -> bool:
    return bool(_PART.match(path.name)) or path.name == MANIFEST or path.name.endswith(".tmp")


def open_output_dir(
    out_dir: str | Path, *, inputs: Sequence[str], resume: bool, overwrite: bool
) -> ShardState:
    """Check the inputs and prepare ``out_dir`` for a run; return what it already holds.

    Every check comes before anything in ``out_dir`` is created or removed. ``overwrite``
    removes the shards, temporary files and manifest of an earlier run (and nothing else);
    ``resume`` keeps them and removes only temporary files left by a crash.

    Raises:
        InvalidOptions: both ``resume`` and ``overwrite``.
        InputError: ``out_dir`` is a file, or holds shards and neither ``resume`` nor
            ``overwrite`` was asked for; an input is missing, unreadable, or inside
            ``out_dir``.
        EmptyInput: an input holds no record.
        DataFormatError: ``resume`` on a directory whose shards are not batch output.
    """
    root = Path(out_dir)
    if resume and overwrite:
        raise InvalidOptions("give only one of --resume and --overwrite")
    _refuse_stdin(inputs)
    if root.exists() and not root.is_dir():
        raise InputError(
            f"{root} is a file; --engine ray writes a directory of shards: pass a directory "
            "path for -o"
        )
    for source in inputs:
        if not is_uri(source) and source != "-" and root.is_dir():
            try:
                if Path(source).resolve().is_relative_to(root.resolve()):
                    raise InputError(
                        f"the input {source} is inside the output directory {root}; "
                        "pass another path for -o"
                    )
            except OSError:
                pass
        _check_readable(source)
    existing = [p for p in root.iterdir() if _ours(p)] if root.is_dir() else []
    if any(_PART.match(p.name) for p in existing) and not (resume or overwrite):
        raise InputError(
            f"{root} already holds shards; pass --resume to continue it or --overwrite to "
            "replace it"
        )
    state = read_shards(root) if resume else ShardState()
    try:
        root.mkdir(parents=True, exist_ok=True)
        for path in existing:
            if overwrite or path.name.endswith(".tmp"):
                path.unlink()
    except OSError as exc:
        raise InputError(f"{root}: cannot write ({exc.strerror})") from None
    return state


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --- the run


def _options_dict(options: SummaryOptions) -> dict[str, Any]:
    plain: dict[str, Any] = json.loads(json.dumps(dataclasses.asdict(options), default=str))
    return plain


def _write_manifest(
    root: Path, *, inputs: Sequence[str], options: SummaryOptions, run: dict[str, Any]
) -> None:
    import ray

    path = root / MANIFEST
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
        runs = list(old.get("runs", [])) if isinstance(old, dict) else []
    except (OSError, ValueError):
        runs = []
    state = read_shards(root)
    from newsbrief import __version__

    manifest = {
        "engine": "ray",
        "inputs": list(inputs),
        "options": _options_dict(options),
        "shards": state.shards,
        "records": state.records,
        "errors": state.failed,
        "versions": {
            "newsbrief": __version__,
            "ray": ray.__version__,
            "python": platform.python_version(),
        },
        "runs": [*runs, run],
    }
    _write_atomic(path, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())


def _start_ray(ray: Any, address: str | None, num_cpus: int | None, *, verbose: bool) -> bool:
    """Connect to (or start) Ray; return True when this call started it.

    Unless ``verbose``, Ray's informational log lines are left out. Every actor's process
    runs with ``OPENBLAS_NUM_THREADS=1`` (see README: BLAS threads only spin).
    """
    level = logging.INFO if verbose else logging.ERROR
    import ray.data as _  # noqa: F401  (its logging set-up first, then the level)

    logging.getLogger("ray.data").setLevel(level)
    if ray.is_initialized():
        return False
    common: dict[str, Any] = {"log_to_driver": False, "logging_level": level}
    if not address:
        # A local runtime's workers inherit the environment of the daemons ray.init starts. A
        # runtime_env instead made each actor wait for a worker set up for it, not one of the
        # workers Ray starts ahead: +6 s per actor start (5.9-7.2 s against 11.9-13.2 s for
        # two actors, load ~20 on 2 cores).
        saved = os.environ.get(_BLAS)
        os.environ[_BLAS] = "1"
        try:
            ray.init(num_cpus=num_cpus, include_dashboard=False, **common)
        finally:
            if saved is None:
                del os.environ[_BLAS]
            else:
                os.environ[_BLAS] = saved
        return True
    common["runtime_env"] = {"env_vars": {_BLAS: "1"}}  # the nodes of a cluster inherit nothing
    try:
        ray.init(address=address, **common)
    except Exception as exc:  # Ray's own errors for a cluster that is not there vary by version
        raise BackendError(
            f"cannot connect to the Ray cluster at {address} ({_first_line(exc)}); check "
            "--address (auto: the cluster `ray start --head` began on this machine; "
            "ray://HOST:10001: a remote head's Ray Client port)"
        ) from exc
    return True


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


_CAUSED = "The above exception was the direct cause of the following exception:"


def _why(exc: BaseException) -> str:
    """Name what stopped a Ray run: the user code's exception inside Ray's wrappers.

    Ray Data wraps an exception raised in an actor in a ``UserCodeException`` whose own cause
    stays behind in the actor; the traceback text it carries ends with the original's
    ``Type: message`` line, just before Python's "direct cause" line.
    """
    text = str(exc)
    if _CAUSED in text:
        before = [line for line in text.split(_CAUSED, 1)[0].splitlines() if line.strip()]
        if before and not before[-1].startswith(" "):
            return before[-1].strip()[:300]
    cause = getattr(exc, "cause", None)
    if isinstance(cause, BaseException):
        return f"{type(cause).__name__}: {_first_line(cause)}"
    return _first_line(exc)


def run_ray_batch(
    inputs: Sequence[str],
    out_dir: str | Path,
    *,
    options: SummaryOptions,
    state: ShardState | None = None,
    address: str | None = None,
    num_cpus: int | None = None,
    strict: bool = False,
    shard_size: int = SHARD_SIZE,
    batch_size: int = BATCH_SIZE,
    block_bytes: int | None = None,
    on_bad_line: Callable[[str], None] | None = None,
    progress: Callable[[int], None] | None = None,
    verbose: bool = False,
    on_message: Callable[[str], None] | None = None,
    in_worker: Callable[[list[BatchItem]], None] | None = None,
    in_actor: Callable[[list[BatchItem]], None] | None = None,
) -> RayBatchReport:
    """Summarize every record of ``inputs`` into shards in ``out_dir`` on Ray Data.

    ``state`` is what :func:`open_output_dir` returned (its ids are skipped, as with
    ``--resume``). ``address`` is a Ray cluster (``auto``, ``ray://host:10001``); without one a
    local Ray runtime is started with ``num_cpus``. ``num_cpus`` is the number of actors
    (one CPU each; default, and at most, every CPU of the cluster). ``batch_size`` is the rows
    per read block and per actor call; ``block_bytes`` the bytes of records after which a
    read task hands on a block with fewer rows (default ``ray_data.BLOCK_BYTES``). The driver
    goes through the summarized rows in input order, as they come: it reports bad lines
    (``on_bad_line``), drops repeated ids and writes every ``shard_size`` records as a shard.
    ``on_message`` gets a line when the run starts;
    ``progress`` the records handled (skipped lines as they come, records as their shard is
    written). ``verbose`` keeps Ray's own informational log lines and Ray Data's progress
    bars. ``in_worker`` is called in an actor's worker process with each list of records it
    is given, ``in_actor`` in the actor with each batch's records (fault-injection tests).

    Raises:
        MissingDependency: Ray is not installed.
        InvalidOptions: ``num_cpus``, ``shard_size`` or ``batch_size`` below 1.
        DataFormatError: a malformed input line under ``strict`` (earlier shards are written).
        BackendError: the Ray run failed (an actor could not start, a batch failed for another
            reason than a record's, an input could not be read to its end, the cluster went
            away); the shards written so far are kept for ``--resume``.
    """
    ray = import_ray()
    for name, value in [("--num-cpus", num_cpus), ("shard_size", shard_size)]:
        if value is not None and value < 1:
            raise InvalidOptions(f"{name} must be at least 1 (got {value})")
    if batch_size < 1:
        raise InvalidOptions(f"batch_size must be at least 1 (got {batch_size})")
    check_options(options=options)
    _refuse_stdin(inputs)
    state = state or ShardState()
    root = Path(out_dir)
    report = RayBatchReport(output=str(root))
    stop: list[DataFormatError] = []
    rules = InputRules(
        report=report,
        done_ids=state.done_ids,
        strict=strict,
        stop=stop,
        on_bad_line=on_bad_line,
        progress=progress,
    )
    names = [display_name(source) for source in inputs]
    started = time.perf_counter()
    run: dict[str, Any] = {
        "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "address": address,
        "num_cpus": num_cpus,
    }
    we_started = _start_ray(ray, address, num_cpus, verbose=verbose)
    report.start_seconds = time.perf_counter() - started
    shard: list[bytes] = []
    shard_failed = 0
    index = state.next_index

    def write_shard() -> None:
        nonlocal shard, shard_failed, index
        if not shard:
            return
        _write_atomic(root / _part_name(index), b"".join(shard))
        if report.shards == 0:
            report.first_shard_seconds = time.perf_counter() - started
        report.shards += 1
        report.failed += shard_failed
        report.done += len(shard) - shard_failed
        if progress is not None:
            progress(len(shard))
        shard, shard_failed, index = [], 0, index + 1

    context: Any = None
    saved: tuple[bool, bool, int | None] | None = None
    try:
        from newsbrief import ray_data

        # An actor beyond the cluster's CPUs would never be scheduled, and its batches would
        # wait for ever: --num-cpus is capped at what the cluster has.
        cluster_cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        actors = min(num_cpus or cluster_cpus, cluster_cpus)
        if on_message is not None:
            on_message(
                f"reading and checking {_plural(len(inputs), 'input')}; summarizing on "
                f"{_plural(actors, 'actor')}"
            )
        context = ray.data.DataContext.get_current()
        saved = (
            context.execution_options.preserve_order,
            context.enable_progress_bars,
            context.target_max_block_size,
        )
        # The driver sees the rows in input order: shards, bad lines and repeated ids follow it.
        context.execution_options.preserve_order = True
        context.enable_progress_bars = verbose
        block_bytes = block_bytes or ray_data.BLOCK_BYTES
        # Blocks leave their read task as they are read (see ray_data.BLOCK_BYTES).
        context.target_max_block_size = block_bytes
        done = ray.put(frozenset(state.done_ids)) if state.done_ids else None
        hook = None
        if in_worker is not None:
            from ray import cloudpickle

            hook = cloudpickle.dumps(in_worker)  # type: ignore[no-untyped-call]  # unannotated
        dataset = ray.data.read_datasource(
            ray_data.InputDatasource(
                inputs, done=done, block_rows=batch_size, block_bytes=block_bytes
            ),
            num_cpus=ray_data.READ_CPU,
            # Ray Data would cut each read task's blocks into 200 (its default parallelism),
            # each cut a cost; it refuses fewer than the actors.
            override_num_blocks=max(len(inputs), actors),
        ).map_batches(
            ray_data.SummarizeBatches,
            fn_constructor_args=(
                options,
                record_ceiling(options),
                limits.BATCH_WORKER_MEMORY,
                hook,
                in_actor,
            ),
            batch_size=batch_size,
            batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(size=actors),
            num_cpus=ray_data.ACTOR_CPU,
            # An actor that dies (its node lost, ray.kill) is started again and its batch
            # run again: Ray Data's defaults for an actor pool (max_restarts and
            # max_task_retries -1). A record cannot kill an actor: SummarizeBatches runs
            # the records in a worker process of its own.
        )
        batches = iter(dataset.iter_batches(batch_size=None, batch_format="pyarrow"))
        try:
            for batch in batches:
                columns = [
                    batch.column(name).to_pylist()
                    for name in ("file", "line", "kind", "id", "data", "failed")
                ]
                for file, line, kind, rid, data, failed in zip(*columns, strict=True):
                    if kind == ray_data.BAD:
                        if rules.refuse(pickle.loads(data)):
                            break
                    elif rules.admit(rid, where=names[file], line=line):
                        shard.append(data)
                        shard_failed += failed
                        if len(shard) >= shard_size:
                            write_shard()
                    elif stop:
                        break
                if stop:
                    break
            write_shard()
        except (DataFormatError, OSError):
            raise
        except Exception as exc:
            written = _plural(report.shards, "shard")
            raise BackendError(
                f"the Ray run stopped ({_why(exc)}); the {written} written so far are "
                "kept: run the same command with --resume to finish"
            ) from exc
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()
        run["status"] = "stopped: " + str(stop[0]) if stop else "complete"
    except BaseException as exc:
        run["status"] = f"failed: {_first_line(exc)}"
        raise
    finally:
        if context is not None and saved is not None:
            (
                context.execution_options.preserve_order,
                context.enable_progress_bars,
                context.target_max_block_size,
            ) = saved
        report.seconds = time.perf_counter() - started
        run.update(
            seconds=round(report.seconds, 3),
            done=report.done,
            failed=report.failed,
            skipped=report.skipped,
            bad_lines=len(report.bad_lines),
            shards_written=report.shards,
        )
        try:
            if root.is_dir():
                _write_manifest(root, inputs=inputs, options=options, run=run)
        finally:
            if we_started:
                ray.shutdown()
    if stop:
        raise stop[0]
    return report
