"""Read the site's HTML forms: any field up to the body limit, and what an oversized one keeps.

Starlette's form parser caps each field at 1 MB by default, below the server's
``--max-body-bytes`` (2 MB): pasting 1.5 MB of text answered a bare 400 "Field exceeded maximum
size of 1024KB.". Here a field may fill the whole body. A body over the limit is cut there by
``SecurityMiddleware`` (which raises a 413 ``HTTPException`` at the next read); the fields
that arrived whole are kept, so the page can show the form again with them filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote_plus

from starlette.exceptions import HTTPException
from starlette.requests import Request

from newsbrief.errors import InputError, InputTooLarge
from newsbrief.web.asgi import receive_once

#: Most fields a site form may send: ours send at most three; more is not one of our forms.
MAX_FORM_FIELDS = 20

#: What the site calls each field in a message about it.
FIELD_NAMES = {"url": "URL", "title": "title", "text": "pasted text", "html": "pasted HTML"}


class FormTooLarge(InputTooLarge):
    """A form over the body limit; ``kept`` holds the fields that arrived whole."""

    def __init__(self, message: str, *, kept: dict[str, str], cut: str | None) -> None:
        super().__init__(message)
        self.kept = kept
        #: The field the limit cut (None when it cannot be told).
        self.cut = cut


@dataclass(frozen=True)
class Prefix:
    """The whole fields at the start of a cut ``application/x-www-form-urlencoded`` body."""

    fields: dict[str, str]
    #: The name of the field the cut fell in, when its name arrived whole.
    cut: str | None


def parse_prefix(body: bytes) -> Prefix:
    """Return the fields of a urlencoded body cut short: all but the last, which is partial."""
    whole, _, partial = body.rpartition(b"&")
    text = whole.decode("ascii", "replace")
    fields = dict(parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS))
    name, equals, _ = partial.partition(b"=")
    cut = unquote_plus(name.decode("ascii", "replace")) if equals and name else None
    return Prefix(fields, cut)


def too_large_message(max_bytes: int, cut: str | None) -> str:
    """Return what the site says about a form over ``max_bytes``: the limit and how to fix it."""
    what = f"the {FIELD_NAMES.get(cut, 'form')}" if cut else "the form"
    kept = f"so {what} could not be kept" if cut else "so it could not be read"
    return (
        f"the form is larger than the limit of {max_bytes:,} bytes, {kept}; "
        f"paste less, or start the server with a larger --max-body-bytes"
    )


async def read_form(request: Request, *, max_bytes: int) -> dict[str, str]:
    """Return the text fields of the form ``request`` sends (urlencoded or multipart).

    A field may be as long as the body limit. A field repeated keeps its last value; files
    are ignored.

    Raises:
        FormTooLarge: the body is over ``max_bytes`` (413); it keeps the whole fields of a
            urlencoded body.
        InputError: the body is not a form that can be parsed (400).
    """
    chunks: list[bytes] = []
    try:
        async for chunk in request.stream():
            chunks.append(chunk)
    except HTTPException as exc:
        if exc.status_code != 413:
            raise
        body = b"".join(chunks)
        prefix = Prefix({}, None)
        ctype = request.headers.get("content-type", "").lower()
        if ctype.startswith("application/x-www-form-urlencoded"):
            prefix = parse_prefix(body)
        message = too_large_message(max_bytes, prefix.cut)
        raise FormTooLarge(message, kept=prefix.fields, cut=prefix.cut) from exc
    # The body was read above; the parser gets it again in one message.
    parsing = Request(request.scope, receive_once(b"".join(chunks))).form(
        max_fields=MAX_FORM_FIELDS, max_part_size=max_bytes
    )
    try:
        async with parsing as form:  # closes any uploaded file
            return {name: value for name, value in form.multi_items() if isinstance(value, str)}
    except HTTPException as exc:  # python-multipart's complaints: too many fields, malformed
        raise InputError(f"the form could not be read: {exc.detail}") from exc
