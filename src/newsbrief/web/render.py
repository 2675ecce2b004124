"""Turn stored articles into what the templates show: sentence spans, teasers, safe links.

Nothing here produces HTML: the templates do, with autoescaping on, so article text from the
web is always escaped. This module only cuts text into pieces and caches the cutting.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

from newsbrief.errors import NewsbriefError
from newsbrief.models import Article
from newsbrief.pipeline import prepare
from newsbrief.web.cache import ByteLRU

#: Characters of text in a home-page teaser.
TEASER_CHARS = 220
#: Memory for article renderings (``Settings.page_memory_bytes``); one is a few hundred KB for
#: a typical article, so this holds a hundred or more.
SPAN_CACHE_BYTES = 32_000_000
#: A ``Segment`` object beyond its string: 99 bytes, measured with tracemalloc on a rendering
#: of 500 English paragraphs (1,500 segments) against ``rendered_bytes`` without it.
SEGMENT_BYTES = 100

_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class Segment:
    """A piece of a paragraph: a sentence (``index`` set) or the text between sentences."""

    text: str
    index: int | None = None


@dataclass(frozen=True)
class RenderedArticle:
    """An article cut into paragraphs of segments, in the language it was split in."""

    language: str
    paragraphs: tuple[tuple[Segment, ...], ...]
    n_sentences: int


def split_for_display(article: Article) -> RenderedArticle:
    """Cut ``article.text`` into paragraphs whose sentences carry newsbrief's sentence indices.

    The indices are those ``newsbrief.pipeline.prepare`` gives, so an extractive summary's
    ``index`` points at the matching ``s-<index>`` span. Text that cannot be split (empty)
    is shown as plain paragraphs.
    """
    try:
        doc = prepare(article)
    except NewsbriefError:
        plain = tuple((Segment(p),) for p in article.paragraphs)
        return RenderedArticle(article.language or "", plain, 0)
    text = article.text
    sentences = list(doc.sentences)
    paragraphs: list[tuple[Segment, ...]] = []
    pos = 0
    k = 0
    for line in text.split("\n"):
        line_start, line_end = pos, pos + len(line)
        pos = line_end + 1
        if not line.strip():
            continue
        segments: list[Segment] = []
        cursor = line_start
        while k < len(sentences) and sentences[k].start < line_end:
            s = sentences[k]
            if s.start > cursor:
                segments.append(Segment(text[cursor : s.start]))
            segments.append(Segment(text[s.start : s.end], s.index))
            cursor = s.end
            k += 1
        if cursor < line_end:
            segments.append(Segment(text[cursor:line_end]))
        paragraphs.append(tuple(seg for seg in segments if seg.text))
    return RenderedArticle(doc.language, tuple(paragraphs), len(sentences))


def rendered_bytes(rendered: RenderedArticle) -> int:
    """Return about how much memory ``rendered`` takes: its strings, segments and tuples."""
    total = sys.getsizeof(rendered.paragraphs)
    for paragraph in rendered.paragraphs:
        total += sys.getsizeof(paragraph)
        total += sum(sys.getsizeof(seg.text) + SEGMENT_BYTES for seg in paragraph)
    return total


class SpanCache:
    """A thread-safe LRU of rendered articles keyed by content hash, bounded by their memory."""

    def __init__(self, max_bytes: int = SPAN_CACHE_BYTES) -> None:
        self._items: ByteLRU[str, RenderedArticle] = ByteLRU(max_bytes, size_of=rendered_bytes)

    def get(self, key: str, article: Article) -> RenderedArticle:
        """Return the rendering of ``article`` (stored under ``key``), computing it once.

        A rendering larger than an eighth of the budget is computed for each request.
        """
        hit = self._items.get(key)
        if hit is None:
            hit = split_for_display(article)
            self._items.put(key, hit)
        return hit

    @property
    def nbytes(self) -> int:
        """Return the bytes the kept renderings are counted as."""
        return self._items.nbytes

    def __len__(self) -> int:
        return len(self._items)


def teaser(article: Article, *, limit: int = TEASER_CHARS) -> str:
    """Return the description or the start of the text, cut at a word boundary."""
    text = (article.description or "").strip() or " ".join(article.paragraphs[:2])
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:-")
    return cut + "…"


def safe_url(url: str | None) -> str | None:
    """Return ``url`` when it is an http(s) URL that is safe to put in a link, else None."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def lang_tag(language: str | None) -> str | None:
    """Return ``language`` when it looks like a BCP 47 tag (safe for ``lang=``), else None."""
    if language and _LANG_TAG.match(language):
        return language
    return None
