"""`decode_bytes` refuses what is not text, with the exact message the CLI and API show."""

from __future__ import annotations

import codecs

import pytest

from newsbrief.charset import MAX_CONTROL_SHARE, decode_bytes
from newsbrief.errors import UndecodableInput

NUL_BYTES = "the input is binary (it contains NUL bytes); give an HTML page or a text file"
CONTROL = "the input is binary (it is mostly control characters); give an HTML page or a text file"
NO_ENCODING = "the input is not text in any known encoding; give an HTML page or a text file"
#: Every byte from 0x80 up and nothing else: not UTF-8, and charset-normalizer finds no
#: encoding that reads it as text.
HIGH_BYTES = bytes(range(0x80, 0x100))


@pytest.mark.parametrize(
    ("data", "content_type", "message"),
    [
        pytest.param(b"GIF89a\x01\x00\x01\x00", None, NUL_BYTES, id="nul-bytes"),
        pytest.param(b"\x01\x02\x03\x04\x05\x06\x07\x08" * 50, None, CONTROL, id="control-utf8"),
        pytest.param(
            b"\x1b[0m\x9b" * 50,  # \x9b is not UTF-8; in Latin-1 it is a C1 control
            "text/plain; charset=iso-8859-1",
            CONTROL,
            id="control-declared-charset",
        ),
        pytest.param(
            codecs.BOM_UTF16_LE + "\x01\x02\x03 \x04\x05\x06\n".encode("utf-16-le") * 40,
            None,
            CONTROL,
            id="control-after-bom",
        ),
        pytest.param(HIGH_BYTES, None, NO_ENCODING, id="no-encoding"),
    ],
)
def test_refused(data: bytes, content_type: str | None, message: str) -> None:
    with pytest.raises(UndecodableInput) as info:
        decode_bytes(data, content_type=content_type)
    assert str(info.value) == message


def test_no_encoding_is_undecodable_input_with_http_status_415() -> None:
    with pytest.raises(UndecodableInput) as info:
        decode_bytes(HIGH_BYTES)
    assert (info.value.code, info.value.http_status) == ("undecodable_input", 415)


@pytest.mark.parametrize(
    ("controls", "accepted"),
    [
        pytest.param(0, True, id="none"),
        pytest.param(1, True, id="at-the-limit"),
        pytest.param(2, False, id="over-the-limit"),
    ],
)
def test_control_share_limit(controls: int, accepted: bool) -> None:
    # 100 characters, so the 1% limit allows exactly one stray control character.
    assert MAX_CONTROL_SHARE == 0.01
    text = "a" * (100 - controls) + "\x07" * controls
    if accepted:
        assert decode_bytes(text.encode()) == (text, "utf-8")
    else:
        with pytest.raises(UndecodableInput, match=r"mostly control characters"):
            decode_bytes(text.encode())


def test_tabs_and_newlines_are_not_control_characters() -> None:
    text = "\t\n\r\f" * 50
    assert decode_bytes(text.encode()) == (text, "utf-8")
