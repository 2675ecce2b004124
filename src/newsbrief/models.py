"""The domain objects every part of newsbrief passes around.

``Article`` is what extraction produces, ``Document`` is an article split into sentences
(what a summarizer reads), ``Length`` is the requested summary size, and ``Summary`` is what
a summarizer returns. All are plain dataclasses: cheap to build, easy to serialise.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Literal

from newsbrief.errors import InvalidOptions
from newsbrief.iso639 import normalize_language
from newsbrief.textutil import count_words, join_sentences

#: Output formats the front ends can render a summary in.
#: ``headline`` asks abstractive methods for a one-line summary.
Format = Literal["text", "bullets", "markdown", "json", "headline"]
FORMATS: tuple[str, ...] = ("text", "bullets", "markdown", "json", "headline")

#: Default number of sentences when no length is requested.
DEFAULT_SENTENCES = 3
#: Largest lengths a summary may ask for, in every front end (a longer "summary" is the article).
MAX_SENTENCES = 100
MAX_WORDS = 5000


def describe_value(value: object) -> str:
    """Return how an error message names a wrong argument: its type, and a short value's repr.

    ``"NoneType"``, ``"float 2.5"``, ``"str '3'"``, ``"dict"``.
    """
    name = type(value).__name__
    if isinstance(value, (bool, int, float, str)) and len(shown := repr(value)) <= 40:
        return f"{name} {shown}"
    return name


def wrong_type(name: str, expected: str, value: object) -> InvalidOptions:
    """Return the error for argument ``name`` given as ``value`` when ``expected`` was wanted.

    ``wrong_type("source", "a str", None)`` says "source must be a str (got NoneType)".
    """
    return InvalidOptions(f"{name} must be {expected} (got {describe_value(value)})")


def _whole_number(name: str, value: object, expected: str) -> int:
    # numbers.Integral admits numpy's integers; bool is an int in Python but never a length.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise wrong_type(name, expected, value)
    return int(value)


@dataclass(frozen=True)
class Article:
    """An article's main text and metadata.

    ``text`` holds one paragraph per line (``"\\n"``-separated), as trafilatura emits it.
    """

    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    site: str | None = None
    url: str | None = None
    language: str | None = None
    description: str | None = None

    @property
    def paragraphs(self) -> list[str]:
        """Return the non-empty paragraphs of the text."""
        return [p.strip() for p in self.text.split("\n") if p.strip()]

    def metadata(self) -> dict[str, str | None]:
        """Return the metadata fields (everything but the text)."""
        return {
            "title": self.title,
            "author": self.author,
            "date": self.date,
            "site": self.site,
            "url": self.url,
            "language": self.language,
        }

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of the article."""
        return {**self.metadata(), "description": self.description, "text": self.text}


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article.

    ``index`` is its position among the article's sentences (0-based), ``paragraph`` the
    0-based paragraph it stands in, ``start``/``end`` its character offsets in ``Article.text``.
    """

    text: str
    index: int
    paragraph: int
    start: int
    end: int

    @property
    def n_words(self) -> int:
        return count_words(self.text)


@dataclass(frozen=True)
class Cut:
    """How much of a long article a summary read (``newsbrief.limits``).

    ``limit`` is the limit that was reached: ``"max_article_chars"`` (the text was cut before it
    was split, so ``total_sentences`` is None) or ``"max_article_sentences"``. The sentences
    kept are the first ``kept_sentences``, which end at character ``kept_chars`` of the article.
    """

    limit: str
    kept_chars: int
    total_chars: int
    kept_sentences: int
    total_sentences: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Document:
    """An article split into sentences, in a known language: what a summarizer reads.

    ``cut`` is set when the article was longer than the limits of ``newsbrief.limits`` and
    only its beginning was split (``sentences`` then cover that beginning).
    """

    article: Article
    sentences: tuple[Sentence, ...]
    language: str
    cut: Cut | None = None

    @property
    def title(self) -> str | None:
        return self.article.title


@dataclass(frozen=True)
class Length:
    """A requested summary length: exactly one of sentences, words or ratio.

    ``sentences`` and ``words`` are ints (not bools; numpy integers are converted), ``ratio`` a
    real number, a fraction of the article's sentences (0 < ratio <= 1).

    Raises:
        InvalidOptions: more than one given, a wrong type (``2.5`` or ``True`` sentences,
            ``"0.5"`` ratio), or a value out of range.
    """

    sentences: int | None = None
    words: int | None = None
    ratio: float | None = None

    def __post_init__(self) -> None:
        # Types first: 2.5 sentences, True sentences or "3" would otherwise pass or crash below.
        if self.sentences is not None:
            sentences = _whole_number(
                "sentences", self.sentences, f"a whole number from 1 to {MAX_SENTENCES}"
            )
            object.__setattr__(self, "sentences", sentences)
        if self.words is not None:
            words = _whole_number("words", self.words, f"a whole number from 1 to {MAX_WORDS}")
            object.__setattr__(self, "words", words)
        if self.ratio is not None:
            if isinstance(self.ratio, bool) or not isinstance(self.ratio, numbers.Real):
                raise wrong_type("ratio", "a number in (0, 1]", self.ratio)
            if not isinstance(self.ratio, (int, float)):  # numpy.float32, Fraction...
                object.__setattr__(self, "ratio", float(self.ratio))
        given = [
            name for name in ("sentences", "words", "ratio") if getattr(self, name) is not None
        ]
        if len(given) > 1:
            raise InvalidOptions(
                f"give only one of sentences, words or ratio (got {', '.join(given)})"
            )
        if self.sentences is not None and not 1 <= self.sentences <= MAX_SENTENCES:
            raise InvalidOptions(
                f"sentences must be from 1 to {MAX_SENTENCES} (got {self.sentences})"
            )
        if self.words is not None and not 1 <= self.words <= MAX_WORDS:
            raise InvalidOptions(f"words must be from 1 to {MAX_WORDS} (got {self.words})")
        if self.ratio is not None and not (0 < self.ratio <= 1):
            raise InvalidOptions(f"ratio must be in (0, 1] (got {self.ratio})")

    @classmethod
    def of(
        cls, *, sentences: int | None = None, words: int | None = None, ratio: float | None = None
    ) -> Length:
        """Build a Length, defaulting to ``DEFAULT_SENTENCES`` sentences when none is given."""
        if sentences is None and words is None and ratio is None:
            sentences = DEFAULT_SENTENCES
        return cls(sentences=sentences, words=words, ratio=ratio)

    def max_sentences(self, n_available: int) -> int:
        """Return the most sentences this length allows from ``n_available``."""
        if self.sentences is not None:
            return min(self.sentences, n_available)
        if self.ratio is not None:
            return max(1, min(n_available, math.ceil(self.ratio * n_available)))
        return n_available  # a word budget is enforced by the selector

    def describe(self) -> str:
        if self.sentences is not None:
            return f"{self.sentences} sentences"
        if self.words is not None:
            return f"{self.words} words"
        return f"ratio {self.ratio}"

    def to_dict(self) -> dict[str, int | float]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


@dataclass(frozen=True)
class SummaryOptions:
    """Everything a front end passes to ``newsbrief.summarize``: one object for CLI, API, batch.

    ``language`` forces the article's language (detected when None); ``summary_language`` asks
    abstractive methods to write in another language. ``config`` carries backend settings
    (e.g. an LLM endpoint) to the summarizer's factory.
    """

    method: str = "default"
    length: Length = field(default_factory=Length.of)
    format: str = "text"
    language: str | None = None
    summary_language: str | None = None
    config: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.method, str):
            raise wrong_type("method", "a str", self.method)
        if not isinstance(self.length, Length):
            raise wrong_type("length", "a newsbrief.Length", self.length)
        if not isinstance(self.format, str):
            raise wrong_type("format", "a str", self.format)
        for name in ("language", "summary_language"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise wrong_type(name, "a str (an ISO 639-1 code such as en) or None", value)
        if self.format not in FORMATS:
            raise InvalidOptions(
                f"unknown format {self.format!r}; choose one of: {', '.join(FORMATS)}"
            )
        if self.language is not None:
            object.__setattr__(self, "language", normalize_language(self.language))


@dataclass(frozen=True)
class SummarySentence:
    """One sentence of a summary.

    For extractive methods ``index`` is the sentence's position in the article and ``score``
    the method's score. Abstractive sentences have no index; the faithfulness check fills
    ``support`` (0..1), ``supported`` and ``evidence`` (indices of supporting article sentences).
    """

    text: str
    index: int | None = None
    score: float | None = None
    support: float | None = None
    supported: bool | None = None
    evidence: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "index": self.index, "score": self.score}
        if self.support is not None:
            out["support"] = self.support
            out["supported"] = self.supported
            out["evidence"] = list(self.evidence)
        return out


@dataclass
class Summary:
    """A summary of one article, with what is needed to show and audit it."""

    sentences: list[SummarySentence]
    method: str
    language: str
    kind: Literal["extractive", "abstractive"] = "extractive"
    article: Article | None = None
    length: Length | None = None
    timings: dict[str, float] = field(default_factory=dict)
    #: Extra facts a method reports (chunks used by map-reduce, model name, fallbacks, ...).
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The summary as plain text, one sentence after another (no space between Chinese or
        Japanese sentences)."""
        return join_sentences(s.text for s in self.sentences)

    @property
    def n_words(self) -> int:
        return sum(count_words(s.text) for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape documented in docs/api.md."""
        article = self.article
        return {
            "method": self.method,
            "kind": self.kind,
            "language": self.language,
            "length": self.length.to_dict() if self.length else None,
            # The article may carry no language (plain text); the summary's is the detected one.
            "article": (
                {**article.metadata(), "language": article.language or self.language}
                if article
                else None
            ),
            "summary": self.text,
            "sentences": [s.to_dict() for s in self.sentences],
            "words": self.n_words,
            "timings": {k: round(v, 6) for k, v in self.timings.items()},
            **({"info": self.info} if self.info else {}),
        }
