"""Word-level helpers shared by the summarizers: words, stop-words and stems, per language.

All offline: stop-words from ``stopwordsiso`` (lists bundled in the package), stems from
``PyStemmer`` (Snowball, compiled). Every per-language object is built once and cached.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

__all__ = ["STEMMER_LANGUAGES", "stem", "stopwords", "words"]

#: Letters and digits in any script; "_" is a word character to ``re`` but not to a reader.
_WORD = re.compile(r"[^\W_]+")

#: ISO 639-1 code -> Snowball algorithm name in PyStemmer.
STEMMER_LANGUAGES: dict[str, str] = {
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "nb": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
}


def words(text: str) -> list[str]:
    """Return the lower-cased words (runs of letters or digits, any script) of ``text``."""
    return _WORD.findall(text.lower())


@cache
def stopwords(language: str) -> frozenset[str]:
    """Return the stop-words of ``language`` (ISO 639-1), or an empty set if none are known."""
    import stopwordsiso

    code = language.lower()
    if not stopwordsiso.has_lang(code):
        return frozenset()
    # The lists hold some multi-word and capitalised entries; keep what words() can produce.
    return frozenset(w for s in stopwordsiso.stopwords(code) for w in words(s))


@cache
def _stemmer(language: str) -> Any:
    import Stemmer

    algorithm = STEMMER_LANGUAGES.get(language.lower())
    return Stemmer.Stemmer(algorithm) if algorithm else None


def stem(tokens: Sequence[str], language: str) -> list[str]:
    """Return the Snowball stems of ``tokens``; unchanged for a language without a stemmer."""
    stemmer = _stemmer(language)
    if stemmer is None:
        return list(tokens)
    return list(stemmer.stemWords(tokens))
