"""`newsbrief batch --engine ray`: same records as the local engine, exactly once, on Ray Data.

One local Ray runtime (2 CPUs) serves the whole module and is shut down at its end; every run
here is a few dozen records, as Ray is heavy on a small shared machine.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from llm_server import CountingLLM, FakeLLM, Reply, serve
from newsbrief import limits
from newsbrief.batch import BatchItem, crashed_line
from newsbrief.batch_ray import (
    MANIFEST,
    _start_ray,
    expand_inputs,
    open_output_dir,
    read_shards,
    run_ray_batch,
)
from newsbrief.cli import cli
from newsbrief.errors import BackendError, DataFormatError, InputError
from newsbrief.models import SummaryOptions
from test_batch import article, read_output, write_input

ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'newsbrief[ray]'")

# Under pytest-xdist (-n) one worker runs the whole module: one Ray runtime at a time.
pytestmark = pytest.mark.xdist_group("ray")


RUNTIME: dict[str, Any] = {"num_cpus": 2, "include_dashboard": False, "log_to_driver": False}


@pytest.fixture(scope="module", autouse=True)
def ray_runtime() -> Iterator[None]:
    # As batch_ray starts a local runtime: the workers inherit the daemons' environment.
    saved = os.environ.get("OPENBLAS_NUM_THREADS")
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    try:
        ray.init(**RUNTIME)
    finally:
        if saved is None:
            del os.environ["OPENBLAS_NUM_THREADS"]
        else:
            os.environ["OPENBLAS_NUM_THREADS"] = saved
    try:
        yield
    finally:
        ray.shutdown()


class FakeRay:
    """Records what ray.init was given, and the BLAS setting the daemons would inherit."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, Any], str | None]] = []

    def is_initialized(self) -> bool:
        return False

    def init(self, **kwargs: Any) -> None:
        self.calls.append((kwargs, os.environ.get("OPENBLAS_NUM_THREADS")))


@pytest.mark.parametrize("before", [None, "8"], ids=["unset", "set"])
def test_a_local_runtime_gets_one_blas_thread_through_its_environment(
    monkeypatch: pytest.MonkeyPatch, before: str | None
) -> None:
    # A runtime_env made every actor wait for a worker of its own (+6 s per actor start).
    if before is None:
        monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OPENBLAS_NUM_THREADS", before)
    fake = FakeRay()
    assert _start_ray(fake, None, 2, verbose=False) is True
    assert _start_ray(fake, "auto", None, verbose=False) is True
    (local, blas_local), (cluster, blas_cluster) = fake.calls
    assert blas_local == "1" and "runtime_env" not in local and local["num_cpus"] == 2
    # the nodes of a cluster inherit nothing from this process: a runtime_env is needed there
    assert cluster["runtime_env"] == {"env_vars": {"OPENBLAS_NUM_THREADS": "1"}}
    assert blas_cluster == before
    assert os.environ.get("OPENBLAS_NUM_THREADS") == before  # put back after ray.init


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, ["batch", *args])


def shard_rows(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in shard_bytes(out).decode().splitlines()]


def shard_bytes(out: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(out.glob("part-*.jsonl")))


def mixed_input(path: Path) -> Path:
    rows: list[str] = [json.dumps({"id": f"r{i}", "article": article(i)}) for i in range(14)]
    rows[3:3] = [
        "not json",
        json.dumps({"id": "r1", "article": "a repeated id"}),
        json.dumps({"id": "blank", "article": "   "}),
        json.dumps({"id": "web", "url": "https://example.com/story"}),
        json.dumps({"id": "page", "html": f"<html><body><p>{article(20)}</p></body></html>"}),
        json.dumps({"id": "ünï", "article": article(21), "title": "Café", "language": "en"}),
        json.dumps({"id": "lone", "article": "A lone \ud800 surrogate. " + article(22)}),
    ]
    data = ("\n".join(rows) + "\n").encode("utf-8")
    path.write_bytes(data + b'{"id": "latin1", "article": "caf\xe9"}\n')  # not UTF-8
    return path


