"""Turn the bytes of a page or a text file into ``str``: declared charset first, then detection.

The order is the one browsers follow, minus their guesswork: a byte-order mark, the charset
the server declared (``Content-Type: text/html; charset=...``), the charset the document
declares itself (``<meta charset>`` or ``<meta http-equiv>``), strict UTF-8, and finally
charset-normalizer's detection. Bytes that none of these can read — and anything with NUL
bytes, which text never has — are refused as binary.

A gzip-compressed page (a saved ``page.html.gz``, or piped from ``curl`` without
``--compressed``) is recognised by gzip's magic number, never by a file name, and
decompressed first (``gunzip``), within the same byte limit as any input.
"""

from __future__ import annotations

import codecs
import re
import zlib

from newsbrief.errors import InputTooLarge, UndecodableInput

__all__ = ["GZIP_MAGIC", "declared_charset", "decode_bytes", "gunzip", "meta_charset"]

#: The first two bytes of every gzip stream (RFC 1952).
GZIP_MAGIC = b"\x1f\x8b"

#: Bytes searched for a ``<meta charset>``; the HTML standard says it must sit in the first 1024,
#: real pages put it later (after long comments or inline scripts), so look further.
META_SCAN_BYTES = 8192
#: Bytes searched for NUL characters when deciding whether the input is binary.
BINARY_SCAN_BYTES = 8192

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
#: Text with more than this share of control characters is binary that happened to decode.
#: Real pages have none outside tabs and newlines; 1% leaves room for a few stray ones.
MAX_CONTROL_SHARE = 0.01
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def gunzip(data: bytes, *, max_bytes: int, what: str = "the input") -> bytes:
    """Return ``data`` decompressed when it is gzip (by its magic number), else unchanged.

    Raises:
        InputTooLarge: the decompressed data is over ``max_bytes`` (decompression stops
            there, so a small "gzip bomb" costs no more than a large plain input).
        UndecodableInput: gzip data that is corrupt or cut short.
    """
    if not data.startswith(GZIP_MAGIC):
        return data
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)
        if len(out) <= max_bytes and not inflater.unconsumed_tail:
            out += inflater.flush()
    except zlib.error as exc:
        raise UndecodableInput(f"{what}: corrupt gzip data ({exc})") from None
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise InputTooLarge(
            f"{what} is over the limit of {max_bytes:,} bytes once decompressed (gzip)",
            hint="raise it with --max-bytes (max_bytes= in Python)",
        )
    if not inflater.eof:
        raise UndecodableInput(f"{what}: corrupt gzip data (the stream is cut short)")
    return out


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _known(name: str | None) -> str | None:
    """Return the Python codec name for ``name``, or None when Python has no such codec."""
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(content_type: str | None) -> str | None:
    """Return the charset named in a ``Content-Type`` header value, if Python knows it."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return _known(match.group(1)) if match else None


def meta_charset(data: bytes) -> str | None:
    """Return the charset a page declares in its ``<meta>`` tags, if Python knows it."""
    match = _META_CHARSET.search(data[:META_SCAN_BYTES])
    return _known(match.group(1).decode("ascii")) if match else None


def _check_text(text: str) -> str:
    sample = text[:BINARY_SCAN_BYTES]
    if sample and len(_CONTROL.findall(sample)) > MAX_CONTROL_SHARE * len(sample):
        raise UndecodableInput(
            "the input is binary (it is mostly control characters); "
            "give an HTML page or a text file"
        )
    return text


def decode_bytes(data: bytes, *, content_type: str | None = None) -> tuple[str, str]:
    """Decode ``data`` to text and return ``(text, encoding)``.

    Raises:
        UndecodableInput: the bytes are binary (NUL bytes) or no encoding reads them.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _check_text(data.decode(encoding)), encoding
            except UnicodeDecodeError:
                break
    if b"\x00" in data[:BINARY_SCAN_BYTES]:
        raise UndecodableInput(
            "the input is binary (it contains NUL bytes); give an HTML page or a text file"
        )
    for candidate in (declared_charset(content_type), meta_charset(data), "utf-8"):
        if candidate is None:
            continue
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        return _check_text(text), candidate
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UndecodableInput(
            "the input is not text in any known encoding; give an HTML page or a text file"
        )
    return _check_text(str(best)), str(best.encoding)
