"""Read JSONL data files (plain or gzip-compressed, or stdin) with line-numbered errors.

Evaluation files hold one JSON object per line with ``id``, ``article`` and ``summary`` (the
reference), plus optional ``title``, ``url`` and ``language``; the files in ``../shared/data``
have this shape. Blank lines are skipped. Compression is detected from the file's first bytes
(the gzip magic number), not from its name.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from newsbrief.errors import DataFormatError, EmptyInput, InputError, InvalidOptions, InvalidText
from newsbrief.textutil import check_text

__all__ = [
    "EVALUATION_FIELDS",
    "Line",
    "Record",
    "count_lines",
    "iter_lines",
    "iter_records",
    "parse_object",
    "record_from_object",
    "record_id",
    "text_field",
]

#: Fields every evaluation record must have, as non-empty strings (``id`` may be an integer).
EVALUATION_FIELDS: tuple[str, ...] = ("id", "article", "summary")
_OPTIONAL_FIELDS: tuple[str, ...] = ("title", "url", "language")
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Line:
    """One non-blank line of a data file; ``number`` is 1-based."""

    number: int
    text: str


@dataclass(frozen=True)
class Record:
    """One evaluation example: an article and its reference summary."""

    id: str
    article: str
    summary: str
    title: str | None = None
    url: str | None = None
    language: str | None = None
    line: int = 0


def _display(path: str | Path) -> str:
    return "<stdin>" if str(path) == "-" else str(path)


def _open_binary(path: str | Path) -> IO[bytes]:
    if str(path) == "-":
        return sys.stdin.buffer
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not a JSONL file")
    try:
        return p.open("rb")
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot open ({exc.strerror})") from None


#: Longest line read from a JSONL file, in bytes: a record holding a 10 MB page (the download
#: limit), JSON-escaped, with room to spare. A longer line is not a record (``/dev/zero``, a
#: binary file); it is read in pieces and dropped, so memory stays flat whatever the input.
MAX_LINE_BYTES = 32_000_000
_DISCARD_CHUNK = 1 << 20


def _binary_lines(raw: IO[bytes], where: str) -> Iterator[bytes | None]:
    """Yield the lines of ``raw`` (gunzipped when it starts like gzip); None for a line over
    ``MAX_LINE_BYTES``, whose bytes are skipped."""
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(cast(Any, raw))
    if buffered.peek(2)[:2] == _GZIP_MAGIC:
        try:
            yield from _bounded_lines(cast(IO[bytes], gzip.GzipFile(fileobj=buffered, mode="rb")))
        except (OSError, EOFError, zlib.error) as exc:
            raise DataFormatError(f"{where}: corrupt gzip data ({exc})") from None
    else:
        yield from _bounded_lines(buffered)


def _bounded_lines(stream: IO[bytes]) -> Iterator[bytes | None]:
    limit = MAX_LINE_BYTES
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit:
            yield line
            continue
        while not line.endswith(b"\n"):  # the rest of the over-long line, in pieces
            line = stream.readline(_DISCARD_CHUNK)
            if not line:
                break
        yield None


def iter_lines(
    path: str | Path,
    *,
    stream: IO[bytes] | None = None,
    on_bad_line: Callable[[DataFormatError], None] | None = None,
) -> Iterator[Line]:
    """Yield the non-blank lines of a JSONL(.gz) file, or of stdin for ``"-"``.

    ``stream`` is the file already opened by the caller (e.g. from a pyarrow filesystem);
    ``path`` then only names it in messages, and the stream is closed at the end.

    A line that is not UTF-8 or is longer than ``MAX_LINE_BYTES`` raises ``DataFormatError``;
    with ``on_bad_line`` it is passed the error instead and skipped (batch mode reports such
    lines and goes on).

    Raises:
        InputError: the file does not exist or cannot be opened.
        EmptyInput: the file holds no non-blank line.
        DataFormatError: a line is not UTF-8 or too long (without ``on_bad_line``), or the
            gzip data is corrupt.
    """
    where = _display(path)
    raw = _open_binary(path) if stream is None else stream
    seen = False
    try:
        for number, data in enumerate(_binary_lines(raw, where), start=1):
            try:
                if data is None:
                    raise DataFormatError(
                        f"longer than {MAX_LINE_BYTES:,} bytes: not a JSONL record (skipped)",
                        path=where,
                        line=number,
                    )
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise DataFormatError(
                        f"not valid UTF-8 (byte {exc.start + 1})", path=where, line=number
                    ) from None
            except DataFormatError as exc:
                if on_bad_line is None:
                    raise
                seen = True
                on_bad_line(exc)
                continue
            if text.strip():
                seen = True
                yield Line(number, text.rstrip("\r\n"))
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()
    if not seen:
        raise EmptyInput(f"{where}: no records (the file is empty)")


def count_lines(path: str | Path) -> int | None:
    """Return the number of non-blank lines in a file (None for stdin or an unreadable file)."""
    if str(path) == "-":
        return None
    try:
        raw = _open_binary(path)
    except InputError:
        return None
    try:
        return sum(1 for data in _binary_lines(raw, str(path)) if data is None or data.strip())
    except DataFormatError:
        return None
    finally:
        raw.close()


def _type_name(value: Any) -> str:
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
    }.get(type(value), "null")


def parse_object(line: Line, *, path: str | Path) -> dict[str, Any]:
    """Parse one line as a JSON object.

    Raises:
        DataFormatError: the line is not JSON, or not an object.
    """
    where = _display(path)
    try:
        value = json.loads(line.text)
    except json.JSONDecodeError as exc:
        raise DataFormatError(
            f"not valid JSON ({exc.msg} at column {exc.colno})", path=where, line=line.number
        ) from None
    if not isinstance(value, dict):
        raise DataFormatError(
            f"expected a JSON object, got {_type_name(value)}", path=where, line=line.number
        )
    return value


def record_id(obj: Mapping[str, Any], *, path: str | Path, line: int) -> str:
    """Return the record's ``id`` as a string (a string or an integer in the file).

    Raises:
        DataFormatError: ``id`` is missing, empty, neither a string nor an integer, or holds
            a lone surrogate.
    """
    value = obj.get("id")
    if value is None:
        raise DataFormatError("missing field 'id'", path=_display(path), line=line)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise DataFormatError(
            f"field 'id' must be a non-empty string or an integer, got {_type_name(value)}",
            path=_display(path),
            line=line,
        )
    if isinstance(value, str):
        try:
            check_text(value, "field 'id'")
        except InvalidText as exc:  # an id that cannot be written back cannot be reported
            raise DataFormatError(str(exc), path=_display(path), line=line) from None
    return str(value)


def text_field(
    obj: Mapping[str, Any], name: str, *, path: str | Path, line: int, required: bool
) -> str | None:
    """Return a string field, or None when it is absent and not ``required``.

    Raises:
        DataFormatError: the field is required and missing, or is not a string.
    """
    value = obj.get(name)
    if value is None:
        if required:
            raise DataFormatError(f"missing field {name!r}", path=_display(path), line=line)
        return None
    if not isinstance(value, str):
        raise DataFormatError(
            f"field {name!r} must be a string, got {_type_name(value)}",
            path=_display(path),
            line=line,
        )
    return value


def record_from_object(obj: Mapping[str, Any], *, path: str | Path, line: int) -> Record:
    """Build an evaluation record from a parsed line.

    Raises:
        DataFormatError: a required field is missing (all missing ones are named) or mistyped.
    """
    missing = [name for name in EVALUATION_FIELDS if obj.get(name) is None]
    if missing:
        names = ", ".join(repr(name) for name in missing)
        plural = "s" if len(missing) > 1 else ""
        raise DataFormatError(f"missing field{plural} {names}", path=_display(path), line=line)
    article = text_field(obj, "article", path=path, line=line, required=True)
    summary = text_field(obj, "summary", path=path, line=line, required=True)
    optional = {
        name: text_field(obj, name, path=path, line=line, required=False)
        for name in _OPTIONAL_FIELDS
    }
    assert article is not None and summary is not None
    return Record(
        id=record_id(obj, path=path, line=line),
        article=article,
        summary=summary,
        title=optional["title"],
        url=optional["url"],
        language=optional["language"],
        line=line,
    )


def iter_records(path: str | Path, *, limit: int | None = None) -> Iterator[Record]:
    """Yield evaluation records from a JSONL(.gz) file (``"-"`` reads stdin).

    Raises:
        InputError: the file does not exist or cannot be opened.
        EmptyInput: the file has no records.
        DataFormatError: a line is not a JSON object with ``id``, ``article`` and ``summary``
            (the message starts with ``PATH:LINE:``).
    """
    if limit is not None and limit < 1:
        raise InvalidOptions(f"limit must be at least 1 (got {limit})")
    for n, line in enumerate(iter_lines(path), start=1):
        yield record_from_object(parse_object(line, path=path), path=path, line=line.number)
        if limit is not None and n >= limit:
            return