@pytest.mark.parametrize(
    "flags",
    [[], ["-m", "lead", "-f", "bullets", "-s", "2"], ["-w", "30", "-f", "markdown"]],
    ids=["default", "lead-bullets", "words-markdown"],
)
def test_same_records_and_messages_as_the_local_engine(tmp_path: Path, flags: list[str]) -> None:
    src = mixed_input(tmp_path / "in.jsonl")
    local, shards = tmp_path / "local.jsonl", tmp_path / "shards"
    by_local = run(str(src), "-o", str(local), *flags)
    by_ray = run(str(src), "-o", str(shards), "--engine", "ray", "--num-cpus", "2", *flags)
    assert by_local.exit_code == by_ray.exit_code == 3, by_ray.output
    assert shard_bytes(shards) == local.read_bytes()
    skipped = [line for line in by_local.stderr.splitlines() if "skipped:" in line]
    assert skipped == [
        f"newsbrief: skipped: {src}:4: not valid JSON (Expecting value at column 1)",
        f"newsbrief: skipped: {src}:5: duplicate id 'r1' (first on line 2)",
        f"newsbrief: skipped: {src}:22: not valid UTF-8 (byte 33)",
    ]
    assert [line for line in by_ray.stderr.splitlines() if "skipped:" in line] == skipped
    last = by_ray.stderr.splitlines()[-1]
    counts = "newsbrief: 16 done, 0 skipped (already in output), 3 failed, 3 bad input lines in "
    assert by_local.stderr.splitlines()[-1].startswith(counts)
    assert last.startswith(counts)
    assert last.endswith(f"records/s); 1 shard written to {shards}")
    assert by_ray.stderr.splitlines()[0] == (
        "newsbrief: reading and checking 1 input; summarizing on 2 actors"
    )


def test_shards_follow_input_order_and_the_manifest_counts_them(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl", 23)
    out = tmp_path / "out"
    state = open_output_dir(out, inputs=[str(src)], resume=False, overwrite=False)
    report = run_ray_batch(
        [str(src)], out, options=SummaryOptions(), state=state, shard_size=5, num_cpus=1
    )
    assert (report.done, report.failed, report.shards) == (23, 0, 5)
    assert 0 < report.start_seconds < report.first_shard_seconds < report.seconds
    assert sorted(p.name for p in out.iterdir()) == [
        MANIFEST,
        *(f"part-00000{i}.jsonl" for i in range(5)),
    ]
    assert [len(p.read_text().splitlines()) for p in sorted(out.glob("part-*"))] == [5] * 4 + [3]
    assert [r["id"] for r in shard_rows(out)] == [f"r{i}" for i in range(23)]
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["engine"] == "ray"
    assert manifest["inputs"] == [str(src)]
    assert (manifest["shards"], manifest["records"], manifest["errors"]) == (5, 23, 0)
    assert manifest["options"]["method"] == "default"
    assert set(manifest["versions"]) == {"newsbrief", "ray", "python"}
    (only,) = manifest["runs"]
    assert only["status"] == "complete" and only["done"] == 23 and only["shards_written"] == 5


def test_many_inputs_globs_gzip_and_a_pyarrow_uri(tmp_path: Path) -> None:
    (tmp_path / "crawl" / "b").mkdir(parents=True)
    write_input(tmp_path / "crawl" / "a.jsonl", 3)
    plain = write_input(tmp_path / "plain.jsonl", 6)
    lines = plain.read_text().splitlines()
    (tmp_path / "crawl" / "b" / "c.jsonl.gz").write_bytes(
        gzip.compress(("\n".join(lines[3:]) + "\n").encode())
    )
    uri = f"file://{tmp_path}/crawl/**/*.gz"
    inputs = expand_inputs([str(tmp_path / "crawl" / "*.jsonl"), uri, f"file://{plain}"])
    assert inputs == [
        str(tmp_path / "crawl" / "a.jsonl"),
        f"file://{tmp_path}/crawl/b/c.jsonl.gz",
        f"file://{plain}",
    ]
    assert expand_inputs([f"file://{tmp_path}/*/*.jsonl*"]) == [f"file://{tmp_path}/crawl/a.jsonl"]
    out = tmp_path / "out"
    result = run(*inputs[:2], "-o", str(out), "--engine", "ray", "--num-cpus", "1")
    # a.jsonl holds r0-r2 and the .gz r3-r5: six distinct records from two files
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in shard_rows(out)] == [f"r{i}" for i in range(6)]
    again = run(*inputs[1:], "-o", str(tmp_path / "again"), "--engine", "ray", "--num-cpus", "1")
    assert again.exit_code == 3  # plain.jsonl repeats r3-r5 of the .gz file
    assert f"newsbrief: skipped: file://{plain}:4: duplicate id 'r3' (first in " in again.stderr


