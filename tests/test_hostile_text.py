"""Text that is not text: lone surrogates, invalid UTF-8, endless files, nan/inf options.

Each case gets a clear typed error (library), a 400 in the one error shape (API), a per-line
error record or a reported skipped line (batch), or a usage error (CLI); never a 500 or a
traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

import newsbrief
from newsbrief import datasets
from newsbrief.batch import BatchReport, run_batch
from newsbrief.cli import cli
from newsbrief.errors import DataFormatError, InputTooLarge, InvalidText
from newsbrief.ingest import read_source, text_article
from newsbrief.models import Article, SummaryOptions
from web_support import make_app

SRC = Path(__file__).resolve().parents[1] / "src"
TEXT = (
    "The city council approved a new budget for public transport on Tuesday evening.\n"
    "The plan adds twelve bus lines and extends the night service on weekends.\n"
    "Opposition members said the fares should have been frozen for another year."
)
#: "night" holds a lone high surrogate at character 130 (1-based).
BROKEN = TEXT.replace("night", "ni\ud800ght")
PAGE = (
    "<html><body><article>"
    + "".join(f"<p>{line} {line}</p>" for line in TEXT.split("\n"))
    + "</article></body></html>"
)
SURROGATE_MESSAGE = (
    "the text holds U+D800 at character 130, a lone surrogate, which is not a Unicode "
    "character (was the text decoded or escaped wrongly?); send it as UTF-8"
)


# -- the library ------------------------------------------------------------------------


def test_summarize_refuses_a_lone_surrogate_with_a_typed_error() -> None:
    with pytest.raises(InvalidText) as info:
        newsbrief.summarize(BROKEN)
    assert str(info.value) == SURROGATE_MESSAGE
    assert info.value.code == "invalid_text" and info.value.http_status == 400


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: newsbrief.prepare(BROKEN), id="prepare"),
        pytest.param(lambda: newsbrief.extract(PAGE.replace("night", "\udfff")), id="extract"),
        pytest.param(lambda: newsbrief.summarize(PAGE.replace("bus", "\udc80")), id="page"),
        pytest.param(lambda: text_article(BROKEN), id="text_article"),
        pytest.param(
            lambda: newsbrief.summarize(Article(text=TEXT, title="A \ud83d title")), id="title"
        ),
        pytest.param(
            lambda: newsbrief.summarize(Article(text=TEXT, url="https://x.test/\ud800")), id="url"
        ),
    ],
)
def test_every_entry_point_refuses_lone_surrogates(call: Any) -> None:
    with pytest.raises(InvalidText, match="a lone surrogate"):
        call()


def test_a_surrogate_pair_written_as_one_character_is_fine() -> None:
    summary = newsbrief.summarize(TEXT.replace("night", "night \U0001f319"))
    assert summary.sentences


# -- the API ----------------------------------------------------------------------------


@pytest.fixture
def client(tmp_path: Path) -> Any:
    _, store, client = make_app(tmp_path)
    yield client
    store.close()


@pytest.mark.parametrize("route", ["/api/summarize", "/api/articles"])
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": BROKEN}, "text"),
        ({"html": PAGE.replace("night", "\ud800")}, "html"),
        ({"text": TEXT, "title": "A \udfff title"}, "title"),
        ({"text": TEXT, "url": "https://example.com/\ud800"}, "url"),
    ],
    ids=["text", "html", "title", "url"],
)
def test_the_api_answers_400_invalid_text(
    client: Any, route: str, body: dict[str, str], field: str
) -> None:
    # json.dumps writes the lone surrogate as the escape "\ud800", as a hostile client would.
    response = client.post(
        route, content=json.dumps(body), headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_text"
    assert error["message"].startswith(f"the {field} holds U+D")
    assert client.get("/api/articles").json()["total"] == 0  # nothing was stored


# -- batch ------------------------------------------------------------------------------


def _records(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _good(i: int) -> bytes:
    return json.dumps({"id": f"r{i}", "article": TEXT}).encode()


def _run(src: Path, out: Path, **kwargs: Any) -> tuple[BatchReport, list[dict[str, Any]]]:
    with out.open("w", encoding="utf-8") as fh:
        report = run_batch(src, fh, options=SummaryOptions(method="lead"), **kwargs)
    return report, [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_a_record_with_a_lone_surrogate_becomes_an_error_line(tmp_path: Path) -> None:
    broken = json.dumps({"id": "bad", "article": BROKEN}).encode()  # ASCII: "\ud800" escape
    src = _records(tmp_path / "in.jsonl", [_good(0), broken, _good(1)])
    report, lines = _run(src, tmp_path / "out.jsonl")
    assert [line["id"] for line in lines] == ["r0", "bad", "r1"]
    message = SURROGATE_MESSAGE.replace("the text holds", "field 'article' holds")
    assert lines[1]["error"] == {"code": "invalid_text", "message": message}
    assert lines[2]["error"] is None and report.failed == 1 and report.done == 2


def test_an_id_with_a_lone_surrogate_is_a_skipped_line(tmp_path: Path) -> None:
    broken = json.dumps({"id": "x\ud800", "article": TEXT}).encode()
    src = _records(tmp_path / "in.jsonl", [_good(0), broken, _good(1)])
    report, lines = _run(src, tmp_path / "out.jsonl")
    assert [line["id"] for line in lines] == ["r0", "r1"]
    assert report.bad_lines == [
        f"{src}:2: field 'id' holds U+D800 at character 2, a lone surrogate, which is not a "
        "Unicode character (was the text decoded or escaped wrongly?); send it as UTF-8"
    ]


def test_a_line_that_is_not_utf8_is_skipped_and_reported(tmp_path: Path) -> None:
    src = _records(
        tmp_path / "in.jsonl", [_good(0), b'{"id": "x", "article": "caf\xe9"}', _good(1)]
    )
    runner = CliRunner()
    result = runner.invoke(cli, ["batch", str(src), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 3, result.output
    assert result.stderr.splitlines()[0] == (
        f"newsbrief: skipped: {src}:2: not valid UTF-8 (byte 28)"
    )
    assert "2 done, 0 skipped (already in output), 0 failed, 1 bad input line" in result.stderr
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["r0", "r1"]


def test_a_line_that_is_not_utf8_stops_a_strict_run_after_what_came_before(
    tmp_path: Path,
) -> None:
    src = _records(tmp_path / "in.jsonl", [_good(0), b"\xff\xfe", _good(1)])
    out = tmp_path / "out.jsonl"
    with pytest.raises(DataFormatError, match=r":2: not valid UTF-8 \(byte 1\)"):
        _run(src, out, strict=True)
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["r0"]


def test_an_over_long_line_is_skipped_without_holding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(datasets, "MAX_LINE_BYTES", 1_000)
    monkeypatch.setattr(datasets, "_DISCARD_CHUNK", 64)
    huge = json.dumps({"id": "big", "article": "word " * 5_000}).encode()
    src = _records(tmp_path / "in.jsonl", [_good(0), huge, _good(1)])
    report, lines = _run(src, tmp_path / "out.jsonl")
    assert [line["id"] for line in lines] == ["r0", "r1"]
    assert report.bad_lines == [f"{src}:2: longer than 1,000 bytes: not a JSONL record (skipped)"]


def test_evaluation_files_still_stop_at_a_line_that_is_not_utf8(tmp_path: Path) -> None:
    src = _records(tmp_path / "in.jsonl", [b'{"id": 1}', b"\xff"])
    with pytest.raises(DataFormatError, match=r":2: not valid UTF-8"):
        list(datasets.iter_lines(src))


# -- reading files and options ----------------------------------------------------------


def test_reading_a_device_that_never_ends_stops_at_the_limit() -> None:
    with pytest.raises(InputTooLarge, match="/dev/zero is over the limit of 1,000 bytes"):
        read_source("/dev/zero", max_bytes=1_000)


def test_summarize_dev_zero_is_cut_off_with_bounded_memory() -> None:
    # Before: the size check read st_size (0 for a device), then read everything: tens of GB.
    code = f"""
