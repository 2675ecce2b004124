"""Small ASGI pieces the web modules share (no import of the rest of the web package)."""

from __future__ import annotations

from starlette.types import Message, Receive


def receive_once(body: bytes = b"") -> Receive:
    """Return an ASGI ``receive`` that gives ``body`` in one message, then a disconnect.

    For a request the server makes to itself (a page rendered for the page cache) and for a
    body already read that a parser must be given again (an oversized form's kept fields).
    """
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
