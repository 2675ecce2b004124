"""The web app's in-memory caches: LRUs bounded by bytes, and the summary answers' keys.

A stored article's text changes only when it is replaced (``discard`` then drops its
answers), and a summary is fixed by the text,
method, length, format and summary language, so ``GET /api/articles/{id}/summary`` answers
can be kept as encoded bytes in memory, in front of the store's summary cache: the hot path
then needs no database query and no JSON encoding (``middleware.SummaryFastPath``).

Every cache here is bounded by the bytes it holds, not by a count: one count-bounded entry
could be a summary of a few hundred bytes or the rendering of a 2 MB article. Keys are
normalised, so requests for the same options share one entry whatever their spelling
(``ratio=1.0``, ``1.00`` and ``1e0``; ``sentences=3`` and no length at all). This module
imports nothing else from the web package.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl

from newsbrief.errors import NewsbriefError
from newsbrief.models import FORMATS, MAX_SENTENCES, MAX_WORDS, Length

#: Bytes of encoded summaries kept in memory (``Settings.summary_memory_bytes``). One answer
#: is 1-4 KB, so this holds several thousand; a ratio=1 summary of a long article can be
#: hundreds of KB, and one over an eighth of the budget is not kept (the store still has it).
RESPONSE_CACHE_BYTES = 16_000_000
#: What an entry costs beyond its value's bytes, measured with tracemalloc over 20,000 summary
#: entries: ~160 bytes for the dict's slot and the (value, size) pair, ~240 for the key tuple
#: and its strings, ~35 for the bytes object's header; rounded up.
ENTRY_OVERHEAD = 450

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ByteLRU(Generic[K, V]):
    """A thread-safe LRU whose values' sizes (``size_of``) add up to at most ``max_bytes``.

    A value larger than ``max_item_bytes`` (an eighth of the budget by default) is not kept,
    so one huge entry cannot empty the cache of the many small ones.
    """

    def __init__(
        self,
        max_bytes: int,
        *,
        size_of: Callable[[V], int],
        max_item_bytes: int | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.max_item_bytes = max_bytes // 8 if max_item_bytes is None else max_item_bytes
        self._size_of = size_of
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """Return the value stored under ``key``, or None."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: K, value: V) -> None:
        """Store ``value`` under ``key``, dropping the least recently used beyond the budget."""
        size = self._size_of(value) + ENTRY_OVERHEAD
        if size > self.max_item_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    @property
    def nbytes(self) -> int:
        """Return the bytes the entries are counted as (values and overhead)."""
        return self._bytes

    def discard(self, predicate: Callable[[Any], bool]) -> int:
        """Drop every answer whose key satisfies ``predicate``; return how many went.

        For the rare article whose text is replaced (a re-fetched page that changed, an
        editor's edit or delete: ``AppState.forget_article``, in this process only).
        """
        with self._lock:
            gone = [key for key in self._items if predicate(key)]
            for key in gone:
                self._bytes -= self._items.pop(key)[1]
            return len(gone)

    def __len__(self) -> int:
        return len(self._items)


class ResponseCache(ByteLRU[Hashable, bytes]):
    """Encoded API answers, bounded by their length in bytes."""

    def __init__(self, max_bytes: int = RESPONSE_CACHE_BYTES) -> None:
        super().__init__(max_bytes, size_of=len)


_SUMMARY_PATH = re.compile(r"^/api/articles/([0-9]{1,18})/summary$")
_SUMMARY_PARAMS = frozenset({"method", "sentences", "words", "ratio", "format", "summary_language"})
#: What FastAPI parses as the same integer or float: ASCII digits, a plain decimal number.
_INTEGER = re.compile(r"[0-9]{1,9}")
_NUMBER = re.compile(r"([0-9]{1,20}(\.[0-9]{0,20})?|\.[0-9]{1,20})([eE][-+]?[0-9]{1,3})?")

SummaryCacheKey = tuple[int, str, str, str, str | None]


def summary_path_id(path: str) -> int | None:
    """Return the article id of a ``/api/articles/{id}/summary`` path, else None."""
    match = _SUMMARY_PATH.match(path)
    return int(match[1]) if match else None


def summary_cache_key(article_id: int, query: str, default_method: str) -> SummaryCacheKey | None:
    """Return the memory-cache key of a summary request, from its raw query string.

    The key holds the options as the route parses them, normalised as the store's key is:
    the resolved method (``default`` and no method are the same), the length as
    ``storage.length_key`` writes it (no length is ``sentences=3``; ``ratio=0.50`` is
    ``ratio=0.5``), the format and the summary language. The route and the fast path both
    call this, so they agree on keys. A query the route might refuse or read differently (an
    unknown or repeated parameter, a value outside its range or in an unusual spelling) gets
    no key: it is never cached, always validated.
    """
    pairs = parse_qsl(query, keep_blank_values=True)
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names) or not _SUMMARY_PARAMS.issuperset(names):
        return None
    params = dict(pairs)
    sentences, words, ratio = params.get("sentences"), params.get("words"), params.get("ratio")
    fmt = params.get("format", "json")
    if fmt not in FORMATS:
        return None
    try:
        from newsbrief import summarizers
        from newsbrief.storage.base import length_key

        length = Length.of(
            sentences=_integer(sentences, MAX_SENTENCES),
            words=_integer(words, MAX_WORDS),
            ratio=_ratio(ratio),
        )
        # Blank is the server's default method, as absent is (the route treats them alike).
        method = summarizers.resolve(params.get("method") or default_method)
    except (ValueError, NewsbriefError):
        return None
    # Blank is the server's --summary-language, as absent is (the route treats them alike).
    return (article_id, method, length_key(length), fmt, params.get("summary_language") or None)


def _integer(raw: str | None, most: int) -> int | None:
    if raw is None:
        return None
    if not _INTEGER.fullmatch(raw) or not 1 <= int(raw) <= most:
        raise ValueError(raw)
    return int(raw)


def _ratio(raw: str | None) -> float | None:
    if raw is None:
        return None
    value = float(raw) if _NUMBER.fullmatch(raw) else 0.0
    if not 0 < value <= 1:
        raise ValueError(raw)
    return value
