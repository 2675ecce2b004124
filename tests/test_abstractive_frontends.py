"""Abstractive methods from every front end: the API, the site, batch mode and ``serve``.

The ``llm`` method runs end to end against ``tests/llm_server.py`` (a real HTTP server on
127.0.0.1 speaking the OpenAI chat-completions protocol). ``transformers`` and ``llama-cpp``
are exercised only where their model is missing or wrong: that error comes before their
library is imported, so these tests block the imports to prove it and need neither installed.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from llm_server import FakeLLM, Reply, completion, serve
from newsbrief import service, summarizers
from newsbrief.cli import cli
from newsbrief.errors import InvalidOptions, ModelNotFound
from newsbrief.models import Length, SummaryOptions
from newsbrief.pipeline import prepare, summarize
from newsbrief.settings import Settings
from newsbrief.storage import Store
from newsbrief.summarizers.hf import missing_model_message as hf_missing
from newsbrief.summarizers.llamacpp import LlamaCppSummarizer
from newsbrief.summarizers.llamacpp import missing_model_message as llama_missing
from web_support import Client, make_app

ARTICLE = (
    "The city council of Springfield approved a new budget of 45 million dollars on Tuesday.\n"
    "Mayor Alice Brown said the money would go to schools and road repairs.\n"
    "The vote was 7 to 2, with two members saying the plan raised taxes too much.\n"
    "Work on the roads will start in March and should end by the autumn."
)
#: One sentence the article supports, one with a number it does not have.
HALF_SUPPORTED = (
    "- The council approved a budget of 45 million dollars.\n- The budget was 60 million dollars."
)
UNSUPPORTED_LABEL = "(not found in the article)"


@pytest.fixture(autouse=True)
def _fresh_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    # Summarizer instances are kept per (method, config) for the process; each test starts
    # as a fresh server would, and no test sees a developer's own LLM settings.
    monkeypatch.setattr(summarizers, "_INSTANCES", {})
    for name in ("NEWSBRIEF_LLM_MODEL", "NEWSBRIEF_LLM_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[FakeLLM]:
    with serve() as state:
        yield state


@pytest.fixture
def no_heavy_libraries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make importing torch, transformers or llama_cpp fail, as on a core install."""
    for name in ("torch", "transformers", "llama_cpp"):
        monkeypatch.setitem(sys.modules, name, None)


AppFactory = Callable[..., tuple[Store, Client]]
LLMApp = Callable[..., tuple[Store, Client]]


@pytest.fixture
def new_app(tmp_path: Path) -> Iterator[AppFactory]:
    """Return a function building an app (on its own SQLite store) from Settings fields."""
    stores: list[Store] = []

    def build(**settings: Any) -> tuple[Store, Client]:
        folder = tmp_path / f"app{len(stores)}"
        folder.mkdir()
        _, store, client = make_app(folder, **settings)
        stores.append(store)
        return store, client

    yield build
    for store in stores:
        store.close()


def llm_backend(server: FakeLLM, *extra: tuple[str, Any]) -> dict[str, tuple[tuple[str, Any], ...]]:
    """Return ``Settings.backends`` for the loopback server (fast retries)."""
    return {"llm": (("llm_url", server.url), ("llm_model", "tiny"), ("backoff", 0.01), *extra)}


@pytest.fixture
def llm_app(new_app: AppFactory, server: FakeLLM) -> LLMApp:
    """Return a function building an app whose ``llm`` backend is the loopback server."""

    def build(*extra: tuple[str, Any], **settings: Any) -> tuple[Store, Client]:
        return new_app(backends=llm_backend(server, *extra), **settings)

    return build