def test_unreadable_inputs_stop_before_the_output_is_made(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl", 2)
    (tmp_path / "empty.jsonl").write_text("\n")
    out = tmp_path / "out"
    cases = [
        (
            [str(src), str(tmp_path / "missing.jsonl")],
            f"{tmp_path / 'missing.jsonl'}: no such file",
        ),
        (
            [str(tmp_path / "empty.jsonl")],
            f"{tmp_path / 'empty.jsonl'}: no records (the file is empty)",
        ),
        ([str(tmp_path / "nothing-*.jsonl")], f"{tmp_path / 'nothing-*.jsonl'}: no file matches"),
        ([f"file://{tmp_path}/missing.jsonl"], f"file://{tmp_path}/missing.jsonl: no such file"),
    ]
    for inputs, message in cases:
        result = run(*inputs, "-o", str(out), "--engine", "ray")
        assert result.exit_code == 1, inputs
        assert result.stderr == f"newsbrief: error: {message}\n"
        assert not out.exists()
    # the same missing file is the same error on the local engine
    local = run(str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "o.jsonl"))
    assert local.stderr == f"newsbrief: error: {tmp_path / 'missing.jsonl'}: no such file\n"


def test_output_directory_rules(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl", 2)
    out = tmp_path / "out"
    assert run(str(src), "-o", str(out), "--engine", "ray", "--num-cpus", "1").exit_code == 0
    again = run(str(src), "-o", str(out), "--engine", "ray")
    assert again.exit_code == 1
    assert again.stderr == (
        f"newsbrief: error: {out} already holds shards; pass --resume to continue it or "
        "--overwrite to replace it\n"
    )
    (out / "notes.txt").write_text("mine")
    before = (out / "part-000000.jsonl").read_bytes()
    over = run(str(src), "-o", str(out), "--engine", "ray", "--num-cpus", "1", "--overwrite")
    assert over.exit_code == 0
    assert (out / "part-000000.jsonl").read_bytes() == before
    assert (out / "notes.txt").read_text() == "mine"  # only newsbrief's own files are replaced
    assert len(json.loads((out / MANIFEST).read_text())["runs"]) == 1
    done = run(str(src), "-o", str(out), "--engine", "ray", "--num-cpus", "1", "--resume")
    assert done.exit_code == 0
    assert "newsbrief: 0 done, 2 skipped (already in output), 0 failed" in done.stderr
    assert done.stderr.rstrip().endswith("0 shards written to " + str(out))
    assert len(json.loads((out / MANIFEST).read_text())["runs"]) == 2
    as_file = run(str(src), "-o", str(src), "--engine", "ray")
    assert as_file.stderr == (
        f"newsbrief: error: {src} is a file; --engine ray writes a directory of shards: "
        "pass a directory path for -o\n"
    )
    inside = run(str(out / "part-000000.jsonl"), "-o", str(out), "--engine", "ray", "--resume")
    assert inside.stderr == (
        f"newsbrief: error: the input {out / 'part-000000.jsonl'} is inside the output "
        f"directory {out}; pass another path for -o\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--engine", "ray", "-j", "2"], "--workers applies to --engine local; use --num-cpus"),
        (["--num-cpus", "2"], "--num-cpus applies to --engine ray"),
        (["--address", "auto"], "--address applies to --engine ray"),
    ],
)
def test_engine_options_belong_to_their_engine(
    tmp_path: Path, args: list[str], message: str
) -> None:
    src = write_input(tmp_path / "in.jsonl", 1)
    result = run(str(src), "-o", str(tmp_path / "out"), *args)
    assert result.exit_code == 1
    assert result.stderr == f"newsbrief: error: {message}\n"
    assert not (tmp_path / "out").exists()


def _kill_once(marker: Path, record: str) -> Any:
    """An in_actor hook: the actor holding ``record`` dies, once (as a lost node's would)."""

    def in_actor(items: list[BatchItem]) -> None:
        if any(item.id == record for item in items) and not marker.exists():
            marker.write_text(str(os.getpid()))
            os._exit(1)

    return in_actor


