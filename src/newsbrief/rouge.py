"""ROUGE scoring with Google's ``rouge-score``, in a protocol that also works beyond English.

The protocol, printed with every result (see :func:`protocol`):

- ROUGE-1, ROUGE-2 and ROUGE-Lsum, F1 (precision and recall are kept too), as in ``rouge-score``.
- English (``en``): ``rouge-score``'s own tokenizer (lowercase, ``[a-z0-9]+`` tokens) with the
  Porter stemmer on tokens longer than 3 characters — the setting published CNN/DM and XSum
  numbers use. The stemmer is memoised; tokens are identical to ``use_stemmer=True``.
- Every other language: that tokenizer would drop every non-ASCII letter (French scores lose
  their accented words, Russian scores 0), so text is NFKC-normalised, lowercased and split into
  Unicode letter/digit runs (``[^\\W_]+``), without stemming.
- ROUGE-Lsum reads one sentence per line for both sides: the summary's chosen sentences are
  joined with ``"\\n"``; a reference that has no newline is split with newsbrief's sentence
  splitter first (``rouge-score`` would otherwise treat it as one sentence).
- Confidence intervals: percentile bootstrap of the mean, 1,000 resamples, fixed seed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from typing import Any

import numpy as np

__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "BOOTSTRAP_SEED",
    "ROUGE_TYPES",
    "Interval",
    "Rouge",
    "Score",
    "UnicodeTokenizer",
    "bootstrap_ci",
    "greedy_oracle",
    "protocol",
    "reference_lines",
]

#: The ROUGE variants newsbrief reports, in ``rouge-score``'s names.
ROUGE_TYPES: tuple[str, ...] = ("rouge1", "rouge2", "rougeLsum")
#: Resamples for bootstrap intervals; 1,000 keeps the interval ends stable to ~0.1 ROUGE point.
BOOTSTRAP_RESAMPLES = 1000
#: Fixed so that the same scores always give the same interval.
BOOTSTRAP_SEED = 0
#: Languages scored with ``rouge-score``'s ASCII tokenizer and the Porter stemmer.
STEMMED_LANGUAGES = frozenset({"en"})

_UNICODE_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Score:
    """Precision, recall and F1 of one ROUGE variant, each in 0..1."""

    precision: float
    recall: float
    fmeasure: float


@dataclass(frozen=True)
class Interval:
    """A mean with the ends of its 95% bootstrap interval."""

    mean: float
    low: float
    high: float

    def to_dict(self, scale: float = 1.0) -> dict[str, float]:
        return {
            "mean": round(self.mean * scale, 4),
            "low": round(self.low * scale, 4),
            "high": round(self.high * scale, 4),
        }


class UnicodeTokenizer:
    """Lowercase Unicode letter/digit runs: ``rouge-score``'s tokenizer minus its ASCII filter."""

    def tokenize(self, text: str) -> list[str]:
        """Return the tokens of ``text``."""
        return _UNICODE_TOKEN.findall(unicodedata.normalize("NFKC", text).lower())


class _StemmedTokenizer:
    """``rouge-score``'s default tokenizer with a memoised Porter stemmer (same tokens, faster)."""

    def __init__(self) -> None:
        from rouge_score import tokenizers

        # The very stemmer rouge-score's DefaultTokenizer(use_stemmer=True) builds.
        stemmer = tokenizers.porter.PorterStemmer()

        class _Cached:
            stem = staticmethod(lru_cache(maxsize=200_000)(stemmer.stem))

        self._stemmer = _Cached()

    def tokenize(self, text: str) -> list[str]:
        """Return the stemmed tokens of ``text``."""
        from rouge_score import tokenize

        tokens: list[str] = tokenize.tokenize(text, self._stemmer)
        return tokens


def _is_stemmed(language: str) -> bool:
    return language in STEMMED_LANGUAGES


@lru_cache(maxsize=8)
def _tokenizer(language: str) -> Any:
    return _StemmedTokenizer() if _is_stemmed(language) else UnicodeTokenizer()


def reference_lines(reference: str, language: str) -> list[str]:
    """Return the reference as one sentence per line (split with newsbrief's splitter if needed)."""
    lines = [line.strip() for line in reference.split("\n") if line.strip()]
    if len(lines) != 1:
        return lines
    from newsbrief.sentences import split_sentences

    return [s.text for s in split_sentences(lines[0], language)] or lines


class Rouge:
    """A ROUGE-1/2/Lsum scorer for one language, following this module's protocol."""

    def __init__(self, language: str = "en") -> None:
        from rouge_score import rouge_scorer

        self.language = language
        self.tokenizer = _tokenizer(language)
        self._scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), tokenizer=self.tokenizer)

    def score(
        self, summary: Sequence[str] | str, reference: Sequence[str] | str
    ) -> dict[str, Score]:
        """Score a summary against a reference; each is a list of sentences or newline-joined text.

        A reference given as one string without newlines is split into sentences first.
        """
        target = (
            reference_lines(reference, self.language)
            if isinstance(reference, str)
            else list(reference)
        )
        prediction = summary.split("\n") if isinstance(summary, str) else list(summary)
        raw = self._scorer.score("\n".join(target), "\n".join(prediction))
        return {
            name: Score(float(s.precision), float(s.recall), float(s.fmeasure))
            for name, s in raw.items()
        }

    def protocol(self) -> str:
        """Return this scorer's protocol line (see :func:`protocol`)."""
        return protocol(self.language)


