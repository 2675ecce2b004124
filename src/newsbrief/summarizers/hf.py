"""``transformers``: a local seq2seq summarization model (BART, distilBART, PEGASUS, T5).

The model is loaded from a directory on disk only (``local_files_only=True``): newsbrief never
downloads a model. Its own tokenizer counts tokens, so articles longer than the model's input
limit (1,024 tokens for BART) are summarized map-reduce rather than cut. Seq2seq models take
no instructions: the output format shapes only how the generated text is split (sentences,
key points, or the first sentence as a headline), and the summary is in the model's language.

Needs ``pip install 'newsbrief[transformers]'`` and torch (here the CPU wheel
``pip install torch==2.13.0``).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from newsbrief.errors import BackendError, InvalidOptions, MissingDependency, ModelNotFound
from newsbrief.models import Document, SummaryOptions
from newsbrief.prompts import PromptSpec, Stage
from newsbrief.sentences import split_sentences
from newsbrief.summarizers import Output
from newsbrief.summarizers.abstractive import AbstractiveSummarizer

INSTALL_HINT = (
    "the 'transformers' summarizer needs: pip install 'newsbrief[transformers]' and torch "
    "(CPU wheel: pip install torch==2.13.0)"
)
#: Input limit used when neither the tokenizer nor the config states one (BART's 1,024).
DEFAULT_MAX_INPUT = 1024


def missing_model_message(path: str) -> str:
    """Return the error text for a model that is not a local directory."""
    return (
        f"--model-path {path!r} is not a local model directory; newsbrief never downloads "
        "models. Download one once on a machine with internet access, e.g. "
        "`huggingface-cli download sshleifer/distilbart-cnn-12-6 --local-dir distilbart`, "
        "then pass that directory: --model-path distilbart"
    )


class HFSummarizer(AbstractiveSummarizer):
    """Summarize with a local Hugging Face seq2seq model directory."""

    name = "transformers"

    def __init__(
        self,
        *,
        model_path: str | None = None,
        num_beams: Any = 4,
        min_new_tokens: Any = None,
        max_tokens: Any = 160,
        n_threads: Any = None,
        strict_faithfulness: Any = False,
        fallback: Any = None,
        **unknown: Any,
    ) -> None:
        if unknown:
            raise InvalidOptions(
                f"unknown setting(s) for the 'transformers' summarizer: "
                f"{', '.join(sorted(unknown))}"
            )
        super().__init__(
            strict_faithfulness=strict_faithfulness, fallback=fallback, max_tokens=max_tokens
        )
        self.path = Path(str(model_path or "")).expanduser()
        if not model_path:
            self.model_unavailable(
                InvalidOptions(
                    "the 'transformers' summarizer needs a local model directory: "
                    "pass --model-path DIR"
                )
            )
        elif not self.path.is_dir():
            self.model_unavailable(ModelNotFound(missing_model_message(str(model_path))))
        elif not (self.path / "config.json").is_file():
            self.model_unavailable(
                ModelNotFound(
                    f"--model-path {str(model_path)!r} has no config.json; pass the directory "
                    "that save_pretrained() or huggingface-cli download wrote"
                )
            )
        try:
            self.num_beams = int(num_beams)
            self.min_new_tokens = None if min_new_tokens is None else int(min_new_tokens)
            #: torch's intra-op threads; None leaves torch's own default.
            self.n_threads = None if n_threads is None else int(n_threads)
        except (TypeError, ValueError) as exc:
            raise InvalidOptions(f"invalid 'transformers' setting: {exc}") from exc
        if self.n_threads is not None and self.n_threads < 1:
            raise InvalidOptions(
                f"invalid 'transformers' setting: n_threads must be at least 1 (got {n_threads!r})"
            )
        self._model: Any = None
        self._tokenizer: Any = None
        self._load_lock = threading.Lock()
        self.max_input = DEFAULT_MAX_INPUT
        self.prefix = ""

    def __repr__(self) -> str:
        return f"HFSummarizer(model_path={str(self.path)!r})"

    @property
    def model_name(self) -> str:
        return self.path.name

    @property
    def model_identity(self) -> str:
        return str(self.path.resolve())

    def _load(self) -> tuple[Any, Any]:
        with self._load_lock:
            if self._model is None:
                try:
                    import torch
                    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
                except ImportError as exc:
                    raise MissingDependency(INSTALL_HINT) from exc
                if self.n_threads is not None:
                    # Process-wide in torch: in `serve`, every torch model shares it.
                    torch.set_num_threads(self.n_threads)
                try:
                    tokenizer = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
                    model = AutoModelForSeq2SeqLM.from_pretrained(self.path, local_files_only=True)
                except (OSError, ValueError, KeyError) as exc:
                    raise BackendError(
                        f"cannot load a seq2seq model from {str(self.path)!r}: {exc}"
                    ) from exc
                model.eval()
                limits = [
                    n
                    for n in (
                        getattr(tokenizer, "model_max_length", None),
                        getattr(model.config, "max_position_embeddings", None),
                    )
                    if isinstance(n, int) and 0 < n < 1_000_000
                ]
                self.max_input = min(limits) if limits else DEFAULT_MAX_INPUT
                params = getattr(model.config, "task_specific_params", None) or {}
                self.prefix = str(params.get("summarization", {}).get("prefix", "") or "")
                if not self.prefix and model.config.model_type == "t5":
                    self.prefix = "summarize: "
                self._tokenizer, self._model = tokenizer, model
            return self._tokenizer, self._model

    def count_tokens(self, text: str) -> int:
        tokenizer, _ = self._load()
        return len(tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    def input_budget(self, spec: PromptSpec, doc: Document) -> int:
        self._load()
        special = 2  # <s> ... </s>
        return self.max_input - special - self.count_tokens(self.prefix)

    def summarize(self, doc: Document, options: SummaryOptions) -> Output:
        if options.summary_language and options.summary_language != doc.language:
            raise InvalidOptions(
                "the 'transformers' summarizer writes in its model's language and cannot "
                f"translate; drop --summary-language {options.summary_language} or use 'llm'"
            )
        return super().summarize(doc, options)

    def complete(self, messages: list[dict[str, str]], text: str, stage: Stage) -> str:
        import torch

        tokenizer, model = self._load()
        inputs = tokenizer(self.prefix + text, return_tensors="pt", truncation=False)
        if inputs["input_ids"].shape[1] > self.max_input:
            raise BackendError(
                f"internal error: {inputs['input_ids'].shape[1]} tokens sent to a model that "
                f"reads {self.max_input}"
            )
        kwargs: dict[str, Any] = {"max_new_tokens": self.max_tokens, "num_beams": self.num_beams}
        if self.min_new_tokens is not None:
            kwargs["min_new_tokens"] = self.min_new_tokens
        with torch.inference_mode():
            output = model.generate(**inputs, **kwargs)
        return str(tokenizer.decode(output[0], skip_special_tokens=True)).strip()

    def parse(self, reply: str, spec: PromptSpec) -> list[str]:
        # A seq2seq model writes prose, whatever the format; prompts.fit_to_spec then keeps
        # what was asked for (and counts the rest in info.cut), as for every backend.
        return [s.text for s in split_sentences(" ".join(reply.split()), spec.language)]