def add_article(client: Client) -> int:
    r = client.post("/api/articles", json={"text": ARTICLE, "title": "Budget approved"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


# --- the API, end to end ---------------------------------------------------------------------


def test_post_summarize_with_llm(llm_app: LLMApp, server: FakeLLM) -> None:
    server.script(Reply(body=completion(HALF_SUPPORTED)))
    _, client = llm_app()
    r = client.post("/api/summarize", json={"text": ARTICLE, "method": "llm", "sentences": 2})
    assert r.status_code == 200, r.text
    data = r.json()
    assert (data["method"], data["kind"], data["cached"]) == ("llm", "abstractive", False)
    assert [s["supported"] for s in data["sentences"]] == [True, False]
    assert data["sentences"][0]["evidence"] == [0]
    assert data["info"]["model"] == "tiny" and data["info"]["chunks"] == 1
    assert server.requests[0]["model"] == "tiny"


def test_post_summarize_summary_language(llm_app: LLMApp, server: FakeLLM) -> None:
    _, client = llm_app()
    body = {"text": ARTICLE, "method": "llm", "summary_language": "fr"}
    r = client.post("/api/summarize", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["info"]["summary_language"] == "fr"
    prompt = server.requests[0]["messages"][-1]["content"]
    assert "The article is in English; write the summary in French" in prompt


def test_server_summary_language_is_the_default(llm_app: LLMApp, server: FakeLLM) -> None:
    _, client = llm_app(summary_language="de")
    r = client.post("/api/summarize", json={"text": ARTICLE, "method": "llm"})
    assert r.json()["info"]["summary_language"] == "de"
    r = client.post(
        "/api/summarize", json={"text": ARTICLE, "method": "llm", "summary_language": "es"}
    )
    assert r.json()["info"]["summary_language"] == "es"


@pytest.mark.parametrize("field", ["llm_url", "llm_model", "llm_key_env", "model_path", "config"])
def test_a_request_cannot_choose_the_backend(llm_app: LLMApp, server: FakeLLM, field: str) -> None:
    _, client = llm_app()
    body = {"text": ARTICLE, "method": "llm", field: "http://169.254.169.254/v1"}
    r = client.post("/api/summarize", json=body)
    assert r.status_code == 422
    assert r.json() == {
        "error": {"code": "validation_error", "message": f"{field}: Extra inputs are not permitted"}
    }
    assert server.requests == []


def test_summary_language_with_an_extractive_method(llm_app: LLMApp, server: FakeLLM) -> None:
    _, client = llm_app()
    r = client.post(
        "/api/summarize", json={"text": ARTICLE, "method": "lead", "summary_language": "fr"}
    )
    assert r.status_code == 400
    assert r.json() == {
        "error": {
            "code": "invalid_options",
            "message": "summary_language is not used by method 'lead': it picks sentences from "
            "the article; ask one of: llama-cpp, llm, transformers",
        }
    }


def test_stored_summary_with_llm_is_computed_once(llm_app: LLMApp, server: FakeLLM) -> None:
    _, client = llm_app()
    article_id = add_article(client)
    url = f"/api/articles/{article_id}/summary?method=llm&sentences=2"
    first = client.get(url)
    assert first.status_code == 200, first.text
    assert (first.json()["kind"], first.json()["cached"]) == ("abstractive", False)
    assert all(s["supported"] for s in first.json()["sentences"])
    second = client.get(url)
    assert second.json()["cached"] is True
    assert second.json()["sentences"] == first.json()["sentences"]
    assert len(server.requests) == 1


def test_stored_summary_summary_language(llm_app: LLMApp, server: FakeLLM) -> None:
    _, client = llm_app(summary_language="de")
    article_id = add_article(client)
    url = f"/api/articles/{article_id}/summary?method=llm&sentences=2"
    french = client.get(url + "&summary_language=fr")
    assert french.status_code == 200, french.text
    assert (french.json()["info"]["summary_language"], french.json()["cached"]) == ("fr", False)
    prompt = server.requests[-1]["messages"][-1]["content"]
    assert "The article is in English; write the summary in French" in prompt
    # Without the parameter the server's language applies: a summary of its own, not the
    # French one from either cache (the store's or the in-memory one).
    german = client.get(url)
    assert (german.json()["info"]["summary_language"], german.json()["cached"]) == ("de", False)
    assert len(server.requests) == 2
    for query, language in (("&summary_language=fr", "fr"), ("", "de")):
        again = client.get(url + query).json()
        assert (again["info"]["summary_language"], again["cached"]) == (language, True)
    assert len(server.requests) == 2
    # Both are kept in memory too, each under its own key.
    memory = client.app.state.newsbrief.summaries
    assert memory.get((article_id, "llm", "sentences=2", "json", "fr")) is not None
    assert memory.get((article_id, "llm", "sentences=2", "json", None)) is not None
    assert len(memory) == 2


def test_stored_summary_summary_language_with_an_extractive_method(
    llm_app: LLMApp, server: FakeLLM
) -> None:
    _, client = llm_app()
    article_id = add_article(client)
    r = client.get(f"/api/articles/{article_id}/summary?method=lead&summary_language=fr")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_options"
    assert r.json()["error"]["message"].startswith("summary_language is not used by method 'lead'")


def test_server_backend_serves_the_default_method(llm_app: LLMApp, server: FakeLLM) -> None:
    _, client = llm_app(default_method="llm")
    article_id = add_article(client)
    assert client.get(f"/api/articles/{article_id}/summary").json()["kind"] == "abstractive"
    r = client.post("/api/summarize", json={"text": ARTICLE})
    assert r.json()["method"] == "llm"
    # An extractive method asked for gets no backend settings (it would refuse them).
    lead = client.get(f"/api/articles/{article_id}/summary?method=lead")
    assert lead.status_code == 200 and lead.json()["kind"] == "extractive"


# --- backend errors in the API: 502 and 504 --------------------------------------------------


def test_endpoint_failing_with_500_is_502(llm_app: LLMApp, server: FakeLLM) -> None:
    server.default = lambda request: Reply(500, {"error": {"message": "boom"}})
    _, client = llm_app()
    article_id = add_article(client)
    expected = {
        "error": {
            "code": "backend_error",
            "message": f"the LLM endpoint {server.url} failed with HTTP 500 after 3 attempts: boom",
        }
    }
    for r in (
        client.post("/api/summarize", json={"text": ARTICLE, "method": "llm"}),
        client.get(f"/api/articles/{article_id}/summary?method=llm"),
    ):
        assert r.status_code == 502
        assert r.json() == expected
    assert len(server.requests) == 6  # 3 attempts each


def test_endpoint_timeout_is_504(llm_app: LLMApp, server: FakeLLM) -> None:
    server.default = lambda request: Reply(body=completion("Too late."), delay=1.0)
    _, client = llm_app(("llm_timeout", 0.2))
    article_id = add_article(client)
    expected = {
        "error": {
            "code": "backend_timeout",
            "message": f"the LLM endpoint {server.url} did not answer within 0.2 s; "
            "raise --llm-timeout, use a smaller model or check --llm-url",
        }
    }
    for r in (
        client.post("/api/summarize", json={"text": ARTICLE, "method": "llm"}),
        client.get(f"/api/articles/{article_id}/summary?method=llm"),
    ):
        assert r.status_code == 504
        assert r.json() == expected


def test_fallback_is_served_and_not_cached(llm_app: LLMApp, server: FakeLLM) -> None:
    _, client = llm_app(("retries", 0), ("fallback", "extractive"))
    article_id = add_article(client)
    url = f"/api/articles/{article_id}/summary?method=llm&sentences=2"
    server.script(Reply(500, {"error": {"message": "boom"}}))
    first = client.get(url).json()
    assert first["info"]["fallback"] == {
        "method": summarizers.resolve("default"),
        "reason": f"the LLM endpoint {server.url} failed with HTTP 500 after 1 attempt: boom",
        "error": "backend_error",
    }
    assert all(s["index"] is not None for s in first["sentences"])
    # The endpoint is back: the next request asks it again (no cache kept the stand-in).
    second = client.get(url).json()
    assert second["cached"] is False and "fallback" not in second["info"]
    assert second["sentences"][0]["index"] is None
    assert client.get(url).json()["cached"] is True


# --- the site: unsupported sentences are marked without JavaScript ---------------------------


def test_summary_page_marks_unsupported_sentences(llm_app: LLMApp, server: FakeLLM) -> None:
    server.script(Reply(body=completion(HALF_SUPPORTED)))
    _, client = llm_app(default_method="llm")
    article_id = add_article(client)
    html = client.get(f"/articles/{article_id}/summary?length=medium").text
    assert "<li>The council approved a budget of 45 million dollars.</li>" in html
    assert (
        '<li class="unsupported">The budget was 60 million dollars. '
        f'<span class="unsupported-label" lang="en">{UNSUPPORTED_LABEL}</span></li>'
    ) in html
    assert html.count(UNSUPPORTED_LABEL) == 1
    assert "Method: <strong>llm</strong> (abstractive)" in html
    # The API answer behind the same summary says the same.
    data = client.get(f"/api/articles/{article_id}/summary?format=bullets&sentences=3").json()
    assert [s["supported"] for s in data["sentences"]] == [True, False]
    assert data["info"]["faithfulness"]["issues"][1] == ["number 60 is not in the article"]


def test_script_marks_them_with_the_same_text() -> None:
    static = Path(__file__).resolve().parents[1] / "src/newsbrief/web/static"
    script = (static / "app.js").read_text(encoding="utf-8")
    # The label comes from the page's labels (the article's language), English by default.
    assert "label.textContent = T.unsupported;" in script
    assert f'unsupported: "{UNSUPPORTED_LABEL}"' in script
    assert ".unsupported-label" in (static / "style.css").read_text(encoding="utf-8")


# --- --fallback extractive when the model cannot be found ------------------------------------

BAD_MODELS = [
    pytest.param("transformers", "model_not_found", hf_missing, id="transformers"),
    pytest.param("llama-cpp", "model_not_found", llama_missing, id="llama-cpp"),
]


@pytest.mark.usefixtures("no_heavy_libraries")
@pytest.mark.parametrize(("method", "code", "message"), BAD_MODELS)
def test_missing_model_falls_back(tmp_path: Path, method: str, code: str, message: Any) -> None:
    missing = str(tmp_path / "no-such-model")
    options = SummaryOptions(
        method=method,
        length=Length(sentences=2),
        config=(("model_path", missing), ("fallback", "extractive")),
    )
    summary = summarize(ARTICLE, options=options)
    assert (summary.method, summary.kind) == (method, "abstractive")
    assert summary.info["fallback"] == {
        "method": summarizers.resolve("default"),
        "reason": message(missing),
        "error": code,
    }
    default = summarizers.get("default").summarize(
        prepare(ARTICLE), SummaryOptions(length=Length(sentences=2))
    )
    assert summary.sentences == default.sentences


@pytest.mark.usefixtures("no_heavy_libraries")
@pytest.mark.parametrize(("method", "code", "message"), BAD_MODELS)
def test_missing_model_without_fallback_is_an_error(
    tmp_path: Path, method: str, code: str, message: Any
) -> None:
    missing = str(tmp_path / "no-such-model")
    options = SummaryOptions(method=method, config=(("model_path", missing),))
    with pytest.raises((ModelNotFound, InvalidOptions)) as err:
        summarize(ARTICLE, options=options)
    assert (err.value.code, str(err.value)) == (code, message(missing))


@pytest.mark.usefixtures("no_heavy_libraries")
@pytest.mark.parametrize(
    "config",
    [
        pytest.param((("fallback", "extractive"),), id="no-model-path"),
        pytest.param((("model_path", "org/distilbart"), ("fallback", "extractive")), id="hub-name"),
    ],
)
def test_transformers_fallback_without_a_usable_model(config: tuple[tuple[str, str], ...]) -> None:
    summary = summarize(ARTICLE, options=SummaryOptions(method="transformers", config=config))
    assert summary.info["fallback"]["method"] == summarizers.resolve("default")
    assert "--model-path" in summary.info["fallback"]["reason"]


def test_a_typo_is_not_hidden_by_the_fallback(tmp_path: Path) -> None:
    config = (("model_path", str(tmp_path)), ("fallback", "extractive"), ("num_beams", "four"))
    with pytest.raises(InvalidOptions, match=r"^invalid 'transformers' setting: "):
        summarize(ARTICLE, options=SummaryOptions(method="transformers", config=config))


def test_llm_without_a_model_falls_back() -> None:
    options = SummaryOptions(method="llm", config=(("fallback", "extractive"),))
    fallback = summarize(ARTICLE, options=options).info["fallback"]
    assert fallback["error"] == "invalid_options"
    assert fallback["reason"] == (
        "the 'llm' summarizer needs a model name: pass --llm-model NAME "
        "(or set NEWSBRIEF_LLM_MODEL)"
    )


@pytest.mark.usefixtures("no_heavy_libraries")
def test_cli_missing_model_with_fallback(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    missing = str(tmp_path / "nope")
    args = ["summarize", str(article), "-m", "transformers", "--model-path", missing]
    result = CliRunner().invoke(cli, [*args, "--fallback", "extractive", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["info"]["fallback"]["reason"] == hf_missing(missing)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.stderr == f"newsbrief: error: {hf_missing(missing)}\n"


@pytest.mark.usefixtures("no_heavy_libraries")
def test_site_and_api_with_a_missing_model(tmp_path: Path, new_app: AppFactory) -> None:
    missing = str(tmp_path / "nope.gguf")
    backends = {"llama-cpp": (("model_path", missing), ("fallback", "extractive"))}
    _, client = new_app(default_method="llama-cpp", backends=backends)
    article_id = add_article(client)
    data = client.get(f"/api/articles/{article_id}/summary").json()
    assert data["info"]["fallback"]["reason"] == llama_missing(missing)
    html = client.get(f"/articles/{article_id}/summary").text
    fallback = summarizers.resolve("default")
    assert '<p class="summary-fallback" role="note">The <strong>llama-cpp</strong> method' in html
    assert f"picked from the article by <strong>{fallback}</strong>.</p>" in html
    assert f"(abstractive; fallback: {fallback})" in html
    assert "copied word for word from the article" in html  # the extractive "how" note
    # Without the fallback, the server's missing model is a 502 naming the setting to fix.
    _, strict = new_app(backends={"llama-cpp": (("model_path", missing),)})
    strict.post("/api/articles", json={"text": ARTICLE})
    r = strict.get("/api/articles/1/summary?method=llama-cpp")
    assert r.status_code == 502
    assert r.json() == {"error": {"code": "model_not_found", "message": llama_missing(missing)}}


# --- the summary cache knows which model wrote a summary -------------------------------------


def test_cache_key_follows_the_model_from_the_environment(
    new_app: AppFactory, server: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBRIEF_LLM_URL", server.url)
    store, client = new_app()
    article_id = add_article(client)
    stored = store.get_article(article_id)
    options = SummaryOptions(method="llm")
    keys = []
    for model in ("model-a", "model-b"):
        monkeypatch.setenv("NEWSBRIEF_LLM_MODEL", model)
        monkeypatch.setattr(summarizers, "_INSTANCES", {})  # a restarted server
        keys.append(service.summary_key(stored, options))
        result = service.summarize_stored(store, article_id, options)
        assert result["cached"] is False and result["info"]["model"] == model
    assert keys[0] != keys[1]
    assert [r["model"] for r in server.requests] == ["model-a", "model-b"]
    monkeypatch.setenv("NEWSBRIEF_LLM_URL", server.url + "/")  # the same endpoint
    monkeypatch.setattr(summarizers, "_INSTANCES", {})
    assert service.summarize_stored(store, article_id, options)["cached"] is True


def test_cache_key_follows_the_local_model_path(
    tmp_path: Path, new_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, client = new_app()
    stored = store.get_article(add_article(client))
    options = SummaryOptions(method="transformers", config=(("model_path", "model"),))
    keys = []
    for folder in ("one", "two"):
        (tmp_path / folder / "model").mkdir(parents=True)
        (tmp_path / folder / "model" / "config.json").write_text("{}")
        monkeypatch.chdir(tmp_path / folder)  # the same relative path, another model
        monkeypatch.setattr(summarizers, "_INSTANCES", {})
        keys.append(service.summary_key(stored, options))
    assert keys[0] != keys[1]
    assert keys[0].method.startswith("transformers;model=")


def test_extractive_keys_are_unchanged(new_app: AppFactory) -> None:
    store, client = new_app()
    stored = store.get_article(add_article(client))
    assert service.summary_key(stored, SummaryOptions(method="lead")).method == "lead"


# --- batch mode ------------------------------------------------------------------------------


def run_batch(
    tmp_path: Path, *args: str, records: int = 2
) -> tuple[int, str, list[dict[str, Any]]]:
    """Run ``newsbrief batch`` on ``records`` articles; return exit code, stderr, output rows."""
    source = tmp_path / "in.jsonl"
    rows = [{"id": "a", "article": ARTICLE}, {"id": "b", "article": ARTICLE.upper()}][:records]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["batch", str(source), "-o", str(out), "-q", *args])
    lines = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
    return result.exit_code, result.stderr, [json.loads(line) for line in lines]


def test_batch_with_llm(tmp_path: Path, server: FakeLLM) -> None:
    server.script(Reply(body=completion(HALF_SUPPORTED)))
    code, err, rows = run_batch(
        tmp_path, "-m", "llm", "--llm-url", server.url, "--llm-model", "tiny", "-s", "2"
    )
    assert code == 0, err
    assert [r["id"] for r in rows] == ["a", "b"]
    first = rows[0]
    assert (first["method"], first["kind"], first["error"]) == ("llm", "abstractive", None)
    assert [s["supported"] for s in first["sentences"]] == [True, False]
    assert first["info"]["model"] == "tiny" and first["info"]["chunks"] == 1
    assert first["summary"] == (
        "The council approved a budget of 45 million dollars. The budget was 60 million dollars."
    )
    assert [r["model"] for r in server.requests] == ["tiny", "tiny"]


def test_batch_summary_language_and_headline(tmp_path: Path, server: FakeLLM) -> None:
    code, err, rows = run_batch(
        tmp_path, "-m", "llm", "--llm-url", server.url, "--llm-model", "tiny",
        "--summary-language", "fr", "-f", "headline",
    )  # fmt: skip
    assert code == 0, err
    assert rows[0]["info"]["summary_language"] == "fr"
    prompt = server.requests[0]["messages"][-1]["content"]
    assert "write the summary in French" in prompt and "headline" in prompt.lower()


def test_batch_backend_failure_is_an_error_line(tmp_path: Path) -> None:
    url = dead_url()
    args = ("-m", "llm", "--llm-url", url, "--llm-model", "tiny")
    code, _, rows = run_batch(tmp_path, *args, records=1)
    assert code == 3
    assert rows[0]["error"]["code"] == "backend_unreachable"
    assert rows[0]["error"]["message"].startswith(f"cannot reach the LLM endpoint {url}")


def test_batch_fallback(tmp_path: Path) -> None:
    code, err, rows = run_batch(
        tmp_path, "-m", "llm", "--llm-url", dead_url(), "--llm-model", "tiny",
        "--fallback", "extractive", records=1,
    )  # fmt: skip
    assert code == 0, err
    assert rows[0]["info"]["fallback"]["error"] == "backend_unreachable"
    assert rows[0]["sentences"][0]["index"] is not None


def test_batch_option_for_another_method(tmp_path: Path) -> None:
    code, err, _ = run_batch(tmp_path, "--llm-url", "http://127.0.0.1:1/v1")
    assert code == 1
    assert err == (
        "newsbrief: error: --llm-url is not used by --method default; it applies to --method llm\n"
    )
    assert not (tmp_path / "out.jsonl").exists()  # nothing written, nothing lost


# --- newsbrief serve: the options reach Settings --------------------------------------------


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Capture the apps ``newsbrief serve`` would run, instead of running them."""
    import uvicorn

    apps: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: apps.append(app))
    yield apps
    for app in apps:
        app.state.newsbrief.store.close()


def run_serve(tmp_path: Path, *args: str) -> tuple[int, str]:
    database = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    result = CliRunner().invoke(cli, ["serve", "--port", "0", "--database", database, *args])
    return result.exit_code, result.stderr


def test_serve_options_reach_settings(tmp_path: Path, started: list[Any]) -> None:
    code, err = run_serve(
        tmp_path, "--method", "llm", "--llm-url", "http://127.0.0.1:9/v1", "--llm-model", "m",
        "--llm-key-env", "MY_KEY", "--model-path", "m.gguf", "--threads", "2",
        "--fallback", "extractive", "--summary-language", "en",
    )  # fmt: skip
    assert code == 0, err
    settings: Settings = started[0].state.newsbrief.settings
    assert settings.backends == {
        "llm": (
            ("llm_url", "http://127.0.0.1:9/v1"),
            ("llm_model", "m"),
            ("llm_key_env", "MY_KEY"),
            ("fallback", "extractive"),
        ),
        "llama-cpp": (("model_path", "m.gguf"), ("n_threads", 2), ("fallback", "extractive")),
        "transformers": (("model_path", "m.gguf"), ("n_threads", 2), ("fallback", "extractive")),
    }
    assert settings.summary_language == "en"
    assert settings.default_method == "llm"


@pytest.mark.usefixtures("no_heavy_libraries")
def test_serve_refuses_a_missing_model(tmp_path: Path, started: list[Any]) -> None:
    missing = str(tmp_path / "nope")
    code, err = run_serve(tmp_path, "--method", "transformers", "--model-path", missing)
    assert code == 1
    assert err == f"newsbrief: error: {hf_missing(missing)}\n"
    assert started == []


@pytest.mark.usefixtures("no_heavy_libraries")
def test_serve_starts_with_a_missing_model_and_fallback(tmp_path: Path, started: list[Any]) -> None:
    args = ("--method", "transformers", "--model-path", "nope", "--fallback", "extractive")
    code, err = run_serve(tmp_path, *args)
    assert code == 0, err
    assert len(started) == 1


def test_serve_without_an_llm_model(tmp_path: Path, started: list[Any]) -> None:
    code, err = run_serve(tmp_path, "--method", "llm")
    assert code == 1
    assert err == (
        "newsbrief: error: the 'llm' summarizer needs a model name: pass --llm-model NAME "
        "(or set NEWSBRIEF_LLM_MODEL)\n"
    )


def test_settings_refuse_backends_of_extractive_methods() -> None:
    with pytest.raises(InvalidOptions) as err:
        Settings(backends={"lead": (("llm_url", "http://x/v1"),)})
    assert str(err.value) == (
        "backend settings for 'lead': not an abstractive method; "
        "give them for one of: llama-cpp, llm, transformers"
    )


# --- --threads: llama-cpp's CPU threads, from every front end ---------------------------------


@pytest.fixture
def fake_llama(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Stand in for llama_cpp.Llama (no model is loaded); return the keyword arguments it got."""
    calls: list[dict[str, Any]] = []

    class FakeLlama:
        def __init__(self, **kwargs: Any) -> None:
            calls.append(kwargs)

        def tokenize(self, text: bytes, add_bos: bool, special: bool) -> list[int]:
            return list(range(len(text.split())))

        def create_chat_completion(self, **kwargs: Any) -> dict[str, Any]:
            return completion("The council approved a budget of 45 million dollars.")

        def close(self) -> None:
            pass

    monkeypatch.setitem(sys.modules, "llama_cpp", types.SimpleNamespace(Llama=FakeLlama))
    # Not the default: two threads on any machine.
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(7)), raising=False)
    return calls


@pytest.fixture
def gguf(tmp_path: Path) -> Path:
    """A file where a model would be: enough for the summarizer, which the stand-in loads."""
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF")
    return path


def run_front_end(command: str, tmp_path: Path, *args: str) -> tuple[int, str]:
    """Run ``newsbrief COMMAND`` on one article; return its exit code and stderr."""
    if command == "summarize":
        article = tmp_path / "article.txt"
        article.write_text(ARTICLE, encoding="utf-8")
        argv = ["summarize", str(article)]
    elif command == "batch":
        source = tmp_path / "in.jsonl"
        source.write_text(json.dumps({"id": "a", "article": ARTICLE}) + "\n", encoding="utf-8")
        argv = ["batch", str(source), "-o", str(tmp_path / "out.jsonl"), "-q"]
    else:
        data = tmp_path / "data.jsonl"
        record = {"id": "a", "article": ARTICLE, "summary": "The council approved a budget."}
        data.write_text(json.dumps(record) + "\n", encoding="utf-8")
        argv = ["evaluate", str(data), "-q"]
    result = CliRunner().invoke(cli, [*argv, *args])
    return result.exit_code, result.stderr


@pytest.mark.parametrize("command", ["summarize", "batch", "evaluate"])
def test_threads_reach_llama_cpp(
    command: str, tmp_path: Path, gguf: Path, fake_llama: list[dict[str, Any]]
) -> None:
    args = ("-m", "llama-cpp", "--model-path", str(gguf), "--threads", "2")
    code, err = run_front_end(command, tmp_path, *args)
    assert code == 0, err
    assert fake_llama, "the stand-in model was never loaded"
    assert {(c["n_threads"], c["n_threads_batch"]) for c in fake_llama} == {(2, 2)}


def test_summarize_threads_win_over_config(
    tmp_path: Path, gguf: Path, fake_llama: list[dict[str, Any]]
) -> None:
    args = ("-m", "llama-cpp", "--model-path", str(gguf), "-c", "n_threads=5", "--threads", "2")
    code, err = run_front_end("summarize", tmp_path, *args)
    assert code == 0, err
    assert {c["n_threads"] for c in fake_llama} == {2}


def test_serve_builds_llama_cpp_with_threads(
    tmp_path: Path, gguf: Path, started: list[Any]
) -> None:
    code, err = run_serve(
        tmp_path, "--method", "llama-cpp", "--model-path", str(gguf), "--threads", "3"
    )
    assert code == 0, err
    backend = summarizers.get("llama-cpp", model_path=str(gguf), n_threads=3)
    assert isinstance(backend, LlamaCppSummarizer) and backend.n_threads == 3
    # The instance serve built at start-up is that one, kept for the first request.
    assert list(summarizers._INSTANCES.values()) == [backend]


@pytest.mark.parametrize("command", ["summarize", "batch", "evaluate"])
@pytest.mark.parametrize("method", ["llm", "lead"])
def test_threads_with_another_method_is_refused(command: str, method: str, tmp_path: Path) -> None:
    code, err = run_front_end(command, tmp_path, "-m", method, "--threads", "2")
    assert code == 1
    assert err == (
        f"newsbrief: error: --threads is not used by --method {method}; "
        "it applies to --method llama-cpp or transformers\n"
    )


@pytest.mark.parametrize(
    ("threads", "expected"), [(None, None), ("3", 3), (2, 2)], ids=["default", "text", "int"]
)
def test_transformers_takes_a_thread_count(tmp_path: Path, threads: Any, expected: Any) -> None:
    from newsbrief.summarizers.hf import HFSummarizer

    (tmp_path / "config.json").write_text("{}")
    config = {} if threads is None else {"n_threads": threads}
    assert HFSummarizer(model_path=str(tmp_path), **config).n_threads == expected


@pytest.mark.parametrize("threads", ["0", "-1", "two"])
def test_transformers_refuses_a_bad_thread_count(tmp_path: Path, threads: str) -> None:
    from newsbrief.summarizers.hf import HFSummarizer

    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(InvalidOptions, match=r"^invalid 'transformers' setting: "):
        HFSummarizer(model_path=str(tmp_path), n_threads=threads)


@pytest.mark.parametrize("command", ["summarize", "batch", "evaluate", "serve"])
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param("0", "0 is not in the range x>=1.", id="zero"),
        pytest.param("-2", "-2 is not in the range x>=1.", id="negative"),
        pytest.param("two", "'two' is not a valid integer.", id="word"),
        pytest.param("1.5", "'1.5' is not a valid integer.", id="fraction"),
    ],
)
def test_a_bad_thread_count_is_a_usage_error(
    command: str, value: str, reason: str, tmp_path: Path, gguf: Path
) -> None:
    # Refused by click while parsing: before any input is read, output written or port opened.
    source = [] if command == "serve" else [str(tmp_path / "missing.jsonl")]
    args = ["--method", "llama-cpp", "--model-path", str(gguf), "--threads", value]
    result = CliRunner().invoke(cli, [command, *source, *args])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: Invalid value for '--threads': {reason}"


# --- docs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["summarize", "batch", "serve"])
def test_every_backend_option_is_on_the_command_and_in_the_docs(command: str) -> None:
    from newsbrief.cli.llm_options import PARAMS

    cmd = cli.get_command(click.Context(cli), command)
    assert cmd is not None
    flags = {opt for param in cmd.params for opt in param.opts}
    docs = (Path(__file__).resolve().parents[1] / "docs/cli.md").read_text(encoding="utf-8")
    section = docs.split("## Backend options (summarize, batch, serve)", 1)[1].split("\n## ")[0]
    for param in PARAMS:
        flag = "--" + param.replace("_", "-")
        assert flag in flags, f"newsbrief {command} has no {flag}"
        assert f"| `{flag}" in section, f"docs/cli.md does not list {flag}"


def test_batch_docs_name_the_backend_options_and_the_abstractive_fields() -> None:
    from newsbrief.cli.llm_options import PARAMS

    docs = (Path(__file__).resolve().parents[1] / "docs/batch.md").read_text(encoding="utf-8")
    for param in PARAMS:
        flag = "--" + param.replace("_", "-")
        assert f"`{flag}`" in docs, f"docs/batch.md does not name {flag}"
    for field in ("kind", "info", "info.fallback"):
        assert f"`{field}`" in docs, f"docs/batch.md does not describe {field}"
