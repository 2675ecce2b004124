"""``newsbrief summarize --method llm`` end to end through the CLI, against the loopback server."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from llm_server import FakeLLM, Reply, completion, serve
from newsbrief import summarizers
from newsbrief.cli import cli

ARTICLE = (
    "The city council of Springfield approved a new budget of 45 million dollars on Tuesday.\n"
    "Mayor Alice Brown said the money would go to schools and road repairs.\n"
    "The vote was 7 to 2, with two members saying the plan raised taxes too much.\n"
)


@pytest.fixture
def server() -> Iterator[FakeLLM]:
    with serve() as state:
        yield state


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["summarize", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_carries_support_and_chunks(server: FakeLLM, article: Path) -> None:
    server.script(
        Reply(
            body=completion(
                "- The council approved a 45 million dollar budget.\n"
                "- The budget was 60 million dollars."
            )
        )
    )
    code, out, err = run(
        str(article), "-m", "llm", "--llm-url", server.url, "--llm-model", "tiny", "-f", "json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["kind"] == "abstractive"
    assert [s["supported"] for s in data["sentences"]] == [True, False]
    assert data["sentences"][0]["evidence"] == [0]
    assert data["info"]["chunks"] == 1
    assert data["info"]["faithfulness"]["issues"][1] == ["number 60 is not in the article"]
    assert "Write exactly 3 key points" in server.requests[0]["messages"][-1]["content"]


def test_strict_faithfulness_and_summary_language(server: FakeLLM, article: Path) -> None:
    server.script(
        Reply(body=completion("- Le conseil a voté 45 millions.\n- Le budget est de 60 millions."))
    )
    code, out, err = run(
        str(article), "-m", "llm", "--llm-url", server.url, "--llm-model", "tiny",
        "--summary-language", "fr", "--strict-faithfulness", "-f", "json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert [s["text"] for s in data["sentences"]] == ["Le conseil a voté 45 millions."]
    assert "write the summary in French" in server.requests[0]["messages"][-1]["content"]


def _dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


def test_unreachable_endpoint_is_a_clean_error(article: Path) -> None:
    url = _dead_url()
    code, _, err = run(str(article), "-m", "llm", "--llm-url", url, "--llm-model", "tiny")
    assert code == 1
    assert err == (
        f"newsbrief: error: cannot reach the LLM endpoint {url} (ConnectError); "
        "check --llm-url and that the server is running\n"
    )


def test_fallback_extractive_serves_the_default(article: Path) -> None:
    code, out, err = run(
        str(article), "-m", "llm", "--llm-url", _dead_url(), "--llm-model", "tiny",
        "--fallback", "extractive", "-f", "json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["info"]["fallback"]["method"] == summarizers.resolve("default")
    assert all(s["index"] is not None for s in data["sentences"])  # extractive sentences


def test_llm_option_with_an_extractive_method(article: Path) -> None:
    code, _, err = run(str(article), "--llm-url", "http://127.0.0.1:1/v1")
    assert code == 1
    assert err == (
        "newsbrief: error: --llm-url is not used by --method default; it applies to --method llm\n"
    )


def test_model_path_with_llm(article: Path) -> None:
    code, _, err = run(str(article), "-m", "llm", "--llm-model", "x", "--model-path", "m.gguf")
    assert code == 1
    assert err == (
        "newsbrief: error: --model-path is not used by --method llm; "
        "it applies to --method llama-cpp or transformers\n"
    )


def test_headline_format(server: FakeLLM, article: Path) -> None:
    server.script(Reply(body=completion('"Springfield passes $45m budget"')))
    code, out, err = run(
        str(article), "-m", "llm", "--llm-url", server.url, "--llm-model", "tiny", "-f", "headline"
    )
    assert code == 0, err
    assert out == "Springfield passes $45m budget\n"
