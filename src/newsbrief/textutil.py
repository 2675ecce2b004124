"""Plain-text helpers: normalising user text into an Article."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from newsbrief.models import Article, wrong_type

#: Longest first paragraph taken as a plain text's headline (``newsbrief.ingest``), and longest
#: line without an end mark that extractive summaries rank as a heading (``newsbrief.summarizers.
#: select.is_prose``). News headlines run 6–15 words; 20 leaves room for long ones while a
#: one-sentence lead paragraph (25+ words) stays text.
MAX_TITLE_WORDS = 20
_BLANK_LINES = re.compile(r"\n\s*\n")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
#: A space character other than " " (tab, no-break, typographic widths, zero width, CJK).
_OTHER_SPACE = re.compile(r"[\t\u00a0\u2000-\u200b\u3000]")


def alternation(words: Iterable[str]) -> str:
    """Return a regular-expression alternation of ``words``, escaped, longest first.

    Longest first, so that of two words where one starts the other ("mar", "mardi") the
    longer one is tried first.
    """
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def normalize_text(text: str) -> str:
    """Return ``text`` with one paragraph per line.

    Blank lines separate paragraphs. Single newlines inside a paragraph are hard wraps and are
    joined, unless the text has no blank lines at all, in which case every line is a paragraph
    (the form trafilatura and most feeds produce).
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if _BLANK_LINES.search(text):
        blocks = _BLANK_LINES.split(text)
        paragraphs = [
            " ".join(line.strip() for line in b.split("\n") if line.strip()) for b in blocks
        ]
    else:
        paragraphs = text.split("\n")
    cleaned = (_collapse_spaces(p).strip() for p in paragraphs)
    return "\n".join(p for p in cleaned if p)


def _collapse_spaces(paragraph: str) -> str:
    """Return ``paragraph`` with every run of spaces made one " "."""
    # Most text has nothing to collapse, and _SPACES.sub visits every single space (0.1 ms for
    # a CNN/DM article), so look for a double space or another space character first.
    if "  " in paragraph or "\t" in paragraph:
        return _SPACES.sub(" ", paragraph)
    if paragraph.isascii() or not _OTHER_SPACE.search(paragraph):
        return paragraph
    return _SPACES.sub(" ", paragraph)


def article_from_text(text: str, *, title: str | None = None, url: str | None = None) -> Article:
    """Wrap plain text as an Article (paragraphs normalised, no metadata).

    Raises:
        InvalidOptions: ``text`` is not a str.
    """
    if not isinstance(text, str):
        raise wrong_type("text", "a str", text)
    return Article(text=normalize_text(text), title=title, url=url)
