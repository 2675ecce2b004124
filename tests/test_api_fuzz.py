"""The standing fuzz suite: requests generated from the OpenAPI schema by schemathesis.

Every API operation gets schema-conforming and schema-violating requests (bodies, query
strings, path parameters). Each answer must be one the schema documents for that operation
(status and content type), never a 500, and every error must be the one error shape with a
code docs/api.md lists; a schema-violating request must be refused (4xx). Fetching is
replaced by a refusal, so no request leaves the machine and none waits on DNS.

Bounded for CI: ``FUZZ_EXAMPLES`` examples per operation, the same ones every run (derandomized,
so a failure in CI reproduces); the run time is in docs/benchmarks.md. For a longer, random
search: ``NEWSBRIEF_FUZZ_EXAMPLES=1000 pytest tests/test_api_fuzz.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from newsbrief.errors import Unreachable
from newsbrief.settings import DEFAULT_ALLOWED_HOSTS, Settings
from newsbrief.storage import open_store
from newsbrief.web.app import create_app
from test_web_protocol import documented_codes

#: Examples per operation (10 operations; the run time is in docs/benchmarks.md).
FUZZ_EXAMPLES = int(os.environ.get("NEWSBRIEF_FUZZ_EXAMPLES", "40"))
#: Random examples only when asked for more than CI runs.
RANDOM = "NEWSBRIEF_FUZZ_EXAMPLES" in os.environ
#: What schemathesis's in-process ASGI client sends as its host name.
FUZZ_HOSTS = (*DEFAULT_ALLOWED_HOSTS, "testserver", "localhost")


def no_fetching(url: str, **kwargs: Any) -> Any:
    raise Unreachable(f"{url}: fetching is off in the fuzz suite")


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    import newsbrief.fetch

    patch = pytest.MonkeyPatch()
    patch.setattr(newsbrief.fetch, "fetch", no_fetching)
    folder: Path = tmp_path_factory.mktemp("fuzz")
    store = open_store(f"sqlite:///{folder / 'fuzz.sqlite3'}")
    app = create_app(Settings(demo=True, allowed_hosts=FUZZ_HOSTS), store=store)
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
    # This app is the one-person tool (loopback, no account or token): everyone is an editor,
    # so the editors' bearer token the schema declares is not needed, and a request without
    # it is rightly accepted. tests/test_auth.py checks who may write in the other modes.
    loaded.config.generation.update(with_security_parameters=False)
    yield loaded
    store.close()
    patch.undo()


schema = schemathesis.pytest.from_fixture("api_schema")
CODES = {code for _, code in documented_codes()}


def one_error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx answer is ``{"error": {"code", "message"}}`` with a documented code."""
    if response.status_code < 400:
        return None
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    assert body["error"]["code"] in CODES, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], body
    return None


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=not RANDOM,
)
def test_api_fuzz(case: Any) -> None:
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            negative_data_rejection,
        ],
        additional_checks=[one_error_shape],
    )
