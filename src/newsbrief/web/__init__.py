"""The reader site and JSON API (FastAPI): build one with ``create_app(settings)``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["create_app"]

if TYPE_CHECKING:
    from newsbrief.web.app import create_app


def __getattr__(name: str) -> Any:
    # Lazy: importing the package must not import FastAPI.
    if name == "create_app":
        from newsbrief.web.app import create_app

        return create_app
    raise AttributeError(f"module 'newsbrief.web' has no attribute {name!r}")
