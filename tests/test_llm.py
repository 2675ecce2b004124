"""The ``llm`` summarizer and its OpenAI-compatible client against a real loopback server."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from llm_server import FakeLLM, Reply, completion, serve
from newsbrief import summarizers
from newsbrief.errors import (
    BackendAuthError,
    BackendError,
    BackendTimeout,
    BackendUnreachable,
    BadBackendResponse,
    InvalidOptions,
    ModelNotFound,
)
from newsbrief.models import Document, Length, SummaryOptions, SummarySentence
from newsbrief.pipeline import prepare, summarize
from newsbrief.summarizers.llm import ChatClient, LLMSummarizer

ARTICLE = (
    "The city council of Springfield approved a new budget of 45 million dollars on Tuesday.\n"
    "Mayor Alice Brown said the money would go to schools and road repairs.\n"
    "The vote was 7 to 2, with two members saying the plan raised taxes too much.\n"
    "Work on the roads will start in March and should end by the autumn."
)
MESSAGES = [{"role": "user", "content": "Summarize: hello."}]


@pytest.fixture
def server() -> Iterator[FakeLLM]:
    with serve() as state:
        yield state


def client(server: FakeLLM, **kw: object) -> ChatClient:
    settings: dict[str, object] = {"url": server.url, "model": "tiny", "backoff": 0.01}
    settings.update(kw)
    return ChatClient(**settings)  # type: ignore[arg-type]


def llm(server: FakeLLM, **config: object) -> LLMSummarizer:
    settings: dict[str, object] = {"llm_url": server.url, "llm_model": "tiny", "backoff": 0.01}
    settings.update(config)
    return LLMSummarizer(**settings)


def test_success_returns_the_reply_text(server: FakeLLM) -> None:
    server.script(Reply(body=completion("A short summary.")))
    assert client(server).chat(MESSAGES) == "A short summary."
    sent = server.requests[0]
    assert sent["model"] == "tiny"
    assert sent["messages"] == MESSAGES
    assert sent["stream"] is False


def test_key_is_read_from_the_named_env_var_and_never_shown(
    server: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_LLM_KEY", "sk-secret-123")
    server.key = "sk-secret-123"
    c = client(server, key_env="MY_LLM_KEY")
    assert c.chat(MESSAGES)
    assert server.headers[0]["authorization"] == "Bearer sk-secret-123"
    assert "sk-secret" not in repr(c)
    assert "sk-secret" not in repr(llm(server, llm_key_env="MY_LLM_KEY"))


def test_401_names_the_key_variable_without_the_key(
    server: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_LLM_KEY", "sk-wrong")
    server.key = "sk-right"
    with pytest.raises(BackendAuthError) as err:
        client(server, key_env="MY_LLM_KEY").chat(MESSAGES)
    assert str(err.value) == (
        f"the LLM endpoint {server.url} rejected the request (HTTP 401); set the environment "
        "variable MY_LLM_KEY to a valid key (or name another variable with --llm-key-env)"
    )
    assert "sk-wrong" not in str(err.value)


def test_401_without_a_key_says_the_variable_is_unset(
    server: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    server.key = "sk-right"
    with pytest.raises(BackendAuthError, match="environment variable OPENAI_API_KEY is not set"):
        client(server).chat(MESSAGES)


def test_unknown_model_names_llm_model(server: FakeLLM) -> None:
    server.models = {"llama3"}
    with pytest.raises(ModelNotFound) as err:
        client(server, model="nope").chat(MESSAGES)
    assert str(err.value) == (
        f"the LLM endpoint {server.url} does not know model 'nope' "
        "(HTTP 404: model 'nope' not found); check --llm-model"
    )


def test_wrong_path_names_llm_url(server: FakeLLM) -> None:
    base = server.url.removesuffix("/v1")
    with pytest.raises(BackendUnreachable) as err:
        ChatClient(url=base, model="tiny").chat(MESSAGES)
    assert str(err.value) == (
        f"no chat-completions API at {base}/chat/completions (HTTP 404: 404 page not found); "
        "check --llm-url (it usually ends in /v1)"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_endpoint_names_llm_url() -> None:
    url = f"http://127.0.0.1:{_free_port()}/v1"
    with pytest.raises(BackendUnreachable) as err:
        ChatClient(url=url, model="tiny", retries=1, backoff=0.01).chat(MESSAGES)
    assert str(err.value) == (
        f"cannot reach the LLM endpoint {url} (ConnectError); "
        "check --llm-url and that the server is running"
    )


def test_timeout(server: FakeLLM) -> None:
    server.script(Reply(body=completion("late"), delay=1.0))
    with pytest.raises(BackendTimeout) as err:
        client(server, timeout=0.2).chat(MESSAGES)
    assert isinstance(err.value, BackendUnreachable)
    assert (err.value.code, err.value.http_status) == ("backend_timeout", 504)
    assert str(err.value) == (
        f"the LLM endpoint {server.url} did not answer within 0.2 s; "
        "raise --llm-timeout, use a smaller model or check --llm-url"
    )
    assert len(server.requests) == 1  # a slow model is not asked again


def test_429_then_success_honours_retry_after(server: FakeLLM) -> None:
    server.script(
        Reply(429, {"error": {"message": "slow down"}}, {"Retry-After": "0.05"}),
        Reply(503, {"error": {"message": "loading"}}),
        Reply(body=completion("Finally.")),
    )
    assert client(server).chat(MESSAGES) == "Finally."
    assert len(server.requests) == 3


def test_429_exhausted(server: FakeLLM) -> None:
    server.script(*[Reply(429, {"error": {"message": "slow down"}}) for _ in range(3)])
    with pytest.raises(BackendError) as err:
        client(server, retries=2).chat(MESSAGES)
    assert str(err.value) == (
        f"the LLM endpoint {server.url} is still rate limiting (HTTP 429) after 3 attempts; "
        "lower --llm-concurrency or try again later"
    )


def test_429_without_retries_says_one_attempt(server: FakeLLM) -> None:
    server.script(Reply(429, {"error": {"message": "slow down"}}))
    with pytest.raises(BackendError) as err:
        client(server, retries=0).chat(MESSAGES)
    assert str(err.value) == (
        f"the LLM endpoint {server.url} is still rate limiting (HTTP 429) after 1 attempt; "
        "lower --llm-concurrency or try again later"
    )


def test_500_retries_exhausted(server: FakeLLM) -> None:
    server.script(*[Reply(500, {"error": {"message": "boom"}}) for _ in range(3)])
    with pytest.raises(BackendError) as err:
        client(server, retries=2).chat(MESSAGES)
    assert (
        str(err.value)
        == f"the LLM endpoint {server.url} failed with HTTP 500 after 3 attempts: boom"
    )
    assert len(server.requests) == 3


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        pytest.param(
            Reply(body="{not json"),
            "answered with malformed JSON ('{not json'); "
            "check --llm-url points at an OpenAI-compatible API",
            id="malformed-json",
        ),
        pytest.param(
            Reply(body={"choices": []}),
            "model 'tiny' at {url} returned no choices; check --llm-model or the server's log",
            id="empty-choices",
        ),
        pytest.param(
            Reply(body=completion("   ", finish="length")),
            "model 'tiny' returned an empty reply (finish_reason='length'); "
            "try another --llm-model",
            id="empty-content",
        ),
        pytest.param(
            Reply(body=completion(None)),
            "model 'tiny' returned an empty reply (finish_reason='stop'); try another --llm-model",
            id="null-content",
        ),
        pytest.param(
            Reply(
                body={
                    "choices": [
                        {
                            "message": {"role": "assistant", "content": None, "refusal": "No."},
                            "finish_reason": "stop",
                        }
                    ]
                }
            ),
            "model 'tiny' refused to summarize: No.",
            id="refusal-field",
        ),
        pytest.param(
            Reply(body=completion("I'm sorry, but I can't help with that request.")),
            "model 'tiny' refused to summarize: I'm sorry, but I can't help with that request.",
            id="refusal-text",
        ),
    ],
)
def test_bad_replies(server: FakeLLM, reply: Reply, message: str) -> None:
    server.script(reply)
    with pytest.raises(BadBackendResponse) as err:
        client(server).chat(MESSAGES)
    text = str(err.value)
    expected = message.replace("{url}", server.url)
    assert text.endswith(expected), text


def test_invalid_url_is_an_input_error() -> None:
    with pytest.raises(InvalidOptions, match=r"--llm-url must start with http:// or https://"):
        ChatClient(url="localhost:11434", model="m")


def test_llm_needs_a_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSBRIEF_LLM_MODEL", raising=False)
    with pytest.raises(InvalidOptions) as err:
        LLMSummarizer(llm_url="http://127.0.0.1:1/v1")
    assert str(err.value) == (
        "the 'llm' summarizer needs a model name: pass --llm-model NAME "
        "(or set NEWSBRIEF_LLM_MODEL)"
    )


def test_unknown_setting_is_rejected() -> None:
    with pytest.raises(
        InvalidOptions, match=r"unknown setting\(s\) for the 'llm' summarizer: colour"
    ):
        LLMSummarizer(llm_model="m", colour="red")


def test_summarize_through_the_pipeline(server: FakeLLM) -> None:
    server.script(
        Reply(
            body=completion(
                "- The council approved a 45 million dollar budget.\n"
                "- Mayor Alice Brown said it funds schools and roads.\n"
                "- Work starts in March."
            )
        )
    )
    options = SummaryOptions(
        method="llm",
        format="bullets",
        config=(("llm_url", server.url), ("llm_model", "tiny")),
    )
    summary = summarize(ARTICLE, options=options)
    assert summary.kind == "abstractive"
    assert [s.text for s in summary.sentences] == [
        "The council approved a 45 million dollar budget.",
        "Mayor Alice Brown said it funds schools and roads.",
        "Work starts in March.",
    ]
    assert all(s.supported for s in summary.sentences)
    assert summary.sentences[0].evidence == (0,)
    assert summary.info["chunks"] == 1
    assert summary.info["model"] == "tiny"
    assert summary.info["backend"] == "llm"
    assert len(summary.info["timings"]["backend_calls_s"]) == 1
    data = summary.to_dict()
    assert set(data["sentences"][0]) >= {"text", "support", "supported", "evidence"}


def test_unsupported_sentence_is_flagged_and_strict_drops_it(server: FakeLLM) -> None:
    reply = "The council approved a budget of 45 million dollars. The budget was 90 million euros."
    doc = prepare(ARTICLE)
    options = SummaryOptions(method="llm", length=Length(sentences=2))
    server.script(Reply(body=completion(reply)))
    out = llm(server).summarize(doc, options)
    assert [s.supported for s in out.sentences] == [True, False]
    assert out.info["faithfulness"]["issues"][1] == ["number 90 is not in the article"]

    server.script(Reply(body=completion(reply)))
    strict = llm(server, strict_faithfulness=True).summarize(doc, options)
    assert [s.text for s in strict.sentences] == [
        "The council approved a budget of 45 million dollars."
    ]
    assert strict.info["faithfulness"]["dropped"] == ["The budget was 90 million euros."]


def test_strict_falls_back_to_extractive_when_nothing_is_supported(server: FakeLLM) -> None:
    server.script(Reply(body=completion("Quarterly profits at Acme Corp rose 12 percent.")))
    doc = prepare(ARTICLE)
    out = llm(server, strict_faithfulness="true").summarize(doc, SummaryOptions())
    assert out.info["fallback"] == {
        "method": summarizers.resolve("default"),
        "reason": "no summary sentence passed the faithfulness check",
    }
    assert out.sentences == extractive_default(doc, SummaryOptions())


def test_fallback_extractive_on_backend_failure() -> None:
    url = f"http://127.0.0.1:{_free_port()}/v1"
    summarizer = LLMSummarizer(llm_url=url, llm_model="m", retries=0, fallback="extractive")
    doc = prepare(ARTICLE)
    options = SummaryOptions(length=Length(sentences=2))
    out = summarizer.summarize(doc, options)
    assert out.sentences == extractive_default(doc, options)
    assert len(out.sentences) == 2
    assert out.info["fallback"]["method"] == summarizers.resolve("default")
    assert out.info["fallback"]["reason"].startswith(f"cannot reach the LLM endpoint {url}")


def extractive_default(doc: Document, options: SummaryOptions) -> list[SummarySentence]:
    """Return what the extractive default method itself gives for ``doc``."""
    return summarizers.get("default").summarize(doc, options).sentences


def test_without_fallback_the_error_propagates() -> None:
    url = f"http://127.0.0.1:{_free_port()}/v1"
    with pytest.raises(BackendUnreachable):
        LLMSummarizer(llm_url=url, llm_model="m", retries=0).summarize(
            prepare(ARTICLE), SummaryOptions()
        )


def test_bad_fallback_value() -> None:
    with pytest.raises(InvalidOptions) as err:
        LLMSummarizer(llm_model="m", fallback="lead")
    assert str(err.value) == "fallback must be one of: none, extractive (got 'lead')"


def test_registered_as_abstractive_and_online() -> None:
    info = summarizers.describe("llm")
    assert (info.kind, info.offline) == ("abstractive", False)


def test_concurrency_limit_is_shared_per_endpoint(server: FakeLLM) -> None:
    import threading
    import time

    active = 0
    peak = 0
    lock = threading.Lock()

    def slow(request: dict[str, object]) -> Reply:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.05)
        with lock:
            active -= 1
        return Reply(body=completion("ok."))

    server.default = slow
    clients = [client(server, max_concurrency=2) for _ in range(3)]
    threads = [threading.Thread(target=c.chat, args=(MESSAGES,)) for c in clients for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(server.requests) == 6
    assert peak == 2


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param("2", 2.0, id="seconds"),
        pytest.param("Wed, 21 Oct 2015 07:28:00 GMT", 0.0, id="date-in-the-past"),
        pytest.param("soon", None, id="garbage"),
    ],
)
def test_retry_after_forms(header: str, expected: float | None) -> None:
    import httpx

    from newsbrief.summarizers.llm import _retry_after

    assert _retry_after(httpx.Response(429, headers={"Retry-After": header})) == expected


def test_several_urls_share_the_requests_in_turn(server: FakeLLM) -> None:
    with serve() as other:
        summarizer = llm(server, llm_url=(server.url, other.url), max_concurrency=3)
        assert summarizer.parallel == 6  # each endpoint keeps its own limit
        assert summarizer.model_identity == f"{server.url},{other.url} tiny"
        for _ in range(5):
            summarizer.summarize(prepare(ARTICLE), SummaryOptions(length=Length(sentences=2)))
        assert (len(server.requests), len(other.requests)) == (3, 2)
    with pytest.raises(InvalidOptions, match="needs at least one --llm-url"):
        llm(server, llm_url=())


def test_the_cli_takes_llm_url_more_than_once(server: FakeLLM) -> None:
    from click.testing import CliRunner

    from newsbrief.cli import cli

    with serve() as other:
        args = ["summarize", "-", "-m", "llm", "--llm-model", "tiny"]
        urls = ["--llm-url", server.url, "--llm-url", other.url]
        for _ in range(2):
            result = CliRunner().invoke(cli, [*args, *urls], input=ARTICLE)
            assert result.exit_code == 0, result.output
        assert (len(server.requests), len(other.requests)) == (1, 1)
