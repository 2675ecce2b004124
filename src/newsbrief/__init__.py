"""newsbrief: "No time to read? Get a summary" — extract, summarize and serve news articles offline.

The public API is small and typed::

    import newsbrief
    article = newsbrief.extract(html, url="https://example.com/story")
    summary = newsbrief.summarize(article, method="default", sentences=3)
    for s in summary.sentences:
        print(s.index, s.score, s.text)

``summarize`` also takes a page or plain text directly (a ``str``, or ``bytes`` decoded as
the CLI decodes a file; HTML and text are told apart by content). Arguments of the wrong type
raise ``InvalidOptions`` naming the argument. Nothing heavy is imported until it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsbrief.errors import NewsbriefError
from newsbrief.models import (
    Article,
    Document,
    Length,
    Sentence,
    Summary,
    SummaryOptions,
    SummarySentence,
)

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Document",
    "Length",
    "NewsbriefError",
    "Sentence",
    "Summary",
    "SummaryOptions",
    "SummarySentence",
    "__version__",
    "extract",
    "prepare",
    "summarize",
]

# Imported eagerly (it is light: trafilatura loads on first call) because importing the
# submodule ``newsbrief.extract`` anywhere would otherwise shadow the function with the module.
from newsbrief.extract import extract

if TYPE_CHECKING:
    from newsbrief.pipeline import prepare, summarize


#: Public names loaded on first use, so that `import newsbrief` and `newsbrief --help` stay
#: fast (the pipeline pulls in numpy, the sentence splitter and the summarizer registry).
_LAZY = ("prepare", "summarize")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from newsbrief import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'newsbrief' has no attribute {name!r}")


def __dir__() -> list[str]:
    # Without this, dir(newsbrief) and completion in a REPL miss the lazy names.
    return sorted({*globals(), *_LAZY})