import json, resource, subprocess, sys
done = subprocess.run(
    [sys.executable, "-c", "from newsbrief.cli import main; main()", "summarize", "/dev/zero"],
    capture_output=True, text=True, timeout=120,
    env={{"PYTHONPATH": {str(SRC)!r}, "PATH": "/usr/bin:/bin"}},
)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({{"rc": done.returncode, "stderr": done.stderr, "rss_mb": peak}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=180, check=True
    )
    result = json.loads(out.stdout)
    assert result["rc"] == 1
    assert result["stderr"] == (
        "newsbrief: error: /dev/zero is over the limit of 10,000,000 bytes; raise it with "
        "--max-bytes (max_bytes= in Python)\n"
    )
    assert result["rss_mb"] < 300, result


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["summarize", "x.txt", "--timeout", "nan"], "'--timeout'"),
        (["summarize", "x.txt", "--timeout", "inf"], "'--timeout'"),
        (["summarize", "x.txt", "--ratio", "nan"], "'--ratio' / '-r'"),
        (["summarize", "x.txt", "--llm-timeout", "nan"], "'--llm-timeout'"),
        (["batch", "x.jsonl", "-o", "y.jsonl", "--ratio", "inf"], "'--ratio' / '-r'"),
        (["serve", "--refresh-minutes", "nan"], "'--refresh-minutes'"),
        (["serve", "--fetch-timeout", "nan"], "'--fetch-timeout'"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
@pytest.mark.timeout(60)  # without the check, `serve --refresh-minutes nan` starts serving
def test_numeric_options_refuse_nan_and_inf(args: list[str], option: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    value = args[-1]
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for {option}: {value!r} is not a finite number."
    )
    assert "Traceback" not in result.output


def _float_options(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[Any]:
    """Every option of every command (groups walked, lazy ones loaded) whose value is a float."""
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, name
            yield from _float_options(sub, (*path, name))
        return
    for param in command.params:
        if isinstance(param.type, click.types.FloatParamType):
            yield pytest.param(param, id=" ".join((*path, param.opts[0])))


@pytest.mark.parametrize("param", list(_float_options(cli)))
@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_every_float_option_refuses_nan_and_inf(param: click.Option, value: str) -> None:
    # Enumerated from the commands themselves, so an option added later cannot slip past:
    # Python's float() reads "nan" and "inf", and nan passes every range check.
    with pytest.raises(click.BadParameter):
        param.type.convert(value, param, None)
