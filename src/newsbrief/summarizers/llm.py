"""``llm``: abstractive summaries from any OpenAI-compatible chat-completions endpoint.

Ollama, vLLM, llama.cpp's server, LM Studio and OpenAI itself all answer
``POST {llm_url}/chat/completions``. The client here adds what a batch of articles needs:
a timeout, retries with exponential backoff and jitter on 429/5xx/connection errors (honouring
``Retry-After``), a concurrency limit shared by every client of one endpoint, and errors that
name the setting to fix. The API key is read from the environment variable named by
``llm_key_env`` at request time and is never stored, logged, or put in a message or repr.
"""

from __future__ import annotations

import email.utils
import itertools
import json
import os
import random
import re
import threading
import time
from typing import Any

import httpx

from newsbrief.errors import (
    BackendAuthError,
    BackendError,
    BackendTimeout,
    BackendUnreachable,
    BadBackendResponse,
    InvalidOptions,
    ModelNotFound,
)
from newsbrief.models import Document
from newsbrief.prompts import PromptSpec, Stage, overhead_text
from newsbrief.summarizers.abstractive import AbstractiveSummarizer

#: Where Ollama serves its OpenAI-compatible API by default.
DEFAULT_URL = "http://127.0.0.1:11434/v1"
DEFAULT_KEY_ENV = "OPENAI_API_KEY"
#: Context window assumed for an endpoint's model (the API does not tell): 4096 tokens is what
#: Ollama gives a model by default and the smallest window of the common small instruct models.
DEFAULT_CONTEXT = 4096
#: Tokens kept free besides prompt and reply: chat-template markup the server adds per message.
TEMPLATE_MARGIN = 64
#: Longest wait honoured from a ``Retry-After`` header, in seconds.
MAX_RETRY_AFTER = 60.0
#: Statuses worth retrying: rate limiting and transient server failures.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

_REFUSAL = re.compile(
    r"^\s*(?:I'm sorry|I am sorry|I cannot|I can't|I can not|I won't|I am unable|I'm unable|"
    r"As an AI)\b",
    re.IGNORECASE,
)
#: A reply this short that opens like a refusal is a refusal, not a summary that quotes one.
REFUSAL_MAX_CHARS = 300

_SEMAPHORES: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_SEMAPHORES_LOCK = threading.Lock()


def endpoint_semaphore(url: str, limit: int) -> threading.BoundedSemaphore:
    """Return the semaphore every client of ``url`` with this ``limit`` shares."""
    with _SEMAPHORES_LOCK:
        key = (url, limit)
        if key not in _SEMAPHORES:
            _SEMAPHORES[key] = threading.BoundedSemaphore(limit)
        return _SEMAPHORES[key]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:  # the other form: an HTTP date
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - time.time())


