"""What every abstractive backend shares: prompts, map-reduce, faithfulness, fallback.

A backend subclasses :class:`AbstractiveSummarizer` and supplies three things: how to count
tokens, how many tokens of article text fit in one request, and how to turn one request into a
reply. This class does the rest: it picks the prompt for the requested format and language,
splits long articles (map-reduce, never silent truncation), parses the reply into sentences,
checks each against the article, drops unsupported ones under ``strict_faithfulness``, and,
with ``fallback="extractive"``, serves the default extractive summary when the backend fails,
including when its model cannot be found at all (``model_unavailable``).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any, Literal

from newsbrief import chunking, faithfulness, prompts
from newsbrief.errors import BackendError, BadBackendResponse, InvalidOptions, NewsbriefError
from newsbrief.models import Document, SummaryOptions, SummarySentence
from newsbrief.prompts import PromptSpec, Stage
from newsbrief.summarizers import Output

#: Accepted values of the ``fallback`` setting.
FALLBACKS = ("none", "extractive")


def parse_bool(value: Any, setting: str) -> bool:
    """Return a config value as a bool ("true"/"1"/"yes" and the like are accepted).

    Raises:
        InvalidOptions: the value is not a recognisable boolean.
    """
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise InvalidOptions(f"{setting} must be true or false (got {value!r})")


def parse_fallback(value: Any) -> str:
    """Return a validated ``fallback`` setting (``None`` means "none").

    Raises:
        InvalidOptions: not one of ``FALLBACKS``.
    """
    text = "none" if value is None else str(value).strip().lower()
    if text not in FALLBACKS:
        raise InvalidOptions(f"fallback must be one of: {', '.join(FALLBACKS)} (got {value!r})")
    return text


class AbstractiveSummarizer:
    """Base class of the abstractive backends (see the module docstring)."""

    name = "abstractive"
    kind: Literal["abstractive"] = "abstractive"
    #: How many map calls may run at once (1 for in-process models).
    parallel = 1

    def __init__(
        self,
        *,
        strict_faithfulness: Any = False,
        fallback: Any = None,
        max_tokens: Any = 512,
        temperature: Any = 0.2,
    ) -> None:
        self.strict_faithfulness = parse_bool(strict_faithfulness, "strict_faithfulness")
        self.fallback = parse_fallback(fallback)
        try:
            self.max_tokens = int(max_tokens)
            self.temperature = float(temperature)
        except (TypeError, ValueError) as exc:
            raise InvalidOptions(
                f"max_tokens must be an integer and temperature a number ({exc})"
            ) from exc
        if self.max_tokens < 1:
            raise InvalidOptions(f"max_tokens must be at least 1 (got {self.max_tokens})")
        self._lock = threading.Lock()
        self._unavailable: NewsbriefError | None = None

    def model_unavailable(self, error: NewsbriefError) -> None:
        """Report that the model is missing or wrong: raise ``error``, unless falling back.

        A backend calls this from its constructor (after ``super().__init__``) instead of
        raising, so that ``fallback="extractive"`` covers a model that cannot be found too:
        every summary is then the extractive one and ``info.fallback`` gives ``error``.
        Errors in the other settings (a typo, a bad number) are raised as they are.

        Raises:
            NewsbriefError: ``error``, when ``fallback`` is not ``"extractive"``.
        """
        if self.fallback != "extractive":
            raise error
        self._unavailable = error

    # -- what a backend provides ------------------------------------------------------------

    @property
    def model_name(self) -> str:
        """Return the model's name as reported in ``info``."""
        raise NotImplementedError

    @property
    def model_identity(self) -> str:
        """Return what tells this model from any other (endpoint and name, or file path).

        Summary caches key on it, so that a change of model, however it was made (an option,
        an environment variable), never serves another model's summary.
        """
        raise NotImplementedError

    def count_tokens(self, text: str) -> int:
        """Return the number of tokens ``text`` takes for this backend's model."""
        return chunking.estimate_tokens(text)

    def input_budget(self, spec: PromptSpec, doc: Document) -> int:
        """Return how many tokens of article text fit in one request."""
        raise NotImplementedError

    def complete(self, messages: list[dict[str, str]], text: str, stage: Stage) -> str:
        """Return the model's reply to one request (``text`` is the article part it carries)."""
        raise NotImplementedError

    def parse(self, reply: str, spec: PromptSpec) -> list[str]:
        """Return the summary sentences in the model's final reply."""
        return prompts.parse_reply(reply, spec)

    # -- the shared work ---------------------------------------------------------------------

    def summarize(self, doc: Document, options: SummaryOptions) -> Output:
        """Summarize ``doc`` with the backend; see the module docstring for the steps."""
        if self._unavailable is not None:
            error = self._unavailable
            return self._extractive(doc, options, reason=str(error), error=error.code)
        try:
            return self._summarize(doc, options)
        except BackendError as exc:
            if self.fallback != "extractive":
                raise
            return self._extractive(doc, options, reason=str(exc), error=exc.code)

    def _summarize(self, doc: Document, options: SummaryOptions) -> Output:
        spec = prompts.spec_for(options, doc.language)
        budget = self.input_budget(spec, doc)
        if budget < 1:
            raise BackendError(
                f"the prompt alone does not fit the context of model {self.model_name!r}; "
                "use a model with a larger context window"
            )
        calls: list[float] = []

        def generate(text: str, stage: Stage, part: tuple[int, int] | None) -> str:
            msgs = prompts.messages(
                text,
                spec,
                article_language=doc.language,
                stage=stage,
                title=doc.title,
                part=part,
            )
            t0 = time.perf_counter()
            reply = self.complete(msgs, text, stage)
            with self._lock:
                calls.append(time.perf_counter() - t0)
            return reply

        paragraphs: dict[int, list[str]] = {}
        for s in doc.sentences:
            paragraphs.setdefault(s.paragraph, []).append(s.text)
        reply, stats = chunking.map_reduce(
            list(paragraphs.values()),
            budget=budget,
            count=self.count_tokens,
            generate=generate,
            parallel=self.parallel,
        )
        texts, cut = prompts.fit_to_spec(self.parse(reply, spec), spec)
        if not texts:
            raise BadBackendResponse(
                f"model {self.model_name!r} returned no summary text; try another model"
            )
        t0 = time.perf_counter()
        checks = faithfulness.check_summary(texts, doc, summary_language=spec.language)
        check_s = time.perf_counter() - t0
        info: dict[str, Any] = {
            "backend": self.name,
            "model": self.model_name,
            "chunks": stats.chunks,
            "calls": stats.calls,
            "map_reduce_levels": stats.levels,
            "input_budget_tokens": budget,
            "timings": {
                "backend_s": round(sum(calls), 6),
                "backend_calls_s": [round(c, 6) for c in calls],
                "faithfulness_s": round(check_s, 6),
            },
            "faithfulness": {
                "mode": "lexical" if spec.language == doc.language else "facts only",
                "threshold": faithfulness.SUPPORT_THRESHOLD,
                "unsupported": sum(not c.supported for c in checks),
                "issues": [c.issues for c in checks],
            },
        }
        if stats.split_sentences:
            info["split_sentences"] = stats.split_sentences
        if cut:
            # What the model wrote beyond the requested length or shape, not shown.
            info["cut"] = {"sentences": len(cut), "words": sum(len(t.split()) for t in cut)}
        if spec.language != doc.language:
            info["summary_language"] = spec.language
        if self.strict_faithfulness:
            kept = [c for c in checks if c.supported]
            info["faithfulness"]["dropped"] = [c.text for c in checks if not c.supported]
            if not kept:
                out = self._extractive(
                    doc, options, reason="no summary sentence passed the faithfulness check"
                )
                out.info = {**info, **out.info}
                return out
            checks = kept
        return Output([c.to_sentence() for c in checks], info)

    def _extractive(
        self, doc: Document, options: SummaryOptions, *, reason: str, error: str | None = None
    ) -> Output:
        """Serve the default extractive summary instead, saying why in ``info``.

        ``error`` is the code of the backend error that caused it (none when the model answered
        but no sentence passed the faithfulness check): such a summary stands in for one the
        backend may give next time, so caches do not keep it.
        """
        from newsbrief import summarizers

        method = summarizers.resolve("default")
        fallback_options = dataclasses.replace(options, method="default", config=(), format="text")
        out = summarizers.get("default").summarize(doc, fallback_options)
        sentences: list[SummarySentence] = out.sentences
        fallback: dict[str, Any] = {"method": method, "reason": reason}
        if error is not None:
            fallback["error"] = error
        info = {**out.info, "fallback": fallback}
        return Output(sentences, info)