def test_an_actor_killed_mid_run_is_restarted_and_every_id_lands_once(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl", 20)
    out, marker = tmp_path / "out", tmp_path / "killed"
    state = open_output_dir(out, inputs=[str(src)], resume=False, overwrite=False)
    report = run_ray_batch(
        [str(src)],
        out,
        options=SummaryOptions(),
        state=state,
        num_cpus=2,
        shard_size=4,
        batch_size=4,
        in_actor=_kill_once(marker, "r9"),
    )
    assert marker.exists()  # an actor did die, holding r8-r11: Ray Data ran them again
    assert (report.done, report.shards) == (20, 5)
    assert [r["id"] for r in shard_rows(out)] == [f"r{i}" for i in range(20)]
    assert not list(out.glob(".*.tmp"))


def _patch_summarize(marker: str, action: str) -> Any:
    """An in_worker hook: the worker's summarizer fails on records holding ``marker``.

    ``action`` is ``exit`` (the process dies, as in a kill for memory or a crash in native
    code), ``loop`` (a stage that never returns) or ``allocate`` (3 GB asked for at once).
    A closure, so that Ray pickles it by value (the test module is not importable there).
    """

    def in_worker(items: list[BatchItem]) -> None:
        import newsbrief.pipeline

        original = newsbrief.pipeline.summarize
        if getattr(original, "patched", False):
            return

        def summarize(article: Any, **kwargs: Any) -> Any:
            if marker in article.text:
                if action == "exit":
                    os._exit(1)
                if action == "loop":
                    while True:
                        pass
                import numpy

                numpy.empty(3_000_000_000, dtype=numpy.uint8)  # over the 2 GB ceiling
            return original(article, **kwargs)

        summarize.patched = True  # type: ignore[attr-defined]
        newsbrief.pipeline.summarize = summarize

    return in_worker


def marked_input(path: Path, n: int, marked: dict[int, str]) -> Path:
    rows = [
        {"id": f"r{i}", "article": article(i) + (f" {marked[i]}." if i in marked else "")}
        for i in range(n)
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.mark.timeout(300)  # were the actor to die with the record, Ray Data would retry for ever
def test_a_record_that_kills_its_process_gets_the_local_engines_error_line(tmp_path: Path) -> None:
    # The actor runs its records in a worker process: the record kills that process every
    # time, the batch's records run one at a time, and only the culprit fails.
    src = marked_input(tmp_path / "in.jsonl", 12, {6: "POISON"})
    out = tmp_path / "out"
    state = open_output_dir(out, inputs=[str(src)], resume=False, overwrite=False)
    options = SummaryOptions(method="lead")
    report = run_ray_batch(
        [str(src)],
        out,
        options=options,
        state=state,
        num_cpus=2,
        shard_size=4,
        batch_size=4,
        in_worker=_patch_summarize("POISON", "exit"),
    )
    assert (report.done, report.failed, report.shards) == (11, 1, 3)
    rows = shard_rows(out)
    assert [r["id"] for r in rows] == [f"r{i}" for i in range(12)]
    item = BatchItem(id="r6", line=7, text="")
    assert rows[6] == crashed_line(options, item)  # the local engine's own line
    assert rows[6]["error"]["code"] == "worker_crashed"
    assert all(r["error"] is None for r in rows[:6] + rows[7:])
    assert not list(out.glob(".*.tmp"))


def _out_of_memory_once(marker: Path, record: str) -> Any:
    def in_worker(items: list[BatchItem]) -> None:
        if any(item.id == record for item in items) and not marker.exists():
            marker.write_text("raised")
            raise MemoryError  # as when the worker's memory limit hits outside any one record

    return in_worker


def test_a_memory_error_outside_a_record_runs_the_shard_one_record_at_a_time(
    tmp_path: Path,
) -> None:
    # The local engine's rule (ordered_map): handled like a dead worker, not a stopped run.
    src = write_input(tmp_path / "in.jsonl", 9)
    out, marker = tmp_path / "out", tmp_path / "raised"
    state = open_output_dir(out, inputs=[str(src)], resume=False, overwrite=False)
    report = run_ray_batch(
        [str(src)],
        out,
        options=SummaryOptions(method="lead"),
        state=state,
        num_cpus=1,
        shard_size=3,
        batch_size=3,
        in_worker=_out_of_memory_once(marker, "r4"),
    )
    assert marker.exists()
    assert (report.done, report.failed, report.shards) == (9, 0, 3)
    assert [r["id"] for r in shard_rows(out)] == [f"r{i}" for i in range(9)]


@pytest.mark.parametrize(
    ("action", "code", "message"),
    [
        ("loop", "record_timeout", "stopped after 2 s (the batch's ceiling)"),
        (
            "allocate",
            "record_memory",
            "needed more memory than a batch worker may hold (2,000,000,000 bytes)",
        ),
    ],
    ids=["time", "memory"],
)
def test_the_local_engines_per_record_ceilings_apply_in_every_actor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, action: str, code: str, message: str
) -> None:
    # The ceiling is computed in the driver, as in the local engine's parent: 1 + 1 s here.
    monkeypatch.setattr(limits, "SUMMARY_TIME_LIMIT", 1.0)
    monkeypatch.setattr(limits, "BATCH_RECORD_GRACE", 1.0)
    src = marked_input(tmp_path / "in.jsonl", 5, {2: "HEAVY"})
    out = tmp_path / "out"
    state = open_output_dir(out, inputs=[str(src)], resume=False, overwrite=False)
    report = run_ray_batch(
        [str(src)],
        out,
        options=SummaryOptions(method="lead"),
        state=state,
        num_cpus=1,
        in_worker=_patch_summarize("HEAVY", action),
    )
    assert (report.done, report.failed) == (4, 1)
    rows = shard_rows(out)
    assert [r["id"] for r in rows] == [f"r{i}" for i in range(5)]
    assert rows[2]["error"] == {"code": code, "message": message}
    assert rows[2]["summary"] is None


def test_shards_are_written_before_the_last_input_is_read(tmp_path: Path) -> None:
    # The second input is a named pipe whose writer stops half-way until the first shard is
    # written (it needs two of the pipe's records): a driver that read every input before
    # summarizing, or a read task that yielded its rows only at the end of its file, never
    # gets there. It also shows that a named pipe given by path is read by its read task.
    first_input = write_input(tmp_path / "a.jsonl", 2)
    fifo, out = tmp_path / "b.fifo", tmp_path / "out"
    os.mkfifo(fifo)
    first = out / "part-000000.jsonl"
    seen_first: list[bool] = []

    def write() -> None:
        with fifo.open("w", encoding="utf-8") as fh:
            for i in range(2, 30):
                fh.write(json.dumps({"id": f"r{i}", "article": article(i)}) + "\n")
                if i == 11:  # two blocks of four and a half: wait for the first shard
                    fh.flush()
                    deadline = time.monotonic() + 60
                    while not first.exists() and time.monotonic() < deadline:
                        time.sleep(0.1)
                    seen_first.append(first.exists())

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    inputs = [str(first_input), str(fifo)]
    # The input checks must not read from a pipe: what they read would be lost.
    state = open_output_dir(out, inputs=inputs, resume=False, overwrite=False)
    report = run_ray_batch(
        inputs, out, options=SummaryOptions(method="lead"), state=state, shard_size=4,
        batch_size=4, block_bytes=1000,  # four rows of the pipe's ~600-byte records
    )  # fmt: skip
    writer.join(timeout=10)
    assert seen_first == [True]
    assert report.done == 30 and report.first_shard_seconds < report.seconds
    assert [r["id"] for r in shard_rows(out)] == [f"r{i}" for i in range(30)]


def test_stdin_is_refused_before_anything_is_made(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["batch", "-", "-o", str(tmp_path / "out"), "--engine", "ray"], input="{}\n"
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "newsbrief: error: --engine ray cannot read stdin (-): its inputs are read by Ray "
        "tasks in processes of their own; write it to a file (a named pipe works too), or "
        "use --engine local\n"
    )
    assert not (tmp_path / "out").exists()


def _log_ids(log: Path) -> Any:
    """An in_worker hook: the ids each worker process is given, one per line in ``log``."""

    def in_worker(items: list[BatchItem]) -> None:
        with log.open("a", encoding="utf-8") as fh:
            fh.write("".join(f"{item.id}\n" for item in items))

    return in_worker


def test_resume_skips_done_ids_before_they_reach_an_actor(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl", 10)
    out, log = tmp_path / "out", tmp_path / "given.log"
    first = write_input(tmp_path / "first.jsonl", 4)
    state = open_output_dir(out, inputs=[str(first)], resume=False, overwrite=False)
    run_ray_batch([str(first)], out, options=SummaryOptions(method="lead"), state=state, num_cpus=1)
    state = open_output_dir(out, inputs=[str(src)], resume=True, overwrite=False)
    report = run_ray_batch(
        [str(src)], out, options=SummaryOptions(method="lead"), state=state, num_cpus=1,
        in_worker=_log_ids(log),
    )  # fmt: skip
    assert (report.done, report.skipped) == (6, 4)
    assert sorted(set(log.read_text().split())) == [f"r{i}" for i in range(4, 10)]
    assert [r["id"] for r in shard_rows(out)] == [f"r{i}" for i in range(10)]


def _fail_on(record: str) -> Any:
    def in_actor(items: list[BatchItem]) -> None:
        if any(item.id == record for item in items):
            raise RuntimeError(f"{record} broke")

    return in_actor


def test_a_failed_run_resumes_with_every_id_exactly_once(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl", 24)
    out = tmp_path / "out"
    state = open_output_dir(out, inputs=[str(src)], resume=False, overwrite=False)
    with pytest.raises(BackendError) as info:
        run_ray_batch(
            [str(src)],
            out,
            options=SummaryOptions(),
            state=state,
            num_cpus=1,
            shard_size=4,
            batch_size=4,
            in_actor=_fail_on("r13"),
        )
    assert str(info.value).startswith("the Ray run stopped (RuntimeError: r13 broke); ")
    assert str(info.value).endswith(
        "written so far are kept: run the same command with --resume to finish"
    )
    written = read_shards(out)
    assert written.records < 24
    (out / ".part-000009.jsonl.0123.tmp").write_text('{"id": "r0", "half')  # a crash's leftover
    result = run(str(src), "-o", str(out), "--engine", "ray", "--num-cpus", "2", "--resume")
    assert result.exit_code == 0, result.output
    assert f"{24 - written.records} done, {written.records} skipped" in result.stderr
    ids = [r["id"] for r in shard_rows(out)]
    assert sorted(ids) == sorted(f"r{i}" for i in range(24))
    assert len(ids) == len(set(ids))
    assert not list(out.glob(".*.tmp"))
    runs = json.loads((out / MANIFEST).read_text())["runs"]
    assert [r["status"].split(":")[0] for r in runs] == ["failed", "complete"]
    assert json.loads((out / MANIFEST).read_text())["records"] == 24


def test_strict_stops_at_the_first_bad_line_and_keeps_what_came_before(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl", 6, extra={4: "{oops"})
    out = tmp_path / "out"
    state = open_output_dir(out, inputs=[str(src)], resume=False, overwrite=False)
    with pytest.raises(DataFormatError) as info:
        run_ray_batch(
            [str(src)],
            out,
            options=SummaryOptions(),
            state=state,
            strict=True,
            shard_size=2,
            num_cpus=1,
        )
    assert str(info.value).startswith(f"{src}:5: not valid JSON")
    assert [r["id"] for r in shard_rows(out)] == ["r0", "r1", "r2", "r3"]
    with pytest.raises(InputError):
        open_output_dir(out, inputs=[str(src)], resume=False, overwrite=False)
    resumed = open_output_dir(out, inputs=[str(src)], resume=True, overwrite=False)
    assert (resumed.done_ids, resumed.next_index) == ({"r0", "r1", "r2", "r3"}, 2)


def llm_flags(*servers: FakeLLM, concurrency: int = 3) -> list[str]:
    urls = [flag for s in servers for flag in ("--llm-url", s.url)]
    return ["-m", "llm", "--llm-model", "tiny", *urls, "--llm-concurrency", str(concurrency)]


def without_timings(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        (row.get("info") or {}).pop("timings", None)
    return rows


def test_llm_keeps_the_concurrency_in_flight_per_actor(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl", 12)
    with serve(CountingLLM(gather=3)) as server:
        result = run(
            str(src), "-o", str(tmp_path / "one"), "--engine", "ray", "--num-cpus", "1",
            *llm_flags(server, concurrency=3),
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert server.most == 3
    with serve(CountingLLM()) as server:
        local = run(str(src), "-o", str(tmp_path / "local.jsonl"), *llm_flags(server))
        assert local.exit_code == 0, local.output
    assert without_timings(shard_rows(tmp_path / "one")) == without_timings(
        read_output(tmp_path / "local.jsonl")
    )


def test_llm_urls_share_the_work_evenly_with_retries(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl", 16)
    with serve(CountingLLM(delay=0.05)) as one, serve(CountingLLM(delay=0.05)) as two:
        one.script(Reply(503, {"error": {"message": "overloaded"}}))  # retried, then answered
        result = run(
            str(src), "-o", str(tmp_path / "out"), "--engine", "ray", "--num-cpus", "2",
            *llm_flags(one, two, concurrency=2),
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        # 16 articles, one request each, dealt in turn by each of the two actors
        assert len(one.requests) - 1 in range(7, 10) and len(two.requests) in range(7, 10)
        assert len(one.requests) - 1 + len(two.requests) == 16
        assert max(one.most, two.most) <= 2 * 2  # two actors, two each
    rows = shard_rows(tmp_path / "out")
    assert [r["id"] for r in rows] == [f"r{i}" for i in range(16)]
    assert all(r["error"] is None and r["kind"] == "abstractive" for r in rows)


def test_llm_fallback_and_errors_as_the_local_engine(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl", 3)
    failing = FakeLLM(default=lambda request: Reply(500, {"error": {"message": "down"}}))
    with serve(failing) as server:
        flags = [*llm_flags(server), "--fallback", "extractive"]
        ray_run = run(
            str(src), "-o", str(tmp_path / "out"), "--engine", "ray", "--num-cpus", "1", *flags
        )
        local = run(str(src), "-o", str(tmp_path / "local.jsonl"), *flags)
        no_fallback = run(
            str(src),
            "-o",
            str(tmp_path / "errors"),
            "--engine",
            "ray",
            "--num-cpus",
            "1",
            *llm_flags(server),
        )
    assert ray_run.exit_code == local.exit_code == 0
    rows = shard_rows(tmp_path / "out")
    assert without_timings(rows) == without_timings(read_output(tmp_path / "local.jsonl"))
    assert rows[0]["info"]["fallback"]["method"] == "trained"
    assert no_fallback.exit_code == 3
    errors = shard_rows(tmp_path / "errors")
    assert {r["error"]["code"] for r in errors} == {"backend_error"}


@pytest.mark.timeout(300)  # without the cap, shards wait for ever on actors never scheduled
def test_num_cpus_above_the_clusters_cpus_is_capped(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl", 12)
    out = tmp_path / "out"
    state = open_output_dir(out, inputs=[str(src)], resume=False, overwrite=False)
    report = run_ray_batch(
        [str(src)], out, options=SummaryOptions(method="lead"), state=state, num_cpus=5,
        shard_size=1,
    )  # fmt: skip
    assert (report.done, report.shards) == (12, 12)  # on the runtime's 2 CPUs


def test_library_checks_num_cpus(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl", 1)
    with pytest.raises(InputError, match=r"^--num-cpus must be at least 1 \(got 0\)$"):
        run_ray_batch([str(src)], tmp_path / "o", options=SummaryOptions(), num_cpus=0)


def test_a_quiet_run_leaves_out_rays_own_log_lines(tmp_path: Path) -> None:
    # A fresh process, as `newsbrief batch` is: Ray writes its logs to the real stderr.
    src, out = write_input(tmp_path / "in.jsonl", 2), tmp_path / "out"
    code = "from newsbrief.cli import main; main()"
    args = [str(src), "-o", str(out), "--engine", "ray", "--num-cpus", "1", "--quiet"]
    done = subprocess.run(
        [sys.executable, "-c", code, "batch", *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in shard_rows(out)] == ["r0", "r1"]
    assert " INFO " not in done.stderr and "WARNING" not in done.stderr, done.stderr


def _crashing_summarize() -> tuple[Any, Any]:
    # Closures, so that Ray pickles them by value (the test module is not importable there).
    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    def patch(items: list[BatchItem]) -> None:  # in the worker: it fails as a bug would
        import newsbrief.pipeline

        newsbrief.pipeline.summarize = crash

    return crash, patch


def test_an_unexpected_exception_is_the_same_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import newsbrief.pipeline

    crash, patch = _crashing_summarize()
    src = write_input(tmp_path / "in.jsonl", 3)
    out = tmp_path / "out"
    state = open_output_dir(out, inputs=[str(src)], resume=False, overwrite=False)
    report = run_ray_batch(
        [str(src)], out, options=SummaryOptions(), state=state, in_worker=patch, num_cpus=1
    )
    assert (report.done, report.failed) == (0, 3)
    monkeypatch.setattr(newsbrief.pipeline, "summarize", crash)
    local = tmp_path / "local.jsonl"
    assert run(str(src), "-o", str(local)).exit_code == 3
    assert shard_bytes(out) == local.read_bytes()
    assert read_output(local)[0]["error"] == {
        "code": "internal_error",
        "message": "RuntimeError: boom",
    }