def _error_text(response: httpx.Response) -> str:
    """Return the server's error message (first 200 characters), if it sent one."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:200]
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            return str(err.get("message") or err.get("code") or "")[:200]
        return str(err)[:200]
    return ""


class ChatClient:
    """A small client for ``POST {url}/chat/completions`` (see the module docstring)."""

    def __init__(
        self,
        *,
        url: str,
        model: str,
        key_env: str = DEFAULT_KEY_ENV,
        timeout: float = 120.0,
        retries: int = 2,
        max_concurrency: int = 2,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not re.match(r"^https?://", url):
            raise InvalidOptions(
                f"--llm-url must start with http:// or https:// (got {url!r}), "
                "e.g. http://127.0.0.1:11434/v1"
            )
        if timeout <= 0 or retries < 0 or max_concurrency < 1 or backoff < 0:
            raise InvalidOptions(
                "timeout must be positive, retries at least 0 and max_concurrency at least 1 "
                f"(got timeout={timeout}, retries={retries}, max_concurrency={max_concurrency})"
            )
        self.url = url.rstrip("/")
        self.model = model
        self.key_env = key_env
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_concurrency = max_concurrency
        self._semaphore = endpoint_semaphore(self.url, max_concurrency)
        self._transport = transport

    def __repr__(self) -> str:
        return (
            f"ChatClient(url={self.url!r}, model={self.model!r}, key_env={self.key_env!r}, "
            f"timeout={self.timeout}, retries={self.retries})"
        )

    def _post(self, endpoint: str, payload: dict[str, Any]) -> httpx.Response:
        # A client per request: a model answer takes seconds, so keep-alive saves nothing,
        # and no pooled socket outlives the call (threads of a map step come and go).
        with httpx.Client(timeout=self.timeout, transport=self._transport) as client:
            return client.post(endpoint, json=payload, headers=self._headers())

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _wait(self, attempt: int, response: httpx.Response | None) -> None:
        delay = _retry_after(response) if response is not None else None
        if delay is None:
            # Exponential backoff with "equal jitter": half fixed, half random.
            base = self.backoff * (2**attempt)
            delay = base / 2 + random.uniform(0, base / 2)
        time.sleep(min(delay, MAX_RETRY_AFTER))

    def chat(
        self, messages: list[dict[str, str]], *, max_tokens: int = 512, temperature: float = 0.2
    ) -> str:
        """Send one chat request and return the reply's text.

        Raises:
            BackendUnreachable: no connection (--llm-url).
            BackendTimeout: no answer within the timeout (--llm-timeout).
            ModelNotFound: the endpoint does not know the model (--llm-model).
            BackendAuthError: the key was rejected (the key's environment variable).
            BadBackendResponse: malformed JSON, no choices, an empty reply or a refusal.
            BackendError: rate limited or failing after every retry, or another error status.
        """
        endpoint = f"{self.url}/chat/completions"
        payload = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": temperature,
            "stream": False,
        }
        attempts = self.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                with self._semaphore:
                    response = self._post(endpoint, payload)
            except httpx.TimeoutException as exc:
                if isinstance(exc, httpx.ConnectTimeout) and not last:
                    self._wait(attempt, None)
                    continue
                raise BackendTimeout(
                    f"the LLM endpoint {self.url} did not answer within {self.timeout:g} s; "
                    "raise --llm-timeout, use a smaller model or check --llm-url"
                ) from exc
            except httpx.TransportError as exc:
                if not last:
                    self._wait(attempt, None)
                    continue
                raise BackendUnreachable(
                    f"cannot reach the LLM endpoint {self.url} ({type(exc).__name__}); "
                    "check --llm-url and that the server is running"
                ) from exc
            status = response.status_code
            if status in RETRY_STATUSES and not last:
                self._wait(attempt, response)
                continue
            if status >= 400:
                self._raise_for_status(response, attempts)
            return self._content(response)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _raise_for_status(self, response: httpx.Response, attempts: int) -> None:
        status = response.status_code
        detail = _error_text(response)
        said = f": {detail}" if detail else ""
        tries = f"{attempts} attempt" if attempts == 1 else f"{attempts} attempts"
        if status in (401, 403):
            if not os.environ.get(self.key_env):
                hint = f"no key was sent because the environment variable {self.key_env} is not set"
            else:
                hint = f"set the environment variable {self.key_env} to a valid key"
            raise BackendAuthError(
                f"the LLM endpoint {self.url} rejected the request (HTTP {status}); {hint} "
                "(or name another variable with --llm-key-env)"
            )
        if status == 404:
            if "model" in detail.lower():
                raise ModelNotFound(
                    f"the LLM endpoint {self.url} does not know model {self.model!r} "
                    f"(HTTP 404{said}); check --llm-model"
                )
            raise BackendUnreachable(
                f"no chat-completions API at {self.url}/chat/completions (HTTP 404{said}); "
                "check --llm-url (it usually ends in /v1)"
            )
        if status == 429:
            raise BackendError(
                f"the LLM endpoint {self.url} is still rate limiting (HTTP 429) after "
                f"{tries}; lower --llm-concurrency or try again later"
            )
        if status >= 500:
            raise BackendError(
                f"the LLM endpoint {self.url} failed with HTTP {status} after {tries}{said}"
            )
        raise BackendError(f"the LLM endpoint {self.url} answered HTTP {status}{said}")

    def _content(self, response: httpx.Response) -> str:
        try:
            body = response.json()
        except (ValueError, json.JSONDecodeError) as exc:
            raise BadBackendResponse(
                f"the LLM endpoint {self.url} answered with malformed JSON "
                f"({response.text[:80]!r}); check --llm-url points at an OpenAI-compatible API"
            ) from exc
        if not isinstance(body, dict):
            raise BadBackendResponse(
                f"the LLM endpoint {self.url} answered with JSON that is not an object; "
                "check --llm-url points at an OpenAI-compatible API"
            )
        choices = body.get("choices")
        if not isinstance(choices, list) or not choices:
            raise BadBackendResponse(
                f"model {self.model!r} at {self.url} returned no choices; "
                "check --llm-model or the server's log"
            )
        choice = choices[0] if isinstance(choices[0], dict) else {}
        message = choice.get("message") if isinstance(choice.get("message"), dict) else {}
        assert isinstance(message, dict)
        refusal = message.get("refusal")
        if refusal or choice.get("finish_reason") == "content_filter":
            reason = refusal or "content filter"
            raise BadBackendResponse(f"model {self.model!r} refused to summarize: {reason}")
        content = message.get("content")
        if not isinstance(content, str) or not content.strip():
            raise BadBackendResponse(
                f"model {self.model!r} returned an empty reply "
                f"(finish_reason={choice.get('finish_reason')!r}); try another --llm-model"
            )
        if len(content) <= REFUSAL_MAX_CHARS and _REFUSAL.match(content):
            raise BadBackendResponse(
                f"model {self.model!r} refused to summarize: {content.strip()[:120]}"
            )
        return content


def _setting(config: dict[str, Any], *names: str, default: Any = None) -> Any:
    for name in names:
        if config.get(name) is not None:
            return config[name]
    return default


class LLMSummarizer(AbstractiveSummarizer):
    """Summarize through an OpenAI-compatible chat-completions endpoint."""

    name = "llm"

    def __init__(self, **config: Any) -> None:
        known = {
            "llm_url",
            "llm_model",
            "llm_key_env",
            "llm_timeout",
            "timeout",
            "retries",
            "max_concurrency",
            "llm_concurrency",
            "llm_context",
            "context_tokens",
            "max_tokens",
            "temperature",
            "strict_faithfulness",
            "fallback",
            "backoff",
            "transport",
        }
        unknown = sorted(set(config) - known)
        if unknown:
            raise InvalidOptions(
                f"unknown setting(s) for the 'llm' summarizer: {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known - {'transport'}))}"
            )
        super().__init__(
            strict_faithfulness=config.get("strict_faithfulness", False),
            fallback=config.get("fallback"),
            max_tokens=_setting(config, "max_tokens", default=512),
            temperature=_setting(config, "temperature", default=0.2),
        )
        model = _setting(config, "llm_model", default=os.environ.get("NEWSBRIEF_LLM_MODEL"))
        if not model:
            self.model_unavailable(
                InvalidOptions(
                    "the 'llm' summarizer needs a model name: pass --llm-model NAME "
                    "(or set NEWSBRIEF_LLM_MODEL)"
                )
            )
        url = _setting(config, "llm_url", default=os.environ.get("NEWSBRIEF_LLM_URL", DEFAULT_URL))
        # Several endpoints serving the same model (a fleet of vLLM servers): requests are
        # dealt to them in turn, each with its own concurrency limit.
        urls = [url] if isinstance(url, str) else list(url)
        if not urls:
            raise InvalidOptions("the 'llm' summarizer needs at least one --llm-url")
        try:
            timeout = float(_setting(config, "llm_timeout", "timeout", default=120.0))
            retries = int(_setting(config, "retries", default=2))
            concurrency = int(_setting(config, "max_concurrency", "llm_concurrency", default=2))
            self.context_tokens = int(
                _setting(config, "llm_context", "context_tokens", default=DEFAULT_CONTEXT)
            )
            backoff = float(_setting(config, "backoff", default=0.5))
        except (TypeError, ValueError) as exc:
            raise InvalidOptions(f"invalid 'llm' setting: {exc}") from exc
        self.clients = [
            ChatClient(
                url=str(one),
                model=str(model or ""),
                key_env=str(_setting(config, "llm_key_env", default=DEFAULT_KEY_ENV)),
                timeout=timeout,
                retries=retries,
                max_concurrency=concurrency,
                backoff=backoff,
                transport=config.get("transport"),
            )
            for one in urls
        ]
        self.client = self.clients[0]
        self._turn = itertools.count()
        self._turn_lock = threading.Lock()
        #: Requests this summarizer may have in flight: the limit of each endpoint, summed.
        self.parallel = concurrency * len(self.clients)

    def __repr__(self) -> str:
        return f"LLMSummarizer({', '.join(repr(c) for c in self.clients)})"

    @property
    def model_name(self) -> str:
        return self.client.model

    @property
    def model_identity(self) -> str:
        return f"{','.join(c.url for c in self.clients)} {self.client.model}"

    def input_budget(self, spec: PromptSpec, doc: Document) -> int:
        overhead = self.count_tokens(
            overhead_text(spec, article_language=doc.language, title=doc.title)
        )
        return self.context_tokens - overhead - self.max_tokens - TEMPLATE_MARGIN

    def complete(self, messages: list[dict[str, str]], text: str, stage: Stage) -> str:
        with self._turn_lock:
            client = self.clients[next(self._turn) % len(self.clients)]
        return client.chat(messages, max_tokens=self.max_tokens, temperature=self.temperature)
