"""HTTP details on every route: Allow on 405, HEAD wherever GET is, bodies FastAPI cannot decode,
and every error code the server can answer listed in docs/api.md."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsbrief.errors import NewsbriefError
from newsbrief.storage import Store
from web_support import Client, every_route, make_app

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def app_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Store, Client]]:
    app, store, client = make_app(tmp_path_factory.mktemp("protocol"), demo=True)
    yield app, store, client
    store.close()


def methods_by_path(app: Any) -> dict[str, set[str]]:
    paths: dict[str, set[str]] = defaultdict(set)
    for method, path in every_route(app):
        paths[path].add(method)
    return paths


def test_405_allow_lists_every_route_at_the_path(app_store: tuple[Any, Store, Client]) -> None:
    app, _, client = app_store
    checked = 0
    for path, methods in methods_by_path(app).items():
        expected = methods | ({"HEAD"} if "GET" in methods else set())
        r = client.request("PUT", path)  # no route takes PUT (PATCH edits an article)
        assert r.status_code == 405, path
        assert set(r.headers["allow"].split(", ")) == expected, path
        checked += 1
    assert checked >= 15


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/api/articles", "GET, HEAD, POST"),
        ("PUT", "/api/feeds", "GET, HEAD, POST"),
        ("GET", "/api/summarize", "POST"),
        ("HEAD", "/api/summarize", "POST"),
        ("GET", "/api/feeds/1", "DELETE"),
        ("DELETE", "/add", "GET, HEAD, POST"),
        ("POST", "/openapi.json", "GET, HEAD"),
    ],
)
def test_405_names_the_methods(
    app_store: tuple[Any, Store, Client], method: str, path: str, allow: str
) -> None:
    r = app_store[2].request(method, path)
    assert r.status_code == 405
    assert r.headers["allow"] == allow
    if method != "HEAD" and path.startswith("/api/"):
        assert r.json() == {
            "error": {
                "code": "method_not_allowed",
                "message": f"{method} is not allowed on {path} (it takes {allow})",
            }
        }


def test_head_wherever_get(app_store: tuple[Any, Store, Client]) -> None:
    app, _, client = app_store
    gets = [path for method, path in every_route(app) if method == "GET"]
    gets += ["/api/articles/1/summary?sentences=2"]
    for path in gets:
        client.get(path)  # a summary's first answer says "cached": false, later ones true
        got = client.get(path)
        head = client.request("HEAD", path)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"], path
        # /metrics counts the requests themselves: its length changes from one to the next.
        if "content-length" in got.headers and path != "/metrics":
            assert head.headers["content-length"] == got.headers["content-length"], path


def test_head_of_a_missing_page_is_its_404(app_store: tuple[Any, Store, Client]) -> None:
    r = app_store[2].request("HEAD", "/api/articles/999")
    assert r.status_code == 404
    assert r.content == b""
    assert r.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'{"text": "\xff\xfe caf\xe9"}',
            "request body is not valid JSON (not UTF-8: invalid start byte 0xff at byte 10)",
        ),
        (
            b"[" * 50_000 + b"]" * 50_000,
            "request body nests arrays or objects too deeply to be decoded (this API's bodies "
            "are one object of strings and numbers)",
        ),
        (
            b'{"text": ' + b'{"a": ' * 5_000 + b"1" + b"}" * 5_001,
            "request body nests arrays or objects too deeply to be decoded (this API's bodies "
            "are one object of strings and numbers)",
        ),
    ],
    ids=["latin-1", "deep-array", "deep-object"],
)
def test_bodies_that_cannot_be_decoded(
    app_store: tuple[Any, Store, Client], body: bytes, message: str
) -> None:
    for path in ["/api/summarize", "/api/articles", "/api/feeds"]:
        r = app_store[2].post(path, content=body, headers={"content-type": "application/json"})
        assert r.status_code == 422, r.text
        assert r.json() == {"error": {"code": "validation_error", "message": message}}


# --- every error code the server can answer is in docs/api.md --------------------------------

#: Codes that never reach the API: malformed lines of JSONL files (batch, evaluate), and the
#: base class's placeholder (only subclasses are raised).
NOT_HTTP = {"data_format", "error"}


def subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def emitted_codes() -> set[tuple[int, str]]:
    """Return (status, code) of every error the server can answer.

    newsbrief's exceptions (every module that can define one imported), and the literal
    ``(status, "code")`` pairs of the web package: ``HTTP_CODES`` and the handlers' own.
    """
    import newsbrief.web.app

    codes = {(cls.http_status, cls.code) for cls in subclasses(NewsbriefError)}
    web = Path(newsbrief.__file__).parent / "web"
    for source in web.glob("*.py"):
        for status, code in re.findall(r"\b([45][0-9]{2})[,:]\s*\"([a-z_]+)\"", source.read_text()):
            codes.add((int(status), code))
    return {(status, code) for status, code in codes if code not in NOT_HTTP}


def documented_codes() -> set[tuple[int, str]]:
    """Return (status, code) of every row of the error table in docs/api.md."""
    text = (ROOT / "docs" / "api.md").read_text()
    table = text[text.index("| status | codes | when |") :].split("\n\n")[0]
    found = set()
    for row in table.splitlines()[2:]:
        cells = row.split("|")
        found |= {(int(cells[1]), code) for code in re.findall(r"`([a-z_*]+)`", cells[2])}
    return found


def test_every_error_code_is_documented() -> None:
    emitted, documented = emitted_codes(), documented_codes()
    assert (422, "validation_error") in emitted and (421, "unknown_host") in emitted
    assert emitted - documented == set(), "codes the server answers that docs/api.md lacks"
    assert documented - emitted == set(), "codes docs/api.md lists that nothing answers"
