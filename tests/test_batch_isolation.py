"""Batch survives any one record: crashes, time and memory ceilings, and a parent's death."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newsbrief import batch, limits, pipeline
from newsbrief.batch import BatchItem, SupervisedWorker, ordered_map, summarize_item
from newsbrief.cli import cli
from newsbrief.models import SummaryOptions

SRC = Path(__file__).resolve().parents[1] / "src"
TEXT = (
    "The old bridge over the river reopened this morning after eight months of repair work. "
    "Engineers replaced the rusted cables and laid a new road surface across the span.\n"
    "Drivers had taken a long detour through the town centre while the bridge was closed."
)
OPTIONS = SummaryOptions(method="lead")


def _double_or_die(items: list[int]) -> list[int]:
    if 37 in items:
        os._exit(1)  # what a kill for memory, or a crash in native code, looks like
    return [2 * i for i in items]


def test_the_record_that_kills_its_worker_gets_its_own_result_and_the_rest_go_on() -> None:
    results = list(
        ordered_map(_double_or_die, range(100), workers=2, chunk_size=8, on_crash=lambda i: -i)
    )
    assert results == [-37 if i == 37 else 2 * i for i in range(100)]


def _double_or_out_of_memory(items: list[int]) -> list[int]:
    if 37 in items:
        raise MemoryError  # as when a worker's memory limit hits outside any one record
    return [2 * i for i in items]


def test_a_memory_error_outside_a_record_is_handled_like_a_dead_worker() -> None:
    results = list(
        ordered_map(
            _double_or_out_of_memory, range(100), workers=2, chunk_size=8, on_crash=lambda i: -i
        )
    )
    assert results == [-37 if i == 37 else 2 * i for i in range(100)]


def _pid_or_die(items: list[int]) -> list[int]:
    if 37 in items:
        os._exit(1)
    return [os.getpid() for _ in items]


def test_a_supervised_worker_is_kept_across_calls_and_outlives_a_record_that_kills_it() -> None:
    # The Ray engine's actors summarize in one: a poison record must not take the actor along.
    worker = SupervisedWorker(_pid_or_die, on_crash=lambda i: -i)
    try:
        first = worker.run([1, 2])
        assert first[0] == first[1] != os.getpid()
        assert worker.run([3]) == first[:1]  # the same process, not one per call
        crashed = worker.run([36, 37, 38])
        assert crashed[1] == -37 and crashed[0] not in (first[0], -36)  # the others, alone
        again = worker.run([40])
        assert again[0] > 0 and again != first[:1]  # a fresh process after the crash
    finally:
        worker.close()


def _write(path: Path, n: int) -> Path:
    lines = [
        json.dumps({"id": f"r{i}", "article": TEXT.replace("eight", str(i + 2))}) for i in range(n)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_record_past_the_worker_memory_becomes_an_error_line_and_resume_passes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1 byte: every allocation a worker makes after it starts fails, so every record is one
    # that needs more memory than the workers may hold.
    monkeypatch.setattr(limits, "BATCH_WORKER_MEMORY", 1)
    src, out = _write(tmp_path / "in.jsonl", 6), tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["batch", str(src), "-o", str(out), "-j", "2", "-q"])
    assert result.exit_code == 3, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == [f"r{i}" for i in range(6)]
    assert {line["error"]["code"] for line in lines} <= {"record_memory", "worker_crashed"}
    again = CliRunner().invoke(cli, ["batch", str(src), "-o", str(out), "-j", "2", "--resume"])
    assert again.exit_code == 0, again.output
    assert "0 done, 6 skipped (already in output)" in again.stderr


def _slow_summarize(*args: Any, **kwargs: Any) -> Any:
    while True:  # a stage that never returns to the summary's own deadline checks
        pass


def test_a_record_past_its_ceiling_is_stopped_with_an_error_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pipeline, "summarize", _slow_summarize)
    item = BatchItem(id="slow", line=1, text=TEXT)
    started = time.monotonic()
    line = summarize_item(item, OPTIONS, ceiling=0.2)
    assert time.monotonic() - started < 5
    assert line["error"] == {
        "code": "record_timeout",
        "message": "stopped after 0.2 s (the batch's ceiling)",
    }
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # the timer is cleared


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (MemoryError(), "record_memory", "needed more memory than a batch worker may hold"),
        (RecursionError("maximum recursion depth exceeded"), "internal_error", "RecursionError"),
        (UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates"), "internal_error", "Unicode"),
    ],
    ids=["memory", "recursion", "unicode"],
)
def test_any_failure_of_one_record_is_its_error_line(
    monkeypatch: pytest.MonkeyPatch, error: BaseException, code: str, message: str
) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    monkeypatch.setattr(pipeline, "summarize", fail)
    line = summarize_item(BatchItem(id="x", line=1, text=TEXT), OPTIONS)
    assert line["id"] == "x" and line["summary"] is None
    assert line["error"]["code"] == code and line["error"]["message"].startswith(message)


def test_the_ceiling_is_the_summary_limit_plus_the_grace() -> None:
    assert batch.record_ceiling(OPTIONS) == limits.SUMMARY_TIME_LIMIT + limits.BATCH_RECORD_GRACE
    llm = SummaryOptions(method="llm")
    assert batch.record_ceiling(llm) == limits.ABSTRACTIVE_TIME_LIMIT + limits.BATCH_RECORD_GRACE


def test_a_worker_memory_limit_turns_a_large_allocation_into_memory_error() -> None:
    code = """
from newsbrief.workers import init_worker
init_worker(400_000_000)
import numpy
try:
    numpy.ones(200_000_000)  # 1.6 GB
except MemoryError:
    print("MemoryError")
"""
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.strip() == "MemoryError", out.stderr


def _marked(mark: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if mark.encode() in (entry / "environ").read_bytes():
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_workers_forkserver_and_tracker_exit_when_the_batch_is_killed(tmp_path: Path) -> None:
    # Before: after `kill -9` of a batch its forkserver, workers and resource tracker (~330 MB)
    # kept running for ever.
    src = _write(tmp_path / "in.jsonl", 4000)
    mark = f"NEWSBRIEF_TEST_MARK={uuid.uuid4().hex}"
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin", mark.split("=")[0]: mark.split("=")[1]}
    run = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from newsbrief.cli import main; main()",
            "batch",
            str(src),
            "-o",
            str(tmp_path / "out.jsonl"),
            "-j",
            "2",
            "-q",
        ],
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while len(_marked(mark)) < 4 and time.monotonic() < deadline:  # batch, server, workers
            time.sleep(0.2)
        assert len(_marked(mark)) >= 4
        run.kill()
        run.wait()
        deadline = time.monotonic() + 30
        while _marked(mark) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _marked(mark) == []
    finally:
        for pid in _marked(mark):  # only processes this test started carry the mark
            os.kill(pid, signal.SIGKILL)


def test_a_record_longer_than_a_summary_reads_says_so_in_its_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MAX_ARTICLE_SENTENCES", 2)
    line = summarize_item(BatchItem(id="long", line=1, text=TEXT), OPTIONS)
    assert line["error"] is None
    assert line["info"] == {
        "cut": {
            "limit": "max_article_sentences",
            "kept_chars": line["info"]["cut"]["kept_chars"],
            "total_chars": len(TEXT),
            "kept_sentences": 2,
            "total_sentences": 3,
        }
    }
    monkeypatch.undo()
    whole = summarize_item(BatchItem(id="whole", line=1, text=TEXT), OPTIONS)
    assert "info" not in whole  # extractive lines carry info only for a cut
