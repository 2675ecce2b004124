"""`newsbrief batch`: output lines, order, resume after a crash, --strict, workers, exit codes."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newsbrief.batch import BatchReport, open_output, ordered_map, read_done_ids, run_batch
from newsbrief.cli import cli
from newsbrief.errors import BackendError, DataFormatError, InputError
from newsbrief.models import Length, SummaryOptions

TOPICS = ["council", "bridge", "library", "harbour", "museum", "orchestra", "stadium", "school"]


def article(i: int) -> str:
    # Written for these tests: distinct sentences per record, so summaries can be told apart.
    topic = TOPICS[i % len(TOPICS)]
    return (
        f"The {topic} number {i} reopened on Monday after a long renovation. "
        f"Visitors to the {topic} praised the new lighting and the wider entrance. "
        f"Officials said the {topic} work cost {i + 2} million dollars.\n"
        f"The mayor thanked the workers who finished the {topic} ahead of schedule. "
        f"A public celebration at the {topic} is planned for next month."
    )


def write_input(path: Path, n: int, extra: dict[int, str] | None = None) -> Path:
    lines = []
    for i in range(n):
        if extra and i in extra:
            lines.append(extra[i])
        lines.append(json.dumps({"id": f"r{i}", "article": article(i)}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_output(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def run(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(cli, ["batch", *args], input=input)


def test_one_line_per_record_in_input_order(tmp_path: Path) -> None:
    src, out = write_input(tmp_path / "in.jsonl", 12), tmp_path / "out.jsonl"
    result = run(str(src), "-o", str(out), "--method", "lead", "--sentences", "2")
    assert result.exit_code == 0, result.output
    rows = read_output(out)
    assert [r["id"] for r in rows] == [f"r{i}" for i in range(12)]
    first = rows[0]
    assert set(first) == {"id", "method", "language", "summary", "sentences", "words", "error"}
    assert first["method"] == "lead"
    assert first["language"] == "en"
    assert first["error"] is None
    assert [s["index"] for s in first["sentences"]] == [0, 1]
    assert first["summary"] == " ".join(s["text"] for s in first["sentences"])
    assert first["summary"].startswith("The council number 0 reopened on Monday")
    assert result.stderr.startswith(
        "newsbrief: 12 done, 0 skipped (already in output), 0 failed, 0 bad input lines in "
    )


def test_summary_field_can_be_bullets_or_markdown(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl", 1)
    for fmt, first in [("bullets", "• The council"), ("markdown", "- The council")]:
        out = tmp_path / f"{fmt}.jsonl"
        assert run(str(src), "-o", str(out), "-f", fmt, "-s", "2").exit_code == 0
        (row,) = read_output(out)
        lines = row["summary"].split("\n")
        assert lines[0].startswith(first)
        assert lines[1].startswith(first[:2] + "Visitors to the council")


def test_workers_two_gives_the_same_output_as_one(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl", 80)  # several chunks of 32
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run(str(src), "-o", str(one), "-j", "1").exit_code == 0
    assert run(str(src), "-o", str(two), "-j", "2").exit_code == 0
    assert one.read_bytes() == two.read_bytes()
    assert len(read_output(one)) == 80


def test_ordered_map_keeps_order_across_processes() -> None:
    assert list(ordered_map(_double, range(100), workers=2, chunk_size=7)) == [
        2 * i for i in range(100)
    ]
    assert list(ordered_map(_double, [], workers=2)) == []


def _double(items: list[int]) -> list[int]:
    return [2 * i for i in items]


def _die(items: list[int]) -> list[int]:
    os._exit(1)  # what an out-of-memory kill looks like to the pool


def test_a_dead_worker_is_a_backend_error() -> None:
    with pytest.raises(BackendError) as info:
        list(ordered_map(_die, range(10), workers=2))
    assert str(info.value) == (
        "a worker process died (A process in the process pool was terminated abruptly while "
        "the future was running or pending.)"
    )


def test_resume_after_a_crash_mid_line(tmp_path: Path) -> None:
    src, out = write_input(tmp_path / "in.jsonl", 10), tmp_path / "out.jsonl"
    assert run(str(src), "-o", str(out)).exit_code == 0
    full = out.read_text(encoding="utf-8").splitlines(keepends=True)
    # Simulate a crash: four lines written, the fifth cut off halfway.
    out.write_text("".join(full[:4]) + full[4][: len(full[4]) // 2], encoding="utf-8")
    result = run(str(src), "-o", str(out), "--resume")
    assert result.exit_code == 0, result.output
    assert "6 done, 4 skipped (already in output)" in result.stderr
    assert out.read_text(encoding="utf-8") == "".join(full)


def test_resume_when_the_last_line_lacks_only_its_newline(tmp_path: Path) -> None:
    src, out = write_input(tmp_path / "in.jsonl", 5), tmp_path / "out.jsonl"
    assert run(str(src), "-o", str(out)).exit_code == 0
    full = out.read_text(encoding="utf-8")
    lines = full.splitlines(keepends=True)
    out.write_text("".join(lines[:2]) + lines[2].rstrip("\n"), encoding="utf-8")
    assert read_done_ids(out) == {"r0", "r1", "r2"}
    assert run(str(src), "-o", str(out), "--resume").exit_code == 0
    assert out.read_text(encoding="utf-8") == full


def test_resume_refuses_a_file_that_is_not_batch_output(tmp_path: Path) -> None:
    src, out = write_input(tmp_path / "in.jsonl", 3), tmp_path / "out.jsonl"
    out.write_text('{"id": "r0"}\nhello\n{"id": "r1"}\n', encoding="utf-8")
    result = run(str(src), "-o", str(out), "--resume")
    assert result.exit_code == 1
    assert result.stderr == (
        f"newsbrief: error: {out}:2: cannot resume: this line of the output file is not a JSON "
        "object with an 'id' (is it a newsbrief batch output?)\n"
    )


def test_existing_output_needs_resume_or_overwrite(tmp_path: Path) -> None:
    src, out = write_input(tmp_path / "in.jsonl", 3), tmp_path / "out.jsonl"
    out.write_text('{"id": "old"}\n', encoding="utf-8")
    result = run(str(src), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == (
        f"newsbrief: error: {out} already exists; pass --resume to continue it or "
        "--overwrite to replace it\n"
    )
    result = run(str(src), "-o", str(out), "--resume", "--overwrite")
    assert result.stderr == "newsbrief: error: give only one of --resume and --overwrite\n"
    assert run(str(src), "-o", str(out), "--overwrite").exit_code == 0
    assert [r["id"] for r in read_output(out)] == ["r0", "r1", "r2"]


BAD = {2: "{not json", 4: '{"id": "x"}', 6: '["r9"]'}


def test_malformed_lines_are_reported_and_skipped(tmp_path: Path) -> None:
    src, out = write_input(tmp_path / "in.jsonl", 8, BAD), tmp_path / "out.jsonl"
    result = run(str(src), "-o", str(out))
    assert result.exit_code == 3
    assert result.stderr.splitlines()[:3] == [
        f"newsbrief: skipped: {src}:3: not valid JSON "
        "(Expecting property name enclosed in double quotes at column 2)",
        f"newsbrief: skipped: {src}:6: needs one of the fields 'article', 'html' or 'url'",
        f"newsbrief: skipped: {src}:9: expected a JSON object, got an array",
    ]
    assert "8 done, 0 skipped (already in output), 0 failed, 3 bad input lines" in result.stderr
    assert [r["id"] for r in read_output(out)] == [f"r{i}" for i in range(8)]


def test_strict_stops_at_the_first_malformed_line(tmp_path: Path) -> None:
    src, out = write_input(tmp_path / "in.jsonl", 8, BAD), tmp_path / "out.jsonl"
    result = run(str(src), "-o", str(out), "--strict", "-j", "2")
    assert result.exit_code == 1
    assert result.stderr == (
        f"newsbrief: error: {src}:3: not valid JSON "
        "(Expecting property name enclosed in double quotes at column 2)\n"
    )
    # Everything before the bad line is saved, so --resume can continue after a fix.
    assert [r["id"] for r in read_output(out)] == ["r0", "r1"]


def test_duplicate_ids_are_malformed(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": 1, "article": article(1)})
        + "\n"
        + json.dumps({"id": "1", "article": article(2)})
        + "\n",
        encoding="utf-8",
    )
    result = run(str(src), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == (
        f"newsbrief: skipped: {src}:2: duplicate id '1' (first on line 1)"
    )


def test_failed_records_get_an_error_line(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [
        {"id": "ok", "article": article(0)},
        {"id": "blank", "article": "   "},
        {"id": "web", "url": "https://example.com/story"},
        {"id": "page", "html": "<html><body><p>Hi</p></body></html>"},
    ]
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = run(str(src), "-o", str(out))
    assert result.exit_code == 3
    assert "1 done, 0 skipped (already in output), 3 failed, 0 bad input lines" in result.stderr
    out_rows = read_output(out)
    assert [r["id"] for r in out_rows] == ["ok", "blank", "web", "page"]
    assert out_rows[1]["error"] == {"code": "empty_input", "message": "the article text is empty"}
    assert out_rows[1]["summary"] is None and out_rows[1]["sentences"] == []
    assert out_rows[2]["error"] == {
        "code": "no_article_text",
        "message": "record 'web' has only a url; batch mode does not fetch pages: give its "
        "text as 'article' or its page as 'html'",
    }
    assert out_rows[3]["error"]["code"] == "no_article_text"


def test_html_records_are_extracted_first(tmp_path: Path) -> None:
    body = "".join(f"<p>{p}</p>" for p in article(3).split("\n"))
    html = f"<html><head><title>Harbour</title></head><body><article>{body}</article></body></html>"
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(json.dumps({"id": "h", "html": html}) + "\n", encoding="utf-8")
    # lead: the point is that the page is extracted before summarizing, whatever the default.
    result = run(str(src), "-o", str(out), "--method", "lead", "--sentences", "1")
    assert result.exit_code == 0, result.output
    (row,) = read_output(out)
    assert row["summary"] == "The harbour number 3 reopened on Monday after a long renovation."


def test_bad_options_and_inputs(tmp_path: Path) -> None:
    src, out = write_input(tmp_path / "in.jsonl", 2), tmp_path / "out.jsonl"
    cases = [
        (["--method", "nope"], "newsbrief: error: Unknown summarizer 'nope'. Available: "),
        (
            ["--sentences", "1", "--ratio", "0.5"],
            "newsbrief: error: give only one of sentences, words or ratio (got sentences, ratio)",
        ),
        (["-j", "0"], "newsbrief: error: workers must be at least 1 (got 0)"),
    ]
    for args, message in cases:
        result = run(str(src), "-o", str(out), "--overwrite", *args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith(message), result.stderr
    missing = tmp_path / "missing.jsonl"
    result = run(str(missing), "-o", str(out), "--overwrite")
    assert (result.exit_code, result.stderr) == (
        1,
        f"newsbrief: error: {missing}: no such file\n",
    )
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    result = run(str(empty), "-o", str(out), "--overwrite")
    assert (result.exit_code, result.stderr) == (
        1,
        f"newsbrief: error: {empty}: no records (the file is empty)\n",
    )
    result = run(str(src))
    assert result.exit_code == 2
    assert "Missing option '--output'" in result.stderr


def test_stdin_input(tmp_path: Path) -> None:
    src, out = write_input(tmp_path / "in.jsonl", 3), tmp_path / "out.jsonl"
    result = run("-", "-o", str(out), "-q", input=src.read_text(encoding="utf-8"))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert len(read_output(out)) == 3


def test_library_run_batch_flushes_every_line(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl", 3)

    class Recorder(io.StringIO):
        flushed: list[int] = []  # noqa: RUF012 - a test double

        def flush(self) -> None:
            self.flushed.append(self.getvalue().count("\n"))
            super().flush()

    sink = Recorder()
    report = run_batch(src, sink, options=SummaryOptions(length=Length.of(sentences=1)))
    assert report.done == 3
    assert Recorder.flushed == [1, 2, 3]


def test_library_strict_raises_data_format_error(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl", 3, {1: "[]"})
    with pytest.raises(DataFormatError) as info:
        run_batch(src, io.StringIO(), options=SummaryOptions(), strict=True)
    assert str(info.value) == f"{src}:2: expected a JSON object, got an array"


# --- refusals that must leave every file as it was -------------------------------------------


@pytest.mark.parametrize(
    ("make_output", "flags"),
    [
        pytest.param(lambda src: src, ["--overwrite"], id="same-path-overwrite"),
        pytest.param(lambda src: src, ["--resume"], id="same-path-resume"),
        pytest.param(lambda src: src, [], id="same-path-no-flag"),
        pytest.param(
            lambda src: src.parent / ".." / src.parent.name / src.name, ["--overwrite"], id="dotdot"
        ),
        pytest.param(
            lambda src: _link(src, "link.jsonl", os.symlink), ["--overwrite"], id="symlink"
        ),
        pytest.param(lambda src: _link(src, "hard.jsonl", os.link), ["--resume"], id="hard-link"),
    ],
)
def test_output_that_is_the_input_is_refused(
    tmp_path: Path, make_output: Any, flags: list[str]
) -> None:
    src = write_input(tmp_path / "in.jsonl", 3)
    before = src.read_bytes()
    out = make_output(src)
    result = run(str(src), "-o", str(out), *flags)
    assert result.exit_code == 1
    assert result.stderr == (
        f"newsbrief: error: the output {Path(out)} is the same file as the input {src}; "
        "pass another path for -o\n"
    )
    assert src.read_bytes() == before


def _link(src: Path, name: str, make: Any) -> Path:
    link = src.parent / name
    make(src, link)
    return link


def test_stdin_redirected_from_the_output_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `newsbrief batch - -o in.jsonl --overwrite < in.jsonl`: "-" is the output file too.
    src = write_input(tmp_path / "in.jsonl", 3)
    before = src.read_bytes()
    with src.open(encoding="utf-8") as stdin:
        monkeypatch.setattr("sys.stdin", stdin)
        with pytest.raises(InputError) as info:
            open_output(src, resume=False, overwrite=True, input_path="-")
    assert str(info.value) == (
        f"the output {src} is the same file as the input <stdin>; pass another path for -o"
    )
    assert src.read_bytes() == before


@pytest.mark.parametrize(
    "flags", [[], ["--resume"], ["--overwrite"]], ids=["none", "resume", "overwrite"]
)
def test_output_directory_is_refused(tmp_path: Path, flags: list[str]) -> None:
    src, folder = write_input(tmp_path / "in.jsonl", 2), tmp_path / "adir"
    folder.mkdir()
    result = run(str(src), "-o", str(folder), *flags)
    assert result.exit_code == 1
    assert result.stderr == f"newsbrief: error: {folder} is a directory; pass a file path for -o\n"
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-j", "0"], "workers must be at least 1 (got 0)"),
        (["--method", "nope"], "Unknown summarizer 'nope'. Available: "),
        (["--sentences", "0"], "sentences must be from 1 to 100 (got 0)"),
        (["--words", "5001"], "words must be from 1 to 5000 (got 5001)"),
        (["--llm-model", "m"], "--llm-model is not used by --method default; "),
    ],
    ids=["workers", "method", "sentences", "words", "backend-option"],
)
def test_bad_options_write_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    src, out = write_input(tmp_path / "in.jsonl", 2), tmp_path / "z.out"
    result = run(str(src), "-o", str(out), *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"newsbrief: error: {message}"), result.stderr
    assert not out.exists()


@pytest.mark.parametrize("name", ["missing.jsonl", "empty.jsonl"])
def test_unreadable_input_leaves_the_old_output(tmp_path: Path, name: str) -> None:
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "old"}\n', encoding="utf-8")
    result = run(str(tmp_path / name), "-o", str(out), "--overwrite")
    assert result.exit_code == 1
    assert result.stderr in (
        f"newsbrief: error: {tmp_path / name}: no such file\n",
        f"newsbrief: error: {tmp_path / name}: no records (the file is empty)\n",
    )
    assert out.read_text(encoding="utf-8") == '{"id": "old"}\n'


def test_one_bad_input_line_is_singular(tmp_path: Path) -> None:
    src, out = write_input(tmp_path / "in.jsonl", 2, {1: "[]"}), tmp_path / "out.jsonl"
    result = run(str(src), "-o", str(out))
    assert result.exit_code == 3
    assert result.stderr.splitlines()[-1].startswith(
        "newsbrief: 2 done, 0 skipped (already in output), 0 failed, 1 bad input line in "
    )
    assert ", 2 bad input lines in " in BatchReport(bad_lines=["a", "b"]).describe()


def test_a_backend_that_cannot_be_set_up_stops_before_any_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No --llm-model: every record would fail alike, so nothing is written."""
    monkeypatch.delenv("NEWSBRIEF_LLM_MODEL", raising=False)
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"id": 1, "article": "One sentence here. And another one."}\n')
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        cli, ["batch", str(inp), "-o", str(out), "-m", "llm", "--llm-url", "http://127.0.0.1:9/v1"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("newsbrief: error: ")
    assert "--llm-model" in result.stderr
    assert not out.exists()


def test_several_inputs_and_globs_are_read_in_turn(tmp_path: Path) -> None:
    first = write_input(tmp_path / "a.jsonl", 3)
    second = tmp_path / "b.jsonl"
    rows = [{"id": f"s{i}", "article": article(i)} for i in range(2)] + [
        {"id": "r1", "article": "x"}
    ]
    second.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run(str(tmp_path / "*.jsonl"), "-o", str(out), "-m", "lead")
    assert result.exit_code == 3
    assert [r["id"] for r in read_output(out)] == ["r0", "r1", "r2", "s0", "s1"]
    assert result.stderr.splitlines()[0] == (
        f"newsbrief: skipped: {second}:3: duplicate id 'r1' (first in {first} on line 2)"
    )
    again = run(str(first), str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "o.jsonl"))
    assert again.stderr == f"newsbrief: error: {tmp_path / 'missing.jsonl'}: no such file\n"
    assert not (tmp_path / "o.jsonl").exists()
    uri = run(f"file://{first}", "-o", str(tmp_path / "o.jsonl"))
    assert uri.stderr == (
        f"newsbrief: error: file://{first}: --engine local reads local files and stdin; use "
        "--engine ray for files on other filesystems\n"
    )


def test_workers_keep_llm_concurrency_records_in_flight(tmp_path: Path) -> None:
    from llm_server import CountingLLM, serve

    src = write_input(tmp_path / "in.jsonl", 64)  # two chunks of 32, one per worker
    with serve(CountingLLM(delay=0.3, gather=4)) as server:
        flags = ["-m", "llm", "--llm-model", "tiny", "--llm-url", server.url]
        result = run(str(src), "-o", str(tmp_path / "out.jsonl"), *flags, "-j", "2",
                     "--llm-concurrency", "3")  # fmt: skip
        assert result.exit_code == 0, result.output
        assert 3 < server.most <= 2 * 3  # both workers busy, three records each at most
    assert [r["id"] for r in read_output(tmp_path / "out.jsonl")] == [f"r{i}" for i in range(64)]
