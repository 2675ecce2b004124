"""Settings of the reader site and API: one frozen object built by ``newsbrief serve``.

``create_app(settings)`` reads nothing else: no environment look-ups or globals inside the web
package, so tests build an app per temporary store.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from newsbrief.errors import InvalidOptions

#: Largest request body the app reads (pasted HTML included). 2 MB holds any real news page
#: (the 85 pages of the extraction benchmark are 30-900 KB) with room to spare.
DEFAULT_MAX_BODY_BYTES = 2_000_000

#: Page length choices of the summary button -> number of sentences.
SUMMARY_LENGTHS: dict[str, int] = {"short": 1, "medium": 3, "long": 5}


@dataclass(frozen=True)
class Settings:
    """Everything the web app needs to know; defaults are the safe local ones.

    ``database_url`` None means the SQLite file under ``data_dir`` (see ``open_store``).
    ``refresh_minutes`` 0 turns the feed schedule off.
    """

    database_url: str | None = None
    data_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    allow_private_networks: bool = False
    refresh_minutes: float = 0
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    default_method: str = "default"
    default_length: str = "medium"
    page_size: int = 20
    demo: bool = False
    summary_lengths: dict[str, int] = field(default_factory=lambda: dict(SUMMARY_LENGTHS))

    def __post_init__(self) -> None:
        if not (0 <= self.port <= 65535):
            raise InvalidOptions(f"port must be between 0 and 65535 (got {self.port})")
        if self.refresh_minutes < 0:
            raise InvalidOptions(
                f"refresh minutes must be 0 (off) or more (got {self.refresh_minutes})"
            )
        if self.max_body_bytes < 1024:
            raise InvalidOptions(
                f"max body size must be at least 1024 bytes (got {self.max_body_bytes})"
            )
        if not (1 <= self.page_size <= 100):
            raise InvalidOptions(f"page size must be between 1 and 100 (got {self.page_size})")
        if self.default_length not in self.summary_lengths:
            raise InvalidOptions(
                f"unknown summary length {self.default_length!r}; "
                f"choose one of: {', '.join(self.summary_lengths)}"
            )

    @property
    def is_loopback(self) -> bool:
        """Return True when the site listens on a loopback address only."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False
