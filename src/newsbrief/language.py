"""Offline language identification: py3langid's model (naive Bayes over byte n-grams).

The identifier reads a bounded sample from the start of the text, since accuracy on news stops
improving long before 500 characters (docs/benchmarks/sentences.md).

py3langid finds the model's byte n-grams by walking a finite automaton over the text one byte at
a time in Python, which cost 0.3 ms of the 1.9 ms newsbrief spent on a CNN/DM article. The
automaton is an Aho-Corasick machine whose longest pattern is ``_DFA_DEPTH`` bytes, so the state
after any byte depends only on the last ``_DFA_DEPTH`` bytes; :func:`_scores` walks those windows
for every position at once with numpy and then scores exactly as py3langid does (same counts,
same arithmetic; tests/test_language.py compares both on real articles). If a py3langid release
changes the model's layout, the library's own ``classify`` is used instead.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["DEFAULT_LANGUAGE", "SAMPLE_CHARS", "detect_language"]

#: Fallback when the text is too short or too uncertain to tell.
DEFAULT_LANGUAGE = "en"
#: Characters given to the identifier. 500 identified all of the first 200 CNN/DM, XSum and
#: OrangeSum dev articles (as did 250-2,000); accuracy, not speed, sets it now that the
#: automaton walk is vectorised.
SAMPLE_CHARS = 500
#: Fewer letters than this and the answer is a guess; return the default instead.
MIN_LETTERS = 20
#: Below this normalised probability the identifier is unsure; return the default instead.
MIN_PROBABILITY = 0.5
#: py3langid's label for text with no linguistic content (ISO 639-2 "zxx").
_NO_LANGUAGE = "zxx"
#: py3langid codes that newsbrief spells differently (Norwegian Bokmål/Nynorsk -> "no").
_NORMALISE = {"nb": "no", "nn": "no"}
#: ``MIN_LETTERS`` letters of any script (word characters that are not digits or "_"), with
#: anything between them: one search instead of listing every letter (0.03 ms an article).
_ENOUGH_LETTERS = re.compile(rf"[^\W\d_](?:[\W\d_]*[^\W\d_]){{{MIN_LETTERS - 1}}}")
#: Length in bytes of the longest n-gram in py3langid 0.4's model (the depth of its automaton,
#: found by a breadth-first walk in tests/test_language.py).
_DFA_DEPTH = 6


@dataclass(frozen=True)
class _Model:
    """py3langid's model as numpy arrays, for the vectorised walk."""

    identifier: Any
    nextmove: npt.NDArray[np.uint32]
    rowbase: npt.NDArray[np.int64]  # automaton state -> offset of its row in ``nextmove``
    output: npt.NDArray[np.int64]  # automaton state -> feature index, -1 for none
    ptc: npt.NDArray[Any]  # feature x class log-probabilities
    pc: npt.NDArray[Any]  # class priors
    classes: tuple[str, ...]
    aliases: tuple[tuple[int, int], ...]  # (kept, folded) columns of one label


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@cache
def _model() -> _Model | None:
    """Return the model's arrays, or None when this py3langid lays them out differently."""
    ident = _identifier()
    try:
        nextmove = np.frombuffer(ident.tk_nextmove, dtype=np.uint32)
        rows = np.frombuffer(ident.tk_row, dtype=np.uint16).astype(np.int64)
        output = np.array([-1 if f is None else f for f in ident.tk_output], dtype=np.int64)
        model = _Model(
            identifier=ident,
            nextmove=nextmove,
            rowbase=rows << 8,
            output=output,
            ptc=np.asarray(ident.nb_ptc),
            pc=np.asarray(ident.nb_pc),
            classes=tuple(ident.nb_classes),
            aliases=tuple(ident._alias_pairs),
        )
        encode = ident._encode
    except (AttributeError, TypeError, ValueError):
        return None
    if len(model.rowbase) != len(model.output) or not callable(encode):
        return None
    return model


def _scores(model: _Model, text: str) -> npt.NDArray[np.float32] | None:
    """Return py3langid's normalised class probabilities for ``text``, None without features."""
    data = model.identifier._encode(text)
    b = np.frombuffer(data, dtype=np.uint8).astype(np.int64)
    n = len(b)
    state = np.zeros(n, dtype=np.int64)
    # Position i reads bytes i-depth+1 .. i from the root; earlier positions start later.
    for back in range(min(_DFA_DEPTH, n) - 1, -1, -1):
        state[back:] = model.nextmove[model.rowbase[state[back:]] + b[: n - back]]
    features = model.output[state]
    features = features[features >= 0]
    if not len(features):
        return None
    index, counts = np.unique(features, return_counts=True)
    # The table is float16; widening only the rows used lets BLAS do the product.
    rows = model.ptc[index].astype(np.float32)
    scores: npt.NDArray[np.float32] = np.log1p(counts.astype(np.float32)) @ rows + model.pc
    scores *= 1.0 / math.sqrt(n or 1)
    np.exp(scores - scores.max(), out=scores)
    scores /= scores.sum()
    for kept, folded in model.aliases:
        scores[kept] += scores[folded]
        scores[folded] = 0.0
    return scores


def _classify(text: str) -> tuple[str, float]:
    """Return py3langid's best language for ``text`` and its probability."""
    model = _model()
    if model is None:
        lang, prob = _identifier().classify(text)
        return str(lang), float(prob)
    scores = _scores(model, text)
    if scores is None:
        return DEFAULT_LANGUAGE, 0.0
    best = int(scores.argmax())
    return model.classes[best], float(scores[best])


def _sample(text: str) -> str:
    """Return about ``SAMPLE_CHARS`` characters from the start of ``text``, cut at a space."""
    if len(text) <= SAMPLE_CHARS:
        return text
    cut = text.rfind(" ", SAMPLE_CHARS // 2, SAMPLE_CHARS)
    return text[: cut if cut > 0 else SAMPLE_CHARS]


def detect_language(text: str, *, default: str = DEFAULT_LANGUAGE) -> str:
    """Return the ISO 639-1 code of the language ``text`` is written in.

    Falls back to ``default`` for text with too few letters, or too mixed, to tell.
    """
    sample = _sample(text)
    if not _ENOUGH_LETTERS.search(sample):
        return default
    lang, prob = _classify(sample)
    if prob < MIN_PROBABILITY or lang == _NO_LANGUAGE:
        return default
    return _NORMALISE.get(lang, lang)
