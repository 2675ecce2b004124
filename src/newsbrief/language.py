"""Offline language identification (py3langid, model shipped in the package)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

#: Fallback when the text is too short or too uncertain to tell.
DEFAULT_LANGUAGE = "en"
#: Characters of text given to the identifier; more costs time and gains nothing measurable.
SAMPLE_CHARS = 2000


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, *, default: str = DEFAULT_LANGUAGE) -> str:
    """Return the ISO 639-1 code of the language ``text`` is written in.

    Falls back to ``default`` for text with too few letters to tell.
    """
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < 20:
        return default
    lang, prob = _identifier().classify(sample)
    if prob < 0.5:
        return default
    return str(lang)