def protocol(language: str = "en") -> str:
    """Return a one-line description of how scores for ``language`` are computed."""
    if _is_stemmed(language):
        tokens = (
            "tokenizer: rouge-score default (lowercase, [a-z0-9]+); stemming: Porter (>3 chars)"
        )
    else:
        tokens = "tokenizer: unicode (NFKC, lowercase, [^\\W_]+ runs); stemming: none"
    return (
        f"rouge-score {version('rouge-score')}; {', '.join(ROUGE_TYPES)}; language: {language}; "
        f"{tokens}; Lsum: sentences split on newlines (single-line references split by "
        f"newsbrief.sentences); 95% CI: percentile bootstrap of the mean, "
        f"{BOOTSTRAP_RESAMPLES} resamples, seed {BOOTSTRAP_SEED}"
    )


def bootstrap_ci(
    values: Sequence[float],
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    confidence: float = 0.95,
) -> Interval:
    """Return the mean of ``values`` with a percentile-bootstrap confidence interval.

    Raises:
        ValueError: ``values`` is empty.
    """
    data = np.asarray(values, dtype=np.float64)
    if data.size == 0:
        raise ValueError("cannot bootstrap an empty sample")
    rng = np.random.default_rng(seed)
    means = np.empty(resamples, dtype=np.float64)
    # Chunks keep the index matrix small (a few MB) for large samples.
    step = max(1, 2_000_000 // data.size)
    for start in range(0, resamples, step):
        stop = min(resamples, start + step)
        idx = rng.integers(0, data.size, size=(stop - start, data.size))
        means[start:stop] = data[idx].mean(axis=1)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return Interval(mean=float(data.mean()), low=float(low), high=float(high))


def ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    """Return the counts of ``tokens``' n-grams of length ``n``."""
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def f_measure(overlap: int, n_pred: int, n_ref: int) -> float:
    """Return F1 from a clipped overlap count and the two sides' n-gram counts (0 if any is 0)."""
    if overlap == 0 or n_pred == 0 or n_ref == 0:
        return 0.0
    p, r = overlap / n_pred, overlap / n_ref
    return 2 * p * r / (p + r)


def greedy_oracle(
    sentences: Sequence[str],
    reference: str,
    *,
    language: str = "en",
    max_sentences: int = 3,
    max_words: int | None = None,
) -> list[int]:
    """Return the indices (ascending) of sentences a greedy ROUGE oracle picks for ``reference``.

    Sentences are added one at a time, each time the one that most raises ROUGE-1 F1 + ROUGE-2
    F1 of the selection (tokens as in :class:`Rouge`), until ``max_sentences`` are chosen, the
    next one would exceed ``max_words``, or no sentence raises the score (Nallapati et al., 2017;
    the labelling used by BertSumExt). It is the ceiling for a method that picks sentences.
    """
    tokenize = _tokenizer(language).tokenize
    return greedy_oracle_tokens(
        [tokenize(s) for s in sentences],
        tokenize(reference),
        max_sentences=max_sentences,
        max_words=max_words,
        n_words=[len(s.split()) for s in sentences],
    )


def greedy_oracle_tokens(
    sentences: Sequence[Sequence[str]],
    reference: Sequence[str],
    *,
    max_sentences: int = 3,
    max_words: int | None = None,
    n_words: Sequence[int] | None = None,
) -> list[int]:
    """Return what :func:`greedy_oracle` picks, for sentences and a reference already tokenized.

    The training labels use it on tokens they have anyway. ``max_words`` counts ``n_words``
    (each sentence's words; default its token count). A sentence without tokens is never picked.
    """
    ref = [ngrams(reference, 1), ngrams(reference, 2)]
    ref_total = [sum(ref[0].values()), sum(ref[1].values())]
    sent_grams = [[ngrams(t, 1), ngrams(t, 2)] for t in sentences]
    words_of = list(n_words) if n_words is not None else [len(t) for t in sentences]

    chosen: list[int] = []
    selected: list[Counter[tuple[str, ...]]] = [Counter(), Counter()]
    overlap = [0, 0]
    size = [0, 0]
    best = 0.0
    words = 0
    while len(chosen) < max_sentences:
        pick, pick_score, pick_overlap = -1, best, overlap
        for i, grams in enumerate(sent_grams):
            if i in chosen or not sentences[i]:
                continue
            if max_words is not None and chosen and words + words_of[i] > max_words:
                continue
            # Only the candidate's n-grams can change the clipped overlap.
            new_overlap = [
                overlap[k]
                + sum(
                    min(selected[k][g] + c, ref[k][g]) - min(selected[k][g], ref[k][g])
                    for g, c in grams[k].items()
                    if g in ref[k]
                )
                for k in (0, 1)
            ]
            total = sum(
                f_measure(new_overlap[k], size[k] + sum(grams[k].values()), ref_total[k])
                for k in (0, 1)
            )
            if total > pick_score:
                pick, pick_score, pick_overlap = i, total, new_overlap
        if pick < 0:
            break
        chosen.append(pick)
        for k in (0, 1):
            selected[k].update(sent_grams[pick][k])
            size[k] += sum(sent_grams[pick][k].values())
        overlap = pick_overlap
        best = pick_score
        words += words_of[pick]
    return sorted(chosen)
