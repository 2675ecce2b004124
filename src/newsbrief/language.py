"""Offline language identification (py3langid: a naive Bayes model shipped in the package).

The identifier reads a bounded sample from the start of the text: py3langid walks its byte
automaton in Python, so its cost grows with the sample, while accuracy on news stops improving
long before 500 characters (docs/benchmarks/sentences.md).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

__all__ = ["DEFAULT_LANGUAGE", "SAMPLE_CHARS", "detect_language"]

#: Fallback when the text is too short or too uncertain to tell.
DEFAULT_LANGUAGE = "en"
#: Characters given to the identifier. 500 identified all of the first 200 CNN/DM, XSum and
#: OrangeSum dev articles (as did 250-2,000) at about 0.3 ms a call; 2,000 took 0.9 ms.
SAMPLE_CHARS = 500
#: Fewer letters than this and the answer is a guess; return the default instead.
MIN_LETTERS = 20
#: Below this normalised probability the identifier is unsure; return the default instead.
MIN_PROBABILITY = 0.5
#: py3langid codes that newsbrief spells differently (Norwegian Bokmål/Nynorsk -> "no").
_NORMALISE = {"nb": "no", "nn": "no"}
#: A letter of any script (a word character that is not a digit or "_").
_LETTER = re.compile(r"[^\W\d_]")


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


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
    # One regex pass, not a Python loop over characters: ~0.13 ms of ~1.9 ms per article.
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return default
    lang, prob = _identifier().classify(sample)
    if prob < MIN_PROBABILITY:
        return default
    return _NORMALISE.get(str(lang), str(lang))
