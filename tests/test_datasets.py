"""JSONL(.gz) reading: records, blank lines, compression by content, and every bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from newsbrief.datasets import Record, count_lines, iter_lines, iter_records
from newsbrief.errors import DataFormatError, EmptyInput, InputError, InvalidOptions

GOOD = {"id": "a1", "article": "Some text. More text.", "summary": "Some text."}


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_reads_records_with_optional_fields_and_skips_blank_lines(tmp_path: Path) -> None:
    extra = {**GOOD, "id": 7, "title": "T", "language": "fr", "source": "ignored"}
    path = write(tmp_path / "d.jsonl", [json.dumps(GOOD), "", "   ", json.dumps(extra)])
    records = list(iter_records(path))
    assert records == [
        Record(id="a1", article=GOOD["article"], summary=GOOD["summary"], line=1),
        Record(
            id="7",
            article=GOOD["article"],
            summary=GOOD["summary"],
            title="T",
            language="fr",
            line=4,
        ),
    ]


def test_limit_stops_early(tmp_path: Path) -> None:
    path = write(tmp_path / "d.jsonl", [json.dumps({**GOOD, "id": str(i)}) for i in range(5)])
    assert [r.id for r in iter_records(path, limit=2)] == ["0", "1"]
    with pytest.raises(InvalidOptions, match=r"^limit must be at least 1 \(got 0\)$"):
        list(iter_records(path, limit=0))


def test_gzip_is_detected_from_content_not_name(tmp_path: Path) -> None:
    for name in ("d.jsonl.gz", "misnamed.jsonl"):
        path = tmp_path / name
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(json.dumps(GOOD) + "\n\n" + json.dumps({**GOOD, "id": "b"}) + "\n")
        assert [r.id for r in iter_records(path)] == ["a1", "b"]
        assert count_lines(path) == 2


BAD_LINES = [
    ("oops", "not valid JSON (Expecting value at column 1)"),
    ('{"id": "x", "article": "a"', "not valid JSON (Expecting ',' delimiter at column 27)"),
    ("[1, 2]", "expected a JSON object, got an array"),
    ('"just a string"', "expected a JSON object, got a string"),
    ('{"id": "x", "article": "a"}', "missing field 'summary'"),
    ('{"id": "x"}', "missing fields 'article', 'summary'"),
    ('{"article": "a", "summary": "s"}', "missing field 'id'"),
    ('{"id": "x", "article": 3, "summary": "s"}', "field 'article' must be a string, got a number"),
    (
        '{"id": "x", "article": "a", "summary": ["s"]}',
        "field 'summary' must be a string, got an array",
    ),
    (
        '{"id": "x", "article": "a", "summary": "s", "title": {}}',
        "field 'title' must be a string, got an object",
    ),
    (
        '{"id": true, "article": "a", "summary": "s"}',
        "field 'id' must be a non-empty string or an integer, got a boolean",
    ),
    (
        '{"id": "", "article": "a", "summary": "s"}',
        "field 'id' must be a non-empty string or an integer, got a string",
    ),
]


@pytest.mark.parametrize(
    ("line", "message"),
    BAD_LINES,
    ids=[
        "not-json",
        "truncated-json",
        "array",
        "string",
        "missing-summary",
        "missing-two",
        "missing-id",
        "article-not-string",
        "summary-not-string",
        "title-not-string",
        "id-boolean",
        "id-empty",
    ],
)
def test_bad_line_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path / "d.jsonl", [json.dumps(GOOD), "", line, json.dumps(GOOD)])
    with pytest.raises(DataFormatError) as info:
        list(iter_records(path))
    assert str(info.value) == f"{path}:3: {message}"
    assert info.value.line == 3
    assert info.value.path == str(path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.jsonl"
    with pytest.raises(InputError) as info:
        list(iter_records(path))
    assert str(info.value) == f"{path}: no such file"


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        list(iter_records(tmp_path))
    assert str(info.value) == f"{tmp_path}: is a directory, not a JSONL file"


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"], ids=["empty", "blank-lines"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(content)
    with pytest.raises(EmptyInput) as info:
        list(iter_records(path))
    assert str(info.value) == f"{path}: no records (the file is empty)"


def test_undecodable_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(json.dumps(GOOD).encode() + b'\n{"id": "\xe9"}\n')
    with pytest.raises(DataFormatError) as info:
        list(iter_lines(path))
    assert str(info.value) == f"{path}:2: not valid UTF-8 (byte 9)"


def test_corrupt_gzip(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl.gz"
    data = gzip.compress((json.dumps(GOOD) + "\n").encode() * 50)
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFormatError) as info:
        list(iter_lines(path))
    assert str(info.value).startswith(f"{path}: corrupt gzip data (")


def test_count_lines_of_unreadable_input_is_unknown(tmp_path: Path) -> None:
    assert count_lines("-") is None
    assert count_lines(tmp_path / "nope.jsonl") is None
