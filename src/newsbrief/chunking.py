"""Fit long articles into a model's context: count tokens, split at boundaries, map-reduce.

Tokens are counted with the backend's own tokenizer where it has one (llama.cpp, transformers);
an OpenAI-compatible endpoint offers none, so :func:`estimate_tokens` gives a documented,
deliberately high estimate. An article that does not fit is split at paragraph boundaries,
then sentence boundaries, and only a single sentence longer than the whole budget is cut
between words (reported as ``split_sentences``). Each part is summarized on its own (map),
the partial summaries are joined and summarized again (reduce), recursively while the notes
are still too long. Nothing is ever dropped silently: every chunk is read by the model and
the number of chunks, calls and levels is reported.
"""

from __future__ import annotations

import contextvars
import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from newsbrief.errors import BackendError
from newsbrief.limits import check_deadline
from newsbrief.prompts import Stage

Counter = Callable[[str], int]
#: ``(text, stage, part)`` -> reply text; ``part`` is ``(i, n)`` (1-based) for map calls.
Generate = Callable[[str, Stage, "tuple[int, int] | None"], str]

#: ASCII characters per token, and tokens per non-ASCII character, assumed when the backend has
#: no tokenizer. Measured (benchmarks/abstractive.py --calibrate-tokens and docs/abstractive.md)
#: with the SmolLM2 (49k BPE) and Qwen2.5 (151k BPE) tokenizers on 300 CNN/DM and 300 OrangeSum
#: (French) dev articles: median 4.5 (en) and 2.9-3.5 (fr) characters per token, lowest 3.0 (en)
#: and 2.5 (fr, SmolLM2). Counting 2.5 ASCII characters and 1 accented/non-Latin character
#: (Cyrillic is 1.4 characters per token in SmolLM2) per token over-counts every one of those
#: 1,200 article/tokenizer pairs (real tokens at most 0.96 of the estimate), so a chunk that is
#: estimated to fit does fit; English pays with ~1.8x more chunks than strictly needed.
ASCII_CHARS_PER_TOKEN = 2.5
TOKENS_PER_OTHER_CHAR = 1.0

#: Tokens added by the newline between two paragraphs of a chunk (a space joining two
#: sentences merges into the next word's token in BPE vocabularies).
SEPARATOR_TOKENS = 1


def estimate_tokens(text: str) -> int:
    """Return a high estimate of the tokens in ``text`` for a model whose tokenizer is unknown."""
    if not text:
        return 0
    ascii_chars = sum(1 for ch in text if ord(ch) < 128)
    other = len(text) - ascii_chars
    return math.ceil(ascii_chars / ASCII_CHARS_PER_TOKEN + other * TOKENS_PER_OTHER_CHAR)


@dataclass
class ChunkStats:
    """What map-reduce did: parts read, model calls, reduce levels, sentences cut between words."""

    chunks: int = 1
    calls: int = 0
    levels: int = 0
    split_sentences: int = 0


def _split_words(text: str, budget: int, count: Counter) -> list[str]:
    """Cut one over-long sentence between words into pieces that each fit ``budget``."""
    pieces: list[str] = []
    current: list[str] = []
    for word in text.split():
        trial = " ".join([*current, word])
        if current and count(trial) > budget:
            pieces.append(" ".join(current))
            current = [word]
        else:
            current.append(word)
    if current:
        pieces.append(" ".join(current))
    return pieces


def split_chunks(
    paragraphs: Sequence[Sequence[str]],
    budget: int,
    count: Counter,
    stats: ChunkStats | None = None,
) -> list[str]:
    """Pack paragraphs (each a list of sentences) into chunks of at most ``budget`` tokens.

    Paragraphs stay whole where they fit; a paragraph over budget is packed sentence by
    sentence; a sentence over budget is cut between words (counted in ``stats``). Chunks keep
    paragraphs on separate lines. Every sentence ends up in exactly one chunk, in order.

    Raises:
        ValueError: ``budget`` is below 1.
    """
    if budget < 1:
        raise ValueError(f"chunk budget must be at least 1 token (got {budget})")
    units: list[tuple[str, int, bool]] = []  # (text, tokens, starts a paragraph)
    for sentences in paragraphs:
        para = " ".join(s.strip() for s in sentences if s.strip())
        if not para:
            continue
        n = count(para)
        if n <= budget:
            units.append((para, n, True))
            continue
        first = True
        for sentence in sentences:
            sentence = sentence.strip()
            if not sentence:
                continue
            m = count(sentence)
            pieces = [sentence] if m <= budget else _split_words(sentence, budget, count)
            if len(pieces) > 1 and stats is not None:
                stats.split_sentences += 1
            for piece in pieces:
                units.append((piece, m if len(pieces) == 1 else count(piece), first))
                first = False

    chunks: list[str] = []
    current = ""
    used = 0
    for text, n, new_paragraph in units:
        cost = n + (SEPARATOR_TOKENS if current and new_paragraph else 0)
        if current and used + cost > budget:
            chunks.append(current)
            current, used, cost = "", 0, n
        if current:
            current += ("\n" if new_paragraph else " ") + text
        else:
            current = text
        used += cost
    if current:
        chunks.append(current)
    return chunks


def map_reduce(
    paragraphs: Sequence[Sequence[str]],
    *,
    budget: int,
    count: Counter,
    generate: Generate,
    parallel: int = 1,
    max_levels: int = 4,
) -> tuple[str, ChunkStats]:
    """Summarize paragraphs that may exceed ``budget`` tokens; return the reply and the stats.

    One ``single`` call when everything fits; otherwise ``map`` calls on each chunk (``parallel``
    at a time), recursively on the joined notes while they do not fit, then one ``reduce`` call.

    Raises:
        BackendError: the notes stopped shrinking, or ``max_levels`` map levels did not suffice.
    """
    stats = ChunkStats(chunks=0)
    text = "\n".join(" ".join(p) for p in paragraphs if p)
    if count(text) <= budget:
        stats.chunks = 1
        stats.calls = 1
        return generate(text, "single", None), stats

    level_input: Sequence[Sequence[str]] = paragraphs
    previous = count(text)
    while True:
        chunks = split_chunks(level_input, budget, count, stats)
        if stats.levels == 0:
            stats.chunks = len(chunks)
        stats.levels += 1
        n = len(chunks)

        def one(i: int, n: int = n, chunks: list[str] = chunks) -> str:
            check_deadline(f"map-reduce part {i + 1} of {n}")
            return generate(chunks[i], "map", (i + 1, n))

        if parallel > 1 and n > 1:
            # Each call runs in a copy of this thread's context, so it sees the summary's
            # deadline (newsbrief.limits); one copy per call, as a context is entered by one
            # thread at a time.
            contexts = [contextvars.copy_context() for _ in range(n)]
            with ThreadPoolExecutor(max_workers=min(parallel, n)) as pool:
                notes = list(pool.map(lambda i, c=contexts: c[i].run(one, i), range(n)))
        else:
            notes = [one(i) for i in range(n)]
        stats.calls += n
        joined = "\n".join(note.strip() for note in notes if note.strip())
        size = count(joined)
        if size <= budget:
            stats.calls += 1
            check_deadline("map-reduce reduce step")
            return generate(joined, "reduce", None), stats
        if size >= previous or stats.levels >= max_levels:
            raise BackendError(
                f"the article did not fit the model's context after {stats.levels} map-reduce "
                f"levels (notes still {size} tokens for a budget of {budget}); use a model "
                "with a larger context window"
            )
        previous = size
        level_input = [[line] for line in joined.split("\n")]
