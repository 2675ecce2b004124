"""Pick sentences from per-sentence scores within a length budget, without repeating content.

Shared by every extractive method: a method scores sentences, this module chooses.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from newsbrief.coherence import antecedents, dangling_flags, standalone_forms, summary_texts
from newsbrief.datelines import strip_dateline
from newsbrief.models import Document, Length, Sentence, SummarySentence
from newsbrief.textutil import MAX_TITLE_WORDS, count_words

_WORD = re.compile(r"\w+", re.UNICODE)

#: Two sentences sharing this fraction of their word trigrams count as near-duplicates.
#: Trigram blocking (Paulus et al., 2017) with a soft threshold instead of "any shared trigram",
#: which rejects too much on long news sentences.
DUPLICATE_TRIGRAM_OVERLAP = 0.5


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 3:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def is_near_duplicate(
    candidate: set[tuple[str, ...]], chosen: Sequence[set[tuple[str, ...]]]
) -> bool:
    """Return True when ``candidate`` repeats most of a chosen sentence (or vice versa)."""
    if not candidate:
        return True
    for other in chosen:
        if not other:
            continue
        shared = len(candidate & other)
        if shared / min(len(candidate), len(other)) >= DUPLICATE_TRIGRAM_OVERLAP:
            return True
    return False


def _overlap(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> bool:
    return is_near_duplicate(a, [b])


class _Chosen:
    """The word trigrams of the sentences chosen so far, indexed by trigram.

    ``repeats`` answers what ``is_near_duplicate`` does against every chosen sentence, at the
    cost of the candidate's trigrams rather than of the number chosen: with ``--ratio 1.0`` on
    a 2,000-sentence text the pairwise check took seconds.
    """

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.index: dict[tuple[str, ...], list[int]] = {}

    def repeats(self, candidate: set[tuple[str, ...]]) -> bool:
        if not candidate:
            return True
        shared = Counter(j for gram in candidate for j in self.index.get(gram, ()))
        return any(
            k / min(len(candidate), self.sizes[j]) >= DUPLICATE_TRIGRAM_OVERLAP
            for j, k in shared.items()
        )

    def add(self, grams: set[tuple[str, ...]]) -> None:
        j = len(self.sizes)
        self.sizes.append(len(grams))
        for gram in grams:
            self.index.setdefault(gram, []).append(j)


#: A sentence ends like prose with one of these end marks of any script (the Greek question
#: mark is written ';'; Urdu ۔, Khmer ។, Tibetan །, full-width and half-width stops), then any
#: of ``_CLOSERS``.
_END_MARKS = frozenset(".!?;…。！？．｡؟۔।॥։။።។៕།༎‼⁇⁈⁉‽")
#: Closing quotes and brackets, with the spaces French puts before » (also no-break ones).
_CLOSERS = "\"'”’»›“‘」』)] \u00a0\u202f"


def is_prose(text: str) -> bool:
    """Tell a sentence from a line that is not one: a heading, a list item without an end
    mark, a table row ("| HD | 225.86 | -5.44% |"), a widget label ("Media playback is not
    supported on this device"), a short line leading into a list ("Here is how:").

    A line without an end mark that is longer than a headline (``MAX_TITLE_WORDS``, the
    limit plain-text titles use) is a sentence that lost its full stop, and counts as prose.
    """
    stripped = text.strip()
    if stripped.startswith("|"):
        return False
    return stripped.rstrip(_CLOSERS)[-1:] in _END_MARKS or count_words(stripped) > MAX_TITLE_WORDS


def best_first(
    sentences: Sequence[Sentence],
    scores: Sequence[float] | npt.NDArray[np.float64],
    *,
    min_words: int,
) -> tuple[list[int], list[int]]:
    """Return the sentence indices best score first, and every sentence's number of words.

    Ties keep article order. Sentences that do not read as prose (``is_prose``: headings, list
    items, table rows, widget labels) come after the prose ones, and sentences under
    ``min_words`` words (captions, bylines) after all the others, each group in the same order.
    """
    order: list[int] = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable").tolist()
    n_words = [s.n_words for s in sentences]
    long = [i for i in order if n_words[i] >= min_words]
    prose = [is_prose(sentences[i].text) for i in range(len(sentences))]
    return (
        [i for i in long if prose[i]]
        + [i for i in long if not prose[i]]
        + [i for i in order if n_words[i] < min_words],
        n_words,
    )


def select(
    doc: Document,
    scores: Sequence[float],
    length: Length,
    *,
    min_words: int = 4,
    stop_when_full: bool = False,
    coherent: bool = True,
) -> list[SummarySentence]:
    """Choose the best-scoring sentences within ``length``, returned in article order.

    Sentences are taken greedily by score; a near-duplicate of one already taken is skipped.
    With a word budget, sentences are added while they fit; the best one is always taken so a
    summary is never empty. Lines that are not prose (headings, table rows, widget labels:
    ``is_prose``) are only used when no prose sentence is left, and sentences shorter than
    ``min_words`` when nothing else is (they are usually captions or bylines). With
    ``stop_when_full`` the first sentence that overflows the word budget ends the selection
    instead of being skipped (for position-only methods, where a later short sentence is not a
    better pick).

    With ``coherent`` (the default), a sentence that dangles — opens with a pronoun or a
    connective while the sentence before it is not chosen (``newsbrief.coherence``) — is taken
    together with the sentences it refers back to when they all fit and repeat nothing, and
    skipped otherwise. When only lines under ``min_words`` words would be left standing (a
    caption, a wordless line), the choice is made again without this rule.
    """
    sentences = doc.sentences
    if not sentences:
        return []
    if len(scores) != len(sentences):
        raise ValueError(f"{len(scores)} scores for {len(sentences)} sentences")
    limit = length.max_sentences(len(sentences))
    order, n_words = best_first(sentences, scores, min_words=min_words)
    texts = [s.text for s in sentences]
    # Without the coherence rule (``lead``) a summary still shows the lede without its dateline.
    forms = (
        standalone_forms(texts, doc.language)
        if coherent
        else [strip_dateline(texts[0]), *[None] * (len(texts) - 1)]
    )
    flags = dangling_flags(texts, doc.language, forms) if coherent else [False] * len(sentences)

    chosen: list[int] = []
    skipped = False  # a dangling sentence was left out for want of its antecedent
    grams = _Chosen()
    words = 0
    for i in order:
        if len(chosen) >= limit:
            break
        if i in chosen:  # taken before as the antecedent of a dangling sentence
            continue
        n = n_words[i]
        if length.words is not None and chosen and words + n > length.words:
            if stop_when_full:
                break
            continue
        g = _trigrams(sentences[i].text)
        if grams.repeats(g):
            continue
        need = antecedents(i, flags, chosen)
        if need is None:
            skipped = True
            continue
        if need:
            more = sum(n_words[j] for j in need)
            if len(chosen) + len(need) >= limit or (
                length.words is not None and words + n + more > length.words
            ):
                skipped = True
                continue
            extra = [_trigrams(sentences[j].text) for j in need]
            if any(grams.repeats(e) or _overlap(e, g) for e in extra):
                skipped = True
                continue
            for j, e in zip(need, extra, strict=True):
                chosen.append(j)
                grams.add(e)
            words += more
        chosen.append(i)
        grams.add(g)
        words += n
    if skipped and all(n_words[i] < min_words for i in chosen):
        # Only captions or wordless lines stand alone: a dangling sentence reads better.
        return select(
            doc, scores, length, min_words=min_words, stop_when_full=stop_when_full, coherent=False
        )
    order = sorted(chosen)
    return [
        SummarySentence(text=text, index=i, score=float(scores[i]))
        for i, text in zip(order, summary_texts(order, texts, forms), strict=True)
    ]
