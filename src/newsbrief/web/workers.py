"""``newsbrief serve --workers N``: how each worker process builds the same app.

uvicorn starts N processes on one listening socket; each imports
``app_from_environment`` (an app factory) and builds its own app, store connections and caches.
The parent hands them its ``Settings`` through the environment (``SETTINGS_ENV``: the pickled
settings, which only the parent writes, for its own children), and points prometheus-client at
one folder for every worker's metric files (``PROMETHEUS_MULTIPROC_DIR``), so ``/metrics`` on
any worker reports the whole server.

What the workers share is the store: PostgreSQL, or one SQLite file in WAL mode (readers never
wait; writers take turns; every worker on the same machine), and through it the rate limits'
buckets and failed-login counts (``Settings.workers`` > 1: ``web.limits.SharedRateLimiter``).
Each keeps its own answer cache and pre-generation queue (docs/deploy.md).
"""

from __future__ import annotations

import atexit
import base64
import logging
import os
import pickle
import shutil
import sys
import tempfile
from typing import Any

from fastapi import FastAPI

from newsbrief.errors import InvalidOptions
from newsbrief.metrics import MULTIPROC_ENV
from newsbrief.settings import Settings

#: The environment variable that carries the parent's settings to its workers.
SETTINGS_ENV = "NEWSBRIEF_WORKER_SETTINGS"


def workers_environment(settings: Settings) -> None:
    """Prepare this process's environment for worker processes that serve ``settings``.

    Sets ``SETTINGS_ENV``, and ``PROMETHEUS_MULTIPROC_DIR`` to a fresh folder removed at exit
    (unless the caller set one: then it is used, and emptied first as prometheus-client asks).
    """
    os.environ[SETTINGS_ENV] = base64.b64encode(pickle.dumps(settings)).decode("ascii")
    folder = os.environ.get(MULTIPROC_ENV)
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.remove(os.path.join(folder, name))
    else:
        folder = tempfile.mkdtemp(prefix="newsbrief-metrics-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ[MULTIPROC_ENV] = folder


def configure_access_log() -> None:
    """Send the ``newsbrief.access`` JSON lines to stderr, one per request, nothing added."""
    logger = logging.getLogger("newsbrief.access")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def app_from_environment() -> FastAPI:
    """Build a worker's app from the settings its parent left in ``SETTINGS_ENV``.

    Raises:
        InvalidOptions: the variable is missing (the factory was started by something other
            than ``newsbrief serve --workers``).
    """
    from newsbrief.web.app import create_app

    settings = _settings()
    if settings.json_access_log:
        configure_access_log()
    return create_app(settings)


def _settings() -> Settings:
    """Return the settings the parent left in ``SETTINGS_ENV``.

    Raises:
        InvalidOptions: the variable is missing.
    """
    encoded = os.environ.get(SETTINGS_ENV)
    if not encoded:
        raise InvalidOptions(
            f"{SETTINGS_ENV} is not set: start the workers with newsbrief serve --workers N"
        )
    settings = pickle.loads(base64.b64decode(encoded))  # written by our own parent process
    assert isinstance(settings, Settings)
    return settings


def __getattr__(name: str) -> Any:
    """Return ``WorkerProtocol``: the http protocol class of a worker's connections.

    uvicorn hands its workers the protocol by import path (a class made in the parent cannot
    reach another process), so each worker builds it here, with the parent's header deadline.
    """
    if name == "WorkerProtocol":
        from newsbrief.web.server import protocol_with_header_timeout

        return protocol_with_header_timeout(_settings().header_timeout)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
